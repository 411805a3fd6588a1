
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Unit tests of the template renderer of consent-audit's HTML report
 * (src/tools/audit/tpl.c): slots, escaping, raw HTML, lists and flags,
 * lines taken by section tags, and the errors (an unknown slot, also in
 * a section that no row fills; a wrong kind; unbalanced sections).
 * Built with that file (the Makefile has a rule of its own for it).
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "tools/audit/tpl.h"


static void escape(FILE *f, const char *s);
static char *render(const char *tpl, audit_tpl_t *d, char *err,
    size_t err_len);
static void test_slots(void);
static void test_sections(void);
static void test_lines(void);
static void test_errors(void);
static void test_report(void);


int
main(void)
{
    test_slots();
    test_sections();
    test_lines();
    test_errors();
    test_report();

    return done_testing();
}


/* the test's own escaper: the report passes audit_put_html() */

static void
escape(FILE *f, const char *s)
{
    for ( ; *s; s++) {
        switch (*s) {
        case '<':
            fputs("&lt;", f);
            break;
        case '&':
            fputs("&amp;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        default:
            fputc(*s, f);
        }
    }
}


/* the output, malloc()ed; NULL on an error (in err) */

static char *
render(const char *tpl, audit_tpl_t *d, char *err, size_t err_len)
{
    int     rc;
    char   *buf;
    FILE   *f;
    size_t  len;

    buf = NULL;
    len = 0;
    err[0] = '\0';

    f = open_memstream(&buf, &len);
    if (f == NULL) {
        snprintf(err, err_len, "open_memstream");
        return NULL;
    }

    rc = audit_tpl_render(tpl, strlen(tpl), "t.html", d, escape, f, err,
                          err_len);
    fclose(f);

    if (rc != 0) {
        free(buf);
        return NULL;
    }

    return buf;
}


static void
test_slots(void)
{
    char         err[256], *out;
    audit_tpl_t  *d;

    d = audit_tpl_create();
    audit_tpl_set(d, "title", "a <b> & \"c\"");
    audit_tpl_setf(d, "n", "%d items", 3);
    audit_tpl_raw(d, "svg", strdup("<svg><rect/></svg>"));
    audit_tpl_flag(d, "on", 1);

    out = render("<h1>{{title}}</h1>{{ n }}|{{{svg}}}|{{on}}|", d, err,
                 sizeof(err));
    is_str(out, "<h1>a &lt;b> &amp; &quot;c&quot;</h1>3 items|"
           "<svg><rect/></svg>|1|", "text escaped, raw as is (%s)", err);
    free(out);

    audit_tpl_set(d, "title", "again");
    out = render("{{title}}{{! a note for the designer }}.", d, err,
                 sizeof(err));
    is_str(out, "again.", "a name set again is replaced; comments go");
    free(out);

    out = render("no slots at all, a { and a } alone", d, err, sizeof(err));
    is_str(out, "no slots at all, a { and a } alone", "plain text");
    free(out);

    out = render("", d, err, sizeof(err));
    is_str(out, "", "an empty template");
    free(out);

    audit_tpl_free(d);
}


static void
test_sections(void)
{
    int           i;
    char          err[256], *out;
    audit_tpl_t  *d, *row, *cell;

    d = audit_tpl_create();
    audit_tpl_set(d, "col", "name");
    audit_tpl_list(d, "rows", "label cells(v)");

    for (i = 0; i < 2; i++) {
        row = audit_tpl_row(d, "rows");
        audit_tpl_setf(row, "label", "r%d<", i);
        audit_tpl_list(row, "cells", "v");
        cell = audit_tpl_row(row, "cells");
        audit_tpl_setf(cell, "v", "%d", i * 10);
        cell = audit_tpl_row(row, "cells");
        audit_tpl_setf(cell, "v", "%d", i * 10 + 1);
    }

    audit_tpl_list(d, "none", "x");
    audit_tpl_flag(d, "yes", 1);
    audit_tpl_flag(d, "no", 0);
    audit_tpl_set(d, "empty", "");

    out = render("{{#rows}}[{{label}} {{col}}:{{#cells}} {{v}}{{/cells}}]"
                 "{{/rows}}", d, err, sizeof(err));
    is_str(out, "[r0&lt; name: 0 1][r1&lt; name: 10 11]",
           "rows repeated, nested lists, outer names in scope (%s)", err);
    free(out);

    out = render("{{#none}}x={{x}}{{/none}}{{^none}}none{{/none}}", d, err,
                 sizeof(err));
    is_str(out, "none", "an empty list: its inverted section (%s)", err);
    free(out);

    out = render("{{#yes}}Y{{/yes}}{{^yes}}y{{/yes}}{{#no}}N{{/no}}"
                 "{{^no}}n{{/no}}{{#col}}C{{/col}}{{#empty}}E{{/empty}}"
                 "{{^empty}}e{{/empty}}", d, err, sizeof(err));
    is_str(out, "YnCe", "flags and texts as sections (%s)", err);
    free(out);

    audit_tpl_free(d);
}


static void
test_lines(void)
{
    char          err[256], *out;
    audit_tpl_t  *d, *row;

    d = audit_tpl_create();
    audit_tpl_list(d, "items", "name");
    row = audit_tpl_row(d, "items");
    audit_tpl_set(row, "name", "a");
    row = audit_tpl_row(d, "items");
    audit_tpl_set(row, "name", "b");

    out = render("<ul>\n"
                 "  {{! one line per item }}\n"
                 "  {{#items}}\n"
                 "  <li>{{name}}</li>\n"
                 "  {{/items}}\n"
                 "</ul>\n", d, err, sizeof(err));
    is_str(out, "<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>\n",
           "section tags and comments alone on a line take it (%s)", err);
    free(out);

    out = render("<ul>{{#items}}\n<li>{{name}}</li>{{/items}}\n</ul>", d,
                 err, sizeof(err));
    is_str(out, "<ul>\n<li>a</li>\n<li>b</li>\n</ul>",
           "not alone on their lines: the newlines stay (%s)", err);
    free(out);

    out = render("{{#items}}{{name}}{{/items}}", d, err, sizeof(err));
    is_str(out, "ab", "at the template's ends (%s)", err);
    free(out);

    audit_tpl_free(d);
}


static void
test_errors(void)
{
    char          err[256], *out;
    audit_tpl_t  *d;

    d = audit_tpl_create();
    audit_tpl_set(d, "title", "t");
    audit_tpl_raw(d, "svg", strdup("<svg/>"));
    audit_tpl_list(d, "rows", "label");

    out = render("<p>\n{{titel}}</p>", d, err, sizeof(err));
    ok(out == NULL, "an unknown slot is an error");
    is_str(err, "t.html:2: {{titel}} is not a slot the report fills",
           "... naming its line");
    free(out);

    out = render("{{#rows}}{{label}}{{labl}}{{/rows}}", d, err, sizeof(err));
    ok(out == NULL, "an unknown slot in a list with no rows is an error");
    is_str(err, "t.html:1: {{labl}} is not a slot the report fills",
           "... named");
    free(out);

    audit_tpl_list(d, "grid", "cells(v)");
    out = render("{{#grid}}{{#cells}}{{v}}{{w}}{{/cells}}{{/grid}}", d, err,
                 sizeof(err));
    ok(out == NULL && strstr(err, "{{w}}") != NULL,
       "... also in a list in the rows of a list with no rows: %s", err);
    free(out);

    out = render("{{#missing}}{{/missing}}", d, err, sizeof(err));
    ok(out == NULL, "an unknown section is an error");

    out = render("{{svg}}", d, err, sizeof(err));
    ok(out == NULL && strstr(err, "is HTML") != NULL,
       "raw HTML as text is an error: %s", err);
    free(out);

    out = render("{{{title}}}", d, err, sizeof(err));
    ok(out == NULL && strstr(err, "is text") != NULL,
       "text as raw HTML is an error: %s", err);
    free(out);

    out = render("{{rows}}", d, err, sizeof(err));
    ok(out == NULL && strstr(err, "is a list") != NULL,
       "a list as text is an error: %s", err);
    free(out);

    out = render("{{#rows}}", d, err, sizeof(err));
    ok(out == NULL && strstr(err, "is not closed") != NULL,
       "an unclosed section: %s", err);
    free(out);

    out = render("{{#rows}}{{/title}}", d, err, sizeof(err));
    ok(out == NULL && strstr(err, "closes no open section") != NULL,
       "a section closed by another name: %s", err);
    free(out);

    out = render("{{title", d, err, sizeof(err));
    ok(out == NULL && strstr(err, "without") != NULL,
       "an unterminated tag: %s", err);
    free(out);

    out = render("{{Title}}", d, err, sizeof(err));
    ok(out == NULL && strstr(err, "[a-z0-9_]+") != NULL,
       "a name is lower case: %s", err);
    free(out);

    ok(audit_tpl_row(d, "title") == NULL, "a row of a text: NULL");
    out = render("{{title}}", d, err, sizeof(err));
    ok(out == NULL, "... and the render fails: %s", err);
    free(out);

    audit_tpl_free(d);
}


/* the report's template is well formed (its slots: t/audit-cli.t) */

static void
test_report(void)
{
    int           depth, n;
    char          buf[65536];
    FILE         *f;
    size_t        len, i;

    f = fopen("src/tools/audit/report.html", "rb");
    ok(f != NULL, "src/tools/audit/report.html opens");

    if (f == NULL) {
        return;
    }

    len = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[len] = '\0';

    ok(len > 0 && len < sizeof(buf) - 1, "report.html read");

    depth = 0;
    n = 0;

    for (i = 0; i + 2 < len; i++) {
        if (buf[i] == '{' && buf[i + 1] == '{') {
            n++;
            depth += (buf[i + 2] == '#' || buf[i + 2] == '^')
                     - (buf[i + 2] == '/');
        }
    }

    ok(n > 20 && depth == 0, "report.html: %d slots, its sections closed",
       n);
}


/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * A small template renderer for consent-audit's HTML report: a
 * template is HTML with named slots, filled from a dictionary the code
 * builds.  The syntax (a subset of Mustache's):
 *
 *   {{name}}             text, HTML-escaped
 *   {{{name}}}           HTML made by the code (the charts' SVG), as is
 *   {{#name}}...{{/name}}  a list: once per row, the row's names in
 *                        scope; a flag or a text: once when set or not
 *                        empty
 *   {{^name}}...{{/name}}  once when the list is empty, the flag off,
 *                        the text empty
 *   {{! a note }}        a comment, left out
 *
 * A line holding nothing but a section tag or a comment is left out
 * whole, so that they may stand on lines of their own.  Every slot of
 * the template must be one the code sets, even in a section that no
 * row fills this time: a list declares its rows' names when it is
 * made ("label count" or, for a list in a row, "label cells(pct)").
 * An unknown slot, a raw slot used as text or the reverse, and an
 * unclosed section are errors that name the template's line.
 */


#ifndef _AUDIT_TPL_H_INCLUDED_
#define _AUDIT_TPL_H_INCLUDED_


#include <stddef.h>
#include <stdio.h>


typedef struct audit_tpl_s  audit_tpl_t;

typedef void (*audit_tpl_escape_pt)(FILE *f, const char *s);


audit_tpl_t *audit_tpl_create(void);
void audit_tpl_free(audit_tpl_t *d);

/* a name set again is replaced; out of memory shows at render */
void audit_tpl_set(audit_tpl_t *d, const char *name, const char *text);
void audit_tpl_setf(audit_tpl_t *d, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void audit_tpl_flag(audit_tpl_t *d, const char *name, int on);

/* html: malloc()ed, taken over (NULL: out of memory) */
void audit_tpl_raw(audit_tpl_t *d, const char *name, char *html);

/* fields: the names of its rows, space-separated */
void audit_tpl_list(audit_tpl_t *d, const char *name, const char *fields);

/* a new row at the end of the list name; NULL: out of memory */
audit_tpl_t *audit_tpl_row(audit_tpl_t *d, const char *name);

/*
 * Checks the whole template against d, then writes it to out: 0, or -1
 * with a message in err ("FILE:LINE: ...").  Write errors are the
 * caller's to check on out.
 */
int audit_tpl_render(const char *tpl, size_t len, const char *file,
    audit_tpl_t *d, audit_tpl_escape_pt escape, FILE *out, char *err,
    size_t err_len);


#endif /* _AUDIT_TPL_H_INCLUDED_ */

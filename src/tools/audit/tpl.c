
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The template renderer of consent-audit's HTML report (tpl.h).
 */


#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/audit/tpl.h"


#define AUDIT_TPL_DEPTH  16             /* sections in sections */


typedef enum {
    AUDIT_TPL_TEXT = 0,
    AUDIT_TPL_RAW,
    AUDIT_TPL_FLAG,
    AUDIT_TPL_LIST
} audit_tpl_kind_e;


typedef struct {
    char               *name;
    audit_tpl_kind_e    kind;
    char               *s;              /* TEXT, RAW */
    int                 on;             /* FLAG */
    char               *fields;         /* LIST: its rows' names */
    audit_tpl_t       **rows;
    size_t              nrows;
    size_t              cap;
} audit_tpl_val_t;


struct audit_tpl_s {
    audit_tpl_val_t    *vals;
    size_t              n;
    size_t              cap;
    audit_tpl_t        *root;
    int                 failed;         /* out of memory: in root */
};


/* a piece of the template */
enum {
    AUDIT_TPL_T_TEXT = 0,
    AUDIT_TPL_T_VAR,
    AUDIT_TPL_T_RAW,
    AUDIT_TPL_T_SEC,
    AUDIT_TPL_T_INV,
    AUDIT_TPL_T_END
};

typedef struct {
    int                 type;
    const char         *s;              /* the text, or the name */
    size_t              len;
    unsigned            line;
    size_t              end;            /* SEC, INV: its END */
} audit_tpl_tok_t;


/* what a name is looked up in: a dictionary, or a list's field names */
typedef struct {
    audit_tpl_t        *d;
    const char         *spec;
    size_t              spec_len;
} audit_tpl_scope_t;


typedef struct {
    audit_tpl_tok_t    *toks;
    size_t              n;
    const char         *file;
    audit_tpl_escape_pt escape;
    FILE               *out;
    char               *err;
    size_t              err_len;
} audit_tpl_run_t;


static void audit_tpl_own(audit_tpl_t *d, const char *name,
    audit_tpl_kind_e kind, char *s);
static audit_tpl_val_t *audit_tpl_slot(audit_tpl_t *d, const char *name);
static int audit_tpl_parse(audit_tpl_run_t *r, const char *tpl, size_t len);
static int audit_tpl_push(audit_tpl_run_t *r, int type, const char *s,
    size_t len, unsigned line);
static int audit_tpl_standalone(const char *tpl, const char *tag,
    const char *end, const char *lim, const char **next);
static int audit_tpl_spec_find(const char *spec, size_t len,
    const char *name, size_t nlen, const char **sub, size_t *sub_len);
static int audit_tpl_find(audit_tpl_scope_t *sc, size_t nsc,
    const audit_tpl_tok_t *t, audit_tpl_val_t **v, const char **sub,
    size_t *sub_len);
static int audit_tpl_walk(audit_tpl_run_t *r, size_t from, size_t to,
    audit_tpl_scope_t *sc, size_t nsc, int dry);
static int audit_tpl_error(audit_tpl_run_t *r, const audit_tpl_tok_t *t,
    const char *what);


audit_tpl_t *
audit_tpl_create(void)
{
    audit_tpl_t  *d;

    d = calloc(1, sizeof(audit_tpl_t));
    if (d != NULL) {
        d->root = d;
    }

    return d;
}


void
audit_tpl_free(audit_tpl_t *d)
{
    size_t            i, k;
    audit_tpl_val_t  *v;

    if (d == NULL) {
        return;
    }

    for (i = 0; i < d->n; i++) {
        v = &d->vals[i];

        for (k = 0; k < v->nrows; k++) {
            audit_tpl_free(v->rows[k]);
        }

        free(v->rows);
        free(v->fields);
        free(v->s);
        free(v->name);
    }

    free(d->vals);
    free(d);
}


/*
 * A new value (NULL: out of memory); a name set again is looked up
 * from the last, so the new value hides the old one
 */

static audit_tpl_val_t *
audit_tpl_slot(audit_tpl_t *d, const char *name)
{
    size_t            k;
    audit_tpl_val_t  *v;

    if (d->n == d->cap) {
        k = d->cap ? d->cap * 2 : 16;
        v = realloc(d->vals, k * sizeof(audit_tpl_val_t));

        if (v == NULL) {
            d->root->failed = 1;
            return NULL;
        }

        d->vals = v;
        d->cap = k;
    }

    v = &d->vals[d->n];
    memset(v, 0, sizeof(audit_tpl_val_t));

    v->name = strdup(name);
    if (v->name == NULL) {
        d->root->failed = 1;
        return NULL;
    }

    d->n++;

    return v;
}


void
audit_tpl_set(audit_tpl_t *d, const char *name, const char *text)
{
    audit_tpl_own(d, name, AUDIT_TPL_TEXT, strdup(text));
}


void
audit_tpl_setf(audit_tpl_t *d, const char *name, const char *fmt, ...)
{
    int       n;
    char      buf[256];
    va_list   ap;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);

    /* numbers and dates: never near the size */
    if (n < 0 || (size_t) n >= sizeof(buf)) {
        d->root->failed = 1;
        return;
    }

    audit_tpl_set(d, name, buf);
}


void
audit_tpl_flag(audit_tpl_t *d, const char *name, int on)
{
    audit_tpl_val_t  *v;

    v = audit_tpl_slot(d, name);
    if (v != NULL) {
        v->kind = AUDIT_TPL_FLAG;
        v->on = on;
    }
}


void
audit_tpl_raw(audit_tpl_t *d, const char *name, char *html)
{
    audit_tpl_own(d, name, AUDIT_TPL_RAW, html);
}


/* a text or HTML value that the template now owns (NULL: out of memory) */

static void
audit_tpl_own(audit_tpl_t *d, const char *name, audit_tpl_kind_e kind,
    char *s)
{
    audit_tpl_val_t  *v;

    if (s == NULL) {
        d->root->failed = 1;
        return;
    }

    v = audit_tpl_slot(d, name);
    if (v == NULL) {
        free(s);
        return;
    }

    v->kind = kind;
    v->s = s;
}


void
audit_tpl_list(audit_tpl_t *d, const char *name, const char *fields)
{
    audit_tpl_val_t  *v;

    v = audit_tpl_slot(d, name);
    if (v == NULL) {
        return;
    }

    v->kind = AUDIT_TPL_LIST;
    v->fields = strdup(fields);

    if (v->fields == NULL) {
        d->root->failed = 1;
    }
}


audit_tpl_t *
audit_tpl_row(audit_tpl_t *d, const char *name)
{
    size_t            i, k;
    audit_tpl_t      *row, **rows;
    audit_tpl_val_t  *v;

    v = NULL;

    for (i = d->n; v == NULL && i-- > 0; ) {
        v = strcmp(d->vals[i].name, name) == 0 ? &d->vals[i] : NULL;
    }

    /* a row of something that is not a list: a bug of the caller */
    if (v == NULL || v->kind != AUDIT_TPL_LIST) {
        d->root->failed = 1;
        return NULL;
    }

    if (v->nrows == v->cap) {
        k = v->cap ? v->cap * 2 : 8;
        rows = realloc(v->rows, k * sizeof(audit_tpl_t *));

        if (rows == NULL) {
            d->root->failed = 1;
            return NULL;
        }

        v->rows = rows;
        v->cap = k;
    }

    row = calloc(1, sizeof(audit_tpl_t));
    if (row == NULL) {
        d->root->failed = 1;
        return NULL;
    }

    row->root = d->root;
    v->rows[v->nrows++] = row;

    return row;
}


int
audit_tpl_render(const char *tpl, size_t len, const char *file,
    audit_tpl_t *d, audit_tpl_escape_pt escape, FILE *out, char *err,
    size_t err_len)
{
    int                rc;
    audit_tpl_run_t    r;
    audit_tpl_scope_t  sc[AUDIT_TPL_DEPTH + 1];

    memset(&r, 0, sizeof(audit_tpl_run_t));
    r.file = file;
    r.escape = escape;
    r.out = out;
    r.err = err;
    r.err_len = err_len;

    if (d->failed) {
        snprintf(err, err_len, "%s: out of memory", file);
        return -1;
    }

    sc[0].d = d;
    sc[0].spec = NULL;
    sc[0].spec_len = 0;

    rc = audit_tpl_parse(&r, tpl, len);

    if (rc == 0) {
        rc = audit_tpl_walk(&r, 0, r.n, sc, 1, 1);
    }

    if (rc == 0) {
        rc = audit_tpl_walk(&r, 0, r.n, sc, 1, 0);
    }

    free(r.toks);

    return rc;
}


/* the template in pieces, sections matched with their ends */

static int
audit_tpl_parse(audit_tpl_run_t *r, const char *tpl, size_t len)
{
    int               type;
    size_t            open[AUDIT_TPL_DEPTH], nopen, i, clen;
    unsigned          line;
    const char       *p, *lim, *tag, *name, *e, *close, *next;
    audit_tpl_tok_t  *t;

    p = tpl;
    lim = tpl + len;
    line = 1;
    nopen = 0;

    while (p < lim) {
        tag = NULL;

        for (e = p; e + 1 < lim; e++) {
            if (e[0] == '{' && e[1] == '{') {
                tag = e;
                break;
            }
        }

        if (tag == NULL) {
            if (audit_tpl_push(r, AUDIT_TPL_T_TEXT, p, (size_t) (lim - p),
                               line) != 0)
            {
                return -1;
            }

            break;
        }

        if (tag + 2 < lim && tag[2] == '{') {
            type = AUDIT_TPL_T_RAW;
            name = tag + 3;
            close = "}}}";

        } else {
            type = AUDIT_TPL_T_VAR;
            name = tag + 2;
            close = "}}";

            if (name < lim && *name != '\0' && strchr("#^/!", *name) != NULL)
            {
                type = *name == '#' ? AUDIT_TPL_T_SEC
                       : *name == '^' ? AUDIT_TPL_T_INV
                       : *name == '/' ? AUDIT_TPL_T_END : -1;
                name++;
            }
        }

        clen = strlen(close);

        for (e = name; e + clen <= lim && memcmp(e, close, clen) != 0; e++) {
            /* void */
        }

        if (e + clen > lim) {
            snprintf(r->err, r->err_len, "%s:%u: \"{{\" without \"%s\"",
                     r->file, line, close);
            return -1;
        }

        next = e + clen;

        for (e = p; e < tag; e++) {
            line += *e == '\n';
        }

        /* a section tag or a comment alone on its line takes the line */
        if ((type < 0 || type >= AUDIT_TPL_T_SEC)
            && audit_tpl_standalone(tpl, tag, next, lim, &next))
        {
            for (e = tag; e > p && (e[-1] == ' ' || e[-1] == '\t'); e--) {
                /* void */
            }

        } else {
            e = tag;
        }

        if (audit_tpl_push(r, AUDIT_TPL_T_TEXT, p, (size_t) (e - p), line)
            != 0)
        {
            return -1;
        }

        if (type >= 0) {
            for (e = name; *e != '}'; e++) {
                /* void: a '}' ends the tag */
            }

            while (name < e && *name == ' ') {
                name++;
            }

            while (e > name && e[-1] == ' ') {
                e--;
            }

            i = strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_");

            if (i == 0 || name + i != e) {
                snprintf(r->err, r->err_len, "%s:%u: a slot's name is "
                         "[a-z0-9_]+", r->file, line);
                return -1;
            }

            if (audit_tpl_push(r, type, name, i, line) != 0) {
                return -1;
            }

            t = &r->toks[r->n - 1];

            if (type == AUDIT_TPL_T_SEC || type == AUDIT_TPL_T_INV) {
                if (nopen == AUDIT_TPL_DEPTH) {
                    return audit_tpl_error(r, t, "is nested too deep");
                }

                open[nopen++] = r->n - 1;

            } else if (type == AUDIT_TPL_T_END) {
                if (nopen == 0
                    || r->toks[open[nopen - 1]].len != t->len
                    || memcmp(r->toks[open[nopen - 1]].s, t->s, t->len) != 0)
                {
                    return audit_tpl_error(r, t, "closes no open section");
                }

                r->toks[open[--nopen]].end = r->n - 1;
            }
        }

        for (e = tag; e < next; e++) {
            line += *e == '\n';
        }

        p = next;
    }

    return nopen ? audit_tpl_error(r, &r->toks[open[nopen - 1]],
                                   "is not closed")
                 : 0;
}


static int
audit_tpl_push(audit_tpl_run_t *r, int type, const char *s, size_t len,
    unsigned line)
{
    audit_tpl_tok_t  *t;

    if (type == AUDIT_TPL_T_TEXT && len == 0) {
        return 0;
    }

    if ((r->n & 63) == 0) {
        t = realloc(r->toks, (r->n + 64) * sizeof(audit_tpl_tok_t));

        if (t == NULL) {
            snprintf(r->err, r->err_len, "%s: out of memory", r->file);
            return -1;
        }

        r->toks = t;
    }

    t = &r->toks[r->n++];
    t->type = type;
    t->s = s;
    t->len = len;
    t->line = line;
    t->end = 0;

    return 0;
}


/*
 * Whether the tag from tag to end is alone on its line (blanks around
 * it); then *next is after the line's end
 */

static int
audit_tpl_standalone(const char *tpl, const char *tag, const char *end,
    const char *lim, const char **next)
{
    const char  *e;

    for (e = tag; e > tpl && (e[-1] == ' ' || e[-1] == '\t'); e--) {
        /* void */
    }

    if (e > tpl && e[-1] != '\n') {
        return 0;
    }

    for (e = end; e < lim && (*e == ' ' || *e == '\t'); e++) {
        /* void */
    }

    if (e < lim && *e != '\n') {
        return 0;
    }

    *next = e < lim ? e + 1 : e;

    return 1;
}


/*
 * A name in a list's field names ("a b cells(x y)"): 1, and for a list
 * in it its own field names in sub; 0 if it has none such
 */

static int
audit_tpl_spec_find(const char *spec, size_t len, const char *name,
    size_t nlen, const char **sub, size_t *sub_len)
{
    int          depth;
    const char  *p, *lim, *w, *we, *s;

    p = spec;
    lim = spec + len;

    while (p < lim) {
        while (p < lim && *p == ' ') {
            p++;
        }

        for (w = p; p < lim && *p != ' ' && *p != '('; p++) {
            /* void */
        }

        we = p;
        s = NULL;
        *sub_len = 0;

        if (p < lim && *p == '(') {
            s = ++p;

            for (depth = 1; p < lim; p++) {
                depth += (*p == '(') - (*p == ')');

                if (depth == 0) {
                    break;
                }
            }

            *sub_len = (size_t) (p - s);
            p += p < lim;
        }

        if ((size_t) (we - w) == nlen && nlen && memcmp(w, name, nlen) == 0) {
            *sub = s;
            return 1;
        }
    }

    return 0;
}


/*
 * A slot's value in the scopes, innermost first: 1 and the value (NULL
 * in a list's field names), a list's field names in sub; 0 if unknown
 */

static int
audit_tpl_find(audit_tpl_scope_t *sc, size_t nsc, const audit_tpl_tok_t *t,
    audit_tpl_val_t **v, const char **sub, size_t *sub_len)
{
    size_t            i, j;
    audit_tpl_val_t  *x;

    *v = NULL;

    for (j = nsc; j-- > 0; ) {
        if (sc[j].d == NULL) {
            if (audit_tpl_spec_find(sc[j].spec, sc[j].spec_len, t->s,
                                    t->len, sub, sub_len))
            {
                return 1;
            }

            continue;
        }

        for (i = sc[j].d->n; i-- > 0; ) {
            x = &sc[j].d->vals[i];

            if (strlen(x->name) == t->len
                && memcmp(x->name, t->s, t->len) == 0)
            {
                *v = x;
                *sub = x->kind == AUDIT_TPL_LIST ? x->fields : NULL;
                *sub_len = *sub ? strlen(*sub) : 0;
                return 1;
            }
        }
    }

    return 0;
}


/*
 * Writes toks[from, to); dry: writes nothing but checks that every
 * slot is known and of the right kind, each section walked once (a
 * list's with the names of its rows, whether it has rows or not)
 */

static int
audit_tpl_walk(audit_tpl_run_t *r, size_t from, size_t to,
    audit_tpl_scope_t *sc, size_t nsc, int dry)
{
    int               on;
    size_t            i, k, sub_len;
    const char       *sub;
    audit_tpl_tok_t  *t;
    audit_tpl_val_t  *v;

    for (i = from; i < to; i++) {
        t = &r->toks[i];

        if (t->type == AUDIT_TPL_T_TEXT) {
            if (!dry) {
                fwrite(t->s, 1, t->len, r->out);
            }

            continue;
        }

        if (t->type == AUDIT_TPL_T_END) {
            continue;
        }

        if (!audit_tpl_find(sc, nsc, t, &v, &sub, &sub_len)) {
            return audit_tpl_error(r, t, dry ? "is not a slot the report "
                                               "fills"
                                             : "is not set in this row");
        }

        if ((t->type == AUDIT_TPL_T_RAW) != (v && v->kind == AUDIT_TPL_RAW)) {
            return audit_tpl_error(r, t, t->type == AUDIT_TPL_T_RAW
                                   ? "is text: write it {{name}}"
                                   : "is HTML: write it {{{name}}}");
        }

        if (t->type == AUDIT_TPL_T_VAR && sub != NULL) {
            return audit_tpl_error(r, t, "is a list: use {{#name}}");
        }

        if (t->type == AUDIT_TPL_T_VAR || t->type == AUDIT_TPL_T_RAW) {
            if (dry) {
                continue;
            }

            if (t->type == AUDIT_TPL_T_RAW) {
                fputs(v->s, r->out);

            } else {
                r->escape(r->out, v->kind == AUDIT_TPL_FLAG
                                  ? (v->on ? "1" : "") : v->s);
            }

            continue;
        }

        if (nsc > AUDIT_TPL_DEPTH) {
            return audit_tpl_error(r, t, "is nested too deep");
        }

        if (dry) {
            /* a list's rows have their own names; the rest: as outside */
            if (t->type == AUDIT_TPL_T_SEC && sub != NULL) {
                sc[nsc].d = NULL;
                sc[nsc].spec = sub;
                sc[nsc].spec_len = sub_len;

                if (audit_tpl_walk(r, i + 1, t->end, sc, nsc + 1, 1) != 0) {
                    return -1;
                }

                i = t->end;
            }

            continue;
        }

        on = v->kind == AUDIT_TPL_LIST ? v->nrows > 0
             : v->kind == AUDIT_TPL_FLAG ? v->on : v->s[0] != '\0';

        if (t->type == AUDIT_TPL_T_INV || v->kind != AUDIT_TPL_LIST) {
            if (on == (t->type == AUDIT_TPL_T_SEC)
                && audit_tpl_walk(r, i + 1, t->end, sc, nsc, 0) != 0)
            {
                return -1;
            }

        } else {
            for (k = 0; k < v->nrows; k++) {
                sc[nsc].d = v->rows[k];

                if (audit_tpl_walk(r, i + 1, t->end, sc, nsc + 1, 0) != 0) {
                    return -1;
                }
            }
        }

        i = t->end;
    }

    return 0;
}


static int
audit_tpl_error(audit_tpl_run_t *r, const audit_tpl_tok_t *t,
    const char *what)
{
    snprintf(r->err, r->err_len, "%s:%u: {{%s%.*s}} %s", r->file, t->line,
             t->type == AUDIT_TPL_T_SEC ? "#"
             : t->type == AUDIT_TPL_T_INV ? "^"
             : t->type == AUDIT_TPL_T_END ? "/" : "",
             (int) t->len, t->s, what);

    return -1;
}

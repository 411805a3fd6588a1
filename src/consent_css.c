
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The URLs a stylesheet fetches, found as the CSS Syntax standard's
 * tokenizer reads it (docs/gating.md, CSS).  Only what decides where a
 * fetching token begins and ends is followed: comments, strings (and
 * their newlines, which make them bad), escapes (hexadecimal and not,
 * in names, strings and URLs), the names of identifiers, functions and
 * at-rules (so "u\72l(" is url( and "-url(", "#url(" or "1url(" are
 * not), url tokens and the remnants of bad ones, and the functions open
 * around a string.  A byte at a time, in any number of pieces; what a
 * piece's end cuts is carried in the state.
 */


#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "consent_css.h"
#include "consent_utf8.h"


enum {
    CONSENT_CSS_S_DATA = 0,
    CONSENT_CSS_S_SLASH,            /* '/': a comment may begin */
    CONSENT_CSS_S_COMMENT,
    CONSENT_CSS_S_COMMENT_STAR,
    CONSENT_CSS_S_STR,
    CONSENT_CSS_S_STR_ESC,
    CONSENT_CSS_S_STR_ESC_CR,       /* "\" CR: an LF may follow */
    CONSENT_CSS_S_HEX,              /* a hexadecimal escape */
    CONSENT_CSS_S_HEX_CR,           /* CR after it: an LF may follow */
    CONSENT_CSS_S_START,            /* after '@' or '#' */
    CONSENT_CSS_S_MINUS,
    CONSENT_CSS_S_NUM,
    CONSENT_CSS_S_NUM_DOT,          /* '.' after digits */
    CONSENT_CSS_S_IDENT,
    CONSENT_CSS_S_IDENT_ESC,
    CONSENT_CSS_S_URL_WS,           /* after "url(" */
    CONSENT_CSS_S_URL,
    CONSENT_CSS_S_URL_ESC,
    CONSENT_CSS_S_URL_AFTER,        /* whitespace after the URL */
    CONSENT_CSS_S_BADURL,
    CONSENT_CSS_S_BADURL_ESC
};


/* an identifier's kind */
enum {
    CONSENT_CSS_I_IDENT = 0,        /* a function, if '(' follows */
    CONSENT_CSS_I_AT,
    CONSENT_CSS_I_HASH,
    CONSENT_CSS_I_UNIT
};


/* character classes */
#define CONSENT_CSS_C_WS         1   /* space, TAB, LF, CR, FF */
#define CONSENT_CSS_C_NL         2   /* LF, CR, FF */
#define CONSENT_CSS_C_START      4   /* starts a name: letter, '_', non-ASCII */
#define CONSENT_CSS_C_NAME       8   /* in a name: and digits, '-' */
#define CONSENT_CSS_C_HEX        16
#define CONSENT_CSS_C_DIGIT      32
#define CONSENT_CSS_C_NP         64  /* non-printable: makes a url bad */


/*
 * By byte: 1 whitespace, 2 newline, 4 starts a name (a letter, '_',
 * non-ASCII, and NUL, read as U+FFFD), 8 in a name (and digits, '-'),
 * 16 hexadecimal, 32 a digit, 64 non-printable (makes a url bad)
 */
static const uint8_t  consent_css_class[256] = {
    0x0c, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40,
    0x40, 0x01, 0x03, 0x40, 0x03, 0x03, 0x40, 0x40,
    0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40,
    0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40,
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00,
    0x38, 0x38, 0x38, 0x38, 0x38, 0x38, 0x38, 0x38,
    0x38, 0x38, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x1c, 0x1c, 0x1c, 0x1c, 0x1c, 0x1c, 0x0c,
    0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c,
    0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c,
    0x0c, 0x0c, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x0c,
    0x00, 0x1c, 0x1c, 0x1c, 0x1c, 0x1c, 0x1c, 0x0c,
    0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c,
    0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c,
    0x0c, 0x0c, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x40,
    0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c,
    0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c,
    0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c,
    0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c,
    0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c,
    0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c,
    0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c,
    0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c,
    0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c,
    0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c,
    0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c,
    0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c,
    0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c,
    0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c,
    0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c,
    0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c, 0x0c
};


static void consent_css_put(consent_css_t *c, int b);
static void consent_css_put_cp(consent_css_t *c, uint32_t cp);
static void consent_css_escaped(consent_css_t *c, uint32_t cp);
static int consent_css_hex(int b);
static void consent_css_push(consent_css_t *c, int fetching);
static void consent_css_pop(consent_css_t *c);
static int consent_css_fetching(const consent_css_t *c);
static int consent_css_name_is(const consent_css_t *c, const char *lit);
static int consent_css_function(consent_css_t *c);
static void consent_css_url_begin(consent_css_t *c, unsigned kind,
    uint64_t start);
static void consent_css_url_close(consent_css_t *c, int *ev);


void
consent_css_init(consent_css_t *c)
{
    unsigned  stop_lt;

    stop_lt = c->stop_lt;

    /* the URL buffer is written before it is read */
    memset(c, 0, offsetof(consent_css_t, url));
    c->lt_pos = (uint64_t) -1;
    c->stop_lt = stop_lt;
}


const char *
consent_css_scan(consent_css_t *c, const char *p, const char *lim, int *ev)
{
    int  b, k;

    *ev = CONSENT_CSS_NONE;

    while (p < lim) {
        b = (unsigned char) *p;

        if (b == '<') {
            if (c->stop_lt) {
                *ev = CONSENT_CSS_LT;
                return p;
            }

            /* where a text that ends at this '<' leaves the URL */
            c->lt_pos = c->pos;
            c->lt_open = c->url_open;
            c->lt_len = c->url_len;
            c->lt_bad = c->url_bad;
        }

    again:

        k = consent_css_class[b];

        switch (c->state) {

        case CONSENT_CSS_S_DATA:
            if (k & CONSENT_CSS_C_WS) {
                break;
            }

            if (b == '"' || b == '\'') {
                c->quote = (uint8_t) b;
                c->state = CONSENT_CSS_S_STR;
                c->str_url = c->import || consent_css_fetching(c);

                if (c->str_url) {
                    consent_css_url_begin(c, c->import ? CONSENT_CSS_K_IMPORT
                                                       : CONSENT_CSS_K_IMAGE,
                                          c->pos + 1);
                    c->import = 0;
                    c->pos++;
                    *ev = CONSENT_CSS_BEGIN;
                    return p + 1;
                }

                break;
            }

            if (b == '/') {
                c->state = CONSENT_CSS_S_SLASH;
                break;
            }

            c->import = 0;

            if (k & CONSENT_CSS_C_START) {
                c->kind = CONSENT_CSS_I_IDENT;
                c->name_len = 0;
                c->name_other = 0;
                c->state = CONSENT_CSS_S_IDENT;
                goto again;
            }

            switch (b) {

            case '(':
                consent_css_push(c, 0);
                break;

            case ')':
                consent_css_pop(c);
                break;

            case '@':
            case '#':
                c->kind = (b == '@') ? CONSENT_CSS_I_AT : CONSENT_CSS_I_HASH;
                c->state = CONSENT_CSS_S_START;
                break;

            case '-':
                c->state = CONSENT_CSS_S_MINUS;
                break;

            case '\\':
                c->kind = CONSENT_CSS_I_IDENT;
                c->name_len = 0;
                c->name_other = 0;
                c->state = CONSENT_CSS_S_IDENT_ESC;
                break;

            default:
                if (k & CONSENT_CSS_C_DIGIT) {
                    c->state = CONSENT_CSS_S_NUM;
                }

                break;
            }

            break;

        case CONSENT_CSS_S_SLASH:
            if (b == '*') {
                c->state = CONSENT_CSS_S_COMMENT;
                break;
            }

            c->import = 0;
            c->state = CONSENT_CSS_S_DATA;
            goto again;

        case CONSENT_CSS_S_COMMENT:
            if (b != '*') {
                const char  *q;

                q = memchr(p, '*', (size_t) (lim - p));

                if (q == NULL) {
                    q = lim;
                }

                /* a '<' passed over is not a text's end: it is in a comment */
                if (c->stop_lt && memchr(p, '<', (size_t) (q - p)) != NULL) {
                    q = memchr(p, '<', (size_t) (q - p));
                }

                c->pos += (uint64_t) (q - p);
                p = q;
                continue;
            }

            c->state = CONSENT_CSS_S_COMMENT_STAR;
            break;

        case CONSENT_CSS_S_COMMENT_STAR:
            if (b == '/') {
                c->state = CONSENT_CSS_S_DATA;

            } else if (b != '*') {
                c->state = CONSENT_CSS_S_COMMENT;
            }

            break;

        case CONSENT_CSS_S_STR:
            if (b == c->quote) {
                c->state = CONSENT_CSS_S_DATA;

                if (c->str_url) {
                    c->url_end = c->pos;
                    c->url_open = 0;
                    c->pos++;
                    *ev = CONSENT_CSS_URL;
                    return p + 1;
                }

                break;
            }

            if (k & CONSENT_CSS_C_NL) {
                /* a bad string; the newline is whitespace after it */
                c->state = CONSENT_CSS_S_DATA;

                if (c->str_url) {
                    c->url_end = c->pos;
                    c->url_bad = 1;
                    c->url_open = 0;
                    *ev = CONSENT_CSS_URL;
                    return p;
                }

                goto again;
            }

            if (b == '\\') {
                c->state = CONSENT_CSS_S_STR_ESC;
                break;
            }

            if (c->str_url) {
                consent_css_put(c, b == 0 ? -1 : b);
            }

            break;

        case CONSENT_CSS_S_STR_ESC:
            if (b == '\r') {
                c->state = CONSENT_CSS_S_STR_ESC_CR;

            } else if (k & CONSENT_CSS_C_NL) {
                /* a line continued */
                c->state = CONSENT_CSS_S_STR;

            } else if (k & CONSENT_CSS_C_HEX) {
                c->cp = (uint32_t) consent_css_hex(b);
                c->hexn = 1;
                c->ret = CONSENT_CSS_S_STR;
                c->state = CONSENT_CSS_S_HEX;

            } else {
                if (c->str_url) {
                    consent_css_put(c, b == 0 ? -1 : b);
                }

                c->state = CONSENT_CSS_S_STR;
            }

            break;

        case CONSENT_CSS_S_STR_ESC_CR:
            c->state = CONSENT_CSS_S_STR;

            if (b == '\n') {
                break;
            }

            goto again;

        case CONSENT_CSS_S_HEX:
            if ((k & CONSENT_CSS_C_HEX) && c->hexn < 6) {
                c->cp = c->cp * 16 + (uint32_t) consent_css_hex(b);
                c->hexn++;
                break;
            }

            consent_css_escaped(c, c->cp);
            c->state = c->ret;

            /* one whitespace after it is part of the escape */
            if (b == '\r') {
                c->state = CONSENT_CSS_S_HEX_CR;
                break;
            }

            if (k & CONSENT_CSS_C_WS) {
                break;
            }

            goto again;

        case CONSENT_CSS_S_HEX_CR:
            c->state = c->ret;

            if (b == '\n') {
                break;
            }

            goto again;

        case CONSENT_CSS_S_START:
            c->name_len = 0;
            c->name_other = 0;

            if (k & CONSENT_CSS_C_NAME) {
                c->state = CONSENT_CSS_S_IDENT;
                goto again;
            }

            if (b == '\\') {
                c->state = CONSENT_CSS_S_IDENT_ESC;
                break;
            }

            c->state = CONSENT_CSS_S_DATA;
            goto again;

        case CONSENT_CSS_S_MINUS:
            if ((k & CONSENT_CSS_C_START) || b == '-' || b == '\\') {
                c->kind = CONSENT_CSS_I_IDENT;
                c->name[0] = '-';
                c->name_len = 1;
                c->name_other = 0;
                c->state = CONSENT_CSS_S_IDENT;
                goto again;
            }

            if ((k & CONSENT_CSS_C_DIGIT) || b == '.') {
                c->state = (b == '.') ? CONSENT_CSS_S_NUM_DOT
                                      : CONSENT_CSS_S_NUM;
                break;
            }

            c->state = CONSENT_CSS_S_DATA;
            goto again;

        case CONSENT_CSS_S_NUM_DOT:
            if (k & CONSENT_CSS_C_DIGIT) {
                c->state = CONSENT_CSS_S_NUM;
                break;
            }

            /* "1." is a number and a '.': what follows is on its own */
            c->state = CONSENT_CSS_S_DATA;
            goto again;

        case CONSENT_CSS_S_NUM:
            if (k & CONSENT_CSS_C_DIGIT) {
                break;
            }

            if (b == '.') {
                c->state = CONSENT_CSS_S_NUM_DOT;
                break;
            }

            if ((k & CONSENT_CSS_C_NAME) || b == '\\') {
                /* a unit: a name, never a function */
                c->kind = CONSENT_CSS_I_UNIT;
                c->name_len = 0;
                c->name_other = 0;
                c->state = CONSENT_CSS_S_IDENT;
                goto again;
            }

            c->state = CONSENT_CSS_S_DATA;
            goto again;

        case CONSENT_CSS_S_IDENT:
            if (k & CONSENT_CSS_C_NAME) {
                if (b >= 0x80 || b == 0) {
                    c->name_other = 1;

                } else if (c->name_len < CONSENT_CSS_NAME_MAX) {
                    c->name[c->name_len++] = (char) ((b >= 'A' && b <= 'Z')
                                                     ? b + 0x20 : b);

                } else {
                    c->name_other = 1;
                }

                break;
            }

            if (b == '\\') {
                c->state = CONSENT_CSS_S_IDENT_ESC;
                break;
            }

            if (b == '(' && c->kind == CONSENT_CSS_I_IDENT) {
                c->state = consent_css_function(c);
                break;
            }

            if (c->kind == CONSENT_CSS_I_AT && consent_css_name_is(c, "import"))
            {
                c->state = CONSENT_CSS_S_DATA;
                c->import = 1;
                goto again;
            }

            c->state = CONSENT_CSS_S_DATA;
            goto again;

        case CONSENT_CSS_S_IDENT_ESC:
            if (k & CONSENT_CSS_C_NL) {
                /* no escape: the name ends before the '\' */
                c->state = CONSENT_CSS_S_DATA;
                goto again;
            }

            if (k & CONSENT_CSS_C_HEX) {
                c->cp = (uint32_t) consent_css_hex(b);
                c->hexn = 1;
                c->ret = CONSENT_CSS_S_IDENT;
                c->state = CONSENT_CSS_S_HEX;
                break;
            }

            c->ret = CONSENT_CSS_S_IDENT;
            consent_css_escaped(c, b == 0 ? 0xfffd : (uint32_t) b);
            c->state = CONSENT_CSS_S_IDENT;
            break;

        case CONSENT_CSS_S_URL_WS:
            if (k & CONSENT_CSS_C_WS) {
                break;
            }

            if (b == '"' || b == '\'') {
                /* url("...") is a function and its string */
                consent_css_push(c, 1);
                c->quote = (uint8_t) b;
                c->state = CONSENT_CSS_S_STR;
                c->str_url = 1;
                consent_css_url_begin(c, CONSENT_CSS_K_URL_STRING, c->pos + 1);
                c->pos++;
                *ev = CONSENT_CSS_BEGIN;
                return p + 1;
            }

            if (b == ')') {
                /* url(): fetches nothing */
                c->state = CONSENT_CSS_S_DATA;
                break;
            }

            c->state = CONSENT_CSS_S_URL;
            consent_css_url_begin(c, CONSENT_CSS_K_URL, c->pos);
            *ev = CONSENT_CSS_BEGIN;
            return p;

        case CONSENT_CSS_S_URL:
            if (b == ')') {
                c->url_end = c->pos;
                consent_css_url_close(c, ev);
                return p + 1;
            }

            if (k & CONSENT_CSS_C_WS) {
                c->url_end = c->pos;
                c->state = CONSENT_CSS_S_URL_AFTER;
                break;
            }

            if (b == '"' || b == '\'' || b == '(' || (k & CONSENT_CSS_C_NP)) {
                c->url_bad = 1;
                c->state = CONSENT_CSS_S_BADURL;
                break;
            }

            if (b == '\\') {
                c->state = CONSENT_CSS_S_URL_ESC;
                break;
            }

            consent_css_put(c, b == 0 ? -1 : b);
            break;

        case CONSENT_CSS_S_URL_ESC:
            if (k & CONSENT_CSS_C_NL) {
                c->url_bad = 1;
                c->state = CONSENT_CSS_S_BADURL;
                break;
            }

            if (k & CONSENT_CSS_C_HEX) {
                c->cp = (uint32_t) consent_css_hex(b);
                c->hexn = 1;
                c->ret = CONSENT_CSS_S_URL;
                c->state = CONSENT_CSS_S_HEX;
                break;
            }

            consent_css_put(c, b == 0 ? -1 : b);
            c->state = CONSENT_CSS_S_URL;
            break;

        case CONSENT_CSS_S_URL_AFTER:
            if (k & CONSENT_CSS_C_WS) {
                break;
            }

            if (b == ')') {
                /* url_end: at the whitespace */
                consent_css_url_close(c, ev);
                return p + 1;
            }

            c->url_bad = 1;
            c->state = CONSENT_CSS_S_BADURL;
            goto again;

        case CONSENT_CSS_S_BADURL:
            if (b == ')') {
                /* as written, up to the ')' */
                c->url_end = c->pos;
                consent_css_url_close(c, ev);
                return p + 1;
            }

            if (b == '\\') {
                c->state = CONSENT_CSS_S_BADURL_ESC;
            }

            break;

        default: /* CONSENT_CSS_S_BADURL_ESC */
            c->state = CONSENT_CSS_S_BADURL;
            break;
        }

        p++;
        c->pos++;
    }

    return p;
}


int
consent_css_end(consent_css_t *c, uint64_t at)
{
    int  ev;

    ev = CONSENT_CSS_NONE;

    if (at == c->pos) {
        /* an escape the end cuts short */
        if (c->state == CONSENT_CSS_S_HEX) {
            consent_css_escaped(c, c->cp);

        } else if (c->state == CONSENT_CSS_S_URL_ESC) {
            consent_css_put(c, -1);
        }

        if (c->url_open) {
            if (c->url_bad || c->url_end == (uint64_t) -1) {
                c->url_end = at;
            }

            ev = CONSENT_CSS_URL;
        }

    } else if (at == c->lt_pos && c->lt_open) {
        /* the URL as it was at the '<' the text ends at */
        c->url_len = c->lt_len;
        c->url_bad = c->lt_bad;
        c->url_over = c->lt_len >= CONSENT_CSS_URL_MAX;

        if (c->url_bad || c->url_end == (uint64_t) -1 || c->url_end > at) {
            c->url_end = at;
        }

        ev = CONSENT_CSS_URL;
    }

    c->url_open = 0;
    c->state = CONSENT_CSS_S_DATA;
    c->depth = 0;
    c->fetching = 0;
    c->import = 0;

    return ev;
}


int
consent_css_data(const consent_css_t *c)
{
    size_t  i, j;

    for (i = 0; i < c->url_len && (unsigned char) c->url[i] <= 0x20; i++) {
        /* void */
    }

    if (c->url_len - i < 5) {
        return 0;
    }

    for (j = 0; j < 5; j++) {
        if ((c->url[i + j] | (j < 4 ? 0x20 : 0)) != "data:"[j]) {
            return 0;
        }
    }

    return 1;
}


/* a byte of the URL (-1: U+FFFD, for NUL) */

static void
consent_css_put(consent_css_t *c, int b)
{
    if (b < 0) {
        consent_css_put_cp(c, 0xfffd);
        return;
    }

    if (c->url_len < CONSENT_CSS_URL_MAX) {
        c->url[c->url_len++] = (char) b;

    } else {
        c->url_over = 1;
    }
}


static void
consent_css_put_cp(consent_css_t *c, uint32_t cp)
{
    size_t  i, n;
    char    u[CONSENT_UTF8_MAX];

    n = consent_utf8_put(cp, u);

    for (i = 0; i < n; i++) {
        consent_css_put(c, (unsigned char) u[i]);
    }
}


/* an escape's code point, where it returns to */

static void
consent_css_escaped(consent_css_t *c, uint32_t cp)
{
    if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
        cp = 0xfffd;
    }

    switch (c->ret) {

    case CONSENT_CSS_S_STR:
        if (c->str_url) {
            consent_css_put_cp(c, cp);
        }

        break;

    case CONSENT_CSS_S_URL:
        consent_css_put_cp(c, cp);
        break;

    default: /* a name */
        if (cp >= 0x80 || c->name_len >= CONSENT_CSS_NAME_MAX) {
            c->name_other = 1;

        } else {
            c->name[c->name_len++] = (char) ((cp >= 'A' && cp <= 'Z')
                                             ? cp + 0x20 : cp);
        }

        break;
    }
}


static int
consent_css_hex(int b)
{
    if (b >= '0' && b <= '9') {
        return b - '0';
    }

    return (b | 0x20) - 'a' + 10;
}


/* a '(' or a function opens; fetching: the strings in it are URLs */

static void
consent_css_push(consent_css_t *c, int fetching)
{
    if (c->depth < 64) {
        if (fetching) {
            c->fetching |= (uint64_t) 1 << c->depth;

        } else {
            c->fetching &= ~((uint64_t) 1 << c->depth);
        }
    }

    if (c->depth < UINT32_MAX) {
        c->depth++;
    }
}


static void
consent_css_pop(consent_css_t *c)
{
    if (c->depth == 0) {
        return;
    }

    c->depth--;

    if (c->depth < 64) {
        c->fetching &= ~((uint64_t) 1 << c->depth);
    }
}


/*
 * A string here fetches when one of the functions it is in does: an
 * image-set() with a type() in it is looked at whole, which does no harm
 */

static int
consent_css_fetching(const consent_css_t *c)
{
    if (c->fetching == 0 || c->depth == 0) {
        return 0;
    }

    if (c->depth >= 64) {
        return 1;
    }

    return (c->fetching & (((uint64_t) 1 << c->depth) - 1)) != 0;
}


static int
consent_css_name_is(const consent_css_t *c, const char *lit)
{
    size_t  len;

    len = strlen(lit);

    return !c->name_other && c->name_len == len
           && memcmp(c->name, lit, len) == 0;
}


/* a function's name ends at its '(': the state that follows */

static int
consent_css_function(consent_css_t *c)
{
    if (consent_css_name_is(c, "url")) {
        return CONSENT_CSS_S_URL_WS;
    }

    consent_css_push(c, consent_css_name_is(c, "image-set")
                        || consent_css_name_is(c, "-webkit-image-set")
                        || consent_css_name_is(c, "image")
                        || consent_css_name_is(c, "src"));

    return CONSENT_CSS_S_DATA;
}


/* a url() or fetched string begins; its text starts at start */

static void
consent_css_url_begin(consent_css_t *c, unsigned kind, uint64_t start)
{
    c->url_kind = (uint8_t) kind;
    c->url_open = 1;
    c->url_over = 0;
    c->url_bad = 0;
    c->url_len = 0;
    c->url_start = start;
    c->url_end = (uint64_t) -1;
}


/* the ')' at c->pos closes a url(): past it, back in data */

static void
consent_css_url_close(consent_css_t *c, int *ev)
{
    c->url_open = 0;
    c->state = CONSENT_CSS_S_DATA;
    c->pos++;
    *ev = CONSENT_CSS_URL;
}

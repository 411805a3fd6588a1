
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * A streaming CSS tokenizer that finds what a stylesheet or a style=
 * would fetch: url() (quoted or not), the strings of image-set(),
 * -webkit-image-set(), image() and src(), and the string after
 * @import, with escapes, comments and newlines as the CSS Syntax
 * standard tokenizes them (docs/gating.md, CSS).  It is fed any number
 * of bytes at a time and keeps a few hundred bytes of state: the URL
 * being read, decoded, up to CONSENT_CSS_URL_MAX bytes.  Pure C.
 */


#ifndef _CONSENT_CSS_H_INCLUDED_
#define _CONSENT_CSS_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>


#define CONSENT_CSS_URL_MAX      2048   /* a URL's decoded bytes kept */
#define CONSENT_CSS_NAME_MAX     20     /* "-webkit-image-set" and less */


/* what consent_css_scan() stopped for */
enum {
    CONSENT_CSS_NONE = 0,           /* the end of what it was given */
    CONSENT_CSS_LT,                 /* a '<', not consumed (stop_lt) */
    CONSENT_CSS_BEGIN,              /* a URL's first byte is next */
    CONSENT_CSS_URL                 /* a URL ended: url, url_len... */
};


/* what fetches a URL */
enum {
    CONSENT_CSS_K_URL = 1,          /* url(x) */
    CONSENT_CSS_K_URL_STRING,       /* url("x"), src("x") */
    CONSENT_CSS_K_IMPORT,           /* @import "x" */
    CONSENT_CSS_K_IMAGE             /* image-set("x" 1x), image("x") */
};


typedef struct {
    /* set by the caller */
    unsigned            stop_lt:1;  /* stop before each '<' */

    /* the tokenizer */
    uint8_t             state;
    uint8_t             ret;        /* the state an escape returns to */
    uint8_t             quote;
    uint8_t             kind;       /* an ident's: ident, @, #, unit */
    uint8_t             hexn;
    uint8_t             url_kind;   /* CONSENT_CSS_K_*; 0 none */
    unsigned            import:1;   /* after @import: a string fetches */
    unsigned            str_url:1;  /* the string being read fetches */
    unsigned            name_other:1;
    uint32_t            cp;
    uint32_t            depth;      /* open '(' and functions */
    uint64_t            fetching;   /* bit d: function d holds URLs */
    size_t              name_len;
    char                name[CONSENT_CSS_NAME_MAX];

    /* bytes consumed so far: the offsets below count from the start */
    uint64_t            pos;

    /* the URL being read or just read */
    unsigned            url_open:1;
    unsigned            url_over:1; /* longer than CONSENT_CSS_URL_MAX */
    unsigned            url_bad:1;  /* a bad url or bad string token */
    uint64_t            url_start;  /* its first byte */
    uint64_t            url_end;    /* after its last byte */
    size_t              url_len;
    char                url[CONSENT_CSS_URL_MAX];

    /* at the last '<' consumed, for a text that ends there */
    uint64_t            lt_pos;
    size_t              lt_len;
    unsigned            lt_open:1;
    unsigned            lt_bad:1;
} consent_css_t;


void consent_css_init(consent_css_t *c);

/*
 * Scans from p up to lim; returns where it stopped, *ev why: at lim
 * (CONSENT_CSS_NONE); before a '<' (CONSENT_CSS_LT, when stop_lt);
 * before the first byte of a URL (CONSENT_CSS_BEGIN: url_start is its
 * offset; the URL may be empty); after the byte that ends a URL
 * (CONSENT_CSS_URL: url, url_len, url_kind, url_bad, url_over, and its
 * bytes as written from url_start to url_end).
 */
const char *consent_css_scan(consent_css_t *c, const char *p,
    const char *lim, int *ev);

/*
 * The text ends at offset at: the pos of the last '<' consumed, or
 * pos.  CONSENT_CSS_URL when a URL was open there (the end of a
 * stylesheet ends a url( or a string: the browser fetches it), with
 * the URL as it was there; else CONSENT_CSS_NONE.
 */
int consent_css_end(consent_css_t *c, uint64_t at);

/* the URL begins with "data:" (after the blanks a URL parser strips) */
int consent_css_data(const consent_css_t *c);


#endif /* _CONSENT_CSS_H_INCLUDED_ */


/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The streaming HTML scanner and rewriter.  It follows the HTML
 * Standard's tokenizer closely enough to never mistake where a tag
 * begins or ends, is fed a page buffer by buffer, holds back at most one
 * unfinished interesting tag (and a bounded look-ahead into an inline
 * script), gates trackers the visitor has not granted, and injects the
 * head snippet and the banner.  Pure C, no allocation after init.
 */


#ifndef _CONSENT_HTML_H_INCLUDED_
#define _CONSENT_HTML_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>

#include "consent_policy.h"
#include "consent_match.h"


#define CONSENT_HTML_TAG_MAX      8192   /* default cap on a held tag */
#define CONSENT_HTML_INLINE_MAX   2048   /* default inline look-ahead */
#define CONSENT_HTML_BASE_MAX     2048   /* a <base href> as parsed */


typedef struct consent_html_s  consent_html_t;


/*
 * Output, in order.  input: data points into the buffer being fed (the
 * caller may reference it instead of copying); otherwise data is the
 * scanner's own (a held or rewritten tag, an injection) and is valid
 * only during the call.  Returns 0, or -1 to stop the scan.
 */
typedef int (*consent_html_emit_pt)(void *ctx, const char *data, size_t len,
    int input);


typedef struct {
    const consent_policy_t *policy;
    uint32_t            granted;        /* categories that pass */

    size_t              tag_max;        /* 0: CONSENT_HTML_TAG_MAX */
    size_t              inline_max;     /* 0: CONSENT_HTML_INLINE_MAX */

    /*
     * the page's URL, which relative URLs resolve against until a
     * <base href> says otherwise; NULL: unknown (consent_match.h)
     */
    const consent_url_t *base;

    /* injections; NULL: none */
    const char         *head;           /* after <head ...> */
    size_t              head_len;
    const char         *banner;         /* before the real </body> */
    size_t              banner_len;

    consent_html_emit_pt emit;
    void               *ctx;

    /*
     * Each host an element of the page would fetch from: the URL as
     * resolved against the base, the host as consent_url_parse() writes
     * it (lower case, xn--, IPv4 dotted, IPv6 in brackets), the element
     * by its lower-case name ("style" for a style= url()), classified
     * 0 when no rule or mark classifies the URL, else 1 + the index of
     * its category.  Called once for each URL: the same host may come
     * many times.  NULL: not called, and nothing is looked at for it
     * (with it, every element that loads is judged, even for a visitor
     * who granted every category).
     */
    void              (*host_seen)(void *ctx, const char *host, size_t len,
                                   int classified, const char *el,
                                   size_t el_len);
    void               *host_ctx;

    /*
     * consent_tcf cmp: a tag of a tracker let through whose bytes hold
     * "${" (IAB's URL macros): the tag written anew, in memory of the
     * callee's valid until the next call, or NULL to keep it as it is.
     * NULL: not called (with it, every element that loads is judged).
     */
    const char       *(*macro)(void *ctx, const char *tag, size_t len,
                               size_t *out_len);
    void               *macro_ctx;
} consent_html_conf_t;


typedef struct {
    unsigned            gated;          /* elements neutralised */
    unsigned            gated_by[CONSENT_MAX_CATEGORIES];   /* of those,
                                           by category (not unknown) */
    unsigned            activated;      /* migrated markup let run */
    unsigned            overlong;       /* tags over the cap: gated */
    unsigned            head_injected:1;
    unsigned            banner_injected:1;
    unsigned            banner_skipped:1;   /* no place it would parse */
    unsigned            document:1;     /* doctype, html, head or body */
    unsigned            changed:1;      /* output differs from input */
} consent_html_stats_t;


/* token observer, for conformance tests and debugging */
typedef enum {
    CONSENT_TOKEN_START_TAG = 0,
    CONSENT_TOKEN_END_TAG,
    CONSENT_TOKEN_COMMENT,
    CONSENT_TOKEN_DOCTYPE
} consent_token_kind_e;

typedef void (*consent_html_observe_pt)(void *ctx, consent_token_kind_e kind,
    const char *name, size_t name_len, const consent_attr_t *attrs,
    size_t nattrs, int self_closing);


/* bytes of memory a scanner with this configuration needs */
size_t consent_html_size(const consent_html_conf_t *conf);

/* mem: consent_html_size() bytes, suitably aligned (malloc or a pool) */
consent_html_t *consent_html_init(void *mem, const consent_html_conf_t *conf);

void consent_html_observe(consent_html_t *h, consent_html_observe_pt cb,
    void *ctx);

/*
 * Scans len bytes; last: the end of the document (flushes what is held,
 * injects a banner not yet placed).  Output goes to conf->emit.
 * Returns 0, or -1 when emit refused.
 */
int consent_html_feed(consent_html_t *h, const char *in, size_t len,
    int last);

const consent_html_stats_t *consent_html_stats(const consent_html_t *h);

/*
 * 0 when the lookup tables written by hand agree with the table of names
 * they are made from; for the unit tests.
 */
int consent_html_selfcheck(void);

/*
 * The walkers written by hand for speed, each against the states of the
 * table consent_html_next (what consent_html_parse() follows), on the
 * bytes t of a tag after its name, from the one that ends the name
 * (whitespace, '/' or '>'); consent_html_skip() also reads the name
 * (none: not run).  0 when all agree, else the bits below of those that
 * do not; -1 for another first byte, a name the states would end, or no
 * memory; always -1 without CONSENT_HTML_CHECKS (on in the builds with
 * the sanitizers: the unit tests, the fuzzers).  For the unit tests.
 */
#define CONSENT_HTML_WALK_ATTRS      0x01   /* consent_html_attrs() */
#define CONSENT_HTML_WALK_RESUMED    0x02   /* the same, in two buffers */
#define CONSENT_HTML_WALK_TAG_END    0x04   /* consent_html_tag_end() */
#define CONSENT_HTML_WALK_REC_TAG    0x08   /* consent_html_rec_tag() */
#define CONSENT_HTML_WALK_SKIP       0x10   /* consent_html_skip() */

int consent_html_walkcheck(const consent_html_conf_t *conf,
    const char *name, size_t name_len, const char *t, size_t n);


#endif /* _CONSENT_HTML_H_INCLUDED_ */

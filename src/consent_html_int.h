
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The HTML scanner's private header: consent_html_t's fields, the
 * tokenizer's states, the held regions, and what the scanner's files
 * share.  Included by src/consent_html*.c only (t/sources.t checks it):
 *
 *   consent_html.c         the tokenizer: its states (the hot loop), the
 *                          fast paths that pass over tags of no
 *                          interest, held tags parsed, the tree's
 *                          effect on tokenizing, the output
 *   consent_html_gate.c    the decisions: what a held tag or script
 *                          loads, by its marks, URLs and text
 *   consent_html_edit.c    a held tag written out gated, activated or
 *                          failed closed; tags longer than tag_max
 *   consent_html_css.c     CSS in HTML: style= values, <style> text
 *   consent_html_decode.c  names and values decoded (character
 *                          references)
 *   consent_html_walk.c    the walkers' cross-check (t/unit/walk.c)
 *
 * Only consent_html.c runs per byte or per tag of no interest; what
 * the others hold is called for a tag that may load something, or less
 * often (docs/internals.md, "The scanner").
 */


#ifndef _CONSENT_HTML_INT_H_INCLUDED_
#define _CONSENT_HTML_INT_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consent_ascii.h"
#include "consent_css.h"
#include "consent_html.h"


/*
 * Checks of the scanner's own invariants that abort: on in the builds
 * with the sanitizers (the unit tests, the fuzzers) or with
 * -DCONSENT_HTML_CHECKS=1, off in the module, where they cost nothing
 * (and a state without a case fails the page closed instead)
 */
#ifndef CONSENT_HTML_CHECKS
#if defined(__SANITIZE_ADDRESS__)
#define CONSENT_HTML_CHECKS      1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CONSENT_HTML_CHECKS      1
#endif
#endif
#endif

#ifndef CONSENT_HTML_CHECKS
#define CONSENT_HTML_CHECKS      0
#endif

#if (CONSENT_HTML_CHECKS)
#define consent_html_assert(c)                                               \
    do {                                                                     \
        if (!(c)) {                                                          \
            fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #c);          \
            abort();                                                         \
        }                                                                    \
    } while (0)
#else
#define consent_html_assert(c)
#endif


#define CONSENT_HTML_TAG_MIN     64         /* room for any name we hold */
#define CONSENT_HTML_LIMIT       (64 * 1024 * 1024)
#define CONSENT_HTML_NAME_MAX    32         /* bytes of a name kept */
#define CONSENT_HTML_KEEP_MAX    14         /* "annotation-xml" */
#define CONSENT_HTML_ATTRS_MAX   64         /* attributes of a held tag */
#define CONSENT_HTML_DEPTH_MAX   32         /* open foreign elements */
#define CONSENT_HTML_OPEN_SLOTS  256        /* HTML names open, counted */
#define CONSENT_HTML_DEC_SLACK   64
#define CONSENT_HTML_COPY_MAX    256        /* input copied, not referenced */
#define CONSENT_HTML_FNAME_MAX   16         /* an attribute name renamed */
#define CONSENT_HTML_ONES        0x0101010101010101ULL


/* tokenizer states */
enum {
    CONSENT_S_DATA = 0,
    CONSENT_S_RCDATA,
    CONSENT_S_RAWTEXT,
    CONSENT_S_SCRIPT,
    CONSENT_S_PLAINTEXT,
    CONSENT_S_TAG_OPEN,
    CONSENT_S_END_TAG_OPEN,
    CONSENT_S_TAG_NAME,
    CONSENT_S_BEFORE_ATTR_NAME,
    CONSENT_S_ATTR_NAME,
    CONSENT_S_AFTER_ATTR_NAME,
    CONSENT_S_BEFORE_ATTR_VALUE,
    CONSENT_S_ATTR_VALUE_DQ,
    CONSENT_S_ATTR_VALUE_SQ,
    CONSENT_S_ATTR_VALUE_UQ,
    CONSENT_S_AFTER_ATTR_VALUE,
    CONSENT_S_SELF_CLOSING,
    CONSENT_S_TAG_END,                  /* not a state: '>' seen */
    CONSENT_S_MARKUP_DECL,
    CONSENT_S_COMMENT_START,
    CONSENT_S_COMMENT_START_DASH,
    CONSENT_S_COMMENT,
    CONSENT_S_COMMENT_END_DASH,
    CONSENT_S_COMMENT_END,
    CONSENT_S_COMMENT_END_BANG,
    CONSENT_S_BOGUS_COMMENT,
    CONSENT_S_DOCTYPE,
    CONSENT_S_CDATA,
    CONSENT_S_CDATA_BRACKET,
    CONSENT_S_CDATA_END,
    CONSENT_S_TEXT_LT,
    CONSENT_S_TEXT_END_TAG_OPEN,
    CONSENT_S_TEXT_END_TAG_NAME,
    CONSENT_S_SCRIPT_ESC_START,
    CONSENT_S_SCRIPT_ESC_START_DASH,
    CONSENT_S_SCRIPT_ESC,
    CONSENT_S_SCRIPT_ESC_DASH,
    CONSENT_S_SCRIPT_ESC_DASH_DASH,
    CONSENT_S_SCRIPT_DESC_START,
    CONSENT_S_SCRIPT_DESC,
    CONSENT_S_SCRIPT_DESC_DASH,
    CONSENT_S_SCRIPT_DESC_DASH_DASH,
    CONSENT_S_SCRIPT_DESC_LT,
    CONSENT_S_SCRIPT_DESC_END
};


/* what the held region is */
enum {
    CONSENT_R_NONE = 0,
    CONSENT_R_TENTATIVE,                /* from '<' until the name ends */
    CONSENT_R_TAG,                      /* an interesting start tag */
    CONSENT_R_OBSERVE,                  /* any token, for the observer */
    CONSENT_R_LOOKAHEAD,                /* a script tag and its text */
    CONSENT_R_DRAIN,                    /* a long value that loads nothing */
    CONSENT_R_CDTAG,                    /* a tag in CDATA, preload-scanned */
    CONSENT_R_CSSURL,                   /* a URL in a <style>, from its start */
    CONSENT_R_FAIL                      /* a tag failed closed, streamed */
};


/* how a held tag is written out */
enum {
    CONSENT_W_GATE = 0,
    CONSENT_W_ACTIVATE
};


/*
 * Element kinds beyond consent_element_e: what loads a URL that the
 * matcher has no element for; matched here, URL by URL
 */
#define CONSENT_HTML_EL_TRACK    (CONSENT_EL_SOURCE + 1)   /* src */
#define CONSENT_HTML_EL_INPUT    (CONSENT_EL_SOURCE + 2)   /* type=image src */
#define CONSENT_HTML_EL_BG       (CONSENT_EL_SOURCE + 3)   /* background */
#define CONSENT_HTML_EL_PING     (CONSENT_EL_SOURCE + 4)   /* a, area: ping */
#define CONSENT_HTML_EL_META     (CONSENT_EL_SOURCE + 5)   /* refresh */
#define CONSENT_HTML_EL_BASE     (CONSENT_EL_SOURCE + 6)   /* href */
#define CONSENT_HTML_EL_SVGREF   (CONSENT_EL_SOURCE + 7)   /* use, feImage */
#define CONSENT_HTML_EL_SVGANIM  (CONSENT_EL_SOURCE + 8)   /* set, animate */
#define CONSENT_HTML_EL_CSS      (CONSENT_EL_SOURCE + 9)   /* style url() */


typedef struct {
    uint32_t            hash;
    uint16_t            len;
    uint16_t            flags;
} consent_html_frame_t;


/* an attribute as it is in the tag, offsets into the region */
typedef struct {
    size_t              name_off;
    size_t              name_len;
    size_t              value_off;
    size_t              value_len;
    unsigned            has_value:1;
} consent_html_raw_t;


typedef struct {
    const char         *name;
    unsigned char       len;
    unsigned char       id;
    unsigned char       el;             /* consent_element_e */
    unsigned char       flags;
} consent_html_name_t;


struct consent_html_s {
    consent_html_conf_t     conf;
    consent_html_stats_t    stats;

    consent_html_observe_pt observe;
    void                   *observe_ctx;

    uint32_t                granted;    /* with the required categories */
    unsigned                all_granted:1;
    unsigned                has_inline:1;
    unsigned                failed:1;
    unsigned                finished:1;
    unsigned                yield:1;
    unsigned                la_new:1;   /* a look-ahead began in the scan */
    unsigned                body:1;     /* a <body> start tag seen */
    unsigned                frameset:1; /* a frameset page: no banner */
    unsigned                noscript:1; /* in <noscript>, read as markup */
    unsigned                css:1;      /* CSS url()s may be gated */
    int                     host_mark;  /* conf.host_seen: a mark's */
    unsigned                in_style:1; /* in a <style>: its CSS is read */
    unsigned                css_fresh:1;    /* ... from its start */
    unsigned                css_let:1;  /* the URL held goes unjudged */
    unsigned                css_gate:1; /* the held tag's style= is gated */
    unsigned                css_only:1; /* ... and nothing else of it */
    uint32_t                css_mask;   /* the categories of its url()s */
    uint64_t                css_lt;     /* the last '<' in the <style> */

    /* tokenizer */
    int                     state;
    int                     text;       /* text state to fall back to */
    const char             *text_tag;   /* whose end tag ends it */
    size_t                  text_tag_len;
    size_t                  k;          /* characters matched */
    unsigned                decl;       /* markup declaration candidates */
    size_t                  bogus_off;  /* where a bogus comment's data is */

    /* the current tag */
    unsigned                is_end:1;
    unsigned                from_text:1;
    unsigned                svg:1;      /* an SVG script or image */
    unsigned                special:1;  /* font, annotation-xml in foreign */
    unsigned                inert:1;    /* a text/plain script */
    unsigned                has_dc:1;   /* has a data-consent attribute */
    unsigned                has_src:1;
    unsigned                la_urls:1;  /* speculation rules: URLs looked at */
    unsigned                resumed:1;  /* the region begins after a value */
    int                     el;         /* consent_element_e or beyond */
    const consent_html_name_t  *known;  /* the name, if known */
    char                    name[CONSENT_HTML_NAME_MAX];
    size_t                  name_len;
    uint32_t                name_hash;
    size_t                  name_end;   /* region offset of its end */
    uint32_t                mask;       /* categories that gate it */
    int                     category;

    /* the region */
    int                     region;
    char                   *hold;
    size_t                  hold_len;
    size_t                  hold_cap;
    size_t                  tag_max;
    size_t                  inline_max;
    size_t                  la_tag_len; /* the script tag within it */
    size_t                  la_left;    /* text still to look at */
    size_t                  la_lt;      /* offset of a possible end tag */

    /* the buffer being fed */
    const char             *out;        /* not yet passed on from here */
    const char             *mark;       /* the region's part in it */
    const char             *run_start;  /* input waiting to be emitted */
    const char             *run_end;

    /* foreign content */
    consent_html_frame_t    stack[CONSENT_HTML_DEPTH_MAX];
    size_t                  fdepth;
    size_t                  fover;      /* pushed beyond the stack */
    unsigned                fover_ns;

    /* HTML elements opened and not closed, by a hash of their names */
    unsigned char           hopen[CONSENT_HTML_OPEN_SLOTS];

    /* the held tag, parsed */
    consent_html_raw_t      raw[CONSENT_HTML_ATTRS_MAX];
    size_t                  nraw;
    unsigned                raw_over:1;
    unsigned                rec:1;      /* raw is recorded by the scan */
    unsigned                rec_done:1; /* up to the tag's end */
    unsigned                rec_over:1;
    size_t                  rec_cur;    /* the raw being recorded */
    size_t                  rec_end;    /* region offset of the end */
    size_t                  nattrs;
    size_t                  ndups;
    const char             *dname;      /* its name, decoded */
    size_t                  dname_len;
    char                   *dec;
    size_t                  dec_len;
    size_t                  dec_cap;
    char                   *scratch;    /* a data: URL or srcdoc, decoded */
    size_t                  scratch_cap;

    /* what relative URLs resolve against: the page, or its <base href> */
    const consent_url_t    *base;
    consent_url_t           base_url;
    char                   *base_buf;
    unsigned                base_seen:1;

    /* CDATA in foreign content, as a preload scanner reads it */
    int                     pv;
    int                     pv_ts;      /* the tag's state after its name */
    size_t                  pv_k;       /* of "</script" matched */
    unsigned                in_cdata:1; /* the tag judged is one of it */

    /* a tag failed closed: its attribute names as they stream by */
    int                     fw_state;
    unsigned                fw_long:1;
    unsigned                fw_quiet:1; /* nothing renamed yet, nor shown */
    size_t                  fw_name_len;
    char                    fw_name[CONSENT_HTML_FNAME_MAX];

    /*
     * Not cleared at init (4 KB, and 2 KB): only read as far as written,
     * up to nattrs, ndups; the CSS tokenizer is set up when it is used
     */
    consent_attr_t          attrs[CONSENT_HTML_ATTRS_MAX];
    consent_attr_t          dups[CONSENT_HTML_ATTRS_MAX];  /* duplicates */

    /* CSS: a <style>'s text, or a style= value */
    consent_css_t           cs;
};


/*
 * The scanner's functions that its files share: hidden from the
 * module's exported symbols, so that they cannot be interposed (the
 * file that defines one may still inline it, a call is direct rather
 * than through the PLT) and t/sources.t does not look for them
 */
#if defined(__GNUC__)
#define CONSENT_HTML_LOCAL       __attribute__((visibility("hidden")))
#else
#define CONSENT_HTML_LOCAL
#endif


/* consent_html.c: the states' step, a long tag noted again, the output */
CONSENT_HTML_LOCAL int consent_html_step(int s, int c);
CONSENT_HTML_LOCAL void consent_html_rerec(consent_html_t *h, size_t n,
    int complete);
CONSENT_HTML_LOCAL void consent_html_decided(consent_html_t *h, int what,
    const char *at, const char *by, uint32_t mask);
CONSENT_HTML_LOCAL void consent_html_emit_range(consent_html_t *h,
    size_t from, size_t to);
CONSENT_HTML_LOCAL void consent_html_input(consent_html_t *h, const char *s,
    const char *e);
CONSENT_HTML_LOCAL void consent_html_own(consent_html_t *h, const char *data,
    size_t len);
CONSENT_HTML_LOCAL void consent_html_own_str(consent_html_t *h,
    const char *s);
CONSENT_HTML_LOCAL void consent_html_own_escaped(consent_html_t *h,
    const char *s, size_t len);

/* consent_html_gate.c */
CONSENT_HTML_LOCAL void consent_html_classify(consent_html_t *h,
    const char *p, int self_closing);
CONSENT_HTML_LOCAL int consent_html_url_name(consent_html_t *h,
    const char *n, size_t len);
CONSENT_HTML_LOCAL uint32_t consent_html_content(consent_html_t *h,
    const char *s, size_t len, int mode);
CONSENT_HTML_LOCAL void consent_html_host(consent_html_t *h, const char *v,
    size_t len, int cat);
CONSENT_HTML_LOCAL const consent_attr_t *consent_html_attr(consent_html_t *h,
    const char *name);
CONSENT_HTML_LOCAL void consent_html_lookahead_done(consent_html_t *h,
    size_t end, const char *p);
CONSENT_HTML_LOCAL void consent_html_lookahead_cut(consent_html_t *h,
    const char *p);

/* consent_html_edit.c */
CONSENT_HTML_LOCAL void consent_html_rewrite(consent_html_t *h,
    const char *p, int mode);
CONSENT_HTML_LOCAL void consent_html_edit(consent_html_t *h, size_t n,
    int mode);
CONSENT_HTML_LOCAL void consent_html_shift(consent_html_t *h, size_t n);
CONSENT_HTML_LOCAL int consent_html_long(consent_html_t *h, const char *p,
    int complete);
CONSENT_HTML_LOCAL void consent_html_fail(consent_html_t *h, const char *p,
    const char *why);
CONSENT_HTML_LOCAL void consent_html_fail_walk(consent_html_t *h,
    const char *s, size_t len, int input);

/* consent_html_css.c */
CONSENT_HTML_LOCAL uint32_t consent_html_css(consent_html_t *h,
    const char *v, size_t len, consent_html_t *out);
CONSENT_HTML_LOCAL const char *consent_html_style(consent_html_t *h,
    const char *p, const char *lim);
CONSENT_HTML_LOCAL void consent_html_css_over(consent_html_t *h);
CONSENT_HTML_LOCAL void consent_html_style_end(consent_html_t *h,
    const char *p, uint64_t at);

/* consent_html_decode.c */
CONSENT_HTML_LOCAL const char *consent_html_dec(consent_html_t *h,
    const char *s, size_t len, int mode, size_t *out);
CONSENT_HTML_LOCAL int consent_html_plain(const char *s, size_t len,
    int mode);


/*
 * Small helpers of every file, static inline: consent_html.c calls
 * them per byte or per tag, and compiles as it did when they were its
 * own static functions
 */


/* the scanner's name for consent_ascii_lower(): A-Z folded, no more */

static inline int
consent_html_lower(int c)
{
    return consent_ascii_lower(c);
}


/* TAB, LF, FF, space; CR too, which the input stream makes LF */

static inline int
consent_html_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}


static inline int
consent_html_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}


/* s equals lit, ASCII case-insensitively; lit is lower-case */

static inline int
consent_html_is(const char *s, size_t len, const char *lit)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        if (lit[i] == '\0'
            || consent_html_lower((unsigned char) s[i]) != lit[i])
        {
            return 0;
        }
    }

    return lit[len] == '\0';
}


/* the offset of p in the region */

static inline size_t
consent_html_off(consent_html_t *h, const char *p)
{
    return h->hold_len + (size_t) (p - h->mark);
}


/* the region's byte at off, held or still in the buffer */

static inline int
consent_html_at(consent_html_t *h, size_t off)
{
    return (unsigned char) (off < h->hold_len ? h->hold[off]
                                              : h->mark[off - h->hold_len]);
}


/* the region up to p in one piece, copied into hold if need be */

static inline const char *
consent_html_text(consent_html_t *h, const char *p, size_t *n)
{
    size_t  len;

    if (h->hold_len == 0) {
        *n = (size_t) (p - h->mark);
        return h->mark;
    }

    len = (size_t) (p - h->mark);

    if (len > h->hold_cap - h->hold_len) {
        return NULL;
    }

    memcpy(h->hold + h->hold_len, h->mark, len);
    h->hold_len += len;
    h->mark = p;
    h->out = p;

    *n = h->hold_len;

    return h->hold;
}


static inline void
consent_html_begin(consent_html_t *h, const char *q)
{
    h->region = CONSENT_R_TENTATIVE;
    h->hold_len = 0;
    h->mark = q;
}


/* the region goes out as it is; what is still in the buffer waits */

static inline void
consent_html_release(consent_html_t *h)
{
    if (h->region == CONSENT_R_NONE) {
        return;
    }

    if (h->hold_len > 0) {
        consent_html_own(h, h->hold, h->hold_len);
        h->hold_len = 0;
    }

    h->region = CONSENT_R_NONE;
}


/* the visitor granted every category of mask */

static inline int
consent_html_granted(consent_html_t *h, uint32_t mask)
{
    return (mask & ~h->granted) == 0;
}


/*
 * The ids of the categories of mask, in the policy's order, joined by
 * sep; escaped: for a double-quoted attribute (ids are of a-z, 0-9, '_'
 * and '-': nothing to escape in a policy that loaded).  Inline: a call
 * would cost a gated tag more than the loop (callgrind)
 */

static inline void
consent_html_own_ids(consent_html_t *h, uint32_t mask, const char *sep,
    int escaped)
{
    size_t               i;
    const char          *s;
    consent_category_t  *cat;

    s = "";

    for (i = 0; i < h->conf.policy->ncategories && i < 32; i++) {
        if (!(mask & ((uint32_t) 1 << i))) {
            continue;
        }

        cat = &h->conf.policy->categories[i];
        consent_html_own_str(h, s);

        if (escaped) {
            consent_html_own_escaped(h, cat->id, cat->id_len);

        } else {
            consent_html_own(h, cat->id, cat->id_len);
        }

        s = sep;
    }
}


#if (CONSENT_HTML_CHECKS)

/*
 * The walkers written by hand, for consent_html_walk.c: consent_html.c
 * hands them out only in the builds with the checks, so that in the
 * module they have one caller each and are inlined as before
 */
typedef struct {
    const char *(*attrs)(int *sp, const char *p, const char *lim);
    const char *(*rec_tag)(consent_html_t *h, const char *p,
        const char *lim, size_t base, int *sc);
    const char *(*skip)(consent_html_t *h, const char *q, const char *lim);
    const char *(*tag_end)(const char *p, const char *lim, unsigned *seen);
    unsigned (*aname)(const char *s, size_t len);
    void (*rec_step)(consent_html_t *h, int s, int ns, size_t i);
} consent_html_walkers_t;

CONSENT_HTML_LOCAL extern const consent_html_walkers_t  consent_html_walkers;

#endif


#endif /* _CONSENT_HTML_INT_H_INCLUDED_ */

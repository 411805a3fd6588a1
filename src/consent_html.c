
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The streaming HTML scanner and rewriter (docs/gating.md).
 *
 * The tokenizer follows the HTML Standard's tokenization states as far
 * as they decide where a tag, a comment or a text element begins and
 * ends; text is skipped with memchr() and never copied.  A "region" is
 * the part of the input held back: it starts at each '<' and is let go
 * as soon as the tag's name shows it is of no interest, or kept to the
 * end of an interesting tag (and for an inline script, a bounded look
 * into its text), then written out as it was or rewritten.  A region
 * lives in the caller's buffer while it can, and is copied into the
 * hold buffer only when a buffer ends inside it.
 *
 * The tree builder's effect on tokenization is modelled where it
 * matters: which elements switch to RCDATA, RAWTEXT, script data or
 * PLAINTEXT, and a bounded stack of the open SVG and MathML elements
 * (foreign content: a script there is markup, CDATA sections exist,
 * integration points switch back to HTML), closed by the end tags
 * that close them in a browser, with the HTML elements open around
 * them counted by name.
 */


#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * SSE2 for the next '<' and a value's end where the compiler has it (every
 * x86-64); -DCONSENT_NO_SIMD builds the portable path, which make
 * test-unit-nosimd tests
 */
#if defined(__SSE2__) && !defined(CONSENT_NO_SIMD)
#define CONSENT_HTML_SSE2        1
#include <emmintrin.h>
#else
#define CONSENT_HTML_SSE2        0
#endif

#include "consent_html_int.h"


/* attribute names a tag passed over is looked at for (tag_end) */
#define CONSENT_HTML_A_STYLE     0x01
#define CONSENT_HTML_A_MARK      0x02      /* data-c...: a consent mark */
#define CONSENT_HTML_A_PING      0x04
#define CONSENT_HTML_A_BG        0x08      /* background */
#define CONSENT_HTML_A_SRC       0x10
#define CONSENT_HTML_A_EQUIV     0x20      /* http-equiv */

/*
 * consent_html_skip() is a loop of its own: inlined into the states'
 * loop, its variables would live on the stack (-1% of a page's scan)
 */
#if defined(__GNUC__)
#define CONSENT_HTML_NOINLINE    __attribute__((noinline))
#else
#define CONSENT_HTML_NOINLINE
#endif


/* the classes of consent_html_class[] (the order matters, see there) */
#define CONSENT_HC_OTHER         0
#define CONSENT_HC_SPACE         1
#define CONSENT_HC_SLASH         2
#define CONSENT_HC_GT            3
#define CONSENT_HC_EQ            4
#define CONSENT_HC_DQ            5
#define CONSENT_HC_SQ            6
#define CONSENT_HC_N             7

/* what the markup declaration, script data and its escapes compare */
#define CONSENT_HTML_DASHES_LEN  (sizeof("--") - 1)
#define CONSENT_HTML_DOCTYPE_LEN (sizeof("doctype") - 1)
#define CONSENT_HTML_CDATA_LEN   (sizeof("[CDATA[") - 1)
#define CONSENT_HTML_SCRIPT_LEN  (sizeof("script") - 1)



/* what a known name is to the tokenizer and the tree builder */
#define CONSENT_N_RAW            0x01      /* its text is RAWTEXT */
#define CONSENT_N_RC             0x02      /* its text is RCDATA */
#define CONSENT_N_BRK            0x04      /* it ends foreign content */
#define CONSENT_N_VOID           0x08      /* never open as HTML in it */
#define CONSENT_N_MTEXT          0x10      /* MathML text integration point */
#define CONSENT_N_SVGIP          0x20      /* SVG HTML integration point */
#define CONSENT_N_MAYBE          0x40      /* loads with one attribute only */


enum {
    CONSENT_ID_OTHER = 0,
    CONSENT_ID_HTML,
    CONSENT_ID_HEAD,
    CONSENT_ID_BODY,
    CONSENT_ID_SCRIPT,
    CONSENT_ID_PLAINTEXT,
    CONSENT_ID_SVG,
    CONSENT_ID_MATH,
    CONSENT_ID_FONT,
    CONSENT_ID_AXML,
    CONSENT_ID_IMAGE,
    CONSENT_ID_MGLYPH,
    CONSENT_ID_MALIGNMARK,
    CONSENT_ID_P,
    CONSENT_ID_BR,
    CONSENT_ID_FRAMESET,
    CONSENT_ID_USE,
    CONSENT_ID_SET,
    CONSENT_ID_FEIMAGE,
    CONSENT_ID_ANIMATE,
    CONSENT_ID_NOFRAMES,
    CONSENT_ID_NOSCRIPT,
    CONSENT_ID_STYLE
};


/* a CDATA section as a preload scanner reads it (it is text to parsers) */
enum {
    CONSENT_PV_OFF = 0,
    CONSENT_PV_BOGUS,                   /* "<![CDATA[" is a bogus comment */
    CONSENT_PV_DATA,
    CONSENT_PV_LT,
    CONSENT_PV_NAME,
    CONSENT_PV_ATTRS,
    CONSENT_PV_SCRIPT                   /* script data, to "</script" */
};


/* markup declaration candidates */
#define CONSENT_DECL_DASH        1
#define CONSENT_DECL_DOCTYPE     2
#define CONSENT_DECL_CDATA       4


/* an open element of foreign content */
#define CONSENT_F_SVG            0x01
#define CONSENT_F_MATH           0x02
#define CONSENT_F_HTML           0x04      /* HTML in an integration point */
#define CONSENT_F_HTML_IP        0x08
#define CONSENT_F_MTEXT_IP       0x10
#define CONSENT_F_AXML           0x20

#define CONSENT_NS_HTML          0
#define CONSENT_NS_MASK          (CONSENT_F_SVG | CONSENT_F_MATH)


static void consent_html_lookup(consent_html_t *h);
static const consent_html_name_t *consent_html_find(const char *name,
    size_t len);
static const consent_html_name_t *consent_html_find_raw(const char *name,
    size_t len);
static int consent_html_id(consent_html_t *h);
static unsigned consent_html_flags(consent_html_t *h);
static int consent_html_tag_step(int s, int c);
static void consent_html_bad_state(consent_html_t *h);
static int consent_html_skip_may(consent_html_t *h);
static const char *consent_html_scan(consent_html_t *h, const char *p,
    const char *lim);
static const char *consent_html_attrs(int *sp, const char *p,
    const char *lim);
static const char *consent_html_attrs_rec(consent_html_t *h, int *sp,
    const char *p, const char *lim);
static const char *consent_html_rec_walk(consent_html_t *h, const char *p,
    const char *lim, size_t base, int *sp);
#if (CONSENT_HTML_CHECKS)
static const char *consent_html_rec_tag(consent_html_t *h, const char *p,
    const char *lim, size_t base, int *sc);
#endif
static void consent_html_rec_step(consent_html_t *h, int s, int ns,
    size_t i);
static const char *consent_html_skip(consent_html_t *h, const char *q,
    const char *lim) CONSENT_HTML_NOINLINE;
static int consent_html_stops(const consent_html_name_t *n);
static const char *consent_html_tag_end(const char *p, const char *lim,
    unsigned *seen);
static unsigned consent_html_aname(const char *s, size_t len);
static const char *consent_html_near(const char *p, const char *lim, int c);
#if (CONSENT_HTML_SSE2)
static uint64_t consent_html_lt64(const char *p);
#endif
static void consent_html_skipped(consent_html_t *h);
static unsigned consent_html_maybe(const consent_html_name_t *n);
static int consent_html_ieq(const char *s, const char *lit, size_t len);
static void consent_html_tag_open(consent_html_t *h, const char *p, int c);
static void consent_html_tag_begin(consent_html_t *h, const char *p,
    int end);
static void consent_html_named(consent_html_t *h, const char *p,
    int complete);
static void consent_html_tag_done(consent_html_t *h, const char *p,
    int self_closing);
static int consent_html_passable(consent_html_t *h, const char *t,
    size_t n);
static void consent_html_start_tag(consent_html_t *h, int self_closing,
    int parsed);
static void consent_html_end_tag(consent_html_t *h);
static int consent_html_frame_is(consent_html_t *h, size_t d);
static size_t consent_html_slot(consent_html_t *h);
static unsigned consent_html_dispatch(consent_html_t *h, int font_breaks,
    size_t *depth, int *broke);
static int consent_html_breakout(consent_html_t *h, int font_breaks);
static void consent_html_push(consent_html_t *h, unsigned flags);
static int consent_html_judged(consent_html_t *h);
static void consent_html_drained(consent_html_t *h, const char *p);
static const char *consent_html_cdata(consent_html_t *h, const char *p,
    const char *lim);
static void consent_html_cdata_tag(consent_html_t *h, const char *p);
static int consent_html_in_script(consent_html_t *h);
static int consent_html_css_maybe(const char *s, const char *e);
static int consent_html_has(const char *s, const char *e, const char *lit,
    size_t len);
static void consent_html_comment_done(consent_html_t *h, const char *p,
    int from, int eof);
static void consent_html_doctype_done(consent_html_t *h, const char *p,
    int eof);
static const char *consent_html_observed(consent_html_t *h, const char *p,
    size_t *n);
static void consent_html_report(consent_html_t *h, consent_token_kind_e kind,
    const char *s, size_t len, int mode);
static void consent_html_finish(consent_html_t *h, const char *p);
static int consent_html_open_end(consent_html_t *h);
static void consent_html_inject(consent_html_t *h, int banner);
static void consent_html_keep(consent_html_t *h);
static void consent_html_buffer_end(consent_html_t *h, const char *end);
static void consent_html_flush_run(consent_html_t *h);
static int consent_html_parse(consent_html_t *h, const char *t, size_t n);
static int consent_html_upper(const char *s, size_t len);


/*
 * The characters that matter in a tag, by class.  The walkers rely on
 * the order: whitespace, '/' and '>' (the bytes that end a name) are the
 * classes 1 to CONSENT_HC_GT, and the quotes are from CONSENT_HC_DQ on;
 * the classes are also the columns of consent_html_next.
 */
static const unsigned char  consent_html_class[256] = {
    ['\t'] = CONSENT_HC_SPACE, ['\n'] = CONSENT_HC_SPACE,
    ['\f'] = CONSENT_HC_SPACE, ['\r'] = CONSENT_HC_SPACE,
    [' '] = CONSENT_HC_SPACE, ['/'] = CONSENT_HC_SLASH,
    ['>'] = CONSENT_HC_GT, ['='] = CONSENT_HC_EQ, ['"'] = CONSENT_HC_DQ,
    ['\''] = CONSENT_HC_SQ
};



/*
 * A tag name's bytes in lower case (ASCII); 0 for the bytes that end a
 * name (whitespace, '/', '>'), and for NUL, which does not.  Alike in
 * shape to consent_match.c's consent_host_plain, which zeroes a host's
 * own special bytes: each is its reader's per-byte table, kept apart.
 */
static const unsigned char  consent_html_nm[256] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
    0x08, 0x00, 0x00, 0x0b, 0x00, 0x00, 0x0e, 0x0f,
    0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
    0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
    0x00, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27,
    0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x00,
    0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37,
    0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x00, 0x3f,
    0x40, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67,
    0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f,
    0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77,
    0x78, 0x79, 0x7a, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f,
    0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67,
    0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f,
    0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77,
    0x78, 0x79, 0x7a, 0x7b, 0x7c, 0x7d, 0x7e, 0x7f,
    0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,
    0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f,
    0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97,
    0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f,
    0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
    0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
    0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7,
    0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf,
    0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7,
    0xc8, 0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf,
    0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7,
    0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf,
    0xe0, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7,
    0xe8, 0xe9, 0xea, 0xeb, 0xec, 0xed, 0xee, 0xef,
    0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7,
    0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff
};


/*
 * The states of a tag after its name, by character class (other,
 * whitespace, '/', '>', '=', '"', '\''), as the HTML Standard has them;
 * a state that "reconsumes" is followed to where the character lands.
 */

#define T_NAME   CONSENT_S_TAG_NAME
#define T_BAN    CONSENT_S_BEFORE_ATTR_NAME
#define T_AN     CONSENT_S_ATTR_NAME
#define T_AAN    CONSENT_S_AFTER_ATTR_NAME
#define T_BAV    CONSENT_S_BEFORE_ATTR_VALUE
#define T_DQ     CONSENT_S_ATTR_VALUE_DQ
#define T_SQ     CONSENT_S_ATTR_VALUE_SQ
#define T_UQ     CONSENT_S_ATTR_VALUE_UQ
#define T_AAV    CONSENT_S_AFTER_ATTR_VALUE
#define T_SC     CONSENT_S_SELF_CLOSING
#define T_END    CONSENT_S_TAG_END

static const unsigned char  consent_html_next[10][CONSENT_HC_N] = {
    /*            other   space   /       >       =       "       '      */
    /* name */  { T_NAME, T_BAN,  T_SC,   T_END,  T_NAME, T_NAME, T_NAME },
    /* ban  */  { T_AN,   T_BAN,  T_SC,   T_END,  T_AN,   T_AN,   T_AN   },
    /* an   */  { T_AN,   T_AAN,  T_SC,   T_END,  T_BAV,  T_AN,   T_AN   },
    /* aan  */  { T_AN,   T_AAN,  T_SC,   T_END,  T_BAV,  T_AN,   T_AN   },
    /* bav  */  { T_UQ,   T_BAV,  T_UQ,   T_END,  T_UQ,   T_DQ,   T_SQ   },
    /* dq   */  { T_DQ,   T_DQ,   T_DQ,   T_DQ,   T_DQ,   T_AAV,  T_DQ   },
    /* sq   */  { T_SQ,   T_SQ,   T_SQ,   T_SQ,   T_SQ,   T_SQ,   T_AAV  },
    /* uq   */  { T_UQ,   T_BAN,  T_UQ,   T_END,  T_UQ,   T_UQ,   T_UQ   },
    /* aav  */  { T_AN,   T_BAN,  T_SC,   T_END,  T_AN,   T_AN,   T_AN   },
    /* sc   */  { T_AN,   T_BAN,  T_SC,   T_END,  T_AN,   T_AN,   T_AN   }
};

#undef T_NAME
#undef T_BAN
#undef T_AN
#undef T_AAN
#undef T_BAV
#undef T_DQ
#undef T_SQ
#undef T_UQ
#undef T_AAV
#undef T_SC
#undef T_END


/* the names that mean something here, by first letter and length */
static const consent_html_name_t  consent_html_names[] = {
    { "a", 1, CONSENT_ID_OTHER, CONSENT_HTML_EL_PING, CONSENT_N_MAYBE },
    { "area", 4, CONSENT_ID_OTHER, CONSENT_HTML_EL_PING,
      CONSENT_N_VOID | CONSENT_N_MAYBE },
    { "audio", 5, CONSENT_ID_OTHER, CONSENT_EL_AUDIO, 0 },
    { "animate", 7, CONSENT_ID_ANIMATE, CONSENT_EL_OTHER, 0 },
    { "annotation-xml", 14, CONSENT_ID_AXML, CONSENT_EL_OTHER, 0 },
    { "b", 1, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_BRK },
    { "br", 2, CONSENT_ID_BR, CONSENT_EL_OTHER,
      CONSENT_N_BRK | CONSENT_N_VOID },
    { "big", 3, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_BRK },
    { "base", 4, CONSENT_ID_OTHER, CONSENT_HTML_EL_BASE, CONSENT_N_VOID },
    { "body", 4, CONSENT_ID_BODY, CONSENT_HTML_EL_BG,
      CONSENT_N_BRK | CONSENT_N_VOID },
    { "bgsound", 7, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_VOID },
    { "basefont", 8, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_VOID },
    { "blockquote", 10, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_BRK },
    { "col", 3, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_VOID },
    { "code", 4, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_BRK },
    { "center", 6, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_BRK },
    { "dd", 2, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_BRK },
    { "dl", 2, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_BRK },
    { "dt", 2, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_BRK },
    { "div", 3, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_BRK },
    { "desc", 4, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_SVGIP },
    { "em", 2, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_BRK },
    { "embed", 5, CONSENT_ID_OTHER, CONSENT_EL_EMBED,
      CONSENT_N_BRK | CONSENT_N_VOID },
    { "font", 4, CONSENT_ID_FONT, CONSENT_EL_OTHER, 0 },
    { "frame", 5, CONSENT_ID_OTHER, CONSENT_EL_FRAME, CONSENT_N_VOID },
    { "feimage", 7, CONSENT_ID_FEIMAGE, CONSENT_EL_OTHER, 0 },
    { "frameset", 8, CONSENT_ID_FRAMESET, CONSENT_EL_OTHER, CONSENT_N_VOID },
    { "foreignobject", 13, CONSENT_ID_OTHER, CONSENT_EL_OTHER,
      CONSENT_N_SVGIP },
    { "h1", 2, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_BRK },
    { "h2", 2, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_BRK },
    { "h3", 2, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_BRK },
    { "h4", 2, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_BRK },
    { "h5", 2, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_BRK },
    { "h6", 2, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_BRK },
    { "hr", 2, CONSENT_ID_OTHER, CONSENT_EL_OTHER,
      CONSENT_N_BRK | CONSENT_N_VOID },
    { "head", 4, CONSENT_ID_HEAD, CONSENT_EL_OTHER,
      CONSENT_N_BRK | CONSENT_N_VOID },
    { "html", 4, CONSENT_ID_HTML, CONSENT_EL_OTHER, CONSENT_N_VOID },
    { "i", 1, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_BRK },
    { "img", 3, CONSENT_ID_OTHER, CONSENT_EL_IMG,
      CONSENT_N_BRK | CONSENT_N_VOID },
    { "image", 5, CONSENT_ID_IMAGE, CONSENT_EL_IMG, CONSENT_N_VOID },
    { "input", 5, CONSENT_ID_OTHER, CONSENT_HTML_EL_INPUT,
      CONSENT_N_VOID | CONSENT_N_MAYBE },
    { "iframe", 6, CONSENT_ID_OTHER, CONSENT_EL_IFRAME, CONSENT_N_RAW },
    { "keygen", 6, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_VOID },
    { "li", 2, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_BRK },
    { "link", 4, CONSENT_ID_OTHER, CONSENT_EL_LINK, CONSENT_N_VOID },
    { "listing", 7, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_BRK },
    { "mi", 2, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_MTEXT },
    { "mn", 2, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_MTEXT },
    { "mo", 2, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_MTEXT },
    { "ms", 2, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_MTEXT },
    { "math", 4, CONSENT_ID_MATH, CONSENT_EL_OTHER, 0 },
    { "menu", 4, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_BRK },
    { "meta", 4, CONSENT_ID_OTHER, CONSENT_HTML_EL_META,
      CONSENT_N_BRK | CONSENT_N_VOID | CONSENT_N_MAYBE },
    { "mtext", 5, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_MTEXT },
    { "mglyph", 6, CONSENT_ID_MGLYPH, CONSENT_EL_OTHER, 0 },
    { "malignmark", 10, CONSENT_ID_MALIGNMARK, CONSENT_EL_OTHER, 0 },
    { "nobr", 4, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_BRK },
    { "noembed", 7, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_RAW },
    { "noframes", 8, CONSENT_ID_NOFRAMES, CONSENT_EL_OTHER, CONSENT_N_RAW },
    { "noscript", 8, CONSENT_ID_NOSCRIPT, CONSENT_EL_OTHER, 0 },
    { "ol", 2, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_BRK },
    { "object", 6, CONSENT_ID_OTHER, CONSENT_EL_OBJECT, 0 },
    { "p", 1, CONSENT_ID_P, CONSENT_EL_OTHER, CONSENT_N_BRK },
    { "pre", 3, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_BRK },
    { "param", 5, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_VOID },
    { "plaintext", 9, CONSENT_ID_PLAINTEXT, CONSENT_EL_OTHER, CONSENT_N_VOID },
    { "ruby", 4, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_BRK },
    { "s", 1, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_BRK },
    { "sub", 3, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_BRK },
    { "sup", 3, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_BRK },
    { "svg", 3, CONSENT_ID_SVG, CONSENT_EL_OTHER, 0 },
    { "set", 3, CONSENT_ID_SET, CONSENT_EL_OTHER, 0 },
    { "span", 4, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_BRK },
    { "small", 5, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_BRK },
    { "style", 5, CONSENT_ID_STYLE, CONSENT_EL_OTHER, CONSENT_N_RAW },
    { "script", 6, CONSENT_ID_SCRIPT, CONSENT_EL_SCRIPT, CONSENT_N_VOID },
    { "source", 6, CONSENT_ID_OTHER, CONSENT_EL_SOURCE, CONSENT_N_VOID },
    { "strike", 6, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_BRK },
    { "strong", 6, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_BRK },
    { "tt", 2, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_BRK },
    { "td", 2, CONSENT_ID_OTHER, CONSENT_HTML_EL_BG, CONSENT_N_MAYBE },
    { "th", 2, CONSENT_ID_OTHER, CONSENT_HTML_EL_BG, CONSENT_N_MAYBE },
    { "table", 5, CONSENT_ID_OTHER, CONSENT_HTML_EL_BG,
      CONSENT_N_BRK | CONSENT_N_MAYBE },
    { "title", 5, CONSENT_ID_OTHER, CONSENT_EL_OTHER,
      CONSENT_N_RC | CONSENT_N_SVGIP },
    { "track", 5, CONSENT_ID_OTHER, CONSENT_HTML_EL_TRACK, CONSENT_N_VOID },
    { "textarea", 8, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_RC },
    { "u", 1, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_BRK },
    { "ul", 2, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_BRK },
    { "use", 3, CONSENT_ID_USE, CONSENT_EL_OTHER, 0 },
    { "var", 3, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_BRK },
    { "video", 5, CONSENT_ID_OTHER, CONSENT_EL_VIDEO, 0 },
    { "wbr", 3, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_VOID },
    { "xmp", 3, CONSENT_ID_OTHER, CONSENT_EL_OTHER, CONSENT_N_RAW }
};

/*
 * The first name of each first letter and length (+1; 0: none); the
 * names of a bucket follow it.
 */
static const unsigned char  consent_html_bucket[26][16] = {
    {  0,  1,  0,  0,  2,  3,  0,  4,  0,  0,  0,  0,  0,  0,  5,  0 },
    {  0,  6,  7,  8,  9,  0,  0, 11, 12,  0, 13,  0,  0,  0,  0,  0 },
    {  0,  0,  0, 14, 15,  0, 16,  0,  0,  0,  0,  0,  0,  0,  0,  0 },
    {  0,  0, 17, 20, 21,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0 },
    {  0,  0, 22,  0,  0, 23,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0 },
    {  0,  0,  0,  0, 24, 25,  0, 26, 27,  0,  0,  0,  0, 28,  0,  0 },
    {  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0 },
    {  0,  0, 29,  0, 36,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0 },
    {  0, 38,  0, 39,  0, 40, 42,  0,  0,  0,  0,  0,  0,  0,  0,  0 },
    {  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0 },
    {  0,  0,  0,  0,  0,  0, 43,  0,  0,  0,  0,  0,  0,  0,  0,  0 },
    {  0,  0, 44,  0, 45,  0,  0, 46,  0,  0,  0,  0,  0,  0,  0,  0 },
    {  0,  0, 47,  0, 51, 54, 55,  0,  0,  0, 56,  0,  0,  0,  0,  0 },
    {  0,  0,  0,  0, 57,  0,  0, 58, 59,  0,  0,  0,  0,  0,  0,  0 },
    {  0,  0, 61,  0,  0,  0, 62,  0,  0,  0,  0,  0,  0,  0,  0,  0 },
    {  0, 63,  0, 64,  0, 65,  0,  0,  0, 66,  0,  0,  0,  0,  0,  0 },
    {  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0 },
    {  0,  0,  0,  0, 67,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0 },
    {  0, 68,  0, 69, 73, 74, 76,  0,  0,  0,  0,  0,  0,  0,  0,  0 },
    {  0,  0, 80,  0,  0, 83,  0,  0, 86,  0,  0,  0,  0,  0,  0,  0 },
    {  0, 87, 88, 89,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0 },
    {  0,  0,  0, 90,  0, 91,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0 },
    {  0,  0,  0, 92,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0 },
    {  0,  0,  0, 93,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0 },
    {  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0 },
    {  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0 }
};


/*
 * By first letter, the lengths (bit n: n bytes) of the names above that
 * consent_html_skip() must tell apart: those that end the skip, open raw
 * text, may load something or are void.  The others it passes over by
 * their hash alone.  consent_html_selfcheck() derives it again.
 */
static const uint16_t  consent_html_look[26] = {
    0x0032, 0x0194, 0x0008, 0x0000, 0x0020, 0x0120, 0x0000, 0x0014,
    0x0068, 0x0000, 0x0040, 0x0010, 0x0010, 0x0180, 0x0040, 0x0220,
    0x0000, 0x0000, 0x0068, 0x0124, 0x0000, 0x0020, 0x0008, 0x0008,
    0x0000, 0x0000
};


/*
 * The same for end tags, of which only those that end the skip
 * matter (consent_html_stops())
 */
static const uint16_t  consent_html_look_end[26] = {
    0x0000, 0x0010, 0x0000, 0x0000, 0x0000, 0x0100, 0x0000, 0x0010,
    0x0000, 0x0000, 0x0000, 0x0000, 0x0010, 0x0100, 0x0000, 0x0200,
    0x0000, 0x0000, 0x0048, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000,
    0x0000, 0x0000
};


size_t
consent_html_size(const consent_html_conf_t *conf)
{
    size_t  tag_max, inline_max, base;

    tag_max = conf->tag_max ? conf->tag_max : CONSENT_HTML_TAG_MAX;
    inline_max = conf->inline_max ? conf->inline_max
                                  : CONSENT_HTML_INLINE_MAX;

    if (tag_max < CONSENT_HTML_TAG_MIN) {
        tag_max = CONSENT_HTML_TAG_MIN;
    }

    if (tag_max > CONSENT_HTML_LIMIT) {
        tag_max = CONSENT_HTML_LIMIT;
    }

    if (inline_max > CONSENT_HTML_LIMIT) {
        inline_max = CONSENT_HTML_LIMIT;
    }

    base = (sizeof(consent_html_t) + 15) & ~(size_t) 15;

    /*
     * hold: a tag and its look-ahead; dec: a held tag, decoded; scratch:
     * a value of it or the look-ahead, decoded again
     */
    return base + 3 * (tag_max + inline_max) + CONSENT_HTML_DEC_SLACK
           + CONSENT_HTML_BASE_MAX;
}


consent_html_t *
consent_html_init(void *mem, const consent_html_conf_t *conf)
{
    size_t           i, base;
    consent_html_t  *h;

    if (mem == NULL || conf == NULL || conf->emit == NULL) {
        return NULL;
    }

    h = mem;

    memset(h, 0, offsetof(consent_html_t, attrs));

    h->conf = *conf;

    h->tag_max = conf->tag_max ? conf->tag_max : CONSENT_HTML_TAG_MAX;
    h->inline_max = conf->inline_max ? conf->inline_max
                                     : CONSENT_HTML_INLINE_MAX;

    if (h->tag_max < CONSENT_HTML_TAG_MIN) {
        h->tag_max = CONSENT_HTML_TAG_MIN;
    }

    if (h->tag_max > CONSENT_HTML_LIMIT) {
        h->tag_max = CONSENT_HTML_LIMIT;
    }

    if (h->inline_max > CONSENT_HTML_LIMIT) {
        h->inline_max = CONSENT_HTML_LIMIT;
    }

    base = (sizeof(consent_html_t) + 15) & ~(size_t) 15;

    h->hold = (char *) mem + base;
    h->hold_cap = h->tag_max + h->inline_max;
    h->dec = h->hold + h->hold_cap;
    h->dec_cap = h->hold_cap + CONSENT_HTML_DEC_SLACK;
    h->scratch = h->dec + h->dec_cap;
    h->scratch_cap = h->hold_cap;
    h->base_buf = h->scratch + h->scratch_cap;
    h->base = conf->base;

    h->granted = conf->granted;
    h->all_granted = 1;

    if (conf->policy != NULL) {
        h->granted |= conf->policy->required_mask;
        h->all_granted = (conf->policy->all_mask & ~h->granted) == 0;

        for (i = 0; i < conf->policy->nrules; i++) {
            if (conf->policy->rules[i].kind == CONSENT_RULE_INLINE) {
                h->has_inline = 1;
            }
        }
    }

    /* the hosts a page loads from are looked at for every visitor */
    if (conf->host_seen != NULL || conf->macro != NULL) {
        h->all_granted = 0;
    }

    h->state = CONSENT_S_DATA;
    h->category = CONSENT_MATCH_NONE;
    h->css = conf->policy != NULL && !h->all_granted;

    return h;
}


void
consent_html_observe(consent_html_t *h, consent_html_observe_pt cb,
    void *ctx)
{
    h->observe = cb;
    h->observe_ctx = ctx;
}


const consent_html_stats_t *
consent_html_stats(const consent_html_t *h)
{
    return &h->stats;
}


int
consent_html_selfcheck(void)
{
    size_t                      i, n;
    unsigned                    c;
    uint16_t                    want[26], want_end[26];
    const consent_html_name_t  *e;

    memset(want, 0, sizeof(want));
    memset(want_end, 0, sizeof(want_end));

    n = sizeof(consent_html_names) / sizeof(consent_html_names[0]);

    for (i = 0; i < n; i++) {
        e = &consent_html_names[i];
        c = (unsigned char) e->name[0] - 'a';

        if (c >= 26 || e->len != strlen(e->name)
            || e->len - 1u >= CONSENT_HTML_KEEP_MAX
            || consent_html_find_raw(e->name, e->len) != e)
        {
            return -1;
        }

        if (consent_html_stops(e)) {
            want_end[c] |= (uint16_t) (1u << e->len);
        }

        /* what consent_html_skip() stops at or counts apart */
        if (consent_html_stops(e)
            || (e->flags & (CONSENT_N_RAW | CONSENT_N_RC | CONSENT_N_VOID))
            || e->el != CONSENT_EL_OTHER)
        {
            want[c] |= (uint16_t) (1u << e->len);
        }
    }

    return memcmp(want, consent_html_look, sizeof(want)) == 0
           && memcmp(want_end, consent_html_look_end, sizeof(want_end)) == 0
           ? 0 : -1;
}


int
consent_html_feed(consent_html_t *h, const char *in, size_t len, int last)
{
    int          la;
    const char  *p, *q, *end, *lim;

    if (h->failed) {
        return -1;
    }

    if (in == NULL) {
        in = "";
        len = 0;
    }

    end = in + len;

    if (h->finished) {
        /* nothing follows the end: pass it on untouched */
        consent_html_input(h, in, end);
        consent_html_flush_run(h);
        return h->failed ? -1 : 0;
    }

    h->out = in;
    h->mark = in;
    p = in;

    while (p < end && !h->failed) {
        la = h->region == CONSENT_R_LOOKAHEAD;
        lim = end;

        if (la && (size_t) (end - p) > h->la_left) {
            lim = p + h->la_left;
        }

        h->la_new = 0;
        q = consent_html_scan(h, p, lim);

        /* the bytes scanned count against the look that was going on */
        if (la && h->region == CONSENT_R_LOOKAHEAD && !h->la_new) {
            h->la_left -= (size_t) (q - p);

            if (h->la_left == 0) {
                if (h->state == CONSENT_S_TAG_OPEN
                    || h->state == CONSENT_S_END_TAG_OPEN
                    || h->state == CONSENT_S_MARKUP_DECL)
                {
                    /* an SVG script's look ends at a '<': hold what follows */
                    consent_html_lookahead_cut(h, q);

                    if (h->state == CONSENT_S_MARKUP_DECL) {
                        consent_html_keep(h);
                    }

                } else {
                    consent_html_lookahead_done(h, consent_html_off(h, q),
                                                q);
                }

                h->yield = 0;
            }
        }

        p = q;
    }

    if (h->failed) {
        return -1;
    }

    consent_html_buffer_end(h, end);

    if (last) {
        consent_html_finish(h, end);
        consent_html_flush_run(h);
        h->finished = 1;
    }

    return h->failed ? -1 : 0;
}



/* what the current tag's name is, from the table */

static void
consent_html_lookup(consent_html_t *h)
{
    unsigned  c;

    c = (unsigned char) h->name[0] - 'a';

    h->known = (h->name_len - 1 < CONSENT_HTML_KEEP_MAX && c < 26)
               ? consent_html_find(h->name, h->name_len) : NULL;
}


/*
 * A lower-case name in the table, by its first letter and length; the
 * caller checks that they are within the table's (a to z, 1 to 14).
 */

static const consent_html_name_t *
consent_html_find(const char *name, size_t len)
{
    size_t                      i, j;
    const consent_html_name_t  *n, *last;

    i = consent_html_bucket[(unsigned char) name[0] - 'a'][len];

    if (i == 0) {
        return NULL;
    }

    last = consent_html_names
           + sizeof(consent_html_names) / sizeof(consent_html_names[0]);

    /* the bucket's first name has the first letter and the length */
    n = &consent_html_names[i - 1];

    for ( ;; ) {
        for (j = 1; j < len && n->name[j] == name[j]; j++) {
            /* void */
        }

        if (j == len) {
            return n;
        }

        if (++n == last || n->len != len || n->name[0] != name[0]) {
            return NULL;
        }
    }
}


/*
 * consent_html_find() for a name as written, in any case: the skip's,
 * on the page's bytes, each folded as it is compared.  A copy on
 * purpose: a name already lower-cased does without the table look-up a
 * byte; consent_html_selfcheck() checks every name of the table with it
 */

static const consent_html_name_t *
consent_html_find_raw(const char *name, size_t len)
{
    size_t                      i, j;
    unsigned                    first;
    const consent_html_name_t  *n, *last;

    first = consent_html_nm[(unsigned char) name[0]];

    i = consent_html_bucket[first - 'a'][len];

    if (i == 0) {
        return NULL;
    }

    last = consent_html_names
           + sizeof(consent_html_names) / sizeof(consent_html_names[0]);

    n = &consent_html_names[i - 1];

    for ( ;; ) {
        for (j = 1; j < len; j++) {
            if ((unsigned char) n->name[j]
                != consent_html_nm[(unsigned char) name[j]])
            {
                break;
            }
        }

        if (j == len) {
            return n;
        }

        if (++n == last || n->len != len
            || (unsigned char) n->name[0] != first)
        {
            return NULL;
        }
    }
}


static int
consent_html_id(consent_html_t *h)
{
    return h->known ? h->known->id : CONSENT_ID_OTHER;
}


static unsigned
consent_html_flags(consent_html_t *h)
{
    return h->known ? h->known->flags : 0;
}


/*
 * One character in the states of a tag after its name: the next state,
 * or CONSENT_S_TAG_END on the '>' that ends it.  The scanner and the
 * parser of held tags share it, so they never disagree on a boundary.
 */

static int
consent_html_tag_step(int s, int c)
{
    return consent_html_next[s - CONSENT_S_TAG_NAME][consent_html_class[c]];
}


/* consent_html_tag_step() for the scanner's other files */

CONSENT_HTML_LOCAL int
consent_html_step(int s, int c)
{
    return consent_html_tag_step(s, c);
}


/*
 * A state consent_html_scan() has no case for: a bug.  Builds with the
 * sanitizers (the unit tests, the fuzzers) or with CONSENT_HTML_CHECKS
 * abort at once; a release build fails the page closed, as when the
 * output cannot be written: consent_html_feed() returns -1 from now on.
 */

static void
consent_html_bad_state(consent_html_t *h)
{
#if (CONSENT_HTML_CHECKS)
    fprintf(stderr, "consent_html: no case for state %d\n", h->state);
    abort();
#endif

    h->failed = 1;
}


/*
 * Runs the tokenizer from p up to lim; returns where it stopped: lim,
 * or earlier when a look-ahead began or ended (the caller bounds it).
 * Cases that mirror one another (script data escaped and double
 * escaped, as in the HTML standard) are written out on purpose: this is
 * the hot loop (make bench-scan-callgrind), not to be factored;
 * t/unit/html5lib.c and t/htmldiff.t check them.
 */

static const char *
consent_html_scan(consent_html_t *h, const char *p, const char *lim)
{
    int          s, c, fast;
    unsigned     d;
    const char  *q;

    /* an observer sees every token: the states make them */
    fast = h->observe == NULL;

    while (p < lim) {

        if (h->failed) {
            return lim;
        }

        if (h->yield) {
            h->yield = 0;
            return p;
        }

        switch (h->state) {

        /*
         * The common path, text to '<' to a name to attributes to '>',
         * falls through from state to state within the buffer.
         */

        case CONSENT_S_DATA:
            q = consent_html_near(p, lim, '<');

            if (q == NULL) {
                return lim;
            }

            if (h->region == CONSENT_R_LOOKAHEAD) {
                /* an SVG script's text: it ends at markup (its end tag) */
                h->la_lt = consent_html_off(h, q);

            } else {
                /*
                 * Text and tags of no interest, as long as they last;
                 * not in foreign content, nor before a pending injection
                 */
                if (fast && consent_html_skip_may(h)) {
                    q = consent_html_skip(h, q, lim);

                    if (q == NULL) {
                        return lim;
                    }
                }

                consent_html_begin(h, q);
            }

            p = q + 1;
            h->state = CONSENT_S_TAG_OPEN;

            if (p == lim) {
                break;
            }

            /* fall through */

        case CONSENT_S_TAG_OPEN:
            c = (unsigned char) *p;

            if (c == '/') {
                p++;
                h->state = CONSENT_S_END_TAG_OPEN;

                if (p == lim) {
                    break;
                }

                c = (unsigned char) *p;

                if (!consent_html_alpha(c)) {
                    break;
                }

                consent_html_tag_begin(h, p, 1);
                goto name;
            }

            if (!consent_html_alpha(c)) {
                consent_html_tag_open(h, p, c);

                if (c == '!') {
                    p++;
                }

                break;
            }

            consent_html_tag_begin(h, p, 0);

            /* fall through */

        case CONSENT_S_TAG_NAME:
        name:

            for ( ;; ) {
                c = (unsigned char) *p;

                if (consent_html_class[c] != CONSENT_HC_OTHER
                    && consent_html_class[c] <= CONSENT_HC_GT)
                {
                    /* whitespace, '/', '>' */
                    break;
                }

                c = consent_html_lower(c);

                if (h->name_len < CONSENT_HTML_NAME_MAX) {
                    h->name[h->name_len] = (char) c;
                }

                h->name_len++;
                h->name_hash = (h->name_hash ^ (uint32_t) c) * 16777619;

                if (++p == lim) {
                    break;
                }

                /* no name that long is held: let it go now */
                if (h->name_len == CONSENT_HTML_KEEP_MAX + 1) {
                    consent_html_named(h, p, 0);
                }
            }

            if (p == lim) {
                if (h->name_len == CONSENT_HTML_KEEP_MAX + 1) {
                    consent_html_named(h, p, 0);
                }

                break;
            }

            consent_html_named(h, p, 1);

            /* a tag to be parsed: its attributes are noted on the way */
            h->rec = h->region == CONSENT_R_TAG
                     || h->region == CONSENT_R_OBSERVE;
            h->rec_done = 0;
            h->rec_over = 0;
            h->rec_cur = CONSENT_HTML_ATTRS_MAX;
            h->nraw = 0;
            p++;

            if (c == '>') {
                h->rec_done = 1;
                h->rec_end = consent_html_off(h, p);
                consent_html_tag_done(h, p, 0);
                break;
            }

            h->state = (c == '/') ? CONSENT_S_SELF_CLOSING
                                  : CONSENT_S_BEFORE_ATTR_NAME;

            if (p == lim || h->failed) {
                break;
            }

            /* fall through */

        case CONSENT_S_BEFORE_ATTR_NAME:
        case CONSENT_S_ATTR_NAME:
        case CONSENT_S_AFTER_ATTR_NAME:
        case CONSENT_S_BEFORE_ATTR_VALUE:
        case CONSENT_S_ATTR_VALUE_DQ:
        case CONSENT_S_ATTR_VALUE_SQ:
        case CONSENT_S_ATTR_VALUE_UQ:
        case CONSENT_S_AFTER_ATTR_VALUE:
        case CONSENT_S_SELF_CLOSING:
            s = h->state;
            q = h->rec ? consent_html_attrs_rec(h, &s, p, lim)
                       : consent_html_attrs(&s, p, lim);

            if (q != NULL) {
                consent_html_tag_done(h, q, s == CONSENT_S_SELF_CLOSING);
                p = q;
                break;
            }

            p = lim;
            h->state = s;
            break;

        case CONSENT_S_END_TAG_OPEN:
            c = (unsigned char) *p;

            if (consent_html_alpha(c)) {
                consent_html_tag_begin(h, p, 1);
                break;
            }

            if (c == '>') {
                /* "</>" is nothing, also in an SVG script's text */
                p++;

                if (h->region != CONSENT_R_LOOKAHEAD) {
                    consent_html_release(h);
                }

                h->state = CONSENT_S_DATA;
                break;
            }

            if (h->region == CONSENT_R_LOOKAHEAD) {
                consent_html_lookahead_cut(h, p);
            }

            h->bogus_off = 2;
            h->state = CONSENT_S_BOGUS_COMMENT;
            consent_html_keep(h);
            break;

        case CONSENT_S_MARKUP_DECL:
            c = (unsigned char) *p;
            d = h->decl;

            if (h->k >= CONSENT_HTML_DASHES_LEN || c != '-') {
                d &= ~CONSENT_DECL_DASH;
            }

            if (h->k >= CONSENT_HTML_DOCTYPE_LEN
                || consent_html_lower(c) != "doctype"[h->k])
            {
                d &= ~CONSENT_DECL_DOCTYPE;
            }

            if (h->k >= CONSENT_HTML_CDATA_LEN
                || c != "[CDATA["[h->k])
            {
                d &= ~CONSENT_DECL_CDATA;
            }

            if (d == 0) {
                /* what was matched has no '>': the comment holds it */
                if (h->region == CONSENT_R_LOOKAHEAD) {
                    consent_html_lookahead_cut(h, p);
                    consent_html_keep(h);
                }

                h->bogus_off = 2;
                h->state = CONSENT_S_BOGUS_COMMENT;
                break;
            }

            p++;
            h->k++;
            h->decl = d;

            if ((d & CONSENT_DECL_CDATA) && h->k == CONSENT_HTML_CDATA_LEN) {
                /* a CDATA section in an SVG script is part of its text */
                if (h->region != CONSENT_R_LOOKAHEAD) {
                    consent_html_release(h);
                }

                /*
                 * a preload scanner sees a bogus comment, then tags (in
                 * an SVG script: script data, whose end tag may be in
                 * the section, then tags)
                 */
                if (h->conf.policy != NULL && !h->all_granted) {
                    if (consent_html_in_script(h)) {
                        /*
                         * in an SVG script, a preload scanner is in
                         * script data: its "</script" ends that
                         */
                        h->pv = CONSENT_PV_SCRIPT;
                        h->pv_k = 0;

                    } else if (h->region != CONSENT_R_LOOKAHEAD) {
                        h->pv = CONSENT_PV_BOGUS;
                    }
                }

                h->state = CONSENT_S_CDATA;
                break;
            }

            if (((d & CONSENT_DECL_DASH) && h->k == CONSENT_HTML_DASHES_LEN)
                || ((d & CONSENT_DECL_DOCTYPE)
                    && h->k == CONSENT_HTML_DOCTYPE_LEN))
            {
                if (h->region == CONSENT_R_LOOKAHEAD) {
                    consent_html_lookahead_cut(h, p);
                    consent_html_keep(h);
                }

                if (d & CONSENT_DECL_DASH) {
                    h->state = CONSENT_S_COMMENT_START;

                } else {
                    h->stats.document = 1;
                    h->state = CONSENT_S_DOCTYPE;
                }
            }

            break;

        case CONSENT_S_COMMENT_START:
            c = (unsigned char) *p++;

            if (c == '-') {
                h->state = CONSENT_S_COMMENT_START_DASH;

            } else if (c == '>') {
                consent_html_comment_done(h, p, CONSENT_S_COMMENT_START, 0);

            } else {
                h->state = CONSENT_S_COMMENT;
            }

            break;

        case CONSENT_S_COMMENT_START_DASH:
            c = (unsigned char) *p++;

            if (c == '-') {
                h->state = CONSENT_S_COMMENT_END;

            } else if (c == '>') {
                consent_html_comment_done(h, p,
                                          CONSENT_S_COMMENT_START_DASH, 0);

            } else {
                h->state = CONSENT_S_COMMENT;
            }

            break;

        case CONSENT_S_COMMENT:
            q = memchr(p, '-', (size_t) (lim - p));

            if (q == NULL) {
                return lim;
            }

            p = q + 1;
            h->state = CONSENT_S_COMMENT_END_DASH;
            break;

        case CONSENT_S_COMMENT_END_DASH:
            c = (unsigned char) *p++;
            h->state = (c == '-') ? CONSENT_S_COMMENT_END : CONSENT_S_COMMENT;
            break;

        case CONSENT_S_COMMENT_END:
            c = (unsigned char) *p++;

            if (c == '>') {
                consent_html_comment_done(h, p, CONSENT_S_COMMENT_END, 0);

            } else if (c == '!') {
                h->state = CONSENT_S_COMMENT_END_BANG;

            } else if (c != '-') {
                h->state = CONSENT_S_COMMENT;
            }

            break;

        case CONSENT_S_COMMENT_END_BANG:
            c = (unsigned char) *p++;

            if (c == '-') {
                h->state = CONSENT_S_COMMENT_END_DASH;

            } else if (c == '>') {
                consent_html_comment_done(h, p, CONSENT_S_COMMENT_END_BANG,
                                          0);

            } else {
                h->state = CONSENT_S_COMMENT;
            }

            break;

        case CONSENT_S_BOGUS_COMMENT:
            q = memchr(p, '>', (size_t) (lim - p));

            if (q == NULL) {
                return lim;
            }

            p = q + 1;
            consent_html_comment_done(h, p, CONSENT_S_BOGUS_COMMENT, 0);
            break;

        case CONSENT_S_DOCTYPE:
            /* every DOCTYPE state ends at the first '>' */
            q = memchr(p, '>', (size_t) (lim - p));

            if (q == NULL) {
                return lim;
            }

            p = q + 1;
            consent_html_doctype_done(h, p, 0);
            break;

        case CONSENT_S_CDATA:
            if (h->pv != CONSENT_PV_OFF) {
                p = consent_html_cdata(h, p, lim);
                break;
            }

            q = memchr(p, ']', (size_t) (lim - p));

            if (q == NULL) {
                return lim;
            }

            p = q + 1;
            h->state = CONSENT_S_CDATA_BRACKET;
            break;

        case CONSENT_S_CDATA_BRACKET:
            if (h->pv != CONSENT_PV_OFF) {
                p = consent_html_cdata(h, p, lim);
                break;
            }

            if (*p == ']') {
                p++;
                h->state = CONSENT_S_CDATA_END;

            } else {
                h->state = CONSENT_S_CDATA;
            }

            break;

        case CONSENT_S_CDATA_END:
            if (h->pv != CONSENT_PV_OFF) {
                p = consent_html_cdata(h, p, lim);
                break;
            }

            if (*p == ']') {
                p++;

            } else if (*p == '>') {
                p++;
                h->state = CONSENT_S_DATA;

            } else {
                h->state = CONSENT_S_CDATA;
            }

            break;

        case CONSENT_S_RCDATA:
        case CONSENT_S_RAWTEXT:
        case CONSENT_S_SCRIPT:
            if (h->in_style) {
                p = consent_html_style(h, p, lim);
                break;
            }

            q = memchr(p, '<', (size_t) (lim - p));

            if (q == NULL) {
                return lim;
            }

            if (h->region == CONSENT_R_LOOKAHEAD) {
                h->la_lt = consent_html_off(h, q);
            }

            p = q + 1;
            h->text = h->state;
            h->state = CONSENT_S_TEXT_LT;
            break;

        case CONSENT_S_PLAINTEXT:
            return lim;

        case CONSENT_S_TEXT_LT:
            c = (unsigned char) *p;

            if (c == '/') {
                if (h->in_style) {
                    (void) consent_html_style(h, p, p + 1);
                }

                p++;
                h->state = CONSENT_S_TEXT_END_TAG_OPEN;

            } else if (c == '!' && h->text == CONSENT_S_SCRIPT) {
                p++;
                h->state = CONSENT_S_SCRIPT_ESC_START;

            } else if (consent_html_alpha(c)
                       && h->text == CONSENT_S_SCRIPT_ESC)
            {
                h->k = 0;
                h->state = CONSENT_S_SCRIPT_DESC_START;

            } else {
                h->state = h->text;
            }

            break;

        case CONSENT_S_TEXT_END_TAG_OPEN:
            if (consent_html_alpha((unsigned char) *p)) {
                h->k = 0;
                h->state = CONSENT_S_TEXT_END_TAG_NAME;

            } else {
                h->state = h->text;
            }

            break;

        case CONSENT_S_TEXT_END_TAG_NAME:
            c = (unsigned char) *p;

            if (consent_html_alpha(c)) {
                if (h->k < h->text_tag_len
                    && consent_html_lower(c) == h->text_tag[h->k])
                {
                    if (h->in_style) {
                        (void) consent_html_style(h, p, p + 1);
                    }

                    h->k++;
                    p++;

                } else {
                    /* not the end tag: the rest is text */
                    h->state = h->text;
                }

                break;
            }

            if ((c == '>' || c == '/' || consent_html_space(c))
                && h->k == h->text_tag_len)
            {
                /* the appropriate end tag: the text element ends */
                p++;
                h->is_end = 1;
                h->from_text = 1;

                if (h->in_style) {
                    consent_html_style_end(h, p, h->css_lt);
                }

                if (h->region == CONSENT_R_LOOKAHEAD) {
                    consent_html_lookahead_done(h, h->la_lt, p);
                }

                if (c == '>') {
                    consent_html_tag_done(h, p, 0);

                } else {
                    h->state = (c == '/') ? CONSENT_S_SELF_CLOSING
                                          : CONSENT_S_BEFORE_ATTR_NAME;
                }

                break;
            }

            h->state = h->text;
            break;

        case CONSENT_S_SCRIPT_ESC_START:
            if (*p == '-') {
                p++;
                h->state = CONSENT_S_SCRIPT_ESC_START_DASH;

            } else {
                h->state = CONSENT_S_SCRIPT;
            }

            break;

        case CONSENT_S_SCRIPT_ESC_START_DASH:
            if (*p == '-') {
                p++;
                h->text = CONSENT_S_SCRIPT_ESC;
                h->state = CONSENT_S_SCRIPT_ESC_DASH_DASH;

            } else {
                h->state = CONSENT_S_SCRIPT;
            }

            break;

        case CONSENT_S_SCRIPT_ESC:
        case CONSENT_S_SCRIPT_ESC_DASH:
        case CONSENT_S_SCRIPT_ESC_DASH_DASH:
            s = h->state;

            while (p < lim) {
                c = (unsigned char) *p;

                if (c == '<') {
                    if (h->region == CONSENT_R_LOOKAHEAD) {
                        h->la_lt = consent_html_off(h, p);
                    }

                    p++;
                    h->text = CONSENT_S_SCRIPT_ESC;
                    s = CONSENT_S_TEXT_LT;
                    break;
                }

                p++;

                if (c == '-') {
                    s = (s == CONSENT_S_SCRIPT_ESC)
                        ? CONSENT_S_SCRIPT_ESC_DASH
                        : CONSENT_S_SCRIPT_ESC_DASH_DASH;

                } else if (c == '>' && s == CONSENT_S_SCRIPT_ESC_DASH_DASH) {
                    h->text = CONSENT_S_SCRIPT;
                    s = CONSENT_S_SCRIPT;
                    break;

                } else {
                    s = CONSENT_S_SCRIPT_ESC;
                }
            }

            h->state = s;
            break;

        case CONSENT_S_SCRIPT_DESC_START:
            c = (unsigned char) *p;

            if (c == '>' || c == '/' || consent_html_space(c)) {
                p++;
                h->state = (h->k == CONSENT_HTML_SCRIPT_LEN)
                           ? CONSENT_S_SCRIPT_DESC : CONSENT_S_SCRIPT_ESC;

            } else if (consent_html_alpha(c)
                       && h->k < CONSENT_HTML_SCRIPT_LEN
                       && consent_html_lower(c) == "script"[h->k])
            {
                p++;
                h->k++;

            } else {
                h->state = CONSENT_S_SCRIPT_ESC;
            }

            break;

        case CONSENT_S_SCRIPT_DESC:
        case CONSENT_S_SCRIPT_DESC_DASH:
        case CONSENT_S_SCRIPT_DESC_DASH_DASH:
            s = h->state;

            while (p < lim) {
                c = (unsigned char) *p++;

                if (c == '<') {
                    s = CONSENT_S_SCRIPT_DESC_LT;
                    break;
                }

                if (c == '-') {
                    s = (s == CONSENT_S_SCRIPT_DESC)
                        ? CONSENT_S_SCRIPT_DESC_DASH
                        : CONSENT_S_SCRIPT_DESC_DASH_DASH;

                } else if (c == '>' && s == CONSENT_S_SCRIPT_DESC_DASH_DASH) {
                    h->text = CONSENT_S_SCRIPT;
                    s = CONSENT_S_SCRIPT;
                    break;

                } else {
                    s = CONSENT_S_SCRIPT_DESC;
                }
            }

            h->state = s;
            break;

        case CONSENT_S_SCRIPT_DESC_LT:
            if (*p == '/') {
                p++;
                h->k = 0;
                h->state = CONSENT_S_SCRIPT_DESC_END;

            } else {
                h->state = CONSENT_S_SCRIPT_DESC;
            }

            break;

        case CONSENT_S_SCRIPT_DESC_END:
            c = (unsigned char) *p;

            if (c == '>' || c == '/' || consent_html_space(c)) {
                p++;
                h->state = (h->k == CONSENT_HTML_SCRIPT_LEN)
                           ? CONSENT_S_SCRIPT_ESC : CONSENT_S_SCRIPT_DESC;

            } else if (consent_html_alpha(c)
                       && h->k < CONSENT_HTML_SCRIPT_LEN
                       && consent_html_lower(c) == "script"[h->k])
            {
                p++;
                h->k++;

            } else {
                h->state = CONSENT_S_SCRIPT_DESC;
            }

            break;

        default:
            /* a state without a case: never guessed at as another one */
            consent_html_bad_state(h);
            return lim;
        }
    }

    return p;
}


/*
 * The walkers of a tag: consent_html_attrs(), consent_html_attrs_rec(),
 * consent_html_rec_walk(), consent_html_tag_end() and consent_html_skip()
 * repeat one another's steps and the rows of consent_html_next on
 * purpose: each is unrolled by hand for what it has to note, because
 * the scanner's instructions a byte matter (make bench-scan-callgrind).
 * Do not merge them; change them together: consent_html_walkcheck()
 * (t/unit/walk.c) names the walker that no longer agrees with the states.
 */


/*
 * The states of a tag after its name, from *s at p: the end of the tag
 * (after its '>'), with *s the state that saw it; or NULL at lim, with
 * *s the state there.
 */

static const char *
consent_html_attrs(int *sp, const char *p, const char *lim)
{
    int          s, n;
    const char  *q;

    s = *sp;

    while (p < lim) {

        switch (s) {

        case CONSENT_S_ATTR_VALUE_DQ:
        case CONSENT_S_ATTR_VALUE_SQ:
            q = memchr(p, s == CONSENT_S_ATTR_VALUE_DQ ? '"' : '\'',
                       (size_t) (lim - p));

            if (q == NULL) {
                *sp = s;
                return NULL;
            }

            /* the closing quote */
            p = q + 1;
            s = CONSENT_S_AFTER_ATTR_VALUE;
            continue;

        case CONSENT_S_ATTR_NAME:
        case CONSENT_S_ATTR_VALUE_UQ:
            /* what changes nothing is skipped */
            while (consent_html_class[(unsigned char) *p]
                   == CONSENT_HC_OTHER)
            {
                if (++p == lim) {
                    *sp = s;
                    return NULL;
                }
            }

            /* name="value": straight to the value */
            if (s == CONSENT_S_ATTR_NAME && *p == '=' && p + 1 < lim
                && (p[1] == '"' || p[1] == '\''))
            {
                s = (p[1] == '"') ? CONSENT_S_ATTR_VALUE_DQ
                                  : CONSENT_S_ATTR_VALUE_SQ;
                p += 2;
                continue;
            }

            break;

        default:
            break;
        }

        n = consent_html_tag_step(s, (unsigned char) *p++);

        if (n == CONSENT_S_TAG_END) {
            *sp = s;
            return p;
        }

        s = n;
    }

    *sp = s;

    return NULL;
}


/*
 * consent_html_attrs() for a tag that is to be parsed: the attributes
 * are noted in raw as consent_html_parse() would note them, so that it
 * does not walk the tag again.  A deliberate copy of consent_html_attrs()
 * (see there; t/unit/walk.c).
 */

static const char *
consent_html_attrs_rec(consent_html_t *h, int *sp, const char *p,
    const char *lim)
{
    int          s, ns;
    size_t       base;
    const char  *q, *start;

    /*
     * a tag, whole or cut by the end of the buffer, is noted in one walk
     * that can stop anywhere and go on in the next buffer; a long value
     * drained (the tag let go while it streams) goes by the states
     */
    if (h->region != CONSENT_R_DRAIN) {
        q = consent_html_rec_walk(h, p, lim, consent_html_off(h, p), sp);

        if (q != NULL) {
            h->rec_done = 1;
            h->rec_end = consent_html_off(h, q);
        }

        return q;
    }

    s = *sp;
    start = p;
    base = consent_html_off(h, p);

    while (p < lim) {
        if (s == CONSENT_S_ATTR_VALUE_DQ || s == CONSENT_S_ATTR_VALUE_SQ) {
            q = memchr(p, s == CONSENT_S_ATTR_VALUE_DQ ? '"' : '\'',
                       (size_t) (lim - p));

            if (q == NULL) {
                break;
            }

            p = q;

        } else if (s == CONSENT_S_ATTR_NAME || s == CONSENT_S_ATTR_VALUE_UQ)
        {
            while (consent_html_class[(unsigned char) *p]
                   == CONSENT_HC_OTHER)
            {
                if (++p == lim) {
                    *sp = s;
                    return NULL;
                }
            }
        }

        ns = consent_html_tag_step(s, (unsigned char) *p);

        if (ns == s) {
            p++;
            continue;
        }

        if (h->region == CONSENT_R_DRAIN) {
            /* the long value ends: the tag is held again after it */
            q = (s == CONSENT_S_ATTR_VALUE_UQ) ? p : p + 1;
            consent_html_drained(h, q);
            base = 0;
            start = q;
        }

        consent_html_rec_step(h, s, ns, base + (size_t) (p - start));
        p++;

        if (ns == CONSENT_S_TAG_END) {
            *sp = s;
            h->rec_done = 1;
            h->rec_end = base + (size_t) (p - start);
            return p;
        }

        s = ns;
    }

    *sp = s;

    return NULL;
}


/*
 * The states of a tag after its name followed by hand from *sp at p,
 * each noting what consent_html_rec_step() would note when it is entered
 * or left: the end of the tag (after its '>'), with *sp the state that
 * saw it; or NULL at lim, with *sp the state there and raw as the states
 * leave it, to go on from there in the next buffer.  base: the region
 * offset of p.  A deliberate copy of the other walkers (see
 * consent_html_attrs(); t/unit/walk.c).
 */

static const char *
consent_html_rec_walk(consent_html_t *h, const char *p, const char *lim,
    size_t base, int *sp)
{
    int                  s, quote;
    unsigned             k;
    const char          *q, *start;
    consent_html_raw_t  *r;

    start = p;
    s = *sp;
    r = (h->rec_cur < CONSENT_HTML_ATTRS_MAX) ? &h->raw[h->rec_cur] : NULL;
    quote = '"';

    /* before a name, after a value, after '/' (alike): a tag's start */
    if (s != CONSENT_S_BEFORE_ATTR_NAME && s != CONSENT_S_SELF_CLOSING
        && s != CONSENT_S_AFTER_ATTR_VALUE)
    {
        switch (s) {

        case CONSENT_S_ATTR_NAME:
            goto in_name;

        case CONSENT_S_AFTER_ATTR_NAME:
            goto after_name;

        case CONSENT_S_BEFORE_ATTR_VALUE:
            goto before_value;

        case CONSENT_S_ATTR_VALUE_SQ:
            quote = '\'';

            /* fall through */

        case CONSENT_S_ATTR_VALUE_DQ:
            goto in_quoted;

        default:
            goto in_unquoted;
        }
    }

between:

    for ( ;; ) {
        if (p == lim) {
            goto cut;
        }

        k = consent_html_class[(unsigned char) *p];

        if (k == CONSENT_HC_GT) {
            *sp = s;
            return p + 1;
        }

        if (k == CONSENT_HC_SPACE) {
            s = CONSENT_S_BEFORE_ATTR_NAME;

        } else if (k == CONSENT_HC_SLASH) {
            s = CONSENT_S_SELF_CLOSING;

        } else {
            break;
        }

        p++;
    }

name:

    /* an attribute begins; its first byte may be '=' or a quote */
    s = CONSENT_S_ATTR_NAME;

    if (h->nraw == CONSENT_HTML_ATTRS_MAX) {
        h->rec_over = 1;
        h->rec_cur = CONSENT_HTML_ATTRS_MAX;
        r = NULL;

    } else {
        h->rec_cur = h->nraw;
        r = &h->raw[h->nraw++];
        r->name_off = base + (size_t) (p - start);
        r->name_len = 0;
        r->has_value = 0;
        r->value_off = 0;
        r->value_len = 0;
    }

    p++;

in_name:

    /* anything but whitespace, '/', '>' and '=' goes on */
    for ( ;; ) {
        if (p == lim) {
            goto cut;
        }

        k = consent_html_class[(unsigned char) *p];

        if (k != CONSENT_HC_OTHER && k < CONSENT_HC_DQ) {
            break;
        }

        p++;
    }

    if (r != NULL) {
        r->name_len = base + (size_t) (p - start) - r->name_off;
    }

    /* and the whitespace after it */
    if (k == CONSENT_HC_SPACE) {
        s = CONSENT_S_AFTER_ATTR_NAME;
        p++;

    after_name:

        for ( ;; ) {
            if (p == lim) {
                goto cut;
            }

            k = consent_html_class[(unsigned char) *p];

            if (k != CONSENT_HC_SPACE) {
                break;
            }

            p++;
        }
    }

    switch (k) {

    case CONSENT_HC_SLASH:
        s = CONSENT_S_SELF_CLOSING;
        p++;
        goto between;

    case CONSENT_HC_GT:
        *sp = s;
        return p + 1;

    case CONSENT_HC_EQ:
        break;

    default:
        /* another attribute */
        goto name;
    }

    /* '=': a value, from after it until it is seen to begin */
    if (r != NULL) {
        r->has_value = 1;
        r->value_off = base + (size_t) (p - start) + 1;
    }

    s = CONSENT_S_BEFORE_ATTR_VALUE;
    p++;

before_value:

    for ( ;; ) {
        if (p == lim) {
            goto cut;
        }

        k = consent_html_class[(unsigned char) *p];

        if (k != CONSENT_HC_SPACE) {
            break;
        }

        p++;
    }

    if (k == CONSENT_HC_GT) {
        *sp = s;
        return p + 1;
    }

    if (k == CONSENT_HC_DQ || k == CONSENT_HC_SQ) {
        if (r != NULL) {
            r->value_off = base + (size_t) (p - start) + 1;
        }

        if (k == CONSENT_HC_DQ) {
            s = CONSENT_S_ATTR_VALUE_DQ;
            quote = '"';

        } else {
            s = CONSENT_S_ATTR_VALUE_SQ;
            quote = '\'';
        }

        p++;

    in_quoted:

        q = consent_html_near(p, lim, quote);

        if (q == NULL) {
            goto cut;
        }

        if (r != NULL) {
            r->value_len = base + (size_t) (q - start) - r->value_off;
        }

        s = CONSENT_S_AFTER_ATTR_VALUE;
        p = q + 1;
        goto between;
    }

    /* an unquoted value, up to whitespace or '>' */
    if (r != NULL) {
        r->value_off = base + (size_t) (p - start);
    }

    s = CONSENT_S_ATTR_VALUE_UQ;
    p++;

in_unquoted:

    for ( ;; ) {
        if (p == lim) {
            goto cut;
        }

        k = consent_html_class[(unsigned char) *p];

        if (k == CONSENT_HC_SPACE || k == CONSENT_HC_GT) {
            break;
        }

        p++;
    }

    if (r != NULL) {
        r->value_len = base + (size_t) (p - start) - r->value_off;
    }

    if (k == CONSENT_HC_GT) {
        *sp = s;
        return p + 1;
    }

    s = CONSENT_S_BEFORE_ATTR_NAME;
    p++;
    goto between;

cut:

    *sp = s;

    return NULL;
}


#if (CONSENT_HTML_CHECKS)

/*
 * consent_html_rec_walk() from before an attribute name, or after '/'
 * (*sc set), as consent_html_walkcheck() checks it: with *sc, whether
 * the '>' ended a self-closing tag.  A tag of up to 256 bytes is also
 * walked cut in two at each byte, the second part from the state and
 * the notes the first left, and must end and be noted alike; when it
 * is not, the answer is made wrong on purpose (NULL for a tag that
 * ends, p for one that does not) so that the check names this walker.
 */

static const char *
consent_html_rec_tag(consent_html_t *h, const char *p, const char *lim,
    size_t base, int *sc)
{
    int                  s0, s, s2;
    size_t               j, n, nraw;
    unsigned             over;
    const char          *q, *q2;
    consent_html_raw_t   raw[CONSENT_HTML_ATTRS_MAX];

    s0 = *sc ? CONSENT_S_SELF_CLOSING : CONSENT_S_BEFORE_ATTR_NAME;
    s = s0;

    q = consent_html_rec_walk(h, p, lim, base, &s);

    *sc = (s == CONSENT_S_SELF_CLOSING);

    n = (size_t) (lim - p);

    if (n > 256) {
        return q;
    }

    nraw = h->nraw;
    over = h->rec_over;
    memcpy(raw, h->raw, nraw * sizeof(consent_html_raw_t));

    for (j = 0; j <= n; j++) {
        h->nraw = 0;
        h->rec_over = 0;
        h->rec_cur = CONSENT_HTML_ATTRS_MAX;
        s2 = s0;

        q2 = consent_html_rec_walk(h, p, p + j, base, &s2);

        if (q2 == NULL && j < n) {
            q2 = consent_html_rec_walk(h, p + j, lim, base + j, &s2);
        }

        if (q2 != q || s2 != s || h->nraw != nraw
            || h->rec_over != over
            || memcmp(h->raw, raw, nraw * sizeof(consent_html_raw_t)) != 0)
        {
            return (q == NULL) ? p : NULL;
        }
    }

    return q;
}

#endif


/* what consent_html_parse() notes where the state changes at offset i */

static void
consent_html_rec_step(consent_html_t *h, int s, int ns, size_t i)
{
    consent_html_raw_t  *r;

    r = (h->rec_cur < CONSENT_HTML_ATTRS_MAX) ? &h->raw[h->rec_cur] : NULL;

    /* the end of what the state was in */
    if (r != NULL) {
        if (s == CONSENT_S_ATTR_NAME) {
            r->name_len = i - r->name_off;

        } else if (s == CONSENT_S_ATTR_VALUE_DQ
                   || s == CONSENT_S_ATTR_VALUE_SQ
                   || s == CONSENT_S_ATTR_VALUE_UQ)
        {
            r->value_len = i - r->value_off;
        }
    }

    /* the beginning of what it becomes */
    switch (ns) {

    case CONSENT_S_ATTR_NAME:
        if (h->nraw == CONSENT_HTML_ATTRS_MAX) {
            h->rec_over = 1;
            h->rec_cur = CONSENT_HTML_ATTRS_MAX;

        } else {
            h->rec_cur = h->nraw;
            r = &h->raw[h->nraw++];
            r->name_off = i;
            r->name_len = 0;
            r->has_value = 0;
            r->value_off = 0;
            r->value_len = 0;
        }

        break;

    case CONSENT_S_BEFORE_ATTR_VALUE:
        if (r != NULL) {
            r->has_value = 1;
            r->value_off = i + 1;
        }

        break;

    case CONSENT_S_ATTR_VALUE_DQ:
    case CONSENT_S_ATTR_VALUE_SQ:
        if (r != NULL && s == CONSENT_S_BEFORE_ATTR_VALUE) {
            r->value_off = i + 1;
        }

        break;

    case CONSENT_S_ATTR_VALUE_UQ:
        if (r != NULL) {
            r->value_off = i;
        }

        break;

    default:
        break;
    }
}


/*
 * Whether consent_html_skip() may pass over what follows a '<' in text:
 * nothing is held (it keeps no region), no foreign content is open (its
 * elements are counted apart and its tags can end differently) and no
 * injection is pending (the states must see the tag it goes after).
 * Nor may an observer be set (consent_html_scan() checks that once a
 * buffer: every token is then made by the states).
 */

static int
consent_html_skip_may(consent_html_t *h)
{
    return h->region == CONSENT_R_NONE && h->fdepth == 0 && h->fover == 0
           && (h->conf.head == NULL || h->stats.head_injected
               || !h->stats.document);
}


/*
 * Tags of no interest from q (a '<'), and the text between them, passed
 * over at once with the same steps and the same effects as the states
 * they would go through: the '<' of the first tag that is to be followed
 * through the states, or NULL when the text after the last one reaches
 * lim.  The caller makes sure of consent_html_skip_may(); none of that
 * changes here.  What
 * the states would leave of the last tag is left once, at the end.  A
 * deliberate copy of the other walkers (see consent_html_attrs();
 * t/unit/walk.c).
 */

static const char *
consent_html_skip(consent_html_t *h, const char *q, const char *lim)
{
    int                         end, marks;
    size_t                      len, slot, name_end;
    unsigned                    c, first, flags, names;
    uint32_t                    hash;
    const char                 *p, *n, *last_q;
    const consent_html_name_t  *known;
#if (CONSENT_HTML_SSE2)
    uint64_t                    lts;
    const char                 *blk, *seen, *next;

    /*
     * The '<' after the current one come from masks of 64 bytes, made
     * one after another apart from where each tag ends: the next tag
     * can be read while the end of this one is still being looked for
     */
    blk = q;
    seen = q;
    lts = 0;
#endif

    consent_html_assert(consent_html_skip_may(h) && h->observe == NULL);

    last_q = NULL;
    name_end = 0;

    for ( ;; ) {
        p = q + 1;

        if (p == lim) {
            break;
        }

        end = (*p == '/');
        p += end;

        if (p == lim) {
            break;
        }

        /* a letter begins a name */
        first = consent_html_nm[(unsigned char) *p] - 'a';

        if (first >= 26) {
            break;
        }

        /* the name, up to whitespace, '/' or '>', as the name state has it */
        n = p;
        hash = 2166136261u;

        for ( ;; ) {
            c = consent_html_nm[(unsigned char) *p];

            if (c == 0 && *p != '\0') {
                break;
            }

            hash = (hash ^ c) * 16777619;

            if (++p == lim) {
                goto done;
            }
        }

        len = (size_t) (p - n);

        /*
         * most names are not in the table, and of those that are, most
         * change nothing here but the count (p, li): their first letter
         * and length are not looked up
         */
        known = NULL;

        if (len < 16 && ((end ? consent_html_look_end[first]
                              : consent_html_look[first])
                         & (1u << len)))
        {
            /* a one-letter name is its bucket's only one (<a>) */
            known = (len == 1)
                    ? &consent_html_names[consent_html_bucket[first][1] - 1]
                    : consent_html_find_raw(n, len);
        }
        flags = 0;
        marks = 0;

        if (known != NULL) {
            if (consent_html_stops(known)) {
                goto done;
            }

            flags = known->flags;

            if (!end && (flags & (CONSENT_N_RAW | CONSENT_N_RC))) {
                goto done;
            }

            /*
             * an element that may load something is held and judged,
             * unless every category is granted: then only a mark can
             * gate it
             */
            marks = !end && known->el != CONSENT_EL_OTHER;

            if (marks && !h->all_granted && !(flags & CONSENT_N_MAYBE)) {
                goto done;
            }
        }

        names = 0;

        if (*p++ != '>') {
            p = consent_html_tag_end(p, lim, &names);

            if (p == NULL) {
                goto done;
            }
        }

        /*
         * any other element (and an <a>, a <td>...: the table's that load
         * by one attribute): a url() in its style= can load
         */
        if ((names & CONSENT_HTML_A_STYLE) && !end
            && (!marks || (flags & CONSENT_N_MAYBE)) && h->css
            && consent_html_css_maybe(q, p))
        {
            goto done;
        }

        /*
         * an <a>, a <td>...: only with its attribute that loads (and a
         * mark, when a mark alone can gate)
         */
        if (marks && (flags & CONSENT_N_MAYBE)) {
            if ((names & consent_html_maybe(known))
                && (!h->all_granted || (names & CONSENT_HTML_A_MARK)))
            {
                goto done;
            }

        } else if (marks && (names & CONSENT_HTML_A_MARK)) {
            goto done;
        }

        slot = (hash ^ (hash >> 16)) % CONSENT_HTML_OPEN_SLOTS;

        if (end) {
            if (h->hopen[slot] > 0) {
                h->hopen[slot]--;
            }

        } else if (!(flags & CONSENT_N_VOID) && h->hopen[slot] < 255) {
            h->hopen[slot]++;
        }

        /* the last one's name is read again at the end, not kept */
        last_q = q;

        /* as the states have it: a long name is let go before it ends */
        if (!end && len <= CONSENT_HTML_KEEP_MAX) {
            name_end = (size_t) (n + len - q);
        }

#if (CONSENT_HTML_SSE2)

        /* the first '<' at or after the tag's end */
        for ( ;; ) {
            if (lts != 0) {
                next = blk + __builtin_ctzll(lts);
                lts &= lts - 1;

                if (next >= p) {
                    break;
                }

                continue;
            }

            /* the next 64 bytes not yet looked at, or from the end on */
            blk = (p - seen >= 64) ? p : seen;

            if (lim - blk < 64) {
                next = NULL;
                break;
            }

            seen = blk + 64;
            lts = consent_html_lt64(blk);
        }

        q = (next != NULL) ? next
                           : consent_html_near(p > seen ? p : seen, lim, '<');

#else
        q = consent_html_near(p, lim, '<');
#endif

        if (q == NULL) {
            break;
        }
    }

done:

    if (last_q != NULL) {
        end = (last_q[1] == '/');
        n = last_q + 1 + end;
        hash = 2166136261u;

        /* it ended before lim, at whitespace, '/' or '>' */
        for (p = n; (c = consent_html_nm[(unsigned char) *p]) != 0
                    || *p == '\0'; p++)
        {
            hash = (hash ^ c) * 16777619;

            if (p - n < CONSENT_HTML_NAME_MAX) {
                h->name[p - n] = (char) c;
            }
        }

        len = (size_t) (p - n);

        h->is_end = end;
        h->name_len = len;
        h->name_hash = hash;
        h->known = (len - 1 < CONSENT_HTML_KEEP_MAX)
                   ? consent_html_find_raw(n, len) : NULL;
        h->mark = last_q;
        h->name_end = name_end;

        consent_html_skipped(h);
    }

    return q;
}


/* the names that change more than the count of open elements */

static int
consent_html_stops(const consent_html_name_t *n)
{
    switch (n->id) {

    case CONSENT_ID_HTML:
    case CONSENT_ID_HEAD:
    case CONSENT_ID_BODY:
    case CONSENT_ID_SCRIPT:
    case CONSENT_ID_PLAINTEXT:
    case CONSENT_ID_SVG:
    case CONSENT_ID_MATH:
    case CONSENT_ID_FRAMESET:
    case CONSENT_ID_NOSCRIPT:
        return 1;

    default:
        return 0;
    }
}


/*
 * consent_html_attrs() from before an attribute name (after whitespace
 * or '/') to the end of the tag, for a tag that is passed over: only its
 * end matters, and the names of its attributes that say it must be held
 * after all (*seen: CONSENT_HTML_A_*).  The states that go on alike are
 * one here: before a name, after a value and after '/' (their rows of
 * consent_html_next agree).  NULL: the end is not before lim.
 * consent_html_rec_walk() follows the same states and notes the
 * attributes; without a note to take, this walk costs less (callgrind),
 * so both are kept, and consent_html_walkcheck() (t/unit/walk.c) and
 * the html fuzz harness check that they and the states agree.
 */

static const char *
consent_html_tag_end(const char *p, const char *lim, unsigned *seen)
{
    unsigned     k;
    const char  *q, *n;

between:

    /* before an attribute name, after a value, after '/' */
    for ( ;; ) {
        if (p == lim) {
            return NULL;
        }

        k = consent_html_class[(unsigned char) *p];

        if (k == CONSENT_HC_GT) {
            return p + 1;
        }

        if (k != CONSENT_HC_SPACE && k != CONSENT_HC_SLASH) {
            break;
        }

        p++;
    }

name:

    /* an attribute name: its first byte may be '=', then up to '=' */
    n = p;

    do {
        if (++p == lim) {
            return NULL;
        }

        k = consent_html_class[(unsigned char) *p];

    } while (k == CONSENT_HC_OTHER || k >= CONSENT_HC_DQ);

    *seen |= consent_html_aname(n, (size_t) (p - n));

    /* and the whitespace after it */
    while (k == CONSENT_HC_SPACE) {
        if (++p == lim) {
            return NULL;
        }

        k = consent_html_class[(unsigned char) *p];
    }

    switch (k) {

    case CONSENT_HC_SLASH:
        p++;
        goto between;

    case CONSENT_HC_GT:
        return p + 1;

    case CONSENT_HC_EQ:
        break;

    default:
        /* another attribute */
        goto name;
    }

    /* before the value */
    do {
        if (++p == lim) {
            return NULL;
        }

        k = consent_html_class[(unsigned char) *p];

    } while (k == CONSENT_HC_SPACE);

    if (k == CONSENT_HC_GT) {
        return p + 1;
    }

    if (k == CONSENT_HC_DQ || k == CONSENT_HC_SQ) {
        q = consent_html_near(p + 1, lim, (k == CONSENT_HC_DQ) ? '"' : '\'');

        if (q == NULL) {
            return NULL;
        }

        p = q + 1;
        goto between;
    }

    /* an unquoted value, up to whitespace or '>' */
    for ( ;; ) {
        if (++p == lim) {
            return NULL;
        }

        k = consent_html_class[(unsigned char) *p];

        if (k == CONSENT_HC_GT) {
            return p + 1;
        }

        if (k == CONSENT_HC_SPACE) {
            p++;
            goto between;
        }
    }
}


/* the attribute names a tag passed over is looked at for */

static unsigned
consent_html_aname(const char *s, size_t len)
{
    switch (len) {

    case 3:
        return consent_html_ieq(s, "src", 3) ? CONSENT_HTML_A_SRC : 0;

    case 4:
        return consent_html_ieq(s, "ping", 4) ? CONSENT_HTML_A_PING : 0;

    case 5:
        return consent_html_ieq(s, "style", 5) ? CONSENT_HTML_A_STYLE : 0;

    case 10:
        if (consent_html_ieq(s, "background", 10)) {
            return CONSENT_HTML_A_BG;
        }

        if (consent_html_ieq(s, "http-equiv", 10)) {
            return CONSENT_HTML_A_EQUIV;
        }

        break;

    default:
        break;
    }

    /* data-consent, data-cookieconsent, data-category... */
    return (len >= 6 && consent_html_ieq(s, "data-c", 6))
           ? CONSENT_HTML_A_MARK : 0;
}


/*
 * memchr() for a byte that is usually near (the end of a short value;
 * the next tag, in the last 64 bytes of a buffer or without SSE2): the
 * first 16 bytes are looked at in place, without a call, where the
 * compiler has SSE2
 */

static const char *
consent_html_near(const char *p, const char *lim, int c)
{
#if (CONSENT_HTML_SSE2)
    int      m;
    __m128i  v;

    if (lim - p >= 16) {
        v = _mm_loadu_si128((const __m128i *) (const void *) p);
        m = _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8((char) c)));

        if (m != 0) {
            return p + __builtin_ctz((unsigned) m);
        }

        p += 16;
    }
#endif

    return memchr(p, c, (size_t) (lim - p));
}


#if (CONSENT_HTML_SSE2)

/* bit i: p[i] is '<', for 64 bytes */

static uint64_t
consent_html_lt64(const char *p)
{
    __m128i   lt;
    uint64_t  m0, m1, m2, m3;

    lt = _mm_set1_epi8('<');

    m0 = (unsigned) _mm_movemask_epi8(_mm_cmpeq_epi8(
             _mm_loadu_si128((const __m128i *) (const void *) p), lt));
    m1 = (unsigned) _mm_movemask_epi8(_mm_cmpeq_epi8(
             _mm_loadu_si128((const __m128i *) (const void *) (p + 16)), lt));
    m2 = (unsigned) _mm_movemask_epi8(_mm_cmpeq_epi8(
             _mm_loadu_si128((const __m128i *) (const void *) (p + 32)), lt));
    m3 = (unsigned) _mm_movemask_epi8(_mm_cmpeq_epi8(
             _mm_loadu_si128((const __m128i *) (const void *) (p + 48)), lt));

    return m0 | (m1 << 16) | (m2 << 32) | (m3 << 48);
}

#endif


/* what every tag passed over leaves, once after a run of them */

static void
consent_html_skipped(consent_html_t *h)
{
    h->from_text = 0;
    h->el = CONSENT_EL_OTHER;
    h->svg = 0;
    h->special = 0;
    h->hold_len = 0;
    h->state = CONSENT_S_DATA;
}


/*
 * The attribute by which an element that loads only by one attribute
 * (an <a ping>, a <td background>, an <input type=image src>, a
 * <meta http-equiv=refresh>) loads: a tag passed over without it is of
 * no interest (a mark alone does not make it load)
 */

static unsigned
consent_html_maybe(const consent_html_name_t *n)
{
    switch (n->el) {

    case CONSENT_HTML_EL_PING:
        return CONSENT_HTML_A_PING;

    case CONSENT_HTML_EL_BG:
        return CONSENT_HTML_A_BG;

    case CONSENT_HTML_EL_INPUT:
        return CONSENT_HTML_A_SRC;

    case CONSENT_HTML_EL_META:
        return CONSENT_HTML_A_EQUIV;

    default:
        return ~0u;
    }
}


/* s[0..len) is the lower-case lit, ASCII case aside */

static int
consent_html_ieq(const char *s, const char *lit, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        if (((unsigned char) s[i] | 0x20) != (unsigned char) lit[i]) {
            return 0;
        }
    }

    return 1;
}


/* '<' followed by c, not a letter nor '/' */

static void
consent_html_tag_open(consent_html_t *h, const char *p, int c)
{
    if (c == '!' && h->noscript && h->region != CONSENT_R_LOOKAHEAD) {
        /* a comment in <noscript> does not hide its end: text, here */
        consent_html_release(h);
        h->state = CONSENT_S_DATA;
        return;
    }

    if (c == '!') {
        h->k = 0;
        h->decl = CONSENT_DECL_DASH | CONSENT_DECL_DOCTYPE;

        /* CDATA sections exist only in foreign content */
        if ((h->fdepth > 0
             && !(h->stack[h->fdepth - 1].flags & CONSENT_F_HTML))
            || h->fover > 0)
        {
            h->decl |= CONSENT_DECL_CDATA;
        }

        h->state = CONSENT_S_MARKUP_DECL;

        /* in an SVG script's text, wait: a CDATA section is text */
        if (h->region != CONSENT_R_LOOKAHEAD) {
            consent_html_keep(h);
        }

        return;
    }

    if (c == '?') {
        if (h->region == CONSENT_R_LOOKAHEAD) {
            consent_html_lookahead_cut(h, p);
        }

        /* the '?' is part of the comment */
        h->bogus_off = 1;
        h->state = CONSENT_S_BOGUS_COMMENT;
        consent_html_keep(h);
        return;
    }

    /* a '<' of text */
    if (h->region != CONSENT_R_LOOKAHEAD) {
        consent_html_release(h);
    }

    h->state = CONSENT_S_DATA;
}


/* p: the name's first letter */

static void
consent_html_tag_begin(consent_html_t *h, const char *p, int end)
{
    if (h->region == CONSENT_R_LOOKAHEAD) {
        /* a tag ends an SVG script's text; it is held on its own */
        consent_html_lookahead_cut(h, p);
    }

    h->is_end = end;
    h->from_text = 0;
    h->resumed = 0;
    h->rec = 0;
    h->name_len = 0;
    h->name_hash = 2166136261u;
    h->known = NULL;
    h->el = CONSENT_EL_OTHER;
    h->svg = 0;
    h->special = 0;
    h->state = CONSENT_S_TAG_NAME;
}


/*
 * The tag's name is known (complete), or known to be long (partial):
 * what the page is, whether to inject before it, whether to hold it.
 */

static void
consent_html_named(consent_html_t *h, const char *p, int complete)
{
    int       id, broke;
    size_t    depth;
    unsigned  ns;

    id = CONSENT_ID_OTHER;

    if (complete) {
        consent_html_lookup(h);
        id = consent_html_id(h);

        if (id == CONSENT_ID_HTML || id == CONSENT_ID_HEAD
            || id == CONSENT_ID_BODY)
        {
            h->stats.document = 1;
        }
    }

    if (!h->is_end) {
        if (complete && h->region != CONSENT_R_NONE) {
            h->name_end = consent_html_off(h, p);
        }

        /* the head snippet goes before what would start the head */
        if (h->conf.head != NULL && !h->stats.head_injected
            && h->stats.document && id != CONSENT_ID_HTML
            && id != CONSENT_ID_HEAD)
        {
            consent_html_inject(h, 0);
        }

        if (complete && h->known != NULL) {
            ns = consent_html_dispatch(h, 0, &depth, &broke);

            if (ns == CONSENT_NS_HTML) {
                h->el = h->known->el;

                /*
                 * a frameset page drops a banner; after a <body> tag the
                 * parser ignores a <frameset>
                 */
                if (id == CONSENT_ID_BODY) {
                    h->body = 1;

                } else if (id == CONSENT_ID_FRAMESET && !h->body) {
                    h->frameset = 1;
                }

            } else if (ns == CONSENT_F_SVG && id == CONSENT_ID_SCRIPT) {
                h->el = CONSENT_EL_SCRIPT;
                h->svg = 1;

            } else if (ns == CONSENT_F_SVG && id == CONSENT_ID_IMAGE) {
                h->el = CONSENT_EL_IMG;
                h->svg = 1;

            } else if (ns == CONSENT_F_SVG
                       && (id == CONSENT_ID_USE || id == CONSENT_ID_FEIMAGE))
            {
                h->el = CONSENT_HTML_EL_SVGREF;
                h->svg = 1;

            } else if (ns == CONSENT_F_SVG
                       && (id == CONSENT_ID_SET || id == CONSENT_ID_ANIMATE))
            {
                h->el = CONSENT_HTML_EL_SVGANIM;
                h->svg = 1;
            }

            /* their attributes decide what the tree becomes */
            h->special = ns != CONSENT_NS_HTML
                         && (id == CONSENT_ID_FONT
                             || (ns == CONSENT_F_MATH
                                 && id == CONSENT_ID_AXML));
        }

    } else if (id == CONSENT_ID_BODY && h->conf.banner != NULL
               && !h->stats.banner_injected && !h->frameset)
    {
        consent_html_inject(h, 1);
    }

    if (h->region != CONSENT_R_TENTATIVE) {
        return;
    }

    /* any other start tag may load by a url() in its style= */
    if (complete && h->el == CONSENT_EL_OTHER && !h->special && !h->is_end
        && h->css)
    {
        h->el = CONSENT_HTML_EL_CSS;
    }

    if (h->el != CONSENT_EL_OTHER || h->special) {
        h->region = CONSENT_R_TAG;
        return;
    }

    if (h->observe != NULL) {
        h->region = CONSENT_R_OBSERVE;
        return;
    }

    consent_html_release(h);
}


/* the '>' of a tag; p is after it */

static void
consent_html_tag_done(consent_html_t *h, const char *p, int self_closing)
{
    int          parsed;
    size_t       n;
    const char  *t;

    h->state = CONSENT_S_DATA;

    if (h->from_text) {
        /* the end tag of a text element: its attributes do not count */
        h->from_text = 0;

        if (h->observe != NULL) {
            h->observe(h->observe_ctx, CONSENT_TOKEN_END_TAG, h->text_tag,
                       h->text_tag_len, NULL, 0, 0);
        }

        return;
    }

    parsed = 0;

    if (h->region == CONSENT_R_DRAIN) {
        /* not expected: a drained value ends before its tag */
        h->region = CONSENT_R_NONE;

    } else if (h->region == CONSENT_R_FAIL) {
        consent_html_fail_walk(h, h->mark, (size_t) (p - h->mark), 1);
        h->out = p;
        h->mark = p;
        h->region = CONSENT_R_NONE;
    }

    if (h->region == CONSENT_R_TAG || h->region == CONSENT_R_OBSERVE) {
        n = consent_html_off(h, p);

        if (h->region == CONSENT_R_TAG && n > h->tag_max) {
            if (consent_html_judged(h)) {
                /* long values that load nothing are let go first */
                if (consent_html_long(h, p, 1) != 0) {
                    consent_html_fail(h, p, "a tag over tag_max");
                }

            } else {
                consent_html_release(h);
            }
        }

        if (h->region == CONSENT_R_TAG || h->region == CONSENT_R_OBSERVE) {
            t = consent_html_text(h, p, &n);

            if (h->el == CONSENT_HTML_EL_CSS && h->observe == NULL
                && t != NULL && !consent_html_css_maybe(t, t + n))
            {
                /* no url() in it: nothing to judge (as the skip has it) */
                consent_html_release(h);

            } else if (t != NULL && consent_html_passable(h, t, n)) {
                /* a tag the skip passes over when it is in one buffer */
                consent_html_release(h);

            } else if (t != NULL && consent_html_parse(h, t, n) == 0) {
                parsed = 1;

            } else if (h->region == CONSENT_R_TAG && consent_html_judged(h))
            {
                /* too many attributes to judge: fail closed */
                consent_html_fail(h, p, "too many attributes to judge");
            }
        }
    }

    h->rec = 0;

    if (parsed && h->observe != NULL) {
        h->observe(h->observe_ctx,
                   h->is_end ? CONSENT_TOKEN_END_TAG : CONSENT_TOKEN_START_TAG,
                   h->dname, h->dname_len, h->is_end ? NULL : h->attrs,
                   h->is_end ? 0 : h->nattrs, self_closing);
    }

    if (h->is_end) {
        consent_html_end_tag(h);
        consent_html_release(h);
        return;
    }

    consent_html_start_tag(h, self_closing, parsed);

    if (parsed && h->region == CONSENT_R_TAG && h->el != CONSENT_EL_OTHER) {
        consent_html_classify(h, p, self_closing);

    } else {
        consent_html_release(h);
    }

    if (consent_html_id(h) == CONSENT_ID_HEAD && h->conf.head != NULL
        && !h->stats.head_injected)
    {
        consent_html_input(h, h->out, p);
        h->out = p;
        consent_html_inject(h, 0);
    }

    /*
     * the banner right after the first <body> tag, so that it is painted
     * with the page's first frame; that tag also tells the parser to
     * ignore any later <frameset>, which an implied body does not
     */
    if (consent_html_id(h) == CONSENT_ID_BODY && h->body
        && h->conf.banner != NULL && !h->stats.banner_injected
        && !h->frameset)
    {
        consent_html_input(h, h->out, p);
        h->out = p;
        consent_html_inject(h, 1);
    }
}


/*
 * Whether consent_html_skip() would have passed over the held start tag
 * t of n bytes, an element that may load, had it been whole in one
 * buffer: the same decision, from the attribute names the states noted
 * on the way (a tag cut by the end of a buffer comes here; judging it
 * would change nothing, at the cost of parsing it)
 */

static int
consent_html_passable(consent_html_t *h, const char *t, size_t n)
{
    size_t                      i;
    unsigned                    names, flags;
    const consent_html_name_t  *known;

    known = h->known;

    if (h->region != CONSENT_R_TAG || h->observe != NULL || h->is_end
        || known == NULL || known->el == CONSENT_EL_OTHER
        || h->el != known->el || h->svg || h->special || h->resumed
        || !h->rec || !h->rec_done || h->rec_end != n || h->rec_over
        || n > h->tag_max || h->fdepth != 0 || h->fover != 0
        || (h->conf.head != NULL && !h->stats.head_injected
            && h->stats.document)
        || consent_html_stops(known)
        || (known->flags & (CONSENT_N_RAW | CONSENT_N_RC)))
    {
        return 0;
    }

    flags = known->flags;

    if (!h->all_granted && !(flags & CONSENT_N_MAYBE)) {
        return 0;
    }

    names = 0;

    for (i = 0; i < h->nraw; i++) {
        names |= consent_html_aname(t + h->raw[i].name_off,
                                    h->raw[i].name_len);
    }

    if (flags & CONSENT_N_MAYBE) {
        if ((names & CONSENT_HTML_A_STYLE) && h->css
            && consent_html_css_maybe(t, t + n))
        {
            return 0;
        }

        return !((names & consent_html_maybe(known))
                 && (!h->all_granted || (names & CONSENT_HTML_A_MARK)));
    }

    return !(names & CONSENT_HTML_A_MARK);
}


/* a start tag's effect on the tokenizer and the foreign stack */

static void
consent_html_start_tag(consent_html_t *h, int self_closing, int parsed)
{
    int                    id, font_breaks, axml_html, broke;
    size_t                 i, depth;
    unsigned               ns, flags, nflags;
    const consent_attr_t  *a;

    id = consent_html_id(h);
    nflags = consent_html_flags(h);
    font_breaks = 0;
    axml_html = 0;

    /* only a font and an annotation-xml are judged by their attributes */
    if (id != CONSENT_ID_FONT && id != CONSENT_ID_AXML) {
        parsed = 0;
    }

    for (i = 0; parsed && i < h->nattrs; i++) {
        a = &h->attrs[i];

        if (consent_html_is(a->name, a->name_len, "color")
            || consent_html_is(a->name, a->name_len, "face")
            || consent_html_is(a->name, a->name_len, "size"))
        {
            font_breaks = 1;
        }

        if (consent_html_is(a->name, a->name_len, "encoding")
            && (consent_html_is(a->value, a->value_len, "text/html")
                || consent_html_is(a->value, a->value_len,
                                   "application/xhtml+xml")))
        {
            axml_html = 1;
        }
    }

    ns = consent_html_dispatch(h, font_breaks, &depth, &broke);

    if (broke) {
        h->fdepth = depth;
        h->fover = 0;
    }

    if (ns != CONSENT_NS_HTML) {
        if (self_closing) {
            return;
        }

        flags = ns;

        if (ns == CONSENT_F_SVG && (nflags & CONSENT_N_SVGIP)) {
            flags |= CONSENT_F_HTML_IP;
        }

        if (ns == CONSENT_F_MATH) {
            if (nflags & CONSENT_N_MTEXT) {
                flags |= CONSENT_F_MTEXT_IP;

            } else if (id == CONSENT_ID_AXML) {
                flags |= CONSENT_F_AXML;

                if (axml_html) {
                    flags |= CONSENT_F_HTML_IP;
                }
            }
        }

        consent_html_push(h, flags);
        return;
    }

    if (id == CONSENT_ID_SVG || id == CONSENT_ID_MATH) {
        if (!self_closing) {
            consent_html_push(h, id == CONSENT_ID_SVG ? CONSENT_F_SVG
                                                      : CONSENT_F_MATH);
        }

        return;
    }

    /*
     * in a frameset page, the tree builder ignores every start tag but
     * <frameset>, <frame> and <noframes>: none switches the tokenizer
     * (<frameset><xmp><frame src=...> loads the frame)
     */
    /*
     * <noscript> is read as markup, as a browser without scripts does;
     * to one with scripts its content is text up to </noscript>, and a
     * <style>, a <textarea> or a comment opened in it does not hide
     * what follows that: in it, nothing switches the tokenizer
     */
    if (id == CONSENT_ID_NOSCRIPT && h->fdepth == 0 && h->fover == 0) {
        h->noscript = 1;
    }

    /* the HTML elements whose content is text */
    if ((h->frameset && id != CONSENT_ID_NOFRAMES) || h->noscript) {
        /* none */

    } else if (id == CONSENT_ID_SCRIPT) {
        h->state = CONSENT_S_SCRIPT;

    } else if (id == CONSENT_ID_PLAINTEXT) {
        h->state = CONSENT_S_PLAINTEXT;

    } else if (nflags & CONSENT_N_RAW) {
        h->state = CONSENT_S_RAWTEXT;

    } else if (nflags & CONSENT_N_RC) {
        h->state = CONSENT_S_RCDATA;
    }

    if (h->state != CONSENT_S_DATA) {
        h->text_tag = h->known->name;
        h->text_tag_len = h->known->len;
        h->text = h->state;

        /* a stylesheet: the URLs it fetches are judged as it streams */
        if (id == CONSENT_ID_STYLE && h->css) {
            h->in_style = 1;
            h->css_fresh = 1;
        }

        return;
    }

    /* HTML inside an integration point is tracked to find its end */
    if ((h->fdepth > 0 || h->fover > 0) && !(nflags & CONSENT_N_VOID)) {
        consent_html_push(h, CONSENT_F_HTML);
        return;
    }

    /* outside, it is only counted */
    if (h->fdepth == 0 && h->fover == 0 && !(nflags & CONSENT_N_VOID)
        && h->hopen[consent_html_slot(h)] < 255)
    {
        h->hopen[consent_html_slot(h)]++;
    }
}


/*
 * An end tag's effect on the foreign stack, as the HTML Standard's "any
 * other end tag" in foreign content has it: the foreign elements are
 * walked from the innermost, and one of the same name is closed with
 * all it holds; past the first HTML element (or out of the tracked
 * stack) the HTML rules take over, which close an HTML element of that
 * name but stop at an integration point.  An end tag that matches
 * nothing is ignored, and the foreign content goes on.
 */

static void
consent_html_end_tag(consent_html_t *h)
{
    int       id;
    size_t    d, e;
    unsigned  flags, f;

    if (consent_html_id(h) == CONSENT_ID_NOSCRIPT) {
        h->noscript = 0;
    }

    if (h->fdepth == 0 && h->fover == 0) {
        if (h->hopen[consent_html_slot(h)] > 0) {
            h->hopen[consent_html_slot(h)]--;
        }

        return;
    }

    id = consent_html_id(h);

    /* "</body>" changes the insertion mode, not the stack */
    if (id == CONSENT_ID_BODY || id == CONSENT_ID_HTML) {
        return;
    }

    flags = h->fover > 0 ? h->fover_ns : h->stack[h->fdepth - 1].flags;

    if (!(flags & CONSENT_F_HTML)
        && (id == CONSENT_ID_P || id == CONSENT_ID_BR))
    {
        /* these end foreign content like a breakout start tag */
        h->fover = 0;

        while (h->fdepth > 0
               && !(h->stack[h->fdepth - 1].flags
                    & (CONSENT_F_HTML | CONSENT_F_HTML_IP
                       | CONSENT_F_MTEXT_IP)))
        {
            h->fdepth--;
        }

        return;
    }

    if (h->fover > 0) {
        /*
         * the elements beyond the stack are counted, not named: one is
         * closed, and the foreign content cannot end here (fail closed)
         */
        h->fover--;
        return;
    }

    d = h->fdepth;

    if (!(flags & CONSENT_F_HTML)) {
        /* foreign content: its elements by name, up to an HTML one */
        for ( /* void */ ; d > 0; d--) {
            f = h->stack[d - 1].flags;

            if (f & CONSENT_F_HTML) {
                break;
            }

            if (consent_html_frame_is(h, d - 1)) {
                h->fdepth = d - 1;
                return;
            }
        }

        /*
         * the HTML rules walk from the innermost element again, and an
         * integration point on the way stops them (it is "special")
         */
        for (e = h->fdepth; e > d; e--) {
            if (h->stack[e - 1].flags
                & (CONSENT_F_HTML_IP | CONSENT_F_MTEXT_IP | CONSENT_F_AXML))
            {
                return;
            }
        }
    }

    /* HTML opened in an integration point, up to it */
    for (e = d; e > 0; e--) {
        if (!(h->stack[e - 1].flags & CONSENT_F_HTML)) {
            return;
        }

        if (consent_html_frame_is(h, e - 1)) {
            h->fdepth = e - 1;
            return;
        }
    }

    /*
     * Out of the tracked stack: the HTML elements open around the
     * foreign content are only counted by name (not in order, nor
     * closed by implication).  The end tag of an element open there
     * closes it and the foreign content (<a><svg></a>); any other end
     * tag (<svg></x>, a </g> too many, a stray </div>) is ignored.
     */
    if (h->hopen[consent_html_slot(h)] > 0) {
        h->hopen[consent_html_slot(h)]--;
        h->fdepth = 0;
    }
}


static size_t
consent_html_slot(consent_html_t *h)
{
    return (h->name_hash ^ (h->name_hash >> 16)) % CONSENT_HTML_OPEN_SLOTS;
}


/* whether the current tag's name is that of the frame */

static int
consent_html_frame_is(consent_html_t *h, size_t d)
{
    return h->stack[d].hash == h->name_hash
           && h->stack[d].len == (h->name_len > 0xffff ? 0xffff
                                                       : h->name_len);
}


/*
 * Whether the current start tag is processed by the HTML rules
 * (CONSENT_NS_HTML) or as foreign content (its namespace), as the
 * tree construction dispatcher decides; depth: the stack after the
 * elements a breakout tag closes.
 */

static unsigned
consent_html_dispatch(consent_html_t *h, int font_breaks, size_t *depth,
    int *broke)
{
    size_t    d;
    unsigned  f;

    d = h->fdepth;
    *broke = 0;

    if (h->fover > 0) {
        if (!consent_html_breakout(h, font_breaks)) {
            *depth = d;
            return h->fover_ns & CONSENT_NS_MASK;
        }

        *broke = 1;

        while (d > 0
               && !(h->stack[d - 1].flags
                    & (CONSENT_F_HTML | CONSENT_F_HTML_IP
                       | CONSENT_F_MTEXT_IP)))
        {
            d--;
        }
    }

    for ( ;; ) {
        *depth = d;

        if (d == 0) {
            return CONSENT_NS_HTML;
        }

        f = h->stack[d - 1].flags;

        if ((f & (CONSENT_F_HTML | CONSENT_F_HTML_IP))
            || ((f & CONSENT_F_MTEXT_IP)
                && consent_html_id(h) != CONSENT_ID_MGLYPH
                && consent_html_id(h) != CONSENT_ID_MALIGNMARK)
            || ((f & CONSENT_F_AXML) && consent_html_id(h) == CONSENT_ID_SVG))
        {
            return CONSENT_NS_HTML;
        }

        if (!consent_html_breakout(h, font_breaks)) {
            return f & CONSENT_NS_MASK;
        }

        *broke = 1;

        while (d > 0
               && !(h->stack[d - 1].flags
                    & (CONSENT_F_HTML | CONSENT_F_HTML_IP
                       | CONSENT_F_MTEXT_IP)))
        {
            d--;
        }
    }
}


static int
consent_html_breakout(consent_html_t *h, int font_breaks)
{
    if (font_breaks && consent_html_id(h) == CONSENT_ID_FONT) {
        return 1;
    }

    return (consent_html_flags(h) & CONSENT_N_BRK) != 0;
}


static void
consent_html_push(consent_html_t *h, unsigned flags)
{
    consent_html_frame_t  *f;

    if (h->fdepth == CONSENT_HTML_DEPTH_MAX || h->fover > 0) {
        h->fover++;
        h->fover_ns = flags & ~(CONSENT_F_HTML_IP | CONSENT_F_MTEXT_IP
                                | CONSENT_F_AXML);
        return;
    }

    f = &h->stack[h->fdepth++];
    f->hash = h->name_hash;
    f->len = (uint16_t) (h->name_len > 0xffff ? 0xffff : h->name_len);
    f->flags = (uint16_t) flags;
}


/* long tags */


/* whether a held tag is judged: one that loads, a policy, a choice left */

static int
consent_html_judged(consent_html_t *h)
{
    return h->el != CONSENT_EL_OTHER && h->conf.policy != NULL
           && !h->all_granted;
}


/*
 * Notes again the attributes of a region held from after a value, up
 * to n; complete: up to the tag's end
 */

CONSENT_HTML_LOCAL void
consent_html_rerec(consent_html_t *h, size_t n, int complete)
{
    int     s, ns;
    size_t  i;

    h->nraw = 0;
    h->rec_over = 0;
    h->rec_cur = CONSENT_HTML_ATTRS_MAX;
    s = CONSENT_S_AFTER_ATTR_VALUE;

    for (i = 0; i < n; i++) {
        ns = consent_html_tag_step(s, consent_html_at(h, i));

        if (ns == s) {
            continue;
        }

        consent_html_rec_step(h, s, ns, i);

        if (ns == CONSENT_S_TAG_END) {
            break;
        }

        s = ns;
    }

    if (complete) {
        h->rec_done = 1;
        h->rec_end = n;
    }
}


/*
 * The value that a drained region let go ends at p: the tag is held
 * again from there, as consent_html_long() holds it after a value.
 */

static void
consent_html_drained(consent_html_t *h, const char *p)
{
    consent_html_input(h, h->out, p);
    h->out = p;
    h->mark = p;
    h->hold_len = 0;
    h->region = CONSENT_R_TAG;
    h->nraw = 0;
    h->rec_cur = CONSENT_HTML_ATTRS_MAX;
    h->name_end = 0;
    h->resumed = 1;
}


/* CSS */


/*
 * Whether a tag may fetch by its style=: a "style" in it, in any case,
 * and a '(' after "url", "set" (image-set), "age" (image) or "src", in
 * any case, or a '\' or a character reference (which may spell one)
 */

static int
consent_html_css_maybe(const char *s, const char *e)
{
    const char  *p;

    if (!consent_html_has(s, e, "style", 5)) {
        return 0;
    }

    if (memchr(s, '&', (size_t) (e - s)) != NULL
        || memchr(s, '\\', (size_t) (e - s)) != NULL)
    {
        return 1;
    }

    for (p = s + 3; p < e; p++) {
        p = memchr(p, '(', (size_t) (e - p));

        if (p == NULL) {
            return 0;
        }

        if (consent_html_ieq(p - 3, "url", 3)
            || consent_html_ieq(p - 3, "set", 3)
            || consent_html_ieq(p - 3, "age", 3)
            || consent_html_ieq(p - 3, "src", 3))
        {
            return 1;
        }
    }

    return 0;
}


/* lit (lower case, len bytes) is in s..e, ASCII case aside */

static int
consent_html_has(const char *s, const char *e, const char *lit, size_t len)
{
    size_t    i;
    uint64_t  w, x, c;

    /* eight bytes at a time, for the first letter in either case */
    c = CONSENT_HTML_ONES * (unsigned char) lit[0];

    for ( /* void */ ; e - s >= 8; s += 8) {
        memcpy(&w, s, 8);
        x = (w | (CONSENT_HTML_ONES * 0x20)) ^ c;
        x = (x - CONSENT_HTML_ONES) & ~x & (CONSENT_HTML_ONES << 7);

        /* the bytes that may be it (a borrow may add a few more) */
        while (x != 0) {
            i = (size_t) __builtin_ctzll(x) / 8;

            if (s + i + len <= e && consent_html_ieq(s + i, lit, len)) {
                return 1;
            }

            x &= x - 1;
        }
    }

    for ( /* void */ ; s + len <= e; s++) {
        if (consent_html_ieq(s, lit, len)) {
            return 1;
        }
    }

    return 0;
}


/* CDATA in foreign content */


/*
 * A CDATA section in SVG or MathML is text to the tree builder, which
 * ends it at "]]>".  A preload scanner does not know foreign content:
 * to it "<![CDATA[" begins a bogus comment that ends at the first '>',
 * and what follows is markup, whose tags it fetches.  Both are followed
 * here, byte by byte: the section's end, and the tags the preload
 * scanner would see in it, each held and judged as an HTML tag would
 * be.  A tag that runs past "]]>" or over the hold goes out as it is.
 */

static const char *
consent_html_cdata(consent_html_t *h, const char *p, const char *lim)
{
    int  c;

    while (p < lim) {
        c = (unsigned char) *p++;

        /* the preload scanner's view (a tag may end at the "]]>") */
        switch (h->pv) {

        case CONSENT_PV_BOGUS:
            if (c == '>') {
                h->pv = CONSENT_PV_DATA;
            }

            break;

        case CONSENT_PV_DATA:
            if (c == '<') {
                h->pv = CONSENT_PV_LT;
                consent_html_begin(h, p - 1);
                h->region = CONSENT_R_CDTAG;
            }

            break;

        case CONSENT_PV_LT:
            if (consent_html_alpha(c)) {
                h->pv = CONSENT_PV_NAME;
                h->name_len = 0;
                h->name_hash = 2166136261u;
                h->is_end = 0;
                goto name;
            }

            if (h->region == CONSENT_R_CDTAG) {
                consent_html_release(h);
            }

            if (c == '<') {
                h->pv = CONSENT_PV_LT;
                consent_html_begin(h, p - 1);
                h->region = CONSENT_R_CDTAG;

            } else {
                /* "<!", "</", "<?": to the next '>', near enough */
                h->pv = (c == '!' || c == '/' || c == '?') ? CONSENT_PV_BOGUS
                                                           : CONSENT_PV_DATA;
            }

            break;

        case CONSENT_PV_NAME:
        name:
            if (consent_html_class[c] == CONSENT_HC_OTHER
                || consent_html_class[c] > CONSENT_HC_GT)
            {
                c = consent_html_lower(c);

                if (h->name_len < CONSENT_HTML_NAME_MAX) {
                    h->name[h->name_len] = (char) c;
                }

                h->name_len++;
                h->name_hash = (h->name_hash ^ (uint32_t) c) * 16777619;
                break;
            }

            h->pv_ts = consent_html_tag_step(CONSENT_S_TAG_NAME, c);
            h->pv = CONSENT_PV_ATTRS;

            if (h->pv_ts == CONSENT_S_TAG_END) {
                consent_html_cdata_tag(h, p);
            }

            break;

        case CONSENT_PV_ATTRS:
            h->pv_ts = consent_html_tag_step(h->pv_ts, c);

            if (h->pv_ts == CONSENT_S_TAG_END) {
                consent_html_cdata_tag(h, p);
            }

            break;

        case CONSENT_PV_SCRIPT:
            if (h->pv_k < 8) {
                if ((h->pv_k < 2 ? c : consent_html_lower(c))
                    == "</script"[h->pv_k])
                {
                    h->pv_k++;

                } else {
                    h->pv_k = (c == '<');
                }

                break;
            }

            if (c == '>' || c == '/' || consent_html_space(c)) {
                /*
                 * the preload scanner's script ends: what the look into
                 * it has seen judges it, and tags follow its end tag
                 */
                if (h->region == CONSENT_R_LOOKAHEAD) {
                    consent_html_lookahead_done(h, consent_html_off(h, p) - 9,
                                                p);
                }

                h->pv = (c == '>') ? CONSENT_PV_DATA : CONSENT_PV_BOGUS;
                break;
            }

            h->pv_k = (c == '<');
            break;

        default:
            break;
        }
        /* the tree builder's */
        switch (h->state) {

        case CONSENT_S_CDATA_BRACKET:
            h->state = (c == ']') ? CONSENT_S_CDATA_END : CONSENT_S_CDATA;
            break;

        case CONSENT_S_CDATA_END:
            if (c == '>') {
                h->state = CONSENT_S_DATA;
                h->pv = CONSENT_PV_OFF;

                if (h->region == CONSENT_R_CDTAG) {
                    consent_html_release(h);
                }

                return p;
            }

            if (c != ']') {
                h->state = CONSENT_S_CDATA;
            }

            break;

        default:
            if (c == ']') {
                h->state = CONSENT_S_CDATA_BRACKET;
            }

            break;
        }

    }

    return p;
}


/* the innermost open foreign element is a <script> */

static int
consent_html_in_script(consent_html_t *h)
{
    size_t    i;
    uint32_t  hash;

    if (h->fover > 0 || h->fdepth == 0) {
        return h->fover > 0;
    }

    hash = 2166136261u;

    for (i = 0; i < 6; i++) {
        hash = (hash ^ (uint32_t) (unsigned char) "script"[i]) * 16777619;
    }

    return h->stack[h->fdepth - 1].hash == hash
           && h->stack[h->fdepth - 1].len == 6;
}


/* a tag a preload scanner sees in CDATA ends before p: judge it */

static void
consent_html_cdata_tag(consent_html_t *h, const char *p)
{
    size_t       n;
    const char  *t;

    h->pv = CONSENT_PV_DATA;

    if (h->region != CONSENT_R_CDTAG) {
        /* let go: too long, or it ran past the section's end */
        return;
    }

    /* the tag as consent_html_tag_begin() starts one, its name read */
    h->known = NULL;
    h->el = CONSENT_EL_OTHER;
    h->svg = 0;
    h->resumed = 0;
    h->rec = 0;

    if (h->name_len - 1 < CONSENT_HTML_KEEP_MAX) {
        consent_html_lookup(h);
    }

    if (h->known != NULL) {
        h->el = h->known->el;
    }

    /* held up to tag_max, however the page arrives (as at a buffer's end) */
    t = (consent_html_off(h, p) <= h->tag_max) ? consent_html_text(h, p, &n)
                                               : NULL;

    if (h->el == CONSENT_EL_OTHER || t == NULL
        || consent_html_parse(h, t, n) != 0)
    {
        consent_html_release(h);
        return;
    }

    h->region = CONSENT_R_TAG;
    h->in_cdata = 1;
    consent_html_classify(h, p, 0);
    h->in_cdata = 0;

    if (h->region != CONSENT_R_NONE) {
        consent_html_release(h);
    }
}


/* comments and doctypes */


/* the comment ends; from: the state that saw its end */

static void
consent_html_comment_done(consent_html_t *h, const char *p, int from,
    int eof)
{
    size_t       n, start, end;
    const char  *t;

    h->state = CONSENT_S_DATA;
    t = consent_html_observed(h, p, &n);

    if (t == NULL) {
        return;
    }

    end = n;

    if (from == CONSENT_S_BOGUS_COMMENT || from == CONSENT_S_MARKUP_DECL) {
        start = h->bogus_off;

        if (!eof && end > start && t[end - 1] == '>') {
            end--;
        }

    } else {
        start = 4;

        switch (from) {

        case CONSENT_S_COMMENT_START:
        case CONSENT_S_COMMENT_START_DASH:
            end = start;
            break;

        case CONSENT_S_COMMENT_END_DASH:
            end -= 1;
            break;

        case CONSENT_S_COMMENT_END:
            end -= eof ? 2 : 3;
            break;

        case CONSENT_S_COMMENT_END_BANG:
            end -= eof ? 3 : 4;
            break;

        default: /* EOF in the comment */
            break;
        }
    }

    if (start > n) {
        start = n;
    }

    if (end < start) {
        end = start;
    }

    consent_html_report(h, CONSENT_TOKEN_COMMENT, t + start, end - start, 0);
}


static void
consent_html_doctype_done(consent_html_t *h, const char *p, int eof)
{
    size_t       n, i, start;
    const char  *t;

    h->state = CONSENT_S_DATA;
    t = consent_html_observed(h, p, &n);

    if (t == NULL) {
        return;
    }

    if (!eof && n > 0 && t[n - 1] == '>') {
        n--;
    }

    /* the name: after "<!DOCTYPE" and whitespace, up to whitespace */
    for (i = 9; i < n && consent_html_space((unsigned char) t[i]); i++) {
        /* void */
    }

    for (start = i; i < n && !consent_html_space((unsigned char) t[i]); i++)
    {
        /* void */
    }

    consent_html_report(h, CONSENT_TOKEN_DOCTYPE, t + start, i - start, 2);
}


/*
 * The comment or DOCTYPE held for the observer, up to p; NULL when none
 * is (no observer, or it did not fit the hold): the region is let go
 */

static const char *
consent_html_observed(consent_html_t *h, const char *p, size_t *n)
{
    const char  *t;

    if (h->observe == NULL || h->region != CONSENT_R_OBSERVE) {
        consent_html_release(h);
        return NULL;
    }

    t = consent_html_text(h, p, n);

    if (t == NULL) {
        consent_html_release(h);
    }

    return t;
}


/* a comment's data or a DOCTYPE's name, decoded, to the observer */

static void
consent_html_report(consent_html_t *h, consent_token_kind_e kind,
    const char *s, size_t len, int mode)
{
    size_t       n;
    const char  *d;

    h->dec_len = 0;
    d = consent_html_dec(h, s, len, mode, &n);

    if (d != NULL) {
        h->observe(h->observe_ctx, kind, d, n, NULL, 0, 0);
    }

    consent_html_release(h);
}


/* the end of the document */

static void
consent_html_finish(consent_html_t *h, const char *p)
{
    int  open;

    open = consent_html_open_end(h);

    if (h->in_style) {
        /* the page ends in a <style>: so does its CSS */
        consent_html_style_end(h, p, h->cs.pos);
    }

    if (h->region == CONSENT_R_LOOKAHEAD
        && h->state == CONSENT_S_MARKUP_DECL)
    {
        /* "<!" ends an SVG script's text: a comment follows */
        consent_html_lookahead_cut(h, p);
        consent_html_keep(h);
    }

    switch (h->state) {

    case CONSENT_S_COMMENT_START:
    case CONSENT_S_COMMENT_START_DASH:
    case CONSENT_S_COMMENT:
    case CONSENT_S_COMMENT_END_DASH:
    case CONSENT_S_COMMENT_END:
    case CONSENT_S_COMMENT_END_BANG:
    case CONSENT_S_BOGUS_COMMENT:
        consent_html_comment_done(h, p, h->state, 1);
        break;

    case CONSENT_S_MARKUP_DECL:
        h->bogus_off = 2;
        consent_html_comment_done(h, p, CONSENT_S_MARKUP_DECL, 1);
        break;

    case CONSENT_S_DOCTYPE:
        consent_html_doctype_done(h, p, 1);
        break;

    default:
        break;
    }

    if (h->region == CONSENT_R_LOOKAHEAD) {
        consent_html_lookahead_done(h, (size_t) -1, p);
        h->yield = 0;
    }

    /* an unfinished tag is dropped by browsers: it goes out as it is */
    if (h->region == CONSENT_R_FAIL && !h->fw_long) {
        consent_html_own(h, h->fw_name, h->fw_name_len);
    }

    if (h->region == CONSENT_R_FAIL || h->region == CONSENT_R_DRAIN) {
        h->region = CONSENT_R_NONE;
    }

    consent_html_release(h);

    if (!h->stats.document) {
        return;
    }

    if (h->conf.banner != NULL && !h->stats.banner_injected) {
        if (open || h->frameset) {
            /* gated all the same; the adapter may log it */
            h->stats.banner_skipped = 1;
            consent_html_decided(h, CONSENT_HTML_BANNER_SKIPPED, p,
                                 h->frameset ? "a frameset page"
                                 : "the page ends inside markup", 0);
            return;
        }

        consent_html_inject(h, 1);

    } else if (h->conf.head != NULL && !h->stats.head_injected && !open) {
        consent_html_inject(h, 0);
    }
}


/*
 * Whether the end of the document leaves something open that markup
 * added there would become part of: a tag, a comment, a DOCTYPE, the
 * text of a script, textarea, style, plaintext and the like, a CDATA
 * section, or an integration point of foreign content (its HTML is
 * not the body's).  Outside these, the banner parses as in any body.
 */

static int
consent_html_open_end(consent_html_t *h)
{
    size_t  d;

    if (h->state != CONSENT_S_DATA || h->fover > 0) {
        return 1;
    }

    for (d = 0; d < h->fdepth; d++) {
        if (h->stack[d].flags & (CONSENT_F_HTML_IP | CONSENT_F_MTEXT_IP)) {
            return 1;
        }
    }

    return 0;
}


/*
 * Emits the head snippet, or the banner (with the head snippet first if
 * it is not out yet), before the region or at the current point.
 */

static void
consent_html_inject(consent_html_t *h, int banner)
{
    if (h->region != CONSENT_R_NONE) {
        consent_html_input(h, h->out, h->mark);
        h->out = h->mark;
    }

    if (h->conf.head != NULL && !h->stats.head_injected) {
        consent_html_decided(h, CONSENT_HTML_HEAD, h->out, NULL, 0);
        consent_html_own(h, h->conf.head, h->conf.head_len);
        h->stats.head_injected = 1;
        h->stats.changed = 1;
    }

    if (banner) {
        consent_html_decided(h, CONSENT_HTML_BANNER, h->out, NULL, 0);
        consent_html_own(h, h->conf.banner, h->conf.banner_len);
        h->stats.banner_injected = 1;
        h->stats.changed = 1;
    }
}


/* the region */


/* a comment, doctype or bogus comment: held only for the observer */

static void
consent_html_keep(consent_html_t *h)
{
    if (h->observe != NULL && h->region == CONSENT_R_TENTATIVE) {
        h->region = CONSENT_R_OBSERVE;
        return;
    }

    consent_html_release(h);
}


/*
 * conf.decided, when set: at is where the decision is made in the
 * buffer being fed; what is held of the region came before it
 */

CONSENT_HTML_LOCAL void
consent_html_decided(consent_html_t *h, int what, const char *at,
    const char *by, uint32_t mask)
{
    consent_html_decision_t  d;

    if (h->conf.decided == NULL) {
        return;
    }

    d.what = (consent_html_decision_e) what;
    d.at = at;
    d.back = h->region != CONSENT_R_NONE ? consent_html_off(h, at) : 0;
    d.name = h->region == CONSENT_R_CSSURL ? "style" : h->name;
    d.name_len = h->region == CONSENT_R_CSSURL
                 ? 5 : h->name_len < CONSENT_HTML_NAME_MAX
                       ? h->name_len : CONSENT_HTML_NAME_MAX;
    d.by = by;
    d.mask = mask;

    if (what == CONSENT_HTML_HEAD || what == CONSENT_HTML_BANNER
        || what == CONSENT_HTML_BANNER_SKIPPED)
    {
        d.name = "";
        d.name_len = 0;
    }

    h->conf.decided(h->conf.decided_ctx, &d);
}


/* the buffer ends: what is held is copied, the rest goes out */

static void
consent_html_buffer_end(consent_html_t *h, const char *end)
{
    size_t  len, limit;

    if (h->region != CONSENT_R_NONE) {
        consent_html_input(h, h->out, h->mark);
        h->out = h->mark;

        len = (size_t) (end - h->mark);
        limit = (h->region == CONSENT_R_TAG || h->region == CONSENT_R_CDTAG)
                ? h->tag_max : h->hold_cap;

        if (h->hold_len + len > limit && h->region == CONSENT_R_TAG
            && consent_html_judged(h) && consent_html_long(h, end, 0) != 0)
        {
            /* too long to judge: fail closed */
            consent_html_fail(h, end, "a tag over tag_max");
        }

        if (h->region == CONSENT_R_CSSURL
            && h->hold_len + (size_t) (end - h->mark) > limit)
        {
            /* not expected: a URL is judged at tag_max bytes */
            consent_html_css_over(h);
        }

        if (h->region == CONSENT_R_FAIL) {
            consent_html_fail_walk(h, h->mark, (size_t) (end - h->mark), 1);
            h->out = end;
            h->mark = end;

        } else if (h->region == CONSENT_R_DRAIN) {
            /* the value streams on */

        } else if (h->region == CONSENT_R_NONE) {
            /* let go by consent_html_long() */

        } else if (h->hold_len + (size_t) (end - h->mark) > limit) {
            consent_html_release(h);

        } else {
            len = (size_t) (end - h->mark);

            memcpy(h->hold + h->hold_len, h->mark, len);
            h->hold_len += len;
            h->out = end;
            h->mark = end;
        }
    }

    consent_html_input(h, h->out, end);
    h->out = end;
    h->mark = end;

    consent_html_flush_run(h);
}


/* output */


/* region bytes [from, to): the held part, then the buffer's */

CONSENT_HTML_LOCAL void
consent_html_emit_range(consent_html_t *h, size_t from, size_t to)
{
    size_t  e;

    if (from >= to) {
        return;
    }

    if (from < h->hold_len) {
        e = to < h->hold_len ? to : h->hold_len;
        consent_html_own(h, h->hold + from, e - from);
        from = e;
    }

    if (from < to) {
        consent_html_input(h, h->mark + (from - h->hold_len),
                           h->mark + (to - h->hold_len));
    }
}


/* input bytes, joined with the run before them when adjacent */

CONSENT_HTML_LOCAL void
consent_html_input(consent_html_t *h, const char *s, const char *e)
{
    if (s >= e) {
        return;
    }

    if (h->run_end == s && h->run_start != NULL) {
        h->run_end = e;
        return;
    }

    consent_html_flush_run(h);

    h->run_start = s;
    h->run_end = e;
}


CONSENT_HTML_LOCAL void
consent_html_own(consent_html_t *h, const char *data, size_t len)
{
    if (len == 0) {
        return;
    }

    consent_html_flush_run(h);

    if (!h->failed && h->conf.emit(h->conf.ctx, data, len, 0) != 0) {
        h->failed = 1;
    }
}


CONSENT_HTML_LOCAL void
consent_html_own_str(consent_html_t *h, const char *s)
{
    consent_html_own(h, s, strlen(s));
}


/* a value inside double quotes */

CONSENT_HTML_LOCAL void
consent_html_own_escaped(consent_html_t *h, const char *s, size_t len)
{
    size_t  i, start;

    for (i = 0, start = 0; i < len; i++) {
        if (s[i] != '"' && s[i] != '&') {
            continue;
        }

        consent_html_own(h, s + start, i - start);
        consent_html_own_str(h, s[i] == '"' ? "&quot;" : "&amp;");
        start = i + 1;
    }

    consent_html_own(h, s + start, len - start);
}


static void
consent_html_flush_run(consent_html_t *h)
{
    const char  *s;

    s = h->run_start;

    h->run_start = NULL;

    if (s == NULL || s == h->run_end) {
        h->run_end = NULL;
        return;
    }

    /*
     * a short stretch between two edits is copied next to them rather
     * than referenced: one buffer for the lot costs less downstream than
     * a buffer (and an iovec) for each piece
     */

    if (!h->failed
        && h->conf.emit(h->conf.ctx, s, (size_t) (h->run_end - s),
                        h->run_end - s > CONSENT_HTML_COPY_MAX) != 0)
    {
        h->failed = 1;
    }

    h->run_end = NULL;
}


/* held tags */


/*
 * Finds the name and attributes of the complete tag t (from its '<'),
 * with the same steps as the scanner; decodes names and values.
 * -1 when there are too many attributes to keep or decode.
 */

static int
consent_html_parse(consent_html_t *h, const char *t, size_t n)
{
    int                  s, ns, c, over, plain;
    size_t               i, j, len;
    const char          *q;
    consent_attr_t      *a;
    consent_html_raw_t  *r;

    h->nattrs = 0;
    h->ndups = 0;
    h->dec_len = 0;
    h->raw_over = 0;
    over = 0;
    r = NULL;

    i = h->is_end ? 2 : 1;
    s = CONSENT_S_TAG_NAME;
    h->name_end = n;

    if (h->resumed) {
        /* held from after a value: the name went out before it */
        i = 0;
        s = CONSENT_S_AFTER_ATTR_VALUE;
        h->name_end = 0;
    }

    if (h->rec && h->rec_done && h->rec_end == n) {
        /* the scan noted the attributes: only the name is looked for */
        over = h->rec_over;

        for ( /* void */ ; i < n && !h->resumed; i++) {
            if (consent_html_tag_step(s, (unsigned char) t[i]) != s) {
                h->name_end = i;
                break;
            }
        }

        goto decode;
    }

    h->nraw = 0;
    h->rec_over = 0;
    h->rec_cur = CONSENT_HTML_ATTRS_MAX;

    for ( /* void */ ; i < n; i++) {
        if (s == CONSENT_S_ATTR_VALUE_DQ || s == CONSENT_S_ATTR_VALUE_SQ) {
            q = memchr(t + i, s == CONSENT_S_ATTR_VALUE_DQ ? '"' : '\'',
                       n - i);
            i = (q != NULL) ? (size_t) (q - t) : n - 1;

        } else if (s == CONSENT_S_ATTR_NAME || s == CONSENT_S_ATTR_VALUE_UQ)
        {
            while (i + 1 < n
                   && consent_html_class[(unsigned char) t[i]]
                      == CONSENT_HC_OTHER)
            {
                i++;
            }
        }

        c = (unsigned char) t[i];
        ns = consent_html_tag_step(s, c);

        /* what is noted happens where the state changes */
        if (ns == s) {
            continue;
        }

        if (s == CONSENT_S_TAG_NAME) {
            h->name_end = i;
        }

        /* the attributes, noted as the scan's own walk notes them */
        consent_html_rec_step(h, s, ns, i);

        if (ns == CONSENT_S_TAG_END) {
            break;
        }

        s = ns;
    }

    over = h->rec_over;
    r = (h->rec_cur < CONSENT_HTML_ATTRS_MAX) ? &h->raw[h->rec_cur] : NULL;

    if (i == n && r != NULL) {
        /* no '>' (not expected of a complete tag): close what is open */
        if (s == CONSENT_S_ATTR_NAME) {
            r->name_len = n - r->name_off;
        }

        if (s == CONSENT_S_ATTR_VALUE_DQ || s == CONSENT_S_ATTR_VALUE_SQ
            || s == CONSENT_S_ATTR_VALUE_UQ)
        {
            r->value_len = n - r->value_off;
        }
    }

decode:

    i = h->is_end ? 2 : 1;

    /* a tag without NUL, CR and '&' has no value to decode */
    plain = consent_html_plain(t, n, 1);

    if (h->resumed) {
        /* held from after a value: its name is the one kept */
        h->name_end = 0;
        h->dname = h->name;
        h->dname_len = h->name_len < CONSENT_HTML_NAME_MAX
                       ? h->name_len : CONSENT_HTML_NAME_MAX;

    } else if (plain && h->name_end >= i
               && !consent_html_upper(t + i, h->name_end - i))
    {
        /* nor a name to decode without upper case */
        h->dname = t + i;
        h->dname_len = h->name_end - i;

    } else {
        if (h->name_end < i) {
            h->name_end = i;
        }

        h->dname = consent_html_dec(h, t + i, h->name_end - i, 2,
                                    &h->dname_len);
    }

    if (h->dname == NULL) {
        return -1;
    }

    for (j = 0; j < h->nraw; j++) {
        r = &h->raw[j];
        a = &h->attrs[h->nattrs];

        if (plain && !consent_html_upper(t + r->name_off, r->name_len)) {
            a->name = t + r->name_off;
            len = r->name_len;

        } else {
            a->name = consent_html_dec(h, t + r->name_off, r->name_len, 2,
                                       &len);
        }

        a->name_len = len;

        if (a->name == NULL) {
            return -1;
        }

        /*
         * the first of duplicates wins in the DOM; the others are kept
         * apart, for a preload scanner reads them too
         */
        for (i = 0; i < h->nattrs; i++) {
            if (h->attrs[i].name_len == len
                && memcmp(h->attrs[i].name, a->name, len) == 0)
            {
                break;
            }
        }

        if (i < h->nattrs) {
            if (!consent_html_url_name(h, a->name, len)
                && !consent_html_is(a->name, len, "type")
                && !consent_html_is(a->name, len, "rel")
                && !consent_html_is(a->name, len, "attributename"))
            {
                continue;
            }

            a = &h->dups[h->ndups];
            a->name = h->attrs[i].name;
            a->name_len = len;
        }

        if (plain) {
            a->value = t + r->value_off;
            len = r->has_value ? r->value_len : 0;

        } else {
            a->value = consent_html_dec(h, t + r->value_off,
                                        r->has_value ? r->value_len : 0, 1,
                                        &len);
        }

        a->value_len = len;

        if (a->value == NULL) {
            return -1;
        }

        if (a == &h->dups[h->ndups]) {
            h->ndups++;

        } else {
            h->nattrs++;
        }
    }

    h->raw_over = over;

    return over ? -1 : 0;
}


/* an ASCII upper-case letter in s */

static int
consent_html_upper(const char *s, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        if ((unsigned) ((unsigned char) s[i] - 'A') < 26) {
            return 1;
        }
    }

    return 0;
}


#if (CONSENT_HTML_CHECKS)

/* the walkers for consent_html_walk.c, in the builds with the checks */

CONSENT_HTML_LOCAL const consent_html_walkers_t  consent_html_walkers = {
    consent_html_attrs, consent_html_rec_tag, consent_html_skip,
    consent_html_tag_end, consent_html_aname, consent_html_rec_step
};

#endif


/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The streaming HTML scanner and rewriter (src/consent_html.c).
 *
 * Input: 4 bytes of set-up, then the page.
 *   byte 0: categories granted (bits of t/html/policy.json)
 *   byte 1: bit 0 inject a head snippet, bit 1 a banner, bits 2-3 the
 *           tag cap (default, 64, 256, 1024), bits 4-5 the inline
 *           look-ahead (default, 1, 16, 64), bit 6 observe tokens
 *   bytes 2-3: where to split the page in two
 *
 * Properties: the output (and the statistics) of the whole page in one
 * buffer equal those of the page split in two at the chosen point, of
 * the page in 1-byte pieces (pages up to 512 bytes) or in pieces of 1 to
 * 64 bytes (longer pages, cut where the split bytes say), and of the
 * page followed by an empty last buffer; "input" output lies inside
 * the buffer being fed, each piece in a buffer of its own size (ASan
 * sees a read past it); a page reported unchanged comes out
 * byte-identical; the memory is exactly what consent_html_size() asked
 * for.
 */


#include "fuzz.h"
#include "consent_html.h"


#define FUZZ_HEAD    "<link data-consent-ui rel=\"stylesheet\" href=\"/c.css\">"
#define FUZZ_BANNER  "<div data-consent-ui id=\"consent-banner\"></div>"
#ifndef FUZZ_BYTEWISE_MAX
#define FUZZ_BYTEWISE_MAX  512
#endif


typedef struct {
    char               *data;
    size_t              len;
    size_t              cap;
    const char         *fed;
    size_t              fed_len;
    unsigned            tokens;
} fuzz_out_t;


static consent_policy_t  *policy;


static int
fuzz_emit(void *ctx, const char *data, size_t len, int input)
{
    fuzz_out_t  *o = ctx;

    if (input) {
        fuzz_check(data >= o->fed && data + len <= o->fed + o->fed_len,
                   "input output lies in the buffer fed");
    }

    if (o->len + len > o->cap) {
        o->cap = (o->len + len) * 2 + 64;
        o->data = realloc(o->data, o->cap);

        if (o->data == NULL) {
            abort();
        }
    }

    if (len) {
        memcpy(o->data + o->len, data, len);
    }

    o->len += len;

    return 0;
}


static void
fuzz_observe(void *ctx, consent_token_kind_e kind, const char *name,
    size_t name_len, const consent_attr_t *attrs, size_t nattrs,
    int self_closing)
{
    size_t       i;
    fuzz_out_t  *o = ctx;
    volatile char  c;

    /* every byte reported must be readable */
    for (i = 0; i < name_len; i++) {
        c = name[i];
    }

    for (i = 0; i < nattrs; i++) {
        if (attrs[i].name_len) {
            c = attrs[i].name[0];
            c = attrs[i].name[attrs[i].name_len - 1];
        }

        if (attrs[i].value_len) {
            c = attrs[i].value[0];
            c = attrs[i].value[attrs[i].value_len - 1];
        }
    }

    (void) c;
    (void) kind;
    (void) self_closing;

    o->tokens++;
}


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    policy = fuzz_policy("t/html/policy.json");
    return 0;
}


/*
 * Scans page in the pieces that end at cuts[0..n-1] (the last one is
 * the whole length); empty_last: then an empty last buffer.
 */
static void
fuzz_scan(const consent_html_conf_t *tmpl, int observe, const char *page,
    size_t len, const size_t *cuts, size_t n, int empty_last, fuzz_out_t *o,
    consent_html_stats_t *stats)
{
    int                   rc;
    char                 *mem, *piece;
    size_t                i, from, plen;
    consent_html_t       *h;
    consent_html_conf_t   conf;

    memset(o, 0, sizeof(fuzz_out_t));

    conf = *tmpl;
    conf.ctx = o;

    mem = malloc(consent_html_size(&conf));

    if (mem == NULL) {
        abort();
    }

    h = consent_html_init(mem, &conf);
    fuzz_check(h != NULL, "init");

    if (observe) {
        consent_html_observe(h, fuzz_observe, o);
    }

    from = 0;

    for (i = 0; i < n; i++) {
        plen = cuts[i] - from;

        /* each piece in a buffer of its own size */
        piece = fuzz_copy(page + from, plen);

        o->fed = piece;
        o->fed_len = plen;

        rc = consent_html_feed(h, piece, plen, !empty_last && i == n - 1);
        fuzz_check(rc == 0, "feed");

        free(piece);
        from = cuts[i];
    }

    if (empty_last) {
        o->fed = "";
        o->fed_len = 0;
        rc = consent_html_feed(h, "", 0, 1);
        fuzz_check(rc == 0, "last feed");
    }

    *stats = *consent_html_stats(h);

    free(mem);
}


static void
fuzz_same(const fuzz_out_t *a, const consent_html_stats_t *sa,
    const fuzz_out_t *b, const consent_html_stats_t *sb, const char *what)
{
    if (a->len != b->len || (a->len && memcmp(a->data, b->data, a->len))) {
        fprintf(stderr, "fuzz: output differs: %s (%zu and %zu bytes)\n",
                what, a->len, b->len);
        fprintf(stderr, "--- whole:\n%.*s\n--- %s:\n%.*s\n",
                (int) a->len, a->data, what, (int) b->len, b->data);
        abort();
    }

    fuzz_check(sa->gated == sb->gated && sa->activated == sb->activated
               && sa->overlong == sb->overlong
               && sa->head_injected == sb->head_injected
               && sa->banner_injected == sb->banner_injected
               && sa->document == sb->document
               && sa->changed == sb->changed, what);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                    observe;
    size_t                 len, split, i, n, cut2[2], *cuts;
    uint32_t               seed;
    fuzz_in_t              in;
    fuzz_out_t             whole, other;
    const char            *page;
    consent_html_conf_t    conf;
    consent_html_stats_t   sw, so;
    static const size_t    tag_caps[4] = { 0, 64, 256, 1024 };
    static const size_t    inline_caps[4] = { 0, 1, 16, 64 };

    in.p = data;
    in.left = size;

    memset(&conf, 0, sizeof(consent_html_conf_t));

    conf.policy = policy;
    conf.granted = fuzz_byte(&in);

    i = fuzz_byte(&in);

    if (i & 1) {
        conf.head = FUZZ_HEAD;
        conf.head_len = sizeof(FUZZ_HEAD) - 1;
    }

    if (i & 2) {
        conf.banner = FUZZ_BANNER;
        conf.banner_len = sizeof(FUZZ_BANNER) - 1;
    }

    conf.tag_max = tag_caps[(i >> 2) & 3];
    conf.inline_max = inline_caps[(i >> 4) & 3];
    conf.emit = fuzz_emit;
    observe = (i >> 6) & 1;

    split = fuzz_byte(&in);
    split = (split << 8) | fuzz_byte(&in);

    page = (const char *) in.p;
    len = in.left;

    split = len ? split % (len + 1) : 0;

    /* the whole page in one buffer */
    cut2[0] = len;
    fuzz_scan(&conf, observe, page, len, cut2, 1, 0, &whole, &sw);

    if (!sw.changed) {
        fuzz_check(whole.len == len
                   && (len == 0 || memcmp(whole.data, page, len) == 0),
                   "an unchanged page comes out byte-identical");
    }

    if (!sw.head_injected && !sw.banner_injected && sw.gated == 0
        && sw.activated == 0 && sw.overlong == 0)
    {
        fuzz_check(!sw.changed, "nothing done, nothing changed");
    }

    /* split in two */
    cut2[0] = split;
    cut2[1] = len;
    fuzz_scan(&conf, observe, page, len, cut2, 2, 0, &other, &so);
    fuzz_same(&whole, &sw, &other, &so, "split in two");
    free(other.data);

    /* then an empty last buffer */
    cut2[0] = len;
    fuzz_scan(&conf, observe, page, len, cut2, 1, 1, &other, &so);
    fuzz_same(&whole, &sw, &other, &so, "empty last buffer");
    free(other.data);

    /* one byte at a time, or in pieces of 1 to 64 bytes */
    if (len > 0) {
        cuts = malloc(len * sizeof(size_t));

        if (cuts == NULL) {
            abort();
        }

        n = 0;
        seed = (uint32_t) split * 2654435761u + (uint32_t) len;

        for (i = 0; i < len; /* void */) {
            if (len <= FUZZ_BYTEWISE_MAX) {
                i++;

            } else {
                seed = seed * 1103515245u + 12345u;
                i += 1 + ((seed >> 16) & 63);
            }

            cuts[n++] = i < len ? i : len;
        }

        fuzz_scan(&conf, observe, page, len, cuts, n, 0, &other, &so);
        fuzz_same(&whole, &sw, &other, &so,
                  len <= FUZZ_BYTEWISE_MAX ? "1-byte pieces" : "small pieces");
        free(other.data);
        free(cuts);
    }

    free(whole.data);

    return 0;
}

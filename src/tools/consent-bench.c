
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * consent-bench: micro-benchmarks of the core, outside nginx.
 *
 *   scanner     consent_html_feed() over pages, whole and in 1 KB pieces,
 *               for a visitor without consent (gating, head snippet and
 *               banner) and one who granted everything; a memchr('<')
 *               pass over the same bytes for scale
 *   floor       the least work any tokenizer must do over the same
 *               pages (consent-bench-floor.c): where the scanner's
 *               lower bound is
 *   --scan N    only the scanner, N times over the pages, no timing: for
 *               valgrind --tool=callgrind and perf; --piece BYTES feeds
 *               the pages in pieces of that many bytes
 *   --floor N   the same for the floor
 *   --tags      the tags the floor finds and those the scanner reports,
 *               page by page: the floor must find every one
 *   verify      consent_token_verify() of a valid and a tampered cookie
 *   match       consent_match_element() / consent_match_inline() per tag
 *
 * Times are the CPU time of the thread (steadier than the wall clock on
 * a shared machine); each figure is the median of several repetitions.
 * Writes one JSON object on the standard output.
 */


#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "consent_policy.h"
#include "consent_render.h"
#include "consent_assets.h"
#include "consent_token.h"
#include "consent_match.h"
#include "consent_html.h"
#include "consent-bench-floor.h"


#define BENCH_REPS      9
#define BENCH_MIN_NS    40000000.0      /* a repetition lasts >= 40 ms */
#define BENCH_PAGES_MAX 16


typedef struct {
    const char         *name;
    char               *data;
    size_t              len;
} bench_page_t;


typedef struct {
    const consent_policy_t  *policy;
    bench_page_t            *pages;
    size_t                   npages;
    size_t                   piece;        /* 0: whole buffer */
    int                      consent;      /* 1: everything granted */
    char                    *head;
    size_t                   head_len;
    char                    *banner;
    size_t                   banner_len;
    void                    *mem;
    size_t                   only;         /* page index, or npages: all */
} bench_scan_t;


typedef struct {
    const char         *name;
    consent_element_e   el;
    consent_attr_t      attrs[6];
    size_t              nattrs;
} bench_tag_t;


typedef double (*bench_fn_pt)(void *data, size_t iters);
typedef size_t (*bench_walk_pt)(const char *data, size_t len);


static volatile size_t  bench_sink;


static double bench_now(void);
static double bench_median(bench_fn_pt fn, void *data, size_t *iters);
static double bench_scan_four(bench_scan_t *s, double scan[2][2]);
static int bench_cmp(const void *a, const void *b);
static int bench_emit(void *ctx, const char *data, size_t len, int input);
static double bench_scan(void *data, size_t iters);
static double bench_walk(bench_scan_t *s, size_t iters,
    bench_walk_pt walk);
static size_t bench_lt(const char *data, size_t len);
static double bench_memchr(void *data, size_t iters);
static double bench_floor(void *data, size_t iters);
static void bench_tag_seen(void *ctx, consent_token_kind_e kind,
    const char *name, size_t name_len, const consent_attr_t *attrs,
    size_t nattrs, int self_closing);
static int bench_tags(bench_scan_t *s);
static double bench_verify(void *data, size_t iters);
static double bench_match(void *data, size_t iters);
static double bench_inline(void *data, size_t iters);
static char *bench_read(const char *path, size_t *len);
static void bench_attr(consent_attr_t *a, const char *name,
    const char *value);


static double
bench_now(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);

    return ts.tv_sec * 1e9 + ts.tv_nsec;
}


static int
bench_cmp(const void *a, const void *b)
{
    double  x, y;

    x = *(const double *) a;
    y = *(const double *) b;

    return (x > y) - (x < y);
}


/* the median of BENCH_REPS repetitions, in ns per iteration */
/*
 * The scanner's four figures for what s holds (no consent and all of it,
 * page whole and in 1k pieces) into scan[consent][piece]; returns the
 * memchr() baseline over the same bytes
 */

static double
bench_scan_four(bench_scan_t *s, double scan[2][2])
{
    int  i;

    for (s->consent = 0; s->consent < 2; s->consent++) {
        for (i = 0; i < 2; i++) {
            s->piece = i ? 1024 : 0;
            scan[s->consent][i] = bench_median(bench_scan, s, NULL);
        }
    }

    return bench_median(bench_memchr, s, NULL);
}


static double
bench_median(bench_fn_pt fn, void *data, size_t *iters)
{
    int     i;
    double  t[BENCH_REPS];
    size_t  n;

    n = 1;

    while (fn(data, n) < BENCH_MIN_NS / 4) {
        n *= 2;
    }

    n *= 4;

    for (i = 0; i < BENCH_REPS; i++) {
        t[i] = fn(data, n) / n;
    }

    qsort(t, BENCH_REPS, sizeof(double), bench_cmp);

    if (iters) {
        *iters = n;
    }

    return t[BENCH_REPS / 2];
}


static int
bench_emit(void *ctx, const char *data, size_t len, int input)
{
    *(size_t *) ctx += len;

    return 0;
}


static double
bench_scan(void *data, size_t iters)
{
    bench_scan_t         *s = data;
    size_t                i, p, off, n, out, first, last;
    double                t0;
    consent_html_t       *h;
    consent_html_conf_t   hc;

    memset(&hc, 0, sizeof(consent_html_conf_t));

    hc.policy = s->policy;
    hc.emit = bench_emit;
    hc.ctx = &out;

    if (s->consent) {
        hc.granted = s->policy->all_mask;

    } else {
        hc.granted = s->policy->required_mask;
        hc.head = s->head;
        hc.head_len = s->head_len;
        hc.banner = s->banner;
        hc.banner_len = s->banner_len;
    }

    first = s->only < s->npages ? s->only : 0;
    last = s->only < s->npages ? s->only + 1 : s->npages;
    out = 0;

    t0 = bench_now();

    for (i = 0; i < iters; i++) {
        for (p = first; p < last; p++) {

            /* per page, as per request in nginx */
            h = consent_html_init(s->mem, &hc);
            if (h == NULL) {
                return 1e18;
            }

            if (s->piece == 0) {
                consent_html_feed(h, s->pages[p].data, s->pages[p].len, 1);
                continue;
            }

            for (off = 0; off < s->pages[p].len; off += n) {
                n = s->pages[p].len - off;
                if (n > s->piece) {
                    n = s->piece;
                }

                consent_html_feed(h, s->pages[p].data + off, n,
                                  off + n == s->pages[p].len);
            }
        }
    }

    bench_sink += out;

    return bench_now() - t0;
}


/* walk over each page (or the one s->only names), iters times */

static double
bench_walk(bench_scan_t *s, size_t iters, bench_walk_pt walk)
{
    size_t  i, p, count, first, last;
    double  t0;

    first = s->only < s->npages ? s->only : 0;
    last = s->only < s->npages ? s->only + 1 : s->npages;
    count = 0;

    t0 = bench_now();

    for (i = 0; i < iters; i++) {
        for (p = first; p < last; p++) {
            count += walk(s->pages[p].data, s->pages[p].len);
        }
    }

    bench_sink += count;

    return bench_now() - t0;
}


static size_t
bench_lt(const char *data, size_t len)
{
    size_t       count;
    const char  *c, *end;

    c = data;
    end = c + len;
    count = 0;

    while ((c = memchr(c, '<', end - c)) != NULL) {
        count++;
        c++;
    }

    return count;
}


static double
bench_memchr(void *data, size_t iters)
{
    return bench_walk(data, iters, bench_lt);
}


static double
bench_floor(void *data, size_t iters)
{
    return bench_walk(data, iters, bench_floor_walk);
}


static void
bench_tag_seen(void *ctx, consent_token_kind_e kind, const char *name,
    size_t name_len, const consent_attr_t *attrs, size_t nattrs,
    int self_closing)
{
    if (kind == CONSENT_TOKEN_START_TAG || kind == CONSENT_TOKEN_END_TAG) {
        (*(size_t *) ctx)++;
    }
}


/* 0 when the floor finds, in every page, the tags the scanner reports */

static int
bench_tags(bench_scan_t *s)
{
    int                   rc;
    size_t                p, out, seen, floor;
    consent_html_t       *h;
    consent_html_conf_t   hc;

    rc = 0;

    for (p = 0; p < s->npages; p++) {
        memset(&hc, 0, sizeof(consent_html_conf_t));
        hc.policy = s->policy;
        hc.granted = s->policy->all_mask;
        hc.emit = bench_emit;
        hc.ctx = &out;

        h = consent_html_init(s->mem, &hc);
        if (h == NULL) {
            return 1;
        }

        seen = 0;
        consent_html_observe(h, bench_tag_seen, &seen);
        consent_html_feed(h, s->pages[p].data, s->pages[p].len, 1);

        floor = bench_floor_walk(s->pages[p].data, s->pages[p].len);

        printf("%s: floor %zu scanner %zu\n", s->pages[p].name, floor,
               seen);

        if (floor != seen) {
            rc = 1;
        }
    }

    return rc;
}


typedef struct {
    const consent_keyset_t  *ks;
    const char              *cookie;
    size_t                   len;
    int64_t                  now;
    uint32_t                 revision;
    int                      expect;
} bench_verify_t;


static double
bench_verify(void *data, size_t iters)
{
    bench_verify_t   *v = data;
    size_t            i, bad;
    double            t0;
    consent_token_t   tok;

    bad = 0;

    t0 = bench_now();

    for (i = 0; i < iters; i++) {
        if ((int) consent_token_verify(v->ks, "consent", 7, v->cookie,
                                       v->len, v->now, v->revision,
                                       182 * 86400, &tok)
            != v->expect)
        {
            bad++;
        }
    }

    bench_sink += bad;

    return bad ? 1e18 : bench_now() - t0;
}


typedef struct {
    const consent_policy_t  *policy;
    bench_tag_t             *tags;
    size_t                   ntags;
    const char             **inl;
    size_t                   ninl;
} bench_match_t;


static double
bench_match(void *data, size_t iters)
{
    bench_match_t    *m = data;
    size_t            i, t, sum;
    double            t0;
    consent_match_t   r;

    sum = 0;

    t0 = bench_now();

    for (i = 0; i < iters; i++) {
        for (t = 0; t < m->ntags; t++) {
            r = consent_match_element(m->policy, m->tags[t].el,
                                      m->tags[t].attrs, m->tags[t].nattrs);
            sum += (size_t) (r.category + 3);
        }
    }

    bench_sink += sum;

    return bench_now() - t0;
}


static double
bench_inline(void *data, size_t iters)
{
    bench_match_t  *m = data;
    size_t          i, t, sum;
    double          t0;

    sum = 0;

    t0 = bench_now();

    for (i = 0; i < iters; i++) {
        for (t = 0; t < m->ninl; t++) {
            sum += (size_t) (consent_match_inline(m->policy, m->inl[t],
                                                  strlen(m->inl[t])) + 3);
        }
    }

    bench_sink += sum;

    return bench_now() - t0;
}


static char *
bench_read(const char *path, size_t *len)
{
    long   n;
    char  *buf;
    FILE  *f;

    f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "consent-bench: %s: %s\n", path, strerror(errno));
        return NULL;
    }

    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0
        || fseek(f, 0, SEEK_SET) != 0)
    {
        fclose(f);
        return NULL;
    }

    buf = malloc(n + 1);

    if (buf == NULL || fread(buf, 1, n, f) != (size_t) n) {
        fprintf(stderr, "consent-bench: %s: read error\n", path);
        free(buf);
        fclose(f);
        return NULL;
    }

    fclose(f);
    buf[n] = '\0';
    *len = n;

    return buf;
}


static void
bench_attr(consent_attr_t *a, const char *name, const char *value)
{
    a->name = name;
    a->name_len = strlen(name);
    a->value = value;
    a->value_len = strlen(value);
}


static const char *bench_inline_scripts[] = {
    "\n  window.dataLayer = window.dataLayer || [];\n"
    "  function gtag(){dataLayer.push(arguments);}\n"
    "  gtag('js', new Date());\n  gtag('config', 'G-8XK2Q0LM1P');\n",

    "(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':\n"
    "new Date().getTime(),event:'gtm.js'});var f=d.getElementsByTagName(s)"
    "[0],\nj=d.createElement(s),dl=l!='dataLayer'?'&l='+l:'';j.async=true;"
    "j.src=\n'https://www.googletagmanager.com/gtm.js?id='+i+dl;f.parentNode"
    ".insertBefore(j,f);\n})(window,document,'script','dataLayer',"
    "'GTM-W4K7T2S');",

    "\n!function(f,b,e,v,n,t,s)\n{if(f.fbq)return;n=f.fbq=function(){"
    "n.callMethod?\nn.callMethod.apply(n,arguments):n.queue.push(arguments)}"
    ";\nif(!f._fbq)f._fbq=n;n.push=n;n.loaded=!0;n.version='2.0';\n"
    "n.queue=[];t=b.createElement(e);t.async=!0;\nt.src=v;s=b."
    "getElementsByTagName(e)[0];\ns.parentNode.insertBefore(t,s)}(window, "
    "document,'script',\n'https://connect.facebook.net/en_US/fbevents.js');"
    "\nfbq('init', '1234567890123456');\nfbq('track', 'PageView');\n",

    "\ndocument.documentElement.classList.add('js');\n"
    "window.siteConfig = { edition: 'en', section: 'world', paywall: false,"
    " comments: true, related: 4 };\n"
    "document.querySelectorAll('a[data-share]').forEach(function (a) {\n"
    "  a.addEventListener('click', function (e) { e.preventDefault(); "
    "window.open(a.href, 'share', 'width=600,height=400'); });\n});\n"
};


int
main(int argc, char **argv)
{
    int                    i, n, scan_only, scan_granted, scan_piece,
                           scan_floor, count;
    char                   err[512], keyline[128], cookie[256], tampered[256];
    size_t                 p, ntags, total, iters;
    double                 ns, scan[2][2], mc, fl;
    unsigned char          secret[32];
    const char            *policy_path;
    bench_tag_t            tags[12];
    bench_page_t           pages[BENCH_PAGES_MAX];
    bench_scan_t           s;
    bench_match_t          m;
    bench_verify_t         v;
    consent_view_t         view;
    consent_render_conf_t  rc;
    consent_tpl_vars_t     vars;
    consent_token_t        tok;
    consent_policy_t      *policy;
    consent_keyset_t      *ks;
    consent_html_conf_t    hc;

    policy_path = NULL;
    scan_only = 0;
    scan_granted = 0;
    scan_piece = 0;
    scan_floor = 0;
    count = 0;
    s.npages = 0;

    for (i = 1; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--policy") == 0) {
            policy_path = argv[++i];

        } else if (i + 1 < argc && strcmp(argv[i], "--scan") == 0) {
            scan_only = atoi(argv[++i]);

        } else if (i + 1 < argc && strcmp(argv[i], "--floor") == 0) {
            scan_only = atoi(argv[++i]);
            scan_floor = 1;

        } else if (strcmp(argv[i], "--tags") == 0) {
            count = 1;

        } else if (strcmp(argv[i], "--granted") == 0) {
            scan_granted = 1;

        } else if (i + 1 < argc && strcmp(argv[i], "--piece") == 0) {
            scan_piece = atoi(argv[++i]);

        } else if (s.npages < BENCH_PAGES_MAX) {
            pages[s.npages].name = argv[i];
            pages[s.npages].data = bench_read(argv[i],
                                              &pages[s.npages].len);
            if (pages[s.npages].data == NULL) {
                return 3;
            }

            s.npages++;

        } else {
            fprintf(stderr, "consent-bench: too many pages\n");
            return 2;
        }
    }

    if (policy_path == NULL || s.npages == 0) {
        fprintf(stderr, "usage: consent-bench --policy FILE "
                "[--scan N [--granted] [--piece BYTES] | --floor N "
                "| --tags] "
                "PAGE...\n");
        return 2;
    }

    policy = consent_policy_load(policy_path, err, sizeof(err));
    if (policy == NULL) {
        fprintf(stderr, "consent-bench: %s: %s\n", policy_path, err);
        return 2;
    }

    /* scanner */

    consent_view_init(&view, policy, CONSENT_STATE_ABSENT, NULL);

    s.policy = policy;
    s.pages = pages;
    memset(&rc, 0, sizeof(consent_render_conf_t));
    rc.endpoint = "/consent/";
    rc.endpoint_len = 9;
    rc.version = consent_assets_version;

    memset(&vars, 0, sizeof(consent_tpl_vars_t));
    vars.ret = "/";
    vars.ret_len = 1;

    s.head = consent_render_head(policy, &view, 0, &rc, NULL, 0,
                                 &s.head_len);
    s.banner = consent_render_banner(policy, policy->default_lang, &rc,
                                     &vars, &s.banner_len);

    memset(&hc, 0, sizeof(consent_html_conf_t));
    hc.policy = policy;
    hc.head = s.head;
    hc.banner = s.banner;
    s.mem = malloc(consent_html_size(&hc));

    if (s.head == NULL || s.banner == NULL || s.mem == NULL) {
        fprintf(stderr, "consent-bench: out of memory\n");
        return 1;
    }

    total = 0;
    for (p = 0; p < s.npages; p++) {
        total += pages[p].len;
    }

    if (count) {
        return bench_tags(&s);
    }

    if (scan_only > 0) {
        s.only = s.npages;
        s.piece = scan_piece > 0 ? (size_t) scan_piece : 0;
        s.consent = scan_granted;

        if (scan_floor) {
            bench_floor(&s, scan_only);

        } else {
            bench_scan(&s, scan_only);
        }

        printf("scanned %zu bytes\n", total * scan_only);
        return 0;
    }

    printf("{\n  \"corpus_bytes\": %zu,\n  \"scanner\": {\n", total);

    s.only = s.npages;

    mc = bench_scan_four(&s, scan);
    fl = bench_median(bench_floor, &s, NULL);

    printf("    \"corpus\": {\"none_whole_gbs\": %.3f, "
           "\"none_1k_gbs\": %.3f, \"all_whole_gbs\": %.3f, "
           "\"all_1k_gbs\": %.3f, \"memchr_gbs\": %.3f, "
           "\"floor_gbs\": %.3f},\n",
           total / scan[0][0], total / scan[0][1],
           total / scan[1][0], total / scan[1][1], total / mc, total / fl);

    printf("    \"pages\": [\n");

    for (p = 0; p < s.npages; p++) {
        s.only = p;

        mc = bench_scan_four(&s, scan);
        fl = bench_median(bench_floor, &s, NULL);

        printf("      {\"page\": \"%s\", \"bytes\": %zu, "
               "\"none_whole_us\": %.2f, \"none_1k_us\": %.2f, "
               "\"all_whole_us\": %.2f, \"all_1k_us\": %.2f, "
               "\"memchr_us\": %.2f, \"floor_us\": %.2f, "
               "\"none_whole_gbs\": %.3f, \"all_whole_gbs\": %.3f}%s\n",
               strrchr(pages[p].name, '/') ? strrchr(pages[p].name, '/') + 1
                                           : pages[p].name,
               pages[p].len, scan[0][0] / 1000, scan[0][1] / 1000,
               scan[1][0] / 1000, scan[1][1] / 1000, mc / 1000, fl / 1000,
               pages[p].len / scan[0][0], pages[p].len / scan[1][0],
               p + 1 < s.npages ? "," : "");
    }

    printf("    ]\n  },\n");

    /* token verify */

    for (i = 0; i < 32; i++) {
        secret[i] = (unsigned char) (i * 37 + 11);
    }

    memcpy(keyline, "k1 ", 3);
    n = EVP_EncodeBlock((unsigned char *) keyline + 3, secret, 32);
    keyline[3 + n] = '\n';
    keyline[4 + n] = '\0';

    ks = consent_keyset_parse(keyline, strlen(keyline), "bench.keys", err,
                              sizeof(err));
    if (ks == NULL) {
        fprintf(stderr, "consent-bench: %s\n", err);
        return 1;
    }

    memset(&tok, 0, sizeof(consent_token_t));
    tok.revision = policy->revision;
    tok.granted = policy->all_mask;
    tok.issued = 1700000000;
    memset(tok.id, 0x5a, CONSENT_ID_LEN);

    n = consent_token_encode(ks, "consent", 7, &tok, cookie, sizeof(cookie));
    if (n <= 0) {
        fprintf(stderr, "consent-bench: cannot encode a token\n");
        return 1;
    }

    memcpy(tampered, cookie, n + 1);
    tampered[n / 2] = tampered[n / 2] == 'A' ? 'B' : 'A';

    v.ks = ks;
    v.len = n;
    v.now = 1700000000 + 3600;
    v.revision = policy->revision;

    v.cookie = cookie;
    v.expect = CONSENT_STATE_VALID;
    ns = bench_median(bench_verify, &v, &iters);

    printf("  \"token\": {\"cookie_bytes\": %d, \"verify_valid_ns\": %.1f, ",
           n, ns);

    v.cookie = tampered;
    v.expect = CONSENT_STATE_INVALID;
    ns = bench_median(bench_verify, &v, &iters);

    printf("\"verify_tampered_ns\": %.1f},\n", ns);

    /* policy rule matching, the tags of the benchmark's pages */

    ntags = 0;

#define TAG(nm, e)                                                           \
    tags[ntags].name = nm; tags[ntags].el = e; tags[ntags].nattrs = 0
#define ATTR(k, val)                                                         \
    bench_attr(&tags[ntags].attrs[tags[ntags].nattrs++], k, val)

    TAG("gtag script", CONSENT_EL_SCRIPT);
    ATTR("async", "");
    ATTR("src", "https://www.googletagmanager.com/gtag/js?id=G-8XK2Q0LM1P");
    ntags++;

    TAG("first-party script", CONSENT_EL_SCRIPT);
    ATTR("src", "/assets/site.js");
    ATTR("defer", "");
    ntags++;

    TAG("gtm iframe", CONSENT_EL_IFRAME);
    ATTR("src", "https://www.googletagmanager.com/ns.html?id=GTM-W4K7T2S");
    ATTR("height", "0");
    ATTR("width", "0");
    ATTR("style", "display:none;visibility:hidden");
    ntags++;

    TAG("meta pixel img", CONSENT_EL_IMG);
    ATTR("height", "1");
    ATTR("width", "1");
    ATTR("style", "display:none");
    ATTR("src", "https://www.facebook.com/tr?id=1234567890123456"
                "&ev=PageView&noscript=1");
    ntags++;

    TAG("ad img", CONSENT_EL_IMG);
    ATTR("src", "https://ad.doubleclick.net/ddm/ad/561518630;sz=1x1");
    ATTR("width", "1");
    ATTR("height", "1");
    ATTR("alt", "");
    ntags++;

    TAG("syndication img", CONSENT_EL_IMG);
    ATTR("src", "https://tpc.googlesyndication.com/simgad/3086655755");
    ATTR("width", "300");
    ATTR("height", "250");
    ATTR("alt", "Advertisement");
    ntags++;

    TAG("photo img", CONSENT_EL_IMG);
    ATTR("src", "/assets/photo.png");
    ATTR("width", "640");
    ATTR("height", "360");
    ATTR("alt", "Police match government analysis families final goals");
    ATTR("loading", "lazy");
    ntags++;

    TAG("youtube iframe", CONSENT_EL_IFRAME);
    ATTR("width", "560");
    ATTR("height", "315");
    ATTR("src", "https://www.youtube.com/embed/aB3dE_fGh-1");
    ATTR("title", "YouTube video player");
    ATTR("allowfullscreen", "");
    ntags++;

    TAG("stylesheet link", CONSENT_EL_LINK);
    ATTR("rel", "stylesheet");
    ATTR("href", "/assets/style.css");
    ntags++;

#undef TAG
#undef ATTR

    m.policy = policy;
    m.tags = tags;
    m.ntags = ntags;
    m.inl = bench_inline_scripts;
    m.ninl = sizeof(bench_inline_scripts) / sizeof(bench_inline_scripts[0]);

    ns = bench_median(bench_match, &m, NULL);

    printf("  \"match\": {\"tags\": %zu, \"element_ns_per_tag\": %.1f, ",
           ntags, ns / ntags);

    ns = bench_median(bench_inline, &m, NULL);

    printf("\"inline_scripts\": %zu, \"inline_ns_per_script\": %.1f}\n}\n",
           m.ninl, ns / m.ninl);

    for (p = 0; p < s.npages; p++) {
        free(pages[p].data);
    }

    free(s.mem);
    free(s.head);
    free(s.banner);
    consent_keyset_free(ks);
    consent_policy_free(policy);

    return bench_sink == (size_t) -1;
}

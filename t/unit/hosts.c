
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Unit tests of the scanner's host_seen hook (consent_html.c): each
 * host an element of the page would fetch from, as resolved against
 * the page or its <base>, with its element and whether a rule or a
 * mark classifies it; the output is the same with the hook as without.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "consent_html.h"


#define S(s)       s, sizeof(s) - 1
#define OUT_MAX    65536
#define SEEN_MAX   256


typedef struct {
    char                line[SEEN_MAX][160];
    size_t              n;
    char                out[OUT_MAX];
    size_t              out_len;
} run_t;


static int emit(void *ctx, const char *data, size_t len, int input);
static void seen(void *ctx, const char *host, size_t len, int classified,
    const char *el, size_t el_len);
static void run(const consent_policy_t *p, uint32_t granted, int hook,
    size_t step, const char *page, run_t *r);
static int has(const run_t *r, const char *line);
static int cmp(const void *a, const void *b);
static size_t distinct(const run_t *r, char out[][160]);


static const char page[] =
    "<!doctype html><html><head>\n"
    "<script src=\"https://www.googletagmanager.com/gtag/js?id=G-1\">"
    "</script>\n"
    "<script src=\"//CDN.Tracker.EXAMPLE/t.js?visitor=1\"></script>\n"
    "<link rel=\"stylesheet\" href=\"https://fonts.example/css?a=b\">\n"
    "<link rel=\"canonical\" href=\"https://canonical.example/\">\n"
    "</head><body>\n"
    "<img src=\"/local.png\">\n"
    "<img srcset=\"https://a.img.example/1.png 1x, "
    "https://b.img.example/2,3.png 2x\">\n"
    "<iframe src=\"https://www.youtube-nocookie.com/embed/x\"></iframe>\n"
    "<video poster=\"https://poster.example/p.jpg\"></video>\n"
    "<div style=\"background:url('https://bg.example/i.png')\"></div>\n"
    "<script src=\"https://b&#xfc;cher.example/x.js\"></script>\n"
    "<a href=\"https://link.example/\" ping=\"https://ping.example/p\">a</a>\n"
    "<script data-consent=\"marketing\" src=\"https://marked.example/m.js\">"
    "</script>\n"
    "<img src=\"data:image/png;base64,AAAA\">\n"
    "<base href=\"https://base.example/sub/\">\n"
    "<img src=\"rel.png\">\n"
    "<img src=\"//CONNECT.facebook.NET/x.gif\">\n"
    "</body></html>\n";


int
main(void)
{
    char               err[512], a[SEEN_MAX][160], b[SEEN_MAX][160];
    size_t             i, na, nb;
    uint32_t           all;
    consent_policy_t  *p;
    static run_t       r0, r1, r2, r3;

    p = consent_policy_load("conf/policy.json", err, sizeof(err));

    if (!ok(p != NULL, "the shipped policy loads")) {
        printf("#   %s\n", err);
        return done_testing();
    }

    all = p->all_mask;

    /* a visitor who granted nothing */

    run(p, 0, 1, 0, page, &r1);

    ok(has(&r1, "www.googletagmanager.com 3 script"),
       "a tracker's script: analytics (1 + its index 2)");
    ok(has(&r1, "cdn.tracker.example 0 script"),
       "scheme-relative, upper case: the host in lower case, unclassified");
    ok(has(&r1, "fonts.example 0 link"), "a stylesheet link");
    ok(!has(&r1, "canonical.example 0 link"), "a canonical link: no fetch");
    ok(has(&r1, "www.example.com 0 img"),
       "a relative URL: the page's host (the adapter drops first parties)");
    ok(has(&r1, "a.img.example 0 img") && has(&r1, "b.img.example 0 img"),
       "each URL of a srcset");
    ok(has(&r1, "www.youtube-nocookie.com 4 iframe"),
       "an embed: marketing (1 + 3)");
    ok(has(&r1, "poster.example 0 video"), "a video's poster");
    ok(has(&r1, "bg.example 0 style"), "a style= url()");
    ok(has(&r1, "xn--bcher-kva.example 0 script"),
       "an IDN host, entity decoded, in its ASCII form");
    ok(has(&r1, "ping.example 0 a") && !has(&r1, "link.example 0 a"),
       "a ping, not an href");
    ok(has(&r1, "marked.example 4 script"),
       "a marked element: of its mark's category");
    ok(has(&r1, "base.example 0 img"),
       "after a <base>, a relative URL resolves against it");
    ok(!has(&r1, "base.example 0 base"), "a <base> itself fetches nothing");
    ok(has(&r1, "connect.facebook.net 4 img"),
       "upper case matched by the rule, reported in lower case");

    for (i = 0; i < r1.n; i++) {
        ok(strchr(r1.line[i], '?') == NULL && strchr(r1.line[i], '/')
           == NULL, "no path or query: %s", r1.line[i]);
    }

    na = distinct(&r1, a);
    is_int(na, 14, "14 distinct host reports, no other");

    /* the hook changes nothing in the page */

    run(p, 0, 0, 0, page, &r0);
    ok(r0.n == 0, "without the hook: not called");
    ok(r0.out_len == r1.out_len && memcmp(r0.out, r1.out, r0.out_len) == 0,
       "granted nothing: the same output with the hook");

    /* a visitor who granted everything: the same hosts, the page as is */

    run(p, all, 1, 0, page, &r2);
    run(p, all, 0, 0, page, &r3);
    ok(r2.out_len == r3.out_len && memcmp(r2.out, r3.out, r2.out_len) == 0,
       "granted all: the same output with the hook");
    ok(r3.out_len == sizeof(page) - 1 && memcmp(r3.out, page, r3.out_len)
       == 0, "granted all: the page as it is");
    nb = distinct(&r2, b);
    ok(na == nb && memcmp(a, b, na * sizeof(a[0])) == 0,
       "granted all: the same hosts reported");

    /* a byte at a time */

    run(p, 0, 1, 1, page, &r2);
    nb = distinct(&r2, b);
    ok(na == nb && memcmp(a, b, na * sizeof(a[0])) == 0,
       "fed a byte at a time: the same hosts");

    consent_policy_free(p);

    return done_testing();
}


static void
run(const consent_policy_t *p, uint32_t granted, int hook, size_t step,
    const char *html, run_t *r)
{
    char                 buf[512];
    size_t               i, len, n;
    void                *mem;
    consent_url_t        base;
    consent_html_t      *h;
    consent_html_conf_t  conf;

    memset(r, 0, sizeof(run_t));
    memset(&conf, 0, sizeof(conf));

    base.buf = buf;
    base.size = sizeof(buf);

    if (consent_url_parse(&base, S("https://www.example.com/dir/page.html"),
                          NULL)
        != CONSENT_URL_OK)
    {
        ok(0, "the page's URL parses");
        return;
    }

    conf.policy = p;
    conf.granted = granted;
    conf.base = &base;
    conf.emit = emit;
    conf.ctx = r;

    if (hook) {
        conf.host_seen = seen;
        conf.host_ctx = r;
    }

    mem = malloc(consent_html_size(&conf));
    h = consent_html_init(mem, &conf);

    len = strlen(html);

    if (step == 0) {
        step = len;
    }

    for (i = 0; i < len; i += n) {
        n = len - i < step ? len - i : step;
        consent_html_feed(h, html + i, n, 0);
    }

    consent_html_feed(h, "", 0, 1);

    free(mem);
}


static int
emit(void *ctx, const char *data, size_t len, int input)
{
    run_t  *r = ctx;

    if (r->out_len + len > OUT_MAX) {
        return -1;
    }

    memcpy(r->out + r->out_len, data, len);
    r->out_len += len;

    return 0;
}


static void
seen(void *ctx, const char *host, size_t len, int classified,
    const char *el, size_t el_len)
{
    run_t  *r = ctx;

    if (r->n == SEEN_MAX) {
        return;
    }

    snprintf(r->line[r->n++], sizeof(r->line[0]), "%.*s %d %.*s", (int) len,
             host, classified, (int) el_len, el);
}


static int
has(const run_t *r, const char *line)
{
    size_t  i;

    for (i = 0; i < r->n; i++) {
        if (strcmp(r->line[i], line) == 0) {
            return 1;
        }
    }

    return 0;
}


static int
cmp(const void *a, const void *b)
{
    return strcmp(a, b);
}


/* the distinct lines, sorted */

static size_t
distinct(const run_t *r, char out[][160])
{
    size_t  i, n;

    n = 0;

    for (i = 0; i < r->n; i++) {
        memcpy(out[n++], r->line[i], 160);
    }

    qsort(out, n, 160, cmp);

    for (i = 0; n > 0 && i + 1 < n; ) {
        if (strcmp(out[i], out[i + 1]) == 0) {
            memmove(out[i + 1], out[i + 2], (n - i - 2) * 160);
            n--;

        } else {
            i++;
        }
    }

    return n;
}


/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The scanner's host_seen hook (src/consent_html.c, for the inventory's
 * third-party hosts) and consent_inventory_third_party().
 *
 * Input: 2 bytes of set-up, then the page.
 *   byte 0: categories granted (bits of t/html/policy.json)
 *   byte 1: bits 0-1 the page's URL (none, https://www.example.com/a/b,
 *           http://[::1]:8080/, http://127.0.0.1/), bit 2 split the
 *           page in 1-byte pieces (pages up to 512 bytes)
 *
 * Properties: the output with the hook is the output without it, for a
 * visitor who has not granted every category (for one who has, the hook
 * makes the scanner judge every element as for the others, where its
 * quick path for that visitor looks at fewer: a page may then differ,
 * see docs/cookies.md, "Third-party hosts"); each
 * host reported is a non-empty host of at most CONSENT_URL_HOST_MAX
 * bytes, in the ASCII form of the URL parser (no upper case, no space,
 * no '/', '?' or '#'), classified 0 or 1 + a category of the policy,
 * its element a lower-case name; the set of hosts is the same whatever
 * the split; a host is never a third party to a page of its own name.
 */


#include "fuzz.h"
#include "consent_html.h"
#include "consent_inventory.h"


#define FUZZ_HOSTS_MAX     64


typedef struct {
    char               *data;
    size_t              len;
    size_t              cap;
    uint64_t            sum;        /* of the hosts reported, unordered */
    size_t              n;
} fuzz_hosts_out_t;


static int fuzz_hosts_emit(void *ctx, const char *data, size_t len,
    int input);
static void fuzz_hosts_seen(void *ctx, const char *host, size_t len,
    int classified, const char *el, size_t el_len);
static void fuzz_hosts_scan(const consent_html_conf_t *tmpl, int hook,
    const char *page, size_t len, size_t step, fuzz_hosts_out_t *o);


static consent_policy_t  *policy;


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    policy = fuzz_policy("t/html/policy.json");
    return 0;
}


static int
fuzz_hosts_emit(void *ctx, const char *data, size_t len, int input)
{
    fuzz_hosts_out_t  *o = ctx;

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
fuzz_hosts_seen(void *ctx, const char *host, size_t len, int classified,
    const char *el, size_t el_len)
{
    size_t             i;
    uint64_t           h;
    fuzz_hosts_out_t  *o = ctx;

    fuzz_check(len > 0 && len <= CONSENT_URL_HOST_MAX, "a host's length");
    fuzz_check(classified >= 0
               && classified <= (int) policy->ncategories, "classified");
    fuzz_check(el_len > 0 && el_len <= 32, "an element");

    h = 14695981039346656037ULL;

    for (i = 0; i < len; i++) {
        fuzz_check(!(host[i] >= 'A' && host[i] <= 'Z') && host[i] != ' '
                   && host[i] != '/' && host[i] != '?' && host[i] != '#',
                   "a host in its ASCII form");
        h = (h ^ (unsigned char) host[i]) * 1099511628211ULL;
    }

    for (i = 0; i < el_len; i++) {
        fuzz_check(!(el[i] >= 'A' && el[i] <= 'Z'), "a lower-case element");
    }

    fuzz_check(!consent_inventory_third_party(host, len, host, len, NULL, 0),
               "a host is its own site");

    /* the same URLs whatever the split: a sum does not see the order */
    o->sum += h * (uint64_t) (classified + 1);
    o->n++;
}


static void
fuzz_hosts_scan(const consent_html_conf_t *tmpl, int hook, const char *page,
    size_t len, size_t step, fuzz_hosts_out_t *o)
{
    int                   rc;
    char                 *mem, *piece;
    size_t                i, n;
    consent_html_t       *h;
    consent_html_conf_t   conf;

    memset(o, 0, sizeof(fuzz_hosts_out_t));

    conf = *tmpl;
    conf.ctx = o;

    if (hook) {
        conf.host_seen = fuzz_hosts_seen;
        conf.host_ctx = o;
    }

    mem = malloc(consent_html_size(&conf));

    if (mem == NULL) {
        abort();
    }

    h = consent_html_init(mem, &conf);
    fuzz_check(h != NULL, "init");

    for (i = 0; i < len; i += n) {
        n = len - i < step ? len - i : step;
        piece = fuzz_copy(page + i, n);
        rc = consent_html_feed(h, piece, n, 0);
        fuzz_check(rc == 0, "feed");
        free(piece);
    }

    rc = consent_html_feed(h, "", 0, 1);
    fuzz_check(rc == 0, "last feed");

    free(mem);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                 u;
    size_t              len;
    char                buf[256];
    fuzz_in_t           in;
    const char         *page;
    consent_url_t       base;
    fuzz_hosts_out_t    with, without, bytes;
    consent_html_conf_t conf;

    static const char  *urls[4] = {
        NULL, "https://www.example.com/a/b", "http://[::1]:8080/",
        "http://127.0.0.1/"
    };

    in.p = data;
    in.left = size;

    memset(&conf, 0, sizeof(consent_html_conf_t));

    conf.policy = policy;
    conf.granted = fuzz_byte(&in);
    conf.emit = fuzz_hosts_emit;

    u = fuzz_byte(&in);

    if (urls[u & 3] != NULL) {
        base.buf = buf;
        base.size = sizeof(buf);
        fuzz_check(consent_url_parse(&base, urls[u & 3], strlen(urls[u & 3]),
                                     NULL)
                   == CONSENT_URL_OK, "the page's URL");
        conf.base = &base;
    }

    page = (const char *) in.p;
    len = in.left;

    fuzz_hosts_scan(&conf, 1, page, len, len ? len : 1, &with);
    fuzz_hosts_scan(&conf, 0, page, len, len ? len : 1, &without);

    if ((policy->all_mask & ~(conf.granted | policy->required_mask)) != 0) {
        fuzz_check(with.len == without.len
                   && (with.len == 0
                       || memcmp(with.data, without.data, with.len) == 0),
                   "the same output with the hook as without");
    }
    fuzz_check(without.n == 0, "without the hook, nothing reported");

    if ((u & 4) && len <= 512) {
        fuzz_hosts_scan(&conf, 1, page, len, 1, &bytes);
        fuzz_check(bytes.n == with.n && bytes.sum == with.sum,
                   "the same hosts in 1-byte pieces");
        fuzz_check(bytes.len == with.len
                   && (with.len == 0
                       || memcmp(bytes.data, with.data, with.len) == 0),
                   "the same output in 1-byte pieces");
        free(bytes.data);
    }

    free(with.data);
    free(without.data);

    return 0;
}

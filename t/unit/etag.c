
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Unit tests of src/consent_etag.c: the variant a page was built for,
 * entity tags that name it, If-None-Match rewritten for nginx and the
 * backend, and the fetch destinations that keep their own validators.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "consent_etag.h"


static void test_variant(void);
static void test_mark(void);
static void test_inm(void);
static void test_dest(void);
static void check_inm(const char *in, uint64_t fp, int keep,
    const char *want, int matched);


static const unsigned char  sha_a[32] = { 1, 2, 3 };
static const unsigned char  sha_b[32] = { 1, 2, 4 };


static void
test_variant(void)
{
    uint64_t           base, h;
    consent_variant_t  v, w;

    memset(&v, 0, sizeof(v));
    v.policy_sha256 = sha_a;
    v.revision = 3;
    v.state = 1;
    v.granted = 0x5;
    v.lang = "en";
    v.endpoint = "/consent/";
    v.endpoint_len = 9;
    v.assets_version = "abc";

    base = consent_variant_hash(&v);
    ok(consent_variant_hash(&v) == base, "the same variant, the same hash");

    w = v; w.granted = 0xf;
    ok(consent_variant_hash(&w) != base, "granted categories count");
    w = v; w.state = 2;
    ok(consent_variant_hash(&w) != base, "the state counts");
    w = v; w.revision = 4;
    ok(consent_variant_hash(&w) != base, "the revision counts");
    w = v; w.policy_sha256 = sha_b;
    ok(consent_variant_hash(&w) != base, "the policy's hash counts");
    w = v; w.lang = "de";
    ok(consent_variant_hash(&w) != base, "the language counts");
    w = v; w.flags = 1;
    ok(consent_variant_hash(&w) != base, "GPC and banner options count");
    w = v; w.assets_version = "abd";
    ok(consent_variant_hash(&w) != base, "the assets' version counts");

    /* fields do not run into each other */
    w = v; w.lang = "en/"; w.endpoint = "consent/"; w.endpoint_len = 8;
    h = consent_variant_hash(&w);
    ok(h != base, "a byte moved from one field to the next");
}


static void
test_mark(void)
{
    char    out[128];
    size_t  n;

    n = consent_etag_mark("\"65f1-2a3b\"", 11, 0x0123456789abcdefULL, out);
    out[n] = '\0';
    is_str(out, "W/\"65f1-2a3b;c=0123456789abcdef\"", "strong tag marked");

    n = consent_etag_mark("W/\"x\"", 5, 1, out);
    out[n] = '\0';
    is_str(out, "W/\"x;c=0000000000000001\"", "weak tag marked");

    n = consent_etag_mark("bare value", 10, 2, out);
    out[n] = '\0';
    is_str(out, "W/\"barevalue;c=0000000000000002\"",
           "a malformed tag keeps only tag bytes");

    n = consent_etag_mark("\"a\"b\"", 5, 3, out);
    out[n] = '\0';
    is_str(out, "W/\"ab;c=0000000000000003\"", "no quote inside");

    n = consent_etag_mark("", 0, 4, out);
    out[n] = '\0';
    is_str(out, "W/\";c=0000000000000004\"", "empty tag");
}


static void
check_inm(const char *in, uint64_t fp, int keep, const char *want,
    int matched)
{
    int     kept, m;
    char   *out;
    size_t  len;

    out = malloc(2 * strlen(in) + 8);

    kept = consent_inm_rewrite(in, strlen(in), fp, keep, out, &len, &m);

    if (want == NULL) {
        is_int(kept, 0, "If-None-Match: %s: dropped", in);

    } else {
        ok(kept > 0, "If-None-Match: %s: kept", in);
        ok(len == strlen(want) && memcmp(out, want, len) == 0,
           "If-None-Match: %s: becomes %s (got %.*s)", in, want, (int) len,
           out);
    }

    is_int(m, matched, "If-None-Match: %s: matched", in);

    free(out);
}


static void
test_inm(void)
{
    uint64_t  fp;

    fp = 0x0123456789abcdefULL;

    check_inm("W/\"65f1-2a3b;c=0123456789abcdef\"", fp, 0,
              "\"65f1-2a3b\", W/\"65f1-2a3b\"", 1);
    check_inm("\"65f1;c=0123456789abcdef\"", fp, 0,
              "\"65f1\", W/\"65f1\"", 1);
    check_inm("W/\"65f1-2a3b;c=0123456789abcdee\"", fp, 0, NULL, 0);
    check_inm("W/\"65f1-2a3b;c=0123456789abcdee\"", fp, 1, NULL, 0);
    check_inm("\"65f1-2a3b\"", fp, 0, NULL, 0);
    check_inm("\"65f1-2a3b\"", fp, 1, "\"65f1-2a3b\"", 0);
    check_inm("W/\"img\"", fp, 1, "W/\"img\"", 0);
    check_inm("*", fp, 0, NULL, 0);
    check_inm("*", fp, 1, NULL, 0);
    check_inm("W/\"a;c=0123456789abcdee\", W/\"b;c=0123456789abcdef\"",
              fp, 0, "\"b\", W/\"b\"", 1);
    check_inm("\"x\",W/\"b;c=0123456789abcdef\"", fp, 1,
              "\"x\", \"b\", W/\"b\"", 1);
    check_inm("W/\"a;c=0123456789ABCDEF\"", fp, 0, NULL, 0);
    check_inm("W/\"a;c=0123456789abcde\"", fp, 0, NULL, 0);
    check_inm("W/\";c=0123456789abcdef\"", fp, 0, "\"\", W/\"\"", 1);
    check_inm("", fp, 1, NULL, 0);
    check_inm(" , ,", fp, 1, NULL, 0);
    check_inm("W/\"unterminated;c=0123456789abcdef", fp, 0,
              "\"unterminated\", W/\"unterminated\"", 1);
    check_inm("bare", fp, 1, "bare", 0);
}


static void
test_dest(void)
{
    ok(consent_fetch_dest_subresource("image", 5), "image");
    ok(consent_fetch_dest_subresource("style", 5), "style");
    ok(consent_fetch_dest_subresource("script", 6), "script");
    ok(!consent_fetch_dest_subresource("document", 8), "document");
    ok(!consent_fetch_dest_subresource("iframe", 6), "iframe");
    ok(!consent_fetch_dest_subresource("empty", 5), "empty (fetch)");
    ok(!consent_fetch_dest_subresource("embed", 5), "embed");
    ok(!consent_fetch_dest_subresource("object", 6), "object");
    ok(!consent_fetch_dest_subresource("", 0), "nothing");
    ok(!consent_fetch_dest_subresource("Image", 5), "case matters");
    ok(!consent_fetch_dest_subresource("images", 6), "a longer name");
}


int
main(void)
{
    test_variant();
    test_mark();
    test_inm();
    test_dest();

    return done_testing();
}

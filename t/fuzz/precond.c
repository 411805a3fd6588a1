
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * What the filter decides from headers: If-None-Match rewritten
 * (src/consent_etag.c), Accept-Encoding and Cache-Control rewritten,
 * Content-Encoding values (src/consent_header.c, consent_inflate.c), and
 * how a body's first bytes are read (src/consent_sniff.c).
 *
 * Input: 1 byte for the variant and flags, then a header value.
 *
 * Properties: outputs stay within the room the headers promise; a tag
 * marked for a variant, offered back, is found for that variant and for
 * no other; no rewritten If-None-Match holds a marked tag; a rewritten
 * Accept-Encoding is stable (rewriting it again changes nothing) and
 * names only codings the filter reads; no-cache is there once added.
 */


#define _GNU_SOURCE

#include "fuzz.h"
#include "consent_etag.h"
#include "consent_header.h"
#include "consent_inflate.h"
#include "consent_sniff.h"


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int          kept, matched, r;
    char        *v, *out, *out2, *mark;
    size_t       len, n, n2, m;
    uint64_t     fp;
    unsigned     a;
    fuzz_in_t    in;

    in.p = data;
    in.left = size;

    a = fuzz_byte(&in);
    fp = 0x9e3779b97f4a7c15ULL * (a + 1);

    v = fuzz_copy((const char *) in.p, in.left);
    len = in.left;

    out = malloc(2 * len + 64);
    out2 = malloc(2 * len + 64);
    mark = malloc(len + CONSENT_ETAG_MARK_LEN + 4);

    /* If-None-Match */

    kept = consent_inm_rewrite(v, len, fp, a & 1, out, &n, &matched);
    fuzz_check(n <= 2 * len + 8, "If-None-Match within its room");
    fuzz_check(kept >= 0 && (kept > 0 || n == 0), "kept tags, some output");

    if (memmem(v, len, ";c=", 3) == NULL) {
        kept = consent_inm_rewrite(out, n, fp, 0, out2, &n2, &r);
        fuzz_check(!r, "no marked tag is left after a rewrite");
    }

    /* a tag marked for fp is found for fp and only for it */

    m = consent_etag_mark(v, len, fp, mark);
    fuzz_check(m <= len + CONSENT_ETAG_MARK_LEN + 4, "mark within its room");

    kept = consent_inm_rewrite(mark, m, fp, 0, out, &n, &matched);
    fuzz_check(kept == 1 && matched, "a marked tag comes back");
    kept = consent_inm_rewrite(mark, m, fp + 1, 0, out, &n, &matched);
    fuzz_check(kept == 0 && !matched, "not for another variant");

    /* Accept-Encoding */

    n = consent_accept_encoding_ours(v, len, out);
    fuzz_check(n <= len + 8, "Accept-Encoding within its room");
    n2 = consent_accept_encoding_ours(out, n, out2);
    fuzz_check(n2 == n && memcmp(out, out2, n) == 0,
               "Accept-Encoding rewritten once for all");

    /* Cache-Control */

    n = consent_cache_control_no_cache(v, len, out);
    fuzz_check(n <= len + 10, "Cache-Control within its room");
    n2 = consent_cache_control_no_cache(out, n, out2);
    fuzz_check(n2 == n && memcmp(out, out2, n) == 0, "no-cache added once");

    /* Content-Encoding, and the start of a body */

    r = consent_coding(v, len);
    fuzz_check(r >= CONSENT_CODING_NONE && r <= CONSENT_CODING_OTHER,
               "a coding");

    r = consent_sniff_html((const unsigned char *) v, len, a & 2);
    fuzz_check(r == 1 || r == 0 || (r == -1 && !(a & 2)
                                     && len < CONSENT_SNIFF_MAX),
               "HTML, not, or wait only while a browser would");

    r = consent_bom_utf16((const unsigned char *) v, len, 1);
    fuzz_check(r == 0 || r == 1, "a BOM or not at the end");

    (void) consent_iso2022_escape((const unsigned char *) v, len);
    (void) consent_sniff_type(v, len);

    free(v);
    free(out);
    free(out2);
    free(mark);

    return 0;
}

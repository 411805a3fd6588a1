
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Unit tests of src/consent_inflate.c: Content-Encoding values, gzip
 * and deflate (zlib-wrapped and raw) in any split, gzip members one
 * after another, what browsers ignore, corrupt and cut bodies, and the
 * limit that stops a decompression bomb.
 */


#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "tap.h"
#include "consent_inflate.h"


static void test_coding(void);
static size_t pack(const char *s, size_t len, int window, unsigned char *out,
    size_t room);
static int run(consent_coding_e coding, const unsigned char *in, size_t len,
    size_t piece, size_t room, uint64_t limit, char *out, size_t *out_len);
static void test_streams(void);
static void test_errors(void);


static const char  page[] =
    "<!DOCTYPE html><html><head><title>t</title></head><body>\n"
    "<script src=\"https://connect.facebook.net/x.js\"></script>\n"
    "<p>Some text, some more text, and text again.</p>\n"
    "</body></html>\n";


static void
test_coding(void)
{
    static const struct {
        const char        *v;
        consent_coding_e   c;
    } cases[] = {
        { "", CONSENT_CODING_NONE },
        { "identity", CONSENT_CODING_NONE },
        { " Identity ", CONSENT_CODING_NONE },
        { "gzip", CONSENT_CODING_GZIP },
        { "GZIP", CONSENT_CODING_GZIP },
        { "x-gzip", CONSENT_CODING_GZIP },
        { "deflate", CONSENT_CODING_DEFLATE },
        { "identity, gzip", CONSENT_CODING_GZIP },
        { "gzip ,", CONSENT_CODING_GZIP },
        { "br", CONSENT_CODING_OTHER },
        { "zstd", CONSENT_CODING_OTHER },
        { "compress", CONSENT_CODING_OTHER },
        { "gzip, gzip", CONSENT_CODING_OTHER },
        { "deflate, br", CONSENT_CODING_OTHER },
        { "gzipx", CONSENT_CODING_OTHER },
    };

    size_t  i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        is_int(consent_coding(cases[i].v, strlen(cases[i].v)), cases[i].c,
               "Content-Encoding: \"%s\"", cases[i].v);
    }

    is_int(consent_coding("gzip, br", 4), CONSENT_CODING_GZIP,
           "the length is the end");
}


/* window: 31 gzip, 15 zlib, -15 raw */

static size_t
pack(const char *s, size_t len, int window, unsigned char *out, size_t room)
{
    z_stream  zs;

    memset(&zs, 0, sizeof(zs));
    deflateInit2(&zs, 9, Z_DEFLATED, window, 8, Z_DEFAULT_STRATEGY);
    zs.next_in = (unsigned char *) s;
    zs.avail_in = (uInt) len;
    zs.next_out = out;
    zs.avail_out = (uInt) room;
    deflate(&zs, Z_FINISH);
    deflateEnd(&zs);

    return room - zs.avail_out;
}


/* feeds in pieces of piece bytes into room-byte outputs, like the filter */

static int
run(consent_coding_e coding, const unsigned char *in, size_t len,
    size_t piece, size_t room, uint64_t limit, char *out, size_t *out_len)
{
    int                   rc, last;
    size_t                off, n, ilen, olen;
    unsigned char        *buf;
    const unsigned char  *p;
    consent_inflate_t    *z;

    z = consent_inflate_new(coding, limit);
    buf = malloc(room);
    *out_len = 0;
    rc = CONSENT_INFLATE_OK;

    for (off = 0; off < len || off == 0; off += n) {
        n = (len - off < piece) ? len - off : piece;
        last = (off + n == len);
        p = in + off;
        ilen = n;

        for ( ;; ) {
            if (ilen == 0 && !last) {
                break;
            }

            olen = room;
            rc = consent_inflate(z, &p, &ilen, buf, &olen, last);

            if (rc == CONSENT_INFLATE_ERROR
                || rc == CONSENT_INFLATE_TOO_BIG)
            {
                goto done;
            }

            memcpy(out + *out_len, buf, olen);
            *out_len += olen;

            if (ilen == 0 && (rc == CONSENT_INFLATE_END || olen == 0)) {
                break;
            }
        }

        if (n == 0) {
            break;
        }
    }

done:

    consent_inflate_free(z);
    free(buf);

    return rc;
}


static void
test_streams(void)
{
    int             rc;
    char            out[4096];
    size_t          len, n, zl, i;
    unsigned char   z[2048];

    static const struct {
        const char        *name;
        int                window;
        consent_coding_e   coding;
    } kinds[] = {
        { "gzip", 31, CONSENT_CODING_GZIP },
        { "zlib deflate", 15, CONSENT_CODING_DEFLATE },
        { "raw deflate", -15, CONSENT_CODING_DEFLATE },
    };

    static const size_t  pieces[] = { 100000, 1, 2, 7, 64 };
    static const size_t  rooms[] = { 8192, 1, 13 };

    for (i = 0; i < 3; i++) {
        zl = pack(page, sizeof(page) - 1, kinds[i].window, z, sizeof(z));

        for (n = 0; n < 5; n++) {
            rc = run(kinds[i].coding, z, zl, pieces[n], rooms[n % 3], 0, out,
                     &len);
            ok(rc != CONSENT_INFLATE_ERROR
               && len == sizeof(page) - 1
               && memcmp(out, page, len) == 0,
               "%s in %zu-byte pieces into %zu bytes: the page",
               kinds[i].name, pieces[n], rooms[n % 3]);
        }
    }

    /* two gzip members: browsers that read on get both */

    zl = pack(page, sizeof(page) - 1, 31, z, sizeof(z));
    n = pack("<p>second</p>", 13, 31, z + zl, sizeof(z) - zl);
    rc = run(CONSENT_CODING_GZIP, z, zl + n, 5, 100, 0, out, &len);
    ok(len == sizeof(page) - 1 + 13
       && memcmp(out + sizeof(page) - 1, "<p>second</p>", 13) == 0,
       "two gzip members: both inflated");

    /* bytes after the stream that are no member are ignored */

    memcpy(z + zl, "garbage", 7);
    rc = run(CONSENT_CODING_GZIP, z, zl + 7, 3, 100, 0, out, &len);
    ok(rc != CONSENT_INFLATE_ERROR && len == sizeof(page) - 1,
       "trailing bytes after gzip: ignored");

    zl = pack(page, sizeof(page) - 1, 15, z, sizeof(z));
    memcpy(z + zl, "\x1f\x8b" "garbage", 9);
    rc = run(CONSENT_CODING_DEFLATE, z, zl + 9, 4, 100, 0, out, &len);
    ok(rc != CONSENT_INFLATE_ERROR && len == sizeof(page) - 1,
       "trailing bytes after deflate: ignored");
}


static void
test_errors(void)
{
    int             rc;
    char           *out;
    size_t          len, zl;
    unsigned char  *z, *big;

    out = malloc(1 << 21);
    z = malloc(1 << 16);

    rc = run(CONSENT_CODING_GZIP, (const unsigned char *) "\x1f\x8b\x08\0x",
             5, 100, 100, 0, out, &len);
    is_int(rc, CONSENT_INFLATE_ERROR, "a corrupt gzip body");

    rc = run(CONSENT_CODING_GZIP, (const unsigned char *) "<html>", 6, 100,
             100, 0, out, &len);
    is_int(rc, CONSENT_INFLATE_ERROR, "a page that is not gzip at all");

    zl = pack(page, sizeof(page) - 1, 31, z, 1 << 16);
    rc = run(CONSENT_CODING_GZIP, z, zl / 2, 100, 100, 0, out, &len);
    is_int(rc, CONSENT_INFLATE_ERROR, "a gzip body cut short");

    rc = run(CONSENT_CODING_DEFLATE, (const unsigned char *) "x", 1, 100, 100,
             0, out, &len);
    is_int(rc, CONSENT_INFLATE_ERROR, "deflate: one byte");

    big = calloc(1, 1 << 20);
    zl = pack((const char *) big, 1 << 20, 31, z, 1 << 16);
    ok(zl < 4096, "a megabyte of zeros packs small (%zu bytes)", zl);

    rc = run(CONSENT_CODING_GZIP, z, zl, 512, 8192, 100000, out, &len);
    is_int(rc, CONSENT_INFLATE_TOO_BIG, "over the limit: stopped");
    ok(len <= 100000 + 8192, "stopped within one piece of the limit");

    rc = run(CONSENT_CODING_GZIP, z, zl, 512, 8192, 1 << 20, out, &len);
    ok(rc != CONSENT_INFLATE_TOO_BIG && len == 1 << 20,
       "exactly at the limit: inflated");

    ok(consent_inflate_new(CONSENT_CODING_OTHER, 0) == NULL,
       "no inflater for other codings");

    free(big);
    free(z);
    free(out);
}


int
main(void)
{
    test_coding();
    test_streams();
    test_errors();

    return done_testing();
}

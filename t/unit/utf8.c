
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Unit tests of src/consent_utf8.h: every Unicode scalar value written
 * as glibc's iconv() writes it, and the vectors of RFC 3629.
 */


#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "consent_utf8.h"


static void test_vectors(void);
static void test_every(void);


static void
test_vectors(void)
{
    size_t  i, n;
    char    out[CONSENT_UTF8_MAX + 1];

    static const struct {
        uint32_t     cp;
        const char  *utf8;
    } v[] = {
        { 0x41, "A" },
        { 0x7f, "\x7f" },
        { 0x80, "\xc2\x80" },
        { 0xe9, "\xc3\xa9" },
        { 0x7ff, "\xdf\xbf" },
        { 0x800, "\xe0\xa0\x80" },
        { 0x20ac, "\xe2\x82\xac" },
        { 0xfffd, "\xef\xbf\xbd" },
        { 0xffff, "\xef\xbf\xbf" },
        { 0x10000, "\xf0\x90\x80\x80" },
        { 0x1f600, "\xf0\x9f\x98\x80" },
        { 0x10ffff, "\xf4\x8f\xbf\xbf" },
    };

    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        memset(out, 0, sizeof(out));
        n = consent_utf8_put(v[i].cp, out);
        is_int(n, strlen(v[i].utf8), "U+%04X: %zu bytes", (unsigned) v[i].cp,
               strlen(v[i].utf8));
        is_str(out, v[i].utf8, "U+%04X: its bytes", (unsigned) v[i].cp);
    }
}


static void
test_every(void)
{
    char      in[4], want[8], got[CONSENT_UTF8_MAX], *ip, *op;
    size_t    n, il, ol, bad, count;
    uint32_t  cp, first;
    iconv_t   cd;

    cd = iconv_open("UTF-8", "UTF-32LE");
    if (!ok(cd != (iconv_t) -1, "iconv UTF-32LE to UTF-8 opens")) {
        return;
    }

    bad = 0;
    count = 0;
    first = 0;

    for (cp = 0; cp <= 0x10ffff; cp++) {
        if (cp >= 0xd800 && cp <= 0xdfff) {
            continue;
        }

        in[0] = (char) (cp & 0xff);
        in[1] = (char) ((cp >> 8) & 0xff);
        in[2] = (char) ((cp >> 16) & 0xff);
        in[3] = 0;

        ip = in;
        il = 4;
        op = want;
        ol = sizeof(want);

        if (iconv(cd, &ip, &il, &op, &ol) == (size_t) -1) {
            bad++;
            continue;
        }

        n = consent_utf8_put(cp, got);
        count++;

        if (n != (size_t) (op - want) || memcmp(got, want, n) != 0) {
            if (bad++ == 0) {
                first = cp;
            }
        }
    }

    iconv_close(cd);

    is_int(count, 0x110000 - 0x800, "every scalar value written");
    ok(bad == 0, "every one as iconv writes it (%zu differ, first U+%04X)",
       bad, (unsigned) first);
}


int
main(void)
{
    test_vectors();
    test_every();

    return done_testing();
}

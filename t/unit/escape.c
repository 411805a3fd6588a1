
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Unit tests of src/consent_escape.c: every byte under every variant,
 * the bound CONSENT_ESCAPE_MAX, and strings as the pages hold them.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "consent_escape.h"


static void test_bytes(void);
static void test_strings(void);
static const char *expect(int c, unsigned flags);
static void check(const char *in, unsigned flags, const char *want);


static const char *
expect(int c, unsigned flags)
{
    static char  one[2];

    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\'':
        return (flags & CONSENT_ESCAPE_APOS) ? "&#39;" : "'";
    }

    if ((flags & CONSENT_ESCAPE_CTRL)
        && ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f))
    {
        return "";
    }

    one[0] = (char) c;
    one[1] = '\0';

    return one;
}


static void
test_bytes(void)
{
    int          c, bad, over;
    char         in, out[CONSENT_ESCAPE_MAX + 1], *e;
    size_t       wlen;
    unsigned     flags;
    const char  *want;

    for (flags = 0; flags < 4; flags++) {
        bad = -1;
        over = 0;

        for (c = 0; c < 256; c++) {
            in = (char) c;
            memset(out, 'x', sizeof(out));
            e = consent_escape_html(out, &in, 1, flags);
            want = expect(c, flags);

            if (e - out > CONSENT_ESCAPE_MAX) {
                over = 1;
            }

            /* a NUL kept is one byte, not an empty string */
            wlen = (c == 0 && !(flags & CONSENT_ESCAPE_CTRL))
                   ? 1 : strlen(want);

            if ((size_t) (e - out) != wlen || memcmp(out, want, wlen) != 0)
            {
                if (bad < 0) {
                    bad = c;
                }
            }
        }

        is_int(bad, -1, "every byte escaped as expected, flags %u", flags);
        ok(!over, "no byte takes more than CONSENT_ESCAPE_MAX, flags %u",
           flags);
    }
}


static void
check(const char *in, unsigned flags, const char *want)
{
    char  *out, *e;

    out = malloc(CONSENT_ESCAPE_MAX * strlen(in) + 1);
    if (out == NULL) {
        abort();
    }

    e = consent_escape_html(out, in, strlen(in), flags);
    *e = '\0';
    is_str(out, want, "%zu bytes from \"%.4s...\" with flags %u", strlen(in),
           in[0] >= ' ' ? in : "", flags);
    free(out);
}


static void
test_strings(void)
{
    char  out[4] = "xyz", *e;

    check("", 0, "");
    check("plain text", CONSENT_ESCAPE_APOS, "plain text");
    check("/x?a=1&b=\"2\"", 0, "/x?a=1&amp;b=&quot;2&quot;");
    check("it's <b>", 0, "it's &lt;b&gt;");
    check("it's <b>", CONSENT_ESCAPE_APOS, "it&#39;s &lt;b&gt;");
    check("a\x01" "b\x7f" "c\td\n", CONSENT_ESCAPE_APOS | CONSENT_ESCAPE_CTRL,
          "abc\td\n");
    check("a\x01" "b", CONSENT_ESCAPE_APOS, "a\x01" "b");
    check("&amp;", 0, "&amp;amp;");
    check("caf\xc3\xa9", CONSENT_ESCAPE_CTRL, "caf\xc3\xa9");

    e = consent_escape_html(out, "<", 0, 0);
    ok(e == out && strcmp(out, "xyz") == 0, "no bytes, nothing written");

    e = consent_escape_html(out, "\0", 1, CONSENT_ESCAPE_CTRL);
    ok(e == out, "NUL dropped as a control");

    e = consent_escape_html(out, "\0", 1, 0);
    ok(e == out + 1 && out[0] == '\0', "NUL kept without the flag");
}


int
main(void)
{
    test_bytes();
    test_strings();

    return done_testing();
}


/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Unit tests of src/consent_ascii.h: case folding of A-Z only (never the
 * locale's), the two equality contracts (both sides folded, or a literal
 * already in lower case), hex digits in and out, token characters.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "consent_ascii.h"


static void test_lower(void);
static void test_ieq(void);
static void test_ieq_lit(void);
static void test_hex_value(void);
static void test_hex_encode(void);
static void test_token(void);
static void test_word(void);
static void test_ipv4_number(void);


static void
test_lower(void)
{
    int  c, bad, want;

    bad = -1;

    for (c = -1; c < 256; c++) {
        want = c;

        if (c >= 'A' && c <= 'Z') {
            want = "abcdefghijklmnopqrstuvwxyz"[c - 'A'];
        }

        if (consent_ascii_lower(c) != want && bad < 0) {
            bad = c;
        }
    }

    is_int(bad, -1, "lower folds A-Z and nothing else, over -1..255");
    is_int(consent_ascii_lower(0xc4), 0xc4, "Latin-1 A umlaut unchanged");
    is_int(consent_ascii_lower('@'), '@', "@ (before A) unchanged");
    is_int(consent_ascii_lower('['), '[', "[ (after Z) unchanged");
}


static void
test_ieq(void)
{
    ok(consent_ascii_ieq("Content-Type", 12, "content-type", 12),
       "mixed case against lower");
    ok(consent_ascii_ieq("content-type", 12, "CONTENT-TYPE", 12),
       "lower against upper: both sides fold");
    ok(consent_ascii_ieq("", 0, "", 0), "empty equals empty");
    ok(consent_ascii_ieq("abc", 0, "xyz", 0), "zero lengths only");
    ok(!consent_ascii_ieq("abc", 3, "abcd", 4), "lengths differ");
    ok(!consent_ascii_ieq("abcd", 4, "abc", 3), "lengths differ, other way");
    ok(!consent_ascii_ieq("\xc4", 1, "\xe4", 1), "no fold above ASCII");
    ok(!consent_ascii_ieq("@", 1, "`", 1), "@ and ` are not a case pair");
    ok(!consent_ascii_ieq("[", 1, "{", 1), "[ and { are not a case pair");
    ok(consent_ascii_ieq("a\0b", 3, "A\0B", 3), "NUL is an ordinary byte");
    ok(!consent_ascii_ieq("a\0b", 3, "A\0C", 3), "bytes after a NUL count");
}


static void
test_ieq_lit(void)
{
    ok(consent_ascii_ieq_lit("SCRIPT", 6, "script", 6), "upper input");
    ok(consent_ascii_ieq_lit("ScRiPt", 6, "script", 6), "mixed input");
    ok(!consent_ascii_ieq_lit("script", 6, "SCRIPT", 6),
       "an upper-case literal never matches (only the input folds)");
    ok(!consent_ascii_ieq_lit("script", 6, "scripts", 7), "lengths differ");
    ok(!consent_ascii_ieq_lit("scripx", 6, "script", 6), "last byte differs");
    ok(consent_ascii_ieq_lit("", 0, "", 0), "empty equals empty");
    ok(!consent_ascii_ieq_lit("\xc4", 1, "\xe4", 1), "no fold above ASCII");
}


static void
test_hex_value(void)
{
    int          c, bad, want;
    const char  *p;

    static const char  digits[] = "0123456789abcdef";
    static const char  upper[] = "0123456789ABCDEF";

    bad = -2;

    for (c = -1; c < 256; c++) {
        want = -1;

        if (c > 0 && (p = strchr(digits, c)) != NULL) {
            want = (int) (p - digits);

        } else if (c > 0 && (p = strchr(upper, c)) != NULL) {
            want = (int) (p - upper);
        }

        if (consent_hex_value(c) != want && bad == -2) {
            bad = c;
        }
    }

    is_int(bad, -2, "hex value of every byte -1..255");
    is_int(consent_hex_value('F'), 15, "F");
    is_int(consent_hex_value('f'), 15, "f");
    is_int(consent_hex_value('g'), -1, "g");
    is_int(consent_hex_value('G'), -1, "G");
    is_int(consent_hex_value('/'), -1, "/ (before 0)");
    is_int(consent_hex_value(':'), -1, ": (after 9)");
    is_int(consent_hex_value('`'), -1, "` (before a)");
    is_int(consent_hex_value('@'), -1, "@ (before A)");
}


static void
test_hex_encode(void)
{
    int            bad;
    size_t         i;
    unsigned char  in[256];
    char           out[2 * 256 + 2];

    for (i = 0; i < 256; i++) {
        in[i] = (unsigned char) i;
    }

    memset(out, 'x', sizeof(out));
    consent_hex_encode(in, 256, out);

    bad = -1;

    for (i = 0; i < 256; i++) {
        if (consent_hex_value((unsigned char) out[2 * i]) != (int) (i >> 4)
            || consent_hex_value((unsigned char) out[2 * i + 1])
               != (int) (i & 0xf)
            || out[2 * i] < '0' || (out[2 * i] > '9' && out[2 * i] < 'a')
            || out[2 * i + 1] < '0'
            || (out[2 * i + 1] > '9' && out[2 * i + 1] < 'a'))
        {
            bad = (int) i;
            break;
        }
    }

    is_int(bad, -1, "every byte to two lower-case hex digits");
    is_int(out[512], '\0', "NUL-terminated");
    is_int(out[513], 'x', "nothing written past the NUL");

    memset(out, 'x', sizeof(out));
    consent_hex_encode((const unsigned char *) "\x00\x7f\xab\xff", 4, out);
    is_str(out, "007fabff", "4 bytes");

    memset(out, 'x', sizeof(out));
    consent_hex_encode(in, 0, out);
    is_str(out, "", "no bytes: an empty string");
    is_int(out[1], 'x', "only the NUL written");
}


/* RFC 9110 tchar, written out as the RFC lists it */

static void
test_token(void)
{
    int          c, bad, want;
    const char  *tchar = "!#$%&'*+-.^_`|~";

    bad = -2;                          /* none: -1 is a byte tested */

    for (c = -1; c < 256; c++) {
        want = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')
               || (c >= 'A' && c <= 'Z')
               || (c > 0 && strchr(tchar, c) != NULL);

        if (consent_ascii_token(c) != want && bad == -2) {
            bad = c;
        }
    }

    is_int(bad, -2, "token characters: every byte as RFC 9110 lists them");
    ok(!consent_ascii_token(0), "NUL is no token character");
    ok(!consent_ascii_token(' ') && !consent_ascii_token(0x7f),
       "space and DEL are not");
}


static void
test_word(void)
{
    int   c, bad;
    char  b[1];

    bad = -2;

    for (c = -1; c < 256; c++) {
        b[0] = (char) c;

        if (consent_ascii_word(b, 1, 1, '_')
            != ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')
            && bad == -2)
        {
            bad = c;
        }
    }

    is_int(bad, -2, "word: a-z, 0-9 and the extra byte, over -1..255");
    ok(consent_ascii_word("ab-9", 4, 4, '-'), "word: \"ab-9\" with '-'");
    ok(!consent_ascii_word("ab-9", 4, 4, '_'), "word: '-' only when extra");
    ok(!consent_ascii_word("Ab", 2, 8, '_'), "word: no upper case");
    ok(!consent_ascii_word("abc", 3, 2, '_'), "word: longer than max");
    ok(!consent_ascii_word("", 0, 8, '_'), "word: empty refused");
    ok(!consent_ascii_word(NULL, 1, 8, '_'), "word: NULL refused");
    ok(consent_ascii_word("k1", 2, 8, -1), "word: no extra byte (-1)");
    ok(!consent_ascii_word("k\xff", 2, 8, -1), "word: -1 is not byte 0xff");
    ok(!consent_ascii_word("k\0", 2, 8, -1), "word: nor NUL");
}


static void
test_ipv4_number(void)
{
    size_t    i;
    uint64_t  n;

    static const struct {
        const char  *s;
        int          rc;
        uint64_t     n;
    } t[] = {
        { "0", 0, 0 },
        { "127", 0, 127 },
        { "0x7f", 0, 127 },
        { "0X7F", 0, 127 },
        { "0x", 0, 0 },
        { "017", 0, 15 },
        { "08", -1, 0 },
        { "0xg", -1, 0 },
        { "12a", -1, 0 },
        { "", -1, 0 },
        { "4294967295", 0, 4294967295ULL },
        { "99999999999999999999", 0, 0 }
    };

    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        n = 12345;
        is_int(consent_ipv4_number(t[i].s, strlen(t[i].s), &n), t[i].rc,
               "ipv4 number \"%s\": %d", t[i].s, t[i].rc);

        if (t[i].rc == 0 && i + 1 < sizeof(t) / sizeof(t[0])) {
            is_int(n, t[i].n, "ipv4 number \"%s\" is %llu", t[i].s,
                   (unsigned long long) t[i].n);
        }
    }

    ok(consent_ipv4_number("99999999999999999999", 20, &n) == 0
       && n > 0xffffffffULL, "ipv4 number: capped just above 2^32");
}


int
main(void)
{
    test_lower();
    test_ieq();
    test_ieq_lit();
    test_hex_value();
    test_hex_encode();
    test_token();
    test_word();
    test_ipv4_number();

    return done_testing();
}

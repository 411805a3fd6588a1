
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Unit tests of consent_base64.c, checked against OpenSSL's encoder.
 */


#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "tap.h"
#include "consent_base64.h"


static const char *cstr(const char *s);
static void ref_b64url(const unsigned char *in, size_t len, char *out);
static void fill(unsigned char *buf, size_t len, unsigned seed);
static int exact(const char *in, size_t outlen, unsigned char *out);
static long any(const char *in, unsigned char *out, size_t outcap);
static void test_vectors(void);
static void test_round_trips(void);
static void test_exact_rejects(void);
static void test_any(void);
static void test_digits(void);
static void test_bits(void);


/* an array through a call: tap.h's is_str() tests its arguments for NULL */

static const char *
cstr(const char *s)
{
    return s;
}


/* standard padded base64 from OpenSSL, turned into unpadded base64url */

static void
ref_b64url(const unsigned char *in, size_t len, char *out)
{
    int  n;
    char  *p;

    n = EVP_EncodeBlock((unsigned char *) out, in, (int) len);

    while (n > 0 && out[n - 1] == '=') {
        n--;
    }

    out[n] = '\0';

    for (p = out; *p; p++) {
        if (*p == '+') {
            *p = '-';

        } else if (*p == '/') {
            *p = '_';
        }
    }
}


static void
fill(unsigned char *buf, size_t len, unsigned seed)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        seed = seed * 1103515245 + 12345;
        buf[i] = (unsigned char) (seed >> 16);
    }
}


/* decodes into a buffer of exactly outlen bytes, so ASan sees overruns */

static int
exact(const char *in, size_t outlen, unsigned char *out)
{
    int             rc;
    unsigned char  *buf;

    buf = malloc(outlen ? outlen : 1);
    if (buf == NULL) {
        return -2;
    }

    rc = consent_b64url_decode_exact(in, strlen(in), buf, outlen);

    if (rc == 0 && out) {
        memcpy(out, buf, outlen);
    }

    free(buf);

    return rc;
}


static long
any(const char *in, unsigned char *out, size_t outcap)
{
    long            n;
    unsigned char  *buf;

    buf = malloc(outcap ? outcap : 1);
    if (buf == NULL) {
        return -2;
    }

    n = consent_b64_decode_any(in, strlen(in), buf, outcap);

    if (n > 0 && out) {
        memcpy(out, buf, n);
    }

    free(buf);

    return n;
}


static void
test_vectors(void)
{
    size_t          i;
    char            out[16];
    unsigned char   dec[16];

    /* RFC 4648 section 10, unpadded */
    static const char  *plain[] = {
        "", "f", "fo", "foo", "foob", "fooba", "foobar"
    };
    static const char  *coded[] = {
        "", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"
    };

    for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
        memset(out, 0, sizeof(out));
        consent_b64url_encode((const unsigned char *) plain[i],
                              strlen(plain[i]), out);
        is_str(cstr(out), coded[i], "encode \"%s\"", plain[i]);

        ok(exact(coded[i], strlen(plain[i]), dec) == 0
           && memcmp(dec, plain[i], strlen(plain[i])) == 0,
           "decode_exact \"%s\"", coded[i]);
    }

    memset(out, 0, sizeof(out));
    consent_b64url_encode((const unsigned char *) "\xfb\xff", 2, out);
    is_str(cstr(out), "-_8", "the url alphabet's 62 and 63 are '-' and '_'");

    memset(out, 'x', sizeof(out));
    consent_b64url_encode((const unsigned char *) "f", 1, out);
    ok(out[2] == 'x', "encode writes exactly consent_b64url_len bytes");
}


static void
test_round_trips(void)
{
    int             good;
    long            n;
    size_t          len, i;
    char            enc[64], ref[64], std[64];
    unsigned char   in[40], dec[40];

    for (len = 0; len <= 40; len++) {
        fill(in, len, (unsigned) len + 1);

        memset(enc, 0, sizeof(enc));
        consent_b64url_encode(in, len, enc);
        ref_b64url(in, len, ref);

        is_int(strlen(enc), consent_b64url_len(len),
               "len %zu: encoded length", len);
        is_str(cstr(enc), cstr(ref), "len %zu: same as OpenSSL's encoding",
               len);

        ok(exact(enc, len, dec) == 0 && memcmp(dec, in, len) == 0,
           "len %zu: decode_exact round trip", len);

        n = any(enc, dec, len);
        ok(n == (long) len && memcmp(dec, in, len) == 0,
           "len %zu: decode_any of base64url", len);

        EVP_EncodeBlock((unsigned char *) std, in, (int) len);
        n = any(std, dec, len);
        ok(n == (long) len && memcmp(dec, in, len) == 0,
           "len %zu: decode_any of padded standard base64", len);

        /* every other output length is refused */

        good = 1;

        for (i = 0; i <= 42; i++) {
            if (i != len && exact(enc, i, NULL) != -1) {
                good = 0;
            }
        }

        ok(good, "len %zu: decode_exact refuses any other length", len);

        if (len > 0) {
            is_int(any(enc, dec, len - 1), -1,
                   "len %zu: decode_any refuses a too small buffer", len);
        }
    }
}


static void
test_exact_rejects(void)
{
    int             good;
    size_t          i, k;
    char            buf[64];
    unsigned char   dec[16];

    static const unsigned char  bad[] = {
        '+', '/', '=', '.', ' ', '\0', '\n', '*', 0x80, 0xff, '~'
    };

    /* unused low bits must be zero: one encoding per value */

    is_int(exact("Zh", 1, dec), -1, "non-zero trailing bits, 1 byte");
    is_int(exact("Zo", 1, dec), -1, "non-zero trailing bits (8), 1 byte");
    is_int(exact("Zm9", 2, dec), -1, "non-zero trailing bits, 2 bytes");
    is_int(exact("Zm-", 2, dec), -1, "non-zero trailing bits, 2 bytes, '-'");
    is_int(exact("Zg", 1, dec), 0, "canonical 1 byte accepted");
    is_int(exact("Zm8", 2, dec), 0, "canonical 2 bytes accepted");

    is_int(exact("Zg==", 1, dec), -1, "padding refused");
    is_int(exact("Zm8=", 2, dec), -1, "one '=' refused");
    is_int(exact("Zm9v=", 3, dec), -1, "trailing '=' refused");
    is_int(exact("Zm9v", 2, dec), -1, "too long input refused");
    is_int(exact("Zm9v", 4, dec), -1, "too short input refused");
    is_int(exact("Z", 0, dec), -1, "one char for zero bytes refused");
    is_int(exact("", 0, dec), 0, "empty for zero bytes accepted");

    is_int(exact("-_8", 2, dec), 0, "url alphabet accepted");
    ok(dec[0] == 0xfb && dec[1] == 0xff, "url alphabet decoded");
    is_int(exact("+/8", 2, dec), -1, "standard alphabet refused");
    is_int(exact("-/8", 2, dec), -1, "'/' refused");
    is_int(exact("+_8", 2, dec), -1, "'+' refused");

    /* each position replaced by a byte outside the url alphabet */

    for (i = 0; i < 8; i++) {
        good = 1;

        for (k = 0; k < sizeof(bad); k++) {
            memcpy(buf, "Zm9vYmFy", 9);
            buf[i] = (char) bad[k];

            if (consent_b64url_decode_exact(buf, 8, dec, 6) != -1) {
                good = 0;
            }
        }

        ok(good, "bad character at position %zu refused", i);
    }

    ok(consent_b64url_decode_exact("Zm9vYmFy", 8, dec, (size_t) -1) == -1,
       "absurd output length refused");
}


static void
test_any(void)
{
    unsigned char  dec[16];

    is_int(any("+/8=", dec, 16), 2, "standard, padded");
    ok(dec[0] == 0xfb && dec[1] == 0xff, "standard decoded");
    is_int(any("+/8", dec, 16), 2, "standard, unpadded");
    is_int(any("-_8", dec, 16), 2, "url, unpadded");
    ok(dec[0] == 0xfb && dec[1] == 0xff, "url decoded");
    is_int(any("-_8=", dec, 16), 2, "url, padded");
    is_int(any("Zg==", dec, 16), 1, "two '=' of padding");
    is_int(any("Zg", dec, 16), 1, "no padding");
    is_int(any("", dec, 16), 0, "empty");

    is_int(any("+_8", dec, 16), -1, "mixed alphabets refused");
    is_int(any("-/8=", dec, 16), -1, "mixed alphabets, padded, refused");
    is_int(any("Zm9v+AAA-AAA", dec, 16), -1, "mixed far apart refused");
    is_int(any("Zg=", dec, 16), -1, "incomplete padding refused");
    is_int(any("Zg===", dec, 16), -1, "too much padding refused");
    is_int(any("Z===", dec, 16), -1, "three '=' refused");
    is_int(any("====", dec, 16), -1, "only padding refused");
    is_int(any("=", dec, 16), -1, "one '=' refused");
    is_int(any("Zg==Zg==", dec, 16), -1, "padding inside refused");
    is_int(any("Zm=v", dec, 16), -1, "'=' inside refused");
    is_int(any("Z", dec, 16), -1, "one char refused");
    is_int(any("Zm9vY", dec, 16), -1, "length 1 mod 4 refused");
    is_int(any("Zh==", dec, 16), -1, "non-zero trailing bits refused");
    is_int(any("Zm9", dec, 16), -1, "non-zero trailing bits refused");
    is_int(any("Zm 9v", dec, 16), -1, "space refused");
    is_int(any("Zm9v\n", dec, 16), -1, "newline refused");
    is_int(any("Zm.v", dec, 16), -1, "'.' refused");

    is_int(any("Zm9vYmFy", dec, 6), 6, "exact capacity fits");
    ok(memcmp(dec, "foobar", 6) == 0, "decoded");
    is_int(any("Zm9vYmFy", dec, 5), -1, "capacity overflow refused");
    is_int(any("Zm9vYg==", dec, 4), 4, "padded, exact capacity fits");
    is_int(any("Zm9vYg==", dec, 3), -1, "padded, capacity overflow refused");
    is_int(any("Zm9vYg", dec, 0), -1, "zero capacity refused");
}


/* one digit function per alphabet contract */

static void
test_digits(void)
{
    int  c, good;

    good = 1;

    for (c = 0; c < 64; c++) {
        good &= consent_b64url_digit((unsigned char)
                                     consent_b64url_chars[c]) == c
                && consent_b64any_digit((unsigned char)
                                        consent_b64url_chars[c]) == c;
    }

    ok(good, "every url character is its value, for both");
    is_int(consent_b64url_digit('+'), -1, "url digit refuses '+'");
    is_int(consent_b64url_digit('/'), -1, "url digit refuses '/'");
    is_int(consent_b64any_digit('+'), 62, "any digit takes '+'");
    is_int(consent_b64any_digit('/'), 63, "any digit takes '/'");
    is_int(consent_b64any_digit('='), -1, "any digit refuses '='");
    is_int(consent_b64any_digit(0x80), -1, "any digit refuses 0x80");
}


/* the TCF/GPP bit stream: written, then read back; its failures */

static void
test_bits(void)
{
    char               out[16];
    consent_b64bits_t  w, r;

    memset(&w, 0, sizeof(consent_b64bits_t));
    w.out = out;
    w.size = sizeof(out);

    consent_b64bits_put(&w, 2, 6);
    consent_b64bits_put(&w, 0x3ffff, 18);
    consent_b64bits_put(&w, 1, 1);
    consent_b64bits_put(&w, 0, 5);

    is_int((long) w.nbits, 30, "30 bits written");
    is_int((long) w.nout, 5, "in 5 characters");
    out[w.nout] = '\0';
    is_str(out, "C___g", "as base64url, most significant first");
    ok(w.why == NULL, "no failure");

    memset(&r, 0, sizeof(consent_b64bits_t));
    r.in = out;
    r.len = w.nout;
    r.reading = 1;

    is_int((long) consent_b64bits_get(&r, 6), 2, "read back: 2");
    is_int((long) consent_b64bits_get(&r, 18), 0x3ffff, "then 0x3ffff");
    is_int(consent_b64bits_bit(&r), 1, "then one 1");
    is_int((long) consent_b64bits_get(&r, 5), 0, "then 0");
    is_int(consent_b64bits_bit(&r), -1, "then the end");
    is_str(r.why, "too short", "which says so");
    is_int((long) consent_b64bits_get(&r, 1), 0, "0s after a failure");

    memset(&r, 0, sizeof(consent_b64bits_t));
    r.in = "A+";
    r.len = 2;

    consent_b64bits_get(&r, 12);
    is_str(r.why, "a character outside base64url", "'+' refused");

    memset(&w, 0, sizeof(consent_b64bits_t));
    w.out = out;
    w.size = 2;

    consent_b64bits_put(&w, 0, 12);
    is_str(w.why, "no room", "room for the NUL kept");
    is_int((long) w.nout, 2, "characters wanted counted");
}


int
main(void)
{
    test_vectors();
    test_round_trips();
    test_exact_rejects();
    test_any();
    test_digits();
    test_bits();

    return done_testing();
}

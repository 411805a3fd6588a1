
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The inflater (src/consent_inflate.c) on any body.
 *
 * Input: 1 byte for the coding (gzip or deflate) and the size of the
 * pieces the body is fed in, 1 byte for the output room, then the body.
 *
 * Properties: never more output than the room given; the limit holds
 * within one piece of output; the same output whatever the pieces and
 * the room, up to an error (an error may come sooner or later, never
 * with different bytes before it).
 */


#include "fuzz.h"
#include "consent_inflate.h"


#define FUZZ_LIMIT  (1 << 20)


static size_t fuzz_run(consent_coding_e coding, const uint8_t *in,
    size_t len, size_t piece, size_t room, unsigned char *out, int *rc);


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    return 0;
}


static size_t
fuzz_run(consent_coding_e coding, const uint8_t *in, size_t len,
    size_t piece, size_t room, unsigned char *out, int *rc)
{
    int                   last;
    size_t                off, n, ilen, olen, total;
    unsigned char        *buf;
    const unsigned char  *p;
    consent_inflate_t    *z;

    z = consent_inflate_new(coding, FUZZ_LIMIT);
    fuzz_check(z != NULL, "an inflater");

    buf = malloc(room);
    total = 0;
    *rc = CONSENT_INFLATE_OK;
    off = 0;

    do {
        n = (len - off < piece) ? len - off : piece;
        last = (off + n == len);
        p = in + off;
        ilen = n;

        for ( ;; ) {
            if (ilen == 0 && !last) {
                break;
            }

            olen = room;
            *rc = consent_inflate(z, &p, &ilen, buf, &olen, last);

            fuzz_check(olen <= room, "output within the room");
            fuzz_check(ilen <= n, "input used, not made up");

            if (*rc == CONSENT_INFLATE_ERROR
                || *rc == CONSENT_INFLATE_TOO_BIG)
            {
                fuzz_check(consent_inflate_error(z) != NULL, "a message");
                goto done;
            }

            fuzz_check(total + olen <= FUZZ_LIMIT + room,
                       "the limit holds");
            memcpy(out + total, buf, olen);
            total += olen;

            if (ilen == 0 && (*rc == CONSENT_INFLATE_END || olen == 0)) {
                break;
            }
        }

        off += n;

    } while (off < len);

done:

    consent_inflate_free(z);
    free(buf);

    return total;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                rc1, rc2;
    size_t             n1, n2, piece, room;
    unsigned           a, b;
    unsigned char     *o1, *o2;
    consent_coding_e   coding;
    fuzz_in_t          in;

    in.p = data;
    in.left = size;

    a = fuzz_byte(&in);
    b = fuzz_byte(&in);

    coding = (a & 1) ? CONSENT_CODING_DEFLATE : CONSENT_CODING_GZIP;
    piece = (a >> 1) + 1;
    room = b + 1;

    o1 = malloc(2 * FUZZ_LIMIT + 65536);
    o2 = malloc(2 * FUZZ_LIMIT + 65536);

    n1 = fuzz_run(coding, in.p, in.left, in.left ? in.left : 1, 65536, o1,
                  &rc1);
    n2 = fuzz_run(coding, in.p, in.left, piece, room, o2, &rc2);

    if (rc1 != CONSENT_INFLATE_ERROR && rc1 != CONSENT_INFLATE_TOO_BIG
        && rc2 != CONSENT_INFLATE_ERROR && rc2 != CONSENT_INFLATE_TOO_BIG)
    {
        fuzz_check(n1 == n2 && memcmp(o1, o2, n1) == 0,
                   "the same output whatever the pieces");

    } else {
        fuzz_check(memcmp(o1, o2, n1 < n2 ? n1 : n2) == 0,
                   "the same bytes up to an error");
    }

    free(o1);
    free(o2);

    return 0;
}


/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * GPP strings (src/consent_gpp.c).
 *
 * Input: 1 byte for the mode, then either a GPP string and a __gpp_sid
 * value after a NUL (even mode), or bytes that fill the fields (odd).
 *
 * Properties: decoding never reads outside its input (an exact-size
 * heap copy) and leaves nothing half-filled on refusal; a decoded
 * string encodes, decodes back to the same fields, and encodes again to
 * the same string (encode(decode(s)) is a fixed point); whatever fields
 * encode decode to themselves (decode(encode(x)) == x); a buffer one
 * byte too small is refused and nothing is written past any buffer;
 * __gpp_sid values parse to what they print.
 */


#include "fuzz.h"
#include "consent_gpp.h"


static int fuzz_gpp_same(const consent_gpp_t *a, const consent_gpp_t *b);
static void fuzz_gpp_round(const consent_gpp_t *g, size_t room);
static void fuzz_gpp_decode(const uint8_t *data, size_t size);
static void fuzz_gpp_fields(fuzz_in_t *in);


static const char  *fuzz_gpp_raw[] = {
    "1YNN", "1---", "CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA",
    "CPXxRfA.IAAA.YAAAAAAAAAAA", "x", "a~b", "", "a b", "=", "A.B-C_D"
};


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    return 0;
}


static int
fuzz_gpp_same(const consent_gpp_t *a, const consent_gpp_t *b)
{
    unsigned  i;

    if (a->has_usnat != b->has_usnat || a->has_usca != b->has_usca
        || a->nraw != b->nraw || a->nsections != b->nsections)
    {
        return 0;
    }

    if (a->has_usnat
        && memcmp(&a->usnat, &b->usnat, sizeof(consent_gpp_usnat_t)) != 0)
    {
        return 0;
    }

    if (a->has_usca
        && memcmp(&a->usca, &b->usca, sizeof(consent_gpp_usca_t)) != 0)
    {
        return 0;
    }

    for (i = 0; i < a->nraw; i++) {
        if (a->raw[i].id != b->raw[i].id || a->raw[i].len != b->raw[i].len
            || memcmp(a->raw[i].data, b->raw[i].data, a->raw[i].len) != 0)
        {
            return 0;
        }
    }

    for (i = 0; i < a->nsections; i++) {
        if (a->sections[i] != b->sections[i]) {
            return 0;
        }
    }

    return 1;
}


/*
 * g encodes (room is enough for it); the string decodes to g's fields,
 * and encodes again to itself; one byte less is refused, nothing is
 * written past the buffer.
 */

static void
fuzz_gpp_round(const consent_gpp_t *g, size_t room)
{
    int             n, m, r;
    char           *out, *again, *small, sid[32];
    unsigned        k;
    uint16_t        ids[CONSENT_GPP_MAX_APPLICABLE];
    const char     *why;
    consent_gpp_t   d, d2;

    out = malloc(room);
    again = malloc(room);

    n = consent_gpp_encode(g, out, room, &why);

    if (n < 0) {
        free(out);
        free(again);
        return;
    }

    fuzz_check((size_t) n < room && out[n] == '\0'
               && strlen(out) == (size_t) n, "a NUL-terminated string");

    r = consent_gpp_decode(out, (size_t) n, &d, &why);
    fuzz_check(r == 0, "what is encoded decodes");

    /* what encode was given: the ids it computed are d's sections */
    fuzz_check(d.has_usnat == g->has_usnat && d.has_usca == g->has_usca
               && d.nraw == g->nraw, "the same sections");

    if (g->has_usnat) {
        fuzz_check(memcmp(&d.usnat, &g->usnat, sizeof(d.usnat)) == 0,
                   "decode(encode(x)) == x: usnat");
    }

    if (g->has_usca) {
        fuzz_check(memcmp(&d.usca, &g->usca, sizeof(d.usca)) == 0,
                   "decode(encode(x)) == x: usca");
    }

    m = consent_gpp_encode(&d, again, room, &why);
    fuzz_check(m == n && memcmp(out, again, (size_t) n) == 0,
               "encode(decode(s)) is a fixed point");

    r = consent_gpp_decode(again, (size_t) m, &d2, &why);
    fuzz_check(r == 0 && fuzz_gpp_same(&d, &d2), "and decodes the same");

    /* exactly the room it needs, and one byte less */

    small = malloc((size_t) n + 1);
    m = consent_gpp_encode(g, small, (size_t) n + 1, &why);
    fuzz_check(m == n && memcmp(small, out, (size_t) n + 1) == 0,
               "encodes in n + 1 bytes");
    m = consent_gpp_encode(g, small, (size_t) n, &why);
    fuzz_check(m == -1, "refused in n bytes");
    free(small);

    /* __gpp_sid of the first two sections */

    k = d.nsections < 2 ? d.nsections : 2;
    r = consent_gpp_sid_encode(&d, d.sections, k, sid, sizeof(sid), &why);
    fuzz_check(r > 0, "the sections carried are applicable");
    r = consent_gpp_sid_decode(sid, strlen(sid), ids, &k, &why);
    fuzz_check(r == 0 && k == (d.nsections < 2 ? d.nsections : 2)
               && (k < 1 || ids[0] == d.sections[0])
               && (k < 2 || ids[1] == d.sections[1]),
               "__gpp_sid parses to what it prints");

    free(out);
    free(again);
}


static void
fuzz_gpp_decode(const uint8_t *data, size_t size)
{
    int             r;
    char           *s, sid[32];
    size_t          len, slen;
    unsigned        n;
    uint16_t        ids[CONSENT_GPP_MAX_APPLICABLE];
    const char     *why, *nul;
    consent_gpp_t   g;

    nul = memchr(data, '\0', size);
    len = nul ? (size_t) (nul - (const char *) data) : size;

    /* an exact-size copy: ASan sees a read one past it */
    s = malloc(len ? len : 1);

    if (s == NULL) {
        abort();
    }

    memcpy(s, data, len);

    why = NULL;
    r = consent_gpp_decode(s, len, &g, &why);

    if (r != 0) {
        fuzz_check(why != NULL, "a refusal says why");
        fuzz_check(!g.has_usnat && !g.has_usca && g.nraw == 0
                   && g.nsections == 0, "nothing half-filled");

    } else {
        fuzz_check(g.nsections <= CONSENT_GPP_MAX_SECTIONS
                   && g.nraw + g.has_usnat + g.has_usca == g.nsections,
                   "every section listed is read");

        for (n = 0; n < g.nraw; n++) {
            fuzz_check(g.raw[n].data >= s
                       && g.raw[n].data + g.raw[n].len <= s + len,
                       "raw sections are slices of the input");
        }

        fuzz_gpp_round(&g, 2 * len + 64);
    }

    free(s);

    /* the rest, as a __gpp_sid value */

    if (nul == NULL) {
        return;
    }

    slen = size - len - 1;
    s = malloc(slen ? slen : 1);
    memcpy(s, nul + 1, slen);

    r = consent_gpp_sid_decode(s, slen, ids, &n, &why);

    if (r == 0) {
        fuzz_check(n <= CONSENT_GPP_MAX_APPLICABLE, "at most 2");

        consent_gpp_init(&g);
        g.nraw = n;

        for (r = 0; r < (int) n; r++) {
            g.raw[r].id = ids[r];
            g.raw[r].data = "x";
            g.raw[r].len = 1;
        }

        if (consent_gpp_section_ids(&g, g.sections, &why) >= 0) {
            r = consent_gpp_sid_encode(&g, ids, n, sid, sizeof(sid), &why);
            fuzz_check(r > 0, "a parsed __gpp_sid prints");

            if (n > 0 && slen == (size_t) r) {
                fuzz_check(memcmp(sid, s, slen) == 0 || memchr(s, '_', slen),
                           "and prints as it was");
            }
        }

    } else {
        fuzz_check(n == 0, "a refused __gpp_sid is empty");
    }

    free(s);
}


static void
fuzz_gpp_fields(fuzz_in_t *in)
{
    unsigned                i, n, b;
    uint8_t                *p;
    consent_gpp_t           g;
    consent_gpp_visitor_t   v;

    consent_gpp_init(&g);

    b = fuzz_byte(in);
    g.has_usnat = b & 1;
    g.has_usca = (b >> 1) & 1;

    if (b & 4) {
        /* a visitor: always encodable */
        b = fuzz_byte(in) | fuzz_byte(in) << 8;
        memset(&v, 0, sizeof(v));
        v.sells = b & 1;
        v.shares = (b >> 1) & 1;
        v.targets = (b >> 2) & 1;
        v.notice = (b >> 3) & 1;
        v.sale_opt_out = (b >> 4) & 1;
        v.sharing_opt_out = (b >> 5) & 1;
        v.targeted_opt_out = (b >> 6) & 1;
        v.gpc = (b >> 7) & 1;
        v.mspa = (b >> 8) & 1;
        consent_gpp_usnat_visitor(&g.usnat, &v);
        consent_gpp_usca_visitor(&g.usca, &v);
        g.has_usnat = 1;

        {
            char         out[CONSENT_GPP_SHORT_MAX];
            const char  *why;

            fuzz_check(consent_gpp_encode(&g, out, sizeof(out), &why) > 0,
                       "a visitor's fields encode");
        }

    } else {
        /* every byte of the structs, mostly in range: v & 3, some 3s */

        p = (uint8_t *) &g.usnat;

        for (i = 0; i < sizeof(g.usnat); i++) {
            b = fuzz_byte(in);
            p[i] = (uint8_t) (b < 200 ? b % 3 : b & 3);
        }

        p = (uint8_t *) &g.usca;

        for (i = 0; i < sizeof(g.usca); i++) {
            b = fuzz_byte(in);
            p[i] = (uint8_t) (b < 200 ? b % 3 : b & 3);
        }

        g.usnat.version = 1 + fuzz_byte(in) % 3;
        g.usca.version = 1 + (fuzz_byte(in) > 240);
    }

    n = fuzz_byte(in) % 5;

    for (i = 0; i < n; i++) {
        b = fuzz_byte(in);
        g.raw[i].id = (uint16_t) (b < 128 ? b % 16 : b * 17);
        b = fuzz_byte(in) % (sizeof(fuzz_gpp_raw) / sizeof(char *));
        g.raw[i].data = fuzz_gpp_raw[b];
        g.raw[i].len = strlen(fuzz_gpp_raw[b]);
    }

    g.nraw = n;

    fuzz_gpp_round(&g, 512);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned   mode;
    fuzz_in_t  in;

    in.p = data;
    in.left = size;

    mode = fuzz_byte(&in);

    if (mode & 1) {
        fuzz_gpp_fields(&in);

    } else {
        fuzz_gpp_decode(in.p, in.left);
    }

    return 0;
}

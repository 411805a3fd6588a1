
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Unit tests of consent_gpp.c: the GPP specification's own examples,
 * strings IAB's implementation (@iabgpp/cmpapi 3.2.0) wrote, every
 * field of usnat and usca at its place and its bounds (the expected bits
 * built here from the spec's field table, not by the codec), Fibonacci
 * codes, round trips, output buffers of every size, malformed strings,
 * the visitor helper and __gpp_sid.
 */


#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "consent_gpp.h"


#define BUF  4096


typedef struct {
    const char         *name;
    unsigned            width;         /* bits of one value */
    unsigned            n;             /* values (a list), else 1 */
    unsigned            min;
    unsigned            max;
} spec_field_t;


/* usnat v2, usnat v1 and usca v1 from the spec's tables */

static const spec_field_t  usnat2[] = {
    { "Version", 6, 1, 2, 2 },
    { "SharingNotice", 2, 1, 0, 2 },
    { "SaleOptOutNotice", 2, 1, 0, 2 },
    { "SharingOptOutNotice", 2, 1, 0, 2 },
    { "TargetedAdvertisingOptOutNotice", 2, 1, 0, 2 },
    { "SensitiveDataProcessingOptOutNotice", 2, 1, 0, 2 },
    { "SensitiveDataLimitUseNotice", 2, 1, 0, 2 },
    { "SaleOptOut", 2, 1, 0, 2 },
    { "SharingOptOut", 2, 1, 0, 2 },
    { "TargetedAdvertisingOptOut", 2, 1, 0, 2 },
    { "SensitiveDataProcessing", 2, 16, 0, 2 },
    { "KnownChildSensitiveDataConsents", 2, 3, 0, 2 },
    { "PersonalDataConsents", 2, 1, 0, 2 },
    { "MspaCoveredTransaction", 2, 1, 1, 2 },
    { "MspaOptOutOptionMode", 2, 1, 0, 2 },
    { "MspaServiceProviderMode", 2, 1, 0, 2 },
    { NULL, 0, 0, 0, 0 }
};

static const spec_field_t  usnat1[] = {
    { "Version", 6, 1, 1, 1 },
    { "SharingNotice", 2, 1, 0, 2 },
    { "SaleOptOutNotice", 2, 1, 0, 2 },
    { "SharingOptOutNotice", 2, 1, 0, 2 },
    { "TargetedAdvertisingOptOutNotice", 2, 1, 0, 2 },
    { "SensitiveDataProcessingOptOutNotice", 2, 1, 0, 2 },
    { "SensitiveDataLimitUseNotice", 2, 1, 0, 2 },
    { "SaleOptOut", 2, 1, 0, 2 },
    { "SharingOptOut", 2, 1, 0, 2 },
    { "TargetedAdvertisingOptOut", 2, 1, 0, 2 },
    { "SensitiveDataProcessing", 2, 12, 0, 2 },
    { "KnownChildSensitiveDataConsents", 2, 2, 0, 2 },
    { "PersonalDataConsents", 2, 1, 0, 2 },
    { "MspaCoveredTransaction", 2, 1, 1, 2 },
    { "MspaOptOutOptionMode", 2, 1, 0, 2 },
    { "MspaServiceProviderMode", 2, 1, 0, 2 },
    { NULL, 0, 0, 0, 0 }
};

static const spec_field_t  usca1[] = {
    { "Version", 6, 1, 1, 1 },
    { "SaleOptOutNotice", 2, 1, 0, 2 },
    { "SharingOptOutNotice", 2, 1, 0, 2 },
    { "SensitiveDataLimitUseNotice", 2, 1, 0, 2 },
    { "SaleOptOut", 2, 1, 0, 2 },
    { "SharingOptOut", 2, 1, 0, 2 },
    { "SensitiveDataProcessing", 2, 9, 0, 2 },
    { "KnownChildSensitiveDataConsents", 2, 2, 0, 2 },
    { "PersonalDataConsents", 2, 1, 0, 2 },
    { "MspaCoveredTransaction", 2, 1, 1, 2 },
    { "MspaOptOutOptionMode", 2, 1, 0, 2 },
    { "MspaServiceProviderMode", 2, 1, 0, 2 },
    { NULL, 0, 0, 0, 0 }
};


static unsigned long  rnd_state = 20261207;


static unsigned rnd(unsigned n);
static uint8_t *usnat_at(consent_gpp_usnat_t *u, unsigned field);
static uint8_t *usca_at(consent_gpp_usca_t *c, unsigned field);
static void bits_put(char *bits, unsigned v, unsigned width);
static void bits_b64(const char *bits, int byte_pad, char *out);
static void spec_bits(const spec_field_t *f, const unsigned *values,
    char *bits);
static int usnat_eq(const consent_gpp_usnat_t *a,
    const consent_gpp_usnat_t *b);
static int usca_eq(const consent_gpp_usca_t *a, const consent_gpp_usca_t *b);
static void random_usnat(consent_gpp_usnat_t *u);
static void random_usca(consent_gpp_usca_t *c);
static void test_spec_examples(void);
static void test_reference_strings(void);
static void test_fibonacci(void);
static void test_fields(const char *what, const spec_field_t *spec,
    int usnat);
static void test_round_trips(void);
static void test_buffers(void);
static void test_malformed(void);
static void test_truncations(void);
static void test_visitor(void);
static void test_sid(void);


/* "why" is passed to ok() after the call that sets it: not in one call,
 * whose arguments C evaluates in no set order */


static unsigned
rnd(unsigned n)
{
    rnd_state = rnd_state * 6364136223846793005UL + 1442695040888963407UL;
    return (unsigned) ((rnd_state >> 33) % n);
}


/* the field'th field of the spec's table, in the struct */

static uint8_t *
usnat_at(consent_gpp_usnat_t *u, unsigned field)
{
    uint8_t  *at[] = {
        &u->version, &u->sharing_notice, &u->sale_opt_out_notice,
        &u->sharing_opt_out_notice, &u->targeted_advertising_opt_out_notice,
        &u->sensitive_data_processing_opt_out_notice,
        &u->sensitive_data_limit_use_notice, &u->sale_opt_out,
        &u->sharing_opt_out, &u->targeted_advertising_opt_out,
        u->sensitive_data_processing, u->known_child_sensitive_data_consents,
        &u->personal_data_consents, &u->mspa_covered_transaction,
        &u->mspa_opt_out_option_mode, &u->mspa_service_provider_mode
    };

    return at[field];
}


static uint8_t *
usca_at(consent_gpp_usca_t *c, unsigned field)
{
    uint8_t  *at[] = {
        &c->version, &c->sale_opt_out_notice, &c->sharing_opt_out_notice,
        &c->sensitive_data_limit_use_notice, &c->sale_opt_out,
        &c->sharing_opt_out, c->sensitive_data_processing,
        c->known_child_sensitive_data_consents, &c->personal_data_consents,
        &c->mspa_covered_transaction, &c->mspa_opt_out_option_mode,
        &c->mspa_service_provider_mode
    };

    return at[field];
}


static void
bits_put(char *bits, unsigned v, unsigned width)
{
    size_t  n;

    n = strlen(bits);

    while (width--) {
        bits[n++] = (v >> width) & 1 ? '1' : '0';
    }

    bits[n] = '\0';
}


/* '0'/'1' text to characters: zeros to a byte (if byte_pad), then to 6 */

static void
bits_b64(const char *bits, int byte_pad, char *out)
{
    static const char  chars[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char    tmp[BUF];
    size_t  i, j, n;
    unsigned  v;

    strcpy(tmp, bits);
    n = strlen(tmp);

    while (byte_pad && n % 8) {
        tmp[n++] = '0';
    }

    while (n % 6) {
        tmp[n++] = '0';
    }

    for (i = 0; i < n / 6; i++) {
        v = 0;

        for (j = 0; j < 6; j++) {
            v = v << 1 | (unsigned) (tmp[i * 6 + j] == '1');
        }

        out[i] = chars[v];
    }

    out[n / 6] = '\0';
}


static void
spec_bits(const spec_field_t *f, const unsigned *values, char *bits)
{
    unsigned  i, k;

    bits[0] = '\0';
    k = 0;

    for ( /* void */ ; f->name; f++) {
        for (i = 0; i < f->n; i++) {
            bits_put(bits, values[k++], f->width);
        }
    }
}


static int
usnat_eq(const consent_gpp_usnat_t *a, const consent_gpp_usnat_t *b)
{
    return memcmp(a, b, sizeof(consent_gpp_usnat_t)) == 0;
}


static int
usca_eq(const consent_gpp_usca_t *a, const consent_gpp_usca_t *b)
{
    return memcmp(a, b, sizeof(consent_gpp_usca_t)) == 0;
}


static void
random_usnat(consent_gpp_usnat_t *u)
{
    unsigned  f, i, n;
    uint8_t  *p;

    memset(u, 0, sizeof(consent_gpp_usnat_t));
    u->version = 1 + rnd(2);

    for (f = 1; usnat2[f].name; f++) {
        p = usnat_at(u, f);
        n = usnat2[f].n;

        if (u->version == 1) {
            n = usnat1[f].n;
        }

        for (i = 0; i < n; i++) {
            p[i] = usnat2[f].min + rnd(usnat2[f].max - usnat2[f].min + 1);
        }
    }

    u->gpc_segment = rnd(2);
    u->gpc = u->gpc_segment ? rnd(2) : 0;
}


static void
random_usca(consent_gpp_usca_t *c)
{
    unsigned  f, i;
    uint8_t  *p;

    memset(c, 0, sizeof(consent_gpp_usca_t));
    c->version = 1;

    for (f = 1; usca1[f].name; f++) {
        p = usca_at(c, f);

        for (i = 0; i < usca1[f].n; i++) {
            p[i] = usca1[f].min + rnd(usca1[f].max - usca1[f].min + 1);
        }
    }

    c->gpc_segment = rnd(2);
    c->gpc = c->gpc_segment ? rnd(2) : 0;
}


/* Core/Consent String Specification.md, "Header Examples" and "GPP String
 * Examples": the spec pads to 6 bits (DBABM), IAB's code to a byte first
 * (DBABMA); both are read, the second is written */

static void
test_spec_examples(void)
{
    char            out[BUF];
    const char     *why;
    consent_gpp_t   g;

    static const char  tcf[] = "CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA";
    static const char  ex1[] =
        "DBABM~CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA";
    static const char  ex2[] =
        "DBACNY~CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA~1YNN";
    static const char  ex3[] =
        "DBABjw~CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA~1YNN";

    ok(consent_gpp_decode(ex1, strlen(ex1), &g, &why) == 0,
       "spec example 1 decodes");
    ok(g.nsections == 1 && g.sections[0] == 2, "example 1: section 2");
    ok(g.nraw == 1 && g.raw[0].id == 2 && g.raw[0].len == sizeof(tcf) - 1
       && memcmp(g.raw[0].data, tcf, sizeof(tcf) - 1) == 0,
       "example 1: the TCF section kept as it is");
    ok(!g.has_usnat && !g.has_usca, "example 1: no US section");

    is_int(consent_gpp_encode(&g, out, sizeof(out), &why), 51,
           "example 1 encodes");
    is_str(out, "DBABMA~CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA",
           "example 1, padded to a byte as IAB's implementation");

    ok(consent_gpp_decode("DBACNY", 6, &g, &why) == -1,
       "example 2's header without its two sections is refused");
    ok(consent_gpp_decode(ex2, strlen(ex2), &g, &why) == 0,
       "spec example 2 decodes");
    ok(g.nsections == 2 && g.sections[0] == 2 && g.sections[1] == 6,
       "example 2: sections 2 and 6");
    ok(g.nraw == 2 && g.raw[1].id == 6 && g.raw[1].len == 4
       && memcmp(g.raw[1].data, "1YNN", 4) == 0, "example 2: uspv1 kept");
    consent_gpp_encode(&g, out, sizeof(out), &why);
    is_str(out, "DBACNYA~CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA~1YNN",
           "example 2 encodes as in the spec's URL example (DBACNYA)");

    ok(consent_gpp_decode(ex3, strlen(ex3), &g, &why) == 0,
       "spec example 3 decodes");
    ok(g.nsections == 2 && g.sections[0] == 5 && g.sections[1] == 6,
       "example 3: a group 5..6");
    consent_gpp_encode(&g, out, sizeof(out), &why);
    is_str(out, "DBABjw~CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA~1YNN",
           "example 3 encodes the range as a group, as the spec");

    ok(consent_gpp_decode("DBAA", 4, &g, &why) == 0 && g.nsections == 0,
       "a header without sections");
    consent_gpp_init(&g);
    is_int(consent_gpp_encode(&g, out, sizeof(out), &why), 4,
           "nothing encodes as a bare header");
    is_str(out, "DBAA", "DBAA");
}


/* strings @iabgpp/cmpapi 3.2.0 wrote (t/gpp-differential.t runs it) */

static void
test_reference_strings(void)
{
    char                  out[BUF];
    const char           *why;
    consent_gpp_t         g;
    consent_gpp_usnat_t   u;
    static const uint8_t  sdp[] = { 2, 1, 0, 2, 1, 0, 2, 1, 0, 2, 1, 2 };
    static const uint8_t  ca[] = { 1, 2, 1, 2, 1, 2, 1, 2, 1 };

    ok(consent_gpp_decode("DBABLA~CVQVAAAAAABY.YA", 22, &g, &why) == 0,
       "usnat v2 with GPC decodes");
    memset(&u, 0, sizeof(u));
    u.version = 2;
    u.sharing_notice = 1;
    u.sale_opt_out_notice = 1;
    u.sharing_opt_out_notice = 1;
    u.targeted_advertising_opt_out_notice = 1;
    u.sale_opt_out = 1;
    u.sharing_opt_out = 1;
    u.targeted_advertising_opt_out = 1;
    u.mspa_covered_transaction = 1;
    u.mspa_opt_out_option_mode = 1;
    u.mspa_service_provider_mode = 2;
    u.gpc_segment = 1;
    u.gpc = 1;
    ok(g.has_usnat && usnat_eq(&g.usnat, &u), "to the fields IAB's wrote");
    consent_gpp_encode(&g, out, sizeof(out), &why);
    is_str(out, "DBABLA~CVQVAAAAAABY.YA", "and back, byte for byte");

    ok(consent_gpp_decode("DBABLA~BAAAkkkmaQA.QA", 21, &g, &why) == 0,
       "usnat v1 (66 bits) decodes");
    ok(g.usnat.version == 1
       && memcmp(g.usnat.sensitive_data_processing, sdp, 12) == 0
       && g.usnat.sensitive_data_processing[12] == 0
       && g.usnat.known_child_sensitive_data_consents[0] == 1
       && g.usnat.known_child_sensitive_data_consents[1] == 2
       && g.usnat.known_child_sensitive_data_consents[2] == 0
       && g.usnat.personal_data_consents == 2
       && g.usnat.mspa_covered_transaction == 1
       && g.usnat.gpc_segment && !g.usnat.gpc,
       "v1: 12 sensitive categories, 2 child ages");
    consent_gpp_encode(&g, out, sizeof(out), &why);
    is_str(out, "DBABLA~BAAAkkkmaQA.QA", "v1 back, byte for byte");

    ok(consent_gpp_decode("DBABLA~BAAAkkkmaQ.QA", 20, &g, &why) == 0
       && g.usnat.personal_data_consents == 2,
       "v1 padded to 6 bits only (60 bits) decodes too");

    ok(consent_gpp_decode("DBABBg~BQhmZkBA", 15, &g, &why) == 0,
       "usca without GPC decodes");
    ok(g.has_usca && !g.has_usnat && g.usca.sale_opt_out_notice == 1
       && g.usca.sale_opt_out == 2
       && memcmp(g.usca.sensitive_data_processing, ca, 9) == 0
       && g.usca.mspa_covered_transaction == 1 && !g.usca.gpc_segment,
       "usca's fields");
    consent_gpp_encode(&g, out, sizeof(out), &why);
    is_str(out, "DBABBg~BQhmZkBA", "usca back, byte for byte");

    ok(consent_gpp_decode("DBABLA~Cqqqqqqqqqqo.QA", 22, &g, &why) == 0,
       "usnat with every field 2");
    ok(g.usnat.sensitive_data_processing[15] == 2
       && g.usnat.known_child_sensitive_data_consents[2] == 2
       && g.usnat.mspa_service_provider_mode == 2, "the last ones too");
}


/* the spec's table: 1 11, 2 011, 3 0011, 4 1011, 5 00011, 6 10011,
 * 7 01011; a header with one section id N holds its code word */

static void
test_fibonacci(void)
{
    int             r;
    char            bits[BUF], want[BUF], out[BUF];
    unsigned        i, id;
    const char     *why;
    consent_gpp_t   g;
    static const char  *code[] = {
        NULL, "11", "011", "0011", "1011", "00011", "10011", "01011",
        "000011", "100011", "010011", "001011", "101011", "0000011",
        "1000011"
    };

    for (id = 1; id <= 14; id++) {
        if (id == 3 || id == 7 || id == 8) {
            continue;
        }

        consent_gpp_init(&g);
        g.nraw = 1;
        g.raw[0].id = id;
        g.raw[0].data = "x";
        g.raw[0].len = 1;

        bits[0] = '\0';
        bits_put(bits, 3, 6);
        bits_put(bits, 1, 6);
        bits_put(bits, 1, 12);
        bits_put(bits, 0, 1);
        strcat(bits, code[id]);
        bits_b64(bits, 1, want);
        strcat(want, "~x");

        consent_gpp_encode(&g, out, sizeof(out), &why);
        is_str(out, want, "section %u: Fibonacci code %s", id, code[id]);

        ok(consent_gpp_decode(want, strlen(want), &g, &why) == 0
           && g.nsections == 1 && g.sections[0] == id,
           "and decoded back");
    }

    /* a run is one group: start's offset, then the run's length */

    consent_gpp_init(&g);
    g.has_usnat = 1;
    g.has_usca = 1;
    g.nraw = 4;

    for (i = 0; i < 4; i++) {
        g.raw[i].data = "x";
        g.raw[i].len = 1;
    }

    g.raw[0].id = 11;
    g.raw[1].id = 9;
    g.raw[2].id = 2;
    g.raw[3].id = 100;

    consent_gpp_encode(&g, out, sizeof(out), &why);
    ok(consent_gpp_decode(out, strlen(out), &g, &why) == 0
       && g.nsections == 6 && g.sections[0] == 2 && g.sections[1] == 7
       && g.sections[2] == 8 && g.sections[3] == 9 && g.sections[4] == 11
       && g.sections[5] == 100,
       "ids 2, 7, 8, 9, 11, 100 in rising order: %s", out);

    bits[0] = '\0';
    bits_put(bits, 3, 6);
    bits_put(bits, 1, 6);
    bits_put(bits, 4, 12);
    strcat(bits, "0" "011");                 /* 2 */
    strcat(bits, "1" "00011" "011");         /* 2 + 5 = 7 .. 7 + 2 = 9 */
    strcat(bits, "0" "011");                 /* 9 + 2 = 11 */
    strcat(bits, "0" "00000000011");         /* 11 + 89 = 100 */
    bits_b64(bits, 1, want);
    ok(strncmp(out, want, strlen(want)) == 0 && out[strlen(want)] == '~',
       "the header's bits, a group for 7..9: %s", want);

    /* the largest id, and one past it */

    consent_gpp_init(&g);
    g.nraw = 1;
    g.raw[0].id = CONSENT_GPP_MAX_ID;
    g.raw[0].data = "x";
    g.raw[0].len = 1;
    ok(consent_gpp_encode(&g, out, sizeof(out), &why) > 0
       && consent_gpp_decode(out, strlen(out), &g, &why) == 0
       && g.sections[0] == CONSENT_GPP_MAX_ID, "id %d round trips",
       CONSENT_GPP_MAX_ID);
    g.raw[0].id = CONSENT_GPP_MAX_ID + 1;
    ok(consent_gpp_encode(&g, out, sizeof(out), &why) == -1,
       "id %d is refused", CONSENT_GPP_MAX_ID + 1);

    bits[0] = '\0';
    bits_put(bits, 3, 6);
    bits_put(bits, 1, 6);
    bits_put(bits, 1, 12);
    strcat(bits, "0" "101000000010101011");     /* 4096 */
    bits_b64(bits, 1, want);
    strcat(want, "~x");
    r = consent_gpp_decode(want, strlen(want), &g, &why);
    ok(r == -1,
       "a section id over the limit is refused (%s)", why);

    bits[0] = '\0';
    bits_put(bits, 3, 6);
    bits_put(bits, 1, 6);
    bits_put(bits, 1, 12);
    strcat(bits, "0" "0101010101010101010101010101010101");
    bits_b64(bits, 1, want);
    strcat(want, "~x");
    r = consent_gpp_decode(want, strlen(want), &g, &why);
    ok(r == -1,
       "an endless Fibonacci code word is refused (%s)", why);
}


/*
 * Each field alone at each value of its range gives the spec's bits;
 * one past its range is refused by the encoder and, written by hand,
 * by the decoder.
 */

static void
test_fields(const char *what, const spec_field_t *spec, int usnat)
{
    char                 bits[BUF], want[BUF], out[BUF], str[BUF];
    unsigned             f, i, j, k, v, base, values[64], nv;
    uint8_t             *p;
    const char          *why;
    consent_gpp_usnat_t  u, du;
    consent_gpp_usca_t   c, dc;

    base = 0;

    for (f = 0; spec[f].name; f++) {
        for (i = 0; i < spec[f].n; i++) {
            for (v = spec[f].min; v <= spec[f].max + 1; v++) {

                if (v > spec[f].max && spec == usnat1 && f == 0) {
                    continue;          /* version 2: the other layout */
                }

                /* the fields: each at its least, this one at v */

                memset(&u, 0, sizeof(u));
                memset(&c, 0, sizeof(c));

                for (k = 0; spec[k].name; k++) {
                    p = usnat ? usnat_at(&u, k) : usca_at(&c, k);
                    memset(p, spec[k].min, spec[k].n);
                }

                p = usnat ? usnat_at(&u, f) : usca_at(&c, f);
                p[i] = (uint8_t) v;

                nv = 0;

                for (k = 0; spec[k].name; k++) {
                    for (j = 0; j < spec[k].n; j++) {
                        values[nv++] = spec[k].min;
                    }
                }

                values[base + i] = v;

                spec_bits(spec, values, bits);
                bits_b64(bits, 1, want);

                if (usnat) {
                    k = consent_gpp_usnat_encode(&u, out, sizeof(out), &why);

                } else {
                    k = consent_gpp_usca_encode(&c, out, sizeof(out), &why);
                }

                if (v > spec[f].max) {
                    ok((int) k == -1, "%s %s[%u] = %u is refused (%s)",
                       what, spec[f].name, i, v, why);

                    if (usnat) {
                        k = consent_gpp_usnat_decode(want, strlen(want), &du,
                                                     &why);
                    } else {
                        k = consent_gpp_usca_decode(want, strlen(want), &dc,
                                                    &why);
                    }

                    ok((int) k == -1, "%s %s[%u] = %u is not decoded",
                       what, spec[f].name, i, v);
                    continue;
                }

                is_str(out, want, "%s %s[%u] = %u at its place", what,
                       spec[f].name, i, v);

                if (usnat) {
                    k = consent_gpp_usnat_decode(want, strlen(want), &du,
                                                 &why);
                    ok(k == 0 && usnat_eq(&du, &u), "%s %s[%u] = %u decoded",
                       what, spec[f].name, i, v);

                } else {
                    k = consent_gpp_usca_decode(want, strlen(want), &dc,
                                                &why);
                    ok(k == 0 && usca_eq(&dc, &c), "%s %s[%u] = %u decoded",
                       what, spec[f].name, i, v);
                }

                /* the spec's own padding, to 6 bits only, reads the same */

                bits_b64(bits, 0, str);

                if (usnat) {
                    k = consent_gpp_usnat_decode(str, strlen(str), &du, &why);
                    k = (k == 0 && usnat_eq(&du, &u)) ? 0 : 1;

                } else {
                    k = consent_gpp_usca_decode(str, strlen(str), &dc, &why);
                    k = (k == 0 && usca_eq(&dc, &c)) ? 0 : 1;
                }

                if (k != 0) {
                    ok(0, "%s %s[%u] = %u padded to 6 bits", what,
                       spec[f].name, i, v);
                }
            }

            if (spec[f].min > 0 && i == 0 && f > 0) {
                /* below its range: 0 for MspaCoveredTransaction */
                memset(&u, 0, sizeof(u));
                u.version = 2;
                u.mspa_covered_transaction = 1;
                memset(&c, 0, sizeof(c));
                c.version = 1;
                c.mspa_covered_transaction = 1;
                p = usnat ? usnat_at(&u, f) : usca_at(&c, f);
                p[0] = (uint8_t) (spec[f].min - 1);
                k = usnat ? consent_gpp_usnat_encode(&u, out, sizeof(out),
                                                     &why)
                          : consent_gpp_usca_encode(&c, out, sizeof(out),
                                                    &why);
                ok((int) k == -1, "%s %s = %u is refused", what,
                   spec[f].name, spec[f].min - 1);
            }
        }

        base += spec[f].n;
    }

    /* the GPC subsection: type 1 in 2 bits, then the flag */

    memset(&u, 0, sizeof(u));
    memset(&c, 0, sizeof(c));
    u.version = spec == usnat1 ? 1 : 2;
    u.mspa_covered_transaction = 2;
    c.version = 1;
    c.mspa_covered_transaction = 2;

    for (v = 0; v <= 2; v++) {
        u.gpc_segment = 1;
        u.gpc = (uint8_t) v;
        c.gpc_segment = 1;
        c.gpc = (uint8_t) v;

        k = usnat ? consent_gpp_usnat_encode(&u, out, sizeof(out), &why)
                  : consent_gpp_usca_encode(&c, out, sizeof(out), &why);

        if (v == 2) {
            ok((int) k == -1, "%s Gpc = 2 is refused", what);
            continue;
        }

        ok(strlen(out) > 3
           && strcmp(out + strlen(out) - 3, v ? ".YA" : ".QA") == 0,
           "%s Gpc = %u: %s", what, v, out);
    }

    u.gpc_segment = 0;
    u.gpc = 1;
    c.gpc_segment = 0;
    c.gpc = 1;
    k = usnat ? consent_gpp_usnat_encode(&u, out, sizeof(out), &why)
              : consent_gpp_usca_encode(&c, out, sizeof(out), &why);
    ok((int) k == -1, "%s Gpc without its subsection is refused", what);

    if (usnat && spec == usnat1) {
        u.gpc = 0;
        u.sensitive_data_processing[12] = 1;
        ok(consent_gpp_usnat_encode(&u, out, sizeof(out), &why) == -1,
           "v1: a 13th sensitive category is refused");
        u.sensitive_data_processing[12] = 0;
        u.known_child_sensitive_data_consents[2] = 1;
        ok(consent_gpp_usnat_encode(&u, out, sizeof(out), &why) == -1,
           "v1: a 3rd child age is refused");
    }
}


static void
test_round_trips(void)
{
    int             n, m, bad;
    char            out[BUF], again[BUF];
    unsigned        i;
    const char     *why;
    consent_gpp_t   g, d, d2;

    bad = 0;

    for (i = 0; i < 2000; i++) {
        consent_gpp_init(&g);
        g.has_usnat = rnd(4) != 0;
        g.has_usca = rnd(2);
        random_usnat(&g.usnat);
        random_usca(&g.usca);

        if (rnd(3) == 0) {
            g.nraw = 1;
            g.raw[0].id = rnd(2) ? 2 : 6;
            g.raw[0].data = g.raw[0].id == 6 ? "1YNN" : "CPXxRfA.IAAA";
            g.raw[0].len = strlen(g.raw[0].data);
        }

        n = consent_gpp_encode(&g, out, sizeof(out), &why);

        if (n < 0 || (size_t) n != strlen(out)) {
            bad++;
            continue;
        }

        if (consent_gpp_decode(out, (size_t) n, &d, &why) != 0
            || d.has_usnat != g.has_usnat || d.has_usca != g.has_usca
            || (g.has_usnat && !usnat_eq(&d.usnat, &g.usnat))
            || (g.has_usca && !usca_eq(&d.usca, &g.usca))
            || d.nraw != g.nraw
            || (g.nraw && (d.raw[0].id != g.raw[0].id
                           || d.raw[0].len != g.raw[0].len
                           || memcmp(d.raw[0].data, g.raw[0].data,
                                     g.raw[0].len) != 0)))
        {
            if (bad++ < 5) {
                printf("# round trip failed: %s (%s)\n", out, why);
            }

            continue;
        }

        m = consent_gpp_encode(&d, again, sizeof(again), &why);

        if (m != n || strcmp(again, out) != 0
            || consent_gpp_decode(again, (size_t) m, &d2, &why) != 0)
        {
            if (bad++ < 5) {
                printf("# not a fixed point: %s -> %s\n", out, again);
            }
        }
    }

    is_int(bad, 0, "2000 random field sets: decode(encode(x)) == x, "
           "encode(decode(s)) == s");
}


/* every output size: -1 below what is needed, never a byte beyond */

static void
test_buffers(void)
{
    int             n, r, bad;
    char            out[BUF], buf[BUF];
    size_t          size;
    uint16_t        ids[2];
    const char     *why;
    consent_gpp_t   g;

    consent_gpp_init(&g);
    g.has_usnat = 1;
    g.has_usca = 1;
    g.usnat.gpc_segment = 1;
    g.usca.gpc_segment = 1;
    g.nraw = 1;
    g.raw[0].id = 6;
    g.raw[0].data = "1YNN";
    g.raw[0].len = 4;

    n = consent_gpp_encode(&g, out, sizeof(out), &why);
    ok(n > 0, "a full string: %s", out);
    ok(n < CONSENT_GPP_SHORT_MAX, "shorter than CONSENT_GPP_SHORT_MAX");

    bad = 0;

    for (size = 0; size <= (size_t) n + 1; size++) {
        memset(buf, '#', sizeof(buf));
        r = consent_gpp_encode(&g, buf, size, &why);

        if (buf[size] != '#' || (size <= (size_t) n && r != -1)
            || (size == (size_t) n + 1 && (r != n || strcmp(buf, out))))
        {
            bad++;
            printf("# size %zu: %d\n", size, r);
        }
    }

    is_int(bad, 0, "sizes 0 to %d: refused below %d, nothing written past",
           n + 1, n + 1);

    n = consent_gpp_usnat_encode(&g.usnat, out, sizeof(out), &why);
    bad = 0;

    for (size = 0; size <= (size_t) n + 1; size++) {
        memset(buf, '#', sizeof(buf));
        r = consent_gpp_usnat_encode(&g.usnat, buf, size, &why);

        if (buf[size] != '#' || (size <= (size_t) n && r != -1)
            || (size == (size_t) n + 1 && (r != n || strcmp(buf, out))))
        {
            bad++;
        }
    }

    is_int(bad, 0, "usnat alone: the same");

    ids[0] = 7;
    ids[1] = 8;
    bad = 0;

    for (size = 0; size <= 4; size++) {
        memset(buf, '#', sizeof(buf));
        r = consent_gpp_sid_encode(&g, ids, 2, buf, size, &why);

        if (buf[size] != '#' || (size < 4 && r != -1)
            || (size == 4 && (r != 3 || strcmp(buf, "7,8"))))
        {
            bad++;
        }
    }

    is_int(bad, 0, "__gpp_sid: the same");
}


static void
test_malformed(void)
{
    int             r;
    size_t          i;
    const char     *why;
    consent_gpp_t   g;
    static const char  *bad[] = {
        "",                                  /* no header */
        "D",                                 /* too short */
        "DBA",
        "CBABLA~BVVqAAEABgA",                /* type 2: a TCF string */
        "DCABLA~BVVqAAEABgA",                /* version 2 */
        "DAABLA~BVVqAAEABgA",                /* version 0 */
        "DBABLAA~BVVqAAEABgA",               /* header too long */
        "DBABLB~BVVqAAEABgA",                /* header padding */
        "DBABLA~BVVqAAEABgA~",               /* a section too many */
        "DBABLA~",                           /* an empty section */
        "DBABLA",                            /* a section too few */
        "DBACNYA~1YNN",
        "DBABLA~~BVVqAAEABgA",
        "DBABLA~BVVqAAEABg=",                /* padding character */
        "DBABLA~BVVqAAEABg+",                /* standard alphabet */
        "DBABLA~BVVqAAE ABgA",
        "DBABLA~BVVqAAEABgAA",               /* usnat v1 too long */
        "DBABLA~BVVqAAEAB",                  /* too short */
        "DBABLA~BVVqAAEABgB",                /* padding not zero */
        "DBABLA~AVVqAAEABgA",                /* version 0 */
        "DBABLA~DVVqAAEABgA",                /* version 3 */
        "DBABLA~BVVqAAEABAA",                /* MspaCoveredTransaction 0 */
        "DBABLA~B1VqAAEABgA",                /* SharingNotice 3 */
        "DBABLA~CVQVAAAAAABY.",              /* empty subsection */
        "DBABLA~CVQVAAAAAABY.YA.YA",         /* GPC twice */
        "DBABLA~CVQVAAAAAABY.gA",            /* subsection type 2 */
        "DBABLA~CVQVAAAAAABY.AA",            /* subsection type 0 */
        "DBABLA~CVQVAAAAAABY.Y",             /* GPC padded to 6: read */
        "DBABLA~CVQVAAAAAABY.YAA",           /* GPC too long */
        "DBABLA~CVQVAAAAAABY.Z",             /* GPC padding */
        "DBABLA~.YA",
        "DBABBg~CQhmZkBA",                   /* usca version 2 */
        "DBABBg~BQhmZkB",                    /* usca too short */
        "DBABBg~BQhmZkBAA",                  /* usca too long */
        "DBABMA~CPXxRfA~",                   /* raw: a section too many */
        "DBABMA~CPXx+RfA",                   /* raw: not web safe */
        "DBABMA~CPXx RfA",
        NULL
    };

    for (i = 0; bad[i]; i++) {
        why = "";

        if (strcmp(bad[i], "DBABLA~CVQVAAAAAABY.Y") == 0) {
            ok(consent_gpp_decode(bad[i], strlen(bad[i]), &g, &why) == 0
               && g.usnat.gpc, "'%s': a GPC subsection padded to 6 bits "
               "only is read", bad[i]);
            continue;
        }

        r = consent_gpp_decode(bad[i], strlen(bad[i]), &g, &why);
        ok(r == -1
           && !g.has_usnat && !g.has_usca && g.nsections == 0,
           "'%s' is refused: %s", bad[i], why);
    }

    /* the decoder stops at len: a valid prefix followed by junk */

    ok(consent_gpp_decode("DBABLA~BVVqAAEABgAjunk", 18, &g, &why) == 0,
       "only len bytes are read");

    /* a long range: more ids than the struct holds */

    {
        char  bits[BUF], want[BUF];

        bits[0] = '\0';
        bits_put(bits, 3, 6);
        bits_put(bits, 1, 6);
        bits_put(bits, 1, 12);
        strcat(bits, "1" "11" "00000000011");     /* 1 .. 1 + 89 */
        bits_b64(bits, 1, want);
        r = consent_gpp_decode(want, strlen(want), &g, &why);
        ok(r == -1,
           "a group of 90 sections is refused (%s)", why);

        bits[0] = '\0';
        bits_put(bits, 3, 6);
        bits_put(bits, 1, 6);
        bits_put(bits, 4095, 12);
        bits_b64(bits, 1, want);
        r = consent_gpp_decode(want, strlen(want), &g, &why);
        ok(r == -1,
           "4095 items and no bits for them is refused (%s)", why);
    }

    /* encode refuses what it cannot write */

    consent_gpp_init(&g);
    g.nraw = 2;
    g.raw[0].id = 2;
    g.raw[0].data = "A";
    g.raw[0].len = 1;
    g.raw[1] = g.raw[0];
    r = consent_gpp_encode(&g, (char [64]) { 0 }, 64, &why);
    ok(r == -1,
       "a repeated section id is refused (%s)", why);
    g.raw[1].id = 3;
    r = consent_gpp_encode(&g, (char [64]) { 0 }, 64, &why);
    ok(r == -1,
       "section id 3 is refused (%s)", why);
    g.raw[1].id = 7;
    r = consent_gpp_encode(&g, (char [64]) { 0 }, 64, &why);
    ok(r == -1,
       "a raw usnat is refused (%s)", why);
    g.raw[1].id = 6;
    g.raw[1].data = "1Y~N";
    g.raw[1].len = 4;
    r = consent_gpp_encode(&g, (char [64]) { 0 }, 64, &why);
    ok(r == -1,
       "a raw section with '~' is refused (%s)", why);
    g.raw[1].len = 0;
    r = consent_gpp_encode(&g, (char [64]) { 0 }, 64, &why);
    ok(r == -1,
       "an empty raw section is refused (%s)", why);
    g.nraw = CONSENT_GPP_MAX_SECTIONS + 1;
    r = consent_gpp_encode(&g, (char [64]) { 0 }, 64, &why);
    ok(r == -1,
       "too many raw sections are refused (%s)", why);
}


/* every prefix of valid strings, and every byte changed, stays in bounds */

static void
test_truncations(void)
{
    int             accepted;
    char           *copy, c;
    size_t          i, j, n, k;
    const char     *why;
    consent_gpp_t   g;
    static const char  *good[] = {
        "DBABLA~CVQVAAAAAABY.YA",
        "DBABrw~CAAQAAAAAABA.QA~BAgAAABA.QA",
        "DBACNYA~CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA~1YNN",
        NULL
    };

    /* prefixes that are whole strings: without GPC, GPC padded to 6
     * bits, a shorter uspv1 (opaque here) */
    static const char  *whole[] = {
        "DBABLA~CVQVAAAAAABY",
        "DBABLA~CVQVAAAAAABY.Y",
        "DBABrw~CAAQAAAAAABA.QA~BAgAAABA",
        "DBABrw~CAAQAAAAAABA.QA~BAgAAABA.Q",
        "DBACNYA~CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA~1",
        "DBACNYA~CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA~1Y",
        "DBACNYA~CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA~1YN",
        NULL
    };

    accepted = 0;

    for (k = 0; good[k]; k++) {
        n = strlen(good[k]);

        for (i = 0; i < n; i++) {
            /* a heap copy of exactly i bytes: ASan sees a read past it */
            copy = malloc(i ? i : 1);
            memcpy(copy, good[k], i);

            if (consent_gpp_decode(copy, i, &g, &why) == 0) {
                for (j = 0; whole[j]; j++) {
                    if (strlen(whole[j]) == i
                        && memcmp(whole[j], copy, i) == 0)
                    {
                        break;
                    }
                }

                if (whole[j] == NULL) {
                    printf("# prefix accepted: %.*s\n", (int) i, copy);
                    accepted = -100;
                }

                accepted++;
            }

            free(copy);
        }

        for (i = 0; i < n; i++) {
            for (c = 0x20; c < 0x7f; c++) {
                copy = malloc(n);
                memcpy(copy, good[k], n);
                copy[i] = c;
                (void) consent_gpp_decode(copy, n, &g, &why);
                free(copy);
            }
        }
    }

    is_int(accepted, 7, "every prefix is refused but the 7 whole strings");
    ok(1, "every byte of three strings changed to every printable one: "
       "no crash, no read out of bounds");
}


static void
test_visitor(void)
{
    char                   out[BUF];
    const char            *why;
    consent_gpp_t          g, d;
    consent_gpp_visitor_t  v;

    memset(&v, 0, sizeof(v));
    consent_gpp_usnat_visitor(&g.usnat, &v);
    ok(g.usnat.version == 2 && g.usnat.sharing_notice == 0
       && g.usnat.sale_opt_out_notice == 0 && g.usnat.sale_opt_out == 0
       && g.usnat.mspa_covered_transaction == 2
       && g.usnat.mspa_opt_out_option_mode == 0 && g.usnat.gpc_segment
       && !g.usnat.gpc,
       "a site that neither sells nor shares: all not applicable");

    v.sells = 1;
    v.shares = 1;
    v.targets = 1;
    v.notice = 1;
    consent_gpp_usnat_visitor(&g.usnat, &v);
    ok(g.usnat.sharing_notice == 1 && g.usnat.sale_opt_out_notice == 1
       && g.usnat.sharing_opt_out_notice == 1
       && g.usnat.targeted_advertising_opt_out_notice == 1
       && g.usnat.sale_opt_out == 2 && g.usnat.sharing_opt_out == 2
       && g.usnat.targeted_advertising_opt_out == 2,
       "notices given, no opt-out: 1s and 2s");

    v.gpc = 1;
    consent_gpp_usnat_visitor(&g.usnat, &v);
    ok(g.usnat.sale_opt_out == 1 && g.usnat.sharing_opt_out == 1
       && g.usnat.targeted_advertising_opt_out == 1 && g.usnat.gpc == 1,
       "GPC: opted out of all three, Gpc set");

    v.gpc = 0;
    v.sharing_opt_out = 1;
    consent_gpp_usnat_visitor(&g.usnat, &v);
    ok(g.usnat.sale_opt_out == 2 && g.usnat.sharing_opt_out == 1
       && g.usnat.targeted_advertising_opt_out == 2,
       "one opt-out is that one");

    v.notice = 0;
    v.gpc = 1;
    consent_gpp_usnat_visitor(&g.usnat, &v);
    ok(g.usnat.sale_opt_out_notice == 2 && g.usnat.sale_opt_out == 0
       && g.usnat.sharing_opt_out == 0 && g.usnat.gpc == 1,
       "no notice: opt-outs not applicable (the spec), GPC still said");

    v.notice = 1;
    v.mspa = 1;
    v.gpc = 0;
    v.sharing_opt_out = 0;
    v.sale_opt_out = 1;
    consent_gpp_usnat_visitor(&g.usnat, &v);
    ok(g.usnat.mspa_covered_transaction == 1
       && g.usnat.mspa_opt_out_option_mode == 1
       && g.usnat.mspa_service_provider_mode == 2,
       "MSPA: covered, opt-out option mode");

    consent_gpp_init(&g);
    g.has_usnat = 1;
    g.has_usca = 1;
    consent_gpp_usnat_visitor(&g.usnat, &v);
    consent_gpp_usca_visitor(&g.usca, &v);
    ok(g.usca.sale_opt_out == 1 && g.usca.sharing_opt_out == 2
       && g.usca.mspa_covered_transaction == 1 && g.usca.gpc_segment,
       "usca from the same visitor");
    ok(consent_gpp_encode(&g, out, sizeof(out), &why) > 0
       && consent_gpp_decode(out, strlen(out), &d, &why) == 0
       && usnat_eq(&d.usnat, &g.usnat) && usca_eq(&d.usca, &g.usca),
       "and it encodes: %s", out);
}


static void
test_sid(void)
{
    int             r;
    char            out[64];
    unsigned        n;
    uint16_t        ids[CONSENT_GPP_MAX_APPLICABLE], want[3];
    const char     *why;
    consent_gpp_t   g;

    consent_gpp_init(&g);
    g.has_usnat = 1;
    g.has_usca = 1;

    is_int(consent_gpp_sid_encode(&g, NULL, 0, out, sizeof(out), &why), 2,
           "no applicable section");
    is_str(out, "-1", "is -1");

    want[0] = 7;
    is_int(consent_gpp_sid_encode(&g, want, 1, out, sizeof(out), &why), 1,
           "one");
    is_str(out, "7", "7");

    want[0] = 8;
    want[1] = 7;
    consent_gpp_sid_encode(&g, want, 2, out, sizeof(out), &why);
    is_str(out, "8,7", "two, in the caller's order");

    want[1] = 8;
    ok(consent_gpp_sid_encode(&g, want, 2, out, sizeof(out), &why) == -1,
       "a repeated one is refused");
    want[0] = 6;
    r = consent_gpp_sid_encode(&g, want, 1, out, sizeof(out), &why);
    ok(r == -1,
       "a section the string does not carry is refused (%s)", why);
    want[0] = 7;
    want[1] = 8;
    want[2] = 6;
    r = consent_gpp_sid_encode(&g, want, 3, out, sizeof(out), &why);
    ok(r == -1,
       "three are refused (%s)", why);

    ok(consent_gpp_sid_decode("-1", 2, ids, &n, &why) == 0 && n == 0,
       "'-1' is none");
    ok(consent_gpp_sid_decode("7", 1, ids, &n, &why) == 0 && n == 1
       && ids[0] == 7, "'7'");
    ok(consent_gpp_sid_decode("7,8", 3, ids, &n, &why) == 0 && n == 2
       && ids[0] == 7 && ids[1] == 8, "'7,8'");
    ok(consent_gpp_sid_decode("2_6", 3, ids, &n, &why) == 0 && n == 2
       && ids[0] == 2 && ids[1] == 6, "'2_6' (the mobile API's)");
    ok(consent_gpp_sid_decode("4095", 4, ids, &n, &why) == 0 && n == 1
       && ids[0] == 4095, "'4095'");

    {
        static const char  *bad[] = {
            "", "-", "-2", "0", "07", "7,", ",7", "7,,8", "7,7", "7,8,9",
            "4096", "99999999", "7 ", " 7", "7;8", "a", "1e3", NULL
        };
        size_t  i;

        for (i = 0; bad[i]; i++) {
            ok(consent_gpp_sid_decode(bad[i], strlen(bad[i]), ids, &n, &why)
               == -1 && n == 0, "'%s' is refused", bad[i]);
        }
    }
}


int
main(void)
{
    test_spec_examples();
    test_reference_strings();
    test_fibonacci();
    test_fields("usnat v2", usnat2, 1);
    test_fields("usnat v1", usnat1, 1);
    test_fields("usca", usca1, 0);
    test_round_trips();
    test_buffers();
    test_malformed();
    test_truncations();
    test_visitor();
    test_sid();

    return done_testing();
}

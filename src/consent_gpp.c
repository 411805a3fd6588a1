
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * GPP strings (src/consent_gpp.h, docs/gpp.md).  Each segment is read
 * and written by one function that walks its fields in order with a
 * bit cursor that either reads or writes, so that a field's width is
 * written once for both directions.
 */


#include <string.h>

#include "consent_base64.h"
#include "consent_gpp.h"


/* Fibonacci code words longer than this are refused (F(24) > MAX_ID) */
#define CONSENT_GPP_FIB_BITS  24


/* the bit stream of a section, read or written (consent_base64.h) */
typedef consent_b64bits_t  consent_gpp_bits_t;


static void consent_gpp_field(consent_gpp_bits_t *b, uint8_t *v,
    unsigned width, unsigned min, unsigned max, const char *name);
static void consent_gpp_list(consent_gpp_bits_t *b, uint8_t *v,
    unsigned n, unsigned used, const char *name);
static uint32_t consent_gpp_fib_get(consent_gpp_bits_t *b);
static void consent_gpp_fib_put(consent_gpp_bits_t *b, uint32_t v);
static void consent_gpp_reader(consent_gpp_bits_t *b, const char *s,
    size_t len);
static int consent_gpp_read_end(consent_gpp_bits_t *b);
static void consent_gpp_writer(consent_gpp_bits_t *b, char *out,
    size_t size);
static int consent_gpp_write_end(consent_gpp_bits_t *b);
static void consent_gpp_usnat_core(consent_gpp_bits_t *b,
    consent_gpp_usnat_t *u);
static void consent_gpp_usca_core(consent_gpp_bits_t *b,
    consent_gpp_usca_t *c);
static void consent_gpp_gpc(consent_gpp_bits_t *b, uint8_t *gpc);
static int consent_gpp_gpc_end(consent_gpp_bits_t *b, char *out, size_t size,
    uint8_t gpc_segment, uint8_t gpc, const char *const *msg,
    const char **why);
static int consent_gpp_section(const char *s, size_t len, uint8_t *gpc,
    uint8_t *gpc_segment, void *core, int usnat, const char **why);
static int consent_gpp_header_write(consent_gpp_bits_t *b,
    const uint16_t *ids, unsigned n);
static int consent_gpp_header_read(const char *s, size_t len,
    consent_gpp_t *gpp, const char **why);
static int consent_gpp_raw_ok(const char *s, size_t len);
static int consent_gpp_gather(const consent_gpp_t *gpp, uint16_t *ids,
    int *from, const char **why);


static const char *const  consent_gpp_usnat_msg[] = {
    "usnat: gpc_segment", "usnat: Gpc without its subsection"
};

static const char *const  consent_gpp_usca_msg[] = {
    "usca: gpc_segment", "usca: Gpc without its subsection"
};


/* a value of F(2), F(3), ...: 1, 2, 3, 5, 8, ... */
static const uint32_t  consent_gpp_fib[CONSENT_GPP_FIB_BITS] = {
    1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1597,
    2584, 4181, 6765, 10946, 17711, 28657, 46368, 75025
};


#define consent_gpp_set(why, what)                                            \
    do {                                                                      \
        if ((why) != NULL) {                                                  \
            *(why) = (what);                                                  \
        }                                                                     \
    } while (0)


/* one fixed-width integer in [min, max], either way */

static void
consent_gpp_field(consent_gpp_bits_t *b, uint8_t *v, unsigned width,
    unsigned min, unsigned max, const char *name)
{
    uint32_t  x;

    if (b->why != NULL) {
        return;
    }

    if (b->reading) {
        x = consent_b64bits_get(b, width);

        if (b->why != NULL) {
            return;
        }

        if (x < min || x > max) {
            consent_b64bits_fail(b, name);
            return;
        }

        *v = (uint8_t) x;
        return;
    }

    if (*v < min || *v > max) {
        consent_b64bits_fail(b, name);
        return;
    }

    consent_b64bits_put(b, *v, width);
}


/*
 * A list of two-bit values of which the version in force uses the first
 * `used`: the others are zeroed when read and must be zero to be written.
 */

static void
consent_gpp_list(consent_gpp_bits_t *b, uint8_t *v, unsigned n,
    unsigned used, const char *name)
{
    unsigned  i;

    for (i = 0; i < used; i++) {
        consent_gpp_field(b, &v[i], 2, 0, 2, name);
    }

    for ( /* void */ ; i < n; i++) {
        if (b->reading) {
            v[i] = 0;

        } else if (v[i] != 0) {
            consent_b64bits_fail(b, name);
        }
    }
}


/*
 * A Fibonacci code word: bit i counts F(i + 2), a 1 after a 1 ends it.
 * Returns 0 (no code word encodes it) on error.
 */

static uint32_t
consent_gpp_fib_get(consent_gpp_bits_t *b)
{
    int       bit, last;
    unsigned  i;
    uint32_t  v;

    v = 0;
    last = 0;

    for (i = 0; i <= CONSENT_GPP_FIB_BITS; i++) {
        bit = consent_b64bits_bit(b);

        if (bit < 0) {
            return 0;
        }

        if (bit && last) {
            return v;
        }

        if (i == CONSENT_GPP_FIB_BITS) {
            break;
        }

        if (bit) {
            v += consent_gpp_fib[i];
        }

        last = bit;
    }

    consent_b64bits_fail(b, "a Fibonacci integer too large");

    return 0;
}


static void
consent_gpp_fib_put(consent_gpp_bits_t *b, uint32_t v)
{
    int       i, top;
    uint32_t  bits;

    /* v >= 1 and v <= MAX_ID here: the largest F(i + 2) <= v first */

    for (top = 0; top + 1 < CONSENT_GPP_FIB_BITS
                  && consent_gpp_fib[top + 1] <= v; top++)
    {
        /* void */
    }

    bits = 0;

    for (i = top; i >= 0; i--) {
        if (consent_gpp_fib[i] <= v) {
            v -= consent_gpp_fib[i];
            bits |= (uint32_t) 1 << i;
        }
    }

    for (i = 0; i <= top; i++) {
        consent_b64bits_emit(b, (bits >> i) & 1);
    }

    consent_b64bits_emit(b, 1);
}


static void
consent_gpp_reader(consent_gpp_bits_t *b, const char *s, size_t len)
{
    memset(b, 0, sizeof(consent_gpp_bits_t));
    b->reading = 1;
    b->in = s;
    b->len = len;
}


/*
 * After the last field: the segment may only hold the padding, zeros to
 * a multiple of 6 bits (the spec) or to a byte and then to 6 bits (IAB's
 * implementation), nothing more.
 */

static int
consent_gpp_read_end(consent_gpp_bits_t *b)
{
    size_t  min, max;

    if (b->why != NULL) {
        return -1;
    }

    min = (b->pos + 5) / 6;
    max = ((b->pos + 7) / 8 * 8 + 5) / 6;

    if (b->len < min || b->len > max) {
        consent_b64bits_fail(b, "longer than its fields");
        return -1;
    }

    while (b->pos < b->len * 6) {
        if (consent_b64bits_bit(b) != 0) {
            consent_b64bits_fail(b, "padding that is not zero");
            return -1;
        }
    }

    return 0;
}


static void
consent_gpp_writer(consent_gpp_bits_t *b, char *out, size_t size)
{
    memset(b, 0, sizeof(consent_gpp_bits_t));
    b->out = out;
    b->size = size;
}


/* pads as IAB's implementation does; returns the characters written */

static int
consent_gpp_write_end(consent_gpp_bits_t *b)
{
    while (b->nbits % 8) {
        consent_b64bits_emit(b, 0);
    }

    while (b->nacc) {
        consent_b64bits_emit(b, 0);
    }

    if (b->why != NULL) {
        return -1;
    }

    b->out[b->nout] = '\0';

    return (int) b->nout;
}


static void
consent_gpp_usnat_core(consent_gpp_bits_t *b, consent_gpp_usnat_t *u)
{
    unsigned  v1;

    consent_gpp_field(b, &u->version, 6, 1, 2, "usnat: unknown version");

    v1 = (u->version == 1);

    consent_gpp_field(b, &u->sharing_notice, 2, 0, 2,
                      "usnat: SharingNotice");
    consent_gpp_field(b, &u->sale_opt_out_notice, 2, 0, 2,
                      "usnat: SaleOptOutNotice");
    consent_gpp_field(b, &u->sharing_opt_out_notice, 2, 0, 2,
                      "usnat: SharingOptOutNotice");
    consent_gpp_field(b, &u->targeted_advertising_opt_out_notice, 2, 0, 2,
                      "usnat: TargetedAdvertisingOptOutNotice");
    consent_gpp_field(b, &u->sensitive_data_processing_opt_out_notice, 2,
                      0, 2, "usnat: SensitiveDataProcessingOptOutNotice");
    consent_gpp_field(b, &u->sensitive_data_limit_use_notice, 2, 0, 2,
                      "usnat: SensitiveDataLimitUseNotice");
    consent_gpp_field(b, &u->sale_opt_out, 2, 0, 2, "usnat: SaleOptOut");
    consent_gpp_field(b, &u->sharing_opt_out, 2, 0, 2,
                      "usnat: SharingOptOut");
    consent_gpp_field(b, &u->targeted_advertising_opt_out, 2, 0, 2,
                      "usnat: TargetedAdvertisingOptOut");
    consent_gpp_list(b, u->sensitive_data_processing, CONSENT_GPP_USNAT_SDP,
                     v1 ? 12 : CONSENT_GPP_USNAT_SDP,
                     "usnat: SensitiveDataProcessing");
    consent_gpp_list(b, u->known_child_sensitive_data_consents,
                     CONSENT_GPP_USNAT_KCSDC,
                     v1 ? 2 : CONSENT_GPP_USNAT_KCSDC,
                     "usnat: KnownChildSensitiveDataConsents");
    consent_gpp_field(b, &u->personal_data_consents, 2, 0, 2,
                      "usnat: PersonalDataConsents");
    consent_gpp_field(b, &u->mspa_covered_transaction, 2, 1, 2,
                      "usnat: MspaCoveredTransaction");
    consent_gpp_field(b, &u->mspa_opt_out_option_mode, 2, 0, 2,
                      "usnat: MspaOptOutOptionMode");
    consent_gpp_field(b, &u->mspa_service_provider_mode, 2, 0, 2,
                      "usnat: MspaServiceProviderMode");
}


/*
 * usca's core segment: usnat's fields less the sharing, targeting and
 * sensitive-data notices, written out on purpose as the spec's table of
 * the section (another struct; each field's width, range and order are
 * the section's own)
 */

static void
consent_gpp_usca_core(consent_gpp_bits_t *b, consent_gpp_usca_t *c)
{
    consent_gpp_field(b, &c->version, 6, 1, 1, "usca: unknown version");
    consent_gpp_field(b, &c->sale_opt_out_notice, 2, 0, 2,
                      "usca: SaleOptOutNotice");
    consent_gpp_field(b, &c->sharing_opt_out_notice, 2, 0, 2,
                      "usca: SharingOptOutNotice");
    consent_gpp_field(b, &c->sensitive_data_limit_use_notice, 2, 0, 2,
                      "usca: SensitiveDataLimitUseNotice");
    consent_gpp_field(b, &c->sale_opt_out, 2, 0, 2, "usca: SaleOptOut");
    consent_gpp_field(b, &c->sharing_opt_out, 2, 0, 2,
                      "usca: SharingOptOut");
    consent_gpp_list(b, c->sensitive_data_processing, CONSENT_GPP_USCA_SDP,
                     CONSENT_GPP_USCA_SDP, "usca: SensitiveDataProcessing");
    consent_gpp_list(b, c->known_child_sensitive_data_consents,
                     CONSENT_GPP_USCA_KCSDC, CONSENT_GPP_USCA_KCSDC,
                     "usca: KnownChildSensitiveDataConsents");
    consent_gpp_field(b, &c->personal_data_consents, 2, 0, 2,
                      "usca: PersonalDataConsents");
    consent_gpp_field(b, &c->mspa_covered_transaction, 2, 1, 2,
                      "usca: MspaCoveredTransaction");
    consent_gpp_field(b, &c->mspa_opt_out_option_mode, 2, 0, 2,
                      "usca: MspaOptOutOptionMode");
    consent_gpp_field(b, &c->mspa_service_provider_mode, 2, 0, 2,
                      "usca: MspaServiceProviderMode");
}


/* the GPC subsection: SubsectionType int(2) = 1, Gpc bool */

static void
consent_gpp_gpc(consent_gpp_bits_t *b, uint8_t *gpc)
{
    uint8_t  type;

    type = 1;
    consent_gpp_field(b, &type, 2, 1, 1, "an unknown subsection");
    consent_gpp_field(b, gpc, 1, 0, 1, "Gpc");
}


/* one usnat (usnat != 0) or usca section: its core, then subsections */

static int
consent_gpp_section(const char *s, size_t len, uint8_t *gpc,
    uint8_t *gpc_segment, void *core, int usnat, const char **why)
{
    size_t               n;
    const char          *dot, *end;
    consent_gpp_bits_t   b;

    *gpc = 0;
    *gpc_segment = 0;
    end = s + len;

    dot = memchr(s, '.', len);
    n = (dot ? dot : end) - s;

    if (n == 0) {
        consent_gpp_set(why, "an empty segment");
        return -1;
    }

    consent_gpp_reader(&b, s, n);

    if (usnat) {
        consent_gpp_usnat_core(&b, core);

    } else {
        consent_gpp_usca_core(&b, core);
    }

    if (consent_gpp_read_end(&b) != 0) {
        consent_gpp_set(why, b.why);
        return -1;
    }

    while (dot != NULL) {
        s = dot + 1;
        dot = memchr(s, '.', end - s);
        n = (dot ? dot : end) - s;

        if (n == 0) {
            consent_gpp_set(why, "an empty segment");
            return -1;
        }

        if (*gpc_segment) {
            consent_gpp_set(why, "a repeated subsection");
            return -1;
        }

        consent_gpp_reader(&b, s, n);
        consent_gpp_gpc(&b, gpc);

        if (consent_gpp_read_end(&b) != 0) {
            consent_gpp_set(why, b.why);
            return -1;
        }

        *gpc_segment = 1;
    }

    return 0;
}


static int
consent_gpp_header_write(consent_gpp_bits_t *b, const uint16_t *ids,
    unsigned n)
{
    unsigned  i, j, groups;
    uint32_t  last;

    consent_b64bits_put(b, CONSENT_GPP_HEADER_ID, 6);
    consent_b64bits_put(b, CONSENT_GPP_VERSION, 6);

    /* a run of consecutive ids is one group, as IAB's implementation */

    groups = 0;

    for (i = 0; i < n; i = j) {
        for (j = i + 1; j < n && ids[j] == ids[j - 1] + 1; j++) {
            /* void */
        }

        groups++;
    }

    consent_b64bits_put(b, groups, 12);

    last = 0;

    for (i = 0; i < n; i = j) {
        for (j = i + 1; j < n && ids[j] == ids[j - 1] + 1; j++) {
            /* void */
        }

        if (j - i == 1) {
            consent_b64bits_put(b, 0, 1);
            consent_gpp_fib_put(b, ids[i] - last);
            last = ids[i];

        } else {
            consent_b64bits_put(b, 1, 1);
            consent_gpp_fib_put(b, ids[i] - last);
            consent_gpp_fib_put(b, ids[j - 1] - ids[i]);
            last = ids[j - 1];
        }
    }

    return consent_gpp_write_end(b);
}


static int
consent_gpp_header_read(const char *s, size_t len, consent_gpp_t *gpp,
    const char **why)
{
    uint32_t             type, version, items, i, group, start, end, last;
    consent_gpp_bits_t   b;

    consent_gpp_reader(&b, s, len);

    type = consent_b64bits_get(&b, 6);
    version = consent_b64bits_get(&b, 6);
    items = consent_b64bits_get(&b, 12);

    if (b.why == NULL && type != CONSENT_GPP_HEADER_ID) {
        consent_b64bits_fail(&b, "not a GPP header (type 3)");
    }

    if (b.why == NULL && version != CONSENT_GPP_VERSION) {
        consent_b64bits_fail(&b, "an unknown GPP version");
    }

    last = 0;

    for (i = 0; i < items && b.why == NULL; i++) {
        group = consent_b64bits_get(&b, 1);
        start = last + consent_gpp_fib_get(&b);
        end = start;

        if (group) {
            end = start + consent_gpp_fib_get(&b);
        }

        if (b.why != NULL) {
            break;
        }

        if (end > CONSENT_GPP_MAX_ID) {
            consent_b64bits_fail(&b, "a section id too large");
            break;
        }

        if (end - start >= CONSENT_GPP_MAX_SECTIONS - gpp->nsections) {
            consent_b64bits_fail(&b, "too many sections");
            break;
        }

        while (start <= end) {
            gpp->sections[gpp->nsections++] = (uint16_t) start++;
        }

        last = end;
    }

    if (consent_gpp_read_end(&b) != 0) {
        consent_gpp_set(why, b.why);
        return -1;
    }

    return 0;
}


static int
consent_gpp_raw_ok(const char *s, size_t len)
{
    size_t  i;

    if (len == 0) {
        return 0;
    }

    for (i = 0; i < len; i++) {
        if (s[i] != '.' && consent_b64url_digit((unsigned char) s[i]) < 0) {
            return 0;
        }
    }

    return 1;
}


/*
 * The ids of the sections to write, rising, and where each comes from:
 * -1 usnat, -2 usca, else an index into gpp->raw.
 */

static int
consent_gpp_gather(const consent_gpp_t *gpp, uint16_t *ids, int *from,
    const char **why)
{
    int       k, f;
    unsigned  i, n, id;

    if (gpp->nraw > CONSENT_GPP_MAX_SECTIONS) {
        consent_gpp_set(why, "too many sections");
        return -1;
    }

    n = 0;

    for (i = 0; i < gpp->nraw + 2; i++) {
        if (i < gpp->nraw) {
            id = gpp->raw[i].id;
            f = (int) i;

            if (id == CONSENT_GPP_HEADER_ID || id == 0
                || id > CONSENT_GPP_MAX_ID)
            {
                consent_gpp_set(why, "a reserved or invalid section id");
                return -1;
            }

            if (id == CONSENT_GPP_USNAT_ID || id == CONSENT_GPP_USCA_ID) {
                consent_gpp_set(why, "a raw usnat or usca section");
                return -1;
            }

            if (!consent_gpp_raw_ok(gpp->raw[i].data, gpp->raw[i].len)) {
                consent_gpp_set(why, "a section with a character it may "
                                     "not hold");
                return -1;
            }

        } else if (i == gpp->nraw && gpp->has_usnat) {
            id = CONSENT_GPP_USNAT_ID;
            f = -1;

        } else if (i == gpp->nraw + 1 && gpp->has_usca) {
            id = CONSENT_GPP_USCA_ID;
            f = -2;

        } else {
            continue;
        }

        if (n == CONSENT_GPP_MAX_SECTIONS) {
            consent_gpp_set(why, "too many sections");
            return -1;
        }

        /* insertion, rising */

        for (k = (int) n; k > 0 && ids[k - 1] > id; k--) {
            ids[k] = ids[k - 1];

            if (from != NULL) {
                from[k] = from[k - 1];
            }
        }

        if (k > 0 && ids[k - 1] == id) {
            consent_gpp_set(why, "a repeated section id");
            return -1;
        }

        ids[k] = (uint16_t) id;

        if (from != NULL) {
            from[k] = f;
        }

        n++;
    }

    return (int) n;
}


void
consent_gpp_init(consent_gpp_t *gpp)
{
    memset(gpp, 0, sizeof(consent_gpp_t));

    gpp->usnat.version = CONSENT_GPP_USNAT_VERSION;
    gpp->usnat.mspa_covered_transaction = CONSENT_GPP_NO;
    gpp->usca.version = CONSENT_GPP_USCA_VERSION;
    gpp->usca.mspa_covered_transaction = CONSENT_GPP_NO;
}


void
consent_gpp_usnat_visitor(consent_gpp_usnat_t *u,
    const consent_gpp_visitor_t *v)
{
    uint8_t  given;

    memset(u, 0, sizeof(consent_gpp_usnat_t));

    given = v->notice ? CONSENT_GPP_YES : CONSENT_GPP_NO;

    u->version = CONSENT_GPP_USNAT_VERSION;

    if (v->sells || v->shares || v->targets) {
        u->sharing_notice = given;
    }

    if (v->sells) {
        u->sale_opt_out_notice = given;
    }

    if (v->shares) {
        u->sharing_opt_out_notice = given;
    }

    if (v->targets) {
        u->targeted_advertising_opt_out_notice = given;
    }

    /* an opt-out is "not applicable" unless its notice was given */

    if (u->sale_opt_out_notice == CONSENT_GPP_YES) {
        u->sale_opt_out = (v->sale_opt_out || v->gpc) ? CONSENT_GPP_YES
                                                      : CONSENT_GPP_NO;
    }

    if (u->sharing_opt_out_notice == CONSENT_GPP_YES) {
        u->sharing_opt_out = (v->sharing_opt_out || v->gpc)
                             ? CONSENT_GPP_YES : CONSENT_GPP_NO;
    }

    if (u->targeted_advertising_opt_out_notice == CONSENT_GPP_YES) {
        u->targeted_advertising_opt_out = (v->targeted_opt_out || v->gpc)
                                          ? CONSENT_GPP_YES : CONSENT_GPP_NO;
    }

    if (v->mspa) {
        u->mspa_covered_transaction = CONSENT_GPP_YES;
        u->mspa_opt_out_option_mode = CONSENT_GPP_YES;
        u->mspa_service_provider_mode = CONSENT_GPP_NO;

    } else {
        u->mspa_covered_transaction = CONSENT_GPP_NO;
    }

    u->gpc_segment = 1;
    u->gpc = v->gpc ? 1 : 0;
}


/*
 * usnat's rules over usca's fields, written out again on purpose: the
 * two sections are different structs, and each mapping reads as its
 * section's table in the spec
 */

void
consent_gpp_usca_visitor(consent_gpp_usca_t *c,
    const consent_gpp_visitor_t *v)
{
    uint8_t  given;

    memset(c, 0, sizeof(consent_gpp_usca_t));

    given = v->notice ? CONSENT_GPP_YES : CONSENT_GPP_NO;

    c->version = CONSENT_GPP_USCA_VERSION;

    if (v->sells) {
        c->sale_opt_out_notice = given;
    }

    if (v->shares) {
        c->sharing_opt_out_notice = given;
    }

    if (c->sale_opt_out_notice == CONSENT_GPP_YES) {
        c->sale_opt_out = (v->sale_opt_out || v->gpc) ? CONSENT_GPP_YES
                                                      : CONSENT_GPP_NO;
    }

    if (c->sharing_opt_out_notice == CONSENT_GPP_YES) {
        c->sharing_opt_out = (v->sharing_opt_out || v->gpc)
                             ? CONSENT_GPP_YES : CONSENT_GPP_NO;
    }

    if (v->mspa) {
        c->mspa_covered_transaction = CONSENT_GPP_YES;
        c->mspa_opt_out_option_mode = CONSENT_GPP_YES;
        c->mspa_service_provider_mode = CONSENT_GPP_NO;

    } else {
        c->mspa_covered_transaction = CONSENT_GPP_NO;
    }

    c->gpc_segment = 1;
    c->gpc = v->gpc ? 1 : 0;
}


int
consent_gpp_usnat_encode(const consent_gpp_usnat_t *u, char *out,
    size_t size, const char **why)
{
    consent_gpp_bits_t   b;
    consent_gpp_usnat_t  copy;

    if (size == 0) {
        consent_gpp_set(why, "no room");
        return -1;
    }

    copy = *u;

    consent_gpp_writer(&b, out, size);
    consent_gpp_usnat_core(&b, &copy);

    return consent_gpp_gpc_end(&b, out, size, copy.gpc_segment, copy.gpc,
                               consent_gpp_usnat_msg, why);
}


/*
 * usca_encode and usca_decode mirror usnat's for another struct; what
 * they share is consent_gpp_gpc_end() and consent_gpp_section()
 */

int
consent_gpp_usca_encode(const consent_gpp_usca_t *c, char *out, size_t size,
    const char **why)
{
    consent_gpp_bits_t   b;
    consent_gpp_usca_t   copy;

    if (size == 0) {
        consent_gpp_set(why, "no room");
        return -1;
    }

    copy = *c;

    consent_gpp_writer(&b, out, size);
    consent_gpp_usca_core(&b, &copy);

    return consent_gpp_gpc_end(&b, out, size, copy.gpc_segment, copy.gpc,
                               consent_gpp_usca_msg, why);
}


/*
 * A section's core segment written into out by b: ended, then its GPC
 * subsection after a '.' when gpc_segment says it is there.  The
 * length of both, or -1 with why (msg: the section's messages for a bad
 * gpc_segment and for a Gpc without its subsection).
 */

static int
consent_gpp_gpc_end(consent_gpp_bits_t *b, char *out, size_t size,
    uint8_t gpc_segment, uint8_t gpc, const char *const *msg,
    const char **why)
{
    int  n, m;

    if (b->why == NULL && gpc_segment > 1) {
        consent_b64bits_fail(b, msg[0]);
    }

    n = consent_gpp_write_end(b);

    if (n < 0) {
        consent_gpp_set(why, b->why);
        return -1;
    }

    if (!gpc_segment) {
        if (gpc) {
            consent_gpp_set(why, msg[1]);
            return -1;
        }

        return n;
    }

    if ((size_t) n + 2 >= size) {
        consent_gpp_set(why, "no room");
        return -1;
    }

    out[n] = '.';

    consent_gpp_writer(b, out + n + 1, size - n - 1);
    consent_gpp_gpc(b, &gpc);

    m = consent_gpp_write_end(b);

    if (m < 0) {
        consent_gpp_set(why, b->why);
        return -1;
    }

    return n + 1 + m;
}


int
consent_gpp_usnat_decode(const char *s, size_t len, consent_gpp_usnat_t *u,
    const char **why)
{
    memset(u, 0, sizeof(consent_gpp_usnat_t));

    if (consent_gpp_section(s, len, &u->gpc, &u->gpc_segment, u, 1, why)
        != 0)
    {
        memset(u, 0, sizeof(consent_gpp_usnat_t));
        return -1;
    }

    return 0;
}


int
consent_gpp_usca_decode(const char *s, size_t len, consent_gpp_usca_t *c,
    const char **why)
{
    memset(c, 0, sizeof(consent_gpp_usca_t));

    if (consent_gpp_section(s, len, &c->gpc, &c->gpc_segment, c, 0, why)
        != 0)
    {
        memset(c, 0, sizeof(consent_gpp_usca_t));
        return -1;
    }

    return 0;
}


int
consent_gpp_section_ids(const consent_gpp_t *gpp,
    uint16_t ids[CONSENT_GPP_MAX_SECTIONS], const char **why)
{
    return consent_gpp_gather(gpp, ids, NULL, why);
}


int
consent_gpp_encode(const consent_gpp_t *gpp, char *out, size_t size,
    const char **why)
{
    int                  n, i, m, from[CONSENT_GPP_MAX_SECTIONS];
    size_t               len;
    uint16_t             ids[CONSENT_GPP_MAX_SECTIONS];
    consent_gpp_bits_t   b;

    if (size == 0) {
        consent_gpp_set(why, "no room");
        return -1;
    }

    out[0] = '\0';

    n = consent_gpp_gather(gpp, ids, from, why);

    if (n < 0) {
        return -1;
    }

    consent_gpp_writer(&b, out, size);

    m = consent_gpp_header_write(&b, ids, (unsigned) n);

    if (m < 0) {
        consent_gpp_set(why, b.why);
        return -1;
    }

    len = (size_t) m;

    for (i = 0; i < n; i++) {
        if (len + 2 >= size) {
            consent_gpp_set(why, "no room");
            return -1;
        }

        out[len++] = '~';

        if (from[i] == -1) {
            m = consent_gpp_usnat_encode(&gpp->usnat, out + len, size - len,
                                         why);

        } else if (from[i] == -2) {
            m = consent_gpp_usca_encode(&gpp->usca, out + len, size - len,
                                        why);

        } else {
            m = (int) gpp->raw[from[i]].len;

            if (len + (size_t) m >= size) {
                consent_gpp_set(why, "no room");
                return -1;
            }

            memcpy(out + len, gpp->raw[from[i]].data, (size_t) m);
            out[len + m] = '\0';
        }

        if (m < 0) {
            return -1;
        }

        len += (size_t) m;
    }

    return (int) len;
}


int
consent_gpp_decode(const char *s, size_t len, consent_gpp_t *gpp,
    const char **why)
{
    size_t       n;
    unsigned     i;
    const char  *p, *tilde, *end;

    consent_gpp_init(gpp);

    end = s + len;
    tilde = memchr(s, '~', len);
    n = (tilde ? tilde : end) - s;

    if (consent_gpp_header_read(s, n, gpp, why) != 0) {
        goto failed;
    }

    p = tilde;

    for (i = 0; i < gpp->nsections; i++) {
        if (p == NULL) {
            consent_gpp_set(why, "fewer sections than the header lists");
            goto failed;
        }

        p++;
        tilde = memchr(p, '~', end - p);
        n = (tilde ? tilde : end) - p;

        if (n == 0) {
            consent_gpp_set(why, "an empty section");
            goto failed;
        }

        switch (gpp->sections[i]) {

        case CONSENT_GPP_USNAT_ID:
            if (consent_gpp_usnat_decode(p, n, &gpp->usnat, why) != 0) {
                goto failed;
            }

            gpp->has_usnat = 1;
            break;

        case CONSENT_GPP_USCA_ID:
            if (consent_gpp_usca_decode(p, n, &gpp->usca, why) != 0) {
                goto failed;
            }

            gpp->has_usca = 1;
            break;

        default:
            if (!consent_gpp_raw_ok(p, n)) {
                consent_gpp_set(why, "a section with a character it may "
                                     "not hold");
                goto failed;
            }

            gpp->raw[gpp->nraw].id = gpp->sections[i];
            gpp->raw[gpp->nraw].data = p;
            gpp->raw[gpp->nraw].len = n;
            gpp->nraw++;
        }

        p = tilde;
    }

    if (p != NULL) {
        consent_gpp_set(why, "more sections than the header lists");
        goto failed;
    }

    return 0;

failed:

    consent_gpp_init(gpp);

    return -1;
}


int
consent_gpp_sid_encode(const consent_gpp_t *gpp, const uint16_t *ids,
    unsigned n, char *out, size_t size, const char **why)
{
    int       k, m;
    char      num[8];
    size_t    len, l;
    unsigned  i, j;
    uint16_t  have[CONSENT_GPP_MAX_SECTIONS];

    if (size == 0) {
        consent_gpp_set(why, "no room");
        return -1;
    }

    out[0] = '\0';

    if (n > CONSENT_GPP_MAX_APPLICABLE) {
        consent_gpp_set(why, "too many applicable sections");
        return -1;
    }

    m = consent_gpp_gather(gpp, have, NULL, why);

    if (m < 0) {
        return -1;
    }

    if (n == 0) {
        if (size < 3) {
            consent_gpp_set(why, "no room");
            return -1;
        }

        memcpy(out, "-1", 3);
        return 2;
    }

    len = 0;

    for (i = 0; i < n; i++) {
        for (k = 0; k < m && have[k] != ids[i]; k++) {
            /* void */
        }

        if (k == m) {
            consent_gpp_set(why, "an applicable section the string does not "
                                 "carry");
            return -1;
        }

        for (j = 0; j < i; j++) {
            if (ids[j] == ids[i]) {
                consent_gpp_set(why, "a repeated applicable section");
                return -1;
            }
        }

        l = 0;
        k = ids[i];

        do {
            num[l++] = (char) ('0' + k % 10);
            k /= 10;
        } while (k);

        if (len + l + (i > 0) >= size) {
            consent_gpp_set(why, "no room");
            return -1;
        }

        if (i > 0) {
            out[len++] = ',';
        }

        while (l) {
            out[len++] = num[--l];
        }
    }

    out[len] = '\0';

    return (int) len;
}


int
consent_gpp_sid_decode(const char *s, size_t len,
    uint16_t ids[CONSENT_GPP_MAX_APPLICABLE], unsigned *n, const char **why)
{
    size_t    i, start;
    unsigned  j, v;

    *n = 0;

    if (len == 2 && s[0] == '-' && s[1] == '1') {
        return 0;
    }

    i = 0;

    for ( ;; ) {
        start = i;
        v = 0;

        while (i < len && s[i] >= '0' && s[i] <= '9' && i - start < 5) {
            v = v * 10 + (unsigned) (s[i] - '0');
            i++;
        }

        if (i == start || (s[start] == '0') || v > CONSENT_GPP_MAX_ID) {
            consent_gpp_set(why, "not a section id");
            goto failed;
        }

        if (*n == CONSENT_GPP_MAX_APPLICABLE) {
            consent_gpp_set(why, "too many applicable sections");
            goto failed;
        }

        for (j = 0; j < *n; j++) {
            if (ids[j] == v) {
                consent_gpp_set(why, "a repeated applicable section");
                goto failed;
            }
        }

        ids[(*n)++] = (uint16_t) v;

        if (i == len) {
            return 0;
        }

        if (s[i] != ',' && s[i] != '_') {
            consent_gpp_set(why, "not a section id");
            goto failed;
        }

        i++;
    }

failed:

    *n = 0;

    return -1;
}


/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * TC strings v2 (src/consent_tcf.h, docs/tcf.md).  A reader and a
 * writer of bit strings in base64url, and one function each way a
 * segment, walking the spec's fields in its order.
 */


#include <string.h>

#include "consent_base64.h"
#include "consent_tcf.h"


/* a TC string segment's bits, read or written (consent_base64.h) */
typedef consent_b64bits_t  consent_tcf_reader_t;
typedef consent_b64bits_t  consent_tcf_writer_t;


static int consent_tcf_get_letters(consent_tcf_reader_t *r, char *out);
static uint32_t consent_tcf_get_bits(consent_tcf_reader_t *r, unsigned n);
static int consent_tcf_get_vendors(consent_tcf_reader_t *r,
    consent_tcf_set_t *set);
static int consent_tcf_get_restrictions(consent_tcf_reader_t *r,
    consent_tcf_t *tc);
static int consent_tcf_read_end(consent_tcf_reader_t *r);
static int consent_tcf_core_read(consent_tcf_reader_t *r, consent_tcf_t *tc);

static void consent_tcf_put_bits(consent_tcf_writer_t *w, uint64_t v,
    unsigned n);
static void consent_tcf_put_letters(consent_tcf_writer_t *w, const char *s);
static void consent_tcf_put_vendors(consent_tcf_writer_t *w,
    const consent_tcf_set_t *set);
static void consent_tcf_put_restrictions(consent_tcf_writer_t *w,
    const consent_tcf_t *tc);
static void consent_tcf_segment_end(consent_tcf_writer_t *w);
static const char *consent_tcf_check(const consent_tcf_t *tc);
static int consent_tcf_letters_ok(const char *s);
static int consent_tcf_ac_ids(const char *s, size_t len,
    consent_tcf_set_t *set, const char **why);
static int consent_tcf_ac_disjoint(const consent_tcf_ac_t *ac);
static size_t consent_tcf_ac_put(char *out, size_t size, size_t n,
    const consent_tcf_set_t *set, const char *sep);


#define consent_tcf_set_why(why, what)                                        \
    do {                                                                      \
        if ((why) != NULL) {                                                  \
            *(why) = (what);                                                  \
        }                                                                     \
    } while (0)


/* purposes whose legitimate interest signal is 0 from policy 4 on */
#define CONSENT_TCF_NO_LI  ((1u << 0) | (1u << 2) | (1u << 3) | (1u << 4)     \
                            | (1u << 5))


void
consent_tcf_init(consent_tcf_t *tc)
{
    memset(tc, 0, sizeof(consent_tcf_t));

    tc->version = CONSENT_TCF_VERSION;
    tc->policy_version = CONSENT_TCF_POLICY_VERSION;
    tc->has_disclosed = 1;
    memcpy(tc->consent_language, "EN", 3);
    memcpy(tc->publisher_cc, "AA", 3);
}


void
consent_tcf_set_clear(consent_tcf_set_t *set)
{
    memset(set->map, 0, sizeof(set->map));
}


int
consent_tcf_set_has(const consent_tcf_set_t *set, unsigned id)
{
    if (id == 0 || id > CONSENT_TCF_MAX_ID) {
        return 0;
    }

    return (set->map[id >> 3] >> (id & 7)) & 1;
}


void
consent_tcf_set_add(consent_tcf_set_t *set, unsigned id)
{
    if (id == 0 || id > CONSENT_TCF_MAX_ID) {
        return;
    }

    set->map[id >> 3] |= (uint8_t) (1u << (id & 7));
}


unsigned
consent_tcf_set_max(const consent_tcf_set_t *set)
{
    unsigned  i, b;

    for (i = CONSENT_TCF_SET_BYTES; i > 0; i--) {
        if (set->map[i - 1] == 0) {
            continue;
        }

        for (b = 8; b > 0; b--) {
            if (set->map[i - 1] & (1u << (b - 1))) {
                return (i - 1) * 8 + b - 1;
            }
        }
    }

    return 0;
}


int
consent_tcf_restrict(consent_tcf_t *tc, unsigned purpose, unsigned type,
    unsigned from, unsigned to, const char **why)
{
    unsigned                    i;
    consent_tcf_range_t        *last;
    consent_tcf_restriction_t  *r;

    if (purpose == 0 || purpose > 63 || type > CONSENT_TCF_REQUIRE_LI
        || from == 0 || to < from || to > CONSENT_TCF_MAX_ID)
    {
        consent_tcf_set_why(why, "a restriction out of range");
        return -1;
    }

    r = NULL;

    for (i = 0; i < tc->nrestrictions; i++) {
        if (tc->restrictions[i].purpose == purpose
            && tc->restrictions[i].type == type)
        {
            r = &tc->restrictions[i];
            break;
        }
    }

    if (r != NULL && i != tc->nrestrictions - 1) {
        /* its ranges are no longer the last ones */
        consent_tcf_set_why(why, "a restriction's vendors are not together");
        return -1;
    }

    if (r == NULL) {
        if (tc->nrestrictions == CONSENT_TCF_MAX_RESTRICTIONS) {
            consent_tcf_set_why(why, "too many restrictions");
            return -1;
        }

        r = &tc->restrictions[tc->nrestrictions++];
        r->purpose = (uint8_t) purpose;
        r->type = (uint8_t) type;
        r->first = (uint16_t) tc->nranges;
        r->n = 0;
    }

    if (r->n > 0) {
        last = &tc->ranges[r->first + r->n - 1];

        if (from <= last->to) {
            consent_tcf_set_why(why, "restriction vendors out of order");
            return -1;
        }

        if (from == (unsigned) last->to + 1) {
            last->to = (uint16_t) to;
            return 0;
        }
    }

    if (tc->nranges == CONSENT_TCF_MAX_RANGES) {
        consent_tcf_set_why(why, "too many restriction entries");
        return -1;
    }

    tc->ranges[tc->nranges].from = (uint16_t) from;
    tc->ranges[tc->nranges].to = (uint16_t) to;
    tc->nranges++;
    r->n++;

    return 0;
}


int
consent_tcf_restriction(const consent_tcf_t *tc, unsigned vendor,
    unsigned purpose)
{
    int                               type;
    unsigned                          i, j;
    const consent_tcf_range_t        *g;
    const consent_tcf_restriction_t  *r;

    type = -1;

    for (i = 0; i < tc->nrestrictions; i++) {
        r = &tc->restrictions[i];

        if (r->purpose != purpose || (type >= 0 && r->type >= type)) {
            continue;
        }

        for (j = 0; j < r->n; j++) {
            g = &tc->ranges[r->first + j];

            if (vendor >= g->from && vendor <= g->to) {
                type = r->type;
                break;
            }
        }
    }

    return type;
}


/* reading */


/* two letters A-Z, 6 bits each */

static int
consent_tcf_get_letters(consent_tcf_reader_t *r, char *out)
{
    unsigned  i, v;

    for (i = 0; i < 2; i++) {
        v = (unsigned) consent_b64bits_get(r, 6);

        if (v > 25) {
            consent_b64bits_fail(r, "a letter outside A-Z");
            return -1;
        }

        out[i] = (char) ('A' + v);
    }

    out[2] = '\0';

    return r->why ? -1 : 0;
}


/* n flags, the first for id 1: bit (id - 1) of the result */

static uint32_t
consent_tcf_get_bits(consent_tcf_reader_t *r, unsigned n)
{
    unsigned  i;
    uint32_t  v;

    v = 0;

    for (i = 0; i < n; i++) {
        v |= (uint32_t) consent_b64bits_get(r, 1) << i;
    }

    return v;
}


static int
consent_tcf_get_vendors(consent_tcf_reader_t *r, consent_tcf_set_t *set)
{
    unsigned  max, range, n, i, id, from, to, prev;

    consent_tcf_set_clear(set);

    max = (unsigned) consent_b64bits_get(r, 16);
    range = (unsigned) consent_b64bits_get(r, 1);

    if (!range) {
        for (id = 1; id <= max && r->why == NULL; id++) {
            if (consent_b64bits_get(r, 1)) {
                consent_tcf_set_add(set, id);
            }
        }

        return r->why ? -1 : 0;
    }

    n = (unsigned) consent_b64bits_get(r, 12);
    prev = 0;

    for (i = 0; i < n && r->why == NULL; i++) {
        range = (unsigned) consent_b64bits_get(r, 1);
        from = (unsigned) consent_b64bits_get(r, 16);
        to = range ? (unsigned) consent_b64bits_get(r, 16) : from;

        if (r->why != NULL) {
            break;
        }

        if (from == 0 || to < from || to > max) {
            consent_b64bits_fail(r, "a vendor range out of range");
            break;
        }

        if (from <= prev) {
            consent_b64bits_fail(r, "vendor ranges out of order");
            break;
        }

        for (id = from; id <= to; id++) {
            consent_tcf_set_add(set, id);
        }

        prev = to;
    }

    return r->why ? -1 : 0;
}


static int
consent_tcf_get_restrictions(consent_tcf_reader_t *r, consent_tcf_t *tc)
{
    unsigned     n, i, j, k, entries, purpose, type, range, from, to;
    const char  *why;

    tc->nrestrictions = 0;
    tc->nranges = 0;

    n = (unsigned) consent_b64bits_get(r, 12);

    if (n > CONSENT_TCF_MAX_RESTRICTIONS) {
        consent_b64bits_fail(r, "too many restrictions");
        return -1;
    }

    for (i = 0; i < n && r->why == NULL; i++) {
        purpose = (unsigned) consent_b64bits_get(r, 6);
        type = (unsigned) consent_b64bits_get(r, 2);
        entries = (unsigned) consent_b64bits_get(r, 12);

        if (r->why != NULL) {
            break;
        }

        if (purpose == 0 || type > CONSENT_TCF_REQUIRE_LI) {
            consent_b64bits_fail(r, "a restriction's purpose or type");
            break;
        }

        for (k = 0; k < tc->nrestrictions; k++) {
            if (tc->restrictions[k].purpose == purpose
                && tc->restrictions[k].type == type)
            {
                consent_b64bits_fail(r, "a restriction repeated");
                return -1;
            }
        }

        if (entries == 0) {
            /* a restriction on no vendor: kept, as IAB's library does */
            if (tc->nrestrictions == CONSENT_TCF_MAX_RESTRICTIONS) {
                consent_b64bits_fail(r, "too many restrictions");
                break;
            }

            tc->restrictions[tc->nrestrictions].purpose = (uint8_t) purpose;
            tc->restrictions[tc->nrestrictions].type = (uint8_t) type;
            tc->restrictions[tc->nrestrictions].first =
                                                    (uint16_t) tc->nranges;
            tc->restrictions[tc->nrestrictions].n = 0;
            tc->nrestrictions++;
            continue;
        }

        for (j = 0; j < entries && r->why == NULL; j++) {
            range = (unsigned) consent_b64bits_get(r, 1);
            from = (unsigned) consent_b64bits_get(r, 16);
            to = range ? (unsigned) consent_b64bits_get(r, 16) : from;

            if (r->why != NULL) {
                break;
            }

            why = NULL;

            if (consent_tcf_restrict(tc, purpose, type, from, to, &why)
                != 0)
            {
                consent_b64bits_fail(r, why);
            }
        }
    }

    return r->why ? -1 : 0;
}


/* the bits left are zero padding, no more than encode writes */

static int
consent_tcf_read_end(consent_tcf_reader_t *r)
{
    size_t  bits;

    if (r->why != NULL) {
        return -1;
    }

    bits = r->pos;

    if (r->len > (bits + 23) / 24 * 4) {
        consent_b64bits_fail(r, "too long");
        return -1;
    }

    while (r->pos < r->len * 6 && r->why == NULL) {
        if (consent_b64bits_get(r, 1) != 0) {
            consent_b64bits_fail(r, "non-zero padding");
            return -1;
        }
    }

    return r->why ? -1 : 0;
}


static int
consent_tcf_core_read(consent_tcf_reader_t *r, consent_tcf_t *tc)
{
    tc->version = (unsigned) consent_b64bits_get(r, 6);

    if (r->why == NULL && tc->version != CONSENT_TCF_VERSION) {
        consent_b64bits_fail(r, "not a TC string of version 2");
        return -1;
    }

    tc->created = consent_b64bits_get(r, 36);
    tc->last_updated = consent_b64bits_get(r, 36);
    tc->cmp_id = (unsigned) consent_b64bits_get(r, 12);
    tc->cmp_version = (unsigned) consent_b64bits_get(r, 12);
    tc->consent_screen = (unsigned) consent_b64bits_get(r, 6);

    if (consent_tcf_get_letters(r, tc->consent_language) != 0) {
        return -1;
    }

    tc->vendor_list_version = (unsigned) consent_b64bits_get(r, 12);
    tc->policy_version = (unsigned) consent_b64bits_get(r, 6);

    if (r->why == NULL
        && (tc->policy_version < CONSENT_TCF_POLICY_MIN
            || tc->policy_version > CONSENT_TCF_POLICY_VERSION))
    {
        consent_b64bits_fail(r, "an unknown TCF policy version");
        return -1;
    }

    tc->is_service_specific = consent_b64bits_get(r, 1) & 1;
    tc->use_non_standard_texts = consent_b64bits_get(r, 1) & 1;
    tc->special_feature_opt_ins = consent_tcf_get_bits(r,
                                            CONSENT_TCF_SPECIAL_FEATURES);
    tc->purpose_consents = consent_tcf_get_bits(r, CONSENT_TCF_PURPOSES);
    tc->purpose_li = consent_tcf_get_bits(r, CONSENT_TCF_PURPOSES);
    tc->purpose_one_treatment = consent_b64bits_get(r, 1) & 1;

    if (consent_tcf_get_letters(r, tc->publisher_cc) != 0) {
        return -1;
    }

    if (consent_tcf_get_vendors(r, &tc->vendor_consents) != 0
        || consent_tcf_get_vendors(r, &tc->vendor_li) != 0
        || consent_tcf_get_restrictions(r, tc) != 0)
    {
        return -1;
    }

    return consent_tcf_read_end(r);
}


int
consent_tcf_decode(const char *s, size_t len, consent_tcf_t *tc,
    const char **why)
{
    size_t                n;
    unsigned              seg, type, seen;
    const char           *dot;
    consent_tcf_reader_t  r;

    consent_tcf_init(tc);
    tc->has_disclosed = 0;
    seen = 0;

    for (seg = 0; ; seg++) {
        dot = memchr(s, '.', len);
        n = dot ? (size_t) (dot - s) : len;

        if (n == 0) {
            consent_tcf_set_why(why, "an empty segment");
            return -1;
        }

        memset(&r, 0, sizeof(consent_tcf_reader_t));
        r.in = s;
        r.len = n;

        if (seg == 0) {
            if (consent_tcf_core_read(&r, tc) != 0) {
                consent_tcf_set_why(why, r.why);
                return -1;
            }

        } else {
            type = (unsigned) consent_b64bits_get(&r, 3);

            if (r.why == NULL && (type == 1 || type == 3)
                && (seen & (1u << type)))
            {
                consent_b64bits_fail(&r, "a segment repeated");
            }

            if (r.why == NULL && type == 1) {
                tc->has_disclosed = 1;
                consent_tcf_get_vendors(&r, &tc->disclosed);

            } else if (r.why == NULL && type == 3) {
                tc->has_publisher = 1;
                tc->pub_consents = consent_tcf_get_bits(&r,
                                                     CONSENT_TCF_PURPOSES);
                tc->pub_li = consent_tcf_get_bits(&r, CONSENT_TCF_PURPOSES);
                tc->num_custom = (unsigned) consent_b64bits_get(&r, 6);
                tc->custom_consents = 0;
                tc->custom_li = 0;

                for (type = 0; type < tc->num_custom; type++) {
                    tc->custom_consents |= consent_b64bits_get(&r, 1) << type;
                }

                for (type = 0; type < tc->num_custom; type++) {
                    tc->custom_li |= consent_b64bits_get(&r, 1) << type;
                }

                type = 3;

            } else if (r.why == NULL) {
                consent_b64bits_fail(&r, type == 2
                                   ? "an Allowed Vendors segment "
                                     "(deprecated)"
                                   : "an unknown segment type");
            }

            seen |= 1u << (type & 7);

            if (consent_tcf_read_end(&r) != 0) {
                consent_tcf_set_why(why, r.why);
                return -1;
            }
        }

        if (dot == NULL) {
            break;
        }

        s = dot + 1;
        len -= n + 1;

        if (seg == 2) {
            consent_tcf_set_why(why, "too many segments");
            return -1;
        }
    }

    if (tc->policy_version >= 4 && (tc->purpose_li & CONSENT_TCF_NO_LI)) {
        consent_tcf_set_why(why, "legitimate interest for purpose 1, 3, 4, "
                                 "5 or 6");
        return -1;
    }

    if (tc->policy_version >= 5 && !tc->has_disclosed) {
        consent_tcf_set_why(why, "no Disclosed Vendors segment (mandatory "
                                 "in TCF 2.3)");
        return -1;
    }

    return 0;
}


/* writing */

static void
consent_tcf_put_bits(consent_tcf_writer_t *w, uint64_t v, unsigned n)
{
    unsigned  i;

    for (i = 0; i < n; i++) {
        consent_b64bits_emit(w, (unsigned) (v >> i) & 1);
    }
}


static void
consent_tcf_put_letters(consent_tcf_writer_t *w, const char *s)
{
    consent_b64bits_put(w, (unsigned) (s[0] - 'A'), 6);
    consent_b64bits_put(w, (unsigned) (s[1] - 'A'), 6);
}


/* a bit field or ranges, whichever is shorter (a tie: the bit field) */

static void
consent_tcf_put_vendors(consent_tcf_writer_t *w, const consent_tcf_set_t *set)
{
    size_t    ranges;
    unsigned  max, id, end, n;

    max = consent_tcf_set_max(set);

    ranges = 12;
    n = 0;

    for (id = 1; id <= max; id++) {
        if (!consent_tcf_set_has(set, id)) {
            continue;
        }

        for (end = id; end < max && consent_tcf_set_has(set, end + 1); end++) {
            /* void */
        }

        ranges += (end == id) ? 17 : 33;
        n++;
        id = end;
    }

    consent_b64bits_put(w, max, 16);

    if (ranges >= max || n > 4095) {
        consent_b64bits_put(w, 0, 1);

        for (id = 1; id <= max; id++) {
            consent_b64bits_emit(w, (unsigned) consent_tcf_set_has(set, id));
        }

        return;
    }

    consent_b64bits_put(w, 1, 1);
    consent_b64bits_put(w, n, 12);

    for (id = 1; id <= max; id++) {
        if (!consent_tcf_set_has(set, id)) {
            continue;
        }

        for (end = id; end < max && consent_tcf_set_has(set, end + 1); end++) {
            /* void */
        }

        consent_b64bits_put(w, end != id, 1);
        consent_b64bits_put(w, id, 16);

        if (end != id) {
            consent_b64bits_put(w, end, 16);
        }

        id = end;
    }
}


static void
consent_tcf_put_restrictions(consent_tcf_writer_t *w, const consent_tcf_t *tc)
{
    unsigned                          i, j;
    const consent_tcf_range_t        *g;
    const consent_tcf_restriction_t  *r;

    consent_b64bits_put(w, tc->nrestrictions, 12);

    for (i = 0; i < tc->nrestrictions; i++) {
        r = &tc->restrictions[i];

        consent_b64bits_put(w, r->purpose, 6);
        consent_b64bits_put(w, r->type, 2);
        consent_b64bits_put(w, r->n, 12);

        for (j = 0; j < r->n; j++) {
            g = &tc->ranges[r->first + j];

            consent_b64bits_put(w, g->from != g->to, 1);
            consent_b64bits_put(w, g->from, 16);

            if (g->from != g->to) {
                consent_b64bits_put(w, g->to, 16);
            }
        }
    }
}


/* zero bits to a multiple of 24, as @iabtechlabtcf/core writes */

static void
consent_tcf_segment_end(consent_tcf_writer_t *w)
{
    while (w->nbits % 24 != 0) {
        consent_b64bits_emit(w, 0);
    }

    w->nbits = 0;
}


static int
consent_tcf_letters_ok(const char *s)
{
    return s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
           && s[2] == '\0';
}


static const char *
consent_tcf_check(const consent_tcf_t *tc)
{
    unsigned                          i, j, k, prev;
    const consent_tcf_range_t        *g;
    const consent_tcf_restriction_t  *r;

    if (tc->version != CONSENT_TCF_VERSION) {
        return "only version 2 is written";
    }

    if (tc->created >> 36 || tc->last_updated >> 36) {
        return "a time beyond 36 bits";
    }

    if (tc->cmp_id > 4095 || tc->cmp_version > 4095
        || tc->consent_screen > 63 || tc->vendor_list_version > 4095)
    {
        return "a number out of its field";
    }

    if (tc->policy_version < CONSENT_TCF_POLICY_MIN
        || tc->policy_version > CONSENT_TCF_POLICY_VERSION)
    {
        return "an unknown TCF policy version";
    }

    if (!consent_tcf_letters_ok(tc->consent_language)
        || !consent_tcf_letters_ok(tc->publisher_cc))
    {
        return "a language or country not two letters A-Z";
    }

    if (tc->special_feature_opt_ins >> CONSENT_TCF_SPECIAL_FEATURES
        || tc->purpose_consents >> CONSENT_TCF_PURPOSES
        || tc->purpose_li >> CONSENT_TCF_PURPOSES
        || tc->pub_consents >> CONSENT_TCF_PURPOSES
        || tc->pub_li >> CONSENT_TCF_PURPOSES)
    {
        return "a purpose or special feature beyond its field";
    }

    if (tc->policy_version >= 4 && (tc->purpose_li & CONSENT_TCF_NO_LI)) {
        return "legitimate interest for purpose 1, 3, 4, 5 or 6";
    }

    if (tc->policy_version >= 5 && !tc->has_disclosed) {
        return "no Disclosed Vendors segment (mandatory in TCF 2.3)";
    }

    if (tc->num_custom > CONSENT_TCF_MAX_CUSTOM
        || (tc->num_custom < 64
            && ((tc->custom_consents | tc->custom_li) >> tc->num_custom)))
    {
        return "a custom purpose beyond NumCustomPurposes";
    }

    if (tc->nrestrictions > CONSENT_TCF_MAX_RESTRICTIONS
        || tc->nranges > CONSENT_TCF_MAX_RANGES)
    {
        return "too many restrictions";
    }

    for (i = 0; i < tc->nrestrictions; i++) {
        r = &tc->restrictions[i];

        if (r->purpose == 0 || r->purpose > 63
            || r->type > CONSENT_TCF_REQUIRE_LI
            || (size_t) r->first + r->n > tc->nranges)
        {
            return "a restriction out of range";
        }

        for (k = 0; k < i; k++) {
            if (tc->restrictions[k].purpose == r->purpose
                && tc->restrictions[k].type == r->type)
            {
                return "a restriction repeated";
            }
        }

        prev = 0;

        for (j = 0; j < r->n; j++) {
            g = &tc->ranges[r->first + j];

            if (g->from == 0 || g->to < g->from
                || (j > 0 && g->from <= prev + 1))
            {
                return "restriction vendors out of order";
            }

            prev = g->to;
        }
    }

    return NULL;
}


int
consent_tcf_encode(const consent_tcf_t *tc, char *out, size_t size,
    const char **why)
{
    unsigned              i;
    const char           *bad;
    consent_tcf_writer_t  w;

    bad = consent_tcf_check(tc);

    if (bad != NULL) {
        consent_tcf_set_why(why, bad);
        return -1;
    }

    memset(&w, 0, sizeof(consent_tcf_writer_t));
    w.out = out;
    w.size = size;

    consent_b64bits_put(&w, tc->version, 6);
    consent_b64bits_put(&w, tc->created, 36);
    consent_b64bits_put(&w, tc->last_updated, 36);
    consent_b64bits_put(&w, tc->cmp_id, 12);
    consent_b64bits_put(&w, tc->cmp_version, 12);
    consent_b64bits_put(&w, tc->consent_screen, 6);
    consent_tcf_put_letters(&w, tc->consent_language);
    consent_b64bits_put(&w, tc->vendor_list_version, 12);
    consent_b64bits_put(&w, tc->policy_version, 6);
    consent_b64bits_put(&w, tc->is_service_specific, 1);
    consent_b64bits_put(&w, tc->use_non_standard_texts, 1);
    consent_tcf_put_bits(&w, tc->special_feature_opt_ins,
                         CONSENT_TCF_SPECIAL_FEATURES);
    consent_tcf_put_bits(&w, tc->purpose_consents, CONSENT_TCF_PURPOSES);
    consent_tcf_put_bits(&w, tc->purpose_li, CONSENT_TCF_PURPOSES);
    consent_b64bits_put(&w, tc->purpose_one_treatment, 1);
    consent_tcf_put_letters(&w, tc->publisher_cc);
    consent_tcf_put_vendors(&w, &tc->vendor_consents);
    consent_tcf_put_vendors(&w, &tc->vendor_li);
    consent_tcf_put_restrictions(&w, tc);
    consent_tcf_segment_end(&w);

    if (tc->has_disclosed) {
        consent_b64bits_put_char(&w, '.');
        consent_b64bits_put(&w, 1, 3);
        consent_tcf_put_vendors(&w, &tc->disclosed);
        consent_tcf_segment_end(&w);
    }

    if (tc->has_publisher) {
        consent_b64bits_put_char(&w, '.');
        consent_b64bits_put(&w, 3, 3);
        consent_tcf_put_bits(&w, tc->pub_consents, CONSENT_TCF_PURPOSES);
        consent_tcf_put_bits(&w, tc->pub_li, CONSENT_TCF_PURPOSES);
        consent_b64bits_put(&w, tc->num_custom, 6);

        for (i = 0; i < tc->num_custom; i++) {
            consent_b64bits_emit(&w, (unsigned) (tc->custom_consents >> i) & 1);
        }

        for (i = 0; i < tc->num_custom; i++) {
            consent_b64bits_emit(&w, (unsigned) (tc->custom_li >> i) & 1);
        }

        consent_tcf_segment_end(&w);
    }

    if (w.why != NULL) {
        consent_tcf_set_why(why, w.why);
        return -1;
    }

    out[w.nout] = '\0';

    return (int) w.nout;
}


/* Additional Consent */

/* "1.35.41": ids rising, decimal without leading zeros; "" is none */

static int
consent_tcf_ac_ids(const char *s, size_t len, consent_tcf_set_t *set,
    const char **why)
{
    size_t    i, start;
    unsigned  id, prev;

    consent_tcf_set_clear(set);

    if (len == 0) {
        return 0;
    }

    prev = 0;
    start = 0;

    for (i = 0; i <= len; i++) {
        if (i < len && s[i] != '.') {
            continue;
        }

        if (i == start || i - start > 5 || s[start] == '0') {
            consent_tcf_set_why(why, "an Additional Consent id malformed");
            return -1;
        }

        id = 0;

        for ( /* void */ ; start < i; start++) {
            if (s[start] < '0' || s[start] > '9') {
                consent_tcf_set_why(why, "an Additional Consent id "
                                         "malformed");
                return -1;
            }

            id = id * 10 + (unsigned) (s[start] - '0');
        }

        if (id > CONSENT_TCF_MAX_ID || id <= prev) {
            consent_tcf_set_why(why, "Additional Consent ids out of order");
            return -1;
        }

        consent_tcf_set_add(set, id);
        prev = id;
        start = i + 1;
    }

    return 0;
}


int
consent_tcf_ac_decode(const char *s, size_t len, consent_tcf_ac_t *ac,
    const char **why)
{
    size_t       n;
    const char  *t, *t2;

    memset(ac, 0, sizeof(consent_tcf_ac_t));

    if (len < 2 || (s[0] != '1' && s[0] != '2') || s[1] != '~') {
        consent_tcf_set_why(why, "not an Additional Consent string of "
                                 "version 1 or 2");
        return -1;
    }

    ac->version = (unsigned) (s[0] - '0');
    s += 2;
    len -= 2;

    t = memchr(s, '~', len);

    if (ac->version == 1) {
        if (t != NULL) {
            consent_tcf_set_why(why, "a version 1 string with a second '~'");
            return -1;
        }

        return consent_tcf_ac_ids(s, len, &ac->consented, why);
    }

    if (t == NULL) {
        consent_tcf_set_why(why, "no disclosed vendors (\"~dv.\")");
        return -1;
    }

    n = (size_t) (t - s);

    if (consent_tcf_ac_ids(s, n, &ac->consented, why) != 0) {
        return -1;
    }

    s = t + 1;
    len -= n + 1;

    t2 = memchr(s, '~', len);

    if (t2 != NULL || len < 3 || memcmp(s, "dv.", 3) != 0) {
        consent_tcf_set_why(why, "no disclosed vendors (\"~dv.\")");
        return -1;
    }

    if (consent_tcf_ac_ids(s + 3, len - 3, &ac->disclosed, why) != 0) {
        return -1;
    }

    if (!consent_tcf_ac_disjoint(ac)) {
        consent_tcf_set_why(why, "an id both consented and only disclosed");
        return -1;
    }

    return 0;
}


static size_t
consent_tcf_ac_put(char *out, size_t size, size_t n,
    const consent_tcf_set_t *set, const char *sep)
{
    int       k;
    char      num[8];
    size_t    l;
    unsigned  id, first, max;

    first = 1;
    max = consent_tcf_set_max(set);

    for (id = 1; id <= max; id++) {
        if (!consent_tcf_set_has(set, id)) {
            continue;
        }

        k = 0;
        l = id;

        do {
            num[k++] = (char) ('0' + l % 10);
            l /= 10;
        } while (l);

        if (!first && n < size) {
            out[n] = *sep;
        }

        n += !first;
        first = 0;

        while (k > 0) {
            if (n < size) {
                out[n] = num[k - 1];
            }

            n++;
            k--;
        }
    }

    return n;
}


/* no id both consented and only disclosed, as both ways require */

static int
consent_tcf_ac_disjoint(const consent_tcf_ac_t *ac)
{
    size_t  i;

    for (i = 0; i < CONSENT_TCF_SET_BYTES; i++) {
        if (ac->consented.map[i] & ac->disclosed.map[i]) {
            return 0;
        }
    }

    return 1;
}


int
consent_tcf_ac_encode(const consent_tcf_ac_t *ac, char *out, size_t size,
    const char **why)
{
    size_t  n, i;

    if (ac->version != 2) {
        consent_tcf_set_why(why, "only version 2 is written");
        return -1;
    }

    if (!consent_tcf_ac_disjoint(ac)) {
        consent_tcf_set_why(why, "an id both consented and only disclosed");
        return -1;
    }

    if ((ac->consented.map[0] | ac->disclosed.map[0]) & 1) {
        consent_tcf_set_why(why, "id 0");
        return -1;
    }

    n = 0;

    if (size > 0) {
        out[0] = '2';
    }

    n = 1;

    if (n < size) {
        out[n] = '~';
    }

    n++;
    n = consent_tcf_ac_put(out, size, n, &ac->consented, ".");

    for (i = 0; i < 4; i++, n++) {
        if (n < size) {
            out[n] = "~dv."[i];
        }
    }

    n = consent_tcf_ac_put(out, size, n, &ac->disclosed, ".");

    if (n + 1 > size || n > 0x7fffffff) {
        consent_tcf_set_why(why, "no room");
        return -1;
    }

    out[n] = '\0';

    return (int) n;
}

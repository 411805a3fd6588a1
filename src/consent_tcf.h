
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * IAB Europe TCF v2 TC strings ("Consent string and vendor list formats
 * v2", TCF 2.3 rules) and Google's Additional Consent strings (v2, "2~1.
 * 35.41~dv.9.21", and v1 on decode).  Pure C, no allocation, no nginx
 * headers; a consent_tcf_t is large (its vendor sets are bitmaps of
 * every possible id) and is meant to live in a pool or in static memory,
 * not on a small stack.  docs/tcf.md has the field list and the sources.
 *
 * A TC string is SEGMENT[.SEGMENT...]: the Core segment, then optional
 * segments that start with a 3-bit type: Disclosed Vendors (1, mandatory
 * from policy version 5, TCF 2.3, on) and Publisher TC (3).  Each is a
 * bit string written 6 bits a character in the base64url alphabet,
 * without '='.  The encoder pads each segment with zero bits to a
 * multiple of 24, as IAB's @iabtechlabtcf/core does; the decoder takes
 * any zero padding up to that.
 */


#ifndef _CONSENT_TCF_H_INCLUDED_
#define _CONSENT_TCF_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>


#define CONSENT_TCF_VERSION           2
#define CONSENT_TCF_POLICY_VERSION    5    /* TCF 2.3 */
#define CONSENT_TCF_POLICY_MIN        2    /* older is refused */

#define CONSENT_TCF_MAX_ID            65535
#define CONSENT_TCF_SET_BYTES         8192 /* (CONSENT_TCF_MAX_ID + 1) / 8 */
#define CONSENT_TCF_PURPOSES          24
#define CONSENT_TCF_SPECIAL_FEATURES  12
#define CONSENT_TCF_MAX_CUSTOM        63

/* publisher restrictions: one per (purpose, type), their entries in all */
#define CONSENT_TCF_MAX_RESTRICTIONS  (63 * 3)
#define CONSENT_TCF_MAX_RANGES        4096

#define CONSENT_TCF_NOT_ALLOWED       0
#define CONSENT_TCF_REQUIRE_CONSENT   1
#define CONSENT_TCF_REQUIRE_LI        2


/* a set of vendor ids 1..65535, bit id of the map */
typedef struct {
    uint8_t             map[CONSENT_TCF_SET_BYTES];
} consent_tcf_set_t;


/* vendors from..to (from == to: one) */
typedef struct {
    uint16_t            from;
    uint16_t            to;
} consent_tcf_range_t;


/*
 * A publisher restriction: its vendors are ranges[first ..
 * first + n - 1] of the consent_tcf_t, rising, disjoint and not
 * adjacent (adjacent ranges are one range).
 */
typedef struct {
    uint8_t             purpose;       /* 1..63 */
    uint8_t             type;          /* CONSENT_TCF_NOT_ALLOWED, ... */
    uint16_t            first;
    uint16_t            n;
} consent_tcf_restriction_t;


/*
 * Bit (id - 1) of a 32-bit field stands for purpose or special feature
 * id; created and last_updated are deciseconds since the Unix epoch;
 * languages and countries are two upper-case letters and a NUL.
 */
typedef struct {
    unsigned            version;
    uint64_t            created;
    uint64_t            last_updated;
    unsigned            cmp_id;
    unsigned            cmp_version;
    unsigned            consent_screen;
    char                consent_language[3];
    unsigned            vendor_list_version;
    unsigned            policy_version;
    unsigned            is_service_specific:1;
    unsigned            use_non_standard_texts:1;
    unsigned            purpose_one_treatment:1;
    unsigned            has_disclosed:1;
    unsigned            has_publisher:1;
    uint32_t            special_feature_opt_ins;
    uint32_t            purpose_consents;
    uint32_t            purpose_li;
    char                publisher_cc[3];

    consent_tcf_set_t   vendor_consents;
    consent_tcf_set_t   vendor_li;

    unsigned            nrestrictions;
    consent_tcf_restriction_t  restrictions[CONSENT_TCF_MAX_RESTRICTIONS];
    unsigned            nranges;
    consent_tcf_range_t ranges[CONSENT_TCF_MAX_RANGES];

    /* the Disclosed Vendors segment */
    consent_tcf_set_t   disclosed;

    /* the Publisher TC segment */
    uint32_t            pub_consents;
    uint32_t            pub_li;
    unsigned            num_custom;
    uint64_t            custom_consents;   /* bit (id - 1), id <= 63 */
    uint64_t            custom_li;
} consent_tcf_t;


/* Google's Additional Consent: Ad Tech Provider ids */
typedef struct {
    unsigned            version;       /* 1 or 2 */
    consent_tcf_set_t   consented;
    consent_tcf_set_t   disclosed;     /* v2: disclosed, not consented */
} consent_tcf_ac_t;


/* everything 0 or empty; version 2, policy version 5, DV segment */
void consent_tcf_init(consent_tcf_t *tc);

void consent_tcf_set_clear(consent_tcf_set_t *set);
int consent_tcf_set_has(const consent_tcf_set_t *set, unsigned id);
void consent_tcf_set_add(consent_tcf_set_t *set, unsigned id);
/* the highest id in the set, 0 when empty */
unsigned consent_tcf_set_max(const consent_tcf_set_t *set);

/*
 * Adds a restriction of purpose and type on vendors from..to, after the
 * ones already there: 0, or -1 when it would break what decode
 * guarantees (range order, a repeated (purpose, type), limits).
 */
int consent_tcf_restrict(consent_tcf_t *tc, unsigned purpose, unsigned type,
    unsigned from, unsigned to, const char **why);

/*
 * The vendor's restriction type for purpose, or -1 when none: a vendor
 * under several takes the lowest (not allowed before the others).
 */
int consent_tcf_restriction(const consent_tcf_t *tc, unsigned vendor,
    unsigned purpose);

/*
 * Writes the TC string of tc and a NUL into out: the Core segment, the
 * Disclosed Vendors segment if has_disclosed and the Publisher TC
 * segment if has_publisher.  A vendor section is written as a bit field
 * or as ranges, whichever is shorter (the bit field on a tie).  Returns
 * the length, or -1 with *why on a field out of its range, a rule of
 * the spec broken (purposes 1, 3, 4, 5, 6 on legitimate interest from
 * policy version 4 on, no Disclosed Vendors segment from 5 on) or no
 * room.
 */
int consent_tcf_encode(const consent_tcf_t *tc, char *out, size_t size,
    const char **why);

/*
 * Decodes a TC string: 0, or -1 with *why on anything encode would not
 * write or the spec does not allow: not version 2, an unknown policy
 * version, a letter outside A-Z, a range out of order or beyond the
 * section's MaxVendorId, vendor id 0, an unknown, repeated or
 * deprecated segment (Allowed Vendors), non-zero padding, too short,
 * too long.  Never reads s beyond len.
 */
int consent_tcf_decode(const char *s, size_t len, consent_tcf_t *tc,
    const char **why);

/* Additional Consent: "2~1.35.41~dv.9.21", ids rising, none repeated */
int consent_tcf_ac_encode(const consent_tcf_ac_t *ac, char *out, size_t size,
    const char **why);
int consent_tcf_ac_decode(const char *s, size_t len, consent_tcf_ac_t *ac,
    const char **why);


#endif /* _CONSENT_TCF_H_INCLUDED_ */

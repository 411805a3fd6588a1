
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * IAB Global Privacy Platform (GPP) strings: the header (section 3), the
 * US National section (7, "usnat", versions 1 and 2) and the California
 * section (8, "usca", version 1), each with its GPC subsection; other
 * sections are carried through as they are.  Pure C, no allocation, no
 * nginx headers.  docs/gpp.md has the field mapping and the sources.
 *
 * A GPP string is "HEADER~SECTION~SECTION...": each part is a bit string
 * written 6 bits a character in the base64url alphabet, without '='.
 * The encoder pads a part's bits with zeros to a whole byte, then to a
 * multiple of 6 bits, as IAB's reference implementation (@iabgpp/cmpapi)
 * does; the decoder also takes the specification's shorter form (zeros
 * to a multiple of 6 only) and nothing else: padding bits must be zero.
 */


#ifndef _CONSENT_GPP_H_INCLUDED_
#define _CONSENT_GPP_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>


#define CONSENT_GPP_HEADER_ID        3
#define CONSENT_GPP_USNAT_ID         7
#define CONSENT_GPP_USCA_ID          8

#define CONSENT_GPP_VERSION          1     /* of the header */
#define CONSENT_GPP_USNAT_VERSION    2     /* the current one; 1 is read too */
#define CONSENT_GPP_USCA_VERSION     1

#define CONSENT_GPP_MAX_SECTIONS     32    /* more is refused */
#define CONSENT_GPP_MAX_ID           4095
#define CONSENT_GPP_MAX_APPLICABLE   2     /* ids of __gpp_sid */

/* the spec's two-bit values; their meaning depends on the field */
#define CONSENT_GPP_NA               0     /* not applicable */
#define CONSENT_GPP_YES              1     /* notice given, opted out,
                                              no consent (see docs) */
#define CONSENT_GPP_NO               2

/* usnat v2 has 16 sensitive data categories and 3 child ages, v1 12, 2 */
#define CONSENT_GPP_USNAT_SDP        16
#define CONSENT_GPP_USNAT_KCSDC      3
#define CONSENT_GPP_USCA_SDP         9
#define CONSENT_GPP_USCA_KCSDC       2

/* room for a string of usnat and usca with GPC, and its NUL */
#define CONSENT_GPP_SHORT_MAX        64


/*
 * US National, section 7.  Every field holds 0, 1 or 2 as the spec
 * defines it (mspa_covered_transaction: 1 or 2 only).  Version 1 uses
 * the first 12 sensitive_data_processing and the first 2
 * known_child_sensitive_data_consents, the others stay 0.
 */
typedef struct {
    uint8_t             version;
    uint8_t             sharing_notice;
    uint8_t             sale_opt_out_notice;
    uint8_t             sharing_opt_out_notice;
    uint8_t             targeted_advertising_opt_out_notice;
    uint8_t             sensitive_data_processing_opt_out_notice;
    uint8_t             sensitive_data_limit_use_notice;
    uint8_t             sale_opt_out;
    uint8_t             sharing_opt_out;
    uint8_t             targeted_advertising_opt_out;
    uint8_t             sensitive_data_processing[CONSENT_GPP_USNAT_SDP];
    uint8_t             known_child_sensitive_data_consents[
                            CONSENT_GPP_USNAT_KCSDC];
    uint8_t             personal_data_consents;
    uint8_t             mspa_covered_transaction;
    uint8_t             mspa_opt_out_option_mode;
    uint8_t             mspa_service_provider_mode;
    uint8_t             gpc_segment;   /* the GPC subsection is there */
    uint8_t             gpc;           /* 0 or 1 */
} consent_gpp_usnat_t;


/* California, section 8, version 1 */
typedef struct {
    uint8_t             version;
    uint8_t             sale_opt_out_notice;
    uint8_t             sharing_opt_out_notice;
    uint8_t             sensitive_data_limit_use_notice;
    uint8_t             sale_opt_out;
    uint8_t             sharing_opt_out;
    uint8_t             sensitive_data_processing[CONSENT_GPP_USCA_SDP];
    uint8_t             known_child_sensitive_data_consents[
                            CONSENT_GPP_USCA_KCSDC];
    uint8_t             personal_data_consents;
    uint8_t             mspa_covered_transaction;
    uint8_t             mspa_opt_out_option_mode;
    uint8_t             mspa_service_provider_mode;
    uint8_t             gpc_segment;
    uint8_t             gpc;
} consent_gpp_usca_t;


/* a section this codec does not read: its id and its text, kept as is */
typedef struct {
    uint16_t            id;
    const char         *data;          /* [A-Za-z0-9._-], no '~' */
    size_t              len;
} consent_gpp_raw_t;


typedef struct {
    unsigned            has_usnat:1;
    unsigned            has_usca:1;
    consent_gpp_usnat_t usnat;
    consent_gpp_usca_t  usca;

    /* other sections: on decode, slices of the string decoded */
    unsigned            nraw;
    consent_gpp_raw_t   raw[CONSENT_GPP_MAX_SECTIONS];

    /* decode: the header's section ids, in the string's (rising) order */
    unsigned            nsections;
    uint16_t            sections[CONSENT_GPP_MAX_SECTIONS];
} consent_gpp_t;


/*
 * What a visitor's state says, for consent_gpp_usnat_visitor() and
 * consent_gpp_usca_visitor():
 *
 *   sells, shares, targets   the site sells personal information, shares
 *                            it (cross-context behavioural advertising),
 *                            processes it for targeted advertising; a
 *                            field about what the site does not do is 0
 *   notice                   the notices and the opt-out links were shown
 *   sale_opt_out, ...        the visitor opted out of it
 *   gpc                      the request carried Sec-GPC: 1, which counts
 *                            as an opt-out of sale, sharing and targeted
 *                            advertising
 *   mspa                     a covered transaction under IAB's MSPA, in
 *                            opt-out option mode (not service provider
 *                            mode); otherwise "not covered" and both
 *                            modes not applicable
 *
 * An opt-out field is 0 when its notice is not 1 (the spec: "not
 * applicable or no notice was provided"), else 1 (opted out) or 2.  The
 * GPC subsection is always written, with gpc.  Sensitive data, known
 * child and personal data consent fields are 0: the module does not
 * process such data on the visitor's behalf.
 */
typedef struct {
    unsigned            sells:1;
    unsigned            shares:1;
    unsigned            targets:1;
    unsigned            notice:1;
    unsigned            sale_opt_out:1;
    unsigned            sharing_opt_out:1;
    unsigned            targeted_opt_out:1;
    unsigned            gpc:1;
    unsigned            mspa:1;
} consent_gpp_visitor_t;


void consent_gpp_init(consent_gpp_t *gpp);

/* fills u (version CONSENT_GPP_USNAT_VERSION) from v; see above */
void consent_gpp_usnat_visitor(consent_gpp_usnat_t *u,
    const consent_gpp_visitor_t *v);

/* the same for California (no targeted advertising fields) */
void consent_gpp_usca_visitor(consent_gpp_usca_t *c,
    const consent_gpp_visitor_t *v);

/*
 * Writes the GPP string of gpp (usnat if has_usnat, usca if has_usca,
 * the raw sections; sections in rising id order, whatever the order of
 * raw) and a NUL into out.  Returns its length, or -1 when a field is
 * out of its range, an id is repeated, reserved (3), 0 or over
 * CONSENT_GPP_MAX_ID, a raw section is empty, has a character it may
 * not or claims id 7 or 8, or out is too small; *why (if not NULL) then
 * says which.  No section at all is the bare header "DBAA".  Reads only
 * gpp's has_*, usnat, usca, nraw and raw.
 */
int consent_gpp_encode(const consent_gpp_t *gpp, char *out, size_t size,
    const char **why);

/*
 * Decodes a GPP string: 0, or -1 with *why (if not NULL) set, on
 * anything the spec does not allow: a header that is not type 3 version
 * 1, sections that do not match the header's list, a usnat or usca
 * section of an unknown version, too short, too long, with a value the
 * spec does not define (3; mspa_covered_transaction 0), an unknown or
 * repeated subsection, non-zero padding, a character outside the
 * alphabet.  gpp->raw points into s.  Never reads s beyond len.
 */
int consent_gpp_decode(const char *s, size_t len, consent_gpp_t *gpp,
    const char **why);

/* one section, without the header: as the API's getSection reads it */
int consent_gpp_usnat_encode(const consent_gpp_usnat_t *u, char *out,
    size_t size, const char **why);
int consent_gpp_usnat_decode(const char *s, size_t len,
    consent_gpp_usnat_t *u, const char **why);
int consent_gpp_usca_encode(const consent_gpp_usca_t *c, char *out,
    size_t size, const char **why);
int consent_gpp_usca_decode(const char *s, size_t len,
    consent_gpp_usca_t *c, const char **why);

/*
 * The section ids gpp's string carries, in the order encode writes them
 * (rising); returns their number, or -1 as encode would refuse them.
 */
int consent_gpp_section_ids(const consent_gpp_t *gpp,
    uint16_t ids[CONSENT_GPP_MAX_SECTIONS], const char **why);

/*
 * The applicable sections (__gpp_sid, the API's applicableSections, the
 * URL macro GPP_SID): the section ids in force, at most
 * CONSENT_GPP_MAX_APPLICABLE, each one the string carries, none
 * repeated; none at all is written "-1".  Writes "7" or "7,8" and a NUL;
 * returns the length or -1.
 */
int consent_gpp_sid_encode(const consent_gpp_t *gpp, const uint16_t *ids,
    unsigned n, char *out, size_t size, const char **why);

/*
 * Parses "-1" (no section applies: *n = 0) or ids separated by commas
 * (or underscores, as the mobile API's IABGPP_GppSID): at most
 * CONSENT_GPP_MAX_APPLICABLE, each 1..CONSENT_GPP_MAX_ID, in decimal
 * without leading zeros, none repeated.  0 or -1.
 */
int consent_gpp_sid_decode(const char *s, size_t len,
    uint16_t ids[CONSENT_GPP_MAX_APPLICABLE], unsigned *n,
    const char **why);


#endif /* _CONSENT_GPP_H_INCLUDED_ */

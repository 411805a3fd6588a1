
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * IAB Europe's Global Vendor List, version 3 of its JSON format (TCF
 * 2.2 and 2.3): read from a local file the operator refreshes, never
 * fetched by the module.  Strict about what the module relies on (the
 * format version, the list and policy versions, every vendor's ids and
 * the purposes and features they name, the stacks' references), lenient
 * about members it does not read, which IAB adds over time.  Pure C with
 * jansson, no nginx headers.
 */


#ifndef _CONSENT_TCF_GVL_H_INCLUDED_
#define _CONSENT_TCF_GVL_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>

#include "consent_tcf.h"


#define CONSENT_TCF_GVL_MAX_SIZE  (16 * 1024 * 1024)


typedef struct {
    char               *name;          /* NULL: no vendor of this id */
    unsigned            deleted:1;     /* has a deletedDate */
    uint32_t            purposes;      /* bit (id - 1), consent */
    uint32_t            li_purposes;   /* legitimate interest */
    uint32_t            flexible_purposes;
    uint32_t            special_purposes;
    uint32_t            features;
    uint32_t            special_features;
} consent_tcf_vendor_t;


typedef struct {
    unsigned            vendor_list_version;
    unsigned            policy_version;
    char               *last_updated;

    /* the ids each kind defines: bit (id - 1) */
    uint32_t            purposes;
    uint32_t            special_purposes;
    uint32_t            features;
    uint32_t            special_features;
    unsigned            nstacks;

    consent_tcf_vendor_t *vendors;     /* indexed by id, 0..max_vendor */
    unsigned            max_vendor;
    unsigned            nvendors;      /* not deleted */
    unsigned            ndeleted;

    /*
     * the parsed document (json_t), kept for what only the TCF user
     * interface reads (names, descriptions, stacks, retention, data
     * categories, URLs: src/consent_tcf_ui.c), checked there as read
     */
    void               *json;
} consent_tcf_gvl_t;


/*
 * Parses a GVL; NULL with err ("vendors.755.purposes[2]: purpose 12 is
 * not defined", "line 3, column 1: ...") on a wrong format version, a
 * list or policy version out of range, an id that is not its key, a
 * reference to an undefined purpose, feature or special feature, a
 * purpose both on consent and on legitimate interest, a flexible
 * purpose on neither, a vendor without a name.
 */
consent_tcf_gvl_t *consent_tcf_gvl_parse(const char *data, size_t len,
    char *err, size_t errlen);

/* reads the file (at most CONSENT_TCF_GVL_MAX_SIZE) and parses it */
consent_tcf_gvl_t *consent_tcf_gvl_load(const char *path, char *err,
    size_t errlen);

void consent_tcf_gvl_free(consent_tcf_gvl_t *gvl);

/*
 * An id as the GVL and its translations key it: "755" -> 755, decimal,
 * no sign nor leading zero, 1..max; else -1
 */
int consent_tcf_gvl_key_id(const char *key, unsigned max);

/*
 * The id of the entry k: v of the object key ("purposes"), which must be
 * an object whose "id" is its key; else -1 with err
 */
struct json_t;
int consent_tcf_gvl_entry_id(const char *key, const char *k,
    struct json_t *v, unsigned max, char *err, size_t errlen);

/*
 * root's member key, which must be an object: 0 with *obj (NULL when it
 * is absent and not required), else -1 with err ("KEY: must be an
 * object"); for the GVL's sections and their translations
 */
int consent_tcf_gvl_object(struct json_t *root, const char *key,
    int required, struct json_t **obj, char *err, size_t errlen);

/*
 * A whole file of at most max bytes (a whole number of MB), for the GVL
 * and its translations; NULL with err ("cannot open: ...", "cannot read",
 * "larger than 16 MB"); the caller frees it.
 */
char *consent_tcf_file_read(const char *path, size_t max, size_t *len,
    char *err, size_t errlen);

/*
 * A visitor's choice, as a CMP's second layer collects it: purposes
 * consented to, purposes whose legitimate interest was not objected to,
 * special features opted in, vendors consented to, vendors whose
 * legitimate interest was not objected to.
 */
typedef struct {
    uint32_t            purposes;
    uint32_t            li_purposes;
    uint32_t            special_features;
    const consent_tcf_set_t *vendors;
    const consent_tcf_set_t *li_vendors;
} consent_tcf_choice_t;


/*
 * Fills tc with the TC string's fields for choice under gvl, as a
 * registered CMP (cmp_id, cmp_version) writes them under TCF 2.3:
 * created and last updated at now's day (UTC), the list's vendor list
 * and policy versions, service-specific, every vendor of the list not
 * deleted disclosed, and only signals the list allows: a purpose or
 * special feature it defines, no legitimate interest for purposes 1,
 * 3-6, vendor consent for a vendor declaring a consent purpose, vendor
 * legitimate interest for one declaring a legitimate interest purpose
 * or a special purpose (IAB's rules of June 2021).  lang and cc: two
 * letters A-Z.  0, or -1 with *why.
 */
int consent_tcf_choice(consent_tcf_t *tc, const consent_tcf_gvl_t *gvl,
    unsigned cmp_id, unsigned cmp_version, const char *lang,
    const char *cc, int64_t now, const consent_tcf_choice_t *choice,
    const char **why);

/* the vendor, or NULL when the list has no such id */
const consent_tcf_vendor_t *consent_tcf_gvl_vendor(
    const consent_tcf_gvl_t *gvl, unsigned id);


#endif /* _CONSENT_TCF_GVL_H_INCLUDED_ */

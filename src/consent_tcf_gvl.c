
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The Global Vendor List, v3 (src/consent_tcf_gvl.h).
 */


#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "consent_tcf.h"
#include "consent_tcf_gvl.h"


static int consent_tcf_gvl_uint(json_t *root, const char *key,
    unsigned min, unsigned max, unsigned *out, char *err, size_t errlen);
static int consent_tcf_gvl_ids(json_t *root, const char *key, unsigned max,
    int required, uint32_t *out, char *err, size_t errlen);
static int consent_tcf_gvl_refs(json_t *obj, const char *path,
    const char *key, uint32_t defined, const char *what, uint32_t *out,
    char *err, size_t errlen);
static int consent_tcf_gvl_stacks(consent_tcf_gvl_t *gvl, json_t *root,
    char *err, size_t errlen);
static int consent_tcf_gvl_vendors(consent_tcf_gvl_t *gvl, json_t *root,
    char *err, size_t errlen);
static int consent_tcf_letters_check(const consent_tcf_t *tc);


static int
consent_tcf_letters_check(const consent_tcf_t *tc)
{
    unsigned  i;

    for (i = 0; i < 2; i++) {
        if (tc->consent_language[i] < 'A' || tc->consent_language[i] > 'Z'
            || tc->publisher_cc[i] < 'A' || tc->publisher_cc[i] > 'Z')
        {
            return -1;
        }
    }

    return 0;
}


int
consent_tcf_gvl_key_id(const char *key, unsigned max)
{
    size_t    i;
    unsigned  id;

    if (key[0] < '1' || key[0] > '9' || strlen(key) > 5) {
        return -1;
    }

    id = 0;

    for (i = 0; key[i]; i++) {
        if (key[i] < '0' || key[i] > '9') {
            return -1;
        }

        id = id * 10 + (unsigned) (key[i] - '0');
    }

    return id <= max ? (int) id : -1;
}



int
consent_tcf_gvl_entry_id(const char *key, const char *k, json_t *v,
    unsigned max, char *err, size_t errlen)
{
    int  id;

    id = consent_tcf_gvl_key_id(k, max);

    if (id < 0 || !json_is_object(v)
        || json_integer_value(json_object_get(v, "id")) != id)
    {
        snprintf(err, errlen, "%s.%.16s: must be an object whose \"id\" "
                 "is its key, 1 to %u", key, k, max);
        return -1;
    }

    return id;
}

int
consent_tcf_gvl_object(json_t *root, const char *key, int required,
    json_t **obj, char *err, size_t errlen)
{
    *obj = json_object_get(root, key);

    if (*obj == NULL && !required) {
        return 0;
    }

    if (!json_is_object(*obj)) {
        snprintf(err, errlen, "%s: must be an object", key);
        *obj = NULL;
        return -1;
    }

    return 0;
}


static int
consent_tcf_gvl_uint(json_t *root, const char *key, unsigned min,
    unsigned max, unsigned *out, char *err, size_t errlen)
{
    json_t      *v;
    json_int_t   n;

    v = json_object_get(root, key);
    n = json_is_integer(v) ? json_integer_value(v) : -1;

    if (n < (json_int_t) min || n > (json_int_t) max) {
        snprintf(err, errlen, "%s: must be an integer from %u to %u", key,
                 min, max);
        return -1;
    }

    *out = (unsigned) n;

    return 0;
}


/* "purposes": {"1": {"id": 1, "name": ...}, ...}: the ids defined */

static int
consent_tcf_gvl_ids(json_t *root, const char *key, unsigned max,
    int required, uint32_t *out, char *err, size_t errlen)
{
    int          id;
    json_t      *obj, *v, *name;
    const char  *k;

    *out = 0;

    if (consent_tcf_gvl_object(root, key, required, &obj, err, errlen) != 0)
    {
        return -1;
    }

    json_object_foreach(obj, k, v) {
        id = consent_tcf_gvl_entry_id(key, k, v, max, err, errlen);

        if (id < 0) {
            return -1;
        }

        name = json_object_get(v, "name");

        if (!json_is_string(name) || json_string_length(name) == 0) {
            snprintf(err, errlen, "%s.%d.name: must be a string", key, id);
            return -1;
        }

        *out |= 1u << (id - 1);
    }

    return 0;
}


/* an array of ids each defined; absent is none */

static int
consent_tcf_gvl_refs(json_t *obj, const char *path, const char *key,
    uint32_t defined, const char *what, uint32_t *out, char *err,
    size_t errlen)
{
    size_t       i;
    json_t      *a, *e;
    json_int_t   id;

    *out = 0;
    a = json_object_get(obj, key);

    if (a == NULL) {
        return 0;
    }

    if (!json_is_array(a)) {
        snprintf(err, errlen, "%s.%s: must be an array", path, key);
        return -1;
    }

    json_array_foreach(a, i, e) {
        id = json_is_integer(e) ? json_integer_value(e) : 0;

        if (id < 1 || id > 32 || !(defined & (1u << (id - 1)))) {
            snprintf(err, errlen, "%s.%s[%zu]: %s is not defined", path, key,
                     i, what);
            return -1;
        }

        if (*out & (1u << (id - 1))) {
            snprintf(err, errlen, "%s.%s[%zu]: %d is repeated", path, key, i,
                     (int) id);
            return -1;
        }

        *out |= 1u << (id - 1);
    }

    return 0;
}


static int
consent_tcf_gvl_stacks(consent_tcf_gvl_t *gvl, json_t *root, char *err,
    size_t errlen)
{
    int          id;
    char         path[64];
    json_t      *obj, *v;
    uint32_t     bits;
    const char  *k;

    if (consent_tcf_gvl_object(root, "stacks", 0, &obj, err, errlen) != 0)
    {
        return -1;
    }

    json_object_foreach(obj, k, v) {
        id = consent_tcf_gvl_key_id(k, 4095);

        if (id < 0 || !json_is_object(v)
            || json_integer_value(json_object_get(v, "id")) != id)
        {
            snprintf(err, errlen, "stacks.%.16s: must be an object whose "
                     "\"id\" is its key", k);
            return -1;
        }

        snprintf(path, sizeof(path), "stacks.%d", id);

        if (consent_tcf_gvl_refs(v, path, "purposes", gvl->purposes,
                                 "the purpose", &bits, err, errlen) != 0
            || consent_tcf_gvl_refs(v, path, "specialFeatures",
                                    gvl->special_features,
                                    "the special feature", &bits, err,
                                    errlen) != 0)
        {
            return -1;
        }

        gvl->nstacks++;
    }

    return 0;
}


static int
consent_tcf_gvl_vendors(consent_tcf_gvl_t *gvl, json_t *root, char *err,
    size_t errlen)
{
    int                    id;
    char                   path[64];
    json_t                *obj, *v, *name;
    unsigned               max;
    const char            *k;
    consent_tcf_vendor_t  *vd;

    if (consent_tcf_gvl_object(root, "vendors", 1, &obj, err, errlen) != 0)
    {
        return -1;
    }

    max = 0;

    json_object_foreach(obj, k, v) {
        id = consent_tcf_gvl_key_id(k, CONSENT_TCF_MAX_ID);

        if (id < 0) {
            snprintf(err, errlen, "vendors.%.16s: a key that is not a "
                     "vendor id (1 to 65535)", k);
            return -1;
        }

        if ((unsigned) id > max) {
            max = (unsigned) id;
        }
    }

    gvl->vendors = calloc(max + 1, sizeof(consent_tcf_vendor_t));

    if (gvl->vendors == NULL) {
        snprintf(err, errlen, "vendors: out of memory");
        return -1;
    }

    gvl->max_vendor = max;

    json_object_foreach(obj, k, v) {
        id = consent_tcf_gvl_key_id(k, CONSENT_TCF_MAX_ID);
        snprintf(path, sizeof(path), "vendors.%d", id);

        if (!json_is_object(v)
            || json_integer_value(json_object_get(v, "id")) != id)
        {
            snprintf(err, errlen, "%s: must be an object whose \"id\" is "
                     "its key", path);
            return -1;
        }

        vd = &gvl->vendors[id];
        name = json_object_get(v, "name");

        if (!json_is_string(name) || json_string_length(name) == 0) {
            snprintf(err, errlen, "%s.name: must be a string", path);
            return -1;
        }

        if (consent_tcf_gvl_refs(v, path, "purposes", gvl->purposes,
                                 "the purpose", &vd->purposes, err, errlen)
            || consent_tcf_gvl_refs(v, path, "legIntPurposes", gvl->purposes,
                                    "the purpose", &vd->li_purposes, err,
                                    errlen)
            || consent_tcf_gvl_refs(v, path, "flexiblePurposes",
                                    gvl->purposes, "the purpose",
                                    &vd->flexible_purposes, err, errlen)
            || consent_tcf_gvl_refs(v, path, "specialPurposes",
                                    gvl->special_purposes,
                                    "the special purpose",
                                    &vd->special_purposes, err, errlen)
            || consent_tcf_gvl_refs(v, path, "features", gvl->features,
                                    "the feature", &vd->features, err,
                                    errlen)
            || consent_tcf_gvl_refs(v, path, "specialFeatures",
                                    gvl->special_features,
                                    "the special feature",
                                    &vd->special_features, err, errlen))
        {
            return -1;
        }

        if (vd->purposes & vd->li_purposes) {
            snprintf(err, errlen, "%s: a purpose both on consent and on "
                     "legitimate interest", path);
            return -1;
        }

        if (vd->flexible_purposes & ~(vd->purposes | vd->li_purposes)) {
            snprintf(err, errlen, "%s.flexiblePurposes: a purpose on "
                     "neither consent nor legitimate interest", path);
            return -1;
        }

        vd->name = strdup(json_string_value(name));

        if (vd->name == NULL) {
            snprintf(err, errlen, "%s: out of memory", path);
            return -1;
        }

        if (json_object_get(v, "deletedDate") != NULL) {
            vd->deleted = 1;
            gvl->ndeleted++;

        } else {
            gvl->nvendors++;
        }
    }

    return 0;
}


consent_tcf_gvl_t *
consent_tcf_gvl_parse(const char *data, size_t len, char *err,
    size_t errlen)
{
    json_t             *root, *v;
    unsigned            spec;
    json_error_t        jerr;
    consent_tcf_gvl_t  *gvl;

    root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);

    if (root == NULL) {
        snprintf(err, errlen, "line %d, column %d: %s", jerr.line,
                 jerr.column, jerr.text);
        return NULL;
    }

    gvl = calloc(1, sizeof(consent_tcf_gvl_t));

    if (gvl == NULL) {
        snprintf(err, errlen, "out of memory");
        json_decref(root);
        return NULL;
    }

    if (!json_is_object(root)) {
        snprintf(err, errlen, "the vendor list must be a JSON object");
        goto failed;
    }

    if (consent_tcf_gvl_uint(root, "gvlSpecificationVersion", 3, 3, &spec,
                             err, errlen) != 0
        || consent_tcf_gvl_uint(root, "vendorListVersion", 1, 4095,
                                &gvl->vendor_list_version, err, errlen)
           != 0
        || consent_tcf_gvl_uint(root, "tcfPolicyVersion", 4,
                                CONSENT_TCF_POLICY_VERSION,
                                &gvl->policy_version, err, errlen) != 0)
    {
        goto failed;
    }

    v = json_object_get(root, "lastUpdated");

    if (!json_is_string(v) || json_string_length(v) == 0
        || json_string_length(v) > 40
        || strspn(json_string_value(v), "0123456789-+:.TZ")
           != json_string_length(v))
    {
        snprintf(err, errlen, "lastUpdated: must be a date and time "
                 "(2026-12-03T16:00:00Z)");
        goto failed;
    }

    gvl->last_updated = strdup(json_string_value(v));

    if (gvl->last_updated == NULL
        || consent_tcf_gvl_ids(root, "purposes", CONSENT_TCF_PURPOSES, 1,
                               &gvl->purposes, err, errlen) != 0
        || consent_tcf_gvl_ids(root, "specialPurposes", 32, 1,
                               &gvl->special_purposes, err, errlen) != 0
        || consent_tcf_gvl_ids(root, "features", 32, 1, &gvl->features,
                               err, errlen) != 0
        || consent_tcf_gvl_ids(root, "specialFeatures",
                               CONSENT_TCF_SPECIAL_FEATURES, 1,
                               &gvl->special_features, err, errlen) != 0
        || consent_tcf_gvl_stacks(gvl, root, err, errlen) != 0
        || consent_tcf_gvl_vendors(gvl, root, err, errlen) != 0)
    {
        goto failed;
    }

    gvl->json = root;

    return gvl;

failed:

    json_decref(root);
    consent_tcf_gvl_free(gvl);

    return NULL;
}


/*
 * The GVL and its translations are read alike: the whole file, refused
 * when it has more than max bytes (read up to max + 1 to see that).
 * consent_policy_load() keeps its own reader: its contract differs
 * (regular files only, the size checked first, errors naming the call).
 */

char *
consent_tcf_file_read(const char *path, size_t max, size_t *len, char *err,
    size_t errlen)
{
    FILE    *f;
    char    *buf;
    size_t   n;

    f = fopen(path, "rb");

    if (f == NULL) {
        snprintf(err, errlen, "cannot open: %s", strerror(errno));
        return NULL;
    }

    buf = malloc(max + 1);

    if (buf == NULL) {
        fclose(f);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }

    n = fread(buf, 1, max + 1, f);

    if (ferror(f) || n > max) {
        if (ferror(f)) {
            snprintf(err, errlen, "cannot read");

        } else {
            snprintf(err, errlen, "larger than %zu MB", max >> 20);
        }

        fclose(f);
        free(buf);
        return NULL;
    }

    fclose(f);

    *len = n;

    return buf;
}


consent_tcf_gvl_t *
consent_tcf_gvl_load(const char *path, char *err, size_t errlen)
{
    char               *buf;
    size_t              n;
    consent_tcf_gvl_t  *gvl;

    buf = consent_tcf_file_read(path, CONSENT_TCF_GVL_MAX_SIZE, &n, err,
                                errlen);

    if (buf == NULL) {
        return NULL;
    }

    gvl = consent_tcf_gvl_parse(buf, n, err, errlen);
    free(buf);

    return gvl;
}


void
consent_tcf_gvl_free(consent_tcf_gvl_t *gvl)
{
    unsigned  i;

    if (gvl == NULL) {
        return;
    }

    if (gvl->vendors != NULL) {
        for (i = 0; i <= gvl->max_vendor; i++) {
            free(gvl->vendors[i].name);
        }
    }

    free(gvl->vendors);
    free(gvl->last_updated);

    if (gvl->json != NULL) {
        json_decref(gvl->json);
    }

    free(gvl);
}


const consent_tcf_vendor_t *
consent_tcf_gvl_vendor(const consent_tcf_gvl_t *gvl, unsigned id)
{
    if (gvl == NULL || id == 0 || id > gvl->max_vendor
        || gvl->vendors[id].name == NULL)
    {
        return NULL;
    }

    return &gvl->vendors[id];
}


int
consent_tcf_choice(consent_tcf_t *tc, const consent_tcf_gvl_t *gvl,
    unsigned cmp_id, unsigned cmp_version, const char *lang,
    const char *cc, int64_t now, const consent_tcf_choice_t *choice,
    const char **why)
{
    unsigned                     id;
    const consent_tcf_vendor_t  *v;

    consent_tcf_init(tc);

    if (cmp_id < 2 || cmp_id > 4095 || cmp_version > 4095 || now < 0
        || strlen(lang) != 2 || strlen(cc) != 2)
    {
        *why = "a CMP id, version, time, language or country out of range";
        return -1;
    }

    tc->created = (uint64_t) (now - now % 86400) * 10;
    tc->last_updated = tc->created;
    tc->cmp_id = cmp_id;
    tc->cmp_version = cmp_version;
    memcpy(tc->consent_language, lang, 3);
    memcpy(tc->publisher_cc, cc, 3);
    tc->vendor_list_version = gvl->vendor_list_version;
    tc->policy_version = gvl->policy_version;
    tc->is_service_specific = 1;
    tc->has_disclosed = 1;

    tc->purpose_consents = choice->purposes & gvl->purposes;
    tc->purpose_li = choice->li_purposes & gvl->purposes
                     & ~((1u << 0) | (1u << 2) | (1u << 3) | (1u << 4)
                         | (1u << 5));
    tc->special_feature_opt_ins = choice->special_features
                                  & gvl->special_features;

    for (id = 1; id <= gvl->max_vendor; id++) {
        v = &gvl->vendors[id];

        if (v->name == NULL || v->deleted) {
            continue;
        }

        consent_tcf_set_add(&tc->disclosed, id);

        if (choice->vendors && consent_tcf_set_has(choice->vendors, id)
            && v->purposes != 0)
        {
            consent_tcf_set_add(&tc->vendor_consents, id);
        }

        if (choice->li_vendors && consent_tcf_set_has(choice->li_vendors, id)
            && (v->li_purposes != 0 || v->special_purposes != 0))
        {
            consent_tcf_set_add(&tc->vendor_li, id);
        }
    }

    if (consent_tcf_letters_check(tc) != 0) {
        *why = "a language or country not two letters A-Z";
        return -1;
    }

    return 0;
}


/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The policy's "tcf" section (src/consent_tcf_map.h).
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "consent_tcf_map.h"


static int consent_tcf_map_bits(json_t *v, unsigned max, uint32_t *out,
    const char *path, char *err, size_t errlen);
static int consent_tcf_map_ids(json_t *v, uint16_t **out, size_t *n,
    const char *path, char *err, size_t errlen);
static int consent_tcf_map_need(json_t *v, consent_tcf_need_t *need,
    const char *path, char *err, size_t errlen);


static int
consent_tcf_map_bits(json_t *v, unsigned max, uint32_t *out,
    const char *path, char *err, size_t errlen)
{
    size_t       i;
    json_t      *e;
    json_int_t   id;

    *out = 0;

    if (!json_is_array(v)) {
        snprintf(err, errlen, "%s: must be an array of ids", path);
        return -1;
    }

    json_array_foreach(v, i, e) {
        id = json_is_integer(e) ? json_integer_value(e) : 0;

        if (id < 1 || id > (json_int_t) max) {
            snprintf(err, errlen, "%s[%zu]: must be an integer from 1 to %u",
                     path, i, max);
            return -1;
        }

        if (*out & (1u << (id - 1))) {
            snprintf(err, errlen, "%s[%zu]: %d is repeated", path, i,
                     (int) id);
            return -1;
        }

        *out |= 1u << (id - 1);
    }

    return 0;
}


static int
consent_tcf_map_ids(json_t *v, uint16_t **out, size_t *n, const char *path,
    char *err, size_t errlen)
{
    size_t       i, j;
    json_t      *e;
    json_int_t   id;

    if (!json_is_array(v) || json_array_size(v) > CONSENT_TCF_MAP_IDS_MAX) {
        snprintf(err, errlen, "%s: must be an array of at most %d ids", path,
                 CONSENT_TCF_MAP_IDS_MAX);
        return -1;
    }

    *n = json_array_size(v);
    *out = malloc((*n ? *n : 1) * sizeof(uint16_t));

    if (*out == NULL) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }

    json_array_foreach(v, i, e) {
        id = json_is_integer(e) ? json_integer_value(e) : 0;

        if (id < 1 || id > CONSENT_TCF_MAX_ID) {
            snprintf(err, errlen, "%s[%zu]: must be an integer from 1 to "
                     "65535", path, i);
            return -1;
        }

        for (j = 0; j < i; j++) {
            if ((*out)[j] == id) {
                snprintf(err, errlen, "%s[%zu]: %d is repeated", path, i,
                         (int) id);
                return -1;
            }
        }

        (*out)[i] = (uint16_t) id;
    }

    return 0;
}


static int
consent_tcf_map_need(json_t *v, consent_tcf_need_t *need, const char *path,
    char *err, size_t errlen)
{
    char         sub[256];
    json_t      *e;
    const char  *key;

    if (!json_is_object(v)) {
        snprintf(err, errlen, "%s: must be an object", path);
        return -1;
    }

    json_object_foreach(v, key, e) {
        snprintf(sub, sizeof(sub), "%s.%s", path, key);

        if (strcmp(key, "purposes") == 0) {
            if (consent_tcf_map_bits(e, CONSENT_TCF_MAP_PURPOSES,
                                     &need->purposes, sub, err, errlen)
                != 0)
            {
                return -1;
            }

        } else if (strcmp(key, "special_features") == 0) {
            if (consent_tcf_map_bits(e, CONSENT_TCF_MAP_SPECIAL_FEATURES,
                                     &need->special_features, sub, err,
                                     errlen)
                != 0)
            {
                return -1;
            }

        } else if (strcmp(key, "vendors") == 0) {
            if (consent_tcf_map_ids(e, &need->vendors, &need->nvendors, sub,
                                    err, errlen)
                != 0)
            {
                return -1;
            }

        } else if (strcmp(key, "google_atps") == 0) {
            if (consent_tcf_map_ids(e, &need->atps, &need->natps, sub, err,
                                    errlen)
                != 0)
            {
                return -1;
            }

        } else {
            snprintf(err, errlen, "%s: unknown key (expected purposes, "
                     "special_features, vendors or google_atps)", sub);
            return -1;
        }
    }

    if (need->purposes == 0 && need->special_features == 0
        && need->nvendors == 0 && need->natps == 0)
    {
        snprintf(err, errlen, "%s: needs nothing (name at least one "
                 "purpose, special feature, vendor or ATP)", path);
        return -1;
    }

    need->mapped = 1;

    return 0;
}


int
consent_tcf_map_parse(const consent_policy_t *p, json_t *v,
    consent_tcf_map_t **out, char *err, size_t errlen)
{
    int                 c;
    char                path[128];
    json_t             *e;
    const char         *key;
    consent_tcf_map_t  *m;

    *out = NULL;

    if (!json_is_object(v)) {
        snprintf(err, errlen, "tcf: must be an object of categories");
        return -1;
    }

    m = calloc(1, sizeof(consent_tcf_map_t));

    if (m == NULL) {
        snprintf(err, errlen, "tcf: out of memory");
        return -1;
    }

    json_object_foreach(v, key, e) {
        snprintf(path, sizeof(path), "tcf.%.*s", CONSENT_ID_MAX, key);

        c = consent_policy_category(p, key, strlen(key));

        if (c < 0) {
            snprintf(err, errlen, "%s: no such category", path);
            consent_tcf_map_free(m);
            return -1;
        }

        if (p->categories[c].required) {
            snprintf(err, errlen, "%s: a required category is always "
                     "granted", path);
            consent_tcf_map_free(m);
            return -1;
        }

        if (consent_tcf_map_need(e, &m->need[c], path, err, errlen) != 0) {
            consent_tcf_map_free(m);
            return -1;
        }

        m->nmapped++;
    }

    if (m->nmapped == 0) {
        snprintf(err, errlen, "tcf: maps no category");
        consent_tcf_map_free(m);
        return -1;
    }

    *out = m;

    return 0;
}


void
consent_tcf_map_free(consent_tcf_map_t *m)
{
    size_t  i;

    if (m == NULL) {
        return;
    }

    for (i = 0; i < CONSENT_MAX_CATEGORIES; i++) {
        free(m->need[i].vendors);
        free(m->need[i].atps);
    }

    free(m);
}


uint32_t
consent_tcf_map_granted(const consent_tcf_map_t *m,
    const consent_policy_t *p, const consent_tcf_t *tc,
    const consent_tcf_ac_t *ac)
{
    size_t                     c, i;
    unsigned                   purpose;
    uint32_t                   granted;
    const consent_tcf_need_t  *need;

    granted = p->required_mask;

    for (c = 0; c < p->ncategories && c < CONSENT_MAX_CATEGORIES; c++) {
        need = &m->need[c];

        if (!need->mapped
            || (tc->purpose_consents & need->purposes) != need->purposes
            || (tc->special_feature_opt_ins & need->special_features)
               != need->special_features)
        {
            continue;
        }

        for (i = 0; i < need->nvendors; i++) {
            if (!consent_tcf_set_has(&tc->vendor_consents, need->vendors[i])) {
                break;
            }

            /* the publisher may forbid a vendor a purpose */
            for (purpose = 1; purpose <= CONSENT_TCF_MAP_PURPOSES; purpose++)
            {
                if ((need->purposes & (1u << (purpose - 1)))
                    && consent_tcf_restriction(tc, need->vendors[i], purpose)
                       == CONSENT_TCF_NOT_ALLOWED)
                {
                    break;
                }
            }

            if (purpose <= CONSENT_TCF_MAP_PURPOSES) {
                break;
            }
        }

        if (i < need->nvendors) {
            continue;
        }

        for (i = 0; i < need->natps; i++) {
            if (ac == NULL || !consent_tcf_set_has(&ac->consented,
                                                   need->atps[i]))
            {
                break;
            }
        }

        if (i < need->natps) {
            continue;
        }

        granted |= (uint32_t) 1 << c;
    }

    return granted & p->all_mask;
}


int
consent_tcf_usable(const consent_tcf_t *tc, int64_t now, const char **why)
{
    int64_t  created, updated;

    created = (int64_t) (tc->created / 10);
    updated = (int64_t) (tc->last_updated / 10);

    if (tc->cmp_id == 0) {
        *why = "no CMP id";
        return -1;
    }

    if (tc->policy_version < 4) {
        *why = "a TCF policy version before 4 (TCF 2.2)";
        return -1;
    }

    if (tc->vendor_list_version == 0) {
        *why = "no vendor list version";
        return -1;
    }

    if (created > now + 86400 || updated > now + 86400) {
        *why = "created or updated in the future";
        return -1;
    }

    if (updated < created) {
        *why = "updated before it was created";
        return -1;
    }

    if (updated + CONSENT_TCF_MAX_AGE < now) {
        *why = "older than 13 months";
        return 1;
    }

    return 0;
}


int
consent_tcf_digest(const char *s, size_t len, unsigned char out[32])
{
    unsigned int  n;

    n = 0;

    if (EVP_Digest(s, len, out, &n, EVP_sha256(), NULL) != 1 || n != 32) {
        return -1;
    }

    return 0;
}

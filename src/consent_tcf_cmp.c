
/*
 * Copyright (C) ngx_http_consent_module authors
 */


#include <stdio.h>
#include <string.h>

#include "consent_token.h"
#include "consent_tcf_cmp.h"


typedef struct {
    const char         *form;
    const char         *json;
    unsigned            min;
    unsigned            max;
} consent_tcf_field_t;


/* the ranges TCF 2.3 defines: purposes 1-11 (LI not for 1), features 1-2 */
static const consent_tcf_field_t  consent_tcf_fields[CONSENT_TCF_PICK_N] = {
    { "tcf_purpose", "purposes", 1, CONSENT_TCF_MAP_PURPOSES },
    { "tcf_purpose_li", "purposes_li", 2, CONSENT_TCF_MAP_PURPOSES },
    { "tcf_special_feature", "special_features", 1,
      CONSENT_TCF_MAP_SPECIAL_FEATURES },
    { "tcf_vendor", "vendors", 1, CONSENT_TCF_MAX_ID },
    { "tcf_vendor_li", "vendors_li", 1, CONSENT_TCF_MAX_ID },
    { "tcf_ac", "google_atps", 1, CONSENT_TCF_MAX_ID }
};


static int consent_tcf_pick_kind(const char *name, size_t len, int json);
static int consent_tcf_policy_atp(const consent_tcf_map_t *map,
    size_t ncategories, unsigned id);
static void consent_tcf_set_all(consent_tcf_set_t *set);
static const char *consent_tcf_macro(const char *in, size_t len,
    const consent_tcf_state_t *st, size_t *mlen, size_t *vlen);


static int
consent_tcf_pick_kind(const char *name, size_t len, int json)
{
    int          k;
    const char  *s;

    for (k = 0; k < CONSENT_TCF_PICK_N; k++) {
        s = json ? consent_tcf_fields[k].json : consent_tcf_fields[k].form;

        if (strlen(s) == len && memcmp(s, name, len) == 0) {
            return k;
        }
    }

    return -1;
}


int
consent_tcf_pick_form_kind(const char *name, size_t len)
{
    return consent_tcf_pick_kind(name, len, 0);
}


int
consent_tcf_pick_json_kind(const char *name, size_t len)
{
    return consent_tcf_pick_kind(name, len, 1);
}


int
consent_tcf_pick_number(const char *s, size_t len, int64_t *id)
{
    size_t   i;
    int64_t  n;

    if (len == 0 || len > 6 || s[0] == '0') {
        return -1;
    }

    n = 0;

    for (i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return -1;
        }

        n = n * 10 + (s[i] - '0');
    }

    *id = n;

    return 0;
}


int
consent_tcf_pick_add(consent_tcf_pick_t *pick, consent_tcf_pick_e kind,
    int64_t id, char *err, size_t errlen)
{
    uint32_t                    *bits, bit;
    consent_tcf_set_t           *set;
    const consent_tcf_field_t   *f;

    if ((unsigned) kind >= CONSENT_TCF_PICK_N) {
        snprintf(err, errlen, "unknown TCF field");
        return -1;
    }

    f = &consent_tcf_fields[kind];

    if (id < (int64_t) f->min || id > (int64_t) f->max) {
        snprintf(err, errlen, "%s %lld: must be from %u to %u", f->form,
                 (long long) id, f->min, f->max);
        return -1;
    }

    bits = NULL;
    set = NULL;

    switch (kind) {
    case CONSENT_TCF_PICK_PURPOSE:          bits = &pick->purposes;     break;
    case CONSENT_TCF_PICK_PURPOSE_LI:       bits = &pick->purposes_li;  break;
    case CONSENT_TCF_PICK_SPECIAL_FEATURE:
        bits = &pick->special_features;
        break;
    case CONSENT_TCF_PICK_VENDOR:           set = &pick->vendors;       break;
    case CONSENT_TCF_PICK_VENDOR_LI:        set = &pick->vendors_li;    break;
    default:                                set = &pick->atps;          break;
    }

    if (bits != NULL) {
        bit = (uint32_t) 1 << (id - 1);

        if (*bits & bit) {
            goto repeated;
        }

        *bits |= bit;

    } else {
        if (consent_tcf_set_has(set, (unsigned) id)) {
            goto repeated;
        }

        consent_tcf_set_add(set, (unsigned) id);
    }

    pick->seen = 1;

    return 0;

repeated:

    snprintf(err, errlen, "%s %lld is repeated", f->form, (long long) id);

    return -1;
}


static int
consent_tcf_policy_atp(const consent_tcf_map_t *map, size_t ncategories,
    unsigned id)
{
    size_t  c, i;

    for (c = 0; c < ncategories && c < CONSENT_MAX_CATEGORIES; c++) {
        for (i = 0; i < map->need[c].natps; i++) {
            if (map->need[c].atps[i] == id) {
                return 1;
            }
        }
    }

    return 0;
}


int
consent_tcf_pick_check(const consent_tcf_pick_t *pick,
    const consent_tcf_gvl_t *gvl, const consent_tcf_map_t *map,
    size_t ncategories, char *err, size_t errlen)
{
    unsigned                     id, k;
    uint32_t                     bad;
    const consent_tcf_set_t     *set;
    const consent_tcf_vendor_t  *v;

    bad = (pick->purposes | pick->purposes_li) & ~gvl->purposes;

    if (bad) {
        for (id = 1; !(bad & 1); id++) {
            bad >>= 1;
        }

        snprintf(err, errlen, "tcf_purpose %u is not defined by the vendor "
                 "list", id);
        return -1;
    }

    bad = pick->special_features & ~gvl->special_features;

    if (bad) {
        for (id = 1; !(bad & 1); id++) {
            bad >>= 1;
        }

        snprintf(err, errlen, "tcf_special_feature %u is not defined by "
                 "the vendor list", id);
        return -1;
    }

    for (k = 0; k < 2; k++) {
        set = k ? &pick->vendors_li : &pick->vendors;

        for (id = 1; id <= consent_tcf_set_max(set); id++) {
            if (!consent_tcf_set_has(set, id)) {
                continue;
            }

            v = consent_tcf_gvl_vendor(gvl, id);

            if (v == NULL || v->deleted) {
                snprintf(err, errlen, "%s %u is %s the vendor list",
                         k ? "tcf_vendor_li" : "tcf_vendor", id,
                         v ? "deleted from" : "not on");
                return -1;
            }
        }
    }

    for (id = 1; id <= consent_tcf_set_max(&pick->atps); id++) {
        if (consent_tcf_set_has(&pick->atps, id)
            && !consent_tcf_policy_atp(map, ncategories, id))
        {
            snprintf(err, errlen, "tcf_ac %u: the policy names no such "
                     "Google ATP", id);
            return -1;
        }
    }

    return 0;
}


static void
consent_tcf_set_all(consent_tcf_set_t *set)
{
    memset(set->map, 0xff, sizeof(set->map));
}


void
consent_tcf_pick_all(consent_tcf_pick_t *pick, int all)
{
    memset(pick, 0, sizeof(consent_tcf_pick_t));

    pick->seen = 1;

    if (!all) {
        return;
    }

    /* consent_tcf_choice() keeps only what the GVL allows */

    pick->purposes = 0xffffffff;
    pick->purposes_li = 0xffffffff;
    pick->special_features = 0xffffffff;
    consent_tcf_set_all(&pick->vendors);
    consent_tcf_set_all(&pick->vendors_li);
    consent_tcf_set_all(&pick->atps);
}


int
consent_tcf_cmp_choose(consent_tcf_t *tc, consent_tcf_ac_t *ac,
    const consent_tcf_pick_t *pick, const consent_tcf_gvl_t *gvl,
    const consent_tcf_map_t *map, const consent_policy_t *policy,
    const consent_tcf_cmp_t *cmp, const char *lang, int64_t now,
    uint32_t categories, uint32_t *granted, char *tc_out, char *ac_out,
    const char **why)
{
    char                   l[3];
    size_t                 c, i;
    unsigned               id, natps;
    uint32_t               mapped;
    consent_tcf_choice_t   choice;

    l[0] = 'E';
    l[1] = 'N';
    l[2] = '\0';

    if (lang != NULL && strlen(lang) >= 2) {
        l[0] = (char) (lang[0] & ~0x20);
        l[1] = (char) (lang[1] & ~0x20);

        if (l[0] < 'A' || l[0] > 'Z' || l[1] < 'A' || l[1] > 'Z'
            || (lang[2] != '\0' && lang[2] != '-' && lang[2] != '_'))
        {
            l[0] = 'E';
            l[1] = 'N';
        }
    }

    choice.purposes = pick->purposes;
    choice.li_purposes = pick->purposes_li;
    choice.special_features = pick->special_features;
    choice.vendors = &pick->vendors;
    choice.li_vendors = &pick->vendors_li;

    if (consent_tcf_choice(tc, gvl, cmp->cmp_id, cmp->cmp_version, l,
                           cmp->publisher_cc, now, &choice, why)
        != 0)
    {
        return -1;
    }

    if (consent_tcf_encode(tc, tc_out, CONSENT_TCF_STRING_MAX, why) < 0) {
        return -1;
    }

    /* the policy's Google ATPs: consented, or disclosed and refused */

    memset(ac, 0, sizeof(consent_tcf_ac_t));
    ac->version = 2;
    natps = 0;
    mapped = 0;

    for (c = 0; c < policy->ncategories && c < CONSENT_MAX_CATEGORIES; c++) {
        if (map->need[c].mapped) {
            mapped |= (uint32_t) 1 << c;
        }

        for (i = 0; i < map->need[c].natps; i++) {
            id = map->need[c].atps[i];
            natps++;

            if (consent_tcf_set_has(&pick->atps, id)) {
                consent_tcf_set_add(&ac->consented, id);

            } else {
                consent_tcf_set_add(&ac->disclosed, id);
            }
        }
    }

    /* an ATP of two categories: consented wins over disclosed */

    for (id = 1; id <= consent_tcf_set_max(&ac->consented); id++) {
        if (consent_tcf_set_has(&ac->consented, id)) {
            ac->disclosed.map[id >> 3] &= (uint8_t) ~(1u << (id & 7));
        }
    }

    ac_out[0] = '\0';

    if (natps
        && consent_tcf_ac_encode(ac, ac_out, CONSENT_TCF_STRING_MAX, why)
           < 0)
    {
        return -1;
    }

    *granted = consent_tcf_map_granted(map, policy, tc, natps ? ac : NULL)
               | (categories & ~mapped & policy->all_mask)
               | policy->required_mask;

    return 0;
}


consent_state_e
consent_tcf_cmp_state(const consent_tcf_t *tc, const consent_tcf_gvl_t *gvl,
    const consent_tcf_cmp_t *cmp, int64_t now, const char **why)
{
    int  rc;

    rc = consent_tcf_usable(tc, now, why);

    if (rc < 0) {
        return CONSENT_STATE_OUTDATED;
    }

    if (tc->policy_version != gvl->policy_version) {
        *why = "written under another TCF policy version than the vendor "
               "list's";
        return CONSENT_STATE_OUTDATED;
    }

    if (tc->cmp_id != cmp->cmp_id) {
        *why = "written by another CMP";
        return CONSENT_STATE_OUTDATED;
    }

    if (rc > 0) {
        return CONSENT_STATE_EXPIRED;
    }

    return CONSENT_STATE_VALID;
}


/* the value of the macro at in ("${...}"), its length in *mlen; NULL */

static const char *
consent_tcf_macro(const char *in, size_t len, const consent_tcf_state_t *st,
    size_t *mlen, size_t *vlen)
{
    size_t  i;

    if (len >= 7 && memcmp(in, "${GDPR}", 7) == 0) {
        *mlen = 7;
        *vlen = 1;
        return "1";
    }

    if (len >= 16 && memcmp(in, "${ADDTL_CONSENT}", 16) == 0) {
        *mlen = 16;
        *vlen = st->ac_string && st->tc ? st->ac_len : 0;
        return st->ac_string && st->tc ? st->ac_string : "";
    }

    if (len < 17 || memcmp(in, "${GDPR_CONSENT_", 15) != 0) {
        return NULL;
    }

    for (i = 15; i < len && i < 21 && in[i] >= '0' && in[i] <= '9'; i++) {
        /* void */
    }

    if (i == 15 || i >= len || in[i] != '}') {
        return NULL;
    }

    *mlen = i + 1;
    *vlen = st->tc ? st->tc_len : 0;

    return st->tc ? st->tc_string : "";
}


size_t
consent_tcf_macros(const char *in, size_t len, const consent_tcf_state_t *st,
    char *out, unsigned *n)
{
    size_t       i, start, olen, mlen, vlen;
    const char  *v, *p;

    *n = 0;
    olen = 0;
    start = 0;
    i = 0;

    while (i < len) {
        p = memchr(in + i, '$', len - i);

        if (p == NULL) {
            break;
        }

        i = (size_t) (p - in);
        v = consent_tcf_macro(in + i, len - i, st, &mlen, &vlen);

        if (v == NULL) {
            i++;
            continue;
        }

        if (out != NULL) {
            memcpy(out + olen, in + start, i - start);
            memcpy(out + olen + (i - start), v, vlen);
        }

        olen += i - start + vlen;
        i += mlen;
        start = i;
        (*n)++;
    }

    if (out != NULL) {
        memcpy(out + olen, in + start, len - start);
    }

    return olen + len - start;
}

/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The GVL's translations (src/consent_tcf_i18n.h).
 */


#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "consent_ascii.h"
#include "consent_tcf.h"
#include "consent_tcf_gvl.h"
#include "consent_tcf_i18n.h"


static int consent_tcf_i18n_section(json_t *root, const char *key,
    unsigned max, int required, char *err, size_t errlen);
static int consent_tcf_i18n_text(json_t *o, const char *path,
    const char *key, int required, char *err, size_t errlen);
static int consent_tcf_i18n_name(const char *file, char *lang);
static int consent_tcf_i18n_cmp(const void *a, const void *b);
static int consent_tcf_i18n_file(consent_tcf_tr_t *tr, const char *dir,
    const char *file, char *err, size_t errlen);


/* a string member, non-empty when present; absent only if optional */

static int
consent_tcf_i18n_text(json_t *o, const char *path, const char *key,
    int required, char *err, size_t errlen)
{
    json_t  *v;

    v = json_object_get(o, key);

    if (v == NULL && !required) {
        return 0;
    }

    if (!json_is_string(v) || json_string_length(v) == 0) {
        snprintf(err, errlen, "%s.%s: must be a non-empty string", path,
                 key);
        return -1;
    }

    return 0;
}


/*
 * "purposes": {"1": {"id": 1, "name": ..., "description": ...}}: walked
 * as consent_tcf_gvl_ids() walks the GVL's, each entry checked for its
 * texts instead
 */

static int
consent_tcf_i18n_section(json_t *root, const char *key, unsigned max,
    int required, char *err, size_t errlen)
{
    int          id;
    char         path[64];
    size_t       i;
    json_t      *obj, *v, *ill, *e;
    const char  *k;

    if (consent_tcf_gvl_object(root, key, required, &obj, err, errlen) != 0)
    {
        return -1;
    }

    json_object_foreach(obj, k, v) {
        id = consent_tcf_gvl_entry_id(key, k, v, max, err, errlen);

        if (id < 0) {
            return -1;
        }

        snprintf(path, sizeof(path), "%s.%d", key, id);

        if (consent_tcf_i18n_text(v, path, "name", 1, err, errlen) != 0
            || consent_tcf_i18n_text(v, path, "description", 0, err, errlen)
               != 0)
        {
            return -1;
        }

        ill = json_object_get(v, "illustrations");

        if (ill == NULL) {
            continue;
        }

        if (!json_is_array(ill)) {
            snprintf(err, errlen, "%s.illustrations: must be an array",
                     path);
            return -1;
        }

        json_array_foreach(ill, i, e) {
            if (!json_is_string(e)) {
                snprintf(err, errlen, "%s.illustrations[%zu]: must be a "
                         "string", path, i);
                return -1;
            }
        }
    }

    return 0;
}


int
consent_tcf_i18n_parse(const char *data, size_t len, void **json,
    char *err, size_t errlen)
{
    json_t        *root, *v;
    json_error_t   jerr;

    *json = NULL;
    root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);

    if (root == NULL) {
        snprintf(err, errlen, "line %d, column %d: %s", jerr.line,
                 jerr.column, jerr.text);
        return -1;
    }

    if (!json_is_object(root)) {
        snprintf(err, errlen, "the translation must be a JSON object");
        goto failed;
    }

    v = json_object_get(root, "gvlSpecificationVersion");

    if (v != NULL && json_integer_value(v) != 3) {
        snprintf(err, errlen, "gvlSpecificationVersion: must be 3");
        goto failed;
    }

    if (consent_tcf_i18n_section(root, "purposes", CONSENT_TCF_PURPOSES, 1,
                                 err, errlen) != 0
        || consent_tcf_i18n_section(root, "specialPurposes", 32, 1, err,
                                    errlen) != 0
        || consent_tcf_i18n_section(root, "features", 32, 1, err, errlen)
           != 0
        || consent_tcf_i18n_section(root, "specialFeatures",
                                    CONSENT_TCF_SPECIAL_FEATURES, 1, err,
                                    errlen) != 0
        || consent_tcf_i18n_section(root, "stacks", 4095, 0, err, errlen)
           != 0
        || consent_tcf_i18n_section(root, "dataCategories", 4095, 0, err,
                                    errlen) != 0)
    {
        goto failed;
    }

    *json = root;

    return 0;

failed:

    json_decref(root);

    return -1;
}


void
consent_tcf_i18n_json_free(void *json)
{
    if (json != NULL) {
        json_decref(json);
    }
}


/* "purposes-pt-br.json" -> "pt-br" in lang (16 bytes); -1: not one */

static int
consent_tcf_i18n_name(const char *file, char *lang)
{
    size_t       n, i, dash;
    const char  *p;

    if (strncmp(file, "purposes-", 9) != 0) {
        return -1;
    }

    p = file + 9;
    n = strlen(p);

    if (n < 7 || n > 15 || strcmp(p + n - 5, ".json") != 0) {
        return -1;
    }

    n -= 5;
    dash = 0;

    for (i = 0; i < n; i++) {
        if (p[i] == '-' && i >= 2 && i + 1 < n && dash == 0) {
            dash = i;

        } else if (!((p[i] >= 'a' && p[i] <= 'z')
                     || (p[i] >= 'A' && p[i] <= 'Z')))
        {
            return -1;
        }

        lang[i] = (char) consent_ascii_lower((unsigned char) p[i]);
    }

    if ((dash ? dash : n) > 3) {
        return -1;
    }

    lang[n] = '\0';

    return 0;
}


static int
consent_tcf_i18n_cmp(const void *a, const void *b)
{
    return strcmp(((const consent_tcf_tr_t *) a)->lang,
                  ((const consent_tcf_tr_t *) b)->lang);
}


static int
consent_tcf_i18n_file(consent_tcf_tr_t *tr, const char *dir,
    const char *file, char *err, size_t errlen)
{
    char    *buf, path[4096], why[512];
    size_t   n;

    snprintf(path, sizeof(path), "%s/%s", dir, file);

    buf = consent_tcf_file_read(path, CONSENT_TCF_I18N_MAX_SIZE, &n, why,
                                sizeof(why));

    if (buf == NULL) {
        snprintf(err, errlen, "%s: %s", path, why);
        return -1;
    }

    if (consent_tcf_i18n_parse(buf, n, &tr->json, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "%s: %s", path, why);
        free(buf);
        return -1;
    }

    free(buf);

    return 0;
}


consent_tcf_i18n_t *
consent_tcf_i18n_load(const char *dir, char *err, size_t errlen)
{
    DIR                 *d;
    char                 lang[16];
    struct dirent       *de;
    consent_tcf_tr_t    *tr;
    consent_tcf_i18n_t  *i18n;

    d = opendir(dir);

    if (d == NULL) {
        snprintf(err, errlen, "%s: cannot open: %s", dir, strerror(errno));
        return NULL;
    }

    i18n = calloc(1, sizeof(consent_tcf_i18n_t));
    tr = calloc(CONSENT_TCF_I18N_MAX_LANGS, sizeof(consent_tcf_tr_t));

    if (i18n == NULL || tr == NULL) {
        snprintf(err, errlen, "out of memory");
        free(i18n);
        free(tr);
        closedir(d);
        return NULL;
    }

    i18n->tr = tr;

    while ((de = readdir(d)) != NULL) {
        if (consent_tcf_i18n_name(de->d_name, lang) != 0) {
            continue;
        }

        if (i18n->ntr == CONSENT_TCF_I18N_MAX_LANGS) {
            snprintf(err, errlen, "%s: more than %d translations", dir,
                     CONSENT_TCF_I18N_MAX_LANGS);
            goto failed;
        }

        tr = &i18n->tr[i18n->ntr];
        tr->lang = strdup(lang);

        if (tr->lang == NULL) {
            snprintf(err, errlen, "out of memory");
            goto failed;
        }

        i18n->ntr++;

        if (consent_tcf_i18n_file(tr, dir, de->d_name, err, errlen) != 0) {
            goto failed;
        }
    }

    closedir(d);
    d = NULL;

    if (i18n->ntr == 0) {
        snprintf(err, errlen, "%s: no purposes-LL.json file", dir);
        goto failed;
    }

    qsort(i18n->tr, i18n->ntr, sizeof(consent_tcf_tr_t),
          consent_tcf_i18n_cmp);

    return i18n;

failed:

    if (d != NULL) {
        closedir(d);
    }

    consent_tcf_i18n_free(i18n);

    return NULL;
}


void
consent_tcf_i18n_free(consent_tcf_i18n_t *i18n)
{
    size_t  i;

    if (i18n == NULL) {
        return;
    }

    for (i = 0; i < i18n->ntr; i++) {
        free(i18n->tr[i].lang);
        consent_tcf_i18n_json_free(i18n->tr[i].json);
    }

    free(i18n->tr);
    free(i18n);
}


const consent_tcf_tr_t *
consent_tcf_i18n_pick(const consent_tcf_i18n_t *i18n, const char *lang)
{
    char    tag[16];
    size_t  i, n, len;

    if (i18n == NULL || lang == NULL) {
        return NULL;
    }

    /* "pt_BR" and "pt-BR" are "pt-br" in the files' names */

    len = strlen(lang);

    if (len == 0 || len >= sizeof(tag)) {
        return NULL;
    }

    for (i = 0; i < len; i++) {
        tag[i] = (lang[i] == '_') ? '-'
                                  : (char) consent_ascii_lower(
                                        (unsigned char) lang[i]);
    }

    tag[len] = '\0';
    n = strcspn(tag, "-");

    if (n == 2 && tag[0] == 'e' && tag[1] == 'n') {
        return NULL;
    }

    for (i = 0; i < i18n->ntr; i++) {
        if (strcmp(i18n->tr[i].lang, tag) == 0) {
            return &i18n->tr[i];
        }
    }

    for (i = 0; i < i18n->ntr; i++) {
        if (strcspn(i18n->tr[i].lang, "-") == n
            && strncmp(i18n->tr[i].lang, tag, n) == 0)
        {
            return &i18n->tr[i];
        }
    }

    return NULL;
}

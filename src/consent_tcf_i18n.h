/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * IAB Europe's translations of the Global Vendor List's texts: the
 * purposes-LL.json files (GVL v3) the operator keeps in a directory
 * beside the list.  Each holds, in one language, the names,
 * descriptions and illustrations of the purposes, special purposes,
 * features, special features, stacks and data categories.  Read strictly
 * (what the interface shows must be strings), at nginx -t, never at
 * request time.  Pure C with jansson, no nginx headers.
 */


#ifndef _CONSENT_TCF_I18N_H_INCLUDED_
#define _CONSENT_TCF_I18N_H_INCLUDED_


#include <stddef.h>


#define CONSENT_TCF_I18N_MAX_SIZE   (1024 * 1024)
#define CONSENT_TCF_I18N_MAX_LANGS  64


/* one language's texts: the document (json_t), checked */
typedef struct {
    char               *lang;          /* lower case: "de", "pt-br" */
    void               *json;
} consent_tcf_tr_t;


/* a directory's languages, sorted by lang */
typedef struct {
    consent_tcf_tr_t   *tr;
    size_t              ntr;
} consent_tcf_i18n_t;


/*
 * Checks one file's document; 0, or -1 with err naming the JSON path
 * ("purposes.3.name: must be a non-empty string").  *json (a json_t)
 * must be freed with consent_tcf_i18n_json_free().
 */
int consent_tcf_i18n_parse(const char *data, size_t len, void **json,
    char *err, size_t errlen);

void consent_tcf_i18n_json_free(void *json);

/*
 * Reads every purposes-LL.json of dir (LL: letters and one "-" part,
 * "de", "pt-br", "sr-latn"; other files are not read); NULL with err
 * naming the file and the path.  A directory without any is an error.
 */
consent_tcf_i18n_t *consent_tcf_i18n_load(const char *dir, char *err,
    size_t errlen);

void consent_tcf_i18n_free(consent_tcf_i18n_t *i18n);

/*
 * The translation for a language negotiated elsewhere (the banner's,
 * consent_policy_pick_lang()): the same tag, else the same primary
 * language ("pt" takes the first of "pt-br", "pt-pt"); NULL for none or
 * for English, which the GVL itself is written in.
 */
const consent_tcf_tr_t *consent_tcf_i18n_pick(const consent_tcf_i18n_t *i18n,
    const char *lang);


#endif /* _CONSENT_TCF_I18N_H_INCLUDED_ */

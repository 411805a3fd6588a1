
/*
 * Copyright (C) ngx_http_consent_module authors
 */


#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "consent_escape.h"
#include "consent_regime.h"


#define CONSENT_REGIME_PATH_MAX  160


typedef struct {
    char               *data;
    size_t              len;
    size_t              cap;
    int                 failed;
} consent_rbuf_t;


typedef struct {
    consent_policy_t   *p;
    const char         *data;          /* the file, for lines */
    size_t              len;
    char               *err;
    size_t              errlen;
} consent_rparse_t;


static void consent_regime_error(consent_rparse_t *rp, const char *name,
    const char *key, const char *key2, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static size_t consent_regime_line(const char *data, size_t len,
    const char *const *keys, size_t n);
static void consent_regime_builtin(consent_policy_t *p, consent_regime_t *rg,
    consent_model_e model);
static int consent_regime_model(const char *s, consent_model_e *model);
static int consent_regime_one(consent_rparse_t *rp, const char *name,
    json_t *obj);
static int consent_regime_categories(consent_rparse_t *rp,
    consent_regime_t *rg, json_t *obj);
static int consent_regime_gpp_parse(consent_rparse_t *rp,
    consent_regime_t *rg, json_t *obj);
static int consent_regime_ids(consent_rparse_t *rp, consent_regime_t *rg,
    json_t *obj, const char *key, uint32_t *mask);
static int consent_regime_texts(consent_rparse_t *rp, consent_regime_t *rg,
    json_t *obj);
static int consent_regime_make_shown(consent_policy_t *p,
    consent_regime_t *rg);
static const char *consent_regime_i18n(const consent_i18n_t *t,
    const char *lang);
static unsigned consent_regime_bits(uint32_t v);
static void consent_rbuf_add(consent_rbuf_t *b, const char *s, size_t n);
static void consent_rbuf_str(consent_rbuf_t *b, const char *s);
static void consent_rbuf_html(consent_rbuf_t *b, const char *s);


/* the keys of "texts", in consent_text_e order (consent_policy.c's) */

static const char *const  consent_model_names[] = {
    "off", "notice", "opt-out", "opt-in"
};

static const char *const  consent_regime_keys[] = {
    "model", "categories", "gpp", "texts", NULL
};


int
consent_regimes_parse(consent_policy_t *p, struct json_t *root,
    const char *data, size_t len, char *err, size_t errlen)
{
    size_t             i, n;
    json_t            *regimes, *v;
    const char        *key;
    consent_model_e    m;
    consent_rparse_t   rp;

    rp.p = p;
    rp.data = data;
    rp.len = len;
    rp.err = err;
    rp.errlen = errlen;

    regimes = json_object_get(root, "regimes");

    if (regimes != NULL && !json_is_object(regimes)) {
        consent_regime_error(&rp, NULL, NULL, NULL,
                             "must be an object of regimes, such as "
                             "{\"opt-out\": {...}}");
        return -1;
    }

    n = 4 + (regimes ? json_object_size(regimes) : 0);

    if (n > CONSENT_REGIMES_MAX + 4) {
        consent_regime_error(&rp, NULL, NULL, NULL, "more than %d regimes",
                             CONSENT_REGIMES_MAX);
        return -1;
    }

    p->regimes = calloc(n, sizeof(consent_regime_t));
    if (p->regimes == NULL) {
        consent_regime_error(&rp, NULL, NULL, NULL, "out of memory");
        return -1;
    }

    /* the built-in ones, in the order of their names' table */

    for (m = CONSENT_MODEL_OFF; m <= CONSENT_MODEL_OPT_IN; m++) {
        consent_regime_builtin(p, &p->regimes[p->nregimes], m);
        p->regimes[p->nregimes].index = p->nregimes;
        p->nregimes++;
    }

    if (regimes == NULL) {
        return 0;
    }

    json_object_foreach(regimes, key, v) {
        if (consent_regime_one(&rp, key, v) != 0) {
            return -1;
        }
    }

    for (i = 0; i < p->nregimes; i++) {
        if (consent_regime_make_shown(p, &p->regimes[i]) != 0) {
            consent_regime_error(&rp, NULL, NULL, NULL, "out of memory");
            return -1;
        }
    }

    return 0;
}


void
consent_regimes_free(consent_policy_t *p)
{
    size_t             i, k;
    consent_regime_t  *rg;

    if (p->regimes == NULL) {
        return;
    }

    for (i = 0; i < p->nregimes; i++) {
        rg = &p->regimes[i];

        for (k = 0; k < CONSENT_TEXT_N; k++) {
            while (rg->texts[k].n) {
                rg->texts[k].n--;
                free(rg->texts[k].lang[rg->texts[k].n]);
                free(rg->texts[k].text[rg->texts[k].n]);
            }

            free(rg->texts[k].lang);
            free(rg->texts[k].text);

            if (rg->shown) {
                /* the strings are the policy's or the regime's */
                free(rg->shown->texts[k].lang);
                free(rg->shown->texts[k].text);
            }
        }

        if (rg->shown) {
            free(rg->shown->categories);
            free(rg->shown);
        }
    }

    free(p->regimes);
    p->regimes = NULL;
    p->nregimes = 0;
}


static void
consent_regime_builtin(consent_policy_t *p, consent_regime_t *rg,
    consent_model_e model)
{
    size_t    i;
    uint32_t  gpc;

    memset(rg, 0, sizeof(consent_regime_t));

    rg->model = model;
    rg->name_len = strlen(consent_model_names[model]);
    memcpy(rg->name, consent_model_names[model], rg->name_len + 1);

    gpc = 0;

    for (i = 0; i < p->ncategories; i++) {
        if (p->categories[i].gpc && !p->categories[i].required) {
            gpc |= (uint32_t) 1 << i;
        }
    }

    rg->offered = p->all_mask;

    switch (model) {

    case CONSENT_MODEL_OPT_IN:
        rg->defaults = p->required_mask;
        rg->gpc = gpc;
        break;

    case CONSENT_MODEL_OPT_OUT:
        rg->defaults = p->all_mask;
        rg->opt_out = p->all_mask & ~p->required_mask;

        /* GPC opts out of sale and sharing; without such marks, of all */
        rg->gpc = gpc ? gpc : rg->opt_out;
        break;

    default:
        rg->defaults = p->all_mask;
        break;
    }
}


static int
consent_regime_model(const char *s, consent_model_e *model)
{
    consent_model_e  m;

    for (m = CONSENT_MODEL_OFF; m <= CONSENT_MODEL_OPT_IN; m++) {
        if (strcmp(s, consent_model_names[m]) == 0) {
            *model = m;
            return 0;
        }
    }

    return -1;
}


static int
consent_regime_one(consent_rparse_t *rp, const char *name, json_t *obj)
{
    size_t             i, len;
    json_t            *v;
    const char        *key;
    consent_model_e    model, named;
    consent_regime_t  *rg;
    consent_policy_t  *p;

    p = rp->p;
    len = strlen(name);
    model = CONSENT_MODEL_OPT_IN;

    if (!consent_regime_tag_valid(name, len)) {
        consent_regime_error(rp, name, NULL, NULL,
                             "a regime's name is 1 to %d characters of "
                             "a-z, 0-9 and \"-\", starting with a letter",
                             CONSENT_REGIME_TAG_MAX);
        return -1;
    }

    if (!json_is_object(obj)) {
        consent_regime_error(rp, name, NULL, NULL, "must be an object");
        return -1;
    }

    json_object_foreach(obj, key, v) {
        for (i = 0; consent_regime_keys[i]; i++) {
            if (strcmp(key, consent_regime_keys[i]) == 0) {
                break;
            }
        }

        if (consent_regime_keys[i] == NULL) {
            consent_regime_error(rp, name, key, NULL, "unknown key (expected "
                                 "model, categories, gpp or texts)");
            return -1;
        }
    }

    v = json_object_get(obj, "model");

    if (v != NULL && (!json_is_string(v)
                      || consent_regime_model(json_string_value(v), &model)
                         != 0))
    {
        consent_regime_error(rp, name, "model", NULL, "must be \"opt-in\", "
                             "\"opt-out\", \"notice\" or \"off\"");
        return -1;
    }

    if (consent_regime_model(name, &named) == 0) {
        /* a built-in name: its model is the name's */

        if (v != NULL && model != named) {
            consent_regime_error(rp, name, "model", NULL,
                                 "the regime \"%s\" is of the model of its "
                                 "name", name);
            return -1;
        }

        rg = &p->regimes[named];
        model = named;

    } else {
        if (v == NULL) {
            consent_regime_error(rp, name, NULL, NULL, "missing \"model\" "
                                 "(\"opt-in\", \"opt-out\", \"notice\" or "
                                 "\"off\")");
            return -1;
        }

        rg = &p->regimes[p->nregimes];
        rg->index = p->nregimes++;
    }

    consent_regime_builtin(p, rg, model);
    rg->index = rg - p->regimes;
    rg->name_len = len;
    memcpy(rg->name, name, len + 1);
    rg->declared = 1;

    v = json_object_get(obj, "categories");

    if (v != NULL && consent_regime_categories(rp, rg, v) != 0) {
        return -1;
    }

    v = json_object_get(obj, "gpp");

    if (v != NULL && consent_regime_gpp_parse(rp, rg, v) != 0) {
        return -1;
    }

    v = json_object_get(obj, "texts");

    if (v != NULL && consent_regime_texts(rp, rg, v) != 0) {
        return -1;
    }

    return 0;
}


/*
 * "categories": {"ID": {"default": B, "opt_out": B, "exempt": B}}: the
 * categories that exist in the regime (the required ones always do)
 */

static int
consent_regime_categories(consent_rparse_t *rp, consent_regime_t *rg,
    json_t *obj)
{
    int                  cat, dflt, opt_out, exempt;
    json_t              *c, *v;
    uint32_t             bit;
    const char          *id, *key;
    consent_policy_t    *p;
    consent_category_t  *pc;

    p = rp->p;

    if (!json_is_object(obj)) {
        consent_regime_error(rp, rg->name, "categories", NULL,
                             "must be an object of category ids");
        return -1;
    }

    if (rg->model != CONSENT_MODEL_OPT_IN
        && rg->model != CONSENT_MODEL_OPT_OUT)
    {
        consent_regime_error(rp, rg->name, "categories", NULL,
                             "only an \"opt-in\" or \"opt-out\" regime "
                             "says which categories exist (\"%s\" gates "
                             "nothing)", consent_model_names[rg->model]);
        return -1;
    }

    rg->offered = p->required_mask;
    rg->defaults = p->required_mask;
    rg->opt_out = 0;
    rg->exempt = 0;

    json_object_foreach(obj, id, c) {
        cat = consent_policy_category(p, id, strlen(id));

        if (cat < 0) {
            consent_regime_error(rp, rg->name, "categories", id,
                                 "unknown category");
            return -1;
        }

        if (!json_is_object(c)) {
            consent_regime_error(rp, rg->name, "categories", id,
                                 "must be an object, such as "
                                 "{\"default\": true}");
            return -1;
        }

        pc = &p->categories[cat];
        bit = (uint32_t) 1 << cat;

        dflt = -1;
        opt_out = -1;
        exempt = -1;

        json_object_foreach(c, key, v) {
            if (!json_is_boolean(v)) {
                consent_regime_error(rp, rg->name, "categories", id,
                                     "\"%s\" must be true or false", key);
                return -1;
            }

            if (strcmp(key, "default") == 0) {
                dflt = json_is_true(v);

            } else if (strcmp(key, "opt_out") == 0
                       && rg->model == CONSENT_MODEL_OPT_OUT)
            {
                opt_out = json_is_true(v);

            } else if (strcmp(key, "exempt") == 0
                       && rg->model == CONSENT_MODEL_OPT_IN)
            {
                exempt = json_is_true(v);

            } else {
                consent_regime_error(rp, rg->name, "categories", id,
                                     "unknown key \"%s\" (expected default "
                                     "and %s)", key,
                                     rg->model == CONSENT_MODEL_OPT_IN
                                     ? "exempt" : "opt_out");
                return -1;
            }
        }

        rg->offered |= bit;

        if (pc->required) {
            if (dflt == 0 || opt_out == 1 || exempt == 1) {
                consent_regime_error(rp, rg->name, "categories", id,
                                     "a required category is always on");
                return -1;
            }

            continue;
        }

        if (rg->model == CONSENT_MODEL_OPT_IN) {

            if (exempt == 1 && pc->gpc) {
                consent_regime_error(rp, rg->name, "categories", id,
                                     "a category of sale or sharing "
                                     "(\"gpc\": true) cannot be exempt "
                                     "statistics");
                return -1;
            }

            if (dflt == 1 && exempt != 1) {
                consent_regime_error(rp, rg->name, "categories", id,
                                     "\"default\": true would grant \"%s\" "
                                     "before any choice in an opt-in "
                                     "regime; only exempt first-party "
                                     "statistics (\"exempt\": true) run "
                                     "without consent", id);
                return -1;
            }

            if (exempt == 1 && dflt == 0) {
                consent_regime_error(rp, rg->name, "categories", id,
                                     "exempt statistics run until the "
                                     "visitor objects: \"default\" is "
                                     "true");
                return -1;
            }

            if (exempt == 1) {
                rg->exempt |= bit;
                rg->defaults |= bit;
            }

            continue;
        }

        /* opt-out: on and opted out of unless the policy says otherwise */

        if (dflt != 0) {
            rg->defaults |= bit;
        }

        if (opt_out != 0) {
            rg->opt_out |= bit;

        } else if (dflt == 0) {
            consent_regime_error(rp, rg->name, "categories", id,
                                 "off and not to be turned on or off: "
                                 "leave the category out instead");
            return -1;
        }
    }

    rg->gpc &= rg->offered;

    if (rg->model == CONSENT_MODEL_OPT_OUT) {
        rg->gpc &= rg->opt_out;

        if (rg->gpc == 0) {
            rg->gpc = rg->opt_out;
        }
    }

    return 0;
}


/*
 * "gpp": {"sections": ["usnat", "usca"], "sale": [ids], "sharing":
 * [ids], "targeted_advertising": [ids], "mspa": B}
 */

static int
consent_regime_gpp_parse(consent_rparse_t *rp, consent_regime_t *rg,
    json_t *obj)
{
    size_t       i, j;
    json_t      *v, *s;
    uint16_t     id;
    const char  *key, *name;

    if (!json_is_object(obj)) {
        consent_regime_error(rp, rg->name, "gpp", NULL, "must be an object");
        return -1;
    }

    if (rg->model != CONSENT_MODEL_OPT_OUT) {
        consent_regime_error(rp, rg->name, "gpp", NULL,
                             "GPP's US sections are for an \"opt-out\" "
                             "regime");
        return -1;
    }

    json_object_foreach(obj, key, v) {
        if (strcmp(key, "sections") != 0 && strcmp(key, "sale") != 0
            && strcmp(key, "sharing") != 0
            && strcmp(key, "targeted_advertising") != 0
            && strcmp(key, "mspa") != 0)
        {
            consent_regime_error(rp, rg->name, "gpp", key,
                                 "unknown key (expected sections, sale, "
                                 "sharing, targeted_advertising or mspa)");
            return -1;
        }
    }

    v = json_object_get(obj, "sections");

    if (!json_is_array(v) || json_array_size(v) == 0
        || json_array_size(v) > CONSENT_GPP_MAX_APPLICABLE)
    {
        consent_regime_error(rp, rg->name, "gpp", "sections",
                             "must be one or two of \"usnat\" and \"usca\"");
        return -1;
    }

    json_array_foreach(v, i, s) {
        name = json_string_value(s);

        if (name != NULL && strcmp(name, "usnat") == 0) {
            id = CONSENT_GPP_USNAT_ID;

        } else if (name != NULL && strcmp(name, "usca") == 0) {
            id = CONSENT_GPP_USCA_ID;

        } else {
            consent_regime_error(rp, rg->name, "gpp", "sections",
                                 "\"usnat\" or \"usca\" expected");
            return -1;
        }

        for (j = 0; j < rg->nsections; j++) {
            if (rg->sections[j] == id) {
                consent_regime_error(rp, rg->name, "gpp", "sections",
                                     "\"%s\" twice", name);
                return -1;
            }
        }

        rg->sections[rg->nsections++] = id;
    }

    rg->sale = rg->gpc;
    rg->sharing = rg->gpc;
    rg->targeted = rg->gpc;

    if (consent_regime_ids(rp, rg, obj, "sale", &rg->sale) != 0
        || consent_regime_ids(rp, rg, obj, "sharing", &rg->sharing) != 0
        || consent_regime_ids(rp, rg, obj, "targeted_advertising",
                              &rg->targeted)
           != 0)
    {
        return -1;
    }

    v = json_object_get(obj, "mspa");

    if (v != NULL && !json_is_boolean(v)) {
        consent_regime_error(rp, rg->name, "gpp", "mspa",
                             "must be true or false");
        return -1;
    }

    rg->mspa = json_is_true(v);

    return 0;
}


/* a list of category ids that may be opted out of, or absent */

static int
consent_regime_ids(consent_rparse_t *rp, consent_regime_t *rg, json_t *obj,
    const char *key, uint32_t *mask)
{
    int          cat;
    size_t       i;
    json_t      *v, *s;
    const char  *id;

    v = json_object_get(obj, key);

    if (v == NULL) {
        return 0;
    }

    if (!json_is_array(v)) {
        consent_regime_error(rp, rg->name, "gpp", key,
                             "must be an array of category ids");
        return -1;
    }

    *mask = 0;

    json_array_foreach(v, i, s) {
        id = json_string_value(s);
        cat = id ? consent_policy_category(rp->p, id, strlen(id)) : -1;

        if (cat < 0 || !(rg->opt_out & ((uint32_t) 1 << cat))) {
            consent_regime_error(rp, rg->name, "gpp", key,
                                 "not a category the visitor may opt out "
                                 "of in this regime: %s",
                                 id ? id : "(not a string)");
            return -1;
        }

        *mask |= (uint32_t) 1 << cat;
    }

    return 0;
}


/* "texts": {"LANG": {"title": "...", ...}}: what replaces the policy's */

static int
consent_regime_texts(consent_rparse_t *rp, consent_regime_t *rg, json_t *obj)
{
    size_t           i, k, n;
    json_t          *lt, *v;
    const char      *lang, *key, *s, *tag;
    consent_i18n_t  *t;

    if (!json_is_object(obj)) {
        consent_regime_error(rp, rg->name, "texts", NULL,
                             "must be an object of languages");
        return -1;
    }

    json_object_foreach(obj, lang, lt) {
        for (i = 0; i < rp->p->nlangs; i++) {
            if (strcmp(rp->p->langs[i], lang) == 0) {
                break;
            }
        }

        if (i == rp->p->nlangs) {
            consent_regime_error(rp, rg->name, "texts", lang,
                                 "not a language of the policy's texts");
            return -1;
        }

        tag = rp->p->langs[i];

        if (!json_is_object(lt)) {
            consent_regime_error(rp, rg->name, "texts", lang,
                                 "must be an object of texts");
            return -1;
        }

        json_object_foreach(lt, key, v) {
            for (k = 0; k < CONSENT_TEXT_N; k++) {
                if (strcmp(key, consent_text_names[k]) == 0) {
                    break;
                }
            }

            s = json_string_value(v);

            if (k == CONSENT_TEXT_N || s == NULL || s[0] == '\0') {
                consent_regime_error(rp, rg->name, "texts", lang,
                                     "\"%s\": a text of the policy's "
                                     "(title, message, accept_all, ...), "
                                     "a string that is not empty", key);
                return -1;
            }

            for (i = 0; s[i]; i++) {
                if ((unsigned char) s[i] < 0x20 && s[i] != '\n') {
                    consent_regime_error(rp, rg->name, "texts", lang,
                                         "\"%s\": a control character",
                                         key);
                    return -1;
                }
            }

            t = &rg->texts[k];
            n = t->n;

            if ((n & (n - 1)) == 0) {
                /* grown at each power of two */
                char  **nl, **nt;

                nl = realloc(t->lang, (n ? 2 * n : 1) * sizeof(char *));
                if (nl == NULL) {
                    goto nomem;
                }

                t->lang = nl;

                nt = realloc(t->text, (n ? 2 * n : 1) * sizeof(char *));
                if (nt == NULL) {
                    goto nomem;
                }

                t->text = nt;
            }

            t->lang[n] = strdup(tag);
            t->text[n] = strdup(s);

            if (t->lang[n] == NULL || t->text[n] == NULL) {
                free(t->lang[n]);
                free(t->text[n]);
                goto nomem;
            }

            t->n++;
        }
    }

    return 0;

nomem:

    consent_regime_error(rp, rg->name, "texts", NULL, "out of memory");
    return -1;
}


/*
 * The policy as the regime's banner shows it: its texts where it has
 * them, and a category it grants and never lets go "always on"
 */

static int
consent_regime_make_shown(consent_policy_t *p, consent_regime_t *rg)
{
    size_t             i, k;
    uint32_t           forced;
    const char        *s;
    consent_i18n_t    *t;
    consent_policy_t  *sp;

    forced = 0;

    if (rg->model == CONSENT_MODEL_OPT_OUT) {
        forced = rg->defaults & ~rg->opt_out & ~p->required_mask;
    }

    for (k = 0; k < CONSENT_TEXT_N; k++) {
        if (rg->texts[k].n) {
            break;
        }
    }

    if (k == CONSENT_TEXT_N && forced == 0) {
        return 0;
    }

    sp = malloc(sizeof(consent_policy_t));
    if (sp == NULL) {
        return -1;
    }

    *sp = *p;
    sp->regimes = NULL;
    sp->nregimes = 0;
    sp->categories = NULL;
    memset(sp->texts, 0, sizeof(sp->texts));
    rg->shown = sp;

    sp->categories = malloc(p->ncategories * sizeof(consent_category_t) + 1);
    if (sp->categories == NULL) {
        return -1;
    }

    memcpy(sp->categories, p->categories,
           p->ncategories * sizeof(consent_category_t));

    for (i = 0; i < p->ncategories; i++) {
        if (forced & ((uint32_t) 1 << i)) {
            sp->categories[i].required = 1;
        }
    }

    /* in each of the policy's languages: the regime's, else the policy's */

    for (k = 0; k < CONSENT_TEXT_N; k++) {
        t = &sp->texts[k];

        if (rg->texts[k].n == 0) {
            *t = p->texts[k];
            t->lang = NULL;
            t->text = NULL;
            t->n = 0;

            t->lang = malloc((p->texts[k].n + 1) * sizeof(char *));
            t->text = malloc((p->texts[k].n + 1) * sizeof(char *));

            if (t->lang == NULL || t->text == NULL) {
                return -1;
            }

            memcpy(t->lang, p->texts[k].lang, p->texts[k].n * sizeof(char *));
            memcpy(t->text, p->texts[k].text, p->texts[k].n * sizeof(char *));
            t->n = p->texts[k].n;
            continue;
        }

        t->lang = malloc((p->nlangs + 1) * sizeof(char *));
        t->text = malloc((p->nlangs + 1) * sizeof(char *));

        if (t->lang == NULL || t->text == NULL) {
            return -1;
        }

        for (i = 0; i < p->nlangs; i++) {
            s = consent_regime_i18n(&rg->texts[k], p->langs[i]);

            if (s == NULL) {
                s = consent_regime_i18n(&rg->texts[k], p->default_lang);
            }

            if (s == NULL) {
                s = consent_regime_i18n(&p->texts[k], p->langs[i]);
            }

            if (s == NULL) {
                continue;
            }

            t->lang[t->n] = p->langs[i];
            t->text[t->n] = (char *) s;
            t->n++;
        }
    }

    return 0;
}


static const char *
consent_regime_i18n(const consent_i18n_t *t, const char *lang)
{
    size_t  i;

    for (i = 0; i < t->n; i++) {
        if (strcmp(t->lang[i], lang) == 0) {
            return t->text[i];
        }
    }

    return NULL;
}


const consent_regime_t *
consent_regime_find(const consent_policy_t *p, const char *name, size_t len)
{
    size_t  i;

    if (name == NULL || len == 0 || len > CONSENT_REGIME_TAG_MAX) {
        return NULL;
    }

    for (i = 0; i < p->nregimes; i++) {
        if (p->regimes[i].name_len == len
            && memcmp(p->regimes[i].name, name, len) == 0)
        {
            return &p->regimes[i];
        }
    }

    return NULL;
}


const consent_regime_t *
consent_regime_strictest(const consent_policy_t *p)
{
    size_t                   i;
    const consent_regime_t  *best, *rg;

    best = NULL;

    for (i = 0; i < p->nregimes; i++) {
        rg = &p->regimes[i];

        if (best == NULL || rg->model > best->model
            || (rg->model == best->model
                && consent_regime_bits(rg->defaults)
                   < consent_regime_bits(best->defaults)))
        {
            best = rg;
        }
    }

    return best;
}


const char *
consent_model_name(consent_model_e model)
{
    return model <= CONSENT_MODEL_OPT_IN ? consent_model_names[model] : "?";
}


const consent_regime_t *
consent_regime_of_token(const consent_policy_t *p, const consent_token_t *tok)
{
    if (tok->regime[0] == '\0') {
        return &p->regimes[CONSENT_MODEL_OPT_IN];
    }

    return consent_regime_find(p, tok->regime, strlen(tok->regime));
}


int
consent_regime_carries(const consent_regime_t *from,
    const consent_regime_t *to)
{
    if (from == to) {
        return 1;
    }

    return from->model >= to->model && (from->defaults & ~to->defaults) == 0;
}


void
consent_regime_view(const consent_policy_t *p, const consent_regime_t *rg,
    consent_view_t *view, int gpc)
{
    uint32_t                 g;
    const consent_regime_t  *from;

    view->regime = rg;
    view->gpc = 0;

    if (view->state == CONSENT_STATE_VALID) {
        from = consent_regime_of_token(p, &view->token);

        if (from == NULL || !consent_regime_carries(from, rg)) {
            /* given under a laxer rule: ask again */
            view->state = CONSENT_STATE_OUTDATED;
            view->granted = p->required_mask;
        }
    }

    switch (rg->model) {

    case CONSENT_MODEL_OPT_IN:
        g = (view->state == CONSENT_STATE_VALID) ? view->granted & rg->offered
                                                 : rg->defaults;
        break;

    case CONSENT_MODEL_OPT_OUT:
        g = (view->state == CONSENT_STATE_VALID)
            ? (view->granted | (rg->defaults & ~rg->opt_out)) & rg->offered
            : rg->defaults;

        if (gpc) {
            g &= ~rg->gpc;
            view->gpc = 1;
        }

        break;

    default:
        /* notice and off gate nothing */
        g = p->all_mask;
        break;
    }

    view->granted = (g & p->all_mask) | p->required_mask;
}


uint32_t
consent_regime_choice(const consent_policy_t *p, const consent_regime_t *rg,
    uint32_t chosen, int gpc)
{
    uint32_t  g;

    switch (rg->model) {

    case CONSENT_MODEL_OPT_IN:
        g = chosen & rg->offered;
        break;

    case CONSENT_MODEL_OPT_OUT:
        g = (chosen | (rg->defaults & ~rg->opt_out)) & rg->offered;

        if (gpc) {
            g &= ~rg->gpc;
        }

        break;

    default:
        g = chosen;
        break;
    }

    return (g & p->all_mask) | p->required_mask;
}


const char *
consent_regime_tag(const consent_regime_t *rg)
{
    if (rg == NULL || rg->index == CONSENT_MODEL_OPT_IN) {
        return "";
    }

    return rg->name;
}


uint32_t
consent_regime_ticked(const consent_view_t *view)
{
    if (view->state == CONSENT_STATE_VALID) {
        return view->granted;
    }

    /* before a choice: what runs, if the regime runs anything */

    if (view->regime != NULL && view->regime->model != CONSENT_MODEL_OPT_IN)
    {
        return view->granted;
    }

    if (view->regime != NULL && view->regime->exempt) {
        return view->granted;
    }

    return 0;
}


int
consent_regime_gpp(const consent_policy_t *p, const consent_view_t *view,
    char *str, size_t size, char *sid, size_t sidsize)
{
    int                      n, m;
    unsigned                 i;
    const char              *why;
    consent_gpp_t            gpp;
    consent_gpp_visitor_t    v;
    const consent_regime_t  *rg;

    (void) p;

    if (size > 0) {
        str[0] = '\0';
    }

    if (sidsize > 0) {
        sid[0] = '\0';
    }

    rg = view->regime;

    if (rg == NULL || rg->model != CONSENT_MODEL_OPT_OUT
        || rg->nsections == 0)
    {
        return 0;
    }

    memset(&v, 0, sizeof(consent_gpp_visitor_t));

    v.sells = rg->sale != 0;
    v.shares = rg->sharing != 0;
    v.targets = rg->targeted != 0;

    /* the banner and its opt-out link are on every page of the regime */
    v.notice = 1;
    v.sale_opt_out = (rg->sale & ~view->granted) != 0;
    v.sharing_opt_out = (rg->sharing & ~view->granted) != 0;
    v.targeted_opt_out = (rg->targeted & ~view->granted) != 0;
    v.gpc = view->gpc;
    v.mspa = rg->mspa;

    consent_gpp_init(&gpp);

    for (i = 0; i < rg->nsections; i++) {
        if (rg->sections[i] == CONSENT_GPP_USNAT_ID) {
            gpp.has_usnat = 1;
            consent_gpp_usnat_visitor(&gpp.usnat, &v);

        } else {
            gpp.has_usca = 1;
            consent_gpp_usca_visitor(&gpp.usca, &v);
        }
    }

    n = consent_gpp_encode(&gpp, str, size, &why);
    if (n < 0) {
        return -1;
    }

    m = consent_gpp_sid_encode(&gpp, rg->sections, rg->nsections, sid,
                               sidsize, &why);
    if (m < 0) {
        return -1;
    }

    return n;
}


/*
 * a section's fields, named as IAB's CMP API names them; usnat and usca
 * end in the same names, written out twice on purpose: the two structs
 * differ, and each block reads as its section's table in the spec
 */

static json_t *
consent_regime_fields(const consent_gpp_usnat_t *u,
    const consent_gpp_usca_t *c)
{
    size_t   i, nsdp, nkc;
    json_t  *o, *sdp, *kc;

    o = json_object();
    sdp = json_array();
    kc = json_array();

    if (o == NULL || sdp == NULL || kc == NULL) {
        json_decref(o);
        json_decref(sdp);
        json_decref(kc);
        return NULL;
    }

    if (u != NULL) {
        json_object_set_new(o, "Version", json_integer(u->version));
        json_object_set_new(o, "SharingNotice",
                            json_integer(u->sharing_notice));
        json_object_set_new(o, "SaleOptOutNotice",
                            json_integer(u->sale_opt_out_notice));
        json_object_set_new(o, "SharingOptOutNotice",
                            json_integer(u->sharing_opt_out_notice));
        json_object_set_new(o, "TargetedAdvertisingOptOutNotice",
                    json_integer(u->targeted_advertising_opt_out_notice));
        json_object_set_new(o, "SensitiveDataProcessingOptOutNotice",
                json_integer(u->sensitive_data_processing_opt_out_notice));
        json_object_set_new(o, "SensitiveDataLimitUseNotice",
                            json_integer(u->sensitive_data_limit_use_notice));
        json_object_set_new(o, "SaleOptOut", json_integer(u->sale_opt_out));
        json_object_set_new(o, "SharingOptOut",
                            json_integer(u->sharing_opt_out));
        json_object_set_new(o, "TargetedAdvertisingOptOut",
                            json_integer(u->targeted_advertising_opt_out));

        nsdp = (u->version == 1) ? 12 : CONSENT_GPP_USNAT_SDP;
        nkc = (u->version == 1) ? 2 : CONSENT_GPP_USNAT_KCSDC;

        for (i = 0; i < nsdp; i++) {
            json_array_append_new(sdp,
                            json_integer(u->sensitive_data_processing[i]));
        }

        for (i = 0; i < nkc; i++) {
            json_array_append_new(kc,
                    json_integer(u->known_child_sensitive_data_consents[i]));
        }

        json_object_set_new(o, "SensitiveDataProcessing", sdp);
        json_object_set_new(o, "KnownChildSensitiveDataConsents", kc);
        json_object_set_new(o, "PersonalDataConsents",
                            json_integer(u->personal_data_consents));
        json_object_set_new(o, "MspaCoveredTransaction",
                            json_integer(u->mspa_covered_transaction));
        json_object_set_new(o, "MspaOptOutOptionMode",
                            json_integer(u->mspa_opt_out_option_mode));
        json_object_set_new(o, "MspaServiceProviderMode",
                            json_integer(u->mspa_service_provider_mode));
        json_object_set_new(o, "GpcSegmentType", json_integer(1));
        json_object_set_new(o, "Gpc", json_boolean(u->gpc));

        return o;
    }

    json_object_set_new(o, "Version", json_integer(c->version));
    json_object_set_new(o, "SaleOptOutNotice",
                        json_integer(c->sale_opt_out_notice));
    json_object_set_new(o, "SharingOptOutNotice",
                        json_integer(c->sharing_opt_out_notice));
    json_object_set_new(o, "SensitiveDataLimitUseNotice",
                        json_integer(c->sensitive_data_limit_use_notice));
    json_object_set_new(o, "SaleOptOut", json_integer(c->sale_opt_out));
    json_object_set_new(o, "SharingOptOut", json_integer(c->sharing_opt_out));

    for (i = 0; i < CONSENT_GPP_USCA_SDP; i++) {
        json_array_append_new(sdp,
                              json_integer(c->sensitive_data_processing[i]));
    }

    for (i = 0; i < CONSENT_GPP_USCA_KCSDC; i++) {
        json_array_append_new(kc,
                    json_integer(c->known_child_sensitive_data_consents[i]));
    }

    json_object_set_new(o, "SensitiveDataProcessing", sdp);
    json_object_set_new(o, "KnownChildSensitiveDataConsents", kc);
    json_object_set_new(o, "PersonalDataConsents",
                        json_integer(c->personal_data_consents));
    json_object_set_new(o, "MspaCoveredTransaction",
                        json_integer(c->mspa_covered_transaction));
    json_object_set_new(o, "MspaOptOutOptionMode",
                        json_integer(c->mspa_opt_out_option_mode));
    json_object_set_new(o, "MspaServiceProviderMode",
                        json_integer(c->mspa_service_provider_mode));
    json_object_set_new(o, "GpcSegmentType", json_integer(1));
    json_object_set_new(o, "Gpc", json_boolean(c->gpc));

    return o;
}


struct json_t *
consent_regime_gpp_json(const consent_policy_t *p,
    const consent_view_t *view)
{
    int            n;
    char           str[CONSENT_GPP_SHORT_MAX], sid[16];
    json_t        *o, *ids, *names, *parsed, *f;
    unsigned       i;
    consent_gpp_t  gpp;

    n = consent_regime_gpp(p, view, str, sizeof(str), sid, sizeof(sid));

    if (n <= 0 || consent_gpp_decode(str, n, &gpp, NULL) != 0) {
        return json_null();
    }

    o = json_object();
    ids = json_array();
    names = json_array();
    parsed = json_object();

    if (o == NULL || ids == NULL || names == NULL || parsed == NULL) {
        json_decref(o);
        json_decref(ids);
        json_decref(names);
        json_decref(parsed);
        return NULL;
    }

    json_object_set_new(o, "string", json_string(str));
    json_object_set_new(o, "sid", ids);
    json_object_set_new(o, "sections", names);
    json_object_set_new(o, "parsed", parsed);

    for (i = 0; i < view->regime->nsections; i++) {
        json_array_append_new(ids, json_integer(view->regime->sections[i]));
    }

    for (i = 0; i < gpp.nsections; i++) {
        if (gpp.sections[i] == CONSENT_GPP_USNAT_ID) {
            json_array_append_new(names, json_string("7:usnat"));
            f = consent_regime_fields(&gpp.usnat, NULL);
            json_object_set_new(parsed, "usnat", f ? f : json_null());

        } else if (gpp.sections[i] == CONSENT_GPP_USCA_ID) {
            json_array_append_new(names, json_string("8:usca"));
            f = consent_regime_fields(NULL, &gpp.usca);
            json_object_set_new(parsed, "usca", f ? f : json_null());
        }
    }

    return o;
}


char *
consent_regime_json(const consent_policy_t *p, const consent_view_t *view,
    size_t *len)
{
    char                    *s;
    json_t                  *o, *gpp;
    const consent_regime_t  *rg;

    rg = view->regime ? view->regime : &p->regimes[CONSENT_MODEL_OPT_IN];

    gpp = consent_regime_gpp_json(p, view);
    if (gpp == NULL) {
        return NULL;
    }

    o = json_object();
    if (o == NULL) {
        json_decref(gpp);
        return NULL;
    }

    /* names are a-z 0-9 -, GPP strings base64url: no "<" can appear */

    json_object_set_new(o, "regime", json_string(rg->name));
    json_object_set_new(o, "model",
                        json_string(consent_model_name(rg->model)));
    json_object_set_new(o, "gpc", json_boolean(view->gpc));
    json_object_set_new(o, "gpp", gpp);

    s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);

    if (s != NULL && len != NULL) {
        *len = strlen(s);
    }

    return s;
}


char *
consent_regime_notice_banner(const consent_policy_t *p,
    const consent_regime_t *rg, const char *lang,
    const consent_render_conf_t *rc, const consent_tpl_vars_t *vars,
    size_t *len)
{
    char                    *ret;
    const consent_policy_t  *sp;
    consent_rbuf_t           b;

    sp = consent_regime_shown(p, rg);

    memset(&b, 0, sizeof(consent_rbuf_t));

    ret = malloc(vars->ret_len + 1);
    if (ret == NULL) {
        return NULL;
    }

    memcpy(ret, vars->ret, vars->ret_len);
    ret[vars->ret_len] = '\0';

    /* a notice, not a dialog: it asks nothing and blocks nothing */

    consent_rbuf_str(&b, "<div id=\"consent-banner\" class=\"consent-notice\""
                         " role=\"region\" aria-labelledby=\"consent-title\""
                         " tabindex=\"-1\" lang=\"");
    consent_rbuf_html(&b, lang);
    consent_rbuf_str(&b, consent_lang_rtl(lang) ? "\" dir=\"rtl\""
                                                : "\" dir=\"ltr\"");
    consent_rbuf_str(&b, " data-consent-position=\"");
    consent_rbuf_str(&b, rc->position == CONSENT_POSITION_TOP ? "top"
                                                              : "bottom");
    consent_rbuf_str(&b, "\" data-consent-regime=\"");
    consent_rbuf_html(&b, rg->name);
    consent_rbuf_str(&b, "\" data-consent-ui");
    consent_rbuf_str(&b, vars->hidden ? " hidden" : "");
    consent_rbuf_str(&b, ">\n<form method=\"post\" action=\"");

    {
        char  *ep;

        ep = malloc(rc->endpoint_len + 1);
        if (ep == NULL) {
            free(ret);
            free(b.data);
            return NULL;
        }

        memcpy(ep, rc->endpoint, rc->endpoint_len);
        ep[rc->endpoint_len] = '\0';
        consent_rbuf_html(&b, ep);
        free(ep);
    }

    consent_rbuf_str(&b, "\">\n<input type=\"hidden\" name=\"return\" "
                         "value=\"");
    consent_rbuf_html(&b, ret);
    consent_rbuf_str(&b, "\">\n<h2 id=\"consent-title\">");
    consent_rbuf_html(&b, consent_policy_text(sp, CONSENT_TEXT_TITLE, lang));
    consent_rbuf_str(&b, "</h2>\n<p id=\"consent-text\">");
    consent_rbuf_html(&b, consent_policy_text(sp, CONSENT_TEXT_MESSAGE,
                                              lang));
    consent_rbuf_str(&b, " <a href=\"");
    consent_rbuf_html(&b, p->privacy_url);
    consent_rbuf_str(&b, "\">");
    consent_rbuf_html(&b, consent_policy_text(sp, CONSENT_TEXT_PRIVACY_LINK,
                                              lang));
    consent_rbuf_str(&b, "</a></p>\n<div class=\"consent-buttons\">"
                         "<button type=\"submit\" name=\"action\" "
                         "value=\"accept_all\">");
    consent_rbuf_html(&b, consent_policy_text(sp, CONSENT_TEXT_ACCEPT_ALL,
                                              lang));
    consent_rbuf_str(&b, "</button></div>\n</form>\n</div>");

    free(ret);

    if (b.failed) {
        free(b.data);
        return NULL;
    }

    consent_rbuf_add(&b, "", 1);

    if (b.failed) {
        free(b.data);
        return NULL;
    }

    if (len) {
        *len = b.len - 1;
    }

    return b.data;
}


const consent_policy_t *
consent_regime_shown(const consent_policy_t *p, const consent_regime_t *rg)
{
    return (rg != NULL && rg->shown != NULL) ? rg->shown : p;
}


static unsigned
consent_regime_bits(uint32_t v)
{
    unsigned  n;

    for (n = 0; v; v &= v - 1) {
        n++;
    }

    return n;
}


static void
consent_rbuf_add(consent_rbuf_t *b, const char *s, size_t n)
{
    char    *d;
    size_t   cap;

    if (b->failed) {
        return;
    }

    if (b->len + n > b->cap) {
        cap = b->cap ? b->cap : 1024;

        while (cap < b->len + n) {
            cap *= 2;
        }

        d = realloc(b->data, cap);
        if (d == NULL) {
            b->failed = 1;
            return;
        }

        b->data = d;
        b->cap = cap;
    }

    memcpy(b->data + b->len, s, n);
    b->len += n;
}


static void
consent_rbuf_str(consent_rbuf_t *b, const char *s)
{
    consent_rbuf_add(b, s, strlen(s));
}


static void
consent_rbuf_html(consent_rbuf_t *b, const char *s)
{
    char    esc[CONSENT_ESCAPE_MAX * 256], *e;
    size_t  n, k;

    if (s == NULL) {
        return;
    }

    /* in pieces, so that the buffer grows as the bytes come */

    for (n = strlen(s); n; n -= k) {
        k = n < 256 ? n : 256;
        e = consent_escape_html(esc, s, k, CONSENT_ESCAPE_APOS);
        consent_rbuf_add(b, esc, e - esc);
        s += k;
    }
}


/*
 * "line L: regimes.NAME.KEY.KEY2: what", the line found by looking for
 * the keys in turn in the file's text (jansson keeps no positions)
 */

static void
consent_regime_error(consent_rparse_t *rp, const char *name, const char *key,
    const char *key2, const char *fmt, ...)
{
    int                 n;
    char                path[CONSENT_REGIME_PATH_MAX];
    size_t              line, nkeys;
    va_list             args;
    const char         *keys[4];

    if (rp->errlen == 0) {
        return;
    }

    nkeys = 0;
    keys[nkeys++] = "regimes";

    n = snprintf(path, sizeof(path), "regimes");

    if (name) {
        keys[nkeys++] = name;
        n += snprintf(path + n, sizeof(path) - (n < (int) sizeof(path)
                                                ? n : (int) sizeof(path)),
                      ".%.40s", name);
    }

    if (key && (size_t) n < sizeof(path)) {
        keys[nkeys++] = key;
        n += snprintf(path + n, sizeof(path) - n, ".%.40s", key);
    }

    if (key2 && (size_t) n < sizeof(path)) {
        keys[nkeys++] = key2;
        snprintf(path + n, sizeof(path) - n, ".%.40s", key2);
    }

    line = consent_regime_line(rp->data, rp->len, keys, nkeys);

    if (line) {
        n = snprintf(rp->err, rp->errlen, "line %zu: %s: ", line, path);

    } else {
        n = snprintf(rp->err, rp->errlen, "%s: ", path);
    }

    if (n < 0 || (size_t) n >= rp->errlen) {
        return;
    }

    va_start(args, fmt);
    vsnprintf(rp->err + n, rp->errlen - n, fmt, args);
    va_end(args);
}


static size_t
consent_regime_line(const char *data, size_t len, const char *const *keys,
    size_t n)
{
    char         quoted[CONSENT_REGIME_PATH_MAX];
    size_t       i, k, line, qlen;
    const char  *p, *end, *found;

    p = data;
    end = data + len;
    found = NULL;

    for (k = 0; k < n; k++) {
        qlen = (size_t) snprintf(quoted, sizeof(quoted), "\"%s\"", keys[k]);

        if (qlen >= sizeof(quoted)) {
            break;
        }

        for (found = NULL; p + qlen <= end; p++) {
            if (memcmp(p, quoted, qlen) == 0) {
                found = p;
                p += qlen;
                break;
            }
        }

        if (found == NULL) {
            return 0;
        }
    }

    if (found == NULL) {
        return 0;
    }

    line = 1;

    for (i = 0; data + i < found; i++) {
        if (data[i] == '\n') {
            line++;
        }
    }

    return line;
}

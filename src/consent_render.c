
/*
 * Copyright (C) ngx_http_consent_module authors
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <jansson.h>

#include "consent_escape.h"
#include "consent_render.h"
#include "consent_tcf_cmp.h"
#include "consent_regime.h"


typedef struct {
    char       *data;
    size_t      len;
    size_t      cap;
    int         failed;
} consent_buf_t;


static void consent_buf_add(consent_buf_t *b, const char *s, size_t n);
static void consent_buf_str(consent_buf_t *b, const char *s);
static void consent_buf_html(consent_buf_t *b, const char *s, size_t n);
static void consent_buf_text(consent_buf_t *b, const char *s);
static json_t *consent_ids_json(const consent_policy_t *policy,
    uint32_t mask);
static char *consent_dump(json_t *root, size_t *len);
static void consent_buf_json(consent_buf_t *b, const char *s, size_t n);
static void consent_buf_ids(consent_buf_t *b, const consent_policy_t *policy,
    uint32_t mask);
static void consent_buf_slot(consent_buf_t *b, char name);
static consent_tpl_t *consent_tpl_make(consent_buf_t *b,
    const consent_policy_t *policy);
static char *consent_tpl_ids(char *o, const consent_policy_t *policy,
    uint32_t mask);
static char *consent_tpl_once(consent_tpl_t *tpl,
    const consent_tpl_vars_t *vars, size_t *len);
static void consent_tpl_button(consent_buf_t *b,
    const consent_policy_t *policy, const char *lang, const char *action,
    consent_text_e text);
static void consent_render_cookie_names(consent_buf_t *b,
    const consent_policy_t *policy, const char *lang, size_t cat);
static void consent_render_cookie_list(consent_buf_t *b,
    const consent_policy_t *policy, const char *lang, size_t cat);
static void consent_render_cookie_name(consent_buf_t *b,
    const consent_cookie_decl_t *d);
static const char *consent_render_text_or(const consent_policy_t *policy,
    consent_text_e key, const char *lang, const char *dflt);
static void consent_render_regime_json(json_t *o,
    const consent_policy_t *policy, const consent_view_t *view);
static void consent_render_category(consent_buf_t *b,
    const consent_policy_t *policy, const consent_view_t *view,
    const char *lang, size_t i);


void
consent_view_init(consent_view_t *view, const consent_policy_t *policy,
    consent_state_e state, const consent_token_t *tok)
{
    memset(view, 0, sizeof(consent_view_t));

    view->state = state;
    view->granted = policy->required_mask;

    if (state == CONSENT_STATE_ABSENT || state == CONSENT_STATE_INVALID
        || tok == NULL)
    {
        return;
    }

    view->token = *tok;
    view->expires = tok->issued + policy->max_age;

    if (state == CONSENT_STATE_VALID) {
        view->granted |= tok->granted & policy->all_mask;
    }
}


void
consent_format_time(int64_t t, char *out)
{
    time_t     tt;
    struct tm  tm;

    tt = (time_t) t;

    if (gmtime_r(&tt, &tm) == NULL
        || strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
    {
        strcpy(out, "1970-01-01T00:00:00Z");
    }
}


static json_t *
consent_ids_json(const consent_policy_t *policy, uint32_t mask)
{
    size_t   i;
    json_t  *a;

    a = json_array();
    if (a == NULL) {
        return NULL;
    }

    for (i = 0; i < policy->ncategories; i++) {
        if (mask & ((uint32_t) 1 << i)) {
            json_array_append_new(a,
                json_stringn(policy->categories[i].id,
                             policy->categories[i].id_len));
        }
    }

    return a;
}


static char *
consent_dump(json_t *root, size_t *len)
{
    char  *s;

    if (root == NULL) {
        return NULL;
    }

    s = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(root);

    if (s != NULL && len != NULL) {
        *len = strlen(s);
    }

    return s;
}


char *
consent_render_state_json(const consent_policy_t *policy,
    const consent_view_t *view, size_t *len)
{
    char     id[CONSENT_ID_B64_LEN + 1], t[32];
    json_t  *o;
    int      known;

    o = json_object();
    if (o == NULL) {
        return NULL;
    }

    known = view->state != CONSENT_STATE_ABSENT
            && view->state != CONSENT_STATE_INVALID;

    json_object_set_new(o, "state",
                        json_string(consent_state_name(view->state)));

    if (known) {
        consent_id_format(view->token.id, id);
        json_object_set_new(o, "id", json_string(id));

    } else {
        json_object_set_new(o, "id", json_null());
    }

    json_object_set_new(o, "revision", json_integer(policy->revision));
    json_object_set_new(o, "policy_sha256",
                        json_string(policy->sha256_hex));
    json_object_set_new(o, "granted",
                        consent_ids_json(policy, view->granted));
    json_object_set_new(o, "denied",
                        consent_ids_json(policy,
                                         policy->all_mask & ~view->granted));

    if (known) {
        consent_format_time(view->token.issued, t);
        json_object_set_new(o, "issued", json_string(t));
        consent_format_time(view->expires, t);
        json_object_set_new(o, "expires", json_string(t));

    } else {
        json_object_set_new(o, "issued", json_null());
        json_object_set_new(o, "expires", json_null());
    }

    if (view->regime != NULL) {
        consent_render_regime_json(o, policy, view);
    }

    /* consent_tcf cmp: what __tcfapi answers (src/consent_tcf_tcdata.c) */

    if (view->tcf != NULL) {
        json_object_set_new(o, "tcf", consent_tcf_tcdata(view->tcf));
    }

    return consent_dump(o, len);
}


/* the regime in force, its GPC and GPP (docs/regimes.md) */

static void
consent_render_regime_json(json_t *o, const consent_policy_t *policy,
    const consent_view_t *view)
{
    json_t  *gpp;

    json_object_set_new(o, "regime", json_string(view->regime->name));
    json_object_set_new(o, "model",
                        json_string(consent_model_name(view->regime->model)));
    json_object_set_new(o, "gpc", json_boolean(view->gpc));

    gpp = consent_regime_gpp_json(policy, view);

    if (gpp != NULL) {
        json_object_set_new(o, "gpp", gpp);
    }
}


/* the JSON of a string the configuration or the policy gives */

static void
consent_buf_json(consent_buf_t *b, const char *s, size_t n)
{
    char           esc[8];
    size_t         i, start;
    unsigned char  c;

    consent_buf_add(b, "\"", 1);

    start = 0;

    for (i = 0; i < n; i++) {
        c = (unsigned char) s[i];

        /* "<" and "/" escaped: no "</script" or "<!--" in the element */

        if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '/'
            && c != 0x7f)
        {
            continue;
        }

        consent_buf_add(b, s + start, i - start);
        snprintf(esc, sizeof(esc), "\\u%04x", c);
        consent_buf_str(b, esc);
        start = i + 1;
    }

    consent_buf_add(b, s + start, n - start);
    consent_buf_add(b, "\"", 1);
}


static void
consent_buf_ids(consent_buf_t *b, const consent_policy_t *policy,
    uint32_t mask)
{
    size_t  i;
    int     first;

    first = 1;
    consent_buf_add(b, "[", 1);

    for (i = 0; i < policy->ncategories; i++) {
        if (mask & ((uint32_t) 1 << i)) {
            consent_buf_str(b, first ? "" : ",");
            consent_buf_json(b, policy->categories[i].id,
                             policy->categories[i].id_len);
            first = 0;
        }
    }

    consent_buf_add(b, "]", 1);
}


/*
 * A template is markup with slots: a 0x01 byte and a letter (rendered
 * text has no control characters, so none is taken for a slot).
 * The banner's: "H": " hidden" if the banner starts hidden; "M": the
 * opposite, for the "manage" link; "R": the return path; "G" ... "g":
 * the GPC notice, or nothing; "C" and a byte (0x20 + index): " checked"
 * if that category is granted.  The head's: "S": the state's name; "I"
 * and "D": the granted and the denied ids, as JSON arrays; "P": true or
 * false (GPC); "N": a nonce attribute, or nothing.
 */

#define CONSENT_SLOT  '\001'

struct consent_tpl_s {
    char                    *data;
    size_t                   len;
    const consent_policy_t  *policy;
    size_t                   nret;      /* "R" slots */
    size_t                   nnonce;    /* "N" slots */
    size_t                   nother;    /* the others: 10 bytes at most */
    size_t                   ids;       /* bytes of every id as JSON */
};


static consent_tpl_t *
consent_tpl_make(consent_buf_t *b, const consent_policy_t *policy)
{
    size_t          i;
    const char     *p, *end;
    consent_tpl_t  *tpl;

    if (b->failed) {
        free(b->data);
        return NULL;
    }

    tpl = calloc(1, sizeof(consent_tpl_t));
    if (tpl == NULL) {
        free(b->data);
        return NULL;
    }

    tpl->data = b->data;
    tpl->len = b->len;
    tpl->policy = policy;

    p = tpl->data;
    end = tpl->data + tpl->len;

    while ((p = memchr(p, CONSENT_SLOT, end - p)) != NULL && p + 1 < end) {
        switch (p[1]) {
        case 'R':  tpl->nret++;    break;
        case 'N':  tpl->nnonce++;  break;
        default:   tpl->nother++;  break;
        }

        p += 2;
    }

    /* ids are [a-z0-9_-]: quoted and a comma each, and the brackets */

    for (i = 0; i < policy->ncategories; i++) {
        tpl->ids += policy->categories[i].id_len + 3;
    }

    tpl->ids += 4;

    return tpl;
}


consent_tpl_t *
consent_render_head_tpl(const consent_policy_t *policy,
    const consent_render_conf_t *rc)
{
    char            num[32];
    size_t          g, i;
    int             first;
    uint32_t        bit, mask;
    consent_buf_t   b;

    memset(&b, 0, sizeof(consent_buf_t));

    /* the nonce on the inert state too: "anything injected" carries it */

    consent_buf_str(&b, "<script type=\"application/json\" "
                        "id=\"consent-state\" data-consent-ui");
    consent_buf_slot(&b, 'N');
    consent_buf_str(&b, ">{\"state\":");
    consent_buf_slot(&b, 'S');
    consent_buf_str(&b, ",\"endpoint\":");
    consent_buf_json(&b, rc->endpoint, rc->endpoint_len);
    snprintf(num, sizeof(num), ",\"revision\":%u,\"granted\":",
             (unsigned) policy->revision);
    consent_buf_str(&b, num);
    consent_buf_slot(&b, 'I');
    consent_buf_str(&b, ",\"denied\":");
    consent_buf_slot(&b, 'D');
    consent_buf_str(&b, ",\"gpc\":");
    consent_buf_slot(&b, 'P');

    /* Consent Mode: each signal and the categories that must grant it */

    consent_buf_str(&b, ",\"consent_mode\":{");
    first = 1;

    for (g = 0; g < CONSENT_GCM_N; g++) {
        bit = (uint32_t) 1 << g;
        mask = 0;

        for (i = 0; i < policy->ncategories; i++) {
            if (policy->categories[i].gcm & bit) {
                mask |= (uint32_t) 1 << i;
            }
        }

        if (mask == 0) {
            continue;
        }

        consent_buf_str(&b, first ? "\"" : ",\"");
        consent_buf_str(&b, consent_gcm_name((consent_gcm_e) g));
        consent_buf_str(&b, "\":");
        consent_buf_ids(&b, policy, mask);

        first = 0;
    }

    consent_buf_str(&b, "}}</script><link rel=\"stylesheet\" href=\"");
    consent_buf_html(&b, rc->endpoint, rc->endpoint_len);
    consent_buf_str(&b, "banner.css?v=");
    consent_buf_text(&b, rc->version);
    consent_buf_str(&b, "\" data-consent-ui");
    consent_buf_slot(&b, 'N');
    consent_buf_str(&b, "><script src=\"");
    consent_buf_html(&b, rc->endpoint, rc->endpoint_len);
    consent_buf_str(&b, "banner.js?v=");
    consent_buf_text(&b, rc->version);
    consent_buf_str(&b, "\" data-consent-ui");
    consent_buf_slot(&b, 'N');
    consent_buf_str(&b, "></script>");

    return consent_tpl_make(&b, policy);
}


char *
consent_render_head(const consent_policy_t *policy,
    const consent_view_t *view, int gpc, const consent_render_conf_t *rc,
    const char *nonce, size_t nonce_len, size_t *len)
{
    consent_tpl_vars_t  vars;

    memset(&vars, 0, sizeof(consent_tpl_vars_t));
    vars.state = view->state;
    vars.in_force = view->granted;
    vars.gpc = gpc ? 1 : 0;
    vars.nonce = nonce;
    vars.nonce_len = nonce_len;

    return consent_tpl_once(consent_render_head_tpl(policy, rc), &vars, len);
}


/* a template filled once and freed: for tools and tests */

static char *
consent_tpl_once(consent_tpl_t *tpl, const consent_tpl_vars_t *vars,
    size_t *len)
{
    char    *out;
    size_t   n;

    if (tpl == NULL) {
        return NULL;
    }

    out = malloc(consent_tpl_size(tpl, vars) + 1);

    if (out != NULL) {
        n = consent_tpl_fill(tpl, vars, out);
        out[n] = '\0';

        if (len != NULL) {
            *len = n;
        }
    }

    consent_tpl_free(tpl);

    return out;
}


static void
consent_buf_slot(consent_buf_t *b, char name)
{
    char  s[2];

    s[0] = CONSENT_SLOT;
    s[1] = name;

    consent_buf_add(b, s, 2);
}


int
consent_lang_rtl(const char *lang)
{
    static const char *const  rtl[] = {
        "ar", "arc", "ckb", "dv", "fa", "he", "iw", "ks", "ku", "ps",
        "sd", "ug", "ur", "yi", NULL
    };

    size_t              n;
    const char *const  *p;

    if (lang == NULL) {
        return 0;
    }

    n = strcspn(lang, "-_");

    for (p = rtl; *p; p++) {
        if (strlen(*p) == n && strncasecmp(*p, lang, n) == 0) {
            return 1;
        }
    }

    return 0;
}


static void
consent_tpl_button(consent_buf_t *b, const consent_policy_t *policy,
    const char *lang, const char *action, consent_text_e text)
{
    consent_buf_str(b, "<button type=\"submit\" name=\"action\" value=\"");
    consent_buf_str(b, action);
    consent_buf_str(b, "\">");
    consent_buf_text(b, consent_policy_text(policy, text, lang));
    consent_buf_str(b, "</button>");
}


consent_tpl_t *
consent_render_banner_tpl(const consent_policy_t *policy, const char *lang,
    const consent_render_conf_t *rc)
{
    char                       slot[3];
    size_t                     i;
    consent_buf_t              b;
    const consent_category_t  *c;

    static const char *const  positions[] = { "bottom", "top", "center" };

    if (policy->ncategories > 0x7f - 0x20) {
        return NULL;
    }

    memset(&b, 0, sizeof(consent_buf_t));

    consent_buf_str(&b, "<div id=\"consent-banner\" role=\"dialog\" "
                        "aria-labelledby=\"consent-title\" "
                        "aria-describedby=\"consent-text\" tabindex=\"-1\" "
                        "lang=\"");
    consent_buf_text(&b, lang);
    consent_buf_str(&b, consent_lang_rtl(lang) ? "\" dir=\"rtl\""
                                               : "\" dir=\"ltr\"");
    consent_buf_str(&b, " data-consent-position=\"");
    consent_buf_str(&b, positions[rc->position <= CONSENT_POSITION_CENTER
                                  ? rc->position : 0]);
    consent_buf_str(&b, "\"");

    if (rc->position == CONSENT_POSITION_CENTER) {
        consent_buf_str(&b, " aria-modal=\"true\"");
    }

    consent_buf_str(&b, " data-consent-ui");
    consent_buf_slot(&b, 'H');
    consent_buf_str(&b, ">\n<form method=\"post\" action=\"");
    consent_buf_html(&b, rc->endpoint, rc->endpoint_len);
    consent_buf_str(&b, "\">\n<input type=\"hidden\" name=\"return\" "
                        "value=\"");
    consent_buf_slot(&b, 'R');
    consent_buf_str(&b, "\">\n<h2 id=\"consent-title\">");
    consent_buf_text(&b, consent_policy_text(policy, CONSENT_TEXT_TITLE,
                                             lang));
    consent_buf_str(&b, "</h2>\n<p id=\"consent-text\">");
    consent_buf_text(&b, consent_policy_text(policy, CONSENT_TEXT_MESSAGE,
                                             lang));
    consent_buf_str(&b, " <a href=\"");
    consent_buf_text(&b, policy->privacy_url);
    consent_buf_str(&b, "\">");
    consent_buf_text(&b, consent_policy_text(policy,
                                             CONSENT_TEXT_PRIVACY_LINK,
                                             lang));
    consent_buf_str(&b, "</a></p>\n");

    consent_buf_slot(&b, 'G');
    consent_buf_str(&b, "<p class=\"consent-gpc\">");
    consent_buf_text(&b, consent_policy_text(policy,
                                             CONSENT_TEXT_GPC_HONOURED,
                                             lang));
    consent_buf_str(&b, "</p>\n");
    consent_buf_slot(&b, 'g');

    /* one choice for several sites: the visitor is told which */

    if (rc->domains_len) {
        consent_buf_str(&b, "<p class=\"consent-domains\">");
        consent_buf_text(&b, consent_render_text_or(policy,
                                                    CONSENT_TEXT_DOMAINS,
                                                    lang,
                                                    "This choice applies to"));
        consent_buf_str(&b, ": ");
        consent_buf_html(&b, rc->domains, rc->domains_len);
        consent_buf_str(&b, "</p>\n");
    }

    /*
     * the second layer: hidden until "customise" (without JavaScript
     * that button opens the preferences page instead); no optional
     * category is ticked unless the visitor granted it
     */

    if (rc->tcf_first_len) {
        /* CMP mode: the TCF's second layer is fetched into layer2 */
        consent_buf_add(&b, rc->tcf_first, rc->tcf_first_len);
        consent_buf_str(&b, "<div id=\"consent-layer2\" hidden "
                            "data-consent-tcf=\"");
        consent_buf_html(&b, rc->endpoint, rc->endpoint_len);
        consent_buf_str(&b, "?layer=2\">\n");
        goto save;
    }

    consent_buf_str(&b, "<div id=\"consent-layer2\" hidden>\n");

    for (i = 0; i < policy->ncategories; i++) {
        c = &policy->categories[i];

        consent_buf_str(&b, "<div class=\"consent-category\">\n<label>"
                            "<input type=\"checkbox\" name=\"granted\" "
                            "value=\"");
        consent_buf_html(&b, c->id, c->id_len);
        consent_buf_str(&b, "\" aria-describedby=\"consent-d-");
        consent_buf_html(&b, c->id, c->id_len);
        consent_buf_str(&b, "\"");

        if (c->required) {
            consent_buf_str(&b, " checked disabled> ");
            consent_buf_text(&b, consent_policy_label(policy, i, lang));
            consent_buf_str(&b, " (");
            consent_buf_text(&b, consent_policy_text(policy,
                                                     CONSENT_TEXT_ALWAYS_ON,
                                                     lang));
            consent_buf_str(&b, ")");

        } else {
            slot[0] = CONSENT_SLOT;
            slot[1] = 'C';
            slot[2] = (char) (0x20 + i);
            consent_buf_add(&b, slot, 3);
            consent_buf_str(&b, "> ");
            consent_buf_text(&b, consent_policy_label(policy, i, lang));
        }

        consent_buf_str(&b, "</label>\n<p id=\"consent-d-");
        consent_buf_html(&b, c->id, c->id_len);
        consent_buf_str(&b, "\">");
        consent_buf_text(&b, consent_policy_description(policy, i, lang));
        consent_render_cookie_names(&b, policy, lang, i);
        consent_buf_str(&b, "</p>\n</div>\n");
    }

save:

    consent_buf_str(&b, "<div class=\"consent-buttons\">");
    consent_tpl_button(&b, policy, lang, "save", CONSENT_TEXT_SAVE);
    consent_buf_str(&b, "</div>\n</div>\n");

    /*
     * three buttons of one kind: accepting is no easier than rejecting,
     * and none is the default one that Enter would press
     */

    consent_buf_str(&b, "<div class=\"consent-buttons\">\n");
    consent_tpl_button(&b, policy, lang, "accept_all",
                       CONSENT_TEXT_ACCEPT_ALL);
    consent_buf_str(&b, "\n");
    consent_tpl_button(&b, policy, lang, "reject_all",
                       CONSENT_TEXT_REJECT_ALL);
    consent_buf_str(&b, "\n<button type=\"submit\" formmethod=\"get\" "
                        "formaction=\"");
    consent_buf_html(&b, rc->endpoint, rc->endpoint_len);
    consent_buf_str(&b, "\" data-consent-customise "
                        "aria-controls=\"consent-layer2\" "
                        "aria-expanded=\"false\">");
    consent_buf_text(&b, consent_policy_text(policy, CONSENT_TEXT_CUSTOMISE,
                                             lang));
    /*
     * the end mark: the stylesheet keeps the banner unseen until the
     * parser has reached it, so that no frame shows it half parsed and
     * then growing (a layout shift)
     */
    consent_buf_str(&b, "</button>\n</div>\n"
                        "<i class=\"consent-end\" hidden></i></form>\n"
                        "</div>");

    if (rc->manage_button) {
        consent_buf_str(&b, "\n<a href=\"");
        consent_buf_html(&b, rc->endpoint, rc->endpoint_len);
        consent_buf_str(&b, "\" id=\"consent-manage\" lang=\"");
        consent_buf_text(&b, lang);
        consent_buf_str(&b, "\" data-consent-open data-consent-ui");
        consent_buf_slot(&b, 'M');
        consent_buf_str(&b, ">");
        consent_buf_text(&b, consent_policy_text(policy, CONSENT_TEXT_MANAGE,
                                                 lang));
        consent_buf_str(&b, "</a>");
    }

    return consent_tpl_make(&b, policy);
}


size_t
consent_tpl_size(const consent_tpl_t *tpl, const consent_tpl_vars_t *vars)
{
    return tpl->len + tpl->nret * CONSENT_ESCAPE_MAX * vars->ret_len
           + tpl->nnonce * (CONSENT_ESCAPE_MAX * vars->nonce_len
                            + sizeof(" nonce=\"\""))
           + tpl->nother * 10 + 2 * tpl->ids;
}


static char *
consent_tpl_ids(char *o, const consent_policy_t *policy, uint32_t mask)
{
    size_t  i;
    int     first;

    first = 1;
    *o++ = '[';

    for (i = 0; i < policy->ncategories; i++) {
        if (mask & ((uint32_t) 1 << i)) {
            if (!first) {
                *o++ = ',';
            }

            *o++ = '"';
            memcpy(o, policy->categories[i].id, policy->categories[i].id_len);
            o += policy->categories[i].id_len;
            *o++ = '"';
            first = 0;
        }
    }

    *o++ = ']';

    return o;
}


size_t
consent_tpl_fill(const consent_tpl_t *tpl, const consent_tpl_vars_t *vars,
    char *out)
{
    char        *o;
    size_t       i;
    const char  *p, *end, *s, *name;

    o = out;
    p = tpl->data;
    end = tpl->data + tpl->len;

    while (p < end) {
        s = memchr(p, CONSENT_SLOT, end - p);

        if (s == NULL || s + 1 >= end) {
            memcpy(o, p, end - p);
            o += end - p;
            break;
        }

        memcpy(o, p, s - p);
        o += s - p;
        p = s + 2;

        switch (s[1]) {

        case 'H':
        case 'M':
            if (vars->hidden == (s[1] == 'H')) {
                memcpy(o, " hidden", 7);
                o += 7;
            }
            break;

        case 'R':
            o = consent_escape_html(o, vars->ret, vars->ret_len,
                                    CONSENT_ESCAPE_APOS);
            break;

        case 'S':
            name = consent_state_name(vars->state);
            *o++ = '"';
            memcpy(o, name, strlen(name));
            o += strlen(name);
            *o++ = '"';
            break;

        case 'I':
            o = consent_tpl_ids(o, tpl->policy, vars->in_force);
            break;

        case 'D':
            o = consent_tpl_ids(o, tpl->policy,
                                tpl->policy->all_mask & ~vars->in_force);
            break;

        case 'P':
            if (vars->gpc) {
                memcpy(o, "true", 4);
                o += 4;

            } else {
                memcpy(o, "false", 5);
                o += 5;
            }
            break;

        case 'N':
            if (vars->nonce_len) {
                memcpy(o, " nonce=\"", 8);
                o = consent_escape_html(o + 8, vars->nonce,
                                        vars->nonce_len, CONSENT_ESCAPE_APOS);
                *o++ = '"';
            }
            break;

        case 'G':
            if (!vars->gpc) {
                /* to the end of the notice */
                while (p + 1 < end
                       && !(p[0] == CONSENT_SLOT && p[1] == 'g'))
                {
                    p++;
                }

                p += 2;
            }
            break;

        case 'C':
            if (p < end) {
                i = (unsigned char) *p++ - 0x20;

                if (i < 32 && (vars->granted & ((uint32_t) 1 << i))) {
                    memcpy(o, " checked", 8);
                    o += 8;
                }
            }
            break;

        default:   /* 'g' */
            break;
        }
    }

    return o - out;
}


char *
consent_render_banner(const consent_policy_t *policy, const char *lang,
    const consent_render_conf_t *rc, const consent_tpl_vars_t *vars,
    size_t *len)
{
    return consent_tpl_once(consent_render_banner_tpl(policy, lang, rc),
                            vars, len);
}


void
consent_tpl_free(consent_tpl_t *tpl)
{
    if (tpl != NULL) {
        free(tpl->data);
        free(tpl);
    }
}


char *
consent_render_error_json(int status, const char *message, size_t *len)
{
    char    *copy, *p;
    json_t  *o, *m;

    o = json_object();
    if (o == NULL) {
        return NULL;
    }

    m = json_string(message);

    if (m == NULL && message != NULL) {

        /*
         * not UTF-8 (a name echoed from the request, or cut inside a
         * character): jansson refuses it, so bytes over 0x7f become '?'
         */

        copy = strdup(message);

        if (copy != NULL) {
            for (p = copy; *p; p++) {
                if ((unsigned char) *p > 0x7f) {
                    *p = '?';
                }
            }

            m = json_string(copy);
            free(copy);
        }
    }

    json_object_set_new(o, "error", m);
    json_object_set_new(o, "status", json_integer(status));

    return consent_dump(o, len);
}


static void
consent_buf_add(consent_buf_t *b, const char *s, size_t n)
{
    char    *p;
    size_t   cap;

    if (b->failed) {
        return;
    }

    if (b->len + n + 1 > b->cap) {
        cap = b->cap ? b->cap : 4096;

        while (cap < b->len + n + 1) {
            cap *= 2;
        }

        p = realloc(b->data, cap);
        if (p == NULL) {
            b->failed = 1;
            return;
        }

        b->data = p;
        b->cap = cap;
    }

    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}


static void
consent_buf_str(consent_buf_t *b, const char *s)
{
    consent_buf_add(b, s, strlen(s));
}


/*
 * escapes for both text and quoted attribute values, with no control
 * character; in pieces, so that the buffer grows as the bytes come
 */

static void
consent_buf_html(consent_buf_t *b, const char *s, size_t n)
{
    char    esc[CONSENT_ESCAPE_MAX * 256], *e;
    size_t  k;

    while (n) {
        k = n < 256 ? n : 256;
        e = consent_escape_html(esc, s, k,
                                CONSENT_ESCAPE_APOS | CONSENT_ESCAPE_CTRL);
        consent_buf_add(b, esc, e - esc);
        s += k;
        n -= k;
    }
}


static void
consent_buf_text(consent_buf_t *b, const char *s)
{
    if (s != NULL) {
        consent_buf_html(b, s, strlen(s));
    }
}


static void
consent_render_category(consent_buf_t *b, const consent_policy_t *policy,
    const consent_view_t *view, const char *lang, size_t i)
{
    const consent_category_t  *c;

    c = &policy->categories[i];

    consent_buf_str(b, "<fieldset class=\"consent-category\">\n<legend>");
    consent_buf_text(b, consent_policy_label(policy, i, lang));
    consent_buf_str(b, "</legend>\n<label><input type=\"checkbox\" "
                       "name=\"granted\" value=\"");
    consent_buf_html(b, c->id, c->id_len);
    consent_buf_str(b, "\"");

    if (c->required) {
        consent_buf_str(b, " checked disabled> ");
        consent_buf_text(b, consent_policy_text(policy,
                                                CONSENT_TEXT_ALWAYS_ON,
                                                lang));

    } else {
        if (view->granted & ((uint32_t) 1 << i)) {
            consent_buf_str(b, " checked");
        }

        consent_buf_str(b, "> ");
        consent_buf_text(b, consent_policy_label(policy, i, lang));
    }

    consent_buf_str(b, "</label>\n<p>");
    consent_buf_text(b, consent_policy_description(policy, i, lang));
    consent_buf_str(b, "</p>\n");
    consent_render_cookie_list(b, policy, lang, i);
    consent_buf_str(b, "</fieldset>\n");
}


/* a policy text that a policy may leave out, or the module's English */

static const char *
consent_render_text_or(const consent_policy_t *policy, consent_text_e key,
    const char *lang, const char *dflt)
{
    const char  *s;

    s = consent_policy_text(policy, key, lang);

    return s != NULL ? s : dflt;
}


static void
consent_render_cookie_name(consent_buf_t *b, const consent_cookie_decl_t *d)
{
    consent_buf_html(b, d->name, d->len);

    if (d->prefix) {
        consent_buf_str(b, "*");
    }
}


/*
 * The banner's second layer names a category's cookies after its
 * description, as text: the banner is in every page, the details are on
 * the preferences page
 */

static void
consent_render_cookie_names(consent_buf_t *b, const consent_policy_t *policy,
    const char *lang, size_t cat)
{
    size_t                        i, n;
    const consent_cookie_decl_t  *d;

    n = 0;

    for (i = 0; i < policy->ncookies; i++) {
        d = &policy->cookies[i];

        if (d->category != cat) {
            continue;
        }

        if (n++ == 0) {
            consent_buf_str(b, " ");
            consent_buf_text(b, consent_render_text_or(policy,
                                                       CONSENT_TEXT_COOKIES,
                                                       lang, "Cookies"));
            consent_buf_str(b, ": ");

        } else {
            consent_buf_str(b, ", ");
        }

        consent_render_cookie_name(b, d);
    }
}


/* the preferences page: name, provider, purpose and lifetime of each */

static void
consent_render_cookie_list(consent_buf_t *b, const consent_policy_t *policy,
    const char *lang, size_t cat)
{
    size_t                        i, n;
    const char                   *purpose, *lifetime, *label;
    const consent_cookie_decl_t  *d;

    n = 0;
    label = consent_render_text_or(policy, CONSENT_TEXT_COOKIES, lang,
                                   "Cookies");

    for (i = 0; i < policy->ncookies; i++) {
        d = &policy->cookies[i];

        if (d->category != cat) {
            continue;
        }

        if (n++ == 0) {
            consent_buf_str(b, "<ul class=\"consent-cookies\" aria-label=\"");
            consent_buf_text(b, label);
            consent_buf_str(b, "\">\n");
        }

        consent_buf_str(b, "<li><code>");
        consent_render_cookie_name(b, d);
        consent_buf_str(b, "</code>");

        if (d->provider != NULL) {
            consent_buf_str(b, " (");
            consent_buf_text(b, d->provider);
            consent_buf_str(b, ")");
        }

        purpose = consent_policy_cookie_purpose(policy, i, lang);
        lifetime = consent_policy_cookie_lifetime(policy, i, lang);

        if (purpose != NULL) {
            consent_buf_str(b, ": ");
            consent_buf_text(b, purpose);
        }

        if (lifetime != NULL) {
            consent_buf_str(b, purpose != NULL ? " " : ": ");
            consent_buf_text(b, consent_render_text_or(policy,
                                                       CONSENT_TEXT_LIFETIME,
                                                       lang, "Lifetime"));
            consent_buf_str(b, ": ");
            consent_buf_text(b, lifetime);
        }

        consent_buf_str(b, "</li>\n");
    }

    if (n) {
        consent_buf_str(b, "</ul>\n");
    }
}


char *
consent_render_page(const consent_policy_t *policy,
    const consent_view_t *view, const char *lang, const char *action,
    size_t action_len, const char *ret, size_t ret_len, size_t *len)
{
    size_t          i;
    consent_buf_t   b;

    memset(&b, 0, sizeof(consent_buf_t));

    consent_buf_str(&b, "<!DOCTYPE html>\n<html lang=\"");
    consent_buf_text(&b, lang);
    consent_buf_str(&b, "\">\n<head>\n<meta charset=\"utf-8\">\n"
                        "<meta name=\"viewport\" "
                        "content=\"width=device-width, initial-scale=1\">\n"
                        "<meta name=\"robots\" content=\"noindex\">\n"
                        "<title>");
    consent_buf_text(&b, consent_policy_text(policy, CONSENT_TEXT_MANAGE,
                                             lang));
    consent_buf_str(&b, "</title>\n</head>\n<body>\n"
                        "<main role=\"dialog\" aria-labelledby="
                        "\"consent-title\" data-consent-ui>\n"
                        "<h1 id=\"consent-title\">");
    consent_buf_text(&b, consent_policy_text(policy, CONSENT_TEXT_TITLE,
                                             lang));
    consent_buf_str(&b, "</h1>\n<p>");
    consent_buf_text(&b, consent_policy_text(policy, CONSENT_TEXT_MESSAGE,
                                             lang));
    consent_buf_str(&b, "</p>\n<p><a href=\"");
    consent_buf_text(&b, policy->privacy_url);
    consent_buf_str(&b, "\">");
    consent_buf_text(&b, consent_policy_text(policy,
                                             CONSENT_TEXT_PRIVACY_LINK,
                                             lang));
    consent_buf_str(&b, "</a></p>\n<form method=\"post\" action=\"");
    consent_buf_html(&b, action, action_len);
    consent_buf_str(&b, "\">\n<input type=\"hidden\" name=\"return\" "
                        "value=\"");
    consent_buf_html(&b, ret, ret_len);
    consent_buf_str(&b, "\">\n");

    for (i = 0; i < policy->ncategories; i++) {
        consent_render_category(&b, policy, view, lang, i);
    }

    /* the three choices are equal buttons: no default, no emphasis */

    consent_buf_str(&b, "<p>\n<button type=\"submit\" name=\"action\" "
                        "value=\"accept_all\">");
    consent_buf_text(&b, consent_policy_text(policy,
                                             CONSENT_TEXT_ACCEPT_ALL, lang));
    consent_buf_str(&b, "</button>\n<button type=\"submit\" name=\"action\" "
                        "value=\"reject_all\">");
    consent_buf_text(&b, consent_policy_text(policy,
                                             CONSENT_TEXT_REJECT_ALL, lang));
    consent_buf_str(&b, "</button>\n<button type=\"submit\" name=\"action\" "
                        "value=\"save\">");
    consent_buf_text(&b, consent_policy_text(policy, CONSENT_TEXT_SAVE,
                                             lang));
    consent_buf_str(&b, "</button>\n");

    if (view->state == CONSENT_STATE_VALID) {
        consent_buf_str(&b, "<button type=\"submit\" name=\"action\" "
                            "value=\"withdraw\">");
        consent_buf_text(&b, consent_policy_text(policy,
                                                 CONSENT_TEXT_WITHDRAW,
                                                 lang));
        consent_buf_str(&b, "</button>\n");
    }

    consent_buf_str(&b, "</p>\n</form>\n</main>\n</body>\n</html>\n");

    if (b.failed) {
        free(b.data);
        return NULL;
    }

    if (len != NULL) {
        *len = b.len;
    }

    return b.data;
}


/*
 * Copyright (C) ngx_http_consent_module authors
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>

#include "consent_render.h"


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
static char *consent_buf_done(consent_buf_t *b, size_t *len);
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

    return consent_dump(o, len);
}


char *
consent_render_head(const consent_policy_t *policy,
    const consent_view_t *view, const char *endpoint, size_t endpoint_len,
    size_t *len)
{
    char           *state;
    json_t         *o;
    consent_buf_t   b;

    o = json_object();
    if (o == NULL) {
        return NULL;
    }

    json_object_set_new(o, "state",
                        json_string(consent_state_name(view->state)));
    json_object_set_new(o, "endpoint", json_stringn(endpoint, endpoint_len));
    json_object_set_new(o, "revision", json_integer(policy->revision));
    json_object_set_new(o, "granted",
                        consent_ids_json(policy, view->granted));
    json_object_set_new(o, "denied",
                        consent_ids_json(policy,
                                         policy->all_mask & ~view->granted));

    /* escaping '/' keeps "</script" out of the element's content */

    state = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER
                          | JSON_ESCAPE_SLASH);
    json_decref(o);

    if (state == NULL) {
        return NULL;
    }

    memset(&b, 0, sizeof(consent_buf_t));

    consent_buf_str(&b, "<script type=\"application/json\" "
                        "id=\"consent-state\" data-consent-ui>");
    consent_buf_str(&b, state);
    consent_buf_str(&b, "</script>");

    free(state);

    return consent_buf_done(&b, len);
}


char *
consent_render_banner(const consent_policy_t *policy, const char *lang,
    const char *endpoint, size_t endpoint_len, const char *ret,
    size_t ret_len, size_t *len)
{
    consent_buf_t  b;

    memset(&b, 0, sizeof(consent_buf_t));

    consent_buf_str(&b, "<div id=\"consent-banner\" role=\"dialog\" "
                        "aria-labelledby=\"consent-banner-title\" lang=\"");
    consent_buf_text(&b, lang);
    consent_buf_str(&b, "\" data-consent-ui>\n<form method=\"post\" "
                        "action=\"");
    consent_buf_html(&b, endpoint, endpoint_len);
    consent_buf_str(&b, "\">\n<input type=\"hidden\" name=\"return\" "
                        "value=\"");
    consent_buf_html(&b, ret, ret_len);
    consent_buf_str(&b, "\">\n<h2 id=\"consent-banner-title\">");
    consent_buf_text(&b, consent_policy_text(policy, CONSENT_TEXT_TITLE,
                                             lang));
    consent_buf_str(&b, "</h2>\n<p>");
    consent_buf_text(&b, consent_policy_text(policy, CONSENT_TEXT_MESSAGE,
                                             lang));
    consent_buf_str(&b, " <a href=\"");
    consent_buf_text(&b, policy->privacy_url);
    consent_buf_str(&b, "\">");
    consent_buf_text(&b, consent_policy_text(policy,
                                             CONSENT_TEXT_PRIVACY_LINK,
                                             lang));
    consent_buf_str(&b, "</a></p>\n");

    /*
     * three buttons of one kind: accepting is no easier than rejecting;
     * "customise" opens the preferences page, with JavaScript or without
     */

    consent_buf_str(&b, "<button type=\"submit\" name=\"action\" "
                        "value=\"accept_all\">");
    consent_buf_text(&b, consent_policy_text(policy,
                                             CONSENT_TEXT_ACCEPT_ALL, lang));
    consent_buf_str(&b, "</button>\n<button type=\"submit\" name=\"action\" "
                        "value=\"reject_all\">");
    consent_buf_text(&b, consent_policy_text(policy,
                                             CONSENT_TEXT_REJECT_ALL, lang));
    consent_buf_str(&b, "</button>\n<button type=\"submit\" "
                        "formmethod=\"get\" formaction=\"");
    consent_buf_html(&b, endpoint, endpoint_len);
    consent_buf_str(&b, "\">");
    consent_buf_text(&b, consent_policy_text(policy, CONSENT_TEXT_CUSTOMISE,
                                             lang));
    consent_buf_str(&b, "</button>\n</form>\n</div>");

    return consent_buf_done(&b, len);
}


char *
consent_render_manage(const consent_policy_t *policy, const char *lang,
    const char *endpoint, size_t endpoint_len, size_t *len)
{
    consent_buf_t  b;

    memset(&b, 0, sizeof(consent_buf_t));

    consent_buf_str(&b, "<a href=\"");
    consent_buf_html(&b, endpoint, endpoint_len);
    consent_buf_str(&b, "\" id=\"consent-manage\" data-consent-open "
                        "data-consent-ui>");
    consent_buf_text(&b, consent_policy_text(policy, CONSENT_TEXT_MANAGE,
                                             lang));
    consent_buf_str(&b, "</a>");

    return consent_buf_done(&b, len);
}


static char *
consent_buf_done(consent_buf_t *b, size_t *len)
{
    if (b->failed) {
        free(b->data);
        return NULL;
    }

    if (len != NULL) {
        *len = b->len;
    }

    return b->data;
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


/* escapes for both text and quoted attribute values */

static void
consent_buf_html(consent_buf_t *b, const char *s, size_t n)
{
    size_t       i, start;
    const char  *rep;

    start = 0;

    for (i = 0; i < n; i++) {

        switch (s[i]) {
        case '&':  rep = "&amp;";  break;
        case '<':  rep = "&lt;";   break;
        case '>':  rep = "&gt;";   break;
        case '"':  rep = "&quot;"; break;
        case '\'': rep = "&#39;";  break;
        default:   continue;
        }

        consent_buf_add(b, s + start, i - start);
        consent_buf_str(b, rep);
        start = i + 1;
    }

    consent_buf_add(b, s + start, n - start);
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
    consent_buf_str(b, "</p>\n</fieldset>\n");
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

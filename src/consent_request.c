
/*
 * Copyright (C) ngx_http_consent_module authors
 */


#include <string.h>
#include <stdio.h>
#include <jansson.h>

#include "consent_ascii.h"
#include "consent_request.h"


#define CONSENT_NAME_SHOWN  40      /* of a name echoed in an error */


static void consent_choice_init(consent_choice_t *choice,
    consent_tcf_pick_t *tcf);
static int consent_tcf_json(json_t *v, consent_tcf_pick_t *pick, char *err,
    size_t errlen);
static int consent_tcf_form(const char *key, size_t klen, const char *val,
    size_t vlen, consent_tcf_pick_t *pick, char *err, size_t errlen);
static int consent_action_parse(const char *s, size_t len,
    consent_action_e *action);
static int consent_grant_id(const consent_policy_t *policy, const char *id,
    size_t len, consent_choice_t *choice, char *err, size_t errlen);
static void consent_err_name(char *err, size_t errlen, const char *what,
    const char *name, size_t len);
static long consent_form_decode(const char *in, size_t len, char *out,
    size_t outcap);
static size_t consent_authority(const char *s, size_t len,
    const char **auth);
static int consent_find_ci(const char *s, size_t len, const char *what);


static const char  *consent_action_names[] = {
    "none", "accept_all", "reject_all", "save", "withdraw"
};


const char *
consent_action_name(consent_action_e action)
{
    if ((size_t) action
        >= sizeof(consent_action_names) / sizeof(consent_action_names[0]))
    {
        return "none";
    }

    return consent_action_names[action];
}


static void
consent_choice_init(consent_choice_t *choice, consent_tcf_pick_t *tcf)
{
    memset(choice, 0, sizeof(consent_choice_t));

    if (tcf != NULL) {
        memset(tcf, 0, sizeof(consent_tcf_pick_t));
        choice->tcf = tcf;
    }
}


/* the JSON "tcf" object of a choice in CMP mode */

static int
consent_tcf_json(json_t *v, consent_tcf_pick_t *pick, char *err,
    size_t errlen)
{
    int          kind;
    size_t       i;
    json_t      *arr, *item;
    const char  *key;

    if (!json_is_object(v)) {
        snprintf(err, errlen, "\"tcf\" must be an object");
        return -1;
    }

    pick->seen = 1;

    json_object_foreach(v, key, arr) {

        kind = consent_tcf_pick_json_kind(key, strlen(key));

        if (kind < 0) {
            consent_err_name(err, errlen, "unknown field tcf.", key,
                             strlen(key));
            return -1;
        }

        if (!json_is_array(arr)) {
            snprintf(err, errlen, "\"tcf.%s\" must be an array of ids",
                     key);
            return -1;
        }

        json_array_foreach(arr, i, item) {
            if (!json_is_integer(item)) {
                snprintf(err, errlen, "\"tcf.%s\" must be an array of ids",
                         key);
                return -1;
            }

            if (consent_tcf_pick_add(pick, (consent_tcf_pick_e) kind,
                                     json_integer_value(item), err, errlen)
                != 0)
            {
                return -1;
            }
        }
    }

    return 0;
}


/* a TCF field of a form in CMP mode: 1 if it is none, 0 or -1 */

static int
consent_tcf_form(const char *key, size_t klen, const char *val,
    size_t vlen, consent_tcf_pick_t *pick, char *err, size_t errlen)
{
    int      kind;
    int64_t  id;

    if (klen == 3 && memcmp(key, "tcf", 3) == 0) {
        if (vlen != 1 || val[0] != '1') {
            snprintf(err, errlen, "\"tcf\" must be 1");
            return -1;
        }

        pick->seen = 1;
        return 0;
    }

    kind = consent_tcf_pick_form_kind(key, klen);

    if (kind < 0) {
        return 1;
    }

    if (consent_tcf_pick_number(val, vlen, &id) != 0) {
        snprintf(err, errlen, "%.*s: \"%.*s\" is not an id", (int) klen,
                 key, (int) (vlen > 12 ? 12 : vlen), val);
        return -1;
    }

    return consent_tcf_pick_add(pick, (consent_tcf_pick_e) kind, id, err,
                                errlen);
}


static int
consent_action_parse(const char *s, size_t len, consent_action_e *action)
{
    size_t  i;

    for (i = 1; i < sizeof(consent_action_names) / sizeof(char *); i++) {
        if (strlen(consent_action_names[i]) == len
            && memcmp(consent_action_names[i], s, len) == 0)
        {
            *action = (consent_action_e) i;
            return 0;
        }
    }

    return -1;
}


static void
consent_err_name(char *err, size_t errlen, const char *what,
    const char *name, size_t len)
{
    int  shown;

    shown = len > CONSENT_NAME_SHOWN ? CONSENT_NAME_SHOWN : (int) len;

    snprintf(err, errlen, "%s \"%.*s%s\"", what, shown, name,
             len > CONSENT_NAME_SHOWN ? "..." : "");
}


static int
consent_grant_id(const consent_policy_t *policy, const char *id, size_t len,
    consent_choice_t *choice, char *err, size_t errlen)
{
    int  cat;

    cat = consent_policy_category(policy, id, len);

    if (cat < 0) {
        consent_err_name(err, errlen, "unknown category", id, len);
        return -1;
    }

    choice->granted |= (uint32_t) 1 << cat;

    return 0;
}


int
consent_choice_parse_json_tcf(const consent_policy_t *policy,
    const char *body, size_t len, consent_choice_t *choice,
    consent_tcf_pick_t *tcf, char *err, size_t errlen)
{
    int           rc;
    size_t        i;
    json_t       *root, *v, *item;
    const char   *key;
    json_error_t  jerr;

    consent_choice_init(choice, tcf);

    if (len == 0) {
        snprintf(err, errlen, "empty body");
        return -1;
    }

    root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);

    if (root == NULL) {
        snprintf(err, errlen, "malformed JSON: %s at line %d, column %d",
                 jerr.text, jerr.line, jerr.column);
        return -1;
    }

    rc = -1;

    if (!json_is_object(root)) {
        snprintf(err, errlen, "the body must be a JSON object");
        goto done;
    }

    json_object_foreach(root, key, v) {

        if (strcmp(key, "action") == 0) {

            choice->implied = 0;

            if (!json_is_string(v)
                || consent_action_parse(json_string_value(v),
                                        json_string_length(v),
                                        &choice->action) != 0)
            {
                if (json_is_string(v)) {
                    consent_err_name(err, errlen, "unknown action",
                                     json_string_value(v),
                                     json_string_length(v));
                } else {
                    snprintf(err, errlen, "\"action\" must be a string");
                }

                goto done;
            }

        } else if (strcmp(key, "granted") == 0) {

            if (!json_is_array(v)) {
                snprintf(err, errlen,
                         "\"granted\" must be an array of category ids");
                goto done;
            }

            json_array_foreach(v, i, item) {
                if (!json_is_string(item)) {
                    snprintf(err, errlen,
                             "\"granted\" must be an array of category ids");
                    goto done;
                }

                if (consent_grant_id(policy, json_string_value(item),
                                     json_string_length(item), choice,
                                     err, errlen)
                    != 0)
                {
                    goto done;
                }
            }

            if (choice->action == CONSENT_ACTION_NONE) {
                choice->action = CONSENT_ACTION_SAVE;
                choice->implied = 1;
            }

        } else if (strcmp(key, "tcf") == 0 && choice->tcf != NULL) {

            if (consent_tcf_json(v, choice->tcf, err, errlen) != 0) {
                goto done;
            }

        } else {
            consent_err_name(err, errlen, "unknown field", key, strlen(key));
            goto done;
        }
    }

    if (choice->action == CONSENT_ACTION_NONE) {
        snprintf(err, errlen, "missing \"action\"");
        goto done;
    }

    rc = 0;

done:

    json_decref(root);

    return rc;
}


int
consent_choice_parse_form_tcf(const consent_policy_t *policy,
    const char *body, size_t len, consent_choice_t *choice,
    consent_tcf_pick_t *tcf, char *err, size_t errlen)
{
    long        klen, vlen;
    size_t      i, start, eq, end;
    int         rc;
    char        key[24], val[CONSENT_RETURN_MAX + 1];
    unsigned    seen_action;

    consent_choice_init(choice, tcf);
    seen_action = 0;

    if (len == 0) {
        snprintf(err, errlen, "empty body");
        return -1;
    }

    for (start = 0; start <= len; start = end + 1) {

        for (end = start; end < len && body[end] != '&'; end++) {
            /* void */
        }

        if (end == start) {
            continue;
        }

        for (eq = start; eq < end && body[eq] != '='; eq++) {
            /* void */
        }

        klen = consent_form_decode(body + start, eq - start, key,
                                   sizeof(key));
        if (klen < 0) {
            if (klen == -2) {
                consent_err_name(err, errlen, "unknown field", body + start,
                                 eq - start);
            } else {
                snprintf(err, errlen, "malformed form body");
            }

            return -1;
        }

        i = eq < end ? eq + 1 : end;

        vlen = consent_form_decode(body + i, end - i, val, sizeof(val));

        if (vlen == -2 && klen == 6 && memcmp(key, "return", 6) == 0) {
            /* too long to be a return path: replaced by "/" below */
            val[0] = '\0';
            vlen = 0;
        }

        if (vlen < 0) {
            snprintf(err, errlen, vlen == -2 ? "form field too long"
                                             : "malformed form body");
            return -1;
        }

        if (klen == 6 && memcmp(key, "action", 6) == 0) {

            if (seen_action) {
                snprintf(err, errlen, "duplicate field \"action\"");
                return -1;
            }

            seen_action = 1;

            if (consent_action_parse(val, (size_t) vlen, &choice->action)
                != 0)
            {
                consent_err_name(err, errlen, "unknown action", val,
                                 (size_t) vlen);
                return -1;
            }

        } else if (klen == 7 && memcmp(key, "granted", 7) == 0) {

            if (consent_grant_id(policy, val, (size_t) vlen, choice, err,
                                 errlen)
                != 0)
            {
                return -1;
            }

        } else if (klen == 6 && memcmp(key, "return", 6) == 0) {

            if (choice->has_return) {
                snprintf(err, errlen, "duplicate field \"return\"");
                return -1;
            }

            choice->has_return = 1;

            if (consent_return_path_ok(val, (size_t) vlen)) {
                memcpy(choice->return_path, val, (size_t) vlen);
                choice->return_len = (size_t) vlen;

            } else {
                choice->return_path[0] = '/';
                choice->return_len = 1;
            }

            choice->return_path[choice->return_len] = '\0';

        } else if (choice->tcf != NULL
                   && (rc = consent_tcf_form(key, (size_t) klen, val,
                                             (size_t) vlen, choice->tcf,
                                             err, errlen))
                      != 1)
        {
            if (rc != 0) {
                return -1;
            }

        } else {
            consent_err_name(err, errlen, "unknown field", key,
                             (size_t) klen);
            return -1;
        }
    }

    if (choice->action == CONSENT_ACTION_NONE) {
        snprintf(err, errlen, "missing \"action\"");
        return -1;
    }

    return 0;
}


/*
 * Percent-decodes a form component, '+' as space.  -1 on a bad escape or
 * a NUL byte, -2 when it does not fit outcap - 1 bytes.  NUL-terminates.
 */

static long
consent_form_decode(const char *in, size_t len, char *out, size_t outcap)
{
    int     hi, lo;
    char    c;
    size_t  i, n;

    n = 0;

    for (i = 0; i < len; i++) {
        c = in[i];

        if (c == '+') {
            c = ' ';

        } else if (c == '%') {
            if (i + 2 >= len) {
                return -1;
            }

            hi = consent_hex_value((unsigned char) in[i + 1]);
            lo = consent_hex_value((unsigned char) in[i + 2]);

            if (hi < 0 || lo < 0) {
                return -1;
            }

            c = (char) (hi << 4 | lo);
            i += 2;
        }

        if (c == '\0') {
            return -1;
        }

        if (n + 1 >= outcap) {
            return -2;
        }

        out[n++] = c;
    }

    out[n] = '\0';

    return (long) n;
}


uint32_t
consent_choice_granted(const consent_policy_t *policy,
    const consent_choice_t *choice)
{
    switch (choice->action) {

    case CONSENT_ACTION_ACCEPT_ALL:
        return policy->all_mask;

    case CONSENT_ACTION_SAVE:
        return policy->required_mask | (choice->granted & policy->all_mask);

    default:
        return policy->required_mask;
    }
}


int
consent_return_path_ok(const char *path, size_t len)
{
    size_t         i;
    unsigned char  c;

    if (len == 0 || len > CONSENT_RETURN_MAX || path[0] != '/') {
        return 0;
    }

    /* "//host" and "/\host" are other hosts to a browser */

    if (len > 1 && (path[1] == '/' || path[1] == '\\')) {
        return 0;
    }

    for (i = 0; i < len; i++) {
        c = (unsigned char) path[i];

        if (c <= 0x20 || c >= 0x7f || c == '\\') {
            return 0;
        }
    }

    return 1;
}


/*
 * The host[:port] of an origin, without a default port, so that
 * "https://example.com" and a Host header "example.com" compare equal
 * behind a TLS-terminating proxy.
 */

static size_t
consent_authority(const char *s, size_t len, const char **auth)
{
    size_t  i;

    for (i = 0; i + 2 < len; i++) {
        if (s[i] == ':' && s[i + 1] == '/' && s[i + 2] == '/') {
            s += i + 3;
            len -= i + 3;
            break;
        }
    }

    if (len > 3 && memcmp(s + len - 3, ":80", 3) == 0) {
        len -= 3;

    } else if (len > 4 && memcmp(s + len - 4, ":443", 4) == 0) {
        len -= 4;
    }

    *auth = s;

    return len;
}


int
consent_cross_site(const char *origin, size_t origin_len, const char *self,
    size_t self_len, const char *sfs, size_t sfs_len)
{
    size_t       olen, slen;
    const char  *o, *s;

    if (sfs != NULL && consent_ascii_ieq(sfs, sfs_len, "cross-site", 10)) {
        return 1;
    }

    if (origin == NULL) {
        return 0;
    }

    if (origin_len == 0 || consent_ascii_ieq(origin, origin_len, "null", 4)) {
        return 1;
    }

    olen = consent_authority(origin, origin_len, &o);
    slen = consent_authority(self, self_len, &s);

    return !consent_ascii_ieq(o, olen, s, slen);
}


consent_prefix_e
consent_cookie_prefix(const char *name, size_t len)
{
    if (consent_ascii_ieq(name, len < 7 ? len : 7, "__Host-", 7)) {
        return CONSENT_PREFIX_HOST;
    }

    if (consent_ascii_ieq(name, len < 9 ? len : 9, "__Secure-", 9)) {
        return CONSENT_PREFIX_SECURE;
    }

    return CONSENT_PREFIX_NONE;
}


int
consent_cookie_next(const char *header, size_t len, size_t *pos,
    const char *name, size_t name_len, const char **value,
    size_t *value_len)
{
    size_t  i, nstart, nend, vstart, vend;

    i = *pos;

    while (i < len) {

        while (i < len && (header[i] == ' ' || header[i] == '\t'
                           || header[i] == ';'))
        {
            i++;
        }

        nstart = i;

        while (i < len && header[i] != '=' && header[i] != ';') {
            i++;
        }

        nend = i;

        while (nend > nstart
               && (header[nend - 1] == ' ' || header[nend - 1] == '\t'))
        {
            nend--;
        }

        if (i >= len || header[i] == ';') {
            /* a bare name is no cookie of ours */
            continue;
        }

        vstart = ++i;

        while (i < len && header[i] != ';') {
            i++;
        }

        vend = i;

        while (vstart < vend
               && (header[vstart] == ' ' || header[vstart] == '\t'))
        {
            vstart++;
        }

        while (vend > vstart
               && (header[vend - 1] == ' ' || header[vend - 1] == '\t'))
        {
            vend--;
        }

        if (nend - nstart == name_len
            && memcmp(header + nstart, name, name_len) == 0)
        {
            *pos = i;
            *value = header + vstart;
            *value_len = vend - vstart;
            return 1;
        }
    }

    *pos = len;

    return 0;
}


int
consent_referer_path(const char *referer, size_t len, const char *self,
    size_t self_len, const char **path, size_t *path_len)
{
    size_t       i, start, alen, slen;
    const char  *a, *s;

    if (referer == NULL) {
        return 0;
    }

    for (i = 0; i + 2 < len; i++) {
        if (referer[i] == ':' && referer[i + 1] == '/'
            && referer[i + 2] == '/')
        {
            break;
        }
    }

    if (i + 2 >= len) {
        return 0;
    }

    for (start = i + 3; start < len && referer[start] != '/'; start++) {
        /* void */
    }

    if (start == len) {
        return 0;
    }

    alen = consent_authority(referer, start, &a);
    slen = consent_authority(self, self_len, &s);

    if (!consent_ascii_ieq(a, alen, s, slen)
        || !consent_return_path_ok(referer + start, len - start))
    {
        return 0;
    }

    *path = referer + start;
    *path_len = len - start;

    return 1;
}


size_t
consent_path_only(const char *path, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        if (path[i] == '?' || path[i] == '#') {
            break;
        }
    }

    return i;
}


static int
consent_find_ci(const char *s, size_t len, const char *what)
{
    size_t  i, n;

    n = strlen(what);

    for (i = 0; i + n <= len; i++) {
        if (consent_ascii_ieq(s + i, n, what, n)) {
            return 1;
        }
    }

    return 0;
}


int
consent_accept_html(const char *accept, size_t len)
{
    if (accept == NULL) {
        return 0;
    }

    return consent_find_ci(accept, len, "text/html")
           && !consent_find_ci(accept, len, "application/json");
}


int
consent_media_type_is(const char *content_type, size_t len,
    const char *type)
{
    size_t  end;

    if (content_type == NULL) {
        return 0;
    }

    for (end = 0; end < len && content_type[end] != ';'; end++) {
        /* void */
    }

    while (end > 0 && (content_type[end - 1] == ' '
                       || content_type[end - 1] == '\t'))
    {
        end--;
    }

    while (end > 0 && (*content_type == ' ' || *content_type == '\t')) {
        content_type++;
        end--;
    }

    return consent_ascii_ieq(content_type, end, type, strlen(type));
}

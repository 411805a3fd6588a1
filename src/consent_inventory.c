
/*
 * Copyright (C) ngx_http_consent_module authors
 */


#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "consent_inventory.h"
#include "consent_render.h"


static json_t *consent_inventory_entry(const consent_policy_t *policy,
    const consent_inv_entry_t *e, const consent_inv_entry_t *all, size_t n);
static json_t *consent_inventory_str(const char *s, size_t len);
static char *consent_inventory_time(int64_t t, char *buf);


unsigned
consent_inventory_flags(const consent_set_cookie_t *sc)
{
    unsigned  f;

    f = 0;

    if (sc->secure) {
        f |= CONSENT_INV_SECURE;
    }

    if (sc->httponly) {
        f |= CONSENT_INV_HTTPONLY;
    }

    if (!sc->has_max_age && !sc->has_expires) {
        f |= CONSENT_INV_SESSION;
    }

    switch (sc->samesite) {
    case CONSENT_SAMESITE_STRICT:
        f |= CONSENT_INV_SAMESITE_STRICT;
        break;
    case CONSENT_SAMESITE_LAX:
        f |= CONSENT_INV_SAMESITE_LAX;
        break;
    case CONSENT_SAMESITE_NONE:
        f |= CONSENT_INV_SAMESITE_NONE;
        break;
    default:
        break;
    }

    return f;
}


char *
consent_inventory_json(const consent_policy_t *policy,
    const consent_inv_entry_t *entries, size_t n, uint64_t evicted,
    size_t *len)
{
    char    *out;
    size_t   i;
    json_t  *root, *set, *sent, *e;

    root = json_object();
    set = json_array();
    sent = json_array();

    if (root == NULL || set == NULL || sent == NULL) {
        goto failed;
    }

    for (i = 0; i < n; i++) {
        e = consent_inventory_entry(policy, &entries[i], entries, n);

        if (e == NULL
            || json_array_append_new(entries[i].kind == CONSENT_INV_SET
                                     ? set : sent, e)
               != 0)
        {
            goto failed;
        }
    }

    if (json_object_set_new(root, "entries", json_integer((json_int_t) n))
        || json_object_set_new(root, "evicted",
                               json_integer((json_int_t) evicted))
        || json_object_set(root, "cookies_set", set)
        || json_object_set(root, "cookies_sent", sent))
    {
        goto failed;
    }

    json_decref(set);
    json_decref(sent);

    out = json_dumps(root, JSON_COMPACT);
    json_decref(root);

    if (out != NULL && len != NULL) {
        *len = strlen(out);
    }

    return out;

failed:

    json_decref(root);
    json_decref(set);
    json_decref(sent);

    return NULL;
}


static json_t *
consent_inventory_entry(const consent_policy_t *policy,
    const consent_inv_entry_t *e, const consent_inv_entry_t *all, size_t n)
{
    int           d;
    size_t        i;
    json_t       *o, *flags;
    char          t[32];
    unsigned      set_by_response;

    o = json_object();
    if (o == NULL) {
        return NULL;
    }

    d = consent_cookie_lookup(policy, e->name, e->name_len);

    if (json_object_set_new(o, "name",
                            consent_inventory_str(e->name, e->name_len))
        || json_object_set_new(o, "category", d >= 0
              ? json_string(policy->categories[policy->cookies[d].category].id)
              : json_null())
        || json_object_set_new(o, "count", json_integer((json_int_t) e->count))
        || json_object_set_new(o, "first_seen",
                               json_string(consent_inventory_time(e->first,
                                                                  t)))
        || json_object_set_new(o, "last_seen",
                               json_string(consent_inventory_time(e->last,
                                                                  t))))
    {
        json_decref(o);
        return NULL;
    }

    if (e->kind == CONSENT_INV_SENT) {
        set_by_response = 0;

        for (i = 0; i < n; i++) {
            if (all[i].kind == CONSENT_INV_SET
                && all[i].name_len == e->name_len
                && memcmp(all[i].name, e->name, e->name_len) == 0)
            {
                set_by_response = 1;
                break;
            }
        }

        if (json_object_set_new(o, "set_by_response",
                                json_boolean(set_by_response)))
        {
            json_decref(o);
            return NULL;
        }

        return o;
    }

    flags = json_array();

    if (flags == NULL
        || ((e->flags & CONSENT_INV_SECURE)
            && json_array_append_new(flags, json_string("Secure")))
        || ((e->flags & CONSENT_INV_HTTPONLY)
            && json_array_append_new(flags, json_string("HttpOnly")))
        || ((e->flags & CONSENT_INV_SAMESITE_STRICT)
            && json_array_append_new(flags, json_string("SameSite=Strict")))
        || ((e->flags & CONSENT_INV_SAMESITE_LAX)
            && json_array_append_new(flags, json_string("SameSite=Lax")))
        || ((e->flags & CONSENT_INV_SAMESITE_NONE)
            && json_array_append_new(flags, json_string("SameSite=None")))
        || json_object_set_new(o, "attributes", flags))
    {
        json_decref(flags);
        json_decref(o);
        return NULL;
    }

    if (json_object_set_new(o, "domain",
                            consent_inventory_str(e->domain, e->domain_len))
        || json_object_set_new(o, "path",
                               consent_inventory_str(e->path, e->path_len))
        || json_object_set_new(o, "location",
                               consent_inventory_str(e->location,
                                                     e->location_len))
        || json_object_set_new(o, "refused",
                               json_integer((json_int_t) e->refused))
        || json_object_set_new(o, "max_age", e->max_age >= 0
                               ? json_integer((json_int_t) e->max_age)
                               : json_null())
        || json_object_set_new(o, "session",
                               json_boolean(e->flags & CONSENT_INV_SESSION)))
    {
        json_decref(o);
        return NULL;
    }

    return o;
}


/* header bytes need not be UTF-8: anything else is shown as "?" */

static json_t *
consent_inventory_str(const char *s, size_t len)
{
    char    *c;
    size_t   i;
    json_t  *j;

    if (s == NULL) {
        return json_string("");
    }

    j = json_stringn(s, len);

    if (j != NULL) {
        return j;
    }

    c = malloc(len + 1);
    if (c == NULL) {
        return NULL;
    }

    for (i = 0; i < len; i++) {
        c[i] = ((unsigned char) s[i] < 0x80 && s[i] != '\0') ? s[i] : '?';
    }

    j = json_stringn(c, len);
    free(c);

    return j;
}


static char *
consent_inventory_time(int64_t t, char *buf)
{
    consent_format_time(t, buf);

    return buf;
}

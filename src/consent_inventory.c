
/*
 * Copyright (C) ngx_http_consent_module authors
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "consent_inventory.h"
#include "consent_render.h"


static json_t *consent_inventory_entry(const consent_policy_t *policy,
    const consent_inv_entry_t *e, const consent_inv_entry_t *all, size_t n);
static json_t *consent_inventory_str(const char *s, size_t len);
static char *consent_inventory_time(int64_t t, char *buf);
static int consent_inventory_get(json_t *o, const char *key, int64_t *v);
static const char *consent_inventory_getstr(json_t *o, const char *key,
    size_t *len);
static int consent_inventory_word(const char *s, size_t len,
    const char *word);


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


consent_inventory_t *
consent_inventory_parse(const char *json, size_t len, char *err,
    size_t errlen)
{
    size_t                i, k, n, kind;
    json_t               *root, *arr, *o;
    int64_t               v;
    json_error_t          jerr;
    consent_inv_entry_t  *e;
    consent_inventory_t  *inv;

    static const char    *lists[2] = { "cookies_set", "cookies_sent" };

    root = json_loadb(json, len, 0, &jerr);

    if (root == NULL) {
        snprintf(err, errlen, "line %d, column %d: %s", jerr.line,
                 jerr.column, jerr.text);
        return NULL;
    }

    n = 0;

    for (k = 0; k < 2; k++) {
        arr = json_object_get(root, lists[k]);

        if (!json_is_array(arr)) {
            snprintf(err, errlen, "not an inventory: no \"%s\" array",
                     lists[k]);
            json_decref(root);
            return NULL;
        }

        n += json_array_size(arr);
    }

    inv = calloc(1, sizeof(consent_inventory_t));
    e = calloc(n ? n : 1, sizeof(consent_inv_entry_t));

    if (inv == NULL || e == NULL) {
        snprintf(err, errlen, "out of memory");
        free(inv);
        free(e);
        json_decref(root);
        return NULL;
    }

    inv->entries = e;
    inv->root = root;

    if (consent_inventory_get(root, "evicted", &v) == 0 && v > 0) {
        inv->evicted = (uint64_t) v;
    }

    for (k = 0; k < 2; k++) {
        kind = k == 0 ? CONSENT_INV_SET : CONSENT_INV_SENT;
        arr = json_object_get(root, lists[k]);

        json_array_foreach(arr, i, o) {
            e->kind = (consent_inv_kind_e) kind;
            e->name = consent_inventory_getstr(o, "name", &e->name_len);

            if (e->name == NULL || e->name_len == 0) {
                snprintf(err, errlen, "%s[%zu]: no \"name\"", lists[k], i);
                consent_inventory_free(inv);
                return NULL;
            }

            e->domain = consent_inventory_getstr(o, "domain",
                                                 &e->domain_len);
            e->path = consent_inventory_getstr(o, "path", &e->path_len);
            e->location = consent_inventory_getstr(o, "location",
                                                   &e->location_len);

            e->count = consent_inventory_get(o, "count", &v) == 0 && v > 0
                       ? (uint64_t) v : 0;
            e->refused = consent_inventory_get(o, "refused", &v) == 0
                         && v > 0 ? (uint64_t) v : 0;
            e->max_age = consent_inventory_get(o, "max_age", &v) == 0
                         ? v : -1;

            if (json_is_true(json_object_get(o, "session"))) {
                e->flags |= CONSENT_INV_SESSION;
            }

            e++;
        }
    }

    inv->n = e - inv->entries;

    return inv;
}


void
consent_inventory_free(consent_inventory_t *inv)
{
    if (inv == NULL) {
        return;
    }

    json_decref(inv->root);
    free(inv->entries);
    free(inv);
}


static int
consent_inventory_get(json_t *o, const char *key, int64_t *v)
{
    json_t  *j;

    j = json_object_get(o, key);

    if (!json_is_integer(j)) {
        return -1;
    }

    *v = (int64_t) json_integer_value(j);

    return 0;
}


static const char *
consent_inventory_getstr(json_t *o, const char *key, size_t *len)
{
    json_t  *j;

    j = json_object_get(o, key);

    if (!json_is_string(j)) {
        *len = 0;
        return NULL;
    }

    *len = json_string_length(j);

    return json_string_value(j);
}


/* the word at s, without regard to case, with an optional plural "s" */

static int
consent_inventory_word(const char *s, size_t len, const char *word)
{
    size_t  i, wlen;

    wlen = strlen(word);

    if (len != wlen && !(len == wlen + 1 && (s[wlen] == 's'
                                             || s[wlen] == 'S')))
    {
        return 0;
    }

    for (i = 0; i < wlen; i++) {
        if ((s[i] | 0x20) != word[i]) {
            return 0;
        }
    }

    return 1;
}


int64_t
consent_lifetime_seconds(const char *text)
{
    size_t       i, j, k, len;
    int64_t      n, unit, found;
    const char  *w;

    static const struct {
        const char  *word;
        int64_t      seconds;
    } units[] = {
        { "second", 1 }, { "minute", 60 }, { "hour", 3600 },
        { "day", 86400 }, { "week", 7 * 86400 }, { "month", 31 * 86400 },
        { "year", 366 * 86400 }, { NULL, 0 }
    };

    if (text == NULL) {
        return -1;
    }

    len = strlen(text);
    found = -1;

    for (i = 0; i < len; i++) {

        /* a word: letters */

        if (!((text[i] | 0x20) >= 'a' && (text[i] | 0x20) <= 'z')) {
            if (text[i] < '0' || text[i] > '9') {
                continue;
            }

            /* a number, then blanks, then a unit */

            n = 0;

            for (j = i; j < len && text[j] >= '0' && text[j] <= '9'; j++) {
                if (n < 1000000) {
                    n = n * 10 + (text[j] - '0');
                }
            }

            for (k = j; k < len && text[k] == ' '; k++) {
                /* void */
            }

            w = text + k;

            for (j = k; j < len && (text[j] | 0x20) >= 'a'
                        && (text[j] | 0x20) <= 'z'; j++)
            {
                /* void */
            }

            unit = 0;

            for (k = 0; units[k].word; k++) {
                if (consent_inventory_word(w, (size_t) (text + j - w),
                                           units[k].word))
                {
                    unit = units[k].seconds;
                    break;
                }
            }

            if (unit) {
                found = n * unit;
            }

            i = j > i ? j - 1 : i;
            continue;
        }

        for (j = i; j < len && (text[j] | 0x20) >= 'a'
                    && (text[j] | 0x20) <= 'z'; j++)
        {
            /* void */
        }

        if (found < 0 && consent_inventory_word(text + i, j - i, "session"))
        {
            found = 0;
        }

        i = j - 1;
    }

    return found;
}


consent_decl_row_t *
consent_declaration(const consent_policy_t *p,
    const consent_inv_entry_t *entries, size_t n, size_t *nrows)
{
    int                          d;
    size_t                       i, j, rows;
    int64_t                      declared;
    consent_decl_row_t          *row, *r;
    const consent_inv_entry_t   *e;
    const consent_cookie_decl_t *c;

    row = calloc(p->ncookies + n + 1, sizeof(consent_decl_row_t));
    if (row == NULL) {
        return NULL;
    }

    for (i = 0; i < p->ncookies; i++) {
        c = &p->cookies[i];
        row[i].name = c->name;
        row[i].name_len = c->len;
        row[i].prefix = c->prefix;
        row[i].decl = (int) i;
        row[i].category = (int) c->category;
        row[i].max_age = -1;
    }

    rows = p->ncookies;

    for (i = 0; i < n; i++) {
        e = &entries[i];
        d = consent_cookie_lookup(p, e->name, e->name_len);

        if (d >= 0) {
            r = &row[d];

        } else {
            for (j = p->ncookies; j < rows; j++) {
                if (row[j].name_len == e->name_len
                    && memcmp(row[j].name, e->name, e->name_len) == 0)
                {
                    break;
                }
            }

            r = &row[j];

            if (j == rows) {
                r->name = e->name;
                r->name_len = e->name_len;
                r->decl = -1;
                r->category = -1;
                r->max_age = -1;
                r->flags = CONSENT_DECL_UNDECLARED;
                rows++;
            }
        }

        if (e->kind == CONSENT_INV_SET) {
            r->set += e->count;
            r->refused += e->refused;

            if (e->max_age > r->max_age) {
                r->max_age = e->max_age;
            }

        } else {
            r->sent += e->count;
        }
    }

    for (i = 0; i < rows; i++) {
        r = &row[i];

        if (r->refused) {
            r->flags |= CONSENT_DECL_REFUSED;
        }

        if (r->sent && r->set == 0 && r->decl < 0) {
            r->flags |= CONSENT_DECL_SCRIPT;
        }

        if (r->decl >= 0 && r->max_age > 0) {
            declared = consent_lifetime_seconds(
                           consent_policy_cookie_lifetime(p, r->decl,
                                                          p->default_lang));

            if (declared >= 0 && r->max_age > declared) {
                r->flags |= CONSENT_DECL_LONGER;
            }
        }
    }

    *nrows = rows;

    return row;
}


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
static json_t *consent_inventory_host(const consent_policy_t *policy,
    const consent_inv_entry_t *e);
static int consent_inventory_under(const char *host, size_t len,
    const char *domain, size_t dlen);
static int consent_inventory_host_parse(json_t *arr,
    consent_inv_entry_t **ep, char **idp, char *err, size_t errlen);


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
    uint64_t host_pages_cut, size_t *len)
{
    char    *out;
    size_t   i;
    json_t  *root, *set, *sent, *hosts, *e, *to;

    root = json_object();
    set = json_array();
    sent = json_array();
    hosts = json_array();

    if (root == NULL || set == NULL || sent == NULL || hosts == NULL) {
        goto failed;
    }

    for (i = 0; i < n; i++) {
        if (entries[i].kind == CONSENT_INV_HOST) {
            e = consent_inventory_host(policy, &entries[i]);
            to = hosts;

        } else {
            e = consent_inventory_entry(policy, &entries[i], entries, n);
            to = entries[i].kind == CONSENT_INV_SET ? set : sent;
        }

        if (e == NULL || json_array_append_new(to, e) != 0) {
            goto failed;
        }
    }

    if (json_object_set_new(root, "entries", json_integer((json_int_t) n))
        || json_object_set_new(root, "evicted",
                               json_integer((json_int_t) evicted))
        || json_object_set_new(root, "host_pages_cut",
                               json_integer((json_int_t) host_pages_cut))
        || json_object_set(root, "cookies_set", set)
        || json_object_set(root, "cookies_sent", sent)
        || json_object_set(root, "third_party_hosts", hosts))
    {
        goto failed;
    }

    json_decref(set);
    json_decref(sent);
    json_decref(hosts);

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
    json_decref(hosts);

    return NULL;
}


static json_t *
consent_inventory_host(const consent_policy_t *policy,
    const consent_inv_entry_t *e)
{
    char     t[32];
    size_t   i;
    json_t  *o, *cats;

    o = json_object();
    cats = json_array();

    if (o == NULL || cats == NULL) {
        json_decref(o);
        json_decref(cats);
        return NULL;
    }

    for (i = 0; policy != NULL && i < policy->ncategories && i < 32; i++) {
        if ((e->categories & ((uint32_t) 1 << i))
            && json_array_append_new(cats,
                                     json_string(policy->categories[i].id)))
        {
            json_decref(o);
            json_decref(cats);
            return NULL;
        }
    }

    if (json_object_set_new(o, "host",
                            consent_inventory_str(e->name, e->name_len))
        || json_object_set_new(o, "count",
                               json_integer((json_int_t) e->count))
        || json_object_set_new(o, "unclassified",
                               json_integer((json_int_t) e->unclassified))
        || json_object_set_new(o, "categories", cats))
    {
        json_decref(o);
        return NULL;
    }

    if (json_object_set_new(o, "element",
                            consent_inventory_str(e->element,
                                                  e->element_len))
        || json_object_set_new(o, "location",
                               consent_inventory_str(e->location,
                                                     e->location_len))
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

    return o;
}


int
consent_inventory_third_party(const char *host, size_t len,
    const char *page, size_t page_len, const char *site, size_t site_len)
{
    size_t  dots, i;

    while (len > 0 && host[len - 1] == '.') {
        len--;
    }

    while (page_len > 0 && page[page_len - 1] == '.') {
        page_len--;
    }

    while (site_len > 0 && site[site_len - 1] == '.') {
        site_len--;
    }

    if (len == 0) {
        return 0;
    }

    if (site_len > 0 && consent_inventory_under(page, page_len, site,
                                                site_len))
    {
        return !consent_inventory_under(host, len, site, site_len);
    }

    for (dots = 0, i = 0; i < page_len; i++) {
        dots += page[i] == '.';
    }

    if (dots >= 2 && page_len > 4 && (page[0] | 0x20) == 'w'
        && (page[1] | 0x20) == 'w' && (page[2] | 0x20) == 'w'
        && page[3] == '.')
    {
        page += 4;
        page_len -= 4;
    }

    return !consent_inventory_under(host, len, page, page_len);
}


/* host is domain or ends in "." domain, ASCII case aside */

static int
consent_inventory_under(const char *host, size_t len, const char *domain,
    size_t dlen)
{
    size_t  i;

    if (dlen == 0 || len < dlen
        || (len > dlen && host[len - dlen - 1] != '.'))
    {
        return 0;
    }

    host += len - dlen;

    for (i = 0; i < dlen; i++) {
        if (host[i] != domain[i]
            && !((host[i] | 0x20) == (domain[i] | 0x20)
                 && (host[i] | 0x20) >= 'a' && (host[i] | 0x20) <= 'z'))
        {
            return 0;
        }
    }

    return 1;
}


size_t
consent_inventory_undeclared_hosts(const consent_inv_entry_t *entries,
    size_t n, size_t *out)
{
    size_t  i, k;

    for (i = 0, k = 0; i < n; i++) {
        if (entries[i].kind == CONSENT_INV_HOST && entries[i].unclassified) {
            if (out != NULL) {
                out[k] = i;
            }

            k++;
        }
    }

    return k;
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
    json_t               *root, *arr, *o, *hosts;
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

    /* absent from an inventory of before the hosts were counted */
    hosts = json_object_get(root, "third_party_hosts");

    if (hosts != NULL && !json_is_array(hosts)) {
        snprintf(err, errlen, "\"third_party_hosts\" is not an array");
        json_decref(root);
        return NULL;
    }

    n += json_array_size(hosts);

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

    if (consent_inventory_get(root, "host_pages_cut", &v) == 0 && v > 0) {
        inv->host_pages_cut = (uint64_t) v;
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

    if (hosts != NULL
        && consent_inventory_host_parse(hosts, &e, &inv->ids, err, errlen)
           != 0)
    {
        consent_inventory_free(inv);
        return NULL;
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
    free(inv->ids);
    free(inv);
}


/* the third-party hosts of an inventory, after its cookies */

static int
consent_inventory_host_parse(json_t *arr, consent_inv_entry_t **ep,
    char **idp, char *err, size_t errlen)
{
    char                 *ids, *p;
    size_t                i, k, size;
    json_t               *o, *cats, *c;
    int64_t               v;
    consent_inv_entry_t  *e;

    size = 1;

    json_array_foreach(arr, i, o) {
        cats = json_object_get(o, "categories");

        json_array_foreach(cats, k, c) {
            size += json_is_string(c) ? json_string_length(c) + 1 : 0;
        }
    }

    ids = malloc(size);
    if (ids == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }

    *idp = ids;
    p = ids;
    e = *ep;

    json_array_foreach(arr, i, o) {
        e->kind = CONSENT_INV_HOST;
        e->name = consent_inventory_getstr(o, "host", &e->name_len);

        if (e->name == NULL || e->name_len == 0) {
            snprintf(err, errlen, "third_party_hosts[%zu]: no \"host\"", i);
            return -1;
        }

        e->element = consent_inventory_getstr(o, "element",
                                              &e->element_len);
        e->location = consent_inventory_getstr(o, "location",
                                               &e->location_len);
        e->count = consent_inventory_get(o, "count", &v) == 0 && v > 0
                   ? (uint64_t) v : 0;
        e->unclassified = consent_inventory_get(o, "unclassified", &v) == 0
                          && v > 0 ? (uint64_t) v : 0;
        e->max_age = -1;

        e->category_ids = p;
        cats = json_object_get(o, "categories");

        json_array_foreach(cats, k, c) {
            if (!json_is_string(c)) {
                continue;
            }

            if (p > e->category_ids) {
                *p++ = ' ';
            }

            memcpy(p, json_string_value(c), json_string_length(c));
            p += json_string_length(c);
        }

        e->category_ids_len = (size_t) (p - e->category_ids);
        e++;
    }

    *p = '\0';
    *ep = e;

    return 0;
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

        if (e->kind == CONSENT_INV_HOST) {
            continue;
        }

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

        /* the declaration's max_age, whatever the language of its text */
        if (r->decl >= 0 && r->max_age > 0) {
            declared = p->cookies[r->decl].max_age;

            if (declared >= 0 && r->max_age > declared) {
                r->flags |= CONSENT_DECL_LONGER;
            }
        }
    }

    *nrows = rows;

    return row;
}

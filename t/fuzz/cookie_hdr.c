
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Cookies on the server (src/consent_cookie.c), against the shipped
 * policy.
 *
 * Input: 1 byte that picks the function, then its input.
 *   0  consent_set_cookie_parse (a Set-Cookie value)
 *   1  consent_cookie_filter (1 byte of granted categories, 1 byte for
 *      the unknown cookies, then a Cookie header)
 *   2  consent_cookie_domains and consent_cookie_expiry (host \n
 *      consent_cookie_domain \n cookie name)
 *   3  consent_cookie_lookup (a cookie name)
 *   4  consent_inventory_parse, consent_declaration,
 *      consent_inventory_undeclared_hosts and
 *      consent_inventory_third_party (an inventory as JSON)
 *
 * Properties: what is parsed lies inside the input, a name has no ";"
 * and no surrounding blanks; a filtered header stays in its room (it
 * may grow: "a=1;b=2" becomes "a=1; b=2"), filtering it again removes
 * nothing, every cookie it keeps is granted (or the consent cookie),
 * and it keeps as many as were not removed; domains are the empty
 * one, then suffixes of the host on a label boundary, within the
 * bound; an expiring header stays in its room and says Max-Age=0; a
 * declaration found covers the name; an inventory read back gives a
 * table with a row for each declaration and at most one for each
 * entry, undeclared rows after declared ones.
 */


#define _GNU_SOURCE

#include "fuzz.h"
#include "consent_cookie.h"
#include "consent_inventory.h"


static consent_policy_t  *policy;


static void fuzz_set_cookie(const char *s, size_t len);
static void fuzz_filter(fuzz_in_t *in);
static void fuzz_domains(fuzz_in_t *in);
static void fuzz_lookup(const char *s, size_t len);
static void fuzz_inventory(const char *s, size_t len);
static const char *fuzz_rest(fuzz_in_t *in, size_t *len);
static int fuzz_inside(const char *p, size_t len, const char *s,
    size_t slen);


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    policy = fuzz_policy("conf/policy.json");
    return 0;
}


/* what is left of the input */

static const char *
fuzz_rest(fuzz_in_t *in, size_t *len)
{
    const char  *s;

    s = (const char *) in->p;
    *len = in->left;
    in->p += in->left;
    in->left = 0;

    return s;
}


static int
fuzz_inside(const char *p, size_t len, const char *s, size_t slen)
{
    return p >= s && p + len <= s + slen;
}


static void
fuzz_set_cookie(const char *s, size_t len)
{
    consent_set_cookie_t  sc;

    if (consent_set_cookie_parse(s, len, &sc) != 0) {
        return;
    }

    fuzz_check(fuzz_inside(sc.name, sc.name_len, s, len), "name inside");
    fuzz_check(memchr(sc.name, ';', sc.name_len) == NULL, "no ; in a name");
    fuzz_check(memchr(sc.name, '=', sc.name_len) == NULL, "no = in a name");
    fuzz_check(sc.name_len == 0
               || (sc.name[0] != ' ' && sc.name[0] != '\t'
                   && sc.name[sc.name_len - 1] != ' '
                   && sc.name[sc.name_len - 1] != '\t'), "name trimmed");

    if (sc.domain != NULL) {
        fuzz_check(fuzz_inside(sc.domain, sc.domain_len, s, len),
                   "domain inside");
        fuzz_check(sc.domain_len > 0, "a domain is not empty");
    }

    if (sc.path != NULL) {
        fuzz_check(fuzz_inside(sc.path, sc.path_len, s, len), "path inside");
        fuzz_check(sc.path_len > 0 && sc.path[0] == '/', "path absolute");
    }

    fuzz_check(!sc.has_max_age || sc.max_age >= 0, "max-age not negative");
    fuzz_check(sc.samesite <= CONSENT_SAMESITE_OTHER, "samesite known");

    (void) consent_cookie_refused(policy, 0, CONSENT_COOKIE_STRIP, sc.name,
                                  sc.name_len);
}


static void
fuzz_filter(fuzz_in_t *in)
{
    int          unknown;
    char        *h, *out, *again;
    size_t       len, n, n2, removed, removed2, kept, pos, nlen, plen;
    uint32_t     granted;
    const char  *name, *pair, *s;

    granted = fuzz_byte(in) & policy->all_mask;
    unknown = (int) (fuzz_byte(in) % (policy->ncategories + 2)) - 2;

    s = fuzz_rest(in, &len);
    h = fuzz_copy(s, len);
    out = malloc(CONSENT_COOKIE_FILTER_ROOM(len));
    again = malloc(2 * CONSENT_COOKIE_FILTER_ROOM(len) + 1);

    if (out == NULL || again == NULL) {
        abort();
    }

    n = consent_cookie_filter(policy, granted, unknown, "consent", 7, h, len,
                              out, &removed);

    fuzz_check(n < CONSENT_COOKIE_FILTER_ROOM(len), "in its room");
    fuzz_check(removed > 0 || n <= len + len / 2, "bounded growth");

    n2 = consent_cookie_filter(policy, granted, unknown, "consent", 7, out,
                               n, again, &removed2);

    fuzz_check(removed2 == 0, "filtering again removes nothing");
    fuzz_check(n2 == n && memcmp(out, again, n) == 0,
               "filtering again changes nothing");

    pos = 0;
    kept = 0;

    while (consent_cookie_pair(out, n, &pos, &name, &nlen, &pair, &plen)) {
        fuzz_check((nlen == 7 && memcmp(name, "consent", 7) == 0)
                   || !consent_cookie_refused(policy, granted, unknown, name,
                                              nlen),
                   "a kept cookie is granted");
        kept++;
    }

    pos = 0;
    n2 = 0;

    while (consent_cookie_pair(h, len, &pos, &name, &nlen, &pair, &plen)) {
        fuzz_check(fuzz_inside(pair, plen, h, len), "pair inside");
        fuzz_check(fuzz_inside(name, nlen, pair, plen), "name in its pair");
        n2++;
    }

    fuzz_check(kept + removed == n2, "every cookie kept or removed");

    free(h);
    free(out);
    free(again);
}


static void
fuzz_domains(fuzz_in_t *in)
{
    char            *host, *top, *name, *out;
    size_t           i, n, hlen, tlen, nlen, len, max;
    const char      *s;
    consent_span_t   d[CONSENT_COOKIE_DOMAINS_MAX];

    max = fuzz_byte(in) % (CONSENT_COOKIE_DOMAINS_MAX + 2);

    s = fuzz_field(in, '\n', &hlen);
    host = fuzz_copy(s, hlen);
    s = fuzz_field(in, '\n', &tlen);
    top = fuzz_copy(s, tlen);
    s = fuzz_rest(in, &nlen);
    name = fuzz_copy(s, nlen);

    n = consent_cookie_domains(host, hlen, top, tlen, d, max);

    fuzz_check(n <= max && n <= CONSENT_COOKIE_DOMAINS_MAX, "bounded");
    fuzz_check(max == 0 || (n >= 1 && d[0].len == 0), "host-only first");

    for (i = 1; i < n; i++) {
        fuzz_check(fuzz_inside(d[i].data, d[i].len, host, hlen),
                   "a domain is part of the host");
        fuzz_check(d[i].len > 0, "not empty");
        fuzz_check(consent_cookie_domain_match(host, hlen - (hlen
                       && host[hlen - 1] == '.'), d[i].data, d[i].len),
                   "the host is under each domain");
    }

    for (i = 0; i < n; i++) {
        out = malloc(nlen + d[i].len + CONSENT_COOKIE_EXPIRY_EXTRA);

        if (out == NULL) {
            abort();
        }

        len = consent_cookie_expiry(name, nlen, d[i].data, d[i].len,
                                    (int) (i & 1), out);

        fuzz_check(len <= nlen + d[i].len + CONSENT_COOKIE_EXPIRY_EXTRA,
                   "in its room");
        fuzz_check(len == 0
                   || (len >= nlen + 13
                       && memcmp(out + nlen, "=; Max-Age=0;", 13) == 0),
                   "an expiring header");

        free(out);
    }

    free(host);
    free(top);
    free(name);
}


static void
fuzz_lookup(const char *s, size_t len)
{
    int                           d;
    char                         *name;
    const consent_cookie_decl_t  *c;

    name = fuzz_copy(s, len);
    d = consent_cookie_lookup(policy, name, len);

    if (d >= 0) {
        fuzz_check((size_t) d < policy->ncookies, "a declaration");
        c = &policy->cookies[d];

        /* the name, or the name without __Secure- or __Host- */
        fuzz_check(c->len <= len, "no longer than the name");
        fuzz_check(memmem(name, len, c->name, c->len) != NULL,
                   "the declaration's letters are in the name");
        fuzz_check(c->prefix || memcmp(name + len - c->len, c->name, c->len)
                   == 0, "an exact name ends the cookie's name");
    }

    free(name);
}


static void
fuzz_inventory(const char *s, size_t len)
{
    char                 *json, err[256];
    size_t                i, n, k, *idx;
    consent_inventory_t  *inv;
    consent_decl_row_t   *rows;
    consent_inv_entry_t  *e;

    json = fuzz_copy(s, len);
    inv = consent_inventory_parse(json, len, err, sizeof(err));

    if (inv == NULL) {
        fuzz_check(err[0] != '\0', "a refusal says why");
        free(json);
        return;
    }

    rows = consent_declaration(policy, inv->entries, inv->n, &n);
    fuzz_check(rows != NULL, "a table");
    fuzz_check(n >= policy->ncookies && n <= policy->ncookies + inv->n,
               "a row a declaration, at most one an entry");

    for (i = 0; i < n; i++) {
        fuzz_check((i < policy->ncookies) == (rows[i].decl >= 0),
                   "declared rows first");
        fuzz_check(rows[i].decl >= 0
                   || (rows[i].flags & CONSENT_DECL_UNDECLARED),
                   "an undeclared row says so");
    }

    free(rows);

    /* the undeclared hosts, and each host's page as a third party */
    idx = malloc((inv->n + 1) * sizeof(size_t));
    fuzz_check(idx != NULL, "memory");
    k = consent_inventory_undeclared_hosts(inv->entries, inv->n, idx);
    fuzz_check(k <= inv->n, "at most every entry");

    for (i = 0; i < k; i++) {
        e = &inv->entries[idx[i]];
        fuzz_check(e->kind == CONSENT_INV_HOST && e->unclassified > 0,
                   "an undeclared host");
        fuzz_check(e->category_ids != NULL, "category ids, maybe none");
        (void) consent_inventory_third_party(e->name, e->name_len,
                                             e->location, e->location_len,
                                             e->element, e->element_len);
    }

    free(idx);

    consent_inventory_free(inv);
    free(json);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t       len;
    const char  *s;
    fuzz_in_t    in;

    in.p = data;
    in.left = size;

    switch (fuzz_byte(&in) % 5) {

    case 0:
        s = fuzz_rest(&in, &len);
        fuzz_set_cookie(s, len);
        break;

    case 1:
        fuzz_filter(&in);
        break;

    case 2:
        fuzz_domains(&in);
        break;

    case 3:
        s = fuzz_rest(&in, &len);
        fuzz_lookup(s, len);
        break;

    default:
        s = fuzz_rest(&in, &len);
        fuzz_inventory(s, len);
        break;
    }

    return 0;
}

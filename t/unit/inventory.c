
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Unit tests of consent_inventory.c: the flags of a Set-Cookie header,
 * the JSON document of the inventory, third parties and the
 * declaration table.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "consent_inventory.h"


#define S(s)   s, sizeof(s) - 1


static void test_third_party(void);
static void test_hosts(consent_policy_t *p);
static void test_declaration(consent_policy_t *p);


int
main(void)
{
    char                  *s, err[512];
    size_t                 len;
    consent_policy_t      *p;
    consent_set_cookie_t   sc;
    consent_inv_entry_t    e[4];

    p = consent_policy_load("conf/policy.json", err, sizeof(err));

    if (!ok(p != NULL, "the shipped policy loads")) {
        printf("#   %s\n", err);
        return done_testing();
    }

    consent_set_cookie_parse(S("a=1; Secure; HttpOnly; SameSite=Strict"), &sc);
    is_int(consent_inventory_flags(&sc), CONSENT_INV_SECURE
           | CONSENT_INV_HTTPONLY | CONSENT_INV_SESSION
           | CONSENT_INV_SAMESITE_STRICT, "flags of a session cookie");
    consent_set_cookie_parse(S("a=1; Max-Age=5; SameSite=None"), &sc);
    is_int(consent_inventory_flags(&sc), CONSENT_INV_SAMESITE_NONE,
           "flags of a persistent cookie");
    consent_set_cookie_parse(S("a=1; Expires=Thu, 01 Jan 2099 00:00:00 GMT;"
                               " samesite=lax"), &sc);
    is_int(consent_inventory_flags(&sc), CONSENT_INV_SAMESITE_LAX,
           "Expires is no session cookie");

    memset(e, 0, sizeof(e));

    e[0].kind = CONSENT_INV_SET;
    e[0].name = "_ga";
    e[0].name_len = 3;
    e[0].domain = "example.com";
    e[0].domain_len = 11;
    e[0].path = "/";
    e[0].path_len = 1;
    e[0].location = "/app/";
    e[0].location_len = 5;
    e[0].count = 7;
    e[0].refused = 2;
    e[0].max_age = 63072000;
    e[0].flags = CONSENT_INV_SECURE | CONSENT_INV_SAMESITE_LAX;
    e[0].first = 1767225600;
    e[0].last = 1767225601;

    e[1].kind = CONSENT_INV_SENT;
    e[1].name = "_ga";
    e[1].name_len = 3;
    e[1].count = 9;

    e[2].kind = CONSENT_INV_SENT;
    e[2].name = "x\xff\"y";
    e[2].name_len = 4;
    e[2].count = 1;

    e[3].kind = CONSENT_INV_SET;
    e[3].name = "sid";
    e[3].name_len = 3;
    e[3].max_age = -1;
    e[3].flags = CONSENT_INV_SESSION | CONSENT_INV_HTTPONLY;
    e[3].count = 1;

    s = consent_inventory_json(p, e, 4, 3, 0, &len);

    if (!ok(s != NULL && len == strlen(s), "the inventory as JSON")) {
        return done_testing();
    }

    ok(strstr(s, "\"entries\":4") != NULL && strstr(s, "\"evicted\":3")
       != NULL, "entries and evicted");
    ok(strstr(s, "{\"name\":\"_ga\",\"category\":\"analytics\",\"count\":7,"
                 "\"first_seen\":\"2026-01-01T00:00:00Z\",\"last_seen\":"
                 "\"2026-01-01T00:00:01Z\",\"attributes\":[\"Secure\","
                 "\"SameSite=Lax\"],\"domain\":\"example.com\",\"path\":\"/\","
                 "\"location\":\"/app/\",\"refused\":2,\"max_age\":63072000,"
                 "\"session\":false}") != NULL, "a cookie set");
    ok(strstr(s, "{\"name\":\"_ga\",\"category\":\"analytics\",\"count\":9,")
       != NULL && strstr(s, "\"set_by_response\":true}") != NULL,
       "a cookie sent that a response set");
    ok(strstr(s, "{\"name\":\"x?\\\"y\",\"category\":null,\"count\":1,")
       != NULL && strstr(s, "\"set_by_response\":false}") != NULL,
       "a name that is not UTF-8, escaped; not set by a response");
    ok(strstr(s, "\"attributes\":[\"HttpOnly\"],\"domain\":\"\",\"path\":\"\","
                 "\"location\":\"\",\"refused\":0,\"max_age\":null,"
                 "\"session\":true}") != NULL, "a session cookie");
    free(s);

    s = consent_inventory_json(p, NULL, 0, 0, 0, &len);
    is_str(s, "{\"entries\":0,\"evicted\":0,\"host_pages_cut\":0,"
              "\"cookies_set\":[],\"cookies_sent\":[],"
              "\"third_party_hosts\":[]}", "an empty inventory");
    free(s);

    test_third_party();
    test_hosts(p);
    test_declaration(p);

    consent_policy_free(p);

    return done_testing();
}


static void
test_third_party(void)
{
#define TP(h, page, site)                                                    \
    consent_inventory_third_party(S(h), S(page), site, sizeof(site) - 1)

    ok(!TP("www.example.com", "www.example.com", ""), "the page's host");
    ok(!TP("WWW.Example.COM.", "www.example.com", ""),
       "case and a trailing dot aside");
    ok(!TP("example.com", "www.example.com", ""), "www. taken off the page");
    ok(!TP("cdn.example.com", "www.example.com", ""), "a subdomain of that");
    ok(TP("notexample.com", "www.example.com", ""), "not a suffix by label");
    ok(TP("cdn.example.com", "shop.example.com", ""),
       "a sibling of another host than www.: third without a site");
    ok(!TP("cdn.example.com", "shop.example.com", "example.com"),
       "first under consent_cookie_domain");
    ok(TP("example.net", "shop.example.com", "example.com"),
       "third outside it");
    ok(TP("cdn.example.com", "other.org", "example.com"),
       "consent_cookie_domain applies only to a page under it");
    ok(!TP("a.www.com", "www.com", ""), "www.com has no www. to take off");
    ok(TP("example.com", "www.com", ""), "www.com is its own site");
    ok(!TP("[::1]", "[::1]", ""), "an IPv6 page");
    ok(TP("127.0.0.2", "127.0.0.1", ""), "another address");
    ok(TP("www.google-analytics.com", "www.example.com", ""), "a tracker");
    ok(!TP("", "www.example.com", ""), "no host");

#undef TP
}


static void
test_hosts(consent_policy_t *p)
{
    char                 *s, err[256];
    size_t                len, idx[4];
    consent_inv_entry_t   e[3];
    consent_inventory_t  *inv;

    memset(e, 0, sizeof(e));

    e[0].kind = CONSENT_INV_HOST;
    e[0].name = "cdn.tracker.example";
    e[0].name_len = 19;
    e[0].element = "script";
    e[0].element_len = 6;
    e[0].location = "/";
    e[0].location_len = 1;
    e[0].count = 12;
    e[0].unclassified = 12;
    e[0].first = 1767225600;
    e[0].last = 1767225600;

    e[1].kind = CONSENT_INV_HOST;
    e[1].name = "www.googletagmanager.com";
    e[1].name_len = 24;
    e[1].element = "img";
    e[1].element_len = 3;
    e[1].count = 3;
    e[1].categories = 1 << 2 | 1 << 3;
    e[1].first = 1767225600;
    e[1].last = 1767225600;

    e[2].kind = CONSENT_INV_SENT;
    e[2].name = "_ga";
    e[2].name_len = 3;
    e[2].count = 1;

    s = consent_inventory_json(p, e, 3, 0, 5, &len);

    if (!ok(s != NULL, "hosts as JSON")) {
        return;
    }

    ok(strstr(s, "\"third_party_hosts\":[{\"host\":\"cdn.tracker.example\","
                 "\"count\":12,\"unclassified\":12,\"categories\":[],"
                 "\"element\":\"script\",\"location\":\"/\",") != NULL,
       "an unclassified host");
    ok(strstr(s, "{\"host\":\"www.googletagmanager.com\",\"count\":3,"
                 "\"unclassified\":0,\"categories\":[\"analytics\","
                 "\"marketing\"],\"element\":\"img\",\"location\":\"\",")
       != NULL, "a classified host, its categories by id");
    ok(strstr(s, "\"host_pages_cut\":5") != NULL, "pages cut");
    ok(strstr(s, "\"cookies_sent\":[{\"name\":\"_ga\"") != NULL,
       "a cookie is no host");

    inv = consent_inventory_parse(s, len, err, sizeof(err));
    free(s);

    if (!ok(inv != NULL, "read back")) {
        printf("#   %s\n", err);
        return;
    }

    is_int(inv->n, 3, "three entries");
    is_int(inv->host_pages_cut, 5, "pages cut read back");
    ok(inv->entries[1].kind == CONSENT_INV_HOST
       && inv->entries[1].name_len == 19
       && inv->entries[1].unclassified == 12
       && inv->entries[1].count == 12
       && inv->entries[1].category_ids_len == 0
       && inv->entries[1].element_len == 6, "the unclassified host");
    ok(inv->entries[2].category_ids_len == 19
       && memcmp(inv->entries[2].category_ids, "analytics marketing", 19)
          == 0, "the classified host's categories");
    is_int(consent_inventory_undeclared_hosts(inv->entries, inv->n, idx), 1,
           "one undeclared host");
    is_int(idx[0], 1, "its index");

    consent_inventory_free(inv);

    s = "{\"cookies_set\":[],\"cookies_sent\":[],\"third_party_hosts\":{}}";
    ok(consent_inventory_parse(s, strlen(s), err, sizeof(err)) == NULL,
       "hosts not an array: refused");
    s = "{\"cookies_set\":[],\"cookies_sent\":[],\"third_party_hosts\":"
        "[{\"count\":1}]}";
    ok(consent_inventory_parse(s, strlen(s), err, sizeof(err)) == NULL
       && strstr(err, "third_party_hosts[0]") != NULL, "a host without host");
    s = "{\"cookies_set\":[],\"cookies_sent\":[]}";
    inv = consent_inventory_parse(s, strlen(s), err, sizeof(err));
    ok(inv != NULL && inv->n == 0, "an inventory without hosts");
    consent_inventory_free(inv);
}


static void
test_declaration(consent_policy_t *p)
{
    int                   ga, fbp, consent;
    char                  err[256];
    size_t                i, n;
    consent_inventory_t  *inv;
    consent_decl_row_t   *rows;

    static const char    *doc =
        "{\"entries\":6,\"evicted\":2,\"cookies_set\":["
        "{\"name\":\"_ga\",\"count\":10,\"refused\":3,\"max_age\":63072000,"
        "\"domain\":\"\",\"path\":\"/\",\"location\":\"/\"},"
        "{\"name\":\"_ga\",\"count\":5,\"refused\":0,\"max_age\":100,"
        "\"domain\":\"example.com\",\"path\":\"/\",\"location\":\"/\"},"
        "{\"name\":\"_fbp\",\"count\":4,\"refused\":0,"
        "\"max_age\":99999999},"
        "{\"name\":\"PHPSESSID\",\"count\":7,\"max_age\":null,"
        "\"session\":true}],"
        "\"cookies_sent\":["
        "{\"name\":\"_ga\",\"count\":20},"
        "{\"name\":\"js_only\",\"count\":2}]}";

    inv = consent_inventory_parse(doc, strlen(doc), err, sizeof(err));

    if (!ok(inv != NULL, "an inventory read back")) {
        printf("#   %s\n", err);
        return;
    }

    is_int(inv->n, 6, "six entries");
    is_int(inv->evicted, 2, "evicted");
    ok(inv->entries[3].max_age == -1
       && (inv->entries[3].flags & CONSENT_INV_SESSION), "a session cookie");

    rows = consent_declaration(p, inv->entries, inv->n, &n);

    if (!ok(rows != NULL, "the declaration table")) {
        consent_inventory_free(inv);
        return;
    }

    is_int(n, p->ncookies + 2, "every declaration, then two undeclared");

    ga = fbp = consent = -1;

    for (i = 0; i < p->ncookies; i++) {
        if (rows[i].name_len == 3 && memcmp(rows[i].name, "_ga", 3) == 0
            && !rows[i].prefix)
        {
            ga = (int) i;
        }

        if (rows[i].name_len == 4 && memcmp(rows[i].name, "_fbp", 4) == 0) {
            fbp = (int) i;
        }

        if (rows[i].name_len == 7 && memcmp(rows[i].name, "consent", 7) == 0)
        {
            consent = (int) i;
        }
    }

    if (ok(ga >= 0 && fbp >= 0 && consent >= 0, "rows of _ga, _fbp, consent"))
    {
        is_int(rows[ga].set, 15, "_ga set on two domains: 15");
        is_int(rows[ga].refused, 3, "_ga refused 3");
        is_int(rows[ga].sent, 20, "_ga sent 20");
        is_int(rows[ga].max_age, 63072000, "_ga: the longest max-age");
        is_int(rows[ga].flags, CONSENT_DECL_REFUSED,
               "_ga: set while refused; 2 years is as declared");
        is_int(rows[fbp].flags, CONSENT_DECL_LONGER,
               "_fbp: longer than its declared 90 days");
        is_int(rows[consent].flags, 0, "consent: nothing to say");
        is_int(rows[consent].set, 0, "consent: not seen");
    }

    ok(rows[n - 2].name_len == 9 && memcmp(rows[n - 2].name, "PHPSESSID", 9)
       == 0 && rows[n - 2].flags == CONSENT_DECL_UNDECLARED
       && rows[n - 2].category == -1 && rows[n - 2].set == 7,
       "PHPSESSID: undeclared");
    ok(rows[n - 1].name_len == 7 && rows[n - 1].flags
       == (CONSENT_DECL_UNDECLARED | CONSENT_DECL_SCRIPT),
       "js_only: undeclared, set by a script");

    free(rows);
    consent_inventory_free(inv);

    ok(consent_inventory_parse("[]", 2, err, sizeof(err)) == NULL
       && strstr(err, "not an inventory") != NULL, "an array is refused");
    ok(consent_inventory_parse("{", 1, err, sizeof(err)) == NULL
       && strstr(err, "line 1") != NULL, "broken JSON is refused");
    ok(consent_inventory_parse(S("{\"cookies_set\":[{}],"
                                 "\"cookies_sent\":[]}"), err, sizeof(err))
       == NULL
       && strstr(err, "cookies_set[0]: no \"name\"") != NULL,
       "an entry without a name is refused");
}

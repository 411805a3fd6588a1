
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Unit tests of consent_inventory.c: the flags of a Set-Cookie header
 * and the JSON document of the inventory.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "consent_inventory.h"


#define S(s)   s, sizeof(s) - 1


static void test_lifetime(void);
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

    s = consent_inventory_json(p, e, 4, 3, &len);

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

    s = consent_inventory_json(p, NULL, 0, 0, &len);
    is_str(s, "{\"entries\":0,\"evicted\":0,\"cookies_set\":[],"
              "\"cookies_sent\":[]}", "an empty inventory");
    free(s);

    test_lifetime();
    test_declaration(p);

    consent_policy_free(p);

    return done_testing();
}


static void
test_lifetime(void)
{
    is_int(consent_lifetime_seconds("2 years"), 2 * 366 * 86400, "2 years");
    is_int(consent_lifetime_seconds("1 Year"), 366 * 86400, "1 Year");
    is_int(consent_lifetime_seconds("24 hours"), 86400, "24 hours");
    is_int(consent_lifetime_seconds("1 minute"), 60, "1 minute");
    is_int(consent_lifetime_seconds("90 days"), 90 * 86400, "90 days");
    is_int(consent_lifetime_seconds("13 months"), 13 * 31 * 86400,
           "13 months");
    is_int(consent_lifetime_seconds("30 minutes to 2 years"),
           2 * 366 * 86400, "a range: the longest");
    is_int(consent_lifetime_seconds("Up to 13 months"), 13 * 31 * 86400,
           "up to");
    is_int(consent_lifetime_seconds("Session"), 0, "session");
    is_int(consent_lifetime_seconds("6 mois"), -1, "not English");
    is_int(consent_lifetime_seconds("forever"), -1, "no number");
    is_int(consent_lifetime_seconds("2 lightyears"), -1, "no unit");
    is_int(consent_lifetime_seconds(""), -1, "empty");
    is_int(consent_lifetime_seconds(NULL), -1, "NULL");
    is_int(consent_lifetime_seconds("99999999999 years"), 9999999LL * 366
           * 86400, "a huge number stops growing: no overflow");
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

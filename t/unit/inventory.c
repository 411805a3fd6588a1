
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

    consent_policy_free(p);

    return done_testing();
}

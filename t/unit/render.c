
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Unit tests of consent_render.c: the view of a cookie, the state JSON,
 * the error JSON, times, and the preferences page, whose every policy
 * text and every request-derived value must come out escaped.
 */


#define _GNU_SOURCE

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "tap.h"
#include "consent_policy.h"
#include "consent_request.h"
#include "consent_render.h"


#define NECESSARY    (1u << 0)
#define PREFERENCES  (1u << 1)
#define ANALYTICS    (1u << 2)
#define MARKETING    (1u << 3)

#define ISSUED       1700000000                 /* 2023-11-14T22:13:20Z */
#define MAX_AGE      (182 * 86400)

#define S(s)         s, sizeof(s) - 1


static const char *cstr(const char *s);
static size_t count(const char *hay, const char *needle);
static int contains_ci(const char *hay, const char *needle);
static int entities_ok(const char *page);
static void token(consent_token_t *tok, uint32_t granted);
static char *page(const consent_policy_t *p, consent_state_e state,
    uint32_t granted, const char *lang, const char *ret);
static void test_sha256(void);
static void test_view_init(void);
static void test_state_json(void);
static void test_error_json(void);
static void test_format_time(void);
static void test_page(void);
static void test_page_states(void);
static void test_page_hostile(void);
static void test_injections(void);
static void test_cookies(void);
static void test_banner_hostile(consent_policy_t *p);


static consent_policy_t  *pol;


/* an array through a call: tap.h's is_str() tests its arguments for NULL */

static const char *
cstr(const char *s)
{
    return s;
}


static size_t
count(const char *hay, const char *needle)
{
    size_t       n;
    const char  *p;

    n = 0;

    for (p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle)) {
        n++;
    }

    return n;
}


static int
contains_ci(const char *hay, const char *needle)
{
    size_t  i, n;

    n = strlen(needle);

    for ( /* void */ ; *hay; hay++) {
        for (i = 0; i < n && hay[i] != '\0'; i++) {
            if (tolower((unsigned char) hay[i])
                != tolower((unsigned char) needle[i]))
            {
                break;
            }
        }

        if (i == n) {
            return 1;
        }
    }

    return 0;
}


/* every '&' starts one of the five entities the escaper writes */

static int
entities_ok(const char *page)
{
    const char  *p;

    for (p = strchr(page, '&'); p != NULL; p = strchr(p + 1, '&')) {
        if (strncmp(p, "&amp;", 5) != 0 && strncmp(p, "&lt;", 4) != 0
            && strncmp(p, "&gt;", 4) != 0 && strncmp(p, "&quot;", 6) != 0
            && strncmp(p, "&#39;", 5) != 0)
        {
            printf("#     raw '&' at: %.20s\n", p);
            return 0;
        }
    }

    return 1;
}


static void
token(consent_token_t *tok, uint32_t granted)
{
    int  i;

    memset(tok, 0, sizeof(consent_token_t));

    tok->revision = 1;
    tok->granted = granted;
    tok->issued = ISSUED;

    for (i = 0; i < CONSENT_ID_LEN; i++) {
        tok->id[i] = (unsigned char) i;
    }

    memcpy(tok->kid, "k1", 3);
}


static void
test_sha256(void)
{
    int            i;
    FILE          *f;
    char           hex[65], buf[1 << 16];
    size_t         n;
    unsigned int   mdlen;
    EVP_MD_CTX    *ctx;
    unsigned char  md[32];

    f = fopen("conf/policy.json", "rb");
    ctx = EVP_MD_CTX_new();

    if (f == NULL || ctx == NULL) {
        ok(0, "conf/policy.json read for its SHA-256");
        return;
    }

    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);

    while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
        EVP_DigestUpdate(ctx, buf, n);
    }

    EVP_DigestFinal_ex(ctx, md, &mdlen);
    EVP_MD_CTX_free(ctx);
    fclose(f);

    for (i = 0; i < 32; i++) {
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    }

    is_str(cstr(pol->sha256_hex), cstr(hex),
           "the policy's sha256_hex is the SHA-256 of the file");
}


static void
test_view_init(void)
{
    consent_view_t   v;
    consent_token_t  tok, zero;

    is_int(pol->max_age, MAX_AGE, "policy lifetime is 182 days");
    is_int(pol->revision, 1, "policy revision 1");

    token(&tok, PREFERENCES | ANALYTICS | 0xf0);
    memset(&zero, 0, sizeof(zero));

    memset(&v, 0xa5, sizeof(v));
    consent_view_init(&v, pol, CONSENT_STATE_ABSENT, NULL);
    is_int(v.state, CONSENT_STATE_ABSENT, "absent: state");
    is_int(v.granted, NECESSARY, "absent: required only");
    is_int(v.expires, 0, "absent: no expiry");
    ok(memcmp(&v.token, &zero, sizeof(zero)) == 0, "absent: token zeroed");

    memset(&v, 0xa5, sizeof(v));
    consent_view_init(&v, pol, CONSENT_STATE_ABSENT, &tok);
    is_int(v.granted, NECESSARY, "absent with a token: required only");
    ok(memcmp(&v.token, &zero, sizeof(zero)) == 0,
       "absent with a token: token not copied");

    memset(&v, 0xa5, sizeof(v));
    consent_view_init(&v, pol, CONSENT_STATE_INVALID, &tok);
    is_int(v.state, CONSENT_STATE_INVALID, "invalid: state");
    is_int(v.granted, NECESSARY, "invalid: required only");
    is_int(v.expires, 0, "invalid: no expiry");
    ok(memcmp(&v.token, &zero, sizeof(zero)) == 0,
       "invalid: token not copied");

    memset(&v, 0xa5, sizeof(v));
    consent_view_init(&v, pol, CONSENT_STATE_VALID, &tok);
    is_int(v.state, CONSENT_STATE_VALID, "valid: state");
    is_int(v.granted, NECESSARY | PREFERENCES | ANALYTICS,
           "valid: granted plus required, unknown bits masked");
    is_int(v.expires, (int64_t) ISSUED + MAX_AGE, "valid: expires");
    ok(memcmp(&v.token, &tok, sizeof(tok)) == 0, "valid: token copied");

    token(&tok, 0);
    consent_view_init(&v, pol, CONSENT_STATE_VALID, &tok);
    is_int(v.granted, NECESSARY,
           "valid, nothing granted: required still granted");

    token(&tok, MARKETING | ANALYTICS | PREFERENCES);

    memset(&v, 0xa5, sizeof(v));
    consent_view_init(&v, pol, CONSENT_STATE_EXPIRED, &tok);
    is_int(v.state, CONSENT_STATE_EXPIRED, "expired: state");
    is_int(v.granted, NECESSARY, "expired: required only");
    is_int(v.expires, (int64_t) ISSUED + MAX_AGE, "expired: expires");
    ok(memcmp(&v.token, &tok, sizeof(tok)) == 0, "expired: token copied");

    memset(&v, 0xa5, sizeof(v));
    consent_view_init(&v, pol, CONSENT_STATE_OUTDATED, &tok);
    is_int(v.state, CONSENT_STATE_OUTDATED, "outdated: state");
    is_int(v.granted, NECESSARY, "outdated: required only");
    is_int(v.expires, (int64_t) ISSUED + MAX_AGE, "outdated: expires");

    memset(&v, 0xa5, sizeof(v));
    consent_view_init(&v, pol, CONSENT_STATE_VALID, NULL);
    is_int(v.granted, NECESSARY, "valid without a token: required only");
    is_int(v.expires, 0, "valid without a token: no expiry");
}


static void
test_state_json(void)
{
    char            *s, want[1024];
    size_t           len;
    json_t          *j;
    consent_view_t   v;
    consent_token_t  tok;

    consent_view_init(&v, pol, CONSENT_STATE_ABSENT, NULL);
    len = 0;
    s = consent_render_state_json(pol, &v, &len);

    snprintf(want, sizeof(want),
             "{\"state\":\"absent\",\"id\":null,\"revision\":1,"
             "\"policy_sha256\":\"%s\",\"granted\":[\"necessary\"],"
             "\"denied\":[\"preferences\",\"analytics\",\"marketing\"],"
             "\"issued\":null,\"expires\":null}", pol->sha256_hex);

    is_str(s, cstr(want), "state JSON: absent");
    is_int(len, s ? strlen(s) : 0, "state JSON: absent, length");
    free(s);

    token(&tok, ANALYTICS);
    consent_view_init(&v, pol, CONSENT_STATE_VALID, &tok);
    s = consent_render_state_json(pol, &v, &len);

    snprintf(want, sizeof(want),
             "{\"state\":\"valid\",\"id\":\"AAECAwQFBgcICQoLDA0ODw\","
             "\"revision\":1,\"policy_sha256\":\"%s\","
             "\"granted\":[\"necessary\",\"analytics\"],"
             "\"denied\":[\"preferences\",\"marketing\"],"
             "\"issued\":\"2023-11-14T22:13:20Z\","
             "\"expires\":\"2024-05-14T22:13:20Z\"}", pol->sha256_hex);

    is_str(s, cstr(want), "state JSON: valid");
    is_int(len, s ? strlen(s) : 0, "state JSON: valid, length");
    free(s);

    token(&tok, PREFERENCES | ANALYTICS | MARKETING);
    consent_view_init(&v, pol, CONSENT_STATE_VALID, &tok);
    s = consent_render_state_json(pol, &v, NULL);

    snprintf(want, sizeof(want),
             "{\"state\":\"valid\",\"id\":\"AAECAwQFBgcICQoLDA0ODw\","
             "\"revision\":1,\"policy_sha256\":\"%s\","
             "\"granted\":[\"necessary\",\"preferences\",\"analytics\","
             "\"marketing\"],\"denied\":[],"
             "\"issued\":\"2023-11-14T22:13:20Z\","
             "\"expires\":\"2024-05-14T22:13:20Z\"}", pol->sha256_hex);

    is_str(s, cstr(want), "state JSON: valid, all granted, len NULL");
    free(s);

    consent_view_init(&v, pol, CONSENT_STATE_EXPIRED, &tok);
    s = consent_render_state_json(pol, &v, &len);

    snprintf(want, sizeof(want),
             "{\"state\":\"expired\",\"id\":\"AAECAwQFBgcICQoLDA0ODw\","
             "\"revision\":1,\"policy_sha256\":\"%s\","
             "\"granted\":[\"necessary\"],"
             "\"denied\":[\"preferences\",\"analytics\",\"marketing\"],"
             "\"issued\":\"2023-11-14T22:13:20Z\","
             "\"expires\":\"2024-05-14T22:13:20Z\"}", pol->sha256_hex);

    is_str(s, cstr(want), "state JSON: expired grants nothing optional");
    free(s);

    consent_view_init(&v, pol, CONSENT_STATE_OUTDATED, &tok);
    s = consent_render_state_json(pol, &v, &len);
    j = s ? json_loads(s, 0, NULL) : NULL;

    is_str(json_string_value(json_object_get(j, "state")), "outdated",
           "state JSON: outdated");
    is_str(json_string_value(json_object_get(j, "id")),
           "AAECAwQFBgcICQoLDA0ODw", "state JSON: outdated keeps the id");
    is_int(json_array_size(json_object_get(j, "granted")), 1,
           "state JSON: outdated grants the required category only");
    is_int(json_object_size(j), 8, "state JSON: eight members");
    json_decref(j);
    free(s);

    consent_view_init(&v, pol, CONSENT_STATE_INVALID, &tok);
    s = consent_render_state_json(pol, &v, &len);

    snprintf(want, sizeof(want),
             "{\"state\":\"invalid\",\"id\":null,\"revision\":1,"
             "\"policy_sha256\":\"%s\",\"granted\":[\"necessary\"],"
             "\"denied\":[\"preferences\",\"analytics\",\"marketing\"],"
             "\"issued\":null,\"expires\":null}", pol->sha256_hex);

    is_str(s, cstr(want), "state JSON: invalid shows no id or time");
    free(s);
}


static void
test_error_json(void)
{
    int               rc;
    char             *s, err[256];
    size_t            len, i;
    json_t           *j;
    consent_choice_t  c;

    static const char  hostile[] =
        "say \"hi\" \\ back\\\"slash\n\r\t\x01\x1f\x7f </script> end";

    static const char  *bodies[] = {
        "action=save&granted=%FF",
        "action=save&%FE%FF=1",
        "action=save&\xff\xfe=1",
        "action=%C3",
        "action=save&granted=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa%C3%A9",
        "action=save&granted=\x01\"\\<",
    };

    s = consent_render_error_json(400, "bad request", &len);
    is_str(s, "{\"error\":\"bad request\",\"status\":400}",
           "error JSON: exact");
    is_int(len, s ? strlen(s) : 0, "error JSON: length");
    free(s);

    s = consent_render_error_json(413, hostile, &len);
    j = s ? json_loads(s, 0, NULL) : NULL;
    ok(j != NULL, "error JSON with quotes, backslashes, controls parses");
    is_str(json_string_value(json_object_get(j, "error")), hostile,
           "error JSON: message round-trips");
    is_int(json_integer_value(json_object_get(j, "status")), 413,
           "error JSON: status");
    json_decref(j);

    for (i = 0; s != NULL && s[i] != '\0'; i++) {
        if ((unsigned char) s[i] < 0x20) {
            break;
        }
    }

    ok(s != NULL && s[i] == '\0', "error JSON: no raw control character");
    is_int(len, s ? strlen(s) : 0, "error JSON: length with escapes");
    free(s);

    s = consent_render_error_json(400, "unknown category \"an\xc3\xa1lisis\"",
                                  &len);
    j = s ? json_loads(s, 0, NULL) : NULL;
    is_str(json_string_value(json_object_get(j, "error")),
           "unknown category \"an\xc3\xa1lisis\"",
           "error JSON: UTF-8 kept");
    json_decref(j);
    free(s);

    /* bytes that are not UTF-8 still give a message, as valid JSON */

    s = consent_render_error_json(400, "unknown category \"\xff\xfe\"", &len);
    j = s ? json_loads(s, 0, NULL) : NULL;
    ok(j != NULL, "error JSON: invalid UTF-8 in the message, still JSON");
    is_str(json_string_value(json_object_get(j, "error")),
           "unknown category \"??\"", "error JSON: invalid bytes replaced");
    json_decref(j);
    free(s);

    s = consent_render_error_json(400, "cut \"ab\xc3", &len);
    j = s ? json_loads(s, 0, NULL) : NULL;
    is_str(json_string_value(json_object_get(j, "error")), "cut \"ab?",
           "error JSON: message cut inside a character");
    json_decref(j);
    free(s);

    /* end to end: every parser error renders with its message */

    for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        rc = consent_choice_parse_form_tcf(pol, bodies[i], strlen(bodies[i]),
                                           &c, NULL, err, sizeof(err));
        s = consent_render_error_json(400, err, &len);
        j = s ? json_loads(s, 0, NULL) : NULL;

        ok(rc == -1 && json_is_string(json_object_get(j, "error"))
           && strlen(json_string_value(json_object_get(j, "error"))) > 0,
           "error JSON of form error %zu has its message", i);

        json_decref(j);
        free(s);
    }

    rc = consent_choice_parse_json_tcf(pol,
                                       S("{\"granted\": [\"aaaaaaaaaaaaaaaa"
                                         "aaaaaaaaaaaaaaaaaaaaaaa\xc3\xa9"
                                         "\"]}"),
                                       &c, NULL, err, sizeof(err));
    s = consent_render_error_json(400, err, &len);
    j = s ? json_loads(s, 0, NULL) : NULL;
    ok(rc == -1 && json_is_string(json_object_get(j, "error")),
       "error JSON of a JSON category cut inside a character");
    json_decref(j);
    free(s);
}


static void
test_format_time(void)
{
    char  *out;

    out = malloc(21);
    if (out == NULL) {
        abort();
    }

    consent_format_time(0, out);
    is_str(out, "1970-01-01T00:00:00Z", "time: epoch");
    consent_format_time(ISSUED, out);
    is_str(out, "2023-11-14T22:13:20Z", "time: a known date");
    consent_format_time(951782400, out);
    is_str(out, "2000-02-29T00:00:00Z", "time: a leap day");
    consent_format_time(2147483647, out);
    is_str(out, "2038-01-19T03:14:07Z", "time: 2^31 - 1");
    consent_format_time(2147483648LL, out);
    is_str(out, "2038-01-19T03:14:08Z", "time: 2^31, past 2038");
    consent_format_time(4102444800LL, out);
    is_str(out, "2100-01-01T00:00:00Z", "time: 2100");
    consent_format_time(253402300799LL, out);
    is_str(out, "9999-12-31T23:59:59Z", "time: the last of year 9999");

    /* beyond what fits: still 20 characters in a 21-byte buffer */

    consent_format_time(253402300800LL, out);
    is_int(strlen(out), 20, "time: year 10000 does not overflow");
    consent_format_time(INT64_MAX, out);
    is_int(strlen(out), 20, "time: INT64_MAX does not overflow");
    consent_format_time(INT64_MIN, out);
    is_int(strlen(out), 20, "time: INT64_MIN does not overflow");

    free(out);
}


static char *
page(const consent_policy_t *p, consent_state_e state, uint32_t granted,
    const char *lang, const char *ret)
{
    char            *s;
    size_t           len;
    consent_view_t   v;
    consent_token_t  tok;

    token(&tok, granted);
    consent_view_init(&v, p, state, &tok);

    len = 0;
    s = consent_render_page(p, &v, lang, S("/consent/"), ret, strlen(ret),
                            &len);

    if (s == NULL) {
        printf("#     no page\n");
        abort();
    }

    if (len != strlen(s)) {
        ok(0, "page length %zu is its strlen %zu", len, strlen(s));
    }

    return s;
}


static void
test_page(void)
{
    char            *s;
    size_t           len;
    consent_view_t   v;

    s = page(pol, CONSENT_STATE_VALID, ANALYTICS, "en", "/articles/1?x=2&y=3");

    ok(strncmp(s, "<!DOCTYPE html>\n<html lang=\"en\">", 31) == 0,
       "page: doctype and lang en");
    ok(strlen(s) > 8 && strcmp(s + strlen(s) - 8, "</html>\n") == 0,
       "page: ends with </html>");
    ok(strstr(s, "<meta charset=\"utf-8\">") != NULL, "page: charset");
    ok(strstr(s, "<title>Manage cookie preferences</title>") != NULL,
       "page: title");
    ok(strstr(s, "<h1 id=\"consent-title\">Your privacy choices</h1>")
       != NULL, "page: heading");
    ok(strstr(s, "<a href=\"/privacy\">Privacy and cookie policy</a>")
       != NULL, "page: privacy link");
    is_int(count(s, "<form "), 1, "page: one form");
    ok(strstr(s, "<form method=\"post\" action=\"/consent/\">") != NULL,
       "page: form posts to the endpoint");
    ok(strstr(s, "<input type=\"hidden\" name=\"return\" "
                 "value=\"/articles/1?x=2&amp;y=3\">") != NULL,
       "page: return value, escaped");
    is_int(count(s, "type=\"checkbox\""), 4, "page: one checkbox each");
    is_int(count(s, "name=\"granted\""), 4, "page: four granted fields");
    ok(strstr(s, "name=\"granted\" value=\"necessary\" checked disabled> "
                 "Always on</label>") != NULL,
       "page: required category checked and disabled");
    is_int(count(s, "disabled"), 1, "page: only the required one disabled");
    ok(strstr(s, "value=\"preferences\"> Preferences</label>") != NULL,
       "page: preferences not granted, not checked");
    ok(strstr(s, "value=\"analytics\" checked> Analytics</label>") != NULL,
       "page: analytics granted, checked");
    ok(strstr(s, "value=\"marketing\"> Marketing and embedded media"
                 "</label>") != NULL,
       "page: marketing not granted, not checked");
    is_int(count(s, " checked"), 2, "page: two checked");
    ok(strstr(s, "<legend>Strictly necessary</legend>") != NULL,
       "page: required category's label");
    ok(strstr(s, "<p>Needed for the site to work") != NULL,
       "page: a description");
    ok(strstr(s, "value=\"accept_all\">Accept all</button>") != NULL,
       "page: accept all");
    ok(strstr(s, "value=\"reject_all\">Reject all</button>") != NULL,
       "page: reject all");
    ok(strstr(s, "value=\"save\">Save my choices</button>") != NULL,
       "page: save");
    ok(strstr(s, "value=\"withdraw\">Withdraw consent</button>") != NULL,
       "page: withdraw when valid");
    is_int(count(s, "name=\"action\""), 4, "page: four action buttons");
    ok(strstr(s, "\\\"") == NULL, "page: texts' quotes not JSON-escaped");
    ok(entities_ok(s), "page: every '&' is an entity");
    free(s);

    s = page(pol, CONSENT_STATE_VALID, PREFERENCES | ANALYTICS | MARKETING,
             "es", "/");
    ok(strncmp(s, "<!DOCTYPE html>\n<html lang=\"es\">", 31) == 0,
       "page es: lang es");
    ok(strstr(s, "value=\"necessary\" checked disabled> Siempre activas")
       != NULL, "page es: always on in Spanish");
    ok(strstr(s, "<legend>Estrictamente necesarias</legend>") != NULL,
       "page es: label in Spanish");
    ok(strstr(s, "value=\"save\">Guardar mis opciones</button>") != NULL,
       "page es: save in Spanish");
    ok(strstr(s, "value=\"/\">") != NULL, "page es: return /");
    is_int(count(s, " checked"), 4, "page es: all checked");
    ok(strstr(s, "Save my choices") == NULL, "page es: no English");
    ok(strstr(s, "Anal\xc3\xadtica") != NULL, "page es: UTF-8 as is");
    free(s);

    /* a language the policy lacks: the default language's texts */

    s = page(pol, CONSENT_STATE_ABSENT, 0, "zu", "/");
    ok(strstr(s, "<html lang=\"zu\">") != NULL, "page zu: lang as given");
    ok(strstr(s, "Save my choices") != NULL, "page zu: English texts");
    free(s);

    /* action and return taken by length */

    consent_view_init(&v, pol, CONSENT_STATE_ABSENT, NULL);
    s = consent_render_page(pol, &v, "en", "/consent/XYZ", 9, "/abcdef", 2,
                            &len);
    ok(s != NULL && strstr(s, "action=\"/consent/\">") != NULL,
       "page: action by length");
    ok(s != NULL && strstr(s, "name=\"return\" value=\"/a\">") != NULL,
       "page: return by length");
    ok(s != NULL && len == strlen(s), "page: length");
    free(s);
}


static void
test_page_states(void)
{
    char  *s;

    s = page(pol, CONSENT_STATE_ABSENT, ANALYTICS, "en", "/");
    ok(strstr(s, "value=\"withdraw\"") == NULL, "page absent: no withdraw");
    is_int(count(s, " checked"), 1, "page absent: required only checked");
    is_int(count(s, "name=\"action\""), 3, "page absent: three buttons");
    free(s);

    s = page(pol, CONSENT_STATE_INVALID, ANALYTICS, "en", "/");
    ok(strstr(s, "value=\"withdraw\"") == NULL, "page invalid: no withdraw");
    is_int(count(s, " checked"), 1, "page invalid: required only checked");
    free(s);

    s = page(pol, CONSENT_STATE_EXPIRED, ANALYTICS | MARKETING, "en", "/");
    ok(strstr(s, "value=\"withdraw\"") == NULL, "page expired: no withdraw");
    is_int(count(s, " checked"), 1, "page expired: required only checked");
    free(s);

    s = page(pol, CONSENT_STATE_OUTDATED, ANALYTICS | MARKETING, "en", "/");
    ok(strstr(s, "value=\"withdraw\"") == NULL,
       "page outdated: no withdraw");
    is_int(count(s, " checked"), 1, "page outdated: required only checked");
    free(s);

    s = page(pol, CONSENT_STATE_VALID, 0, "en", "/");
    ok(strstr(s, "value=\"withdraw\"") != NULL,
       "page valid, nothing optional: withdraw");
    is_int(count(s, " checked"), 1, "page valid, nothing optional: one");
    free(s);
}


#define RAW(name)                                                             \
    name "<script>alert(\"" name "\")</script> & 'q' &amp;"

#define ESCAPED(name)                                                         \
    name "&lt;script&gt;alert(&quot;" name "&quot;)&lt;/script&gt; &amp; "   \
    "&#39;q&#39; &amp;amp;"


static void
test_page_hostile(void)
{
    char              *s, *doc, err[512];
    size_t             i, len;
    json_t            *j, *texts;
    consent_view_t     v;
    consent_token_t    tok;
    consent_policy_t  *p;

    static const char  *keys[] = {
        "title", "message", "accept_all", "reject_all", "customise", "save",
        "withdraw", "privacy_link", "manage", "always_on", "gpc_honoured"
    };

    static const char  *shown_raw[] = {
        RAW("title"), RAW("message"), RAW("accept_all"), RAW("reject_all"),
        RAW("save"), RAW("withdraw"), RAW("privacy_link"), RAW("manage"),
        RAW("always_on"), RAW("label0"), RAW("desc0"), RAW("label1"),
        RAW("desc1")
    };

    static const char  *shown_escaped[] = {
        ESCAPED("title"), ESCAPED("message"), ESCAPED("accept_all"),
        ESCAPED("reject_all"), ESCAPED("save"), ESCAPED("withdraw"),
        ESCAPED("privacy_link"), ESCAPED("manage"), ESCAPED("always_on"),
        ESCAPED("label0"), ESCAPED("desc0"), ESCAPED("label1"),
        ESCAPED("desc1")
    };

    /* built with jansson, so that the hostile texts are valid JSON */

    texts = json_object();

    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        json_t  *t;

        len = strlen(keys[i]);
        s = malloc(2 * len + 64);
        if (s == NULL) {
            abort();
        }

        snprintf(s, 2 * len + 64, "%s<script>alert(\"%s\")</script> & 'q' "
                 "&amp;", keys[i], keys[i]);
        t = json_string(s);
        json_object_set_new(texts, keys[i], t);
        free(s);
    }

    j = json_pack("{s:i, s:i, s:s, s:s, s:[{s:s, s:b, s:{s:s}, s:{s:s}},"
                  " {s:s, s:{s:s}, s:{s:s}}], s:{s:o}}",
                  "revision", 2, "max_age", 86400,
                  "default_language", "en",
                  "privacy_url", "/privacy?a=1&b='x'",
                  "categories",
                  "id", "core", "required", 1,
                  "label", "en", RAW("label0"),
                  "description", "en", RAW("desc0"),
                  "id", "stats",
                  "label", "en", RAW("label1"),
                  "description", "en", RAW("desc1"),
                  "texts", "en", texts);

    doc = j ? json_dumps(j, 0) : NULL;
    json_decref(j);

    if (!ok(doc != NULL, "hostile policy built")) {
        return;
    }

    p = consent_policy_parse(doc, strlen(doc), err, sizeof(err));
    free(doc);

    if (!ok(p != NULL, "hostile policy parsed")) {
        printf("#     %s\n", err);
        return;
    }

    token(&tok, 0x2);
    tok.revision = 2;
    consent_view_init(&v, p, CONSENT_STATE_VALID, &tok);

    s = consent_render_page(p, &v, "en\"><script>alert('lang')</script>",
                            S("/consent/\"><script>alert('action')</script>"),
                            S("/\" onfocus='alert(1)' x=\"&y=<z>"), &len);

    if (!ok(s != NULL, "hostile page rendered")) {
        consent_policy_free(p);
        return;
    }

    for (i = 0; i < sizeof(shown_raw) / sizeof(shown_raw[0]); i++) {
        ok(strstr(s, shown_raw[i]) == NULL, "hostile: %s not raw",
           shown_raw[i]);
        ok(strstr(s, shown_escaped[i]) != NULL, "hostile: %s escaped",
           shown_escaped[i]);
    }

    ok(!contains_ci(s, "<script"), "hostile: no <script at all");
    ok(strchr(s, '\'') == NULL, "hostile: no raw ' at all");
    ok(strstr(s, "alert(\"") == NULL, "hostile: no raw \" from a text");
    ok(entities_ok(s), "hostile: every '&' is an entity");

    ok(strstr(s, "<html lang=\"en&quot;&gt;&lt;script&gt;alert(&#39;lang"
                 "&#39;)&lt;/script&gt;\">") != NULL,
       "hostile: lang escaped");
    ok(strstr(s, "<form method=\"post\" action=\"/consent/&quot;&gt;"
                 "&lt;script&gt;alert(&#39;action&#39;)&lt;/script&gt;\">")
       != NULL, "hostile: form action escaped");
    ok(strstr(s, "name=\"return\" value=\"/&quot; onfocus=&#39;alert(1)"
                 "&#39; x=&quot;&amp;y=&lt;z&gt;\">") != NULL,
       "hostile: return escaped");
    ok(strstr(s, "<a href=\"/privacy?a=1&amp;b=&#39;x&#39;\">") != NULL,
       "hostile: privacy URL escaped");
    ok(strstr(s, "value=\"core\" checked disabled> " ESCAPED("always_on"))
       != NULL, "hostile: required category");
    ok(strstr(s, "value=\"stats\" checked> " ESCAPED("label1")) != NULL,
       "hostile: granted category");
    is_int(count(s, "type=\"checkbox\""), 2, "hostile: two checkboxes");
    is_int(len, strlen(s), "hostile: length");

    free(s);

    test_banner_hostile(p);

    consent_policy_free(p);
}


static void
test_injections(void)
{
    char                   *s, *t;
    size_t                  len, n;
    json_t                 *j;
    json_error_t            jerr;
    consent_tpl_t          *tpl;
    consent_view_t          view;
    consent_token_t         tok;
    consent_render_conf_t   rc;
    consent_tpl_vars_t      vars;

    memset(&rc, 0, sizeof(consent_render_conf_t));
    rc.endpoint = "/consent/";
    rc.endpoint_len = 9;
    rc.version = "0123456789abcdef";

    consent_view_init(&view, pol, CONSENT_STATE_ABSENT, NULL);

    s = consent_render_head(pol, &view, 0, &rc, NULL, 0, &len);
    is_str(s, "<script type=\"application/json\" id=\"consent-state\" "
           "data-consent-ui>{\"state\":\"absent\",\"endpoint\":"
           "\"\\u002fconsent\\u002f\",\"revision\":1,\"granted\":"
           "[\"necessary\"],\"denied\":[\"preferences\",\"analytics\","
           "\"marketing\"],\"gpc\":false,\"consent_mode\":{"
           "\"ad_storage\":[\"marketing\"],\"ad_user_data\":[\"marketing\"],"
           "\"ad_personalization\":[\"marketing\"],"
           "\"analytics_storage\":[\"analytics\"],"
           "\"functionality_storage\":[\"necessary\"],"
           "\"personalization_storage\":[\"preferences\"],"
           "\"security_storage\":[\"necessary\"]}}</script>"
           "<link rel=\"stylesheet\" href=\"/consent/banner.css?"
           "v=0123456789abcdef\" data-consent-ui>"
           "<script src=\"/consent/banner.js?v=0123456789abcdef\" "
           "data-consent-ui></script>", "head snippet, absent");
    ok(s != NULL && len == strlen(s), "head snippet length");

    /* the state is JSON jansson reads */
    t = s ? strchr(s, '{') : NULL;
    n = t ? (size_t) (strstr(t, "</script>") - t) : 0;
    j = t ? json_loadb(t, n, 0, &jerr) : NULL;
    ok(j != NULL && json_is_object(json_object_get(j, "consent_mode")),
       "head snippet: the state parses");
    json_decref(j);
    free(s);

    token(&tok, 0xf);
    consent_view_init(&view, pol, CONSENT_STATE_VALID, &tok);

    /* "</script" and quotes of the endpoint cannot end anything early */
    rc.endpoint = "/x</script><b>\"/";
    rc.endpoint_len = strlen(rc.endpoint);
    s = consent_render_head(pol, &view, 1, &rc, S("n\"<1>"), &len);
    ok(s != NULL && strstr(s, "</script><b>") == NULL
       && strstr(s, "\\u003c\\u002fscript>") != NULL,
       "head snippet: the endpoint cannot close the element");
    ok(s != NULL && strstr(s, "href=\"/x&lt;/script&gt;&lt;b&gt;&quot;/"
                              "banner.css?v=") != NULL,
       "head snippet: the endpoint escaped in the link");
    ok(s != NULL && strstr(s, "\"state\":\"valid\"") != NULL
       && strstr(s, "\"denied\":[]") != NULL
       && strstr(s, "\"gpc\":true") != NULL, "head snippet, valid, gpc");
    is_int(s ? count(s, " nonce=\"n&quot;&lt;1&gt;\"") : 0, 3,
           "head snippet: the nonce, escaped, on every element");
    free(s);

    rc.endpoint = "/consent/";
    rc.endpoint_len = 9;

    s = consent_render_head(pol, &view, 0, &rc, NULL, 0, &len);
    ok(s != NULL && strstr(s, "nonce") == NULL, "no nonce, no attribute");
    free(s);

    /* the banner: absent consent */

    memset(&vars, 0, sizeof(consent_tpl_vars_t));
    vars.ret = "/a?b=1&c=\"2\"";
    vars.ret_len = strlen(vars.ret);

    s = consent_render_banner(pol, "es", &rc, &vars, &len);
    ok(s != NULL && len == strlen(s), "banner length");

    if (s == NULL) {
        return;
    }

    ok(strncmp(s, "<div id=\"consent-banner\" role=\"dialog\" "
                  "aria-labelledby=\"consent-title\" aria-describedby="
                  "\"consent-text\" tabindex=\"-1\" lang=\"es\" dir=\"ltr\" "
                  "data-consent-position=\"bottom\" data-consent-ui>", 183)
       == 0, "banner: a labelled dialog, shown");
    ok(strstr(s, "Sus opciones de privacidad") != NULL, "banner in es");
    ok(strstr(s, "value=\"/a?b=1&amp;c=&quot;2&quot;\"") != NULL,
       "banner: the return path escaped");
    ok(strstr(s, "<button type=\"submit\" name=\"action\" "
                 "value=\"accept_all\">") != NULL
       && strstr(s, "<button type=\"submit\" name=\"action\" "
                    "value=\"reject_all\">") != NULL
       && strstr(s, "<button type=\"submit\" name=\"action\" "
                    "value=\"save\">") != NULL
       && strstr(s, "<button type=\"submit\" formmethod=\"get\" "
                    "formaction=\"/consent/\" data-consent-customise")
          != NULL,
       "banner: accept, reject, save, customise");
    is_int(count(s, "<button type=\"submit\""), 4, "banner: four buttons");
    is_int(count(s, "name=\"granted\""), 4, "banner: four checkboxes");
    is_int(count(s, " checked"), 1, "banner: only the required one checked");
    ok(strstr(s, "value=\"necessary\" aria-describedby=\"consent-d-"
                 "necessary\" checked disabled>") != NULL,
       "banner: the required category always on");
    ok(strstr(s, "<div id=\"consent-layer2\" hidden>") != NULL,
       "banner: the second layer hidden");
    ok(strstr(s, "consent-gpc") == NULL, "banner: no GPC notice");
    ok(strstr(s, "consent-manage") == NULL, "banner: no manage link");
    ok(strchr(s, '\001') == NULL, "banner: no slot left");
    ok(entities_ok(s), "banner: every '&' is an entity");
    ok(s[len - 1] == '>', "banner ends with its element");
    free(s);

    /* valid consent, GPC, manage link, centred, right to left */

    vars.granted = NECESSARY | ANALYTICS;
    vars.hidden = 1;
    vars.gpc = 1;
    rc.manage_button = 1;
    rc.position = CONSENT_POSITION_CENTER;

    s = consent_render_banner(pol, "ar", &rc, &vars, &len);
    ok(s != NULL && len == strlen(s), "banner 2 length");

    if (s == NULL) {
        return;
    }

    ok(strstr(s, "lang=\"ar\" dir=\"rtl\" data-consent-position=\"center\" "
                 "aria-modal=\"true\" data-consent-ui hidden>") != NULL,
       "banner 2: rtl, centred, modal, hidden");
    ok(strstr(s, "<p class=\"consent-gpc\">") != NULL,
       "banner 2: the GPC notice");
    ok(strstr(s, "value=\"analytics\" aria-describedby=\"consent-d-"
                 "analytics\" checked>") != NULL
       && strstr(s, "value=\"marketing\" aria-describedby=\"consent-d-"
                    "marketing\">") != NULL,
       "banner 2: granted categories checked, others not");
    ok(strstr(s, "<a href=\"/consent/\" id=\"consent-manage\" lang=\"ar\" "
                 "data-consent-open data-consent-ui>") != NULL,
       "banner 2: the manage link, shown");
    free(s);

    /* the template is reusable and its size is an upper bound */

    tpl = consent_render_banner_tpl(pol, "en", &rc);

    if (ok(tpl != NULL, "template")) {
        vars.ret = "\"\"\"\"\"\"\"\"";
        vars.ret_len = 8;
        vars.granted = 0xffffffff;
        vars.hidden = 0;

        s = malloc(consent_tpl_size(tpl, &vars));
        n = s ? consent_tpl_fill(tpl, &vars, s) : 0;
        ok(s != NULL && n <= consent_tpl_size(tpl, &vars),
           "template: fill within its size");
        ok(s != NULL && memmem(s, n, "&quot;&quot;&quot;&quot;&quot;"
                                     "&quot;&quot;&quot;", 48) != NULL,
           "template: the return escaped");
        ok(s != NULL && memmem(s, n, "data-consent-ui>\n<form", 22) != NULL
           && memmem(s, n, "data-consent-open data-consent-ui hidden>", 41)
              != NULL,
           "template: shown banner, hidden manage link");
        free(s);

        vars.gpc = 0;
        s = malloc(consent_tpl_size(tpl, &vars));
        n = s ? consent_tpl_fill(tpl, &vars, s) : 0;
        ok(s != NULL && memmem(s, n, "consent-gpc", 11) == NULL
           && memmem(s, n, "id=\"consent-layer2\"", 19) != NULL,
           "template: the GPC notice left out, the rest kept");
        free(s);

        consent_tpl_free(tpl);
    }

    ok(consent_lang_rtl("he") && consent_lang_rtl("ar-EG")
       && consent_lang_rtl("FA") && !consent_lang_rtl("en")
       && !consent_lang_rtl("hr") && !consent_lang_rtl("arn")
       && !consent_lang_rtl(NULL), "right-to-left languages");
}


static void
test_banner_hostile(consent_policy_t *p)
{
    char                   *s;
    size_t                  i, len;
    consent_render_conf_t   rc;
    consent_tpl_vars_t      vars;

    static const char  *shown_raw[] = {
        RAW("title"), RAW("message"), RAW("accept_all"), RAW("reject_all"),
        RAW("customise"), RAW("save"), RAW("privacy_link"), RAW("manage"),
        RAW("always_on"), RAW("gpc_honoured"), RAW("label0"), RAW("desc0"),
        RAW("label1"), RAW("desc1")
    };

    static const char  *shown_escaped[] = {
        ESCAPED("title"), ESCAPED("message"), ESCAPED("accept_all"),
        ESCAPED("reject_all"), ESCAPED("customise"), ESCAPED("save"),
        ESCAPED("privacy_link"), ESCAPED("manage"), ESCAPED("always_on"),
        ESCAPED("gpc_honoured"), ESCAPED("label0"), ESCAPED("desc0"),
        ESCAPED("label1"), ESCAPED("desc1")
    };

    memset(&rc, 0, sizeof(consent_render_conf_t));
    rc.endpoint = "/consent/\"><script>alert('action')</script>";
    rc.endpoint_len = strlen(rc.endpoint);
    rc.version = "v";
    rc.manage_button = 1;

    memset(&vars, 0, sizeof(consent_tpl_vars_t));
    vars.ret = "/\" onfocus='alert(1)' x=\"&y=<z>";
    vars.ret_len = strlen(vars.ret);
    vars.gpc = 1;

    s = consent_render_banner(p, "en\"><script>alert('lang')</script>", &rc,
                              &vars, &len);

    if (!ok(s != NULL, "hostile banner rendered")) {
        return;
    }

    for (i = 0; i < sizeof(shown_raw) / sizeof(shown_raw[0]); i++) {
        ok(strstr(s, shown_raw[i]) == NULL, "hostile banner: %s not raw",
           shown_raw[i]);
        ok(strstr(s, shown_escaped[i]) != NULL,
           "hostile banner: %s escaped", shown_escaped[i]);
    }

    ok(!contains_ci(s, "<script"), "hostile banner: no <script at all");
    ok(strchr(s, '\'') == NULL, "hostile banner: no raw '");
    ok(entities_ok(s), "hostile banner: every '&' is an entity");
    ok(strchr(s, '\001') == NULL, "hostile banner: no slot left");
    is_int(count(s, "<"), count(s, ">"), "hostile banner: '<' and '>' pair");

    free(s);
}


/* each category's cookies: named in the banner, detailed in the page */

static void
test_cookies(void)
{
    char                   *s, err[512];
    size_t                  len;
    consent_policy_t       *p;
    consent_tpl_vars_t      vars;
    consent_render_conf_t   rc;

    static const char  *hostile =
        "{\"revision\": 1, \"default_language\": \"en\","
        " \"privacy_url\": \"/p\","
        " \"categories\": ["
        "  {\"id\": \"n\", \"required\": true, \"label\": {\"en\": \"N\"},"
        "   \"description\": {\"en\": \"N.\"}},"
        "  {\"id\": \"a\", \"label\": {\"en\": \"A\"},"
        "   \"description\": {\"en\": \"A.\"},"
        "   \"cookies\": [{\"name\": \"x&y*\", \"provider\": \"<b>P</b>\","
        "    \"purpose\": {\"en\": \"\\\"q\\\" <i>\"},"
        "    \"lifetime\": {\"en\": \"1 <y>\"}}, \"plain\"]},"
        "  {\"id\": \"b\", \"label\": {\"en\": \"B\"},"
        "   \"description\": {\"en\": \"B.\"}}"
        " ],"
        " \"texts\": {\"en\": {\"title\": \"t\", \"message\": \"m\","
        "  \"accept_all\": \"a\", \"reject_all\": \"r\", \"customise\": \"c\","
        "  \"save\": \"s\", \"withdraw\": \"w\", \"privacy_link\": \"p\","
        "  \"manage\": \"m\", \"always_on\": \"o\", \"gpc_honoured\": \"g\"}}}";

    memset(&rc, 0, sizeof(consent_render_conf_t));
    rc.endpoint = "/consent/";
    rc.endpoint_len = 9;
    rc.version = "v1";

    memset(&vars, 0, sizeof(consent_tpl_vars_t));
    vars.ret = "/";
    vars.ret_len = 1;

    s = consent_render_banner(pol, "en", &rc, &vars, &len);
    ok(s != NULL && strstr(s, "improve our journalism and the site. Some of")
                    != NULL
       && strstr(s, " Cookies: _ga, _ga_*, _gid, _gat*, __utm*, _hj*, "
                    "_clck, _clsk, _pk_*, MATOMO_SESSID</p>\n</div>")
          != NULL, "banner: the analytics cookies named after the "
                   "description, as text");
    ok(s != NULL && strstr(s, " Cookies: consent</p>") != NULL,
       "banner: the consent cookie named as necessary");
    is_int(s ? count(s, " Cookies: ") : 0, 3,
           "banner: three categories with cookies, preferences without");
    free(s);

    s = page(pol, CONSENT_STATE_VALID, ANALYTICS, "en", "/");
    ok(strstr(s, "<ul class=\"consent-cookies\" aria-label=\"Cookies\">\n"
                 "<li><code>_ga</code> (Google Analytics): Tells visitors "
                 "apart, to count how many read the site. Lifetime: 2 years"
                 "</li>\n") != NULL, "page: _ga with its provider, purpose "
                                     "and lifetime");
    ok(strstr(s, "<li><code>_ga_*</code> (Google Analytics)") != NULL,
       "page: a prefix shown with its *");
    free(s);

    s = page(pol, CONSENT_STATE_VALID, ANALYTICS, "es", "/");
    ok(strstr(s, "<li><code>_ga</code> (Google Analytics): Distingue a los "
                 "visitantes, para contar cuántos leen el sitio. Duración: "
                 "2 años</li>") != NULL, "page in Spanish");
    free(s);

    s = page(pol, CONSENT_STATE_VALID, ANALYTICS, "pl", "/");
    ok(strstr(s, "<li><code>_ga</code> (Google Analytics): Tells visitors "
                 "apart") != NULL && strstr(s, "Lifetime: 2 years") != NULL,
       "page in Polish: the English purpose and label");
    free(s);

    p = consent_policy_parse(hostile, strlen(hostile), err, sizeof(err));

    if (!ok(p != NULL, "a policy with hostile cookie texts")) {
        printf("#   %s\n", err);
        return;
    }

    s = page(p, CONSENT_STATE_ABSENT, 0, "en", "/");
    ok(strstr(s, "<li><code>x&amp;y*</code> (&lt;b&gt;P&lt;/b&gt;): "
                 "&quot;q&quot; &lt;i&gt; Lifetime: 1 &lt;y&gt;</li>\n"
                 "<li><code>plain</code></li>\n</ul>") != NULL,
       "page: every cookie text escaped; the module's English labels");
    ok(strstr(s, "<b>") == NULL && strstr(s, "<i>") == NULL,
       "page: nothing unescaped");
    free(s);

    s = consent_render_banner(p, "en", &rc, &vars, &len);
    ok(s != NULL && strstr(s, "<p id=\"consent-d-a\">A. Cookies: x&amp;y*, "
                              "plain</p>") != NULL, "banner: names escaped");
    free(s);

    consent_policy_free(p);
}


int
main(void)
{
    char  err[512];

    pol = consent_policy_load("conf/policy.json", err, sizeof(err));

    if (pol == NULL) {
        printf("Bail out! conf/policy.json: %s\n", err);
        return 255;
    }

    test_sha256();
    test_view_init();
    test_state_json();
    test_error_json();
    test_format_time();
    test_page();
    test_page_states();
    test_page_hostile();
    test_injections();
    test_cookies();

    consent_policy_free(pol);

    return done_testing();
}

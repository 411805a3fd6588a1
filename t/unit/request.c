
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Unit tests of consent_request.c: the endpoint's POST bodies (JSON and
 * form), the categories a choice grants, the return path of a form, the
 * cross-site check, the Referer path, the Cookie header scanner, the
 * Accept and Content-Type checks.
 *
 * Every input is handed over in a malloc'ed buffer of exactly its length,
 * with no NUL after it, so that ASan catches a read past the end.
 */


#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "consent_policy.h"
#include "consent_request.h"


#define NECESSARY    (1u << 0)
#define PREFERENCES  (1u << 1)
#define ANALYTICS    (1u << 2)
#define MARKETING    (1u << 3)
#define ALL          (NECESSARY | PREFERENCES | ANALYTICS | MARKETING)

#define S(s)         s, sizeof(s) - 1


static const char *cstr(const char *s);
static char *exact(const char *s, size_t len);
static int parse(int form, const char *body, size_t len,
    consent_choice_t *choice, char *err, size_t errlen);
static void parses(int form, const char *body, consent_action_e action,
    uint32_t granted, const char *name);
static void refuses(int form, const char *body, size_t len,
    const char *want, const char *name);
static void returns(const char *body, size_t len, const char *want,
    const char *name);
static int path_ok(const char *path, size_t len);
static int cross(const char *origin, const char *self, const char *sfs);
static const char *referer(const char *ref, const char *self);
static int cookies(const char *header, const char *name, const char **want,
    size_t nwant);
static int accept_html(const char *accept);
static int media(const char *ct, const char *type);
static void test_json(void);
static void test_form(void);
static void test_form_return(void);
static void test_garbage(void);
static void test_granted(void);
static void test_action_name(void);
static void test_return_path_ok(void);
static void test_cross_site(void);
static void test_referer_path(void);
static void test_cookie_next(void);
static void test_cookie_prefix(void);
static void test_accept_html(void);
static void test_media_type(void);


static consent_policy_t  *pol;


/* an array through a call: tap.h's is_str() tests its arguments for NULL */

static const char *
cstr(const char *s)
{
    return s;
}


static char *
exact(const char *s, size_t len)
{
    char  *p;

    p = malloc(len ? len : 1);
    if (p == NULL) {
        abort();
    }

    if (len) {
        memcpy(p, s, len);
    }

    return p;
}


static int
parse(int form, const char *body, size_t len, consent_choice_t *choice,
    char *err, size_t errlen)
{
    int    rc;
    char  *b;

    b = exact(body, len);
    err[0] = '\0';

    /* a stale choice must not leak through */
    memset(choice, 0x5a, sizeof(consent_choice_t));

    if (form) {
        rc = consent_choice_parse_form_tcf(pol, b, len, choice, NULL, err,
                                           errlen);

    } else {
        rc = consent_choice_parse_json_tcf(pol, b, len, choice, NULL, err,
                                           errlen);
    }

    free(b);

    return rc;
}


static void
parses(int form, const char *body, consent_action_e action,
    uint32_t granted, const char *name)
{
    int               rc;
    char              err[256];
    consent_choice_t  c;

    rc = parse(form, body, strlen(body), &c, err, sizeof(err));

    if (!is_int(rc, 0, "%s: accepted", name)) {
        printf("#     error: %s\n", err);
        return;
    }

    is_str(consent_action_name(c.action), consent_action_name(action),
           "%s: action", name);
    is_int(c.granted, granted, "%s: categories named", name);
}


static void
refuses(int form, const char *body, size_t len, const char *want,
    const char *name)
{
    int               rc;
    char              err[256];
    consent_choice_t  c;

    rc = parse(form, body, len, &c, err, sizeof(err));

    is_int(rc, -1, "%s: refused", name);

    if (want[0] == '^') {
        if (!ok(strncmp(err, want + 1, strlen(want + 1)) == 0,
                "%s: error starts with '%s'", name, want + 1))
        {
            printf("#     error: %s\n", err);
        }

    } else {
        is_str(cstr(err), want, "%s: error text", name);
    }
}


static void
returns(const char *body, size_t len, const char *want, const char *name)
{
    int               rc;
    char              err[256];
    consent_choice_t  c;

    rc = parse(1, body, len, &c, err, sizeof(err));

    if (!is_int(rc, 0, "%s: accepted", name)) {
        printf("#     error: %s\n", err);
        return;
    }

    is_int(c.has_return, 1, "%s: has a return path", name);
    is_int(c.return_len, strlen(want), "%s: return length", name);
    is_str(cstr(c.return_path), want, "%s: return path", name);
    is_int(c.action, CONSENT_ACTION_SAVE, "%s: the choice still counts",
           name);
}


static void
test_json(void)
{
    char              err[256], body[512];
    consent_choice_t  c;

    parses(0, "{\"action\": \"accept_all\"}", CONSENT_ACTION_ACCEPT_ALL, 0,
           "json accept_all");
    parses(0, "{\"action\": \"reject_all\"}", CONSENT_ACTION_REJECT_ALL, 0,
           "json reject_all");
    parses(0, "{\"action\": \"save\"}", CONSENT_ACTION_SAVE, 0,
           "json save, nothing granted");
    parses(0, "{\"action\": \"withdraw\"}", CONSENT_ACTION_WITHDRAW, 0,
           "json withdraw");
    parses(0, "{\"action\":\"save\",\"granted\":[\"analytics\","
              "\"marketing\"]}",
           CONSENT_ACTION_SAVE, ANALYTICS | MARKETING, "json save, granted");
    parses(0, "{\"granted\": [\"preferences\"]}", CONSENT_ACTION_SAVE,
           PREFERENCES, "json granted without action is a save");
    parses(0, "{\"granted\": []}", CONSENT_ACTION_SAVE, 0,
           "json empty granted without action is a save");
    parses(0, "{\"granted\": [\"analytics\"], \"action\": \"accept_all\"}",
           CONSENT_ACTION_ACCEPT_ALL, ANALYTICS,
           "json action after granted wins over the implied save");
    parses(0, "{\"action\": \"reject_all\", \"granted\": [\"analytics\"]}",
           CONSENT_ACTION_REJECT_ALL, ANALYTICS,
           "json granted after action keeps the action");
    parses(0, "{\"granted\": [\"necessary\", \"analytics\", \"analytics\"]}",
           CONSENT_ACTION_SAVE, NECESSARY | ANALYTICS,
           "json repeated and required categories");
    parses(0, " \n\t{ \"action\" : \"save\" } \r\n", CONSENT_ACTION_SAVE, 0,
           "json with whitespace around");
    parses(0, "{\"action\": \"s\\u0061ve\"}", CONSENT_ACTION_SAVE, 0,
           "json escaped action");

    refuses(0, S("{}"), "missing \"action\"", "json empty object");
    refuses(0, S("{\"action\": \"maybe\"}"), "unknown action \"maybe\"",
            "json unknown action");
    refuses(0, S("{\"action\": \"Accept_All\"}"),
            "unknown action \"Accept_All\"", "json action is case-sensitive");
    refuses(0, S("{\"action\": \"save \"}"), "unknown action \"save \"",
            "json action with a trailing space");
    refuses(0, S("{\"action\": \"\"}"), "unknown action \"\"",
            "json empty action");
    refuses(0, S("{\"action\": 1}"), "\"action\" must be a string",
            "json numeric action");
    refuses(0, S("{\"action\": null}"), "\"action\" must be a string",
            "json null action");
    refuses(0, S("{\"action\": [\"save\"]}"), "\"action\" must be a string",
            "json array action");
    refuses(0, S("{\"action\": \"save\", \"extra\": 1}"),
            "unknown field \"extra\"", "json unknown field");
    refuses(0, S("{\"Action\": \"save\"}"), "unknown field \"Action\"",
            "json field names are case-sensitive");
    refuses(0, S("{\"action\": \"save\", \"granted\": [\"stats\"]}"),
            "unknown category \"stats\"", "json unknown category");
    refuses(0, S("{\"granted\": [\"Analytics\"]}"),
            "unknown category \"Analytics\"",
            "json category ids are case-sensitive");
    refuses(0, S("{\"granted\": [\"\"]}"), "unknown category \"\"",
            "json empty category id");
    refuses(0, S("{\"granted\": [\"analytics\", \"x\"]}"),
            "unknown category \"x\"",
            "json one unknown category among known ones");
    refuses(0, S("{\"granted\": [\"necessary\\u0000\"]}"), "^malformed JSON",
            "json NUL escape in a category");
    refuses(0, S("{\"granted\": [1]}"),
            "\"granted\" must be an array of category ids",
            "json numeric granted entry");
    refuses(0, S("{\"granted\": [null]}"),
            "\"granted\" must be an array of category ids",
            "json null granted entry");
    refuses(0, S("{\"granted\": [[\"analytics\"]]}"),
            "\"granted\" must be an array of category ids",
            "json nested granted entry");
    refuses(0, S("{\"granted\": [{\"id\": \"analytics\"}]}"),
            "\"granted\" must be an array of category ids",
            "json object granted entry");
    refuses(0, S("{\"granted\": \"analytics\"}"),
            "\"granted\" must be an array of category ids",
            "json granted as a string");
    refuses(0, S("{\"granted\": null}"),
            "\"granted\" must be an array of category ids",
            "json null granted");
    refuses(0, S("{\"action\": \"save\", \"action\": \"accept_all\"}"),
            "^malformed JSON", "json duplicate action");
    refuses(0, S("{\"granted\": [], \"granted\": [\"analytics\"]}"),
            "^malformed JSON", "json duplicate granted");
    refuses(0, S("[\"action\", \"save\"]"), "the body must be a JSON object",
            "json array body");
    refuses(0, S("\"save\""), "^malformed JSON: ",
            "json string body");
    refuses(0, S("42"), "^malformed JSON: ",
            "json number body");
    refuses(0, S("null"), "^malformed JSON: ",
            "json null body");
    refuses(0, S("{\"action\": \"save\""), "^malformed JSON: ",
            "json truncated");
    refuses(0, S("{\"action\": \"save\"} {}"), "^malformed JSON: ",
            "json trailing data");
    refuses(0, S("{'action': 'save'}"), "^malformed JSON: ",
            "json single quotes");
    refuses(0, S("{\"action\": \"save\",}"), "^malformed JSON: ",
            "json trailing comma");
    refuses(0, S("action=save"), "^malformed JSON: ", "json given a form");
    refuses(0, S("{\"action\": \"sa\xffve\"}"), "^malformed JSON: ",
            "json invalid UTF-8");
    refuses(0, S("{\"action\": \"save\"}\0"), "^malformed JSON: ",
            "json followed by a NUL byte");
    refuses(0, S("{\"action\":\0\"save\"}"), "^malformed JSON: ",
            "json with a NUL byte inside");
    refuses(0, "", 0, "empty body", "json empty body");
    refuses(0, S(" "), "^malformed JSON: ", "json blank body");

    /* the body is taken by length: what follows it is not read */

    is_int(consent_choice_parse_json_tcf(pol, "{\"action\":\"save\"}xyz", 17,
                                         &c, NULL, err, sizeof(err)),
           0, "json parsed by length, not to the NUL");

    /* a long name is cut in the error */

    snprintf(body, sizeof(body), "{\"granted\": [\"%s\"]}",
             "abcdefghijabcdefghijabcdefghijabcdefghijTAIL");
    refuses(0, body, strlen(body),
            "unknown category \"abcdefghijabcdefghijabcdefghijabcdefghij...\"",
            "json long unknown category cut at 40 bytes");

    /* the error fits the buffer it is given, NUL-terminated */

    memset(err, 'x', sizeof(err));
    is_int(consent_choice_parse_json_tcf(pol, S("{\"action\": \"nope\"}"), &c,
                                         NULL, err, 8),
           -1, "json refused with a small error buffer");
    is_str(cstr(err), "unknown", "json error truncated to its buffer");
    is_int(err[8], 'x', "json error buffer not overrun");
}


static void
test_form(void)
{
    char              body[2048], err[256];
    consent_choice_t  c;

    parses(1, "action=accept_all", CONSENT_ACTION_ACCEPT_ALL, 0,
           "form accept_all");
    parses(1, "action=reject_all", CONSENT_ACTION_REJECT_ALL, 0,
           "form reject_all");
    parses(1, "action=save", CONSENT_ACTION_SAVE, 0,
           "form save, nothing granted");
    parses(1, "action=withdraw", CONSENT_ACTION_WITHDRAW, 0,
           "form withdraw");
    parses(1, "granted=analytics&action=save&granted=marketing",
           CONSENT_ACTION_SAVE, ANALYTICS | MARKETING,
           "form repeated granted");
    parses(1, "action=save&granted=preferences&granted=preferences",
           CONSENT_ACTION_SAVE, PREFERENCES, "form same category twice");
    parses(1, "action=save&granted=necessary", CONSENT_ACTION_SAVE,
           NECESSARY, "form required category named");
    parses(1, "%61ction=s%61ve&granted=an%61lytics", CONSENT_ACTION_SAVE,
           ANALYTICS, "form %XX decoded in names and values");
    parses(1, "action=%73%61%76%65&granted=%6D%61%72%6B%65%74%69%6E%67",
           CONSENT_ACTION_SAVE, MARKETING, "form upper-case hex digits");
    parses(1, "&&action=reject_all&&", CONSENT_ACTION_REJECT_ALL, 0,
           "form empty pairs skipped");

    refuses(1, S("&"), "missing \"action\"", "form only '&' is no choice");
    refuses(1, S("action=save&gr%41nted=analytics"),
            "unknown field \"grAnted\"",
            "form decoded field name compared as decoded");
    refuses(1, S("&&&"), "missing \"action\"", "form only empty pairs");
    refuses(1, S("granted=analytics"), "missing \"action\"",
            "form granted without action");
    refuses(1, S("return=/x"), "missing \"action\"",
            "form return without action");
    refuses(1, S("action=maybe"), "unknown action \"maybe\"",
            "form unknown action");
    refuses(1, S("action="), "unknown action \"\"", "form empty action");
    refuses(1, S("action"), "unknown action \"\"", "form bare action");
    refuses(1, S("action=save+"), "unknown action \"save \"",
            "form '+' decoded as a space");
    refuses(1, S("action=save&granted=+analytics"),
            "unknown category \" analytics\"",
            "form '+' in a category is a space");
    refuses(1, S("action=save&granted=stats"), "unknown category \"stats\"",
            "form unknown category");
    refuses(1, S("action=save&granted="), "unknown category \"\"",
            "form empty category");
    refuses(1, S("action=save&foo=1"), "unknown field \"foo\"",
            "form unknown field");
    refuses(1, S("action=save&foo"), "unknown field \"foo\"",
            "form unknown bare field");
    refuses(1, S("action=save&=x"), "unknown field \"\"",
            "form empty field name");
    refuses(1, S("action=save&Action=save"), "unknown field \"Action\"",
            "form field names are case-sensitive");
    refuses(1, S("action=save&action=save"), "duplicate field \"action\"",
            "form duplicate action");
    refuses(1, S("action=save&action=accept_all"),
            "duplicate field \"action\"", "form two different actions");
    refuses(1, S("action=save&return=/a&return=/b"),
            "duplicate field \"return\"", "form duplicate return");
    refuses(1, S("action=save&return=//evil&return=/b"),
            "duplicate field \"return\"",
            "form duplicate return after an unsafe one");
    refuses(1, S("action=s%zzve"), "malformed form body",
            "form bad escape %zz");
    refuses(1, S("action=save&granted=analytics%4"), "malformed form body",
            "form truncated escape %4");
    refuses(1, S("action=save&granted=analytics%"), "malformed form body",
            "form lone '%' at the end");
    refuses(1, S("action=save%"), "malformed form body",
            "form lone '%' before the end of the pair");
    refuses(1, S("action=save%&granted=analytics"), "malformed form body",
            "form lone '%' before '&'");
    refuses(1, S("action=save%4&granted=analytics"), "malformed form body",
            "form truncated escape before '&'");
    refuses(1, S("action=%g0save"), "malformed form body",
            "form non-hex escape");
    refuses(1, S("act%zzion=save"), "malformed form body",
            "form bad escape in a name");
    refuses(1, S("action=save%00"), "malformed form body",
            "form NUL via %00 in a value");
    refuses(1, S("action=save&gran%00ted=analytics"), "malformed form body",
            "form NUL via %00 in a name");
    refuses(1, S("action=save\0"), "malformed form body",
            "form raw NUL byte");
    refuses(1, "", 0, "empty body", "form empty body");

    memset(body, 'a', 40);
    snprintf(body + 40, sizeof(body) - 40, "=1&action=save");
    refuses(1, body, strlen(body),
            "unknown field \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"",
            "form long field name");

    memset(body, 'a', 60);
    snprintf(body + 60, sizeof(body) - 60, "=1&action=save");
    refuses(1, body, strlen(body),
            "unknown field \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\"",
            "form very long field name cut in the error");

    snprintf(body, sizeof(body), "action=save&granted=");
    memset(body + strlen(body), 'x', 1100);
    body[20 + 1100] = '\0';
    refuses(1, body, strlen(body), "form field too long",
            "form category value too long");

    snprintf(body, sizeof(body), "action=");
    memset(body + 7, 's', 1500);
    body[7 + 1500] = '\0';
    refuses(1, body, strlen(body), "form field too long",
            "form action value too long");

    /* the body is taken by length */

    is_int(consent_choice_parse_form_tcf(pol, "action=save&granted=bogus", 11,
                                         &c, NULL, err, sizeof(err)),
           0, "form parsed by length, not to the NUL");
    is_int(c.granted, 0, "form: nothing past the length read");
    is_int(c.has_return, 0, "form without return has none");
    is_int(c.return_len, 0, "form without return: length 0");
}


static void
test_form_return(void)
{
    size_t  n;
    char    body[4096], want[CONSENT_RETURN_MAX + 1];

    returns(S("action=save&return=/"), "/", "return /");
    returns(S("action=save&return=/news/2024/article.html"),
            "/news/2024/article.html", "return plain path");
    returns(S("return=/a?b=c&action=save"), "/a?b=c",
            "return before action ('&' ends the value)");
    returns(S("action=save&return=%2Fsearch%3Fq%3Da%2Bb%26c%3Dd%23top"),
            "/search?q=a+b&c=d#top", "return fully percent-encoded");
    returns(S("action=save&return=/a%2fb"), "/a/b", "return lower-case hex");
    returns(S("action=save&return=/%C3%A9t%C3%A9"), "/",
            "return non-ASCII replaced");
    returns(S("action=save&return=//evil.example"), "/",
            "return //host replaced");
    returns(S("action=save&return=%2F%2Fevil.example"), "/",
            "return encoded //host replaced");
    returns(S("action=save&return=/\\evil.example"), "/",
            "return /\\host replaced");
    returns(S("action=save&return=/%5Cevil.example"), "/",
            "return encoded /\\host replaced");
    returns(S("action=save&return=/a\\b"), "/",
            "return backslash later in the path replaced");
    returns(S("action=save&return=https://evil.example/"), "/",
            "return absolute URL replaced");
    returns(S("action=save&return=https%3A%2F%2Fevil.example%2F"), "/",
            "return encoded absolute URL replaced");
    returns(S("action=save&return=javascript:alert(1)"), "/",
            "return javascript: replaced");
    returns(S("action=save&return="), "/", "return empty replaced");
    returns(S("action=save&return"), "/", "return bare replaced");
    returns(S("action=save&return=x"), "/", "return relative replaced");
    returns(S("action=save&return=/%0d%0aSet-Cookie:%20x=1"), "/",
            "return CR LF replaced");
    returns(S("action=save&return=/a%0Ab"), "/", "return LF replaced");
    returns(S("action=save&return=/a%09b"), "/", "return tab replaced");
    returns(S("action=save&return=/a\tb"), "/", "return raw tab replaced");
    returns(S("action=save&return=/a+b"), "/",
            "return with a space ('+') replaced");
    returns(S("action=save&return=/a%7Fb"), "/", "return DEL replaced");
    returns(S("action=save&return=/a%01b"), "/",
            "return control character replaced");
    returns(S("action=save&return=/a\xc3\xa9"), "/",
            "return raw non-ASCII replaced");
    returns(S("action=save&return=/%FF"), "/", "return byte 0xff replaced");
    returns(S("action=save&return=%20/a"), "/",
            "return leading space replaced");

    /* length: CONSENT_RETURN_MAX is kept, one more is replaced */

    n = (size_t) snprintf(body, sizeof(body), "action=save&return=/");
    memset(body + n, 'r', CONSENT_RETURN_MAX - 1);
    body[n + CONSENT_RETURN_MAX - 1] = '\0';
    want[0] = '/';
    memset(want + 1, 'r', CONSENT_RETURN_MAX - 1);
    want[CONSENT_RETURN_MAX] = '\0';
    returns(body, strlen(body), want, "return of CONSENT_RETURN_MAX kept");

    n = (size_t) snprintf(body, sizeof(body), "action=save&return=/");
    memset(body + n, 'r', CONSENT_RETURN_MAX);
    body[n + CONSENT_RETURN_MAX] = '\0';
    returns(body, strlen(body), "/", "return over CONSENT_RETURN_MAX replaced");

    n = (size_t) snprintf(body, sizeof(body), "action=save&return=/");
    memset(body + n, 'r', 3000);
    body[n + 3000] = '\0';
    returns(body, strlen(body), "/", "return far over the limit replaced");

    n = (size_t) snprintf(body, sizeof(body), "return=/");
    memset(body + n, 'r', 2000);
    snprintf(body + n + 2000, sizeof(body) - n - 2000,
             "&action=save&granted=analytics");
    returns(body, strlen(body), "/",
            "return too long, fields after it still read");
}


static void
test_garbage(void)
{
    int               i, rc;
    char             *b, err[256];
    size_t            len, j, k;
    unsigned          seed;
    consent_choice_t  c;

    static const char  *atoms[] = {
        "action", "granted", "return", "=", "&", "%", "%4", "%00", "%zz",
        "+", "save", "accept_all", "analytics", "/", "//", "{", "}", "[",
        "]", "\"", ":", ",", "\\u0000", "\\", "\xff", "\0", "null", " ",
        "\xc3\xa9", "%2F"
    };

    seed = 12345;

    for (i = 0; i < 20000; i++) {
        seed = seed * 1103515245 + 12345;
        len = (seed >> 16) % 300;
        b = malloc(len ? len : 1);
        if (b == NULL) {
            abort();
        }

        for (j = 0; j < len; j++) {
            seed = seed * 1103515245 + 12345;
            b[j] = (char) (seed >> 16);
        }

        if (i & 1) {
            /* structured garbage: plausible pieces in random order */

            for (j = 0; j < len; /* void */) {
                seed = seed * 1103515245 + 12345;
                k = (seed >> 16) % (sizeof(atoms) / sizeof(atoms[0]));

                if (atoms[k][0] == '\0') {
                    b[j++] = '\0';
                    continue;
                }

                if (j + strlen(atoms[k]) > len) {
                    break;
                }

                memcpy(b + j, atoms[k], strlen(atoms[k]));
                j += strlen(atoms[k]);
            }

            len = j;
        }

        rc = consent_choice_parse_form_tcf(pol, b, len, &c, NULL, err,
                                           sizeof(err));
        if (rc == 0) {
            if (c.action == CONSENT_ACTION_NONE
                || (c.granted & ~ALL)
                || (c.has_return
                    && !consent_return_path_ok(c.return_path, c.return_len))
                || strlen(c.return_path) != c.return_len)
            {
                ok(0, "garbage form %d accepted with a bad choice", i);
            }

        } else if (rc != -1 || err[0] == '\0') {
            ok(0, "garbage form %d refused without a message", i);
        }

        rc = consent_choice_parse_json_tcf(pol, b, len, &c, NULL, err,
                                           sizeof(err));
        if (rc == 0) {
            if (c.action == CONSENT_ACTION_NONE || (c.granted & ~ALL)) {
                ok(0, "garbage json %d accepted with a bad choice", i);
            }

        } else if (rc != -1 || err[0] == '\0') {
            ok(0, "garbage json %d refused without a message", i);
        }

        free(b);
    }

    ok(1, "20000 garbage bodies parsed as form and JSON without a crash");

    /* huge bodies: far over CONSENT_BODY_MAX, never trusted to be small */

    len = 1024 * 1024;
    b = malloc(len);
    if (b == NULL) {
        abort();
    }

    memset(b, 'a', len);
    memcpy(b, "action=save&granted=", 20);
    is_int(consent_choice_parse_form_tcf(pol, b, len, &c, NULL, err,
                                         sizeof(err)), -1,
           "huge form value refused");
    is_str(cstr(err), "form field too long", "huge form value: message");

    memset(b, '&', len);
    memcpy(b + len - 11, "action=save", 11);
    is_int(consent_choice_parse_form_tcf(pol, b, len, &c, NULL, err,
                                         sizeof(err)), 0,
           "huge form of empty pairs then an action accepted");

    memset(b, '[', len);
    is_int(consent_choice_parse_json_tcf(pol, b, len, &c, NULL, err,
                                         sizeof(err)), -1,
           "1 MiB of '[' refused as JSON");
    ok(strncmp(err, "malformed JSON", 14) == 0,
       "deep nesting: malformed JSON");

    memset(b, ' ', len);
    memcpy(b, "{\"granted\":[", 12);
    for (j = 12; j + 14 + 13 <= len; j += 14) {
        memcpy(b + j, "\"analytics\", ", 13);
    }
    memcpy(b + j, "\"marketing\"]}", 13);
    rc = consent_choice_parse_json_tcf(pol, b, j + 13, &c, NULL, err,
                                       sizeof(err));
    is_int(rc, 0, "huge JSON granted list accepted");
    is_int(c.granted, ANALYTICS | MARKETING, "huge JSON granted list read");

    free(b);
}


static void
test_granted(void)
{
    consent_choice_t  c;

    is_int(pol->required_mask, NECESSARY, "policy: necessary is required");
    is_int(pol->all_mask, ALL, "policy: four categories");

    memset(&c, 0, sizeof(c));

    c.action = CONSENT_ACTION_ACCEPT_ALL;
    c.granted = 0;
    is_int(consent_choice_granted(pol, &c), ALL, "accept_all grants all");
    c.granted = 0xffffffff;
    is_int(consent_choice_granted(pol, &c), ALL,
           "accept_all: unknown bits masked");

    c.action = CONSENT_ACTION_REJECT_ALL;
    c.granted = ANALYTICS | MARKETING;
    is_int(consent_choice_granted(pol, &c), NECESSARY,
           "reject_all: required only, whatever was named");

    c.action = CONSENT_ACTION_WITHDRAW;
    c.granted = ALL;
    is_int(consent_choice_granted(pol, &c), NECESSARY,
           "withdraw: required only");

    c.action = CONSENT_ACTION_SAVE;
    c.granted = 0;
    is_int(consent_choice_granted(pol, &c), NECESSARY,
           "save nothing: required still granted");
    c.granted = ANALYTICS;
    is_int(consent_choice_granted(pol, &c), NECESSARY | ANALYTICS,
           "save analytics");
    c.granted = PREFERENCES | MARKETING;
    is_int(consent_choice_granted(pol, &c),
           NECESSARY | PREFERENCES | MARKETING, "save two");
    c.granted = 0xfffffff0 | ANALYTICS;
    is_int(consent_choice_granted(pol, &c), NECESSARY | ANALYTICS,
           "save: unknown bits masked");
    c.granted = 0x80000000;
    is_int(consent_choice_granted(pol, &c), NECESSARY,
           "save: bit 31 masked");

    c.action = CONSENT_ACTION_NONE;
    c.granted = ALL;
    is_int(consent_choice_granted(pol, &c), NECESSARY,
           "no action: required only");

    c.action = (consent_action_e) 99;
    is_int(consent_choice_granted(pol, &c), NECESSARY,
           "out-of-range action: required only");
}


static void
test_action_name(void)
{
    is_str(consent_action_name(CONSENT_ACTION_NONE), "none", "name none");
    is_str(consent_action_name(CONSENT_ACTION_ACCEPT_ALL), "accept_all",
           "name accept_all");
    is_str(consent_action_name(CONSENT_ACTION_REJECT_ALL), "reject_all",
           "name reject_all");
    is_str(consent_action_name(CONSENT_ACTION_SAVE), "save", "name save");
    is_str(consent_action_name(CONSENT_ACTION_WITHDRAW), "withdraw",
           "name withdraw");
    is_str(consent_action_name((consent_action_e) 5), "none",
           "name out of range");
    is_str(consent_action_name((consent_action_e) -1), "none",
           "name negative");
}


static int
path_ok(const char *path, size_t len)
{
    int    rc;
    char  *b;

    b = exact(path, len);
    rc = consent_return_path_ok(b, len);
    free(b);

    return rc;
}


static void
test_return_path_ok(void)
{
    char    big[CONSENT_RETURN_MAX + 2];

    ok(path_ok(S("/")), "path /");
    ok(path_ok(S("/a")), "path /a");
    ok(path_ok(S("/a/b/c.html")), "path with segments");
    ok(path_ok(S("/a?b=c&d=e#f")), "path with query and fragment");
    ok(path_ok(S("/a/%2F/b")), "path with an escape kept as is");
    ok(path_ok(S("/a//b")), "path with '//' later on");
    ok(path_ok(S("/?next=//evil")), "path with '//' in the query");
    ok(path_ok(S("/~user/!$'()*,;:@")), "path with sub-delims");
    ok(path_ok(S("/a\"b")), "path with '\"' (escaped when rendered)");

    ok(!path_ok("", 0), "path empty");
    ok(!path_ok(S("a")), "path relative");
    ok(!path_ok(S("a/b")), "path relative with a slash");
    ok(!path_ok(S("//")), "path //");
    ok(!path_ok(S("//evil")), "path //evil");
    ok(!path_ok(S("///evil")), "path ///evil");
    ok(!path_ok(S("/\\")), "path /\\");
    ok(!path_ok(S("/\\evil")), "path /\\evil");
    ok(!path_ok(S("\\/evil")), "path \\/evil");
    ok(!path_ok(S("/a\\b")), "path with a backslash");
    ok(!path_ok(S("https://evil/")), "path absolute URL");
    ok(!path_ok(S("javascript:x")), "path javascript:");
    ok(!path_ok(S(" /")), "path leading space");
    ok(!path_ok(S("/a b")), "path with a space");
    ok(!path_ok(S("/\r\nX: y")), "path CR LF");
    ok(!path_ok(S("/a\tb")), "path tab");
    ok(!path_ok(S("/a\x7f")), "path DEL");
    ok(!path_ok(S("/a\x01")), "path control character");
    ok(!path_ok(S("/a\x80")), "path byte 0x80");
    ok(!path_ok(S("/\xc3\xa9")), "path UTF-8");
    ok(!path_ok(S("/\xff")), "path byte 0xff");
    ok(!path_ok(S("/a\0b")), "path with a NUL inside its length");
    ok(!path_ok(S("/\0")), "path / then NUL");

    big[0] = '/';
    memset(big + 1, 'a', CONSENT_RETURN_MAX);
    ok(path_ok(big, CONSENT_RETURN_MAX), "path of CONSENT_RETURN_MAX bytes");
    ok(!path_ok(big, CONSENT_RETURN_MAX + 1),
       "path of CONSENT_RETURN_MAX + 1 bytes");
    ok(path_ok(big, 1), "path checked by length, not to a NUL");
}


static int
cross(const char *origin, const char *self, const char *sfs)
{
    int    rc;
    char  *o, *s, *f;

    o = origin ? exact(origin, strlen(origin)) : NULL;
    s = exact(self, strlen(self));
    f = sfs ? exact(sfs, strlen(sfs)) : NULL;

    rc = consent_cross_site(o, origin ? strlen(origin) : 0, s, strlen(self),
                            f, sfs ? strlen(sfs) : 0);

    free(o);
    free(s);
    free(f);

    return rc;
}


static void
test_cross_site(void)
{
    ok(!cross(NULL, "http://example.com", NULL), "no Origin, no SFS: allowed");
    ok(!cross("http://example.com", "http://example.com", NULL),
       "same origin");
    ok(!cross("https://example.com", "https://example.com", NULL),
       "same https origin");
    ok(!cross("http://example.com:8080", "http://example.com:8080", NULL),
       "same origin with a port");
    ok(!cross("http://example.com", "http://example.com:80", NULL),
       "Host with :80, Origin without");
    ok(!cross("http://example.com:80", "http://example.com", NULL),
       "Origin with :80, Host without");
    ok(!cross("https://example.com", "https://example.com:443", NULL),
       "Host with :443, Origin without");
    ok(!cross("https://example.com:443", "https://example.com", NULL),
       "Origin with :443, Host without");

    /* documented: the scheme is not compared (TLS-terminating proxy) */
    ok(!cross("https://example.com", "http://example.com", NULL),
       "https Origin, http self (TLS proxy): allowed");
    ok(!cross("http://example.com", "https://example.com", NULL),
       "http Origin, https self: allowed (scheme not compared)");

    ok(!cross("http://EXAMPLE.com", "http://example.COM", NULL),
       "host case ignored");
    ok(!cross("HTTP://example.com", "http://example.com", NULL),
       "scheme case ignored");

    ok(cross("http://evil.example", "http://example.com", NULL),
       "other host refused");
    ok(cross("http://example.com.evil.example", "http://example.com", NULL),
       "suffixed host refused");
    ok(cross("http://evilexample.com", "http://example.com", NULL),
       "prefixed host refused");
    ok(cross("http://sub.example.com", "http://example.com", NULL),
       "subdomain refused");
    ok(cross("http://example.co", "http://example.com", NULL),
       "shorter host refused");
    ok(cross("http://example.com:8080", "http://example.com", NULL),
       "other port refused");
    ok(cross("http://example.com", "http://example.com:8080", NULL),
       "default port against another port refused");
    ok(cross("http://example.com:8443", "http://example.com:443", NULL),
       "port 8443 is not 443");
    ok(cross("http://example.com:180", "http://example.com", NULL),
       "port 180 is not 80");
    ok(cross("http://example.com:4443", "http://example.com", NULL),
       "port 4443 is not 443");
    ok(cross("null", "http://example.com", NULL), "Origin null refused");
    ok(cross("NULL", "http://example.com", NULL), "Origin NULL refused");
    ok(cross("", "http://example.com", NULL), "empty Origin refused");
    ok(cross("http://", "http://example.com", NULL),
       "Origin without a host refused");
    ok(cross("http://user@example.com", "http://example.com", NULL),
       "Origin with userinfo refused");

    ok(cross(NULL, "http://example.com", "cross-site"),
       "SFS cross-site without Origin refused");
    ok(cross("http://example.com", "http://example.com", "cross-site"),
       "SFS cross-site refused even with a same Origin");
    ok(cross(NULL, "http://example.com", "Cross-Site"),
       "SFS case ignored");
    ok(!cross(NULL, "http://example.com", "same-origin"),
       "SFS same-origin allowed");
    ok(!cross(NULL, "http://example.com", "same-site"),
       "SFS same-site without Origin allowed");
    ok(cross("http://sub.example.com", "http://example.com", "same-site"),
       "SFS same-site with another subdomain's Origin refused");
    ok(!cross(NULL, "http://example.com", "none"), "SFS none allowed");
    ok(!cross("http://example.com", "http://example.com", "same-origin"),
       "SFS same-origin and same Origin allowed");
    ok(cross("http://evil.example", "http://example.com", "same-origin"),
       "SFS same-origin but other Origin refused");
}


static const char *
referer(const char *ref, const char *self)
{
    int          rc;
    char        *r, *s;
    size_t       len;
    const char  *p;

    static char  out[2048];

    r = exact(ref, strlen(ref));
    s = exact(self, strlen(self));
    p = NULL;
    len = 0;

    rc = consent_referer_path(r, strlen(ref), s, strlen(self), &p, &len);

    if (rc) {
        if (p < r || p + len > r + strlen(ref)) {
            strcpy(out, "(outside the Referer)");

        } else {
            snprintf(out, sizeof(out), "%.*s", (int) len, p);
        }
    }

    free(r);
    free(s);

    return rc ? out : NULL;
}


static void
test_referer_path(void)
{
    const char  *self, *p;
    size_t       len;

    self = "http://example.com";

    is_str(referer("http://example.com/news/a.html?x=1&y=2", self),
           "/news/a.html?x=1&y=2", "referer same origin: path and query");
    is_str(referer("http://example.com/", self), "/", "referer root");
    is_str(referer("https://example.com/a", self), "/a",
           "referer https on an http self (scheme not compared)");
    is_str(referer("http://EXAMPLE.COM/a", self), "/a",
           "referer host case ignored");
    is_str(referer("http://example.com:80/a", self), "/a",
           "referer with the default port");
    is_str(referer("http://example.com:8080/a", "http://example.com:8080"),
           "/a", "referer with the same port");

    ok(referer("http://evil.example/a", self) == NULL,
       "referer other origin");
    ok(referer("http://example.com.evil.example/a", self) == NULL,
       "referer suffixed host");
    ok(referer("http://example.com:8080/a", self) == NULL,
       "referer other port");
    ok(referer("http://evil.example/http://example.com/a", self) == NULL,
       "referer naming us in its path");
    ok(referer("http://example.com@evil.example/a", self) == NULL,
       "referer with userinfo");
    ok(referer("http://example.com", self) == NULL, "referer without a path");
    ok(referer("http://example.com?x=/a", self) == NULL,
       "referer with a query but no path");
    ok(referer("http://example.com//evil.example/a", self) == NULL,
       "referer path //");
    ok(referer("http://example.com/\\evil.example", self) == NULL,
       "referer path /\\");
    ok(referer("http://example.com/a b", self) == NULL,
       "referer path with a space");
    ok(referer("http://example.com/a\r\nb", self) == NULL,
       "referer path with CR LF");
    ok(referer("/a", self) == NULL, "referer a bare path");
    ok(referer("", self) == NULL, "referer empty");
    ok(referer("://", self) == NULL, "referer just ://");
    ok(referer(":/", self) == NULL, "referer :/");
    ok(referer("http:/", self) == NULL, "referer http:/");
    ok(referer("http://", self) == NULL, "referer http://");
    ok(referer("http:///a", self) == NULL, "referer empty host");
    ok(referer("garbage", self) == NULL, "referer garbage");
    ok(referer("\xff\xfe://\x01/", self) == NULL, "referer binary garbage");

    len = 7;
    ok(consent_referer_path(NULL, 0, self, strlen(self), &p, &len) == 0,
       "referer NULL");
}


static int
cookies(const char *header, const char *name, const char **want,
    size_t nwant)
{
    int          good;
    char        *h;
    size_t       pos, len, n, vlen;
    const char  *v;

    len = strlen(header);
    h = exact(header, len);
    pos = 0;
    n = 0;
    good = 1;

    while (consent_cookie_next(h, len, &pos, name, strlen(name), &v, &vlen)) {
        if (n >= nwant || vlen != strlen(want[n])
            || memcmp(v, want[n], vlen) != 0)
        {
            printf("#     occurrence %zu: '%.*s'\n", n, (int) vlen, v);
            good = 0;
        }

        if (v < h || v + vlen > h + len || pos > len) {
            printf("#     occurrence %zu outside the header\n", n);
            good = 0;
        }

        if (++n > 100) {
            printf("#     no end\n");
            good = 0;
            break;
        }
    }

    if (n != nwant) {
        printf("#     %zu occurrences, expected %zu\n", n, nwant);
        good = 0;
    }

    if (pos != len) {
        printf("#     pos %zu at the end, expected %zu\n", pos, len);
        good = 0;
    }

    free(h);

    return good;
}


static void
test_cookie_next(void)
{
    const char  *v;
    size_t       pos, vlen;

    static const char  *one[] = { "v1" };
    static const char  *two[] = { "v1", "v2" };
    static const char  *three[] = { "a", "", "c" };
    static const char  *empty[] = { "" };
    static const char  *quoted[] = { "\"a b\"" };
    static const char  *eq[] = { "a=b==" };
    static const char  *inner[] = { "x y" };

    ok(cookies("consent=v1", "consent", one, 1), "cookie alone");
    ok(cookies("a=1; consent=v1; b=2", "consent", one, 1),
       "cookie among others");
    ok(cookies("a=1;consent=v1;b=2", "consent", one, 1),
       "cookie without spaces");
    ok(cookies("a=1;   consent=v1  ;  b=2", "consent", one, 1),
       "cookie with extra spaces");
    ok(cookies("a=1;\tconsent\t=\tv1\t;b=2", "consent", one, 1),
       "cookie with tabs");
    ok(cookies("consent=v1; a=1; consent=v2", "consent", two, 2),
       "repeated cookie in order");
    ok(cookies("consent=a; consent=; consent=c", "consent", three, 3),
       "repeated cookie with an empty value");
    ok(cookies("consent=", "consent", empty, 1), "empty value at the end");
    ok(cookies("consent=;", "consent", empty, 1), "empty value then ';'");
    ok(cookies("consent=v1;", "consent", one, 1), "trailing ';'");
    ok(cookies("consent=v1; ", "consent", one, 1), "trailing '; '");
    ok(cookies(";;consent=v1;;", "consent", one, 1), "stray ';'");
    ok(cookies("consent; consent=v1", "consent", one, 1),
       "bare name skipped");
    ok(cookies("consent", "consent", NULL, 0), "only a bare name");
    ok(cookies("consent;", "consent", NULL, 0), "bare name and ';'");
    ok(cookies("xconsent=1; consent_x=2; consen=3; consentt=4", "consent",
               NULL, 0), "names with our name as prefix or suffix");
    ok(cookies("xconsent=1; consent=v1; consent_x=2", "consent", one, 1),
       "ours between look-alikes");
    ok(cookies("Consent=1; CONSENT=2", "consent", NULL, 0),
       "cookie names are case-sensitive");
    ok(cookies("a=consent=1", "consent", NULL, 0),
       "our name inside another cookie's value");
    ok(cookies("a=\"x; consent=v1; y\"", "consent", one, 1),
       "a ';' inside quotes still ends a cookie (as browsers do)");
    ok(cookies("consent=\"a b\"", "consent", quoted, 1), "quotes kept");
    ok(cookies("consent=a=b==", "consent", eq, 1), "'=' inside the value");
    ok(cookies("consent= x y ", "consent", inner, 1),
       "inner space kept, outer trimmed");
    ok(cookies("", "consent", NULL, 0), "empty header");
    ok(cookies(" ; ; ", "consent", NULL, 0), "only separators");
    ok(cookies("=v1", "consent", NULL, 0), "empty name");
    ok(cookies("a=1; b=2", "consent", NULL, 0), "not there");
    ok(cookies("__Host-consent=v1", "__Host-consent", one, 1),
       "another cookie name");

    /* a position past the end is the end */

    pos = 100;
    v = NULL;
    ok(consent_cookie_next("consent=v1", 10, &pos, S("consent"), &v, &vlen)
       == 0, "cookie: pos past the end");
    is_int(pos, 10, "cookie: pos clamped to the length");

    /* by length: a cookie after the length is not seen */

    pos = 0;
    ok(consent_cookie_next("a=1; consent=v1", 4, &pos, S("consent"), &v,
                           &vlen)
       == 0, "cookie: header read by length");

    pos = 0;
    ok(consent_cookie_next("consent=v1; b=2", 10, &pos, S("consent"), &v,
                           &vlen)
       && vlen == 2 && memcmp(v, "v1", 2) == 0,
       "cookie: value cut at the length");
}



static void
test_cookie_prefix(void)
{
    is_int(consent_cookie_prefix(S("consent")), CONSENT_PREFIX_NONE,
           "prefix: consent, none");
    is_int(consent_cookie_prefix(S("__Host-consent")), CONSENT_PREFIX_HOST,
           "prefix: __Host-consent");
    is_int(consent_cookie_prefix(S("__host-consent")), CONSENT_PREFIX_HOST,
           "prefix: __host-consent, case does not matter to browsers");
    is_int(consent_cookie_prefix(S("__HOST-")), CONSENT_PREFIX_HOST,
           "prefix: __HOST- alone");
    is_int(consent_cookie_prefix(S("__Secure-consent")),
           CONSENT_PREFIX_SECURE, "prefix: __Secure-consent");
    is_int(consent_cookie_prefix(S("__secure-c")), CONSENT_PREFIX_SECURE,
           "prefix: __secure-c");
    is_int(consent_cookie_prefix(S("__Host")), CONSENT_PREFIX_NONE,
           "prefix: __Host without the dash");
    is_int(consent_cookie_prefix(S("_Host-consent")), CONSENT_PREFIX_NONE,
           "prefix: one underscore");
    is_int(consent_cookie_prefix(S("x__Host-consent")), CONSENT_PREFIX_NONE,
           "prefix: not at the start");
    is_int(consent_cookie_prefix("__Host-", 6), CONSENT_PREFIX_NONE,
           "prefix: read by length");
    is_int(consent_cookie_prefix("", 0), CONSENT_PREFIX_NONE,
           "prefix: empty");
}

static int
accept_html(const char *accept)
{
    int    rc;
    char  *a;

    if (accept == NULL) {
        return consent_accept_html(NULL, 0);
    }

    a = exact(accept, strlen(accept));
    rc = consent_accept_html(a, strlen(accept));
    free(a);

    return rc;
}


static void
test_accept_html(void)
{
    ok(!accept_html(NULL), "accept: none is JSON");
    ok(!accept_html(""), "accept: empty is JSON");
    ok(!accept_html("*/*"), "accept: */* is JSON");
    ok(!accept_html("application/json"), "accept: application/json");
    ok(accept_html("text/html"), "accept: text/html");
    ok(accept_html("TEXT/HTML"), "accept: case ignored");
    ok(accept_html("text/html,application/xhtml+xml,application/xml;q=0.9,"
                   "image/avif,image/webp,*/*;q=0.8"),
       "accept: a browser's navigation");
    ok(!accept_html("application/json, text/html;q=0.1"),
       "accept: JSON and HTML is JSON");
    ok(!accept_html("text/html, application/json"),
       "accept: HTML and JSON is JSON");
    ok(!accept_html("text/plain"), "accept: text/plain");
    ok(!accept_html("text/htm"), "accept: text/htm");
    ok(!accept_html("text/xhtml"), "accept: text/xhtml");
}


static int
media(const char *ct, const char *type)
{
    int    rc;
    char  *c;

    if (ct == NULL) {
        return consent_media_type_is(NULL, 0, type);
    }

    c = exact(ct, strlen(ct));
    rc = consent_media_type_is(c, strlen(ct), type);
    free(c);

    return rc;
}


static void
test_media_type(void)
{
    const char  *j, *f;

    j = "application/json";
    f = "application/x-www-form-urlencoded";

    ok(media("application/json", j), "media: exact");
    ok(media("application/json; charset=utf-8", j), "media: parameter");
    ok(media("application/json;charset=UTF-8", j), "media: tight parameter");
    ok(media("application/json ;q", j), "media: space before ';'");
    ok(media("application/json\t; q", j), "media: tab before ';'");
    ok(media("Application/JSON", j), "media: case ignored");
    ok(media("  application/json  ", j), "media: surrounding spaces");
    ok(media("\tapplication/json", j), "media: leading tab");
    ok(media("application/json;", j), "media: empty parameter list");
    ok(media("application/x-www-form-urlencoded", f), "media: form");
    ok(media("application/x-www-form-urlencoded; charset=UTF-8", f),
       "media: form with charset");

    ok(!media(NULL, j), "media: none");
    ok(!media("", j), "media: empty");
    ok(!media(" ", j), "media: blank");
    ok(!media(";", j), "media: only ';'");
    ok(!media("application/jsonx", j), "media: application/jsonx");
    ok(!media("application/json-seq", j), "media: application/json-seq");
    ok(!media("application/json+x", j), "media: application/json+x");
    ok(!media("application/js", j), "media: application/js");
    ok(!media("xapplication/json", j), "media: xapplication/json");
    ok(!media("application/json x", j), "media: trailing word");
    ok(!media("application / json", j), "media: inner spaces");
    ok(!media("application/ld+json", j), "media: application/ld+json");
    ok(!media("text/json", j), "media: text/json");
    ok(!media(";application/json", j), "media: type after ';'");
    ok(!media("application/json", f), "media: JSON is not a form");
    ok(!media("multipart/form-data; boundary=x", f), "media: multipart");
    ok(!media("application/x-www-form-urlencodedx", f),
       "media: form with a suffix");
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

    test_json();
    test_form();
    test_form_return();
    test_garbage();
    test_granted();
    test_action_name();
    test_return_path_ok();
    test_cross_site();
    test_referer_path();
    test_cookie_next();
    test_cookie_prefix();
    test_accept_html();
    test_media_type();

    consent_policy_free(pol);

    return done_testing();
}

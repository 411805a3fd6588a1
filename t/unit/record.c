
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Unit tests of consent_record.c: the audit line, its parser and HMAC,
 * hostile visitor strings, address anonymisation, actions.
 */


#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "tap.h"
#include "consent_record.h"


#define KEY_A   "k1 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"
#define KEY_B   "k1 AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=\n"
#define KEY_C   "k2 AgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4fICE=\n"
#define TS      1795835998123LL

/* KEY_A's log key, as docs/cookie-format.md gives it */
static const unsigned char  log_key_a[CONSENT_LOG_KEY_LEN] = {
    0x8d, 0xfc, 0xed, 0x29, 0x67, 0x68, 0xd4, 0x2a, 0x35, 0x59, 0xdf, 0x4e,
    0xa6, 0x61, 0x30, 0x9c, 0x56, 0x43, 0xa0, 0xce, 0xa8, 0x11, 0xb1, 0x71,
    0x4a, 0x7f, 0x96, 0x9c, 0x92, 0x64, 0x6a, 0x4a
};
#define TS_STR  "2026-11-28T03:19:58.123Z"
#define THE_ID  "AAECAwQFBgcICQoLDA0ODw"
#define HEAD    "{\"v\":1,\"type\":\"consent\",\"ts\":\"" TS_STR              \
                "\",\"chain\":\""


static consent_keyset_t *keys(const char *text);
static void base_record(consent_record_t *rec);
static char *build(const consent_record_t *rec, consent_chain_t *chain,
    const consent_keyset_t *ks, size_t *len);
static int parses(const char *line, size_t len, consent_record_parsed_t *p);
static int one_line(const char *line, size_t len);
static int utf8_valid(const char *s, size_t len);
static void hex(const unsigned char *in, size_t len, char *out);
static void test_round_trip(void);
static void test_checkpoint(void);
static void test_chain(void);
static void test_single_byte_changes(void);
static void test_strict(void);
static void test_hostile(void);
static void test_ts(void);
static void test_ip(void);
static void test_action(void);
static void test_build_errors(void);
static void test_content_hash(void);


static consent_keyset_t  *ks_a, *ks_b, *ks_c;
static consent_policy_t  *policy;


static consent_keyset_t *
keys(const char *text)
{
    char               err[256];
    consent_keyset_t  *ks;

    ks = consent_keyset_parse(text, strlen(text), "test.keys", err,
                              sizeof(err));
    if (ks == NULL) {
        printf("Bail out! keys: %s\n", err);
        exit(255);
    }

    return ks;
}


static void
base_record(consent_record_t *rec)
{
    memset(rec, 0, sizeof(consent_record_t));

    rec->ts_ms = TS;
    rec->id.data = THE_ID;
    rec->id.len = strlen(THE_ID);
    rec->action = "grant";
    rec->mechanism = "save";
    rec->policy = policy;
    rec->granted = 0x5;                 /* necessary, analytics */
    rec->gpc = 1;
    rec->lang.data = "es";
    rec->lang.len = 2;
    rec->host.data = "www.example.com";
    rec->host.len = strlen(rec->host.data);
    rec->page.data = "/news/article";
    rec->page.len = strlen(rec->page.data);
    rec->ua.data = "Mozilla/5.0 (X11; Linux x86_64)";
    rec->ua.len = strlen(rec->ua.data);
    rec->ip.data = "203.0.113.0";
    rec->ip.len = strlen(rec->ip.data);
}


static char *
build(const consent_record_t *rec, consent_chain_t *chain,
    const consent_keyset_t *ks, size_t *len)
{
    char  *line;

    line = consent_record_line(rec, chain, &ks->keys[0], len);

    if (line == NULL) {
        printf("Bail out! consent_record_line() failed\n");
        exit(255);
    }

    return line;
}


/* parses a line given with its '\n' */

static int
parses(const char *line, size_t len, consent_record_parsed_t *p)
{
    char                     err[256];
    consent_record_parsed_t  tmp;

    if (len && line[len - 1] == '\n') {
        len--;
    }

    if (consent_record_parse(line, len, p ? p : &tmp, err, sizeof(err))
        != 0)
    {
        printf("# parse: %s\n", err);
        return 0;
    }

    if (p == NULL) {
        consent_record_parsed_free(&tmp);
    }

    return 1;
}


/* exactly one '\n', at the end, and no NUL */

static int
one_line(const char *line, size_t len)
{
    return len > 0 && line[len - 1] == '\n'
           && memchr(line, '\n', len - 1) == NULL
           && memchr(line, '\0', len) == NULL;
}


static int
utf8_valid(const char *s, size_t len)
{
    json_t  *j;
    int      ok;

    /* jansson refuses invalid UTF-8 in json_stringn() */
    j = json_stringn(s, len);
    ok = j != NULL;
    json_decref(j);

    return ok;
}


static void
hex(const unsigned char *in, size_t len, char *out)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        sprintf(out + 2 * i, "%02x", in[i]);
    }
}


static void
test_round_trip(void)
{
    char                     *line, mac_hex[65], want[65];
    size_t                    len, slen;
    int64_t                   n;
    json_t                   *j;
    unsigned char             mac[32];
    unsigned int              maclen;
    consent_chain_t           chain;
    consent_record_t          rec;
    consent_record_parsed_t   p;

    ok(consent_chain_init(&chain) == 0, "chain init");
    base_record(&rec);

    line = build(&rec, &chain, ks_a, &len);

    ok(one_line(line, len), "one line ending in a newline");
    is_int(strlen(line), len, "length returned");
    ok(len <= CONSENT_RECORD_MAX, "under CONSENT_RECORD_MAX");
    ok(strncmp(line, HEAD, sizeof(HEAD) - 1) == 0,
       "compact, fixed key order: %.60s", line);

    j = json_loadb(line, len - 1, 0, NULL);
    ok(j != NULL && json_is_object(j) && json_object_size(j) == 21,
       "valid JSON with 21 members");
    json_decref(j);

    if (!ok(parses(line, len, &p), "parses")) {
        free(line);
        return;
    }

    is_int(p.version, 1, "v");
    is_str(p.type, "consent", "type");
    is_int(p.ts_ms, TS, "ts");
    is_str(consent_record_get_str(&p, "ts", NULL), TS_STR, "ts string");
    is_str(p.chain, chain.id, "chain");
    is_int(strlen(p.chain), CONSENT_CHAIN_ID_LEN, "chain id length");
    is_int(p.seq, 1, "seq 1");
    is_str(p.id, THE_ID, "id");
    is_str(p.action, "grant", "action");
    is_str(consent_record_get_str(&p, "mechanism", NULL), "save",
           "mechanism");
    ok(consent_record_get_int(&p, "revision", &n) == 0 && n == 1,
       "revision");
    is_str(consent_record_get_str(&p, "policy_sha256", NULL),
           policy->sha256_hex, "policy_sha256");
    is_int(consent_record_get_count(&p, "granted"), 2, "2 granted");
    is_str(consent_record_get_item(&p, "granted", 0), "necessary",
           "granted[0]");
    is_str(consent_record_get_item(&p, "granted", 1), "analytics",
           "granted[1]");
    ok(consent_record_get_item(&p, "granted", 2) == NULL, "granted[2]");
    is_int(consent_record_get_count(&p, "denied"), 2, "2 denied");
    is_str(consent_record_get_item(&p, "denied", 0), "preferences",
           "denied[0]");
    is_str(consent_record_get_item(&p, "denied", 1), "marketing",
           "denied[1]");
    is_int(consent_record_get_bool(&p, "gpc"), 1, "gpc");
    is_int(consent_record_get_bool(&p, "nope"), -1, "absent bool");
    is_str(consent_record_get_str(&p, "lang", NULL), "es", "lang");
    is_str(consent_record_get_str(&p, "host", NULL), "www.example.com",
           "host");
    is_str(consent_record_get_str(&p, "page", NULL), "/news/article",
           "page");
    is_str(consent_record_get_str(&p, "ua", NULL),
           "Mozilla/5.0 (X11; Linux x86_64)", "ua");
    is_str(consent_record_get_str(&p, "ip", NULL), "203.0.113.0", "ip");
    is_str(p.kid, "k1", "kid");
    ok(consent_record_get_str(&p, "revision", NULL) == NULL,
       "get_str of an integer: NULL");
    ok(consent_record_get_int(&p, "ua", &n) == -1, "get_int of a string");

    memset(want, '0', 64);
    want[64] = '\0';
    is_str(consent_record_get_str(&p, "prev", NULL), want,
           "prev of seq 1: 64 zeros");

    /* an independent HMAC over the bytes before ,"hmac": */

    slen = strstr(line, ",\"hmac\":\"") - line;
    is_int(p.signed_len, slen, "signed_len");
    is_int(len - 1 - slen, 75, "the HMAC member closes the line");

    HMAC(EVP_sha256(), log_key_a, CONSENT_LOG_KEY_LEN,
         (unsigned char *) line, slen, mac, &maclen);
    hex(mac, 32, mac_hex);
    is_str(consent_record_get_str(&p, "hmac", NULL), mac_hex,
           "hmac is HMAC-SHA256(log key, signed bytes)");

    ok(consent_record_hmac_ok(line, len - 1, &p, &ks_a->keys[0]),
       "HMAC verifies");
    ok(!consent_record_hmac_ok(line, len - 1, &p, &ks_b->keys[0]),
       "HMAC fails with another key of the same kid");
    ok(!consent_record_hmac_ok(line, len - 1, &p, NULL), "no key: fails");

    consent_record_parsed_free(&p);
    consent_record_parsed_free(&p);
    ok(p.root == NULL, "free twice is harmless");

    free(line);
}


static void
test_checkpoint(void)
{
    char                     *line;
    size_t                    len;
    int64_t                   n;
    consent_chain_t           chain;
    consent_checkpoint_t      cp;
    consent_record_parsed_t   p;

    ok(consent_chain_init(&chain) == 0, "chain init");

    cp.ts_ms = TS;
    cp.reason = "reopen";

    line = consent_checkpoint_line(&cp, &chain, &ks_c->keys[0], &len);
    ok(line != NULL && one_line(line, len), "checkpoint line");

    if (line == NULL) {
        return;
    }

    ok(strncmp(line, "{\"v\":1,\"type\":\"checkpoint\",\"ts\":", 32) == 0,
       "checkpoint starts: %.40s", line);

    if (ok(parses(line, len, &p), "checkpoint parses")) {
        is_str(p.type, "checkpoint", "type");
        is_str(p.reason, "reopen", "reason");
        is_int(p.records, 0, "records");
        is_int(p.seq, 1, "a checkpoint takes a seq");
        is_str(p.kid, "k2", "kid");
        ok(consent_record_get_int(&p, "records", &n) == 0 && n == 0,
           "records by name");
        ok(consent_record_hmac_ok(line, len - 1, &p, &ks_c->keys[0]),
           "checkpoint HMAC verifies");
        ok(!consent_record_hmac_ok(line, len - 1, &p, &ks_a->keys[0]),
           "not with another kid's key");
        is_str(p.id, "", "no consent id");
        consent_record_parsed_free(&p);
    }

    free(line);

    cp.reason = "Stop";
    ok(consent_checkpoint_line(&cp, &chain, &ks_c->keys[0], &len) == NULL,
       "reason must be a-z 0-9 _");
    cp.reason = NULL;
    ok(consent_checkpoint_line(&cp, &chain, &ks_c->keys[0], &len) == NULL,
       "reason NULL");
}


static void
test_chain(void)
{
    char                     *l1, *l2, *l3, want[65];
    size_t                    n1, n2, n3;
    unsigned char             h[32];
    consent_chain_t           chain, other;
    consent_record_t          rec;
    consent_checkpoint_t      cp;
    consent_record_parsed_t   p;

    ok(consent_chain_init(&chain) == 0 && consent_chain_init(&other) == 0,
       "two chains");
    ok(strcmp(chain.id, other.id) != 0, "chain ids differ");
    is_int(chain.seq, 0, "fresh chain: seq 0");
    is_int(chain.records, 0, "fresh chain: no records");

    base_record(&rec);

    l1 = build(&rec, &chain, ks_a, &n1);
    l2 = build(&rec, &chain, ks_a, &n2);
    ok(n1 == n2 && memcmp(l1, l2, n1) == 0,
       "the chain does not move before advance");
    free(l2);

    consent_chain_advance(&chain, l1, n1);
    is_int(chain.seq, 1, "advanced: seq 1");
    is_int(chain.records, 1, "one record");

    consent_record_hash(l1, n1 - 1, h);
    ok(memcmp(h, chain.head, 32) == 0, "head: SHA-256 without the newline");

    cp.ts_ms = TS + 1;
    cp.reason = "reopen";
    l2 = consent_checkpoint_line(&cp, &chain, &ks_a->keys[0], &n2);
    ok(l2 != NULL, "checkpoint");

    if (l2 == NULL) {
        free(l1);
        return;
    }

    consent_chain_advance(&chain, l2, n2 - 1);     /* without '\n' too */
    is_int(chain.seq, 2, "seq 2");
    is_int(chain.records, 1, "a checkpoint is not a record");

    if (ok(parses(l2, n2, &p), "checkpoint parses")) {
        is_int(p.seq, 2, "checkpoint seq 2");
        is_int(p.records, 1, "checkpoint counts 1 record");
        hex(h, 32, want);
        is_str(consent_record_get_str(&p, "prev", NULL), want,
               "checkpoint links to the record");
        consent_record_parsed_free(&p);
    }

    l3 = build(&rec, &chain, ks_a, &n3);
    consent_chain_advance(&chain, l3, n3);
    is_int(chain.records, 2, "two records");

    if (ok(parses(l3, n3, &p), "seq 3 parses")) {
        is_int(p.seq, 3, "seq 3");
        consent_record_hash(l2, n2 - 1, h);
        ok(memcmp(p.prev, h, 32) == 0, "links to the checkpoint");
        consent_record_parsed_free(&p);
    }

    free(l1);
    free(l2);
    free(l3);
}


/* every value of every byte: caught by the parser or by the HMAC */

static void
test_single_byte_changes(void)
{
    char                     *line, *copy;
    size_t                    len, i, missed, tried;
    unsigned                  c;
    consent_chain_t           chain;
    consent_record_t          rec;
    consent_record_parsed_t   p;

    ok(consent_chain_init(&chain) == 0, "chain init");
    base_record(&rec);
    rec.ua.data = "A \"quoted\" agent\twith\\escapes\x01 and caf\xc3\xa9";
    rec.ua.len = strlen(rec.ua.data);

    line = build(&rec, &chain, ks_a, &len);
    len--;

    copy = malloc(len);
    if (copy == NULL) {
        free(line);
        return;
    }

    missed = 0;
    tried = 0;

    for (i = 0; i < len; i++) {
        for (c = 0; c < 256; c++) {
            if (c == (unsigned char) line[i]) {
                continue;
            }

            memcpy(copy, line, len);
            copy[i] = (char) c;
            tried++;

            if (consent_record_parse(copy, len, &p, NULL, 0) != 0) {
                continue;
            }

            if (consent_record_hmac_ok(copy, len, &p, &ks_a->keys[0])) {
                if (missed++ < 5) {
                    printf("# not caught: byte %zu set to 0x%02x\n", i, c);
                }
            }

            consent_record_parsed_free(&p);
        }
    }

    is_int(missed, 0, "all %zu single-byte changes caught", tried);

    /* truncation and extension */

    missed = 0;

    for (i = 0; i < len; i++) {
        if (consent_record_parse(line, i, &p, NULL, 0) == 0) {
            missed++;
            consent_record_parsed_free(&p);
        }
    }

    is_int(missed, 0, "every truncation refused");

    free(copy);
    free(line);
}


static void
test_strict(void)
{
    char                     buf[CONSENT_RECORD_MAX + 64], err[256], *line;
    char                     *s, hmac[65];
    size_t                   len;
    consent_chain_t          chain;
    consent_record_t         rec;
    consent_record_parsed_t  p;

    ok(consent_chain_init(&chain) == 0, "chain init");
    base_record(&rec);
    line = build(&rec, &chain, ks_a, &len);
    len--;

    memcpy(buf, line, len);
    buf[len] = '\0';
    memcpy(hmac, buf + len - 66, 64);
    hmac[64] = '\0';

#define refused(l, what)                                                      \
    do {                                                                      \
        int  r_ = consent_record_parse(l, strlen(l), &p, err, sizeof(err));   \
        ok(r_ != 0, "refused: %s (%s)", what, r_ ? err : "accepted");         \
        if (r_ == 0) {                                                        \
            consent_record_parsed_free(&p);                                   \
        }                                                                     \
    } while (0)

    refused("", "empty");
    refused("[]", "array");
    refused("{}", "empty object");
    refused("\"x\"", "string");
    refused("{\"v\":1", "cut");

    /* upper-case hex */
    memcpy(buf, line, len);
    buf[len - 3] = (char) (buf[len - 3] >= 'a' ? buf[len - 3] - 32 : 'A');
    refused(buf, "upper-case hmac");

    /* the HMAC member not last */
    snprintf(buf, sizeof(buf), "{\"hmac\":\"%s\"}", hmac);
    refused(buf, "hmac only");

    s = strstr(line, ",\"hmac\":");
    snprintf(buf, sizeof(buf), "{\"hmac\":\"%s\",%.*s}", hmac,
             (int) (s - line - 1), line + 1);
    refused(buf, "hmac first");

    /* an extra member before hmac */
    s = strstr(line, ",\"hmac\":");
    snprintf(buf, sizeof(buf), "%.*s,\"x\":1%.*s", (int) (s - line), line,
             (int) (len - (s - line)), s);
    refused(buf, "extra member");

    /* a member missing: drop ,"gpc":true */
    s = strstr(line, ",\"gpc\":true");
    snprintf(buf, sizeof(buf), "%.*s%.*s", (int) (s - line), line,
             (int) (len - (s - line) - 11), s + 11);
    refused(buf, "gpc missing");

    /* members swapped: ,"gpc":true moved after lang */
    {
        char   *l, *e;
        size_t  ll;

        l = strstr(line, ",\"lang\":");
        e = strstr(line, ",\"host\":");
        ll = e - l;
        snprintf(buf, sizeof(buf), "%.*s%.*s,\"gpc\":true%.*s",
                 (int) (s - line), line, (int) ll, l,
                 (int) (len - (e - line)), e);
        refused(buf, "gpc after lang");
    }

    /* wrong types */
    s = strstr(line, "\"gpc\":true");
    snprintf(buf, sizeof(buf), "%.*s\"gpc\":1%.*s", (int) (s - line),
             line, (int) (len - (s - line) - 10), s + 10);
    refused(buf, "gpc not a boolean");

    s = strstr(line, "\"seq\":1");
    snprintf(buf, sizeof(buf), "%.*s\"seq\":0%.*s", (int) (s - line), line,
             (int) (len - (s - line) - 7), s + 7);
    refused(buf, "seq 0");

    snprintf(buf, sizeof(buf), "%.*s\"seq\":\"1\"%.*s", (int) (s - line),
             line, (int) (len - (s - line) - 7), s + 7);
    refused(buf, "seq a string");

    snprintf(buf, sizeof(buf), "{\"v\":2%.*s", (int) (len - 6), line + 6);
    refused(buf, "v 2");

    s = strstr(line, TS_STR);
    memcpy(buf, line, len);
    buf[len] = '\0';
    memcpy(buf + (s - line), "2026-02-30", 10);
    refused(buf, "30 February");
    memcpy(buf + (s - line), "2026-11-28T03:19:58.123+", 24);
    refused(buf, "not Z");

    s = strstr(line, "\"action\":\"grant\"");
    snprintf(buf, sizeof(buf), "%.*s\"action\":\"grang\"%.*s",
             (int) (s - line), line, (int) (len - (s - line) - 16), s + 16);
    refused(buf, "unknown action");

    s = strstr(line, THE_ID);
    memcpy(buf, line, len);
    buf[len] = '\0';
    buf[s - line + 21] = 'x';
    refused(buf, "non-canonical id");

    s = strstr(line, "\"granted\":[\"necessary\"");
    snprintf(buf, sizeof(buf), "%.*s\"granted\":[\"NeCessary\"%.*s",
             (int) (s - line), line, (int) (len - (s - line) - 22), s + 22);
    refused(buf, "category id not a-z");

    s = strstr(line, "\"chain\":\"");
    snprintf(buf, sizeof(buf), "%.*s\"chain\":\"%.30s\"%.*s",
             (int) (s - line), line, s + 9, (int) (len - (s - line) - 42),
             s + 42);
    refused(buf, "chain id too short");

    s = strstr(line, "\"ua\":\"");
    snprintf(buf, sizeof(buf), "%.*s\"ua\":\"\\u0000\",%.*s",
             (int) (s - line), line,
             (int) (len - (strstr(line, "\"ip\":") - line)),
             strstr(line, "\"ip\":"));
    refused(buf, "NUL escape in a string");

    snprintf(buf, sizeof(buf), " %s", line);
    buf[len + 1] = '\0';
    refused(buf, "leading space");

    snprintf(buf, sizeof(buf), "%.*s,\"ua\":\"x\"%.*s", (int) (len - 75),
             line, 75, line + len - 75);
    refused(buf, "duplicate member");

    /* a checkpoint whose count is not below its seq */
    snprintf(buf, sizeof(buf), "{\"v\":1,\"type\":\"checkpoint\",\"ts\":\""
             TS_STR "\",\"chain\":\"%s\",\"seq\":3,\"reason\":\"stop\","
             "\"records\":3,\"kid\":\"k1\",\"prev\":\"%064d\","
             "\"hmac\":\"%s\"}", chain.id, 0, hmac);
    refused(buf, "records not below seq");

    snprintf(buf, sizeof(buf), "{\"v\":1,\"type\":\"checkpoint\",\"ts\":\""
             TS_STR "\",\"chain\":\"%s\",\"seq\":3,\"reason\":\"stop\","
             "\"records\":2,\"kid\":\"k1\",\"prev\":\"%064d\","
             "\"hmac\":\"%s\"}", chain.id, 0, hmac);
    ok(consent_record_parse(buf, strlen(buf), &p, err, sizeof(err)) == 0,
       "the same checkpoint with records 2 parses (%s)", err);
    consent_record_parsed_free(&p);

    memset(buf, ' ', sizeof(buf));
    ok(consent_record_parse(buf, CONSENT_RECORD_MAX + 1, &p, err,
                            sizeof(err)) != 0
       && strstr(err, "longer") != NULL, "too long: %s", err);

    ok(consent_record_parse("{\"v\":1,\0}", 9, &p, NULL, 0) != 0,
       "NUL byte, no err buffer");

#undef refused

    free(line);
}


static void
test_hostile(void)
{
    char                     *line, *big;
    const char               *bad;
    size_t                    len, n, i;
    const char               *s;
    consent_chain_t           chain;
    consent_record_t          rec;
    consent_record_parsed_t   p;
    static const char         nul[] = "a\0b\"c\n{\"v\":1}\r\n\\";

    ok(consent_chain_init(&chain) == 0, "chain init");
    base_record(&rec);

    /* quotes, newlines, a NUL, a forged line inside the page */

    rec.page.data = nul;
    rec.page.len = sizeof(nul) - 1;
    rec.host.data = "evil\",\"action\":\"reject";
    rec.host.len = strlen(rec.host.data);

    line = build(&rec, &chain, ks_a, &len);
    ok(one_line(line, len), "one line");

    if (ok(parses(line, len, &p), "parses")) {
        s = consent_record_get_str(&p, "page", &n);
        ok(s && n == 18 && memcmp(s, "a\xef\xbf\xbd" "b\"c\n{\"v\":1}\r\n\\",
                                  18) == 0,
           "NUL replaced by U+FFFD, the rest kept");
        is_str(consent_record_get_str(&p, "host", NULL),
               "evil\",\"action\":\"reject", "host kept, escaped");
        is_str(p.action, "grant", "the action is not forged");
        ok(consent_record_hmac_ok(line, len - 1, &p, &ks_a->keys[0]),
           "HMAC ok");
        consent_record_parsed_free(&p);
    }

    free(line);

    /* invalid UTF-8: lone continuation, overlong, surrogate, cut */

    bad = "\x80x\xc0\xafy\xed\xa0\x80z\xf4\x90\x80\x80\xe2\x82";
    rec.ua.data = bad;
    rec.ua.len = strlen(bad);

    line = build(&rec, &chain, ks_a, &len);

    if (ok(parses(line, len, &p), "invalid UTF-8: parses")) {
        s = consent_record_get_str(&p, "ua", &n);
        ok(s && utf8_valid(s, n), "ua is valid UTF-8");
        ok(s && strstr(s, "x") && strstr(s, "y") && strstr(s, "z"),
           "valid characters kept: %s", s ? s : "");
        is_int(n, 3 * 3 + 3 + 3 * 3 + 4 * 3 + 2 * 3,
               "each invalid byte is one U+FFFD");
        consent_record_parsed_free(&p);
    }

    free(line);

    /* 100 KB of everything: cut, still one valid line */

    big = malloc(100 * 1024);
    if (big == NULL) {
        return;
    }

    for (i = 0; i < 100 * 1024; i++) {
        big[i] = "\"\\\x01\xe2\x82\xac\n"[i % 7];
    }

    rec.ua.data = big;
    rec.ua.len = 100 * 1024;
    rec.page = rec.ua;
    rec.host = rec.ua;
    rec.lang = rec.ua;
    rec.ip = rec.ua;

    line = build(&rec, &chain, ks_a, &len);
    ok(one_line(line, len), "100 KB fields: one line");
    ok(len <= CONSENT_RECORD_MAX, "%zu bytes, under %d", len,
       CONSENT_RECORD_MAX);

    if (ok(parses(line, len, &p), "parses")) {
        s = consent_record_get_str(&p, "ua", &n);
        ok(s && utf8_valid(s, n) && n > 0 && n <= CONSENT_UA_MAX,
           "ua cut to %zu bytes on a character boundary", n);
        s = consent_record_get_str(&p, "page", &n);
        ok(s && utf8_valid(s, n) && n > 0 && n <= CONSENT_PAGE_MAX,
           "page cut to %zu bytes", n);
        ok(consent_record_hmac_ok(line, len - 1, &p, &ks_a->keys[0]),
           "HMAC ok");
        consent_record_parsed_free(&p);
    }

    free(line);

    /* a plain long user agent: cut at exactly CONSENT_UA_MAX bytes */

    memset(big, 'a', 100 * 1024);
    big[CONSENT_UA_MAX - 1] = '\xc3';       /* a 2-byte character across */
    big[CONSENT_UA_MAX] = '\xa9';
    rec.ua.data = big;
    rec.ua.len = 100 * 1024;
    base_record(&rec);
    rec.ua.data = big;
    rec.ua.len = 100 * 1024;
    rec.page.data = big + CONSENT_UA_MAX + 1;
    rec.page.len = 50 * 1024;

    line = build(&rec, &chain, ks_a, &len);

    if (ok(parses(line, len, &p), "long ua parses")) {
        s = consent_record_get_str(&p, "ua", &n);
        is_int(n, CONSENT_UA_MAX - 1, "ua cut before the split character");
        s = consent_record_get_str(&p, "page", &n);
        is_int(n, CONSENT_PAGE_MAX, "page cut to CONSENT_PAGE_MAX");
        consent_record_parsed_free(&p);
    }

    free(line);

    /* NULL data and empty strings */

    base_record(&rec);
    rec.ua.data = NULL;
    rec.ua.len = 5;
    rec.lang.len = 0;

    line = build(&rec, &chain, ks_a, &len);

    if (ok(parses(line, len, &p), "NULL ua parses")) {
        is_str(consent_record_get_str(&p, "ua", NULL), "", "NULL ua: \"\"");
        is_str(consent_record_get_str(&p, "lang", NULL), "", "empty lang");
        consent_record_parsed_free(&p);
    }

    free(line);
    free(big);
}


static void
test_ts(void)
{
    char     out[CONSENT_TS_LEN + 1];
    int64_t  ms;

    ok(consent_ts_format(TS, out) == 0, "format");
    is_str(out, TS_STR, "RFC 3339 UTC, milliseconds");
    ok(consent_ts_parse(TS_STR, strlen(TS_STR), &ms) == 0 && ms == TS,
       "parse back");

    ok(consent_ts_format(0, out) == 0, "epoch");
    is_str(out, "1970-01-01T00:00:00.000Z", "epoch string");
    ok(consent_ts_format(951782400999LL, out) == 0, "29 February 2000");
    is_str(out, "2000-02-29T00:00:00.999Z", "leap day");
    ok(consent_ts_parse(out, strlen(out), &ms) == 0 && ms == 951782400999LL,
       "leap day back");
    ok(consent_ts_format(-1, out) != 0, "negative refused");
    ok(consent_ts_format(253402300800000LL, out) != 0, "year 10000 refused");
    ok(consent_ts_parse("1900-02-29T00:00:00.000Z", 24, &ms) != 0,
       "1900 is not a leap year (and before 1970)");
    ok(consent_ts_parse("2100-02-29T00:00:00.000Z", 24, &ms) != 0,
       "2100 is not a leap year");
    ok(consent_ts_parse("2026-13-01T00:00:00.000Z", 24, &ms) != 0,
       "month 13");
    ok(consent_ts_parse("2026-11-28T24:00:00.000Z", 24, &ms) != 0,
       "hour 24");
    ok(consent_ts_parse("2026-11-28T03:19:58.12Z", 23, &ms) != 0,
       "two ms digits");
    ok(consent_ts_parse("2026-11-28 03:19:58.123Z", 24, &ms) != 0,
       "space");
    ok(consent_ts_parse(NULL, 24, &ms) != 0, "NULL");
}


static void
test_ip(void)
{
    char                  out[64], h1[64], h2[64], h3[64];
    size_t                n;
    struct sockaddr_in    sin;
    struct sockaddr_in6   sin6;

    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    inet_pton(AF_INET, "203.0.113.77", &sin.sin_addr);

    n = consent_ip_anonymise((struct sockaddr *) &sin, CONSENT_IP_TRUNCATE,
                             &ks_a->keys[0], out);
    is_str(out, "203.0.113.0", "IPv4 /24");
    is_int(n, strlen(out), "length");

    n = consent_ip_anonymise((struct sockaddr *) &sin, CONSENT_IP_OFF,
                             &ks_a->keys[0], out);
    ok(n == 0 && out[0] == '\0', "off: empty");

    memset(&sin6, 0, sizeof(sin6));
    sin6.sin6_family = AF_INET6;
    inet_pton(AF_INET6, "2001:db8:1:2:3:4:5:6", &sin6.sin6_addr);

    consent_ip_anonymise((struct sockaddr *) &sin6, CONSENT_IP_TRUNCATE,
                         &ks_a->keys[0], out);
    is_str(out, "2001:db8:1::", "IPv6 /48");

    inet_pton(AF_INET6, "2001:db8:ffff:ffff::1", &sin6.sin6_addr);
    consent_ip_anonymise((struct sockaddr *) &sin6, CONSENT_IP_TRUNCATE,
                         &ks_a->keys[0], out);
    is_str(out, "2001:db8:ffff::", "IPv6 /48, high bits");

    inet_pton(AF_INET6, "::ffff:198.51.100.200", &sin6.sin6_addr);
    consent_ip_anonymise((struct sockaddr *) &sin6, CONSENT_IP_TRUNCATE,
                         &ks_a->keys[0], out);
    is_str(out, "198.51.100.0", "IPv4-mapped: as IPv4 /24");

    /* hash: "h:" and 16 hex, keyed, stable, a mapped v4 as its v4 */

    n = consent_ip_anonymise((struct sockaddr *) &sin, CONSENT_IP_HASH,
                             &ks_a->keys[0], h1);
    is_int(n, 18, "hash length");
    ok(strncmp(h1, "h:", 2) == 0 && strspn(h1 + 2, "0123456789abcdef") == 16,
       "h: and 16 hex: %s", h1);

    consent_ip_anonymise((struct sockaddr *) &sin, CONSENT_IP_HASH,
                         &ks_a->keys[0], h2);
    is_str(h2, h1, "stable");

    consent_ip_anonymise((struct sockaddr *) &sin, CONSENT_IP_HASH,
                         &ks_b->keys[0], h3);
    ok(strcmp(h3, h1) != 0, "another key, another hash");

    inet_pton(AF_INET6, "::ffff:203.0.113.77", &sin6.sin6_addr);
    consent_ip_anonymise((struct sockaddr *) &sin6, CONSENT_IP_HASH,
                         &ks_a->keys[0], h2);
    is_str(h2, h1, "IPv4-mapped hashes as IPv4");

    inet_pton(AF_INET, "203.0.113.78", &sin.sin_addr);
    consent_ip_anonymise((struct sockaddr *) &sin, CONSENT_IP_HASH,
                         &ks_a->keys[0], h2);
    ok(strcmp(h2, h1) != 0, "the hash is of the whole address");

    inet_pton(AF_INET6, "2001:db8:1:2:3:4:5:6", &sin6.sin6_addr);
    consent_ip_anonymise((struct sockaddr *) &sin6, CONSENT_IP_HASH,
                         &ks_a->keys[0], h2);
    ok(strncmp(h2, "h:", 2) == 0 && strlen(h2) == 18, "IPv6 hash: %s", h2);

    n = consent_ip_anonymise((struct sockaddr *) &sin, CONSENT_IP_HASH, NULL,
                             out);
    ok(n == 0 && out[0] == '\0', "hash without a key: empty");

    n = consent_ip_anonymise(NULL, CONSENT_IP_TRUNCATE, NULL, out);
    ok(n == 0 && out[0] == '\0', "no address: empty");

    sin.sin_family = AF_UNIX;
    n = consent_ip_anonymise((struct sockaddr *) &sin, CONSENT_IP_TRUNCATE,
                             NULL, out);
    ok(n == 0 && out[0] == '\0', "unix socket: empty");
}


static void
test_action(void)
{
    uint32_t  req;

    req = policy->required_mask;

    is_str(consent_record_action("withdraw", 1, policy->all_mask, req),
           "withdraw", "withdraw");
    is_str(consent_record_action("withdraw", 0, req, req), "withdraw",
           "withdraw without consent");
    is_str(consent_record_action("reject_all", 0, req, req), "reject",
           "reject all");
    is_str(consent_record_action("save", 1, req, req), "reject",
           "only required, with a consent: reject");
    is_str(consent_record_action("accept_all", 0, policy->all_mask, req),
           "grant", "accept all: grant");
    is_str(consent_record_action("save", 1, req | 0x4, req), "update",
           "save over a consent: update");
    is_str(consent_record_action("api", 0, 0x4, req), "grant",
           "api, optional only: grant");
    is_str(consent_record_action(NULL, 0, 0, req), "reject",
           "no mechanism, nothing");
}


static void
test_build_errors(void)
{
    size_t            len;
    consent_chain_t   chain;
    consent_record_t  rec;

    ok(consent_chain_init(&chain) == 0, "chain init");

#define fails(what)                                                           \
    ok(consent_record_line(&rec, &chain, &ks_a->keys[0], &len) == NULL,       \
       "refused: %s", what)

    base_record(&rec);
    rec.action = "accept";
    fails("unknown action");

    base_record(&rec);
    rec.action = NULL;
    fails("no action");

    base_record(&rec);
    rec.mechanism = "accept all";
    fails("mechanism with a space");

    base_record(&rec);
    rec.id.len = 21;
    fails("short id");

    base_record(&rec);
    rec.id.data = NULL;
    fails("no id");

    base_record(&rec);
    rec.policy = NULL;
    fails("no policy");

    base_record(&rec);
    rec.ts_ms = -5;
    fails("negative time");

    base_record(&rec);
    chain.seq = INT64_MAX;
    fails("seq would overflow");

#undef fails
}


/* one decision in two destinations: the same content hash */

static void
test_content_hash(void)
{
    char                     *l1, *l2, *l3, *l4;
    size_t                    n1, n2, n3, n4;
    unsigned char             h1[32], h2[32], h3[32], h4[32];
    consent_chain_t           c1, c2;
    consent_record_t          rec;
    consent_record_parsed_t   p1, p2, p3, p4;

    ok(consent_chain_init(&c1) == 0 && consent_chain_init(&c2) == 0,
       "two chains");

    base_record(&rec);

    /* c2 has a record before: another seq and prev too */
    l4 = build(&rec, &c2, ks_a, &n4);
    consent_chain_advance(&c2, l4, n4);
    free(l4);

    l1 = build(&rec, &c1, ks_a, &n1);
    l2 = build(&rec, &c2, ks_a, &n2);

    rec.ts_ms++;
    l3 = build(&rec, &c1, ks_a, &n3);

    rec.ts_ms--;
    rec.granted = 0x1;
    l4 = build(&rec, &c1, ks_a, &n4);

    ok(parses(l1, n1, &p1) && parses(l2, n2, &p2) && parses(l3, n3, &p3)
       && parses(l4, n4, &p4), "all parse");

    ok(strcmp(p1.chain, p2.chain) != 0 && p1.seq != p2.seq,
       "two destinations: other chain and seq");

    ok(consent_record_content_hash(&p1, h1) == 0
       && consent_record_content_hash(&p2, h2) == 0
       && consent_record_content_hash(&p3, h3) == 0
       && consent_record_content_hash(&p4, h4) == 0, "hashes computed");

    ok(memcmp(h1, h2, 32) == 0, "same decision, two chains: same hash");
    ok(memcmp(h1, h3, 32) != 0, "another ts: another hash");
    ok(memcmp(h1, h4, 32) != 0, "other categories: another hash");

    ok(consent_record_content_hash(NULL, h1) == -1, "NULL refused");

    consent_record_parsed_free(&p1);
    consent_record_parsed_free(&p2);
    consent_record_parsed_free(&p3);
    consent_record_parsed_free(&p4);
    free(l1);
    free(l2);
    free(l3);
    free(l4);
}


int
main(void)
{
    char  err[256];

    ks_a = keys(KEY_A);
    ks_b = keys(KEY_B);
    ks_c = keys(KEY_C);

    policy = consent_policy_load("conf/policy.json", err, sizeof(err));
    if (policy == NULL) {
        printf("Bail out! conf/policy.json: %s\n", err);
        return 255;
    }

    test_round_trip();
    test_checkpoint();
    test_chain();
    test_single_byte_changes();
    test_strict();
    test_hostile();
    test_ts();
    test_ip();
    test_action();
    test_build_errors();
    test_content_hash();

    consent_policy_free(policy);
    consent_keyset_free(ks_a);
    consent_keyset_free(ks_b);
    consent_keyset_free(ks_c);

    return done_testing();
}

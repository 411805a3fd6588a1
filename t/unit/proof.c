
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Unit tests of the policy stored in the audit log: the "policy" records
 * of consent_record.c (packing, parts, parser, the chain's memory of what
 * it stored), the verifier's checks of them (consent_verify.c with
 * consent_proof.c) and the notice rendered from a stored policy.
 */


#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "tap.h"
#include "consent_base64.h"
#include "consent_proof.h"
#include "consent_record.h"
#include "consent_render.h"
#include "consent_verify.h"


#define KEYS    "k1 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"
#define TS      1795835998123LL
#define THE_ID  "AAECAwQFBgcICQoLDA0ODw"
#define LINES   256


typedef struct {
    char       *line[LINES];
    size_t      len[LINES];
    size_t      n;
} log_t;


static void add(log_t *log, char *line, size_t len, consent_chain_t *chain);
static void store(log_t *log, const consent_policy_t *p,
    consent_chain_t *chain);
static void store_parts(log_t *log, const consent_policy_t *p,
    consent_chain_t *chain, size_t upto);
static void decision(log_t *log, const consent_policy_t *p,
    consent_chain_t *chain, int64_t ts);
static void log_free(log_t *log);
static int verify(log_t *log, int keys, int partial);
static void on_problem(void *data, const char *file, uint64_t line,
    const char *msg);
static void on_info(void *data, const char *file, uint64_t line,
    const char *msg);
static char *relink(log_t *log, size_t from);
static void test_lines(void);
static void test_chain_memory(void);
static void test_verify(void);
static void test_tampered(void);
static void test_other_policy(void);
static void test_text(void);
static void test_notice(void);


static consent_keyset_t  *ks;
static consent_policy_t  *policy, *small;
static size_t             nprobs, ninfos;
static char               last_prob[600], last_info[4096];
static consent_proof_t   *kept;


static const char  small_json[] =
    "{\"revision\":7,\"default_language\":\"en\","
    "\"privacy_url\":\"https://example.com/p\","
    "\"texts\":{\"en\":{\"title\":\"Cookies & you\","
    "\"message\":\"We ask <first>.\",\"accept_all\":\"Yes\","
    "\"reject_all\":\"No\",\"customise\":\"Choose\",\"save\":\"Save\","
    "\"withdraw\":\"Withdraw\",\"privacy_link\":\"Policy\","
    "\"manage\":\"Manage\",\"always_on\":\"Always on\","
    "\"gpc_honoured\":\"GPC honoured\"},"
    "\"fr\":{\"title\":\"Les cookies\",\"message\":\"Nous demandons.\","
    "\"accept_all\":\"Oui\",\"reject_all\":\"Non\","
    "\"customise\":\"Choisir\",\"save\":\"Enregistrer\","
    "\"withdraw\":\"Retirer\",\"privacy_link\":\"Politique\","
    "\"manage\":\"G\\u00e9rer\",\"always_on\":\"Toujours\","
    "\"gpc_honoured\":\"GPC respect\\u00e9\"}},"
    "\"categories\":[{\"id\":\"necessary\",\"required\":true,"
    "\"label\":{\"en\":\"Necessary\",\"fr\":\"N\\u00e9cessaires\"},"
    "\"description\":{\"en\":\"Needed.\",\"fr\":\"Requis.\"}},"
    "{\"id\":\"analytics\",\"label\":{\"en\":\"Analytics\","
    "\"fr\":\"Mesure\"},\"description\":{\"en\":\"Counts \\\"visits\\\".\","
    "\"fr\":\"Compte.\"}}]}";


int
main(void)
{
    char  err[256];

    ks = consent_keyset_parse(KEYS, strlen(KEYS), "test.keys", err,
                              sizeof(err));
    policy = consent_policy_load("conf/policy.json", err, sizeof(err));
    small = consent_policy_parse(small_json, sizeof(small_json) - 1, err,
                                 sizeof(err));

    if (ks == NULL || policy == NULL || small == NULL) {
        printf("Bail out! %s\n", err);
        return 255;
    }

    test_lines();
    test_chain_memory();
    test_verify();
    test_tampered();
    test_other_policy();
    test_text();
    test_notice();

    consent_policy_free(policy);
    consent_policy_free(small);
    consent_keyset_free(ks);

    return done_testing();
}


static void
add(log_t *log, char *line, size_t len, consent_chain_t *chain)
{
    if (line == NULL || log->n == LINES) {
        printf("Bail out! cannot build a line\n");
        exit(255);
    }

    consent_chain_advance(chain, line, len);

    /* kept without the '\n', as the verifier is fed */
    log->line[log->n] = line;
    log->len[log->n] = len - 1;
    log->n++;
}


static void
store(log_t *log, const consent_policy_t *p, consent_chain_t *chain)
{
    store_parts(log, p, chain, 0);
    (void) consent_chain_policy_stored(chain, p);
}


/* the parts up to upto (0: all), as the writer sends them */

static void
store_parts(log_t *log, const consent_policy_t *p, consent_chain_t *chain,
    size_t upto)
{
    char           *line;
    size_t          len, part, plen;
    unsigned char  *packed;

    if (consent_policy_pack(p, &packed, &plen) != 0) {
        printf("Bail out! consent_policy_pack() failed\n");
        exit(255);
    }

    for (part = 1; part <= consent_policy_parts(plen); part++) {
        if (upto && part > upto) {
            break;
        }

        len = 0;
        line = consent_policy_line(p, packed, plen, TS, part, chain,
                                   &ks->keys[0], &len);
        add(log, line, len, chain);
    }

    free(packed);
}


static void
decision(log_t *log, const consent_policy_t *p, consent_chain_t *chain,
    int64_t ts)
{
    char             *line;
    size_t            len;
    consent_record_t  rec;

    memset(&rec, 0, sizeof(consent_record_t));
    rec.ts_ms = ts;
    rec.id.data = THE_ID;
    rec.id.len = strlen(THE_ID);
    rec.action = "grant";
    rec.mechanism = "accept_all";
    rec.policy = p;
    rec.granted = p->all_mask;
    rec.lang.data = "fr";
    rec.lang.len = 2;

    len = 0;
    line = consent_record_line(&rec, chain, &ks->keys[0], &len);
    add(log, line, len, chain);
}


static void
log_free(log_t *log)
{
    size_t  i;

    for (i = 0; i < log->n; i++) {
        free(log->line[i]);
    }

    log->n = 0;
}


static void
on_problem(void *data, const char *file, uint64_t line, const char *msg)
{
    nprobs++;
    snprintf(last_prob, sizeof(last_prob), "%s", msg);
}


/* every note of a run, one a line */

static void
on_info(void *data, const char *file, uint64_t line, const char *msg)
{
    size_t  n;

    ninfos++;
    n = strlen(last_info);
    snprintf(last_info + n, sizeof(last_info) - n, "%s\n", msg);
}


/* feeds the log; keeps the policies of the last run in kept */

static int
verify(log_t *log, int keys, int partial)
{
    size_t                  i;
    consent_verify_t       *v;
    consent_verify_conf_t   conf;
    const consent_proof_policy_t  *e;

    memset(&conf, 0, sizeof(consent_verify_conf_t));
    conf.keys = keys ? ks : NULL;
    conf.partial = partial;
    conf.keep_policies = 1;
    conf.problem = on_problem;
    conf.info = on_info;

    nprobs = 0;
    ninfos = 0;
    last_prob[0] = '\0';
    last_info[0] = '\0';

    v = consent_verify_create(&conf);

    for (i = 0; i < log->n; i++) {
        consent_verify_line(v, "t.log", i + 1, log->line[i], log->len[i],
                            0);
    }

    consent_verify_finish(v);

    /* a copy of what was kept, for the test to look at */
    consent_proof_free(kept);
    kept = consent_proof_create(0);

    for (i = 0;
         i < consent_proof_count(consent_verify_policies(v));
         i++)
    {
        e = consent_proof_get(consent_verify_policies(v), i);
        (void) consent_proof_use(kept, e->sha256_hex, e->revision, 0,
                                 NULL, 0);
        if (e->stored && e->policy
            && e->policy->revision == (uint32_t) e->revision)
        {
            /* mark it stored: "uses" counts the stored ones here */
            (void) consent_proof_use(kept, e->sha256_hex, e->revision, 0,
                                     NULL, 0);
        }
    }

    consent_verify_free(v);

    return (int) nprobs;
}


/* after editing line from, its chain is linked again (no keys) */

static char *
relink(log_t *log, size_t from)
{
    char           hex[65], *p;
    size_t         i, k;
    unsigned char  h[32];

    for (i = from + 1; i < log->n; i++) {
        consent_record_hash(log->line[i - 1], log->len[i - 1], h);

        for (k = 0; k < 32; k++) {
            snprintf(hex + 2 * k, 3, "%02x", h[k]);
        }

        p = strstr(log->line[i], "\"prev\":\"");
        if (p == NULL) {
            return NULL;
        }

        memcpy(p + 8, hex, 64);
    }

    return log->line[from];
}


static void
test_lines(void)
{
    size_t                   len, plen, parts, i, total, n;
    char                    *line, *raw;
    uLongf                   rawlen;
    unsigned char           *packed, *buf;
    consent_chain_t          chain;
    consent_record_parsed_t  rec;
    char                     err[256];
    const char              *data;

    ok(consent_chain_init(&chain) == 0, "a chain");

    ok(consent_policy_pack(policy, &packed, &plen) == 0, "packed");
    parts = consent_policy_parts(plen);
    ok(parts > 1 && plen < policy->source_len,
       "the demo policy (%zu bytes) packs into %zu bytes, %zu parts",
       policy->source_len, plen, parts);

    buf = malloc(parts * CONSENT_POLICY_PART);
    total = 0;

    for (i = 1; i <= parts; i++) {
        line = consent_policy_line(policy, packed, plen, TS, i, &chain,
                                   &ks->keys[0], &len);
        ok(line && len <= CONSENT_RECORD_MAX && line[len - 1] == '\n',
           "part %zu: one line under the record limit (%zu)", i, len);

        ok(consent_record_parse(line, len - 1, &rec, err, sizeof(err))
           == 0, "part %zu parses (%s)", i, err);
        ok(strcmp(rec.type, "policy") == 0 && rec.part == i
           && rec.parts == parts && rec.size == policy->source_len
           && rec.seq == i, "part %zu: its fields", i);
        ok(consent_record_hmac_ok(line, len - 1, &rec, &ks->keys[0]),
           "part %zu: signed", i);

        data = consent_record_get_str(&rec, "data", &n);
        consent_b64url_decode_exact(data, n, buf + total, n * 3 / 4);
        total += n * 3 / 4;

        consent_record_parsed_free(&rec);
        consent_chain_advance(&chain, line, len);
        free(line);
    }

    is_int(chain.records, 0, "policy records are not consent records");

    raw = malloc(policy->source_len);
    rawlen = policy->source_len;
    ok(uncompress((Bytef *) raw, &rawlen, buf, total) == Z_OK
       && rawlen == policy->source_len
       && memcmp(raw, policy->source, rawlen) == 0,
       "the parts are the policy file, byte for byte");

    free(raw);
    free(buf);

    ok(consent_policy_line(policy, packed, plen, TS, 0, &chain,
                           &ks->keys[0], &len) == NULL, "no part 0");
    ok(consent_policy_line(policy, packed, plen, TS, parts + 1, &chain,
                           &ks->keys[0], &len) == NULL,
       "no part after the last");

    free(packed);

    /* the parser is strict */

    ok(consent_record_parse("{\"v\":1,\"type\":\"policy\",\"ts\":"
                            "\"2026-11-28T03:19:58.123Z\",\"chain\":\"x\"}",
                            70, &rec, err, sizeof(err)) != 0,
       "a policy record without its fields is refused");

    consent_chain_free(&chain);
}


static void
test_chain_memory(void)
{
    consent_chain_t  chain;

    consent_chain_init(&chain);

    ok(consent_chain_policy_needed(&chain, policy), "a new chain needs it");
    ok(consent_chain_policy_stored(&chain, policy) == 0, "stored");
    ok(!consent_chain_policy_needed(&chain, policy), "then it does not");
    ok(consent_chain_policy_needed(&chain, small), "another one still does");
    consent_chain_policy_stored(&chain, small);
    consent_chain_policy_stored(&chain, small);
    is_int(chain.npolicies, 2, "each once");

    consent_chain_policy_forget(&chain);
    ok(consent_chain_policy_needed(&chain, policy)
       && consent_chain_policy_needed(&chain, small),
       "after a reopen, both again");

    consent_chain_free(&chain);
}


static void
test_verify(void)
{
    log_t                          log;
    consent_chain_t                a, b;
    const consent_proof_policy_t  *e;

    memset(&log, 0, sizeof(log_t));
    consent_chain_init(&a);
    consent_chain_init(&b);

    /* two chains interleaved, each storing the policy first */

    store(&log, small, &a);
    decision(&log, small, &a, TS);
    store(&log, small, &b);
    decision(&log, small, &b, TS + 1);
    decision(&log, small, &a, TS + 2);

    is_int(verify(&log, 1, 0), 0, "intact, with keys: 0 problems (%s)",
           last_prob);
    is_int(ninfos, 2, "two open chains, no note of a missing policy");
    e = consent_proof_find(kept, small->sha256_hex);
    ok(e && e->uses == 2, "the stored policy was read back whole");

    log_free(&log);
    consent_chain_free(&a);
    consent_chain_free(&b);

    /* an old log: records only */

    consent_chain_init(&a);
    decision(&log, small, &a, TS);
    decision(&log, small, &a, TS + 1);

    is_int(verify(&log, 1, 0), 0, "a log without policies still verifies");
    ok(strstr(last_info, "2 consent records name policy") != NULL
       && strstr(last_info, "which the log does not store") != NULL,
       "with a note");

    log_free(&log);

    /* the policy cut before its last part: a note (the chain tells) */

    consent_chain_init(&a);
    store_parts(&log, policy, &a, 2);

    is_int(verify(&log, 1, 0), 0, "a policy without its last parts: no "
           "problem of its own (%s)", last_prob);
    ok(strstr(last_info, "stops at part 2 of") != NULL, "a note");

    log_free(&log);

    /* a part that could not be sent, then the policy again: a note */

    consent_chain_free(&a);
    consent_chain_init(&a);
    store_parts(&log, policy, &a, 2);
    store(&log, policy, &a);
    decision(&log, policy, &a, TS);

    is_int(verify(&log, 1, 0), 0, "sent again from its first part: no "
           "problem (%s)", last_prob);
    ok(consent_proof_find(kept, policy->sha256_hex) != NULL,
       "and the policy is stored");
    ok(ninfos >= 1, "a note");
    consent_chain_free(&a);

    log_free(&log);
}


static void
test_tampered(void)
{
    char             *p;
    log_t             log;
    consent_chain_t   a;

    memset(&log, 0, sizeof(log_t));
    consent_chain_init(&a);
    store(&log, policy, &a);
    decision(&log, policy, &a, TS);

    /* one byte of the data of part 2 */

    p = strstr(log.line[1], "\"data\":\"");
    p[20] = p[20] == 'A' ? 'B' : 'A';

    ok(verify(&log, 1, 0) > 0, "a changed byte: problems (%s)", last_prob);

    /* relinked, without keys: the hash of the policy tells */

    relink(&log, 1);
    consent_chain_free(&a);
    ok(verify(&log, 0, 0) == 1
       && (strstr(last_prob, "cannot be unpacked") != NULL
           || strstr(last_prob, "its text was altered") != NULL),
       "relinked: the stored policy is found altered (%s)", last_prob);

    log_free(&log);
}


/* another policy stored under the first one's hash */

static void
test_other_policy(void)
{
    char             *line, *p, *q;
    size_t            len, plen;
    log_t             log;
    unsigned char    *packed;
    consent_chain_t   a;

    memset(&log, 0, sizeof(log_t));
    consent_chain_init(&a);

    ok(consent_policy_pack(small, &packed, &plen) == 0
       && consent_policy_parts(plen) == 1, "the small policy is one part");

    line = consent_policy_line(small, packed, plen, TS, 1, &a, &ks->keys[0],
                               &len);
    free(packed);

    /* its hash replaced by that of the demo policy */

    p = strstr(line, "\"policy_sha256\":\"");
    memcpy(p + 17, policy->sha256_hex, 64);
    q = strstr(line, "\"revision\":7");
    ok(p && q, "the line edited");

    add(&log, line, len, &a);
    decision(&log, policy, &a, TS);
    relink(&log, 0);

    consent_chain_free(&a);
    is_int(verify(&log, 0, 0), 1, "one problem");
    ok(strstr(last_prob, "not to its policy_sha256") != NULL,
       "the stored text does not hash to its hash: %s", last_prob);
    ok(strstr(last_info, "does not store") != NULL,
       "and its records' policy counts as not stored");

    log_free(&log);
    consent_proof_free(kept);
    kept = NULL;
}


static void
test_text(void)
{
    char    *t;
    size_t   len;

    static const char  html[] =
        "<div><h2>A &amp; B</h2>\n<p>one  <a href=\"x>\">two</a>\n three"
        "</p><script>var x = '<p>';</script><p>&#233;&#x20AC;&lt;&bogus;"
        "</p><label><input type=checkbox> L (x)</label></div>";

    t = consent_proof_text(html, strlen(html), &len);

    is_str(t, "A & B\none two three\n\xc3\xa9\xe2\x82\xac<&bogus;\nL (x)\n",
           "blocks are lines, inline tags vanish, entities decoded");
    is_int(len, strlen(t), "its length");
    free(t);

    t = consent_proof_text("", 0, &len);
    is_str(t, "", "nothing");
    free(t);

    t = consent_proof_text("<p>cut <b", 9, &len);
    is_str(t, "cut\n", "a cut tag");
    free(t);
}


static void
test_notice(void)
{
    char  *t;

    t = consent_proof_notice(small, "fr", 0, NULL, NULL);
    is_str(t, "Les cookies\nNous demandons. Politique\n"
              "N\xc3\xa9" "cessaires (Toujours)\nRequis.\nMesure\nCompte.\n"
              "Enregistrer\nOui\nNon\nChoisir\n",
           "the banner in French, as the module renders it");
    free(t);

    t = consent_proof_notice(small, "en", 1, NULL, NULL);
    ok(t && strstr(t, "Cookies & you\nWe ask <first>. Policy\n"
                      "GPC honoured\n") == t,
       "in English, with the GPC paragraph, entities decoded");
    ok(t && strstr(t, "Counts \"visits\".\n") != NULL,
       "a description with quotes");
    free(t);
}

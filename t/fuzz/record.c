
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The audit record (src/consent_record.c): the parser consent-audit
 * reads a log with, and the writer the module logs with.
 *
 * Input: 1 byte of set-up, then
 *   bit 0 = 0: one line as read back from a log: consent_record_parse,
 *          consent_record_hmac_ok and the field getters; with bit 7, a
 *          time stamp for consent_ts_parse instead
 *   bit 0 = 1: what a visitor sends, "ua\npage\nhost\nlang\nip\nid",
 *          written as a record (bits 1-4: granted categories, bit 5:
 *          gpc, bit 6: a checkpoint follows with the reason "stop")
 *
 * Properties: whatever a visitor sends, a record is one line of at most
 * CONSENT_RECORD_MAX bytes, ending in its only '\n', with no control
 * character (below 0x20) and only valid UTF-8; it parses back, its HMAC
 * verifies and the verifier finds the chain intact.  A line read back
 * that parses has a known type and fields the getters can read.  A
 * time stamp that parses is the one consent_ts_format() writes.
 */


#include "fuzz.h"
#include "consent_record.h"
#include "consent_verify.h"


static consent_policy_t  *policy;
static consent_keyset_t  *keys;
static const char        *id_ok = "ABEiM0RVZneImaq7zN3u_w";
static volatile int       sink;


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    policy = fuzz_policy("conf/policy.json");
    keys = fuzz_keyset();
    return 0;
}


static void
fuzz_parse(const char *line, size_t len)
{
    int                       rc;
    char                      err[256];
    size_t                    i, n, slen;
    int64_t                   v;
    const char               *s;
    consent_record_parsed_t   rec;
    static const char *const  fields[] = {
        "v", "type", "ts", "chain", "id", "action", "mechanism",
        "policy_sha256", "lang", "host", "page", "ua", "ip", "kid", "prev",
        "hmac", "reason", "data", "nothing"
    };
    static const char *const  ints[] = {
        "v", "seq", "revision", "records", "ts", "gpc", "part", "parts",
        "size"
    };

    memset(err, 'x', sizeof(err));
    memset(&rec, 0, sizeof(consent_record_parsed_t));

    rc = consent_record_parse(line, len, &rec, err, sizeof(err));

    if (rc != 0) {
        fuzz_check(rc == -1, "0 or -1");
        fuzz_check(memchr(err, '\0', sizeof(err)) != NULL && err[0] != '\0',
                   "a refusal says why");
        consent_record_parsed_free(&rec);
        return;
    }

    fuzz_check(strcmp(rec.type, "consent") == 0
               || strcmp(rec.type, "checkpoint") == 0
               || strcmp(rec.type, "policy") == 0, "a known type");
    fuzz_check(strcmp(rec.type, "policy") != 0
               || (rec.part >= 1 && rec.part <= rec.parts
                   && rec.size <= CONSENT_POLICY_MAX_SIZE),
               "a policy part in its range");
    fuzz_check(rec.signed_len <= len, "the HMAC covers part of the line");

    for (i = 0; i < keys->nkeys; i++) {
        rc = consent_record_hmac_ok(line, len, &rec, &keys->keys[i]);
        fuzz_check(rc == 0 || rc == 1, "0 or 1");
    }

    for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        slen = 0;
        s = consent_record_get_str(&rec, fields[i], &slen);

        if (s != NULL && slen) {
            sink += s[0] + s[slen - 1];     /* readable, all of it */
        }
    }

    for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
        (void) consent_record_get_int(&rec, ints[i], &v);
    }

    (void) consent_record_get_bool(&rec, "gpc");

    n = consent_record_get_count(&rec, "granted");

    for (i = 0; i <= n; i++) {
        s = consent_record_get_item(&rec, "granted", i);
        fuzz_check(i < n ? s != NULL : s == NULL, "items");
    }

    n = consent_record_get_count(&rec, "denied");

    for (i = 0; i < n; i++) {
        (void) consent_record_get_item(&rec, "denied", i);
    }

    consent_record_parsed_free(&rec);
}


/* a time stamp that parses is written back the same */
static void
fuzz_ts(const char *s, size_t len)
{
    char     out[CONSENT_TS_LEN + 1];
    int64_t  ms, again;

    if (consent_ts_parse(s, len, &ms) != 0) {
        return;
    }

    fuzz_check(consent_ts_format(ms, out) == 0, "a parsed time formats");
    fuzz_check(len == CONSENT_TS_LEN && memcmp(out, s, len) == 0,
               "one spelling per time");
    fuzz_check(consent_ts_parse(out, CONSENT_TS_LEN, &again) == 0
               && again == ms, "and parses back");
}


/* 1 if s is valid UTF-8 without control characters */
static int
clean_utf8(const unsigned char *s, size_t len)
{
    size_t    i, n, k;
    uint32_t  cp;

    for (i = 0; i < len; i += n) {
        if (s[i] < 0x20) {
            return 0;
        }

        if (s[i] < 0x80) {
            n = 1;
            continue;
        }

        if (s[i] >= 0xc2 && s[i] <= 0xdf) {
            n = 2;
            cp = s[i] & 0x1f;
        } else if (s[i] >= 0xe0 && s[i] <= 0xef) {
            n = 3;
            cp = s[i] & 0x0f;
        } else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
            n = 4;
            cp = s[i] & 0x07;
        } else {
            return 0;
        }

        if (i + n > len) {
            return 0;
        }

        for (k = 1; k < n; k++) {
            if ((s[i + k] & 0xc0) != 0x80) {
                return 0;
            }

            cp = (cp << 6) | (s[i + k] & 0x3f);
        }

        if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000)
            || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        {
            return 0;
        }
    }

    return 1;
}


static void
problem(void *data, const char *file, uint64_t line, const char *msg)
{
    fprintf(stderr, "fuzz: verifier: %s:%llu: %s\n", file,
            (unsigned long long) line, msg);
    (*(unsigned *) data)++;
}


static void
check_line(consent_verify_t *v, uint64_t lineno, const char *line,
    size_t len)
{
    int                       rc;
    char                      err[256];
    consent_record_parsed_t   rec;

    fuzz_check(len >= 2 && len <= CONSENT_RECORD_MAX, "line length");
    fuzz_check(line[len - 1] == '\n', "ends in a newline");
    fuzz_check(memchr(line, '\n', len - 1) == NULL, "one line");
    fuzz_check(clean_utf8((const unsigned char *) line, len - 1),
               "valid UTF-8, no control character");

    memset(&rec, 0, sizeof(consent_record_parsed_t));

    rc = consent_record_parse(line, len - 1, &rec, err, sizeof(err));

    if (rc != 0) {
        fprintf(stderr, "fuzz: %s\n%.*s", err, (int) len, line);
    }

    fuzz_check(rc == 0, "a written record parses back");
    fuzz_check(consent_record_hmac_ok(line, len - 1, &rec, &keys->keys[0])
               == 1, "its HMAC verifies");
    fuzz_check(consent_record_hmac_ok(line, len - 1, &rec, &keys->keys[1])
               == 0, "not with another key");

    consent_record_parsed_free(&rec);

    fuzz_check(consent_verify_line(v, "fuzz.log", lineno, line, len - 1, 0)
               == 0, "the verifier finds it intact");
}


static void
fuzz_write(unsigned setup, fuzz_in_t *in)
{
    char                  *line;
    size_t                 len;
    unsigned               problems;
    consent_chain_t        chain;
    consent_record_t       rec;
    consent_verify_t      *v;
    consent_checkpoint_t   cp;
    consent_verify_conf_t  vc;

    memset(&rec, 0, sizeof(consent_record_t));

    rec.ts_ms = INT64_C(1735689600123);
    rec.action = "grant";
    rec.mechanism = "save";
    rec.policy = policy;
    rec.granted = policy->required_mask | ((setup >> 1) & 0xf);
    rec.gpc = (setup >> 5) & 1;

    rec.ua.data = fuzz_field(in, '\n', &rec.ua.len);
    rec.page.data = fuzz_field(in, '\n', &rec.page.len);
    rec.host.data = fuzz_field(in, '\n', &rec.host.len);
    rec.lang.data = fuzz_field(in, '\n', &rec.lang.len);
    rec.ip.data = fuzz_field(in, '\n', &rec.ip.len);
    rec.id.data = fuzz_field(in, '\n', &rec.id.len);

    if (rec.id.len != CONSENT_ID_B64_LEN
        || consent_id_parse(rec.id.data, rec.id.len,
                            (unsigned char[CONSENT_ID_LEN]) { 0 }) != 0)
    {
        rec.id.data = id_ok;
        rec.id.len = strlen(id_ok);
    }

    memset(&chain, 0, sizeof(consent_chain_t));
    memcpy(chain.id, "0123456789abcdef0123456789abcdef", 33);

    memset(&vc, 0, sizeof(consent_verify_conf_t));
    problems = 0;
    vc.keys = keys;
    vc.problem = problem;
    vc.data = &problems;

    v = consent_verify_create(&vc);
    fuzz_check(v != NULL, "verifier");

    line = consent_record_line(&rec, &chain, &keys->keys[0], &len);
    fuzz_check(line != NULL, "any visitor's strings make a record");

    check_line(v, 1, line, len);
    consent_chain_advance(&chain, line, len);
    free(line);

    /* the same visitor again, chained to the first */
    line = consent_record_line(&rec, &chain, &keys->keys[0], &len);
    fuzz_check(line != NULL, "a second record");
    check_line(v, 2, line, len);
    consent_chain_advance(&chain, line, len);
    free(line);

    if (setup & 0x40) {
        cp.ts_ms = rec.ts_ms + 1;
        cp.reason = "stop";

        line = consent_checkpoint_line(&cp, &chain, &keys->keys[0], &len);
        fuzz_check(line != NULL, "a checkpoint");
        check_line(v, 3, line, len);
        consent_chain_advance(&chain, line, len);
        free(line);
    }

    consent_verify_finish(v);

    fuzz_check(problems == 0, "no problem in a log we wrote");
    fuzz_check(consent_verify_stats(v)->records == 2, "two records");

    consent_verify_free(v);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char       *s;
    size_t      len;
    unsigned    setup;
    fuzz_in_t   in;

    in.p = data;
    in.left = size;

    setup = fuzz_byte(&in);

    len = in.left;
    s = fuzz_copy(in.p, len);
    in.p = (const uint8_t *) s;

    if ((setup & 0x81) == 0x80) {
        fuzz_ts(s, len);

    } else if ((setup & 1) == 0) {
        fuzz_parse(s, len);

    } else {
        fuzz_write(setup, &in);
    }

    free(s);

    return 0;
}

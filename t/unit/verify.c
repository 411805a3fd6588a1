
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Unit tests of consent_verify.c: a log of two interleaved chains over
 * two files (a reopen between them), intact, then tampered with in each
 * way the verifier must detect, each located at the right file:line.
 */


#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "consent_record.h"
#include "consent_verify.h"


#define KEY_1    "k1 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"
#define KEY_X    "k1 AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=\n"
#define KEY_2    "k2 AgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4fICE=\n"
#define TS0      1795835998123LL
#define MAXLOG   48
#define MAXPROB  32


typedef struct {
    int                 file;           /* 0: f1.log, 1: f2.log */
    size_t              len;            /* without '\n' */
    char                text[CONSENT_RECORD_MAX];
} entry_t;


typedef struct {
    char                file[16];
    uint64_t            line;
    char                msg[512];
} report_t;


typedef struct {
    const char         *file;
    uint64_t            line;
} where_t;


static consent_keyset_t *keys(const char *text);
static char *record_line(consent_chain_t *c, const consent_keyset_t *ks,
    size_t *len);
static void add(consent_chain_t *c, int file, const char *reason);
static void add_line(int file, const char *line, size_t len);
static void reset(void);
static void on_problem(void *data, const char *file, uint64_t line,
    const char *msg);
static void on_info(void *data, const char *file, uint64_t line,
    const char *msg);
static int run(const consent_keyset_t *ks, int partial, int cut);
static void expect(const char *what, size_t n, const where_t *at);
static void del(size_t i);
static void ins(size_t i, const entry_t *e);
static size_t find(const char *needle, size_t from);
static char *locate(char *text, size_t len, const char *needle,
    size_t nlen);
static void test_intact(void);
static void test_changed_byte(void);
static void test_malformed(void);
static void test_deleted(void);
static void test_inserted(void);
static void test_duplicated(void);
static void test_reordered(void);
static void test_moved(void);
static void test_truncated(void);
static void test_start(void);
static void test_hmac(void);
static void test_after_stop(void);
static void test_count(void);
static void test_fork_at_end(void);
static void test_many_chains(void);


static consent_keyset_t  *ks_1, *ks_x, *ks_2;
static consent_policy_t  *policy;

static entry_t            orig[MAXLOG], work[MAXLOG];
static size_t             norig, nwork;
static consent_chain_t    chain_a, chain_b, chain_a_at3;
static entry_t            forged_a3;        /* seq 3 of A, wrong key */

static report_t           probs[MAXPROB], infos[MAXPROB];
static size_t             nprobs, ninfos, npolicy_notes;
static consent_verify_stats_t  stats;

static unsigned           counter;
static const char        *file_names[] = { "f1.log", "f2.log" };


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


static char *
record_line(consent_chain_t *c, const consent_keyset_t *ks, size_t *len)
{
    char              id[CONSENT_ID_B64_LEN + 1], *line;
    unsigned char     raw[CONSENT_ID_LEN];
    consent_record_t  rec;

    memset(raw, 0, sizeof(raw));
    raw[0] = (unsigned char) counter;
    consent_id_format(raw, id);

    memset(&rec, 0, sizeof(consent_record_t));
    rec.ts_ms = TS0 + 1000 * counter++;
    rec.id.data = id;
    rec.id.len = CONSENT_ID_B64_LEN;
    rec.mechanism = counter % 2 ? "accept_all" : "reject_all";
    rec.granted = counter % 2 ? policy->all_mask : policy->required_mask;
    rec.action = consent_record_action(rec.mechanism, 0, rec.granted,
                                       policy->required_mask);
    rec.policy = policy;
    rec.lang.data = "en";
    rec.lang.len = 2;
    rec.ua.data = "Mozilla/5.0";
    rec.ua.len = 11;

    line = consent_record_line(&rec, c, &ks->keys[0], len);
    if (line == NULL) {
        printf("Bail out! consent_record_line() failed\n");
        exit(255);
    }

    return line;
}


/* the next line of chain c: a record, or a checkpoint with reason */

static void
add(consent_chain_t *c, int file, const char *reason)
{
    char                  *line;
    size_t                 len;
    consent_checkpoint_t   cp;

    if (reason) {
        cp.ts_ms = TS0 + 1000 * counter++;
        cp.reason = reason;
        line = consent_checkpoint_line(&cp, c, &ks_1->keys[0], &len);

    } else {
        line = record_line(c, ks_1, &len);
    }

    if (line == NULL) {
        printf("Bail out! cannot build a line\n");
        exit(255);
    }

    add_line(file, line, len - 1);
    consent_chain_advance(c, line, len);
    free(line);
}


static void
add_line(int file, const char *line, size_t len)
{
    orig[norig].file = file;
    orig[norig].len = len;
    memcpy(orig[norig].text, line, len);
    norig++;
}


static void
reset(void)
{
    memcpy(work, orig, sizeof(orig));
    nwork = norig;
}


static void
on_problem(void *data, const char *file, uint64_t line, const char *msg)
{
    if (nprobs < MAXPROB) {
        snprintf(probs[nprobs].file, sizeof(probs[nprobs].file), "%s", file);
        probs[nprobs].line = line;
        snprintf(probs[nprobs].msg, sizeof(probs[nprobs].msg), "%s", msg);
    }

    nprobs++;
}


static void
on_info(void *data, const char *file, uint64_t line, const char *msg)
{
    /*
     * these logs store no policy, as a log written before the module
     * stored them: the note saying so is tested in t/unit/proof.c
     */

    if (strstr(msg, "which the log does not store") != NULL) {
        npolicy_notes++;
        return;
    }

    if (ninfos < MAXPROB) {
        snprintf(infos[ninfos].file, sizeof(infos[ninfos].file), "%s", file);
        infos[ninfos].line = line;
        snprintf(infos[ninfos].msg, sizeof(infos[ninfos].msg), "%s", msg);
    }

    ninfos++;
}


/* feeds work[] as two files; cut: the last line lacks its '\n' */

static int
run(const consent_keyset_t *ks, int partial, int cut)
{
    int                     rc;
    size_t                  i;
    uint64_t                lineno;
    consent_verify_t       *v;
    consent_verify_conf_t   conf;

    memset(&conf, 0, sizeof(conf));
    conf.keys = ks;
    conf.partial = partial;
    conf.problem = on_problem;
    conf.info = on_info;

    nprobs = 0;
    ninfos = 0;

    v = consent_verify_create(&conf);
    if (v == NULL) {
        printf("Bail out! consent_verify_create() failed\n");
        exit(255);
    }

    lineno = 0;
    rc = 0;

    for (i = 0; i < nwork; i++) {
        if (i == 0 || work[i].file != work[i - 1].file) {
            lineno = 0;
        }

        lineno++;

        if (consent_verify_line(v, file_names[work[i].file], lineno,
                                work[i].text, work[i].len,
                                cut && i == nwork - 1)
            < 0)
        {
            rc = -1;
        }
    }

    consent_verify_finish(v);
    stats = *consent_verify_stats(v);
    consent_verify_free(v);

    return rc;
}


static void
expect(const char *what, size_t n, const where_t *at)
{
    size_t  i, j;
    int     found;

    is_int(nprobs, n, "%s: %zu problem(s)", what, n);

    for (i = 0; i < nprobs && i < MAXPROB; i++) {
        printf("#   %s:%llu: %s\n", probs[i].file,
               (unsigned long long) probs[i].line, probs[i].msg);
    }

    for (j = 0; j < n; j++) {
        found = 0;

        for (i = 0; i < nprobs && i < MAXPROB; i++) {
            if (strcmp(probs[i].file, at[j].file) == 0
                && probs[i].line == at[j].line)
            {
                found = 1;
            }
        }

        ok(found, "%s: reported at %s:%llu", what, at[j].file,
           (unsigned long long) at[j].line);
    }

    is_int(stats.problems, nprobs, "%s: counted", what);
}


static void
del(size_t i)
{
    memmove(&work[i], &work[i + 1], (nwork - i - 1) * sizeof(entry_t));
    nwork--;
}


static void
ins(size_t i, const entry_t *e)
{
    entry_t  copy;

    copy = *e;
    memmove(&work[i + 1], &work[i], (nwork - i) * sizeof(entry_t));
    work[i] = copy;
    nwork++;
}


/* memmem() is not in C99 */

static char *
locate(char *text, size_t len, const char *needle, size_t nlen)
{
    size_t  i;

    for (i = 0; i + nlen <= len; i++) {
        if (memcmp(text + i, needle, nlen) == 0) {
            return text + i;
        }
    }

    printf("Bail out! %.*s not found\n", (int) nlen, needle);
    exit(255);
}


/* the index of the first work line from "from" containing needle */

static size_t
find(const char *needle, size_t from)
{
    size_t  i;

    for (i = from; i < nwork; i++) {
        if (strstr(work[i].text, needle)) {
            return i;
        }
    }

    printf("Bail out! %s not found\n", needle);
    exit(255);
}


/*
 * The log:
 *
 *   f1.log  1 A1   2 B1   3 A2   4 B2   5 A3   6 A4   7 B3
 *           8 A5 reopen   9 B4 reopen
 *   f2.log  1 A6   2 B5   3 A7   4 B6   5 A8   6 A9 stop   7 B7
 */

static void
test_intact(void)
{
    entry_t  e;

    reset();
    is_int(nwork, 16, "16 lines");

    is_int(run(NULL, 0, 0), 0, "runs");
    expect("intact, no keys", 0, NULL);
    is_int(stats.lines, 16, "16 lines");
    is_int(stats.records, 13, "13 records");
    is_int(stats.checkpoints, 3, "3 checkpoints");
    is_int(stats.chains, 2, "2 chains");
    is_int(stats.hmacs, 0, "no HMAC checked");
    is_int(stats.ts_first, TS0, "first ts");
    is_int(stats.ts_last, TS0 + 16000, "last ts (one more made for A3')");
    is_int(stats.open_chains, 1, "one chain without a final checkpoint");
    is_int(ninfos, 1, "one info");
    is_str(infos[0].file, "f2.log", "info: %s", infos[0].msg);
    is_int(infos[0].line, 7, "info at B's last record");

    run(ks_1, 0, 0);
    expect("intact, with keys", 0, NULL);
    is_int(stats.hmacs, 16, "16 HMACs checked");

    /* lines of different chains may swap: workers write independently */

    reset();
    e = work[3];
    del(3);
    ins(4, &e);
    run(ks_1, 0, 0);
    expect("B2 after A3: another interleaving, intact", 0, NULL);
}


static void
test_changed_byte(void)
{
    size_t          i;
    static const where_t  at[] = { { "f1.log", 5 } };
    static const where_t  at_keys[] = { { "f1.log", 3 }, { "f1.log", 5 } };
    static const where_t  at_reopen[] = { { "f2.log", 1 } };

    reset();
    i = 2;                                          /* A2 */
    *(char *) locate(work[i].text, work[i].len, "Mozilla", 7) = 'm';

    run(NULL, 0, 0);
    expect("changed byte, no keys", 1, at);
    ok(nprobs && strstr(probs[0].msg, "line 3"),
       "the message names the changed line");

    run(ks_1, 0, 0);
    expect("changed byte, keys", 2, at_keys);

    /* the reopen checkpoint, seen from the next file */

    reset();
    i = 7;

    /* another hex digit in its HMAC: still well-formed, no longer true */
    work[i].text[work[i].len - 10] =
        work[i].text[work[i].len - 10] == '0' ? '1' : '0';

    run(NULL, 0, 0);
    expect("changed checkpoint", 1, at_reopen);
    ok(nprobs && strstr(probs[0].msg, "f1.log:8"),
       "names the line in the other file: %s", nprobs ? probs[0].msg : "");
}


static void
test_malformed(void)
{
    entry_t               blank;
    static const where_t  at[] = { { "f1.log", 4 }, { "f1.log", 7 } };
    static const where_t  at_blank[] = { { "f1.log", 4 } };

    reset();
    strcpy(work[3].text, "garbage");
    work[3].len = 7;

    run(NULL, 0, 0);
    expect("malformed line", 2, at);

    reset();
    memset(&blank, 0, sizeof(entry_t));
    ins(3, &blank);

    run(NULL, 0, 0);
    expect("blank line", 1, at_blank);
}


static void
test_deleted(void)
{
    static const where_t  at[] = { { "f1.log", 4 } };
    static const where_t  at_cp[] = { { "f2.log", 1 } };

    reset();
    del(2);                                         /* A2 */

    run(ks_1, 0, 0);
    expect("deleted record", 1, at);
    ok(nprobs && strstr(probs[0].msg, "1 line(s) missing"),
       "says how many");

    /* the reopen checkpoint */

    reset();
    del(7);

    run(ks_1, 0, 0);
    expect("deleted checkpoint", 1, at_cp);
}


static void
test_inserted(void)
{
    size_t                i;
    entry_t               copy;
    static const where_t  at[] = { { "f1.log", 5 } };
    static const where_t  at_keys[] = { { "f1.log", 5 }, { "f1.log", 5 } };
    static const where_t  at_back[] = { { "f1.log", 8 } };

    /* a forged A3 with the right seq and prev, before the real one */

    reset();
    i = find(chain_a_at3.id, 3);                    /* the real A3 */
    ins(i, &forged_a3);

    run(NULL, 0, 0);
    expect("inserted record, no keys", 1, at);

    run(ks_1, 0, 0);
    expect("inserted record, keys", 2, at_keys);

    /* after the real one: the next record tells */

    reset();
    ins(i + 1, &forged_a3);

    run(NULL, 0, 0);
    {
        static const where_t  at2[] = { { "f1.log", 6 } };

        expect("inserted after the real one", 1, at2);
    }

    /* an altered copy of A2 inserted later: seq goes back */

    reset();
    copy = work[2];
    *(char *) locate(copy.text, copy.len, "Mozilla", 7) = 'm';
    ins(7, &copy);

    run(NULL, 0, 0);
    expect("inserted old seq", 1, at_back);
}


static void
test_duplicated(void)
{
    size_t                i;
    static const where_t  at[] = { { "f1.log", 4 } };
    static const where_t  at_far[] = { { "f1.log", 8 } };
    static const where_t  at_file[] = { { "f2.log", 1 } };

    reset();
    ins(3, &work[2]);                               /* A2 twice */

    run(ks_1, 0, 0);
    expect("duplicated record", 1, at);
    ok(nprobs && strstr(probs[0].msg, "duplicate"), "says duplicate");

    reset();
    ins(7, &work[0]);                               /* A1 again, later */

    run(ks_1, 0, 0);
    expect("duplicated far", 1, at_far);

    /* a whole file given twice: f1 again as f2 */

    reset();
    memcpy(work + 9, orig, 9 * sizeof(entry_t));

    for (i = 9; i < 18; i++) {
        work[i].file = 1;
    }

    nwork = 18;

    run(ks_1, 0, 0);
    is_int(nprobs, 9, "f1 read twice: every line of the copy");
    ok(nprobs >= 1 && strcmp(probs[0].file, at_file[0].file) == 0
       && probs[0].line == at_file[0].line, "from f2.log:1");
}


static void
test_reordered(void)
{
    entry_t               e;
    static const where_t  at[] = { { "f1.log", 5 }, { "f1.log", 6 } };

    reset();
    e = work[4];                                    /* A3 */
    work[4] = work[5];                              /* A4 */
    work[5] = e;

    run(ks_1, 0, 0);
    expect("swapped A3 and A4", 2, at);

    /* files in the wrong order */

    reset();
    memcpy(work, orig + 9, 7 * sizeof(entry_t));
    memcpy(work + 7, orig, 9 * sizeof(entry_t));

    run(ks_1, 0, 0);
    ok(nprobs >= 2 && strcmp(probs[0].file, "f2.log") == 0
       && probs[0].line == 1, "files out of order: %zu problems, first at "
       "f2.log:1", nprobs);
}


static void
test_moved(void)
{
    char                   *line;
    size_t                  len;
    entry_t                 e;
    consent_chain_t         c;
    static const where_t    at[] = { { "f1.log", 4 } };
    static const where_t    at_b[] = { { "f1.log", 6 }, { "f1.log", 7 } };
    static const where_t    at_id[] = { { "f1.log", 5 }, { "f1.log", 5 },
                                        { "f1.log", 6 } };

    /* seq 2 of an unrelated chain (another log, another server) */

    if (consent_chain_init(&c) != 0) {
        return;
    }

    line = record_line(&c, ks_1, &len);
    consent_chain_advance(&c, line, len);
    free(line);
    line = record_line(&c, ks_1, &len);

    reset();
    e.file = 0;
    e.len = len - 1;
    memcpy(e.text, line, len - 1);
    free(line);
    ins(3, &e);

    run(ks_1, 0, 0);
    expect("record from another log", 1, at);
    ok(nprobs && strstr(probs[0].msg, "not 1"), "starts at seq 2");

    /* B2 moved after B3 within the file */

    reset();
    e = work[3];
    del(3);
    ins(6, &e);

    run(ks_1, 0, 0);
    expect("B2 moved after B3", 2, at_b);

    /* A3 relabelled as B's (its chain id changed) */

    reset();
    memcpy(locate(work[4].text, work[4].len, chain_a.id,
                  CONSENT_CHAIN_ID_LEN),
           chain_b.id, CONSENT_CHAIN_ID_LEN);

    run(ks_1, 0, 0);
    expect("chain id changed", 3, at_id);
}


static void
test_truncated(void)
{
    static const where_t  at[] = { { "f2.log", 7 } };

    reset();
    work[nwork - 1].len /= 2;

    run(ks_1, 0, 1);
    expect("truncated last line", 1, at);
    ok(nprobs && strstr(probs[0].msg, "incomplete"), "incomplete");

    /* complete but without its newline */

    reset();
    run(ks_1, 0, 1);
    expect("no newline", 1, at);

    /* the whole last line gone: only the info of an open chain */

    reset();
    nwork--;
    run(ks_1, 0, 0);
    expect("last record deleted", 0, NULL);
    is_int(ninfos, 1, "the chain ends at B6: info");
}


static void
test_start(void)
{
    static const where_t  at[] = { { "f2.log", 1 }, { "f2.log", 2 } };

    reset();
    memmove(work, work + 9, 7 * sizeof(entry_t));
    nwork = 7;

    run(ks_1, 0, 0);
    expect("f1 missing", 2, at);

    run(ks_1, 1, 0);
    expect("f1 missing, partial", 0, NULL);
    is_int(stats.chains, 2, "2 chains");

    /* the first record of A deleted */

    reset();
    del(0);
    run(NULL, 0, 0);
    {
        static const where_t  at1[] = { { "f1.log", 2 } };

        expect("A1 deleted", 1, at1);
    }
}


static void
test_hmac(void)
{
    size_t                i;
    static where_t        all[16];
    static const where_t  at_x[] = { { "f1.log", 5 }, { "f1.log", 6 } };

    for (i = 0; i < 9; i++) {
        all[i].file = "f1.log";
        all[i].line = i + 1;
    }

    for (i = 9; i < 16; i++) {
        all[i].file = "f2.log";
        all[i].line = i - 8;
    }

    reset();
    run(ks_x, 0, 0);
    expect("wrong key", 16, all);
    ok(nprobs && strstr(probs[0].msg, "HMAC"), "HMAC");

    run(ks_2, 0, 0);
    expect("unknown kid", 16, all);
    ok(nprobs && strstr(probs[0].msg, "unknown key id"), "unknown kid");

    /* a line re-signed with another key, chain intact */

    reset();
    work[4] = forged_a3;
    run(NULL, 0, 0);
    expect("forged A3 instead of A3, no keys", 1, at_x + 1);
    run(ks_1, 0, 0);
    expect("forged A3 instead of A3, keys", 2, at_x);
}


static void
test_after_stop(void)
{
    char                  *line;
    size_t                 len;
    consent_chain_t        c;
    static const where_t   at[] = { { "f2.log", 8 } };

    c = chain_a;                                    /* after A9 stop */
    line = record_line(&c, ks_1, &len);

    reset();
    work[nwork].file = 1;
    work[nwork].len = len - 1;
    memcpy(work[nwork].text, line, len - 1);
    nwork++;
    free(line);

    run(ks_1, 0, 0);
    expect("record after stop", 1, at);
    ok(nprobs && strstr(probs[0].msg, "stop"), "says stop");
}


static void
test_count(void)
{
    char                  *line;
    size_t                 len;
    consent_chain_t        c;
    consent_checkpoint_t   cp;
    static const where_t   at[] = { { "f2.log", 8 } };

    c = chain_b;
    c.records--;
    cp.ts_ms = TS0 + 99000;
    cp.reason = "stop";
    line = consent_checkpoint_line(&cp, &c, &ks_1->keys[0], &len);

    if (!ok(line != NULL, "checkpoint")) {
        return;
    }

    reset();
    work[nwork].file = 1;
    work[nwork].len = len - 1;
    memcpy(work[nwork].text, line, len - 1);
    nwork++;
    free(line);

    run(ks_1, 0, 0);
    expect("checkpoint count off", 1, at);
    is_int(stats.open_chains, 0, "every chain closed");
}


static void
test_fork_at_end(void)
{
    char                  *line;
    size_t                 len;
    consent_chain_t        c;
    static const where_t   at[] = { { "f2.log", 8 } };

    /* a sibling of B7, signed with another key, at the very end */

    c = chain_b;
    c.seq--;
    consent_record_hash(orig[12].text, orig[12].len, c.head);   /* B6 */
    line = record_line(&c, ks_x, &len);

    reset();
    work[nwork].file = 1;
    work[nwork].len = len - 1;
    memcpy(work[nwork].text, line, len - 1);
    nwork++;
    free(line);

    run(NULL, 0, 0);
    expect("sibling at the end", 1, at);
    ok(nprobs && strstr(probs[0].msg, "line 7"), "names the other: %s",
       nprobs ? probs[0].msg : "");
    ok(nprobs && strstr(probs[0].msg, ", both after the same record and "
                        "nothing follows: one of them was inserted or "
                        "altered") != NULL,
       "says that nothing follows the two");
}


static void
test_many_chains(void)
{
    char                   *line;
    size_t                  i, len;
    consent_chain_t         c;
    consent_verify_t       *v;
    consent_verify_conf_t   conf;

    memset(&conf, 0, sizeof(conf));
    conf.problem = on_problem;
    nprobs = 0;

    v = consent_verify_create(&conf);
    if (v == NULL) {
        return;
    }

    for (i = 0; i < 1000; i++) {
        if (consent_chain_init(&c) != 0) {
            break;
        }

        line = record_line(&c, ks_1, &len);
        consent_verify_line(v, "many.log", i + 1, line, len - 1, 0);
        free(line);
    }

    consent_verify_finish(v);
    is_int(consent_verify_stats(v)->chains, 1000, "1000 chains");
    is_int(consent_verify_stats(v)->open_chains, 1000, "all open");
    is_int(nprobs, 0, "no problem");

    is_int(consent_verify_line(v, "many.log", 1001, NULL, 5, 0), 1,
           "NULL line: a problem, no crash");
    is_int(consent_verify_line(v, "many.log", 1002, "\0\xff{}", 4, 1), 1,
           "binary: a problem");
    consent_verify_finish(v);

    consent_verify_free(v);
}


int
main(void)
{
    char     err[256], *line;
    size_t   len;

    ks_1 = keys(KEY_1);
    ks_x = keys(KEY_X);
    ks_2 = keys(KEY_2);

    policy = consent_policy_load("conf/policy.json", err, sizeof(err));
    if (policy == NULL) {
        printf("Bail out! conf/policy.json: %s\n", err);
        return 255;
    }

    if (consent_chain_init(&chain_a) != 0
        || consent_chain_init(&chain_b) != 0)
    {
        printf("Bail out! consent_chain_init() failed\n");
        return 255;
    }

    add(&chain_a, 0, NULL);
    add(&chain_b, 0, NULL);
    add(&chain_a, 0, NULL);
    add(&chain_b, 0, NULL);

    /* the state before A3, to forge a sibling of A3 */
    chain_a_at3 = chain_a;
    line = record_line(&chain_a_at3, ks_x, &len);
    forged_a3.file = 0;
    forged_a3.len = len - 1;
    memcpy(forged_a3.text, line, len - 1);
    free(line);

    add(&chain_a, 0, NULL);
    add(&chain_a, 0, NULL);
    add(&chain_b, 0, NULL);
    add(&chain_a, 0, "reopen");
    add(&chain_b, 0, "reopen");
    add(&chain_a, 1, NULL);
    add(&chain_b, 1, NULL);
    add(&chain_a, 1, NULL);
    add(&chain_b, 1, NULL);
    add(&chain_a, 1, NULL);
    add(&chain_a, 1, "stop");
    add(&chain_b, 1, NULL);

    test_intact();
    test_changed_byte();
    test_malformed();
    test_deleted();
    test_inserted();
    test_duplicated();
    test_reordered();
    test_moved();
    test_truncated();
    test_start();
    test_hmac();
    test_after_stop();
    test_count();
    test_fork_at_end();
    test_many_chains();

    consent_policy_free(policy);
    consent_keyset_free(ks_1);
    consent_keyset_free(ks_x);
    consent_keyset_free(ks_2);

    return done_testing();
}

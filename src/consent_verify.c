
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * What the verifier decides, and why.
 *
 * Every worker process writes its own chain into each destination, so
 * the chains of a file interleave, but within a chain the order of the
 * files given (oldest first) and of their lines is the chain's order;
 * lines of different chains may come in any order relative to each
 * other (workers write independently), so that order is not checked.
 * For each chain the verifier keeps its head: the seq and SHA-256 of its
 * last line, the prev of that line, and where it was read.  A line then
 * either continues its chain (seq + 1, prev = head) or it does not, and
 * the problem is reported where it is first visible:
 *
 *   - a line that is not a record (bad JSON, a missing or malformed
 *     field, the HMAC member not last): at the line; the next record of
 *     its chain then does not link either, and says so;
 *   - a changed byte in a well-formed line: the next record of its chain
 *     does not link to it (reported there, naming the changed line), and
 *     with keys the changed line's HMAC fails;
 *   - a seq gap (deleted records, or a record moved later): at the first
 *     record after the gap;
 *   - a seq going back (a record moved earlier, a duplicate further back,
 *     a record moved from elsewhere in the chain): at that record, and
 *     the chain goes on from its head, so the records after it that do
 *     link are not reported again;
 *   - a record with the right seq that does not link (inserted with a
 *     made-up prev, or moved in from another chain by changing its chain
 *     id): at that record; if the next line of the chain links to the
 *     line before it instead, the chain goes on from there unreported;
 *   - the exact copy of the head: a duplicate, at the copy;
 *   - two lines with the same seq and the same prev (a record inserted
 *     with a forged but consistent seq and prev, which anyone can compute
 *     without the key): the next record of the chain tells which one the
 *     chain goes through, and the other is reported; if none comes, the
 *     pair is reported at the end;
 *   - a chain first seen at a seq other than 1: its start is missing,
 *     unless the log is declared partial (older rotations deleted);
 *   - a record after the "stop" checkpoint of its chain: a worker writes
 *     nothing after it;
 *   - a checkpoint whose "records" disagrees with the consent records
 *     counted since the chain's start (or since its previous checkpoint,
 *     when the start is not known or after a gap already reported);
 *   - a last line without '\n': a truncated write;
 *   - with keys, every HMAC, and unknown key ids.
 *
 * After a problem the chain goes on from the record just read (or, for
 * a seq going back, from its head), so one edit gives one or two
 * reports, not one per following record; only a record moved back over
 * k records of its chain gives k reports, each naming its line.
 *
 * Limits: without keys, someone who rewrites a chain from a point to its
 * end with recomputed hashes, or adds a whole made-up chain, is not
 * detected; with keys, someone who
 * holds the key is not either; and a cut tail is only visible through
 * the checkpoints kept elsewhere (syslog).  At the end a chain whose
 * last line is a consent record is reported as information: the worker
 * may still be running, or the end of the log was cut.
 */


#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consent_proof.h"
#include "consent_verify.h"


#define CONSENT_VERIFY_MSG_MAX   512
#define CONSENT_VERIFY_ERR_MAX   200
#define CONSENT_VERIFY_SHORT_ID  8          /* chain ids in messages */


typedef struct {
    uint32_t            file;               /* index into files */
    uint64_t            line;
} consent_verify_pos_t;


typedef enum {
    CONSENT_KIND_CONSENT = 0,
    CONSENT_KIND_CHECKPOINT,
    CONSENT_KIND_STOP,                      /* a "stop" checkpoint */
    CONSENT_KIND_POLICY                     /* a part of a policy */
} consent_verify_kind_e;


typedef struct {
    char                    id[CONSENT_CHAIN_ID_LEN + 1];
    uint64_t                seq;            /* of the head */
    uint64_t                records;        /* counted since count_seq */
    int64_t                 base;           /* records before; -1: unknown */
    unsigned char           head[32];       /* hash of the head line */
    unsigned char           parent[32];     /* the head's prev */
    unsigned char           alt[32];        /* a sibling of the head */
    unsigned char           before[32];     /* see has_before */
    consent_verify_pos_t    head_pos;
    consent_verify_pos_t    alt_pos;
    consent_verify_kind_e   head_kind;
    consent_verify_kind_e   alt_kind;
    unsigned                has_alt:1;
    unsigned                has_before:1;   /* the head did not link to */
} consent_verify_chain_t;


struct consent_verify_s {
    consent_verify_conf_t    conf;
    consent_verify_stats_t   stats;

    char                   **files;
    uint32_t                 nfiles;
    uint32_t                 nalloc_files;

    consent_verify_chain_t  *chains;        /* in order of appearance */
    size_t                   nchains;
    size_t                   nalloc_chains;
    size_t                  *table;         /* index + 1; 0: empty */
    size_t                   table_size;    /* a power of 2 */

    consent_proof_t         *proof;         /* the policies */

    consent_verify_pos_t     pos;           /* of the current line */
    unsigned                 line_problem:1;
    unsigned                 finished:1;
};


static int consent_verify_file(consent_verify_t *v, const char *file);
static void consent_verify_record(consent_verify_t *v,
    const consent_record_parsed_t *rec, const unsigned char hash[32]);
static void consent_verify_new_chain(consent_verify_t *v,
    consent_verify_chain_t *c, const consent_record_parsed_t *rec,
    const unsigned char hash[32]);
static void consent_verify_accept(consent_verify_t *v,
    consent_verify_chain_t *c, const consent_record_parsed_t *rec,
    const unsigned char hash[32]);
static void consent_verify_fork(consent_verify_t *v,
    consent_verify_chain_t *c, const char *tail);
static void consent_verify_fork_lost(consent_verify_t *v,
    consent_verify_chain_t *c, int head_lost);
static void consent_verify_hmac(consent_verify_t *v, const char *line,
    size_t len, const consent_record_parsed_t *rec);
static void consent_verify_policy(consent_verify_t *v,
    const consent_record_parsed_t *rec);
static void consent_verify_policies_end(consent_verify_t *v);
static consent_verify_kind_e consent_verify_kind(
    const consent_record_parsed_t *rec);
static consent_verify_chain_t *consent_verify_find(consent_verify_t *v,
    const char *id, int *created);
static int consent_verify_grow(consent_verify_t *v);
static size_t consent_verify_hash_id(const char *id);
static const char *consent_verify_where(consent_verify_t *v,
    consent_verify_pos_t at, consent_verify_pos_t pos, char *buf,
    size_t size);
static void consent_verify_problem(consent_verify_t *v,
    consent_verify_pos_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void consent_verify_info(consent_verify_t *v,
    consent_verify_pos_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void consent_verify_report(consent_verify_t *v,
    consent_verify_report_pt report, consent_verify_pos_t pos,
    const char *fmt, va_list args);


static const unsigned char  consent_zero_hash[32];


consent_verify_t *
consent_verify_create(const consent_verify_conf_t *conf)
{
    consent_verify_t  *v;

    v = calloc(1, sizeof(consent_verify_t));
    if (v == NULL) {
        return NULL;
    }

    v->conf = *conf;
    v->stats.ts_first = -1;
    v->stats.ts_last = -1;

    v->table_size = 64;
    v->table = calloc(v->table_size, sizeof(size_t));

    v->proof = consent_proof_create(conf->keep_policies);

    if (v->table == NULL || v->proof == NULL) {
        consent_proof_free(v->proof);
        free(v->table);
        free(v);
        return NULL;
    }

    return v;
}


int
consent_verify_line(consent_verify_t *v, const char *file, uint64_t lineno,
    const char *line, size_t len, int no_newline)
{
    char                     err[CONSENT_VERIFY_ERR_MAX];
    unsigned char            hash[32];
    consent_record_parsed_t  rec;

    v->line_problem = 0;
    v->stats.lines++;

    if (consent_verify_file(v, file) != 0) {
        v->pos.line = lineno;
        consent_verify_problem(v, v->pos, "out of memory");
        return -1;
    }

    v->pos.line = lineno;

    if (line == NULL) {
        len = 0;
    }

    if (consent_record_parse(line, len, &rec, err, sizeof(err)) != 0) {

        if (no_newline) {
            consent_verify_problem(v, v->pos, "incomplete last line (no "
                                   "newline, %s): a truncated write", err);

        } else {
            consent_verify_problem(v, v->pos, "not a record: %s", err);
        }

        return 1;
    }

    if (no_newline) {
        consent_verify_problem(v, v->pos, "the last line has no newline: "
                               "a truncated write");
    }

    if (strcmp(rec.type, "consent") == 0) {
        v->stats.records++;

    } else if (strcmp(rec.type, "policy") == 0) {
        v->stats.policy_records++;

    } else {
        v->stats.checkpoints++;
    }

    if (v->stats.ts_first < 0 || rec.ts_ms < v->stats.ts_first) {
        v->stats.ts_first = rec.ts_ms;
    }

    if (rec.ts_ms > v->stats.ts_last) {
        v->stats.ts_last = rec.ts_ms;
    }

    if (v->conf.keys) {
        consent_verify_hmac(v, line, len, &rec);
    }

    consent_record_hash(line, len, hash);
    consent_verify_record(v, &rec, hash);

    consent_verify_policy(v, &rec);

    consent_record_parsed_free(&rec);

    return v->line_problem ? 1 : 0;
}


void
consent_verify_finish(consent_verify_t *v)
{
    size_t                   i;
    consent_verify_chain_t  *c;

    if (v->finished) {
        return;
    }

    v->finished = 1;

    consent_verify_policies_end(v);

    for (i = 0; i < v->nchains; i++) {
        c = &v->chains[i];

        if (c->has_alt) {
            consent_verify_fork(v, c, " and nothing follows");
        }

        if (c->head_kind == CONSENT_KIND_CONSENT
            || c->head_kind == CONSENT_KIND_POLICY)
        {
            v->stats.open_chains++;

            consent_verify_info(v, c->head_pos, "chain %.*s ends at seq %"
                                PRIu64 " without a checkpoint: nginx may "
                                "still be running, or the end of the log "
                                "was cut", CONSENT_VERIFY_SHORT_ID, c->id,
                                c->seq);
        }
    }
}


const consent_verify_stats_t *
consent_verify_stats(const consent_verify_t *v)
{
    return &v->stats;
}


const struct consent_proof_s *
consent_verify_policies(const consent_verify_t *v)
{
    return v->proof;
}


/*
 * The stored policies must hash to the policy_sha256 they claim; a
 * consent record whose policy the log does not store is a note at the
 * end (a log written before the module stored them).
 */

static void
consent_verify_policy(consent_verify_t *v, const consent_record_parsed_t *rec)
{
    int          rc;
    char         msg[CONSENT_PROOF_MSG_MAX];
    int64_t      revision;
    const char  *sha;

    if (strcmp(rec->type, "policy") == 0) {
        rc = consent_proof_part(v->proof, rec, v->conf.partial, msg,
                                sizeof(msg));

    } else if (strcmp(rec->type, "consent") == 0) {
        sha = consent_record_get_str(rec, "policy_sha256", NULL);

        if (sha == NULL
            || consent_record_get_int(rec, "revision", &revision) != 0)
        {
            return;
        }

        rc = consent_proof_use(v->proof, sha, revision, rec->ts_ms, msg,
                               sizeof(msg));

    } else {
        return;
    }

    if (rc == -1) {
        consent_verify_problem(v, v->pos, "out of memory");

    } else if (rc == 1) {
        consent_verify_problem(v, v->pos, "%s", msg);

    } else if (rc == 2) {
        consent_verify_info(v, v->pos, "%s", msg);
    }
}


void
consent_verify_free(consent_verify_t *v)
{
    uint32_t  i;

    if (v == NULL) {
        return;
    }

    for (i = 0; i < v->nfiles; i++) {
        free(v->files[i]);
    }

    free(v->files);
    consent_proof_free(v->proof);
    free(v->chains);
    free(v->table);
    free(v);
}


/* positions name files by index: a file name is copied once */

static int
consent_verify_file(consent_verify_t *v, const char *file)
{
    char     *copy, **files;
    uint32_t  n;

    if (file == NULL) {
        file = "-";
    }

    if (v->nfiles && strcmp(v->files[v->nfiles - 1], file) == 0) {
        return 0;
    }

    if (v->nfiles == v->nalloc_files) {
        n = v->nalloc_files ? 2 * v->nalloc_files : 8;

        files = realloc(v->files, n * sizeof(char *));
        if (files == NULL) {
            return -1;
        }

        v->files = files;
        v->nalloc_files = n;
    }

    copy = strdup(file);
    if (copy == NULL) {
        return -1;
    }

    v->files[v->nfiles] = copy;
    v->pos.file = v->nfiles++;

    return 0;
}


static void
consent_verify_record(consent_verify_t *v,
    const consent_record_parsed_t *rec, const unsigned char hash[32])
{
    int                      created, broken;
    char                     where[CONSENT_VERIFY_MSG_MAX / 2];
    const char              *id;
    unsigned char            before[32];
    consent_verify_chain_t  *c;

    broken = 0;

    c = consent_verify_find(v, rec->chain, &created);
    if (c == NULL) {
        consent_verify_problem(v, v->pos, "out of memory");
        return;
    }

    if (created) {
        consent_verify_new_chain(v, c, rec, hash);
        return;
    }

    id = c->id;

    /* the exact copy of the head, or of its sibling */

    if (rec->seq == c->seq
        && (memcmp(hash, c->head, 32) == 0
            || (c->has_alt && memcmp(hash, c->alt, 32) == 0)))
    {
        consent_verify_problem(v, v->pos, "chain %.*s: duplicate of seq %"
                               PRIu64 " at %s", CONSENT_VERIFY_SHORT_ID, id,
                               rec->seq,
                               consent_verify_where(v, v->pos,
                                   memcmp(hash, c->head, 32) == 0
                                   ? c->head_pos : c->alt_pos,
                                   where, sizeof(where)));
        return;
    }

    if (rec->seq == c->seq + 1) {

        if (memcmp(rec->prev, c->head, 32) == 0) {
            if (c->has_alt) {
                consent_verify_fork_lost(v, c, 0);
            }

        } else if (c->has_alt && memcmp(rec->prev, c->alt, 32) == 0) {
            consent_verify_fork_lost(v, c, 1);

        } else {
            if (c->has_alt) {
                consent_verify_fork_lost(v, c, -1);
            }

            consent_verify_problem(v, v->pos, "chain %.*s: seq %" PRIu64
                                   " does not link to seq %" PRIu64
                                   " at %s: that line was altered, or this "
                                   "one was inserted or moved",
                                   CONSENT_VERIFY_SHORT_ID, id, rec->seq,
                                   c->seq,
                                   consent_verify_where(v, v->pos,
                                                        c->head_pos, where,
                                                        sizeof(where)));
            c->base = -1;
            broken = 1;
            memcpy(before, c->head, 32);
        }

        if (c->head_kind == CONSENT_KIND_STOP) {
            consent_verify_problem(v, v->pos, "chain %.*s: seq %" PRIu64
                                   " after the chain's stop checkpoint at "
                                   "%s", CONSENT_VERIFY_SHORT_ID, id,
                                   rec->seq,
                                   consent_verify_where(v, v->pos,
                                                        c->head_pos, where,
                                                        sizeof(where)));
        }

        consent_verify_accept(v, c, rec, hash);

        if (broken) {
            memcpy(c->before, before, 32);
            c->has_before = 1;
        }

        return;
    }

    if (rec->seq > c->seq + 1) {
        if (c->has_alt) {
            consent_verify_fork_lost(v, c, -1);
        }

        consent_verify_problem(v, v->pos, "chain %.*s: seq %" PRIu64
                               " follows seq %" PRIu64 " at %s: %" PRIu64
                               " line(s) missing (deleted, or out of order)",
                               CONSENT_VERIFY_SHORT_ID, id, rec->seq, c->seq,
                               consent_verify_where(v, v->pos, c->head_pos,
                                                    where, sizeof(where)),
                               rec->seq - c->seq - 1);

        c->base = -1;
        consent_verify_accept(v, c, rec, hash);
        return;
    }

    /*
     * The head did not link to the line before it, and this one does:
     * the head was the stray line (already reported), the chain goes on
     * from this one.
     */

    if (rec->seq == c->seq && c->has_before
        && memcmp(rec->prev, c->before, 32) == 0)
    {
        if (c->head_kind == CONSENT_KIND_CONSENT && c->records) {
            c->records--;
        }

        consent_verify_accept(v, c, rec, hash);
        return;
    }

    /* a sibling of the head: which is genuine shows at the next record */

    if (rec->seq == c->seq && !c->has_alt
        && memcmp(rec->prev, c->parent, 32) == 0)
    {
        memcpy(c->alt, hash, 32);
        c->alt_pos = v->pos;
        c->alt_kind = consent_verify_kind(rec);
        c->has_alt = 1;
        return;
    }

    consent_verify_problem(v, v->pos, "chain %.*s: seq %" PRIu64 " after "
                           "seq %" PRIu64 " at %s: out of order, duplicated "
                           "or inserted", CONSENT_VERIFY_SHORT_ID, id,
                           rec->seq, c->seq,
                           consent_verify_where(v, v->pos, c->head_pos,
                                                where, sizeof(where)));
}


static void
consent_verify_new_chain(consent_verify_t *v, consent_verify_chain_t *c,
    const consent_record_parsed_t *rec, const unsigned char hash[32])
{
    v->stats.chains++;

    if (rec->seq == 1) {
        c->base = 0;

        if (memcmp(rec->prev, consent_zero_hash, 32) != 0) {
            consent_verify_problem(v, v->pos, "chain %.*s: seq 1 links to "
                                   "a previous line", CONSENT_VERIFY_SHORT_ID,
                                   c->id);
        }

    } else {
        c->base = -1;

        if (!v->conf.partial) {
            consent_verify_problem(v, v->pos, "chain %.*s starts at seq %"
                                   PRIu64 ", not 1: its first lines are "
                                   "missing (an older file not given, or "
                                   "deleted records)",
                                   CONSENT_VERIFY_SHORT_ID, c->id, rec->seq);
        }
    }

    consent_verify_accept(v, c, rec, hash);
}


/* rec becomes the head of c */

static void
consent_verify_accept(consent_verify_t *v, consent_verify_chain_t *c,
    const consent_record_parsed_t *rec, const unsigned char hash[32])
{
    c->seq = rec->seq;
    memcpy(c->head, hash, 32);
    memcpy(c->parent, rec->prev, 32);
    c->head_pos = v->pos;
    c->head_kind = consent_verify_kind(rec);
    c->has_alt = 0;
    c->has_before = 0;

    if (c->head_kind == CONSENT_KIND_CONSENT) {
        c->records++;
        return;
    }

    if (c->head_kind == CONSENT_KIND_POLICY) {
        return;
    }

    /* a checkpoint: its count must agree with the records counted */

    if (c->base < 0) {
        c->base = (int64_t) rec->records;
        c->records = 0;
        return;
    }

    if ((uint64_t) c->base + c->records != rec->records) {
        consent_verify_problem(v, v->pos, "chain %.*s: the checkpoint "
                               "counts %" PRIu64 " records, the log has %"
                               PRIu64, CONSENT_VERIFY_SHORT_ID, c->id,
                               rec->records,
                               (uint64_t) c->base + c->records);

        c->base = (int64_t) rec->records;
        c->records = 0;
    }
}


/*
 * Two lines had the same seq and prev, and no record told which one
 * the chain goes on from (tail: why, for the message): a problem at the
 * alternate, which is forgotten
 */

static void
consent_verify_fork(consent_verify_t *v, consent_verify_chain_t *c,
    const char *tail)
{
    char  where[CONSENT_VERIFY_MSG_MAX / 2];

    consent_verify_problem(v, c->alt_pos, "chain %.*s: seq %" PRIu64
                           " also at %s, both after the same record%s: "
                           "one of them was inserted or altered",
                           CONSENT_VERIFY_SHORT_ID, c->id, c->seq,
                           consent_verify_where(v, c->alt_pos, c->head_pos,
                                                where, sizeof(where)),
                           tail);
    c->has_alt = 0;
}


/*
 * Two lines had the same seq and prev; the record just read links to
 * the alternate (head_lost 1), to the head (0), or to neither (-1).
 */

static void
consent_verify_fork_lost(consent_verify_t *v, consent_verify_chain_t *c,
    int head_lost)
{
    char                   where[CONSENT_VERIFY_MSG_MAX / 2];
    consent_verify_pos_t   lost, kept;

    if (head_lost == -1) {
        consent_verify_fork(v, c, "");
        return;
    }

    lost = head_lost ? c->head_pos : c->alt_pos;
    kept = head_lost ? c->alt_pos : c->head_pos;

    consent_verify_problem(v, lost, "chain %.*s: seq %" PRIu64 " is not "
                           "in the chain, which goes on from the other "
                           "seq %" PRIu64 " at %s: inserted or altered",
                           CONSENT_VERIFY_SHORT_ID, c->id, c->seq, c->seq,
                           consent_verify_where(v, lost, kept, where,
                                                sizeof(where)));

    if (head_lost) {
        /* the count followed the head: it follows the alternate now */

        if (c->head_kind == CONSENT_KIND_CONSENT && c->records) {
            c->records--;
        }

        if (c->alt_kind == CONSENT_KIND_CONSENT) {
            c->records++;
        }

        memcpy(c->head, c->alt, 32);
        c->head_pos = c->alt_pos;
        c->head_kind = c->alt_kind;
    }

    c->has_alt = 0;
}


static void
consent_verify_hmac(consent_verify_t *v, const char *line, size_t len,
    const consent_record_parsed_t *rec)
{
    const consent_key_t  *key;

    key = consent_keyset_find(v->conf.keys, rec->kid, strlen(rec->kid));

    if (key == NULL) {
        consent_verify_problem(v, v->pos, "unknown key id \"%s\": the HMAC "
                               "cannot be checked", rec->kid);
        return;
    }

    if (!consent_record_hmac_ok(line, len, rec, key)) {
        consent_verify_problem(v, v->pos, "the HMAC does not verify with "
                               "key \"%s\": the line was altered or forged",
                               rec->kid);
        return;
    }

    v->stats.hmacs++;
}


static consent_verify_kind_e
consent_verify_kind(const consent_record_parsed_t *rec)
{
    if (strcmp(rec->type, "consent") == 0) {
        return CONSENT_KIND_CONSENT;
    }

    if (strcmp(rec->type, "policy") == 0) {
        return CONSENT_KIND_POLICY;
    }

    return strcmp(rec->reason, "stop") == 0 ? CONSENT_KIND_STOP
                                            : CONSENT_KIND_CHECKPOINT;
}


/* open addressing over the chains array; created chains are zeroed */

static consent_verify_chain_t *
consent_verify_find(consent_verify_t *v, const char *id, int *created)
{
    size_t                   i, n, mask;
    consent_verify_chain_t  *c, *chains;

    *created = 0;
    mask = v->table_size - 1;

    for (i = consent_verify_hash_id(id) & mask; v->table[i];
         i = (i + 1) & mask)
    {
        c = &v->chains[v->table[i] - 1];

        if (strcmp(c->id, id) == 0) {
            return c;
        }
    }

    if (2 * (v->nchains + 1) > v->table_size) {
        if (consent_verify_grow(v) != 0) {
            return NULL;
        }

        return consent_verify_find(v, id, created);
    }

    if (v->nchains == v->nalloc_chains) {
        n = v->nalloc_chains ? 2 * v->nalloc_chains : 16;

        chains = realloc(v->chains, n * sizeof(consent_verify_chain_t));
        if (chains == NULL) {
            return NULL;
        }

        v->chains = chains;
        v->nalloc_chains = n;
    }

    c = &v->chains[v->nchains++];
    memset(c, 0, sizeof(consent_verify_chain_t));
    memcpy(c->id, id, CONSENT_CHAIN_ID_LEN + 1);

    v->table[i] = v->nchains;
    *created = 1;

    return c;
}


static int
consent_verify_grow(consent_verify_t *v)
{
    size_t   i, j, size, mask, *table;

    size = 2 * v->table_size;
    mask = size - 1;

    table = calloc(size, sizeof(size_t));
    if (table == NULL) {
        return -1;
    }

    for (i = 0; i < v->nchains; i++) {
        for (j = consent_verify_hash_id(v->chains[i].id) & mask; table[j];
             j = (j + 1) & mask)
        {
            /* void */
        }

        table[j] = i + 1;
    }

    free(v->table);
    v->table = table;
    v->table_size = size;

    return 0;
}


/* FNV-1a: ids come from the log, so not trusted to be random */

static size_t
consent_verify_hash_id(const char *id)
{
    uint64_t  h;

    for (h = 14695981039346656037ULL; *id; id++) {
        h = (h ^ (unsigned char) *id) * 1099511628211ULL;
    }

    return (size_t) h;
}


/* pos as "line N" if in the file of the report at, else "FILE:N" */

static const char *
consent_verify_where(consent_verify_t *v, consent_verify_pos_t at,
    consent_verify_pos_t pos, char *buf, size_t size)
{
    if (pos.file == at.file) {
        snprintf(buf, size, "line %" PRIu64, pos.line);

    } else {
        snprintf(buf, size, "%s:%" PRIu64, v->files[pos.file], pos.line);
    }

    return buf;
}


static void
consent_verify_problem(consent_verify_t *v, consent_verify_pos_t pos,
    const char *fmt, ...)
{
    va_list  args;

    v->stats.problems++;

    if (pos.file == v->pos.file && pos.line == v->pos.line) {
        v->line_problem = 1;
    }

    va_start(args, fmt);
    consent_verify_report(v, v->conf.problem, pos, fmt, args);
    va_end(args);
}


static void
consent_verify_info(consent_verify_t *v, consent_verify_pos_t pos,
    const char *fmt, ...)
{
    va_list  args;

    va_start(args, fmt);
    consent_verify_report(v, v->conf.info, pos, fmt, args);
    va_end(args);
}


/* the message to the caller's problem or info callback, if it set one */

static void
consent_verify_report(consent_verify_t *v, consent_verify_report_pt report,
    consent_verify_pos_t pos, const char *fmt, va_list args)
{
    char  msg[CONSENT_VERIFY_MSG_MAX];

    if (report == NULL) {
        return;
    }

    (void) vsnprintf(msg, sizeof(msg), fmt, args);

    report(v->conf.data, v->nfiles ? v->files[pos.file] : "-", pos.line,
           msg);
}


static void
consent_verify_policies_end(consent_verify_t *v)
{
    char                           msg[CONSENT_PROOF_MSG_MAX];
    size_t                         i;
    consent_verify_pos_t           none;
    const consent_proof_policy_t  *e;

    none.file = 0;
    none.line = 0;

    for (i = 0; consent_proof_unfinished(v->proof, i, msg, sizeof(msg));
         i++)
    {
        consent_verify_info(v, none, "%s", msg);
    }

    for (i = 0; i < consent_proof_count(v->proof); i++) {
        e = consent_proof_get(v->proof, i);

        if (e->stored || e->uses == 0) {
            continue;
        }

        consent_verify_info(v, none, "%" PRIu64 " consent record%s name%s "
                            "policy %.12s (revision %" PRId64 "), which "
                            "the log does not store (written before the "
                            "module stored policies, or by a part of the "
                            "log not read): the notice shown cannot be "
                            "proven from the log", e->uses,
                            e->uses == 1 ? "" : "s",
                            e->uses == 1 ? "s" : "", e->sha256_hex,
                            e->revision);
    }
}


/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The audit log verifier: fed the lines of one or more log files in
 * order (rotated files oldest first), it checks every line's structure,
 * the hash chain of every chain and, given keys, every HMAC, and reports
 * each problem with the file and line where it is seen.  Memory grows
 * with the number of chains (and files), never with the number of
 * records.  Pure C: jansson, OpenSSL.
 */


#ifndef _CONSENT_VERIFY_H_INCLUDED_
#define _CONSENT_VERIFY_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>

#include "consent_token.h"
#include "consent_record.h"


/*
 * A problem or a note at file:line; line is 0 when it concerns no line
 * (a chain as a whole).  msg is one line of text, no trailing newline,
 * valid only during the call.
 */
typedef void (*consent_verify_report_pt)(void *data, const char *file,
    uint64_t line, const char *msg);


typedef struct {
    /* NULL: structure and hash chains only; else every HMAC too */
    const consent_keyset_t     *keys;

    /*
     * Earlier files are missing (the oldest rotations were deleted): a
     * chain may start at any seq, and its first record's prev cannot be
     * checked.  Otherwise a chain must start at seq 1.
     */
    int                         partial;

    /*
     * Keep the policies stored in the log (consent_verify_policies()),
     * to show them; otherwise only their hashes are checked.
     */
    int                         keep_policies;

    consent_verify_report_pt    problem;    /* the log is not intact */
    consent_verify_report_pt    info;       /* may be NULL */
    void                       *data;       /* passed to both */
} consent_verify_conf_t;


typedef struct {
    uint64_t            lines;          /* fed, blank and broken included */
    uint64_t            records;        /* consent records parsed */
    uint64_t            checkpoints;    /* checkpoints parsed */
    uint64_t            policy_records; /* "policy" records parsed */
    uint64_t            chains;         /* distinct chain ids */
    uint64_t            open_chains;    /* after finish: no "stop" at end */
    uint64_t            hmacs;          /* HMACs checked and good */
    uint64_t            problems;       /* calls of conf.problem */
    int64_t             ts_first;       /* ms; earliest "ts" seen, or -1 */
    int64_t             ts_last;        /* ms; latest "ts" seen, or -1 */
} consent_verify_stats_t;


typedef struct consent_verify_s  consent_verify_t;


/* conf is copied; NULL on out of memory */
consent_verify_t *consent_verify_create(const consent_verify_conf_t *conf);

/*
 * One line, without its '\n'.  file names the file (it is copied when
 * it changes), lineno counts from 1 in that file.  no_newline: this is
 * the last line of its file and no '\n' ended it (a truncated write).
 * Returns 0 if the line is intact, 1 if a problem was reported at it,
 * -1 on out of memory (a problem is reported too).
 */
int consent_verify_line(consent_verify_t *v, const char *file,
    uint64_t lineno, const char *line, size_t len, int no_newline);

/*
 * After the last line: reports what can only be known at the end (a
 * record whose seq appeared twice, a checkpoint-less chain end as info)
 * and fills stats.open_chains.  Call once.
 */
void consent_verify_finish(consent_verify_t *v);

const consent_verify_stats_t *consent_verify_stats(const consent_verify_t *v);

/*
 * The policies the log stores and its consent records name
 * (consent_proof.h): a stored one was checked against its SHA-256.
 */
const struct consent_proof_s *consent_verify_policies(
    const consent_verify_t *v);

void consent_verify_free(consent_verify_t *v);


#endif /* _CONSENT_VERIFY_H_INCLUDED_ */

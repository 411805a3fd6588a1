
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The audit record: one JSON object a line, in a hash chain, each line
 * signed with the log key (docs/audit-log.md).  Writing (the module) and
 * verifying (consent-audit) share this file.  Pure C: jansson, OpenSSL.
 */


#ifndef _CONSENT_RECORD_H_INCLUDED_
#define _CONSENT_RECORD_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "consent_token.h"
#include "consent_policy.h"


#define CONSENT_RECORD_VERSION   1
#define CONSENT_RECORD_MAX       8192    /* a line never exceeds it */
#define CONSENT_CHAIN_ID_LEN     32      /* hex of 16 random bytes */
#define CONSENT_HASH_HEX_LEN     64
#define CONSENT_UA_MAX           512     /* longer user agents are cut */
#define CONSENT_PAGE_MAX         1024
#define CONSENT_HOST_MAX         256     /* JSON bytes of the field */
#define CONSENT_LANG_FIELD_MAX   64
#define CONSENT_REASON_MAX       16      /* a-z and "_" */
#define CONSENT_TS_LEN           24      /* 2026-11-28T03:19:58.123Z */
#define CONSENT_POLICY_PART      4096    /* policy bytes a record holds */


/* a string that need not be NUL-terminated (nginx's are not) */
typedef struct {
    const char         *data;
    size_t              len;
} consent_str_t;


typedef enum {
    CONSENT_IP_OFF = 0,           /* no address recorded */
    CONSENT_IP_TRUNCATE,          /* IPv4 /24, IPv6 /48 */
    CONSENT_IP_HASH               /* keyed hash: not reversible */
} consent_ip_mode_e;


/* the head of a chain: what the next record links to */
typedef struct {
    char                id[CONSENT_CHAIN_ID_LEN + 1];
    uint64_t            seq;            /* of the last record, 0: none */
    uint64_t            records;        /* consent records, not checkpoints */
    unsigned char       head[32];       /* SHA-256 of the last line */

    /* policies stored in the chain since its file was (re)opened */
    unsigned char     (*policies)[32];
    size_t              npolicies;
    size_t              apolicies;

    /* a policy being stored a few parts at a time (syslog) */
    const consent_policy_t *storing;
    unsigned char      *packed;
    size_t              packed_len;
    size_t              next_part;
} consent_chain_t;


/* one decision of the endpoint */
typedef struct {
    int64_t             ts_ms;          /* server clock, ms since epoch */
    consent_str_t       id;             /* base64url consent id */
    const char         *action;         /* grant reject update withdraw */
    const char         *mechanism;      /* accept_all ... withdraw api */
    const consent_policy_t *policy;     /* revision, sha256, categories */
    uint32_t            granted;        /* category bits */
    int                 gpc;            /* Sec-GPC: 1 was sent */
    const char         *regime;         /* in force (a-z 0-9 -), or NULL */
    consent_str_t       lang;
    consent_str_t       host;
    consent_str_t       page;           /* path, no query string */
    consent_str_t       ua;
    consent_str_t       ip;             /* already anonymised */
    consent_str_t       handoff;        /* carried from: the origin's host */
    const char         *tcf_sha256;     /* hex SHA-256 of a TC string */
} consent_record_t;


/*
 * A checkpoint: the chain head, written on reopen and stop; "records"
 * counts the chain's consent records so far.  reason: 1 to
 * CONSENT_REASON_MAX characters from a-z 0-9 _; the verifier expects
 * nothing after "stop".
 */
typedef struct {
    int64_t             ts_ms;
    const char         *reason;         /* "reopen" "stop" "start" */
} consent_checkpoint_t;


/* a fresh chain id (RAND_bytes); 0 or -1 */
int consent_chain_init(consent_chain_t *chain);

/*
 * A line is compact JSON, members in this order:
 *   consent:    v type ts chain seq id action mechanism revision
 *               policy_sha256 granted denied gpc [regime] lang host
 *               page ua ip [handoff] [tcf_sha256] kid prev hmac
 *               (regime: when a regime applies; handoff: only in a
 *               choice carried from another domain)
 *   checkpoint: v type ts chain seq reason records kid prev hmac
 * prev: hex SHA-256 of the chain's previous line (64 zeros for seq 1);
 * hmac: hex HMAC-SHA256 with key->log_key of the bytes before ,"hmac":.
 * Visitor strings are made valid UTF-8 (U+FFFD for bad bytes and NUL)
 * and cut on a character boundary to CONSENT_UA_MAX, CONSENT_PAGE_MAX,
 * CONSENT_HOST_MAX, CONSENT_LANG_FIELD_MAX bytes of JSON each, so a line
 * stays far below CONSENT_RECORD_MAX.
 *
 * Builds the line of the next record of chain (seq + 1, linked to the
 * head), signed with key, ending in '\n'.  malloc'ed; NULL on failure.
 * The chain is not advanced: call consent_chain_advance() once the line
 * is safely written.
 */
char *consent_record_line(const consent_record_t *rec,
    const consent_chain_t *chain, const consent_key_t *key, size_t *len);

char *consent_checkpoint_line(const consent_checkpoint_t *cp,
    const consent_chain_t *chain, const consent_key_t *key, size_t *len);

/*
 * The policy the visitor is shown, stored in the log so that each file
 * proves the notice on its own: the bytes of the policy file (whose
 * SHA-256 every consent record carries), packed with zlib (RFC 1950),
 * cut into consent_policy_parts() records of CONSENT_POLICY_PART bytes
 * (the last one fewer), each base64url:
 *   policy:     v type ts chain seq revision policy_sha256 part parts
 *               size data kid prev hmac
 * part counts from 1; size is the policy file's length.  Written
 * before the first consent record of a chain that names the policy,
 * and again after every reopen.
 */

/* the packed policy, malloc'ed; 0 or -1 */
int consent_policy_pack(const consent_policy_t *p, unsigned char **out,
    size_t *len);

size_t consent_policy_parts(size_t packed_len);

char *consent_policy_line(const consent_policy_t *p,
    const unsigned char *packed, size_t packed_len, int64_t ts_ms,
    size_t part, const consent_chain_t *chain, const consent_key_t *key,
    size_t *len);

/* 1 if the chain has not stored the policy since the last reopen */
int consent_chain_policy_needed(const consent_chain_t *chain,
    const consent_policy_t *p);

/* every part was written; 0, or -1 (out of memory: stored again) */
int consent_chain_policy_stored(consent_chain_t *chain,
    const consent_policy_t *p);

/* a new file: the policies are stored again (and one begun restarts) */
void consent_chain_policy_forget(consent_chain_t *chain);

/* the memory of a chain that ends */
void consent_chain_free(consent_chain_t *chain);

/* the line was written: it becomes the head */
void consent_chain_advance(consent_chain_t *chain, const char *line,
    size_t len);

/*
 * The client address as recorded: "" (off), the /24 or /48 network
 * ("203.0.113.0", "2001:db8:1::"), or "h:" and 16 hex digits of a keyed
 * hash.  out has room for 64 bytes; returns the length.
 */
size_t consent_ip_anonymise(const struct sockaddr *sa, consent_ip_mode_e mode,
    const consent_key_t *key, char *out);

/* action of a decision, from its mechanism and what came before */
const char *consent_record_action(const char *mechanism, int had_consent,
    uint32_t granted, uint32_t required_mask);


/* verifying: one line as read back */

typedef struct {
    int                 version;
    char                type[16];       /* consent, checkpoint, policy */
    char                chain[CONSENT_CHAIN_ID_LEN + 1];
    uint64_t            seq;
    int64_t             ts_ms;
    char                kid[CONSENT_KID_MAX + 1];
    unsigned char       prev[32];
    unsigned char       hmac[32];
    size_t              signed_len;     /* bytes the HMAC covers */

    /* consent records; the strings point into parsed JSON in root */
    char                id[CONSENT_ID_B64_LEN + 1];
    const char         *action;         /* into root */

    /* checkpoints */
    char                reason[CONSENT_REASON_MAX + 1];
    uint64_t            records;

    /* policy records; the data is "data" in root */
    uint64_t            part;
    uint64_t            parts;
    uint64_t            size;

    void               *root;           /* json_t *, owned */
} consent_record_parsed_t;


/*
 * Parses and checks the structure of one line (without its '\n').
 * 0, or -1 with what is wrong in err.  Free with
 * consent_record_parsed_free().
 */
int consent_record_parse(const char *line, size_t len,
    consent_record_parsed_t *rec, char *err, size_t errlen);

void consent_record_parsed_free(consent_record_parsed_t *rec);

/* 1 if the line's HMAC verifies with key */
int consent_record_hmac_ok(const char *line, size_t len,
    const consent_record_parsed_t *rec, const consent_key_t *key);

/*
 * What a decision is, whichever destination wrote it: SHA-256 of the
 * line's JSON with keys sorted, without the fields each destination has
 * its own of ("chain", "seq", "prev", "hmac").  The copies of one
 * decision in a file and at a syslog collector have the same; two
 * decisions never do (each has its own ts, id and content).  0 or -1.
 */
int consent_record_content_hash(const consent_record_parsed_t *rec,
    unsigned char out[32]);

/* SHA-256 of a line, as the next record's "prev" */
void consent_record_hash(const char *line, size_t len, unsigned char out[32]);

/*
 * Fields of a parsed line, by name ("ua", "lang", "revision", "gpc"...).
 * A string field, or NULL if absent or not a string; *len may be NULL.
 */
const char *consent_record_get_str(const consent_record_parsed_t *rec,
    const char *key, size_t *len);

/* an integer field ("seq", "revision", "records"); 0, or -1 */
int consent_record_get_int(const consent_record_parsed_t *rec,
    const char *key, int64_t *value);

/* a boolean field ("gpc"): 1, 0, or -1 if absent */
int consent_record_get_bool(const consent_record_parsed_t *rec,
    const char *key);

/* "granted" and "denied": the number of ids, and the i-th or NULL */
size_t consent_record_get_count(const consent_record_parsed_t *rec,
    const char *key);
const char *consent_record_get_item(const consent_record_parsed_t *rec,
    const char *key, size_t i);

/* RFC 3339 UTC with milliseconds; 0, or -1 out of years 1970 to 9999 */
int consent_ts_format(int64_t ts_ms, char out[CONSENT_TS_LEN + 1]);

/* exactly the form consent_ts_format() writes; 0, or -1 */
int consent_ts_parse(const char *s, size_t len, int64_t *ts_ms);


#endif /* _CONSENT_RECORD_H_INCLUDED_ */

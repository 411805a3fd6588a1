
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Proof of what the visitor was shown: the policies stored in the audit
 * log ("policy" records, consent_record.h) put together again, checked
 * against the SHA-256 that consent records carry, and the notice
 * rendered from them by the module's own code (consent_render.c) as
 * the visitor read it.  Pure C: jansson, OpenSSL.
 */


#ifndef _CONSENT_PROOF_H_INCLUDED_
#define _CONSENT_PROOF_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>

#include "consent_policy.h"
#include "consent_record.h"


#define CONSENT_PROOF_MSG_MAX    400


/* one policy named or stored in a log */
typedef struct {
    char                sha256_hex[CONSENT_HASH_HEX_LEN + 1];
    int64_t             revision;       /* -1: not known yet */
    uint64_t            uses;           /* consent records naming it */
    uint64_t            stored;         /* times stored whole and intact */
    int64_t             first_ms;       /* first use, or -1 */
    int64_t             last_ms;
    char               *source;         /* the file's bytes (keep) */
    size_t              source_len;
    consent_policy_t   *policy;         /* parsed (keep), or NULL */
    char               *parse_error;    /* stored but not parsed */
} consent_proof_policy_t;


typedef struct consent_proof_s  consent_proof_t;


/*
 * keep: keep the bytes and the parsed policy of each stored policy (for
 * showing it); else only their hashes are checked, in memory bounded
 * by the number of policies and chains, not records.
 */
consent_proof_t *consent_proof_create(int keep);

void consent_proof_free(consent_proof_t *pf);

/*
 * A parsed "policy" record.  Returns 0, 1 with a problem in msg (the
 * stored policy does not hash to its policy_sha256 or does not unpack,
 * its revision is not the file's, a part is missing or out of place),
 * 2 with a note in msg (a policy begun again from its first part: a
 * syslog destination could not take a part; with partial, one whose
 * start is in an earlier file), -1 out of memory.
 */
int consent_proof_part(consent_proof_t *pf,
    const consent_record_parsed_t *rec, int partial, char *msg,
    size_t msglen);

/*
 * A consent record names its policy.  0, 1 with a problem in msg (the
 * record's revision is not the stored policy's), -1 out of memory.
 */
int consent_proof_use(consent_proof_t *pf, const char *sha256_hex,
    int64_t revision, int64_t ts_ms, char *msg, size_t msglen);

/*
 * After the last line: the i-th policy stored only in part (a note:
 * the chain shows whether lines are missing), from 0 until it returns
 * 0; the message in msg.
 */
int consent_proof_unfinished(consent_proof_t *pf, size_t i, char *msg,
    size_t msglen);

/* the policies, in order of first appearance */
size_t consent_proof_count(const consent_proof_t *pf);
const consent_proof_policy_t *consent_proof_get(const consent_proof_t *pf,
    size_t i);
const consent_proof_policy_t *consent_proof_find(const consent_proof_t *pf,
    const char *sha256_hex);

/*
 * The banner as the module renders it for lang (and with the GPC
 * paragraph when gpc) under the regime named regime (NULL or "": none,
 * the policy's own banner), reduced to its visible text: one line for
 * each block (heading, paragraph, label, button), entities decoded,
 * white space collapsed as a browser does.  malloc'ed, NUL-terminated,
 * each line ending in '\n' (empty under a regime that shows no
 * banner); NULL on failure or for a regime the policy does not have.
 */
char *consent_proof_notice(const consent_policy_t *p, const char *lang,
    int gpc, const char *regime, size_t *len);

/* the visible text of HTML as above (the banner's own markup) */
char *consent_proof_text(const char *html, size_t len, size_t *outlen);


#endif /* _CONSENT_PROOF_H_INCLUDED_ */

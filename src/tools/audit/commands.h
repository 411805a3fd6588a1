
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The parts of consent-audit's subcommands that live in files of their
 * own (src/tools/audit/): included by audit.h.
 */


#ifndef _CONSENT_AUDIT_COMMANDS_H_INCLUDED_
#define _CONSENT_AUDIT_COMMANDS_H_INCLUDED_


#include "consent_proof.h"


/* notice.c: the notice a visitor was shown, from the log alone */
const consent_proof_policy_t *audit_notice_policy(audit_t *a,
    const char *sha256_hex);
void audit_notice_text(audit_t *a, const audit_rec_t *r, FILE *f);
void audit_notice_json(audit_t *a, const audit_rec_t *r, FILE *f);
void audit_notice_summary(audit_t *a, FILE *f, int json);

/* iso27560.c: export --format iso27560 */
void audit_iso27560_record(audit_t *a, const audit_rec_t *r);

/* rates.c: the consent rates of stats */
int audit_rates_create(audit_t *a);
void audit_rates_record(audit_t *a, const audit_rec_t *r);
void audit_rates_text(audit_t *a, FILE *f);
void audit_rates_json(audit_t *a, FILE *f);
void audit_rates_free(audit_t *a);


#endif /* _CONSENT_AUDIT_COMMANDS_H_INCLUDED_ */

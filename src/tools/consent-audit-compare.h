
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * consent-audit compare: a collector's copy of the log against the
 * servers' own files (consent-audit-compare.c).
 */


#ifndef _CONSENT_AUDIT_COMPARE_H_INCLUDED_
#define _CONSENT_AUDIT_COMPARE_H_INCLUDED_


/* argv: the command's arguments, after "compare"; an exit status */
int consent_audit_compare(int argc, char **argv, int json);

extern const char consent_audit_compare_help[];


#endif /* _CONSENT_AUDIT_COMPARE_H_INCLUDED_ */

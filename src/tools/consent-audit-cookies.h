
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * consent-audit cookies: the third-party hosts of an inventory
 * (consent-audit-cookies.c), after the cookie declaration table.
 */


#ifndef _CONSENT_AUDIT_COOKIES_H_INCLUDED_
#define _CONSENT_AUDIT_COOKIES_H_INCLUDED_


#include <stdio.h>

#include "consent_policy.h"
#include "consent_inventory.h"


/* writes s escaped for the output's format */
typedef void (*consent_audit_put_pt)(FILE *f, const char *s);

/*
 * The table of the inventory's third-party hosts, as CSV (a header
 * row) or as an HTML section; category ids shown as the policy's
 * labels in lang.  Returns how many are flagged "undeclared-host".
 */
size_t consent_audit_hosts_print(FILE *f, const consent_policy_t *p,
    const consent_inventory_t *inv, const char *lang, int html,
    consent_audit_put_pt put);


#endif /* _CONSENT_AUDIT_COOKIES_H_INCLUDED_ */

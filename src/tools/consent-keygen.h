/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * consent-audit keygen: writes a new key file for consent_keys.
 */


#ifndef _CONSENT_KEYGEN_H_INCLUDED_
#define _CONSENT_KEYGEN_H_INCLUDED_


extern const char consent_keygen_help[];

/* argv: the operands and options after "keygen"; returns an exit status */
int consent_keygen_main(int argc, char **argv);


#endif /* _CONSENT_KEYGEN_H_INCLUDED_ */

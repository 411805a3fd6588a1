
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The one HTML escaper of the core, for text and for attribute values
 * in double quotes (the banner, the preferences page, the templates,
 * the regimes' notice, the hand-off page).  The variants are flags, so
 * that a page keeps the exact bytes it always had.  Pure C.
 */


#ifndef _CONSENT_ESCAPE_H_INCLUDED_
#define _CONSENT_ESCAPE_H_INCLUDED_


#include <stddef.h>


#define CONSENT_ESCAPE_APOS   0x01    /* ' as &#39; too */
#define CONSENT_ESCAPE_CTRL   0x02    /* C0 controls but TAB LF CR, and
                                         DEL, dropped */

#define CONSENT_ESCAPE_MAX    6       /* bytes of one escaped byte at most:
                                         "&quot;" */


/*
 * & < > " escaped, with the flags' variants, from s[0..n) into out,
 * which has room for CONSENT_ESCAPE_MAX * n bytes; returns the end
 */
char *consent_escape_html(char *out, const char *s, size_t n,
    unsigned flags);


#endif /* _CONSENT_ESCAPE_H_INCLUDED_ */


/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * How a browser reads a response body whatever its headers say: whether
 * a response without a usable Content-Type is sniffed as HTML (the MIME
 * Sniffing Standard), whether a byte order mark overrules the declared
 * charset, and where an ISO-2022 escape would switch a browser's decoder
 * away from the bytes the scanner reads.  Pure C.
 */


#ifndef _CONSENT_SNIFF_H_INCLUDED_
#define _CONSENT_SNIFF_H_INCLUDED_


#include <stddef.h>


#define CONSENT_SNIFF_MAX   512     /* bytes a browser looks at */


/*
 * 1 if a Content-Type (without parameters or with them) is one a
 * browser sniffs: absent, empty, "unknown/unknown", "application/unknown"
 * or "* / *" (written without blanks).
 */
int consent_sniff_type(const char *type, size_t len);

/*
 * The MIME type's essence of a Content-Type value, "type/subtype" in
 * lower case without blanks or parameters, written to out (room for
 * len bytes); returns its length, 0 when there is none.
 */
size_t consent_type_essence(const char *type, size_t len, char *out);

/*
 * Whether the first bytes of a body make a browser render it as HTML:
 * 1 yes, 0 no, -1 cannot tell yet (fewer than CONSENT_SNIFF_MAX bytes
 * and not the end of the body).  Errs towards HTML where browsers
 * differ.
 */
int consent_sniff_html(const unsigned char *p, size_t len, int last);

/*
 * The body starts with a UTF-16 byte order mark (which also begins the
 * UTF-32LE one): 1 yes, 0 no, -1 cannot tell yet.
 */
int consent_bom_utf16(const unsigned char *p, size_t len, int last);

/*
 * The first ESC byte that starts (or, at the end of p, may start) an
 * ISO-2022 designation, ESC '$' or ESC '(': after it a browser decoding
 * ISO-2022-JP no longer reads ASCII.  NULL if there is none.
 */
const unsigned char *consent_iso2022_escape(const unsigned char *p,
    size_t len);


#endif /* _CONSENT_SNIFF_H_INCLUDED_ */

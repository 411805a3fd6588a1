
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Accept-Language negotiation: which of a list of languages (a policy's,
 * or any other list of language tags) a request's header prefers.
 * Pure C.
 */


#ifndef _CONSENT_LANG_H_INCLUDED_
#define _CONSENT_LANG_H_INCLUDED_


#include <stddef.h>


#define CONSENT_LANG_RANGES    64     /* ranges of a header looked at */
#define CONSENT_LANG_LIST_MAX  256    /* languages of a list looked at */


/*
 * The index in langs[0..n) that an Accept-Language value (len bytes, no
 * NUL needed) prefers, or -1 when none is acceptable: the caller's
 * default then.  Ranges are taken by weight (q, to three decimals),
 * equal weights in the header's order; a range with a malformed weight
 * is passed over; "xx;q=0" rules out every language "xx" covers,
 * wherever it stands; "*" is the first language not ruled out.  A range
 * gives the longest language
 * equal to it or to a prefix of it ("es-MX" gives "es"), else the first
 * of its primary language ("pt" gives "pt-br"); "no", "nb" and "nn"
 * stand for one another.  Tags compare without regard to ASCII case.
 * Only the first CONSENT_LANG_RANGES ranges and CONSENT_LANG_LIST_MAX
 * languages are looked at.
 */
int consent_lang_pick(const char *const *langs, size_t n,
    const char *accept_language, size_t len);


#endif /* _CONSENT_LANG_H_INCLUDED_ */

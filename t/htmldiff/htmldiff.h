
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The old-against-new differential of the HTML scanner (t/htmldiff/).
 */


#ifndef _HTMLDIFF_H_INCLUDED_
#define _HTMLDIFF_H_INCLUDED_


#include <stddef.h>

#include "consent_policy.h"


#define HTMLDIFF_GRANTED   0x01     /* every category granted */
#define HTMLDIFF_INJECT    0x02     /* a head snippet and a banner */
#define HTMLDIFF_HOSTS     0x04     /* host_seen reported */
#define HTMLDIFF_OBSERVE   0x08     /* every token reported */
#define HTMLDIFF_SMALL     0x10     /* tag cap 64, look-ahead 16 */

#define HTMLDIFF_HEAD                                                        \
    "<link data-consent-ui rel=\"stylesheet\" href=\"/c\">"
#define HTMLDIFF_BANNER  "<div data-consent-ui id=\"consent-banner\"></div>"


typedef struct {
    char               *data;
    size_t              len;
    size_t              cap;
} htmldiff_buf_t;


void htmldiff_buf_add(htmldiff_buf_t *b, const char *data, size_t len);

int consent_html_diff_run(const consent_policy_t *policy, unsigned mode,
    const char *page, size_t len, const size_t *cuts, size_t ncuts,
    htmldiff_buf_t *out);
int consent_htmlref_diff_run(const consent_policy_t *policy, unsigned mode,
    const char *page, size_t len, const size_t *cuts, size_t ncuts,
    htmldiff_buf_t *out);


#endif /* _HTMLDIFF_H_INCLUDED_ */

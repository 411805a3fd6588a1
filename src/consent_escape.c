
/*
 * Copyright (C) ngx_http_consent_module authors
 */


#include <string.h>

#include "consent_escape.h"


char *
consent_escape_html(char *out, const char *s, size_t n, unsigned flags)
{
    size_t         i, len;
    const char    *rep;
    unsigned char  c;

    for (i = 0; i < n; i++) {
        c = (unsigned char) s[i];

        switch (c) {
        case '&':  rep = "&amp;";  len = 5;  break;
        case '<':  rep = "&lt;";   len = 4;  break;
        case '>':  rep = "&gt;";   len = 4;  break;
        case '"':  rep = "&quot;"; len = 6;  break;

        case '\'':
            if (!(flags & CONSENT_ESCAPE_APOS)) {
                *out++ = (char) c;
                continue;
            }

            rep = "&#39;";
            len = 5;
            break;

        default:

            /*
             * no control character in HTML text (nor one that a
             * template would take for a slot)
             */

            if ((flags & CONSENT_ESCAPE_CTRL)
                && ((c < 0x20 && c != '\t' && c != '\n' && c != '\r')
                    || c == 0x7f))
            {
                continue;
            }

            *out++ = (char) c;
            continue;
        }

        memcpy(out, rep, len);
        out += len;
    }

    return out;
}

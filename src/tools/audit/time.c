
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Times on the command line (--since, --until) and in the output: UTC
 * dates and times to milliseconds since the epoch and back, over the
 * proleptic Gregorian calendar.
 */


#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "consent_time.h"
#include "tools/audit/audit.h"


/*
 * "YYYY-MM-DD" and "YYYY-MM-DDTHH:MM[:SS[.fff]][Z]", UTC.  end: a date
 * alone means the end of that day (the start of the next).
 */
int
audit_parse_time(const char *s, int end, int64_t *ms)
{
    size_t    len, i, digits;
    int64_t   y, mo, d, h, mi, sec, frac, days;
    unsigned  mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

    len = strlen(s);

    for (i = 0; i < len; i++) {
        if (s[i] != '-' && s[i] != ':' && s[i] != 'T' && s[i] != 'Z'
            && s[i] != '.' && (s[i] < '0' || s[i] > '9'))
        {
            return -1;
        }
    }

    if (len < 10 || s[4] != '-' || s[7] != '-') {
        return -1;
    }

    y = 0;
    mo = 0;
    d = 0;

    for (i = 0; i < 10; i++) {
        if (i == 4 || i == 7) {
            continue;
        }

        if (s[i] < '0' || s[i] > '9') {
            return -1;
        }

        if (i < 4) {
            y = y * 10 + (s[i] - '0');

        } else if (i < 7) {
            mo = mo * 10 + (s[i] - '0');

        } else {
            d = d * 10 + (s[i] - '0');
        }
    }

    if (y < 1970 || mo < 1 || mo > 12 || d < 1) {
        return -1;
    }

    if ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) {
        mdays[1] = 29;
    }

    if (d > mdays[mo - 1]) {
        return -1;
    }

    days = consent_days_from_civil(y, (unsigned) mo, (unsigned) d);

    if (len == 10) {
        *ms = (days + (end ? 1 : 0)) * AUDIT_MS_DAY;
        return 0;
    }

    h = 0;
    mi = 0;
    sec = 0;
    frac = 0;

    if (s[10] != 'T' || len < 16 || s[13] != ':') {
        return -1;
    }

    for (i = 11; i < 16; i++) {
        if (i == 13) {
            continue;
        }

        if (s[i] < '0' || s[i] > '9') {
            return -1;
        }

        if (i < 13) {
            h = h * 10 + (s[i] - '0');

        } else {
            mi = mi * 10 + (s[i] - '0');
        }
    }

    i = 16;

    if (i < len && s[i] == ':') {
        if (i + 3 > len || s[i + 1] < '0' || s[i + 1] > '9'
            || s[i + 2] < '0' || s[i + 2] > '9')
        {
            return -1;
        }

        sec = (s[i + 1] - '0') * 10 + (s[i + 2] - '0');
        i += 3;

        if (i < len && s[i] == '.') {
            i++;
            digits = 0;

            while (i < len && s[i] >= '0' && s[i] <= '9') {
                if (digits < 3) {
                    frac = frac * 10 + (s[i] - '0');
                }

                digits++;
                i++;
            }

            if (digits == 0) {
                return -1;
            }

            for ( /* void */ ; digits < 3; digits++) {
                frac *= 10;
            }
        }
    }

    if (i < len && s[i] == 'Z') {
        i++;
    }

    if (i != len || h > 23 || mi > 59 || sec > 60) {
        return -1;
    }

    *ms = ((days * 24 + h) * 60 + mi) * 60000 + sec * 1000 + frac;

    return 0;
}


void
audit_format_ts(int64_t ms, char *out, size_t len)
{
    int64_t   days, rem, y;
    unsigned  m, d;

    if (ms < 0) {
        snprintf(out, len, "-");
        return;
    }

    days = ms / AUDIT_MS_DAY;
    rem = ms % AUDIT_MS_DAY;

    consent_civil_from_days(days, &y, &m, &d);

    snprintf(out, len, "%04" PRId64 "-%02u-%02uT%02d:%02d:%02d.%03dZ",
             y, m, d, (int) (rem / 3600000), (int) (rem / 60000 % 60),
             (int) (rem / 1000 % 60), (int) (rem % 1000));
}


/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Days of the proleptic Gregorian calendar, both ways, for years before
 * 0 and after 9999 too (t/unit/time.c goes to +-10^12): the audit
 * record's timestamps and consent-audit's times (--since, --until, the
 * statistics' weeks).  No time zone and no libc, whose gmtime() and
 * timegm() stop where time_t does.  Pure C.
 */


#ifndef _CONSENT_TIME_H_INCLUDED_
#define _CONSENT_TIME_H_INCLUDED_


#include <stdint.h>


/* days since 1970-01-01 of y-m-d; m is 1-12, d is 1-31 */
int64_t consent_days_from_civil(int64_t y, unsigned m, unsigned d);

/* the date of a day since 1970-01-01 */
void consent_civil_from_days(int64_t z, int64_t *y, unsigned *m,
    unsigned *d);


#endif /* _CONSENT_TIME_H_INCLUDED_ */

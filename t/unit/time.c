
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Unit tests of src/consent_time.c: every day from -9999 to 9999 both
 * ways, against the C library's timegm() and gmtime() where time_t
 * reaches, fixed dates around the epoch and leap days, and years far
 * out where only the 400-year cycle can check them.
 */


#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tap.h"
#include "consent_time.h"


#define YEAR_MIN  -9999
#define YEAR_MAX  9999


static void test_fixed(void);
static void test_both_ways(void);
static void test_libc(void);
static void test_far(void);


static void
test_fixed(void)
{
    int64_t   y;
    unsigned  m, d;

    is_int(consent_days_from_civil(1970, 1, 1), 0, "the epoch");
    is_int(consent_days_from_civil(1969, 12, 31), -1, "the day before");
    is_int(consent_days_from_civil(2000, 2, 29), 11016, "2000-02-29");
    is_int(consent_days_from_civil(2000, 3, 1), 11017, "2000-03-01");
    is_int(consent_days_from_civil(1900, 3, 1)
           - consent_days_from_civil(1900, 2, 28), 1,
           "1900 has no leap day");
    is_int(consent_days_from_civil(2026, 11, 28), 20785, "2026-11-28");
    is_int(consent_days_from_civil(1, 1, 1), -719162, "0001-01-01");
    is_int(consent_days_from_civil(0, 3, 1), -719468, "0000-03-01");
    is_int(consent_days_from_civil(0, 1, 1), -719528,
           "0000-01-01 (year 0 is a leap year)");
    is_int(consent_days_from_civil(-1, 12, 31), -719529, "-0001-12-31");

    consent_civil_from_days(-1, &y, &m, &d);
    ok(y == 1969 && m == 12 && d == 31, "day -1 is 1969-12-31");

    consent_civil_from_days(-719529, &y, &m, &d);
    ok(y == -1 && m == 12 && d == 31, "day -719529 is -0001-12-31");

    consent_civil_from_days(11016, &y, &m, &d);
    ok(y == 2000 && m == 2 && d == 29, "day 11016 is 2000-02-29");
}


/* each day is the next date, and back to the same number */

static void
test_both_ways(void)
{
    int64_t   z, last, y, py, bad;
    unsigned  m, d, pm, pd, mdays;

    static const unsigned  days[] = {
        31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
    };

    z = consent_days_from_civil(YEAR_MIN, 1, 1);
    last = consent_days_from_civil(YEAR_MAX, 12, 31);
    bad = 0;
    py = YEAR_MIN - 1;
    pm = 12;
    pd = 31;

    for ( /* void */ ; z <= last; z++) {
        consent_civil_from_days(z, &y, &m, &d);

        if (consent_days_from_civil(y, m, d) != z) {
            bad++;
            continue;
        }

        /* the expected next date after py-pm-pd */

        mdays = days[pm - 1];

        if (pm == 2
            && ((py % 4 == 0 && py % 100 != 0) || py % 400 == 0))
        {
            mdays = 29;
        }

        if (pd < mdays) {
            pd++;

        } else if (pm < 12) {
            pm++;
            pd = 1;

        } else {
            py++;
            pm = 1;
            pd = 1;
        }

        if (y != py || m != pm || d != pd) {
            bad++;
            py = y;
            pm = m;
            pd = d;
        }
    }

    is_int(bad, 0, "every day from %d-01-01 to %d-12-31 follows the last "
           "and converts both ways", YEAR_MIN, YEAR_MAX);
}


static void
test_libc(void)
{
    int64_t    y, z, first, last, bad, yy;
    time_t     t;
    unsigned   m, d;
    struct tm  tm;

    if (sizeof(time_t) < 8) {
        ok(1, "# SKIP time_t has 32 bits");
        ok(1, "# SKIP time_t has 32 bits");
        return;
    }

    bad = 0;

    for (y = YEAR_MIN; y <= YEAR_MAX; y++) {
        for (m = 1; m <= 12; m++) {
            memset(&tm, 0, sizeof(tm));
            tm.tm_year = (int) (y - 1900);
            tm.tm_mon = (int) m - 1;
            tm.tm_mday = 1;

            t = timegm(&tm);

            if ((int64_t) t != consent_days_from_civil(y, m, 1) * 86400) {
                bad++;
            }
        }
    }

    is_int(bad, 0, "timegm() agrees on the first of every month from %d "
           "to %d", YEAR_MIN, YEAR_MAX);

    first = consent_days_from_civil(YEAR_MIN, 1, 1);
    last = consent_days_from_civil(YEAR_MAX, 12, 31);
    bad = 0;

    for (z = first; z <= last; z++) {
        t = (time_t) (z * 86400 + 43200);

        if (gmtime_r(&t, &tm) == NULL) {
            bad++;
            continue;
        }

        consent_civil_from_days(z, &yy, &m, &d);

        if (yy != (int64_t) tm.tm_year + 1900
            || m != (unsigned) tm.tm_mon + 1 || d != (unsigned) tm.tm_mday)
        {
            bad++;
        }
    }

    is_int(bad, 0, "gmtime() agrees on every day from %d to %d",
           YEAR_MIN, YEAR_MAX);
}


/* far out, only the 400-year cycle and the inverse can check */

static void
test_far(void)
{
    int64_t   y, z, yy, bad;
    unsigned  m, mm, d, i;

    static const int64_t  years[] = {
        -1000000000000LL, -1000000007LL, -400, -1, 0, 399, 400,
        1000000007LL, 1000000000000LL
    };

    bad = 0;

    for (i = 0; i < sizeof(years) / sizeof(years[0]); i++) {
        y = years[i];

        for (m = 1; m <= 12; m++) {
            z = consent_days_from_civil(y, m, 1);

            if (consent_days_from_civil(y + 400, m, 1) - z != 146097) {
                bad++;
            }

            consent_civil_from_days(z, &yy, &mm, &d);

            if (yy != y || mm != m || d != 1) {
                bad++;
            }
        }
    }

    is_int(bad, 0, "400 years are 146097 days, and dates come back, "
           "out to +-10^12 years");
}


int
main(void)
{
    test_fixed();
    test_both_ways();
    test_libc();
    test_far();

    return done_testing();
}

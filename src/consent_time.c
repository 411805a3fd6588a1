
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Howard Hinnant's civil-date algorithms: years are counted from March
 * (so that the leap day ends a year) in eras of 400 years, 146097 days.
 * Division floors, so that years before 0 are right too.
 */


#include <stdint.h>

#include "consent_time.h"


#define CONSENT_ERA_DAYS     146097     /* days in 400 Gregorian years */
#define CONSENT_EPOCH_SHIFT  719468     /* 0000-03-01 to 1970-01-01 */


int64_t
consent_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t   era;
    unsigned  yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned) (y - era * 400);
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * CONSENT_ERA_DAYS + (int64_t) doe - CONSENT_EPOCH_SHIFT;
}


void
consent_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t   era;
    unsigned  doe, yoe, doy, mp;

    z += CONSENT_EPOCH_SHIFT;
    era = (z >= 0 ? z : z - (CONSENT_ERA_DAYS - 1)) / CONSENT_ERA_DAYS;
    doe = (unsigned) (z - era * CONSENT_ERA_DAYS);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;

    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t) yoe + era * 400 + (*m <= 2);
}

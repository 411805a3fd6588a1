
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Unit tests of consent-audit's times (src/tools/audit/time.c): the
 * --since and --until parser and the times it prints (the calendar
 * under them is src/consent_time.c, tested by t/unit/time.c).  Built
 * with that file (the Makefile has a rule of its own for it).
 */


#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "tools/audit/audit.h"


static void test_parse(void);
static void test_refused(void);
static void test_format(void);


int
main(void)
{
    test_parse();
    test_refused();
    test_format();

    return done_testing();
}


static int64_t
parse(const char *s, int end)
{
    int64_t  ms;

    ms = -12345;

    if (audit_parse_time(s, end, &ms) != 0) {
        return -1;
    }

    return ms;
}


static void
test_parse(void)
{
    is_int(parse("1970-01-01", 0), 0, "the epoch");
    is_int(parse("1970-01-01", 1), AUDIT_MS_DAY, "a date as --until: its end");
    is_int(parse("2026-11-28", 0), 1795824000000LL, "a date");
    is_int(parse("2026-11-28T03:19", 0), 1795835940000LL, "hours, minutes");
    is_int(parse("2026-11-28T03:19", 1), 1795835940000LL,
           "a time as --until: itself");
    is_int(parse("2026-11-28T03:19:58", 0), 1795835998000LL, "seconds");
    is_int(parse("2026-11-28T03:19:58.123Z", 0), 1795835998123LL,
           "milliseconds, Z");
    is_int(parse("2026-11-28T03:19:58.1", 0), 1795835998100LL,
           "a tenth of a second");
    is_int(parse("2026-11-28T03:19:58.123456", 0), 1795835998123LL,
           "more digits than milliseconds: cut");
    is_int(parse("2026-11-28T03:19Z", 0), 1795835940000LL, "Z after minutes");
    is_int(parse("2024-02-29", 0), 1709164800000LL, "a leap day");
    is_int(parse("2000-02-29", 0), 951782400000LL, "a leap day of 2000");
    is_int(parse("9999-12-31T23:59:59.999Z", 0), 253402300799999LL,
           "the last millisecond of 9999");
}


static void
test_refused(void)
{
    size_t  i;

    static const char *const  bad[] = {
        "", "2026", "2026-11", "2026-11-2", "26-11-28", "2026/11/28",
        "2026-13-01", "2026-00-10", "2026-11-00", "2026-11-31",
        "2023-02-29", "1900-02-29", "1969-12-31", "2026-11-28T",
        "2026-11-28T3:19", "2026-11-28T24:00", "2026-11-28T03:60",
        "2026-11-28 03:19", "2026-11-28T03:19:5", "2026-11-28T03:19:58.",
        "2026-11-28T03:19:58Zx", "2026-11-28T03:19+01:00",
        "2026-11-28T03:19:61", "x026-11-28", "2026-11-28ZZ", NULL
    };

    for (i = 0; bad[i]; i++) {
        is_int(parse(bad[i], 0), -1, "refused: \"%s\"", bad[i]);
    }
}


static void
test_format(void)
{
    char  buf[AUDIT_BUF];

    audit_format_ts(1795835998123LL, buf, sizeof(buf));
    is_str(buf, "2026-11-28T03:19:58.123Z", "a time");

    audit_format_ts(0, buf, sizeof(buf));
    is_str(buf, "1970-01-01T00:00:00.000Z", "the epoch");

    audit_format_ts(-1, buf, sizeof(buf));
    is_str(buf, "-", "no time");

    audit_format_ts(parse("2024-02-29T23:59:59.999", 0), buf, sizeof(buf));
    is_str(buf, "2024-02-29T23:59:59.999Z", "parsed and printed back");
}

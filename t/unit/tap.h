
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * A minimal TAP producer for the core's unit tests, read by prove.
 */


#ifndef _TAP_H_INCLUDED_
#define _TAP_H_INCLUDED_


#include <stdio.h>
#include <stdarg.h>
#include <string.h>


static int  tap_n;
static int  tap_failed;


#define ok(cond, ...)                                                         \
    tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

#define is_int(got, want, ...)                                                \
    tap_is_int((long long) (got), (long long) (want), __FILE__, __LINE__,     \
               tap_fmt(__VA_ARGS__))

#define is_str(got, want, ...)                                                \
    tap_is_str((const char *) (got), (const char *) (want), __FILE__,         \
               __LINE__, tap_fmt(__VA_ARGS__))


static char  tap_what[512];


static const char *
tap_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static const char *
tap_fmt(const char *fmt, ...)
{
    va_list  ap;

    va_start(ap, fmt);
    vsnprintf(tap_what, sizeof(tap_what), fmt, ap);
    va_end(ap);

    return tap_what;
}


static int
tap_ok(int pass, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
    va_list  ap;

    tap_n++;
    printf("%s %d - ", pass ? "ok" : "not ok", tap_n);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");

    if (!pass) {
        tap_failed++;
        printf("#   Failed test at %s line %d.\n", file, line);
    }

    fflush(stdout);
    return pass;
}


static int __attribute__((unused))
tap_is_int(long long got, long long want, const char *file, int line,
    const char *what)
{
    if (tap_ok(got == want, file, line, "%s", what)) {
        return 1;
    }

    printf("#          got: %lld\n#     expected: %lld\n", got, want);
    return 0;
}


static int __attribute__((unused))
tap_is_str(const char *got, const char *want, const char *file, int line,
    const char *what)
{
    int  pass;

    pass = got != NULL && want != NULL && strcmp(got, want) == 0;

    if (tap_ok(pass, file, line, "%s", what)) {
        return 1;
    }

    printf("#          got: '%s'\n#     expected: '%s'\n",
           got ? got : "(null)", want ? want : "(null)");
    return 0;
}


static int
done_testing(void)
{
    printf("1..%d\n", tap_n);
    return tap_failed ? 1 : 0;
}


#endif /* _TAP_H_INCLUDED_ */


/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * What the fuzz harnesses of t/fuzz/ share: the entry points libFuzzer
 * calls, a check that aborts (so that a broken property is a crash that
 * libFuzzer saves), fixed keys and policies read once, and a reader of
 * the input as a sequence of fields.
 *
 * Each harness is built twice: with clang and -fsanitize=fuzzer (make
 * fuzz), and with cc and the replay driver t/fuzz/replay.c (make test),
 * which runs it over its corpus and its regression fixtures once.
 */


#ifndef _FUZZ_H_INCLUDED_
#define _FUZZ_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consent_policy.h"
#include "consent_token.h"


#ifndef FUZZ_REPO
#define FUZZ_REPO  "."
#endif


int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


#define fuzz_check(cond, what)                                                \
    do {                                                                      \
        if (!(cond)) {                                                        \
            fprintf(stderr, "fuzz: property broken at %s:%d: %s (%s)\n",      \
                    __FILE__, __LINE__, what, #cond);                         \
            abort();                                                          \
        }                                                                     \
    } while (0)


/* the input, read from the front */
typedef struct {
    const uint8_t      *p;
    size_t              left;
} fuzz_in_t;


static inline unsigned
fuzz_byte(fuzz_in_t *in)
{
    if (in->left == 0) {
        return 0;
    }

    in->left--;
    return *in->p++;
}


/* the bytes up to the next sep (or all that is left), sep skipped */
static inline const char *
fuzz_field(fuzz_in_t *in, int sep, size_t *len)
{
    const uint8_t  *s, *e;

    s = in->p;
    e = memchr(s, sep, in->left);

    if (e == NULL) {
        *len = in->left;
        in->p += in->left;
        in->left = 0;

    } else {
        *len = (size_t) (e - s);
        in->left -= *len + 1;
        in->p = e + 1;
    }

    return (const char *) s;
}


/* a malloc'ed copy, so that ASan sees a read past its end */
static inline char *
fuzz_copy(const void *data, size_t len)
{
    char  *c;

    c = malloc(len + 1);

    if (c == NULL) {
        abort();
    }

    if (len) {
        memcpy(c, data, len);
    }

    c[len] = '\0';

    return c;
}


static inline char *
fuzz_slurp(const char *name, size_t *len)
{
    char    path[1024], *buf;
    long    n;
    FILE   *f;

    snprintf(path, sizeof(path), "%s/%s", FUZZ_REPO, name);

    f = fopen(path, "rb");

    if (f == NULL) {
        f = fopen(name, "rb");
    }

    if (f == NULL) {
        fprintf(stderr, "fuzz: cannot open %s (FUZZ_REPO %s)\n", name,
                FUZZ_REPO);
        exit(2);
    }

    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);

    buf = malloc((size_t) n + 1);

    if (buf == NULL || fread(buf, 1, (size_t) n, f) != (size_t) n) {
        exit(2);
    }

    buf[n] = '\0';
    fclose(f);

    *len = (size_t) n;

    return buf;
}


static inline consent_policy_t *
fuzz_policy(const char *name)
{
    char               err[512], *json;
    size_t             len;
    consent_policy_t  *p;

    json = fuzz_slurp(name, &len);
    p = consent_policy_parse(json, len, err, sizeof(err));
    free(json);

    if (p == NULL) {
        fprintf(stderr, "fuzz: %s: %s\n", name, err);
        exit(2);
    }

    return p;
}


/*
 * The keys of the harnesses: k1 is the example key of
 * docs/cookie-format.md (00 01 ... 1f), k2 a second one that verifies.
 */
#define FUZZ_KEYS                                                             \
    "# fuzz keys\n"                                                           \
    "k1 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"                       \
    "k2 ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8\n"

#define FUZZ_SECRET_K1                                                        \
    "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"        \
    "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f"


static inline consent_keyset_t *
fuzz_keyset(void)
{
    char               err[256];
    consent_keyset_t  *ks;

    ks = consent_keyset_parse(FUZZ_KEYS, sizeof(FUZZ_KEYS) - 1, "fuzz.keys",
                              err, sizeof(err));

    if (ks == NULL) {
        fprintf(stderr, "fuzz: keys: %s\n", err);
        exit(2);
    }

    return ks;
}


#endif /* _FUZZ_H_INCLUDED_ */

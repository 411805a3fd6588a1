
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The streaming log verifier (consent_verify_line, src/consent_verify.c)
 * that consent-audit verify runs.
 *
 * Input: 1 byte of set-up (bit 0: keys given, so HMACs are checked;
 * bit 1: partial, earlier files missing; bit 2: the last line has no
 * '\n'; bit 3: a second file begins at the first form feed; bit 4: the
 * stored policies are kept and parsed), then log lines separated by
 * '\n'.
 *
 * Properties: the verifier returns 0, 1 or -1 per line, as many problems
 * as it says, counts every line fed, and a chain count no larger than
 * the lines.
 */


#include "fuzz.h"
#include "consent_verify.h"


static consent_keyset_t  *keys;


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    keys = fuzz_keyset();
    return 0;
}


static void
report(void *data, const char *file, uint64_t line, const char *msg)
{
    fuzz_check(msg != NULL && strchr(msg, '\n') == NULL,
               "a problem is one line of text");
    fuzz_check(file != NULL, "names a file");

    (*(uint64_t *) data)++;
}


static void
note(void *data, const char *file, uint64_t line, const char *msg)
{
    fuzz_check(msg != NULL && strchr(msg, '\n') == NULL,
               "a note is one line of text");
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                            rc;
    char                          *copy;
    size_t                         len;
    uint64_t                       problems, lineno, fed, flagged;
    unsigned                       setup;
    fuzz_in_t                      in;
    const char                    *line, *file;
    consent_verify_t              *v;
    consent_verify_conf_t          vc;
    const consent_verify_stats_t  *st;

    in.p = data;
    in.left = size;

    setup = fuzz_byte(&in);

    memset(&vc, 0, sizeof(consent_verify_conf_t));
    problems = 0;

    vc.keys = (setup & 1) ? keys : NULL;
    vc.partial = (setup >> 1) & 1;
    vc.keep_policies = (setup >> 4) & 1;
    vc.problem = report;
    vc.info = note;
    vc.data = &problems;

    v = consent_verify_create(&vc);
    fuzz_check(v != NULL, "create");

    file = "a.log";
    lineno = 0;
    fed = 0;
    flagged = 0;

    while (in.left) {
        line = fuzz_field(&in, '\n', &len);

        if ((setup & 8) && len && line[0] == '\f') {
            file = "b.log";
            lineno = 0;
            line++;
            len--;
        }

        /* each line in a buffer of its own size */
        copy = fuzz_copy(line, len);

        rc = consent_verify_line(v, file, ++lineno, copy, len,
                                 (setup & 4) && in.left == 0);
        fed++;

        fuzz_check(rc == 0 || rc == 1 || rc == -1, "0, 1 or -1");

        if (rc != 0) {
            flagged++;
        }

        free(copy);
    }

    consent_verify_finish(v);

    st = consent_verify_stats(v);

    fuzz_check(st->lines == fed, "every line counted");
    fuzz_check(st->problems == problems, "as many problems as reported");
    fuzz_check(problems >= flagged, "a flagged line was reported");
    fuzz_check(st->chains <= fed, "no more chains than lines");
    fuzz_check(st->records + st->checkpoints + st->policy_records <= fed,
               "records and lines");

    consent_verify_free(v);

    return 0;
}


/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * htmldiff: the scanner against a reference build of it (run.c), over
 * pages given on the command line, byte for byte: the output, the
 * statistics, the hosts seen and the tokens observed, for a visitor
 * without consent and one who granted everything, with and without
 * injections, whole and in pieces (1, 7, 64 and 1024 bytes, and split
 * in two at every point of pages up to HTMLDIFF_EVERY bytes, at every
 * 61st point of pages up to 64 KB, at 30 points of longer ones).
 *
 *   htmldiff --policy FILE [--policy FILE] PAGE...
 *
 * Prints one line a page and policy, and the first difference; exits 1
 * when any differ.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consent_policy.h"
#include "htmldiff.h"


#define HTMLDIFF_EVERY     1536
#define HTMLDIFF_POLICIES  4
#define HTMLDIFF_CUTS_MAX  (1024 * 1024)


static int htmldiff_page(const consent_policy_t *policy, const char *name,
    const char *page, size_t len, size_t *cuts, unsigned long *runs);
static int htmldiff_one(const consent_policy_t *policy, unsigned mode,
    const char *name, const char *page, size_t len, const size_t *cuts,
    size_t ncuts, const char *how);
static char *htmldiff_read(const char *path, size_t *len);


static const unsigned  htmldiff_modes[] = {
    0,
    HTMLDIFF_INJECT,
    HTMLDIFF_GRANTED,
    HTMLDIFF_GRANTED | HTMLDIFF_INJECT,
    HTMLDIFF_INJECT | HTMLDIFF_HOSTS,
    HTMLDIFF_GRANTED | HTMLDIFF_HOSTS,
    HTMLDIFF_INJECT | HTMLDIFF_OBSERVE,
    HTMLDIFF_INJECT | HTMLDIFF_SMALL
};

static const size_t  htmldiff_pieces[] = { 1, 7, 64, 1024 };


void
htmldiff_buf_add(htmldiff_buf_t *b, const char *data, size_t len)
{
    if (b->len + len > b->cap) {
        b->cap = (b->len + len) * 2 + 256;
        b->data = realloc(b->data, b->cap);

        if (b->data == NULL) {
            abort();
        }
    }

    if (len) {
        memcpy(b->data + b->len, data, len);
    }

    b->len += len;
}


static int
htmldiff_one(const consent_policy_t *policy, unsigned mode, const char *name,
    const char *page, size_t len, const size_t *cuts, size_t ncuts,
    const char *how)
{
    int             rc;
    size_t          i;
    htmldiff_buf_t  a, b;

    memset(&a, 0, sizeof(htmldiff_buf_t));

    if (consent_htmlref_diff_run(policy, mode, page, len, cuts, ncuts, &a)
        != 0)
    {
        fprintf(stderr, "%s: the reference failed to run\n", name);
        return -1;
    }

    memset(&b, 0, sizeof(htmldiff_buf_t));
    rc = 0;

    if (consent_html_diff_run(policy, mode, page, len, cuts, ncuts, &b) != 0)
    {
        fprintf(stderr, "%s: the scanner failed to run\n", name);
        rc = -1;

    } else if (a.len != b.len
               || (a.len != 0 && memcmp(a.data, b.data, a.len) != 0))
    {
        for (i = 0; i < a.len && i < b.len && a.data[i] == b.data[i]; i++) {
            /* void */
        }

        printf("# %s: mode 0x%02x, %s: differs at byte %zu of %zu / %zu\n"
               "#   reference: %.*s\n#   scanner:   %.*s\n", name, mode, how,
               i, a.len, b.len, (int) (a.len - i < 120 ? a.len - i : 120),
               a.data + i, (int) (b.len - i < 120 ? b.len - i : 120),
               b.data + i);
        rc = 1;
    }

    free(b.data);
    free(a.data);

    return rc;
}


static int
htmldiff_page(const consent_policy_t *policy, const char *name,
    const char *page, size_t len, size_t *cuts, unsigned long *runs)
{
    int       rc;
    char      how[64];
    size_t    m, k, n, at, step;
    unsigned  mode;

    for (m = 0; m < sizeof(htmldiff_modes) / sizeof(htmldiff_modes[0]);
         m++)
    {
        mode = htmldiff_modes[m];

        rc = htmldiff_one(policy, mode, name, page, len, NULL, 0, "whole");
        (*runs)++;

        if (rc != 0) {
            return rc;
        }

        for (k = 0; k < sizeof(htmldiff_pieces) / sizeof(size_t); k++) {
            if (htmldiff_pieces[k] >= len) {
                continue;
            }

            /* 1-byte pieces only for the pages the fuzzer would make */
            if (htmldiff_pieces[k] == 1 && len > 64 * 1024) {
                continue;
            }

            n = 0;

            for (at = htmldiff_pieces[k]; at < len && n < HTMLDIFF_CUTS_MAX;
                 at += htmldiff_pieces[k])
            {
                cuts[n++] = at;
            }

            snprintf(how, sizeof(how), "%zu-byte pieces",
                     htmldiff_pieces[k]);

            rc = htmldiff_one(policy, mode, name, page, len, cuts, n, how);
            (*runs)++;

            if (rc != 0) {
                return rc;
            }
        }

        /* split in two: every point of a short page, some of a long one */
        if (mode & (HTMLDIFF_OBSERVE | HTMLDIFF_HOSTS)) {
            continue;
        }

        step = (len <= HTMLDIFF_EVERY) ? 1
               : (len <= 64 * 1024) ? 61 : len / 31;

        for (at = 1; at < len; at += step) {
            cuts[0] = at;
            snprintf(how, sizeof(how), "split at %zu", at);

            rc = htmldiff_one(policy, mode, name, page, len, cuts, 1, how);
            (*runs)++;

            if (rc != 0) {
                return rc;
            }
        }
    }

    return 0;
}


static char *
htmldiff_read(const char *path, size_t *len)
{
    long   n;
    char  *data;
    FILE  *f;

    f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }

    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0
        || fseek(f, 0, SEEK_SET) != 0)
    {
        fclose(f);
        return NULL;
    }

    data = malloc((size_t) n + 1);

    if (data == NULL || fread(data, 1, (size_t) n, f) != (size_t) n) {
        free(data);
        fclose(f);
        return NULL;
    }

    fclose(f);
    *len = (size_t) n;

    return data;
}


int
main(int argc, char **argv)
{
    int                i, failed, rc;
    char               err[256];
    char              *page;
    size_t             len, p, np, *cuts;
    unsigned long      runs;
    consent_policy_t  *policies[HTMLDIFF_POLICIES];

    np = 0;
    failed = 0;
    runs = 0;

    cuts = malloc(HTMLDIFF_CUTS_MAX * sizeof(size_t));
    if (cuts == NULL) {
        return 2;
    }

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--policy") == 0 && i + 1 < argc
            && np < HTMLDIFF_POLICIES)
        {
            policies[np] = consent_policy_load(argv[++i], err, sizeof(err));

            if (policies[np] == NULL) {
                fprintf(stderr, "%s: %s\n", argv[i], err);
                return 2;
            }

            np++;
            continue;
        }

        if (np == 0) {
            fprintf(stderr, "usage: htmldiff --policy FILE PAGE...\n");
            return 2;
        }

        page = htmldiff_read(argv[i], &len);

        if (page == NULL) {
            fprintf(stderr, "%s: cannot read\n", argv[i]);
            return 2;
        }

        for (p = 0; p < np; p++) {
            rc = htmldiff_page(policies[p], argv[i], page, len, cuts, &runs);

            if (rc != 0) {
                printf("not same: %s (policy %zu)\n", argv[i], p);
                failed = 1;
                break;
            }
        }

        free(page);
    }

    printf("%lu scans compared; %s\n", runs,
           failed ? "DIFFERENCES" : "all the same");
    free(cuts);

    return failed;
}


/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Runs a fuzz harness without libFuzzer: each file named, and each file
 * of each directory named, is passed to LLVMFuzzerTestOneInput() once.
 * Built with cc and ASan+UBSan (make test) or without (valgrind), so
 * the corpora and the regression fixtures are replayed on every test
 * run, without clang.
 *
 *   replay-NAME [-v] FILE|DIR ...
 *
 * Prints "replayed N inputs" and exits 0; a broken property aborts.
 */


#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"


static int   verbose;
static long  replayed;


static int replay_path(const char *path);
static int replay_file(const char *path);
static int cmp_names(const void *a, const void *b);


int
main(int argc, char **argv)
{
    int  i, rc;

    rc = 0;

    LLVMFuzzerInitialize(&argc, &argv);

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-v") == 0) {
            verbose = 1;
            continue;
        }

        if (replay_path(argv[i]) != 0) {
            rc = 1;
        }
    }

    printf("replayed %ld inputs\n", replayed);

    return rc;
}


static int
replay_path(const char *path)
{
    int             rc;
    char           *sub, **names;
    size_t          n, cap, i, len;
    DIR            *d;
    struct stat     st;
    struct dirent  *de;

    if (stat(path, &st) != 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }

    if (!S_ISDIR(st.st_mode)) {
        return replay_file(path);
    }

    d = opendir(path);

    if (d == NULL) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }

    names = NULL;
    n = 0;
    cap = 0;

    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') {
            continue;
        }

        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            names = realloc(names, cap * sizeof(char *));

            if (names == NULL) {
                abort();
            }
        }

        names[n++] = strdup(de->d_name);
    }

    closedir(d);

    if (n) {
        qsort(names, n, sizeof(char *), cmp_names);
    }

    rc = 0;

    for (i = 0; i < n; i++) {
        len = strlen(path) + strlen(names[i]) + 2;
        sub = malloc(len);

        if (sub == NULL) {
            abort();
        }

        snprintf(sub, len, "%s/%s", path, names[i]);

        if (replay_path(sub) != 0) {
            rc = -1;
        }

        free(sub);
        free(names[i]);
    }

    free(names);

    return rc;
}


static int
replay_file(const char *path)
{
    long      size;
    FILE     *f;
    uint8_t  *buf;

    f = fopen(path, "rb");

    if (f == NULL) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }

    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, 0, SEEK_SET);

    /* exactly the input's size, so that ASan sees a read past its end */
    buf = malloc(size ? (size_t) size : 1);

    if (buf == NULL
        || (size && fread(buf, 1, (size_t) size, f) != (size_t) size))
    {
        fprintf(stderr, "replay: %s: cannot read\n", path);
        fclose(f);
        free(buf);
        return -1;
    }

    fclose(f);

    if (verbose) {
        fprintf(stderr, "replay: %s (%ld bytes)\n", path, size);
    }

    LLVMFuzzerTestOneInput(buf, (size_t) size);
    replayed++;

    free(buf);

    return 0;
}


static int
cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}


/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The walkers of a tag written by hand for speed in src/consent_html.c
 * (consent_html_attrs(), whole and resumed in a second buffer,
 * consent_html_tag_end(), consent_html_rec_tag(), consent_html_skip())
 * against the states of its table consent_html_next, through
 * consent_html_walkcheck(): on every short tag over one byte of each
 * class, on random tags with the attribute names the walkers look for,
 * and on every tag of the pages in t/html/ and of the html5lib tests in
 * t/html5lib/ (their JSON strings, as written and unescaped).  A
 * disagreement names the walker and shows the tag.
 */


#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consent_html.h"
#include "tap.h"


#define WALK_SHORT_MAX    6             /* every tag up to so many bytes */
#define WALK_RANDOM       200000
#define WALK_TAIL_MAX     1024          /* corpus tags: bytes looked at */
#define WALK_SHOWN        3             /* disagreements shown a walker */
#define WALK_NWALKERS     5


typedef struct {
    const char         *what;
    unsigned long       tags;
    unsigned long       bad[WALK_NWALKERS];
    int                 error;
} walk_run_t;


static int walk_emit(void *ctx, const char *data, size_t len, int input);
static void walk_one(walk_run_t *run, const char *name, size_t name_len,
    const char *t, size_t n);
static void walk_report(walk_run_t *run);
static void walk_short(walk_run_t *run, char *t, size_t i, size_t n);
static void walk_random(walk_run_t *run);
static void walk_text(walk_run_t *run, const char *s, size_t len);
static size_t walk_unescape(const char *s, size_t len, char *d);
static void walk_dir(walk_run_t *run, const char *dir, const char *suffix,
    int json);
static char *walk_read(const char *path, size_t *len);


static const char  *walk_names[WALK_NWALKERS] = {
    "consent_html_attrs()",
    "consent_html_attrs() resumed",
    "consent_html_tag_end()",
    "consent_html_rec_tag()",
    "consent_html_skip()"
};

/* a byte of each class of consent_html_class, and NUL */
static const char   walk_bytes[] = { ' ', '/', '>', '=', '"', '\'', 'a',
                                     '\0', '\n' };

/* the names of the random tags ("x": with a NUL after it) */
static const char  *walk_names_random[] = { "span", "x", "i=\"'", "td" };

/* what the random tags are made of */
static const char  *walk_parts[] = {
    " ", "\t", "\n", "\f", "\r", "/", ">", "=", "\"", "'", "a", "b", "x",
    "-", "<", "&", "(", "\0", "style", "src", "ping", "background",
    "http-equiv", "data-c", "data-consent", "STYLE", "Src", "url(x)",
    "=\"", "='", "\"v\"", "'v'"
};

static consent_html_conf_t  walk_conf;


static int
walk_emit(void *ctx, const char *data, size_t len, int input)
{
    return 0;
}


static void
walk_one(walk_run_t *run, const char *name, size_t name_len, const char *t,
    size_t n)
{
    int     bad, w;
    size_t  i;

    bad = consent_html_walkcheck(&walk_conf, name, name_len, t, n);
    run->tags++;

    if (bad < 0) {
        run->error = 1;
        return;
    }

    for (w = 0; w < WALK_NWALKERS; w++) {
        if (!(bad & (1 << w))) {
            continue;
        }

        if (run->bad[w]++ < WALK_SHOWN) {
            printf("# %s: %s disagrees with the states on \"<", run->what,
                   walk_names[w]);

            for (i = 0; i < name_len; i++) {
                printf("\\x%02x", (unsigned char) name[i]);
            }

            printf("|");

            for (i = 0; i < n && i < 200; i++) {
                if (t[i] >= 0x20 && t[i] < 0x7f && t[i] != '"'
                    && t[i] != '\\')
                {
                    putchar(t[i]);

                } else {
                    printf("\\x%02x", (unsigned char) t[i]);
                }
            }

            printf("%s\"\n", i < n ? "..." : "");
        }
    }
}


static void
walk_report(walk_run_t *run)
{
    int  w;

    ok(!run->error, "%s: %lu tags checked", run->what, run->tags);

    for (w = 0; w < WALK_NWALKERS; w++) {
        ok(run->bad[w] == 0, "%s: %s agrees with the states (%lu tags "
           "disagree)", run->what, walk_names[w], run->bad[w]);
    }
}


/* every tag of n bytes from i on: the first ends the name */

static void
walk_short(walk_run_t *run, char *t, size_t i, size_t n)
{
    size_t  b;

    if (i == n) {
        walk_one(run, "span", 4, t, n);
        walk_one(run, "s\0", 2, t, n);
        return;
    }

    for (b = 0; b < sizeof(walk_bytes); b++) {
        if (i == 0 && b > 2) {
            break;
        }

        t[i] = walk_bytes[b];
        walk_short(run, t, i + 1, n);
    }
}


static void
walk_random(walk_run_t *run)
{
    char        t[512];
    size_t      n, len, k, parts;
    uint32_t    x;
    unsigned    i;
    const char  *part;

    x = 2463534242u;
    parts = sizeof(walk_parts) / sizeof(walk_parts[0]);

    for (i = 0; i < WALK_RANDOM; i++) {
        /* xorshift32: the same tags every run */
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;

        t[0] = " />"[x % 3];
        n = 1;
        len = 1 + (x >> 8) % 24;

        for (k = 0; k < len; k++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;

            part = walk_parts[x % parts];

            /* "\0" is one byte */
            if (part[0] == '\0') {
                t[n++] = '\0';
                continue;
            }

            if (n + strlen(part) > sizeof(t)) {
                break;
            }

            memcpy(t + n, part, strlen(part));
            n += strlen(part);
        }

        part = walk_names_random[(x >> 4) % 4];
        walk_one(run, part, strlen(part) + (part[0] == 'x'), t, n);
    }
}


/* each '<' and a name in s: the bytes after the name */

static void
walk_text(walk_run_t *run, const char *s, size_t len)
{
    size_t  i, j, k, n;

    for (i = 0; i + 2 < len; i++) {
        if (s[i] != '<') {
            continue;
        }

        j = i + 1 + (s[i + 1] == '/');

        if (j >= len || !((s[j] >= 'a' && s[j] <= 'z')
                          || (s[j] >= 'A' && s[j] <= 'Z')))
        {
            continue;
        }

        while (j < len && s[j] != ' ' && s[j] != '\t' && s[j] != '\n'
               && s[j] != '\f' && s[j] != '\r' && s[j] != '/'
               && s[j] != '>')
        {
            j++;
        }

        if (j == len) {
            continue;
        }

        n = len - j;
        k = i + 1 + (s[i + 1] == '/');
        walk_one(run, s + k, j - k, s + j,
                 n < WALK_TAIL_MAX ? n : WALK_TAIL_MAX);
    }
}


/* a JSON text's string escapes, roughly: \uXXXX stays as written */

static size_t
walk_unescape(const char *s, size_t len, char *d)
{
    char    c;
    size_t  i, n;

    n = 0;

    for (i = 0; i < len; i++) {
        c = s[i];

        if (c == '\\' && i + 1 < len) {
            switch (s[++i]) {
            case 'n':
                c = '\n';
                break;
            case 't':
                c = '\t';
                break;
            case 'f':
                c = '\f';
                break;
            case 'r':
                c = '\r';
                break;
            case 'u':
                c = '\\';
                i--;
                break;
            default:
                c = s[i];
                break;
            }
        }

        d[n++] = c;
    }

    return n;
}


static void
walk_dir(walk_run_t *run, const char *dir, const char *suffix, int json)
{
    char           *data, *plain, path[1024];
    size_t          len, n, sl;
    DIR            *d;
    struct dirent  *e;

    d = opendir(dir);

    if (d == NULL) {
        run->error = 1;
        return;
    }

    sl = strlen(suffix);

    while ((e = readdir(d)) != NULL) {
        n = strlen(e->d_name);

        if (n <= sl || strcmp(e->d_name + n - sl, suffix) != 0) {
            continue;
        }

        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        data = walk_read(path, &len);

        if (data == NULL) {
            run->error = 1;
            continue;
        }

        walk_text(run, data, len);

        if (json) {
            plain = malloc(len + 1);

            if (plain == NULL) {
                run->error = 1;

            } else {
                walk_text(run, plain, walk_unescape(data, len, plain));
                free(plain);
            }
        }

        free(data);
    }

    closedir(d);
}


static char *
walk_read(const char *path, size_t *len)
{
    long   size;
    char  *data;
    FILE  *f;

    f = fopen(path, "rb");

    if (f == NULL) {
        return NULL;
    }

    data = NULL;

    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0
        && fseek(f, 0, SEEK_SET) == 0)
    {
        data = malloc((size_t) size + 1);

        if (data != NULL
            && fread(data, 1, (size_t) size, f) != (size_t) size)
        {
            free(data);
            data = NULL;
        }

        *len = (size_t) size;
    }

    fclose(f);

    return data;
}


int
main(void)
{
    char        t[WALK_SHORT_MAX];
    size_t      n;
    walk_run_t  run;

    memset(&walk_conf, 0, sizeof(consent_html_conf_t));
    walk_conf.emit = walk_emit;

    is_int(consent_html_walkcheck(&walk_conf, "img", 3, "a", 1), -1,
           "a tag's bytes begin where its name ends");
    is_int(consent_html_walkcheck(&walk_conf, "i g", 3, ">", 1), -1,
           "a name goes on to where its tag's bytes begin");
    is_int(consent_html_walkcheck(&walk_conf, "img", 3, " src=\"x\">", 9),
           0, "the walkers agree on a plain tag");

    memset(&run, 0, sizeof(walk_run_t));
    run.what = "every short tag";

    for (n = 1; n <= WALK_SHORT_MAX; n++) {
        walk_short(&run, t, 0, n);
    }

    walk_report(&run);

    memset(&run, 0, sizeof(walk_run_t));
    run.what = "random tags";
    walk_random(&run);
    walk_report(&run);

    memset(&run, 0, sizeof(walk_run_t));
    run.what = "t/html";
    walk_dir(&run, "t/html", ".html", 0);
    ok(run.tags > 1000, "t/html has tags (%lu)", run.tags);
    walk_report(&run);

    memset(&run, 0, sizeof(walk_run_t));
    run.what = "t/html5lib";
    walk_dir(&run, "t/html5lib", ".test", 1);
    ok(run.tags > 1000, "t/html5lib has tags (%lu)", run.tags);
    walk_report(&run);

    return done_testing();
}


/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * consent-audit compare: proves that a collector's copy of the consent
 * log is complete, which "verify" alone cannot (a copy that lost the end
 * of each chain still verifies).  Every consent record of the servers'
 * own files must be at the collector, and every record at the collector
 * in the servers' files; a record is matched by its content, whatever
 * chain the destination gave it (consent_record_content_hash()).
 */


#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <zlib.h>

#include "consent_record.h"
#include "consent_token.h"
#include "consent-audit-compare.h"


#define CMP_OK          0
#define CMP_FAILED      1
#define CMP_USAGE       2
#define CMP_IO          3

/* a line may carry a syslog header before the record */
#define CMP_LINE_MAX    (CONSENT_RECORD_MAX + 1024)

#define CMP_LOCAL       0
#define CMP_COLLECTOR   1

#define CMP_MISSING_COLLECTOR  0
#define CMP_MISSING_LOCAL      1
#define CMP_DUPLICATE          2


typedef struct {
    unsigned char       key[32];
    unsigned            side;
    unsigned            file;
    uint64_t            line;
    int64_t             ts_ms;
    uint64_t            seq;
    char                id[CONSENT_ID_B64_LEN + 1];
    char                action[16];
    char                chain[CONSENT_CHAIN_ID_LEN + 1];
} cmp_rec_t;


typedef struct {
    const cmp_rec_t    *rec;
    unsigned            what;
} cmp_miss_t;


typedef struct {
    cmp_rec_t          *recs;
    size_t              nrecs;
    size_t              nalloc;

    cmp_miss_t         *miss;
    size_t              nmiss;
    size_t              miss_alloc;

    const char        **files;
    size_t              nfiles;

    consent_keyset_t   *ks;

    uint64_t            count[2];       /* consent records by side */
    uint64_t            nfiles_side[2];
    uint64_t            bad;            /* lines not counted */
    uint64_t            found[3];
    int64_t             since;          /* ms, inclusive */
    int64_t             until;          /* ms, exclusive */
    int                 json;
} cmp_t;


static int cmp_read(cmp_t *c, const char *name, unsigned side);
static int cmp_line(cmp_t *c, unsigned file, unsigned side, uint64_t n,
    char *line, size_t len);
static void cmp_bad(cmp_t *c, unsigned file, uint64_t line,
    const char *what);
static int cmp_by_key(const void *a, const void *b);
static int cmp_by_place(const void *a, const void *b);
static int cmp_match(cmp_t *c);
static int cmp_miss(cmp_t *c, const cmp_rec_t *r, unsigned what);
static void cmp_print(cmp_t *c);
static void cmp_print_json(cmp_t *c);
static int cmp_usage(const char *fmt, const char *arg);
static int cmp_time(const char *s, int64_t *ms);


const char consent_audit_compare_help[] =
"usage: consent-audit [--json] compare [--keys FILE] -c COLLECTED\n"
"           [-c COLLECTED]... LOCAL...\n"
"\n"
"Proves that a collector's copy of the consent log is complete: lists\n"
"every consent record of the servers' own files (LOCAL) that is not in\n"
"the collector's copy (COLLECTED), every record of the collector's copy\n"
"that is in none of the servers' files, and every record the collector\n"
"holds twice.  \"verify\" of a copy that lost the end of each chain\n"
"passes; this does not.  Records are matched by their content (time,\n"
"consent id, choice, notice...), whatever chain each destination gave\n"
"them, so a syslog copy is compared with the files it was sent beside.\n"
"\n"
"Give the files of every server that sends to the collector, covering\n"
"the same period; a syslog header before a record is skipped.\n"
"Checkpoints are not compared (each destination has its own).\n"
"\n"
"options:\n"
"  -c, --collector FILE  the collector's copy (repeat for rotated files)\n"
"  --keys FILE           count only records whose HMAC verifies\n"
"  --since TIME          only records from TIME on (both sides)\n"
"  --until TIME          only records before TIME\n"
"                        TIME: 2026-11-01 or 2026-11-01T12:00:00Z (UTC)\n"
"\n"
"exit status: 0 nothing missing; 1 records missing or duplicated, or\n"
"lines that are no valid record; 2 usage; 3 a file cannot be read.\n";


int
consent_audit_compare(int argc, char **argv, int json)
{
    int          i, rc;
    char         err[512];
    cmp_t        c;
    const char  *keys, **collected, **local;
    size_t       ncollected, nlocal, k;

    memset(&c, 0, sizeof(cmp_t));
    c.json = json;
    c.since = INT64_MIN;
    c.until = INT64_MAX;

    keys = NULL;
    ncollected = 0;
    nlocal = 0;

    collected = calloc(argc + 1, sizeof(char *));
    local = calloc(argc + 1, sizeof(char *));
    c.files = calloc(argc + 1, sizeof(char *));

    if (collected == NULL || local == NULL || c.files == NULL) {
        fprintf(stderr, "consent-audit compare: out of memory\n");
        rc = CMP_IO;
        goto done;
    }

    for (i = 0; i < argc; i++) {

        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(consent_audit_compare_help, stdout);
            rc = CMP_OK;
            goto done;
        }

        if (strcmp(argv[i], "--since") == 0
            || strcmp(argv[i], "--until") == 0)
        {
            if (i + 1 == argc
                || cmp_time(argv[i + 1], argv[i][2] == 's' ? &c.since
                                                           : &c.until)
                   != 0)
            {
                rc = cmp_usage("option \"%s\" needs a time such as "
                               "2026-11-01 or 2026-11-01T12:00:00Z",
                               argv[i]);
                goto done;
            }

            i++;
            continue;
        }

        if (strcmp(argv[i], "-c") == 0
            || strcmp(argv[i], "--collector") == 0
            || strcmp(argv[i], "--keys") == 0)
        {
            if (i + 1 == argc) {
                rc = cmp_usage("option \"%s\" needs a file", argv[i]);
                goto done;
            }

            if (argv[i][2] == 'k') {
                keys = argv[++i];

            } else {
                collected[ncollected++] = argv[++i];
            }

            continue;
        }

        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            rc = cmp_usage("unknown option \"%s\"", argv[i]);
            goto done;
        }

        local[nlocal++] = argv[i];
    }

    if (ncollected == 0 || nlocal == 0) {
        rc = cmp_usage("%s", ncollected == 0
                       ? "no collector's copy given (-c FILE)"
                       : "no server's file given");
        goto done;
    }

    if (keys) {
        c.ks = consent_keyset_load(keys, err, sizeof(err));
        if (c.ks == NULL) {
            rc = cmp_usage("--keys: %s", err);
            goto done;
        }
    }

    for (k = 0; k < nlocal; k++) {
        if (cmp_read(&c, local[k], CMP_LOCAL) != 0) {
            rc = CMP_IO;
            goto done;
        }
    }

    for (k = 0; k < ncollected; k++) {
        if (cmp_read(&c, collected[k], CMP_COLLECTOR) != 0) {
            rc = CMP_IO;
            goto done;
        }
    }

    if (cmp_match(&c) != 0) {
        fprintf(stderr, "consent-audit compare: out of memory\n");
        rc = CMP_IO;
        goto done;
    }

    if (c.json) {
        cmp_print_json(&c);

    } else {
        cmp_print(&c);
    }

    rc = (c.nmiss || c.bad) ? CMP_FAILED : CMP_OK;

done:

    consent_keyset_free(c.ks);
    free(c.recs);
    free(c.miss);
    free(c.files);
    free(collected);
    free(local);

    return rc;
}


static int
cmp_read(cmp_t *c, const char *name, unsigned side)
{
    int        rc;
    char      *buf;
    size_t     len;
    gzFile     gz;
    uint64_t   n;
    unsigned   file;

    file = (unsigned) c->nfiles;
    c->files[c->nfiles++] = name;
    c->nfiles_side[side]++;

    errno = 0;
    gz = gzopen(name, "rb");
    if (gz == NULL) {
        fprintf(stderr, "consent-audit compare: %s: %s\n", name,
                errno ? strerror(errno) : "cannot open");
        return -1;
    }

    buf = malloc(CMP_LINE_MAX + 2);
    if (buf == NULL) {
        gzclose(gz);
        fprintf(stderr, "consent-audit compare: out of memory\n");
        return -1;
    }

    rc = 0;

    for (n = 1; gzgets(gz, buf, CMP_LINE_MAX + 2) != NULL; n++) {
        len = strlen(buf);

        if (len == CMP_LINE_MAX + 1 && buf[len - 1] != '\n') {
            cmp_bad(c, file, n, "line too long");

            /* the rest of it */
            while (gzgets(gz, buf, CMP_LINE_MAX + 2) != NULL
                   && buf[strlen(buf) - 1] != '\n')
            {
                /* void */
            }

            continue;
        }

        while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r')) {
            len--;
        }

        buf[len] = '\0';

        if (cmp_line(c, file, side, n, buf, len) != 0) {
            rc = -1;
            break;
        }
    }

    if (rc == 0 && !gzeof(gz)) {
        int          e;
        const char  *msg;

        msg = gzerror(gz, &e);
        fprintf(stderr, "consent-audit compare: %s: %s\n", name,
                e == Z_ERRNO ? strerror(errno) : msg);
        rc = -1;
    }

    free(buf);
    gzclose(gz);

    return rc;
}


static int
cmp_line(cmp_t *c, unsigned file, unsigned side, uint64_t n, char *line,
    size_t len)
{
    char                     err[256], msg[300];
    char                    *p;
    cmp_rec_t               *r;
    const consent_key_t     *key;
    consent_record_parsed_t  rec;

    if (len == 0) {
        return 0;
    }

    p = memchr(line, '{', len);

    if (p == NULL) {
        /* a collector's file may hold other messages */
        if (side == CMP_LOCAL) {
            cmp_bad(c, file, n, "not a record");
        }

        return 0;
    }

    len -= p - line;

    if (consent_record_parse(p, len, &rec, err, sizeof(err)) != 0) {
        snprintf(msg, sizeof(msg), "not a valid record: %s", err);
        cmp_bad(c, file, n, msg);
        return 0;
    }

    if (strcmp(rec.type, "consent") != 0
        || rec.ts_ms < c->since || rec.ts_ms >= c->until)
    {
        consent_record_parsed_free(&rec);
        return 0;
    }

    if (c->ks) {
        key = consent_keyset_find(c->ks, rec.kid, strlen(rec.kid));

        if (key == NULL || !consent_record_hmac_ok(p, len, &rec, key)) {
            snprintf(msg, sizeof(msg), "%s: not counted", key == NULL
                     ? "unknown key id" : "the HMAC does not verify");
            cmp_bad(c, file, n, msg);
            consent_record_parsed_free(&rec);
            return 0;
        }
    }

    if (c->nrecs == c->nalloc) {
        c->nalloc = c->nalloc ? c->nalloc * 2 : 1024;

        r = realloc(c->recs, c->nalloc * sizeof(cmp_rec_t));
        if (r == NULL) {
            consent_record_parsed_free(&rec);
            fprintf(stderr, "consent-audit compare: out of memory\n");
            return -1;
        }

        c->recs = r;
    }

    r = &c->recs[c->nrecs];
    memset(r, 0, sizeof(cmp_rec_t));

    if (consent_record_content_hash(&rec, r->key) != 0) {
        consent_record_parsed_free(&rec);
        fprintf(stderr, "consent-audit compare: out of memory\n");
        return -1;
    }

    r->side = side;
    r->file = file;
    r->line = n;
    r->ts_ms = rec.ts_ms;
    r->seq = rec.seq;
    memcpy(r->id, rec.id, sizeof(r->id));
    memcpy(r->chain, rec.chain, sizeof(r->chain));
    snprintf(r->action, sizeof(r->action), "%s",
             rec.action ? rec.action : "");

    consent_record_parsed_free(&rec);

    c->nrecs++;
    c->count[side]++;

    return 0;
}


static void
cmp_bad(cmp_t *c, unsigned file, uint64_t line, const char *what)
{
    c->bad++;

    fprintf(stderr, "%s:%" PRIu64 ": %s\n", c->files[file], line, what);
}


/*
 * Sorted by content, then local before collected: in each group of
 * equal records, the first ones of each side pair up and the rest of
 * either side is what the other lacks.
 */

static int
cmp_match(cmp_t *c)
{
    size_t   i, j, k, nl, nc;

    qsort(c->recs, c->nrecs, sizeof(cmp_rec_t), cmp_by_key);

    for (i = 0; i < c->nrecs; i = j) {

        for (j = i; j < c->nrecs
                    && memcmp(c->recs[j].key, c->recs[i].key, 32) == 0;
             j++)
        {
            /* void */
        }

        for (nl = 0, k = i; k < j && c->recs[k].side == CMP_LOCAL; k++) {
            nl++;
        }

        nc = (j - i) - nl;

        if (nl > nc) {
            for (k = i + nc; k < i + nl; k++) {
                if (cmp_miss(c, &c->recs[k], CMP_MISSING_COLLECTOR) != 0) {
                    return -1;
                }
            }

        } else if (nc > nl) {
            for (k = i + nl + nl; k < j; k++) {
                if (cmp_miss(c, &c->recs[k], nl ? CMP_DUPLICATE
                                                : CMP_MISSING_LOCAL)
                    != 0)
                {
                    return -1;
                }
            }
        }
    }

    qsort(c->miss, c->nmiss, sizeof(cmp_miss_t), cmp_by_place);

    return 0;
}


static int
cmp_miss(cmp_t *c, const cmp_rec_t *r, unsigned what)
{
    cmp_miss_t  *m;

    if (c->nmiss == c->miss_alloc) {
        m = realloc(c->miss, (c->miss_alloc * 2 + 16) * sizeof(cmp_miss_t));
        if (m == NULL) {
            return -1;
        }

        c->miss = m;
        c->miss_alloc = c->miss_alloc * 2 + 16;
    }

    c->miss[c->nmiss].rec = r;
    c->miss[c->nmiss].what = what;
    c->nmiss++;
    c->found[what]++;

    return 0;
}


static int
cmp_by_key(const void *a, const void *b)
{
    int              rc;
    const cmp_rec_t  *x = a, *y = b;

    rc = memcmp(x->key, y->key, 32);
    if (rc) {
        return rc;
    }

    if (x->side != y->side) {
        return x->side < y->side ? -1 : 1;
    }

    if (x->file != y->file) {
        return x->file < y->file ? -1 : 1;
    }

    return x->line < y->line ? -1 : (x->line > y->line);
}


static int
cmp_by_place(const void *a, const void *b)
{
    const cmp_rec_t  *x = ((const cmp_miss_t *) a)->rec;
    const cmp_rec_t  *y = ((const cmp_miss_t *) b)->rec;

    if (x->file != y->file) {
        return x->file < y->file ? -1 : 1;
    }

    return x->line < y->line ? -1 : (x->line > y->line);
}


static const char  *cmp_what[] = {
    "missing at the collector",
    "missing in the servers' files",
    "duplicate at the collector"
};


static void
cmp_print(cmp_t *c)
{
    char              ts[CONSENT_TS_LEN + 1];
    size_t            i;
    const cmp_rec_t  *r;

    for (i = 0; i < c->nmiss; i++) {
        r = c->miss[i].rec;

        if (consent_ts_format(r->ts_ms, ts) != 0) {
            ts[0] = '\0';
        }

        printf("%s:%" PRIu64 ": %s: %s %s id %s (chain %.8s seq %" PRIu64
               ")\n", c->files[r->file], r->line, cmp_what[c->miss[i].what],
               ts, r->action, r->id, r->chain, r->seq);
    }

    if (c->nmiss == 0 && c->bad == 0) {
        printf("OK: %" PRIu64 " consent records in %" PRIu64 " server "
               "file%s, every one at the collector (%" PRIu64 " in %" PRIu64
               " file%s), none missing, none twice\n",
               c->count[CMP_LOCAL], c->nfiles_side[CMP_LOCAL],
               c->nfiles_side[CMP_LOCAL] == 1 ? "" : "s",
               c->count[CMP_COLLECTOR], c->nfiles_side[CMP_COLLECTOR],
               c->nfiles_side[CMP_COLLECTOR] == 1 ? "" : "s");
        return;
    }

    printf("FAILED: %" PRIu64 " missing at the collector, %" PRIu64
           " missing in the servers' files, %" PRIu64 " twice at the "
           "collector, %" PRIu64 " lines not counted; %" PRIu64 " consent "
           "records in the servers' files, %" PRIu64 " at the collector\n",
           c->found[CMP_MISSING_COLLECTOR], c->found[CMP_MISSING_LOCAL],
           c->found[CMP_DUPLICATE], c->bad, c->count[CMP_LOCAL],
           c->count[CMP_COLLECTOR]);
}


static void
cmp_print_json(cmp_t *c)
{
    char              ts[CONSENT_TS_LEN + 1];
    char             *s;
    size_t            i;
    json_t           *root, *lists[3], *o;
    const cmp_rec_t  *r;

    root = json_object();

    for (i = 0; i < 3; i++) {
        lists[i] = json_array();
    }

    for (i = 0; i < c->nmiss; i++) {
        r = c->miss[i].rec;

        if (consent_ts_format(r->ts_ms, ts) != 0) {
            ts[0] = '\0';
        }

        o = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:I}",
                      "file", c->files[r->file],
                      "line", (json_int_t) r->line,
                      "ts", ts, "id", r->id, "action", r->action,
                      "chain", r->chain, "seq", (json_int_t) r->seq);

        json_array_append_new(lists[c->miss[i].what], o);
    }

    json_object_set_new(root, "ok",
                        json_boolean(c->nmiss == 0 && c->bad == 0));
    json_object_set_new(root, "server_records",
                        json_integer((json_int_t) c->count[CMP_LOCAL]));
    json_object_set_new(root, "collector_records",
                        json_integer((json_int_t) c->count[CMP_COLLECTOR]));
    json_object_set_new(root, "lines_not_counted",
                        json_integer((json_int_t) c->bad));
    json_object_set_new(root, "missing_at_collector", lists[0]);
    json_object_set_new(root, "missing_in_server_files", lists[1]);
    json_object_set_new(root, "duplicates_at_collector", lists[2]);

    s = json_dumps(root, JSON_COMPACT);
    if (s) {
        printf("%s\n", s);
        free(s);
    }

    json_decref(root);
}


static int
cmp_usage(const char *fmt, const char *arg)
{
    fputs("consent-audit compare: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nRun \"consent-audit compare --help\" for usage.\n", stderr);

    return CMP_USAGE;
}


/* "2026-11-01", "...T12:00Z", "...T12:00:00Z", "...T12:00:00.250Z" */

static int
cmp_time(const char *s, int64_t *ms)
{
    char    buf[CONSENT_TS_LEN + 1];
    size_t  len;

    len = strlen(s);

    /* completed to the one form consent_ts_parse() reads */

    if (len == 10) {
        snprintf(buf, sizeof(buf), "%sT00:00:00.000Z", s);

    } else if (len == 17 && s[16] == 'Z') {
        snprintf(buf, sizeof(buf), "%.16s:00.000Z", s);

    } else if (len == 20 && s[19] == 'Z') {
        snprintf(buf, sizeof(buf), "%.19s.000Z", s);

    } else if (len == CONSENT_TS_LEN) {
        snprintf(buf, sizeof(buf), "%s", s);

    } else {
        return -1;
    }

    return consent_ts_parse(buf, strlen(buf), ms);
}

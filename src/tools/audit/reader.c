
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Reading the log: files plain or gzip-compressed, line by line in
 * constant memory, each line given to the verifier and, as a consent
 * record, to the command's handler; problems and notes kept or printed.
 */


#define _GNU_SOURCE             /* memmem() */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/audit/audit.h"


static int audit_reader_open(audit_reader_t *r, const char *name);
static void audit_reader_close(audit_reader_t *r);
static int audit_reader_fill(audit_reader_t *r);
static int audit_is_binary(const unsigned char *p, size_t n);
static int audit_reader_next(audit_reader_t *r);
static int audit_scan_file(audit_t *a, const char *name);
static void audit_feed(audit_t *a, const char *file, audit_reader_t *r);
static int audit_rec_view(audit_rec_t *r, json_t *root);
static void audit_problem(audit_t *a, const char *file, uint64_t line,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void audit_verify_problem(void *data, const char *file,
    uint64_t line, const char *msg);
static void audit_verify_info(void *data, const char *file, uint64_t line,
    const char *msg);
static int audit_keep(audit_msg_t **list, size_t *n, size_t max,
    const char *file, uint64_t line, const char *msg);
static void audit_print_problem(audit_t *a, const char *file, uint64_t line,
    const char *msg);

static int
audit_reader_open(audit_reader_t *r, const char *name)
{
    int  fd;

    memset(r, 0, sizeof(audit_reader_t));

    r->name = name;
    r->buf = malloc(AUDIT_READ_BUF);
    r->line = malloc(CONSENT_RECORD_MAX + 1);

    if (r->buf == NULL || r->line == NULL) {
        snprintf(r->err, sizeof(r->err), "out of memory");
        r->io_error = 1;
        return -1;
    }

    if (strcmp(name, "-") == 0) {
        fd = dup(STDIN_FILENO);
        r->gz = fd >= 0 ? gzdopen(fd, "rb") : NULL;

        if (r->gz == NULL && fd >= 0) {
            close(fd);
        }

    } else {
        errno = 0;
        r->gz = gzopen(name, "rb");
    }

    if (r->gz == NULL) {
        snprintf(r->err, sizeof(r->err), "%s",
                 errno ? strerror(errno) : "cannot open");
        r->io_error = 1;
        return -1;
    }

    gzbuffer(r->gz, AUDIT_READ_BUF);

    return 0;
}


static void
audit_reader_close(audit_reader_t *r)
{
    if (r->gz) {
        gzclose(r->gz);
    }

    free(r->buf);
    free(r->line);

    r->gz = NULL;
    r->buf = NULL;
    r->line = NULL;
}


/* 1 data, 0 end of file, -1 error (r->err; r->io_error for the system) */
static int
audit_reader_fill(audit_reader_t *r)
{
    int          n, errnum;
    const char  *msg;

    if (r->eof) {
        return 0;
    }

    errno = 0;
    n = gzread(r->gz, r->buf, AUDIT_READ_BUF);

    if (n > 0) {
        r->pos = 0;
        r->end = (size_t) n;

        if (!r->filled) {
            r->filled = 1;
            r->binary = audit_is_binary(r->buf, r->end);
        }

        return 1;
    }

    r->eof = 1;

    if (n == 0) {
        return 0;
    }

    msg = gzerror(r->gz, &errnum);

    if (errnum == Z_ERRNO) {
        snprintf(r->err, sizeof(r->err), "read error: %s",
                 strerror(errno ? errno : EIO));
        r->io_error = 1;

    } else if (errnum == Z_BUF_ERROR) {
        snprintf(r->err, sizeof(r->err), "compressed data ends early "
                 "(truncated .gz file)");

    } else {
        snprintf(r->err, sizeof(r->err), "compressed data is corrupt (%s)",
                 msg ? msg : "zlib error");
    }

    return -1;
}


/*
 * JSON lines never hold a NUL or other raw control bytes (JSON escapes
 * them): a few in the first bytes mean another kind of file.
 */
static int
audit_is_binary(const unsigned char *p, size_t n)
{
    size_t  i, ctl;

    n = n < 4096 ? n : 4096;
    ctl = 0;

    for (i = 0; i < n; i++) {
        if (p[i] == '\0') {
            return 1;
        }

        if (p[i] < 0x20 && p[i] != '\n' && p[i] != '\r' && p[i] != '\t') {
            ctl++;
        }
    }

    return ctl * 100 > n;
}


/*
 * The next line: 1 with r->line, r->len (at most CONSENT_RECORD_MAX
 * bytes kept, r->full_len is the whole length), 0 at the end, -1 on an
 * error (a partial line read before it is lost, as the error says).
 */
static int
audit_reader_next(audit_reader_t *r)
{
    int      rc;
    size_t          n, keep;
    unsigned char  *p, *nl;

    r->len = 0;
    r->full_len = 0;
    r->newline = 0;
    r->nul = 0;

    for ( ;; ) {
        if (r->pos == r->end) {
            rc = audit_reader_fill(r);

            if (rc == 0) {
                if (r->full_len == 0) {
                    return 0;
                }

                r->lineno++;
                return 1;
            }

            if (rc < 0) {
                if (r->full_len) {
                    r->lineno++;
                }

                return -1;
            }
        }

        p = r->buf + r->pos;
        n = r->end - r->pos;

        nl = memchr(p, '\n', n);
        if (nl) {
            n = nl - p;
        }

        if (!r->nul && memchr(p, '\0', n) != NULL) {
            r->nul = 1;
        }

        keep = 0;

        if (r->full_len < CONSENT_RECORD_MAX + 1) {
            keep = CONSENT_RECORD_MAX + 1 - r->full_len;
            keep = keep < n ? keep : n;
            memcpy(r->line + r->len, p, keep);
            r->len += keep;
        }

        r->full_len += n;
        r->pos += n;

        if (nl) {
            r->pos++;
            r->newline = 1;
            r->lineno++;
            return 1;
        }
    }
}


/* the scan: every file in order, every line to the verifier */

int
audit_run(audit_t *a)
{
    size_t                 i;
    int                    rc;
    consent_verify_conf_t  conf;

    memset(&conf, 0, sizeof(consent_verify_conf_t));
    conf.keys = a->ks;
    conf.partial = a->partial;
    conf.keep_policies = a->keep_policies;
    conf.problem = audit_verify_problem;
    conf.info = audit_verify_info;
    conf.data = a;

    a->verify = consent_verify_create(&conf);
    if (a->verify == NULL) {
        fputs("consent-audit: out of memory\n", stderr);
        return AUDIT_IO;
    }

    for (i = 0; i < a->nfiles; i++) {
        rc = audit_scan_file(a, a->files[i]);
        if (rc != 0) {
            return rc;
        }
    }

    consent_verify_finish(a->verify);

    return 0;
}


static int
audit_scan_file(audit_t *a, const char *name)
{
    int             rc;
    audit_reader_t  r;

    if (audit_reader_open(&r, name) != 0) {
        fprintf(stderr, "consent-audit: %s: %s\n", name, r.err);
        audit_reader_close(&r);
        return AUDIT_IO;
    }

    for ( ;; ) {
        rc = audit_reader_next(&r);

        if (rc == 0) {
            break;
        }

        if (rc < 0) {
            if (r.io_error) {
                fprintf(stderr, "consent-audit: %s: %s\n", name, r.err);
                audit_reader_close(&r);
                return AUDIT_IO;
            }

            /* what was decompressed before the damage is still checked */

            if (r.full_len) {
                audit_feed(a, name, &r);
            }

            audit_problem(a, name, r.lineno + (r.full_len ? 0 : 1), "%s",
                          r.err);
            break;
        }

        if (r.lineno == 1 && r.binary) {
            audit_problem(a, name, 1, "binary data, not a consent log "
                          "(file skipped)");
            break;
        }

        audit_feed(a, name, &r);

        /* output to a full disk or a closed pipe: no use reading on */

        if (ferror(stdout)) {
            fprintf(stderr, "consent-audit: writing to standard output: "
                    "%s\n", strerror(errno ? errno : EIO));
            audit_reader_close(&r);
            return AUDIT_IO;
        }
    }

    audit_reader_close(&r);

    return 0;
}


static void
audit_feed(audit_t *a, const char *file, audit_reader_t *r)
{
    int                      rc;
    char                     err[AUDIT_ERR_MAX];
    audit_rec_t              view;
    consent_record_parsed_t  rec;

    if (r->nul) {
        audit_problem(a, file, r->lineno, "binary data (NUL bytes) in %"
                      PRIu64 " bytes, not a log record: skipped",
                      r->full_len);
        a->skipped++;
        return;
    }

    if (r->full_len > CONSENT_RECORD_MAX) {
        audit_problem(a, file, r->lineno, "line is %" PRIu64 " bytes long, "
                      "more than a record can be (%d): skipped",
                      r->full_len, CONSENT_RECORD_MAX);
        a->skipped++;
        return;
    }

    rc = consent_verify_line(a->verify, file, r->lineno, r->line, r->len,
                             !r->newline);

    if (!a->parse || a->handler == NULL) {
        return;
    }

    /* show only parses lines that mention the id */

    if (a->id && memmem(r->line, r->len, a->id, strlen(a->id)) == NULL) {
        return;
    }

    /* the verifier reported a line it could not parse */

    if (consent_record_parse(r->line, r->len, &rec, err, sizeof(err)) != 0) {
        (void) rc;
        return;
    }

    if (strcmp(rec.type, "consent") == 0) {
        memset(&view, 0, sizeof(audit_rec_t));
        view.file = file;
        view.line = r->lineno;
        view.ts_ms = rec.ts_ms;
        view.seq = rec.seq;
        view.raw = r->line;
        view.raw_len = r->len;

        if (audit_rec_view(&view, rec.root) == 0
            && view.ts_ms >= a->since && view.ts_ms < a->until)
        {
            a->handler(a, &view);
        }
    }

    consent_record_parsed_free(&rec);
}


static int
audit_rec_view(audit_rec_t *r, json_t *root)
{
    r->root = root;
    r->ts = audit_json_str(root, "ts");
    r->chain = audit_json_str(root, "chain");
    r->id = audit_json_str(root, "id");
    r->action = audit_json_str(root, "action");
    r->mechanism = audit_json_str(root, "mechanism");
    r->revision = json_integer_value(json_object_get(root, "revision"));
    r->policy = audit_json_str(root, "policy_sha256");
    r->granted = json_object_get(root, "granted");
    r->denied = json_object_get(root, "denied");
    r->gpc = json_is_true(json_object_get(root, "gpc"));
    r->regime = audit_json_str(root, "regime");
    r->lang = audit_json_str(root, "lang");
    r->host = audit_json_str(root, "host");
    r->page = audit_json_str(root, "page");
    r->ua = audit_json_str(root, "ua");
    r->ip = audit_json_str(root, "ip");
    r->kid = audit_json_str(root, "kid");

    return r->id[0] == '\0';
}


const char *
audit_json_str(json_t *root, const char *key)
{
    const char  *s;

    s = json_string_value(json_object_get(root, key));

    return s ? s : "";
}


static void
audit_problem(audit_t *a, const char *file, uint64_t line,
    const char *fmt, ...)
{
    char     msg[AUDIT_ERR_MAX];
    va_list  args;

    va_start(args, fmt);
    vsnprintf(msg, sizeof(msg), fmt, args);
    va_end(args);

    audit_verify_problem(a, file, line, msg);
}


static void
audit_verify_problem(void *data, const char *file, uint64_t line,
    const char *msg)
{
    audit_t  *a = data;

    a->problems++;

    (void) audit_keep(&a->kept, &a->nkept, AUDIT_KEPT_MAX, file, line, msg);

    if (a->print_all || a->shown < AUDIT_SHOWN_MAX) {
        a->shown++;
        audit_print_problem(a, file, line, msg);
    }
}


static void
audit_verify_info(void *data, const char *file, uint64_t line,
    const char *msg)
{
    audit_t  *a = data;

    if (audit_keep(&a->notes, &a->nnotes, AUDIT_NOTES_MAX, file, line, msg)
        != 0)
    {
        a->notes_dropped++;
    }
}


static int
audit_keep(audit_msg_t **list, size_t *n, size_t max, const char *file,
    uint64_t line, const char *msg)
{
    audit_msg_t  *m;

    if (*n >= max) {
        return -1;
    }

    if (*list == NULL) {
        *list = calloc(max, sizeof(audit_msg_t));
        if (*list == NULL) {
            return -1;
        }
    }

    m = &(*list)[*n];
    m->file = strdup(file ? file : "");
    m->msg = strdup(msg);
    m->line = line;

    if (m->file == NULL || m->msg == NULL) {
        free(m->file);
        free(m->msg);
        return -1;
    }

    (*n)++;

    return 0;
}


void
audit_free_msgs(audit_msg_t *list, size_t n)
{
    size_t  i;

    for (i = 0; i < n; i++) {
        free(list[i].file);
        free(list[i].msg);
    }

    free(list);
}


static void
audit_print_problem(audit_t *a, const char *file, uint64_t line,
    const char *msg)
{
    FILE  *f;

    f = a->problem_out ? a->problem_out : stderr;

    if (a->json_problems) {
        fprintf(f, "%s{\"file\":", a->shown > 1 ? "," : "");
        audit_put_json(f, file ? file : "");
        fprintf(f, ",\"line\":%" PRIu64 ",\"message\":", line);
        audit_put_json(f, msg);
        fputs("}\n", f);
        return;
    }

    if (file && line) {
        audit_put_text(f, file);
        fprintf(f, ":%" PRIu64 ": ", line);

    } else if (file && file[0]) {
        audit_put_text(f, file);
        fputs(": ", f);
    }

    audit_put_text(f, msg);
    fputc('\n', f);
}


/* other commands than verify show only the first problems */
void
audit_problems_tail(audit_t *a)
{
    if (a->problems == 0) {
        return;
    }

    if (a->problems > a->shown) {
        fprintf(stderr, "consent-audit: ... and %" PRIu64 " more problems\n",
                a->problems - a->shown);
    }

    fprintf(stderr, "consent-audit: the log is NOT intact (%" PRIu64
            " problems): run \"consent-audit verify\" for all of them\n",
            a->problems);
}

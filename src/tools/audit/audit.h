
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * What the subcommands of consent-audit share: the state of a run, a
 * consent record as the commands see it, the options, and the helpers
 * for arguments, reading the log and writing text, JSON, CSV and HTML.
 * Each subcommand is moving to a file of its own in this directory.
 */


#ifndef _CONSENT_AUDIT_H_INCLUDED_
#define _CONSENT_AUDIT_H_INCLUDED_


#include <stdint.h>
#include <stdio.h>
#include <time.h>             /* the commands read the clock (time()) */

#include <jansson.h>
#include <zlib.h>

#include "consent_policy.h"
#include "consent_record.h"
#include "consent_token.h"
#include "consent_verify.h"


#define AUDIT_OK            0
#define AUDIT_PROBLEMS      1
#define AUDIT_USAGE         2
#define AUDIT_IO            3

#define AUDIT_READ_BUF      65536
#define AUDIT_ERR_MAX       512
#define AUDIT_BUF           64       /* a time or a period label */
#define AUDIT_SHOWN_MAX     10       /* problems printed by other commands */
#define AUDIT_KEPT_MAX      200      /* problems kept for the report */
#define AUDIT_NOTES_MAX     1000
#define AUDIT_CATS_MAX      64
#define AUDIT_LANGS_MAX     64
#define AUDIT_REVS_MAX      1024
#define AUDIT_HASHES_MAX    4        /* policy hashes kept per revision */
#define AUDIT_PERIODS_MAX   20000    /* days: more than 50 years */
#define AUDIT_BARS_MAX      120      /* bars of the chart over time */
#define AUDIT_BARS_HARD_MAX 2000     /* even when asked for with --by */
#define AUDIT_MS_DAY        86400000LL

#define AUDIT_TS_MIN        INT64_MIN
#define AUDIT_TS_MAX        INT64_MAX


enum {
    AUDIT_ACT_GRANT = 0,
    AUDIT_ACT_UPDATE,
    AUDIT_ACT_REJECT,
    AUDIT_ACT_WITHDRAW,
    AUDIT_ACT_OTHER,
    AUDIT_NACTS
};

enum {
    AUDIT_MECH_ACCEPT_ALL = 0,
    AUDIT_MECH_REJECT_ALL,
    AUDIT_MECH_SAVE,
    AUDIT_MECH_WITHDRAW,
    AUDIT_MECH_API,
    AUDIT_MECH_OTHER,
    AUDIT_NMECHS
};

typedef enum {
    AUDIT_BY_NONE = 0,
    AUDIT_BY_DAY,
    AUDIT_BY_WEEK,
    AUDIT_BY_MONTH,
    AUDIT_BY_YEAR
} audit_by_e;

/* a line as read from a log file */
typedef struct {
    const char         *name;
    gzFile              gz;
    unsigned char      *buf;            /* AUDIT_READ_BUF */
    size_t              pos;
    size_t              end;
    int                 eof;
    char               *line;           /* CONSENT_RECORD_MAX + 1 */
    size_t              len;            /* bytes kept in line */
    uint64_t            full_len;       /* bytes of the whole line */
    uint64_t            lineno;
    int                 newline;        /* ended by '\n' */
    int                 nul;            /* has NUL bytes */
    int                 io_error;       /* the system failed reading */
    int                 filled;         /* a block was read */
    int                 binary;         /* the first block is not text */
    char                err[AUDIT_ERR_MAX];
} audit_reader_t;

/* a consent record, as the commands see it */
typedef struct {
    const char         *file;
    uint64_t            line;
    int64_t             ts_ms;
    const char         *ts;
    const char         *chain;
    uint64_t            seq;
    const char         *id;
    const char         *action;
    const char         *mechanism;
    json_int_t          revision;
    const char         *policy;
    json_t             *granted;
    json_t             *denied;
    int                 gpc;
    const char         *regime;         /* "" in records without one */
    const char         *lang;
    const char         *host;
    const char         *page;
    const char         *ua;
    const char         *ip;
    const char         *kid;
    const char         *raw;            /* the line, not NUL-terminated */
    size_t              raw_len;
    json_t             *root;
} audit_rec_t;


typedef struct audit_s  audit_t;

typedef void (*audit_record_pt)(audit_t *a, const audit_rec_t *r);

/* counts of one group of records: all, a revision, a language, a day */
typedef struct {
    int64_t             key;
    uint64_t            records;
    uint64_t            actions[AUDIT_NACTS];
    uint64_t            mechanisms[AUDIT_NMECHS];
    uint64_t            gpc;
    uint64_t            granted[AUDIT_CATS_MAX];
    uint64_t            asked[AUDIT_CATS_MAX];
} audit_counts_t;


typedef struct {
    audit_counts_t      c;
    int64_t             first_ms;
    int64_t             last_ms;
    size_t              nhashes;
    int                 more_hashes;
    char                hashes[AUDIT_HASHES_MAX][CONSENT_HASH_HEX_LEN + 1];
} audit_rev_t;


typedef struct {
    audit_counts_t      c;
    char                name[CONSENT_LANG_MAX + 1];
} audit_lang_t;

/* the bounded tables of stats and report */
typedef struct {
    audit_counts_t      all;
    int64_t             first_ms;
    int64_t             last_ms;

    char                cats[AUDIT_CATS_MAX][CONSENT_ID_MAX + 1];
    size_t              ncats;
    uint64_t            cats_dropped;

    audit_rev_t        *revs;
    size_t              nrevs;
    uint64_t            revs_dropped;

    audit_lang_t       *langs;
    size_t              nlangs;
    audit_lang_t        other_lang;

    audit_by_e          by;
    audit_counts_t     *periods;        /* sorted by key */
    size_t              nperiods;
    size_t              last_period;
    uint64_t            periods_dropped;
} audit_stats_t;


typedef struct {
    char               *file;
    uint64_t            line;
    char               *msg;
} audit_msg_t;


struct audit_s {
    /* options */
    const char         *cmd;
    int                 json;
    const char         *keys_path;
    consent_keyset_t   *ks;
    int                 partial;
    int64_t             since;
    int64_t             until;
    audit_by_e          by;
    const char         *format;
    const char         *html;
    const char         *cookie;
    const char         *cookie_name;
    const char         *id;
    const char         *policy_path;    /* cookies */
    const char         *inventory_path;
    const char         *lang;
    const char         *site;
    int                 hosts;          /* cookies --hosts */
    char              **files;
    size_t              nfiles;

    /* reading */
    consent_verify_t   *verify;
    int                 parse;          /* the command needs records */
    audit_record_pt     handler;
    uint64_t            problems;
    uint64_t            skipped;        /* lines not given to the verifier */
    uint64_t            shown;          /* problems printed */
    int                 print_all;      /* verify: every problem */
    FILE               *problem_out;
    int                 json_problems;  /* verify --json: stream them */

    /* kept for the report and verify --json */
    audit_msg_t        *kept;
    size_t              nkept;
    audit_msg_t        *notes;
    size_t              nnotes;
    uint64_t            notes_dropped;

    /* show */
    uint64_t            found;
    int64_t             cookie_issued;
    uint32_t            cookie_revision;
    uint32_t            cookie_granted;
    const char         *cookie_file;    /* of its record; NULL: none */
    uint64_t            cookie_line;
    int                 cookie_mismatch;
    uint64_t            cookie_later;   /* records of the id after it */
    char                last_action[16];

    /* export */
    uint64_t            rows;

    /* the policies stored in the log are kept (show, report, export) */
    int                 keep_policies;
    char                notice_last[CONSENT_HASH_HEX_LEN
                                    + CONSENT_LANG_FIELD_MAX + 4
                                    + 32];      /* a regime's name */

    /* stats: consent rates (rates.c) */
    struct audit_rates_s *rates;

    audit_stats_t      *stats;
};


typedef struct {
    const char         *name;
    int                 has_arg;
    int                 id;
} audit_opt_t;


/* the options, one table in args.c; a command takes a set of them */
enum {
    OPT_HELP = 1,
    OPT_JSON,
    OPT_KEYS,
    OPT_PARTIAL,
    OPT_COOKIE,
    OPT_COOKIE_NAME,
    OPT_SINCE,
    OPT_UNTIL,
    OPT_BY,
    OPT_FORMAT,
    OPT_HTML,
    OPT_POLICY,
    OPT_INVENTORY,
    OPT_LANG,
    OPT_SITE,
    OPT_HOSTS
};

#define AUDIT_OPT(id)       (1u << (id))


/* consent-audit.c: the help of a command */
void audit_help(const char *cmd);

/* args.c: the command line, files and keys */
int audit_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int audit_parse_args(audit_t *a, int argc, char **argv, unsigned opts);
int audit_open(audit_t *a);
int audit_start(audit_t *a, int argc, char **argv, unsigned opts);
int audit_check_files(audit_t *a);
int audit_load_keys(audit_t *a);

/* reader.c: the log read, verified and handed to a command */
int audit_run(audit_t *a);
void audit_problems_tail(audit_t *a);
void audit_free_msgs(audit_msg_t *list, size_t n);
const char *audit_json_str(json_t *root, const char *key);

/* output.c: text, JSON, HTML and CSV out */
void audit_put_text(FILE *f, const char *s);
void audit_put_json(FILE *f, const char *s);
void audit_put_member(FILE *f, const char *sep_key, const char *s);
void audit_rec_json_choice(FILE *f, const audit_rec_t *r);
void audit_put_html(FILE *f, const char *s);
void audit_put_csv(FILE *f, const char *s);
void audit_put_csv_fields(FILE *f, const char *const *s, size_t n);
void audit_put_list(FILE *f, json_t *list, const char *sep);
const char *audit_pct(uint64_t n, uint64_t of, char *buf, size_t len);
size_t audit_utf8_len(const unsigned char *p);
size_t audit_list_len(json_t *list);

/* time.c: UTC times in and out */
int audit_parse_time(const char *s, int end, int64_t *ms);
void audit_format_ts(int64_t ms, char *out, size_t len);

/* verify.c */
int audit_cmd_verify(audit_t *a, int argc, char **argv);
extern const char audit_help_verify[];

/* export.c */
int audit_cmd_export(audit_t *a, int argc, char **argv);
extern const char audit_help_export[];

/* show.c */
int audit_cmd_show(audit_t *a, int argc, char **argv);
extern const char audit_help_show[];

/* stats.c */
int audit_cmd_stats(audit_t *a, int argc, char **argv);
audit_stats_t *audit_stats_create(audit_by_e by);
void audit_stats_free(audit_stats_t *st);
void audit_stats_record(audit_t *a, const audit_rec_t *r);
int64_t audit_period_key(audit_by_e by, int64_t ms);
void audit_period_label(audit_by_e by, int64_t key, char *out,
    size_t len);
size_t audit_stats_lang_rows(audit_stats_t *st, char **labels,
    audit_counts_t **rows);
const char *audit_by_name(audit_by_e by);
extern const char audit_help_stats[];
extern const char *audit_act_names[AUDIT_NACTS];
extern const char *audit_mech_names[AUDIT_NMECHS];

/* stats-print.c */
void audit_stats_text(audit_stats_t *st);
void audit_stats_json(audit_t *a, audit_stats_t *st);

/* report.c */
int audit_cmd_report(audit_t *a, int argc, char **argv);
extern const char audit_help_report[];

/* report-charts.c */
void audit_report_chart_time(audit_stats_t *st, audit_by_e want,
    FILE *f);
void audit_report_chart_cats(audit_stats_t *st, FILE *f);

/* subcommands and parts of them in their own files */
#include "tools/audit/commands.h"


#endif /* _CONSENT_AUDIT_H_INCLUDED_ */

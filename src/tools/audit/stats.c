
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * consent-audit stats: the bounded tables of counts (per action,
 * mechanism, category, policy revision, language and period) that stats
 * and report fill as the log is read.
 */


#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consent_time.h"
#include "tools/audit/audit.h"


#define AUDIT_STATS_OPTS                                                     \
    (AUDIT_OPT(OPT_JSON) | AUDIT_OPT(OPT_KEYS) | AUDIT_OPT(OPT_PARTIAL)      \
     | AUDIT_OPT(OPT_SINCE) | AUDIT_OPT(OPT_UNTIL) | AUDIT_OPT(OPT_BY))


static void audit_counts_add(audit_stats_t *st, audit_counts_t *c,
    const audit_rec_t *r, const int *cats, const int *granted, size_t n);
static int audit_stats_cat(audit_stats_t *st, const char *name);
static size_t audit_stats_search(const void *base, size_t n, size_t size,
    int64_t key);
static void *audit_stats_insert(void *base, size_t *n, size_t size,
    size_t at, int64_t key);
static audit_rev_t *audit_stats_rev(audit_stats_t *st, json_int_t rev);
static audit_lang_t *audit_stats_lang(audit_stats_t *st, const char *lang);
static audit_counts_t *audit_stats_period(audit_stats_t *st, int64_t key);

const char audit_help_stats[] =
"usage: consent-audit stats [--since T] [--until T] [--by PERIOD]\n"
"                           [--keys FILE] [--json] LOG...\n"
"\n"
"Counts consent records: per action (grant, update, reject, withdraw)\n"
"and mechanism (accept_all, reject_all, save, withdraw, api), records\n"
"with Global Privacy Control, and the acceptance rate of every category\n"
"(records that granted it / records that asked about it; withdrawals\n"
"count as choices that deny every optional category), in total, per\n"
"policy revision (with its hash), per language, and with --by per\n"
"period.  Then the consent rates: of the choices, those that accepted\n"
"all, refused all (reject, withdraw) or chose some, in total, with and\n"
"without GPC and per language; choices by action; per category granted\n"
"and refused.  The log has no banners shown: the rate per banner shown\n"
"is the consent_status endpoint's.\n"
"\n"
"options:\n"
"  --since T    only records at or after T\n"
"  --until T    only records before T; a date alone means the end of\n"
"               that day (--since 2026-11-01 --until 2026-11-30 is\n"
"               November)\n"
"  --by PERIOD  day, week (ISO 8601, Monday first) or month\n"
"  --keys FILE  check HMACs while reading\n"
"  --partial    older rotations were deleted (as for verify)\n"
"  --json       one JSON object\n"
"\n"
"T is a UTC date or time: 2026-11-28, 2026-11-28T03:19,\n"
"2026-11-28T03:19:58 or 2026-11-28T03:19:58.123Z.\n"
"\n"
"The log is verified as it is read; problems are printed on standard\n"
"error and make the exit status 1.  Exit status: 0 ok, 1 problems,\n"
"2 usage, 3 I/O error.\n";

const char *audit_act_names[AUDIT_NACTS] = {
    "grant", "update", "reject", "withdraw", "other"
};

const char *audit_mech_names[AUDIT_NMECHS] = {
    "accept_all", "reject_all", "save", "withdraw", "api", "other"
};


int
audit_cmd_stats(audit_t *a, int argc, char **argv)
{
    int                       rc;

    rc = audit_start(a, argc, argv, AUDIT_STATS_OPTS);
    if (rc != 0) {
        return rc < 0 ? AUDIT_OK : rc;
    }

    a->stats = audit_stats_create(a->by);
    if (a->stats == NULL) {
        fputs("consent-audit: out of memory\n", stderr);
        return AUDIT_IO;
    }

    a->parse = 1;
    a->handler = audit_stats_record;

    if (audit_rates_create(a) != 0) {
        fputs("consent-audit: out of memory\n", stderr);
        return AUDIT_IO;
    }

    rc = audit_run(a);
    if (rc != 0) {
        return rc;
    }

    if (a->json) {
        audit_stats_json(a, a->stats);

    } else {
        audit_stats_text(a->stats);
        audit_rates_text(a, stdout);
    }

    audit_problems_tail(a);

    return a->problems ? AUDIT_PROBLEMS : AUDIT_OK;
}


audit_stats_t *
audit_stats_create(audit_by_e by)
{
    audit_stats_t  *st;

    st = calloc(1, sizeof(audit_stats_t));
    if (st == NULL) {
        return NULL;
    }

    st->revs = calloc(AUDIT_REVS_MAX, sizeof(audit_rev_t));
    st->langs = calloc(AUDIT_LANGS_MAX, sizeof(audit_lang_t));

    if (st->revs == NULL || st->langs == NULL) {
        audit_stats_free(st);
        return NULL;
    }

    st->by = by;
    st->first_ms = -1;
    st->last_ms = -1;
    snprintf(st->other_lang.name, sizeof(st->other_lang.name), "(other)");

    return st;
}


void
audit_stats_free(audit_stats_t *st)
{
    if (st == NULL) {
        return;
    }

    free(st->revs);
    free(st->langs);
    free(st->periods);
    free(st);
}


void
audit_stats_record(audit_t *a, const audit_rec_t *r)
{
    int             cats[2 * CONSENT_MAX_CATEGORIES];
    int             granted[2 * CONSENT_MAX_CATEGORIES];
    size_t          i, n, ng, nd;
    const char     *s;
    audit_rev_t    *rev;
    audit_lang_t   *lang;
    audit_stats_t  *st;
    audit_counts_t *period;

    st = a->stats;

    /* the categories asked about, granted first */

    n = 0;
    ng = json_array_size(r->granted);
    nd = json_array_size(r->denied);

    for (i = 0; i < ng + nd && n < 2 * CONSENT_MAX_CATEGORIES; i++) {
        s = json_string_value(i < ng ? json_array_get(r->granted, i)
                                     : json_array_get(r->denied, i - ng));
        if (s == NULL) {
            continue;
        }

        cats[n] = audit_stats_cat(st, s);
        if (cats[n] < 0) {
            continue;
        }

        granted[n] = i < ng;
        n++;
    }

    if (st->first_ms < 0 || r->ts_ms < st->first_ms) {
        st->first_ms = r->ts_ms;
    }

    if (r->ts_ms > st->last_ms) {
        st->last_ms = r->ts_ms;
    }

    audit_counts_add(st, &st->all, r, cats, granted, n);

    rev = audit_stats_rev(st, r->revision);

    if (rev) {
        audit_counts_add(st, &rev->c, r, cats, granted, n);

        if (rev->first_ms < 0 || r->ts_ms < rev->first_ms) {
            rev->first_ms = r->ts_ms;
        }

        if (r->ts_ms > rev->last_ms) {
            rev->last_ms = r->ts_ms;
        }

        for (i = 0; i < rev->nhashes; i++) {
            if (strcmp(rev->hashes[i], r->policy) == 0) {
                break;
            }
        }

        if (i == rev->nhashes) {
            if (rev->nhashes < AUDIT_HASHES_MAX
                && strlen(r->policy) <= CONSENT_HASH_HEX_LEN)
            {
                memcpy(rev->hashes[rev->nhashes++], r->policy,
                       strlen(r->policy) + 1);

            } else {
                rev->more_hashes = 1;
            }
        }
    }

    lang = audit_stats_lang(st, r->lang);
    audit_counts_add(st, &lang->c, r, cats, granted, n);

    if (st->by != AUDIT_BY_NONE) {
        period = audit_stats_period(st, audit_period_key(st->by, r->ts_ms));

        if (period) {
            audit_counts_add(st, period, r, cats, granted, n);
        }
    }

    if (a->rates) {
        audit_rates_record(a, r);
    }
}


static void
audit_counts_add(audit_stats_t *st, audit_counts_t *c, const audit_rec_t *r,
    const int *cats, const int *granted, size_t n)
{
    size_t  i;

    c->records++;

    for (i = 0; i < AUDIT_ACT_OTHER; i++) {
        if (strcmp(r->action, audit_act_names[i]) == 0) {
            break;
        }
    }

    c->actions[i]++;

    for (i = 0; i < AUDIT_MECH_OTHER; i++) {
        if (strcmp(r->mechanism, audit_mech_names[i]) == 0) {
            break;
        }
    }

    c->mechanisms[i]++;

    if (r->gpc) {
        c->gpc++;
    }

    for (i = 0; i < n; i++) {
        c->asked[cats[i]]++;

        if (granted[i]) {
            c->granted[cats[i]]++;
        }
    }
}


static int
audit_stats_cat(audit_stats_t *st, const char *name)
{
    size_t  i, len;

    for (i = 0; i < st->ncats; i++) {
        if (strcmp(st->cats[i], name) == 0) {
            return (int) i;
        }
    }

    len = strlen(name);

    if (st->ncats == AUDIT_CATS_MAX || len > CONSENT_ID_MAX) {
        st->cats_dropped++;
        return -1;
    }

    memcpy(st->cats[st->ncats], name, len + 1);

    return (int) st->ncats++;
}


/*
 * The revisions and the periods are arrays sorted by key, whose
 * elements start with their audit_counts_t (and so its key): the index
 * of key in one of n elements of size bytes, or where it goes
 */

static size_t
audit_stats_search(const void *base, size_t n, size_t size, int64_t key)
{
    size_t                 lo, hi, mid;
    const audit_counts_t  *c;

    lo = 0;
    hi = n;

    while (lo < hi) {
        mid = (lo + hi) / 2;
        c = (const audit_counts_t *) ((const char *) base + mid * size);

        if (c->key < key) {
            lo = mid + 1;

        } else {
            hi = mid;
        }
    }

    return lo;
}


/* a new element of key at index at, zeroed; the caller checked the room */

static void *
audit_stats_insert(void *base, size_t *n, size_t size, size_t at,
    int64_t key)
{
    char            *p;
    audit_counts_t  *c;

    p = (char *) base + at * size;

    memmove(p + size, p, (*n - at) * size);
    (*n)++;

    memset(p, 0, size);
    c = (audit_counts_t *) p;
    c->key = key;

    return p;
}


static audit_rev_t *
audit_stats_rev(audit_stats_t *st, json_int_t revision)
{
    size_t        lo;
    audit_rev_t  *rev;

    lo = audit_stats_search(st->revs, st->nrevs, sizeof(audit_rev_t),
                            revision);

    if (lo < st->nrevs && st->revs[lo].c.key == revision) {
        return &st->revs[lo];
    }

    if (st->nrevs == AUDIT_REVS_MAX) {
        st->revs_dropped++;
        return NULL;
    }

    rev = audit_stats_insert(st->revs, &st->nrevs, sizeof(audit_rev_t), lo,
                             revision);
    rev->first_ms = -1;
    rev->last_ms = -1;

    return rev;
}


static audit_lang_t *
audit_stats_lang(audit_stats_t *st, const char *lang)
{
    size_t         i, len;
    audit_lang_t  *l;

    for (i = 0; i < st->nlangs; i++) {
        if (strcmp(st->langs[i].name, lang) == 0) {
            return &st->langs[i];
        }
    }

    len = strlen(lang);

    if (st->nlangs == AUDIT_LANGS_MAX || len > CONSENT_LANG_MAX) {
        return &st->other_lang;
    }

    l = &st->langs[st->nlangs++];
    memcpy(l->name, lang, len + 1);

    return l;
}


/* records come nearly in time order: the last period is tried first */
static audit_counts_t *
audit_stats_period(audit_stats_t *st, int64_t key)
{
    size_t           lo;
    audit_counts_t  *p;

    if (st->last_period < st->nperiods
        && st->periods[st->last_period].key == key)
    {
        return &st->periods[st->last_period];
    }

    lo = audit_stats_search(st->periods, st->nperiods,
                            sizeof(audit_counts_t), key);

    if (lo < st->nperiods && st->periods[lo].key == key) {
        st->last_period = lo;
        return &st->periods[lo];
    }

    if (st->nperiods == AUDIT_PERIODS_MAX) {
        st->periods_dropped++;
        return NULL;
    }

    if (st->periods == NULL) {
        st->periods = calloc(AUDIT_PERIODS_MAX, sizeof(audit_counts_t));
        if (st->periods == NULL) {
            st->periods_dropped++;
            return NULL;
        }
    }

    p = audit_stats_insert(st->periods, &st->nperiods,
                           sizeof(audit_counts_t), lo, key);
    st->last_period = lo;

    return p;
}


/* day number, the day number of the Monday of the ISO week, or month */
int64_t
audit_period_key(audit_by_e by, int64_t ms)
{
    int64_t   days, y;
    unsigned  m, d;

    days = ms / AUDIT_MS_DAY;

    switch (by) {

    case AUDIT_BY_WEEK:
        /* 1970-01-01 was a Thursday */
        return days - ((days + 3) % 7);

    case AUDIT_BY_MONTH:
        consent_civil_from_days(days, &y, &m, &d);
        return y * 12 + (m - 1);

    case AUDIT_BY_YEAR:
        consent_civil_from_days(days, &y, &m, &d);
        return y;

    default:
        return days;
    }
}


/*
 * The per-language rows of a table (text and HTML report alike): a label
 * of at most AUDIT_BUF bytes and the counts of each language, then the
 * languages past AUDIT_LANGS_MAX together; labels and rows hold
 * st->nlangs + 1 entries.  Returns how many rows it filled.
 */

size_t
audit_stats_lang_rows(audit_stats_t *st, char **labels,
    audit_counts_t **rows)
{
    size_t  k;

    for (k = 0; k < st->nlangs; k++) {
        snprintf(labels[k], AUDIT_BUF, "%s", st->langs[k].name[0]
                 ? st->langs[k].name : "(none)");
        rows[k] = &st->langs[k].c;
    }

    if (st->other_lang.c.records) {
        snprintf(labels[k], AUDIT_BUF, "%s", st->other_lang.name);
        rows[k++] = &st->other_lang.c;
    }

    return k;
}


void
audit_period_label(audit_by_e by, int64_t key, char *out, size_t len)
{
    int64_t   y, thursday;
    unsigned  m, d;

    switch (by) {

    case AUDIT_BY_WEEK:
        /* the ISO year of a week is the year of its Thursday */
        thursday = key + 3;
        consent_civil_from_days(thursday, &y, &m, &d);
        snprintf(out, len, "%04" PRId64 "-W%02d", y,
                 (int) ((thursday - consent_days_from_civil(y, 1, 1)) / 7
                        + 1));
        return;

    case AUDIT_BY_MONTH:
        snprintf(out, len, "%04" PRId64 "-%02d", key / 12,
                 (int) (key % 12) + 1);
        return;

    case AUDIT_BY_YEAR:
        snprintf(out, len, "%04" PRId64, key);
        return;

    default:
        consent_civil_from_days(key, &y, &m, &d);
        snprintf(out, len, "%04" PRId64 "-%02u-%02u", y, m, d);
        return;
    }
}


const char *
audit_by_name(audit_by_e by)
{
    switch (by) {

    case AUDIT_BY_DAY:
        return "day";

    case AUDIT_BY_WEEK:
        return "week";

    case AUDIT_BY_MONTH:
        return "month";

    case AUDIT_BY_YEAR:
        return "year";

    default:
        return "none";
    }
}


/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The consent rates of "consent-audit stats": of the choices in the
 * log, how many accepted every category, refused every optional one or
 * chose some; per category granted and refused; per language and with
 * or without Global Privacy Control.  The log holds choices only: the
 * banners shown (the denominator of a rate over visitors) are counted
 * by the consent_status endpoint of the running servers.
 */


#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "tools/audit/audit.h"


#define AUDIT_RATE_ALL      0       /* no category denied */
#define AUDIT_RATE_NONE     1       /* reject or withdraw */
#define AUDIT_RATE_SOME     2
#define AUDIT_RATE_N        3


typedef struct {
    uint64_t            choices;
    uint64_t            kind[AUDIT_RATE_N];
} audit_rate_t;


typedef struct {
    char                name[CONSENT_ID_MAX + 1];
    uint64_t            granted;
    uint64_t            refused;
} audit_rate_cat_t;


typedef struct {
    char                name[CONSENT_LANG_FIELD_MAX + 1];
    audit_rate_t        r;
} audit_rate_lang_t;


typedef struct audit_rates_s {
    audit_rate_t        all;
    uint64_t            actions[5];     /* grant update reject withdraw
                                           other */
    audit_rate_t        gpc[2];         /* without, with */
    audit_rate_cat_t    cats[AUDIT_CATS_MAX];
    size_t              ncats;
    uint64_t            cats_dropped;
    audit_rate_lang_t   langs[AUDIT_LANGS_MAX];
    size_t              nlangs;
    audit_rate_lang_t   other_lang;     /* beyond AUDIT_LANGS_MAX */
} audit_rates_t;


static void audit_rates_add(audit_rate_t *rt, int kind);
static void audit_rates_cat(audit_rates_t *rs, const char *name,
    int granted);
static void audit_rates_row(FILE *f, const char *label,
    const audit_rate_t *rt);
static void audit_rates_row_json(FILE *f, const audit_rate_t *rt);


static const char  *audit_rate_names[AUDIT_RATE_N] = {
    "accepted_all", "refused_all", "some"
};

static const char  *audit_rate_actions[5] = {
    "grant", "update", "reject", "withdraw", "other"
};


int
audit_rates_create(audit_t *a)
{
    a->rates = calloc(1, sizeof(audit_rates_t));

    if (a->rates == NULL) {
        return -1;
    }

    memcpy(a->rates->other_lang.name, "other", sizeof("other"));

    return 0;
}


void
audit_rates_free(audit_t *a)
{
    free(a->rates);
    a->rates = NULL;
}


void
audit_rates_record(audit_t *a, const audit_rec_t *r)
{
    int                 kind, act;
    size_t              i, ng, nd;
    audit_rates_t      *rs;
    audit_rate_lang_t  *lang;

    rs = a->rates;

    ng = json_array_size(r->granted);
    nd = json_array_size(r->denied);

    /*
     * "reject" and "withdraw" leave only the required categories, which
     * a record lists as granted; nothing denied is everything accepted
     */

    if (strcmp(r->action, "reject") == 0
        || strcmp(r->action, "withdraw") == 0)
    {
        kind = AUDIT_RATE_NONE;

    } else if (nd == 0) {
        kind = AUDIT_RATE_ALL;

    } else {
        kind = AUDIT_RATE_SOME;
    }

    for (act = 0; act < 4; act++) {
        if (strcmp(r->action, audit_rate_actions[act]) == 0) {
            break;
        }
    }

    rs->actions[act]++;

    audit_rates_add(&rs->all, kind);
    audit_rates_add(&rs->gpc[r->gpc ? 1 : 0], kind);

    for (i = 0; i < ng + nd; i++) {
        audit_rates_cat(rs, json_string_value(
                            i < ng ? json_array_get(r->granted, i)
                                   : json_array_get(r->denied, i - ng)),
                        i < ng);
    }

    lang = NULL;

    for (i = 0; i < rs->nlangs; i++) {
        if (strcmp(rs->langs[i].name, r->lang) == 0) {
            lang = &rs->langs[i];
            break;
        }
    }

    if (lang == NULL) {
        if (rs->nlangs < AUDIT_LANGS_MAX
            && strlen(r->lang) < sizeof(lang->name))
        {
            lang = &rs->langs[rs->nlangs++];
            memcpy(lang->name, r->lang, strlen(r->lang) + 1);

        } else {
            lang = &rs->other_lang;
        }
    }

    audit_rates_add(&lang->r, kind);
}


void
audit_rates_text(audit_t *a, FILE *f)
{
    int             k;
    char            pct[16], label[CONSENT_LANG_FIELD_MAX + 8];
    size_t          i;
    uint64_t        asked;
    audit_rates_t  *rs;

    rs = a->rates;

    if (rs == NULL) {
        return;
    }

    fprintf(f, "\nconsent rates, of the %" PRIu64 " choices in the log\n"
            "                  choices   accepted all     refused all"
            "     chose some\n", rs->all.choices);

    audit_rates_row(f, "all", &rs->all);
    audit_rates_row(f, "with GPC", &rs->gpc[1]);
    audit_rates_row(f, "without GPC", &rs->gpc[0]);

    for (i = 0; i < rs->nlangs + (rs->other_lang.r.choices != 0); i++) {
        (void) snprintf(label, sizeof(label), "lang %s",
                        i < rs->nlangs ? rs->langs[i].name[0]
                                         ? rs->langs[i].name : "-"
                                       : rs->other_lang.name);
        audit_rates_row(f, label, i < rs->nlangs ? &rs->langs[i].r
                                                 : &rs->other_lang.r);
    }

    fputs("\nchoices by action", f);

    for (k = 0; k < 5; k++) {
        if (k < 4 || rs->actions[k]) {
            fprintf(f, "  %s %" PRIu64 " (%s)", audit_rate_actions[k],
                    rs->actions[k],
                    audit_pct(rs->actions[k], rs->all.choices, pct,
                              sizeof(pct)));
        }
    }

    fputs("\n\nper category      granted   refused   granted of asked\n",
          f);

    for (i = 0; i < rs->ncats; i++) {
        asked = rs->cats[i].granted + rs->cats[i].refused;
        fprintf(f, "  %-15s %7" PRIu64 "   %7" PRIu64 "   %s\n",
                rs->cats[i].name, rs->cats[i].granted, rs->cats[i].refused,
                audit_pct(rs->cats[i].granted, asked, pct, sizeof(pct)));
    }

    fputs("\nThe log holds the choices, not the banners shown: the rate "
          "of choices per banner\nshown (per language) is counted live by "
          "the servers' consent_status endpoint.\n", f);
}


/* the figures of audit_rates_text() again, one writer per format */

void
audit_rates_json(audit_t *a, FILE *f)
{
    int             k;
    size_t          i;
    audit_rates_t  *rs;

    rs = a->rates;

    if (rs == NULL) {
        return;
    }

    fputs(",\n\"rates\":{\"all\":", f);
    audit_rates_row_json(f, &rs->all);
    fputs(",\"with_gpc\":", f);
    audit_rates_row_json(f, &rs->gpc[1]);
    fputs(",\"without_gpc\":", f);
    audit_rates_row_json(f, &rs->gpc[0]);

    fputs(",\"actions\":{", f);

    for (k = 0; k < 5; k++) {
        fprintf(f, "%s\"%s\":%" PRIu64, k ? "," : "", audit_rate_actions[k],
                rs->actions[k]);
    }

    fputs("},\"categories\":[", f);

    for (i = 0; i < rs->ncats; i++) {
        fprintf(f, "%s{\"category\":", i ? "," : "");
        audit_put_json(f, rs->cats[i].name);
        fprintf(f, ",\"granted\":%" PRIu64 ",\"refused\":%" PRIu64 "}",
                rs->cats[i].granted, rs->cats[i].refused);
    }

    fputs("],\"languages\":[", f);

    for (i = 0; i < rs->nlangs; i++) {
        fprintf(f, "%s{\"lang\":", i ? "," : "");
        audit_put_json(f, rs->langs[i].name);
        fputs(",\"choices\":", f);
        audit_rates_row_json(f, &rs->langs[i].r);
        fputs("}", f);
    }

    if (rs->other_lang.r.choices) {
        fprintf(f, "%s{\"lang\":null,\"choices\":", rs->nlangs ? "," : "");
        audit_rates_row_json(f, &rs->other_lang.r);
        fputs("}", f);
    }

    fprintf(f, "],\"categories_not_counted\":%" PRIu64 ","
            "\"banners_shown\":null,\"banners_shown_from\":"
            "\"the consent_status endpoint of the servers\"}",
            rs->cats_dropped);
}


static void
audit_rates_add(audit_rate_t *rt, int kind)
{
    rt->choices++;
    rt->kind[kind]++;
}


static void
audit_rates_cat(audit_rates_t *rs, const char *name, int granted)
{
    size_t  i;

    if (name == NULL) {
        return;
    }

    for (i = 0; i < rs->ncats; i++) {
        if (strcmp(rs->cats[i].name, name) == 0) {
            break;
        }
    }

    if (i == rs->ncats) {
        if (rs->ncats == AUDIT_CATS_MAX
            || strlen(name) >= sizeof(rs->cats[0].name))
        {
            rs->cats_dropped++;
            return;
        }

        memcpy(rs->cats[i].name, name, strlen(name) + 1);
        rs->ncats++;
    }

    if (granted) {
        rs->cats[i].granted++;

    } else {
        rs->cats[i].refused++;
    }
}


static void
audit_rates_row(FILE *f, const char *label, const audit_rate_t *rt)
{
    int   k;
    char  pct[16];

    fprintf(f, "  %-15s %7" PRIu64, label, rt->choices);

    for (k = 0; k < AUDIT_RATE_N; k++) {
        fprintf(f, k < AUDIT_RATE_N - 1 ? "   %7" PRIu64 " %-6s"
                                        : "   %7" PRIu64 " %s",
                rt->kind[k],
                audit_pct(rt->kind[k], rt->choices, pct, sizeof(pct)));
    }

    fputs("\n", f);
}


static void
audit_rates_row_json(FILE *f, const audit_rate_t *rt)
{
    int  k;

    fprintf(f, "{\"choices\":%" PRIu64, rt->choices);

    for (k = 0; k < AUDIT_RATE_N; k++) {
        fprintf(f, ",\"%s\":%" PRIu64, audit_rate_names[k], rt->kind[k]);
    }

    fputs("}", f);
}


/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * consent_status.c: the module's metric table, label folding, and the
 * Prometheus text and JSON expositions.
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tap.h"
#include "consent_status.h"
#include "consent_token.h"
#include "consent_request.h"


static const consent_status_metric_t  metrics[] = {
    { "t_plain_total", "A plain counter.", CONSENT_STATUS_COUNTER,
      { NULL, NULL } },
    { "t_labelled_total", "Back\\slash and\nnew line \"quoted\".",
      CONSENT_STATUS_COUNTER, { "language", "reason" } },
    { "t_empty_total", "No samples.", CONSENT_STATUS_COUNTER,
      { "category", NULL } },
    { "t_start_seconds", "A gauge.", CONSENT_STATUS_GAUGE, { NULL, NULL } }
};

static const consent_status_sample_t  samples[] = {
    { 1, { "en", "type" }, 3 },
    { 0, { NULL, NULL }, 18446744073709551615ULL },
    { 1, { "a\"b\\c\nd", "x" }, 0 },
    { 3, { NULL, NULL }, 1700000000 }
};

static const char  expected[] =
    "# HELP t_plain_total A plain counter.\n"
    "# TYPE t_plain_total counter\n"
    "t_plain_total 18446744073709551615\n"
    "# HELP t_labelled_total Back\\\\slash and\\nnew line \"quoted\".\n"
    "# TYPE t_labelled_total counter\n"
    "t_labelled_total{language=\"en\",reason=\"type\"} 3\n"
    "t_labelled_total{language=\"a\\\"b\\\\c\\nd\",reason=\"x\"} 0\n"
    "# HELP t_empty_total No samples.\n"
    "# TYPE t_empty_total counter\n"
    "# HELP t_start_seconds A gauge.\n"
    "# TYPE t_start_seconds gauge\n"
    "t_start_seconds 1700000000\n";


static void
diag_name(const char *name)
{
    printf("# bad: %s\n", name);
}


static void
test_table(void)
{
    size_t  i, j, k, n;
    int     good;

    good = 1;

    for (i = 0; i < CONSENT_STAT_N; i++) {
        const consent_status_metric_t *m = &consent_stat_metrics[i];

        n = strlen(m->name);

        if (!consent_status_valid_name(m->name, 0)
            || strncmp(m->name, "nginx_consent_", 14) != 0
            || m->help == NULL || m->help[0] == '\0')
        {
            good = 0;
            diag_name(m->name);
        }

        /* counters end in _total, as exporters name them; gauges not */

        if ((m->type == CONSENT_STATUS_COUNTER)
            != (n > 6 && strcmp(m->name + n - 6, "_total") == 0))
        {
            good = 0;
            diag_name(m->name);
        }

        for (k = 0; k < CONSENT_STATUS_LABELS_MAX; k++) {
            if (m->labels[k] && !consent_status_valid_name(m->labels[k], 1))
            {
                good = 0;
                diag_name(m->labels[k]);
            }
        }

        for (j = 0; j < i; j++) {
            if (strcmp(consent_stat_metrics[j].name, m->name) == 0) {
                good = 0;
                diag_name(m->name);
            }
        }
    }

    ok(good, "every metric: a valid, unique nginx_consent_ name, help, "
             "_total for counters, valid label names");

    is_int(CONSENT_STAT_N, sizeof(consent_stat_metrics)
                           / sizeof(consent_stat_metrics[0]),
           "the table has every metric");

    /* the fixed label sets say what the core's own names say */

    good = consent_stat_nstates == CONSENT_STATE_OUTDATED + 1;

    for (i = 0; i < consent_stat_nstates; i++) {
        good &= strcmp(consent_stat_states[i],
                       consent_state_name((consent_state_e) i)) == 0;
    }

    ok(good, "states are consent_state_name()'s");

    good = consent_stat_nactions == CONSENT_ACTION_WITHDRAW + 1;

    for (i = 0; i < consent_stat_nactions; i++) {
        good &= strcmp(consent_stat_actions[i],
                       consent_action_name((consent_action_e) i)) == 0;
    }

    ok(good, "actions are consent_action_name()'s");
}


static void
test_names(void)
{
    ok(consent_status_valid_name("a_b:c9", 0), "metric name with a colon");
    ok(!consent_status_valid_name("a:b", 1), "no colon in a label name");
    ok(!consent_status_valid_name("9a", 0), "no digit first");
    ok(!consent_status_valid_name("", 0), "not empty");
    ok(!consent_status_valid_name("a-b", 0), "no dash");
    ok(!consent_status_valid_name("__name", 1), "__ is reserved in labels");
    ok(consent_status_valid_name("_x", 1), "one underscore is fine");
}


static void
test_fold(void)
{
    static const char *const  langs[] = { "en", "es", "pt-BR", "other" };

    is_int(consent_status_fold(langs, 4, "es", 2), 1, "a value found");
    is_int(consent_status_fold(langs, 4, "pt-BR", 5), 2, "another");
    is_int(consent_status_fold(langs, 4, "pt", 2), 3, "a prefix: other");
    is_int(consent_status_fold(langs, 4, "esx", 2), 1, "len counts");
    is_int(consent_status_fold(langs, 4, "other", 5), 3, "other itself");
    is_int(consent_status_fold(langs, 4, "", 0), 3, "empty: other");
    is_int(consent_status_fold(langs, 1, "en", 2), 0, "only other");

    is_str(consent_stat_statuses[consent_stat_status(200)], "200", "200");
    is_str(consent_stat_statuses[consent_stat_status(503)], "503", "503");
    is_str(consent_stat_statuses[consent_stat_status(418)], "other",
           "418 folds into other");
    is_str(consent_stat_statuses[consent_stat_status(0)], "other", "0");
    is_str(consent_stat_statuses[consent_stat_status(99999)], "other",
           "out of range");
}


static void
test_text(void)
{
    char    buf[1024], small[40];
    size_t  n, m;

    n = consent_status_text(NULL, 0, metrics, 4, samples, 4);
    is_int(n, strlen(expected), "length measured without a buffer");

    memset(buf, 0, sizeof(buf));
    m = consent_status_text(buf, sizeof(buf), metrics, 4, samples, 4);
    is_int(m, n, "same length written");
    is_str(buf, expected, "the exposition, escaped, grouped by metric");

    memset(small, 'X', sizeof(small));
    m = consent_status_text(small, sizeof(small) - 8, metrics, 4, samples,
                            4);
    is_int(m, n, "a short buffer: the whole length");
    ok(memcmp(small, expected, sizeof(small) - 8) == 0
       && memcmp(small + sizeof(small) - 8, "XXXXXXXX", 8) == 0,
       "a short buffer: filled, not overrun");

    n = consent_status_text(buf, sizeof(buf), metrics, 1, NULL, 0);
    buf[n] = '\0';
    is_str(buf, "# HELP t_plain_total A plain counter.\n"
                "# TYPE t_plain_total counter\n",
           "no samples: help and type");
}


static void
test_json(void)
{
    char          *s;
    size_t         len;
    json_t        *j, *m, *smp;
    json_error_t   err;

    s = consent_status_json(metrics, 4, samples, 4, &len);
    ok(s != NULL, "JSON made");

    if (s == NULL) {
        return;
    }

    is_int(len, strlen(s), "its length");

    j = json_loads(s, 0, &err);
    ok(j != NULL, "it parses");

    m = json_object_get(j, "t_labelled_total");
    is_str(json_string_value(json_object_get(m, "type")), "counter", "type");
    is_str(json_string_value(json_array_get(json_object_get(m, "labels"),
                                            1)),
           "reason", "label names");
    is_int(json_array_size(json_object_get(m, "samples")), 2, "2 samples");

    smp = json_array_get(json_object_get(m, "samples"), 1);
    is_str(json_string_value(json_object_get(json_object_get(smp, "labels"),
                                             "language")),
           "a\"b\\c\nd", "a label value with quote, backslash, new line");

    m = json_object_get(j, "t_plain_total");
    smp = json_array_get(json_object_get(m, "samples"), 0);
    is_int(json_array_size(json_object_get(smp, "labels")), 0,
           "no labels");
    ok(json_integer_value(json_object_get(smp, "value")) == INT64_MAX,
       "over 2^63-1: kept at JSON's largest integer, never negative");

    m = json_object_get(j, "t_empty_total");
    is_int(json_array_size(json_object_get(m, "samples")), 0,
           "a metric without samples is listed");

    m = json_object_get(j, "t_start_seconds");
    is_str(json_string_value(json_object_get(m, "type")), "gauge", "gauge");

    json_decref(j);
    free(s);
}


int
main(void)
{
    test_table();
    test_names();
    test_fold();
    test_text();
    test_json();

    return done_testing();
}

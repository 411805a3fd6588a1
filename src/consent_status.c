
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The counters' exposition: Prometheus text format and JSON, from a
 * plain array of samples (consent_status.h).
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "consent_status.h"


typedef struct {
    char       *buf;
    size_t      size;
    size_t      len;
} consent_status_out_t;


static void consent_status_put(consent_status_out_t *o, const char *s,
    size_t n);
static void consent_status_puts(consent_status_out_t *o, const char *s);
static void consent_status_escaped(consent_status_out_t *o, const char *s,
    int quote);
static void consent_status_u64(consent_status_out_t *o, uint64_t v);


const char *const  consent_stat_unfiltered[CONSENT_UNF_N] = {
    "type", "status", "empty", "head", "encoding", "charset", "bom",
    "not_html"
};

const char *const  consent_stat_refused[CONSENT_REF_N] = {
    "encoding", "charset", "bom", "escape", "inflate", "inflate_size"
};

/* consent_state_e, as consent_state_name() says them */
const char *const  consent_stat_states[] = {
    "absent", "valid", "invalid", "expired", "outdated"
};

const size_t  consent_stat_nstates =
    sizeof(consent_stat_states) / sizeof(consent_stat_states[0]);

/* consent_action_e, as consent_action_name() says them */
const char *const  consent_stat_actions[] = {
    "none", "accept_all", "reject_all", "save", "withdraw"
};

const size_t  consent_stat_nactions =
    sizeof(consent_stat_actions) / sizeof(consent_stat_actions[0]);

/* what the endpoint answers (docs/endpoint.md), and nginx on its behalf */
const char *const  consent_stat_statuses[] = {
    "200", "204", "303", "304", "400", "403", "404", "405", "408", "413",
    "415", "500", "503", CONSENT_STATUS_OTHER
};

const size_t  consent_stat_nstatuses =
    sizeof(consent_stat_statuses) / sizeof(consent_stat_statuses[0]);

const char *const  consent_stat_decisions[2] = { "granted", "refused" };


const consent_status_metric_t  consent_stat_metrics[CONSENT_STAT_N] = {

    { "nginx_consent_html_responses_total",
      "HTML responses the consent filter read to their end.",
      CONSENT_STATUS_COUNTER, { NULL, NULL } },

    { "nginx_consent_banners_shown_total",
      "HTML responses with the banner shown (no valid consent yet), by "
      "the banner's language.",
      CONSENT_STATUS_COUNTER, { "language", NULL } },

    { "nginx_consent_elements_gated_total",
      "Elements held back by the filter, by category (\"other\": marked "
      "with a category the policy lacks).",
      CONSENT_STATUS_COUNTER, { "category", NULL } },

    { "nginx_consent_fail_closed_tags_total",
      "Tags longer than consent_tag_max, gated without being read.",
      CONSENT_STATUS_COUNTER, { NULL, NULL } },

    { "nginx_consent_unfiltered_responses_total",
      "Responses of consent locations passed on without being read, by "
      "reason.",
      CONSENT_STATUS_COUNTER, { "reason", NULL } },

    { "nginx_consent_refused_responses_total",
      "Responses the filter could not read and did not send (502) or cut "
      "short, by reason.",
      CONSENT_STATUS_COUNTER, { "reason", NULL } },

    { "nginx_consent_choices_total",
      "Consent choices recorded and answered with a cookie, by action "
      "and the visitor's language.",
      CONSENT_STATUS_COUNTER, { "action", "language" } },

    { "nginx_consent_choices_gpc_total",
      "Consent choices made with Global Privacy Control (Sec-GPC: 1), by "
      "action.",
      CONSENT_STATUS_COUNTER, { "action", NULL } },

    { "nginx_consent_choice_categories_total",
      "Categories of the consent choices, granted or refused.",
      CONSENT_STATUS_COUNTER, { "category", "decision" } },

    { "nginx_consent_cookie_states_total",
      "Requests whose consent cookie was read, by the state it was in.",
      CONSENT_STATUS_COUNTER, { "state", NULL } },

    { "nginx_consent_cookies_unknown_key_total",
      "Consent cookies signed with a key id the key file lacks (counted "
      "as invalid too).",
      CONSENT_STATUS_COUNTER, { NULL, NULL } },

    { "nginx_consent_endpoint_responses_total",
      "Responses of the consent endpoint, by status.",
      CONSENT_STATUS_COUNTER, { "status", NULL } },

    { "nginx_consent_log_writes_failed_total",
      "Audit log records or checkpoints a destination did not take, by "
      "destination.",
      CONSENT_STATUS_COUNTER, { "destination", NULL } },

    { "nginx_consent_cookies_stripped_total",
      "Set-Cookie headers removed from responses (category not granted).",
      CONSENT_STATUS_COUNTER, { NULL, NULL } },

    { "nginx_consent_cookies_expired_total",
      "Cookies expired on a refusal or a withdrawal.",
      CONSENT_STATUS_COUNTER, { NULL, NULL } },

    { "nginx_consent_request_cookies_filtered_total",
      "Cookies of requests kept from the application (category not "
      "granted).",
      CONSENT_STATUS_COUNTER, { NULL, NULL } },

    { "nginx_consent_status_start_time_seconds",
      "When these counters began (Unix time): they are kept across "
      "reloads, and begin again when nginx starts.",
      CONSENT_STATUS_GAUGE, { NULL, NULL } }
};


size_t
consent_stat_status(unsigned status)
{
    char  s[8];

    if (status < 100 || status > 999) {
        return consent_stat_nstatuses - 1;
    }

    snprintf(s, sizeof(s), "%u", status);

    return consent_status_fold(consent_stat_statuses,
                               consent_stat_nstatuses, s, 3);
}


size_t
consent_status_fold(const char *const *values, size_t n, const char *value,
    size_t len)
{
    size_t  i;

    for (i = 0; i + 1 < n; i++) {
        if (strlen(values[i]) == len && memcmp(values[i], value, len) == 0)
        {
            return i;
        }
    }

    return n - 1;
}


int
consent_status_valid_name(const char *name, int label)
{
    size_t  i;
    char    c;

    if (name == NULL || name[0] == '\0') {
        return 0;
    }

    for (i = 0; name[i]; i++) {
        c = name[i];

        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'
            || (c == ':' && !label)
            || (c >= '0' && c <= '9' && i > 0))
        {
            continue;
        }

        return 0;
    }

    /* names beginning with __ are Prometheus' own */
    return !(label && name[0] == '_' && name[1] == '_');
}


static void
consent_status_put(consent_status_out_t *o, const char *s, size_t n)
{
    size_t  room;

    if (o->len < o->size) {
        room = o->size - o->len;
        memcpy(o->buf + o->len, s, n < room ? n : room);
    }

    o->len += n;
}


static void
consent_status_puts(consent_status_out_t *o, const char *s)
{
    consent_status_put(o, s, strlen(s));
}


/*
 * The text format escapes a backslash and a line feed in help texts, and
 * a double quote too in label values
 */

static void
consent_status_escaped(consent_status_out_t *o, const char *s, int quote)
{
    const char  *p;

    for (p = s; *p; p++) {

        if (*p == '\\') {
            consent_status_put(o, s, p - s);
            consent_status_puts(o, "\\\\");

        } else if (*p == '\n') {
            consent_status_put(o, s, p - s);
            consent_status_puts(o, "\\n");

        } else if (*p == '"' && quote) {
            consent_status_put(o, s, p - s);
            consent_status_puts(o, "\\\"");

        } else {
            continue;
        }

        s = p + 1;
    }

    consent_status_put(o, s, p - s);
}


static void
consent_status_u64(consent_status_out_t *o, uint64_t v)
{
    char  s[24];
    int   n;

    n = snprintf(s, sizeof(s), "%llu", (unsigned long long) v);

    consent_status_put(o, s, (size_t) n);
}


size_t
consent_status_text(char *buf, size_t size,
    const consent_status_metric_t *metrics, size_t nmetrics,
    const consent_status_sample_t *samples, size_t nsamples)
{
    size_t                          m, i, k, n;
    const consent_status_metric_t  *mt;
    consent_status_out_t            o;

    o.buf = buf;
    o.size = buf ? size : 0;
    o.len = 0;

    for (m = 0; m < nmetrics; m++) {
        mt = &metrics[m];

        consent_status_puts(&o, "# HELP ");
        consent_status_puts(&o, mt->name);
        consent_status_puts(&o, " ");
        consent_status_escaped(&o, mt->help, 0);
        consent_status_puts(&o, "\n# TYPE ");
        consent_status_puts(&o, mt->name);
        consent_status_puts(&o, mt->type == CONSENT_STATUS_GAUGE
                                ? " gauge\n" : " counter\n");

        for (i = 0; i < nsamples; i++) {
            if (samples[i].metric != m) {
                continue;
            }

            consent_status_puts(&o, mt->name);

            for (k = 0, n = 0; k < CONSENT_STATUS_LABELS_MAX; k++) {
                if (mt->labels[k] == NULL) {
                    continue;
                }

                consent_status_puts(&o, n++ ? "," : "{");
                consent_status_puts(&o, mt->labels[k]);
                consent_status_puts(&o, "=\"");
                consent_status_escaped(&o, samples[i].values[k]
                                           ? samples[i].values[k] : "", 1);
                consent_status_puts(&o, "\"");
            }

            consent_status_puts(&o, n ? "} " : " ");
            consent_status_u64(&o, samples[i].value);
            consent_status_puts(&o, "\n");
        }
    }

    return o.len;
}


char *
consent_status_json(const consent_status_metric_t *metrics, size_t nmetrics,
    const consent_status_sample_t *samples, size_t nsamples, size_t *len)
{
    char                           *s;
    size_t                          m, i, k;
    json_t                         *root, *metric, *names, *list, *sample;
    json_t                         *labels;
    const consent_status_metric_t  *mt;

    root = json_object();
    if (root == NULL) {
        return NULL;
    }

    for (m = 0; m < nmetrics; m++) {
        mt = &metrics[m];

        names = json_array();
        list = json_array();

        metric = json_pack("{s:s, s:s, s:o, s:o}",
                           "type", mt->type == CONSENT_STATUS_GAUGE
                                   ? "gauge" : "counter",
                           "help", mt->help,
                           "labels", names,
                           "samples", list);

        if (metric == NULL
            || json_object_set_new(root, mt->name, metric) != 0)
        {
            goto failed;
        }

        for (k = 0; k < CONSENT_STATUS_LABELS_MAX; k++) {
            if (mt->labels[k]
                && json_array_append_new(names,
                                         json_string(mt->labels[k])) != 0)
            {
                goto failed;
            }
        }

        for (i = 0; i < nsamples; i++) {
            if (samples[i].metric != m) {
                continue;
            }

            labels = json_object();
            if (labels == NULL) {
                goto failed;
            }

            sample = json_pack("{s:o, s:I}", "labels", labels, "value",
                               samples[i].value > (uint64_t) INT64_MAX
                               ? (json_int_t) INT64_MAX
                               : (json_int_t) samples[i].value);

            if (sample == NULL || json_array_append_new(list, sample) != 0)
            {
                goto failed;
            }

            for (k = 0; k < CONSENT_STATUS_LABELS_MAX; k++) {
                if (mt->labels[k] == NULL) {
                    continue;
                }

                /* the adapter gives UTF-8 only, as the text format wants */

                if (json_object_set_new(labels, mt->labels[k],
                        json_string(samples[i].values[k]
                                    ? samples[i].values[k] : ""))
                    != 0)
                {
                    goto failed;
                }
            }
        }
    }

    s = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);

    json_decref(root);

    if (s != NULL) {
        *len = strlen(s);
    }

    return s;

failed:

    json_decref(root);

    return NULL;
}


/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The module's counters (the consent_status handler, docs/operations.md,
 * "Metrics"): which metrics there are, their labels and the values a
 * fixed label takes, and their exposition in the Prometheus text format
 * and in JSON.  The counters themselves live in the adapter's shared
 * memory; this file only formats a plain array of them.  Pure C with
 * jansson.
 */


#ifndef _CONSENT_STATUS_H_INCLUDED_
#define _CONSENT_STATUS_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>


#define CONSENT_STATUS_LABELS_MAX  2

/* the label value of whatever a bounded label set does not name */
#define CONSENT_STATUS_OTHER       "other"


typedef enum {
    CONSENT_STATUS_COUNTER = 0,
    CONSENT_STATUS_GAUGE
} consent_status_type_e;


typedef struct {
    const char             *name;
    const char             *help;
    consent_status_type_e   type;
    const char             *labels[CONSENT_STATUS_LABELS_MAX];  /* or NULL */
} consent_status_metric_t;


/* one series: a metric, its label values (C strings), its value */
typedef struct {
    size_t                  metric;     /* index into the metrics */
    const char             *values[CONSENT_STATUS_LABELS_MAX];
    uint64_t                value;
} consent_status_sample_t;


/* the module's metrics, in the order they are exposed */
typedef enum {
    CONSENT_STAT_HTML = 0,          /* HTML responses filtered */
    CONSENT_STAT_BANNER,            /* {language} */
    CONSENT_STAT_GATED,             /* {category} */
    CONSENT_STAT_FAIL_CLOSED,       /* tags gated unseen */
    CONSENT_STAT_UNFILTERED,        /* {reason}: consent_stat_unfiltered_e */
    CONSENT_STAT_REFUSED,           /* {reason}: consent_stat_refused_e */
    CONSENT_STAT_CHOICE,            /* {action, language} */
    CONSENT_STAT_CHOICE_GPC,        /* {action} */
    CONSENT_STAT_CATEGORY,          /* {category, decision} */
    CONSENT_STAT_STATE,             /* {state}: consent_state_e */
    CONSENT_STAT_UNKNOWN_KEY,
    CONSENT_STAT_ENDPOINT,          /* {status} */
    CONSENT_STAT_LOG_FAILED,        /* {destination} */
    CONSENT_STAT_STRIPPED,
    CONSENT_STAT_EXPIRED,
    CONSENT_STAT_FILTERED,
    CONSENT_STAT_START,             /* gauge: when the counters began */
    CONSENT_STAT_N
} consent_stat_e;


/* why a response of a "consent on" location went out unread */
typedef enum {
    CONSENT_UNF_TYPE = 0,           /* not HTML, and not sniffed as HTML */
    CONSENT_UNF_STATUS,             /* 1xx, 204, 206, 304, or no body */
    CONSENT_UNF_EMPTY,              /* a 200 with Content-Length: 0 */
    CONSENT_UNF_HEAD,               /* a HEAD request: no body */
    CONSENT_UNF_ENCODING,           /* unreadable coding, all granted */
    CONSENT_UNF_CHARSET,            /* UTF-16/32, all granted */
    CONSENT_UNF_BOM,                /* UTF-16 BOM, all granted */
    CONSENT_UNF_NOT_HTML,           /* a body a browser would not render */
    CONSENT_UNF_N
} consent_stat_unfiltered_e;


/* why a response was not sent, or cut: fail closed */
typedef enum {
    CONSENT_REF_ENCODING = 0,       /* same order as the filter's kinds */
    CONSENT_REF_CHARSET,
    CONSENT_REF_BOM,
    CONSENT_REF_ESCAPE,             /* an ISO-2022 escape */
    CONSENT_REF_INFLATE,            /* a compressed body that is broken */
    CONSENT_REF_INFLATE_SIZE,       /* over consent_inflate_max_size */
    CONSENT_REF_N
} consent_stat_refused_e;


/* the values of the fixed label sets, "other" last where there is one */
extern const char *const  consent_stat_unfiltered[CONSENT_UNF_N];
extern const char *const  consent_stat_refused[CONSENT_REF_N];
extern const char *const  consent_stat_states[];        /* consent_state_e */
extern const size_t       consent_stat_nstates;
extern const char *const  consent_stat_actions[];       /* consent_action_e */
extern const size_t       consent_stat_nactions;
extern const char *const  consent_stat_statuses[];      /* ends in "other" */
extern const size_t       consent_stat_nstatuses;
extern const char *const  consent_stat_decisions[2];    /* granted, refused */

extern const consent_status_metric_t  consent_stat_metrics[CONSENT_STAT_N];


/* the index of an HTTP status in consent_stat_statuses ("other" last) */
size_t consent_stat_status(unsigned status);

/*
 * The index of the value (len bytes) in values[0..n-1], or n - 1 when it
 * is none of them: the last value is the set's "other"
 */
size_t consent_status_fold(const char *const *values, size_t n,
    const char *value, size_t len);

/* a metric or label name as Prometheus allows: [a-zA-Z_:][a-zA-Z0-9_:]* */
int consent_status_valid_name(const char *name, int label);

/*
 * The Prometheus text exposition format (version 0.0.4): for each
 * metric in order, its # HELP and # TYPE lines, then its samples in the
 * order given; label values and help texts escaped as the format says.
 * Writes at most size bytes into buf (which may be NULL with size 0) and
 * returns the length of the whole text, as snprintf() does, without a
 * terminating NUL.
 */
size_t consent_status_text(char *buf, size_t size,
    const consent_status_metric_t *metrics, size_t nmetrics,
    const consent_status_sample_t *samples, size_t nsamples);

/*
 * The same as a JSON object (docs/operations.md): metric name -> {"type",
 * "help", "labels": [...], "samples": [{"labels": {...}, "value": n}]}.
 * A malloc()ed string of *len bytes, NUL-terminated; NULL when out of
 * memory.
 */
char *consent_status_json(const consent_status_metric_t *metrics,
    size_t nmetrics, const consent_status_sample_t *samples, size_t nsamples,
    size_t *len);


#endif /* _CONSENT_STATUS_H_INCLUDED_ */

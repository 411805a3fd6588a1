
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The counters' exposition (src/consent_status.c).
 *
 * Input: 1 byte of flags (bit 0: a gauge; bits 1-2: how many labels,
 * at most 2; bits 3-7: the value), then the help text, the first and
 * the second label value, separated by NUL bytes.
 *
 * Properties: the length measured without a buffer is the length
 * written, and a short buffer is filled, never overrun; the text is
 * three lines (HELP, TYPE, the sample): no byte of a help text or a
 * label value breaks a line, and unescaping gives them back exactly;
 * the JSON is made exactly when every string is UTF-8, and parses back
 * to the same strings and value; a value folded into a set is found,
 * or is the set's last.
 */


#include <jansson.h>

#include "fuzz.h"
#include "consent_status.h"


static size_t fuzz_unescape(const char *p, const char *end, int quote,
    char *out, const char **stop);


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    return 0;
}


/* the escaped text from p up to an unescaped '"' (quote) or the end */

static size_t
fuzz_unescape(const char *p, const char *end, int quote, char *out,
    const char **stop)
{
    size_t  n;

    for (n = 0; p < end; p++) {

        if (quote && *p == '"') {
            break;
        }

        fuzz_check(*p != '\n', "a raw new line inside a line");

        if (*p == '\\') {
            p++;
            fuzz_check(p < end, "an escape cut short");
            fuzz_check(*p == '\\' || *p == 'n' || (quote && *p == '"'),
                       "an escape the format does not have");
            out[n++] = (*p == 'n') ? '\n' : *p;
            continue;
        }

        fuzz_check(!quote || *p != '"', "a bare quote");
        out[n++] = *p;
    }

    *stop = p;

    return n;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char                     *help, *v[2], *text, *small, *back, *json;
    size_t                    len, n, k, hl, vl[2], nlabels, i;
    unsigned                  flags;
    json_t                   *j, *m, *smp;
    const char               *p, *end, *e, *f;
    fuzz_in_t                 in;
    json_error_t              err;
    consent_status_metric_t   metric;
    consent_status_sample_t   sample;
    const char               *set[3];

    in.p = data;
    in.left = size;

    flags = fuzz_byte(&in);

    f = fuzz_field(&in, '\0', &hl);
    help = fuzz_copy(f, hl);
    f = fuzz_field(&in, '\0', &vl[0]);
    v[0] = fuzz_copy(f, vl[0]);
    f = fuzz_field(&in, '\0', &vl[1]);
    v[1] = fuzz_copy(f, vl[1]);

    nlabels = (flags >> 1) & 3;
    nlabels = nlabels > 2 ? 2 : nlabels;

    metric.name = "fuzz_metric_total";
    metric.help = help;
    metric.type = (flags & 1) ? CONSENT_STATUS_GAUGE
                              : CONSENT_STATUS_COUNTER;
    metric.labels[0] = nlabels > 0 ? "first" : NULL;
    metric.labels[1] = nlabels > 1 ? "second" : NULL;

    sample.metric = 0;
    sample.values[0] = v[0];
    sample.values[1] = v[1];
    sample.value = flags >> 3;

    /* the length, then the text, then a short buffer */

    len = consent_status_text(NULL, 0, &metric, 1, &sample, 1);

    text = malloc(len + 1);
    fuzz_check(text != NULL, "malloc");

    n = consent_status_text(text, len, &metric, 1, &sample, 1);
    fuzz_check(n == len, "the length measured is the length written");
    text[len] = '\0';

    small = malloc(len / 2 + 1);
    fuzz_check(small != NULL, "malloc");
    n = consent_status_text(small, len / 2, &metric, 1, &sample, 1);
    fuzz_check(n == len, "a short buffer: the whole length");
    fuzz_check(memcmp(small, text, len / 2) == 0, "a short buffer: filled");
    free(small);

    /* three lines: HELP, TYPE, the sample */

    back = malloc(len + 1);
    fuzz_check(back != NULL, "malloc");

    end = text + len;
    p = text;

    fuzz_check(strncmp(p, "# HELP fuzz_metric_total ", 25) == 0, "HELP");
    p += 25;
    e = memchr(p, '\n', end - p);
    fuzz_check(e != NULL, "HELP ends");
    k = fuzz_unescape(p, e, 0, back, &f);
    fuzz_check(k == hl && memcmp(back, help, hl) == 0, "the help back");
    p = e + 1;

    f = (flags & 1) ? "# TYPE fuzz_metric_total gauge\n"
                    : "# TYPE fuzz_metric_total counter\n";
    fuzz_check(strncmp(p, f, strlen(f)) == 0, "TYPE");
    p += strlen(f);

    fuzz_check(strncmp(p, "fuzz_metric_total", 17) == 0, "the sample");
    p += 17;

    for (i = 0; i < nlabels; i++) {
        f = (i == 0) ? "{first=\"" : ",second=\"";
        fuzz_check(strncmp(p, f, strlen(f)) == 0, "a label");
        p += strlen(f);
        k = fuzz_unescape(p, end, 1, back, &e);
        fuzz_check(e < end && *e == '"', "a label value ends");
        fuzz_check(k == vl[i] && memcmp(back, v[i], k) == 0,
                   "the label value back");
        p = e + 1;
    }

    if (nlabels) {
        fuzz_check(*p == '}', "labels end");
        p++;
    }

    snprintf(back, len + 1, " %u\n", flags >> 3);
    fuzz_check((size_t) (end - p) == strlen(back)
               && memcmp(p, back, end - p) == 0, "the value, last");

    free(back);
    free(text);

    /* JSON: exactly when every string is UTF-8 */

    j = json_stringn(help, hl);
    k = (j != NULL);
    json_decref(j);

    for (i = 0; i < nlabels; i++) {
        j = json_stringn(v[i], vl[i]);
        k = k && j != NULL;
        json_decref(j);
    }

    json = consent_status_json(&metric, 1, &sample, 1, &n);
    fuzz_check((json != NULL) == (k != 0), "JSON when UTF-8");

    if (json) {
        j = json_loads(json, 0, &err);
        fuzz_check(j != NULL, "the JSON parses");

        m = json_object_get(j, "fuzz_metric_total");
        fuzz_check(strcmp(json_string_value(json_object_get(m, "help")),
                          help) == 0, "JSON: the help back");
        fuzz_check(json_array_size(json_object_get(m, "labels"))
                   == nlabels, "JSON: the label names");

        smp = json_array_get(json_object_get(m, "samples"), 0);
        fuzz_check(json_integer_value(json_object_get(smp, "value"))
                   == (json_int_t) (flags >> 3), "JSON: the value");

        for (i = 0; i < nlabels; i++) {
            f = json_string_value(json_object_get(
                    json_object_get(smp, "labels"),
                    i == 0 ? "first" : "second"));
            fuzz_check(f != NULL && strcmp(f, v[i]) == 0,
                       "JSON: the label value back");
        }

        json_decref(j);
        free(json);
    }

    /* folding the second value into a set of the first and "other" */

    set[0] = v[0];
    set[1] = "en";
    set[2] = CONSENT_STATUS_OTHER;

    k = consent_status_fold(set, 3, v[1], vl[1]);
    fuzz_check(k < 3, "folded inside the set");
    fuzz_check(k == 2 || (strlen(set[k]) == vl[1]
                          && memcmp(set[k], v[1], vl[1]) == 0),
               "found, or other");
    fuzz_check(k != 2 || vl[1] != strlen(v[0])
               || memcmp(v[0], v[1], vl[1]) != 0
               || strcmp(v[0], CONSENT_STATUS_OTHER) == 0,
               "a value of the set is found");

    free(help);
    free(v[0]);
    free(v[1]);

    return 0;
}

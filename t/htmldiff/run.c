
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * One scan of a page, written into one buffer: the output, the
 * statistics, every host seen and (mode HTMLDIFF_OBSERVE) every token.
 * Compiled once against the scanner and once more, with its names
 * renamed by mk/htmldiff.mk, against a reference build of it (another
 * commit's consent_html.c, or the same one without SIMD): main.c
 * compares the two byte for byte.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consent_html.h"
#include "htmldiff.h"


static int consent_html_diff_emit(void *ctx, const char *data, size_t len,
    int input);
static void consent_html_diff_host(void *ctx, const char *host, size_t len,
    int classified, const char *el, size_t el_len);
static void consent_html_diff_observe(void *ctx, consent_token_kind_e kind,
    const char *name, size_t name_len, const consent_attr_t *attrs,
    size_t nattrs, int self_closing);


static int
consent_html_diff_emit(void *ctx, const char *data, size_t len, int input)
{
    htmldiff_buf_add(ctx, data, len);
    return 0;
}


static void
consent_html_diff_host(void *ctx, const char *host, size_t len,
    int classified, const char *el, size_t el_len)
{
    char  num[32];

    htmldiff_buf_add(ctx, "\n[host ", 7);
    htmldiff_buf_add(ctx, host, len);
    snprintf(num, sizeof(num), " %d ", classified);
    htmldiff_buf_add(ctx, num, strlen(num));
    htmldiff_buf_add(ctx, el, el_len);
    htmldiff_buf_add(ctx, "]\n", 2);
}


static void
consent_html_diff_observe(void *ctx, consent_token_kind_e kind,
    const char *name, size_t name_len, const consent_attr_t *attrs,
    size_t nattrs, int self_closing)
{
    size_t  i;
    char    num[32];

    snprintf(num, sizeof(num), "\n[token %d %d ", (int) kind, self_closing);
    htmldiff_buf_add(ctx, num, strlen(num));
    htmldiff_buf_add(ctx, name, name_len);

    for (i = 0; i < nattrs; i++) {
        htmldiff_buf_add(ctx, " ", 1);
        htmldiff_buf_add(ctx, attrs[i].name, attrs[i].name_len);
        htmldiff_buf_add(ctx, "=", 1);
        htmldiff_buf_add(ctx, attrs[i].value, attrs[i].value_len);
    }

    htmldiff_buf_add(ctx, "]\n", 2);
}


int
consent_html_diff_run(const consent_policy_t *policy, unsigned mode,
    const char *page, size_t len, const size_t *cuts, size_t ncuts,
    htmldiff_buf_t *out)
{
    int                          rc;
    char                         num[256];
    void                        *mem;
    size_t                       i, off, end;
    consent_html_t              *h;
    consent_html_conf_t          hc;
    const consent_html_stats_t  *st;

    memset(&hc, 0, sizeof(consent_html_conf_t));

    hc.policy = policy;
    hc.granted = (mode & HTMLDIFF_GRANTED) ? policy->all_mask
                                           : policy->required_mask;

    if (mode & HTMLDIFF_INJECT) {
        hc.head = HTMLDIFF_HEAD;
        hc.head_len = sizeof(HTMLDIFF_HEAD) - 1;
        hc.banner = HTMLDIFF_BANNER;
        hc.banner_len = sizeof(HTMLDIFF_BANNER) - 1;
    }

    if (mode & HTMLDIFF_SMALL) {
        hc.tag_max = 64;
        hc.inline_max = 16;
    }

    if (mode & HTMLDIFF_HOSTS) {
        hc.host_seen = consent_html_diff_host;
        hc.host_ctx = out;
    }

    hc.emit = consent_html_diff_emit;
    hc.ctx = out;

    mem = malloc(consent_html_size(&hc));
    if (mem == NULL) {
        return -1;
    }

    h = consent_html_init(mem, &hc);
    if (h == NULL) {
        free(mem);
        return -1;
    }

    if (mode & HTMLDIFF_OBSERVE) {
        consent_html_observe(h, consent_html_diff_observe, out);
    }

    rc = 0;
    off = 0;

    for (i = 0; i <= ncuts && rc == 0; i++) {
        end = (i < ncuts) ? cuts[i] : len;

        if (end < off || end > len) {
            continue;
        }

        rc = consent_html_feed(h, page + off, end - off, i == ncuts);
        off = end;
    }

    st = consent_html_stats(h);

    snprintf(num, sizeof(num),
             "\n[rc %d gated %u activated %u overlong %u head %u banner %u"
             " skipped %u document %u changed %u]\n", rc, st->gated,
             st->activated, st->overlong, st->head_injected,
             st->banner_injected, st->banner_skipped, st->document,
             st->changed);
    htmldiff_buf_add(out, num, strlen(num));

    for (i = 0; i < CONSENT_MAX_CATEGORIES; i++) {
        snprintf(num, sizeof(num), "%u ", st->gated_by[i]);
        htmldiff_buf_add(out, num, strlen(num));
    }

    free(mem);

    return 0;
}

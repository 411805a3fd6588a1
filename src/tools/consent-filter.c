
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * consent-filter: runs the module's HTML filter on a file, outside
 * nginx, to see what a page becomes for a visitor who granted some
 * categories.  For operators checking their policy against their pages,
 * and for the tests that compare the filter with an HTML parser.
 */


#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consent_policy.h"
#include "consent_render.h"
#include "consent_assets.h"
#include "consent_html.h"


#define CONSENT_FILTER_CHUNK  65536


typedef struct {
    FILE               *out;
    int                 failed;
} consent_filter_out_t;


/* --trace: where the byte being fed is, for the offsets */
typedef struct {
    FILE                   *f;
    const consent_policy_t *policy;
    const char             *buf;        /* the buffer being fed */
    size_t                  len;
    size_t                  fed;        /* bytes fed before it */
} consent_filter_trace_t;


static int consent_filter_emit(void *ctx, const char *data, size_t len,
    int input);
static int consent_filter_granted(const consent_policy_t *policy,
    const char *list, uint32_t *granted);
static void consent_filter_usage(FILE *f);
static size_t consent_filter_at(consent_filter_trace_t *t, const char *at);
static void consent_filter_str(FILE *f, const char *s, size_t len,
    size_t max);
static void consent_filter_token(void *ctx, consent_token_kind_e kind,
    const char *name, size_t name_len, const consent_attr_t *attrs,
    size_t nattrs, int self_closing);
static void consent_filter_decided(void *ctx,
    const consent_html_decision_t *d);


static void
consent_filter_usage(FILE *f)
{
    fprintf(f,
        "usage: consent-filter --policy FILE [options] [PAGE]\n"
        "\n"
        "Runs the HTML filter of ngx_http_consent_module on PAGE (or the\n"
        "standard input) and writes what a visitor would receive.\n"
        "\n"
        "  --policy FILE     the policy (as in consent_policy)\n"
        "  --granted LIST    categories the visitor granted, comma-\n"
        "                    separated, or \"all\"; required ones always\n"
        "                    are (default: none)\n"
        "  --inject          inject the head snippet and the banner, as\n"
        "                    for a visitor without a consent\n"
        "  --endpoint PATH   the endpoint's location (default /consent/)\n"
        "  --chunk N         feed the page N bytes at a time (default\n"
        "                    65536), as nginx would in buffers\n"
        "  --tag-max N       consent_tag_max (default %d)\n"
        "  --stats           print what was done on the standard error\n"
        "  --trace           print each token and decision, with its\n"
        "                    byte offsets in PAGE, on the standard error\n"
        "                    (the page is then fed a byte at a time)\n"
        "\n"
        "Exit: 0 done, 1 the filter failed, 2 usage, 3 I/O error.\n",
        CONSENT_HTML_TAG_MAX);
}


static int
consent_filter_emit(void *ctx, const char *data, size_t len, int input)
{
    consent_filter_out_t *o = ctx;

    if (len && fwrite(data, 1, len, o->out) != len) {
        o->failed = 1;
        return -1;
    }

    return 0;
}


/* the offset in the page of a pointer into the buffer being fed */

static size_t
consent_filter_at(consent_filter_trace_t *t, const char *at)
{
    if (at == NULL || t->buf == NULL || at < t->buf
        || at > t->buf + t->len)
    {
        return t->fed + t->len;
    }

    return t->fed + (size_t) (at - t->buf);
}


/* a name or value on one line: quotes, backslashes and controls escaped */

static void
consent_filter_str(FILE *f, const char *s, size_t len, size_t max)
{
    size_t         i;
    unsigned char  c;

    for (i = 0; i < len && i < max; i++) {
        c = (unsigned char) s[i];

        if (c == '"' || c == '\\') {
            fprintf(f, "\\%c", c);

        } else if (c < 0x20 || c == 0x7f) {
            fprintf(f, "\\x%02x", c);

        } else {
            fputc(c, f);
        }
    }

    if (len > max) {
        fputs("...", f);
    }
}


/*
 * A token, when the scanner sees it: the page is fed a byte at a time,
 * so it ends with the byte being fed
 */

static void
consent_filter_token(void *ctx, consent_token_kind_e kind, const char *name,
    size_t name_len, const consent_attr_t *attrs, size_t nattrs,
    int self_closing)
{
    consent_filter_trace_t *t = ctx;

    size_t                  i;
    static const char      *kinds[] = {
        "start-tag", "end-tag", "comment", "doctype"
    };

    fprintf(t->f, "%zu token %s ", consent_filter_at(t, t->buf + t->len),
            kinds[kind]);
    consent_filter_str(t->f, name, name_len, 60);

    for (i = 0; i < nattrs; i++) {
        fputc(' ', t->f);
        consent_filter_str(t->f, attrs[i].name, attrs[i].name_len, 60);
        fputs("=\"", t->f);
        consent_filter_str(t->f, attrs[i].value, attrs[i].value_len, 100);
        fputc('"', t->f);
    }

    fputs(self_closing ? " /\n" : "\n", t->f);
}


static void
consent_filter_decided(void *ctx, const consent_html_decision_t *d)
{
    consent_filter_trace_t *t = ctx;

    int                     sep;
    size_t                  at, start, i;
    static const char      *whats[] = {
        "gated", "activated", "released", "failed-closed", "inject head",
        "inject banner", "banner skipped"
    };

    /* the element, or what is held where an injection goes, began back */
    at = consent_filter_at(t, d->at);
    start = at > d->back ? at - d->back : 0;

    if (d->name_len) {
        fprintf(t->f, "%zu-%zu %s ", start, at, whats[d->what]);
        consent_filter_str(t->f, d->name, d->name_len, 60);

    } else {
        fprintf(t->f, "%zu %s", start, whats[d->what]);
    }

    if (d->what == CONSENT_HTML_FAILED
        || d->what == CONSENT_HTML_BANNER_SKIPPED)
    {
        fprintf(t->f, ": %s", d->by);

    } else if (d->by != NULL) {
        fprintf(t->f, " by %s", d->by);
    }

    if (d->what <= CONSENT_HTML_RELEASED) {
        fputs(": ", t->f);
        sep = 0;

        for (i = 0; i < t->policy->ncategories; i++) {
            if (d->mask & ((uint32_t) 1 << i)) {
                fprintf(t->f, "%s%s", sep ? "," : "",
                        t->policy->categories[i].id);
                sep = 1;
            }
        }

        if (!sep) {
            fputs("(unknown category)", t->f);
        }
    }

    fputc('\n', t->f);
}


static int
consent_filter_granted(const consent_policy_t *policy, const char *list,
    uint32_t *granted)
{
    int          cat;
    size_t       n;
    const char  *p, *comma;

    *granted = policy->required_mask;

    if (strcmp(list, "all") == 0) {
        *granted = policy->all_mask;
        return 0;
    }

    for (p = list; *p; p = comma ? comma + 1 : p + n) {
        comma = strchr(p, ',');
        n = comma ? (size_t) (comma - p) : strlen(p);

        if (n == 0) {
            continue;
        }

        cat = consent_policy_category(policy, p, n);

        if (cat < 0) {
            fprintf(stderr, "consent-filter: unknown category \"%.*s\"\n",
                    (int) n, p);
            return -1;
        }

        *granted |= (uint32_t) 1 << cat;
    }

    return 0;
}


int
main(int argc, char **argv)
{
    int                    i, rc, stats, inject, trace;
    char                   err[512], *buf, *head, *banner;
    void                  *mem;
    FILE                  *in;
    size_t                 n, chunk, len, head_len, banner_len;
    uint32_t               granted;
    const char            *policy_path, *granted_list, *page, *endpoint;
    consent_html_t        *h;
    consent_view_t         view;
    consent_render_conf_t  rconf;
    consent_tpl_vars_t     vars;
    consent_policy_t      *policy;
    consent_html_conf_t    hc;
    consent_filter_out_t   out;
    consent_filter_trace_t tr;
    const consent_html_stats_t  *st;

    policy_path = NULL;
    granted_list = "";
    page = NULL;
    endpoint = "/consent/";
    chunk = CONSENT_FILTER_CHUNK;
    stats = 0;
    inject = 0;
    trace = 0;

    memset(&hc, 0, sizeof(consent_html_conf_t));

    for (i = 1; i < argc; i++) {

        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            consent_filter_usage(stdout);
            return 0;

        } else if (strcmp(argv[i], "--stats") == 0) {
            stats = 1;

        } else if (strcmp(argv[i], "--trace") == 0) {
            trace = 1;

        } else if (strcmp(argv[i], "--inject") == 0) {
            inject = 1;

        } else if (i + 1 < argc && strcmp(argv[i], "--policy") == 0) {
            policy_path = argv[++i];

        } else if (i + 1 < argc && strcmp(argv[i], "--granted") == 0) {
            granted_list = argv[++i];

        } else if (i + 1 < argc && strcmp(argv[i], "--endpoint") == 0) {
            endpoint = argv[++i];

        } else if (i + 1 < argc && strcmp(argv[i], "--chunk") == 0) {
            chunk = strtoul(argv[++i], NULL, 10);

        } else if (i + 1 < argc && strcmp(argv[i], "--tag-max") == 0) {
            hc.tag_max = strtoul(argv[++i], NULL, 10);

        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "consent-filter: unknown option \"%s\"\n",
                    argv[i]);
            consent_filter_usage(stderr);
            return 2;

        } else if (page == NULL) {
            page = argv[i];

        } else {
            consent_filter_usage(stderr);
            return 2;
        }
    }

    if (policy_path == NULL || chunk == 0 || chunk > 64 * 1024 * 1024) {
        consent_filter_usage(stderr);
        return 2;
    }

    policy = consent_policy_load(policy_path, err, sizeof(err));
    if (policy == NULL) {
        fprintf(stderr, "consent-filter: %s: %s\n", policy_path, err);
        return 2;
    }

    if (consent_filter_granted(policy, granted_list, &granted) != 0) {
        consent_policy_free(policy);
        return 2;
    }

    in = page ? fopen(page, "rb") : stdin;
    if (in == NULL) {
        fprintf(stderr, "consent-filter: %s: %s\n", page, strerror(errno));
        consent_policy_free(policy);
        return 3;
    }

    head = NULL;
    banner = NULL;

    if (inject) {
        consent_view_init(&view, policy, CONSENT_STATE_ABSENT, NULL);

        memset(&rconf, 0, sizeof(consent_render_conf_t));
        rconf.endpoint = endpoint;
        rconf.endpoint_len = strlen(endpoint);
        rconf.version = consent_assets_version;

        memset(&vars, 0, sizeof(consent_tpl_vars_t));
        vars.ret = "/";
        vars.ret_len = 1;

        head = consent_render_head(policy, &view, 0, &rconf, NULL, 0,
                                   &head_len);
        banner = consent_render_banner(policy, policy->default_lang,
                                       &rconf, &vars, &banner_len);
        if (head == NULL || banner == NULL) {
            fprintf(stderr, "consent-filter: out of memory\n");
            return 1;
        }

        hc.head = head;
        hc.head_len = head_len;
        hc.banner = banner;
        hc.banner_len = banner_len;
    }

    out.out = stdout;
    out.failed = 0;

    hc.policy = policy;
    hc.granted = granted;
    hc.emit = consent_filter_emit;
    hc.ctx = &out;

    memset(&tr, 0, sizeof(consent_filter_trace_t));
    tr.f = stderr;
    tr.policy = policy;

    if (trace) {
        /* a byte at a time, so that a token's end is the byte fed */
        chunk = 1;
        hc.decided = consent_filter_decided;
        hc.decided_ctx = &tr;
    }

    buf = malloc(chunk);
    mem = malloc(consent_html_size(&hc));
    h = mem ? consent_html_init(mem, &hc) : NULL;

    if (buf == NULL || h == NULL) {
        fprintf(stderr, "consent-filter: out of memory\n");
        return 1;
    }

    if (trace) {
        consent_html_observe(h, consent_filter_token, &tr);
    }

    rc = 0;

    for ( ;; ) {
        n = fread(buf, 1, chunk, in);

        if (n < chunk && ferror(in)) {
            fprintf(stderr, "consent-filter: read error\n");
            rc = 3;
            break;
        }

        len = n;
        tr.buf = buf;
        tr.len = len;

        if (consent_html_feed(h, buf, len, n < chunk) != 0) {
            rc = out.failed ? 3 : 1;

            if (trace) {
                fprintf(stderr, "%zu stop: the filter failed\n",
                        tr.fed + len);
            }

            break;
        }

        tr.fed += len;

        if (n < chunk) {
            break;
        }
    }

    if (fflush(stdout) != 0) {
        rc = 3;
    }

    if (stats && rc == 0) {
        st = consent_html_stats(h);
        fprintf(stderr, "gated %u, activated %u, overlong %u, "
                "document %u, head %u, banner %u, banner skipped %u, "
                "changed %u\n",
                st->gated, st->activated, st->overlong, st->document,
                st->head_injected, st->banner_injected, st->banner_skipped,
                st->changed);
    }

    if (in != stdin) {
        fclose(in);
    }

    free(buf);
    free(mem);
    free(head);
    free(banner);
    consent_policy_free(policy);

    return rc;
}


/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The cross-check of the scanner's walkers (t/unit/walk.c): each one
 * written by hand for speed, run on a tag against the table-driven
 * states of consent_html_step(), and named when it disagrees.
 */


#include "consent_html_int.h"


#if (CONSENT_HTML_CHECKS)

/*
 * The walkers written by hand against the states of consent_html_next,
 * on the bytes of a tag after its name: see consent_html.h.  Built only
 * with the checks (consent_html.c hands the walkers out only then), so
 * that a second caller does not change what the compiler inlines in the
 * module.
 */

int
consent_html_walkcheck(const consent_html_conf_t *conf, const char *name,
    size_t name_len, const char *t, size_t n)
{
    int                            bad, s, ns, s0, want_s, sc, want_sc;
    size_t                         i, j, end, name_off, want_nraw, len;
    unsigned                       seen, want_seen, want_over;
    uint32_t                       hash;
    char                          *buf;
    void                          *mem;
    const char                    *q;
    consent_html_t                *h;
    consent_html_raw_t             want_raw[CONSENT_HTML_ATTRS_MAX];
    const consent_html_walkers_t  *w;

    w = &consent_html_walkers;

    /* t begins with the byte that ends the name */
    if (n == 0
        || consent_html_step(CONSENT_S_TAG_NAME, (unsigned char) t[0])
           == CONSENT_S_TAG_NAME)
    {
        return -1;
    }

    for (i = 0; i < name_len; i++) {
        if (consent_html_step(CONSENT_S_TAG_NAME, (unsigned char) name[i])
            != CONSENT_S_TAG_NAME)
        {
            return -1;
        }
    }

    mem = malloc(consent_html_size(conf));
    buf = malloc(1 + name_len + n + sizeof("<script>"));

    if (mem == NULL || buf == NULL) {
        free(mem);
        free(buf);
        return -1;
    }

    h = consent_html_init(mem, conf);

    if (h == NULL) {
        free(mem);
        free(buf);
        return -1;
    }

    bad = 0;

    /* the states, noting as consent_html_parse() notes */
    h->nraw = 0;
    h->rec_over = 0;
    h->rec_cur = CONSENT_HTML_ATTRS_MAX;

    s = CONSENT_S_TAG_NAME;
    end = 0;
    name_off = 0;
    want_seen = 0;

    for (i = 0; i < n; i++) {
        ns = consent_html_step(s, (unsigned char) t[i]);

        if (ns == s) {
            continue;
        }

        w->rec_step(h, s, ns, i);

        if (s == CONSENT_S_ATTR_NAME) {
            want_seen |= w->aname(t + name_off, i - name_off);
        }

        if (ns == CONSENT_S_ATTR_NAME) {
            name_off = i;
        }

        if (ns == CONSENT_S_TAG_END) {
            end = i + 1;
            break;
        }

        s = ns;
    }

    want_s = s;
    want_sc = (s == CONSENT_S_SELF_CLOSING);
    want_nraw = h->nraw;
    want_over = h->rec_over;
    memcpy(want_raw, h->raw, want_nraw * sizeof(consent_html_raw_t));

    if (end != 0) {
        /* what follows the tag is not its walkers' */
        n = end;
    }

    /* consent_html_attrs(), whole and resumed at each byte */
    for (j = 0; j <= n; j++) {
        s = CONSENT_S_TAG_NAME;
        q = w->attrs(&s, t, t + j);

        if (q == NULL && j < n) {
            q = w->attrs(&s, t + j, t + n);
        }

        if ((q == NULL ? end != 0 : (size_t) (q - t) != end)
            || s != want_s)
        {
            bad |= (j == n) ? CONSENT_HTML_WALK_ATTRS
                            : CONSENT_HTML_WALK_RESUMED;
        }

        if (j == 0 && n > 256) {
            /* long tags: whole only */
            j = n - 1;
        }
    }

    /* consent_html_tag_end(), from after the byte that ended the name */
    seen = 0;
    q = (t[0] == '>') ? t + 1 : w->tag_end(t + 1, t + n, &seen);

    if (q == NULL ? end != 0
                  : ((size_t) (q - t) != end || seen != want_seen))
    {
        bad |= CONSENT_HTML_WALK_TAG_END;
    }

    /* consent_html_rec_tag(), from where consent_html_attrs_rec() calls it */
    s0 = consent_html_step(CONSENT_S_TAG_NAME, (unsigned char) t[0]);

    if (s0 != CONSENT_S_TAG_END) {
        h->nraw = 0;
        h->rec_over = 0;
        h->rec_cur = CONSENT_HTML_ATTRS_MAX;
        sc = (s0 == CONSENT_S_SELF_CLOSING);

        q = w->rec_tag(h, t + 1, t + n, 1, &sc);

        if (q == NULL ? end != 0
                      : ((size_t) (q - t) != end || sc != want_sc
                         || h->nraw != want_nraw
                         || h->rec_over != want_over
                         || memcmp(h->raw, want_raw,
                                   want_nraw * sizeof(consent_html_raw_t))
                            != 0))
        {
            bad |= CONSENT_HTML_WALK_REC_TAG;
        }
    }

    /*
     * consent_html_skip() over '<', the name and the tag, then "<script>",
     * where it stops: there, or at the tag when it leaves the tag (or the
     * name) to the states
     */
    h = (name_len != 0) ? consent_html_init(mem, conf) : NULL;

    if (h != NULL) {
        buf[0] = '<';
        memcpy(buf + 1, name, name_len);
        len = 1 + name_len;
        memcpy(buf + len, t, n);
        len += n;

        if (end != 0) {
            memcpy(buf + len, "<script>", sizeof("<script>") - 1);
            len += sizeof("<script>") - 1;
        }

        q = w->skip(h, buf, buf + len);

        if (q != buf && (end == 0 || q != buf + 1 + name_len + end)) {
            bad |= CONSENT_HTML_WALK_SKIP;
        }

        /* passed over: the name left as the name state reads it */
        if (q != buf) {
            hash = 2166136261u;

            for (i = 0; i < name_len; i++) {
                hash = (hash ^ (uint32_t) consent_html_lower(
                                              (unsigned char) name[i]))
                       * 16777619;
            }

            if (h->name_len != name_len || h->name_hash != hash) {
                bad |= CONSENT_HTML_WALK_SKIP;
            }
        }
    }

    free(mem);
    free(buf);

    return bad;
}

#else

/* the module's: the same symbol as the one t/sources.t looks for */

int
consent_html_walkcheck(const consent_html_conf_t *conf, const char *name,
    size_t name_len, const char *t, size_t n)
{
    return -1;
}

#endif

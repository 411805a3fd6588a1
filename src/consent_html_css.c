
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * CSS in HTML (docs/gating.md): the url()s of a style= value judged
 * and neutralised, the text of a <style> read by the CSS tokenizer
 * (consent_css.c) with a URL held from its first byte.  Called by
 * consent_html.c in a <style> and for a held tag with a style=.
 */


#include "consent_html_int.h"

static uint32_t consent_html_css_judge(consent_html_t *h, const char *raw,
    size_t raw_len);
static void consent_html_css_prefix(consent_html_t *h, uint32_t mask);
static void consent_html_css_begin(consent_html_t *h, const char *q);
static void consent_html_css_url(consent_html_t *h, const char *p);


/*
 * The categories of the URLs a style= value fetches (consent_css.c)
 * that match a rule; out: also writes the value with each of them
 * neutralised (consent_html_css_prefix()), the rest as it is, escaped
 * for a double-quoted attribute
 */

CONSENT_HTML_LOCAL uint32_t
consent_html_css(consent_html_t *h, const char *v, size_t len,
    consent_html_t *out)
{
    int             ev;
    size_t          from;
    uint32_t        mask, m;
    const char     *p, *e;
    consent_css_t  *c;

    c = &h->cs;
    c->stop_lt = 0;
    consent_css_init(c);

    mask = 0;
    from = 0;
    p = v;
    e = v + len;

    for ( ;; ) {
        if (p < e) {
            p = consent_css_scan(c, p, e, &ev);

        } else {
            ev = consent_css_end(c, c->pos);
        }

        if (ev == CONSENT_CSS_URL) {
            m = consent_html_css_judge(h, v + c->url_start,
                                       (size_t) (c->url_end - c->url_start));
            mask |= m;

            if (m != 0 && out != NULL) {
                consent_html_own_escaped(out, v + from,
                                         (size_t) c->url_start - from);
                consent_html_css_prefix(out, m);
                from = (size_t) c->url_start;
            }
        }

        if (p >= e && ev == CONSENT_CSS_NONE) {
            break;
        }
    }

    if (out != NULL) {
        consent_html_own_escaped(out, v + from, len - from);
    }

    return mask;
}


/*
 * The categories of the URL that consent_css_scan() or _end() found:
 * as decoded, and as written (raw, when it has a '\': Chromium's
 * preload scanner reads an @import without decoding escapes).  A data:
 * URL fetches nothing, but for the stylesheet of an @import, which is
 * looked into.  One too long to keep (or whose bytes are gone) is
 * held for every category (fail closed).
 */

static uint32_t
consent_html_css_judge(consent_html_t *h, const char *raw, size_t raw_len)
{
    int             cat;
    size_t          i;
    uint32_t        mask;
    consent_css_t  *c;

    c = &h->cs;

    if (c->url_over || raw == NULL) {
        return h->conf.policy->all_mask & ~h->conf.policy->required_mask;
    }

    if (consent_css_data(c)) {
        if (c->url_kind != CONSENT_CSS_K_IMPORT) {
            return 0;
        }

        for (i = 0; c->url[i] != ':'; i++) {
            /* void */
        }

        return consent_html_content(h, c->url + i + 1, c->url_len - i - 1,
                                    1);
    }

    mask = 0;
    cat = consent_match_url_base(h->conf.policy, c->url, c->url_len,
                                 h->base);

    if (h->conf.host_seen != NULL) {
        /* style= is judged twice; the inventory counts a host a page */
        consent_html_host(h, c->url, c->url_len, cat);
    }

    if (cat >= 0 && cat < 32) {
        mask |= (uint32_t) 1 << cat;
    }

    if (memchr(raw, '\\', raw_len) != NULL) {
        cat = consent_match_url_base(h->conf.policy, raw, raw_len, h->base);

        if (cat >= 0 && cat < 32) {
            mask |= (uint32_t) 1 << cat;
        }
    }

    return mask;
}


/*
 * A URL held back in CSS: "data:x-consent/IDS,#" before it, where IDS
 * are its categories joined by '+' (empty: none the banner gives
 * back).  What follows '#' is the fragment of an empty data: URL, so
 * nothing is fetched and the rest of the CSS stays valid; the banner's
 * script takes the prefix out again.
 */

static void
consent_html_css_prefix(consent_html_t *h, uint32_t mask)
{
    consent_html_own_str(h, "data:x-consent/");
    consent_html_own_ids(h, mask, "+", 0);
    consent_html_own_str(h, ",#");
    h->stats.changed = 1;
}


/*
 * The text of a <style>, from p up to lim, read as CSS: a URL it
 * fetches is held from its first byte (CONSENT_R_CSSURL) and judged
 * at its end; one longer than tag_max is let go unjudged when it is a
 * data: URL that loads nothing, else neutralised for every category
 * (fail closed) at that byte, however the page arrives.  Stops after
 * a '<', for the states to look for the end tag (which feed it here
 * what they read of it).
 */

CONSENT_HTML_LOCAL const char *
consent_html_style(consent_html_t *h, const char *p, const char *lim)
{
    int          ev;
    size_t       held;
    const char  *q, *l;

    if (h->css_fresh) {
        h->css_fresh = 0;
        h->cs.stop_lt = 1;
        consent_css_init(&h->cs);
    }

    while (p < lim) {
        l = lim;

        if (h->region == CONSENT_R_CSSURL && !h->css_let) {
            held = consent_html_off(h, p);

            if (held >= h->tag_max) {
                consent_html_css_over(h);
                continue;
            }

            if ((size_t) (lim - p) > h->tag_max - held) {
                l = p + (h->tag_max - held);
            }
        }

        q = consent_css_scan(&h->cs, p, l, &ev);

        switch (ev) {

        case CONSENT_CSS_LT:
            /* the '<' is CSS too, unless the end tag begins there */
            h->css_lt = h->cs.pos;
            h->cs.stop_lt = 0;
            q = consent_css_scan(&h->cs, q, q + 1, &ev);

            if (ev == CONSENT_CSS_BEGIN) {
                consent_html_css_begin(h, q);
                q = consent_css_scan(&h->cs, q, q + 1, &ev);
            }

            h->cs.stop_lt = 1;
            h->text = CONSENT_S_RAWTEXT;
            h->state = CONSENT_S_TEXT_LT;
            return q;

        case CONSENT_CSS_BEGIN:
            consent_html_css_begin(h, q);
            break;

        case CONSENT_CSS_URL:
            consent_html_css_url(h, q);
            break;

        default:
            break;
        }

        p = q;
    }

    return p;
}


static void
consent_html_css_begin(consent_html_t *h, const char *q)
{
    if (h->region != CONSENT_R_NONE) {
        /* not expected: the URL before it has ended */
        consent_html_release(h);
    }

    consent_html_begin(h, q);
    h->region = CONSENT_R_CSSURL;
    h->css_let = 0;
}


/* the URL held in a <style> ends before p: judged, then let go */

static void
consent_html_css_url(consent_html_t *h, const char *p)
{
    size_t       n, len;
    uint32_t     mask;
    const char  *t;

    if (h->region != CONSENT_R_CSSURL) {
        return;
    }

    if (h->css_let) {
        consent_html_release(h);
        return;
    }

    t = consent_html_text(h, p, &n);
    len = (size_t) (h->cs.url_end - h->cs.url_start);

    if (t != NULL && len > n) {
        t = NULL;
    }

    mask = consent_html_css_judge(h, t, len);

    if (mask != 0 && !consent_html_granted(h, mask)) {
        consent_html_decided(h, CONSENT_HTML_GATED, p, "rule, a <style> url()",
                             mask);
        consent_html_input(h, h->out, h->mark);
        h->out = h->mark;
        consent_html_css_prefix(h, mask);
        h->stats.gated++;
    }

    consent_html_release(h);
}


/*
 * A URL in a <style> reaches tag_max bytes: a data: URL (not of an
 * @import) loads nothing and goes on unjudged; any other is held back
 * for every category, and its bytes stream on
 */

CONSENT_HTML_LOCAL void
consent_html_css_over(consent_html_t *h)
{
    if (!consent_css_data(&h->cs)
        || h->cs.url_kind == CONSENT_CSS_K_IMPORT)
    {
        consent_html_decided(h, CONSENT_HTML_FAILED, h->mark,
                             "a <style> url() over tag_max", 0);
        consent_html_input(h, h->out, h->mark);
        h->out = h->mark;
        consent_html_css_prefix(h, h->conf.policy->all_mask
                                   & ~h->conf.policy->required_mask);
        h->stats.overlong++;
        h->stats.gated++;
    }

    h->css_let = 1;
    consent_html_release(h);
}


/*
 * The <style> ends (at its end tag's '<', at, or the end of the
 * page): a URL open there is one the browser fetches
 */

CONSENT_HTML_LOCAL void
consent_html_style_end(consent_html_t *h, const char *p, uint64_t at)
{
    h->in_style = 0;

    if (consent_css_end(&h->cs, at) == CONSENT_CSS_URL) {
        consent_html_css_url(h, p);
    }

    if (h->region == CONSENT_R_CSSURL) {
        consent_html_release(h);
    }
}

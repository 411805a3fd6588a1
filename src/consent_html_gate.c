
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The HTML scanner's decisions (docs/gating.md): a held tag that may
 * load something is judged by its marks and by every URL it would
 * fetch, an inline script by its text, and passed, gated, activated or
 * looked into further; the hosts it loads from are reported.  Called
 * by consent_html.c for such tags only, never per byte.
 */


#include "consent_html_int.h"
#include "consent_base64.h"


/* what decided, by consent_by_e, for conf.decided */
static const char  *consent_html_by[] = {
    "no match", "rule", "data-consent", "migrated markup"
};


static int consent_html_loader(consent_html_t *h);
static int consent_html_inert(consent_html_t *h);
static consent_match_t consent_html_match(consent_html_t *h);
static int consent_html_any(consent_html_t *h, const char *name,
    const char *words);
static int consent_html_word(const char *words, const char *s, size_t len);
static uint32_t consent_html_urls(consent_html_t *h);
static void consent_html_base(consent_html_t *h);
static uint32_t consent_html_value_mask(consent_html_t *h,
    const consent_attr_t *a);
static const char *consent_html_refresh(const char *v, size_t *lenp);
static int consent_html_macro(consent_html_t *h, const char *p);
static void consent_html_srcset_hosts(consent_html_t *h,
    const consent_attr_t *a);
static int consent_html_text_plain(const consent_attr_t *a);
static int consent_html_runs(const consent_attr_t *a);
static const char *consent_html_value(const consent_attr_t *a, size_t *len);


/* a held start tag, parsed: pass, gate, activate or look further */

CONSENT_HTML_LOCAL void
consent_html_classify(consent_html_t *h, const char *p, int self_closing)
{
    consent_match_t        m;
    const consent_attr_t  *a;

    if (h->conf.policy == NULL) {
        consent_html_release(h);
        return;
    }

    /* what the url()s of its style= fetch (a preload scanner reads none) */
    h->css_gate = 0;
    h->css_only = 0;
    h->css_mask = 0;
    a = h->css && !h->in_cdata ? consent_html_attr(h, "style") : NULL;

    if (a != NULL) {
        h->css_mask = consent_html_css(h, a->value, a->value_len, NULL);
    }

    h->inert = h->el == CONSENT_EL_SCRIPT && consent_html_inert(h);
    h->has_dc = consent_html_attr(h, "data-consent") != NULL;

    /*
     * an <a>, a <td>... without what it loads by, and any other element:
     * judged by the url()s of its style= alone, not by marks
     */
    if (h->el == CONSENT_HTML_EL_CSS
        || (h->el > CONSENT_EL_SOURCE && !consent_html_loader(h)))
    {
    css_only:

        if (h->css_mask == 0 || consent_html_granted(h, h->css_mask)) {
            consent_html_release(h);
            return;
        }

        for (m.category = 31; m.category >= 0
             && !(h->css_mask & ((uint32_t) 1 << m.category)); m.category--)
        {
            /* void */
        }

        h->css_gate = 1;
        h->css_only = 1;
        h->category = m.category;
        h->mask = h->css_mask;
        consent_html_decided(h, CONSENT_HTML_GATED, p, "style url()",
                             h->mask);
        consent_html_rewrite(h, p, CONSENT_W_GATE);
        h->stats.gated++;
        return;
    }

    m = consent_html_match(h);

    /* only its style= fetches a tracker: only that is held back */
    if (h->css_mask != 0 && m.by == CONSENT_BY_NONE) {
        goto css_only;
    }

    /* the rules' verdict on its URLs covers those of its style= */
    if (h->css_mask != 0 && m.by == CONSENT_BY_RULE) {
        m.by = CONSENT_BY_RULE;
        m.mask |= h->css_mask;

        for (m.category = 31; m.category >= 0
             && !(m.mask & ((uint32_t) 1 << m.category)); m.category--)
        {
            /* void */
        }
    }

    h->category = m.category;
    h->mask = m.mask;

    if (m.category == CONSENT_MATCH_NONE) {
        /* an SVG "<script/>" has no text */
        h->la_urls = h->el == CONSENT_EL_SCRIPT && !h->svg
                     && consent_html_any(h, "type", "speculationrules");

        if (h->el == CONSENT_EL_SCRIPT && !h->has_src && !h->in_cdata
            && !(h->svg && self_closing)
            && (h->has_inline || h->la_urls) && !h->all_granted
            && m.by != CONSENT_BY_MIGRATED
            && (h->la_urls
                || consent_html_runs(consent_html_attr(h, "type"))))
        {
            /* an inline script: judge it by its text */
            h->region = CONSENT_R_LOOKAHEAD;
            h->la_tag_len = consent_html_off(h, p);
            h->la_left = h->inline_max;
            h->la_lt = (size_t) -1;
            h->la_new = 1;
            h->yield = 1;
            return;
        }

        consent_html_release(h);
        return;
    }

    if (m.category != CONSENT_MATCH_UNKNOWN
        && consent_html_granted(h, m.mask))
    {
        if (m.by == CONSENT_BY_MIGRATED && h->el == CONSENT_EL_SCRIPT
            && h->inert && !h->in_cdata)
        {
            consent_html_decided(h, CONSENT_HTML_ACTIVATED, p,
                                 consent_html_by[m.by], m.mask);
            consent_html_rewrite(h, p, CONSENT_W_ACTIVATE);
            h->stats.activated++;
            return;
        }

        consent_html_decided(h, CONSENT_HTML_RELEASED, p,
                             consent_html_by[m.by], m.mask);

        if (h->conf.macro != NULL && consent_html_macro(h, p)) {
            return;
        }

        consent_html_release(h);
        return;
    }

    h->css_gate = h->css_mask != 0;
    consent_html_decided(h, CONSENT_HTML_GATED, p, consent_html_by[m.by],
                         m.mask);
    consent_html_rewrite(h, p, CONSENT_W_GATE);
    h->stats.gated++;
}


/* whether the held tag has an attribute it would fetch by */

static int
consent_html_loader(consent_html_t *h)
{
    size_t  i;

    for (i = 0; i < h->nattrs; i++) {
        if (consent_html_url_name(h, h->attrs[i].name, h->attrs[i].name_len))
        {
            return 1;
        }
    }

    return 0;
}


/*
 * A script already inert: every type it has is text/plain (a preload
 * scanner reads the last one, the tree builder the first)
 */

static int
consent_html_inert(consent_html_t *h)
{
    size_t  i;

    if (!consent_html_text_plain(consent_html_attr(h, "type"))) {
        return 0;
    }

    for (i = 0; i < h->ndups; i++) {
        if (consent_html_is(h->dups[i].name, h->dups[i].name_len, "type")
            && !consent_html_text_plain(&h->dups[i]))
        {
            return 0;
        }
    }

    return 1;
}


/*
 * The held tag's category by its marks, then by every URL it would
 * fetch, as the tree builder or a preload scanner reads it (every value
 * of a duplicated attribute); sets has_src.
 */

static consent_match_t
consent_html_match(consent_html_t *h)
{
    int                    i;
    uint32_t               mask;
    consent_match_t        m;
    consent_element_e      el;

    /* the matcher knows the marks of any element as an image's */
    el = (h->el <= CONSENT_EL_SOURCE && !h->svg) ? (consent_element_e) h->el
                                                 : CONSENT_EL_IMG;

    if (h->svg && h->el == CONSENT_EL_SCRIPT) {
        el = CONSENT_EL_SCRIPT;
    }

    h->has_src = h->svg ? consent_html_attr(h, "href") != NULL
                          || consent_html_attr(h, "xlink:href") != NULL
                        : consent_html_attr(h, "src") != NULL;

    m = consent_match_marks(h->conf.policy, el, h->attrs, h->nattrs);

    if (m.by != CONSENT_BY_NONE || h->all_granted) {
        if (h->conf.host_seen != NULL && h->el != CONSENT_HTML_EL_BASE) {
            /* a marked element's hosts: of its mark's category */
            h->host_mark = m.category >= 0 ? m.category + 1 : 0;
            (void) consent_html_urls(h);
            h->host_mark = 0;
        }

        return m;
    }

    mask = consent_html_urls(h);

    m.by = mask ? CONSENT_BY_RULE : CONSENT_BY_NONE;
    m.mask = mask;
    m.category = CONSENT_MATCH_NONE;

    /* the last category in policy order, as the matcher reports it */
    for (i = 31; mask != 0 && i >= 0; i--) {
        if (mask & ((uint32_t) 1 << i)) {
            m.category = i;
            break;
        }
    }

    return m;
}


/*
 * Whether an attribute of the held tag is one that makes it fetch: the
 * attributes renamed when it is gated
 */

CONSENT_HTML_LOCAL int
consent_html_url_name(consent_html_t *h, const char *n, size_t len)
{
    switch (h->el) {

    case CONSENT_EL_SCRIPT:
        return h->svg ? consent_html_is(n, len, "href")
                        || consent_html_is(n, len, "xlink:href")
                      : consent_html_is(n, len, "src");

    case CONSENT_EL_IMG:
        if (h->svg) {
            return consent_html_is(n, len, "href")
                   || consent_html_is(n, len, "xlink:href");
        }

        /* fall through */

    case CONSENT_EL_SOURCE:
        return consent_html_is(n, len, "src")
               || consent_html_is(n, len, "srcset");

    case CONSENT_EL_IFRAME:
        return consent_html_is(n, len, "src")
               || consent_html_is(n, len, "srcdoc");

    case CONSENT_EL_OBJECT:
        return consent_html_is(n, len, "data");

    case CONSENT_EL_VIDEO:
        return consent_html_is(n, len, "src")
               || consent_html_is(n, len, "poster");

    case CONSENT_EL_LINK:
        return consent_html_is(n, len, "href")
               || consent_html_is(n, len, "imagesrcset");

    case CONSENT_HTML_EL_BG:
        return consent_html_is(n, len, "background");

    case CONSENT_HTML_EL_PING:
        return consent_html_is(n, len, "ping");

    case CONSENT_HTML_EL_META:
        return consent_html_is(n, len, "content");

    case CONSENT_HTML_EL_BASE:
        return consent_html_is(n, len, "href");

    case CONSENT_HTML_EL_SVGREF:
        return consent_html_is(n, len, "href")
               || consent_html_is(n, len, "xlink:href");

    case CONSENT_HTML_EL_CSS:
        return consent_html_is(n, len, "style");

    case CONSENT_HTML_EL_SVGANIM:
        return consent_html_is(n, len, "to")
               || consent_html_is(n, len, "values")
               || consent_html_is(n, len, "from")
               || consent_html_is(n, len, "by");

    default: /* frame, embed, audio, track, input */
        return consent_html_is(n, len, "src");
    }
}


/* some value of the held tag's attribute name is one of the words */

static int
consent_html_any(consent_html_t *h, const char *name, const char *words)
{
    size_t                 i, n;
    const char            *w, *e;
    const consent_attr_t  *a;

    for (i = 0; i < h->nattrs + h->ndups; i++) {
        a = (i < h->nattrs) ? &h->attrs[i] : &h->dups[i - h->nattrs];

        if (!consent_html_is(a->name, a->name_len, name)) {
            continue;
        }

        /* its tokens, separated by whitespace */
        for (w = a->value, e = a->value + a->value_len; w < e; w += n) {
            while (w < e && consent_html_space((unsigned char) *w)) {
                w++;
            }

            for (n = 0; w + n < e
                        && !consent_html_space((unsigned char) w[n]); n++)
            {
                /* void */
            }

            if (n > 0 && consent_html_word(words, w, n)) {
                return 1;
            }
        }
    }

    return 0;
}


/* s[0..len) is one of the words (space-separated), ASCII case aside */

static int
consent_html_word(const char *words, const char *s, size_t len)
{
    size_t       n, i;
    const char  *w;

    for (w = words; *w != '\0'; w += n) {
        while (*w == ' ') {
            w++;
        }

        n = strcspn(w, " ");

        for (i = 0; n == len && i < n; i++) {
            if (consent_html_lower((unsigned char) s[i]) != w[i]) {
                break;
            }
        }

        if (n == len && i == n) {
            return 1;
        }
    }

    return 0;
}


/* the rel tokens of a link that fetch its href */
#define CONSENT_HTML_REL_FETCH                                               \
    "stylesheet preload modulepreload prefetch prerender preconnect "       \
    "dns-prefetch icon apple-touch-icon apple-touch-icon-precomposed "      \
    "mask-icon manifest compression-dictionary import"


/* the categories of every URL the held tag would fetch */

static uint32_t
consent_html_urls(consent_html_t *h)
{
    size_t                 i;
    uint32_t               mask;
    const consent_attr_t  *a;

    if (h->el == CONSENT_EL_LINK
        && !consent_html_any(h, "rel", CONSENT_HTML_REL_FETCH))
    {
        return 0;
    }

    if (h->el == CONSENT_HTML_EL_INPUT
        && !consent_html_any(h, "type", "image"))
    {
        return 0;
    }

    if (h->el == CONSENT_HTML_EL_META
        && !consent_html_any(h, "http-equiv", "refresh"))
    {
        return 0;
    }

    if (h->el == CONSENT_HTML_EL_SVGANIM
        && !consent_html_any(h, "attributename", "href xlink:href"))
    {
        return 0;
    }

    mask = 0;

    for (i = 0; i < h->nattrs + h->ndups; i++) {
        a = (i < h->nattrs) ? &h->attrs[i] : &h->dups[i - h->nattrs];

        if (consent_html_url_name(h, a->name, a->name_len)) {
            mask |= consent_html_value_mask(h, a);
        }
    }

    /* a base this visitor does not get (it is gated) is not followed */

    if (h->el == CONSENT_HTML_EL_BASE && !h->base_seen
        && (mask & ~h->granted) == 0)
    {
        consent_html_base(h);
    }

    return mask;
}


/*
 * The first <base href> of a document is what its later relative URLs
 * resolve against (itself resolved against the page's URL); one the
 * filter gates has no href in the browser, and the next one counts
 */

static void
consent_html_base(consent_html_t *h)
{
    size_t                 i;
    const consent_attr_t  *a;

    for (i = 0; i < h->nattrs; i++) {
        a = &h->attrs[i];

        if (!consent_html_is(a->name, a->name_len, "href")) {
            continue;
        }

        h->base_seen = 1;
        h->base_url.buf = h->base_buf;
        h->base_url.size = CONSENT_HTML_BASE_MAX;

        if (consent_url_parse(&h->base_url, a->value, a->value_len,
                              h->conf.base)
            == CONSENT_URL_OK)
        {
            h->base = &h->base_url;
        }

        return;
    }
}


/* the categories of what one attribute's value would fetch */

static uint32_t
consent_html_value_mask(consent_html_t *h, const consent_attr_t *a)
{
    int                    cat;
    size_t                 i, n, len;
    uint32_t               mask;
    const char            *v, *e;
    consent_attr_t         one;
    consent_match_t        m;

    v = a->value;
    len = a->value_len;

    if (consent_html_is(a->name, a->name_len, "srcset")
        || consent_html_is(a->name, a->name_len, "imagesrcset"))
    {
        one = *a;
        one.name = "srcset";
        one.name_len = 6;
        m = consent_match_element_base(h->conf.policy, CONSENT_EL_IMG, &one,
                                       1, h->base);

        if (h->conf.host_seen != NULL) {
            consent_html_srcset_hosts(h, a);
        }

        return m.by == CONSENT_BY_RULE ? m.mask : 0;
    }

    if (h->el == CONSENT_HTML_EL_CSS) {
        return consent_html_css(h, v, len, NULL);
    }

    if (consent_html_is(a->name, a->name_len, "srcdoc")) {
        /* a document of its own: what it would fetch or run */
        return consent_html_content(h, v, len, 0);
    }

    if (h->el == CONSENT_HTML_EL_META) {
        v = consent_html_refresh(v, &len);
    }

    mask = 0;

    /* a, area: ping is a list of URLs; SVG values= one of ';' */
    if (h->el == CONSENT_HTML_EL_PING
        || consent_html_is(a->name, a->name_len, "values"))
    {
        for (e = v + len; v < e; v += n) {
            while (v < e && (consent_html_space((unsigned char) *v)
                             || *v == ';'))
            {
                v++;
            }

            for (n = 0; v + n < e && !consent_html_space((unsigned char) v[n])
                        && v[n] != ';'; n++)
            {
                /* void */
            }

            cat = (n > 0) ? consent_match_url_base(h->conf.policy, v, n,
                                                   h->base)
                          : CONSENT_MATCH_NONE;

            if (n > 0 && h->conf.host_seen != NULL) {
                consent_html_host(h, v, n, cat);
            }

            if (cat >= 0 && cat < 32) {
                mask |= (uint32_t) 1 << cat;
            }
        }

        return mask;
    }

    /* a data: or javascript: URL holds what it loads */
    for (i = 0; i < len && (unsigned char) v[i] <= 0x20; i++) {
        /* void */
    }

    if (len - i >= 5 && consent_html_is(v + i, 5, "data:")) {
        return consent_html_content(h, v + i + 5, len - i - 5, 1);
    }

    if (len - i >= 11 && consent_html_is(v + i, 11, "javascript:")) {
        return consent_html_content(h, v + i + 11, len - i - 11, 2);
    }

    cat = consent_match_url_base(h->conf.policy, v, len, h->base);

    if (h->conf.host_seen != NULL) {
        consent_html_host(h, v, len, cat);
    }

    return (cat >= 0 && cat < 32) ? (uint32_t) 1 << cat : 0;
}


/*
 * The URL of a refresh: "5; url=..." as the HTML Standard's shared
 * declarative refresh steps read it (the time, a ';' or ',', an
 * optional "url=", an optional quote)
 */

static const char *
consent_html_refresh(const char *v, size_t *lenp)
{
    const char  *e;

    e = v + *lenp;

    while (v < e && (consent_html_space((unsigned char) *v)
                     || (*v >= '0' && *v <= '9') || *v == '.'))
    {
        v++;
    }

    if (v < e && (*v == ';' || *v == ',')) {
        v++;
    }

    while (v < e && consent_html_space((unsigned char) *v)) {
        v++;
    }

    if (e - v >= 3 && consent_html_is(v, 3, "url")) {
        const char  *q = v + 3;

        while (q < e && consent_html_space((unsigned char) *q)) {
            q++;
        }

        if (q < e && *q == '=') {
            v = q + 1;

            while (v < e && consent_html_space((unsigned char) *v)) {
                v++;
            }
        }
    }

    if (v < e && (*v == '"' || *v == '\'')) {
        const char  *q = memchr(v + 1, *v, (size_t) (e - v - 1));

        e = (q != NULL) ? q : e;
        v++;
    }

    *lenp = (size_t) (e - v);

    return v;
}


/*
 * The categories of what a document, a data: URL's body (mode 1) or a
 * javascript: URL's code (mode 2) would fetch or run: it is decoded
 * (percent-encoding, base64) into the scratch buffer and searched for
 * the policy's URLs (from each "//", JSON's "\/" read as "/") and its
 * inline markers.  What does not fit the buffer is not looked at.
 */

CONSENT_HTML_LOCAL uint32_t
consent_html_content(consent_html_t *h, const char *s, size_t len, int mode)
{
    int          cat, b64;
    size_t       i, n, k;
    uint32_t     mask, acc;
    const char  *c;
    char        *d;

    d = h->scratch;
    n = 0;
    b64 = 0;

    if (mode == 1) {
        /* the media type and its parameters, up to ',' */
        c = memchr(s, ',', len);

        if (c == NULL) {
            return 0;
        }

        for (i = 0; i + 7 <= (size_t) (c - s); i++) {
            if (s[i] == ';' && consent_html_is(s + i + 1, 6, "base64")) {
                b64 = 1;
            }
        }

        len -= (size_t) (c + 1 - s);
        s = c + 1;
    }

    for (i = 0; i < len && n < h->scratch_cap; i++) {
        if (mode != 0 && s[i] == '%' && i + 2 < len
            && consent_hex_value(s[i + 1]) >= 0
            && consent_hex_value(s[i + 2]) >= 0)
        {
            d[n++] = (char) (consent_hex_value(s[i + 1]) * 16
                             + consent_hex_value(s[i + 2]));
            i += 2;
            continue;
        }

        d[n++] = s[i];
    }

    if (b64) {
        /* in place: four characters make three bytes */
        for (i = 0, k = 0, acc = 0, len = 0; i < n; i++) {
            cat = consent_b64any_digit((unsigned char) d[i]);

            if (cat < 0) {
                continue;
            }

            acc = (acc << 6) | (uint32_t) cat;

            if (++k == 4) {
                d[len++] = (char) (acc >> 16);
                d[len++] = (char) (acc >> 8);
                d[len++] = (char) acc;
                k = 0;
                acc = 0;
            }
        }

        if (k == 3) {
            d[len++] = (char) (acc >> 10);
            d[len++] = (char) (acc >> 2);

        } else if (k == 2) {
            d[len++] = (char) (acc >> 4);
        }

        n = len;
    }

    /* "\/" as in JSON and script strings */
    for (i = 0, k = 0; i < n; i++) {
        if (d[i] == '\\' && i + 1 < n && d[i + 1] == '/') {
            continue;
        }

        d[k++] = d[i];
    }

    n = k;
    mask = 0;

    for (c = d; (size_t) (c - d) + 1 < n; c++) {
        c = memchr(c, '/', n - (size_t) (c - d) - 1);

        if (c == NULL) {
            break;
        }

        if (c[1] != '/') {
            continue;
        }

        /* the URL from "//" up to what cannot be in one */
        for (k = 2; c + k < d + n; k++) {
            i = (unsigned char) c[k];

            if (i <= 0x20 || i == '"' || i == '\'' || i == '<' || i == '>'
                || i == '`' || i == '(' || i == ')' || i == '\\')
            {
                break;
            }
        }

        cat = consent_match_url_base(h->conf.policy, c, k, h->base);

        if (cat >= 0 && cat < 32) {
            mask |= (uint32_t) 1 << cat;
        }

        c++;
    }

    cat = consent_match_inline(h->conf.policy, d, n);

    if (cat >= 0 && cat < 32) {
        mask |= (uint32_t) 1 << cat;
    }

    return mask;
}


/* the look into an inline script ends; end: where its text ends */

CONSENT_HTML_LOCAL void
consent_html_lookahead_done(consent_html_t *h, size_t end, const char *p)
{
    int          cat;
    size_t       n;
    uint32_t     mask;
    const char  *t;

    h->yield = 1;
    t = consent_html_text(h, p, &n);

    if (t == NULL || end < h->la_tag_len || end > n) {
        /* the look ended without the script's end in sight */
        end = n;
    }

    if (t == NULL) {
        consent_html_release(h);
        return;
    }

    if (h->la_urls) {
        /* speculation rules: the URLs they would prefetch or prerender */
        mask = consent_html_content(h, t + h->la_tag_len,
                                    end - h->la_tag_len, 0);

        for (cat = 31; cat >= 0 && !(mask & ((uint32_t) 1 << cat)); cat--) {
            /* void */
        }

    } else {
        cat = consent_match_inline(h->conf.policy, t + h->la_tag_len,
                                   end - h->la_tag_len);
        mask = (cat >= 0 && cat < 32) ? (uint32_t) 1 << cat : 0;
    }

    if (cat < 0 || consent_html_granted(h, mask)) {
        if (cat >= 0) {
            consent_html_decided(h, CONSENT_HTML_RELEASED, p,
                                 h->la_urls ? "speculation rules"
                                            : "inline rule", mask);
        }

        consent_html_release(h);
        return;
    }

    h->category = cat;
    h->mask = mask;

    consent_html_decided(h, CONSENT_HTML_GATED, p,
                         h->la_urls ? "speculation rules" : "inline rule",
                         mask);
    consent_html_rewrite(h, p, CONSENT_W_GATE);
    h->stats.gated++;
}


/*
 * An SVG script's text is markup: it ends at the '<' at la_lt that
 * begins a tag, a comment or a DOCTYPE (a CDATA section goes on).  The
 * script is judged by its text up to there and written out; the region
 * goes on from the '<', held as any other.  p: where the scan is.
 */

CONSENT_HTML_LOCAL void
consent_html_lookahead_cut(consent_html_t *h, const char *p)
{
    int          cat;
    size_t       n, cut;
    const char  *t;

    t = consent_html_text(h, p, &n);
    cut = h->la_lt;

    if (t == NULL || cut < h->la_tag_len || cut > n) {
        /* not expected: the look is bounded, a '<' was seen */
        consent_html_lookahead_done(h, (size_t) -1, p);
        return;
    }

    cat = consent_match_inline(h->conf.policy, t + h->la_tag_len,
                               cut - h->la_tag_len);

    if (cat >= 0 && !consent_html_granted(h, (uint32_t) 1 << cat)) {
        h->category = cat;
        h->mask = (uint32_t) 1 << cat;

        consent_html_decided(h, CONSENT_HTML_GATED, p, "inline rule",
                             h->mask);
        consent_html_edit(h, cut, CONSENT_W_GATE);
        h->stats.gated++;

    } else {
        consent_html_input(h, h->out, h->mark);
        consent_html_emit_range(h, 0, cut);
    }

    consent_html_shift(h, cut);
    h->region = CONSENT_R_TENTATIVE;
}


/* a tracker's tag let through, its URL macros filled (conf.macro) */

static int
consent_html_macro(consent_html_t *h, const char *p)
{
    size_t       n, len;
    const char  *t, *to, *d;

    t = consent_html_text(h, p, &n);

    if (t == NULL) {
        return 0;
    }

    for (d = t; (d = memchr(d, '$', t + n - d)) != NULL && d + 1 < t + n;
         d++)
    {
        if (d[1] == '{') {
            break;
        }
    }

    if (d == NULL || d + 1 >= t + n) {
        return 0;
    }

    to = h->conf.macro(h->conf.macro_ctx, t, n, &len);

    if (to == NULL) {
        return 0;
    }

    consent_html_input(h, h->out, h->mark);
    consent_html_own(h, to, len);

    h->out = p;
    h->hold_len = 0;
    h->region = CONSENT_R_NONE;
    h->stats.changed = 1;

    return 1;
}


/* hosts */


/*
 * Reports the host of a URL the held tag would fetch, cat its category
 * by the rules (a mark's wins); a <base> fetches nothing, and a URL
 * without a host (relative with no base known, data:) is not reported
 */

CONSENT_HTML_LOCAL void
consent_html_host(consent_html_t *h, const char *v, size_t len, int cat)
{
    int             classified;
    size_t          el_len;
    const char     *el;
    consent_url_t   u;
    char            buf[CONSENT_URL_HOST_MAX + 64];

    if (h->el == CONSENT_HTML_EL_BASE) {
        return;
    }

    u.buf = buf;
    u.size = sizeof(buf);

    if (consent_url_parse(&u, v, len, h->base) != CONSENT_URL_OK
        || u.host_type == CONSENT_HOST_NONE || u.host_len == 0
        || u.host + u.host_len > u.len)
    {
        return;
    }

    classified = h->host_mark ? h->host_mark
                              : (cat >= 0 && cat < 32) ? cat + 1 : 0;

    if (h->el == CONSENT_HTML_EL_CSS) {
        el = "style";
        el_len = 5;

    } else {
        el = h->name;
        el_len = h->name_len < CONSENT_HTML_NAME_MAX ? h->name_len
                                                     : CONSENT_HTML_NAME_MAX;
    }

    h->conf.host_seen(h->conf.host_ctx, u.buf + u.host, u.host_len,
                      classified, el, el_len);
}


/* the host of each URL of a srcset, each by its own category */

static void
consent_html_srcset_hosts(consent_html_t *h, const consent_attr_t *a)
{
    size_t       pos, n;
    const char  *url;

    pos = 0;

    while (consent_srcset_next(a->value, a->value_len, &pos, &url, &n)) {
        consent_html_host(h, url, n,
                          consent_match_url_base(h->conf.policy, url, n,
                                                 h->base));
    }
}


/* the held tag's attribute (its first, duplicates are dropped) */

CONSENT_HTML_LOCAL const consent_attr_t *
consent_html_attr(consent_html_t *h, const char *name)
{
    size_t  i, len;

    /* the names are decoded: no upper case is left to fold */
    len = strlen(name);

    for (i = 0; i < h->nattrs; i++) {
        if (h->attrs[i].name_len == len
            && memcmp(h->attrs[i].name, name, len) == 0)
        {
            return &h->attrs[i];
        }
    }

    return NULL;
}


/* type="text/plain", maybe with parameters: a script already inert */

static int
consent_html_text_plain(const consent_attr_t *a)
{
    size_t       len;
    const char  *s;

    if (a == NULL) {
        return 0;
    }

    s = consent_html_value(a, &len);

    if (len < 10 || !consent_html_is(s, 10, "text/plain")) {
        return 0;
    }

    return len == 10 || s[10] == ';'
           || consent_html_space((unsigned char) s[10]);
}


/* a's value after the whitespace it may begin with, *len its length */

static const char *
consent_html_value(const consent_attr_t *a, size_t *len)
{
    size_t       n;
    const char  *s;

    s = a->value;
    n = a->value_len;

    while (n > 0 && consent_html_space((unsigned char) *s)) {
        s++;
        n--;
    }

    *len = n;

    return s;
}


/*
 * The type of a script the browser runs: none, empty, "module" or a
 * JavaScript MIME type (parameters aside); JSON, templates and the
 * like are data, and their text is not looked at.
 */

static int
consent_html_runs(const consent_attr_t *a)
{
    size_t              len, i;
    const char         *s;
    const char *const  *t;

    static const char *const  types[] = {
        "module", "text/javascript", "application/javascript",
        "text/ecmascript", "application/ecmascript", "text/jscript",
        "text/livescript", "text/x-javascript", "text/x-ecmascript",
        "application/x-javascript", "application/x-ecmascript",
        "text/javascript1.0", "text/javascript1.1", "text/javascript1.2",
        "text/javascript1.3", "text/javascript1.4", "text/javascript1.5",
        NULL
    };

    if (a == NULL) {
        return 1;
    }

    s = consent_html_value(a, &len);

    for (i = 0; i < len; i++) {
        if (s[i] == ';') {
            len = i;
            break;
        }
    }

    while (len > 0 && consent_html_space((unsigned char) s[len - 1])) {
        len--;
    }

    if (len == 0) {
        return 1;
    }

    for (t = types; *t != NULL; t++) {
        if (consent_html_is(s, len, *t)) {
            return 1;
        }
    }

    return 0;
}

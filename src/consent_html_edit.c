
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * A held tag written out (docs/gating.md): gated or activated (its
 * attributes that load renamed, type, style and data-consent
 * inserted), failed closed as it streams by, or let go a value at a
 * time when it is longer than tag_max.  Called by consent_html.c and
 * consent_html_gate.c once a tag is judged.
 */


#include "consent_html_int.h"


/*
 * The attributes that can make an element load something, renamed when
 * a tag fails closed (docs/gating.md); the first ones take a URL that
 * may be a data: URL, which loads nothing from the network.
 */

static const char *const  consent_html_loads[][2] = {
    { "src", "data-consent-src" },
    { "href", "data-consent-href" },
    { "xlink:href", "data-consent-xlink-href" },
    { "poster", "data-consent-poster" },
    { "background", "data-consent-background" },
    { "lowsrc", "data-consent-lowsrc" },
    { "dynsrc", "data-consent-dynsrc" },
#define CONSENT_HTML_LOADS_URL  7
    { "data", "data-consent-data" },
    { "srcset", "data-consent-srcset" },
    { "imagesrcset", "data-consent-imagesrcset" },
    { "srcdoc", "data-consent-srcdoc" },
    { "ping", "data-consent-ping" },
    { "type", "data-consent-type" },
    { "style", "data-consent-style" },
    { "codebase", "data-consent-codebase" },
    { "classid", "data-consent-classid" },
    { "archive", "data-consent-archive" },
    { "action", "data-consent-action" },
    { "formaction", "data-consent-formaction" },
    { "content", "data-consent-content" },
    { "to", "data-consent-to" },
    { "values", "data-consent-values" },
    { "from", "data-consent-from" },
    { "by", "data-consent-by" },
    { NULL, NULL }
};


/* what decides how a held tag is judged, besides what it loads */

static const char *const  consent_html_decides[] = {
    "rel", "as", "http-equiv", "attributename", "data-src", "data-type",
    "data-category", "data-cookieconsent", "data-cookiecategory",
    "data-consent", NULL
};


static int consent_html_insert(consent_html_t *h, int mode);
static const char *consent_html_rename(consent_html_t *h,
    const char *name, size_t len, int mode);
static int consent_html_region_is(consent_html_t *h, size_t off, size_t len,
    const char *lit);
static int consent_html_idle(consent_html_t *h, const consent_html_raw_t *r,
    size_t lim, int open);
static void consent_html_fail_out(consent_html_t *h, const char *s,
    const char *e, int input);
static void consent_html_fail_name(consent_html_t *h);


/* writes the region out with the insertion after the name and renames */

CONSENT_HTML_LOCAL void
consent_html_rewrite(consent_html_t *h, const char *p, int mode)
{
    consent_html_edit(h, consent_html_off(h, p), mode);

    h->out = p;
    h->hold_len = 0;
    h->region = CONSENT_R_NONE;
}


/* the region's first n bytes go out edited; the caller lets them go */

CONSENT_HTML_LOCAL void
consent_html_edit(consent_html_t *h, size_t n, int mode)
{
    int          edits;
    size_t       i, pos;
    const char  *to;

    if (mode == CONSENT_W_GATE && h->category >= 0
        && h->category < CONSENT_MAX_CATEGORIES)
    {
        h->stats.gated_by[h->category]++;
    }

    consent_html_input(h, h->out, h->mark);
    consent_html_emit_range(h, 0, h->name_end);

    edits = consent_html_insert(h, mode);
    pos = h->name_end;

    for (i = 0; i < h->nraw; i++) {
        to = consent_html_rename(h, h->hold_len > h->raw[i].name_off
                                    ? h->hold + h->raw[i].name_off
                                    : h->mark + (h->raw[i].name_off
                                                 - h->hold_len),
                                 h->raw[i].name_len, mode);

        if (to == NULL) {
            continue;
        }

        consent_html_emit_range(h, pos, h->raw[i].name_off);
        consent_html_own_str(h, to);
        pos = h->raw[i].name_off + h->raw[i].name_len;
        edits++;
    }

    consent_html_emit_range(h, pos, n);

    if (edits) {
        h->stats.changed = 1;
    }
}


/* the attributes inserted after the name; returns how many */

static int
consent_html_insert(consent_html_t *h, int mode)
{
    int                    n;
    const consent_attr_t  *a;

    if (mode == CONSENT_W_ACTIVATE) {
        a = consent_html_attr(h, "data-type");

        consent_html_own_str(h, " type=\"");

        if (a != NULL) {
            consent_html_own_escaped(h, a->value, a->value_len);

        } else {
            consent_html_own_str(h, "text/javascript");
        }

        consent_html_own_str(h, "\"");
        return 1;
    }

    n = 0;

    if (h->el == CONSENT_EL_SCRIPT && !h->inert) {
        consent_html_own_str(h, " type=\"text/plain\"");
        n++;
    }

    if (h->css_gate) {
        /* the style without the url()s held back (it wins: it is first) */
        a = consent_html_attr(h, "style");
        consent_html_own_str(h, " style=\"");
        (void) consent_html_css(h, a->value, a->value_len, h);
        consent_html_own_str(h, "\"");
        n++;
    }

    if (!h->has_dc) {
        consent_html_own_str(h, " data-consent=\"");

        if (h->category >= 0) {
            consent_html_own_ids(h, h->mask, " ", 1);
        }

        consent_html_own_str(h, "\"");
        n++;
    }

    return n;
}


/* the new name of an attribute of a gated or activated element */

static const char *
consent_html_rename(consent_html_t *h, const char *name, size_t len,
    int mode)
{
    size_t  k;

    if (mode == CONSENT_W_GATE && h->css_gate
        && consent_html_is(name, len, "style"))
    {
        return "data-consent-style";
    }

    if (mode == CONSENT_W_GATE && h->css_only) {
        return NULL;
    }

    if (mode == CONSENT_W_ACTIVATE || h->el == CONSENT_EL_SCRIPT) {
        if (mode == CONSENT_W_GATE && h->inert) {
            return NULL;
        }

        if (consent_html_is(name, len, "type")) {
            return "data-consent-type";
        }

        /* an HTML script's src stays: a text/plain script fetches none */
        if (mode == CONSENT_W_ACTIVATE || !h->svg) {
            return NULL;
        }
    }

    if (!consent_html_url_name(h, name, len)) {
        return NULL;
    }

    for (k = 0; consent_html_loads[k][0] != NULL; k++) {
        if (consent_html_is(name, len, consent_html_loads[k][0])) {
            return consent_html_loads[k][1];
        }
    }

    return NULL;
}


/* long tags */


/*
 * The region's first n bytes have gone out: it goes on after them, in
 * the hold or in the buffer
 */

CONSENT_HTML_LOCAL void
consent_html_shift(consent_html_t *h, size_t n)
{
    if (n >= h->hold_len) {
        h->mark += n - h->hold_len;
        h->hold_len = 0;

    } else {
        memmove(h->hold, h->hold + n, h->hold_len - n);
        h->hold_len -= n;
    }

    h->out = h->mark;
}


/* the region's bytes [off, off + len) are lit, ASCII case aside */

static int
consent_html_region_is(consent_html_t *h, size_t off, size_t len,
    const char *lit)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        if (lit[i] == '\0'
            || consent_html_lower(consent_html_at(h, off + i)) != lit[i])
        {
            return 0;
        }
    }

    return lit[len] == '\0';
}


/*
 * Whether the attribute r (its value known up to lim; open: its value
 * goes on past lim) can be let go
 * unjudged, ahead of the rest of a long tag: what it is says nothing
 * of what the element loads, or it is a URL attribute whose value is
 * empty or a data: URL, on an element that does not run or show a
 * document from it.  A style may hold url(): it goes unjudged only
 * when its whole value is known and holds nothing of the kind.
 */

static int
consent_html_idle(consent_html_t *h, const consent_html_raw_t *r,
    size_t lim, int open)
{
    int           c;
    size_t        i, off, end, k, vend;
    const char   *const *d;

    if (r->name_len > 32) {
        /* no name that long loads or decides anything */
        return 1;
    }

    for (d = consent_html_decides; *d != NULL; d++) {
        if (consent_html_region_is(h, r->name_off, r->name_len, *d)) {
            return 0;
        }
    }

    if (r->name_len > 12
        && consent_html_region_is(h, r->name_off, 12, "data-consent"))
    {
        return 0;
    }

    if (!r->has_value) {
        return 1;
    }

    vend = open ? (size_t) -1 : r->value_off + r->value_len;
    end = vend < lim ? vend : lim;

    if (consent_html_region_is(h, r->name_off, r->name_len, "style")) {
        if (end < vend) {
            /* url() may follow */
            return 0;
        }

        for (off = r->value_off; off < end; off++) {
            c = consent_html_lower(consent_html_at(h, off));

            if (c == '\\' || c == '&' || c == '\0'
                || (off + 3 <= end
                    && (consent_html_region_is(h, off, 3, "url")
                        || consent_html_region_is(h, off, 3, "ima")
                        || consent_html_region_is(h, off, 3, "src")
                        || consent_html_region_is(h, off, 3, "@im"))))
            {
                return 0;
            }
        }

        return 1;
    }

    for (k = 0; consent_html_loads[k][0] != NULL; k++) {
        if (consent_html_region_is(h, r->name_off, r->name_len,
                                   consent_html_loads[k][0]))
        {
            break;
        }
    }

    if (consent_html_loads[k][0] == NULL) {
        return 1;
    }

    /* a type, srcset, ping... decides even empty (type="" runs) */
    if (k >= CONSENT_HTML_LOADS_URL) {
        return 0;
    }

    off = r->value_off;

    /* the URL parser strips C0 controls and spaces first */
    while (off < end && consent_html_at(h, off) <= 0x20) {
        off++;
    }

    if (off == vend) {
        /* empty or blank: nothing to fetch */
        return 1;
    }

    /* a data: script, document or plug-in runs what it holds */
    if (h->el == CONSENT_EL_SCRIPT || h->el == CONSENT_EL_IFRAME
        || h->el == CONSENT_EL_FRAME || h->el == CONSENT_EL_EMBED
        || h->el == CONSENT_EL_OBJECT)
    {
        return 0;
    }

    for (i = 0; i < 5; i++) {
        if (off + i >= end
            || consent_html_lower(consent_html_at(h, off + i)) != "data:"[i])
        {
            return 0;
        }
    }

    return 1;
}


/*
 * A held tag of more than tag_max bytes (up to p; complete: its '>'
 * is in): the value that the byte at tag_max is in, and everything
 * before it, are let go unchanged when they load nothing and decide
 * nothing (consent_html_idle()), and the tag is held again from after
 * that value, where what it gets inserted goes.  The same byte is
 * looked at however the page arrives, so the output does not depend
 * on the buffers.  A value that does not end before p streams on
 * (CONSENT_R_DRAIN) until it does.  -1: fail closed.
 */

CONSENT_HTML_LOCAL int
consent_html_long(consent_html_t *h, const char *p, int complete)
{
    int                  c;
    size_t               i, j, x, cut, open;
    consent_html_raw_t  *r;

    while (consent_html_off(h, p) > h->tag_max) {

        if (!h->rec) {
            return -1;
        }

        x = h->tag_max;

        /* the attribute whose value is still being read, if any */
        open = CONSENT_HTML_ATTRS_MAX;

        if (!complete && h->rec_cur < h->nraw
            && (h->state == CONSENT_S_ATTR_VALUE_DQ
                || h->state == CONSENT_S_ATTR_VALUE_SQ
                || h->state == CONSENT_S_ATTR_VALUE_UQ
                || h->state == CONSENT_S_ATTR_NAME
                || h->state == CONSENT_S_AFTER_ATTR_NAME
                || h->state == CONSENT_S_BEFORE_ATTR_VALUE))
        {
            open = h->rec_cur;
        }

        for (i = 0; i < h->nraw; i++) {
            r = &h->raw[i];

            if (i == open || (r->has_value
                              && r->value_off + r->value_len > x))
            {
                break;
            }

            if (!r->has_value && r->name_off + r->name_len > x) {
                break;
            }

            if (!consent_html_idle(h, r, x + 1, 0)) {
                return -1;
            }
        }

        if (i == h->nraw) {
            return -1;
        }

        r = &h->raw[i];

        /* the byte is in a value (not in a name, nor before its value) */
        if (!r->has_value || r->value_off > x
            || (i == open && h->state != CONSENT_S_ATTR_VALUE_DQ
                && h->state != CONSENT_S_ATTR_VALUE_SQ
                && h->state != CONSENT_S_ATTR_VALUE_UQ))
        {
            return -1;
        }

        /* only what is known at the byte counts, however split */
        if (!consent_html_idle(h, r, x + 1, 1)) {
            return -1;
        }

        if (i == open) {
            /* the value goes on past p: let it go as it comes */
            consent_html_input(h, h->out, h->mark);
            consent_html_emit_range(h, 0, consent_html_off(h, p));
            h->hold_len = 0;
            h->out = p;
            h->mark = p;
            h->region = CONSENT_R_DRAIN;
            return 0;
        }

        /* after the value, and its closing quote */
        cut = r->value_off + r->value_len;

        if (r->value_off > 0) {
            c = consent_html_at(h, r->value_off - 1);

            if (c == '"' || c == '\'') {
                cut++;
            }
        }

        consent_html_input(h, h->out, h->mark);
        consent_html_emit_range(h, 0, cut);

        consent_html_shift(h, cut);

        for (j = i + 1; j < h->nraw; j++) {
            r = &h->raw[j - i - 1];
            *r = h->raw[j];
            r->name_off -= cut;

            if (r->has_value) {
                r->value_off -= cut;
            }
        }

        h->nraw -= i + 1;
        h->rec_cur = (h->rec_cur < CONSENT_HTML_ATTRS_MAX && h->rec_cur > i)
                     ? h->rec_cur - i - 1 : CONSENT_HTML_ATTRS_MAX;

        if (h->rec_done) {
            h->rec_end -= cut;
        }

        h->name_end = 0;
        h->resumed = 1;

        if (h->rec_over) {
            /* attributes not noted may be now: note them again */
            consent_html_rerec(h, consent_html_off(h, p), complete);
        }
    }

    return 0;
}


/* failed closed */


/*
 * Fails closed the held tag up to p: after its name (or where it is
 * held from) go type="text/plain" for a script and data-consent="",
 * and every attribute that can load something is renamed, in what is
 * held and in what follows until the tag ends, however many there are.
 */

CONSENT_HTML_LOCAL void
consent_html_fail(consent_html_t *h, const char *p, const char *why)
{
    size_t  n, skip;

    consent_html_decided(h, CONSENT_HTML_FAILED, p, why, 0);

    n = consent_html_off(h, p);

    consent_html_input(h, h->out, h->mark);
    consent_html_emit_range(h, 0, h->name_end);

    /*
     * an <a>, a <td>, a <track>...: only what it loads by is renamed
     * (for a <meta>, nothing: its content says something only with an
     * http-equiv that may come later), nothing inserted, and nothing
     * counted unless something is: the scan passes over such a tag
     * without that name in it, however long
     */
    h->fw_quiet = h->el > CONSENT_EL_SOURCE;

    if (!h->fw_quiet) {
        consent_html_own_str(h, h->el == CONSENT_EL_SCRIPT
                                ? " type=\"text/plain\" data-consent=\"\""
                                : " data-consent=\"\"");

        h->stats.overlong++;
        h->stats.changed = 1;
    }

    /* the byte after the name, or after a value, goes on the same way */
    h->fw_state = h->resumed ? CONSENT_S_AFTER_ATTR_VALUE
                             : CONSENT_S_TAG_NAME;
    h->fw_long = 0;
    h->fw_name_len = 0;

    skip = 0;

    if (h->name_end < h->hold_len) {
        consent_html_fail_walk(h, h->hold + h->name_end,
                               h->hold_len - h->name_end, 0);

    } else {
        skip = h->name_end - h->hold_len;
    }

    if (n > h->hold_len + skip) {
        consent_html_fail_walk(h, h->mark + skip,
                               (size_t) (p - h->mark) - skip, 1);
    }

    h->hold_len = 0;
    h->out = p;
    h->mark = p;
    h->rec = 0;
    h->region = (h->fw_state == CONSENT_S_TAG_END) ? CONSENT_R_NONE
                                                   : CONSENT_R_FAIL;
}


/*
 * A failed tag's bytes s[0..len) (input: the buffer's, else held): as
 * they are, but for the names of the attributes that load, renamed.  A
 * name is held until it ends (in fw_name: one longer is none of them).
 */

CONSENT_HTML_LOCAL void
consent_html_fail_walk(consent_html_t *h, const char *s, size_t len,
    int input)
{
    int          st, ns, c;
    const char  *p, *e, *from;

    st = h->fw_state;
    from = s;
    e = s + len;

    for (p = s; p < e && st != CONSENT_S_TAG_END; p++) {
        c = (unsigned char) *p;
        ns = consent_html_step(st, c);

        if (st == CONSENT_S_ATTR_NAME && ns != CONSENT_S_ATTR_NAME) {
            consent_html_fail_name(h);
        }

        if (ns == CONSENT_S_ATTR_NAME && !h->fw_long) {
            if (st != CONSENT_S_ATTR_NAME) {
                h->fw_name_len = 0;
            }

            consent_html_fail_out(h, from, p, input);
            from = p + 1;

            if (h->fw_name_len < CONSENT_HTML_FNAME_MAX) {
                h->fw_name[h->fw_name_len++] = (char) c;

            } else {
                /* too long to load: as it is */
                consent_html_own(h, h->fw_name, h->fw_name_len);
                h->fw_long = 1;
                from = p;
            }
        }

        st = ns;
    }

    consent_html_fail_out(h, from, p, input);
    h->fw_state = st;
}


static void
consent_html_fail_out(consent_html_t *h, const char *s, const char *e,
    int input)
{
    if (input) {
        consent_html_input(h, s, e);

    } else if (e > s) {
        consent_html_own(h, s, (size_t) (e - s));
    }
}


/* the name held by consent_html_fail_walk() has ended */

static void
consent_html_fail_name(consent_html_t *h)
{
    size_t  k, i;

    if (h->fw_long) {
        h->fw_long = 0;
        h->fw_name_len = 0;
        return;
    }

    for (k = 0; consent_html_loads[k][0] != NULL; k++) {
        /* a NUL in the name matches no name's end: stop at that */
        for (i = 0; i < h->fw_name_len && consent_html_loads[k][0][i]; i++) {
            if (consent_html_lower((unsigned char) h->fw_name[i])
                != consent_html_loads[k][0][i])
            {
                break;
            }
        }

        if (i == h->fw_name_len && consent_html_loads[k][0][i] == '\0'
            && (!h->fw_quiet
                || (h->el != CONSENT_HTML_EL_META
                    && h->el != CONSENT_HTML_EL_CSS
                    && consent_html_url_name(h, consent_html_loads[k][0],
                                             i))))
        {
            if (h->fw_quiet) {
                h->fw_quiet = 0;
                h->stats.overlong++;
                h->stats.changed = 1;
            }

            consent_html_own_str(h, consent_html_loads[k][1]);
            h->fw_name_len = 0;
            return;
        }
    }

    consent_html_own(h, h->fw_name, h->fw_name_len);
    h->fw_name_len = 0;
}

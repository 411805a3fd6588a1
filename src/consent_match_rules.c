
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The policy's host and URL rules compiled, when the policy is loaded,
 * into two automata that find the first matching rule in one pass
 * (docs/url-matching.md, "How the rules are run"):
 *
 * - host rules: a trie of the patterns written backwards, walked from
 *   the host's last byte; a node that ends a pattern at a label
 *   boundary of the host is a match.  The walk stops at the first byte
 *   no pattern ends with ("...org" when no rule ends in "g").
 * - URL rules: an Aho-Corasick automaton, as a DFA over classes of
 *   bytes, run over the URL as it is folded (one fold, below, for the
 *   patterns and the URLs); at its root, the bytes that keep it there
 *   are passed over through a table.
 *
 * Each accepting state carries the smallest rule index among the
 * patterns it ends (its own and its failure chain's), so a pass gives
 * the first rule in policy order that the old one-rule-at-a-time search
 * gave (t/unit/match_diff.c compares them).
 */


#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consent_ascii.h"
#include "consent_match.h"


/* entries of one automaton's table: 16 MB; a policy above is refused */
#define CONSENT_MATCH_TABLE_MAX  ((size_t) 1 << 22)

#define CONSENT_MATCH_NO_RULE    UINT32_MAX


/*
 * A table of nstates rows of width entries: the next state for each
 * class, as the offset of its row (state * width), then the rule the
 * state accepts (CONSENT_MATCH_NO_RULE if none).  The URL automaton has
 * one class more, that of '%', TAB, LF and CR, whose entries lead past
 * the table (to the slow path).
 */
typedef struct {
    uint32_t           *next;
    size_t              nstates;
    size_t              width;          /* classes + 1 */
    unsigned char       cls[256];       /* byte -> class; 0: in no pattern */
} consent_dfa_t;


struct consent_matcher_s {
    consent_dfa_t       host;           /* the reversed trie; row 0 root,
                                           offset 0 also "dead" */
    consent_dfa_t       url;            /* Aho-Corasick; row 0 root */
    uint32_t            hot;            /* url: offsets >= hot accept or
                                           need the fold ('%') */
    uint32_t            escape;         /* url: '%', TAB, LF and CR lead
                                           from the row at offset o to
                                           escape + o, past the table */
    unsigned char       raw[256];       /* url: class of a raw byte */
    unsigned char       start[256];     /* url: 1 if the byte leaves the
                                           root (or needs the fold) */
    uint32_t            first_url;      /* the first URL rule's index */
};


static int consent_fold_next(const char **pos, const char *end);
static int consent_dfa_classes(consent_dfa_t *d, const consent_policy_t *p,
    consent_rule_kind_e kind, int extra);
static int consent_dfa_grow(consent_dfa_t *d, size_t *cap);
static int consent_host_compile(consent_matcher_t *m,
    const consent_policy_t *p);
static int consent_url_compile(consent_matcher_t *m,
    const consent_policy_t *p);


/*
 * The fold of URLs and URL patterns, one byte at a time: TAB, LF and CR
 * removed (browsers drop them), "\" as "/", a percent-escape decoded
 * once (its two digits may have TAB, LF or CR between them), then ASCII
 * lower case.  The next folded byte from *pos, or -1 at the end.
 */

static int
consent_fold_next(const char **pos, const char *end)
{
    int          c, h, l;
    const char  *s, *q;

    for (s = *pos; s < end; s++) {
        c = (unsigned char) *s;

        if (c == '\t' || c == '\n' || c == '\r') {
            continue;
        }

        *pos = s + 1;

        if (c == '\\') {
            return '/';
        }

        if (c != '%') {
            return consent_ascii_lower(c);
        }

        for (q = s + 1; q < end && (*q == '\t' || *q == '\n' || *q == '\r');
             q++)
        {
            /* void */
        }

        h = q < end ? consent_hex_value((unsigned char) *q++) : -1;

        while (q < end && (*q == '\t' || *q == '\n' || *q == '\r')) {
            q++;
        }

        l = q < end ? consent_hex_value((unsigned char) *q++) : -1;

        if (h < 0 || l < 0) {
            return '%';
        }

        *pos = q;

        return consent_ascii_lower((h << 4) | l);
    }

    *pos = end;

    return -1;
}


size_t
consent_match_fold(const char *s, size_t len, char *out)
{
    int          c;
    size_t       n;
    const char  *pos, *end;

    n = 0;
    pos = s;
    end = s + len;

    while ((c = consent_fold_next(&pos, end)) >= 0) {
        out[n++] = (char) c;
    }

    return n;
}


int
consent_match_compile(consent_policy_t *p, char *err, size_t errlen)
{
    consent_matcher_t  *m;

    consent_match_free(p->matcher);
    p->matcher = NULL;

    m = calloc(1, sizeof(consent_matcher_t));
    if (m == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }

    if (consent_host_compile(m, p) != 0) {
        snprintf(err, errlen, "the host rules are too many to compile "
                 "(more than %zu table entries)", CONSENT_MATCH_TABLE_MAX);
        consent_match_free(m);
        return -1;
    }

    if (consent_url_compile(m, p) != 0) {
        snprintf(err, errlen, "the URL rules are too many to compile "
                 "(more than %zu table entries)", CONSENT_MATCH_TABLE_MAX);
        consent_match_free(m);
        return -1;
    }

    p->matcher = m;

    return 0;
}


void
consent_match_free(consent_matcher_t *m)
{
    if (m == NULL) {
        return;
    }

    free(m->host.next);
    free(m->url.next);
    free(m);
}


/* classes 1.. for the bytes of the patterns of a kind, extra more */

static int
consent_dfa_classes(consent_dfa_t *d, const consent_policy_t *p,
    consent_rule_kind_e kind, int extra)
{
    int                         n;
    size_t                      i, j;
    const consent_rule_t       *r;
    const consent_rule_list_t  *l;

    memset(d->cls, 0, sizeof(d->cls));
    n = 1;
    l = &p->by_kind[kind];

    for (i = 0; i < l->n; i++) {
        r = &p->rules[l->index[i]];

        for (j = 0; j < r->len; j++) {
            if (d->cls[(unsigned char) r->pattern[j]] == 0) {
                d->cls[(unsigned char) r->pattern[j]] = (unsigned char) n++;
            }
        }
    }

    /* 256 bytes, class 0 and the extra ones can exceed a byte */
    if (n + extra > 256) {
        return -1;
    }

    d->width = (size_t) (n + extra + 1);

    return n;
}


/* room for one more state, its row cleared */

static int
consent_dfa_grow(consent_dfa_t *d, size_t *cap)
{
    size_t     ncap;
    uint32_t  *next;

    if ((d->nstates + 1) * d->width > CONSENT_MATCH_TABLE_MAX) {
        return -1;
    }

    if (d->nstates == *cap) {
        ncap = *cap ? *cap * 2 : 64;

        if (ncap * d->width > CONSENT_MATCH_TABLE_MAX) {
            ncap = CONSENT_MATCH_TABLE_MAX / d->width;
        }

        next = realloc(d->next, ncap * d->width * sizeof(uint32_t));
        if (next == NULL) {
            return -1;
        }

        d->next = next;
        *cap = ncap;
    }

    memset(d->next + d->nstates * d->width, 0, d->width * sizeof(uint32_t));
    d->next[d->nstates * d->width + d->width - 1] = CONSENT_MATCH_NO_RULE;
    d->nstates++;

    return 0;
}


/*
 * The host patterns backwards in a trie: offset 0 (the root) is never a
 * target, so a transition to 0 is "no pattern ends so"
 */

static int
consent_host_compile(consent_matcher_t *m, const consent_policy_t *p)
{
    int                         ncls;
    size_t                      i, j, cap, st, w;
    uint32_t                   *e;
    consent_dfa_t              *d;
    const consent_rule_t       *r;
    const consent_rule_list_t  *l;

    d = &m->host;
    cap = 0;

    ncls = consent_dfa_classes(d, p, CONSENT_RULE_HOST, 0);
    if (ncls < 0 || consent_dfa_grow(d, &cap) != 0) {
        return -1;
    }

    w = d->width;
    l = &p->by_kind[CONSENT_RULE_HOST];

    for (i = 0; i < l->n; i++) {
        r = &p->rules[l->index[i]];
        st = 0;

        for (j = r->len; j > 0; j--) {
            e = &d->next[st + d->cls[(unsigned char) r->pattern[j - 1]]];

            if (*e == 0) {
                if (consent_dfa_grow(d, &cap) != 0) {
                    return -1;
                }

                /* d->next may have moved */
                e = &d->next[st + d->cls[(unsigned char) r->pattern[j - 1]]];
                *e = (uint32_t) ((d->nstates - 1) * w);
            }

            st = *e;
        }

        /* rules come in policy order: the first of duplicates stays */
        if (d->next[st + w - 1] == CONSENT_MATCH_NO_RULE) {
            d->next[st + w - 1] = (uint32_t) l->index[i];
        }
    }

    return 0;
}


/*
 * The first host rule the host equals or ends in "." followed by, an
 * index, or nrules
 */

size_t
consent_match_hosts(const consent_policy_t *p, const char *host,
    size_t hlen)
{
    size_t                    j, best, w;
    uint32_t                  st, rule;
    const uint32_t           *next;
    const unsigned char      *cls;
    const consent_matcher_t  *m;

    m = p->matcher;
    best = p->nrules;

    if (m == NULL || hlen == 0) {
        return best;
    }

    next = m->host.next;
    cls = m->host.cls;
    w = m->host.width;
    st = 0;

    for (j = hlen; j > 0; j--) {
        st = next[st + cls[(unsigned char) host[j - 1]]];

        if (st == 0) {
            break;
        }

        rule = next[st + w - 1];

        if (rule < best && (j == 1 || host[j - 2] == '.')) {
            best = rule;
        }
    }

    return best;
}


/*
 * Aho-Corasick over classes: the trie of the folded patterns, failure
 * links by breadth, every missing transition filled from the failure
 * state, and each state's rule the smallest of its own and its failure
 * state's.  Then the states are renumbered so that those that accept
 * come last, and the class of '%' leads past them all (to escape plus
 * the row it left): one comparison a byte sends both to the slow path.
 */

static int
consent_url_compile(consent_matcher_t *m, const consent_policy_t *p)
{
    int                         ncls, c;
    size_t                      i, j, cap, st, w, n, head, tail, s, f, t;
    size_t                      nacc, k;
    uint32_t                   *e, *fail, *queue, *order, *old;
    consent_dfa_t              *d;
    const consent_rule_t       *r;
    const consent_rule_list_t  *l;

    d = &m->url;
    cap = 0;
    l = &p->by_kind[CONSENT_RULE_URL];

    m->first_url = l->n ? (uint32_t) l->index[0] : CONSENT_MATCH_NO_RULE;

    /* one class more: '%', TAB, LF and CR, for the slow path */
    ncls = consent_dfa_classes(d, p, CONSENT_RULE_URL, 1);
    if (ncls < 0 || consent_dfa_grow(d, &cap) != 0) {
        return -1;
    }

    w = d->width;

    /* the trie; 0 is "none yet" while building: the root is no child */
    for (i = 0; i < l->n; i++) {
        r = &p->rules[l->index[i]];
        st = 0;

        for (j = 0; j < r->len; j++) {
            c = d->cls[(unsigned char) r->pattern[j]];
            e = &d->next[st + c];

            if (*e == 0) {
                if (consent_dfa_grow(d, &cap) != 0) {
                    return -1;
                }

                e = &d->next[st + c];
                *e = (uint32_t) ((d->nstates - 1) * w);
            }

            st = *e;
        }

        if (d->next[st + w - 1] == CONSENT_MATCH_NO_RULE) {
            d->next[st + w - 1] = (uint32_t) l->index[i];
        }
    }

    n = d->nstates;

    fail = calloc(n, sizeof(uint32_t));
    queue = calloc(n, sizeof(uint32_t));
    order = calloc(n, sizeof(uint32_t));
    old = malloc(n * w * sizeof(uint32_t));

    if (fail == NULL || queue == NULL || order == NULL || old == NULL) {
        free(fail);
        free(queue);
        free(order);
        free(old);
        return -1;
    }

    /* breadth first, in offsets; the root's missing moves stay at root */
    head = 0;
    tail = 0;

    for (c = 0; c < ncls; c++) {
        t = d->next[c];

        if (t != 0) {
            fail[t / w] = 0;
            queue[tail++] = (uint32_t) t;
        }
    }

    while (head < tail) {
        s = queue[head++];
        f = fail[s / w];

        if (d->next[f + w - 1] < d->next[s + w - 1]) {
            d->next[s + w - 1] = d->next[f + w - 1];
        }

        for (c = 0; c < ncls; c++) {
            t = d->next[s + c];

            if (t != 0) {
                fail[t / w] = d->next[f + c];
                queue[tail++] = (uint32_t) t;

            } else {
                d->next[s + c] = d->next[f + c];
            }
        }
    }

    /* renumber: states that accept last */
    k = 0;

    for (i = 0; i < n; i++) {
        if (d->next[i * w + w - 1] == CONSENT_MATCH_NO_RULE) {
            order[i] = (uint32_t) k++;
        }
    }

    nacc = k;

    for (i = 0; i < n; i++) {
        if (d->next[i * w + w - 1] != CONSENT_MATCH_NO_RULE) {
            order[i] = (uint32_t) k++;
        }
    }

    memcpy(old, d->next, n * w * sizeof(uint32_t));

    for (i = 0; i < n; i++) {
        for (c = 0; c < ncls; c++) {
            d->next[order[i] * w + c] =
                                (uint32_t) (order[old[i * w + c] / w] * w);
        }

        d->next[order[i] * w + ncls] = (uint32_t) ((n + order[i]) * w);
        d->next[order[i] * w + w - 1] = old[i * w + w - 1];
    }

    free(fail);
    free(queue);
    free(order);
    free(old);

    /* the root is state 0 still: it never accepts (no empty pattern) */
    m->hot = (uint32_t) (nacc * w);
    m->escape = (uint32_t) (n * w);

    /*
     * A raw byte's class: its fold's, when the fold of the byte is one
     * byte of its own; '%', TAB, LF and CR lead to the slow path
     */
    for (i = 0; i < 256; i++) {
        m->raw[i] = d->cls[consent_ascii_lower((int) i)];
    }

    m->raw['\\'] = d->cls['/'];
    m->raw['%'] = (unsigned char) ncls;
    m->raw['\t'] = (unsigned char) ncls;
    m->raw['\n'] = (unsigned char) ncls;
    m->raw['\r'] = (unsigned char) ncls;

    /* the root never accepts: a byte that keeps it there can be skipped */
    for (i = 0; i < 256; i++) {
        m->start[i] = d->next[m->raw[i]] != 0;
    }

    return 0;
}


/*
 * The first URL rule before limit found in the URL folded as the
 * patterns are (consent_match_fold()): an index, or limit.
 */

size_t
consent_match_urls(const consent_policy_t *p, const char *s, size_t len,
    size_t limit)
{
    int                       c;
    size_t                    i, w, best, st, hot, esc, rule;
    const char               *pos;
    const uint32_t           *next;
    const unsigned char      *raw, *cls, *u, *start;
    const consent_matcher_t  *m;

    m = p->matcher;

    if (m == NULL || m->first_url >= limit) {
        return limit;
    }

    next = m->url.next;
    w = m->url.width;
    raw = m->raw;
    cls = m->url.cls;
    hot = m->hot;
    esc = m->escape;
    best = limit;
    start = m->start;
    st = 0;
    u = (const unsigned char *) s;
    i = 0;

    for ( ;; ) {
        if (st == 0) {
            /*
             * At the root, the bytes that lead nowhere else are passed
             * over, four a turn: independent loads, where the automaton
             * is a chain of dependent ones
             */
            while (len - i >= 4
                   && (start[u[i]] | start[u[i + 1]] | start[u[i + 2]]
                       | start[u[i + 3]]) == 0)
            {
                i += 4;
            }

            while (i < len && start[u[i]] == 0) {
                i++;
            }
        }

        if (i == len) {
            return best;
        }

        st = next[st + raw[u[i++]]];

        if (st < hot) {
            continue;
        }

        if (st >= esc) {
            /* an escape, or a byte the fold drops: fold from there */
            pos = s + i - 1;
            c = consent_fold_next(&pos, s + len);

            if (c < 0) {
                return best;
            }

            i = (size_t) (pos - s);
            st = next[st - esc + cls[c]];

            if (st < hot) {
                continue;
            }
        }

        rule = next[st + w - 1];

        if (rule < best) {
            best = rule;

            if (best == m->first_url) {
                return best;
            }
        }
    }
}

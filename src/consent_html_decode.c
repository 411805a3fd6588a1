
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * A held tag's names and values decoded as the HTML Standard's
 * tokenizer has them: NUL, CR, upper case in names, and the character
 * references that can spell a URL.  Most need nothing done:
 * consent_html_plain() says so, and they are used where they are.
 */


#include "consent_html_int.h"
#include "consent_utf8.h"


typedef struct {
    const char         *name;
    unsigned char       len;
    uint32_t            cp;
    uint32_t            cp2;            /* a second code point, or 0 */
} consent_html_entity_t;


/* what consent_html_dec() changes: 1 NUL and CR, 2 '&', 4 upper case */
static const unsigned char  consent_html_dec_class[256] = {
    ['\0'] = 1, ['\r'] = 1, ['&'] = 2,
    ['A'] = 4, ['B'] = 4, ['C'] = 4, ['D'] = 4, ['E'] = 4, ['F'] = 4,
    ['G'] = 4, ['H'] = 4, ['I'] = 4, ['J'] = 4, ['K'] = 4, ['L'] = 4,
    ['M'] = 4, ['N'] = 4, ['O'] = 4, ['P'] = 4, ['Q'] = 4, ['R'] = 4,
    ['S'] = 4, ['T'] = 4, ['U'] = 4, ['V'] = 4, ['W'] = 4, ['X'] = 4,
    ['Y'] = 4, ['Z'] = 4
};


/*
 * Named character references decoded in attribute values: the ones
 * that can spell a URL (the ASCII punctuation the HTML Standard names)
 * and a few common ones; the rest stay as written (docs/gating.md).
 * The forms without ';' are the legacy ones the Standard accepts bare;
 * names are case-sensitive, so "AMP" and "amp" are two entries each.
 */

static const consent_html_entity_t  consent_html_entities[] = {
    { "AMP", 3, '&', 0 },           { "AMP;", 4, '&', 0 },
    { "COPY", 4, 0xa9, 0 },         { "COPY;", 5, 0xa9, 0 },
    { "DiacriticalGrave;", 17, '`', 0 },
    { "GT", 2, '>', 0 },            { "GT;", 3, '>', 0 },
    { "Hat;", 4, '^', 0 },
    { "LT", 2, '<', 0 },            { "LT;", 3, '<', 0 },
    { "NewLine;", 8, '\n', 0 },
    { "NonBreakingSpace;", 17, 0xa0, 0 },
    { "QUOT", 4, '"', 0 },          { "QUOT;", 5, '"', 0 },
    { "REG", 3, 0xae, 0 },          { "REG;", 4, 0xae, 0 },
    { "Tab;", 4, '\t', 0 },
    { "UnderBar;", 9, '_', 0 },
    { "VerticalLine;", 13, '|', 0 },
    { "amp", 3, '&', 0 },           { "amp;", 4, '&', 0 },
    { "apos;", 5, '\'', 0 },
    { "ast;", 4, '*', 0 },
    { "bsol;", 5, '\\', 0 },
    { "colon;", 6, ':', 0 },
    { "comma;", 6, ',', 0 },
    { "commat;", 7, '@', 0 },
    { "copy", 4, 0xa9, 0 },         { "copy;", 5, 0xa9, 0 },
    { "dollar;", 7, '$', 0 },
    { "equals;", 7, '=', 0 },
    { "excl;", 5, '!', 0 },
    { "fjlig;", 6, 'f', 'j' },
    { "grave;", 6, '`', 0 },
    { "gt", 2, '>', 0 },            { "gt;", 3, '>', 0 },
    { "lbrace;", 7, '{', 0 },
    { "lbrack;", 7, '[', 0 },
    { "lcub;", 5, '{', 0 },
    { "lowbar;", 7, '_', 0 },
    { "lpar;", 5, '(', 0 },
    { "lsqb;", 5, '[', 0 },
    { "lt", 2, '<', 0 },            { "lt;", 3, '<', 0 },
    { "midast;", 7, '*', 0 },
    { "nbsp", 4, 0xa0, 0 },         { "nbsp;", 5, 0xa0, 0 },
    { "num;", 4, '#', 0 },
    { "percnt;", 7, '%', 0 },
    { "period;", 7, '.', 0 },
    { "plus;", 5, '+', 0 },
    { "quest;", 6, '?', 0 },
    { "quot", 4, '"', 0 },          { "quot;", 5, '"', 0 },
    { "rbrace;", 7, '}', 0 },
    { "rbrack;", 7, ']', 0 },
    { "rcub;", 5, '}', 0 },
    { "reg", 3, 0xae, 0 },          { "reg;", 4, 0xae, 0 },
    { "rpar;", 5, ')', 0 },
    { "rsqb;", 5, ']', 0 },
    { "semi;", 5, ';', 0 },
    { "shy", 3, 0xad, 0 },          { "shy;", 4, 0xad, 0 },
    { "sol;", 4, '/', 0 },
    { "verbar;", 7, '|', 0 },
    { "vert;", 5, '|', 0 }
};


/* numeric references to C1 controls mean windows-1252 */
static const uint16_t  consent_html_c1[32] = {
    0x20ac, 0x81, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
    0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8d, 0x017d, 0x8f,
    0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
    0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x9d, 0x017e, 0x0178
};


static const char *consent_html_decode(consent_html_t *h, const char *s,
    size_t len, int mode, size_t *out);
static int consent_html_alnum(int c);
static size_t consent_html_charref(const char *s, size_t n, uint32_t *cp,
    uint32_t *cp2);


/*
 * Decodes into the dec buffer: NUL as U+FFFD, CR LF and CR as LF;
 * mode 1: an attribute value (character references), 2: a name
 * (ASCII lower-cased), 0: comment data.  Returns s itself when there
 * is nothing to decode (valid as long as the held tag is), NULL when
 * the buffer is full.
 */

CONSENT_HTML_LOCAL const char *
consent_html_dec(consent_html_t *h, const char *s, size_t len, int mode,
    size_t *out)
{
    /* most need nothing done: they are used where they are */
    if (consent_html_plain(s, len, mode)) {
        *out = len;
        return s;
    }

    return consent_html_decode(h, s, len, mode, out);
}


static const char *
consent_html_decode(consent_html_t *h, const char *s, size_t len, int mode,
    size_t *out)
{
    int       c;
    char     *d, *start;
    size_t    i, used, room;
    uint32_t  cp, cp2;

    start = h->dec + h->dec_len;
    d = start;
    room = h->dec_cap - h->dec_len;

    for (i = 0; i < len; i++) {
        if ((size_t) (d - start) + 8 > room) {
            return NULL;
        }

        c = (unsigned char) s[i];

        if (c == '&' && mode == 1) {
            used = consent_html_charref(s + i, len - i, &cp, &cp2);

            if (used > 0) {
                d += consent_utf8_put(cp, d);

                if (cp2 != 0) {
                    d += consent_utf8_put(cp2, d);
                }

                i += used - 1;
                continue;
            }
        }

        if (c == '\0') {
            d += consent_utf8_put(0xfffd, d);

        } else if (c == '\r') {
            *d++ = '\n';

            if (i + 1 < len && s[i + 1] == '\n') {
                i++;
            }

        } else {
            *d++ = (char) (mode == 2 ? consent_html_lower(c) : c);
        }
    }

    *out = (size_t) (d - start);
    h->dec_len += *out;

    return start;
}


/*
 * Whether s has nothing consent_html_dec() changes: no NUL, CR, '&' in
 * a value (mode 1), upper-case letter in a name (mode 2).  Values can
 * be long: eight bytes at a time are looked at for NUL, CR and '&'.
 */

CONSENT_HTML_LOCAL int
consent_html_plain(const char *s, size_t len, int mode)
{
    size_t    i;
    uint64_t  w, x, y, t;
    unsigned  mask;

    i = 0;

    /* memchr() looks at many bytes at a time */
    if (mode != 2 && len >= 64) {
        return (mode != 1 || memchr(s, '&', len) == NULL)
               && memchr(s, '\r', len) == NULL
               && memchr(s, '\0', len) == NULL;
    }

    if (mode != 2) {
        for ( /* void */ ; i + 8 <= len; i += 8) {
            memcpy(&w, s + i, 8);

            x = w ^ (CONSENT_HTML_ONES * '\r');
            y = w ^ (CONSENT_HTML_ONES * '&');

            /* a zero byte in w, x or y sets its high bit in t */
            t = ((w - CONSENT_HTML_ONES) & ~w)
                | ((x - CONSENT_HTML_ONES) & ~x)
                | ((y - CONSENT_HTML_ONES) & ~y);

            if (t & (CONSENT_HTML_ONES << 7)) {
                break;
            }
        }
    }

    mask = (mode == 1) ? 3 : (mode == 2) ? 5 : 1;

    for ( /* void */ ; i < len; i++) {
        if (consent_html_dec_class[(unsigned char) s[i]] & mask) {
            return 0;
        }
    }

    return 1;
}


static int
consent_html_alnum(int c)
{
    return consent_html_alpha(c) || (c >= '0' && c <= '9');
}


/*
 * A character reference at s ('&') in an attribute value: the bytes it
 * takes and its code point, or 0 when it stays as written.
 */

static size_t
consent_html_charref(const char *s, size_t n, uint32_t *cp, uint32_t *cp2)
{
    int                           hex, d;
    size_t                        i, j, start, best;
    uint32_t                      v;
    const consent_html_entity_t  *e;

    if (n >= 2 && s[1] == '#') {
        i = 2;
        hex = 0;

        if (i < n && (s[i] == 'x' || s[i] == 'X')) {
            hex = 1;
            i++;
        }

        start = i;
        v = 0;

        for ( /* void */ ; i < n; i++) {
            d = (unsigned char) s[i];

            if (d >= '0' && d <= '9') {
                d -= '0';

            } else if (hex && d >= 'a' && d <= 'f') {
                d -= 'a' - 10;

            } else if (hex && d >= 'A' && d <= 'F') {
                d -= 'A' - 10;

            } else {
                break;
            }

            v = v * (hex ? 16 : 10) + (uint32_t) d;

            if (v > 0x10ffff) {
                v = 0x110000;
            }
        }

        if (i == start) {
            return 0;
        }

        if (i < n && s[i] == ';') {
            i++;
        }

        if (v == 0 || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
            v = 0xfffd;

        } else if (v >= 0x80 && v <= 0x9f) {
            v = consent_html_c1[v - 0x80];
        }

        *cp = v;
        *cp2 = 0;
        return i;
    }

    if (n < 2 || !consent_html_alnum((unsigned char) s[1])) {
        return 0;
    }

    /* the longest name that matches */
    best = 0;
    e = NULL;

    for (j = 0; j < sizeof(consent_html_entities)
                    / sizeof(consent_html_entities[0]); j++)
    {
        if (consent_html_entities[j].len > best
            && consent_html_entities[j].len <= n - 1
            && memcmp(s + 1, consent_html_entities[j].name,
                      consent_html_entities[j].len) == 0)
        {
            best = consent_html_entities[j].len;
            e = &consent_html_entities[j];
        }
    }

    if (e == NULL) {
        return 0;
    }

    /* a bare legacy name before '=' or a letter is not a reference */
    if (e->name[best - 1] != ';' && best + 1 < n
        && (s[best + 1] == '=' || consent_html_alnum((unsigned char)
                                                      s[best + 1])))
    {
        return 0;
    }

    *cp = e->cp;
    *cp2 = e->cp2;

    return best + 1;
}


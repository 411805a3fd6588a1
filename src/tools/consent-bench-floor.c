
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The floor for consent-bench: the least work any scanner must do to
 * know where a page's tags are, written as cheaply as we can.  It finds
 * each '<', reads the tag's name, walks to the '>' that ends the tag
 * (a quote after '=' opens a value the '>' may be in), passes over
 * comments and over the text of <script> and <style> to their end tag.
 *
 * It does less than the HTML Standard asks (no character references, no
 * script data escapes, no RCDATA other than style, no "<!-->", no
 * decisions, nothing written out), so a real tokenizer cannot be faster:
 * it is a lower bound to measure the scanner against, not a scanner.
 */


#include <string.h>

#if defined(__SSE2__) && !defined(CONSENT_NO_SIMD)
#include <emmintrin.h>
#endif

#include "consent-bench-floor.h"


static const unsigned char *bench_floor_stop(const unsigned char *p,
    const unsigned char *end);
static const unsigned char *bench_floor_close(const unsigned char *p,
    const unsigned char *end, const char *name, size_t len);
static int bench_floor_space(int c);
static const unsigned char *bench_floor_lt(const unsigned char *p,
    const unsigned char *end);


static int
bench_floor_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}


/* the next '<': the next 16 bytes in place, then memchr() */

static const unsigned char *
bench_floor_lt(const unsigned char *p, const unsigned char *end)
{
#if defined(__SSE2__) && !defined(CONSENT_NO_SIMD)
    int      m;
    __m128i  v;

    if (end - p >= 16) {
        v = _mm_loadu_si128((const __m128i *) p);
        m = _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('<')));
        if (m) {
            return p + __builtin_ctz((unsigned) m);
        }

        p += 16;
    }
#endif

    return memchr(p, '<', end - p);
}


/* the first '>', '"' or '\'' at or after p, or end */

static const unsigned char *
bench_floor_stop(const unsigned char *p, const unsigned char *end)
{
#if defined(__SSE2__) && !defined(CONSENT_NO_SIMD)
    int      m;
    __m128i  v, gt, dq, sq;

    gt = _mm_set1_epi8('>');
    dq = _mm_set1_epi8('"');
    sq = _mm_set1_epi8('\'');

    while (end - p >= 16) {
        v = _mm_loadu_si128((const __m128i *) p);
        m = _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, gt),
                              _mm_or_si128(_mm_cmpeq_epi8(v, dq),
                                           _mm_cmpeq_epi8(v, sq))));
        if (m) {
            return p + __builtin_ctz((unsigned) m);
        }

        p += 16;
    }
#endif

    while (p < end && *p != '>' && *p != '"' && *p != '\'') {
        p++;
    }

    return p;
}


/* the '<' of "</name" (any case) at or after p, or end */

static const unsigned char *
bench_floor_close(const unsigned char *p, const unsigned char *end,
    const char *name, size_t len)
{
    size_t  i;

    while ((p = memchr(p, '<', end - p)) != NULL) {
        if ((size_t) (end - p) < len + 2) {
            return end;
        }

        if (p[1] == '/') {
            for (i = 0; i < len; i++) {
                if ((p[2 + i] | 0x20) != name[i]) {
                    break;
                }
            }

            if (i == len) {
                return p;
            }
        }

        p++;
    }

    return end;
}


size_t
bench_floor_walk(const char *data, size_t len)
{
    int                   end_tag;
    size_t                tags, nlen;
    const unsigned char  *p, *q, *r, *name, *end;

    p = (const unsigned char *) data;
    end = p + len;
    tags = 0;

    for ( ;; ) {
        p = bench_floor_lt(p, end);
        if (p == NULL || end - p < 2) {
            break;
        }

        if (p[1] == '!') {
            if (end - p >= 4 && p[2] == '-' && p[3] == '-') {
                q = memmem(p + 4, end - p - 4, "-->", 3);
                p = q ? q + 3 : end;

            } else {
                q = memchr(p + 2, '>', end - p - 2);
                p = q ? q + 1 : end;
            }

            continue;
        }

        end_tag = p[1] == '/';
        name = p + 1 + end_tag;

        if (name >= end || ((*name | 0x20) < 'a' || (*name | 0x20) > 'z')) {
            p++;
            continue;
        }

        q = name + 1;
        while (q < end && !bench_floor_space(*q) && *q != '/' && *q != '>') {
            q++;
        }

        nlen = q - name;

        for ( ;; ) {
            q = bench_floor_stop(q, end);
            if (q == end || *q == '>') {
                break;
            }

            /* a quote opens a value only after '=' */
            for (r = q - 1; r > name && bench_floor_space(*r); r--) {
                /* void */
            }

            if (*r == '=') {
                r = memchr(q + 1, *q, end - q - 1);
                if (r == NULL) {
                    q = end;
                    break;
                }

                q = r;
            }

            q++;
        }

        tags++;

        if (q == end) {
            break;
        }

        p = q + 1;

        if (end_tag) {
            continue;
        }

        if (nlen == 6 && (name[0] | 0x20) == 's' && (name[1] | 0x20) == 'c'
            && (name[2] | 0x20) == 'r' && (name[3] | 0x20) == 'i'
            && (name[4] | 0x20) == 'p' && (name[5] | 0x20) == 't')
        {
            p = bench_floor_close(p, end, "script", 6);

        } else if (nlen == 5 && (name[0] | 0x20) == 's'
                   && (name[1] | 0x20) == 't' && (name[2] | 0x20) == 'y'
                   && (name[3] | 0x20) == 'l' && (name[4] | 0x20) == 'e')
        {
            p = bench_floor_close(p, end, "style", 5);
        }
    }

    return tags;
}

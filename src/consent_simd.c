
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The kernels of the scanner's structural index (consent_simd.h).
 */


#include <string.h>

#include "consent_simd.h"

#if (CONSENT_SIMD)
#include <immintrin.h>
#endif


#define CONSENT_SIMD_BLK         64


typedef struct {
    const char             *name;
    consent_simd_index_pt   index;
} consent_simd_kernel_t;


static size_t consent_simd_pick(const char *p, const char *lim,
    consent_simd_blk_t *b, size_t n);
static void consent_simd_init(void);

#if (CONSENT_SIMD)
static size_t consent_simd_sse2(const char *p, const char *lim,
    consent_simd_blk_t *b, size_t n);
static void consent_simd_sse2_blk(const char *p, consent_simd_blk_t *b);
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define CONSENT_SIMD_AVX2        1
static size_t consent_simd_avx2(const char *p, const char *lim,
    consent_simd_blk_t *b, size_t n) __attribute__((target("avx2")));
static void consent_simd_avx2_blk(const char *p, consent_simd_blk_t *b)
    __attribute__((target("avx2")));
#endif
#else
static size_t consent_simd_scalar(const char *p, const char *lim,
    consent_simd_blk_t *b, size_t n);
#endif


consent_simd_index_pt  consent_simd_index = consent_simd_pick;

static consent_simd_kernel_t  consent_simd_kernel[3];
static int                    consent_simd_nkernels;


/* the first call chooses the kernel for every other */

static size_t
consent_simd_pick(const char *p, const char *lim, consent_simd_blk_t *b,
    size_t n)
{
    consent_simd_init();
    return consent_simd_index(p, lim, b, n);
}


static void
consent_simd_init(void)
{
    int  n;

    if (consent_simd_nkernels != 0) {
        return;
    }

    n = 0;

#if (CONSENT_SIMD)
#if defined(CONSENT_SIMD_AVX2)
    __builtin_cpu_init();

    if (__builtin_cpu_supports("avx2")) {
        consent_simd_kernel[n].name = "avx2";
        consent_simd_kernel[n].index = consent_simd_avx2;
        n++;
    }
#endif

    consent_simd_kernel[n].name = "sse2";
    consent_simd_kernel[n].index = consent_simd_sse2;
    n++;
#else
    consent_simd_kernel[n].name = "scalar";
    consent_simd_kernel[n].index = consent_simd_scalar;
    n++;
#endif

    consent_simd_nkernels = n;
    consent_simd_index = consent_simd_kernel[0].index;
}


int
consent_simd_kernels(void)
{
    consent_simd_init();
    return consent_simd_nkernels;
}


const char *
consent_simd_name(int k)
{
    consent_simd_init();
    return (k >= 0 && k < consent_simd_nkernels) ? consent_simd_kernel[k].name
                                                 : "none";
}


void
consent_simd_use(int k)
{
    consent_simd_init();

    if (k < 0 || k >= consent_simd_nkernels) {
        k = 0;
    }

    consent_simd_index = consent_simd_kernel[k].index;
}


#if (CONSENT_SIMD)

/* the classes of 16 bytes, bit i for byte i */

#define consent_simd_sse2_16(v, c)                                           \
    ((uint64_t) (unsigned) _mm_movemask_epi8(_mm_cmpeq_epi8(v, c)))


static void
consent_simd_sse2_blk(const char *p, consent_simd_blk_t *b)
{
    int       i;
    __m128i   v, t, lt, gt, eq, sp, sl, nine, four, vt;
    uint64_t  mlt, mgt, meq, mws, msl;

    lt = _mm_set1_epi8('<');
    gt = _mm_set1_epi8('>');
    eq = _mm_set1_epi8('=');
    sp = _mm_set1_epi8(' ');
    sl = _mm_set1_epi8('/');
    nine = _mm_set1_epi8('\t');
    four = _mm_set1_epi8(4);
    vt = _mm_set1_epi8('\v');

    mlt = 0;
    mgt = 0;
    meq = 0;
    mws = 0;
    msl = 0;

    for (i = 0; i < CONSENT_SIMD_BLK; i += 16) {
        v = _mm_loadu_si128((const __m128i *) (const void *) (p + i));

        mlt |= consent_simd_sse2_16(v, lt) << i;
        mgt |= consent_simd_sse2_16(v, gt) << i;
        meq |= consent_simd_sse2_16(v, eq) << i;
        msl |= consent_simd_sse2_16(v, sl) << i;

        /* \t \n \f \r: 9 to 13 but 11; and ' ' */
        t = _mm_sub_epi8(v, nine);
        t = _mm_andnot_si128(_mm_cmpeq_epi8(v, vt),
                             _mm_cmpeq_epi8(_mm_min_epu8(t, four), t));
        t = _mm_or_si128(t, _mm_cmpeq_epi8(v, sp));
        mws |= (uint64_t) (unsigned) _mm_movemask_epi8(t) << i;
    }

    b->lt = mlt;
    b->gt = mgt;
    b->eq = meq;
    b->ws = mws;
    b->sl = msl;
}


static size_t
consent_simd_sse2(const char *p, const char *lim, consent_simd_blk_t *b,
    size_t n)
{
    size_t  i;
    char    tail[CONSENT_SIMD_BLK];

    for (i = 0; i < n; i++, p += CONSENT_SIMD_BLK) {
        if (lim - p >= CONSENT_SIMD_BLK) {
            consent_simd_sse2_blk(p, &b[i]);
            continue;
        }

        if (p >= lim) {
            break;
        }

        memset(tail, 0, CONSENT_SIMD_BLK);
        memcpy(tail, p, (size_t) (lim - p));
        consent_simd_sse2_blk(tail, &b[i]);

        return i + 1;
    }

    return i;
}


#if defined(CONSENT_SIMD_AVX2)

#define consent_simd_avx2_32(v, c)                                           \
    ((uint64_t) (uint32_t) _mm256_movemask_epi8(_mm256_cmpeq_epi8(v, c)))


static void
consent_simd_avx2_blk(const char *p, consent_simd_blk_t *b)
{
    __m256i   v0, v1, t0, t1, lt, gt, eq, sp, sl, nine, four, vt;

    lt = _mm256_set1_epi8('<');
    gt = _mm256_set1_epi8('>');
    eq = _mm256_set1_epi8('=');
    sp = _mm256_set1_epi8(' ');
    sl = _mm256_set1_epi8('/');
    nine = _mm256_set1_epi8('\t');
    four = _mm256_set1_epi8(4);
    vt = _mm256_set1_epi8('\v');

    v0 = _mm256_loadu_si256((const __m256i *) (const void *) p);
    v1 = _mm256_loadu_si256((const __m256i *) (const void *) (p + 32));

    b->lt = consent_simd_avx2_32(v0, lt) | consent_simd_avx2_32(v1, lt) << 32;
    b->gt = consent_simd_avx2_32(v0, gt) | consent_simd_avx2_32(v1, gt) << 32;
    b->eq = consent_simd_avx2_32(v0, eq) | consent_simd_avx2_32(v1, eq) << 32;
    b->sl = consent_simd_avx2_32(v0, sl) | consent_simd_avx2_32(v1, sl) << 32;

    t0 = _mm256_sub_epi8(v0, nine);
    t0 = _mm256_andnot_si256(_mm256_cmpeq_epi8(v0, vt),
                             _mm256_cmpeq_epi8(_mm256_min_epu8(t0, four), t0));
    t0 = _mm256_or_si256(t0, _mm256_cmpeq_epi8(v0, sp));

    t1 = _mm256_sub_epi8(v1, nine);
    t1 = _mm256_andnot_si256(_mm256_cmpeq_epi8(v1, vt),
                             _mm256_cmpeq_epi8(_mm256_min_epu8(t1, four), t1));
    t1 = _mm256_or_si256(t1, _mm256_cmpeq_epi8(v1, sp));

    b->ws = (uint64_t) (uint32_t) _mm256_movemask_epi8(t0)
            | (uint64_t) (uint32_t) _mm256_movemask_epi8(t1) << 32;
}


static size_t
consent_simd_avx2(const char *p, const char *lim, consent_simd_blk_t *b,
    size_t n)
{
    size_t  i;
    char    tail[CONSENT_SIMD_BLK];

    for (i = 0; i < n; i++, p += CONSENT_SIMD_BLK) {
        if (lim - p >= CONSENT_SIMD_BLK) {
            consent_simd_avx2_blk(p, &b[i]);
            continue;
        }

        if (p >= lim) {
            break;
        }

        memset(tail, 0, CONSENT_SIMD_BLK);
        memcpy(tail, p, (size_t) (lim - p));
        consent_simd_avx2_blk(tail, &b[i]);

        return i + 1;
    }

    return i;
}

#endif

#else

/* for the tests of a build without SIMD: the scanner does not call it */

static size_t
consent_simd_scalar(const char *p, const char *lim, consent_simd_blk_t *b,
    size_t n)
{
    size_t    i, j;
    unsigned  c;
    uint64_t  bit;

    for (i = 0; i < n && p < lim; i++) {
        memset(&b[i], 0, sizeof(consent_simd_blk_t));

        for (j = 0; j < CONSENT_SIMD_BLK && p < lim; j++, p++) {
            c = (unsigned char) *p;
            bit = (uint64_t) 1 << j;

            b[i].lt |= (c == '<') ? bit : 0;
            b[i].gt |= (c == '>') ? bit : 0;
            b[i].eq |= (c == '=') ? bit : 0;
            b[i].sl |= (c == '/') ? bit : 0;
            b[i].ws |= (c == ' ' || c == '\t' || c == '\n' || c == '\f'
                        || c == '\r') ? bit : 0;
        }
    }

    return i;
}

#endif

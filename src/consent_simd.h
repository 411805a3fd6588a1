
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The HTML scanner's structural index: 64 bytes at a time, a bitmask a
 * class of the bytes a tag's walk stops at (docs/internals.md, "The
 * scanner").  SSE2 on every x86-64, AVX2 when the processor has it
 * (chosen at run time, so that the build stays portable); nothing on
 * other processors or with -DCONSENT_NO_SIMD, where the scanner walks
 * byte by byte.
 */


#ifndef _CONSENT_SIMD_H_INCLUDED_
#define _CONSENT_SIMD_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>


#if defined(__SSE2__) && !defined(CONSENT_NO_SIMD)
#define CONSENT_SIMD             1
#else
#define CONSENT_SIMD             0
#endif


/* bit i: byte i of the block is of the class */
typedef struct {
    uint64_t            lt;             /* '<' */
    uint64_t            gt;             /* '>' */
    uint64_t            eq;             /* '=' */
    uint64_t            ws;             /* HTML whitespace: \t \n \f \r ' ' */
    uint64_t            sl;             /* '/' */
} consent_simd_blk_t;


typedef size_t (*consent_simd_index_pt)(const char *p, const char *lim,
    consent_simd_blk_t *b, size_t n);


/*
 * The blocks from p, at most n, as far as lim (p < lim): the last one
 * may be short, and reads as if NUL bytes followed lim.  Returns the
 * number of blocks made.
 */
extern consent_simd_index_pt  consent_simd_index;


/* the kernels this processor can run, for the tests: 0 is the best */
int consent_simd_kernels(void);
const char *consent_simd_name(int k);

/* run kernel k from now on; -1: the best again */
void consent_simd_use(int k);


#endif /* _CONSENT_SIMD_H_INCLUDED_ */

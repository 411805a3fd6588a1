
/*
 * Copyright (C) ngx_http_consent_module authors
 */


#ifndef CONSENT_BENCH_FLOOR_H
#define CONSENT_BENCH_FLOOR_H


#include <stddef.h>


/* the tags of a page, found with the least work a tokenizer must do */
size_t bench_floor_walk(const char *data, size_t len);


#endif /* CONSENT_BENCH_FLOOR_H */

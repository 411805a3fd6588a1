
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The counters (docs/operations.md, "Metrics"): consent_status_zone
 * keeps them in shared memory, summed across workers, and the
 * consent_status handler answers them in the Prometheus text format or
 * as JSON (consent_status.c).
 *
 * The zone is a slab pool, as the inventory's is: one slot a series,
 * named by its metric and label values, so that a reload that keeps the
 * zone finds its series again whatever the new configuration's
 * languages, categories and destinations.  The slots are found once, by
 * the master when it reads the configuration; a request only adds to
 * them, with ngx_atomic_fetch_add(), allocating nothing.
 */


#include "ngx_http_consent_module.h"


/* the label sets a metric's labels take their values from */
typedef enum {
    NGX_HTTP_CONSENT_L_NONE = 0,
    NGX_HTTP_CONSENT_L_LANG,
    NGX_HTTP_CONSENT_L_CAT,
    NGX_HTTP_CONSENT_L_DEST,
    NGX_HTTP_CONSENT_L_UNF,
    NGX_HTTP_CONSENT_L_REF,
    NGX_HTTP_CONSENT_L_STATE,
    NGX_HTTP_CONSENT_L_ACTION,
    NGX_HTTP_CONSENT_L_STATUS,
    NGX_HTTP_CONSENT_L_DECISION
} ngx_http_consent_label_e;


/* in consent_stat_e's order */
static const u_char  ngx_http_consent_stat_labels[CONSENT_STAT_N][2] = {
    { NGX_HTTP_CONSENT_L_NONE, NGX_HTTP_CONSENT_L_NONE },
    { NGX_HTTP_CONSENT_L_LANG, NGX_HTTP_CONSENT_L_NONE },
    { NGX_HTTP_CONSENT_L_CAT, NGX_HTTP_CONSENT_L_NONE },
    { NGX_HTTP_CONSENT_L_NONE, NGX_HTTP_CONSENT_L_NONE },
    { NGX_HTTP_CONSENT_L_UNF, NGX_HTTP_CONSENT_L_NONE },
    { NGX_HTTP_CONSENT_L_REF, NGX_HTTP_CONSENT_L_NONE },
    { NGX_HTTP_CONSENT_L_ACTION, NGX_HTTP_CONSENT_L_LANG },
    { NGX_HTTP_CONSENT_L_ACTION, NGX_HTTP_CONSENT_L_NONE },
    { NGX_HTTP_CONSENT_L_CAT, NGX_HTTP_CONSENT_L_DECISION },
    { NGX_HTTP_CONSENT_L_STATE, NGX_HTTP_CONSENT_L_NONE },
    { NGX_HTTP_CONSENT_L_NONE, NGX_HTTP_CONSENT_L_NONE },
    { NGX_HTTP_CONSENT_L_STATUS, NGX_HTTP_CONSENT_L_NONE },
    { NGX_HTTP_CONSENT_L_DEST, NGX_HTTP_CONSENT_L_NONE },
    { NGX_HTTP_CONSENT_L_NONE, NGX_HTTP_CONSENT_L_NONE },
    { NGX_HTTP_CONSENT_L_NONE, NGX_HTTP_CONSENT_L_NONE },
    { NGX_HTTP_CONSENT_L_NONE, NGX_HTTP_CONSENT_L_NONE },
    { NGX_HTTP_CONSENT_L_NONE, NGX_HTTP_CONSENT_L_NONE }
};


/* a series in shared memory; its key: name, NUL, values, each NUL-ended */
typedef struct ngx_http_consent_slot_s  ngx_http_consent_slot_t;

struct ngx_http_consent_slot_s {
    ngx_atomic_t                  value;
    ngx_http_consent_slot_t      *next;
    uint32_t                      hash;
    uint32_t                      len;
    u_char                        key[1];
};


typedef struct {
    ngx_http_consent_slot_t      *slots;
    ngx_uint_t                    nslots;
    time_t                        started;
} ngx_http_consent_stat_sh_t;


/* a series of this configuration, and its counter */
typedef struct {
    ngx_uint_t                    metric;
    const char                   *values[CONSENT_STATUS_LABELS_MAX];
    ngx_atomic_t                 *counter;
} ngx_http_consent_series_t;


typedef struct {
    ngx_http_consent_stat_sh_t   *sh;
    ngx_slab_pool_t              *shpool;

    ngx_http_consent_series_t    *series;
    ngx_uint_t                    nseries;
    ngx_uint_t                    base[CONSENT_STAT_N];

    /* the label sets of this configuration, "other" last */
    const char                  **langs;
    ngx_uint_t                    nlangs;
    const char                  **cats;
    ngx_uint_t                    ncats;
    const char                  **dests;
    ngx_uint_t                    ndests;
    ngx_uint_t                   *dest_of;    /* of each of cmcf->logs */

    /* what a series the zone had no room for counts into */
    ngx_atomic_t                  sink;

    ssize_t                       size;
    ngx_str_t                     file;
    ngx_uint_t                    line;
} ngx_http_consent_stat_zone_t;


static ngx_int_t ngx_http_consent_status_init_zone(ngx_shm_zone_t *shm_zone,
    void *data);
static ngx_int_t ngx_http_consent_status_labels(ngx_conf_t *cf,
    ngx_http_consent_stat_zone_t *z, ngx_http_consent_main_conf_t *cmcf);
static ngx_int_t ngx_http_consent_status_add_label(ngx_conf_t *cf,
    ngx_array_t *a, const char *v, size_t len);
static const char *const *ngx_http_consent_status_values(
    ngx_http_consent_stat_zone_t *z, ngx_uint_t kind, ngx_uint_t *n);
static size_t ngx_http_consent_status_key(ngx_http_consent_series_t *s,
    u_char *buf);
static size_t ngx_http_consent_status_slab_size(size_t size);
static ngx_http_consent_stat_zone_t *ngx_http_consent_status_zone_get(void);
static ngx_int_t ngx_http_consent_status_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_consent_status_header_filter(
    ngx_http_request_t *r);


static ngx_http_output_header_filter_pt  ngx_http_consent_status_next;


/* consent_status_zone size; */

char *
ngx_http_consent_status_zone(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_consent_main_conf_t *cmcf = conf;

    ngx_http_consent_stat_zone_t  *z;

    if (cmcf->status) {
        return "is duplicate";
    }

    z = ngx_pcalloc(cf->pool, sizeof(ngx_http_consent_stat_zone_t));
    if (z == NULL) {
        return NGX_CONF_ERROR;
    }

    z->file = cf->conf_file->file.name;
    z->line = cf->conf_file->line;

    return ngx_http_consent_zone_add(cf, cmd, "consent_status",
                                     &cmcf->status,
                                     ngx_http_consent_status_init_zone, z,
                                     &z->size);
}


/*
 * A zone directive's work ("consent_status_zone size;",
 * "consent_inventory_zone size;"): the size, at least 8 pages, into
 * *size; the shared zone added as name, with init and data.
 */

char *
ngx_http_consent_zone_add(ngx_conf_t *cf, ngx_command_t *cmd,
    const char *name, ngx_shm_zone_t **zone, ngx_shm_zone_init_pt init,
    void *data, ssize_t *size)
{
    ngx_str_t  *value, zname;

    value = cf->args->elts;

    *size = ngx_parse_size(&value[1]);

    if (*size == NGX_ERROR || *size < (ssize_t) (8 * ngx_pagesize)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid size \"%V\" in \"%V\": at least %uz",
                           &value[1], &cmd->name, 8 * ngx_pagesize);
        return NGX_CONF_ERROR;
    }

    zname.data = (u_char *) name;
    zname.len = ngx_strlen(name);

    *zone = ngx_shared_memory_add(cf, &zname, *size,
                                  &ngx_http_consent_module);
    if (*zone == NULL) {
        return NGX_CONF_ERROR;
    }

    if ((*zone)->data) {
        return "is duplicate";
    }

    (*zone)->init = init;
    (*zone)->data = data;

    return NGX_CONF_OK;
}


/* consent_status; the location answers the counters */

char *
ngx_http_consent_status(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_consent_main_conf_t  *cmcf;

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_consent_module);

    return ngx_http_consent_zone_location(cf, ngx_http_consent_status_handler,
                                          &cmcf->status_used,
                                          &cmcf->status_file,
                                          &cmcf->status_line);
}


/*
 * A location answered from a zone ("consent_status;",
 * "consent_inventory;"): its handler, and where it was asked for, since
 * the zone may be defined later in the http block
 * (ngx_http_consent_zone_check says then whether it was)
 */

char *
ngx_http_consent_zone_location(ngx_conf_t *cf, ngx_http_handler_pt handler,
    ngx_uint_t *used, ngx_str_t *file, ngx_uint_t *line)
{
    ngx_http_core_loc_conf_t  *core;

    core = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    if (core->handler == handler) {
        return "is duplicate";
    }

    core->handler = handler;

    *used = 1;
    *file = cf->conf_file->file.name;
    *line = cf->conf_file->line;

    return NGX_CONF_OK;
}


/* once the http block is read: a zone location needs its zone */

ngx_int_t
ngx_http_consent_zone_check(ngx_conf_t *cf, const char *directive,
    ngx_uint_t used, ngx_shm_zone_t *zone, ngx_str_t *file, ngx_uint_t line)
{
    if (used && zone == NULL) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "\"%s\" requires \"%s_zone\" in %V:%ui",
                      directive, directive, file, line);
        return NGX_ERROR;
    }

    return NGX_OK;
}


/*
 * Once the http block is read: every policy and destination is known,
 * so the series are, and whether the zone can hold them
 */

ngx_int_t
ngx_http_consent_status_init(ngx_conf_t *cf)
{
    size_t                         len, max, need, pages, avail;
    size_t                         classes[16];
    ngx_uint_t                     m, i, j, n0, n1, k;
    const char *const             *v0, *const *v1;
    ngx_http_consent_series_t     *s;
    ngx_http_consent_stat_zone_t  *z;
    ngx_http_consent_main_conf_t  *cmcf;

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_consent_module);

    if (ngx_http_consent_zone_check(cf, "consent_status", cmcf->status_used,
                                    cmcf->status, &cmcf->status_file,
                                    cmcf->status_line)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (cmcf->status == NULL) {
        return NGX_OK;
    }

    z = cmcf->status->data;

    if (ngx_http_consent_status_labels(cf, z, cmcf) != NGX_OK) {
        return NGX_ERROR;
    }

    /* the series: each metric's label values crossed */

    z->nseries = 0;

    for (m = 0; m < CONSENT_STAT_N; m++) {
        z->base[m] = z->nseries;

        if (m == CONSENT_STAT_START) {
            continue;
        }

        (void) ngx_http_consent_status_values(z,
                                   ngx_http_consent_stat_labels[m][0], &n0);
        (void) ngx_http_consent_status_values(z,
                                   ngx_http_consent_stat_labels[m][1], &n1);
        z->nseries += n0 * n1;
    }

    z->series = ngx_pcalloc(cf->pool,
                            z->nseries * sizeof(ngx_http_consent_series_t));
    if (z->series == NULL) {
        return NGX_ERROR;
    }

    ngx_memzero(classes, sizeof(classes));
    max = 0;

    for (m = 0; m < CONSENT_STAT_N; m++) {

        if (m == CONSENT_STAT_START) {
            continue;
        }

        v0 = ngx_http_consent_status_values(z,
                                   ngx_http_consent_stat_labels[m][0], &n0);
        v1 = ngx_http_consent_status_values(z,
                                   ngx_http_consent_stat_labels[m][1], &n1);

        s = &z->series[z->base[m]];

        for (i = 0; i < n0; i++) {
            for (j = 0; j < n1; j++, s++) {
                s->metric = m;
                s->values[0] = v0 ? v0[i] : NULL;
                s->values[1] = v1 ? v1[j] : NULL;
                s->counter = &z->sink;

                /* the slab's chunks: powers of two from 8 bytes */

                len = offsetof(ngx_http_consent_slot_t, key)
                      + ngx_http_consent_status_key(s, NULL);

                for (k = 0; ((size_t) 8 << k) < len && k < 15; k++) {
                    /* void */
                }

                classes[k]++;
                max = ngx_max(max, len);
            }
        }
    }

    /*
     * Pages the slots take (each size on pages of its own), with the
     * zone's header and its log text; what the slab pool makes of the
     * zone, less its page descriptors, rounded down
     */

    pages = 2;

    for (k = 0; k < 16; k++) {
        if (classes[k]) {
            len = (size_t) 8 << k;
            pages += (classes[k] * len + ngx_pagesize - 1) / ngx_pagesize;
        }
    }

    avail = ((size_t) z->size - sizeof(ngx_slab_pool_t) - 64 * 32)
            / (ngx_pagesize + sizeof(ngx_slab_page_t)) - 1;

    if (max > ngx_pagesize / 2) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "a consent_log destination's name is too long for "
                      "a label of \"consent_status_zone\": at most %uz "
                      "bytes in %V:%ui",
                      ngx_pagesize / 2 - 64, &z->file, z->line);
        return NGX_ERROR;
    }

    if (pages > avail) {
        need = (pages + 2) * (ngx_pagesize + sizeof(ngx_slab_page_t))
               + sizeof(ngx_slab_pool_t) + 64 * 32;

        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "\"consent_status_zone\" of %z bytes is too small "
                      "for the %ui series of this configuration (its "
                      "languages, categories and consent_log "
                      "destinations): at least %uz in %V:%ui",
                      z->size, z->nseries,
                      ngx_align(need, 1024 * 1024 / 64),
                      &z->file, z->line);
        return NGX_ERROR;
    }

    /*
     * the endpoint's answers, whoever made them, counted before they
     * leave: a scrape after an answer has it
     */

    ngx_http_consent_status_next = ngx_http_top_header_filter;
    ngx_http_top_header_filter = ngx_http_consent_status_header_filter;

    return NGX_OK;
}


/*
 * Languages and categories of every policy, and every destination, in
 * the order first met, each once, and "other"
 */

static ngx_int_t
ngx_http_consent_status_labels(ngx_conf_t *cf,
    ngx_http_consent_stat_zone_t *z, ngx_http_consent_main_conf_t *cmcf)
{
    u_char                      *p;
    ngx_str_t                   *names;
    ngx_uint_t                   i, j;
    ngx_array_t                  langs, cats, dests;
    consent_policy_t            *policy;
    ngx_http_consent_log_t     **lp;
    ngx_http_consent_loaded_t   *l;

    if (ngx_array_init(&langs, cf->pool, 8, sizeof(char *)) != NGX_OK
        || ngx_array_init(&cats, cf->pool, 8, sizeof(char *)) != NGX_OK
        || ngx_array_init(&dests, cf->pool, 2, sizeof(char *)) != NGX_OK)
    {
        return NGX_ERROR;
    }

    l = cmcf->policies.elts;

    for (i = 0; i < cmcf->policies.nelts; i++) {
        policy = l[i].data;

        for (j = 0; j < policy->nlangs; j++) {
            if (ngx_http_consent_status_add_label(cf, &langs,
                                   policy->langs[j],
                                   ngx_strlen(policy->langs[j]))
                != NGX_OK)
            {
                return NGX_ERROR;
            }
        }

        for (j = 0; j < policy->ncategories; j++) {
            if (ngx_http_consent_status_add_label(cf, &cats,
                                   policy->categories[j].id,
                                   policy->categories[j].id_len)
                != NGX_OK)
            {
                return NGX_ERROR;
            }
        }
    }

    lp = cmcf->logs.elts;

    names = ngx_palloc(cf->pool, (cmcf->logs.nelts + 1) * sizeof(ngx_str_t));
    z->dest_of = ngx_palloc(cf->pool,
                             (cmcf->logs.nelts + 1) * sizeof(ngx_uint_t));
    if (names == NULL || z->dest_of == NULL) {
        return NGX_ERROR;
    }

    for (i = 0; i < cmcf->logs.nelts; i++) {
        names[i] = lp[i]->name;

        /* a label value is UTF-8 */

        if (ngx_utf8_length(names[i].data, names[i].len)
            == (size_t) NGX_ERROR)
        {
            p = ngx_pnalloc(cf->pool, NGX_INT_T_LEN + 16);
            if (p == NULL) {
                return NGX_ERROR;
            }

            names[i].data = p;
            names[i].len = ngx_sprintf(p, "destination %ui", i + 1) - p;
        }

        if (ngx_http_consent_status_add_label(cf, &dests,
                                              (char *) names[i].data,
                                              names[i].len)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    if (ngx_http_consent_status_add_label(cf, &langs, CONSENT_STATUS_OTHER,
                                          5) != NGX_OK
        || ngx_http_consent_status_add_label(cf, &cats,
                                             CONSENT_STATUS_OTHER, 5)
           != NGX_OK
        || ngx_http_consent_status_add_label(cf, &dests,
                                             CONSENT_STATUS_OTHER, 5)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    z->langs = langs.elts;
    z->nlangs = langs.nelts;
    z->cats = cats.elts;
    z->ncats = cats.nelts;
    z->dests = dests.elts;
    z->ndests = dests.nelts;

    /* a destination named "other" is that label */

    for (i = 0; i < cmcf->logs.nelts; i++) {
        z->dest_of[i] = consent_status_fold(z->dests, z->ndests,
                                            (char *) names[i].data,
                                            names[i].len);
    }

    z->dest_of[i] = z->ndests - 1;

    return NGX_OK;
}


/* "other" is added last; a value named so is that one */

static ngx_int_t
ngx_http_consent_status_add_label(ngx_conf_t *cf, ngx_array_t *a,
    const char *v, size_t len)
{
    char        **e, **p;
    ngx_uint_t    i;

    e = a->elts;

    for (i = 0; i < a->nelts; i++) {
        if (ngx_strlen(e[i]) == len && ngx_strncmp(e[i], v, len) == 0) {
            return NGX_OK;
        }
    }

    if (len == 5 && ngx_strncmp(v, CONSENT_STATUS_OTHER, 5) == 0
        && v != (const char *) CONSENT_STATUS_OTHER)
    {
        return NGX_OK;
    }

    p = ngx_array_push(a);
    if (p == NULL) {
        return NGX_ERROR;
    }

    *p = ngx_pnalloc(cf->pool, len + 1);
    if (*p == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(*p, v, len);
    (*p)[len] = '\0';

    return NGX_OK;
}


static const char *const *
ngx_http_consent_status_values(ngx_http_consent_stat_zone_t *z,
    ngx_uint_t kind, ngx_uint_t *n)
{
    switch (kind) {

    case NGX_HTTP_CONSENT_L_LANG:
        *n = z->nlangs;
        return z->langs;

    case NGX_HTTP_CONSENT_L_CAT:
        *n = z->ncats;
        return z->cats;

    case NGX_HTTP_CONSENT_L_DEST:
        *n = z->ndests;
        return z->dests;

    case NGX_HTTP_CONSENT_L_UNF:
        *n = CONSENT_UNF_N;
        return consent_stat_unfiltered;

    case NGX_HTTP_CONSENT_L_REF:
        *n = CONSENT_REF_N;
        return consent_stat_refused;

    case NGX_HTTP_CONSENT_L_STATE:
        *n = consent_stat_nstates;
        return consent_stat_states;

    case NGX_HTTP_CONSENT_L_ACTION:
        *n = consent_stat_nactions;
        return consent_stat_actions;

    case NGX_HTTP_CONSENT_L_STATUS:
        *n = consent_stat_nstatuses;
        return consent_stat_statuses;

    case NGX_HTTP_CONSENT_L_DECISION:
        *n = 2;
        return consent_stat_decisions;

    default: /* NGX_HTTP_CONSENT_L_NONE */
        *n = 1;
        return NULL;
    }
}


/* the series' key into buf (if not NULL); its length */

static size_t
ngx_http_consent_status_key(ngx_http_consent_series_t *s, u_char *buf)
{
    size_t       len, n;
    ngx_uint_t   k;
    const char  *v;

    len = 0;

    for (k = 0; k <= CONSENT_STATUS_LABELS_MAX; k++) {
        v = (k == 0) ? consent_stat_metrics[s->metric].name
                     : s->values[k - 1];

        if (v == NULL) {
            v = "";
        }

        n = ngx_strlen(v) + 1;

        if (buf) {
            ngx_memcpy(buf + len, v, n);
        }

        len += n;
    }

    return len;
}


static size_t
ngx_http_consent_status_slab_size(size_t size)
{
    return offsetof(ngx_http_consent_slot_t, key) + size;
}


static ngx_int_t
ngx_http_consent_status_init_zone(ngx_shm_zone_t *shm_zone, void *data)
{
    ngx_http_consent_stat_zone_t  *ozone = data;

    u_char                        *key;
    size_t                         len, max;
    uint32_t                       hash;
    ngx_uint_t                     i, lost;
    ngx_http_consent_slot_t       *slot;
    ngx_http_consent_series_t     *s;
    ngx_http_consent_stat_zone_t  *z;

    z = shm_zone->data;

    if (ozone) {
        /* a reload keeps the counts */
        z->sh = ozone->sh;
        z->shpool = ozone->shpool;

    } else {
        z->shpool = (ngx_slab_pool_t *) shm_zone->shm.addr;

        if (shm_zone->shm.exists) {
            z->sh = z->shpool->data;

        } else {
            z->sh = ngx_slab_alloc(z->shpool,
                                   sizeof(ngx_http_consent_stat_sh_t));
            if (z->sh == NULL) {
                return NGX_ERROR;
            }

            z->shpool->data = z->sh;

            z->sh->slots = NULL;
            z->sh->nslots = 0;
            z->sh->started = ngx_time();

            len = sizeof(" in consent status zone \"\"")
                  + shm_zone->shm.name.len;

            z->shpool->log_ctx = ngx_slab_alloc(z->shpool, len);
            if (z->shpool->log_ctx == NULL) {
                return NGX_ERROR;
            }

            ngx_sprintf(z->shpool->log_ctx,
                        " in consent status zone \"%V\"%Z",
                        &shm_zone->shm.name);

            /* a full zone is said once, below */
            z->shpool->log_nomem = 0;
        }
    }

    if (z->series == NULL) {
        return NGX_OK;
    }

    max = 0;

    for (i = 0; i < z->nseries; i++) {
        max = ngx_max(max, ngx_http_consent_status_key(&z->series[i], NULL));
    }

    key = ngx_alloc(max, shm_zone->shm.log);
    if (key == NULL) {
        return NGX_ERROR;
    }

    lost = 0;

    /* the master alone allocates; workers only add to the values */

    ngx_shmtx_lock(&z->shpool->mutex);

    for (i = 0; i < z->nseries; i++) {
        s = &z->series[i];

        len = ngx_http_consent_status_key(s, key);
        hash = ngx_crc32_short(key, len);

        for (slot = z->sh->slots; slot; slot = slot->next) {
            if (slot->hash == hash && slot->len == len
                && ngx_memcmp(slot->key, key, len) == 0)
            {
                break;
            }
        }

        if (slot == NULL) {
            slot = ngx_slab_alloc_locked(z->shpool,
                                   ngx_http_consent_status_slab_size(len));
            if (slot == NULL) {
                s->counter = &z->sink;
                lost++;
                continue;
            }

            slot->value = 0;
            slot->hash = hash;
            slot->len = (uint32_t) len;
            ngx_memcpy(slot->key, key, len);

            slot->next = z->sh->slots;
            z->sh->slots = slot;
            z->sh->nslots++;
        }

        s->counter = &slot->value;
    }

    ngx_shmtx_unlock(&z->shpool->mutex);

    ngx_free(key);

    if (lost) {
        ngx_log_error(NGX_LOG_ALERT, shm_zone->shm.log, 0,
                      "consent_status_zone is full: %ui of the %ui series "
                      "of this configuration are not counted (it keeps "
                      "%ui series of earlier ones); make it larger, and "
                      "the counters begin again",
                      lost, z->nseries, z->sh->nslots);
    }

    return NGX_OK;
}


static ngx_http_consent_stat_zone_t *
ngx_http_consent_status_zone_get(void)
{
    ngx_http_consent_stat_zone_t  *z;
    ngx_http_consent_main_conf_t  *cmcf;

    cmcf = ngx_http_cycle_get_module_main_conf(ngx_cycle,
                                               ngx_http_consent_module);

    if (cmcf == NULL || cmcf->status == NULL) {
        return NULL;
    }

    z = cmcf->status->data;

    return (z->sh && z->series) ? z : NULL;
}


/* label i of the metric, and label j of its second label set, plus n */

void
ngx_http_consent_stat_add(ngx_uint_t metric, ngx_uint_t i, ngx_uint_t j,
    ngx_uint_t n)
{
    ngx_uint_t                     n0, n1;
    ngx_http_consent_stat_zone_t  *z;

    z = ngx_http_consent_status_zone_get();

    if (z == NULL || metric >= CONSENT_STAT_START || n == 0) {
        return;
    }

    (void) ngx_http_consent_status_values(z,
                                ngx_http_consent_stat_labels[metric][0], &n0);
    (void) ngx_http_consent_status_values(z,
                                ngx_http_consent_stat_labels[metric][1], &n1);

    /* out of range: the set's last value, "other" where it has one */

    i = ngx_min(i, n0 - 1);
    j = ngx_min(j, n1 - 1);

    (void) ngx_atomic_fetch_add(z->series[z->base[metric] + i * n1 + j]
                                .counter, (ngx_atomic_int_t) n);
}


void
ngx_http_consent_stat(ngx_uint_t metric, ngx_uint_t label)
{
    ngx_http_consent_stat_add(metric, label, 0, 1);
}


/* a metric labelled by language: the visitor's, or "other" */

void
ngx_http_consent_stat_lang(ngx_uint_t metric, const char *lang)
{
    ngx_http_consent_stat_zone_t  *z;

    z = ngx_http_consent_status_zone_get();

    if (z == NULL || lang == NULL) {
        return;
    }

    ngx_http_consent_stat_add(metric,
                              consent_status_fold(z->langs, z->nlangs, lang,
                                                  ngx_strlen(lang)),
                              0, 1);
}


/* a page read to its end: its banner, what it gated, tags gated unseen */

void
ngx_http_consent_stat_page(ngx_http_request_t *r,
    ngx_http_consent_ctx_t *ctx)
{
    ngx_uint_t                     i, n;
    consent_view_t                *view;
    consent_policy_t              *policy;
    const consent_html_stats_t    *st;
    ngx_http_consent_stat_zone_t  *z;

    z = ngx_http_consent_status_zone_get();

    if (z == NULL || ctx->html == NULL) {
        return;
    }

    st = consent_html_stats(ctx->html);
    policy = ctx->conf->policy;

    ngx_http_consent_stat(CONSENT_STAT_HTML, 0);

    if (st->banner_injected) {
        view = ngx_http_consent_view(r);

        /* with a valid consent it is there, hidden, for "manage" */

        if (view && view->state != CONSENT_STATE_VALID) {
            ngx_http_consent_stat_lang(CONSENT_STAT_BANNER, ctx->lang);
        }
    }

    n = 0;

    for (i = 0; i < policy->ncategories && i < CONSENT_MAX_CATEGORIES; i++) {
        n += st->gated_by[i];

        ngx_http_consent_stat_add(CONSENT_STAT_GATED,
                                  consent_status_fold(z->cats, z->ncats,
                                      policy->categories[i].id,
                                      policy->categories[i].id_len),
                                  0, st->gated_by[i]);
    }

    /* marked with a category the policy lacks */

    if (st->gated > n) {
        ngx_http_consent_stat_add(CONSENT_STAT_GATED, z->ncats - 1, 0,
                                  st->gated - n);
    }

    ngx_http_consent_stat_add(CONSENT_STAT_FAIL_CLOSED, 0, 0, st->overlong);
}


/* a choice answered with its cookie */

void
ngx_http_consent_stat_choice(ngx_http_request_t *r, ngx_uint_t action,
    uint32_t granted)
{
    ngx_uint_t                     i, lang, cat;
    const char                    *l;
    ngx_table_elt_t               *h;
    consent_policy_t              *policy;
    ngx_http_consent_stat_zone_t  *z;
    ngx_http_consent_loc_conf_t   *clcf;

    z = ngx_http_consent_status_zone_get();

    if (z == NULL) {
        return;
    }

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_consent_module);
    policy = clcf->policy;

    if (policy == NULL) {
        return;
    }

    /* the language the audit record names */

    h = ngx_http_consent_header_in_str(r, "Accept-Language");
    l = consent_policy_pick_lang(policy,
                                 h ? (const char *) h->value.data : NULL,
                                 h ? h->value.len : 0);

    lang = consent_status_fold(z->langs, z->nlangs, l, ngx_strlen(l));

    ngx_http_consent_stat_add(CONSENT_STAT_CHOICE, action, lang, 1);

    if (ngx_http_consent_gpc(r)) {
        ngx_http_consent_stat(CONSENT_STAT_CHOICE_GPC, action);
    }

    /* required categories are no choice */

    for (i = 0; i < policy->ncategories && i < CONSENT_MAX_CATEGORIES; i++) {
        if (policy->categories[i].required) {
            continue;
        }

        cat = consent_status_fold(z->cats, z->ncats, policy->categories[i].id,
                                  policy->categories[i].id_len);

        ngx_http_consent_stat_add(CONSENT_STAT_CATEGORY, cat,
                                  (granted >> i) & 1 ? 0 : 1, 1);
    }
}


/* a record or checkpoint a destination did not take */

void
ngx_http_consent_stat_log(ngx_http_consent_log_t *log)
{
    ngx_uint_t                     i;
    ngx_http_consent_log_t       **lp;
    ngx_http_consent_stat_zone_t  *z;
    ngx_http_consent_main_conf_t  *cmcf;

    z = ngx_http_consent_status_zone_get();

    if (z == NULL) {
        return;
    }

    cmcf = ngx_http_cycle_get_module_main_conf(ngx_cycle,
                                               ngx_http_consent_module);

    /* a few destinations: found by their place in cmcf->logs */

    lp = cmcf->logs.elts;

    for (i = 0; i < cmcf->logs.nelts; i++) {
        if (lp[i] == log) {
            break;
        }
    }

    ngx_http_consent_stat(CONSENT_STAT_LOG_FAILED, z->dest_of[i]);
}


static ngx_int_t
ngx_http_consent_status_header_filter(ngx_http_request_t *r)
{
    ngx_http_consent_loc_conf_t  *clcf;

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_consent_module);

    if (r == r->main && clcf->endpoint == 1) {
        ngx_http_consent_stat(CONSENT_STAT_ENDPOINT,
                     consent_stat_status((unsigned) r->headers_out.status));
    }

    return ngx_http_consent_status_next(r);
}


static ngx_int_t
ngx_http_consent_status_handler(ngx_http_request_t *r)
{
    char                          *json;
    size_t                         len;
    ngx_int_t                      rc;
    ngx_str_t                      format;
    ngx_buf_t                     *b;
    ngx_uint_t                     i, n, use_json;
    consent_status_sample_t       *samples;
    ngx_http_consent_stat_zone_t  *z;

    rc = ngx_http_consent_get_only(r);
    if (rc != NGX_OK) {
        return rc;
    }

    z = ngx_http_consent_status_zone_get();
    if (z == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    use_json = 0;

    if (ngx_http_arg(r, (u_char *) "format", 6, &format) == NGX_OK) {
        if (format.len == 4 && ngx_strncmp(format.data, "json", 4) == 0) {
            use_json = 1;

        } else if (!(format.len == 10
                     && ngx_strncmp(format.data, "prometheus", 10) == 0))
        {
            return NGX_HTTP_BAD_REQUEST;
        }
    }

    samples = ngx_palloc(r->pool,
                         (z->nseries + 1) * sizeof(consent_status_sample_t));
    if (samples == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    for (i = 0; i < z->nseries; i++) {
        samples[i].metric = z->series[i].metric;
        samples[i].values[0] = z->series[i].values[0];
        samples[i].values[1] = z->series[i].values[1];
        samples[i].value = (uint64_t) *z->series[i].counter;
    }

    samples[i].metric = CONSENT_STAT_START;
    samples[i].values[0] = NULL;
    samples[i].values[1] = NULL;
    samples[i].value = (uint64_t) z->sh->started;
    n = i + 1;

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (use_json) {
        json = consent_status_json(consent_stat_metrics, CONSENT_STAT_N,
                                   samples, n, &len);
        if (json == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        b->start = ngx_pnalloc(r->pool, len + 1);

        if (b->start) {
            ngx_memcpy(b->start, json, len);
            b->start[len++] = '\n';
        }

        free(json);

        ngx_str_set(&r->headers_out.content_type, "application/json");

    } else {
        len = consent_status_text(NULL, 0, consent_stat_metrics,
                                  CONSENT_STAT_N, samples, n);

        b->start = ngx_pnalloc(r->pool, len);

        if (b->start) {
            (void) consent_status_text((char *) b->start, len,
                                       consent_stat_metrics, CONSENT_STAT_N,
                                       samples, n);
        }

        ngx_str_set(&r->headers_out.content_type,
                    "text/plain; version=0.0.4; charset=utf-8");
    }

    if (b->start == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* a scrape is of now */

    if (ngx_http_consent_header_out_str(r, "Cache-Control", "no-store")
        == NULL)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    r->headers_out.content_type_len = r->headers_out.content_type.len;
    r->headers_out.status = NGX_HTTP_OK;
    r->headers_out.content_length_n = len;

    return ngx_http_consent_send_memory(r, b->start, len);
}

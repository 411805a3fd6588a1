
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The cookie inventory (docs/cookies.md, "Inventory"): every cookie
 * name that responses of "consent on" locations set, and every one that
 * their requests send, counted in a shared memory zone across workers,
 * least recently seen first out when the zone is full; never a value.
 * And the third-party hosts the pages the filter reads load from (by
 * host, the first element and location; never a URL or a visitor).
 * The consent_inventory handler answers it as JSON (consent_inventory.c).
 */


#include "ngx_http_consent_module.h"


#define NGX_HTTP_CONSENT_INV_EVICT  8   /* entries freed for a new one */
#define NGX_HTTP_CONSENT_INV_HOSTS  32  /* third-party hosts a page */


typedef struct {
    ngx_rbtree_t                 rbtree;
    ngx_rbtree_node_t            sentinel;
    ngx_queue_t                  lru;        /* most recently seen first */
    ngx_uint_t                   entries;
    uint64_t                     evicted;
    uint64_t                     host_pages_cut;
} ngx_http_consent_inv_sh_t;


typedef struct {
    ngx_http_consent_inv_sh_t   *sh;
    ngx_slab_pool_t             *shpool;
} ngx_http_consent_inv_zone_t;


/* after the rbtree node's key, left, right, parent: from color on */
typedef struct {
    u_char                       color;
    u_char                       kind;
    u_char                       domain_len;
    u_char                       path_len;
    u_char                       location_len;
    u_char                       flags;
    u_short                      name_len;
    u_char                       element_len;
    uint32_t                     categories;
    ngx_queue_t                  queue;
    uint64_t                     count;
    uint64_t                     refused;    /* HOST: unclassified */
    int64_t                      max_age;
    int64_t                      first;
    int64_t                      last;
    u_char                       data[1];    /* name, domain, path,
                                                location, element */
} ngx_http_consent_inv_node_t;


typedef struct {
    consent_inv_kind_e           kind;
    ngx_str_t                    name;
    ngx_str_t                    domain;
    ngx_str_t                    path;
    ngx_str_t                    location;
    ngx_str_t                    element;
    unsigned                     flags;
    int64_t                      max_age;
    ngx_uint_t                   refused;
    uint32_t                     categories;
} ngx_http_consent_inv_key_t;


/* a third-party host of the page being filtered */
typedef struct {
    u_char                       host[CONSENT_INV_DOMAIN_MAX];
    u_char                       element[CONSENT_INV_ELEMENT_MAX];
    u_char                       host_len;
    u_char                       element_len;
    unsigned                     unclassified:1;
    uint32_t                     categories;
} ngx_http_consent_inv_host_t;


/* the hosts of one page, counted once each when the request ends */
typedef struct {
    ngx_shm_zone_t              *zone;
    ngx_str_t                    page;       /* the request's host */
    ngx_str_t                    site;       /* consent_cookie_domain */
    ngx_str_t                    location;
    ngx_uint_t                   n;
    unsigned                     cut:1;
    ngx_http_consent_inv_host_t  hosts[NGX_HTTP_CONSENT_INV_HOSTS];
} ngx_http_consent_inv_page_t;


static ngx_int_t ngx_http_consent_inventory_init_zone(
    ngx_shm_zone_t *shm_zone, void *data);
static void ngx_http_consent_inventory_insert(ngx_rbtree_node_t *temp,
    ngx_rbtree_node_t *node, ngx_rbtree_node_t *sentinel);
static ngx_int_t ngx_http_consent_inventory_cmp(
    ngx_http_consent_inv_node_t *a, ngx_http_consent_inv_node_t *b);
static void ngx_http_consent_inventory_add(ngx_shm_zone_t *zone,
    ngx_http_consent_inv_key_t *k);
static ngx_http_consent_inv_node_t *ngx_http_consent_inventory_find(
    ngx_http_consent_inv_zone_t *z, ngx_http_consent_inv_key_t *k,
    uint32_t hash);
static uint32_t ngx_http_consent_inventory_hash(
    ngx_http_consent_inv_key_t *k);
static ngx_int_t ngx_http_consent_inventory_handler(ngx_http_request_t *r);
static void ngx_http_consent_inventory_host_seen(void *data,
    const char *host, size_t len, int classified, const char *el,
    size_t el_len);
static void ngx_http_consent_inventory_hosts_flush(void *data);


static ngx_int_t
ngx_http_consent_inventory_init_zone(ngx_shm_zone_t *shm_zone, void *data)
{
    ngx_http_consent_inv_zone_t  *ozone = data;

    size_t                        len;
    ngx_http_consent_inv_zone_t  *z;

    z = shm_zone->data;

    if (ozone) {
        /* a reload keeps the counts */
        z->sh = ozone->sh;
        z->shpool = ozone->shpool;
        return NGX_OK;
    }

    z->shpool = (ngx_slab_pool_t *) shm_zone->shm.addr;

    if (shm_zone->shm.exists) {
        z->sh = z->shpool->data;
        return NGX_OK;
    }

    z->sh = ngx_slab_alloc(z->shpool, sizeof(ngx_http_consent_inv_sh_t));
    if (z->sh == NULL) {
        return NGX_ERROR;
    }

    z->shpool->data = z->sh;

    ngx_rbtree_init(&z->sh->rbtree, &z->sh->sentinel,
                    ngx_http_consent_inventory_insert);
    ngx_queue_init(&z->sh->lru);
    z->sh->entries = 0;
    z->sh->evicted = 0;

    len = sizeof(" in consent inventory zone \"\"") + shm_zone->shm.name.len;

    z->shpool->log_ctx = ngx_slab_alloc(z->shpool, len);
    if (z->shpool->log_ctx == NULL) {
        return NGX_ERROR;
    }

    ngx_sprintf(z->shpool->log_ctx, " in consent inventory zone \"%V\"%Z",
                &shm_zone->shm.name);

    /* a full zone is expected: the least recently seen entries go */
    z->shpool->log_nomem = 0;

    return NGX_OK;
}


/* consent_inventory_zone size; */

char *
ngx_http_consent_inventory_zone(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_consent_main_conf_t *cmcf = conf;

    ssize_t                       size;
    ngx_http_consent_inv_zone_t  *z;

    if (cmcf->inventory) {
        return "is duplicate";
    }

    z = ngx_pcalloc(cf->pool, sizeof(ngx_http_consent_inv_zone_t));
    if (z == NULL) {
        return NGX_CONF_ERROR;
    }

    /*
     * the layout of its entries is in the name: a reload into a module
     * of another layout starts a new zone instead of misreading the old
     */
    return ngx_http_consent_zone_add(cf, cmd, "consent_inventory_2",
                                     &cmcf->inventory,
                                     ngx_http_consent_inventory_init_zone, z,
                                     &size);
}


/* consent_inventory; the location answers the inventory */

char *
ngx_http_consent_inventory(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_consent_main_conf_t  *cmcf;

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_consent_module);

    return ngx_http_consent_zone_location(cf,
                                          ngx_http_consent_inventory_handler,
                                          &cmcf->inventory_used,
                                          &cmcf->inventory_file,
                                          &cmcf->inventory_line);
}


static void
ngx_http_consent_inventory_insert(ngx_rbtree_node_t *temp,
    ngx_rbtree_node_t *node, ngx_rbtree_node_t *sentinel)
{
    ngx_rbtree_node_t           **p;
    ngx_http_consent_inv_node_t  *n, *t;

    for ( ;; ) {

        if (node->key < temp->key) {
            p = &temp->left;

        } else if (node->key > temp->key) {
            p = &temp->right;

        } else {
            n = (ngx_http_consent_inv_node_t *) &node->color;
            t = (ngx_http_consent_inv_node_t *) &temp->color;

            p = (ngx_http_consent_inventory_cmp(n, t) < 0)
                ? &temp->left : &temp->right;
        }

        if (*p == sentinel) {
            break;
        }

        temp = *p;
    }

    *p = node;
    node->parent = temp;
    node->left = sentinel;
    node->right = sentinel;
    ngx_rbt_red(node);
}


static ngx_int_t
ngx_http_consent_inventory_cmp(ngx_http_consent_inv_node_t *a,
    ngx_http_consent_inv_node_t *b)
{
    size_t  la, lb;

    if (a->kind != b->kind) {
        return (ngx_int_t) a->kind - (ngx_int_t) b->kind;
    }

    la = a->name_len + a->domain_len + a->path_len;
    lb = b->name_len + b->domain_len + b->path_len;

    if (a->name_len != b->name_len) {
        return (ngx_int_t) a->name_len - (ngx_int_t) b->name_len;
    }

    if (a->domain_len != b->domain_len) {
        return (ngx_int_t) a->domain_len - (ngx_int_t) b->domain_len;
    }

    if (la != lb) {
        return (ngx_int_t) la - (ngx_int_t) lb;
    }

    return ngx_memcmp(a->data, b->data, la);
}


static uint32_t
ngx_http_consent_inventory_hash(ngx_http_consent_inv_key_t *k)
{
    uint32_t  crc;
    u_char    kind;

    kind = (u_char) k->kind;

    ngx_crc32_init(crc);
    ngx_crc32_update(&crc, &kind, 1);
    ngx_crc32_update(&crc, k->name.data, k->name.len);
    ngx_crc32_update(&crc, (u_char *) "\0", 1);
    ngx_crc32_update(&crc, k->domain.data, k->domain.len);
    ngx_crc32_update(&crc, (u_char *) "\0", 1);
    ngx_crc32_update(&crc, k->path.data, k->path.len);
    ngx_crc32_final(crc);

    return crc;
}


static ngx_http_consent_inv_node_t *
ngx_http_consent_inventory_find(ngx_http_consent_inv_zone_t *z,
    ngx_http_consent_inv_key_t *k, uint32_t hash)
{
    u_char                       *p;
    ngx_rbtree_node_t            *node, *sentinel;
    ngx_http_consent_inv_node_t  *n;

    node = z->sh->rbtree.root;
    sentinel = z->sh->rbtree.sentinel;

    while (node != sentinel) {

        if (hash < node->key) {
            node = node->left;
            continue;
        }

        if (hash > node->key) {
            node = node->right;
            continue;
        }

        n = (ngx_http_consent_inv_node_t *) &node->color;
        p = n->data;

        if (n->kind == (u_char) k->kind
            && n->name_len == k->name.len
            && n->domain_len == k->domain.len
            && n->path_len == k->path.len
            && ngx_memcmp(p, k->name.data, k->name.len) == 0
            && ngx_memcmp(p + k->name.len, k->domain.data, k->domain.len)
               == 0
            && ngx_memcmp(p + k->name.len + k->domain.len, k->path.data,
                          k->path.len) == 0)
        {
            return n;
        }

        /* same hash, another key: the tree orders them by bytes */

        {
        ngx_http_consent_inv_node_t  *probe;
        u_char                        buf[sizeof(ngx_http_consent_inv_node_t)
                                          + CONSENT_INV_NAME_MAX
                                          + CONSENT_INV_DOMAIN_MAX
                                          + CONSENT_INV_PATH_MAX];

        probe = (ngx_http_consent_inv_node_t *) buf;
        probe->kind = (u_char) k->kind;
        probe->name_len = (u_short) k->name.len;
        probe->domain_len = (u_char) k->domain.len;
        probe->path_len = (u_char) k->path.len;
        p = ngx_cpymem(probe->data, k->name.data, k->name.len);
        p = ngx_cpymem(p, k->domain.data, k->domain.len);
        ngx_memcpy(p, k->path.data, k->path.len);

        node = (ngx_http_consent_inventory_cmp(probe, n) < 0)
               ? node->left : node->right;
        }
    }

    return NULL;
}


static void
ngx_http_consent_inventory_add(ngx_shm_zone_t *zone,
    ngx_http_consent_inv_key_t *k)
{
    u_char                       *p;
    size_t                        size;
    int64_t                       now;
    uint32_t                      hash;
    ngx_uint_t                    i;
    ngx_queue_t                  *q;
    ngx_rbtree_node_t            *node;
    ngx_http_consent_inv_zone_t  *z;
    ngx_http_consent_inv_node_t  *n, *old;

    z = zone->data;
    now = (int64_t) ngx_time();
    hash = ngx_http_consent_inventory_hash(k);

    ngx_shmtx_lock(&z->shpool->mutex);

    n = ngx_http_consent_inventory_find(z, k, hash);

    if (n == NULL) {
        size = offsetof(ngx_rbtree_node_t, color)
               + offsetof(ngx_http_consent_inv_node_t, data)
               + k->name.len + k->domain.len + k->path.len
               + k->location.len + k->element.len;

        node = ngx_slab_alloc_locked(z->shpool, size);

        /* full: the least recently seen make room */

        for (i = 0; node == NULL && i < NGX_HTTP_CONSENT_INV_EVICT; i++) {
            if (ngx_queue_empty(&z->sh->lru)) {
                break;
            }

            q = ngx_queue_last(&z->sh->lru);
            old = ngx_queue_data(q, ngx_http_consent_inv_node_t, queue);
            ngx_queue_remove(q);

            node = (ngx_rbtree_node_t *)
                       ((u_char *) old - offsetof(ngx_rbtree_node_t, color));
            ngx_rbtree_delete(&z->sh->rbtree, node);
            ngx_slab_free_locked(z->shpool, node);

            z->sh->entries--;
            z->sh->evicted++;

            node = ngx_slab_alloc_locked(z->shpool, size);
        }

        if (node == NULL) {
            z->sh->evicted++;
            ngx_shmtx_unlock(&z->shpool->mutex);
            return;
        }

        node->key = hash;
        n = (ngx_http_consent_inv_node_t *) &node->color;

        n->kind = (u_char) k->kind;
        n->name_len = (u_short) k->name.len;
        n->domain_len = (u_char) k->domain.len;
        n->path_len = (u_char) k->path.len;
        n->location_len = (u_char) k->location.len;
        n->element_len = (u_char) k->element.len;
        n->categories = 0;
        n->flags = 0;
        n->count = 0;
        n->refused = 0;
        n->max_age = -1;
        n->first = now;

        p = ngx_cpymem(n->data, k->name.data, k->name.len);
        p = ngx_cpymem(p, k->domain.data, k->domain.len);
        p = ngx_cpymem(p, k->path.data, k->path.len);
        p = ngx_cpymem(p, k->location.data, k->location.len);
        ngx_memcpy(p, k->element.data, k->element.len);

        ngx_rbtree_insert(&z->sh->rbtree, node);
        ngx_queue_insert_head(&z->sh->lru, &n->queue);
        z->sh->entries++;

    } else {
        ngx_queue_remove(&n->queue);
        ngx_queue_insert_head(&z->sh->lru, &n->queue);
    }

    n->count++;
    n->last = now;
    n->flags |= (u_char) k->flags;
    n->categories |= k->categories;

    if (k->refused) {
        n->refused++;
    }

    if (k->max_age > n->max_age) {
        n->max_age = k->max_age;
    }

    ngx_shmtx_unlock(&z->shpool->mutex);
}


/*
 * Called once for the response of a "consent on" location, before its
 * Set-Cookie headers are stripped: what the site tried to set, and
 * what the browser sent
 */

void
ngx_http_consent_inventory_record(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, uint32_t granted, ngx_array_t *sent)
{
    size_t                         pos, plen;
    ngx_str_t                     *v;
    ngx_uint_t                     i;
    const char                    *name, *pair;
    ngx_table_elt_t               *h;
    consent_set_cookie_t           sc;
    ngx_http_consent_walk_t        w;
    ngx_http_core_loc_conf_t      *core;
    ngx_http_consent_inv_key_t     k;
    ngx_http_consent_main_conf_t  *cmcf;

    cmcf = ngx_http_get_module_main_conf(r, ngx_http_consent_module);

    if (cmcf->inventory == NULL) {
        return;
    }

    core = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    ngx_memzero(&k, sizeof(ngx_http_consent_inv_key_t));

    k.location.data = core->name.data;
    k.location.len = ngx_min(core->name.len, CONSENT_INV_LOCATION_MAX);

    ngx_http_consent_walk_init(&w, &r->headers_out.headers);

    while ((h = ngx_http_consent_walk_next(&w, "Set-Cookie",
                                           sizeof("Set-Cookie") - 1))
           != NULL)
    {
        if (h->hash == 0
            || consent_set_cookie_parse((const char *) h->value.data,
                                        h->value.len, &sc) != 0
            || sc.name_len == 0 || sc.name_len > CONSENT_INV_NAME_MAX)
        {
            continue;
        }

        k.kind = CONSENT_INV_SET;
        k.name.data = (u_char *) sc.name;
        k.name.len = sc.name_len;
        k.domain.data = (u_char *) sc.domain;
        k.domain.len = ngx_min(sc.domain_len, CONSENT_INV_DOMAIN_MAX);
        k.path.data = (u_char *) sc.path;
        k.path.len = ngx_min(sc.path_len, CONSENT_INV_PATH_MAX);
        k.flags = consent_inventory_flags(&sc);
        k.max_age = sc.has_max_age ? sc.max_age : -1;
        k.refused = !ngx_http_consent_cookies_ours(clcf, sc.name,
                                                   sc.name_len)
                    && consent_cookie_refused(clcf->policy, granted,
                                              clcf->unknown_cookies,
                                              sc.name, sc.name_len);

        ngx_http_consent_inventory_add(cmcf->inventory, &k);
    }

    if (sent == NULL) {
        return;
    }

    ngx_memzero(&k, sizeof(ngx_http_consent_inv_key_t));
    k.kind = CONSENT_INV_SENT;
    k.max_age = -1;

    v = sent->elts;

    for (i = 0; i < sent->nelts; i++) {
        pos = 0;

        while (consent_cookie_pair((const char *) v[i].data, v[i].len, &pos,
                                   &name, &k.name.len, &pair, &plen))
        {
            if (k.name.len == 0 || k.name.len > CONSENT_INV_NAME_MAX) {
                continue;
            }

            k.name.data = (u_char *) name;

            ngx_http_consent_inventory_add(cmcf->inventory, &k);
        }
    }
}


/* GET: the inventory as JSON, entries copied out under the lock */

static ngx_int_t
ngx_http_consent_inventory_handler(ngx_http_request_t *r)
{
    char                          *json;
    u_char                        *p;
    size_t                         len;
    uint64_t                       evicted, cut;
    ngx_int_t                      rc;
    ngx_uint_t                     n;
    ngx_queue_t                   *q;
    consent_inv_entry_t           *e, *entries;
    ngx_http_consent_inv_zone_t   *z;
    ngx_http_consent_inv_node_t   *node;
    ngx_http_consent_loc_conf_t   *clcf;
    ngx_http_consent_main_conf_t  *cmcf;

    rc = ngx_http_consent_get_only(r);
    if (rc != NGX_OK) {
        return rc;
    }

    cmcf = ngx_http_get_module_main_conf(r, ngx_http_consent_module);
    clcf = ngx_http_get_module_loc_conf(r, ngx_http_consent_module);

    if (cmcf->inventory == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    z = cmcf->inventory->data;

    ngx_shmtx_lock(&z->shpool->mutex);

    n = z->sh->entries;
    evicted = z->sh->evicted;
    cut = z->sh->host_pages_cut;

    entries = ngx_pcalloc(r->pool, (n ? n : 1) * sizeof(consent_inv_entry_t));
    len = 0;

    for (q = ngx_queue_head(&z->sh->lru);
         entries && q != ngx_queue_sentinel(&z->sh->lru);
         q = ngx_queue_next(q))
    {
        node = ngx_queue_data(q, ngx_http_consent_inv_node_t, queue);
        len += node->name_len + node->domain_len + node->path_len
               + node->location_len + node->element_len;
    }

    p = entries ? ngx_pnalloc(r->pool, len + 1) : NULL;
    e = entries;

    for (q = ngx_queue_head(&z->sh->lru);
         p && q != ngx_queue_sentinel(&z->sh->lru) && e < entries + n;
         q = ngx_queue_next(q))
    {
        node = ngx_queue_data(q, ngx_http_consent_inv_node_t, queue);

        e->kind = (consent_inv_kind_e) node->kind;
        e->count = node->count;
        e->refused = node->refused;
        e->max_age = node->max_age;
        e->flags = node->flags;
        e->first = node->first;
        e->last = node->last;
        e->categories = node->categories;

        if (e->kind == CONSENT_INV_HOST) {
            e->unclassified = node->refused;
            e->refused = 0;
        }

        len = node->name_len + node->domain_len + node->path_len
              + node->location_len + node->element_len;
        ngx_memcpy(p, node->data, len);

        e->name = (const char *) p;
        e->name_len = node->name_len;
        e->domain = e->name + e->name_len;
        e->domain_len = node->domain_len;
        e->path = e->domain + e->domain_len;
        e->path_len = node->path_len;
        e->location = e->path + e->path_len;
        e->location_len = node->location_len;
        e->element = e->location + e->location_len;
        e->element_len = node->element_len;

        p += len;
        e++;
    }

    ngx_shmtx_unlock(&z->shpool->mutex);

    if (entries == NULL || p == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    json = consent_inventory_json(clcf->policy, entries, e - entries,
                                  evicted, cut, &len);
    if (json == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = ngx_pnalloc(r->pool, len + 1);
    if (p == NULL) {
        free(json);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memcpy(p, json, len);
    p[len] = '\n';
    free(json);

    if (ngx_http_consent_header_out_str(r, "Cache-Control", "no-store")
        == NULL)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    r->headers_out.status = NGX_HTTP_OK;
    r->headers_out.content_length_n = len + 1;
    ngx_str_set(&r->headers_out.content_type, "application/json");
    r->headers_out.content_type_len = r->headers_out.content_type.len;

    if (r->method == NGX_HTTP_HEAD) {
        r->header_only = 1;
    }

    return ngx_http_consent_send_memory(r, p, len + 1);
}


/*
 * The filter's scanner reports the hosts of the page it reads to
 * ngx_http_consent_inventory_host_seen() when an inventory zone is
 * configured (and costs nothing otherwise); each third-party host is
 * counted once a page, when the request ends.
 */

ngx_int_t
ngx_http_consent_inventory_hosts(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, consent_html_conf_t *hc)
{
    ngx_pool_cleanup_t            *cln;
    ngx_http_core_loc_conf_t      *core;
    ngx_http_consent_inv_page_t   *pg;
    ngx_http_consent_main_conf_t  *cmcf;

    cmcf = ngx_http_get_module_main_conf(r, ngx_http_consent_module);

    if (cmcf->inventory == NULL) {
        return NGX_OK;
    }

    cln = ngx_pool_cleanup_add(r->pool, sizeof(ngx_http_consent_inv_page_t));
    if (cln == NULL) {
        return NGX_ERROR;
    }

    pg = cln->data;
    pg->zone = cmcf->inventory;
    pg->n = 0;
    pg->cut = 0;
    pg->site = clcf->cookie_domain;

    if (hc->base != NULL && hc->base->host_len > 0) {
        pg->page.data = (u_char *) hc->base->buf + hc->base->host;
        pg->page.len = hc->base->host_len;

    } else {
        pg->page = r->headers_in.server;
    }

    core = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    pg->location.data = core->name.data;
    pg->location.len = ngx_min(core->name.len, CONSENT_INV_LOCATION_MAX);

    cln->handler = ngx_http_consent_inventory_hosts_flush;

    hc->host_seen = ngx_http_consent_inventory_host_seen;
    hc->host_ctx = pg;

    return NGX_OK;
}


/* one URL of the page: its host, kept once, if it is a third party's */

static void
ngx_http_consent_inventory_host_seen(void *data, const char *host,
    size_t len, int classified, const char *el, size_t el_len)
{
    ngx_http_consent_inv_page_t  *pg = data;

    ngx_uint_t                    i;
    ngx_http_consent_inv_host_t  *h;

    /* a longer name is no DNS name: nothing could be fetched from it */
    if (len == 0 || len > CONSENT_INV_DOMAIN_MAX
        || !consent_inventory_third_party(host, len,
                                          (const char *) pg->page.data,
                                          pg->page.len,
                                          (const char *) pg->site.data,
                                          pg->site.len))
    {
        return;
    }

    for (i = 0; i < pg->n; i++) {
        h = &pg->hosts[i];

        if (h->host_len == len && ngx_memcmp(h->host, host, len) == 0) {
            break;
        }
    }

    if (i == pg->n) {
        if (pg->n == NGX_HTTP_CONSENT_INV_HOSTS) {
            pg->cut = 1;
            return;
        }

        h = &pg->hosts[pg->n++];

        ngx_memcpy(h->host, host, len);
        h->host_len = (u_char) len;
        h->element_len = (u_char) ngx_min(el_len, CONSENT_INV_ELEMENT_MAX);
        ngx_memcpy(h->element, el, h->element_len);
        h->unclassified = 0;
        h->categories = 0;
    }

    if (classified > 0 && classified <= CONSENT_MAX_CATEGORIES) {
        h->categories |= (uint32_t) 1 << (classified - 1);

    } else {
        h->unclassified = 1;
    }
}


/* the request's pool goes: the page's hosts into the zone */

static void
ngx_http_consent_inventory_hosts_flush(void *data)
{
    ngx_http_consent_inv_page_t  *pg = data;

    ngx_uint_t                    i;
    ngx_http_consent_inv_key_t    k;
    ngx_http_consent_inv_zone_t  *z;
    ngx_http_consent_inv_host_t  *h;

    ngx_memzero(&k, sizeof(ngx_http_consent_inv_key_t));

    k.kind = CONSENT_INV_HOST;
    k.max_age = -1;
    k.location = pg->location;

    for (i = 0; i < pg->n; i++) {
        h = &pg->hosts[i];

        k.name.data = h->host;
        k.name.len = h->host_len;
        k.element.data = h->element;
        k.element.len = h->element_len;
        k.refused = h->unclassified;
        k.categories = h->categories;

        ngx_http_consent_inventory_add(pg->zone, &k);
    }

    if (pg->cut) {
        z = pg->zone->data;

        ngx_shmtx_lock(&z->shpool->mutex);
        z->sh->host_pages_cut++;
        ngx_shmtx_unlock(&z->shpool->mutex);
    }
}

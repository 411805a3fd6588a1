
/*
 * Copyright (C) ngx_http_consent_module authors
 */


#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "consent_ascii.h"
#include "consent_base64.h"
#include "consent_errf.h"
#include "consent_escape.h"
#include "consent_handoff.h"


#define CONSENT_HANDOFF_LABEL    "ngx_http_consent handoff v1"
#define CONSENT_HANDOFF_VERSION  "h1"
#define CONSENT_HANDOFF_FIELDS   10
#define CONSENT_ISSUED_DIGITS    10


typedef struct {
    const char         *p;
    size_t              len;
} consent_field_t;


static int consent_handoff_mac(const consent_key_t *key, const char *data,
    size_t len, unsigned char mac[CONSENT_MAC_LEN]);
static int consent_handoff_fields(const char *token, size_t len,
    consent_field_t *f);
static int consent_handoff_uint(const consent_field_t *f, int hex,
    size_t maxdigits, uint64_t *value);
static long consent_b64url_decode_var(const consent_field_t *f,
    unsigned char *out, size_t outcap);
static int consent_handoff_list(const char *list, size_t len,
    consent_domains_t *d);


int
consent_domains_host_valid(const char *host, size_t len)
{
    size_t         i, label;
    unsigned char  c;
    int            alpha;

    if (host == NULL || len == 0 || len > CONSENT_HANDOFF_HOST_MAX) {
        return 0;
    }

    label = 0;
    alpha = 0;

    for (i = 0; i < len; i++) {
        c = (unsigned char) host[i];

        if (c == '.') {
            if (label == 0 || host[i - 1] == '-') {
                return 0;
            }

            label = 0;
            continue;
        }

        if (c == '-') {
            if (label == 0) {
                return 0;
            }

            alpha = 1;

        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            alpha = 1;

        } else if (!(c >= '0' && c <= '9')) {
            return 0;
        }

        if (++label > 63) {
            return 0;
        }
    }

    /* no empty last label (a trailing dot), no hyphen ending it */

    if (label == 0 || host[len - 1] == '-') {
        return 0;
    }

    return alpha;
}


int
consent_domains_add(consent_domains_t *d, const char *host, size_t len,
    char *err, size_t errlen)
{
    size_t  i;

    if (err && errlen) {
        err[0] = '\0';
    }

    if (!consent_domains_host_valid(host, len)) {
        consent_errf(err, errlen, "invalid host name \"%.*s\"",
                     (int) (len > 300 ? 300 : len), host);
        return -1;
    }

    if (consent_domains_find(d, host, len) >= 0) {
        consent_errf(err, errlen, "duplicate domain \"%.*s\"",
                     (int) len, host);
        return -1;
    }

    if (d->n == CONSENT_HANDOFF_DOMAINS_MAX) {
        consent_errf(err, errlen, "too many domains, at most %d",
                     CONSENT_HANDOFF_DOMAINS_MAX);
        return -1;
    }

    for (i = 0; i < len; i++) {
        d->host[d->n][i] = (char) consent_ascii_lower(host[i]);
    }

    d->host[d->n][len] = '\0';
    d->len[d->n] = len;
    d->n++;

    /* the list goes into every token: keep it within one */

    if (consent_domains_join(d, ",", NULL, 0) > CONSENT_HANDOFF_LIST_MAX) {
        d->n--;
        consent_errf(err, errlen, "the domains add up to more than "
                     "%d characters", CONSENT_HANDOFF_LIST_MAX);
        return -1;
    }

    return 0;
}


int
consent_domains_find(const consent_domains_t *d, const char *host,
    size_t len)
{
    size_t  i, j;

    if (d == NULL || host == NULL) {
        return -1;
    }

    for (i = 0; i < d->n; i++) {
        if (d->len[i] != len) {
            continue;
        }

        for (j = 0; j < len; j++) {
            if (d->host[i][j] != consent_ascii_lower(host[j])) {
                break;
            }
        }

        if (j == len) {
            return (int) i;
        }
    }

    return -1;
}


size_t
consent_domains_join(const consent_domains_t *d, const char *sep, char *out,
    size_t outlen)
{
    size_t  i, n, w, slen;

    slen = strlen(sep);
    n = 0;
    w = 0;

    /* what does not fit whole is left out, and so is all after it */

    for (i = 0; i < d->n; i++) {
        if (i) {
            if (out && w == n && n + slen < outlen) {
                memcpy(out + n, sep, slen);
                w += slen;
            }

            n += slen;
        }

        if (out && w == n && n + d->len[i] < outlen) {
            memcpy(out + n, d->host[i], d->len[i]);
            w += d->len[i];
        }

        n += d->len[i];
    }

    if (out && outlen) {
        out[w] = '\0';
    }

    return n;
}


int
consent_domains_from(const consent_domains_t *d, const char *host,
    size_t len, consent_domains_t *out)
{
    int     self;
    size_t  i;

    self = consent_domains_find(d, host, len);
    if (self < 0) {
        return -1;
    }

    out->n = 0;

    memcpy(out->host[0], d->host[self], d->len[self] + 1);
    out->len[0] = d->len[self];
    out->n = 1;

    for (i = 0; i < d->n; i++) {
        if (i == (size_t) self) {
            continue;
        }

        memcpy(out->host[out->n], d->host[i], d->len[i] + 1);
        out->len[out->n] = d->len[i];
        out->n++;
    }

    return 0;
}


int
consent_handoff_nonce(unsigned char nonce[CONSENT_HANDOFF_NONCE_LEN])
{
    return RAND_bytes(nonce, CONSENT_HANDOFF_NONCE_LEN) == 1 ? 0 : -1;
}


/*
 * h1.KID.ISSUED.REVISION.GRANTED.ID.NONCE.DOMAINS.RETURN.MAC, where
 * DOMAINS and RETURN are base64url of the comma-joined list and of the
 * path (docs/cookie-format.md)
 */

int
consent_handoff_encode(const consent_keyset_t *ks, consent_handoff_t *h,
    char *out, size_t outlen)
{
    int                   n;
    char                  list[CONSENT_HANDOFF_LIST_MAX + 1];
    char                 *buf, *p;
    size_t                i, llen, need;
    const consent_key_t  *key;
    unsigned char         mac[CONSENT_MAC_LEN];

    if (ks == NULL || ks->nkeys == 0 || ks->keys[0].verify_only
        || h->domains.n < 2 || h->domains.n > CONSENT_HANDOFF_DOMAINS_MAX
        || !consent_return_path_ok(h->ret, h->ret_len)
        || h->issued < 1 || h->issued > 9999999999LL)
    {
        return -1;
    }

    for (i = 0; i < h->domains.n; i++) {
        if (!consent_domains_host_valid(h->domains.host[i],
                                        h->domains.len[i]))
        {
            return -1;
        }
    }

    llen = consent_domains_join(&h->domains, ",", list, sizeof(list));
    if (llen > CONSENT_HANDOFF_LIST_MAX) {
        return -1;
    }

    key = &ks->keys[0];

    need = sizeof(CONSENT_HANDOFF_VERSION) + CONSENT_KID_MAX + 1
           + CONSENT_ISSUED_DIGITS + 1 + 10 + 1 + 8 + 1
           + CONSENT_ID_B64_LEN + 1
           + consent_b64url_len(CONSENT_HANDOFF_NONCE_LEN) + 1
           + consent_b64url_len(llen) + 1
           + consent_b64url_len(h->ret_len) + 1
           + consent_b64url_len(CONSENT_MAC_LEN) + 1;

    if (need > outlen || need > CONSENT_HANDOFF_TOKEN_MAX + 1) {
        return -1;
    }

    buf = out;

    n = snprintf(buf, outlen, CONSENT_HANDOFF_VERSION ".%s.%" PRId64
                 ".%" PRIu32 ".%" PRIx32 ".", key->kid, h->issued,
                 h->revision, h->granted);
    if (n < 0 || (size_t) n >= outlen) {
        return -1;
    }

    p = buf + n;

    consent_id_format(h->id, p);
    p += CONSENT_ID_B64_LEN;
    *p++ = '.';

    consent_b64url_encode(h->nonce, CONSENT_HANDOFF_NONCE_LEN, p);
    p += consent_b64url_len(CONSENT_HANDOFF_NONCE_LEN);
    *p++ = '.';

    consent_b64url_encode((const unsigned char *) list, llen, p);
    p += consent_b64url_len(llen);
    *p++ = '.';

    consent_b64url_encode((const unsigned char *) h->ret, h->ret_len, p);
    p += consent_b64url_len(h->ret_len);

    if (consent_handoff_mac(key, buf, p - buf, mac) != 0) {
        return -1;
    }

    *p++ = '.';
    consent_b64url_encode(mac, CONSENT_MAC_LEN, p);
    p += consent_b64url_len(CONSENT_MAC_LEN);
    *p = '\0';

    memcpy(h->kid, key->kid, key->kid_len + 1);
    memcpy(h->mac, mac, CONSENT_MAC_LEN);

    OPENSSL_cleanse(mac, sizeof(mac));

    return (int) (p - buf);
}


consent_handoff_status_e
consent_handoff_verify(const consent_keyset_t *ks, const char *token,
    size_t len, int64_t now, consent_handoff_t *h)
{
    long                  n;
    char                  list[CONSENT_HANDOFF_LIST_MAX + 1];
    uint64_t              issued, revision, granted;
    consent_field_t       f[CONSENT_HANDOFF_FIELDS];
    const consent_key_t  *key;
    unsigned char         mac[CONSENT_MAC_LEN], got[CONSENT_MAC_LEN];

    memset(h, 0, sizeof(consent_handoff_t));

    if (token == NULL || len == 0 || len > CONSENT_HANDOFF_TOKEN_MAX
        || consent_handoff_fields(token, len, f) != 0)
    {
        return CONSENT_HANDOFF_MALFORMED;
    }

    if (f[0].len != 2 || memcmp(f[0].p, CONSENT_HANDOFF_VERSION, 2) != 0) {
        return CONSENT_HANDOFF_MALFORMED;
    }

    /* the kid: as in the cookie, 1 to 8 of a-z 0-9 */

    if (f[1].len == 0 || f[1].len > CONSENT_KID_MAX) {
        return CONSENT_HANDOFF_MALFORMED;
    }

    for (n = 0; n < (long) f[1].len; n++) {
        if (!((f[1].p[n] >= 'a' && f[1].p[n] <= 'z')
              || (f[1].p[n] >= '0' && f[1].p[n] <= '9')))
        {
            return CONSENT_HANDOFF_MALFORMED;
        }
    }

    if (consent_handoff_uint(&f[2], 0, CONSENT_ISSUED_DIGITS, &issued) != 0
        || issued == 0
        || consent_handoff_uint(&f[3], 0, 10, &revision) != 0
        || revision > UINT32_MAX
        || consent_handoff_uint(&f[4], 1, 8, &granted) != 0
        || f[5].len != CONSENT_ID_B64_LEN
        || consent_id_parse(f[5].p, f[5].len, h->id) != 0
        || f[6].len != consent_b64url_len(CONSENT_HANDOFF_NONCE_LEN)
        || consent_b64url_decode_exact(f[6].p, f[6].len, h->nonce,
                                       CONSENT_HANDOFF_NONCE_LEN) != 0
        || f[9].len != consent_b64url_len(CONSENT_MAC_LEN)
        || consent_b64url_decode_exact(f[9].p, f[9].len, got,
                                       CONSENT_MAC_LEN) != 0)
    {
        goto malformed;
    }

    n = consent_b64url_decode_var(&f[7], (unsigned char *) list,
                                  CONSENT_HANDOFF_LIST_MAX);
    if (n < 0 || consent_handoff_list(list, (size_t) n, &h->domains) != 0) {
        goto malformed;
    }

    n = consent_b64url_decode_var(&f[8], (unsigned char *) h->ret,
                                  CONSENT_RETURN_MAX);
    if (n < 0 || !consent_return_path_ok(h->ret, (size_t) n)) {
        goto malformed;
    }

    h->ret[n] = '\0';
    h->ret_len = (size_t) n;

    key = consent_keyset_find(ks, f[1].p, f[1].len);

    if (key == NULL
        || consent_handoff_mac(key, token, f[9].p - 1 - token, mac) != 0
        || CRYPTO_memcmp(mac, got, CONSENT_MAC_LEN) != 0)
    {
        memset(h, 0, sizeof(consent_handoff_t));
        return CONSENT_HANDOFF_FORGED;
    }

    memcpy(h->kid, f[1].p, f[1].len);
    h->kid[f[1].len] = '\0';
    h->issued = (int64_t) issued;
    h->revision = (uint32_t) revision;
    h->granted = (uint32_t) granted;
    memcpy(h->mac, got, CONSENT_MAC_LEN);

    if (h->issued - now > CONSENT_HANDOFF_SKEW) {
        memset(h, 0, sizeof(consent_handoff_t));
        return CONSENT_HANDOFF_FUTURE;
    }

    if (now - h->issued > CONSENT_HANDOFF_TTL) {
        return CONSENT_HANDOFF_EXPIRED;
    }

    return CONSENT_HANDOFF_OK;

malformed:

    memset(h, 0, sizeof(consent_handoff_t));
    return CONSENT_HANDOFF_MALFORMED;
}


const char *
consent_handoff_status_name(consent_handoff_status_e st)
{
    switch (st) {
    case CONSENT_HANDOFF_OK:
        return "ok";
    case CONSENT_HANDOFF_MALFORMED:
        return "malformed";
    case CONSENT_HANDOFF_FORGED:
        return "forged";
    case CONSENT_HANDOFF_FUTURE:
        return "issued in the future";
    case CONSENT_HANDOFF_EXPIRED:
        return "expired";
    }

    return "unknown";
}


int
consent_handoff_next(const consent_handoff_t *h, const char *host,
    size_t len, const char **next, size_t *next_len)
{
    int  i;

    i = consent_domains_find(&h->domains, host, len);

    if (i <= 0) {
        return -1;
    }

    if ((size_t) i + 1 == h->domains.n) {
        *next = h->domains.host[0];
        *next_len = h->domains.len[0];
        return 0;
    }

    *next = h->domains.host[i + 1];
    *next_len = h->domains.len[i + 1];

    return 1;
}


char *
consent_handoff_json(char *json, size_t *len, const char *url,
    size_t url_len)
{
    char    *out, *p;
    size_t   n, i;

    if (json == NULL) {
        return NULL;
    }

    n = *len;

    while (n && (json[n - 1] == '\n' || json[n - 1] == ' ')) {
        n--;
    }

    if (n < 2 || json[n - 1] != '}') {
        free(json);
        return NULL;
    }

    /* ,"handoff":"" and escapes at most doubling the URL */

    out = realloc(json, n + sizeof(",\"handoff\":\"\"}") + 2 * url_len + 1);
    if (out == NULL) {
        free(json);
        return NULL;
    }

    p = out + n - 1;

    if (n > 2) {
        *p++ = ',';
    }

    memcpy(p, "\"handoff\":\"", sizeof("\"handoff\":\"") - 1);
    p += sizeof("\"handoff\":\"") - 1;

    for (i = 0; i < url_len; i++) {
        if (url[i] == '"' || url[i] == '\\') {
            *p++ = '\\';

        } else if ((unsigned char) url[i] < 0x20) {
            continue;
        }

        *p++ = url[i];
    }

    *p++ = '"';
    *p++ = '}';
    *p = '\0';

    *len = p - out;

    return out;
}


int
consent_handoff_referer_host(const char *referer, size_t len,
    const char **host, size_t *host_len)
{
    size_t       i, end, skip;
    const char  *p;

    if (referer == NULL) {
        return 0;
    }

    if (len >= 7 && strncasecmp(referer, "http://", 7) == 0) {
        skip = 7;

    } else if (len >= 8 && strncasecmp(referer, "https://", 8) == 0) {
        skip = 8;

    } else {
        return 0;
    }

    p = referer + skip;
    len -= skip;

    /* the authority: no user info, which could name another host */

    for (end = 0; end < len; end++) {
        if (p[end] == '/' || p[end] == '?' || p[end] == '#') {
            break;
        }

        if (p[end] == '@' || p[end] == '\\') {
            return 0;
        }
    }

    for (i = 0; i < end && p[i] != ':'; i++) {
        /* void */
    }

    if (!consent_domains_host_valid(p, i)) {
        return 0;
    }

    *host = p;
    *host_len = i;

    return 1;
}


char *
consent_handoff_page(const char *reason, const char *next, size_t next_len,
    size_t *len)
{
    char    *out, *p;
    size_t   rlen;

    rlen = strlen(reason);

    out = malloc(512 + CONSENT_ESCAPE_MAX * (rlen + 2 * next_len));
    if (out == NULL) {
        return NULL;
    }

    p = out;
    p += sprintf(p, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                 "<meta name=\"robots\" content=\"noindex\">");

    if (next) {
        p += sprintf(p, "<meta http-equiv=\"refresh\" content=\"0;url=");
        p = consent_escape_html(p, next, next_len, 0);
        p += sprintf(p, "\">");
    }

    p += sprintf(p, "<title>Privacy choice</title></head>\n<body><p>");
    p = consent_escape_html(p, reason, rlen, 0);
    p += sprintf(p, "</p>\n");

    if (next) {
        p += sprintf(p, "<p><a href=\"");
        p = consent_escape_html(p, next, next_len, 0);
        p += sprintf(p, "\">Continue</a></p>\n");
    }

    p += sprintf(p, "</body></html>\n");

    *len = p - out;

    return out;
}


size_t
consent_replay_size(uint32_t nslots)
{
    return sizeof(consent_replay_t)
           + (size_t) nslots * sizeof(consent_replay_slot_t);
}


uint32_t
consent_replay_slots(size_t size)
{
    uint32_t  n;

    if (size < consent_replay_size(CONSENT_REPLAY_WINDOW)) {
        return 0;
    }

    for (n = CONSENT_REPLAY_WINDOW;
         n < (1u << 30) && consent_replay_size(n * 2) <= size;
         n *= 2)
    {
        /* void */
    }

    return n;
}


void
consent_replay_init(consent_replay_t *c, uint32_t nslots)
{
    memset(c, 0, consent_replay_size(nslots));
    c->nslots = nslots;
}


/*
 * A key lives only in the window of CONSENT_REPLAY_WINDOW slots from
 * its hash, so a check is bounded, and the first unused or expired slot
 * of the window takes it; a window all of whose slots are live refuses
 * (a replay must never pass because the cache is busy).
 */

consent_replay_e
consent_replay_check(consent_replay_t *c,
    const unsigned char mac[CONSENT_MAC_LEN], const char *host, size_t len,
    int64_t expires, int64_t now)
{
    uint32_t                i, mask, free_slot, found_free;
    uint64_t                key[2];
    unsigned int            dlen;
    EVP_MD_CTX             *md;
    consent_replay_slot_t  *s;
    unsigned char           digest[EVP_MAX_MD_SIZE];
    static const char       zero[1] = { 0 };

    md = EVP_MD_CTX_new();
    if (md == NULL) {
        c->full++;
        return CONSENT_REPLAY_FULL;
    }

    if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1
        || EVP_DigestUpdate(md, mac, CONSENT_MAC_LEN) != 1
        || EVP_DigestUpdate(md, zero, 1) != 1
        || EVP_DigestUpdate(md, host, len) != 1
        || EVP_DigestFinal_ex(md, digest, &dlen) != 1)
    {
        EVP_MD_CTX_free(md);
        c->full++;
        return CONSENT_REPLAY_FULL;
    }

    EVP_MD_CTX_free(md);

    memcpy(key, digest, sizeof(key));

    /* 0 marks an unused slot: no key may look like one */

    if (expires <= 0) {
        expires = 1;
    }

    mask = c->nslots - 1;
    found_free = 0;
    free_slot = 0;

    for (i = 0; i < CONSENT_REPLAY_WINDOW && i < c->nslots; i++) {
        s = &c->slots[(key[0] + i) & mask];

        if (s->expires >= now && s->expires != 0) {
            if (s->key[0] == key[0] && s->key[1] == key[1]) {
                c->seen++;
                return CONSENT_REPLAY_SEEN;
            }

            continue;
        }

        if (!found_free) {
            found_free = 1;
            free_slot = (key[0] + i) & mask;
        }
    }

    if (!found_free) {
        c->full++;
        return CONSENT_REPLAY_FULL;
    }

    s = &c->slots[free_slot];
    s->key[0] = key[0];
    s->key[1] = key[1];
    s->expires = expires;
    c->fresh++;

    return CONSENT_REPLAY_FRESH;
}


static int
consent_handoff_mac(const consent_key_t *key, const char *data, size_t len,
    unsigned char mac[CONSENT_MAC_LEN])
{
    static const char   label[] = CONSENT_HANDOFF_LABEL;

    /*
     * The cookie key, under a label of its own: no token input can be a
     * cookie's, whose label differs before the first 0x00
     */

    return consent_key_mac(key, label, sizeof(label), data, len, mac);
}


/* exactly CONSENT_HANDOFF_FIELDS fields, none empty */

static int
consent_handoff_fields(const char *token, size_t len, consent_field_t *f)
{
    size_t       i, n;
    const char  *start;

    n = 0;
    start = token;

    for (i = 0; i <= len; i++) {
        if (i < len && token[i] != '.') {
            continue;
        }

        if (n == CONSENT_HANDOFF_FIELDS || token + i == start) {
            return -1;
        }

        f[n].p = start;
        f[n].len = token + i - start;
        n++;
        start = token + i + 1;
    }

    return n == CONSENT_HANDOFF_FIELDS ? 0 : -1;
}


/* decimal or lowercase hex, no leading zero, at most maxdigits */

static int
consent_handoff_uint(const consent_field_t *f, int hex, size_t maxdigits,
    uint64_t *value)
{
    size_t    i;
    uint64_t  v;
    unsigned  d;

    if (f->len == 0 || f->len > maxdigits
        || (f->len > 1 && f->p[0] == '0'))
    {
        return -1;
    }

    v = 0;

    for (i = 0; i < f->len; i++) {
        if (f->p[i] >= '0' && f->p[i] <= '9') {
            d = f->p[i] - '0';

        } else if (hex && f->p[i] >= 'a' && f->p[i] <= 'f') {
            d = f->p[i] - 'a' + 10;

        } else {
            return -1;
        }

        v = v * (hex ? 16 : 10) + d;
    }

    *value = v;

    return 0;
}


/* canonical base64url of any length up to outcap bytes */

static long
consent_b64url_decode_var(const consent_field_t *f, unsigned char *out,
    size_t outcap)
{
    size_t  n;

    if (f->len % 4 == 1) {
        return -1;
    }

    n = f->len / 4 * 3 + (f->len % 4 ? f->len % 4 - 1 : 0);

    if (n == 0 || n > outcap || consent_b64url_len(n) != f->len
        || consent_b64url_decode_exact(f->p, f->len, out, n) != 0)
    {
        return -1;
    }

    return (long) n;
}


/* "a.example,b.example": 2 or more valid hosts, no duplicate */

static int
consent_handoff_list(const char *list, size_t len, consent_domains_t *d)
{
    size_t       i;
    const char  *start;

    d->n = 0;
    start = list;

    for (i = 0; i <= len; i++) {
        if (i < len && list[i] != ',') {
            continue;
        }

        if (consent_domains_add(d, start, list + i - start, NULL, 0) != 0) {
            return -1;
        }

        /* as the origin lists them: lower case already */

        if (memcmp(d->host[d->n - 1], start, list + i - start) != 0) {
            return -1;
        }

        start = list + i + 1;
    }

    return d->n >= 2 ? 0 : -1;
}



/*
 * Copyright (C) ngx_http_consent_module authors
 */


#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "consent_ascii.h"
#include "consent_base64.h"
#include "consent_errf.h"
#include "consent_token.h"


#define CONSENT_KEYFILE_MAX     65536
#define CONSENT_ISSUED_MAX      9999999999LL
#define CONSENT_MAC_B64_LEN     43

/* the longest field that can decode to CONSENT_SECRET_MAX + 2 bytes */
#define CONSENT_SECRET_BUF      (CONSENT_SECRET_MAX + 3)
#define CONSENT_SECRET_B64_MAX  (CONSENT_SECRET_BUF / 3 * 4)

#define CONSENT_COOKIE_INFO     "ngx_http_consent cookie v1"
#define CONSENT_LOG_INFO        "ngx_http_consent log v1"
#define CONSENT_COOKIE_LABEL    "ngx_http_consent cookie v1"

/* the key file's mark of a key that verifies and never signs */
#define CONSENT_VERIFY_ONLY     "verify-only"


/* a key's derived secrets, malloc'ed a key: never out of this file */
struct consent_key_secret_s {
    EVP_MAC_CTX        *cookie_mac;    /* HMAC-SHA256, cookie key set */
    unsigned char       log_key[CONSENT_LOG_KEY_LEN];
};


typedef struct {
    consent_keyset_t   *ks;
    size_t              nalloc;
    EVP_KDF            *kdf;
    EVP_MAC            *mac;
    const char         *name;
    size_t              line;
    char               *err;
    size_t              errlen;
} consent_keyparse_t;


typedef struct {
    const char         *kid;
    size_t              kid_len;
    uint64_t            issued;
    uint64_t            revision;
    uint64_t            granted;
    unsigned char       id[CONSENT_ID_LEN];
    unsigned char       mac[CONSENT_MAC_LEN];
    size_t              signed_len;
    const char         *regime;        /* format 2 */
    size_t              regime_len;
} consent_token_parsed_t;


static const char *consent_keyset_field(const char **p, const char *last,
    size_t *len);
static int consent_keyset_line(consent_keyparse_t *kp, const char *p,
    const char *last);
static int consent_keyset_add(consent_keyparse_t *kp, const char *kid,
    size_t kid_len, const unsigned char *secret, size_t len);
static int consent_key_init(consent_key_t *key, const unsigned char *secret,
    size_t len, EVP_KDF *kdf, EVP_MAC *mac);
static void consent_key_secret_free(consent_key_secret_t *sec);
static int consent_key_derive(EVP_KDF *kdf, const unsigned char *secret,
    size_t len, const char *info, unsigned char *out, size_t outlen);
static int consent_kid_valid(const char *kid, size_t len);
static void consent_keyset_order(consent_keyset_t *ks);
static void consent_keyparse_error(consent_keyparse_t *kp, const char *fmt,
    ...) __attribute__((format(printf, 2, 3)));
static int consent_token_mac(const consent_key_t *key, const char *name,
    size_t name_len, const char *data, size_t len,
    unsigned char mac[CONSENT_MAC_LEN]);
static int consent_token_parse(const char *p, size_t len,
    consent_token_parsed_t *pt);
static unsigned consent_pick_rank(consent_state_e state);
static unsigned consent_bits(uint32_t v);
static const char *consent_parse_uint(const char *p, const char *last,
    int hex, size_t maxdigits, uint64_t *value);


consent_keyset_t *
consent_keyset_parse(const char *data, size_t len, const char *name,
    char *err, size_t errlen)
{
    const char          *p, *last, *eol;
    consent_keyparse_t   kp;

    memset(&kp, 0, sizeof(consent_keyparse_t));

    kp.name = name ? name : "keys";
    kp.err = err;
    kp.errlen = errlen;

    if (err && errlen) {
        err[0] = '\0';
    }

    kp.ks = calloc(1, sizeof(consent_keyset_t));
    if (kp.ks == NULL) {
        consent_errf(err, errlen, "%s: out of memory", kp.name);
        return NULL;
    }

    kp.kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    kp.mac = EVP_MAC_fetch(NULL, "HMAC", NULL);

    if (kp.kdf == NULL || kp.mac == NULL) {
        consent_errf(err, errlen, "%s: OpenSSL has no HKDF or HMAC",
                     kp.name);
        goto failed;
    }

    p = data;
    last = data + len;

    while (p < last) {
        kp.line++;

        eol = memchr(p, '\n', last - p);
        if (eol == NULL) {
            eol = last;
        }

        if (consent_keyset_line(&kp, p, eol) != 0) {
            goto failed;
        }

        p = (eol < last) ? eol + 1 : last;
    }

    if (kp.ks->nkeys == 0) {
        consent_errf(err, errlen, "%s: no keys", kp.name);
        goto failed;
    }

    consent_keyset_order(kp.ks);

    EVP_KDF_free(kp.kdf);
    EVP_MAC_free(kp.mac);

    return kp.ks;

failed:

    EVP_KDF_free(kp.kdf);
    EVP_MAC_free(kp.mac);
    consent_keyset_free(kp.ks);

    return NULL;
}


/*
 * The key file has a reader of its own, like consent_policy_load()'s
 * on purpose: it refuses a file others can read, never blocks on a
 * FIFO, and wipes the key bytes from every buffer it frees
 */

consent_keyset_t *
consent_keyset_load(const char *path, char *err, size_t errlen)
{
    int                fd;
    char              *buf;
    size_t             size, n;
    ssize_t            r;
    struct stat        st;
    consent_keyset_t  *ks;

    if (err && errlen) {
        err[0] = '\0';
    }

    /* O_NONBLOCK: a FIFO must not hang us before fstat() refuses it */

    fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd == -1) {
        consent_errf(err, errlen, "%s: cannot open: %s",
                     path, strerror(errno));
        return NULL;
    }

    if (fstat(fd, &st) == -1) {
        consent_errf(err, errlen, "%s: fstat() failed: %s",
                     path, strerror(errno));
        close(fd);
        return NULL;
    }

    if (!S_ISREG(st.st_mode)) {
        consent_errf(err, errlen, "%s: not a regular file", path);
        close(fd);
        return NULL;
    }

    if (st.st_mode & S_IROTH) {
        consent_errf(err, errlen,
                     "%s: key file is world-readable (mode %04o), "
                     "make it private with \"chmod 600\" (or 640)",
                     path, (unsigned) (st.st_mode & 07777));
        close(fd);
        return NULL;
    }

    if (st.st_size > CONSENT_KEYFILE_MAX) {
        consent_errf(err, errlen, "%s: key file is larger than %d bytes",
                     path, CONSENT_KEYFILE_MAX);
        close(fd);
        return NULL;
    }

    /* one byte more than allowed to notice a file that grew meanwhile */

    buf = malloc(CONSENT_KEYFILE_MAX + 1);
    if (buf == NULL) {
        consent_errf(err, errlen, "%s: out of memory", path);
        close(fd);
        return NULL;
    }

    size = 0;

    for ( ;; ) {
        n = CONSENT_KEYFILE_MAX + 1 - size;
        if (n == 0) {
            break;
        }

        r = read(fd, buf + size, n);

        if (r == -1) {
            if (errno == EINTR) {
                continue;
            }

            consent_errf(err, errlen, "%s: read() failed: %s",
                         path, strerror(errno));
            OPENSSL_cleanse(buf, size);
            free(buf);
            close(fd);
            return NULL;
        }

        if (r == 0) {
            break;
        }

        size += (size_t) r;
    }

    close(fd);

    if (size > CONSENT_KEYFILE_MAX) {
        consent_errf(err, errlen, "%s: key file is larger than %d bytes",
                     path, CONSENT_KEYFILE_MAX);
        ks = NULL;

    } else {
        ks = consent_keyset_parse(buf, size, path, err, errlen);
    }

    OPENSSL_cleanse(buf, size);
    free(buf);

    return ks;
}


void
consent_keyset_free(consent_keyset_t *ks)
{
    size_t  i;

    if (ks == NULL) {
        return;
    }

    for (i = 0; i < ks->nkeys; i++) {
        consent_key_secret_free(ks->keys[i].secret);
    }

    free(ks->keys);
    free(ks);
}


const consent_key_t *
consent_keyset_find(const consent_keyset_t *ks, const char *kid, size_t len)
{
    size_t  i;

    if (ks == NULL) {
        return NULL;
    }

    for (i = 0; i < ks->nkeys; i++) {
        if (ks->keys[i].kid_len == len
            && memcmp(ks->keys[i].kid, kid, len) == 0)
        {
            return &ks->keys[i];
        }
    }

    return NULL;
}


/* the first key that may sign goes first: the others keep file order */

static void
consent_keyset_order(consent_keyset_t *ks)
{
    size_t         i;
    consent_key_t  signer;

    for (i = 0; i < ks->nkeys; i++) {
        if (!ks->keys[i].verify_only) {
            break;
        }
    }

    if (i == 0 || i == ks->nkeys) {
        return;
    }

    signer = ks->keys[i];
    memmove(&ks->keys[1], &ks->keys[0], i * sizeof(consent_key_t));
    ks->keys[0] = signer;

    OPENSSL_cleanse(&signer, sizeof(consent_key_t));
}


const consent_key_t *
consent_keyset_signer(const consent_keyset_t *ks, const char *name,
    char *err, size_t errlen)
{
    size_t  i, line;

    if (err && errlen) {
        err[0] = '\0';
    }

    if (ks == NULL || ks->nkeys == 0) {
        consent_errf(err, errlen, "%s: no keys", name ? name : "keys");
        return NULL;
    }

    if (!ks->keys[0].verify_only) {
        return &ks->keys[0];
    }

    for (i = 0, line = 0; i < ks->nkeys; i++) {
        if (ks->keys[i].line > line) {
            line = ks->keys[i].line;
        }
    }

    consent_errf(err, errlen, "%s:%zu: no key signs: every key is marked "
                 "\"" CONSENT_VERIFY_ONLY "\"; remove the mark from the "
                 "key that is to sign", name ? name : "keys", line);

    return NULL;
}


char *
consent_keyset_describe(const consent_keyset_t *ks, char *out,
    size_t outlen)
{
    int     n;
    size_t  i, len, nverify;

    if (out == NULL || outlen == 0) {
        return out;
    }

    out[0] = '\0';

    if (ks == NULL || ks->nkeys == 0) {
        return out;
    }

    len = 0;

    if (ks->keys[0].verify_only) {
        n = snprintf(out, outlen, "no key signs");

    } else {
        n = snprintf(out, outlen, "%s signs", ks->keys[0].kid);
    }

    if (n < 0 || (size_t) n >= outlen) {
        goto cut;
    }

    len = (size_t) n;
    nverify = 0;

    for (i = ks->keys[0].verify_only ? 0 : 1; i < ks->nkeys; i++) {
        n = snprintf(out + len, outlen - len, "%s%s",
                     nverify == 0 ? "; " : ", ", ks->keys[i].kid);

        if (n < 0 || (size_t) n >= outlen - len) {
            goto cut;
        }

        len += (size_t) n;
        nverify++;
    }

    if (nverify) {
        n = snprintf(out + len, outlen - len, " %s",
                     nverify == 1 ? "verifies only" : "verify only");

        if (n < 0 || (size_t) n >= outlen - len) {
            goto cut;
        }
    }

    return out;

cut:

    if (outlen > 4) {
        memcpy(out + outlen - 4, "...", 4);
    }

    return out;
}


const char *
consent_state_name(consent_state_e state)
{
    switch (state) {
    case CONSENT_STATE_ABSENT:
        return "absent";
    case CONSENT_STATE_VALID:
        return "valid";
    case CONSENT_STATE_INVALID:
        return "invalid";
    case CONSENT_STATE_EXPIRED:
        return "expired";
    case CONSENT_STATE_OUTDATED:
        return "outdated";
    }

    return "unknown";
}


int
consent_key_mac(const consent_key_t *key, const char *label,
    size_t label_len, const void *data, size_t len,
    unsigned char mac[CONSENT_MAC_LEN])
{
    size_t        outl;
    EVP_MAC_CTX  *ctx;

    ctx = (key != NULL && key->secret != NULL) ? key->secret->cookie_mac
                                               : NULL;

    if (ctx == NULL
        || EVP_MAC_init(ctx, NULL, 0, NULL) != 1
        || EVP_MAC_update(ctx, (const unsigned char *) label, label_len)
           != 1
        || EVP_MAC_update(ctx, (const unsigned char *) data, len) != 1
        || EVP_MAC_final(ctx, mac, &outl, CONSENT_MAC_LEN) != 1
        || outl != CONSENT_MAC_LEN)
    {
        return -1;
    }

    return 0;
}


int
consent_key_log_mac(const consent_key_t *key, const void *data, size_t len,
    unsigned char mac[CONSENT_MAC_LEN])
{
    unsigned int  mdlen;

    mdlen = 0;

    if (HMAC(EVP_sha256(), key->secret->log_key, CONSENT_LOG_KEY_LEN, data,
             len, mac, &mdlen)
        == NULL
        || mdlen != CONSENT_MAC_LEN)
    {
        return -1;
    }

    return 0;
}


int
consent_id_generate(unsigned char id[CONSENT_ID_LEN])
{
    return RAND_bytes(id, CONSENT_ID_LEN) == 1 ? 0 : -1;
}


void
consent_id_format(const unsigned char id[CONSENT_ID_LEN],
    char out[CONSENT_ID_B64_LEN + 1])
{
    consent_b64url_encode(id, CONSENT_ID_LEN, out);
    out[CONSENT_ID_B64_LEN] = '\0';
}


int
consent_id_parse(const char *in, size_t len, unsigned char id[CONSENT_ID_LEN])
{
    if (len != CONSENT_ID_B64_LEN) {
        return -1;
    }

    return consent_b64url_decode_exact(in, len, id, CONSENT_ID_LEN);
}


int
consent_token_encode(const consent_keyset_t *ks, const char *name,
    size_t name_len, consent_token_t *tok, char *out, size_t outlen)
{
    int                   n;
    size_t                len;
    char                  buf[CONSENT_TOKEN_MAX + 1];
    char                  id[CONSENT_ID_B64_LEN + 1];
    unsigned char         mac[CONSENT_MAC_LEN];
    const consent_key_t  *key;

    if (ks == NULL || ks->nkeys == 0 || tok == NULL || out == NULL
        || tok->issued < 1 || tok->issued > CONSENT_ISSUED_MAX)
    {
        return -1;
    }

    key = &ks->keys[0];

    if (key->verify_only) {
        return -1;
    }

    memcpy(tok->kid, key->kid, key->kid_len);
    tok->kid[key->kid_len] = '\0';

    consent_id_format(tok->id, id);

    /* format 2 adds the regime's tag; "opt-in" stays format 1 */

    if (tok->regime[0] != '\0') {
        if (!consent_regime_tag_valid(tok->regime, strlen(tok->regime))) {
            return -1;
        }

        n = snprintf(buf, sizeof(buf), "2.%s.%" PRId64 ".%" PRIu32
                     ".%" PRIx32 ".%s.%s.", tok->kid, tok->issued,
                     tok->revision, tok->granted, id, tok->regime);

    } else {
        n = snprintf(buf, sizeof(buf), "1.%s.%" PRId64 ".%" PRIu32
                     ".%" PRIx32 ".%s.", tok->kid, tok->issued,
                     tok->revision, tok->granted, id);
    }

    if (n < 0 || (size_t) n + CONSENT_MAC_B64_LEN >= sizeof(buf)) {
        return -1;
    }

    len = (size_t) n;

    /* the MAC covers everything before the last '.' */

    if (consent_token_mac(key, name, name_len, buf, len - 1, mac) != 0) {
        return -1;
    }

    consent_b64url_encode(mac, CONSENT_MAC_LEN, buf + len);
    len += CONSENT_MAC_B64_LEN;

    if (len >= outlen) {
        return -1;
    }

    memcpy(out, buf, len);
    out[len] = '\0';

    return (int) len;
}


int
consent_token_unknown_kid(const consent_keyset_t *ks, const char *value,
    size_t len, char kid[CONSENT_KID_MAX + 1])
{
    consent_token_parsed_t  pt;

    if (value == NULL || len == 0 || len > CONSENT_TOKEN_MAX
        || consent_token_parse(value, len, &pt) != 0
        || consent_keyset_find(ks, pt.kid, pt.kid_len) != NULL)
    {
        return 0;
    }

    memcpy(kid, pt.kid, pt.kid_len);
    kid[pt.kid_len] = '\0';

    return 1;
}


consent_state_e
consent_token_verify(const consent_keyset_t *ks, const char *name,
    size_t name_len, const char *value, size_t len, int64_t now,
    uint32_t revision, int64_t max_age, consent_token_t *tok)
{
    int64_t                  issued;
    unsigned char            mac[CONSENT_MAC_LEN];
    consent_token_t          dummy;
    const consent_key_t     *key;
    consent_token_parsed_t   pt;

    if (tok == NULL) {
        tok = &dummy;
    }

    memset(tok, 0, sizeof(consent_token_t));

    if (value == NULL || len == 0 || len > CONSENT_TOKEN_MAX) {
        return CONSENT_STATE_INVALID;
    }

    if (consent_token_parse(value, len, &pt) != 0) {
        return CONSENT_STATE_INVALID;
    }

    key = consent_keyset_find(ks, pt.kid, pt.kid_len);
    if (key == NULL) {
        return CONSENT_STATE_INVALID;
    }

    if (consent_token_mac(key, name, name_len, value, pt.signed_len, mac)
        != 0)
    {
        return CONSENT_STATE_INVALID;
    }

    if (CRYPTO_memcmp(mac, pt.mac, CONSENT_MAC_LEN) != 0) {
        return CONSENT_STATE_INVALID;
    }

    issued = (int64_t) pt.issued;

    /* issued is at most 10 digits: neither subtraction can overflow */

    if (issued > now && issued - CONSENT_CLOCK_SKEW > now) {
        return CONSENT_STATE_INVALID;
    }

    tok->issued = issued;
    tok->revision = (uint32_t) pt.revision;
    tok->granted = (uint32_t) pt.granted;
    memcpy(tok->id, pt.id, CONSENT_ID_LEN);
    memcpy(tok->kid, pt.kid, pt.kid_len);
    tok->kid[pt.kid_len] = '\0';
    if (pt.regime_len) {
        memcpy(tok->regime, pt.regime, pt.regime_len);
    }

    tok->regime[pt.regime_len] = '\0';

    if (now - issued > max_age) {
        return CONSENT_STATE_EXPIRED;
    }

    if (tok->revision != revision) {
        return CONSENT_STATE_OUTDATED;
    }

    return CONSENT_STATE_VALID;
}


void
consent_pick_init(consent_pick_t *pick)
{
    memset(pick, 0, sizeof(consent_pick_t));
    pick->state = CONSENT_STATE_ABSENT;
}


void
consent_pick_add(consent_pick_t *pick, consent_state_e state,
    const consent_token_t *tok)
{
    uint32_t  both;
    unsigned  bits;

    pick->ncookies++;

    if (state == CONSENT_STATE_VALID || state == CONSENT_STATE_EXPIRED
        || state == CONSENT_STATE_OUTDATED)
    {
        if (pick->nsigned == 0) {
            memcpy(pick->first_id, tok->id, CONSENT_ID_LEN);

        } else if (memcmp(pick->first_id, tok->id, CONSENT_ID_LEN) != 0) {
            pick->conflict = 1;
        }

        pick->nsigned++;
    }

    if (state != CONSENT_STATE_VALID) {

        /* without a valid cookie the most useful one counts, as before */

        if (pick->nvalid == 0
            && consent_pick_rank(state) > consent_pick_rank(pick->state))
        {
            pick->state = state;
            pick->token = *tok;
        }

        return;
    }

    if (pick->nvalid++ == 0) {
        pick->state = CONSENT_STATE_VALID;
        pick->token = *tok;
        pick->bits = consent_bits(tok->granted);
        return;
    }

    /* several valid ones: only what all of them grant */

    both = pick->token.granted & tok->granted;
    bits = consent_bits(tok->granted);

    if (bits < pick->bits
        || (bits == pick->bits && tok->issued > pick->token.issued))
    {
        pick->token = *tok;
        pick->bits = bits;
    }

    pick->token.granted = both;
}


void
consent_pick(consent_pick_t *pick, const consent_verified_t *v, size_t n)
{
    size_t  i;

    consent_pick_init(pick);

    for (i = 0; i < n; i++) {
        consent_pick_add(pick, v[i].state, &v[i].token);
    }
}


static unsigned
consent_pick_rank(consent_state_e state)
{
    switch (state) {
    case CONSENT_STATE_VALID:
        return 4;
    case CONSENT_STATE_OUTDATED:
        return 3;
    case CONSENT_STATE_EXPIRED:
        return 2;
    case CONSENT_STATE_INVALID:
        return 1;
    default:
        return 0;
    }
}


static unsigned
consent_bits(uint32_t v)
{
    unsigned  n;

    for (n = 0; v; v &= v - 1) {
        n++;
    }

    return n;
}


/* the next field of a key file's line: blanks skipped, up to a blank */

static const char *
consent_keyset_field(const char **p, const char *last, size_t *len)
{
    const char  *s;

    while (*p < last && (**p == ' ' || **p == '\t')) {
        (*p)++;
    }

    s = *p;

    while (*p < last && **p != ' ' && **p != '\t') {
        (*p)++;
    }

    *len = *p - s;

    return s;
}


static int
consent_keyset_line(consent_keyparse_t *kp, const char *p, const char *last)
{
    int             rc, verify_only;
    long            n;
    size_t          kid_len, secret_len, flag_len;
    const char     *kid, *secret, *flag;
    unsigned char   buf[CONSENT_SECRET_BUF];

    if (last > p && last[-1] == '\r') {
        last--;
    }

    kid = consent_keyset_field(&p, last, &kid_len);

    if (kid_len == 0 || *kid == '#') {
        return 0;
    }

    secret = consent_keyset_field(&p, last, &secret_len);
    flag = consent_keyset_field(&p, last, &flag_len);

    while (p < last && (*p == ' ' || *p == '\t')) {
        p++;
    }

    if (!consent_kid_valid(kid, kid_len)) {
        consent_keyparse_error(kp, "invalid key id, "
                               "1 to %d characters of a-z and 0-9 expected",
                               CONSENT_KID_MAX);
        return -1;
    }

    if (secret_len == 0) {
        consent_keyparse_error(kp, "key \"%.*s\" has no secret",
                               (int) kid_len, kid);
        return -1;
    }

    verify_only = 0;

    if (flag_len == sizeof(CONSENT_VERIFY_ONLY) - 1
        && memcmp(flag, CONSENT_VERIFY_ONLY, flag_len) == 0)
    {
        verify_only = 1;

    } else if (flag_len) {
        consent_keyparse_error(kp, "unexpected field after the secret: "
                               "\"%.*s\", only \"" CONSENT_VERIFY_ONLY
                               "\" may follow it",
                               (int) (flag_len > 32 ? 32 : flag_len), flag);
        return -1;
    }

    if (p != last) {
        consent_keyparse_error(kp, "unexpected field after \""
                               CONSENT_VERIFY_ONLY "\"");
        return -1;
    }

    if (secret_len > CONSENT_SECRET_B64_MAX) {
        consent_keyparse_error(kp, "key is longer than %d bytes",
                               CONSENT_SECRET_MAX);
        return -1;
    }

    n = consent_b64_decode_any(secret, secret_len, buf, sizeof(buf));

    if (n < 0) {
        consent_keyparse_error(kp, "secret is not valid base64");
        OPENSSL_cleanse(buf, sizeof(buf));
        return -1;
    }

    if (n < CONSENT_SECRET_MIN) {
        consent_keyparse_error(kp, "key is %ld bytes, at least %d are "
                               "required", n, CONSENT_SECRET_MIN);
        OPENSSL_cleanse(buf, sizeof(buf));
        return -1;
    }

    if (n > CONSENT_SECRET_MAX) {
        consent_keyparse_error(kp, "key is %ld bytes, at most %d are "
                               "allowed", n, CONSENT_SECRET_MAX);
        OPENSSL_cleanse(buf, sizeof(buf));
        return -1;
    }

    rc = consent_keyset_add(kp, kid, kid_len, buf, (size_t) n);

    OPENSSL_cleanse(buf, sizeof(buf));

    if (rc == 0) {
        kp->ks->keys[kp->ks->nkeys - 1].line = kp->line;
        kp->ks->keys[kp->ks->nkeys - 1].verify_only = verify_only;
    }

    return rc;
}


static int
consent_keyset_add(consent_keyparse_t *kp, const char *kid, size_t kid_len,
    const unsigned char *secret, size_t len)
{
    size_t             nalloc;
    consent_key_t     *keys, *key;
    consent_keyset_t  *ks;

    ks = kp->ks;

    if (consent_keyset_find(ks, kid, kid_len) != NULL) {
        consent_keyparse_error(kp, "duplicate key id \"%.*s\"",
                               (int) kid_len, kid);
        return -1;
    }

    if (ks->nkeys == kp->nalloc) {
        nalloc = kp->nalloc ? kp->nalloc * 2 : 4;

        keys = realloc(ks->keys, nalloc * sizeof(consent_key_t));
        if (keys == NULL) {
            consent_keyparse_error(kp, "out of memory");
            return -1;
        }

        ks->keys = keys;
        kp->nalloc = nalloc;
    }

    key = &ks->keys[ks->nkeys];
    memset(key, 0, sizeof(consent_key_t));

    memcpy(key->kid, kid, kid_len);
    key->kid[kid_len] = '\0';
    key->kid_len = kid_len;

    key->secret = calloc(1, sizeof(consent_key_secret_t));
    if (key->secret == NULL) {
        consent_keyparse_error(kp, "out of memory");
        return -1;
    }

    if (consent_key_init(key, secret, len, kp->kdf, kp->mac) != 0) {
        consent_key_secret_free(key->secret);
        key->secret = NULL;
        consent_keyparse_error(kp, "key derivation failed in OpenSSL");
        return -1;
    }

    ks->nkeys++;

    return 0;
}


static int
consent_key_init(consent_key_t *key, const unsigned char *secret, size_t len,
    EVP_KDF *kdf, EVP_MAC *mac)
{
    int            rc;
    unsigned char  cookie_key[32];
    OSSL_PARAM     params[2];

    if (consent_key_derive(kdf, secret, len, CONSENT_LOG_INFO,
                           key->secret->log_key, CONSENT_LOG_KEY_LEN)
        != 0)
    {
        return -1;
    }

    if (consent_key_derive(kdf, secret, len, CONSENT_COOKIE_INFO,
                           cookie_key, sizeof(cookie_key))
        != 0)
    {
        OPENSSL_cleanse(cookie_key, sizeof(cookie_key));
        return -1;
    }

    key->secret->cookie_mac = EVP_MAC_CTX_new(mac);
    if (key->secret->cookie_mac == NULL) {
        OPENSSL_cleanse(cookie_key, sizeof(cookie_key));
        return -1;
    }

    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                 (char *) "SHA256", 0);
    params[1] = OSSL_PARAM_construct_end();

    rc = EVP_MAC_init(key->secret->cookie_mac, cookie_key,
                      sizeof(cookie_key), params);

    OPENSSL_cleanse(cookie_key, sizeof(cookie_key));

    return rc == 1 ? 0 : -1;
}


static void
consent_key_secret_free(consent_key_secret_t *sec)
{
    if (sec == NULL) {
        return;
    }

    EVP_MAC_CTX_free(sec->cookie_mac);
    OPENSSL_cleanse(sec->log_key, CONSENT_LOG_KEY_LEN);
    free(sec);
}


static int
consent_key_derive(EVP_KDF *kdf, const unsigned char *secret, size_t len,
    const char *info, unsigned char *out, size_t outlen)
{
    int            rc;
    OSSL_PARAM     params[4];
    EVP_KDF_CTX   *ctx;

    ctx = EVP_KDF_CTX_new(kdf);
    if (ctx == NULL) {
        return -1;
    }

    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
                                                 (char *) "SHA256", 0);
    params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
                                                  (void *) secret, len);
    params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
                                                  (void *) info,
                                                  strlen(info));
    params[3] = OSSL_PARAM_construct_end();

    rc = EVP_KDF_derive(ctx, out, outlen, params);

    EVP_KDF_CTX_free(ctx);

    return rc == 1 ? 0 : -1;
}


static int
consent_kid_valid(const char *kid, size_t len)
{
    return consent_ascii_word(kid, len, CONSENT_KID_MAX, -1);
}


static void
consent_keyparse_error(consent_keyparse_t *kp, const char *fmt, ...)
{
    int      n;
    va_list  args;

    if (kp->err == NULL || kp->errlen == 0) {
        return;
    }

    n = snprintf(kp->err, kp->errlen, "%s:%zu: ", kp->name, kp->line);

    if (n < 0 || (size_t) n >= kp->errlen) {
        return;
    }

    va_start(args, fmt);
    vsnprintf(kp->err + n, kp->errlen - n, fmt, args);
    va_end(args);
}



/*
 * HMAC-SHA256 with the key's cookie key over
 * label 0x00 name 0x00 data.  Re-initialising with a NULL key keeps
 * the key set at load time and skips its schedule on every message.
 */

static int
consent_token_mac(const consent_key_t *key, const char *name,
    size_t name_len, const char *data, size_t len,
    unsigned char mac[CONSENT_MAC_LEN])
{
    size_t               outl;
    EVP_MAC_CTX         *ctx;
    static const char    label[] = CONSENT_COOKIE_LABEL;
    static const char    zero[1] = { 0 };

    ctx = key->secret->cookie_mac;

    if (EVP_MAC_init(ctx, NULL, 0, NULL) != 1) {
        return -1;
    }

    /* sizeof(label) counts its NUL: the 0x00 after the label */

    if (EVP_MAC_update(ctx, (const unsigned char *) label, sizeof(label))
        != 1)
    {
        return -1;
    }

    if (name_len
        && EVP_MAC_update(ctx, (const unsigned char *) name, name_len) != 1)
    {
        return -1;
    }

    if (EVP_MAC_update(ctx, (const unsigned char *) zero, 1) != 1
        || EVP_MAC_update(ctx, (const unsigned char *) data, len) != 1)
    {
        return -1;
    }

    if (EVP_MAC_final(ctx, mac, &outl, CONSENT_MAC_LEN) != 1
        || outl != CONSENT_MAC_LEN)
    {
        return -1;
    }

    return 0;
}


/*
 * 1.KID.ISSUED.REVISION.GRANTED.ID.MAC or, with the regime's tag,
 * 2.KID.ISSUED.REVISION.GRANTED.ID.REGIME.MAC, nothing more, nothing
 * less; see docs/cookie-format.md.
 */

static int
consent_token_parse(const char *p, size_t len, consent_token_parsed_t *pt)
{
    const char  *last, *start;

    last = p + len;
    start = p;

    pt->regime = NULL;
    pt->regime_len = 0;

    if (len < 2 || (p[0] != '1' && p[0] != '2') || p[1] != '.') {
        return -1;
    }

    p += 2;

    pt->kid = p;

    while (p < last && ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
    {
        p++;
    }

    pt->kid_len = p - pt->kid;

    if (pt->kid_len == 0 || pt->kid_len > CONSENT_KID_MAX
        || p == last || *p != '.')
    {
        return -1;
    }

    p++;

    p = consent_parse_uint(p, last, 0, 10, &pt->issued);
    if (p == NULL || pt->issued == 0 || pt->issued > CONSENT_ISSUED_MAX) {
        return -1;
    }

    p = consent_parse_uint(p, last, 0, 10, &pt->revision);
    if (p == NULL || pt->revision > UINT32_MAX) {
        return -1;
    }

    p = consent_parse_uint(p, last, 1, 8, &pt->granted);
    if (p == NULL) {
        return -1;
    }

    if (last - p < CONSENT_ID_B64_LEN + 1
        || p[CONSENT_ID_B64_LEN] != '.'
        || consent_id_parse(p, CONSENT_ID_B64_LEN, pt->id) != 0)
    {
        return -1;
    }

    p += CONSENT_ID_B64_LEN;

    if (start[0] == '2') {
        pt->regime = ++p;

        while (p < last && *p != '.') {
            p++;
        }

        pt->regime_len = p - pt->regime;

        if (p == last
            || !consent_regime_tag_valid(pt->regime, pt->regime_len))
        {
            return -1;
        }
    }

    pt->signed_len = p - start;

    p++;

    if (consent_b64url_decode_exact(p, last - p, pt->mac, CONSENT_MAC_LEN)
        != 0)
    {
        return -1;
    }

    return 0;
}


/*
 * A decimal or lowercase hex number of 1 to maxdigits digits, no
 * leading zero unless it is "0", followed by '.'.  Returns the position
 * after the '.', or NULL.
 */

static const char *
consent_parse_uint(const char *p, const char *last, int hex,
    size_t maxdigits, uint64_t *value)
{
    size_t    n;
    uint64_t  v;
    unsigned  d;

    v = 0;

    for (n = 0; p < last && *p != '.'; n++, p++) {
        if (n == maxdigits) {
            return NULL;
        }

        if (*p >= '0' && *p <= '9') {
            d = *p - '0';

        } else if (hex && *p >= 'a' && *p <= 'f') {
            d = *p - 'a' + 10;

        } else {
            return NULL;
        }

        if (n == 1 && v == 0) {
            return NULL;
        }

        v = v * (hex ? 16 : 10) + d;
    }

    if (n == 0 || p == last) {
        return NULL;
    }

    *value = v;

    return p + 1;
}


int
consent_regime_tag_valid(const char *s, size_t len)
{
    return consent_ascii_word(s, len, CONSENT_REGIME_TAG_MAX, '-')
           && s[0] >= 'a' && s[0] <= 'z';
}


/*
 * Copyright (C) ngx_http_consent_module authors
 */


#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <zlib.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "consent_ascii.h"
#include "consent_base64.h"
#include "consent_errf.h"
#include "consent_record.h"
#include "consent_time.h"


/* the signature closes every line: ,"hmac":"<64 hex>"} */
#define CONSENT_HMAC_PREFIX      ",\"hmac\":\""
#define CONSENT_HMAC_PREFIX_LEN  (sizeof(CONSENT_HMAC_PREFIX) - 1)
#define CONSENT_HMAC_SUFFIX_LEN  (CONSENT_HMAC_PREFIX_LEN + 64 + 2)

#define CONSENT_MECHANISM_MAX    16
#define CONSENT_IP_FIELD_MAX     64
#define CONSENT_TS_MAX           253402300799999LL   /* 9999-12-31 */

#define CONSENT_CONSENT_PREFIX   "{\"v\":1,\"type\":\"consent\","


typedef struct {
    const char         *key;
    int                 type;           /* JSON_STRING ... */
} consent_field_t;

/* or'ed into a field's type: the field may be absent */
#define CONSENT_FIELD_OPTIONAL  0x100


static json_t *consent_record_object(const consent_record_t *rec,
    const consent_chain_t *chain, const consent_key_t *key);
static json_t *consent_checkpoint_object(const consent_checkpoint_t *cp,
    const consent_chain_t *chain, const consent_key_t *key);
static int consent_head_fields(json_t *obj, const char *type, int64_t ts_ms,
    const consent_chain_t *chain);
static void consent_prev_hex(const consent_chain_t *chain, char *out);
static int consent_set(json_t *obj, const char *key, json_t *value);
static json_t *consent_visitor_string(const consent_str_t *s, size_t max);
static size_t consent_sanitise(const consent_str_t *s, size_t max, char *out);
static size_t consent_utf8_len(const unsigned char *p, size_t n);
static char *consent_sign(json_t *obj, const consent_key_t *key,
    size_t *len);
static int consent_unhex(const char *in, size_t len, unsigned char *out);
static int consent_word_valid(const char *s, size_t len, size_t max);
static int consent_action_valid(const char *s);
static int consent_parse_fields(json_t *root, const consent_field_t *fields,
    char *err, size_t errlen);
static int consent_parse_consent(consent_record_parsed_t *rec, json_t *root,
    char *err, size_t errlen);
static int consent_parse_checkpoint(consent_record_parsed_t *rec,
    json_t *root, char *err, size_t errlen);
static int consent_parse_policy(consent_record_parsed_t *rec,
    json_t *root, char *err, size_t errlen);
static int consent_parse_ids(json_t *arr, const char *key, char *err,
    size_t errlen);
static int consent_get_hex(json_t *root, const char *key, size_t hexlen,
    unsigned char *out, char *err, size_t errlen);
static unsigned consent_digits(const char *p, size_t n);


static const consent_field_t  consent_consent_fields[] = {
    { "v", JSON_INTEGER },
    { "type", JSON_STRING },
    { "ts", JSON_STRING },
    { "chain", JSON_STRING },
    { "seq", JSON_INTEGER },
    { "id", JSON_STRING },
    { "action", JSON_STRING },
    { "mechanism", JSON_STRING },
    { "revision", JSON_INTEGER },
    { "policy_sha256", JSON_STRING },
    { "granted", JSON_ARRAY },
    { "denied", JSON_ARRAY },
    { "gpc", JSON_TRUE },               /* JSON_TRUE: a boolean */
    { "regime", JSON_STRING | CONSENT_FIELD_OPTIONAL },
    { "lang", JSON_STRING },
    { "host", JSON_STRING },
    { "page", JSON_STRING },
    { "ua", JSON_STRING },
    { "ip", JSON_STRING },
    /* a choice carried from another domain (docs/domains.md): its origin */
    { "handoff", JSON_STRING | CONSENT_FIELD_OPTIONAL },
    /* consent_tcf cmp: the TC string written, by its hash (docs/tcf.md) */
    { "tcf_sha256", JSON_STRING | CONSENT_FIELD_OPTIONAL },
    { "kid", JSON_STRING },
    { "prev", JSON_STRING },
    { "hmac", JSON_STRING },
    { NULL, 0 }
};


static const consent_field_t  consent_checkpoint_fields[] = {
    { "v", JSON_INTEGER },
    { "type", JSON_STRING },
    { "ts", JSON_STRING },
    { "chain", JSON_STRING },
    { "seq", JSON_INTEGER },
    { "reason", JSON_STRING },
    { "records", JSON_INTEGER },
    { "kid", JSON_STRING },
    { "prev", JSON_STRING },
    { "hmac", JSON_STRING },
    { NULL, 0 }
};


static const consent_field_t  consent_policy_fields[] = {
    { "v", JSON_INTEGER },
    { "type", JSON_STRING },
    { "ts", JSON_STRING },
    { "chain", JSON_STRING },
    { "seq", JSON_INTEGER },
    { "revision", JSON_INTEGER },
    { "policy_sha256", JSON_STRING },
    { "part", JSON_INTEGER },
    { "parts", JSON_INTEGER },
    { "size", JSON_INTEGER },
    { "data", JSON_STRING },
    { "kid", JSON_STRING },
    { "prev", JSON_STRING },
    { "hmac", JSON_STRING },
    { NULL, 0 }
};


int
consent_chain_init(consent_chain_t *chain)
{
    unsigned char  raw[CONSENT_CHAIN_ID_LEN / 2];

    memset(chain, 0, sizeof(consent_chain_t));

    if (RAND_bytes(raw, sizeof(raw)) != 1) {
        return -1;
    }

    consent_hex_encode(raw, sizeof(raw), chain->id);

    return 0;
}


char *
consent_record_line(const consent_record_t *rec,
    const consent_chain_t *chain, const consent_key_t *key, size_t *len)
{
    if (rec == NULL || chain == NULL || key == NULL) {
        return NULL;
    }

    return consent_sign(consent_record_object(rec, chain, key), key, len);
}


char *
consent_checkpoint_line(const consent_checkpoint_t *cp,
    const consent_chain_t *chain, const consent_key_t *key, size_t *len)
{
    if (cp == NULL || chain == NULL || key == NULL) {
        return NULL;
    }

    return consent_sign(consent_checkpoint_object(cp, chain, key), key, len);
}


void
consent_chain_advance(consent_chain_t *chain, const char *line, size_t len)
{
    if (len && line[len - 1] == '\n') {
        len--;
    }

    consent_record_hash(line, len, chain->head);
    chain->seq++;

    /* the lines are ours: the type is always at the same place */

    if (len >= sizeof(CONSENT_CONSENT_PREFIX) - 1
        && memcmp(line, CONSENT_CONSENT_PREFIX,
                  sizeof(CONSENT_CONSENT_PREFIX) - 1) == 0)
    {
        chain->records++;
    }
}


int
consent_record_content_hash(const consent_record_parsed_t *rec,
    unsigned char out[32])
{
    int      rc;
    char    *s;
    json_t  *copy;

    if (rec == NULL || rec->root == NULL) {
        return -1;
    }

    /* a shallow copy: only top-level keys go */

    copy = json_copy(rec->root);
    if (copy == NULL) {
        return -1;
    }

    (void) json_object_del(copy, "chain");
    (void) json_object_del(copy, "seq");
    (void) json_object_del(copy, "prev");
    (void) json_object_del(copy, "hmac");

    s = json_dumps(copy, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENSURE_ASCII);

    json_decref(copy);

    if (s == NULL) {
        return -1;
    }

    rc = EVP_Digest(s, strlen(s), out, NULL, EVP_sha256(), NULL) == 1
         ? 0 : -1;

    free(s);

    return rc;
}


void
consent_record_hash(const char *line, size_t len, unsigned char out[32])
{
    unsigned int  mdlen;

    if (EVP_Digest(line, len, out, &mdlen, EVP_sha256(), NULL) != 1
        || mdlen != 32)
    {
        /* cannot happen with a working libcrypto; links to nothing */
        memset(out, 0, 32);
    }
}


size_t
consent_ip_anonymise(const struct sockaddr *sa, consent_ip_mode_e mode,
    const consent_key_t *key, char *out)
{
    size_t                      n;
    unsigned char               addr[16], msg[3 + 16], mac[32];
    const struct sockaddr_in   *sin;
    const struct sockaddr_in6  *sin6;

    out[0] = '\0';

    if (sa == NULL || mode == CONSENT_IP_OFF) {
        return 0;
    }

    /* "ip" NUL, then 4 or 16 bytes: a v4 address hashes alike in v6 */

    switch (sa->sa_family) {

    case AF_INET:
        sin = (const struct sockaddr_in *) sa;
        memcpy(addr, &sin->sin_addr, 4);
        n = 4;
        break;

    case AF_INET6:
        sin6 = (const struct sockaddr_in6 *) sa;

        if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
            memcpy(addr, &sin6->sin6_addr.s6_addr[12], 4);
            n = 4;

        } else {
            memcpy(addr, &sin6->sin6_addr, 16);
            n = 16;
        }

        break;

    default:
        return 0;
    }

    if (mode == CONSENT_IP_HASH) {
        if (key == NULL) {
            return 0;
        }

        memcpy(msg, "ip", 3);
        memcpy(msg + 3, addr, n);

        if (consent_key_log_mac(key, msg, 3 + n, mac) != 0) {
            return 0;
        }

        memcpy(out, "h:", 2);
        consent_hex_encode(mac, 8, out + 2);

        return 2 + 16;
    }

    if (n == 4) {
        addr[3] = 0;

        if (inet_ntop(AF_INET, addr, out, CONSENT_IP_FIELD_MAX) == NULL) {
            out[0] = '\0';
            return 0;
        }

    } else {
        memset(addr + 6, 0, 10);

        if (inet_ntop(AF_INET6, addr, out, CONSENT_IP_FIELD_MAX) == NULL) {
            out[0] = '\0';
            return 0;
        }
    }

    return strlen(out);
}


const char *
consent_record_action(const char *mechanism, int had_consent,
    uint32_t granted, uint32_t required_mask)
{
    if (mechanism && strcmp(mechanism, "withdraw") == 0) {
        return "withdraw";
    }

    if ((granted & ~required_mask) == 0) {
        return "reject";
    }

    return had_consent ? "update" : "grant";
}


int
consent_record_parse(const char *line, size_t len,
    consent_record_parsed_t *rec, char *err, size_t errlen)
{
    size_t        slen;
    json_t       *root, *v;
    const char   *s;
    json_int_t    n;
    json_error_t  jerr;

    memset(rec, 0, sizeof(consent_record_parsed_t));

    if (err && errlen) {
        err[0] = '\0';
    }

    if (len > CONSENT_RECORD_MAX) {
        consent_errf(err, errlen, "line longer than %d bytes",
                     CONSENT_RECORD_MAX);
        return -1;
    }

    if (len == 0) {
        consent_errf(err, errlen, "empty line");
        return -1;
    }

    if (line[0] != '{') {
        consent_errf(err, errlen, "not a JSON object");
        return -1;
    }

    root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        consent_errf(err, errlen, "not JSON: %s (column %d)", jerr.text,
                     jerr.column);
        return -1;
    }

    if (!json_is_object(root)) {
        consent_errf(err, errlen, "not a JSON object");
        goto failed;
    }

    /* the HMAC covers the bytes before it: it must be the last member */

    if (len < CONSENT_HMAC_SUFFIX_LEN + 2
        || memcmp(line + len - CONSENT_HMAC_SUFFIX_LEN, CONSENT_HMAC_PREFIX,
                  CONSENT_HMAC_PREFIX_LEN) != 0
        || line[len - 2] != '"' || line[len - 1] != '}')
    {
        consent_errf(err, errlen,
                     "the line does not end with ,\"hmac\":\"<64 hex>\"}");
        goto failed;
    }

    rec->signed_len = len - CONSENT_HMAC_SUFFIX_LEN;

    v = json_object_get(root, "v");
    if (!json_is_integer(v)) {
        consent_errf(err, errlen, "\"v\" missing or not an integer");
        goto failed;
    }

    n = json_integer_value(v);
    if (n != CONSENT_RECORD_VERSION) {
        consent_errf(err, errlen, "unknown format version %lld",
                     (long long) n);
        goto failed;
    }

    rec->version = (int) n;

    v = json_object_get(root, "type");
    s = json_string_value(v);

    if (s == NULL) {
        consent_errf(err, errlen, "\"type\" missing or not a string");
        goto failed;
    }

    if (strcmp(s, "consent") == 0) {
        if (consent_parse_fields(root, consent_consent_fields, err, errlen)
            != 0
            || consent_parse_consent(rec, root, err, errlen) != 0)
        {
            goto failed;
        }

    } else if (strcmp(s, "checkpoint") == 0) {
        if (consent_parse_fields(root, consent_checkpoint_fields, err,
                                 errlen) != 0
            || consent_parse_checkpoint(rec, root, err, errlen) != 0)
        {
            goto failed;
        }

    } else if (strcmp(s, "policy") == 0) {
        if (consent_parse_fields(root, consent_policy_fields, err,
                                 errlen) != 0
            || consent_parse_policy(rec, root, err, errlen) != 0)
        {
            goto failed;
        }

    } else {
        consent_errf(err, errlen, "unknown \"type\"");
        goto failed;
    }

    memcpy(rec->type, s, strlen(s) + 1);

    /* fields common to every type */

    v = json_object_get(root, "ts");
    if (consent_ts_parse(json_string_value(v), json_string_length(v),
                         &rec->ts_ms) != 0)
    {
        consent_errf(err, errlen, "\"ts\" is not a UTC time like "
                     "2026-11-28T03:19:58.123Z");
        goto failed;
    }

    v = json_object_get(root, "chain");
    slen = json_string_length(v);
    s = json_string_value(v);

    if (slen != CONSENT_CHAIN_ID_LEN
        || consent_unhex(s, slen, NULL) != 0)
    {
        consent_errf(err, errlen, "\"chain\" is not %d lower-case hex "
                     "digits", CONSENT_CHAIN_ID_LEN);
        goto failed;
    }

    memcpy(rec->chain, s, slen + 1);

    n = json_integer_value(json_object_get(root, "seq"));
    if (n < 1) {
        consent_errf(err, errlen, "\"seq\" is not a positive integer");
        goto failed;
    }

    rec->seq = (uint64_t) n;

    v = json_object_get(root, "kid");
    slen = json_string_length(v);
    s = json_string_value(v);

    if (!consent_word_valid(s, slen, CONSENT_KID_MAX)) {
        consent_errf(err, errlen, "\"kid\" is not a key id");
        goto failed;
    }

    memcpy(rec->kid, s, slen + 1);

    if (consent_get_hex(root, "prev", 64, rec->prev, err, errlen) != 0
        || consent_get_hex(root, "hmac", 64, rec->hmac, err, errlen) != 0)
    {
        goto failed;
    }

    rec->root = root;

    return 0;

failed:

    json_decref(root);
    memset(rec, 0, sizeof(consent_record_parsed_t));

    return -1;
}


void
consent_record_parsed_free(consent_record_parsed_t *rec)
{
    if (rec == NULL) {
        return;
    }

    if (rec->root) {
        json_decref(rec->root);
    }

    memset(rec, 0, sizeof(consent_record_parsed_t));
}


int
consent_record_hmac_ok(const char *line, size_t len,
    const consent_record_parsed_t *rec, const consent_key_t *key)
{
    unsigned char  mac[32];

    if (key == NULL || rec->root == NULL || rec->signed_len > len) {
        return 0;
    }

    if (consent_key_log_mac(key, line, rec->signed_len, mac) != 0) {
        return 0;
    }

    return CRYPTO_memcmp(mac, rec->hmac, 32) == 0;
}


const char *
consent_record_get_str(const consent_record_parsed_t *rec, const char *key,
    size_t *len)
{
    json_t  *v;

    if (rec == NULL || rec->root == NULL) {
        return NULL;
    }

    v = json_object_get(rec->root, key);
    if (!json_is_string(v)) {
        return NULL;
    }

    if (len) {
        *len = json_string_length(v);
    }

    return json_string_value(v);
}


int
consent_record_get_int(const consent_record_parsed_t *rec, const char *key,
    int64_t *value)
{
    json_t  *v;

    if (rec == NULL || rec->root == NULL) {
        return -1;
    }

    v = json_object_get(rec->root, key);
    if (!json_is_integer(v)) {
        return -1;
    }

    *value = (int64_t) json_integer_value(v);

    return 0;
}


int
consent_record_get_bool(const consent_record_parsed_t *rec, const char *key)
{
    json_t  *v;

    if (rec == NULL || rec->root == NULL) {
        return -1;
    }

    v = json_object_get(rec->root, key);
    if (!json_is_boolean(v)) {
        return -1;
    }

    return json_is_true(v);
}


size_t
consent_record_get_count(const consent_record_parsed_t *rec, const char *key)
{
    if (rec == NULL || rec->root == NULL) {
        return 0;
    }

    return json_array_size(json_object_get(rec->root, key));
}


const char *
consent_record_get_item(const consent_record_parsed_t *rec, const char *key,
    size_t i)
{
    if (rec == NULL || rec->root == NULL) {
        return NULL;
    }

    return json_string_value(json_array_get(json_object_get(rec->root, key),
                                            i));
}


int
consent_ts_format(int64_t ts_ms, char out[CONSENT_TS_LEN + 1])
{
    time_t     sec;
    struct tm  tm;

    if (ts_ms < 0 || ts_ms > CONSENT_TS_MAX) {
        return -1;
    }

    sec = (time_t) (ts_ms / 1000);

    if (gmtime_r(&sec, &tm) == NULL) {
        return -1;
    }

    if (snprintf(out, CONSENT_TS_LEN + 1,
                 "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                 tm.tm_min, tm.tm_sec, (int) (ts_ms % 1000))
        != CONSENT_TS_LEN)
    {
        return -1;
    }

    return 0;
}


int
consent_ts_parse(const char *s, size_t len, int64_t *ts_ms)
{
    size_t                  i;
    int64_t                 year;
    unsigned                mon, day, hour, min, sec, ms, mdays;
    static const char       form[] = "dddd-dd-ddTdd:dd:dd.dddZ";
    static const unsigned   days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30,
                                       31, 30, 31 };

    if (s == NULL || len != CONSENT_TS_LEN) {
        return -1;
    }

    for (i = 0; i < CONSENT_TS_LEN; i++) {
        if (form[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != form[i]) {
            return -1;
        }
    }

    year = consent_digits(s, 4);
    mon = consent_digits(s + 5, 2);
    day = consent_digits(s + 8, 2);
    hour = consent_digits(s + 11, 2);
    min = consent_digits(s + 14, 2);
    sec = consent_digits(s + 17, 2);
    ms = consent_digits(s + 20, 3);

    if (year < 1970 || mon < 1 || mon > 12 || day < 1 || hour > 23
        || min > 59 || sec > 59)
    {
        return -1;
    }

    mdays = days[mon - 1];

    if (mon == 2
        && !((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
    {
        mdays = 28;
    }

    if (day > mdays) {
        return -1;
    }

    *ts_ms = ((consent_days_from_civil(year, mon, day) * 86400
               + hour * 3600 + min * 60 + sec) * 1000) + ms;

    return 0;
}


/* n decimal digits, already checked */

static unsigned
consent_digits(const char *p, size_t n)
{
    unsigned  v;

    for (v = 0; n; n--, p++) {
        v = v * 10 + (unsigned) (*p - '0');
    }

    return v;
}


static json_t *
consent_record_object(const consent_record_t *rec,
    const consent_chain_t *chain, const consent_key_t *key)
{
    char                       prev[CONSENT_HASH_HEX_LEN + 1];
    size_t                     i;
    json_t                    *obj, *granted, *denied, *id;
    unsigned char              raw[CONSENT_ID_LEN];
    const consent_policy_t    *p;
    const consent_category_t  *cat;

    p = rec->policy;

    if (p == NULL || rec->action == NULL || !consent_action_valid(rec->action)
        || rec->mechanism == NULL
        || !consent_word_valid(rec->mechanism, strlen(rec->mechanism),
                               CONSENT_MECHANISM_MAX)
        || rec->id.data == NULL
        || consent_id_parse(rec->id.data, rec->id.len, raw) != 0)
    {
        return NULL;
    }

    obj = json_object();
    if (obj == NULL) {
        return NULL;
    }

    if (consent_head_fields(obj, "consent", rec->ts_ms, chain) != 0
        || consent_set(obj, "id", json_stringn(rec->id.data, rec->id.len))
        || consent_set(obj, "action", json_string(rec->action))
        || consent_set(obj, "mechanism", json_string(rec->mechanism))
        || consent_set(obj, "revision", json_integer(p->revision))
        || consent_set(obj, "policy_sha256", json_string(p->sha256_hex)))
    {
        goto failed;
    }

    granted = json_array();
    if (consent_set(obj, "granted", granted) != 0) {
        goto failed;
    }

    denied = json_array();
    if (consent_set(obj, "denied", denied) != 0) {
        goto failed;
    }

    /* ids are a-z 0-9 _ - (the policy checks): escaping cannot grow them */

    for (i = 0; i < p->ncategories && i < CONSENT_MAX_CATEGORIES; i++) {
        cat = &p->categories[i];

        id = json_stringn(cat->id, cat->id_len);
        if (id == NULL) {
            goto failed;
        }

        if (json_array_append_new((rec->granted >> i) & 1 ? granted : denied,
                                  id)
            != 0)
        {
            goto failed;
        }
    }

    if (consent_set(obj, "gpc", json_boolean(rec->gpc == 1))
        || (rec->regime != NULL
            && consent_set(obj, "regime", json_string(rec->regime)))
        || consent_set(obj, "lang",
                       consent_visitor_string(&rec->lang,
                                              CONSENT_LANG_FIELD_MAX))
        || consent_set(obj, "host",
                       consent_visitor_string(&rec->host, CONSENT_HOST_MAX))
        || consent_set(obj, "page",
                       consent_visitor_string(&rec->page, CONSENT_PAGE_MAX))
        || consent_set(obj, "ua",
                       consent_visitor_string(&rec->ua, CONSENT_UA_MAX))
        || consent_set(obj, "ip",
                       consent_visitor_string(&rec->ip,
                                              CONSENT_IP_FIELD_MAX))
        || (rec->handoff.data
            && consent_set(obj, "handoff",
                           consent_visitor_string(&rec->handoff,
                                                  CONSENT_HOST_MAX)))
        || (rec->tcf_sha256 != NULL
            && consent_set(obj, "tcf_sha256", json_string(rec->tcf_sha256)))
        || consent_set(obj, "kid", json_string(key->kid)))
    {
        goto failed;
    }

    consent_prev_hex(chain, prev);

    if (consent_set(obj, "prev", json_string(prev)) != 0) {
        goto failed;
    }

    return obj;

failed:

    json_decref(obj);
    return NULL;
}


static json_t *
consent_checkpoint_object(const consent_checkpoint_t *cp,
    const consent_chain_t *chain, const consent_key_t *key)
{
    char     prev[CONSENT_HASH_HEX_LEN + 1];
    json_t  *obj;

    if (cp->reason == NULL
        || !consent_word_valid(cp->reason, strlen(cp->reason),
                               CONSENT_REASON_MAX)
        || chain->records > INT64_MAX)
    {
        return NULL;
    }

    consent_prev_hex(chain, prev);

    obj = json_object();
    if (obj == NULL) {
        return NULL;
    }

    if (consent_head_fields(obj, "checkpoint", cp->ts_ms, chain) != 0
        || consent_set(obj, "reason", json_string(cp->reason))
        || consent_set(obj, "records",
                       json_integer((json_int_t) chain->records))
        || consent_set(obj, "kid", json_string(key->kid))
        || consent_set(obj, "prev", json_string(prev)))
    {
        json_decref(obj);
        return NULL;
    }

    return obj;
}


/* v, type, ts, chain, seq: the same first fields for every line */

static int
consent_head_fields(json_t *obj, const char *type, int64_t ts_ms,
    const consent_chain_t *chain)
{
    char  ts[CONSENT_TS_LEN + 1];

    if (consent_ts_format(ts_ms, ts) != 0
        || chain->seq >= INT64_MAX
        || strlen(chain->id) != CONSENT_CHAIN_ID_LEN)
    {
        return -1;
    }

    if (consent_set(obj, "v", json_integer(CONSENT_RECORD_VERSION))
        || consent_set(obj, "type", json_string(type))
        || consent_set(obj, "ts", json_string(ts))
        || consent_set(obj, "chain", json_string(chain->id))
        || consent_set(obj, "seq", json_integer((json_int_t) chain->seq + 1)))
    {
        return -1;
    }

    return 0;
}


/* the head, or 64 zeros before the first line of a chain */

static void
consent_prev_hex(const consent_chain_t *chain, char *out)
{
    if (chain->seq == 0) {
        memset(out, '0', CONSENT_HASH_HEX_LEN);
        out[CONSENT_HASH_HEX_LEN] = '\0';
        return;
    }

    consent_hex_encode(chain->head, 32, out);
}


/* takes the reference, also on failure; a NULL value is a failure */

static int
consent_set(json_t *obj, const char *key, json_t *value)
{
    if (value == NULL) {
        return -1;
    }

    return json_object_set_new(obj, key, value) == 0 ? 0 : -1;
}


static json_t *
consent_visitor_string(const consent_str_t *s, size_t max)
{
    char    buf[CONSENT_PAGE_MAX];
    size_t  n;

    if (max > sizeof(buf)) {
        return NULL;
    }

    n = consent_sanitise(s, max, buf);

    return json_stringn(buf, n);
}


/*
 * Valid UTF-8 without NUL, at most max bytes once escaped in JSON: each
 * invalid byte and each NUL becomes U+FFFD (C strings and jansson's
 * strict UTF-8 both work on the result), control characters are
 * counted as their escapes, and the cut falls between characters.  So
 * the sizes of the fields bound the line's size whatever a visitor sends.
 */

static size_t
consent_sanitise(const consent_str_t *s, size_t max, char *out)
{
    size_t                n, cost, clen, len;
    const unsigned char  *p;

    if (s->data == NULL) {
        return 0;
    }

    p = (const unsigned char *) s->data;
    len = s->len;
    n = 0;

    while (len) {
        clen = consent_utf8_len(p, len);

        if (clen == 0) {
            if (n + 3 > max) {
                break;
            }

            memcpy(out + n, "\xef\xbf\xbd", 3);
            n += 3;
            p++;
            len--;
            continue;
        }

        if (*p == '"' || *p == '\\' || *p == '\b' || *p == '\f'
            || *p == '\n' || *p == '\r' || *p == '\t')
        {
            cost = 2;

        } else if (*p < 0x20) {
            cost = 6;

        } else {
            cost = clen;
        }

        /* raw bytes never exceed their escaped cost: out has room */

        if (n + cost > max) {
            break;
        }

        memcpy(out + n, p, clen);
        n += clen;
        max -= cost - clen;
        p += clen;
        len -= clen;
    }

    return n;
}


/* the length of the valid UTF-8 character at p, 0 if invalid or NUL */

static size_t
consent_utf8_len(const unsigned char *p, size_t n)
{
    size_t         len, i;
    unsigned char  lo, hi;

    if (p[0] == 0) {
        return 0;
    }

    if (p[0] < 0x80) {
        return 1;
    }

    lo = 0x80;
    hi = 0xbf;

    if (p[0] >= 0xc2 && p[0] <= 0xdf) {
        len = 2;

    } else if (p[0] >= 0xe0 && p[0] <= 0xef) {
        len = 3;

        if (p[0] == 0xe0) {
            lo = 0xa0;              /* overlong */

        } else if (p[0] == 0xed) {
            hi = 0x9f;              /* surrogates */
        }

    } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
        len = 4;

        if (p[0] == 0xf0) {
            lo = 0x90;              /* overlong */

        } else if (p[0] == 0xf4) {
            hi = 0x8f;              /* above U+10FFFF */
        }

    } else {
        return 0;
    }

    if (n < len || p[1] < lo || p[1] > hi) {
        return 0;
    }

    for (i = 2; i < len; i++) {
        if (p[i] < 0x80 || p[i] > 0xbf) {
            return 0;
        }
    }

    return len;
}


/*
 * The serialisation of obj, its closing brace replaced by the HMAC
 * member; obj is released (NULL: the caller's object failed, NULL)
 */

static char *
consent_sign(json_t *obj, const consent_key_t *key, size_t *len)
{
    char           *s, *line, *q;
    size_t          slen, total;
    unsigned char   mac[32];

    if (obj == NULL) {
        return NULL;
    }

    s = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);

    json_decref(obj);

    if (s == NULL) {
        return NULL;
    }

    slen = strlen(s);

    if (slen < 2 || s[slen - 1] != '}') {
        free(s);
        return NULL;
    }

    slen--;
    total = slen + CONSENT_HMAC_SUFFIX_LEN + 1;

    if (total > CONSENT_RECORD_MAX
        || consent_key_log_mac(key, s, slen, mac) != 0)
    {
        free(s);
        return NULL;
    }

    line = malloc(total + 1);
    if (line == NULL) {
        free(s);
        return NULL;
    }

    q = line;
    memcpy(q, s, slen);
    q += slen;
    memcpy(q, CONSENT_HMAC_PREFIX, CONSENT_HMAC_PREFIX_LEN);
    q += CONSENT_HMAC_PREFIX_LEN;
    consent_hex_encode(mac, 32, q);
    q += 64;
    memcpy(q, "\"}\n", 4);

    free(s);

    if (len) {
        *len = total;
    }

    return line;
}


/* strict lower-case hex; out may be NULL to check only */

static int
consent_unhex(const char *in, size_t len, unsigned char *out)
{
    size_t  i;
    int     d, v;

    if (in == NULL || len % 2) {
        return -1;
    }

    v = 0;

    for (i = 0; i < len; i++) {
        if (in[i] >= '0' && in[i] <= '9') {
            d = in[i] - '0';

        } else if (in[i] >= 'a' && in[i] <= 'f') {
            d = in[i] - 'a' + 10;

        } else {
            return -1;
        }

        v = v * 16 + d;

        if (i % 2) {
            if (out) {
                out[i / 2] = (unsigned char) v;
            }

            v = 0;
        }
    }

    return 0;
}


/* 1 to max characters from a-z, 0-9 and "_" (kid, mechanism, reason) */

static int
consent_word_valid(const char *s, size_t len, size_t max)
{
    return consent_ascii_word(s, len, max, '_');
}


static int
consent_action_valid(const char *s)
{
    return strcmp(s, "grant") == 0 || strcmp(s, "reject") == 0
           || strcmp(s, "update") == 0 || strcmp(s, "withdraw") == 0;
}


/* exactly these members, in this order, of these JSON types */

static int
consent_parse_fields(json_t *root, const consent_field_t *fields, char *err,
    size_t errlen)
{
    int          type;
    void        *it;
    json_t      *v;
    const char  *key;

    it = json_object_iter(root);

    for ( /* void */ ; fields->key; fields++) {
        v = json_object_get(root, fields->key);

        /* a field records of older versions do not have */
        if (v == NULL && (fields->type & CONSENT_FIELD_OPTIONAL)) {
            continue;
        }

        if (v == NULL) {
            consent_errf(err, errlen, "\"%s\" missing", fields->key);
            return -1;
        }

        type = json_typeof(v) | (fields->type & CONSENT_FIELD_OPTIONAL);

        if (fields->type == JSON_TRUE ? !json_is_boolean(v)
                                      : type != fields->type)
        {
            consent_errf(err, errlen, "\"%s\" is not %s", fields->key,
                         (fields->type & 0xff) == JSON_STRING ? "a string"
                         : fields->type == JSON_INTEGER ? "an integer"
                         : fields->type == JSON_ARRAY ? "an array"
                         : "true or false");
            return -1;
        }

        key = it ? json_object_iter_key(it) : NULL;

        if (key == NULL || strcmp(key, fields->key) != 0) {
            consent_errf(err, errlen, "\"%s\" out of place", fields->key);
            return -1;
        }

        it = json_object_iter_next(root, it);
    }

    if (it != NULL) {
        consent_errf(err, errlen, "unknown member \"%s\"",
                     json_object_iter_key(it));
        return -1;
    }

    return 0;
}


static int
consent_parse_consent(consent_record_parsed_t *rec, json_t *root,
    char *err, size_t errlen)
{
    size_t         len;
    json_t        *v;
    json_int_t     n;
    const char    *s;
    unsigned char  raw[CONSENT_ID_LEN];

    v = json_object_get(root, "id");
    s = json_string_value(v);
    len = json_string_length(v);

    if (len != CONSENT_ID_B64_LEN || consent_id_parse(s, len, raw) != 0) {
        consent_errf(err, errlen, "\"id\" is not a consent id");
        return -1;
    }

    memcpy(rec->id, s, len + 1);

    s = json_string_value(json_object_get(root, "action"));
    if (!consent_action_valid(s)) {
        consent_errf(err, errlen, "unknown \"action\"");
        return -1;
    }

    rec->action = s;

    v = json_object_get(root, "mechanism");
    if (!consent_word_valid(json_string_value(v), json_string_length(v),
                            CONSENT_MECHANISM_MAX))
    {
        consent_errf(err, errlen, "\"mechanism\" is not a word");
        return -1;
    }

    n = json_integer_value(json_object_get(root, "revision"));
    if (n < 0 || n > UINT32_MAX) {
        consent_errf(err, errlen, "\"revision\" out of range");
        return -1;
    }

    if (consent_get_hex(root, "policy_sha256", 64, NULL, err, errlen) != 0
        || consent_parse_ids(json_object_get(root, "granted"), "granted",
                             err, errlen) != 0
        || consent_parse_ids(json_object_get(root, "denied"), "denied",
                             err, errlen) != 0)
    {
        return -1;
    }

    return 0;
}


static int
consent_parse_checkpoint(consent_record_parsed_t *rec, json_t *root,
    char *err, size_t errlen)
{
    size_t       len;
    json_t      *v;
    json_int_t   n, seq;
    const char  *s;

    v = json_object_get(root, "reason");
    s = json_string_value(v);
    len = json_string_length(v);

    if (!consent_word_valid(s, len, CONSENT_REASON_MAX)) {
        consent_errf(err, errlen, "\"reason\" is not a word");
        return -1;
    }

    memcpy(rec->reason, s, len + 1);

    /* a checkpoint takes a seq itself: fewer records than seq */

    n = json_integer_value(json_object_get(root, "records"));
    seq = json_integer_value(json_object_get(root, "seq"));

    if (n < 0 || n >= seq) {
        consent_errf(err, errlen, "\"records\" out of range");
        return -1;
    }

    rec->records = (uint64_t) n;

    return 0;
}


static int
consent_parse_ids(json_t *arr, const char *key, char *err, size_t errlen)
{
    size_t   i, len;
    json_t  *v;

    if (json_array_size(arr) > CONSENT_MAX_CATEGORIES) {
        consent_errf(err, errlen, "\"%s\" has too many categories", key);
        return -1;
    }

    json_array_foreach(arr, i, v) {
        const char  *s;

        s = json_string_value(v);
        len = json_string_length(v);

        if (!consent_category_id_valid(s, len)) {
            consent_errf(err, errlen, "\"%s\"[%zu] is not a category id",
                         key, i);
            return -1;
        }
    }

    return 0;
}


static int
consent_get_hex(json_t *root, const char *key, size_t hexlen,
    unsigned char *out, char *err, size_t errlen)
{
    json_t  *v;

    v = json_object_get(root, key);

    if (json_string_length(v) != hexlen
        || consent_unhex(json_string_value(v), hexlen, out) != 0)
    {
        consent_errf(err, errlen, "\"%s\" is not %zu lower-case hex digits",
                     key, hexlen);
        return -1;
    }

    return 0;
}



int
consent_policy_pack(const consent_policy_t *p, unsigned char **out,
    size_t *len)
{
    uLongf          n;
    unsigned char  *buf;

    if (p == NULL || (p->source == NULL && p->source_len)) {
        return -1;
    }

    n = compressBound((uLong) p->source_len);

    buf = malloc(n);
    if (buf == NULL) {
        return -1;
    }

    if (compress2(buf, &n, (const Bytef *) p->source,
                  (uLong) p->source_len, Z_BEST_COMPRESSION)
        != Z_OK)
    {
        free(buf);
        return -1;
    }

    *out = buf;
    *len = n;

    return 0;
}


size_t
consent_policy_parts(size_t packed_len)
{
    if (packed_len == 0) {
        return 1;
    }

    return (packed_len + CONSENT_POLICY_PART - 1) / CONSENT_POLICY_PART;
}


char *
consent_policy_line(const consent_policy_t *p, const unsigned char *packed,
    size_t packed_len, int64_t ts_ms, size_t part,
    const consent_chain_t *chain, const consent_key_t *key, size_t *len)
{
    char     prev[CONSENT_HASH_HEX_LEN + 1];
    char     data[consent_b64url_len(CONSENT_POLICY_PART) + 1];
    size_t   off, n, parts;
    json_t  *obj;

    parts = consent_policy_parts(packed_len);

    if (p == NULL || chain == NULL || key == NULL || part < 1
        || part > parts || (packed == NULL && packed_len))
    {
        return NULL;
    }

    off = (part - 1) * CONSENT_POLICY_PART;
    n = packed_len - off;

    if (n > CONSENT_POLICY_PART) {
        n = CONSENT_POLICY_PART;
    }

    consent_b64url_encode(packed + off, n, data);
    data[consent_b64url_len(n)] = '\0';

    consent_prev_hex(chain, prev);

    obj = json_object();
    if (obj == NULL) {
        return NULL;
    }

    if (consent_head_fields(obj, "policy", ts_ms, chain) != 0
        || consent_set(obj, "revision", json_integer(p->revision))
        || consent_set(obj, "policy_sha256", json_string(p->sha256_hex))
        || consent_set(obj, "part", json_integer((json_int_t) part))
        || consent_set(obj, "parts", json_integer((json_int_t) parts))
        || consent_set(obj, "size", json_integer((json_int_t) p->source_len))
        || consent_set(obj, "data", json_string(data))
        || consent_set(obj, "kid", json_string(key->kid))
        || consent_set(obj, "prev", json_string(prev)))
    {
        json_decref(obj);
        return NULL;
    }

    return consent_sign(obj, key, len);
}


int
consent_chain_policy_needed(const consent_chain_t *chain,
    const consent_policy_t *p)
{
    size_t  i;

    for (i = 0; i < chain->npolicies; i++) {
        if (memcmp(chain->policies[i], p->sha256, 32) == 0) {
            return 0;
        }
    }

    return 1;
}


int
consent_chain_policy_stored(consent_chain_t *chain,
    const consent_policy_t *p)
{
    size_t          n;
    unsigned char (*a)[32];

    if (!consent_chain_policy_needed(chain, p)) {
        return 0;
    }

    if (chain->npolicies == chain->apolicies) {
        n = chain->apolicies ? 2 * chain->apolicies : 4;

        a = realloc(chain->policies, n * 32);
        if (a == NULL) {
            return -1;
        }

        chain->policies = a;
        chain->apolicies = n;
    }

    memcpy(chain->policies[chain->npolicies++], p->sha256, 32);

    return 0;
}


void
consent_chain_policy_forget(consent_chain_t *chain)
{
    chain->npolicies = 0;

    free(chain->packed);
    chain->packed = NULL;
    chain->packed_len = 0;
    chain->storing = NULL;
    chain->next_part = 0;
}


void
consent_chain_free(consent_chain_t *chain)
{
    consent_chain_policy_forget(chain);

    free(chain->policies);
    chain->policies = NULL;
    chain->npolicies = 0;
    chain->apolicies = 0;
}


/* every part but the last holds CONSENT_POLICY_PART bytes */

static int
consent_parse_policy(consent_record_parsed_t *rec, json_t *root,
    char *err, size_t errlen)
{
    json_t         *v;
    json_int_t      rev, part, parts, size;
    const char     *s;
    size_t          len, n;
    unsigned char   buf[CONSENT_POLICY_PART];

    rev = json_integer_value(json_object_get(root, "revision"));
    part = json_integer_value(json_object_get(root, "part"));
    parts = json_integer_value(json_object_get(root, "parts"));
    size = json_integer_value(json_object_get(root, "size"));

    if (rev < 0 || rev > UINT32_MAX) {
        consent_errf(err, errlen, "\"revision\" out of range");
        return -1;
    }

    if (consent_get_hex(root, "policy_sha256", 64, NULL, err, errlen) != 0) {
        return -1;
    }

    /* zlib's output is at most a little longer than its input */

    if (size < 0 || size > CONSENT_POLICY_MAX_SIZE
        || parts < 1
        || parts > CONSENT_POLICY_MAX_SIZE / CONSENT_POLICY_PART + 2
        || part < 1 || part > parts)
    {
        consent_errf(err, errlen, "\"part\", \"parts\" or \"size\" "
                     "out of range");
        return -1;
    }

    v = json_object_get(root, "data");
    s = json_string_value(v);
    len = json_string_length(v);

    n = len * 3 / 4;

    if (n > CONSENT_POLICY_PART || (part < parts && n != CONSENT_POLICY_PART)
        || n == 0 || consent_b64url_decode_exact(s, len, buf, n) != 0)
    {
        consent_errf(err, errlen, "\"data\" is not base64url of %s",
                     part < parts ? "4096 bytes" : "at most 4096 bytes");
        return -1;
    }

    rec->part = (uint64_t) part;
    rec->parts = (uint64_t) parts;
    rec->size = (uint64_t) size;

    return 0;
}

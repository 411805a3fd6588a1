
/*
 * Copyright (C) ngx_http_consent_module authors
 */


#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "consent_ascii.h"
#include "consent_lang.h"
#include "consent_match.h"
#include "consent_policy.h"
#include "consent_regime.h"
#include "consent_tcf_map.h"


#define CONSENT_PATH_MAX       256     /* a JSON path in a message */
#define CONSENT_SHOWN_MAX      48      /* bytes of a value echoed */
#define CONSENT_TEXT_MAX       4096    /* bytes of one text or label */
#define CONSENT_URL_MAX        2048
#define CONSENT_HOST_MAX       253
#define CONSENT_LANGS_MAX      CONSENT_LANG_LIST_MAX  /* in one object */


typedef struct {
    char               *buf;
    size_t              len;
} consent_err_t;


static void consent_error(consent_err_t *e, const char *path,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void consent_sanitize(char *s);
static void consent_quote(char *buf, size_t size, const char *s, size_t len);
static void consent_path_key(char *buf, size_t size, const char *parent,
    const char *key);
static void consent_path_index(char *buf, size_t size, const char *parent,
    size_t index);
static char *consent_strndup(const char *s, size_t len);
static int consent_check_keys(json_t *obj, const char *path,
    const char *const *allowed, const char *expected, consent_err_t *e);
static json_t *consent_get(json_t *obj, const char *key, const char *path,
    int required, consent_err_t *e);
static json_t *consent_get_string(json_t *obj, const char *key,
    const char *path, char *sub, size_t size, consent_err_t *e);
static int consent_lang_valid(const char *s, size_t len);
static int consent_lang_key(const char *key, const char *path, char *out,
    consent_err_t *e);
static int consent_nonempty_text(json_t *v, const char *path,
    const char **s, consent_err_t *e);
static int consent_parse_root(consent_policy_t *p, json_t *root,
    consent_err_t *e);
static int consent_parse_revision(consent_policy_t *p, json_t *root,
    consent_err_t *e);
static int consent_duration(const char *s, size_t len, int64_t max,
    int64_t *out);
static int consent_id_check(const char *s, size_t len, const char *path,
    consent_err_t *e);
static int consent_json_seconds(json_t *v, int64_t max, int64_t *n,
    char *q, size_t qsize);
static int consent_parse_max_age(consent_policy_t *p, json_t *root,
    consent_err_t *e);
static int consent_parse_default_lang(consent_policy_t *p, json_t *root,
    consent_err_t *e);
static int consent_parse_privacy_url(consent_policy_t *p, json_t *root,
    consent_err_t *e);
static int consent_parse_texts(consent_policy_t *p, json_t *root,
    consent_err_t *e);
static int consent_parse_categories(consent_policy_t *p, json_t *root,
    consent_err_t *e);
static int consent_parse_category(consent_policy_t *p, size_t i, json_t *obj,
    const char *path, uint32_t *gcm_seen, consent_err_t *e);
static int consent_parse_aliases(consent_policy_t *p, size_t cat,
    json_t *arr, const char *path, consent_err_t *e);
static int consent_check_aliases(consent_policy_t *p, consent_err_t *e);
static int consent_parse_cookies(consent_policy_t *p, size_t cat,
    json_t *arr, const char *path, consent_err_t *e);
static int consent_parse_cookie(consent_policy_t *p, size_t cat,
    json_t *v, const char *path, consent_err_t *e);
static int consent_parse_cookie_max_age(json_t *w, const char *path,
    int64_t *out, consent_err_t *e);
static int consent_check_cookie_name(const char *s, size_t len,
    const char *path, consent_err_t *e);
static int consent_parse_consent_mode(consent_policy_t *p,
    consent_category_t *c, json_t *arr, const char *path,
    uint32_t *gcm_seen, consent_err_t *e);
static int consent_parse_i18n(consent_policy_t *p, json_t *obj,
    const char *path, consent_i18n_t *out, consent_err_t *e);
static int consent_parse_tcf(consent_policy_t *p, json_t *root,
    consent_err_t *e);
static int consent_parse_rules(consent_policy_t *p, json_t *root,
    consent_err_t *e);
static int consent_parse_rule(consent_policy_t *p, json_t *obj,
    const char *path, consent_err_t *e);
static int consent_parse_patterns(consent_policy_t *p, json_t *arr,
    consent_rule_kind_e kind, unsigned cat, const char *path,
    consent_err_t *e);
static int consent_check_host(const char *s, size_t len, const char *path,
    consent_err_t *e);
static int consent_byte_rank(int c);
static int consent_add_rule(consent_policy_t *p, consent_rule_kind_e kind,
    const char *s, size_t len, unsigned cat);
static int consent_i18n_alloc(consent_i18n_t *t, size_t n);
static void consent_i18n_free(consent_i18n_t *t);
static const char *consent_i18n_get(const consent_policy_t *p,
    const consent_i18n_t *t, const char *lang);
static const char *consent_i18n_find(const consent_i18n_t *t,
    const char *lang, size_t len);


/* the texts' keys in the policy, in the order of consent_text_e */
const char *const  consent_text_names[CONSENT_TEXT_N] = {
    "title",
    "message",
    "accept_all",
    "reject_all",
    "customise",
    "save",
    "withdraw",
    "privacy_link",
    "manage",
    "always_on",
    "gpc_honoured",
    "cookies",
    "lifetime",
    "domains"
};


/* what an optional text says when the policy does not say it */
static const char  *consent_text_defaults[CONSENT_TEXT_N] = {
    NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
    "Cookies",
    "Lifetime",
    "This choice applies to"
};


static const char  *consent_gcm_names[CONSENT_GCM_N] = {
    "ad_storage",
    "ad_user_data",
    "ad_personalization",
    "analytics_storage",
    "functionality_storage",
    "personalization_storage",
    "security_storage"
};


static const char *const  consent_root_keys[] = {
    "revision", "max_age", "default_language", "privacy_url",
    "categories", "texts", "rules", "regimes", "tcf", NULL
};

static const char *const  consent_category_keys[] = {
    "id", "required", "label", "description", "consent_mode", "gpc",
    "aliases", "cookies", NULL
};

static const char *const  consent_cookie_keys[] = {
    "name", "domain", "provider", "purpose", "lifetime", "max_age", NULL
};

static const char *const  consent_rule_keys[] = {
    "category", "hosts", "urls", "inline", NULL
};


consent_policy_t *
consent_policy_parse(const char *data, size_t len, char *err, size_t errlen)
{
    size_t             line, col;
    json_t            *root;
    const char        *nul, *s;
    unsigned int       mdlen;
    consent_err_t      e;
    json_error_t       jerr;
    consent_policy_t  *p;

    e.buf = err;
    e.len = errlen;

    if (errlen > 0) {
        err[0] = '\0';
    }

    if (data == NULL) {
        data = "";
        len = 0;
    }

    if (len > CONSENT_POLICY_MAX_SIZE) {
        consent_error(&e, NULL, "the policy is larger than %d bytes",
                      CONSENT_POLICY_MAX_SIZE);
        return NULL;
    }

    /* jansson's message for a NUL byte is obscure; say where it is */
    nul = memchr(data, '\0', len);

    if (nul != NULL) {
        line = 1;
        col = 1;

        for (s = data; s < nul; s++) {
            if (*s == '\n') {
                line++;
                col = 1;

            } else {
                col++;
            }
        }

        consent_error(&e, NULL, "line %zu, column %zu: NUL byte (the file "
                      "must be UTF-8 text, not UTF-16 or binary)", line, col);
        return NULL;
    }

    p = calloc(1, sizeof(consent_policy_t));
    if (p == NULL) {
        consent_error(&e, NULL, "out of memory");
        return NULL;
    }

    /* the hash is of the exact bytes, byte order mark included */
    mdlen = 0;

    if (EVP_Digest(data, len, p->sha256, &mdlen, EVP_sha256(), NULL) != 1
        || mdlen != sizeof(p->sha256))
    {
        consent_error(&e, NULL, "SHA-256 failed");
        consent_policy_free(p);
        return NULL;
    }

    consent_hex_encode(p->sha256, sizeof(p->sha256), p->sha256_hex);

    /* kept as hashed, so that the audit log can prove the notice */
    p->source = malloc(len ? len : 1);

    if (p->source == NULL) {
        consent_error(&e, NULL, "out of memory");
        consent_policy_free(p);
        return NULL;
    }

    memcpy(p->source, data, len);
    p->source_len = len;

    /* RFC 8259 lets a parser ignore a UTF-8 byte order mark */
    if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
        data += 3;
        len -= 3;
    }

    root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);

    if (root == NULL) {
        consent_error(&e, NULL, "line %d, column %d: %s",
                      jerr.line, jerr.column, jerr.text);
        consent_policy_free(p);
        return NULL;
    }

    if (consent_parse_root(p, root, &e) != 0
        || consent_regimes_parse(p, root, data, len, err, errlen) != 0)
    {
        json_decref(root);
        consent_policy_free(p);
        return NULL;
    }

    json_decref(root);

    return p;
}


consent_policy_t *
consent_policy_load(const char *path, char *err, size_t errlen)
{
    int                fd;
    char              *buf;
    size_t             len;
    ssize_t            n;
    struct stat        st;
    consent_err_t      e;
    consent_policy_t  *p;

    e.buf = err;
    e.len = errlen;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd == -1) {
        consent_error(&e, NULL, "open() failed: %s", strerror(errno));
        return NULL;
    }

    if (fstat(fd, &st) == -1) {
        consent_error(&e, NULL, "fstat() failed: %s", strerror(errno));
        close(fd);
        return NULL;
    }

    if (!S_ISREG(st.st_mode)) {
        consent_error(&e, NULL, "not a regular file");
        close(fd);
        return NULL;
    }

    if (st.st_size > CONSENT_POLICY_MAX_SIZE) {
        consent_error(&e, NULL, "the file is larger than %d bytes",
                      CONSENT_POLICY_MAX_SIZE);
        close(fd);
        return NULL;
    }

    /* one byte more than allowed, to see a file that grew meanwhile */
    buf = malloc(CONSENT_POLICY_MAX_SIZE + 1);
    if (buf == NULL) {
        consent_error(&e, NULL, "out of memory");
        close(fd);
        return NULL;
    }

    len = 0;

    while (len < CONSENT_POLICY_MAX_SIZE + 1) {
        n = read(fd, buf + len, CONSENT_POLICY_MAX_SIZE + 1 - len);

        if (n == -1) {
            if (errno == EINTR) {
                continue;
            }

            consent_error(&e, NULL, "read() failed: %s", strerror(errno));
            free(buf);
            close(fd);
            return NULL;
        }

        if (n == 0) {
            break;
        }

        len += (size_t) n;
    }

    close(fd);

    if (len > CONSENT_POLICY_MAX_SIZE) {
        consent_error(&e, NULL, "the file is larger than %d bytes",
                      CONSENT_POLICY_MAX_SIZE);
        free(buf);
        return NULL;
    }

    p = consent_policy_parse(buf, len, err, errlen);

    free(buf);

    return p;
}


void
consent_policy_free(consent_policy_t *p)
{
    size_t  i;

    if (p == NULL) {
        return;
    }

    free(p->default_lang);
    free(p->privacy_url);
    consent_tcf_map_free(p->tcf);

    for (i = 0; i < p->ncategories; i++) {
        free(p->categories[i].id);
        consent_i18n_free(&p->categories[i].label);
        consent_i18n_free(&p->categories[i].description);
    }

    free(p->categories);

    for (i = 0; i < p->nlangs; i++) {
        free(p->langs[i]);
    }

    free(p->langs);

    for (i = 0; i < CONSENT_TEXT_N; i++) {
        consent_i18n_free(&p->texts[i]);
    }

    for (i = 0; i < p->nrules; i++) {
        free(p->rules[i].pattern);
    }

    free(p->rules);

    for (i = 0; i < 3; i++) {
        free(p->by_kind[i].index);
    }

    consent_match_free(p->matcher);

    for (i = 0; i < p->naliases; i++) {
        free(p->aliases[i].name);
    }

    free(p->aliases);

    for (i = 0; i < p->ncookies; i++) {
        free(p->cookies[i].name);
        free(p->cookies[i].domain);
        free(p->cookies[i].provider);
        consent_i18n_free(&p->cookies[i].purpose);
        consent_i18n_free(&p->cookies[i].lifetime);
    }

    free(p->cookies);
    consent_regimes_free(p);
    free(p->source);
    free(p);
}


int
consent_policy_category(const consent_policy_t *p, const char *id,
    size_t len)
{
    size_t  i;

    if (p == NULL || id == NULL) {
        return -1;
    }

    for (i = 0; i < p->ncategories; i++) {
        if (p->categories[i].id_len == len
            && memcmp(p->categories[i].id, id, len) == 0)
        {
            return (int) i;
        }
    }

    return -1;
}


const char *
consent_policy_pick_lang(const consent_policy_t *p,
    const char *accept_language, size_t len)
{
    int  i;

    if (p == NULL) {
        return NULL;
    }

    i = consent_lang_pick((const char *const *) p->langs, p->nlangs,
                          accept_language, len);

    return i >= 0 ? p->langs[i] : p->default_lang;
}


const char *
consent_policy_text(const consent_policy_t *p, consent_text_e key,
    const char *lang)
{
    if (p == NULL || (unsigned) key >= CONSENT_TEXT_N) {
        return NULL;
    }

    return consent_i18n_get(p, &p->texts[key], lang);
}


const char *
consent_policy_label(const consent_policy_t *p, size_t cat,
    const char *lang)
{
    if (p == NULL || cat >= p->ncategories) {
        return NULL;
    }

    return consent_i18n_get(p, &p->categories[cat].label, lang);
}


const char *
consent_policy_description(const consent_policy_t *p, size_t cat,
    const char *lang)
{
    if (p == NULL || cat >= p->ncategories) {
        return NULL;
    }

    return consent_i18n_get(p, &p->categories[cat].description, lang);
}


const char *
consent_policy_cookie_purpose(const consent_policy_t *p, size_t decl,
    const char *lang)
{
    if (p == NULL || decl >= p->ncookies || p->cookies[decl].purpose.n == 0)
    {
        return NULL;
    }

    return consent_i18n_get(p, &p->cookies[decl].purpose, lang);
}


const char *
consent_policy_cookie_lifetime(const consent_policy_t *p, size_t decl,
    const char *lang)
{
    if (p == NULL || decl >= p->ncookies
        || p->cookies[decl].lifetime.n == 0)
    {
        return NULL;
    }

    return consent_i18n_get(p, &p->cookies[decl].lifetime, lang);
}


const char *
consent_gcm_name(consent_gcm_e signal)
{
    if ((unsigned) signal >= CONSENT_GCM_N) {
        return NULL;
    }

    return consent_gcm_names[signal];
}


/* messages */


static void
consent_error(consent_err_t *e, const char *path, const char *fmt, ...)
{
    int      n;
    va_list  ap;

    if (e->buf == NULL || e->len == 0) {
        return;
    }

    n = 0;

    if (path != NULL && path[0] != '\0') {
        n = snprintf(e->buf, e->len, "%s: ", path);

        if (n < 0) {
            n = 0;
        }

        if ((size_t) n >= e->len) {
            consent_sanitize(e->buf);
            return;
        }
    }

    va_start(ap, fmt);

    if (vsnprintf(e->buf + n, e->len - n, fmt, ap) < 0) {
        e->buf[n] = '\0';
    }

    va_end(ap);

    /* jansson echoes input near an error: keep the log line one line */
    consent_sanitize(e->buf);
}


static void
consent_sanitize(char *s)
{
    for ( /* void */ ; *s; s++) {
        if ((unsigned char) *s < 0x20 || *s == 0x7f) {
            *s = '?';
        }
    }
}


/* a value echoed in a message: quoted, escaped, shortened */

static void
consent_quote(char *buf, size_t size, const char *s, size_t len)
{
    size_t         i, n;
    unsigned char  c;

    if (size < 8) {
        if (size > 0) {
            buf[0] = '\0';
        }

        return;
    }

    n = 0;
    buf[n++] = '"';

    for (i = 0; i < len; i++) {
        c = (unsigned char) s[i];

        /* room for an escape, "...", the quote and the NUL */
        if (n + 4 + 3 + 2 > size || i == CONSENT_SHOWN_MAX) {
            memcpy(buf + n, "...", 3);
            n += 3;
            break;
        }

        if (c == '"' || c == '\\') {
            buf[n++] = '\\';
            buf[n++] = (char) c;

        } else if (c < 0x20 || c >= 0x7f) {
            n += (size_t) snprintf(buf + n, size - n, "\\x%02x", c);

        } else {
            buf[n++] = (char) c;
        }
    }

    buf[n++] = '"';
    buf[n] = '\0';
}


static void
consent_path_key(char *buf, size_t size, const char *parent, const char *key)
{
    int     n;
    size_t  i, len;
    char    q[CONSENT_SHOWN_MAX * 4 + 8];

    len = strlen(key);

    for (i = 0; i < len; i++) {
        if (!((key[i] >= 'a' && key[i] <= 'z')
              || (key[i] >= 'A' && key[i] <= 'Z')
              || (key[i] >= '0' && key[i] <= '9')
              || key[i] == '_' || key[i] == '-'))
        {
            break;
        }
    }

    if (len > 0 && i == len && len <= CONSENT_SHOWN_MAX) {
        n = snprintf(buf, size, "%s%s%s", parent, parent[0] ? "." : "", key);

    } else {
        consent_quote(q, sizeof(q), key, len);
        n = snprintf(buf, size, "%s[%s]", parent, q);
    }

    if (n < 0) {
        buf[0] = '\0';
    }
}


static void
consent_path_index(char *buf, size_t size, const char *parent, size_t index)
{
    int  n;

    /* a path too deep for the buffer is shortened, never overrun */
    n = snprintf(buf, size, "%s[%zu]", parent, index);

    if (n < 0) {
        buf[0] = '\0';
    }
}


/* helpers */


static char *
consent_strndup(const char *s, size_t len)
{
    char  *d;

    d = malloc(len + 1);
    if (d == NULL) {
        return NULL;
    }

    memcpy(d, s, len);
    d[len] = '\0';

    return d;
}


static int
consent_check_keys(json_t *obj, const char *path, const char *const *allowed,
    const char *expected, consent_err_t *e)
{
    size_t       i;
    json_t      *v;
    const char  *key;
    char         sub[CONSENT_PATH_MAX];

    json_object_foreach(obj, key, v) {
        for (i = 0; allowed[i] != NULL; i++) {
            if (strcmp(key, allowed[i]) == 0) {
                break;
            }
        }

        if (allowed[i] == NULL) {
            consent_path_key(sub, sizeof(sub), path, key);
            consent_error(e, sub, "unknown key (expected %s)", expected);
            return -1;
        }
    }

    return 0;
}


static json_t *
consent_get(json_t *obj, const char *key, const char *path, int required,
    consent_err_t *e)
{
    json_t  *v;

    v = json_object_get(obj, key);

    if (v == NULL && required) {
        if (path[0] == '\0') {
            consent_error(e, NULL, "\"%s\": required", key);

        } else {
            consent_error(e, path, "missing \"%s\"", key);
        }
    }

    return v;
}


/* a required string member; sub: its path, for the caller's errors */

static json_t *
consent_get_string(json_t *obj, const char *key, const char *path,
    char *sub, size_t size, consent_err_t *e)
{
    json_t  *v;

    v = consent_get(obj, key, path, 1, e);
    if (v == NULL) {
        return NULL;
    }

    consent_path_key(sub, size, path, key);

    if (!json_is_string(v)) {
        consent_error(e, sub, "must be a string");
        return NULL;
    }

    return v;
}


/* [A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*, at most CONSENT_LANG_MAX */

static int
consent_lang_valid(const char *s, size_t len)
{
    size_t  i, n;
    int     first;

    if (len == 0 || len > CONSENT_LANG_MAX) {
        return 0;
    }

    n = 0;
    first = 1;

    for (i = 0; i < len; i++) {
        if (s[i] == '-') {
            if (n == 0 || i == len - 1) {
                return 0;
            }

            n = 0;
            first = 0;
            continue;
        }

        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')
              || (!first && s[i] >= '0' && s[i] <= '9')))
        {
            return 0;
        }

        if (++n > 8) {
            return 0;
        }
    }

    return 1;
}


/* validates a language used as a key and lower-cases it into out */

static int
consent_lang_key(const char *key, const char *path, char *out,
    consent_err_t *e)
{
    size_t  i, len;
    char    q[CONSENT_SHOWN_MAX * 4 + 8];

    len = strlen(key);

    if (!consent_lang_valid(key, len)) {
        consent_quote(q, sizeof(q), key, len);
        consent_error(e, path, "%s is not a language tag (such as \"en\", "
                      "\"es\" or \"pt-br\", at most %d characters)",
                      q, CONSENT_LANG_MAX);
        return -1;
    }

    for (i = 0; i < len; i++) {
        out[i] = (char) consent_ascii_lower((unsigned char) key[i]);
    }

    out[len] = '\0';

    return 0;
}


static int
consent_nonempty_text(json_t *v, const char *path, const char **s,
    consent_err_t *e)
{
    size_t       i, len;
    const char  *t;

    if (!json_is_string(v)) {
        consent_error(e, path, "must be a string");
        return -1;
    }

    t = json_string_value(v);
    len = json_string_length(v);

    for (i = 0; i < len; i++) {
        if (t[i] != ' ' && t[i] != '\t' && t[i] != '\n' && t[i] != '\r') {
            break;
        }
    }

    if (i == len) {
        consent_error(e, path, "must not be empty");
        return -1;
    }

    if (len > CONSENT_TEXT_MAX) {
        consent_error(e, path, "longer than %d bytes", CONSENT_TEXT_MAX);
        return -1;
    }

    *s = t;

    return 0;
}


/* the schema */


static int
consent_parse_root(consent_policy_t *p, json_t *root, consent_err_t *e)
{
    if (!json_is_object(root)) {
        consent_error(e, NULL, "the policy must be a JSON object");
        return -1;
    }

    if (consent_check_keys(root, "", consent_root_keys,
                           "revision, max_age, default_language, "
                           "privacy_url, categories, texts, rules, "
                           "regimes or tcf", e)
        != 0)
    {
        return -1;
    }

    /* the default language first: the rest is checked against it */
    if (consent_parse_revision(p, root, e) != 0
        || consent_parse_max_age(p, root, e) != 0
        || consent_parse_default_lang(p, root, e) != 0
        || consent_parse_privacy_url(p, root, e) != 0
        || consent_parse_texts(p, root, e) != 0
        || consent_parse_categories(p, root, e) != 0
        || consent_parse_rules(p, root, e) != 0
        || consent_parse_tcf(p, root, e) != 0)
    {
        return -1;
    }

    return 0;
}


/* the "tcf" section, for consent_tcf bridge (src/consent_tcf_map.c) */

static int
consent_parse_tcf(consent_policy_t *p, json_t *root, consent_err_t *e)
{
    json_t             *v;
    char                buf[512];
    consent_tcf_map_t  *m;

    v = json_object_get(root, "tcf");

    if (v == NULL) {
        return 0;
    }

    if (consent_tcf_map_parse(p, v, &m, buf, sizeof(buf)) != 0) {
        consent_error(e, NULL, "%s", buf);
        return -1;
    }

    p->tcf = m;

    return 0;
}


static int
consent_parse_revision(consent_policy_t *p, json_t *root, consent_err_t *e)
{
    json_t      *v;
    json_int_t   n;

    v = consent_get(root, "revision", "", 1, e);
    if (v == NULL) {
        return -1;
    }

    if (!json_is_integer(v)
        || (n = json_integer_value(v)) < 0 || n > 4294967295LL)
    {
        consent_error(e, "revision",
                      "must be an integer from 0 to 4294967295");
        return -1;
    }

    p->revision = (uint32_t) n;

    return 0;
}


/*
 * A duration written as digits and one unit ("s", "m", "h", "d"), as
 * max_age and a cookie's lifetime take it: 0 with *out in seconds, more
 * than max when the digits are (they stop growing past max, so the
 * product cannot overflow); -1 when s is not such a duration.
 */

static int
consent_duration(const char *s, size_t len, int64_t max, int64_t *out)
{
    size_t   i;
    int64_t  n, unit;

    n = 0;

    for (i = 0; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
        if (n <= max) {
            n = n * 10 + (s[i] - '0');
        }
    }

    if (i == 0 || i != len - 1) {
        return -1;
    }

    switch (s[i]) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    default: return -1;
    }

    *out = n * unit;

    return 0;
}


int
consent_category_id_valid(const char *s, size_t len)
{
    size_t  j;

    if (s == NULL || len == 0 || len > CONSENT_ID_MAX) {
        return 0;
    }

    for (j = 0; j < len; j++) {
        if (!((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= '0' && s[j] <= '9')
              || s[j] == '_' || s[j] == '-'))
        {
            return 0;
        }
    }

    return 1;
}


/* a category id or alias, with the error that says what one is */

static int
consent_id_check(const char *s, size_t len, const char *path,
    consent_err_t *e)
{
    char  q[CONSENT_SHOWN_MAX * 4 + 8];

    if (!consent_category_id_valid(s, len)) {
        consent_quote(q, sizeof(q), s, len);
        consent_error(e, path, "%s must be 1 to %d characters from a-z, "
                      "0-9, \"_\" and \"-\"", q, CONSENT_ID_MAX);
        return -1;
    }

    return 0;
}


/*
 * A number of seconds or a duration string ("90m": consent_duration())
 * into *n; a number above max becomes max + 1 for the caller's range
 * check.  0, 1 when v is neither, -1 when the string is not a duration
 * (q: it quoted, for the caller's message).
 */

static int
consent_json_seconds(json_t *v, int64_t max, int64_t *n, char *q,
    size_t qsize)
{
    size_t       len;
    const char  *s;

    if (json_is_integer(v)) {
        /* clamp before narrowing: json_int_t may be wider some day */
        *n = json_integer_value(v) > max ? max + 1
                                         : (int64_t) json_integer_value(v);
        return 0;
    }

    if (!json_is_string(v)) {
        return 1;
    }

    s = json_string_value(v);
    len = json_string_length(v);

    if (consent_duration(s, len, max, n) != 0) {
        consent_quote(q, qsize, s, len);
        return -1;
    }

    return 0;
}


static int
consent_parse_max_age(consent_policy_t *p, json_t *root, consent_err_t *e)
{
    int      rc;
    json_t  *v;
    int64_t  n;
    char     q[CONSENT_SHOWN_MAX * 4 + 8];

    v = json_object_get(root, "max_age");

    if (v == NULL) {
        p->max_age = CONSENT_MAX_AGE_DEFAULT;
        return 0;
    }

    rc = consent_json_seconds(v, CONSENT_MAX_AGE_MAX, &n, q, sizeof(q));

    if (rc == -1) {
        consent_error(e, "max_age", "%s is not a duration: use a number "
                      "of seconds or a string such as \"3600s\", "
                      "\"90m\", \"12h\" or \"182d\"", q);
        return -1;
    }

    if (rc == 1) {
        consent_error(e, "max_age", "must be a number of seconds or a "
                      "string such as \"182d\"");
        return -1;
    }

    if (n <= 0) {
        consent_error(e, "max_age", "must be greater than 0");
        return -1;
    }

    if (n > CONSENT_MAX_AGE_MAX) {
        consent_error(e, "max_age", "must be at most 400 days (%d seconds): "
                      "browsers cap a cookie's lifetime at 400 days",
                      CONSENT_MAX_AGE_MAX);
        return -1;
    }

    p->max_age = n;

    return 0;
}


static int
consent_parse_default_lang(consent_policy_t *p, json_t *root,
    consent_err_t *e)
{
    json_t  *v;
    char     lang[CONSENT_LANG_MAX + 1];

    v = consent_get(root, "default_language", "", 1, e);
    if (v == NULL) {
        return -1;
    }

    if (!json_is_string(v)) {
        consent_error(e, "default_language", "must be a string");
        return -1;
    }

    if (consent_lang_key(json_string_value(v), "default_language", lang, e)
        != 0)
    {
        return -1;
    }

    p->default_lang = consent_strndup(lang, strlen(lang));
    if (p->default_lang == NULL) {
        consent_error(e, NULL, "out of memory");
        return -1;
    }

    return 0;
}


static int
consent_parse_privacy_url(consent_policy_t *p, json_t *root,
    consent_err_t *e)
{
    size_t          i, len, rest;
    json_t         *v;
    const char     *s;
    unsigned char   c;

    v = consent_get(root, "privacy_url", "", 1, e);
    if (v == NULL) {
        return -1;
    }

    if (!json_is_string(v)) {
        consent_error(e, "privacy_url", "must be a string");
        return -1;
    }

    s = json_string_value(v);
    len = json_string_length(v);

    if (len == 0) {
        consent_error(e, "privacy_url", "must not be empty");
        return -1;
    }

    if (len > CONSENT_URL_MAX) {
        consent_error(e, "privacy_url", "longer than %d bytes",
                      CONSENT_URL_MAX);
        return -1;
    }

    for (i = 0; i < len; i++) {
        c = (unsigned char) s[i];

        /* never valid unencoded in a URL, and unsafe in markup */
        if (c <= 0x20 || c == 0x7f || c == '"' || c == '<' || c == '>'
            || c == '\\' || c == '`')
        {
            consent_error(e, "privacy_url", "must not contain spaces, "
                          "control characters or any of \" < > \\ ` "
                          "(percent-encode them)");
            return -1;
        }
    }

    /* "//host" would be another site's page, not a path */
    if (s[0] == '/' && (len == 1 || s[1] != '/')) {
        goto done;
    }

    rest = 0;

    if (len > 8 && strncasecmp(s, "https://", 8) == 0) {
        rest = 8;

    } else if (len > 7 && strncasecmp(s, "http://", 7) == 0) {
        rest = 7;
    }

    if (rest == 0 || s[rest] == '/' || s[rest] == '?' || s[rest] == '#') {
        consent_error(e, "privacy_url", "must be an absolute path (such as "
                      "\"/privacy\") or an https:// or http:// URL");
        return -1;
    }

done:

    p->privacy_url = consent_strndup(s, len);
    if (p->privacy_url == NULL) {
        consent_error(e, NULL, "out of memory");
        return -1;
    }

    return 0;
}


static int
consent_parse_texts(consent_policy_t *p, json_t *root, consent_err_t *e)
{
    int              found;
    size_t           i, k, n, idx;
    json_t          *texts, *obj, *v;
    const char      *key, *tkey, *s;
    consent_i18n_t  *t;
    char             lang[CONSENT_LANG_MAX + 1];
    char             path[CONSENT_PATH_MAX], sub[CONSENT_PATH_MAX];
    char             tags[CONSENT_LANGS_MAX][CONSENT_LANG_MAX + 1];

    texts = consent_get(root, "texts", "", 1, e);
    if (texts == NULL) {
        return -1;
    }

    if (!json_is_object(texts)) {
        consent_error(e, "texts", "must be an object of languages, such as "
                      "{\"en\": {...}, \"es\": {...}}");
        return -1;
    }

    n = json_object_size(texts);

    if (n > CONSENT_LANGS_MAX) {
        consent_error(e, "texts", "more than %d languages",
                      CONSENT_LANGS_MAX);
        return -1;
    }

    /* every language checked before any text: find the default one */
    found = 0;
    n = 0;

    json_object_foreach(texts, key, obj) {
        if (consent_lang_key(key, "texts", tags[n], e) != 0) {
            return -1;
        }

        for (i = 0; i < n; i++) {
            if (strcmp(tags[i], tags[n]) == 0) {
                consent_path_key(path, sizeof(path), "texts", key);
                consent_error(e, path, "duplicate language \"%s\"",
                              tags[n]);
                return -1;
            }
        }

        if (strcmp(tags[n], p->default_lang) == 0) {
            found = 1;
        }

        n++;
    }

    if (found == 0) {
        consent_error(e, "texts", "missing the default language \"%s\"",
                      p->default_lang);
        return -1;
    }

    p->langs = calloc(n, sizeof(char *));
    if (p->langs == NULL) {
        consent_error(e, NULL, "out of memory");
        return -1;
    }

    for (k = 0; k < CONSENT_TEXT_N; k++) {
        if (consent_i18n_alloc(&p->texts[k], n) != 0) {
            consent_error(e, NULL, "out of memory");
            return -1;
        }
    }

    /* default language first, the others in file order */
    p->langs[p->nlangs] = consent_strndup(p->default_lang,
                                          strlen(p->default_lang));
    if (p->langs[p->nlangs] == NULL) {
        consent_error(e, NULL, "out of memory");
        return -1;
    }

    p->nlangs++;
    i = 0;

    json_object_foreach(texts, key, obj) {
        memcpy(lang, tags[i++], sizeof(lang));
        consent_path_key(path, sizeof(path), "texts", key);

        if (strcmp(lang, p->default_lang) == 0) {
            idx = 0;

        } else {
            p->langs[p->nlangs] = consent_strndup(lang, strlen(lang));
            if (p->langs[p->nlangs] == NULL) {
                consent_error(e, NULL, "out of memory");
                return -1;
            }

            idx = p->nlangs++;
        }

        if (!json_is_object(obj)) {
            consent_error(e, path, "must be an object of texts");
            return -1;
        }

        json_object_foreach(obj, tkey, v) {
            for (k = 0; k < CONSENT_TEXT_N; k++) {
                if (strcmp(tkey, consent_text_names[k]) == 0) {
                    break;
                }
            }

            consent_path_key(sub, sizeof(sub), path, tkey);

            if (k == CONSENT_TEXT_N) {
                consent_error(e, sub, "unknown text key (expected title, "
                              "message, accept_all, reject_all, customise, "
                              "save, withdraw, privacy_link, manage, "
                              "always_on, gpc_honoured, cookies, "
                              "lifetime or domains)");
                return -1;
            }

            if (consent_nonempty_text(v, sub, &s, e) != 0) {
                return -1;
            }

            t = &p->texts[k];

            t->lang[t->n] = consent_strndup(lang, strlen(lang));
            t->text[t->n] = consent_strndup(s, json_string_length(v));

            /* counted at once, so that free() sees what was copied */
            t->n++;

            if (t->lang[t->n - 1] == NULL || t->text[t->n - 1] == NULL) {
                consent_error(e, NULL, "out of memory");
                return -1;
            }
        }

        if (idx == 0) {
            for (k = 0; k < CONSENT_TEXT_REQUIRED_N; k++) {
                if (json_object_get(obj, consent_text_names[k]) == NULL) {
                    consent_error(e, path, "missing \"%s\" (every text is "
                                  "required in the default language)",
                                  consent_text_names[k]);
                    return -1;
                }
            }
        }
    }

    /* the optional texts: the module's English where the policy is silent */

    for (k = CONSENT_TEXT_REQUIRED_N; k < CONSENT_TEXT_N; k++) {
        t = &p->texts[k];

        if (consent_i18n_find(t, p->default_lang, strlen(p->default_lang))
            != NULL)
        {
            continue;
        }

        t->lang[t->n] = consent_strndup(p->default_lang,
                                        strlen(p->default_lang));
        t->text[t->n] = consent_strndup(consent_text_defaults[k],
                                        strlen(consent_text_defaults[k]));
        t->n++;

        if (t->lang[t->n - 1] == NULL || t->text[t->n - 1] == NULL) {
            consent_error(e, NULL, "out of memory");
            return -1;
        }
    }

    return 0;
}


static int
consent_parse_categories(consent_policy_t *p, json_t *root,
    consent_err_t *e)
{
    size_t    i, n;
    json_t   *arr, *obj;
    uint32_t  gcm_seen[CONSENT_GCM_N];
    char      path[CONSENT_PATH_MAX];

    arr = consent_get(root, "categories", "", 1, e);
    if (arr == NULL) {
        return -1;
    }

    if (!json_is_array(arr)) {
        consent_error(e, "categories", "must be an array");
        return -1;
    }

    n = json_array_size(arr);

    if (n == 0) {
        consent_error(e, "categories", "must not be empty");
        return -1;
    }

    if (n > CONSENT_MAX_CATEGORIES) {
        consent_error(e, "categories", "%zu categories, at most %d: the "
                      "consent cookie holds %d", n, CONSENT_MAX_CATEGORIES,
                      CONSENT_MAX_CATEGORIES);
        return -1;
    }

    p->categories = calloc(n, sizeof(consent_category_t));
    if (p->categories == NULL) {
        consent_error(e, NULL, "out of memory");
        return -1;
    }

    memset(gcm_seen, 0, sizeof(gcm_seen));

    json_array_foreach(arr, i, obj) {
        consent_path_index(path, sizeof(path), "categories", i);

        /* counted first: free() must see a half-filled category too */
        p->ncategories++;

        if (consent_parse_category(p, i, obj, path, gcm_seen, e) != 0) {
            return -1;
        }

        p->all_mask |= (uint32_t) 1 << i;

        if (p->categories[i].required) {
            p->required_mask |= (uint32_t) 1 << i;
        }
    }

    if (consent_check_aliases(p, e) != 0) {
        return -1;
    }

    if (p->required_mask == 0) {
        consent_error(e, "categories", "no required category: mark one "
                      "(the strictly necessary cookies) \"required\": true");
        return -1;
    }

    return 0;
}


static int
consent_parse_category(consent_policy_t *p, size_t i, json_t *obj,
    const char *path, uint32_t *gcm_seen, consent_err_t *e)
{
    size_t               j, len;
    json_t              *v;
    const char          *id;
    consent_category_t  *c;
    char                 sub[CONSENT_PATH_MAX];

    c = &p->categories[i];

    if (!json_is_object(obj)) {
        consent_error(e, path, "must be an object");
        return -1;
    }

    if (consent_check_keys(obj, path, consent_category_keys,
                           "id, required, label, description, consent_mode, "
                           "gpc, aliases or cookies", e)
        != 0)
    {
        return -1;
    }

    v = consent_get_string(obj, "id", path, sub, sizeof(sub), e);
    if (v == NULL) {
        return -1;
    }

    id = json_string_value(v);
    len = json_string_length(v);

    if (consent_id_check(id, len, sub, e) != 0) {
        return -1;
    }

    for (j = 0; j < i; j++) {
        if (p->categories[j].id_len == len
            && memcmp(p->categories[j].id, id, len) == 0)
        {
            consent_error(e, sub, "duplicate category id \"%s\"", id);
            return -1;
        }
    }

    c->id = consent_strndup(id, len);
    if (c->id == NULL) {
        consent_error(e, NULL, "out of memory");
        return -1;
    }

    c->id_len = len;

    v = json_object_get(obj, "required");

    if (v != NULL) {
        if (!json_is_boolean(v)) {
            consent_path_key(sub, sizeof(sub), path, "required");
            consent_error(e, sub, "must be true or false");
            return -1;
        }

        c->required = json_is_true(v);
    }

    v = json_object_get(obj, "gpc");

    if (v != NULL) {
        consent_path_key(sub, sizeof(sub), path, "gpc");

        if (!json_is_boolean(v)) {
            consent_error(e, sub, "must be true or false");
            return -1;
        }

        if (json_is_true(v) && c->required) {
            consent_error(e, sub, "a required category cannot be denied by "
                          "Global Privacy Control");
            return -1;
        }

        c->gpc = json_is_true(v);
    }

    v = consent_get(obj, "label", path, 1, e);
    if (v == NULL) {
        return -1;
    }

    consent_path_key(sub, sizeof(sub), path, "label");

    if (consent_parse_i18n(p, v, sub, &c->label, e) != 0) {
        return -1;
    }

    v = consent_get(obj, "description", path, 1, e);
    if (v == NULL) {
        return -1;
    }

    consent_path_key(sub, sizeof(sub), path, "description");

    if (consent_parse_i18n(p, v, sub, &c->description, e) != 0) {
        return -1;
    }

    v = json_object_get(obj, "consent_mode");

    if (v != NULL) {
        consent_path_key(sub, sizeof(sub), path, "consent_mode");

        if (consent_parse_consent_mode(p, c, v, sub, gcm_seen, e) != 0) {
            return -1;
        }
    }

    v = json_object_get(obj, "aliases");

    if (v != NULL) {
        consent_path_key(sub, sizeof(sub), path, "aliases");

        if (consent_parse_aliases(p, i, v, sub, e) != 0) {
            return -1;
        }
    }

    v = json_object_get(obj, "cookies");

    if (v != NULL) {
        consent_path_key(sub, sizeof(sub), path, "cookies");

        if (consent_parse_cookies(p, i, v, sub, e) != 0) {
            return -1;
        }
    }

    return 0;
}


/*
 * The cookies a category covers: names and prefixes ("_ga*"), unique
 * across the policy, so that a cookie's category never depends on the
 * order of the file (an exact name wins over a prefix, a longer prefix
 * over a shorter one: consent_cookie.c).
 */

static int
consent_parse_cookies(consent_policy_t *p, size_t cat, json_t *arr,
    const char *path, consent_err_t *e)
{
    size_t                  i, n;
    json_t                 *v;
    consent_cookie_decl_t  *d;
    char                    sub[CONSENT_PATH_MAX];

    if (!json_is_array(arr)) {
        consent_error(e, path, "must be an array of cookie names or "
                      "objects such as {\"name\": \"_ga\"}");
        return -1;
    }

    n = json_array_size(arr);

    if (p->ncookies + n > CONSENT_COOKIES_MAX) {
        consent_error(e, path, "more than %d cookies in the policy",
                      CONSENT_COOKIES_MAX);
        return -1;
    }

    d = realloc(p->cookies, (p->ncookies + n + 1)
                            * sizeof(consent_cookie_decl_t));
    if (d == NULL) {
        consent_error(e, NULL, "out of memory");
        return -1;
    }

    p->cookies = d;

    json_array_foreach(arr, i, v) {
        consent_path_index(sub, sizeof(sub), path, i);

        if (consent_parse_cookie(p, cat, v, sub, e) != 0) {
            return -1;
        }
    }

    return 0;
}


static int
consent_parse_cookie(consent_policy_t *p, size_t cat, json_t *v,
    const char *path, consent_err_t *e)
{
    size_t                  j, len;
    json_t                 *name, *w;
    unsigned                prefix;
    const char             *s;
    consent_cookie_decl_t  *d, *o;
    char                    sub[CONSENT_PATH_MAX];
    char                    q[CONSENT_SHOWN_MAX * 4 + 8];

    if (json_is_string(v)) {
        name = v;
        snprintf(sub, sizeof(sub), "%s", path);
        v = NULL;

    } else if (json_is_object(v)) {
        if (consent_check_keys(v, path, consent_cookie_keys,
                               "name, domain, provider, purpose, "
                               "lifetime or max_age", e)
            != 0)
        {
            return -1;
        }

        name = consent_get_string(v, "name", path, sub, sizeof(sub), e);
        if (name == NULL) {
            return -1;
        }

    } else {
        consent_error(e, path, "must be a cookie name or an object such "
                      "as {\"name\": \"_ga\"}");
        return -1;
    }

    s = json_string_value(name);
    len = json_string_length(name);

    if (consent_check_cookie_name(s, len, sub, e) != 0) {
        return -1;
    }

    prefix = (s[len - 1] == '*');
    len -= prefix;

    for (j = 0; j < p->ncookies; j++) {
        o = &p->cookies[j];

        if (o->prefix == prefix && o->len == len
            && memcmp(o->name, s, len) == 0)
        {
            consent_quote(q, sizeof(q), s, len + prefix);
            consent_error(e, sub, "%s is already declared in category "
                          "\"%s\"", q, p->categories[o->category].id);
            return -1;
        }
    }

    /* counted first: free() must see a half-filled declaration too */
    d = &p->cookies[p->ncookies++];
    memset(d, 0, sizeof(consent_cookie_decl_t));

    d->name = consent_strndup(s, len);
    if (d->name == NULL) {
        consent_error(e, NULL, "out of memory");
        return -1;
    }

    d->len = len;
    d->prefix = prefix;
    d->category = (unsigned) cat;
    d->max_age = -1;

    if (v == NULL) {
        return 0;
    }

    w = json_object_get(v, "domain");

    if (w != NULL) {
        consent_path_key(sub, sizeof(sub), path, "domain");

        if (!json_is_string(w)) {
            consent_error(e, sub, "must be a string");
            return -1;
        }

        s = json_string_value(w);
        len = json_string_length(w);

        /* ".example.com" means what "example.com" means to a browser */
        if (len > 1 && s[0] == '.') {
            s++;
            len--;
        }

        if (len == 0) {
            consent_error(e, sub, "must not be empty");
            return -1;
        }

        if (consent_check_host(s, len, sub, e) != 0) {
            return -1;
        }

        d->domain = consent_strndup(s, len);
        if (d->domain == NULL) {
            consent_error(e, NULL, "out of memory");
            return -1;
        }

        for (j = 0; j < len; j++) {
            d->domain[j] = (char) consent_ascii_lower((unsigned char) s[j]);
        }

        d->domain_len = len;
    }

    w = json_object_get(v, "provider");

    if (w != NULL) {
        consent_path_key(sub, sizeof(sub), path, "provider");

        if (consent_nonempty_text(w, sub, &s, e) != 0) {
            return -1;
        }

        d->provider = consent_strndup(s, json_string_length(w));
        if (d->provider == NULL) {
            consent_error(e, NULL, "out of memory");
            return -1;
        }
    }

    w = json_object_get(v, "purpose");

    if (w != NULL) {
        consent_path_key(sub, sizeof(sub), path, "purpose");

        if (consent_parse_i18n(p, w, sub, &d->purpose, e) != 0) {
            return -1;
        }
    }

    w = json_object_get(v, "lifetime");

    if (w != NULL) {
        consent_path_key(sub, sizeof(sub), path, "lifetime");

        if (consent_parse_i18n(p, w, sub, &d->lifetime, e) != 0) {
            return -1;
        }
    }

    w = json_object_get(v, "max_age");

    if (w != NULL) {
        consent_path_key(sub, sizeof(sub), path, "max_age");

        if (consent_parse_cookie_max_age(w, sub, &d->max_age, e) != 0) {
            return -1;
        }
    }

    return 0;
}


#define CONSENT_COOKIE_MAX_AGE_MAX  ((int64_t) 100 * 366 * 86400)


/*
 * A cookie's declared lifetime, machine-readable (the lifetime texts
 * are for people, in their languages): seconds, a string such as
 * "730d" ("s", "m", "h", "d"), or "session" (0); at most 100 years
 */

static int
consent_parse_cookie_max_age(json_t *w, const char *path, int64_t *out,
    consent_err_t *e)
{
    int      rc;
    int64_t  n;
    char     q[CONSENT_SHOWN_MAX * 4 + 8];

    if (json_is_string(w) && json_string_length(w) == 7
        && memcmp(json_string_value(w), "session", 7) == 0)
    {
        *out = 0;
        return 0;
    }

    rc = consent_json_seconds(w, CONSENT_COOKIE_MAX_AGE_MAX, &n, q,
                              sizeof(q));

    if (rc == -1) {
        consent_error(e, path, "%s is not a duration: use a number of "
                      "seconds, a string such as \"3600s\", \"90m\", "
                      "\"12h\" or \"730d\", or \"session\"", q);
        return -1;
    }

    if (rc == 1) {
        consent_error(e, path, "must be a number of seconds, a string "
                      "such as \"730d\", or \"session\"");
        return -1;
    }

    if (n < 0) {
        consent_error(e, path, "must not be negative");
        return -1;
    }

    if (n > CONSENT_COOKIE_MAX_AGE_MAX) {
        consent_error(e, path, "must be at most 100 years (%lld seconds)",
                      (long long) CONSENT_COOKIE_MAX_AGE_MAX);
        return -1;
    }

    *out = n;

    return 0;
}


/*
 * An RFC 6265 cookie-name (a token), optionally ending in "*" for a
 * prefix; "*" alone would cover every cookie, which is what the
 * consent_unknown_cookies directive is for
 */

static int
consent_check_cookie_name(const char *s, size_t len, const char *path,
    consent_err_t *e)
{
    size_t         i;
    unsigned char  c;
    char           q[CONSENT_SHOWN_MAX * 4 + 8];

    consent_quote(q, sizeof(q), s, len);

    if (len == 0) {
        consent_error(e, path, "must not be empty");
        return -1;
    }

    if (len > CONSENT_COOKIE_NAME_MAX) {
        consent_error(e, path, "longer than %d bytes",
                      CONSENT_COOKIE_NAME_MAX);
        return -1;
    }

    if (len == 1 && s[0] == '*') {
        consent_error(e, path, "\"*\" alone would cover every cookie: name "
                      "the cookies, or use the consent_unknown_cookies "
                      "directive for the ones no category names");
        return -1;
    }

    for (i = 0; i < len; i++) {
        c = (unsigned char) s[i];

        if (c == '*') {
            if (i != len - 1) {
                consent_error(e, path, "%s: \"*\" may only end a name, "
                              "as a prefix (\"_ga*\")", q);
                return -1;
            }

            continue;
        }

        if (!consent_ascii_token(c)) {
            if (c > 0x20 && c < 0x7f) {
                consent_error(e, path, "%s is not a cookie name: '%c' is "
                              "not allowed (a name is printable ASCII "
                              "without spaces or ()<>@,;:\\\"/[]?={})",
                              q, c);

            } else {
                consent_error(e, path, "%s is not a cookie name: byte "
                              "0x%02x is not allowed (a name is printable "
                              "ASCII without spaces or "
                              "()<>@,;:\\\"/[]?={})", q, c);
            }

            return -1;
        }
    }

    return 0;
}


/*
 * The names other consent managers give the category, so that pages
 * marked for them (data-cookieconsent="statistics") keep working.
 * Unique across the policy; checked against later ids at the end.
 */

static int
consent_parse_aliases(consent_policy_t *p, size_t cat, json_t *arr,
    const char *path, consent_err_t *e)
{
    size_t            i, k, len;
    json_t           *v;
    const char       *s;
    consent_alias_t  *a;
    char              sub[CONSENT_PATH_MAX];

    if (!json_is_array(arr)) {
        consent_error(e, path, "must be an array of names, such as "
                      "[\"statistics\"]");
        return -1;
    }

    if (json_array_size(arr) > CONSENT_ALIASES_MAX) {
        consent_error(e, path, "more than %d aliases", CONSENT_ALIASES_MAX);
        return -1;
    }

    if (json_array_size(arr) == 0) {
        return 0;
    }

    a = realloc(p->aliases,
                (p->naliases + json_array_size(arr)) * sizeof(*a));
    if (a == NULL) {
        consent_error(e, NULL, "out of memory");
        return -1;
    }

    p->aliases = a;

    json_array_foreach(arr, i, v) {
        consent_path_index(sub, sizeof(sub), path, i);

        if (!json_is_string(v)) {
            consent_error(e, sub, "must be a string");
            return -1;
        }

        s = json_string_value(v);
        len = json_string_length(v);

        if (consent_id_check(s, len, sub, e) != 0) {
            return -1;
        }

        if (len == p->categories[cat].id_len
            && memcmp(s, p->categories[cat].id, len) == 0)
        {
            consent_error(e, sub, "\"%s\" is the category's own id", s);
            return -1;
        }

        for (k = 0; k < p->naliases; k++) {
            if (p->aliases[k].len == len
                && memcmp(p->aliases[k].name, s, len) == 0)
            {
                consent_error(e, sub, "alias \"%s\" already belongs to "
                              "category \"%s\"", s,
                              p->categories[p->aliases[k].category].id);
                return -1;
            }
        }

        a = &p->aliases[p->naliases];

        a->name = consent_strndup(s, len);
        if (a->name == NULL) {
            consent_error(e, NULL, "out of memory");
            return -1;
        }

        a->len = len;
        a->category = (unsigned) cat;

        p->naliases++;
    }

    return 0;
}


/* an alias must not be another category's id, even a later one */

static int
consent_check_aliases(consent_policy_t *p, consent_err_t *e)
{
    int               cat;
    size_t            i, j, n;
    consent_alias_t  *a;
    char              path[CONSENT_PATH_MAX], sub[CONSENT_PATH_MAX];

    for (i = 0; i < p->naliases; i++) {
        a = &p->aliases[i];

        cat = consent_policy_category(p, a->name, a->len);

        if (cat < 0) {
            continue;
        }

        /* its position in its own category's array, for the path */
        n = 0;

        for (j = 0; j < i; j++) {
            if (p->aliases[j].category == a->category) {
                n++;
            }
        }

        consent_path_index(path, sizeof(path), "categories", a->category);
        consent_path_key(sub, sizeof(sub), path, "aliases");
        consent_path_index(path, sizeof(path), sub, n);

        consent_error(e, path, "\"%s\" is the id of category %d: an alias "
                      "must not be another category's id", a->name, cat);
        return -1;
    }

    return 0;
}


/*
 * Each signal belongs to one category at most, so that whether it is
 * granted never depends on how two choices would be combined.
 */

static int
consent_parse_consent_mode(consent_policy_t *p, consent_category_t *c,
    json_t *arr, const char *path, uint32_t *gcm_seen, consent_err_t *e)
{
    size_t   i, k;
    json_t  *v;
    char     sub[CONSENT_PATH_MAX];
    char     q[CONSENT_SHOWN_MAX * 4 + 8];

    if (!json_is_array(arr)) {
        consent_error(e, path, "must be an array of Google Consent Mode "
                      "signals, such as [\"analytics_storage\"]");
        return -1;
    }

    json_array_foreach(arr, i, v) {
        consent_path_index(sub, sizeof(sub), path, i);

        if (!json_is_string(v)) {
            consent_error(e, sub, "must be a string");
            return -1;
        }

        for (k = 0; k < CONSENT_GCM_N; k++) {
            if (strcmp(json_string_value(v), consent_gcm_names[k]) == 0
                && strlen(consent_gcm_names[k]) == json_string_length(v))
            {
                break;
            }
        }

        if (k == CONSENT_GCM_N) {
            consent_quote(q, sizeof(q), json_string_value(v),
                          json_string_length(v));
            consent_error(e, sub, "unknown Google Consent Mode signal %s "
                          "(expected ad_storage, ad_user_data, "
                          "ad_personalization, analytics_storage, "
                          "functionality_storage, personalization_storage "
                          "or security_storage)", q);
            return -1;
        }

        if (c->gcm & ((uint32_t) 1 << k)) {
            consent_error(e, sub, "duplicate signal \"%s\"",
                          consent_gcm_names[k]);
            return -1;
        }

        if (gcm_seen[k]) {
            consent_error(e, sub, "signal \"%s\" already belongs to "
                          "category \"%s\"", consent_gcm_names[k],
                          p->categories[gcm_seen[k] - 1].id);
            return -1;
        }

        c->gcm |= (uint32_t) 1 << k;
        gcm_seen[k] = (uint32_t) (c - p->categories) + 1;
    }

    return 0;
}


static int
consent_parse_i18n(consent_policy_t *p, json_t *obj, const char *path,
    consent_i18n_t *out, consent_err_t *e)
{
    size_t       i;
    json_t      *v;
    const char  *key, *s;
    int          found;
    char         lang[CONSENT_LANG_MAX + 1];
    char         sub[CONSENT_PATH_MAX];

    if (!json_is_object(obj)) {
        consent_error(e, path, "must be an object of languages, such as "
                      "{\"%s\": \"...\"}", p->default_lang);
        return -1;
    }

    if (json_object_size(obj) > CONSENT_LANGS_MAX) {
        consent_error(e, path, "more than %d languages", CONSENT_LANGS_MAX);
        return -1;
    }

    if (consent_i18n_alloc(out, json_object_size(obj)) != 0) {
        consent_error(e, NULL, "out of memory");
        return -1;
    }

    found = 0;

    json_object_foreach(obj, key, v) {
        if (consent_lang_key(key, path, lang, e) != 0) {
            return -1;
        }

        consent_path_key(sub, sizeof(sub), path, key);

        if (consent_i18n_find(out, lang, strlen(lang)) != NULL) {
            consent_error(e, sub, "duplicate language \"%s\"", lang);
            return -1;
        }

        if (consent_nonempty_text(v, sub, &s, e) != 0) {
            return -1;
        }

        i = out->n;

        out->lang[i] = consent_strndup(lang, strlen(lang));
        out->text[i] = consent_strndup(s, json_string_length(v));
        out->n++;

        if (out->lang[i] == NULL || out->text[i] == NULL) {
            consent_error(e, NULL, "out of memory");
            return -1;
        }

        if (strcmp(lang, p->default_lang) == 0) {
            found = 1;
        }
    }

    if (!found) {
        consent_error(e, path, "missing the default language \"%s\"",
                      p->default_lang);
        return -1;
    }

    return 0;
}


static int
consent_parse_rules(consent_policy_t *p, json_t *root, consent_err_t *e)
{
    size_t                i, k;
    json_t               *arr, *obj;
    consent_rule_list_t  *l;
    char                  path[CONSENT_PATH_MAX];
    char                  msg[128];

    arr = json_object_get(root, "rules");

    if (arr == NULL) {
        return 0;
    }

    if (!json_is_array(arr)) {
        consent_error(e, "rules", "must be an array");
        return -1;
    }

    json_array_foreach(arr, i, obj) {
        consent_path_index(path, sizeof(path), "rules", i);

        if (consent_parse_rule(p, obj, path, e) != 0) {
            return -1;
        }
    }

    /* the matcher walks the rules of one kind at a time */
    for (k = 0; k < 3; k++) {
        l = &p->by_kind[k];

        l->index = calloc(p->nrules ? p->nrules : 1, sizeof(size_t));
        if (l->index == NULL) {
            consent_error(e, NULL, "out of memory");
            return -1;
        }

        for (i = 0; i < p->nrules; i++) {
            if (p->rules[i].kind == (consent_rule_kind_e) k) {
                l->index[l->n++] = i;
            }
        }
    }

    /* the matcher runs them compiled, next to it */
    if (consent_match_compile(p, msg, sizeof(msg)) != 0) {
        consent_error(e, "rules", "%s", msg);
        return -1;
    }

    return 0;
}


static int
consent_parse_rule(consent_policy_t *p, json_t *obj, const char *path,
    consent_err_t *e)
{
    int                   cat;
    size_t                npatterns;
    json_t               *v;
    const char           *key;
    consent_rule_kind_e   kind;
    char                  sub[CONSENT_PATH_MAX];
    char                  q[CONSENT_SHOWN_MAX * 4 + 8];

    if (!json_is_object(obj)) {
        consent_error(e, path, "must be an object");
        return -1;
    }

    if (consent_check_keys(obj, path, consent_rule_keys,
                           "category, hosts, urls or inline", e)
        != 0)
    {
        return -1;
    }

    v = consent_get_string(obj, "category", path, sub, sizeof(sub), e);
    if (v == NULL) {
        return -1;
    }

    cat = consent_policy_category(p, json_string_value(v),
                                  json_string_length(v));

    if (cat < 0) {
        consent_quote(q, sizeof(q), json_string_value(v),
                      json_string_length(v));
        consent_error(e, sub, "unknown category %s", q);
        return -1;
    }

    if (p->categories[cat].required) {
        consent_error(e, sub, "\"%s\" is a required category, always "
                      "granted: there is nothing to gate",
                      p->categories[cat].id);
        return -1;
    }

    npatterns = 0;

    /* in the order of the keys in the file */
    json_object_foreach(obj, key, v) {
        if (strcmp(key, "hosts") == 0) {
            kind = CONSENT_RULE_HOST;

        } else if (strcmp(key, "urls") == 0) {
            kind = CONSENT_RULE_URL;

        } else if (strcmp(key, "inline") == 0) {
            kind = CONSENT_RULE_INLINE;

        } else {
            continue;
        }

        consent_path_key(sub, sizeof(sub), path, key);

        if (consent_parse_patterns(p, v, kind, (unsigned) cat, sub, e)
            != 0)
        {
            return -1;
        }

        npatterns += json_array_size(v);
    }

    if (npatterns == 0) {
        consent_error(e, path, "needs at least one of \"hosts\", \"urls\" "
                      "or \"inline\"");
        return -1;
    }

    return 0;
}


static int
consent_parse_patterns(consent_policy_t *p, json_t *arr,
    consent_rule_kind_e kind, unsigned cat, const char *path,
    consent_err_t *e)
{
    size_t       i, len;
    json_t      *v;
    const char  *s;
    char         sub[CONSENT_PATH_MAX];
    char         folded[CONSENT_PATTERN_MAX];

    if (!json_is_array(arr)) {
        consent_error(e, path, "must be an array of strings");
        return -1;
    }

    json_array_foreach(arr, i, v) {
        consent_path_index(sub, sizeof(sub), path, i);

        if (!json_is_string(v)) {
            consent_error(e, sub, "must be a string");
            return -1;
        }

        s = json_string_value(v);
        len = json_string_length(v);

        if (len == 0) {
            consent_error(e, sub, "must not be empty");
            return -1;
        }

        if (kind == CONSENT_RULE_HOST) {
            if (consent_check_host(s, len, sub, e) != 0) {
                return -1;
            }

        } else if (len > CONSENT_PATTERN_MAX) {
            consent_error(e, sub, "longer than %d bytes",
                          CONSENT_PATTERN_MAX);
            return -1;
        }

        if (kind == CONSENT_RULE_URL) {
            len = consent_match_fold(s, len, folded);
            s = folded;

            if (len == 0) {
                consent_error(e, sub, "must not be empty");
                return -1;
            }
        }

        if (consent_add_rule(p, kind, s, len, cat) != 0) {
            consent_error(e, NULL, "out of memory");
            return -1;
        }
    }

    return 0;
}


static int
consent_check_host(const char *s, size_t len, const char *path,
    consent_err_t *e)
{
    size_t  i;
    int     c;
    char    q[CONSENT_SHOWN_MAX * 4 + 8];

    consent_quote(q, sizeof(q), s, len);

    for (i = 0; i + 3 <= len; i++) {
        if (memcmp(s + i, "://", 3) == 0) {
            break;
        }
    }

    if (i + 3 <= len || (len > 1 && s[0] == '/')) {
        consent_error(e, path, "%s is a URL, not a host name: write the "
                      "host alone, or use \"urls\"", q);
        return -1;
    }

    if (len > 2 && s[0] == '*' && s[1] == '.') {
        consent_error(e, path, "%s: write the host without \"*.\", a host "
                      "rule matches its subdomains too", q);
        return -1;
    }

    if (len > CONSENT_HOST_MAX) {
        consent_error(e, path, "host name longer than %d bytes",
                      CONSENT_HOST_MAX);
        return -1;
    }

    for (i = 0; i < len; i++) {
        c = consent_ascii_lower((unsigned char) s[i]);

        if (c == '/' || c == ':') {
            consent_error(e, path, "%s: a host name has no port and no "
                          "path: use \"urls\" for a path", q);
            return -1;
        }

        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
              || c == '-' || c == '.'))
        {
            consent_error(e, path, "%s is not a host name (letters, digits, "
                          "\"-\" and \".\")", q);
            return -1;
        }

        if (c == '.' && (i == 0 || i == len - 1 || s[i - 1] == '.')) {
            consent_error(e, path, "%s is not a host name: it starts or "
                          "ends with \".\" or has an empty label", q);
            return -1;
        }
    }

    return 0;
}


/*
 * How common a byte is in scripts and URLs, roughly, from 0 (rare) to
 * 99: the matcher looks for a pattern's least common byte with memchr()
 * and so stops less often ("fbq(" by its "q", not its "f").
 */

static int
consent_byte_rank(int c)
{
    static const unsigned char  letters[26] = {
        70, 20, 50, 45, 99, 30, 25, 30, 75, 6, 10, 55, 35,  /* a-m */
        80, 75, 35, 2, 70, 70, 90, 45, 20, 15, 8, 15, 2     /* n-z */
    };

    if (c >= 'a' && c <= 'z') {
        return letters[c - 'a'];
    }

    if (c >= 'A' && c <= 'Z') {
        return 8;
    }

    if (c >= '0' && c <= '9') {
        return 10;
    }

    switch (c) {

    case ' ':
    case '\n':
        return 99;

    case '(':
    case ')':
    case '.':
        return 40;

    case ',':
    case ';':
    case '\'':
    case '"':
    case '=':
    case '/':
    case '\t':
        return 30;

    case '{':
    case '}':
    case ':':
    case '-':
        return 15;

    default:
        return 3;
    }
}


static int
consent_add_rule(consent_policy_t *p, consent_rule_kind_e kind,
    const char *s, size_t len, unsigned cat)
{
    size_t           i, cap;
    consent_rule_t  *r;

    /* the capacity is 16, then doubles: full at 16, 32, 64... */
    if (p->nrules == 0
        || (p->nrules >= 16 && (p->nrules & (p->nrules - 1)) == 0))
    {
        cap = p->nrules == 0 ? 16 : p->nrules * 2;

        r = realloc(p->rules, cap * sizeof(consent_rule_t));
        if (r == NULL) {
            return -1;
        }

        p->rules = r;
    }

    r = &p->rules[p->nrules];

    r->pattern = consent_strndup(s, len);
    if (r->pattern == NULL) {
        return -1;
    }

    if (kind == CONSENT_RULE_HOST) {
        for (i = 0; i < len; i++) {
            r->pattern[i] = (char) consent_ascii_lower((unsigned char) s[i]);
        }
    }

    r->kind = kind;
    r->len = len;
    r->category = cat;
    r->rare = 0;

    for (i = 1; i < len; i++) {
        if (consent_byte_rank((unsigned char) r->pattern[i])
            < consent_byte_rank((unsigned char) r->pattern[r->rare]))
        {
            r->rare = i;
        }
    }

    p->nrules++;

    return 0;
}


/* per-language strings */


static int
consent_i18n_alloc(consent_i18n_t *t, size_t n)
{
    /* calloc(0) may return NULL: ask for one at least */
    t->lang = calloc(n ? n : 1, sizeof(char *));
    t->text = calloc(n ? n : 1, sizeof(char *));
    t->n = 0;

    return (t->lang == NULL || t->text == NULL) ? -1 : 0;
}


static void
consent_i18n_free(consent_i18n_t *t)
{
    size_t  i;

    for (i = 0; i < t->n; i++) {
        free(t->lang[i]);
        free(t->text[i]);
    }

    free(t->lang);
    free(t->text);

    t->lang = NULL;
    t->text = NULL;
    t->n = 0;
}


static const char *
consent_i18n_find(const consent_i18n_t *t, const char *lang, size_t len)
{
    size_t  i;

    for (i = 0; i < t->n; i++) {
        if (consent_ascii_ieq(t->lang[i], strlen(t->lang[i]), lang, len)) {
            return t->text[i];
        }
    }

    return NULL;
}


/*
 * "es-mx", then "es", then the default language: a regional variant may
 * override a few texts of its language and inherit the rest.
 */

static const char *
consent_i18n_get(const consent_policy_t *p, const consent_i18n_t *t,
    const char *lang)
{
    size_t       len;
    const char  *s;

    if (lang != NULL) {
        len = strnlen(lang, CONSENT_LANG_MAX + 1);

        while (len > 0 && len <= CONSENT_LANG_MAX) {
            s = consent_i18n_find(t, lang, len);
            if (s != NULL) {
                return s;
            }

            while (len > 0 && lang[len - 1] != '-') {
                len--;
            }

            if (len > 0) {
                len--;
            }
        }
    }

    return consent_i18n_find(t, p->default_lang, strlen(p->default_lang));
}



/*
 * Copyright (C) ngx_http_consent_module authors
 */


#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "consent_ascii.h"
#include "consent_base64.h"
#include "consent_errf.h"
#include "consent_utf8.h"
#include "consent_proof.h"
#include "consent_regime.h"
#include "consent_render.h"


/* a policy being put together again from the records of one chain */
typedef struct {
    char                chain[CONSENT_CHAIN_ID_LEN + 1];
    char                sha256_hex[CONSENT_HASH_HEX_LEN + 1];
    int64_t             revision;
    uint64_t            parts;
    uint64_t            size;
    uint64_t            next;           /* the part expected */
    uint64_t            first_seq;
    unsigned char      *buf;            /* packed: parts * PART at most */
    size_t              len;
} consent_proof_open_t;


struct consent_proof_s {
    int                       keep;
    consent_proof_policy_t   *policies;
    size_t                    npolicies;
    size_t                    apolicies;
    consent_proof_open_t     *open;
    size_t                    nopen;
    size_t                    aopen;
};


static consent_proof_policy_t *consent_proof_entry(consent_proof_t *pf,
    const char *sha256_hex);
static consent_proof_open_t *consent_proof_open(consent_proof_t *pf,
    const char *chain);
static void consent_proof_close(consent_proof_t *pf, consent_proof_open_t *o);
static int consent_proof_finish(consent_proof_t *pf, consent_proof_open_t *o,
    char *msg, size_t msglen);
static int consent_proof_block(const char *name, size_t len);
static int consent_proof_raw(const char *name, size_t len);
static size_t consent_proof_entity(const char *p, const char *end,
    char *out, size_t *outlen);


consent_proof_t *
consent_proof_create(int keep)
{
    consent_proof_t  *pf;

    pf = calloc(1, sizeof(consent_proof_t));
    if (pf == NULL) {
        return NULL;
    }

    pf->keep = keep;

    return pf;
}


void
consent_proof_free(consent_proof_t *pf)
{
    size_t  i;

    if (pf == NULL) {
        return;
    }

    for (i = 0; i < pf->npolicies; i++) {
        free(pf->policies[i].source);
        free(pf->policies[i].parse_error);
        consent_policy_free(pf->policies[i].policy);
    }

    while (pf->nopen) {
        consent_proof_close(pf, &pf->open[0]);
    }

    free(pf->policies);
    free(pf->open);
    free(pf);
}


int
consent_proof_part(consent_proof_t *pf, const consent_record_parsed_t *rec,
    int partial, char *msg, size_t msglen)
{
    int                    rc, done;
    size_t                 dlen, n;
    int64_t                revision;
    const char            *sha, *data;
    consent_proof_open_t  *o;

    sha = consent_record_get_str(rec, "policy_sha256", NULL);
    data = consent_record_get_str(rec, "data", &dlen);

    if (sha == NULL || data == NULL
        || consent_record_get_int(rec, "revision", &revision) != 0)
    {
        consent_errf(msg, msglen, "not a policy record");
        return 1;
    }

    rc = 0;
    o = consent_proof_open(pf, rec->chain);

    if (o != NULL && rec->part == 1) {

        /* a part that could not be sent: the policy begins again */

        (void) consent_proof_unfinished(pf, (size_t) (o - pf->open), msg,
                                        msglen);
        consent_proof_close(pf, o);
        o = NULL;
        rc = 2;
    }

    if (o == NULL) {
        if (rec->part != 1) {
            consent_errf(msg, msglen, "chain %.8s: policy %.12s "
                         "(revision %lld) starts at part %llu of "
                         "%llu: %s", rec->chain, sha,
                         (long long) revision,
                         (unsigned long long) rec->part,
                         (unsigned long long) rec->parts,
                         partial ? "its start is in an earlier file"
                                 : "its first parts are missing");
            return partial ? 2 : 1;
        }

        if (pf->nopen == pf->aopen) {
            n = pf->aopen ? 2 * pf->aopen : 4;
            o = realloc(pf->open, n * sizeof(consent_proof_open_t));
            if (o == NULL) {
                return -1;
            }

            pf->open = o;
            pf->aopen = n;
        }

        o = &pf->open[pf->nopen];
        memset(o, 0, sizeof(consent_proof_open_t));

        /* the record's structure was checked: parts is small */

        o->buf = malloc(rec->parts * CONSENT_POLICY_PART);
        if (o->buf == NULL) {
            return -1;
        }

        pf->nopen++;

        memcpy(o->chain, rec->chain, CONSENT_CHAIN_ID_LEN + 1);
        memcpy(o->sha256_hex, sha, CONSENT_HASH_HEX_LEN);
        o->sha256_hex[CONSENT_HASH_HEX_LEN] = '\0';
        o->revision = revision;
        o->parts = rec->parts;
        o->size = rec->size;
        o->next = 1;
        o->first_seq = rec->seq;

    } else if (rec->part != o->next || rec->parts != o->parts
               || rec->size != o->size || revision != o->revision
               || strcmp(sha, o->sha256_hex) != 0)
    {
        consent_errf(msg, msglen, "chain %.8s: part %llu of policy "
                     "%.12s follows part %llu of policy %.12s: a "
                     "part is missing or out of place", rec->chain,
                     (unsigned long long) rec->part, sha,
                     (unsigned long long) (o->next - 1),
                     o->sha256_hex);
        consent_proof_close(pf, o);
        return 1;
    }

    /* the record's structure was checked: the length is the part's */

    n = dlen * 3 / 4;

    if (n > CONSENT_POLICY_PART
        || consent_b64url_decode_exact(data, dlen, o->buf + o->len, n) != 0)
    {
        consent_errf(msg, msglen, "chain %.8s: policy %.12s part %llu "
                     "cannot be decoded", rec->chain, sha,
                     (unsigned long long) rec->part);
        consent_proof_close(pf, o);
        return 1;
    }

    o->len += n;
    o->next++;

    if (rec->part < rec->parts) {
        return rc;
    }

    /* a problem of this one replaces the note on the unfinished one */

    done = consent_proof_finish(pf, o, msg, msglen);

    return done ? done : rc;
}


/* the last part: the whole policy must hash to what it claims */

static int
consent_proof_finish(consent_proof_t *pf, consent_proof_open_t *o,
    char *msg, size_t msglen)
{
    int                      rc;
    char                     hex[CONSENT_HASH_HEX_LEN + 1];
    char                     err[CONSENT_PROOF_MSG_MAX / 2];
    char                    *raw;
    uLongf                   rawlen;
    unsigned int             mdlen;
    unsigned char            md[32];
    consent_policy_t        *p;
    consent_proof_policy_t  *e;

    rc = 0;
    mdlen = 0;

    raw = malloc(o->size ? o->size : 1);
    if (raw == NULL) {
        consent_proof_close(pf, o);
        return -1;
    }

    rawlen = (uLongf) o->size;

    if (uncompress((Bytef *) raw, &rawlen, o->buf, (uLong) o->len) != Z_OK
        || rawlen != o->size)
    {
        consent_errf(msg, msglen, "chain %.8s: the policy %.12s "
                     "stored from seq %llu cannot be unpacked to its "
                     "%llu bytes: it was altered", o->chain,
                     o->sha256_hex, (unsigned long long) o->first_seq,
                     (unsigned long long) o->size);
        free(raw);
        consent_proof_close(pf, o);
        return 1;
    }

    if (EVP_Digest(raw, rawlen, md, &mdlen, EVP_sha256(), NULL) != 1
        || mdlen != 32)
    {
        free(raw);
        consent_proof_close(pf, o);
        return -1;
    }

    consent_hex_encode(md, 32, hex);

    if (strcmp(hex, o->sha256_hex) != 0) {
        consent_errf(msg, msglen, "chain %.8s: the policy stored "
                     "from seq %llu hashes to %.12s, not to its "
                     "policy_sha256 %.12s (revision %lld): its text "
                     "was altered", o->chain,
                     (unsigned long long) o->first_seq, hex,
                     o->sha256_hex, (long long) o->revision);
        free(raw);
        consent_proof_close(pf, o);
        return 1;
    }

    e = consent_proof_entry(pf, o->sha256_hex);
    if (e == NULL) {
        free(raw);
        consent_proof_close(pf, o);
        return -1;
    }

    if (e->revision >= 0 && e->revision != o->revision) {
        consent_errf(msg, msglen, "chain %.8s: policy %.12s is stored "
                     "as revision %lld, consent records name it as "
                     "revision %lld", o->chain, o->sha256_hex,
                     (long long) o->revision, (long long) e->revision);
        rc = 1;
    }

    e->stored++;

    if (e->revision < 0) {
        e->revision = o->revision;
    }

    if (pf->keep && e->source == NULL) {
        p = consent_policy_parse(raw, rawlen, err, sizeof(err));

        if (p == NULL) {
            e->parse_error = strdup(err);

        } else if ((int64_t) p->revision != o->revision && rc == 0) {
            consent_errf(msg, msglen, "chain %.8s: policy %.12s is "
                         "stored as revision %lld, its file says %u",
                         o->chain, o->sha256_hex,
                         (long long) o->revision, p->revision);
            rc = 1;
        }

        e->policy = p;
        e->source = raw;
        e->source_len = rawlen;
        raw = NULL;
    }

    free(raw);
    consent_proof_close(pf, o);

    return rc;
}


int
consent_proof_use(consent_proof_t *pf, const char *sha256_hex,
    int64_t revision, int64_t ts_ms, char *msg, size_t msglen)
{
    consent_proof_policy_t  *e;

    e = consent_proof_entry(pf, sha256_hex);
    if (e == NULL) {
        return -1;
    }

    if (e->first_ms < 0 || ts_ms < e->first_ms) {
        e->first_ms = ts_ms;
    }

    if (ts_ms > e->last_ms) {
        e->last_ms = ts_ms;
    }

    e->uses++;

    if (e->revision < 0) {
        e->revision = revision;
        return 0;
    }

    if (e->revision != revision) {
        consent_errf(msg, msglen, "the record names policy %.12s as "
                     "revision %lld, the log has it as revision %lld",
                     sha256_hex, (long long) revision,
                     (long long) e->revision);
        return 1;
    }

    return 0;
}


int
consent_proof_unfinished(consent_proof_t *pf, size_t i, char *msg,
    size_t msglen)
{
    consent_proof_open_t  *o;

    if (i >= pf->nopen) {
        return 0;
    }

    o = &pf->open[i];

    consent_errf(msg, msglen, "chain %.8s: the policy %.12s stored "
                 "from seq %llu stops at part %llu of %llu (a part "
                 "that could not be sent is sent again from the "
                 "first)",
                 o->chain, o->sha256_hex,
                 (unsigned long long) o->first_seq,
                 (unsigned long long) (o->next - 1),
                 (unsigned long long) o->parts);

    return 1;
}


size_t
consent_proof_count(const consent_proof_t *pf)
{
    return pf->npolicies;
}


const consent_proof_policy_t *
consent_proof_get(const consent_proof_t *pf, size_t i)
{
    return i < pf->npolicies ? &pf->policies[i] : NULL;
}


const consent_proof_policy_t *
consent_proof_find(const consent_proof_t *pf, const char *sha256_hex)
{
    size_t  i;

    for (i = 0; i < pf->npolicies; i++) {
        if (strcmp(pf->policies[i].sha256_hex, sha256_hex) == 0) {
            return &pf->policies[i];
        }
    }

    return NULL;
}


/* a handful of policies in a log: a linear search is enough */

static consent_proof_policy_t *
consent_proof_entry(consent_proof_t *pf, const char *sha256_hex)
{
    size_t                   n;
    consent_proof_policy_t  *e;

    e = (consent_proof_policy_t *) consent_proof_find(pf, sha256_hex);
    if (e != NULL) {
        return e;
    }

    if (strlen(sha256_hex) != CONSENT_HASH_HEX_LEN) {
        return NULL;
    }

    if (pf->npolicies == pf->apolicies) {
        n = pf->apolicies ? 2 * pf->apolicies : 4;
        e = realloc(pf->policies, n * sizeof(consent_proof_policy_t));
        if (e == NULL) {
            return NULL;
        }

        pf->policies = e;
        pf->apolicies = n;
    }

    e = &pf->policies[pf->npolicies++];
    memset(e, 0, sizeof(consent_proof_policy_t));
    memcpy(e->sha256_hex, sha256_hex, CONSENT_HASH_HEX_LEN + 1);
    e->revision = -1;
    e->first_ms = -1;
    e->last_ms = -1;

    return e;
}


static consent_proof_open_t *
consent_proof_open(consent_proof_t *pf, const char *chain)
{
    size_t  i;

    for (i = 0; i < pf->nopen; i++) {
        if (strcmp(pf->open[i].chain, chain) == 0) {
            return &pf->open[i];
        }
    }

    return NULL;
}


static void
consent_proof_close(consent_proof_t *pf, consent_proof_open_t *o)
{
    free(o->buf);

    *o = pf->open[--pf->nopen];
}



char *
consent_proof_notice(const consent_policy_t *p, const char *lang, int gpc,
    const char *regime, size_t *len)
{
    char                     *html, *text;
    size_t                    hlen;
    consent_tpl_vars_t        vars;
    consent_render_conf_t     rc;
    const consent_regime_t   *rg;

    /* what the visitor reads does not depend on these */

    memset(&rc, 0, sizeof(consent_render_conf_t));
    rc.endpoint = "/consent/";
    rc.endpoint_len = sizeof("/consent/") - 1;
    rc.version = "";
    rc.position = CONSENT_POSITION_BOTTOM;
    rc.manage_button = 0;

    memset(&vars, 0, sizeof(consent_tpl_vars_t));
    vars.ret = "/";
    vars.ret_len = 1;
    vars.granted = p->required_mask;
    vars.gpc = gpc ? 1 : 0;

    rg = NULL;

    if (regime != NULL && regime[0] != '\0') {
        rg = consent_regime_find(p, regime, strlen(regime));
        if (rg == NULL) {
            return NULL;
        }
    }

    /* as the module picks the banner of a regime */

    if (rg != NULL && rg->model == CONSENT_MODEL_OFF) {
        html = strdup("");
        hlen = 0;

    } else if (rg != NULL && rg->model == CONSENT_MODEL_NOTICE) {
        html = consent_regime_notice_banner(p, rg, lang, &rc, &vars, &hlen);

    } else {
        html = consent_render_banner(rg && rg->shown ? rg->shown : p, lang,
                                     &rc, &vars, &hlen);
    }

    if (html == NULL) {
        return NULL;
    }

    text = consent_proof_text(html, hlen, len);

    free(html);

    return text;
}


char *
consent_proof_text(const char *html, size_t len, size_t *outlen)
{
    char         *out, *o, q;
    size_t        n, nlen;
    const char   *p, *end, *name, *close;
    int           space;

    /* decoding never makes text longer; one '\n' per tag at most */

    out = malloc(2 * len + 2);
    if (out == NULL) {
        return NULL;
    }

    o = out;
    space = 0;
    p = html;
    end = html + len;

    while (p < end) {

        if (*p == '<') {
            p++;
            name = p + (p < end && *p == '/');

            for (n = 0; name + n < end
                        && ((name[n] >= 'a' && name[n] <= 'z')
                            || (name[n] >= 'A' && name[n] <= 'Z')
                            || (name[n] >= '0' && name[n] <= '9'));
                 n++)
            {
                /* void */
            }

            /* to the end of the tag, over quoted attribute values */

            for (q = 0; p < end; p++) {
                if (q) {
                    q = (*p == q) ? 0 : q;

                } else if (*p == '"' || *p == '\'') {
                    q = *p;

                } else if (*p == '>') {
                    break;
                }
            }

            p += (p < end);

            if (consent_proof_block(name, n)) {
                if (o > out && o[-1] != '\n') {
                    *o++ = '\n';
                }

                space = 0;
            }

            if (name[-1] != '/' && consent_proof_raw(name, n)) {
                close = p;

                while (close < end
                       && !(close[0] == '<' && close + 1 < end
                            && close[1] == '/'))
                {
                    close++;
                }

                p = close;
            }

            continue;
        }

        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'
            || *p == '\f')
        {
            space = (o > out && o[-1] != '\n');
            p++;
            continue;
        }

        if (space) {
            *o++ = ' ';
            space = 0;
        }

        if (*p == '&') {
            p += consent_proof_entity(p, end, o, &nlen);
            o += nlen;
            continue;
        }

        *o++ = *p++;
    }

    if (o > out && o[-1] != '\n') {
        *o++ = '\n';
    }

    *o = '\0';

    if (outlen) {
        *outlen = (size_t) (o - out);
    }

    return out;
}


/* elements that begin a new line of text */

static int
consent_proof_block(const char *name, size_t len)
{
    size_t        i, k;
    static const char *const  blocks[] = {
        "div", "p", "h1", "h2", "h3", "h4", "h5", "h6", "label", "button",
        "form", "ul", "ol", "li", "br", "dialog", "section", "fieldset",
        "legend", "table", "tr", "td", "th", NULL
    };

    for (i = 0; blocks[i]; i++) {
        if (strlen(blocks[i]) != len) {
            continue;
        }

        for (k = 0; k < len; k++) {
            if ((name[k] | 0x20) != blocks[i][k]) {
                break;
            }
        }

        if (k == len) {
            return 1;
        }
    }

    return 0;
}


/* elements whose content is not text a visitor reads */

static int
consent_proof_raw(const char *name, size_t len)
{
    return (len == 6 && strncasecmp(name, "script", 6) == 0)
           || (len == 5 && strncasecmp(name, "style", 5) == 0)
           || (len == 8 && strncasecmp(name, "template", 8) == 0);
}


/*
 * An entity at p: the ones the module's escaper writes and numeric
 * ones.  Writes the character to out and returns the bytes consumed;
 * anything else is the '&' itself.
 */

static size_t
consent_proof_entity(const char *p, const char *end, char *out,
    size_t *outlen)
{
    size_t          i, n;
    unsigned long   c;
    static const struct {
        const char  *name;
        char         c;
    } named[] = {
        { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
        { "&quot;", '"' }, { "&apos;", '\'' }, { NULL, 0 }
    };

    for (i = 0; named[i].name; i++) {
        n = strlen(named[i].name);

        if ((size_t) (end - p) >= n && memcmp(p, named[i].name, n) == 0) {
            out[0] = named[i].c;
            *outlen = 1;
            return n;
        }
    }

    if (end - p >= 4 && p[1] == '#') {
        c = 0;
        n = 2;

        if (p[2] == 'x' || p[2] == 'X') {
            for (n = 3; p + n < end && n < 10; n++) {
                if (p[n] >= '0' && p[n] <= '9') {
                    c = c * 16 + (unsigned long) (p[n] - '0');

                } else if ((p[n] | 0x20) >= 'a' && (p[n] | 0x20) <= 'f') {
                    c = c * 16 + (unsigned long) ((p[n] | 0x20) - 'a' + 10);

                } else {
                    break;
                }
            }

        } else {
            for ( /* void */ ; p + n < end && n < 10; n++) {
                if (p[n] < '0' || p[n] > '9') {
                    break;
                }

                c = c * 10 + (unsigned long) (p[n] - '0');
            }
        }

        if (p + n < end && p[n] == ';' && n > 2 && c > 0 && c <= 0x10ffff
            && !(c >= 0xd800 && c <= 0xdfff))
        {
            *outlen = consent_utf8_put((uint32_t) c, out);

            /* at most 4 bytes for at least 4 consumed */
            return n + 1;
        }
    }

    out[0] = '&';
    *outlen = 1;

    return 1;
}


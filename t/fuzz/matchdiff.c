
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The compiled matcher (src/consent_match_rules.c) against the old one
 * (t/unit/match_ref.h) on a policy made of the input's own patterns, so
 * that the fuzzer explores the automata's construction (overlapping
 * patterns, failure links, escapes in patterns) as well as the URLs.
 *
 * Input: 1 byte of flags (bit 0: a base URL; bits 1-2: which base),
 * then fields separated by NUL: for each rule (at most 6) a field of
 * host patterns and a field of URL patterns, each pattern ending at
 * '\n'; the last field is the URL.  A policy the parser refuses (a host
 * pattern that is no host name...) is skipped.
 *
 * Property: consent_match_url_base() and consent_match_element_base()
 * (an img with the URL as src and srcset) give what the old matcher
 * gives, with and without the base.
 */


#include "fuzz.h"
#include "consent_match.h"
#include "../unit/match_ref.h"


#define FUZZ_RULES_MAX   6
#define FUZZ_DOC_MAX     65536


static consent_url_t  bases[4];
static char           base_buf[4][1024];


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    size_t  i;

    static const char *const  b[] = {
        "https://www.facebook.com/a/b", "http://a.b/x/y?q",
        "https://www.googletagmanager.com/", "ftp://10.0.0.1/"
    };

    for (i = 0; i < 4; i++) {
        bases[i].buf = base_buf[i];
        bases[i].size = sizeof(base_buf[i]);

        if (consent_url_parse(&bases[i], b[i], strlen(b[i]), NULL)
            != CONSENT_URL_OK)
        {
            abort();
        }
    }

    return 0;
}


/* the patterns of one field as a JSON array, or nothing if none */

static size_t
fuzz_patterns(char *doc, size_t n, const char *key, const char *s,
    size_t len)
{
    int          first;
    size_t       i, start;
    unsigned     c;

    if (len == 0) {
        return n;
    }

    n += (size_t) sprintf(doc + n, ", \"%s\": [", key);
    first = 1;
    start = 0;

    for (i = 0; i <= len; i++) {
        if (i < len && s[i] != '\n') {
            continue;
        }

        if (i > start && n + (i - start) * 6 + 16 < FUZZ_DOC_MAX) {
            if (!first) {
                doc[n++] = ',';
            }

            first = 0;
            doc[n++] = '"';

            for ( /* void */ ; start < i; start++) {
                c = (unsigned char) s[start];

                if (c == '"' || c == '\\') {
                    doc[n++] = '\\';
                    doc[n++] = (char) c;

                } else if (c < 0x20 || c >= 0x80) {
                    /* JSON wants UTF-8: a byte is its own code point */
                    n += (size_t) sprintf(doc + n, "\\u%04x", c);

                } else {
                    doc[n++] = (char) c;
                }
            }

            doc[n++] = '"';
        }

        start = i + 1;
    }

    doc[n++] = ']';

    return n;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                a, b;
    char               err[256], *doc;
    size_t             n, r, hlen, ulen, len;
    unsigned           flags;
    fuzz_in_t          in;
    const char        *h, *u, *url;
    consent_attr_t     at[2];
    consent_match_t    ma, mb;
    consent_policy_t  *p;
    consent_url_t     *base;

    in.p = data;
    in.left = size;

    flags = fuzz_byte(&in);
    base = (flags & 1) ? &bases[(flags >> 1) & 3] : NULL;

    doc = malloc(FUZZ_DOC_MAX + 1024);
    if (doc == NULL) {
        abort();
    }

    n = (size_t) sprintf(doc,
        "{\"revision\": 1, \"default_language\": \"en\", "
        "\"privacy_url\": \"/p\", \"texts\": {\"en\": {\"title\": \"t\", "
        "\"message\": \"m\", \"accept_all\": \"a\", \"reject_all\": \"r\", "
        "\"customise\": \"c\", \"save\": \"s\", \"withdraw\": \"w\", "
        "\"privacy_link\": \"p\", \"manage\": \"m\", \"always_on\": \"o\", "
        "\"gpc_honoured\": \"g\"}}, \"categories\": ["
        "{\"id\": \"necessary\", \"required\": true, "
        "\"label\": {\"en\": \"N\"}, \"description\": {\"en\": \"N\"}}, "
        "{\"id\": \"a\", \"label\": {\"en\": \"A\"}, "
        "\"description\": {\"en\": \"A\"}}, "
        "{\"id\": \"b\", \"label\": {\"en\": \"B\"}, "
        "\"description\": {\"en\": \"B\"}}], \"rules\": [");

    /* the rules, then the URL: what is left after the last NUL */
    for (r = 0; r < FUZZ_RULES_MAX && memchr(in.p, '\0', in.left) != NULL;
         r++)
    {
        h = fuzz_field(&in, '\0', &hlen);
        u = fuzz_field(&in, '\0', &ulen);

        n += (size_t) sprintf(doc + n, "%s{\"category\": \"%c\"",
                              r ? ", " : "", r & 1 ? 'b' : 'a');
        n = fuzz_patterns(doc, n, "hosts", h, hlen);
        n = fuzz_patterns(doc, n, "urls", u, ulen);
        doc[n++] = '}';
    }

    n += (size_t) sprintf(doc + n, "]}");

    url = (const char *) in.p;
    len = in.left;

    p = consent_policy_parse(doc, n, err, sizeof(err));
    free(doc);

    if (p == NULL) {
        return 0;
    }

    a = consent_match_url_base(p, url, len, base);
    b = ref_match_url_base(p, url, len, base);

    if (a != b) {
        fprintf(stderr, "fuzz: url \"%.*s\": new %d, old %d\n", (int) len,
                url, a, b);
        fuzz_check(0, "the compiled rules match as the old matcher");
    }

    at[0].name = "src";
    at[0].name_len = 3;
    at[0].value = url;
    at[0].value_len = len;
    at[1].name = "srcset";
    at[1].name_len = 6;
    at[1].value = url;
    at[1].value_len = len;

    ma = consent_match_element_base(p, CONSENT_EL_IMG, at, 2, base);
    mb = ref_match_element_base(p, CONSENT_EL_IMG, at, 2, base);

    fuzz_check(ma.category == mb.category && ma.mask == mb.mask
               && ma.by == mb.by, "an element as the old matcher");

    consent_policy_free(p);

    return 0;
}

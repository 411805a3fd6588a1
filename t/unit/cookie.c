
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Unit tests of consent_cookie.c: which declaration covers a cookie,
 * what is refused, Set-Cookie read as browsers read it, Cookie headers
 * walked and filtered, the domains a cookie is expired on, and the
 * expiring header itself.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "consent_cookie.h"


#define S(s)   s, sizeof(s) - 1

#define NEC    0            /* categories of the policy below */
#define ANA    1
#define ADS    2

#define B(c)   ((uint32_t) 1 << (c))


static const char  *doc =
    "{\"revision\": 1, \"default_language\": \"en\","
    " \"privacy_url\": \"/privacy\","
    " \"categories\": ["
    "  {\"id\": \"necessary\", \"required\": true,"
    "   \"label\": {\"en\": \"N\"}, \"description\": {\"en\": \"N.\"},"
    "   \"cookies\": [\"session\", \"consent\"]},"
    "  {\"id\": \"analytics\", \"label\": {\"en\": \"A\"},"
    "   \"description\": {\"en\": \"A.\"},"
    "   \"cookies\": [\"_ga\", \"_ga_*\", \"_g*\", \"_gid\"]},"
    "  {\"id\": \"ads\", \"label\": {\"en\": \"M\"},"
    "   \"description\": {\"en\": \"M.\"},"
    "   \"cookies\": [\"_gcl_*\", {\"name\": \"_fbp\","
    "    \"domain\": \"example.com\"}, \"IDE\"]}"
    " ],"
    " \"texts\": {\"en\": {\"title\": \"t\", \"message\": \"m\","
    "  \"accept_all\": \"a\", \"reject_all\": \"r\", \"customise\": \"c\","
    "  \"save\": \"s\", \"withdraw\": \"w\", \"privacy_link\": \"p\","
    "  \"manage\": \"m\", \"always_on\": \"o\", \"gpc_honoured\": \"g\"}}}";


static consent_policy_t  *policy;


static void test_lookup(void);
static void test_refused(void);
static void test_set_cookie(void);
static void test_pairs(void);
static void test_filter(void);
static void test_domains(void);
static void test_expiry(void);
static void test_shipped(void);
static void test_own_checks(void);
static int lookup(const char *name);
static const char *filter(uint32_t granted, int unknown, const char *h,
    size_t *removed);
static const char *domains(const char *host, const char *top, size_t max);
static const char *expiry(const char *name, const char *domain, int secure);


static int
lookup(const char *name)
{
    int  d;

    d = consent_cookie_lookup(policy, name, strlen(name));

    return d < 0 ? -1 : (int) policy->cookies[d].category;
}


static void
test_lookup(void)
{
    int  d;

    is_int(lookup("_ga"), ANA, "exact name");
    is_int(lookup("_gid"), ANA, "exact name within a prefix");
    is_int(lookup("_ga_ABC123"), ANA, "prefix _ga_*");
    is_int(lookup("_gcl_au"), ADS, "longer prefix _gcl_* wins over _g*");
    is_int(lookup("_gat"), ANA, "shorter prefix _g* where no other");
    is_int(lookup("_g"), ANA, "a prefix covers its own letters");
    is_int(lookup("_fbp"), ADS, "_fbp");
    is_int(lookup("_FBP"), -1, "names are case-sensitive");
    is_int(lookup("_fbpx"), -1, "an exact name is no prefix");
    is_int(lookup("session"), NEC, "a necessary cookie");
    is_int(lookup("other"), -1, "an unknown cookie");
    is_int(lookup(""), -1, "the empty name");
    is_int(lookup("__Secure-_fbp"), ADS, "__Secure- looked up without it");
    is_int(lookup("__host-_ga"), ANA, "__Host- in any case");
    is_int(lookup("__Secure-"), -1, "a bare prefix");
    is_int(lookup("__Secure-__Host-_ga"), -1, "one prefix only");

    d = consent_cookie_lookup(policy, S("_gcl_au"));
    ok(d >= 0 && strcmp(policy->cookies[d].name, "_gcl_") == 0,
       "the declaration found is _gcl_*");

    is_int(consent_cookie_lookup(NULL, S("_ga")), -1, "no policy");
}


static void
test_refused(void)
{
    is_int(consent_cookie_refused(policy, 0, CONSENT_COOKIE_PASS, S("_ga")),
           1, "analytics not granted: _ga refused");
    is_int(consent_cookie_refused(policy, B(ANA), CONSENT_COOKIE_PASS,
                                  S("_ga")), 0, "analytics granted");
    is_int(consent_cookie_refused(policy, B(ANA), CONSENT_COOKIE_PASS,
                                  S("_fbp")), 1, "ads not granted");
    is_int(consent_cookie_refused(policy, 0, CONSENT_COOKIE_PASS,
                                  S("session")), 0,
           "a required category is always granted");
    is_int(consent_cookie_refused(policy, 0, CONSENT_COOKIE_PASS,
                                  S("unknown")), 0, "unknown: pass");
    is_int(consent_cookie_refused(policy, B(ANA) | B(ADS),
                                  CONSENT_COOKIE_STRIP, S("unknown")), 1,
           "unknown: strip, whatever is granted");
    is_int(consent_cookie_refused(policy, B(ANA), ADS, S("unknown")), 1,
           "unknown as ads, ads refused");
    is_int(consent_cookie_refused(policy, B(ADS), ADS, S("unknown")), 0,
           "unknown as ads, ads granted");
    is_int(consent_cookie_refused(policy, 0, NEC, S("unknown")), 0,
           "unknown as necessary");
    is_int(consent_cookie_refused(policy, 0, 31, S("unknown")), 0,
           "a category out of range refuses nothing");
    is_int(consent_cookie_refused(NULL, 0, CONSENT_COOKIE_STRIP, S("_ga")),
           0, "no policy");
    is_int(consent_cookie_class(policy, CONSENT_COOKIE_STRIP, S("x")),
           CONSENT_COOKIE_STRIP, "class of an unknown cookie");
    is_int(consent_cookie_class(policy, CONSENT_COOKIE_STRIP, S("_ga")),
           ANA, "class of _ga");
}


static void
test_set_cookie(void)
{
    consent_set_cookie_t  sc;

    is_int(consent_set_cookie_parse(S("_ga=GA1.1.2.3"), &sc), 0, "plain");
    ok(sc.name_len == 3 && memcmp(sc.name, "_ga", 3) == 0, "name _ga");
    ok(sc.domain == NULL && sc.path == NULL && !sc.secure && !sc.httponly
       && !sc.has_max_age && !sc.has_expires
       && sc.samesite == CONSENT_SAMESITE_UNSET, "no attributes");

    is_int(consent_set_cookie_parse(S(" _fbp = fb.1.2 ; Domain=.Example.com;"
                                      " Path=/; Max-Age=7776000; secure;"
                                      " HTTPONLY; SameSite=None;"
                                      " Expires=Wed, 21 Oct 2026 07:28:00"
                                      " GMT"), &sc), 0, "all attributes");
    ok(sc.name_len == 4 && memcmp(sc.name, "_fbp", 4) == 0,
       "name trimmed");
    ok(sc.domain_len == 11 && memcmp(sc.domain, "Example.com", 11) == 0,
       "domain without its dot");
    ok(sc.path_len == 1 && sc.path[0] == '/', "path");
    ok(sc.has_max_age && sc.max_age == 7776000, "max-age");
    ok(sc.secure && sc.httponly && sc.has_expires, "flags");
    is_int(sc.samesite, CONSENT_SAMESITE_NONE, "samesite none");

    is_int(consent_set_cookie_parse(S("a=1; Max-Age=-5"), &sc), 0, "neg");
    ok(sc.has_max_age && sc.max_age == 0, "a negative max-age is 0");
    consent_set_cookie_parse(S("a=1; Max-Age=5x"), &sc);
    ok(!sc.has_max_age, "a malformed max-age is ignored");
    consent_set_cookie_parse(S("a=1; Max-Age=-"), &sc);
    ok(!sc.has_max_age, "a lone minus is ignored");
    consent_set_cookie_parse(S("a=1; Max-Age=99999999999999999999999"), &sc);
    ok(sc.has_max_age && sc.max_age > 0, "a huge max-age does not wrap");
    consent_set_cookie_parse(S("a=1; Domain=a.com; Domain=b.com"), &sc);
    ok(sc.domain_len == 5 && memcmp(sc.domain, "b.com", 5) == 0,
       "the last domain counts");
    consent_set_cookie_parse(S("a=1; Domain=a.com; Domain="), &sc);
    ok(sc.domain_len == 5 && memcmp(sc.domain, "a.com", 5) == 0,
       "an empty domain is ignored");
    consent_set_cookie_parse(S("a=1; Domain=."), &sc);
    ok(sc.domain == NULL, "a lone dot is no domain");
    consent_set_cookie_parse(S("a=1; Path=x; SameSite=Lax"), &sc);
    ok(sc.path == NULL, "a path not starting with / is the default");
    is_int(sc.samesite, CONSENT_SAMESITE_LAX, "samesite lax");
    consent_set_cookie_parse(S("a=1; samesite=strict; SameSite=bogus"), &sc);
    is_int(sc.samesite, CONSENT_SAMESITE_OTHER, "samesite other");
    consent_set_cookie_parse(S("a=1;secure=no"), &sc);
    ok(sc.secure, "secure with a value is secure");
    consent_set_cookie_parse(S("a=1; xsecure"), &sc);
    ok(!sc.secure, "another attribute");

    is_int(consent_set_cookie_parse(S("justavalue"), &sc), 0, "nameless");
    is_int(sc.name_len, 0, "nameless: empty name");
    is_int(consent_set_cookie_parse(S("=v"), &sc), 0, "empty name");
    is_int(sc.name_len, 0, "empty name, a value");
    is_int(consent_set_cookie_parse(S("n="), &sc), 0, "empty value");
    is_int(sc.name_len, 1, "empty value, a name");
    is_int(consent_set_cookie_parse(S("="), &sc), -1, "no name, no value");
    is_int(consent_set_cookie_parse(S(" ; Path=/"), &sc), -1,
           "blank pair");
    is_int(consent_set_cookie_parse(S(""), &sc), -1, "empty header");
    is_int(consent_set_cookie_parse(S("a=b\r\nX: y"), &sc), -1,
           "control characters");
    is_int(consent_set_cookie_parse(S("a=\tb"), &sc), 0, "a tab is fine");
    is_int(consent_set_cookie_parse("a=1\0b", 5, &sc), -1, "a NUL byte");
    is_int(consent_set_cookie_parse(NULL, 0, &sc), -1, "NULL");
    is_int(consent_set_cookie_parse(S("_ga=1, _fbp=2"), &sc), 0, "a comma");
    ok(sc.name_len == 3 && memcmp(sc.name, "_ga", 3) == 0,
       "one header, one cookie: a comma does not split it");
}


static void
test_pairs(void)
{
    size_t       pos, nlen, plen, n;
    const char  *h, *name, *pair;

    h = "a=1; b = 2 ;;  nameless ; =x; c=";
    pos = 0;
    n = 0;

    ok(consent_cookie_pair(h, strlen(h), &pos, &name, &nlen, &pair, &plen)
       && nlen == 1 && name[0] == 'a' && plen == 3, "a=1");
    ok(consent_cookie_pair(h, strlen(h), &pos, &name, &nlen, &pair, &plen)
       && nlen == 1 && name[0] == 'b' && plen == 5
       && memcmp(pair, "b = 2", 5) == 0, "b = 2, trimmed");
    ok(consent_cookie_pair(h, strlen(h), &pos, &name, &nlen, &pair, &plen)
       && nlen == 0 && plen == 8, "nameless");
    ok(consent_cookie_pair(h, strlen(h), &pos, &name, &nlen, &pair, &plen)
       && nlen == 0 && plen == 2, "=x");
    ok(consent_cookie_pair(h, strlen(h), &pos, &name, &nlen, &pair, &plen)
       && nlen == 1 && plen == 2, "c=");
    ok(!consent_cookie_pair(h, strlen(h), &pos, &name, &nlen, &pair, &plen),
       "the end");
    ok(!consent_cookie_pair(h, strlen(h), &pos, &name, &nlen, &pair, &plen),
       "still the end");

    pos = 0;

    while (consent_cookie_pair(S(" ; ;"), &pos, &name, &nlen, &pair, &plen))
    {
        n++;
    }

    is_int(n, 0, "separators only");
}


static const char *
filter(uint32_t granted, int unknown, const char *h, size_t *removed)
{
    size_t       n;
    static char  out[512];

    n = consent_cookie_filter(policy, granted, unknown, S("consent"), h,
                              strlen(h), out, removed);
    out[n] = '\0';

    return out;
}


static void
test_filter(void)
{
    size_t  removed;

    is_str(filter(0, CONSENT_COOKIE_PASS,
                  "_ga=1; session=s; _fbp=2; other=o; consent=c", &removed),
           "session=s; other=o; consent=c", "nothing granted");
    is_int(removed, 2, "two removed");
    is_str(filter(B(ANA), CONSENT_COOKIE_PASS,
                  "_ga=1;session=s;_fbp=2", &removed),
           "_ga=1; session=s", "analytics granted");
    is_int(removed, 1, "one removed");
    is_str(filter(B(ANA) | B(ADS), CONSENT_COOKIE_PASS,
                  "_ga=1;  _fbp=2", &removed),
           "_ga=1; _fbp=2", "all granted: pairs as sent");
    is_int(removed, 0, "none removed");
    is_str(filter(0, CONSENT_COOKIE_PASS, "_ga=1; _gid=2", &removed), "",
           "everything removed");
    is_int(removed, 2, "both removed");
    is_str(filter(B(ANA) | B(ADS), CONSENT_COOKIE_STRIP,
                  "other=1; consent=c; x", &removed), "consent=c",
           "unknown stripped, the consent cookie kept, nameless stripped");
    is_int(removed, 2, "two unknown removed");
    is_str(filter(0, ANA, "consent=1; _g=2", &removed), "consent=1",
           "the consent cookie is kept even where a rule would cover it");
    is_str(filter(0, CONSENT_COOKIE_PASS, "", &removed), "", "empty");
    is_str(filter(0, CONSENT_COOKIE_PASS, "a=1;b=2;c=3;_ga=4", &removed),
           "a=1; b=2; c=3", "longer than sent: \"; \" between pairs");
    is_str(filter(0, CONSENT_COOKIE_PASS, "a=\"x;y\"", &removed),
           "a=\"x; y\"", "quotes do not hide a separator (as browsers)");
}


static const char *
domains(const char *host, const char *top, size_t max)
{
    size_t          i, n, len;
    consent_span_t  d[CONSENT_COOKIE_DOMAINS_MAX];
    static char     out[1024];

    n = consent_cookie_domains(host, host ? strlen(host) : 0, top,
                               top ? strlen(top) : 0, d, max);
    len = 0;
    out[0] = '\0';

    for (i = 0; i < n; i++) {
        len += snprintf(out + len, sizeof(out) - len, "%s[%.*s]",
                        i ? " " : "", (int) d[i].len, d[i].data);
    }

    return out;
}


static void
test_domains(void)
{
    is_str(domains("www.example.com", NULL, 6),
           "[] [www.example.com] [example.com]", "a host and its parent");
    is_str(domains("a.b.shop.example.co.uk", NULL, 6),
           "[] [a.b.shop.example.co.uk] [co.uk] [example.co.uk] "
           "[shop.example.co.uk] [b.shop.example.co.uk]",
           "parents from the shortest (co.uk is refused by browsers)");
    is_str(domains("a.b.c.d.e.f.example.com", NULL, 6),
           "[] [a.b.c.d.e.f.example.com] [example.com] [f.example.com] "
           "[e.f.example.com] [d.e.f.example.com]", "bounded at 6");
    is_str(domains("a.b.example.com", NULL, 2),
           "[] [a.b.example.com]", "bounded at 2");
    is_str(domains("a.b.example.com", NULL, 100),
           "[] [a.b.example.com] [example.com] [b.example.com]",
           "at most CONSENT_COOKIE_DOMAINS_MAX");
    is_str(domains("a.b.example.com", NULL, 0), "", "none at all");
    is_str(domains("www.shop.example.com", "shop.example.com", 6),
           "[] [www.shop.example.com] [shop.example.com]",
           "none above consent_cookie_domain");
    is_str(domains("www.shop.example.com", ".Shop.Example.com", 6),
           "[] [www.shop.example.com] [shop.example.com]",
           "consent_cookie_domain with a dot, in capitals");
    is_str(domains("www.other.org", "example.com", 6),
           "[] [www.other.org] [other.org]",
           "a consent_cookie_domain the host is not under");
    is_str(domains("example.com.", NULL, 6), "[] [example.com]",
           "a trailing dot");
    is_str(domains("localhost", NULL, 6), "[] [localhost]",
           "a single label: the host only");
    is_str(domains("127.0.0.1", NULL, 6), "[]", "IPv4: host-only");
    is_str(domains("10.0.0.0x1f", NULL, 6), "[]", "hexadecimal IPv4");
    is_str(domains("[::1]", NULL, 6), "[]", "IPv6: host-only");
    is_str(domains("1.example.com", NULL, 6),
           "[] [1.example.com] [example.com]", "a number first is a host");
    is_str(domains("0x.example", NULL, 6), "[] [0x.example]",
           "0x as a first label");
    is_str(domains("", NULL, 6), "[]", "no host");
    is_str(domains(NULL, NULL, 6), "[]", "NULL host");
    is_str(domains("a..com", NULL, 6), "[] [a..com] [.com]",
           "an empty label does not crash");

    ok(consent_cookie_domain_match(S("www.example.com"), S("example.com")),
       "domain match");
    ok(consent_cookie_domain_match(S("Example.COM"), S("example.com")),
       "domain match, case");
    ok(!consent_cookie_domain_match(S("notexample.com"), S("example.com")),
       "no match without a dot");
    ok(!consent_cookie_domain_match(S("com"), S("example.com")),
       "no match of a shorter host");
    ok(!consent_cookie_domain_match(S("example.com"), "", 0),
       "no match of an empty domain");
}


static const char *
expiry(const char *name, const char *domain, int secure)
{
    size_t       n;
    static char  out[512];

    n = consent_cookie_expiry(name, strlen(name), domain,
                              domain ? strlen(domain) : 0, secure, out);
    out[n] = '\0';

    return out;
}


static void
test_expiry(void)
{
    is_str(expiry("_ga", NULL, 0), "_ga=; Max-Age=0; Path=/", "host-only");
    is_str(expiry("_ga", "example.com", 0),
           "_ga=; Max-Age=0; Path=/; Domain=example.com", "a domain");
    is_str(expiry("_ga", "example.com", 1),
           "_ga=; Max-Age=0; Path=/; Domain=example.com; Secure", "secure");
    is_str(expiry("__Secure-_ga", "example.com", 0),
           "__Secure-_ga=; Max-Age=0; Path=/; Domain=example.com; Secure",
           "__Secure- is always Secure");
    is_str(expiry("__Host-x", NULL, 0), "__Host-x=; Max-Age=0; Path=/; Secure",
           "__Host- without a domain");
    is_str(expiry("__host-x", "example.com", 1), "",
           "no __Host- cookie with a domain");
}


static void
test_shipped(void)
{
    char               err[512];
    consent_policy_t  *p;

    err[0] = '\0';
    p = consent_policy_load("conf/policy.json", err, sizeof(err));

    if (!ok(p != NULL, "the shipped policy loads")) {
        printf("#   %s\n", err);
        return;
    }

#define CAT(name)  consent_cookie_class(p, -1, S(name))

    is_int(CAT("_ga"), 2, "_ga: analytics");
    is_int(CAT("_ga_X1Y2Z3"), 2, "_ga_<id>: analytics");
    is_int(CAT("_gid"), 2, "_gid: analytics");
    is_int(CAT("_gat_UA-1"), 2, "_gat_<id>: analytics");
    is_int(CAT("__utma"), 2, "__utma: analytics");
    is_int(CAT("_hjSessionUser_123"), 2, "Hotjar: analytics");
    is_int(CAT("_clck"), 2, "Clarity: analytics");
    is_int(CAT("_pk_id.1.abcd"), 2, "Matomo: analytics");
    is_int(CAT("_gcl_au"), 3, "_gcl_au: marketing");
    is_int(CAT("_fbp"), 3, "_fbp: marketing");
    is_int(CAT("_fbc"), 3, "_fbc: marketing");
    is_int(CAT("li_fat_id"), 3, "LinkedIn: marketing");
    is_int(CAT("_ttp"), 3, "TikTok: marketing");
    is_int(CAT("_uetvid"), 3, "Microsoft Ads: marketing");
    is_int(CAT("YSC"), 3, "YouTube: marketing");
    is_int(CAT("consent"), 0, "the consent cookie: necessary");
    is_int(CAT("PHPSESSID"), -1, "a session cookie: undeclared");

#undef CAT

    consent_policy_free(p);
}


/* the consent cookie's own name and Domain, as the directives take them */

static void
test_own_checks(void)
{
    size_t  bad;
    char    buf[CONSENT_COOKIE_DOMAIN_MAX + 2];

    bad = 99;
    is_int(consent_cookie_name_check(S("consent"), &bad),
           CONSENT_COOKIE_NAME_OK, "name: consent");
    is_int(bad, 99, "name: bad untouched when valid");
    is_int(consent_cookie_name_check(S("__Host-c!#$%&'*+-.^_`|~9"), &bad),
           CONSENT_COOKIE_NAME_OK, "name: every tchar");
    is_int(consent_cookie_name_check("", 0, &bad),
           CONSENT_COOKIE_NAME_LENGTH, "name: empty");

    memset(buf, 'a', sizeof(buf));
    is_int(consent_cookie_name_check(buf, CONSENT_COOKIE_OWN_NAME_MAX, &bad),
           CONSENT_COOKIE_NAME_OK, "name: %d bytes",
           CONSENT_COOKIE_OWN_NAME_MAX);
    is_int(consent_cookie_name_check(buf, CONSENT_COOKIE_OWN_NAME_MAX + 1,
                                     &bad),
           CONSENT_COOKIE_NAME_LENGTH, "name: %d bytes",
           CONSENT_COOKIE_OWN_NAME_MAX + 1);
    is_int(CONSENT_COOKIE_OWN_NAME_MAX, 64, "name: 64 as documented");

    is_int(consent_cookie_name_check(S("a;b"), &bad),
           CONSENT_COOKIE_NAME_BYTE, "name: a;b");
    is_int(bad, 1, "name: the ';' is named");
    is_int(consent_cookie_name_check(S("ab c"), &bad),
           CONSENT_COOKIE_NAME_BYTE, "name: a space");
    is_int(bad, 2, "name: the space is named");
    is_int(consent_cookie_name_check(S("c\x80"), &bad),
           CONSENT_COOKIE_NAME_BYTE, "name: a non-ASCII byte");
    is_int(consent_cookie_name_check(S("a=b"), &bad),
           CONSENT_COOKIE_NAME_BYTE, "name: '='");
    is_int(consent_cookie_name_check(S("a\x00b"), &bad),
           CONSENT_COOKIE_NAME_BYTE, "name: NUL");

    is_int(consent_cookie_domain_check(S("example.com"), &bad),
           CONSENT_COOKIE_NAME_OK, "domain: example.com");
    is_int(consent_cookie_domain_check(S(".Sub-1.EXAMPLE.com"), &bad),
           CONSENT_COOKIE_NAME_OK, "domain: either case, a leading dot");
    is_int(consent_cookie_domain_check("", 0, &bad),
           CONSENT_COOKIE_NAME_LENGTH, "domain: empty");

    memset(buf, 'a', sizeof(buf));
    is_int(consent_cookie_domain_check(buf, CONSENT_COOKIE_DOMAIN_MAX, &bad),
           CONSENT_COOKIE_NAME_OK, "domain: 253 bytes");
    is_int(consent_cookie_domain_check(buf, CONSENT_COOKIE_DOMAIN_MAX + 1,
                                       &bad),
           CONSENT_COOKIE_NAME_LENGTH, "domain: 254 bytes");

    is_int(consent_cookie_domain_check(S("exa_mple.com"), &bad),
           CONSENT_COOKIE_NAME_BYTE, "domain: '_'");
    is_int(bad, 3, "domain: the '_' is named");
    is_int(consent_cookie_domain_check(S("ex ample.com"), &bad),
           CONSENT_COOKIE_NAME_BYTE, "domain: a space");
    is_int(consent_cookie_domain_check(S("example.com;x"), &bad),
           CONSENT_COOKIE_NAME_BYTE, "domain: ';'");
    is_int(consent_cookie_domain_check(S("b\xc3\xbc" "cher.de"), &bad),
           CONSENT_COOKIE_NAME_BYTE, "domain: not A-label");
}


int
main(void)
{
    char  err[512];

    policy = consent_policy_parse(doc, strlen(doc), err, sizeof(err));

    if (!ok(policy != NULL, "the test policy parses")) {
        printf("#   %s\n", err);
        return done_testing();
    }

    test_lookup();
    test_refused();
    test_set_cookie();
    test_pairs();
    test_filter();
    test_domains();
    test_expiry();
    test_shipped();
    test_own_checks();

    consent_policy_free(policy);

    return done_testing();
}

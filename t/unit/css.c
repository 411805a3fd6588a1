
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The CSS URL finder (src/consent_css.c): what each construct fetches,
 * decoded, with its bytes as written, whole and in 1-byte pieces.
 */


#include <stdlib.h>

#include "tap.h"
#include "consent_css.h"


static char  got[4096];


/* "kind:decoded[raw]" for each URL, ';' between; b: bad; o: too long */

static const char *
urls(const char *css, size_t len, size_t step)
{
    int             ev;
    size_t          n, k;
    const char     *p, *q, *e;
    consent_css_t  *c;

    c = calloc(1, sizeof(consent_css_t));
    consent_css_init(c);
    got[0] = '\0';
    n = 0;
    p = css;
    e = css + len;

    for ( ;; ) {
        ev = CONSENT_CSS_NONE;

        if (p < e) {
            q = consent_css_scan(c, p, (size_t) (e - p) > step ? p + step : e,
                                 &ev);
            p = q;

        } else {
            ev = consent_css_end(c, c->pos);
        }

        if (ev == CONSENT_CSS_URL) {
            k = (size_t) (c->url_end - c->url_start);
            n += (size_t) snprintf(got + n, sizeof(got) - n,
                                   "%s%d%s%s:%.*s[%.*s]", n ? ";" : "",
                                   c->url_kind, c->url_bad ? "b" : "",
                                   c->url_over ? "o" : "",
                                   (int) (c->url_len > 64 ? 64 : c->url_len),
                                   c->url, (int) (k > 64 ? 64 : k),
                                   css + c->url_start);
        }

        if (p >= e && ev == CONSENT_CSS_NONE && c->pos == len
            && !c->url_open)
        {
            break;
        }
    }

    free(c);

    return got;
}


static void
t(const char *css, const char *want)
{
    char  whole[4096];

    snprintf(whole, sizeof(whole), "%s", urls(css, strlen(css), 1 << 20));
    is_str(whole, want, "%s", css ? css : "");
    is_str(urls(css, strlen(css), 1), want, "%s, a byte at a time",
           css ? css : "");
}


int
main(void)
{
    int             ev;
    const char     *s, *q;
    consent_css_t   c;

    /* url tokens and url() functions */
    t("a{background:url(https://t.example/x)}",
      "1:https://t.example/x[https://t.example/x]");
    t("a{background:URL( \t https://t.example/x  )}",
      "1:https://t.example/x[https://t.example/x]");
    t("a{b:url(\"https://t.example/x\")}",
      "2:https://t.example/x[https://t.example/x]");
    t("a{b:url(  'https://t.example/x' )}",
      "2:https://t.example/x[https://t.example/x]");
    t("a{b:url()}", "");
    t("a{b:url(  )}", "");

    /* escapes in the function's name and in the URL */
    t("a{b:u\\72l(https://t.example/x)}",
      "1:https://t.example/x[https://t.example/x]");
    t("a{b:\\75 rl(//t.example)}", "1://t.example[//t.example]");
    t("a{b:U\\52L(//t.example)}", "1://t.example[//t.example]");
    t("a{b:url(https://t\\2e example/x)}",
      "1:https://t.example/x[https://t\\2e example/x]");
    t("a{b:url(\"https://t\\\".example\")}",
      "2:https://t\".example[https://t\\\".example]");
    t("a{b:url(\"//t.ex\\\nample\")}", "2://t.example[//t.ex\\\nample]");
    t("a{b:url(//t\\.example)}", "1://t.example[//t\\.example]");
    t("a{b:url(//\\000074 .example)}", "1://t.example[//\\000074 .example]");
    t("a{b:url(//\\000074\r\n.example)}",
      "1://t.example[//\\000074\r\n.example]");

    /* not url(): longer names, a hash, a unit, a comment */
    t("a{b:myurl(//t.example)}", "");
    t("a{b:-url(//t.example)}", "");
    t("a{b:#url(//t.example)}", "");
    t("a{b:1url(//t.example)}", "");
    t("a{b:1.url(//t.example)}", "1://t.example[//t.example]");
    t("a{b:.5url(//t.example)}", "");
    t("a{b:-1url(//t.example)}", "");
    t("a{b:+url(//t.example)}", "1://t.example[//t.example]");
    t("/* url(//t.example) */a{}", "");
    t("a{b:ur/**/l(//t.example)}", "");
    t("a{content:\"url(//t.example)\"}", "");
    t("a{b:\\\nurl(//t.example)}", "1://t.example[//t.example]");

    /* bad urls and strings are looked at too */
    t("a{b:url(//t.example/x y)}", "1b://t.example/x[//t.example/x y]");
    t("a{b:url(//t.exa\"mple)}", "1b://t.exa[//t.exa\"mple]");
    t("a{b:url(/**/\"//t.example\")}", "1b:/**/[/**/\"//t.example\"]");
    t("@import \"//t.exa\nmple\";", "3b://t.exa[//t.exa]");

    /* @import, image-set(), image(), src() */
    t("@import \"https://t.example/a.css\";",
      "3:https://t.example/a.css[https://t.example/a.css]");
    t("@IMPORT/**/'//t.example/a.css' screen;",
      "3://t.example/a.css[//t.example/a.css]");
    t("@\\69mport '//t.example';", "3://t.example[//t.example]");
    t("@import url(//t.example/a.css);",
      "1://t.example/a.css[//t.example/a.css]");
    t("@importx '//t.example';", "");
    t("@media x{} '//t.example'", "");
    t("a{b:image-set(\"//t.example/1.png\" 1x, '//t.example/2.png' 2x)}",
      "4://t.example/1.png[//t.example/1.png];"
      "4://t.example/2.png[//t.example/2.png]");
    t("a{b:-webkit-image-set(url(//t.example/1.png) 1x)}",
      "1://t.example/1.png[//t.example/1.png]");
    t("a{b:image-set(\"a.png\" 1x) \"//t.example\"}",
      "4:a.png[a.png]");
    t("a{b:image('//t.example')}", "4://t.example[//t.example]");
    t("a{b:src(\"//t.example\")}", "4://t.example[//t.example]");
    t("@font-face{src:local(x),url(//t.example/f.woff) format('woff')}",
      "1://t.example/f.woff[//t.example/f.woff]");

    /* the end of the stylesheet ends a URL, which fetches */
    t("a{b:url(//t.example", "1://t.example[//t.example]");
    t("a{b:url(\"//t.example", "2://t.example[//t.example]");
    t("a{b:url(//t.example\\", "1://t.example\xef\xbf\xbd[//t.example\\]");
    t("@import '//t.example\\74", "3://t.examplet[//t.example\\74]");

    /* a text that ends at a '<' (the end of a <style>) */
    memset(&c, 0, sizeof(c));
    consent_css_init(&c);
    c.stop_lt = 1;
    s = "a{b:url(//t.example/x</style>";
    q = consent_css_scan(&c, s, s + strlen(s), &ev);
    is_int(ev, CONSENT_CSS_BEGIN, "a URL begins");
    is_int(q - s, 8, "before its first byte");
    q = consent_css_scan(&c, q, s + strlen(s), &ev);
    is_int(ev, CONSENT_CSS_LT, "stops at '<'");
    c.stop_lt = 0;
    q = consent_css_scan(&c, q, q + 8, &ev);
    is_int(ev, CONSENT_CSS_NONE, "reads '</style>' on");
    is_int(consent_css_end(&c, 21), CONSENT_CSS_URL, "the end at '<'");
    is_int((int) c.url_len, 13, "the URL up to it");
    is_int((int) c.url_end, 21, "its bytes up to it");

    consent_css_init(&c);
    s = "a{b:url(//t.example/x)}";
    (void) consent_css_scan(&c, s, s + strlen(s), &ev);
    is_int(ev, CONSENT_CSS_BEGIN, "begins");
    is_int(consent_css_end(&c, c.pos), CONSENT_CSS_URL, "ends with the text");

    /* data: */
    consent_css_init(&c);
    s = "a{b:url( \" DaTa:image/png,x\")}";
    do {
        s = consent_css_scan(&c, s, s + strlen(s), &ev);
    } while (ev != CONSENT_CSS_URL && *s);
    ok(consent_css_data(&c), "a data: URL");
    consent_css_init(&c);
    s = "a{b:url(datax:y)}";
    do {
        s = consent_css_scan(&c, s, s + strlen(s), &ev);
    } while (ev != CONSENT_CSS_URL && *s);
    ok(!consent_css_data(&c), "not a data: URL");

    /* too long to keep */
    {
        char  *big;
        size_t  n;

        n = CONSENT_CSS_URL_MAX + 100;
        big = malloc(n + 32);
        memcpy(big, "a{b:url(//t.example/", 20);
        memset(big + 20, 'x', n);
        memcpy(big + 20 + n, ")}", 3);
        ok(strncmp(urls(big, strlen(big), 1 << 20), "1o://t.example/", 15)
           == 0, "a URL longer than kept is marked");
        free(big);
    }

    return done_testing();
}

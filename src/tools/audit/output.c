
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Writing what the log holds as text, JSON, HTML and CSV: any bytes
 * in, valid and safe output out.
 */


#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tools/audit/audit.h"


static size_t audit_json_plain(const char *s);

/* for a terminal: control characters of the log are shown, not run */
void
audit_put_text(FILE *f, const char *s)
{
    unsigned char  c;

    for ( /* void */ ; *s; s++) {
        c = (unsigned char) *s;

        if (c < 0x20 || c == 0x7f) {
            fprintf(f, "\\x%02x", c);

        } else {
            fputc(c, f);
        }
    }
}


/* messages and file names may hold any bytes: output is valid UTF-8 */
void
audit_put_json(FILE *f, const char *s)
{
    size_t                n;
    const unsigned char  *p;

    fputc('"', f);

    p = (const unsigned char *) s;

    while (*p) {
        n = audit_json_plain((const char *) p);

        if (n) {
            fwrite(p, 1, n, f);
            p += n;
            continue;
        }

        if (*p >= 0x80) {
            n = audit_utf8_len(p);

            if (n) {
                fwrite(p, 1, n, f);
                p += n;

            } else {
                fputs("\\ufffd", f);
                p++;
            }

            continue;
        }

        switch (*p) {

        case '"':
            fputs("\\\"", f);
            break;

        case '\\':
            fputs("\\\\", f);
            break;

        case '\n':
            fputs("\\n", f);
            break;

        case '\r':
            fputs("\\r", f);
            break;

        case '\t':
            fputs("\\t", f);
            break;

        default:
            fprintf(f, "\\u%04x", *p);
        }

        p++;
    }

    fputc('"', f);
}


/* sep_key as written (a ',' or '{' and "name":), then s as a JSON string */

void
audit_put_member(FILE *f, const char *sep_key, const char *s)
{
    fputs(sep_key, f);
    audit_put_json(f, s);
}


/* the length of the ASCII span that needs no escaping */
static size_t
audit_json_plain(const char *s)
{
    const unsigned char  *p;

    for (p = (const unsigned char *) s; *p; p++) {
        if (*p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\') {
            break;
        }
    }

    return (size_t) (p - (const unsigned char *) s);
}


/* the length of a valid UTF-8 sequence at p, 0 if there is none */
size_t
audit_utf8_len(const unsigned char *p)
{
    size_t    n, i;
    uint32_t  c, min;

    if (p[0] < 0x80) {
        return 1;
    }

    if ((p[0] & 0xe0) == 0xc0) {
        n = 2;
        c = p[0] & 0x1f;
        min = 0x80;

    } else if ((p[0] & 0xf0) == 0xe0) {
        n = 3;
        c = p[0] & 0x0f;
        min = 0x800;

    } else if ((p[0] & 0xf8) == 0xf0) {
        n = 4;
        c = p[0] & 0x07;
        min = 0x10000;

    } else {
        return 0;
    }

    /* the NUL at the end is not a continuation byte: no overrun */

    for (i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            return 0;
        }

        c = (c << 6) | (p[i] & 0x3f);
    }

    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
        return 0;
    }

    return n;
}


/*
 * Not the core's consent_escape_html(): log values may hold any bytes,
 * and the report shows each byte that is not UTF-8 text as U+FFFD
 * instead of dropping it
 */

void
audit_put_html(FILE *f, const char *s)
{
    size_t                n;
    const unsigned char  *p;

    p = (const unsigned char *) s;

    while (*p) {
        switch (*p) {

        case '&':
            fputs("&amp;", f);
            break;

        case '<':
            fputs("&lt;", f);
            break;

        case '>':
            fputs("&gt;", f);
            break;

        case '"':
            fputs("&quot;", f);
            break;

        case '\'':
            fputs("&#39;", f);
            break;

        default:
            if (*p >= 0x80) {
                n = audit_utf8_len(p);

                if (n) {
                    fwrite(p, 1, n, f);
                    p += n;
                    continue;
                }

                fputs("&#xfffd;", f);

            } else if ((*p < 0x20 && *p != '\t' && *p != '\n')
                       || *p == 0x7f)
            {
                fputs("&#xfffd;", f);

            } else {
                fputc(*p, f);
            }
        }

        p++;
    }
}


/* n fields of a CSV row, separated by ',' */

void
audit_put_csv_fields(FILE *f, const char *const *s, size_t n)
{
    size_t  i;

    for (i = 0; i < n; i++) {
        if (i) {
            fputc(',', f);
        }

        audit_put_csv(f, s[i]);
    }
}


/* RFC 4180, and no formula for a spreadsheet to run */
void
audit_put_csv(FILE *f, const char *s)
{
    int          quote;
    size_t       n;
    const char  *p;

    quote = strpbrk(s, "\",\r\n") != NULL;

    if (quote) {
        fputc('"', f);
    }

    if (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@'
        || s[0] == '\t' || s[0] == '\r')
    {
        fputc('\'', f);
    }

    for (p = s; *p; p += n) {
        n = strcspn(p, "\"");

        if (n == 0) {
            fputs("\"\"", f);
            n = 1;
            continue;
        }

        fwrite(p, 1, n, f);
    }

    if (quote) {
        fputc('"', f);
    }
}


/* the strings of a JSON array, joined (text output) */
void
audit_put_list(FILE *f, json_t *list, const char *sep)
{
    size_t       i, n;
    const char  *s;

    n = json_array_size(list);

    if (n == 0) {
        fputs("-", f);
        return;
    }

    for (i = 0; i < n; i++) {
        s = json_string_value(json_array_get(list, i));
        if (i) {
            fputs(sep, f);
        }

        audit_put_text(f, s ? s : "?");
    }
}


size_t
audit_list_len(json_t *list)
{
    size_t       i, n, len;
    const char  *s;

    len = 0;
    n = json_array_size(list);

    for (i = 0; i < n; i++) {
        s = json_string_value(json_array_get(list, i));
        len += (s ? strlen(s) : 0) + 1;
    }

    return len;
}


const char *
audit_pct(uint64_t n, uint64_t of, char *buf, size_t len)
{
    if (of == 0) {
        snprintf(buf, len, "-");

    } else {
        snprintf(buf, len, "%.1f%%", 100.0 * (double) n / (double) of);
    }

    return buf;
}


/*
 * The members of a choice record from "action" to "page", as show and
 * export --format json write them (each adds its own around them)
 */

void
audit_rec_json_choice(FILE *f, const audit_rec_t *r)
{
    audit_put_member(f, ",\"action\":", r->action);
    audit_put_member(f, ",\"mechanism\":", r->mechanism);
    fprintf(f, ",\"revision\":%" JSON_INTEGER_FORMAT
            ",\"policy_sha256\":", r->revision);
    audit_put_json(f, r->policy);
    fputs(",\"granted\":", f);
    json_dumpf(r->granted, f, JSON_COMPACT | JSON_ENCODE_ANY);
    fputs(",\"denied\":", f);
    json_dumpf(r->denied, f, JSON_COMPACT | JSON_ENCODE_ANY);
    fprintf(f, ",\"gpc\":%s", r->gpc ? "true" : "false");

    if (r->regime[0]) {
        audit_put_member(f, ",\"regime\":", r->regime);
    }

    audit_put_member(f, ",\"lang\":", r->lang);
    audit_put_member(f, ",\"host\":", r->host);
    audit_put_member(f, ",\"page\":", r->page);
}

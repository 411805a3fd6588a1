
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * consent-audit cookies: the third-party hosts the inventory saw the
 * site's pages load from (docs/cookies.md, "Third-party hosts"), and
 * the ones no rule of the policy classifies, flagged.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consent-audit-cookies.h"


#define AUDIT_HOSTS_COLS  7


static void audit_hosts_copy(char *buf, size_t size, const char *s,
    size_t len);
static void audit_hosts_labels(char *buf, size_t size,
    const consent_policy_t *p, const consent_inv_entry_t *e,
    const char *lang);
static int audit_hosts_cmp(const void *a, const void *b);


size_t
consent_audit_hosts_print(FILE *f, const consent_policy_t *p,
    const consent_inventory_t *inv, const char *lang, int html,
    consent_audit_put_pt put)
{
    char                        host[CONSENT_INV_DOMAIN_MAX + 1];
    char                        el[CONSENT_INV_ELEMENT_MAX + 1];
    char                        loc[CONSENT_INV_LOCATION_MAX + 1];
    char                        cats[1024], num[2][32];
    size_t                      i, k, flagged, shown;
    const char                 *cell[AUDIT_HOSTS_COLS];
    const consent_inv_entry_t  *e, **order;

    static const char          *head[AUDIT_HOSTS_COLS] = {
        "host", "categories", "pages", "unclassified_pages", "element",
        "location", "flags"
    };

    flagged = 0;
    shown = 0;
    order = NULL;

    if (inv != NULL) {
        order = malloc((inv->n + 1) * sizeof(consent_inv_entry_t *));
        if (order == NULL) {
            fputs("consent-audit: out of memory\n", stderr);
            return 0;
        }

        for (i = 0; i < inv->n; i++) {
            if (inv->entries[i].kind == CONSENT_INV_HOST) {
                order[shown++] = &inv->entries[i];
            }
        }

        /* the most referenced first, then by name: a stable table */
        qsort(order, shown, sizeof(consent_inv_entry_t *), audit_hosts_cmp);
    }

    if (html) {
        fputs("<h2>Third-party hosts</h2>\n", f);

        if (inv == NULL) {
            fputs("<p>No inventory given.</p>\n", f);
            return 0;
        }


        fputs("<p>The hosts that the pages filtered loaded from, other "
              "than the site's own, each counted once a page. A host "
              "that no tracker rule of the policy classifies, nor a "
              "<code>data-consent</code> mark, is flagged: its "
              "requests reach visitors who granted nothing.", f);

        if (inv->host_pages_cut) {
            fprintf(f, " %llu page(s) referenced more hosts than were "
                    "counted.", (unsigned long long) inv->host_pages_cut);
        }

        fputs("</p>\n<table>\n<thead><tr>", f);

        for (k = 0; k < AUDIT_HOSTS_COLS; k++) {
            fputs("<th scope=\"col\">", f);
            put(f, head[k]);
            fputs("</th>", f);
        }

        fputs("</tr></thead>\n<tbody>\n", f);

    } else {
        for (k = 0; k < AUDIT_HOSTS_COLS; k++) {
            fputs(k ? "," : "", f);
            fputs(head[k], f);
        }

        fputs("\r\n", f);
    }

    for (i = 0; i < shown; i++) {
        e = order[i];

        audit_hosts_copy(host, sizeof(host), e->name, e->name_len);
        audit_hosts_copy(el, sizeof(el), e->element, e->element_len);
        audit_hosts_copy(loc, sizeof(loc), e->location, e->location_len);
        audit_hosts_labels(cats, sizeof(cats), p, e, lang);

        snprintf(num[0], sizeof(num[0]), "%llu",
                 (unsigned long long) e->count);
        snprintf(num[1], sizeof(num[1]), "%llu",
                 (unsigned long long) e->unclassified);

        flagged += e->unclassified > 0;

        cell[0] = host;
        cell[1] = cats;
        cell[2] = num[0];
        cell[3] = num[1];
        cell[4] = el;
        cell[5] = loc;
        cell[6] = e->unclassified ? "undeclared-host" : "";

        if (html) {
            fputs(e->unclassified ? "<tr class=\"flagged\">" : "<tr>", f);

            for (k = 0; k < AUDIT_HOSTS_COLS; k++) {
                fputs(k == 0 ? "<td><code>" : "<td>", f);
                put(f, cell[k]);
                fputs(k == 0 ? "</code></td>" : "</td>", f);
            }

            fputs("</tr>\n", f);

        } else {
            for (k = 0; k < AUDIT_HOSTS_COLS; k++) {
                fputs(k ? "," : "", f);
                put(f, cell[k]);
            }

            fputs("\r\n", f);
        }
    }

    if (html) {
        fputs("</tbody>\n</table>\n", f);

        if (shown == 0) {
            fputs("<p>None seen.</p>\n", f);
        }
    }

    free(order);

    return flagged;
}


static int
audit_hosts_cmp(const void *a, const void *b)
{
    int                         c;
    size_t                      n;
    const consent_inv_entry_t  *x, *y;

    x = *(const consent_inv_entry_t *const *) a;
    y = *(const consent_inv_entry_t *const *) b;

    if (x->count != y->count) {
        return x->count > y->count ? -1 : 1;
    }

    n = x->name_len < y->name_len ? x->name_len : y->name_len;
    c = memcmp(x->name, y->name, n);

    if (c != 0) {
        return c;
    }

    return x->name_len < y->name_len ? -1 : x->name_len > y->name_len;
}


/* an inventory's string, NUL-terminated and cut to the buffer */

static void
audit_hosts_copy(char *buf, size_t size, const char *s, size_t len)
{
    if (s == NULL) {
        len = 0;
    }

    if (len > size - 1) {
        len = size - 1;
    }

    if (len > 0) {
        memcpy(buf, s, len);
    }

    buf[len] = '\0';
}


/* the host's category ids as the policy's labels, "; " between */

static void
audit_hosts_labels(char *buf, size_t size, const consent_policy_t *p,
    const consent_inv_entry_t *e, const char *lang)
{
    int          c;
    size_t       i, n, len;
    const char  *ids, *end, *label;

    len = 0;
    buf[0] = '\0';
    ids = e->category_ids;
    end = ids ? ids + e->category_ids_len : NULL;

    while (ids != NULL && ids < end) {
        n = strcspn(ids, " ");

        if (ids + n > end) {
            n = (size_t) (end - ids);
        }

        c = n > 0 ? consent_policy_category(p, ids, n) : -1;

        /* a category of another revision of the policy: its id */
        label = c >= 0 ? consent_policy_label(p, (size_t) c, lang) : NULL;

        if (n > 0) {
            i = (size_t) snprintf(buf + len, size - len, "%s%.*s",
                                  len ? "; " : "",
                                  label ? (int) strlen(label) : (int) n,
                                  label ? label : ids);

            len = (len + i < size) ? len + i : size - 1;
        }

        ids += n;

        while (ids < end && *ids == ' ') {
            ids++;
        }
    }
}

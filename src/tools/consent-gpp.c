
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * consent-gpp: the core's GPP codec (src/consent_gpp.c) on the command
 * line.  "decode" reads GPP strings and prints their fields, "encode"
 * reads fields and prints the GPP string.  One item a line, from the
 * arguments or, without any, the standard input; one line out for each,
 * "error: WHY" when it is refused.  For operators reading a visitor's
 * __gpp cookie, and for t/gpp-differential.t, which compares the codec
 * with IAB's own implementation.
 *
 * Fields are written SECTION.Field=VALUE separated by spaces, with the
 * spec's field names (usnat.SaleOptOut=1), lists as digits
 * (usnat.SensitiveDataProcessing=0120...), usnat.GpcSegmentIncluded and
 * usnat.Gpc as 0 or 1, other sections as raw.ID=TEXT, in the string's
 * order.  decode's output is encode's input.
 */


#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consent_gpp.h"


#define CONSENT_GPP_LINE  65536


typedef struct {
    const char         *name;
    size_t              offset;
    unsigned            n;             /* 0: one value, else a list */
    unsigned            v1;            /* usnat v1's length of a list */
} consent_gpp_cli_field_t;


#define F(t, f, name)         { name, offsetof(t, f), 0, 0 }
#define L(t, f, name, n, v1)  { name, offsetof(t, f), n, v1 }


static const consent_gpp_cli_field_t  consent_gpp_cli_usnat[] = {
    F(consent_gpp_usnat_t, version, "Version"),
    F(consent_gpp_usnat_t, sharing_notice, "SharingNotice"),
    F(consent_gpp_usnat_t, sale_opt_out_notice, "SaleOptOutNotice"),
    F(consent_gpp_usnat_t, sharing_opt_out_notice, "SharingOptOutNotice"),
    F(consent_gpp_usnat_t, targeted_advertising_opt_out_notice,
      "TargetedAdvertisingOptOutNotice"),
    F(consent_gpp_usnat_t, sensitive_data_processing_opt_out_notice,
      "SensitiveDataProcessingOptOutNotice"),
    F(consent_gpp_usnat_t, sensitive_data_limit_use_notice,
      "SensitiveDataLimitUseNotice"),
    F(consent_gpp_usnat_t, sale_opt_out, "SaleOptOut"),
    F(consent_gpp_usnat_t, sharing_opt_out, "SharingOptOut"),
    F(consent_gpp_usnat_t, targeted_advertising_opt_out,
      "TargetedAdvertisingOptOut"),
    L(consent_gpp_usnat_t, sensitive_data_processing,
      "SensitiveDataProcessing", CONSENT_GPP_USNAT_SDP, 12),
    L(consent_gpp_usnat_t, known_child_sensitive_data_consents,
      "KnownChildSensitiveDataConsents", CONSENT_GPP_USNAT_KCSDC, 2),
    F(consent_gpp_usnat_t, personal_data_consents, "PersonalDataConsents"),
    F(consent_gpp_usnat_t, mspa_covered_transaction,
      "MspaCoveredTransaction"),
    F(consent_gpp_usnat_t, mspa_opt_out_option_mode,
      "MspaOptOutOptionMode"),
    F(consent_gpp_usnat_t, mspa_service_provider_mode,
      "MspaServiceProviderMode"),
    F(consent_gpp_usnat_t, gpc_segment, "GpcSegmentIncluded"),
    F(consent_gpp_usnat_t, gpc, "Gpc"),
    { NULL, 0, 0, 0 }
};


/*
 * usca's fields are most of usnat's, listed again on purpose: another
 * struct (other offsets), and each table reads as its section in the
 * spec
 */

static const consent_gpp_cli_field_t  consent_gpp_cli_usca[] = {
    F(consent_gpp_usca_t, version, "Version"),
    F(consent_gpp_usca_t, sale_opt_out_notice, "SaleOptOutNotice"),
    F(consent_gpp_usca_t, sharing_opt_out_notice, "SharingOptOutNotice"),
    F(consent_gpp_usca_t, sensitive_data_limit_use_notice,
      "SensitiveDataLimitUseNotice"),
    F(consent_gpp_usca_t, sale_opt_out, "SaleOptOut"),
    F(consent_gpp_usca_t, sharing_opt_out, "SharingOptOut"),
    L(consent_gpp_usca_t, sensitive_data_processing,
      "SensitiveDataProcessing", CONSENT_GPP_USCA_SDP, 0),
    L(consent_gpp_usca_t, known_child_sensitive_data_consents,
      "KnownChildSensitiveDataConsents", CONSENT_GPP_USCA_KCSDC, 0),
    F(consent_gpp_usca_t, personal_data_consents, "PersonalDataConsents"),
    F(consent_gpp_usca_t, mspa_covered_transaction,
      "MspaCoveredTransaction"),
    F(consent_gpp_usca_t, mspa_opt_out_option_mode,
      "MspaOptOutOptionMode"),
    F(consent_gpp_usca_t, mspa_service_provider_mode,
      "MspaServiceProviderMode"),
    F(consent_gpp_usca_t, gpc_segment, "GpcSegmentIncluded"),
    F(consent_gpp_usca_t, gpc, "Gpc"),
    { NULL, 0, 0, 0 }
};


static void consent_gpp_cli_usage(FILE *f);
static void consent_gpp_cli_print(FILE *out, const char *section,
    const consent_gpp_cli_field_t *fields, const uint8_t *base, int v1);
static int consent_gpp_cli_decode(const char *s, FILE *out);
static int consent_gpp_cli_set(const consent_gpp_cli_field_t *fields,
    uint8_t *base, const char *name, size_t nlen, const char *value);
static int consent_gpp_cli_encode(char *s, FILE *out);
static int consent_gpp_cli_one(int encode, char *line, FILE *out);


static void
consent_gpp_cli_usage(FILE *f)
{
    fprintf(f,
        "usage: consent-gpp decode [STRING...]\n"
        "       consent-gpp encode [FIELDS...]\n"
        "\n"
        "Decodes IAB GPP strings (the header, usnat and usca sections\n"
        "with their GPC subsections; other sections are shown raw) into\n"
        "fields, or encodes fields into a GPP string, with the codec of\n"
        "ngx_http_consent_module.  Items come from the arguments or, with\n"
        "none, one a line from the standard input.  FIELDS are\n"
        "SECTION.Field=VALUE separated by spaces (usnat.SaleOptOut=1\n"
        "usnat.SensitiveDataProcessing=0000000000000000 raw.2=CP...), as\n"
        "decode prints them; a section's missing fields are 0, its\n"
        "Version the current one and MspaCoveredTransaction 2.\n"
        "\n"
        "Exit: 0 every item done, 1 one was refused (\"error: ...\"),\n"
        "2 usage.\n");
}


static void
consent_gpp_cli_print(FILE *out, const char *section,
    const consent_gpp_cli_field_t *fields, const uint8_t *base, int v1)
{
    unsigned  i, n;

    for ( /* void */ ; fields->name; fields++) {
        fprintf(out, " %s.%s=", section, fields->name);

        if (fields->n == 0) {
            fprintf(out, "%u", base[fields->offset]);
            continue;
        }

        n = (v1 && fields->v1) ? fields->v1 : fields->n;

        for (i = 0; i < n; i++) {
            fputc('0' + base[fields->offset + i], out);
        }
    }
}


static int
consent_gpp_cli_decode(const char *s, FILE *out)
{
    unsigned        i, r;
    const char     *why;
    consent_gpp_t   gpp;

    why = "malformed";

    if (consent_gpp_decode(s, strlen(s), &gpp, &why) != 0) {
        fprintf(out, "error: %s\n", why);
        return 1;
    }

    fprintf(out, "sections=");

    for (i = 0; i < gpp.nsections; i++) {
        fprintf(out, "%s%u", i ? "," : "", gpp.sections[i]);
    }

    r = 0;

    for (i = 0; i < gpp.nsections; i++) {
        if (gpp.sections[i] == CONSENT_GPP_USNAT_ID) {
            consent_gpp_cli_print(out, "usnat", consent_gpp_cli_usnat,
                                  (const uint8_t *) &gpp.usnat,
                                  gpp.usnat.version == 1);

        } else if (gpp.sections[i] == CONSENT_GPP_USCA_ID) {
            consent_gpp_cli_print(out, "usca", consent_gpp_cli_usca,
                                  (const uint8_t *) &gpp.usca, 0);

        } else {
            fprintf(out, " raw.%u=%.*s", gpp.raw[r].id,
                    (int) gpp.raw[r].len, gpp.raw[r].data);
            r++;
        }
    }

    fputc('\n', out);

    return 0;
}


static int
consent_gpp_cli_set(const consent_gpp_cli_field_t *fields, uint8_t *base,
    const char *name, size_t nlen, const char *value)
{
    char           *end;
    size_t          i, vlen;
    unsigned long   v;

    for ( /* void */ ; fields->name; fields++) {
        if (strlen(fields->name) == nlen
            && memcmp(fields->name, name, nlen) == 0)
        {
            break;
        }
    }

    if (fields->name == NULL) {
        return -1;
    }

    vlen = strlen(value);

    if (fields->n == 0) {
        v = strtoul(value, &end, 10);

        if (vlen == 0 || *end != '\0' || v > 255) {
            return -1;
        }

        base[fields->offset] = (uint8_t) v;
        return 0;
    }

    if (vlen > fields->n) {
        return -1;
    }

    for (i = 0; i < fields->n; i++) {
        if (i < vlen && (value[i] < '0' || value[i] > '9')) {
            return -1;
        }

        base[fields->offset + i] = (uint8_t) (i < vlen ? value[i] - '0' : 0);
    }

    return 0;
}


static int
consent_gpp_cli_encode(char *s, FILE *out)
{
    int             n;
    char           *tok, *save, *dot, *eq, *end;
    const char     *why;
    unsigned long   id;
    consent_gpp_t   gpp;
    static char     buf[CONSENT_GPP_LINE];

    consent_gpp_init(&gpp);

    for (tok = strtok_r(s, " \t", &save); tok;
         tok = strtok_r(NULL, " \t", &save))
    {
        dot = strchr(tok, '.');
        eq = strchr(tok, '=');

        if (dot == NULL || eq == NULL || eq < dot) {
            if (strncmp(tok, "sections=", 9) == 0) {
                continue;      /* decode's list: encode computes it */
            }

            fprintf(out, "error: not SECTION.Field=VALUE: %s\n", tok);
            return 1;
        }

        *eq = '\0';

        if (dot - tok == 5 && memcmp(tok, "usnat", 5) == 0) {
            gpp.has_usnat = 1;
            n = consent_gpp_cli_set(consent_gpp_cli_usnat,
                                    (uint8_t *) &gpp.usnat, dot + 1,
                                    eq - dot - 1, eq + 1);

        } else if (dot - tok == 4 && memcmp(tok, "usca", 4) == 0) {
            gpp.has_usca = 1;
            n = consent_gpp_cli_set(consent_gpp_cli_usca,
                                    (uint8_t *) &gpp.usca, dot + 1,
                                    eq - dot - 1, eq + 1);

        } else if (dot - tok == 3 && memcmp(tok, "raw", 3) == 0) {
            id = strtoul(dot + 1, &end, 10);
            n = (*end != '\0' || id > 65535
                 || gpp.nraw == CONSENT_GPP_MAX_SECTIONS) ? -1 : 0;

            if (n == 0) {
                gpp.raw[gpp.nraw].id = (uint16_t) id;
                gpp.raw[gpp.nraw].data = eq + 1;
                gpp.raw[gpp.nraw].len = strlen(eq + 1);
                gpp.nraw++;
            }

        } else {
            n = -1;
        }

        if (n != 0) {
            fprintf(out, "error: unknown field or bad value: %s\n", tok);
            return 1;
        }
    }

    why = "malformed";

    if (consent_gpp_encode(&gpp, buf, sizeof(buf), &why) < 0) {
        fprintf(out, "error: %s\n", why);
        return 1;
    }

    fprintf(out, "%s\n", buf);

    return 0;
}


static int
consent_gpp_cli_one(int encode, char *line, FILE *out)
{
    size_t  len;

    len = strlen(line);

    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) {
        line[--len] = '\0';
    }

    return encode ? consent_gpp_cli_encode(line, out)
                  : consent_gpp_cli_decode(line, out);
}


int
main(int argc, char **argv)
{
    int          i, encode, failed;
    static char  line[CONSENT_GPP_LINE];

    if (argc < 2) {
        consent_gpp_cli_usage(stderr);
        return 2;
    }

    if (strcmp(argv[1], "encode") == 0) {
        encode = 1;

    } else if (strcmp(argv[1], "decode") == 0) {
        encode = 0;

    } else {
        consent_gpp_cli_usage(strcmp(argv[1], "--help") == 0 ? stdout
                                                              : stderr);
        return strcmp(argv[1], "--help") == 0 ? 0 : 2;
    }

    failed = 0;

    if (argc > 2) {
        for (i = 2; i < argc; i++) {
            failed |= consent_gpp_cli_one(encode, argv[i], stdout);
        }

        return failed;
    }

    while (fgets(line, sizeof(line), stdin) != NULL) {
        failed |= consent_gpp_cli_one(encode, line, stdout);
        fflush(stdout);
    }

    return failed;
}


/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The Global Vendor List parser (src/consent_tcf_gvl.c).
 *
 * Input: the bytes of a vendor list.  Properties: parsing never reads
 * outside its input and leaks nothing (ASan); a refusal says why; a
 * list it takes keeps what it promises: every vendor's purposes are
 * defined, none both on consent and on legitimate interest, flexible
 * ones on one of them, the counts add up.
 */


#include "fuzz.h"
#include "consent_tcf_gvl.h"


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char                         err[512];
    unsigned                     id, n, d;
    consent_tcf_gvl_t           *gvl;
    const consent_tcf_vendor_t  *v;

    err[0] = '\0';
    gvl = consent_tcf_gvl_parse((const char *) data, size, err, sizeof(err));

    if (gvl == NULL) {
        fuzz_check(err[0] != '\0', "a refusal says why");
        return 0;
    }

    n = 0;
    d = 0;

    for (id = 0; id <= gvl->max_vendor + 1; id++) {
        v = consent_tcf_gvl_vendor(gvl, id);

        if (v == NULL) {
            continue;
        }

        fuzz_check(id >= 1 && id <= gvl->max_vendor, "ids in range");
        fuzz_check((v->purposes & ~gvl->purposes) == 0
                   && (v->li_purposes & ~gvl->purposes) == 0,
                   "purposes defined");
        fuzz_check((v->purposes & v->li_purposes) == 0,
                   "not both consent and legitimate interest");
        fuzz_check((v->flexible_purposes
                    & ~(v->purposes | v->li_purposes)) == 0,
                   "flexible purposes declared");
        fuzz_check((v->special_features & ~gvl->special_features) == 0,
                   "special features defined");

        if (v->deleted) {
            d++;

        } else {
            n++;
        }
    }

    fuzz_check(n == gvl->nvendors && d == gvl->ndeleted, "counts add up");
    fuzz_check(gvl->vendor_list_version >= 1
               && gvl->policy_version >= 4, "versions checked");

    consent_tcf_gvl_free(gvl);

    return 0;
}

// IAB's own TCF implementation (@iabtechlabtcf/core, npm) on the command
// line, speaking the same line format as build/consent-tcf, for
// t/tcf-differential.t and the integration tests of bridge mode.
//
//   node t/lib/tcf.mjs encode < JSON    one TC string a line
//   node t/lib/tcf.mjs decode < STRINGS one JSON object a string
//   node t/lib/tcf.mjs choose GVL < CHOICES
//                                       a visitor's choice under a GVL,
//                                       as the library's TCString.encode
//                                       writes it (with its semantic
//                                       pre-encoding), Core and Disclosed
//                                       Vendors segments
//
// A JSON line has the fields build/consent-tcf prints, in its order:
// version, created and lastUpdated (deciseconds), cmpId, ..., id lists
// as arrays, publisherRestrictions as [{purpose, type, vendors}],
// vendorsDisclosed (null: no such segment) and publisherTC (null: none).
// Segments are encoded one by one with the library's SegmentEncoder, so
// that its semantic pre-encoding (which needs a full GVL and drops
// signals for vendors it does not list) leaves the fields as given.
// Anything refused prints "error: WHY".

import { createInterface } from 'node:readline';

let tcf;

try {
    tcf = await import('@iabtechlabtcf/core');
} catch (e) {
    console.log('error: @iabtechlabtcf/core is not installed (run "npm ci" '
                + 'in the repository root): ' + e.message);
    process.exit(2);
}

const { TCModel, TCString, SegmentEncoder, Segment, PurposeRestriction,
        Base64Url, GVL } = tcf;

// every vendor id is known and may carry every restriction
const ANY_GVL = { vendorIds: { has: () => true } };

function ids(vector) {
    const out = [];

    vector.forEach((value, id) => {
        if (value) {
            out.push(id);
        }
    });

    return out;
}

export function encode(line) {
    const f = JSON.parse(line);
    const m = new TCModel();

    m.version = f.version ?? 2;
    m.created = new Date((f.created ?? 0) * 100);
    m.lastUpdated = new Date((f.lastUpdated ?? 0) * 100);
    m.cmpId = f.cmpId;
    m.cmpVersion = f.cmpVersion ?? 0;
    m.consentScreen = f.consentScreen ?? 0;
    m.consentLanguage = f.consentLanguage ?? 'EN';
    m.vendorListVersion = f.vendorListVersion ?? 0;
    m.policyVersion = f.policyVersion ?? 5;
    m.isServiceSpecific = !!f.isServiceSpecific;
    m.useNonStandardTexts = !!f.useNonStandardTexts;
    m.specialFeatureOptins.set(f.specialFeatureOptins ?? []);
    m.purposeConsents.set(f.purposeConsents ?? []);
    m.purposeLegitimateInterests.set(f.purposeLegitimateInterests ?? []);
    m.purposeOneTreatment = !!f.purposeOneTreatment;
    m.publisherCountryCode = f.publisherCountryCode ?? 'AA';
    m.vendorConsents.set(f.vendorConsents ?? []);
    m.vendorLegitimateInterests.set(f.vendorLegitimateInterests ?? []);
    m.publisherRestrictions.gvl = ANY_GVL;

    for (const r of f.publisherRestrictions ?? []) {
        const pr = new PurposeRestriction(r.purpose, r.type);

        for (const v of r.vendors) {
            m.publisherRestrictions.add(v, pr);
        }
    }

    const segments = [Segment.CORE];

    if (f.vendorsDisclosed) {
        m.vendorsDisclosed.set(f.vendorsDisclosed);
        segments.push(Segment.VENDORS_DISCLOSED);
    }

    if (f.publisherTC) {
        const p = f.publisherTC;

        m.publisherConsents.set(p.consents ?? []);
        m.publisherLegitimateInterests.set(p.legitimateInterests ?? []);
        m.numCustomPurposes = p.numCustomPurposes ?? 0;
        m.publisherCustomConsents.set(p.customConsents ?? []);
        m.publisherCustomLegitimateInterests.set(
            p.customLegitimateInterests ?? []);
        segments.push(Segment.PUBLISHER_TC);
    }

    return segments.map((s) => SegmentEncoder.encode(m, s)).join('.');
}

export function decode(str) {
    const m = TCString.decode(str);
    const types = str.split('.').slice(1)
        .map((s) => Base64Url.REVERSE_DICT.get(s[0]) >> 3);
    const restrictions = [];

    for (const pr of m.publisherRestrictions.getRestrictions()) {
        restrictions.push({
            purpose: pr.purposeId,
            type: pr.restrictionType,
            vendors: m.publisherRestrictions.getVendors(pr),
        });
    }

    const out = {
        version: m.version,
        created: Math.round(m.created.getTime() / 100),
        lastUpdated: Math.round(m.lastUpdated.getTime() / 100),
        cmpId: m.cmpId,
        cmpVersion: m.cmpVersion,
        consentScreen: m.consentScreen,
        consentLanguage: m.consentLanguage,
        vendorListVersion: m.vendorListVersion,
        policyVersion: m.policyVersion,
        isServiceSpecific: m.isServiceSpecific,
        useNonStandardTexts: m.useNonStandardTexts,
        specialFeatureOptins: ids(m.specialFeatureOptins),
        purposeConsents: ids(m.purposeConsents),
        purposeLegitimateInterests: ids(m.purposeLegitimateInterests),
        purposeOneTreatment: m.purposeOneTreatment,
        publisherCountryCode: m.publisherCountryCode,
        vendorConsents: ids(m.vendorConsents),
        vendorLegitimateInterests: ids(m.vendorLegitimateInterests),
        publisherRestrictions: restrictions,
        vendorsDisclosed: types.includes(1) ? ids(m.vendorsDisclosed) : null,
        publisherTC: types.includes(3) ? {
            consents: ids(m.publisherConsents),
            legitimateInterests: ids(m.publisherLegitimateInterests),
            numCustomPurposes: m.numCustomPurposes,
            customConsents: ids(m.publisherCustomConsents),
            customLegitimateInterests:
                ids(m.publisherCustomLegitimateInterests),
        } : null,
    };

    return JSON.stringify(out);
}

let gvlJson;

export function choose(line) {
    const c = JSON.parse(line);
    const m = new TCModel(new GVL(structuredClone(gvlJson)));
    const day = new Date((c.now - c.now % 86400) * 1000);

    m.cmpId = c.cmpId;
    m.cmpVersion = c.cmpVersion;
    m.publisherCountryCode = c.publisherCountryCode;
    m.isServiceSpecific = true;
    m.created = day;
    m.lastUpdated = day;
    m.purposeConsents.set(c.purposes);
    m.purposeLegitimateInterests.set(c.legitimateInterests);
    m.specialFeatureOptins.set(c.specialFeatures);
    m.vendorConsents.set(c.vendors);
    m.vendorLegitimateInterests.set(c.vendorLegitimateInterests);
    m.vendorsDisclosed.set(Object.values(gvlJson.vendors)
        .filter((v) => !v.deletedDate).map((v) => v.id));

    return TCString.encode(m, {
        segments: [Segment.CORE, Segment.VENDORS_DISCLOSED] });
}

const mode = process.argv[2];

if (import.meta.url === 'file://' + process.argv[1]) {
    if (mode !== 'encode' && mode !== 'decode' && mode !== 'choose') {
        console.error('usage: node t/lib/tcf.mjs encode|decode|choose [GVL]'
                      + ' < LINES');
        process.exit(2);
    }

    if (mode === 'choose') {
        const { readFileSync } = await import('node:fs');
        gvlJson = JSON.parse(readFileSync(process.argv[3], 'utf8'));
    }

    const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });

    for await (const line of rl) {
        let out;

        try {
            out = mode === 'encode' ? encode(line)
                  : mode === 'choose' ? choose(line) : decode(line.trim());
        } catch (e) {
            out = 'error: ' + String(e.message || e).replace(/\s+/g, ' ');
        }

        process.stdout.write(out + '\n');
    }
}

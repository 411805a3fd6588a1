// IAB's own GPP implementation (@iabgpp/cmpapi, npm) on the command line,
// speaking the same line format as build/consent-gpp, for
// t/gpp-differential.t.
//
//   node t/lib/gpp.mjs encode < FIELDS   one GPP string a line
//   node t/lib/gpp.mjs decode < STRINGS  one field line a string
//
// A field line is "sections=7,8 usnat.Version=2 usnat.SharingNotice=0 ...
// usca.Gpc=0": every field of each section in the spec's order, lists
// as digits, GpcSegmentIncluded and Gpc as 0 or 1.  Only usnat (7) and
// usca (8) are spoken here; anything refused prints "error: WHY".

import { createInterface } from 'node:readline';

let GppModel;

try {
    ({ GppModel } = await import('@iabgpp/cmpapi'));
} catch (e) {
    console.log('error: @iabgpp/cmpapi is not installed (run "npm ci" in '
                + 'the repository root): ' + e.message);
    process.exit(2);
}

// the spec's field order, as build/consent-gpp prints them
const FIELDS = {
    usnat: [
        'Version', 'SharingNotice', 'SaleOptOutNotice', 'SharingOptOutNotice',
        'TargetedAdvertisingOptOutNotice',
        'SensitiveDataProcessingOptOutNotice', 'SensitiveDataLimitUseNotice',
        'SaleOptOut', 'SharingOptOut', 'TargetedAdvertisingOptOut',
        'SensitiveDataProcessing', 'KnownChildSensitiveDataConsents',
        'PersonalDataConsents', 'MspaCoveredTransaction',
        'MspaOptOutOptionMode', 'MspaServiceProviderMode',
        'GpcSegmentIncluded', 'Gpc',
    ],
    usca: [
        'Version', 'SaleOptOutNotice', 'SharingOptOutNotice',
        'SensitiveDataLimitUseNotice', 'SaleOptOut', 'SharingOptOut',
        'SensitiveDataProcessing', 'KnownChildSensitiveDataConsents',
        'PersonalDataConsents', 'MspaCoveredTransaction',
        'MspaOptOutOptionMode', 'MspaServiceProviderMode',
        'GpcSegmentIncluded', 'Gpc',
    ],
};

const IDS = { 7: 'usnat', 8: 'usca' };
const LISTS = new Set(['SensitiveDataProcessing',
                       'KnownChildSensitiveDataConsents']);
const FLAGS = new Set(['GpcSegmentIncluded', 'Gpc']);

function encode(line) {
    const model = new GppModel();

    for (const tok of line.split(/\s+/).filter((t) => t !== '')) {
        if (tok.startsWith('sections=')) {
            continue;
        }

        const m = /^(usnat|usca)\.([A-Za-z]+)=([0-9]+)$/.exec(tok);

        if (!m) {
            throw new Error('not a field: ' + tok);
        }

        const [, section, field, text] = m;
        let value;

        if (LISTS.has(field)) {
            value = [...text].map(Number);
        } else if (FLAGS.has(field)) {
            value = text === '1';
        } else {
            value = Number(text);
        }

        model.setFieldValue(section, field, value);
    }

    return model.encode();
}

function decode(str) {
    const model = new GppModel(str);
    const ids = model.getSectionIds();
    const out = ['sections=' + ids.join(',')];

    for (const id of ids) {
        const section = IDS[id];

        if (!section) {
            throw new Error('section ' + id + ' is not spoken here');
        }

        for (const field of FIELDS[section]) {
            const v = model.getFieldValue(section, field);
            let text;

            if (LISTS.has(field)) {
                text = v.join('');
            } else if (typeof v === 'boolean') {
                text = v ? '1' : '0';
            } else {
                text = String(v);
            }

            out.push(section + '.' + field + '=' + text);
        }
    }

    return out.join(' ');
}

const mode = process.argv[2];

if (mode !== 'encode' && mode !== 'decode') {
    console.error('usage: node t/lib/gpp.mjs encode|decode < LINES');
    process.exit(2);
}

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });

for await (const line of rl) {
    let out;

    try {
        out = mode === 'encode' ? encode(line) : decode(line.trim());
    } catch (e) {
        out = 'error: ' + String(e.message || e).replace(/\s+/g, ' ');
    }

    process.stdout.write(out + '\n');
}

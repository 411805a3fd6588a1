// The HTML filter against a spec-compliant HTML parser (parse5), for
// t/differential.t.
//
// Every fixture page goes through build/consent-filter three times:
// nothing granted, with the head snippet and the banner injected;
// everything granted; some categories granted (the fixture's setup
// comment's granted=, else every other optional category), injected.
// A setup comment's tag_max= is passed on (--tag-max).  Then, in the
// DOMs parse5 builds (scripting disabled: <noscript> content is markup,
// as the filter reads it):
//
//   - which elements must be gated (or re-activated, or failed closed)
//     is decided here from the input's DOM and the policy, by a matcher
//     of its own written from docs/policy.md and docs/gating.md: URL
//     hosts are read by node's WHATWG URL parser, srcset as the HTML
//     Standard splits it, inline markers in the script's first 2048
//     bytes (of an SVG script's text: up to the first markup in it
//     other than a CDATA section), marks (data-consent,
//     data-cookieconsent, data-category) mapped by the policy's ids and
//     aliases;
//   - the output's DOM, without the elements the filter injected
//     (data-consent-ui), must be the input's node for node, each
//     element either untouched or rewritten exactly as docs/gating.md
//     says (attributes inserted after the name, the fetching ones
//     renamed data-consent-*): so the elements the output neutralises
//     are exactly those expected, and nothing else changed;
//   - every injected element must come out of the parser as it does in
//     a minimal document (the page around it did not swallow it), the
//     head snippet and the banner once each where the filter says
//     (--stats) it injected them, and into every document unless the
//     fixture's "expect:" says otherwise (head_injected=0,
//     banner_injected=0: a page cut short, a frameset page);
//   - with everything granted the output is the input, byte for byte,
//     unless an element is expected to change (an unknown mark, migrated
//     markup to re-activate).
//
// Prints TAP: one test per fixture, the numbers as comments.
//
// usage: node t/lib/differential.mjs --filter BIN --policy FILE DIR|PAGE...
//   a page is run with DIR/policy.json when its directory has one, else
//   with --policy.  CONSENT_DIFF_VERBOSE=1 prints every element's verdict.

import { readFileSync, existsSync, readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

let parse5;

try {
    parse5 = await import('parse5');
} catch (e) {
    console.log('1..1');
    console.log('not ok 1 - parse5 is not installed (run "npm ci" in the '
                + 'repository root): ' + e.message);
    process.exit(1);
}

const HTML_NS = 'http://www.w3.org/1999/xhtml';
const SVG_NS = 'http://www.w3.org/2000/svg';

const TAG_MAX = 8192;           // the filter's defaults (consent_html.h)
const TAG_MIN = 64;
const INLINE_MAX = 2048;
const ATTRS_MAX = 64;           // more attributes: judged unreadable

const MAX_DIAG = 12;            // diagnostics per fixture run

const verbose = !!process.env.CONSENT_DIFF_VERBOSE;

/*
 * Disagreements docs/gating.md documents as limits: reported as TAP TODO
 * tests (they do not fail the run; "TODO passed" once they are gone),
 * but only while every diagnostic of the fixture is one the limit
 * explains (tolerate), in the runs it concerns (inject: only those that
 * inject the banner; the run with everything granted must pass).
 * Anything else that disagrees fails.
 */
const NESTED = {
    why: 'docs/gating.md, Limits: a page without a <body> tag that leaves '
         + 'a <form>, <a> or <select> open at </body> gets the banner inside it',
    inject: true,
    tolerate: [
        /^#document>html>body(>[a-z]+)*: text differs from /,
        new RegExp('^#document>html>body(>[a-z]+)*: the input\'s DOM has '
                   + '(nothing|text "[^"]*"), the output\'s '
                   + '(text "[^"]*"|<input>)$'),
        /^\d+ injected element\(s\) not parsed as injected, /,
        /^the banner was injected, but the output's DOM has 0 of it$/
    ]
};

// (a page with a <body> tag gets the banner right after it, before
// anything the page leaves open: inject-open-*.html pass)
const KNOWN = {
    't/diff/inject-open-form-nobody.html': NESTED,
    't/diff/url-idna.html': {
        why: 'docs/gating.md, Conformance: hosts with characters a browser '
             + 'maps to ASCII (UTS #46) beyond the fullwidth forms',
        inject: false,
        tolerate: [
            new RegExp('\\) should be gated \\([a-z]+, by rule\\); '
                       + 'the filter passed it untouched$'),
            /^    expected: /
        ]
    }
};

// every diagnostic ("RUN: what") is one the limit explains
function explained(known, diags) {
    return diags.every((d) => {
        const m = /^([^:]+): ([\s\S]*)$/.exec(d);

        return m && (!known.inject || m[1] !== 'all')
               && known.tolerate.some((re) => re.test(m[2]));
    });
}


// ---------------------------------------------------------------------
// bytes and strings
//
// Matching is done on bytes, as the filter does: a "byte string" is a JS
// string whose characters are the UTF-8 bytes of the text (latin1).

const bytes = (s) => Buffer.from(s, 'utf8').toString('latin1');
const isSpace = (c) => c === ' ' || c === '\t' || c === '\n'
                       || c === '\f' || c === '\r';
const trimSpace = (s) => s.replace(/^[ \t\n\f\r]+|[ \t\n\f\r]+$/g, '');
const blank = (s) => s === null || s === undefined || trimSpace(s) === '';
const asciiLower = (s) => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());

function show(s, max = 160) {
    let t = s.length > max ? s.slice(0, max) + '...' : s;
    return t.replace(/[\x00-\x1f\x7f]/g,
                     (c) => '\\x' + c.charCodeAt(0).toString(16)
                                     .padStart(2, '0'));
}


// ---------------------------------------------------------------------
// the policy

function loadPolicy(file) {
    const j = JSON.parse(readFileSync(file, 'utf8'));
    const P = { file, categories: [], names: new Map(), ids: new Map(),
                rules: [], required: 0, all: 0, hasInline: false };

    j.categories.forEach((c, i) => {
        P.categories.push(c.id);
        P.ids.set(c.id.toLowerCase(), i);
        P.names.set(c.id.toLowerCase(), i);
        P.all |= 1 << i;

        if (c.required) {
            P.required |= 1 << i;
        }
    });

    j.categories.forEach((c, i) => {
        for (const a of c.aliases || []) {
            if (!P.names.has(a.toLowerCase())) {
                P.names.set(a.toLowerCase(), i);
            }
        }
    });

    for (const r of j.rules || []) {
        const rule = {
            cat: P.ids.get(r.category.toLowerCase()),
            hosts: (r.hosts || []).map((h) => h.toLowerCase()),
            urls: (r.urls || []).map((u) => foldUrl(bytes(u))),
            inline: (r.inline || []).map(bytes)
        };

        if (rule.inline.length) {
            P.hasInline = true;
        }

        P.rules.push(rule);
    }

    return P;
}

function categoryList(P, mask) {
    return P.categories.filter((id, i) => mask & (1 << i)).join(' ');
}


// ---------------------------------------------------------------------
// URLs (docs/policy.md, "hosts" and "urls")

const SPECIAL = new Set(['http', 'https', 'ws', 'wss', 'ftp']);

// a URL as URL substring rules see it: no TAB/LF/CR, "\" as "/",
// escapes decoded once, ASCII lower case; s and the result are bytes
function foldUrl(s) {
    s = s.replace(/[\t\n\r]/g, '').replace(/\\/g, '/');
    s = s.replace(/%([0-9A-Fa-f]{2})/g,
                  (m, h) => String.fromCharCode(parseInt(h, 16)));
    return asciiLower(s);
}

// the host the browser would contact for this attribute value, lower
// case, no trailing dot; null for relative URLs and other schemes
function urlHost(value) {
    let v = value.replace(/^[\x00-\x20]+|[\x00-\x20]+$/g, '')
                 .replace(/[\t\n\r]/g, '');
    const m = /^([A-Za-z][A-Za-z0-9+.\-]*):/.exec(v);

    if (m) {
        if (!SPECIAL.has(m[1].toLowerCase())) {
            return null;
        }

    } else if (/^[\/\\]{2}/.test(v)) {
        v = 'http:' + v;

    } else {
        return null;
    }

    let host;

    try {
        host = new URL(v).hostname;

    } catch (e) {
        // the browser would not fetch it; read the authority loosely
        let rest = v.replace(/^[^:]*:[\/\\]*/, '');
        rest = rest.split(/[\/\\?#]/)[0];
        rest = rest.slice(rest.lastIndexOf('@') + 1).split(':')[0];

        try {
            host = decodeURIComponent(rest);
        } catch (e2) {
            host = rest;
        }

        host = host.toLowerCase();
    }

    if (host.startsWith('[')) {
        return null;
    }

    host = host.replace(/\.+$/, '');

    return host === '' ? null : host;
}

// the first rule (in file order) one of whose hosts or URL substrings
// matches; -1 if none
function urlRule(P, value) {
    const host = urlHost(value);
    const folded = foldUrl(bytes(
        value.replace(/^[\x00-\x20]+|[\x00-\x20]+$/g, '')));

    for (const r of P.rules) {
        if (host !== null
            && r.hosts.some((h) => host === h || host.endsWith('.' + h)))
        {
            return r.cat;
        }

        if (r.urls.some((u) => folded.includes(u))) {
            return r.cat;
        }
    }

    return -1;
}

const urlMask = (P, value) => {
    if (value === null || value === undefined) {
        return 0;
    }

    const c = urlRule(P, value);
    return c < 0 ? 0 : 1 << c;
};

// the URLs of a srcset, as "parse a srcset attribute" splits them
function srcsetUrls(s) {
    const urls = [];
    let i = 0;

    for ( ;; ) {
        while (i < s.length && (isSpace(s[i]) || s[i] === ',')) {
            i++;
        }

        if (i >= s.length) {
            return urls;
        }

        const start = i;

        while (i < s.length && !isSpace(s[i])) {
            i++;
        }

        let url = s.slice(start, i);

        if (url.endsWith(',')) {
            url = url.replace(/,+$/, '');

        } else {
            let paren = false;

            for ( ; i < s.length; i++) {
                if (s[i] === '(') {
                    paren = true;
                } else if (s[i] === ')') {
                    paren = false;
                } else if (s[i] === ',' && !paren) {
                    i++;
                    break;
                }
            }
        }

        urls.push(url);
    }
}

const srcsetMask = (P, value) => value === null || value === undefined ? 0
    : srcsetUrls(value).reduce((m, u) => m | urlMask(P, u), 0);


// ---------------------------------------------------------------------
// elements

const qname = (a) => a.prefix ? a.prefix + ':' + a.name : a.name;
const attrList = (el) => el.attrs.map((a) => [qname(a), a.value]);

function attr(el, name) {
    const a = el.attrs.find((x) => qname(x) === name);
    return a ? a.value : null;
}

const HTML_KINDS = new Set(['script', 'iframe', 'frame', 'embed', 'object',
                            'img', 'link', 'video', 'audio', 'source']);

// what the element is to the gating contract: null if nothing
const MORE_KINDS = { track: 'track', input: 'input', body: 'bg', table: 'bg',
                     td: 'bg', th: 'bg', a: 'ping', area: 'ping',
                     meta: 'meta', base: 'base' };
const SVG_KINDS = { script: 'script', image: 'img', use: 'svgref',
                    feimage: 'svgref', set: 'svganim', animate: 'svganim' };

function kindOf(el) {
    if (el.namespaceURI === HTML_NS && HTML_KINDS.has(el.tagName)) {
        return { kind: el.tagName, svg: false };
    }

    if (el.namespaceURI === HTML_NS && MORE_KINDS[el.tagName]) {
        return { kind: MORE_KINDS[el.tagName], svg: false, more: true };
    }

    const sk = el.namespaceURI === SVG_NS
               && SVG_KINDS[el.tagName.toLowerCase()];

    if (sk) {
        return { kind: sk, svg: true,
                 more: sk === 'svgref' || sk === 'svganim' };
    }

    // any other element (its name held whole): by url()s in its style=
    if (el.tagName.length <= 14) {
        return { kind: 'css', svg: el.namespaceURI === SVG_NS, more: true };
    }

    return null;
}

// The URLs a stylesheet or a style= value fetches, as the CSS Syntax
// standard tokenizes it (written here from the standard, apart from
// src/consent_css.c): url() quoted or not, the strings of image-set(),
// -webkit-image-set(), image() and src(), the string after @import;
// [{ start, end, url, kind, bad }], start and end the URL's bytes as
// written in t (a bad url's up to its ')'), url decoded; kind 3 @import
const CSS_WS = (c) => c === ' ' || c === '\t' || c === '\n' || c === '\r'
                      || c === '\f';
const CSS_NL = (c) => c === '\n' || c === '\r' || c === '\f';
const CSS_HEX = (c) => c !== undefined && /^[0-9a-fA-F]$/.test(c);
const CSS_DIGIT = (c) => c !== undefined && /^[0-9]$/.test(c);
const CSS_START = (c) => c !== undefined
    && (/^[A-Za-z_]$/.test(c) || c.charCodeAt(0) >= 0x80 || c === '\0');
const CSS_NAME = (c) => CSS_START(c) || (c !== undefined && /^[0-9-]$/.test(c));
const CSS_NP = (c) => c !== undefined && /^[\x01-\x08\x0b\x0e-\x1f\x7f]$/.test(c);

function cssUrls(t) {
    const out = [];
    const stack = [];
    let i = 0, imp = false;

    const validEsc = (j) => t[j] === '\\' && !CSS_NL(t[j + 1]);
    const startsIdent = (j) => t[j] === '-'
        ? CSS_START(t[j + 1]) || t[j + 1] === '-' || validEsc(j + 1)
        : CSS_START(t[j]) || validEsc(j);

    // an escape at t[j] ('\'): [what it stands for, the index after it]
    const esc = (j) => {
        j++;

        if (j >= t.length) {
            return ['\ufffd', j];
        }

        if (CSS_HEX(t[j])) {
            let k = j;

            while (k < t.length && k - j < 6 && CSS_HEX(t[k])) {
                k++;
            }

            let cp = parseInt(t.slice(j, k), 16);

            if (cp === 0 || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
                cp = 0xfffd;
            }

            if (t[k] === '\r' && t[k + 1] === '\n') {
                k += 2;
            } else if (CSS_WS(t[k])) {
                k++;
            }

            return [String.fromCodePoint(cp), k];
        }

        const cp = t.codePointAt(j);
        const ch = String.fromCodePoint(cp);

        return [cp === 0 ? '\ufffd' : ch, j + ch.length];
    };

    const name = (j) => {
        let n = '';

        for (;;) {
            if (CSS_NAME(t[j])) {
                n += t[j++];
            } else if (validEsc(j)) {
                const [c, k] = esc(j);
                n += c;
                j = k;
            } else {
                return [n, j];
            }
        }
    };

    const string = (j, kind, fetch) => {
        const q = t[j];
        let k = j + 1, v = '', bad = false;

        for (;;) {
            if (k >= t.length || t[k] === q) {
                break;
            }

            if (CSS_NL(t[k])) {
                bad = true;
                break;
            }

            if (t[k] === '\\') {
                if (k + 1 >= t.length) {
                    k++;
                } else if (CSS_NL(t[k + 1])) {
                    k += t[k + 1] === '\r' && t[k + 2] === '\n' ? 3 : 2;
                } else {
                    const [c, m] = esc(k);
                    v += c;
                    k = m;
                }

                continue;
            }

            v += t[k] === '\0' ? '\ufffd' : t[k];
            k++;
        }

        if (fetch) {
            out.push({ start: j + 1, end: k, url: v, kind, bad });
        }

        return !bad && k < t.length ? k + 1 : k;
    };

    while (i < t.length) {
        const c = t[i];

        if (t.startsWith('/*', i)) {
            const e = t.indexOf('*/', i + 2);
            i = e < 0 ? t.length : e + 2;
            continue;
        }

        if (CSS_WS(c)) {
            i++;
            continue;
        }

        if (c === '"' || c === "'") {
            const fetch = imp || stack.some(Boolean);
            i = string(i, imp ? 3 : 4, fetch);
            imp = false;
            continue;
        }

        imp = false;

        if (c === '#') {
            i = CSS_NAME(t[i + 1]) || validEsc(i + 1) ? name(i + 1)[1] : i + 1;
            continue;
        }

        if (c === '@') {
            if (startsIdent(i + 1)) {
                const [n, j] = name(i + 1);
                i = j;
                imp = asciiLower(n) === 'import';
            } else {
                i++;
            }

            continue;
        }

        if (CSS_DIGIT(c)
            || ((c === '+' || c === '-' || c === '.')
                && (CSS_DIGIT(t[i + 1])
                    || (c !== '.' && t[i + 1] === '.' && CSS_DIGIT(t[i + 2])))))
        {
            i++;

            while (CSS_DIGIT(t[i]) || (t[i] === '.' && CSS_DIGIT(t[i + 1]))) {
                i++;
            }

            if (startsIdent(i)) {
                i = name(i)[1];
            }

            continue;
        }

        if (startsIdent(i)) {
            const [n, j] = name(i);
            i = j;

            if (t[i] !== '(') {
                continue;
            }

            i++;
            const fn = asciiLower(n);

            if (fn !== 'url') {
                stack.push(['image-set', '-webkit-image-set', 'image', 'src']
                           .includes(fn));
                continue;
            }

            let k = i;

            while (CSS_WS(t[k])) {
                k++;
            }

            if (t[k] === '"' || t[k] === "'") {
                stack.push(true);
                i = string(k, 2, true);
                continue;
            }

            if (k >= t.length || t[k] === ')') {
                i = k < t.length ? k + 1 : k;
                continue;
            }

            // a url token, from k
            const k0 = k;
            let v = '', bad = false, end = -1;

            for (;;) {
                if (k >= t.length) {
                    break;
                }

                const d = t[k];

                if (d === ')') {
                    k++;
                    break;
                }

                if (!bad && CSS_WS(d)) {
                    end = k;

                    while (CSS_WS(t[k])) {
                        k++;
                    }

                    if (k >= t.length || t[k] === ')') {
                        continue;
                    }

                    bad = true;
                    continue;
                }

                if (!bad && (d === '"' || d === "'" || d === '('
                             || CSS_NP(d)))
                {
                    bad = true;
                    k++;
                    continue;
                }

                if (d === '\\') {
                    if (validEsc(k) || k + 1 >= t.length) {
                        const [e, m] = esc(k);

                        if (!bad) {
                            v += e;
                        }

                        k = m;
                        continue;
                    }

                    bad = true;
                    k++;
                    continue;
                }

                if (!bad) {
                    v += d === '\0' ? '\ufffd' : d;
                }

                k++;
            }

            if (bad || end < 0) {
                end = t[k - 1] === ')' ? k - 1 : k;
            }

            out.push({ start: k0, end, url: v, kind: 1, bad });
            i = k;
            continue;
        }

        if (c === '(') {
            stack.push(false);
        } else if (c === ')') {
            stack.pop();
        }

        i++;
    }

    return out;
}

// the categories a URL found by cssUrls() fetches (consent_html_css_judge)
function cssMask(P, t, u) {
    const d = u.url.replace(/^[\x00-\x20]+/, '');

    if (/^data:/i.test(d)) {
        return u.kind === 3 ? contentMask(P, d.slice(5), 1) : 0;
    }

    let mask = 0;
    const c = urlRule(P, u.url);

    if (c >= 0) {
        mask |= 1 << c;
    }

    const raw = t.slice(u.start, u.end);

    if (raw.includes('\\')) {
        const r = urlRule(P, raw);

        if (r >= 0) {
            mask |= 1 << r;
        }
    }

    return mask;
}

// "data:x-consent/IDS,#" before a URL held back (consent_html_css_prefix)
const cssPrefix = (P, mask) => 'data:x-consent/'
    + categoryList(P, mask).replace(/ /g, '+') + ',#';

// consent_html_css(): the URLs of a style= that match a rule, and the
// value with each of them held back; the text of a <style> with those
// not granted held back (only: when sheet)
function cssGate(P, v, sheet, granted) {
    let mask = 0, out = '', from = 0;

    for (const u of cssUrls(v)) {
        const m = cssMask(P, v, u);

        if (m === 0 || (sheet && (m & ~granted) === 0)) {
            continue;
        }

        mask |= m;
        out += v.slice(from, u.start) + cssPrefix(P, m);
        from = u.start;
    }

    return { mask, value: out + v.slice(from) };
}

// the attributes an element fetches by (consent_html_url_name())
function urlNames(k) {
    switch (k.kind) {
    case 'script': return k.svg ? ['href', 'xlink:href'] : ['src'];
    case 'img': return k.svg ? ['href', 'xlink:href'] : ['src', 'srcset'];
    case 'source': return ['src', 'srcset'];
    case 'iframe': return ['src', 'srcdoc'];
    case 'object': return ['data'];
    case 'video': return ['src', 'poster'];
    case 'link': return ['href', 'imagesrcset'];
    case 'bg': return ['background'];
    case 'ping': return ['ping'];
    case 'meta': return ['content'];
    case 'base': return ['href'];
    case 'svgref': return ['href', 'xlink:href'];
    case 'svganim': return ['to', 'values', 'from', 'by'];
    case 'css': return ['style'];
    default: return ['src'];
    }
}

/*
 * Every value of each attribute, duplicates included (a preload scanner
 * reads them), by lower-case name: from the tag as written
 */
function allVals(ctx, el) {
    if (el.__vals) {
        return el.__vals;
    }

    const m = new Map();
    const raw = el.__raw !== undefined ? el.__raw
        : (ctx.loc.get(el) ? sourceOf(ctx, el).tag : null);

    for (const a of el.attrs) {
        m.set(qname(a).toLowerCase(), [a.value]);
    }

    if (raw !== null) {
        const seen = new Set();

        for (const r of rawAttrs(raw).attrs) {
            const n = lower(raw.slice(r.nameOff, r.nameOff + r.nameLen));

            if (!seen.has(n)) {
                seen.add(n);
                continue;
            }

            const end = r.hasValue ? r.valueOff + r.valueLen
                                     + (r.quoted ? 1 : 0)
                                   : r.nameOff + r.nameLen;
            const one = synth(el, ' ' + raw.slice(r.nameOff, end) + '>');

            if (one && one.attrs.length > 0) {
                const key = qname(one.attrs[0]).toLowerCase();

                if (m.has(key)) {
                    m.get(key).push(one.attrs[0].value);
                }
            }
        }
    }

    el.__vals = m;
    return m;
}

// type="text/plain", parameters allowed: a script made inert
function textPlain(type) {
    if (type === null) {
        return false;
    }

    const t = type.replace(/^[ \t\n\f\r]+/, '');

    return /^text\/plain(?:$|[; \t\n\f\r])/i.test(t);
}

const JS_TYPES = new Set([
    'module', 'text/javascript', 'application/javascript',
    'text/ecmascript', 'application/ecmascript', 'text/jscript',
    'text/livescript', 'text/x-javascript', 'text/x-ecmascript',
    'application/x-javascript', 'application/x-ecmascript',
    'text/javascript1.0', 'text/javascript1.1', 'text/javascript1.2',
    'text/javascript1.3', 'text/javascript1.4', 'text/javascript1.5'
]);

// the browser runs a script of this type (its parameters aside)
function runs(type) {
    if (type === null) {
        return true;
    }

    const t = trimSpace(type.split(';')[0]).toLowerCase();

    return t === '' || JS_TYPES.has(t);
}

function rel(el) {
    const r = attr(el, 'rel');

    if (r === null) {
        return false;
    }

    return r.split(/[ \t\n\f\r]+/).some(
        (t) => /^(preload|modulepreload|prefetch|stylesheet)$/i.test(t));
}

// a consent manager's list of categories: ids or aliases, separated by
// commas or spaces; Cookiebot's "ignore" exempts
function migratedMark(P, value, cookiebot) {
    const names = value.split(/[, \t\n\f\r]+/).filter((n) => n !== '');

    if (names.length === 0) {
        return null;
    }

    let mask = 0;

    for (const n of names) {
        if (cookiebot && n.toLowerCase() === 'ignore') {
            continue;
        }

        const c = P.names.get(n.toLowerCase());

        if (c === undefined) {
            return { by: 'migrated', unknown: true, mask: 0 };
        }

        mask |= 1 << c;
    }

    return { by: 'migrated', unknown: false, mask };
}

// the marks and URLs of an element: { by, unknown, mask }
function match(P, el, k) {
    const dc = attr(el, 'data-consent');

    // the author's mark: ids (not aliases), separated by spaces
    if (!blank(dc)) {
        let mask = 0;

        for (const id of trimSpace(dc).split(/[ \t\n\f\r]+/)) {
            const c = P.ids.get(id.toLowerCase());

            if (c === undefined) {
                return { by: 'author', unknown: true, mask: 0 };
            }

            mask |= 1 << c;
        }

        return { by: 'author', unknown: false, mask };
    }

    const cb = attr(el, 'data-cookieconsent');

    if (cb !== null) {
        const m = migratedMark(P, cb, true);

        if (m) {
            return m;
        }
    }

    const dcat = attr(el, 'data-category');
    const cat = blank(dcat) ? attr(el, 'data-cookiecategory') : dcat;

    if (cat !== null
        && (k.kind === 'script' ? textPlain(attr(el, 'type'))
                                : attr(el, 'data-src') !== null))
    {
        const m = migratedMark(P, cat, false);

        if (m && (k.kind === 'script' || !m.unknown)) {
            return m;
        }
    }

    return { by: 'none', unknown: false, mask: 0, urls: true };
}

const REL_FETCH = ['stylesheet', 'preload', 'modulepreload', 'prefetch',
                   'prerender', 'preconnect', 'dns-prefetch', 'icon',
                   'apple-touch-icon', 'apple-touch-icon-precomposed',
                   'mask-icon', 'manifest', 'compression-dictionary',
                   'import'];

// some value of name has one of the words as a token
const anyWord = (V, name, words) => (V.get(name) || []).some(
    (v) => v.split(/[ \t\n\f\r]+/).some(
        (t) => words.includes(t.toLowerCase())));

// the categories of every URL an element would fetch (consent_html_urls())
function urlsMask(ctx, P, el, k) {
    const V = allVals(ctx, el);

    if ((k.kind === 'link' && !anyWord(V, 'rel', REL_FETCH))
        || (k.kind === 'input' && !anyWord(V, 'type', ['image']))
        || (k.kind === 'meta' && !anyWord(V, 'http-equiv', ['refresh']))
        || (k.kind === 'svganim'
            && !anyWord(V, 'attributename', ['href', 'xlink:href'])))
    {
        return 0;
    }

    let mask = 0;

    for (const n of urlNames(k)) {
        for (const v of V.get(n) || []) {
            mask |= valueMask(P, k, n, v);
        }
    }

    return mask;
}

function valueMask(P, k, n, v) {
    if (n === 'srcset' || n === 'imagesrcset') {
        return srcsetMask(P, v);
    }

    if (n === 'srcdoc') {
        return contentMask(P, v, 0);
    }

    if (k.kind === 'meta') {
        v = refreshUrl(v);
    }

    if (k.kind === 'ping' || n === 'values') {
        return v.split(/[ \t\n\f\r;]+/).filter((u) => u !== '')
            .reduce((m, u) => m | urlMask(P, u), 0);
    }

    const t = v.replace(/^[\x00-\x20]+/, '');

    if (/^data:/i.test(t)) {
        return contentMask(P, t.slice(5), 1);
    }

    if (/^javascript:/i.test(t)) {
        return contentMask(P, t.slice(11), 2);
    }

    return urlMask(P, v);
}

function refreshUrl(v) {
    let m = /^[ \t\n\f\r0-9.]*[;,]?[ \t\n\f\r]*/.exec(v);
    v = v.slice(m[0].length);
    m = /^url[ \t\n\f\r]*=[ \t\n\f\r]*/i.exec(v);

    if (m) {
        v = v.slice(m[0].length);
    }

    if (v[0] === '"' || v[0] === "'") {
        const e = v.indexOf(v[0], 1);
        v = e < 0 ? v.slice(1) : v.slice(1, e);
    }

    return v;
}

// consent_html_content(): what a document or a data:/javascript: URL holds
function contentMask(P, s, mode) {
    let b = Buffer.from(s, 'utf8');

    if (mode === 1) {
        const c = b.indexOf(',');

        if (c < 0) {
            return 0;
        }

        const head = b.subarray(0, c).toString('latin1');
        const b64 = /;base64/i.test(head);
        b = b.subarray(c + 1);
        b = pctDecode(b);

        if (b64) {
            b = Buffer.from(b.toString('latin1').replace(/[^A-Za-z0-9+/\-_]/g, '')
                            .replace(/-/g, '+').replace(/_/g, '/'), 'base64');
        }

    } else if (mode === 2) {
        b = pctDecode(b);
    }

    const t = b.toString('latin1').replace(/\\\//g, '/');
    let mask = 0;

    for (let i = t.indexOf('//'); i >= 0; i = t.indexOf('//', i + 1)) {
        let e = i + 2;

        while (e < t.length && !/[\x00-\x20"'<>`()\\]/.test(t[e])) {
            e++;
        }

        mask |= urlMask(P, Buffer.from(t.slice(i, e), 'latin1')
                              .toString('utf8'));
    }

    const c = inlineRule(P, t);

    return c < 0 ? mask : mask | (1 << c);
}

function pctDecode(b) {
    const out = [];

    for (let i = 0; i < b.length; i++) {
        if (b[i] === 0x25 && i + 2 < b.length
            && /^[0-9a-fA-F]{2}$/.test(b.subarray(i + 1, i + 3).toString()))
        {
            out.push(parseInt(b.subarray(i + 1, i + 3).toString(), 16));
            i += 2;
        } else {
            out.push(b[i]);
        }
    }

    return Buffer.from(out);
}

// the first rule whose inline marker is in the text (bytes); -1 if none
function inlineRule(P, text) {
    for (const r of P.rules) {
        if (r.inline.some((m) => text.includes(m))) {
            return r.cat;
        }
    }

    return -1;
}


// ---------------------------------------------------------------------
// the verdict on an input element, and what it becomes

// an element's start tag in the input, as bytes (latin1 string), and
// its script text's bytes: from the parse of the input read as latin1,
// where string offsets are byte offsets
function sourceOf(ctx, el) {
    const l = ctx.loc.get(el);

    if (!l || !l.startTag) {
        return { tag: null, text: null, line: l ? l.startLine : 0 };
    }

    const tag = ctx.raw.slice(l.startTag.startOffset, l.startTag.endOffset);
    const from = l.startTag.endOffset;

    if (el.namespaceURI === SVG_NS && el.tagName === 'script') {
        return { tag, text: svgScriptText(ctx, el, from), line: l.startLine };
    }

    const to = l.endTag ? l.endTag.startOffset
                        : (el.tagName === 'script' ? ctx.raw.length : from);

    return { tag, text: ctx.raw.slice(from, to), line: l.startLine };
}

// an SVG script's text is markup (foreign content): the filter reads it
// up to the first tag, comment, DOCTYPE or bogus comment in it (CDATA
// sections and a '<' of text are part of it), docs/gating.md; here the
// bytes of its leading text nodes, cut there
function svgScriptText(ctx, el, from) {
    let end = from;

    for (const c of children(el)) {
        if (c.nodeName !== '#text') {
            break;
        }

        const l = ctx.loc.get(c);
        end = l ? l.endOffset : end;
    }

    const t = ctx.raw.slice(from, end);

    for (let i = t.indexOf('<'); i >= 0; i = t.indexOf('<', i + 1)) {
        if (t.startsWith('<![CDATA[', i)) {
            const e = t.indexOf(']]>', i + 9);

            if (e < 0) {
                return t;
            }

            i = e + 2;

        } else if (t.startsWith('</>', i)) {
            i += 2;

        } else if (/^<[A-Za-z!?\/]/.test(t.slice(i, i + 2))) {
            return t.slice(0, i);
        }
    }

    return t;
}

// the attributes of a start tag as written, counted as the tokenizer
// separates them
function rawAttrCount(tag) {
    let i = 1, n = 0, st;

    while (i < tag.length && !isSpace(tag[i]) && tag[i] !== '/'
           && tag[i] !== '>')
    {
        i++;
    }

    st = 'before';

    for ( ; i < tag.length; i++) {
        const c = tag[i];

        switch (st) {
        case 'before':
            if (isSpace(c) || c === '/') {
                break;
            }

            if (c === '>') {
                return n;
            }

            st = 'name';
            n++;
            break;

        case 'name':
            if (isSpace(c)) {
                st = 'after';
            } else if (c === '/') {
                st = 'before';
            } else if (c === '=') {
                st = 'value';
            } else if (c === '>') {
                return n;
            }

            break;

        case 'after':
            if (isSpace(c)) {
                break;
            }

            if (c === '/') {
                st = 'before';
            } else if (c === '=') {
                st = 'value';
            } else if (c === '>') {
                return n;
            } else {
                st = 'name';
                n++;
            }

            break;

        case 'value':
            if (isSpace(c)) {
                break;
            }

            st = c === '"' ? 'dq' : c === '\'' ? 'sq' : 'uq';

            if (c === '>') {
                return n;
            }

            break;

        case 'dq':
        case 'sq':
            if (c === (st === 'dq' ? '"' : '\'')) {
                st = 'quoted';
            }

            break;

        case 'uq':
            if (isSpace(c)) {
                st = 'before';
            } else if (c === '>') {
                return n;
            }

            break;

        case 'quoted':
            if (isSpace(c) || c === '/') {
                st = 'before';
            } else if (c === '>') {
                return n;
            } else {
                st = 'name';
                n++;
            }

            break;
        }
    }

    return n;
}

/*
 * What the filter must do with an element: { action, cat, why }
 * action: pass, gate, activate or overlong; cat: the data-consent value
 * it inserts (ids in policy order, "" for an unknown mark).
 */
function verdict(ctx, el, k, text) {
    const { P, granted, tagMax, inlineMax } = ctx;
    const allGranted = (P.all & ~granted) === 0;
    const src = text === undefined ? sourceOf(ctx, el)
                                   : { tag: null, text };

    const Q = allVals(ctx, el);

    // what the URLs of its style= fetch (every element's)
    const style = attr(el, 'style');
    const css = !allGranted && style !== null
        ? cssGate(P, style, false, granted) : { mask: 0 };

    // an <a>, a <td>, a <div>...: of interest only with what it loads by
    if ((k.more || k.kind === 'track' || k.kind === 'input'
         || k.kind === 'bg' || k.kind === 'ping' || k.kind === 'meta'
         || k.kind === 'base')
        && css.mask === 0
        && (!urlNames(k).some((n) => Q.has(n)) || k.kind === 'css'))
    {
        return { action: 'pass', why: 'nothing it loads by' };
    }

    if (src.tag !== null && !allGranted
        && (src.tag.length > tagMax || rawAttrCount(src.tag) > ATTRS_MAX))
    {
        const L = longTag(ctx, el, k, src.tag);

        if (L.fail) {
            return { action: 'overlong', cat: '', why: 'tag over the cap',
                     long: L };
        }

        return { ...verdict(ctx, L.restEl, k, src.text), long: L };
    }

    const V = allVals(ctx, el);

    // only the URLs of its style=: only those are held back
    const cssOnly = () => (css.mask & ~granted)
        ? { action: 'gate', cat: categoryList(P, css.mask),
            why: 'style url()', style: css.value, cssOnly: true }
        : { action: 'pass', why: 'style url(), none to gate' };

    // an <a>, a <td>...: of interest only with what it loads by
    if (k.more || k.kind === 'track' || k.kind === 'input' || k.kind === 'bg'
        || k.kind === 'ping' || k.kind === 'meta' || k.kind === 'base')
    {
        if (k.kind === 'css' || !urlNames(k).some((n) => V.has(n))) {
            return cssOnly();
        }
    }

    let m = match(P, el, k);

    if (m.urls) {
        const mask = allGranted ? 0 : urlsMask(ctx, P, el, k);
        m = { by: mask ? 'rule' : 'none', unknown: false, mask };
    }

    if (css.mask && m.by === 'none' && !m.unknown) {
        return cssOnly();
    }

    if (css.mask && m.by === 'rule') {
        m = { ...m, mask: m.mask | css.mask };
    }

    if (m.unknown) {
        return { action: 'gate', cat: '', why: m.by + ' mark, unknown' };
    }

    if (m.mask) {
        if ((m.mask & ~granted) === 0) {
            if (m.by === 'migrated' && k.kind === 'script'
                && allPlain(V))
            {
                return { action: 'activate', why: 'migrated, granted' };
            }

            return { action: 'pass', why: m.by + ', granted' };
        }

        return { action: 'gate', cat: categoryList(P, m.mask), why: m.by,
                 style: css.mask ? css.value : undefined };
    }

    // speculation rules: the URLs they would prefetch or prerender
    if (k.kind === 'script' && !k.svg && m.by !== 'migrated'
        && anyWord(V, 'type', ['speculationrules'])
        && attr(el, 'src') === null && !allGranted && src.text !== null)
    {
        const mask = contentMask(P, Buffer.from(src.text.slice(0, inlineMax),
                                                'latin1').toString('utf8'), 0);

        if (mask & ~granted) {
            return { action: 'gate', cat: categoryList(P, mask),
                     why: 'speculation rules' };
        }

        return { action: 'pass', why: 'speculation rules, no match' };
    }

    // an SVG script runs its text too (when it has no href)
    if (k.kind === 'script' && m.by !== 'migrated'
        && (k.svg ? attr(el, 'href') === null
                    && attr(el, 'xlink:href') === null
                  : attr(el, 'src') === null)
        && P.hasInline && !allGranted
        && runs(attr(el, 'type')) && src.text !== null)
    {
        const c = inlineRule(P, src.text.slice(0, inlineMax));

        if (c >= 0 && !(granted & (1 << c))) {
            return { action: 'gate', cat: P.categories[c], why: 'inline' };
        }
    }

    return { action: 'pass', why: m.by === 'none' ? 'no match' : m.by };
}

// the attributes a gated element's fetching ones are renamed to
function renamed(k, name, mode) {
    if (mode === 'activate') {
        return name === 'type' ? 'data-consent-type' : null;
    }

    if (k.kind === 'script' && name === 'type') {
        return 'data-consent-type';
    }

    if (k.kind === 'script' && !k.svg) {
        return null;
    }

    const n = name.toLowerCase();

    return urlNames(k).includes(n) ? 'data-consent-' + n.replace(':', '-')
                                   : null;
}

// every type of a script is text/plain: it is inert
const allPlain = (V) => (V.get('type') || [null]).every((t) => textPlain(t));

// the attributes renamed when a tag fails closed (consent_html_loads)
const LOADS_URL = ['src', 'href', 'xlink:href', 'poster', 'background',
                   'lowsrc', 'dynsrc'];
const LOADS = [...LOADS_URL, 'data', 'srcset', 'imagesrcset', 'srcdoc',
               'ping', 'type', 'style', 'codebase', 'classid', 'archive',
               'action', 'formaction', 'content', 'to', 'values', 'from',
               'by'];
const DECIDES = ['rel', 'as', 'http-equiv', 'attributename', 'data-src',
                 'data-type', 'data-category', 'data-cookieconsent',
                 'data-cookiecategory', 'data-consent'];

// the attributes of a raw start tag with their offsets, as noted
function rawAttrs(tag) {
    const out = [];
    let i = 1, st = 'before', r = null;

    while (i < tag.length && !isSpace(tag[i]) && tag[i] !== '/'
           && tag[i] !== '>')
    {
        i++;
    }

    const nameEnd = i;

    for ( ; i < tag.length; i++) {
        const c = tag[i];

        if (st === 'name' && (isSpace(c) || c === '/' || c === '>'
                              || c === '='))
        {
            r.nameLen = i - r.nameOff;
        }

        switch (st) {
        case 'before':
        case 'after':
        case 'quoted':
            if (isSpace(c) || (c === '/' && st !== 'after')) {
                st = 'before';
                break;
            }

            if (c === '/') {
                st = 'before';
                break;
            }

            if (c === '>') {
                return { nameEnd, attrs: out };
            }

            if (c === '=' && st === 'after') {
                st = 'value';
                r.hasValue = true;
                r.valueOff = i + 1;
                break;
            }

            r = { nameOff: i, nameLen: 0, hasValue: false, valueOff: 0,
                  valueLen: 0, quoted: false };
            out.push(r);
            st = 'name';
            break;

        case 'name':
            if (isSpace(c)) {
                st = 'after';
            } else if (c === '/') {
                st = 'before';
            } else if (c === '=') {
                st = 'value';
                r.hasValue = true;
                r.valueOff = i + 1;
            } else if (c === '>') {
                return { nameEnd, attrs: out };
            }

            break;

        case 'value':
            if (isSpace(c)) {
                break;
            }

            if (c === '>') {
                return { nameEnd, attrs: out };
            }

            st = c === '"' ? 'dq' : c === '\'' ? 'sq' : 'uq';
            r.quoted = st !== 'uq';
            r.valueOff = st === 'uq' ? i : i + 1;
            break;

        case 'dq':
        case 'sq':
            if (c === (st === 'dq' ? '"' : '\'')) {
                r.valueLen = i - r.valueOff;
                st = 'quoted';
            }

            break;

        case 'uq':
            if (isSpace(c) || c === '>') {
                r.valueLen = i - r.valueOff;
                st = 'before';

                if (c === '>') {
                    return { nameEnd, attrs: out };
                }
            }

            break;
        }
    }

    return { nameEnd, attrs: out };
}

const lower = (s) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

// consent_html_idle(): an attribute let go unjudged ahead of a long tag
function idle(k, tag, r, lim, open) {
    const name = lower(tag.slice(r.nameOff, r.nameOff + r.nameLen));

    if (r.nameLen > 32) {
        return true;
    }

    if (DECIDES.includes(name)
        || (name.length > 12 && name.startsWith('data-consent')))
    {
        return false;
    }

    if (!r.hasValue) {
        return true;
    }

    const vend = open ? Infinity : r.valueOff + r.valueLen;
    const end = Math.min(vend, lim);
    const v = lower(tag.slice(r.valueOff, end));

    if (name === 'style') {
        return end >= vend && !/[\\&\0]|url|ima|@im/.test(v);
    }

    const j = LOADS.indexOf(name);

    if (j < 0) {
        return true;
    }

    if (j >= LOADS_URL.length) {
        return false;
    }

    const t = v.replace(/^[\x00-\x20]*/, '');

    if (t === '' && end === vend) {
        return true;
    }

    if (k.kind === 'script' || k.kind === 'iframe'
        || k.kind === 'frame' || k.kind === 'embed' || k.kind === 'object')
    {
        return false;
    }

    return t.startsWith('data:');
}

// parse5's element for a tag written anew: <name text
function synth(el, text) {
    const t = Buffer.from(text, 'latin1').toString('utf8');
    const name = el.tagName;
    let e;

    if (el.namespaceURI === SVG_NS) {
        const f = parse5.parseFragment('<svg><' + name + t);
        e = f.childNodes[0].childNodes[0];

    } else if (name === 'frame') {
        const d = parse5.parse('<frameset><frame' + t);
        e = d.childNodes[0].childNodes[1].childNodes[0];

    } else if (name === 'body') {
        e = parse5.parse('<body' + t).childNodes[0].childNodes[1];

    } else if (name === 'td' || name === 'th') {
        e = find(parse5.parseFragment('<table><tr><' + name + t), name);

    } else {
        e = find(parse5.parseFragment('<' + name + t), name);
    }

    if (e) {
        e.__raw = '<' + name + text;
    }

    return e;
}

function find(n, name) {
    for (const c of n.childNodes || []) {
        if (c.tagName === name) {
            return c;
        }

        const f = find(c, name);

        if (f) {
            return f;
        }
    }

    return null;
}

/*
 * A tag over the cap (consent_html_long()): the values that the byte at
 * tag_max falls in, and all before them, are let go when they load and
 * decide nothing, and the rest is judged; { fail, prefixEl, restEl }.
 */
function longTag(ctx, el, k, tag) {
    const { nameEnd, attrs } = rawAttrs(tag);
    let base = 0, fail = false;

    while (tag.length - base > ctx.tagMax) {
        const x = base + ctx.tagMax;
        const region = attrs.filter((a) => a.nameOff >= base).slice(0, 64);
        let i;

        for (i = 0; i < region.length; i++) {
            const r = region[i];

            if (r.hasValue ? r.valueOff + r.valueLen > x
                           : r.nameOff + r.nameLen > x)
            {
                break;
            }

            if (!idle(k, tag, r, x + 1, false)) {
                fail = true;
                break;
            }
        }

        if (fail || i === region.length) {
            fail = true;
            break;
        }

        const r = region[i];

        if (!r.hasValue || r.valueOff > x || !idle(k, tag, r, x + 1, true)) {
            fail = true;
            break;
        }

        base = r.valueOff + r.valueLen + (r.quoted ? 1 : 0);
    }

    base = Math.max(base, nameEnd);

    const rest = tag.slice(base);

    if (!fail && rawAttrCount('<x ' + rest) > ATTRS_MAX) {
        fail = true;
    }

    return { fail, prefixEl: synth(el, tag.slice(nameEnd, base) + '>'),
             restEl: synth(el, ' ' + rest) };
}

// the name a failed tag's attribute gets
const failed = (n) => LOADS.includes(n) ? 'data-consent-' + n.replace(':', '-')
                                         : n;


// the attributes the output element must have (the parser keeps the
// first of duplicates, so an inserted attribute hides a later one)
function rewrite(el, k, v) {
    const orig = attrList(el);
    let out;

    // failing closed, the kinds that load by one attribute get it renamed
    // and nothing inserted (a <meta>, a style=: nothing at all)
    const quiet = k.more || ['track', 'input', 'bg', 'ping', 'meta', 'base']
        .includes(k.kind);

    if (v.action === 'overlong' && quiet) {
        return attrList(el).map(([n, val]) =>
            [k.kind !== 'meta' && k.kind !== 'css'
             && urlNames(k).includes(n.toLowerCase()) ? failed(n) : n, val]);
    }

    if (v.long) {
        const rest = v.action === 'overlong'
            ? [...(k.kind === 'script' ? [['type', 'text/plain']] : []),
               ['data-consent', ''],
               ...attrList(v.long.restEl).map(([n, val]) => [failed(n), val])]
            : rewrite(v.long.restEl, k, { ...v, long: null });
        const seen = new Set();

        return [...attrList(v.long.prefixEl), ...rest]
            .filter(([n]) => !seen.has(n) && seen.add(n));
    }

    switch (v.action) {

    case 'pass':
        return orig;

    case 'overlong':
        out = [...(k.kind === 'script' ? [['type', 'text/plain']] : []),
               ['data-consent', ''],
               ...orig.map(([n, val]) => [failed(n), val])];
        break;

    case 'activate': {
        const t = attr(el, 'data-type');
        out = [['type', t !== null ? t : 'text/javascript'],
               ...orig.map(([n, val]) => [renamed(k, n, 'activate') || n,
                                          val])];
        break;
    }

    default: {
        const inert = k.kind === 'script' && allPlain(allVals(curCtx, el));
        out = [];

        if (k.kind === 'script' && !inert) {
            out.push(['type', 'text/plain']);
        }

        if (v.style !== undefined) {
            out.push(['style', v.style]);
        }

        if (attr(el, 'data-consent') === null) {
            out.push(['data-consent', v.cat]);
        }

        for (const [n, val] of orig) {
            const sn = v.style !== undefined && n.toLowerCase() === 'style'
                ? 'data-consent-style' : null;
            out.push([sn || (inert || v.cssOnly ? n
                                                : renamed(k, n, 'gate') || n),
                      val]);
        }
    }
    }

    const seen = new Set();

    return out.filter(([n]) => !seen.has(n) && seen.add(n));
}

const sameAttrs = (a, b) => a.length === b.length
    && a.every(([n, v], i) => b[i][0] === n && b[i][1] === v);

const fmtAttrs = (list) => list.map(([n, v]) => `${n}="${show(v, 60)}"`)
                               .join(' ');


// ---------------------------------------------------------------------
// the trees

function parse(buf) {
    // a browser drops the UTF-8 byte order mark
    const bom = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb
                && buf[2] === 0xbf;
    const b = bom ? buf.subarray(3) : buf;
    const opts = { scriptingEnabled: false, sourceCodeLocationInfo: true };

    return {
        doc: parse5.parse(b.toString('utf8'), opts),
        // the same page read as latin1: the same tree, with offsets that
        // are byte offsets
        rawDoc: parse5.parse(b.toString('latin1'), opts),
        raw: b.toString('latin1')
    };
}

function children(n) {
    if (n.nodeName === 'template' && n.namespaceURI === HTML_NS
        && n.content)
    {
        return n.content.childNodes;
    }

    return n.childNodes || [];
}

// byte locations of the UTF-8 tree's elements, from the latin1 tree
function locate(a, b, map) {
    if (a.nodeName !== b.nodeName) {
        throw new Error('the page read as UTF-8 and as latin1 parses into '
                        + `different trees (${a.nodeName}, ${b.nodeName})`);
    }

    if (a.sourceCodeLocation) {
        map.set(a, b.sourceCodeLocation);
    }

    const ca = children(a), cb = children(b);

    for (let i = 0; i < ca.length && i < cb.length; i++) {
        locate(ca[i], cb[i], map);
    }
}

const isUi = (n) => n.attrs && n.attrs.some((a) => a.name === 'data-consent-ui');

/*
 * The children to compare: no injected elements, adjacent text merged
 * (the injections add no text around them: the banner's markup ends
 * with its "</div>").
 */
function kids(n) {
    const out = [];

    for (const c of children(n)) {
        if (isUi(c)) {
            continue;
        }

        const last = out[out.length - 1];

        if (c.nodeName === '#text' && last && last.nodeName === '#text') {
            out[out.length - 1] = { nodeName: '#text',
                                    value: last.value + c.value };

        } else {
            out.push(c);
        }
    }

    return out;
}

function label(ctx, n) {
    const l = ctx.loc.get(n);
    const line = l ? ` (line ${l.startLine})` : '';
    const src = sourceOf(ctx, n);
    const tag = src.tag !== null ? show(Buffer.from(src.tag, 'latin1')
                                        .toString('utf8'))
                                 : '<' + n.tagName + '>';
    return tag + line;
}

function nodeDesc(n) {
    if (!n) {
        return 'nothing';
    }

    switch (n.nodeName) {
    case '#text': return `text "${show(n.value, 60)}"`;
    case '#comment': return `comment "${show(n.data, 60)}"`;
    case '#documentType': return `doctype ${n.name}`;
    default: return `<${n.tagName}${n.namespaceURI === HTML_NS ? ''
                                     : ' (' + n.namespaceURI + ')'}>`;
    }
}

// the element's observed treatment, for a diagnostic
function observed(el, k, out) {
    const got = attrList(out);

    if (sameAttrs(got, attrList(el))) {
        return 'passed it untouched';
    }

    const dc = attr(out, 'data-consent');
    const tries = [['gated it', { action: 'gate', cat: dc }],
                   ['activated it', { action: 'activate' }],
                   ['gated it as overlong', { action: 'overlong' }]];

    for (const [what, t] of tries) {
        if (sameAttrs(got, rewrite(el, k, t))) {
            return what + (t.action === 'gate' ? ` (data-consent="${dc}")`
                                                : '');
        }
    }

    return `rewrote it otherwise: ${fmtAttrs(got)}`;
}

function differ(x, y) {
    let d = 0;

    while (d < x.length && x[d] === y[d]) {
        d++;
    }

    d = Math.max(0, d - 20);

    return `differs from character ${d}: input "${show(x.slice(d), 80)}", `
           + `output "${show(y.slice(d), 80)}"`;
}

function compare(ctx, a, b, where) {
    if (ctx.diags.length >= MAX_DIAG) {
        return;
    }

    const ka = kids(a), kb = kids(b);

    for (let i = 0;
         (i < ka.length || i < kb.length) && ctx.diags.length < MAX_DIAG;
         i++)
    {
        const x = ka[i], y = kb[i];

        if (!x || !y || x.nodeName !== y.nodeName
            || (x.namespaceURI || '') !== (y.namespaceURI || ''))
        {
            ctx.diags.push(`${where}: the input's DOM has ${nodeDesc(x)}, `
                           + `the output's ${nodeDesc(y)}`);
            return;
        }

        switch (x.nodeName) {

        case '#text':
            // CDATA in foreign content is text to the parser, tags to a
            // preload scanner; the text of a <style> in a <noscript> is
            // markup to a browser with scripts after </noscript>: the
            // filter gates those (docs/gating.md)
            if (x.value !== y.value
                && !(/>(svg|math|noscript)/.test(where)
                     && ungate(y.value) === x.value)
                && !(/>style$/.test(where)
                     && !/>(svg|math|noscript)/.test(where)
                     && ctx.P && (ctx.P.all & ~ctx.granted)
                     && cssGate(ctx.P, x.value, true, ctx.granted).value
                        === y.value))
            {
                ctx.diags.push(`${where}: text ${differ(x.value, y.value)}`);
            }

            continue;

        case '#comment':
            if (x.data !== y.data) {
                ctx.diags.push(`${where}: comment ${differ(x.data, y.data)}`);
            }

            continue;

        case '#documentType':
            if (x.name !== y.name || x.publicId !== y.publicId
                || x.systemId !== y.systemId)
            {
                ctx.diags.push(`${where}: doctype differs`);
            }

            continue;
        }

        element(ctx, x, y);
        compare(ctx, x, y, where + '>' + x.tagName);
    }
}

let curCtx = null;

// a tag's text with what gating inserts and renames undone
const ungate = (t) => t.replace(/ type="text\/plain"(?= data-consent=")/g, '')
    .replace(/ data-consent="[^"]*"/g, '').replace(/data-consent-/g, '');

function element(ctx, el, out) {
    curCtx = ctx;
    const k = kindOf(el);
    const want = k ? verdict(ctx, el, k) : { action: 'pass' };
    const expect = k ? rewrite(el, k, want) : attrList(el);
    const got = attrList(out);

    ctx.n.elements++;

    if (want.action === 'gate' || want.action === 'overlong') {
        ctx.n.expected++;
    }

    if (want.action === 'activate') {
        ctx.n.activated++;
    }

    const ok = sameAttrs(expect, got);

    if (ok && (want.action === 'gate' || want.action === 'overlong')) {
        ctx.n.agreed++;
    }

    if (verbose && k) {
        console.log(`# ${ctx.name}: ${label(ctx, el)}: ${want.action}`
                    + `${want.cat ? ' ' + want.cat : ''} (${want.why})`
                    + `${ok ? '' : ' MISMATCH'}`);
    }

    if (ok) {
        return;
    }

    if (!k) {
        ctx.diags.push(`${label(ctx, el)}: attributes changed: `
                       + `${fmtAttrs(got)}`);
        return;
    }

    const what = want.action === 'pass' ? 'should pass untouched'
        : want.action === 'gate' ? `should be gated (`
                                   + `${want.cat || 'unknown category'}, `
                                   + `by ${want.why})`
        : want.action === 'activate' ? 'should be activated'
        : 'should be gated as overlong';

    ctx.diags.push(`${label(ctx, el)} ${what}; the filter `
                   + `${observed(el, k, out)}`);

    if (want.action !== 'pass') {
        ctx.diags.push(`    expected: ${fmtAttrs(expect)}`);
    }
}


// ---------------------------------------------------------------------
// a fixture

// "<!-- fixture: granted=... tag_max=N inline_max=N ... expect: ... -->"
// (expect: the statistics of t/unit/html.c; here head_injected and
// banner_injected, where head= and banner= do not turn injection off)
function setupOf(page) {
    const s = page.toString('latin1', 0, 1024);
    const m = /^<!-- fixture:([\s\S]*?)-->/.exec(s);
    const setup = { expect: {} };

    if (m) {
        const [before, after] = m[1].split(/expect:/);

        for (const [, k, v] of before.matchAll(/(\w+)=(\S+)/g)) {
            setup[k] = v;
        }

        for (const [, k, v] of (after || '').matchAll(/(\w+)=(\S+)/g)) {
            setup.expect[k] = Number(v);
        }
    }

    return setup;
}

function runFilter(opts, page, args, input) {
    const r = spawnSync(opts.filter, page === null ? args : [...args, page],
                        { maxBuffer: 256 * 1024 * 1024, input });

    if (r.error || r.status !== 0) {
        throw new Error(`${opts.filter} ${args.join(' ')} ${page}: `
                        + (r.error ? r.error.message
                           : `exit ${r.status}: ${r.stderr.toString()}`));
    }

    opts.stderr = r.stderr.toString();

    return r.stdout;
}

function grantedMask(P, list) {
    if (list === 'all') {
        return P.all;
    }

    let m = P.required;

    for (const id of list.split(',').filter((x) => x)) {
        const c = P.ids.get(id.toLowerCase());

        if (c === undefined) {
            throw new Error(`unknown category ${id}`);
        }

        m |= 1 << c;
    }

    return m;
}

// the injected elements, as parse5 serialises them
function uiElements(node, list = []) {
    for (const c of children(node)) {
        if (isUi(c)) {
            list.push(parse5.serializeOuter(c));
        } else {
            uiElements(c, list);
        }
    }

    return list;
}

function uiIds(node, list = []) {
    for (const c of children(node)) {
        if (isUi(c)) {
            list.push(attr(c, 'id'));
        } else {
            uiIds(c, list);
        }
    }

    return list;
}

/*
 * What the filter says it injected (--stats) is in the output's DOM,
 * once; and it injected the head snippet and the banner into every
 * document, unless the fixture expects otherwise (docs/gating.md,
 * Injection: not where the end of the page leaves a construct open,
 * no banner into a frameset page)
 */
function injected(ctx, stats, doc, setup) {
    const m = /document (\d+), head (\d+), banner (\d+)/.exec(stats);

    if (!m) {
        ctx.diags.push(`no statistics from the filter: "${show(stats)}"`);
        return;
    }

    const ids = uiIds(doc);
    const [document, head, banner] = m.slice(1).map(Number);
    const parts = [['head snippet', 'head', head, 'consent-state'],
                   ['banner', 'banner', banner, 'consent-banner']];

    for (const [what, key, done, id] of parts) {
        const n = ids.filter((x) => x === id).length;
        const want = setup[key] !== '0'
                     && setup.expect[key + '_injected'] !== undefined
                     ? setup.expect[key + '_injected'] : document;

        if (done !== want) {
            ctx.diags.push(`the ${what} was ${done ? '' : 'not '}injected`
                           + ` (document ${document}), the fixture expects`
                           + ` ${want ? '' : 'no '}${key}_injected`);
        }

        if (n !== done) {
            ctx.diags.push(`the ${what} was ${done ? '' : 'not '}injected,`
                           + ` but the output's DOM has ${n} of it`);
        }
    }
}

// what the filter injects into a minimal document, parsed there
const REFERENCE = '<!DOCTYPE html><html><head></head><body></body></html>';

function reference(opts, P) {
    if (!opts.reference.has(P.file)) {
        const out = runFilter(opts, null,
                              ['--policy', P.file, '--inject'],
                              Buffer.from(REFERENCE));
        opts.reference.set(P.file, new Set(uiElements(parse(out).doc)));
    }

    return opts.reference.get(P.file);
}

function check(opts, page, P, input, parsedIn, run) {
    const args = ['--policy', P.file, '--granted', run.granted];
    const setup = run.setup;
    let tagMax = TAG_MAX, inlineMax = INLINE_MAX;

    if (run.inject) {
        args.push('--inject', '--stats');
    }

    if (setup.tag_max) {
        tagMax = Math.max(TAG_MIN, Number(setup.tag_max));
        args.push('--tag-max', String(tagMax));
    }

    if (setup.inline_max && opts.inlineOption) {
        inlineMax = Number(setup.inline_max);
        args.push('--inline-max', String(inlineMax));
    }

    const output = runFilter(opts, page, args);
    const stats = opts.stderr;
    const parsedOut = parse(output);

    const ctx = {
        name: run.name, P, granted: grantedMask(P, run.granted),
        tagMax, inlineMax, raw: parsedIn.raw, loc: parsedIn.loc,
        diags: [],
        n: { elements: 0, expected: 0, agreed: 0, activated: 0, injected: 0 }
    };

    compare(ctx, parsedIn.doc, parsedOut.doc, '#document');

    // the injections must come out of the parser as they went in
    if (run.inject) {
        const ref = reference(opts, P);
        const bad = [];

        for (const ui of uiElements(parsedOut.doc)) {
            ctx.n.injected++;

            if (!ref.has(ui)) {
                bad.push(ui);
            }
        }

        if (bad.length) {
            ctx.diags.push(`${bad.length} injected element(s) not parsed as `
                           + `injected, the first: ${show(bad[0], 300)}`);
        }

        injected(ctx, stats, parsedOut.doc, setup);
    }

    if (parsedIn.doc.mode !== parsedOut.doc.mode) {
        ctx.diags.push(`document mode: input ${parsedIn.doc.mode}, `
                       + `output ${parsedOut.doc.mode}`);
    }

    if (run.identical && ctx.n.activated === 0 && ctx.n.expected === 0
        && !input.equals(output))
    {
        let i = 0;

        while (i < input.length && i < output.length
               && input[i] === output[i])
        {
            i++;
        }

        ctx.diags.push(`not byte-identical to the input from byte ${i}: `
                       + `input "${show(input.toString('latin1', i, i + 60))}"`
                       + `, output "`
                       + `${show(output.toString('latin1', i, i + 60))}"`);
    }

    return ctx;
}

function fixture(opts, page, totals) {
    const dir = path.dirname(page);
    const policy = existsSync(path.join(dir, 'policy.json'))
                   ? path.join(dir, 'policy.json') : opts.policy;
    const P = loadPolicy(policy);
    const input = readFileSync(page);
    const setup = setupOf(input);
    const parsedIn = parse(input);

    parsedIn.loc = new Map();
    locate(parsedIn.doc, parsedIn.rawDoc, parsedIn.loc);

    const runs = [
        { name: 'none', granted: '', inject: true, setup },
        { name: 'all', granted: 'all', inject: false, identical: true,
          setup }
    ];

    // some categories granted: the fixture's choice, else every other
    // optional category (preferences and marketing of the example)
    const some = setup.granted || P.categories
        .filter((id, i) => !(P.required & (1 << i)))
        .filter((id, i) => i % 2 === 0).join(',');

    if (some) {
        runs.push({ name: 'granted=' + some, granted: some, inject: true,
                    setup });
    }

    const diags = [];
    const counts = [];

    for (const run of runs) {
        let ctx;

        try {
            ctx = check(opts, page, P, input, parsedIn, run);
        } catch (e) {
            diags.push(`${run.name}: ${e.message}`);
            continue;
        }

        for (const d of ctx.diags) {
            diags.push(`${run.name}: ${d}`);
        }

        totals.elements += ctx.n.elements;
        totals.expected += ctx.n.expected;
        totals.agreed += ctx.n.agreed;
        totals.activated += ctx.n.activated;
        totals.injected += ctx.n.injected;
        totals.runs++;
        counts.push(`${run.name}: ${ctx.n.elements} elements, `
                    + `${ctx.n.expected} to gate`);
    }

    return { ok: diags.length === 0, diags, counts,
             policy: path.relative(process.cwd(), policy) };
}


// ---------------------------------------------------------------------
// main

function main(argv) {
    const opts = { filter: null, policy: null, pages: [], reference: new Map() };

    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === '--filter') {
            opts.filter = argv[++i];
        } else if (argv[i] === '--policy') {
            opts.policy = argv[++i];
        } else if (statSync(argv[i]).isDirectory()) {
            opts.pages.push(...readdirSync(argv[i])
                .filter((f) => f.endsWith('.html')).sort()
                .map((f) => path.join(argv[i], f)));
        } else {
            opts.pages.push(argv[i]);
        }
    }

    if (!opts.filter || !opts.policy || opts.pages.length === 0) {
        console.log('1..1');
        console.log('not ok 1 - usage: differential.mjs --filter BIN '
                    + '--policy FILE DIR|PAGE...');
        return 1;
    }

    const help = spawnSync(opts.filter, ['--help']);
    opts.inlineOption = !help.error
                        && help.stdout.toString().includes('--inline-max');

    const totals = { elements: 0, expected: 0, agreed: 0, activated: 0,
                     injected: 0, runs: 0 };
    let failed = 0, known = 0;

    console.log(`1..${opts.pages.length}`);
    console.log(`# parse5 against ${opts.filter}`);

    opts.pages.forEach((page, i) => {
        let r;

        try {
            r = fixture(opts, page, totals);
        } catch (e) {
            r = { ok: false, diags: [e.stack], counts: [], policy: '?' };
        }

        const name = path.relative(process.cwd(), page)
                         .split(path.sep).join('/');
        const limit = KNOWN[name];
        const todo = limit && (r.ok || explained(limit, r.diags))
                     ? ` # TODO ${limit.why}` : '';

        console.log(`${r.ok ? 'ok' : 'not ok'} ${i + 1} - ${name}`
                    + ` (${r.counts.join('; ')})${todo}`);

        if (!r.ok) {
            failed += todo ? 0 : 1;
            known += todo ? 1 : 0;
            console.log(`# ${name} with ${r.policy}:`);

            for (const d of r.diags) {
                console.log(`#   ${d.replace(/\n/g, '\n#   ')}`);
            }
        }
    });

    console.log(`# ${opts.pages.length} fixtures, ${totals.runs} filter runs,`
                + ` ${totals.elements} elements compared, ${totals.expected}`
                + ` expected gated (${totals.agreed} gated as expected),`
                + ` ${totals.activated} expected activated,`
                + ` ${totals.injected} injected elements checked;`
                + ` ${failed} fixtures disagree, ${known} as documented`);

    return failed ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));

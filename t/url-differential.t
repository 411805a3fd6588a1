#!/usr/bin/perl

# consent_url_parse() (through build/consent-url) against Node's WHATWG
# URL, the reference: generated URLs (every range of the UTS #46 table
# in a host, IPv4 and IPv6 forms, ports, dot segments, escapes), the
# spellings of issue 14, and the URLs of the HTML corpora (t/html,
# t/diff, t/fuzz/corpus/html), each alone and against a base.  The
# scheme, host, port, path and query must be Node's, after the two
# normalisations docs/url-matching.md describes (trailing dots of a
# domain removed, escapes of unreserved bytes in the path decoded).
# Left out, and counted: hosts that NFC would change (not implemented),
# URLs Node refuses for IDNA validity rules this parser does not apply
# or for code points that only Chromium maps (it matches more there),
# and hosts with a code point that the table maps as Chromium does and
# Node otherwise (listed in the table's header).  Then the browser: the
# host of every URL that Debian's Chromium accepts (playwright-core, as
# t/browser runs it) must be ours; skipped without Chromium or with
# CONSENT_SKIP_BROWSER=1.  Needs node (>= 18).

use strict;
use warnings;

use FindBin;
use Cwd qw(abs_path);
use File::Temp qw(tempfile);

my $repo = abs_path("$FindBin::Bin/..");
my $build = $ENV{CONSENT_BUILD} || "$repo/build";
my $tool = "$build/consent-url";
my $node = $ENV{NODE} || 'node';

sub fail {
    my ($why) = @_;
    print "1..1\nnot ok 1 - URL parser against Node's WHATWG URL\n";
    print "# $why\n";
    exit 1;
}

chdir $repo or fail("chdir $repo: $!");

-x $tool or fail("$tool is not built: run make");

my $version = `$node --version 2>/dev/null` // '';
$version =~ /^v(\d+)/
    or fail("node is not installed: install Node.js 18 or later");
$1 >= 18 or fail("node $version is too old: the test needs 18 or later");

my ($fh, $js) = tempfile(SUFFIX => '.js', UNLINK => 1);
print $fh do { local $/; <DATA> };
close $fh;

exec $node, $js, $tool, $repo or fail("exec $node: $!");

__DATA__
'use strict';

const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const [tool, repo] = process.argv.slice(2);
const BASES = ['https://example.org/dir/page?x=1', 'http://a.example/',
               'wss://w.example:8443/a/b/c'];

/* the inputs */

const urls = new Set();

const issue = [
    'https://www.facebook.com/./tr', 'https://www.facebook.com/x/../tr',
    'https://www.facebook.com/%2e/tr', 'https://www.facebook.com:443/tr',
    'https://www.facebook.com./tr', 'https://ｗｗｗ．ｆａｃｅｂｏｏｋ．ｃｏｍ/tr',
    'https://www.youtube.com/x/../embed/', 'https://ſcript.hotjar.com/x.js',
    'https://connect.facebooK.net/en_US/fbevents.js',
    'https://plausible.ⓘⓞ/js/script.js', 'https://www.clarity.mˢ/tag/x',
    'https://www.google-analytⅰcs.com/analytics.js',
    'https://𝐠𝐨𝐨𝐠𝐥𝐞𝐭𝐚𝐠𝐦𝐚𝐧𝐚𝐠𝐞𝐫.com/gtm.js', 'http://0x7f.1/',
    'http://2130706433/', 'http://0177.0.0.1/', 'http://127.1/',
    'http://[::ffff:127.0.0.1]/', 'http://[::ffff:7f00:1]/x',
    'http://[0:0:0:0:0:ffff:7f00:1]/', 'https://ü.facebook.com/tr',
    '//www.facebook.com/tr', '\\\\www.facebook.com\\tr', '/tr', 'tr',
    '?q', '#f', '', 'https:www.facebook.com/tr', 'http:\\\\h\\a\\..\\b'
];

issue.forEach((u) => urls.add(u));

/* every range of the UTS #46 table, in a host of its own */
const table = fs.readFileSync(path.join(repo, 'src/consent_idna.c'),
                              'utf8');
/* the code points the table maps as Chromium does, not as Node does */
const chromiumMapped = new Set(((table.match(/mapped differently \(([^)]*)\)/)
                                 || [null, ''])[1].match(/U\+[0-9A-F]+/g)
                                || []).map((u) => parseInt(u.slice(2), 16)));
const first = table.match(/consent_idna_first\[\d+\] = \{([^}]*)\}/)[1]
    .split(',').map((x) => x.trim()).filter((x) => x).map(Number);

for (let i = 0; i < first.length; i++) {
    const lo = first[i], hi = i + 1 < first.length ? first[i + 1] - 1
                                                   : 0x10ffff;
    for (const cp of new Set([lo, hi, lo + ((hi - lo) >> 1)])) {
        if (cp >= 0xd800 && cp <= 0xdfff) {
            continue;
        }
        const ch = String.fromCodePoint(cp);
        urls.add('http://x' + ch + 'y.example/p');
        urls.add('http://' + ch + '.facebook.com/');
    }
}

const hosts = ['example.com', 'EXAMPLE.com.', 'a..b', '%65xample.com',
    'ex%41mple.com', '0x7f.0.0.1', '0x7F.1', '017700000001', '1.2.3',
    '4294967295', '4294967296', '1.2.3.256', '0x', '0x100000000', '08',
    '09.1', '1.2.3.4.', '1.2.3.4..', 'foo.1', 'foo.0x', 'foo.09',
    '[::1]', '[::]', '[1:2:3:4:5:6:7:8]', '[1::8]', '[::ffff:1.2.3.4]',
    '[1:0:0:2:0:0:0:3]', '[0:0:1:0:0:1:0:0]', '[::1.2.3]', '[1::2::3]',
    '[::ffff:1.2.3.4.5]', '[FFFF::]', '[::0.0.0.0]', '[::1', 'a%2fb',
    'a b', 'a%20b', 'a^b', 'a|b', 'xn--tda', 'XN--TDA.com', 'a_b.com',
    '-a-.com', 'a%00b', 'ü.COM', 'ß.de', 'ς.gr', 'a\u3002b', 'a\uff0eb',
    'a\uff61b', 'a\u00adb.com', '\u00ad', 'faß.de', 'Ⅻ.com', 'ｆｆ.com',
    'a%E3%80%82b', '%C3%BC.com', '%FF.com', 'user:pass@h.com',
    'a@b@c.com', 'h.com:', 'h.com:80', 'h.com:0080', 'h.com:65535',
    'h.com:65536', 'h.com:8x', '@h.com', 'h.com@', ':80',
    '[::1]:443', 'h.com:443'];
const paths = ['', '/', '/a/b', '/a/./b', '/a/../b', '/../a', '/a/..',
    '/a/.', '/a/%2e/b', '/a/%2E%2e/b', '/a/.%2e/b', '/a/%2e./b',
    '/a/%2e%2e%2e/b', '/a/...', '\\a\\..\\b', '/a%2fb', '/%74r',
    '/%7e%41%2D', '/a b', '/é', '/a"<>`{}^|\'', '/%zz', '/%', '/a%2',
    '//a//b', '/a/b/../../..', '/a?b', '/a#b', '/a?b c"\'<>#d',
    '/a?', '?x', '#x', '/\u0001\u007f'];

for (const h of hosts) {
    for (const s of ['http', 'https', 'ws', 'wss', 'ftp']) {
        urls.add(s + '://' + h + '/');
    }
    urls.add('//' + h + '/x');
}

for (const p of paths) {
    urls.add('https://h.example' + p);
    urls.add(p);
    urls.add('x' + p);
    urls.add('HTTPS:' + p);
}

for (const v of [' \t\nhttps://h.example/a\tb\n ', '\u0000http://h/',
                 'ht\ttp://h/', 'http:/h/', 'http:h/', 'http:///h/',
                 'http:\\\\\\h', 'https:', 'https:?q', 'https:#f']) {
    urls.add(v);
}

/* the URLs of the HTML corpora */
function entities(s) {
    return s.replace(/&#x([0-9a-f]+);?/gi,
                     (m, h) => safe(parseInt(h, 16)))
            .replace(/&#([0-9]+);?/g, (m, d) => safe(parseInt(d, 10)))
            .replace(/&amp;/gi, '&').replace(/&quot;/gi, '"')
            .replace(/&lt;/gi, '<').replace(/&gt;/gi, '>')
            .replace(/&apos;/gi, "'");
}

function safe(cp) {
    return cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff)
           ? String.fromCodePoint(cp) : '\ufffd';
}

function walk(dir, out) {
    if (!fs.existsSync(dir)) {
        return;
    }
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) {
            walk(p, out);
        } else {
            out.push(p);
        }
    }
}

const files = [];
['t/html', 't/diff', 't/fuzz/corpus/html', 't/fuzz/corpus/match']
    .forEach((d) => walk(path.join(repo, d), files));

const attr = /\b(?:src|href|data|poster|action|background|srcset|ping|imagesrcset)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))/gi;
let corpus = 0;

for (const f of files) {
    const text = fs.readFileSync(f, 'utf8');
    let m;
    while ((m = attr.exec(text)) !== null) {
        const v = entities(m[1] ?? m[2] ?? m[3]);
        if (v.length < 2000 && !v.includes('\n')) {
            urls.add(v);
            corpus++;
        }
    }
}

/* the cases: each URL alone and against each base */

const cases = [];

for (const u of urls) {
    cases.push([u, null]);
    for (const b of BASES) {
        cases.push([u, b]);
    }
}

const hex = (s) => Buffer.from(s, 'utf8').toString('hex');
const input = cases.map(([u, b]) => (hex(u) || '') + ' '
                        + (b === null ? '-' : hex(b))).join('\n') + '\n';

/* an empty URL is the empty hex string: the tool reads "" then a space */
const run = spawnSync(tool, ['-'], { input: input,
                                     maxBuffer: 1 << 30 });

if (run.status !== 0) {
    console.log('1..1\nnot ok 1 - consent-url ran\n# '
                + String(run.stderr).split('\n').join('\n# '));
    process.exit(1);
}

const lines = String(run.stdout).split('\n');

/* the normalisations the parser applies beyond the standard */

function unreserved(p) {
    return p.replace(/%([0-9a-fA-F]{2})/g, (m, h) => {
        const c = String.fromCharCode(parseInt(h, 16));
        return /[A-Za-z0-9\-._~]/.test(c) ? c : m;
    });
}

/* trailing dots go, unless what is left ends in a number ("2..") */
function trimDots(h) {
    let t = h;
    while (t.length > 1 && t.endsWith('.')) {
        t = t.slice(0, -1);
    }
    const last = t.replace(/\.$/, '').split('.').pop();
    return /^[0-9]+$|^0[xX][0-9a-fA-F]*$/.test(last) && t !== h ? h : t;
}

/* what the host part of an input is, decoded, for the exclusions */
function rawHost(u, b) {
    const m = /^[\s\u0000-\u0020]*(?:[a-zA-Z][a-zA-Z0-9+.\-]*:)?[\/\\]*([^\/\\?#]*)/
        .exec(u.replace(/[\t\n\r]/g, ''));
    let h = m ? m[1].replace(/^.*@/, '') : '';
    try {
        h = decodeURIComponent(h);
    } catch (e) {
        /* void */
    }
    return h;
}

let compared = 0, nfc = 0, idna = 0, unhandled = 0, refused = 0,
    chromium = 0;
const diffs = [];

cases.forEach(([u, b], i) => {
    const ours = lines[i].split('\t');
    let ref = null;

    try {
        ref = b === null ? new URL(u) : new URL(u, b);
    } catch (e) {
        ref = null;
    }

    if (ours[0] === 'unhandled') {
        /* file: and non-special schemes, by design */
        if (ref !== null && ['http:', 'https:', 'ws:', 'wss:', 'ftp:']
                .includes(ref.protocol)) {
            diffs.push([u, b, 'unhandled', ref.href]);
        } else {
            unhandled++;
        }
        return;
    }

    if (b === null && ref === null && ours[0] === 'ok'
        && ours[1] === '') {
        /* a relative URL without a base: the page's own, by design */
        unhandled++;
        return;
    }

    const host = rawHost(u, b);
    const nonNfc = host !== host.normalize('NFC')
                   || /\p{M}/u.test(host);

    if (ref === null) {
        if (ours[0] === 'failure') {
            refused++;
            return;
        }
        /* IDNA validity rules, Chromium's mappings: non-ASCII or xn-- */
        if (/[^\x00-\x7f]|xn--/i.test(host)) {
            idna++;
            return;
        }
        diffs.push([u, b, lines[i], 'failure']);
        return;
    }

    if ([...host].some((c) => chromiumMapped.has(c.codePointAt(0)))) {
        chromium++;
        return;
    }

    if (nonNfc && ours[0] === 'ok' && ours[2] !== trimDots(ref.hostname)) {
        nfc++;
        return;
    }

    if (ours[0] !== 'ok') {
        diffs.push([u, b, lines[i], ref.href]);
        return;
    }

    const q = ours[5] === '-' ? '' : '?' + ours[5];
    const want = [ref.protocol.slice(0, -1), trimDots(ref.hostname),
                  ref.port === '' ? '-' : ref.port,
                  unreserved(ref.pathname), ref.search === '' ? '' : ref.search];
    let got = [ours[1], ours[2], ours[3], ours[4], q === '?' ? '' : q];
    const m6 = /^\[::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})\]$/
        .exec(ref.hostname);
    const v4 = m6 ? [parseInt(m6[1], 16) >> 8, parseInt(m6[1], 16) & 255,
                     parseInt(m6[2], 16) >> 8, parseInt(m6[2], 16) & 255]
                    .join('.') : '-';

    want.push(v4);
    got.push(ours[6]);
    compared++;

    if (JSON.stringify(want) !== JSON.stringify(got)) {
        diffs.push([u, b, JSON.stringify(got), JSON.stringify(want)]);
    }
});

/*
 * The browser itself, when it is there (Debian's Chromium through
 * playwright-core, as t/browser runs it; CONSENT_SKIP_BROWSER=1 skips
 * it): the host of every URL parsed without a base that Chromium
 * accepts must be ours, after the same normalisations.  Chromium's
 * hosts with "%" (it escapes a space rather than refuse it) reach no
 * server and are left out.
 */
async function chromiumHosts(list) {
    const bin = process.env.CONSENT_CHROMIUM || '/usr/bin/chromium';
    let pw;

    if (process.env.CONSENT_SKIP_BROWSER || !fs.existsSync(bin)) {
        return null;
    }

    try {
        pw = require(path.join(repo, 'node_modules', 'playwright-core'));
    } catch (e) {
        return null;
    }

    const browser = await pw.chromium.launch({ executablePath: bin,
                                               args: ['--no-sandbox'] });
    const page = await browser.newPage();
    const hosts = await page.evaluate((list) => list.map((u) => {
        try {
            const x = new URL(u);
            return [x.protocol, x.hostname];
        } catch (e) {
            return null;
        }
    }), list);

    await browser.close();

    return hosts;
}

async function report() {
    const alone = [];

    cases.forEach(([u, b], i) => {
        if (b === null) {
            alone.push(i);
        }
    });

    const hosts = await chromiumHosts(alone.map((i) => cases[i][0]));
    const cdiffs = [];
    let ccompared = 0;

    if (hosts !== null) {
        alone.forEach((i, k) => {
            const h = hosts[k];
            const ours = lines[i].split('\t');

            if (h === null || h[1].includes('%')
                || !['http:', 'https:', 'ws:', 'wss:', 'ftp:'].includes(h[0])
                || /\p{M}/u.test(rawHost(cases[i][0], null))) {
                return;
            }

            ccompared++;

            if (ours[0] !== 'ok' || ours[2] !== trimDots(h[1])) {
                cdiffs.push([cases[i][0], lines[i], h[1]]);
            }
        });
    }

    console.log('1..3');
    console.log((compared > 10000 ? 'ok' : 'not ok')
                + ' 1 - enough URLs compared (' + compared + ')');
    console.log((diffs.length === 0 ? 'ok' : 'not ok')
                + ' 2 - no difference from Node\'s WHATWG URL');
    console.log('# ' + cases.length + ' cases (' + urls.size + ' URLs, '
                + corpus + ' from the corpora, ' + files.length
                + ' files); ' + compared + ' compared, ' + refused
                + ' refused by both, ' + unhandled + ' unhandled by design '
                + '(other schemes, relative without a base), ' + nfc
                + ' left out for NFC, ' + idna + ' accepted where Node '
                + 'refuses the host (IDNA validity rules, code points only '
                + 'Chromium maps), ' + chromium + ' with a code point '
                + 'Chromium and Node map differently');

    for (const d of diffs.slice(0, 40)) {
        console.log('# ' + JSON.stringify(d));
    }

    if (diffs.length > 40) {
        console.log('# ... ' + (diffs.length - 40) + ' more');
    }

    if (hosts === null) {
        console.log('ok 3 # skip Chromium or playwright-core not there');
        return;
    }

    console.log((cdiffs.length === 0 ? 'ok' : 'not ok')
                + ' 3 - every host Chromium accepts is ours ('
                + ccompared + ' compared)');

    for (const d of cdiffs.slice(0, 40)) {
        console.log('# ' + JSON.stringify(d));
    }

    if (cdiffs.length > 40) {
        console.log('# ... ' + (cdiffs.length - 40) + ' more');
    }
}

report().catch((e) => {
    console.log('not ok 3 - Chromium ran\n# ' + e);
    process.exit(1);
});

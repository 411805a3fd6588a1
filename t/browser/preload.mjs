// The preload corpus (written by t/browser/preload.t into the fixture
// site's preload/ directory) in Chromium: every request to a host other
// than 127.0.0.1 is routed, recorded and answered with an empty 204,
// never fetched. Without consent, no page may send one to a tracker
// host; with every category granted, each page's tracker requests happen.
// And without consent then Accept all in the banner, the banner's script
// gives back what was held back: the trackers of those pages load then.
// Run by t/browser/preload.t; prints TAP.

import { config, readPolicy, launch, trackerHosts } from './lib/browser.mjs';
import { ok, note, diag, scenario, done } from './lib/tap.mjs';
import { SEL } from './lib/consent.mjs';

const cfg = config();
const policy = readPolicy(cfg.policy);
const base = cfg.fixture;
const hosts = trackerHosts(policy);
const all = policy.categories.map((c) => c.id);

const tracker = (host) => hosts.some((h) => host === h || host.endsWith('.' + h));

const browser = await launch();
note(`Chromium ${browser.version()}, ${cfg.pages.length} pages at ${base}/preload/`);

// the consent cookie with every category granted, from the endpoint
async function grantAll() {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(base + '/preload/none.txt').catch(() => null);
    const st = await page.evaluate(async (ids) => {
        const r = await fetch('/consent/', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ granted: ids }),
        });
        return r.status;
    }, all);
    const cookies = await context.cookies();
    await context.close();
    ok(st === 200 && cookies.some((c) => c.name === 'consent'),
       'a consent cookie with every category granted',
       `the endpoint answered ${st}`);
    return cookies;
}

// one page in a context of its own, with the cookies given; accept:
// then Accept all in the banner, and what loads after it, apart
async function visit(name, cookies, accept) {
    const context = await browser.newContext();
    const seen = [];
    if (cookies) {
        await context.addCookies(cookies);
    }
    await context.route('**/*', (route) => {
        const url = new URL(route.request().url());
        if (url.protocol !== 'http:' && url.protocol !== 'https:') {
            return route.continue();
        }
        if (url.hostname === '127.0.0.1') {
            return route.continue();
        }
        seen.push(url.hostname + url.pathname + url.search.slice(0, 40));
        return route.fulfill({ status: 204, body: '' });
    });
    const page = await context.newPage();
    const t0 = Date.now();
    await page.goto(base + '/preload/' + name + '.html', { waitUntil: 'load' })
        .catch(() => null);
    if (process.env.CONSENT_PRELOAD_TIMES) {
        note(`${name}: ${Date.now() - t0} ms`);
    }
    await page.waitForTimeout(300);
    if (accept) {
        const before = seen.length;
        await page.click(SEL.accept).catch((e) => diag(`${name}: ${e}`));
        await page.waitForTimeout(700);
        const after = seen.slice(before);
        seen.length = 0;
        seen.push(...after);
    }
    await context.close();
    return seen;
}

// a few pages at a time: the whole corpus twice well under a minute
async function each(fn) {
    const out = {};
    const queue = [...cfg.pages];
    await Promise.all([0, 1, 2].map(async () => {
        while (queue.length > 0) {
            const name = queue.shift();
            out[name] = await fn(name);
        }
    }));
    return out;
}

await scenario('no consent: no request reaches a tracker host', async () => {
    const got = await each((name) => visit(name, null));
    for (const name of cfg.pages) {
        const bad = got[name].filter((u) => tracker(u.split('/')[0]));
        ok(bad.length === 0, `${name}: no tracker request without consent`,
           ...bad.map((u) => `requested ${u}`));
    }
});

await scenario('every category granted: the trackers load', async () => {
    const cookies = await grantAll();
    const got = await each((name) => visit(name, cookies));
    for (const name of cfg.pages) {
        const hit = got[name].filter((u) => tracker(u.split('/')[0]));
        ok(hit.length > 0, `${name}: its tracker is requested with consent`,
           `requests: ${got[name].join(', ') || 'none'}`);
    }
});

// what the banner's script gives back after Accept all, without a reload
// (not the duplicates the DOM dropped: <script src="" src="..."> and
// <script type="text/plain" type="text/javascript"> run, or not, as the
// tree builder reads them, as the page would with no preload scanner)
const BACK = ['video-poster', 'body-background', 'table-background',
              'svg-image', 'svg-set', 'input-image', 'iframe-srcdoc',
              'style-url', 'link-stylesheet', 'noscript-style',
              'style-import', 'style-element-url', 'style-escape',
              'style-image-set', 'style-font-face', 'style-unterminated',
              'a-style'];

await scenario('Accept all: the banner\'s script lets them load', async () => {
    const queue = BACK.filter((n) => cfg.pages.includes(n));
    const got = {};
    await Promise.all([0, 1, 2].map(async () => {
        while (queue.length > 0) {
            const name = queue.shift();
            got[name] = await visit(name, null, true);
        }
    }));
    for (const name of Object.keys(got)) {
        const hit = got[name].filter((u) => tracker(u.split('/')[0]));
        ok(hit.length > 0, `${name}: its tracker loads after Accept all`,
           `requests after the click: ${got[name].join(', ') || 'none'}`);
    }
});

await browser.close();
done();

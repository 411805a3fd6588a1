// The preload corpus (written by t/browser/preload.t into the fixture
// site's preload/ directory) in Chromium: every request to a host other
// than 127.0.0.1 is routed, recorded and answered with an empty 204,
// never fetched. Without consent, no page may send one to a tracker
// host; with every category granted, each page's tracker requests happen.
// Run by t/browser/preload.t; prints TAP.

import { config, readPolicy, launch, trackerHosts } from './lib/browser.mjs';
import { ok, note, diag, scenario, done } from './lib/tap.mjs';

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

// one page in a context of its own, with the cookies given
async function visit(name, cookies) {
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

await browser.close();
done();

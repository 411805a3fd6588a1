// A choice sticks in a browser that caches (issue 13): for each site of
// t/browser/withdraw.t (static "expires 10m", static "no-cache",
// proxy_cache), in Chromium with its HTTP cache on:
//   withdraw:  accept all (on another page), read the article (trackers
//              load), DELETE
//              /consent/, read it again: no tracker request, the page
//              built for the withdrawal; clear the cookie, read it
//              again: no tracker request, the banner;
//   reverse:   reject all, read it again (no banner, no tracker), accept
//              all through the endpoint, read it again: no banner, the
//              trackers load;
//   first:     first visit, accept all in the banner, read it again: the
//              banner does not come back.
// Playwright's routing turns Chromium's cache off, so nothing here uses
// it: a CDP Fetch interception of https:// answers every tracker request
// with 204 (nothing is fetched for real; the browser also resolves no
// host but 127.0.0.1), and page 'request' events count every request
// that is not to 127.0.0.1, per host.
// Run by t/browser/withdraw.t; prints TAP.

import { config, launch, until, sleep, banner } from './lib/browser.mjs';
import { SEL, ready, click, bannerShown, bannerGone } from './lib/consent.mjs';
import { ok, is, note, scenario, done } from './lib/tap.mjs';

const cfg = config();
const browser = await launch();
note(`Chromium ${browser.version()}; sites: ${JSON.stringify(cfg.sites)}`);

// the trackers of t/deploy/withdraw/article.html
const TRACKERS = ['www.googletagmanager.com', 'connect.facebook.net',
    'www.youtube.com', 'www.facebook.com'];

function local(url) {
    try {
        const u = new URL(url);
        return u.hostname === '127.0.0.1' || u.protocol === 'data:'
            || u.protocol === 'about:' || u.protocol === 'blob:';
    } catch {
        return true;
    }
}

// a context of its own with the cache on; every request not to
// 127.0.0.1 is recorded, https ones answered 204 by a CDP interception
async function visitor() {
    const context = await browser.newContext({
        viewport: { width: 1280, height: 800 }, locale: 'en-US',
    });
    context.setDefaultTimeout(10000);
    const page = await context.newPage();
    const seen = [];
    const documents = [];
    page.on('request', (r) => {
        if (!local(r.url())) {
            const u = new URL(r.url());
            seen.push({ host: u.hostname, url: r.url(), type: r.resourceType() });
        }
    });
    page.on('response', (r) => {
        if (r.request().isNavigationRequest() && r.frame() === page.mainFrame()) {
            documents.push({ url: r.url(), status: r.status() });
        }
    });
    const cdp = await context.newCDPSession(page);
    cdp.on('Fetch.requestPaused', (e) => {
        const reply = local(e.request.url)
            ? cdp.send('Fetch.continueRequest', { requestId: e.requestId })
            : cdp.send('Fetch.fulfillRequest', {
                requestId: e.requestId, responseCode: 204,
                responseHeaders: [{ name: 'Cache-Control', value: 'no-store' }],
            });
        reply.catch(() => {});
    });
    await cdp.send('Fetch.enable', { patterns: [{ urlPattern: 'https://*' }] });
    return {
        context, page, seen, documents,
        reset() { seen.length = 0; documents.length = 0; },
        // a reader's navigation: from another page of the site, a link
        async read(base) {
            await page.goto(base + '/other.html', { waitUntil: 'load' });
            await page.click('#article');
            await page.waitForURL(base + '/article.html', { waitUntil: 'load' });
            await sleep(700);
        },
        byHost() {
            const c = {};
            for (const s of seen) {
                c[s.host] = (c[s.host] || 0) + 1;
            }
            return c;
        },
    };
}

function trackerCount(v) {
    return v.seen.length;
}

// what the endpoint answers to a request from the page itself
async function endpoint(page, method, body) {
    return page.evaluate(async ([m, b]) => {
        const r = await fetch('/consent/', {
            method: m,
            headers: b ? { 'Content-Type': 'application/json' } : {},
            body: b || undefined,
            credentials: 'same-origin',
        });
        return r.status;
    }, [method, body]);
}

// the consent state the page was built for (its #consent-state JSON)
async function pageState(page) {
    return page.evaluate(() => {
        const e = document.getElementById('consent-state');
        try {
            return e ? JSON.parse(e.textContent) : null;
        } catch (x) {
            return { error: String(x) };
        }
    });
}

async function visible(page) {
    return (await banner(page)).visible;
}

for (const [site, base] of Object.entries(cfg.sites)) {
    await scenario(`${site}: accept all, withdraw, read again`, async () => {
        // the choice is made on another page: the article's first copy
        // in the cache is the accept-all one
        const v = await visitor();
        const { page } = v;
        await page.goto(base + '/other.html', { waitUntil: 'load' });
        ok(await ready(page), 'the banner script runs');
        ok((await bannerShown(page, 3000)).visible, 'first view: the banner');
        await click(page, SEL.accept);
        await bannerGone(page);
        ok(trackerCount(v) === 0, 'no tracker request before the article',
            v.byHost());

        v.reset();
        await v.read(base);
        const hosts = v.byHost();
        for (const h of TRACKERS) {
            ok((hosts[h] || 0) > 0, `accepted, next view: ${h} requested`, hosts);
        }
        ok(!(await visible(page)), 'accepted, next view: no banner');

        is(await endpoint(page, 'DELETE'), 200, 'DELETE /consent/: 200');

        v.reset();
        await v.read(base);
        ok(trackerCount(v) === 0, 'withdrawn, next view: no tracker request',
            v.byHost(), v.seen.map((s) => s.url), v.documents);
        const st = await pageState(page);
        ok(st && st.state === 'valid' && st.denied.includes('analytics')
            && st.denied.includes('marketing'),
            'withdrawn, next view: the page was built for the withdrawal', st);
        note(`withdrawn, next view: ${JSON.stringify(v.documents)}`);

        // a reader who clears the cookie is a first-time visitor again
        await v.context.clearCookies();
        v.reset();
        await v.read(base);
        ok(trackerCount(v) === 0, 'cookie gone, next view: no tracker request',
            v.byHost(), v.seen.map((s) => s.url), v.documents);
        ok((await bannerShown(page, 3000)).visible,
            'cookie gone, next view: the banner', v.documents);
        await v.context.close();
    });

    await scenario(`${site}: reject all, then accept all`, async () => {
        const v = await visitor();
        const { page } = v;
        await v.read(base);
        await ready(page);
        await bannerShown(page, 3000);
        await click(page, SEL.reject);
        await bannerGone(page);
        ok(trackerCount(v) === 0, 'rejected: no tracker request', v.byHost());

        v.reset();
        await v.read(base);
        ok(trackerCount(v) === 0, 'rejected, next view: no tracker request',
            v.byHost(), v.seen.map((s) => s.url), v.documents);
        ok(!(await visible(page)), 'rejected, next view: no banner');

        is(await endpoint(page, 'POST', '{"action":"accept_all"}'), 200,
            'accept all through the endpoint: 200');

        v.reset();
        await v.read(base);
        ok(!(await visible(page)), 'accepted after rejecting, next view: no banner',
            v.documents);
        const hosts = v.byHost();
        for (const h of TRACKERS) {
            ok((hosts[h] || 0) > 0,
                `accepted after rejecting, next view: ${h} requested`, hosts);
        }
        await v.context.close();
    });

    await scenario(`${site}: first visit, accept all, read again`, async () => {
        const v = await visitor();
        const { page } = v;
        await v.read(base);
        await ready(page);
        ok((await bannerShown(page, 3000)).visible, 'first view: the banner');
        await click(page, SEL.accept);
        await bannerGone(page);

        v.reset();
        await v.read(base);
        ok(!(await visible(page)), 'accepted, next view: the banner does not come back',
            v.documents);
        ok(v.seen.length > 0, 'accepted, next view: the trackers load', v.byHost());
        await v.context.close();
    });
}

await browser.close();
process.exit(done() ? 1 : 0);

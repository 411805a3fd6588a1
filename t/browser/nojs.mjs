// The banner with JavaScript disabled: Accept all, Reject all and
// Customise (the preferences page) work through the form, the
// endpoint's 303 brings the page back, gated or not as chosen.
// Run by t/browser/nojs.t; prints TAP.

import { config, readPolicy, launch, session, banner, sleep } from './lib/browser.mjs';
import { SEL, FIXTURE_MEDIA, hostsOf, isVisible, bannerShown } from './lib/consent.mjs';
import { ok, is, like, unlike, note, scenario, done } from './lib/tap.mjs';

const cfg = config();
const policy = readPolicy(cfg.policy);
const base = cfg.fixture;

const browser = await launch();
note(`Chromium ${browser.version()}, fixture at ${base}, demo at ${cfg.demo}`);

async function nojs() {
    const s = await session(browser, { policy, contextOptions: { javaScriptEnabled: false } });
    s.posts = [];
    s.page.on('response', (r) => {
        if (r.request().method() === 'POST' && new URL(r.url()).pathname === '/consent/') {
            s.posts.push({ status: r.status(), location: r.headers().location || null });
        }
    });
    return s;
}

async function attrs(page) {
    return page.evaluate((list) => Object.fromEntries(list.map((m) => {
        const e = document.querySelector(m.sel);
        return [m.sel, e ? { src: e.getAttribute('src'), gated: e.getAttribute('data-consent-src') } : null];
    })), FIXTURE_MEDIA);
}

async function scriptTypes(page) {
    return page.evaluate(() => [...document.querySelectorAll('script[src]')]
        .filter((s) => !s.hasAttribute('data-consent-ui'))
        .map((s) => [s.getAttribute('src'), s.getAttribute('type')]));
}

function requested(log, host) {
    return log.trackers.filter((r) => r.host === host).length;
}

async function firstView(s) {
    const r = await s.goto(base + '/');
    // (it fades in: wait for it)
    const b = await bannerShown(s.page, 3000);
    ok(b.visible, 'the banner is visible without JavaScript');
    is(s.log.trackers.length, 0, 'no tracker request before a choice', s.log.trackers);
    return r;
}

await scenario('no JavaScript: accept all', async () => {
    const s = await nojs();
    const { page, log } = s;
    await firstView(s);
    const r = await s.expectNavigation(() => page.locator(SEL.accept).click());
    is(s.posts.length, 1, 'one POST to the endpoint');
    is(s.posts[0] && s.posts[0].status, 303, 'the endpoint answers 303');
    like(s.posts[0] && s.posts[0].location || '', /^(http:\/\/127\.0\.0\.1:\d+)?\/$/, 'back to the page (Location)');
    is(new URL(page.url()).pathname, '/', 'the browser is back on the page');
    is(r && r.status(), 200, 'the page answers 200');
    ok(!(await banner(page)).visible, 'no banner now');
    const a = await attrs(page);
    ok(Object.values(a).every((x) => x && x.src && !x.gated), 'frames and images have their src', a);
    const types = await scriptTypes(page);
    ok(types.every(([, t]) => t !== 'text/plain'), 'no script is text/plain', types);
    for (const h of ['www.youtube.com', 'www.facebook.com', 'www.google-analytics.com', 'ad.doubleclick.net']) {
        ok(requested(log, h) >= 1, `${h} was requested`);
    }
    await s.close();
});

await scenario('no JavaScript: reject all', async () => {
    const s = await nojs();
    const { page, log } = s;
    await firstView(s);
    const r = await s.expectNavigation(() => page.locator(SEL.reject).click());
    is(s.posts[0] && s.posts[0].status, 303, 'the endpoint answers 303');
    is(new URL(page.url()).pathname, '/', 'the browser is back on the page');
    is(r && r.status(), 200, 'the page answers 200');
    ok(!(await banner(page)).visible, 'no banner now');
    await sleep(500);
    is(log.trackers.length, 0, 'no tracker request', log.trackers);
    const a = await attrs(page);
    ok(Object.values(a).every((x) => x && !x.src && x.gated), 'frames and images are held back', a);
    const types = await scriptTypes(page);
    const tracker = types.filter(([src]) => /^https?:/.test(src));
    ok(tracker.length > 0 && tracker.every(([, t]) => t === 'text/plain'),
        'every tracker script is text/plain', types);
    await s.close();
});

await scenario('no JavaScript: customise, analytics only', async () => {
    const s = await nojs();
    const { page, log } = s;
    await firstView(s);
    const pref = await s.expectNavigation(() => page.locator(SEL.customise).click());
    is(new URL(page.url()).pathname, '/consent/', 'Customise leads to the preferences page');
    is(pref && pref.status(), 200, 'the preferences page answers 200');
    like(pref && pref.headers()['content-type'] || '', /^text\/html/, 'it is HTML');
    const boxes = await page.evaluate(() => [...document.querySelectorAll(
        'form input[type="checkbox"][name="granted"]')].map((b) => b.value));
    is(boxes.join(' '), policy.categories.map((c) => c.id).join(' '), 'a checkbox per category');
    await page.locator('form input[type="checkbox"][name="granted"][value="analytics"]').check();
    const r = await s.expectNavigation(() => page.locator('form button[name="action"][value="save"]').click());
    is(s.posts[0] && s.posts[0].status, 303, 'Save: the endpoint answers 303');
    is(new URL(page.url()).pathname, '/', 'back on the page the visitor came from');
    is(r && r.status(), 200, 'the page answers 200');
    ok(!(await banner(page)).visible, 'no banner now');
    await sleep(500);
    const a = await attrs(page);
    for (const m of FIXTURE_MEDIA) {
        const x = a[m.sel];
        if (m.cat === 'analytics') {
            ok(x && x.src && !x.gated, `${m.what} (analytics) has its src`, x);
        } else {
            ok(x && !x.src && x.gated, `${m.what} (marketing) is held back`, x);
        }
    }
    ok(requested(log, 'www.google-analytics.com') >= 1, 'the analytics pixel was requested');
    for (const h of hostsOf('marketing')) {
        is(requested(log, h), 0, `no request to ${h} (marketing)`);
    }
    const types = await scriptTypes(page);
    const gtag = types.find(([src]) => src.includes('googletagmanager.com'));
    const fb = types.find(([src]) => src.includes('connect.facebook.net'));
    ok(gtag && gtag[1] !== 'text/plain', 'the analytics script is live', gtag);
    ok(fb && fb[1] === 'text/plain', 'the marketing script is held back', fb);
    await s.close();
});

await scenario('no JavaScript: the demo page', async () => {
    const s = await nojs();
    const { page, log } = s;
    await s.goto(cfg.demo + '/');
    ok((await bannerShown(page, 3000)).visible, 'the banner is visible');
    is(log.trackers.length, 0, 'no tracker request, <noscript> pixel included', log.trackers);
    await s.expectNavigation(() => page.locator(SEL.reject).click());
    await sleep(500);
    ok(!(await banner(page)).visible, 'Reject all: no banner now');
    is(log.trackers.length, 0, 'Reject all: still no tracker request', log.trackers);
    ok(await isVisible(page, 'h1'), 'the article is shown');
    await s.close();
});

await browser.close();
process.exit(done() ? 1 : 0);

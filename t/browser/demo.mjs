// The demo site (conf/demo/), as make demo serves it: first visit,
// Accept all, Reject all, the Spanish page, and the page's own
// "Cookie preferences" links.
// Run by t/browser/demo.t; prints TAP.

import { config, readPolicy, launch, session, banner, runs, sleep, until } from './lib/browser.mjs';
import {
    SEL, ready, get, consentMode, click, bannerShown, bannerGone, settleRuns, counts, isVisible,
} from './lib/consent.mjs';
import { ok, is, deepIs, like, unlike, note, scenario, done } from './lib/tap.mjs';

const cfg = config();
const policy = readPolicy(cfg.policy);
const base = cfg.demo;

// what the demo's tags load (the inline loaders build the Hotjar and Meta
// script elements themselves once they run)
const DEMO_SCRIPTS = [
    'www.googletagmanager.com/gtag/js',
    'static.hotjar.com/c/hotjar-3141592.js',
    'connect.facebook.net/en_US/fbevents.js',
    'snap.licdn.com/li.lms-analytics/insight.min.js',
];

const browser = await launch();
note(`Chromium ${browser.version()}, demo at ${base}`);

await scenario('demo: first visit', async () => {
    const s = await session(browser, { policy });
    const { page, log } = s;
    const r = await s.goto(base + '/');
    is(r.status(), 200, 'the page answers 200');
    ok(await ready(page), 'the banner script runs');
    ok((await bannerShown(page, 3000)).visible, 'the banner is visible');
    await until(async () => (await banner(page)).focusInside, 3000);
    ok((await banner(page)).focusInside, 'focus is inside the banner');
    await sleep(1000);
    is(log.trackers.length, 0, 'no tracker request', log.trackers);
    is(log.unexpected.length, 0, 'no request to any other host', log.unexpected);
    is(await page.evaluate(() => window.localStatsLoaded === true), false, 'the local statistics did not run');
    is(log.errors.length, 0, 'no error in the page', log.errors);
    await s.close();
});

await scenario('demo: accept all', async () => {
    const s = await session(browser, { policy });
    const { page, log } = s;
    await s.goto(base + '/');
    await ready(page);
    await bannerShown(page, 3000);
    await page.evaluate(() => { window.__kept = 1; });
    await click(page, SEL.accept);
    const got = await settleRuns(page, DEMO_SCRIPTS.length);
    deepIs(Object.keys(counts(got)).sort(), [...DEMO_SCRIPTS].sort(), 'every tracker script ran', got);
    ok(Object.values(counts(got)).every((n) => n === 1), 'each exactly once', counts(got));
    ok(await page.evaluate(() => window.localStatsLoaded === true), 'the local statistics ran');
    is(log.navigations, 0, 'no navigation or reload');
    is(await page.evaluate(() => window.__kept), 1, 'the page\'s state survived');
    ok(!(await bannerGone(page)).visible, 'the banner is gone');
    await until(() => page.evaluate(() => !!document.querySelector('iframe[src*="youtube.com/embed"]')), 3000);
    ok(await page.evaluate(() => !!document.querySelector('iframe[src*="youtube.com/embed"]')),
        'the YouTube video is loaded');
    ok(log.trackers.some((t) => t.host === 'www.youtube.com'), 'www.youtube.com was requested');
    ok(log.trackers.some((t) => t.host === 'ad.doubleclick.net' && t.type === 'image'), 'the ad image was requested');
    ok((await consentMode(page)).some((e) => e[1] === 'update'), 'a Consent Mode update');
    is(log.unexpected.length, 0, 'no request to any other host', log.unexpected);
    is(log.errors.length, 0, 'no error in the page', log.errors);
    const col = await page.evaluate(async () => (await fetch('/collect')).status);
    is(col, 200, '/collect (consent_require analytics) answers now');
    ok(await isVisible(page, SEL.manage), 'the manage link is shown');

    s.reset();
    const r = await s.reload();
    const html = await r.text();
    unlike(html, /data-consent-src/, 'after reload: nothing held back');
    ok(!(await banner(page)).visible, 'after reload: no banner');
    await s.close();
});

await scenario('demo: reject all', async () => {
    const s = await session(browser, { policy });
    const { page, log } = s;
    await s.goto(base + '/');
    await ready(page);
    await bannerShown(page, 3000);
    await click(page, SEL.reject);
    ok(!(await bannerGone(page)).visible, 'the banner is gone');
    await sleep(1000);
    is(log.trackers.length, 0, 'no tracker request', log.trackers);
    deepIs(await runs(page), [], 'no tracker script ran');
    const col = await page.evaluate(async () => (await fetch('/collect')).status);
    is(col, 403, '/collect (consent_require analytics) still refuses');
    s.reset();
    await s.goto(base + '/es/');
    await sleep(800);
    is(log.trackers.length, 0, 'the Spanish page: no tracker request', log.trackers);
    ok(!(await banner(page)).visible, 'the Spanish page: no banner');
    await s.close();
});

await scenario('demo: the Spanish page and the preferences links', async () => {
    const s = await session(browser, { policy, contextOptions: { locale: 'es-ES' } });
    const { page } = s;
    await s.goto(base + '/es/');
    await ready(page);
    const b = await bannerShown(page, 3000);
    is(b.lang, 'es', 'the banner is in Spanish');
    is((await page.locator(SEL.accept).first().textContent() || '').trim(), policy.texts.es.accept_all,
        'Accept all reads "' + policy.texts.es.accept_all + '"');
    await click(page, SEL.reject);
    await bannerGone(page);
    const links = await page.locator('a[data-consent-open]').count();
    ok(links >= 1, `the page has ${links} data-consent-open link(s)`);
    await click(page, 'footer a[data-consent-open]');
    ok((await bannerShown(page, 3000)).visible, 'the footer link reopens the banner');
    is(s.log.navigations, 0, 'without navigating');
    const st = await get(page);
    is(st.state, 'valid', 'the state is valid');
    await s.close();
});

await browser.close();
process.exit(done() ? 1 : 0);

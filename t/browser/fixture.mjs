// The banner on the fixture page (t/browser/site/index.html), with
// JavaScript: first visit, Accept all, Reject all, Customise with
// analytics only, and reopening the banner to withdraw.
// Run by t/browser/fixture.t; prints TAP.

import {
    config, readPolicy, launch, session, banner, runs, sleep, until,
} from './lib/browser.mjs';
import {
    SEL, FIXTURE_SCRIPTS, FIXTURE_MEDIA, hostsOf, ready, get, consentMode,
    events, click, bannerGone, bannerShown, settleRuns, counts, isVisible,
} from './lib/consent.mjs';
import {
    ok, is, isnt, deepIs, like, unlike, note, scenario, done,
} from './lib/tap.mjs';

const cfg = config();
const policy = readPolicy(cfg.policy);
const base = cfg.fixture;
const ids = policy.categories.map((c) => c.id);
const required = policy.categories.filter((c) => c.required).map((c) => c.id);

const browser = await launch();
note(`Chromium ${browser.version()}, fixture at ${base}`);

function sorted(a) {
    return [...a].sort();
}

async function media(page) {
    return page.evaluate((list) => list.map((m) => {
        const e = document.querySelector(m.sel);
        if (!e) {
            return { sel: m.sel, missing: true };
        }
        return {
            sel: m.sel,
            src: e.getAttribute(m.attr),
            gated: e.getAttribute('data-consent-' + m.attr),
            consent: e.getAttribute('data-consent'),
            loaded: e.tagName === 'IMG' ? e.complete && e.naturalWidth > 0 : null,
            current: e.tagName === 'IMG' ? e.currentSrc : null,
        };
    }), FIXTURE_MEDIA);
}

function requested(log, host) {
    return log.trackers.filter((r) => r.host === host);
}

// 1. first visit
await scenario('first visit', async () => {
    const s = await session(browser, { policy });
    const { page, log } = s;
    const r = await s.goto(base + '/');
    is(r.status(), 200, 'the page answers 200');
    const html = await r.text();
    like(html, /<script type="application\/json" id="consent-state" data-consent-ui>/,
        'the head snippet has the state as JSON');
    like(html, /<link rel="stylesheet" href="\/consent\/banner\.css\?v=[^"]+" data-consent-ui>/,
        'the head snippet links the banner stylesheet');
    like(html, /<script src="\/consent\/banner\.js\?v=[^"]+" data-consent-ui><\/script>/,
        'the head snippet loads the banner script');
    for (const [what, re] of [['script', /<script src="(\/consent\/banner\.js\?v=[^"]+)"/],
        ['stylesheet', /<link rel="stylesheet" href="(\/consent\/banner\.css\?v=[^"]+)"/]]) {
        const m = re.exec(html);
        if (!m) {
            continue;
        }
        const a = await s.context.request.get(base + m[1]);
        is(a.status(), 200, `the banner ${what} answers 200`);
        ok(a.headers().etag, `the banner ${what} has an ETag`, a.headers());
        const age = /max-age=(\d+)/.exec(a.headers()['cache-control'] || '');
        ok(age && Number(age[1]) >= 30 * 86400, `the banner ${what} is cached long`, a.headers()['cache-control']);
    }
    ok(await ready(page), 'window.consent is set up by the banner script');
    const b = await bannerShown(page, 3000);
    ok(b.present, 'the banner is in the page');
    ok(b.visible, 'the banner is visible');
    is(b.role, 'dialog', 'the banner is a dialog');
    await until(async () => (await banner(page)).focusInside, 3000);
    const b2 = await banner(page);
    ok(b2.focusInside, 'focus is inside the banner', `document.activeElement: ${b2.active}`);
    for (const sel of [SEL.accept, SEL.reject, SEL.customise]) {
        ok(await isVisible(page, sel), `${sel} is visible`);
    }
    const st = await get(page);
    is(st.state, 'absent', 'consent.get().state is "absent"');
    deepIs(st.granted, required, 'consent.get().granted is the required categories');
    const cm = await consentMode(page);
    ok(cm.some((e) => e[1] === 'default'), 'a Consent Mode default is in window.dataLayer', cm);
    ok(!cm.some((e) => e[1] === 'update'), 'no Consent Mode update before a choice', cm);
    await sleep(1000);
    is(log.trackers.length, 0, 'no tracker request was attempted', log.trackers);
    deepIs(await runs(page), [], 'no tracker script ran');
    is(log.unexpected.length, 0, 'no request to any other host', log.unexpected);
    const m = await media(page);
    ok(m.every((x) => !x.src && x.gated), 'frames and images are held back (data-consent-src)', m);
    is(log.errors.length, 0, 'no error in the page', log.errors);
    await s.close();
});

// 2. Accept all
await scenario('accept all', async () => {
    const s = await session(browser, { policy });
    const { page, log } = s;
    await s.goto(base + '/');
    await ready(page);
    await bannerShown(page, 3000);
    await page.evaluate(() => { window.__kept = 'before the click'; });
    await click(page, SEL.accept);
    const got = await settleRuns(page, FIXTURE_SCRIPTS.length);
    deepIs(got, FIXTURE_SCRIPTS.map((x) => x.mark),
        'every gated script ran once, in document order');
    const c = counts(got);
    for (const x of FIXTURE_SCRIPTS) {
        is(c[x.mark] || 0, 1, `${x.what} ran exactly once`);
        if (x.mark.includes('/')) {
            is(log.trackers.filter((t) => t.mark === x.mark).length, 1, `${x.what} was fetched once`);
        }
    }
    const b = await bannerGone(page);
    ok(!b.visible, 'the banner is gone');
    ok(b.hidden, 'the banner has the hidden attribute');
    is(log.navigations, 0, 'no navigation or reload happened');
    is(await page.evaluate(() => window.__kept), 'before the click',
        'a property set before the click survived');
    await until(async () => (await media(page)).every((x) => x.src), 3000);
    const m = await media(page);
    for (const [i, x] of m.entries()) {
        const want = FIXTURE_MEDIA[i];
        ok(x.src && !x.gated, `${want.what}: ${want.attr} is set again`, x);
        ok(requested(log, want.host).length >= 1, `${want.what}: ${want.host} was requested`);
    }
    ok(m.filter((x) => x.loaded !== null).every((x) => x.loaded), 'the images loaded', m);
    const cm = await consentMode(page);
    const upd = cm.filter((e) => e[1] === 'update');
    is(upd.length, 1, 'one Consent Mode update in window.dataLayer', cm);
    if (upd.length) {
        is(upd[0][2] && upd[0][2].analytics_storage, 'granted', 'the update grants analytics_storage');
        is(upd[0][2] && upd[0][2].ad_storage, 'granted', 'the update grants ad_storage');
    }
    const st = await get(page);
    is(st.state, 'valid', 'consent.get().state is "valid"');
    deepIs(sorted(st.granted || []), sorted(ids), 'every category is granted');
    const ev = await events(page);
    is(ev.length, 1, 'one consent:change event');
    is(ev[0] && ev[0].state, 'valid', 'the event carries the new state');
    is(log.unexpected.length, 0, 'no request to any other host', log.unexpected);
    is(log.errors.length, 0, 'no error in the page', log.errors);

    // the next view of the page comes with its tags as the author wrote them
    s.reset();
    const r = await s.reload();
    const html = await r.text();
    await ready(page);
    await sleep(300);
    ok(!(await banner(page)).visible, 'after reload: no banner');
    ok(html.includes('<script async src="https://www.googletagmanager.com/gtag/js?id=G-TEST1"></script>'),
        'after reload: the Google tag is sent as written');
    ok(html.includes('<script src="https://connect.facebook.net/en_US/fbevents.js"></script>'),
        'after reload: the Meta pixel is sent as written');
    ok(html.includes('<iframe id="video" src="https://www.youtube.com/embed/fixture1"'),
        'after reload: the iframe is sent with its src');
    unlike(html, /data-consent-src|data-consent-srcset/, 'after reload: nothing renamed to data-consent-src');
    unlike(html.replace(/<script type="application\/json"[^>]*>/g, ''), /type="text\/plain"/,
        'after reload: no script made text/plain');
    const again = await settleRuns(page, FIXTURE_SCRIPTS.length);
    deepIs(sorted(again), sorted(FIXTURE_SCRIPTS.map((x) => x.mark)),
        'after reload: each tracker script ran once');
    await s.close();
});

// 3. Reject all
await scenario('reject all', async () => {
    const s = await session(browser, { policy });
    const { page, log } = s;
    await s.goto(base + '/');
    await ready(page);
    await bannerShown(page, 3000);
    await click(page, SEL.reject);
    const b = await bannerGone(page);
    ok(!b.visible, 'the banner is gone');
    await sleep(1000);
    is(log.trackers.length, 0, 'no tracker request', log.trackers);
    deepIs(await runs(page), [], 'no tracker script ran');
    is(log.navigations, 0, 'no navigation or reload happened');
    const st = await get(page);
    is(st.state, 'valid', 'consent.get().state is "valid"');
    deepIs(st.granted, required, 'only the required categories are granted');
    const upd = (await consentMode(page)).filter((e) => e[1] === 'update');
    is(upd.length, 1, 'one Consent Mode update');
    is(upd[0] && upd[0][2] && upd[0][2].analytics_storage, 'denied', 'the update denies analytics_storage');

    s.reset();
    const r = await s.reload();
    const html = await r.text();
    await ready(page);
    await sleep(1000);
    ok(!(await banner(page)).visible, 'after reload: the banner stays gone');
    is(log.trackers.length, 0, 'after reload: no tracker request', log.trackers);
    like(html, /<script type="text\/plain" data-consent="analytics" async src="https:\/\/www\.googletagmanager\.com/,
        'after reload: the Google tag is still held back');

    s.reset();
    await s.goto(base + '/page2.html');
    await sleep(800);
    ok(!(await banner(page)).visible, 'on another page: no banner');
    is(log.trackers.length, 0, 'on another page: no tracker request', log.trackers);
    await s.close();
});

// 4. Customise: analytics only
await scenario('customise, analytics only', async () => {
    const s = await session(browser, { policy });
    const { page, log } = s;
    await s.goto(base + '/');
    await ready(page);
    await bannerShown(page, 3000);
    ok(!(await isVisible(page, SEL.layer2)), 'the second layer is hidden at first');
    await click(page, SEL.customise);
    await until(() => isVisible(page, SEL.layer2), 3000);
    ok(await isVisible(page, SEL.layer2), 'Customise shows the second layer');
    is(log.navigations, 0, 'Customise did not navigate');
    const boxes = await page.evaluate((sel) => [...document.querySelectorAll(sel)].map((b) => ({
        value: b.value, checked: b.checked, disabled: b.disabled,
    })), '#consent-banner input[type="checkbox"][name="granted"]');
    deepIs(boxes.map((b) => b.value), ids, 'one checkbox per category, in the policy\'s order');
    for (const b of boxes) {
        if (required.includes(b.value)) {
            ok(b.checked && b.disabled, `${b.value} is checked and disabled`, b);
        } else {
            ok(!b.checked && !b.disabled, `${b.value} is unchecked and can be changed`, b);
        }
    }
    await page.locator(SEL.box('analytics')).check();
    await click(page, SEL.save);
    const want = FIXTURE_SCRIPTS.filter((x) => x.cat === 'analytics').map((x) => x.mark);
    const got = await settleRuns(page, want.length);
    deepIs(got, want, 'the analytics scripts ran once each, in document order');
    ok(!(await banner(page)).visible, 'the banner is gone');
    for (const h of hostsOf('marketing')) {
        is(requested(log, h).length, 0, `no request to ${h} (marketing)`);
    }
    ok(requested(log, 'www.google-analytics.com').length >= 1, 'the analytics pixel loaded');
    const m = await media(page);
    ok(m.filter((x, i) => FIXTURE_MEDIA[i].cat === 'marketing').every((x) => !x.src && x.gated),
        'marketing frames and images stay held back', m);
    const st = await get(page);
    deepIs(st.granted, ids.filter((i) => required.includes(i) || i === 'analytics'),
        'consent.get().granted is the required categories and analytics');
    const upd = (await consentMode(page)).filter((e) => e[1] === 'update');
    is(upd[0] && upd[0][2] && upd[0][2].analytics_storage, 'granted', 'Consent Mode: analytics_storage granted');
    is(upd[0] && upd[0][2] && upd[0][2].ad_storage, 'denied', 'Consent Mode: ad_storage denied');

    s.reset();
    const r = await s.reload();
    const html = await r.text();
    await settleRuns(page, want.length);
    ok(html.includes('<script async src="https://www.googletagmanager.com/gtag/js?id=G-TEST1"></script>'),
        'after reload: the analytics tag is sent as written');
    like((/<iframe[^>]*id="video"[^>]*>/.exec(html) || [""])[0], /data-consent="marketing"[^>]* data-consent-src="https:\/\/www\.youtube\.com/,
        'after reload: the video is held back');
    for (const h of hostsOf('marketing')) {
        is(requested(log, h).length, 0, `after reload: no request to ${h} (marketing)`);
    }
    await s.close();
});

// 6. manage preferences: reopen in place, withdraw
await scenario('manage preferences and withdraw', async () => {
    const s = await session(browser, { policy });
    const { page, log } = s;
    await s.goto(base + '/');
    await ready(page);
    await bannerShown(page, 3000);
    await click(page, SEL.accept);
    await settleRuns(page, FIXTURE_SCRIPTS.length);
    await bannerGone(page);

    s.reset();
    await s.reload();
    await ready(page);
    await sleep(300);
    ok(!(await banner(page)).visible, 'a visitor who chose sees no banner');
    ok(await isVisible(page, SEL.manage), 'the floating manage link (#consent-manage) is shown');
    const url = page.url();

    for (const [sel, what] of [[SEL.manage, 'the floating #consent-manage'],
        [SEL.footer, 'the footer link data-consent-open']]) {
        await click(page, sel);
        const b = await bannerShown(page, 3000);
        ok(b.visible, `${what} reopens the banner`);
        is(log.navigations, 0, `${what} does not navigate`);
        is(page.url(), url, `${what}: the address is unchanged`);
        ok(await isVisible(page, SEL.layer2), `${what}: the banner opens at the second layer`);
        await until(async () => (await banner(page)).focusInside, 2000);
        ok((await banner(page)).focusInside, `${what}: focus moves into the banner`);
        if (sel === SEL.manage) {
            // close it again with the choice already made
            const boxes = await page.evaluate(() => [...document.querySelectorAll(
                '#consent-banner input[name="granted"]')].map((e) => [e.value, e.checked]));
            ok(boxes.length > 0 && boxes.every(([, c]) => c), 'the boxes show the current choice (all granted)', boxes);
            await click(page, SEL.save);
            await bannerGone(page);
        }
    }

    // withdraw: Reject all
    if (await isVisible(page, SEL.reject)) {
        await click(page, SEL.reject);
    } else {
        note('Reject all is not visible on the reopened banner: unticking and saving');
        for (const id of ids.filter((i) => !required.includes(i))) {
            await page.locator(SEL.box(id)).uncheck();
        }
        await click(page, SEL.save);
    }
    const b = await bannerGone(page);
    ok(!b.visible, 'the banner closes after Reject all');
    const st = await get(page);
    deepIs(st.granted, required, 'after withdrawing only the required categories are granted');
    const upd = (await consentMode(page)).filter((e) => e[1] === 'update');
    is(upd.length >= 1 && upd[upd.length - 1][2] && upd[upd.length - 1][2].ad_storage, 'denied',
        'the last Consent Mode update denies ad_storage');

    s.reset();
    const r = await s.goto(base + '/page2.html');
    await sleep(1000);
    is(log.trackers.length, 0, 'on the next page no tracker is requested', log.trackers);
    deepIs(await runs(page), [], 'on the next page no tracker script runs');
    like(await r.text(), /data-consent-src="https:\/\/player\.vimeo\.com/, 'the next page comes gated');
    await s.close();
});

// the script interface: consent.get(), consent.open(), Escape
await scenario('window.consent', async () => {
    const s = await session(browser, { policy });
    const { page, log } = s;
    await s.goto(base + '/');
    await ready(page);
    await bannerShown(page, 3000);
    await click(page, SEL.accept);
    await settleRuns(page, FIXTURE_SCRIPTS.length);
    await bannerGone(page);
    const st = await get(page);
    deepIs(Object.keys(st).sort(), ['denied', 'gpc', 'granted', 'revision', 'state'],
        'consent.get() has state, granted, denied, gpc, revision');
    is(st.revision, policy.revision, 'consent.get().revision is the policy\'s');
    deepIs(st.denied, [], 'nothing is denied after Accept all');
    await page.evaluate(() => window.consent.open());
    const b = await bannerShown(page, 3000);
    ok(b.visible, 'consent.open() shows the banner');
    ok(await isVisible(page, SEL.layer2), 'at the second layer');
    await page.keyboard.press('Escape');
    ok(!(await bannerGone(page, 3000)).visible, 'Escape closes a reopened banner');
    is((await get(page)).state, 'valid', 'the consent is unchanged');
    is((await events(page)).length, 1, 'closing is no choice: no second consent:change');
    is(log.navigations, 0, 'no navigation');
    await s.close();
});

await browser.close();
process.exit(done() ? 1 : 0);

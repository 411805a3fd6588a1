// Consent regimes in Chromium: a visitor the map puts in "opt-out" (the
// X-Country header stands for a GeoIP country) sees the "Your privacy
// choices" notice, its trackers run, and the page's own scripts find
// IAB's __gpp API: ping, an event listener, getSection and getField,
// before and after "Do Not Sell or Share My Personal Information"; the
// __gpp cookie reads the same in IAB's @iabgpp/cmpapi.  Sec-GPC: 1 as an
// extra HTTP header opts out without asking, and the page says so.  An
// opt-in visitor gets no __gpp.
// Run by t/browser/regime.t; prints TAP.

import { config, readPolicy, launch, session, until, sleep } from './lib/browser.mjs';
import { SEL, ready, click, bannerShown, bannerGone, isVisible } from './lib/consent.mjs';
import { ok, is, deepIs, like, note, scenario, done } from './lib/tap.mjs';

const cfg = config();
const policy = readPolicy(cfg.policy);
const base = cfg.fixture;
const outTexts = policy.regimes['opt-out'].texts.en;

let GppModel = null;
try {
    ({ GppModel } = await import('@iabgpp/cmpapi'));
} catch (e) {
    note(`@iabgpp/cmpapi is not installed: ${e.message}`);
}

const browser = await launch();
note(`Chromium ${browser.version()}, fixture at ${base}`);

function marketing(log) {
    return log.trackers.filter((r) => r.host === 'connect.facebook.net');
}

function analytics(log) {
    return log.trackers.filter((r) => r.host === 'www.googletagmanager.com');
}

// a call of the page's own: __gpp(command, callback, parameter)
function gpp(page, command, parameter) {
    return page.evaluate(([c, p]) => new Promise((resolve) => {
        if (typeof window.__gpp !== 'function') {
            resolve({ missing: true });
            return;
        }
        window.__gpp(c, (data, success) => resolve({ data, success }), p);
    }), [command, parameter]);
}

function cookie(page, name) {
    return page.evaluate((n) => {
        const m = document.cookie.split('; ').find((c) => c.startsWith(n + '='));
        return m ? decodeURIComponent(m.slice(n.length + 1)) : null;
    }, name);
}

function iab(string, section) {
    const m = new GppModel(string);
    return m.hasSection(section) ? m.getSection(section) : null;
}

await scenario('opt-out: the notice and the __gpp API', async () => {
    const s = await session(browser, {
        policy, contextOptions: { extraHTTPHeaders: { 'X-Country': 'US-CA' } },
    });
    const { page, log } = s;
    await s.goto(base + '/');
    ok(await ready(page), 'the banner script runs');
    ok((await bannerShown(page, 3000)).visible, 'the notice is visible');
    is((await page.locator(SEL.title).textContent()).trim(), outTexts.title,
        'its title: "Your privacy choices"');
    is((await page.locator(SEL.reject).textContent()).trim(),
        'Do Not Sell or Share My Personal Information',
        'a "Do Not Sell or Share My Personal Information" button');
    ok(!(await isVisible(page, SEL.gpc)), 'no GPC note without GPC');
    await until(() => marketing(log).length > 0, 3000);
    ok(marketing(log).length > 0, 'marketing runs until the visitor opts out');
    ok(analytics(log).length > 0, 'analytics runs too');

    const ping = await gpp(page, 'ping');
    is(ping.success, true, 'ping answers');
    is(ping.data && ping.data.gppVersion, '1.1', 'ping: GPP 1.1');
    is(ping.data && ping.data.cmpStatus, 'loaded', 'ping: loaded');
    is(ping.data && ping.data.signalStatus, 'ready', 'ping: ready');
    is(ping.data && ping.data.cmpDisplayStatus, 'visible', 'ping: the notice is visible');
    deepIs(ping.data && ping.data.applicableSections, [7, 8], 'ping: usnat and usca apply');
    deepIs(ping.data && ping.data.supportedAPIs, ['7:usnat', '8:usca'], 'ping: supported APIs');
    is(ping.data && ping.data.gppString, await cookie(page, '__gpp'),
        'ping: the string is the __gpp cookie');
    is(await cookie(page, '__gpp_sid'), '7,8', '__gpp_sid cookie: 7,8');

    let sec = await gpp(page, 'getSection', 'usnat');
    is(sec.data && sec.data.SaleOptOut, 2, 'getSection(usnat): not opted out of sale');
    is(sec.data && sec.data.SaleOptOutNotice, 1, 'getSection(usnat): notice given');
    is((await gpp(page, 'hasSection', 'usca')).data, true, 'hasSection(usca)');
    is((await gpp(page, 'hasSection', 'tcfeuv2')).data, false, 'hasSection(tcfeuv2): no');
    is((await gpp(page, 'getSection', 'uspv1')).data, null, 'getSection of another: null');
    is((await gpp(page, 'getField', 'usnat.Gpc')).data, false, 'getField(usnat.Gpc): false');
    is((await gpp(page, 'nonsense')).success, false, 'an unknown command: success false');

    if (GppModel) {
        deepIs(iab(await cookie(page, '__gpp'), 'usnat'), sec.data,
            'IAB\'s library reads the cookie as getSection answers');
    }

    // a listener of the page's own hears of the change
    await page.evaluate(() => {
        window.__gppEvents = [];
        window.__gpp('addEventListener', (e) => window.__gppEvents.push(
            { name: e.eventName, data: e.data, id: e.listenerId }));
    });

    await click(page, SEL.reject);
    await bannerGone(page);
    await until(() => page.evaluate(() => window.__gppEvents.some(
        (e) => e.name === 'sectionChange')), 3000);
    const evs = await page.evaluate(() => window.__gppEvents);
    is(evs[0] && evs[0].name, 'listenerRegistered', 'the listener is registered');
    ok(evs.some((e) => e.name === 'sectionChange' && e.data === 'usnat'),
        'a sectionChange event for usnat after opting out', evs);

    sec = await gpp(page, 'getSection', 'usnat');
    is(sec.data && sec.data.SaleOptOut, 1, 'getSection(usnat) after opting out: opted out of sale');
    is(sec.data && sec.data.SharingOptOut, 1, 'and of sharing');
    is(sec.data && sec.data.TargetedAdvertisingOptOut, 1, 'and of targeted advertising');
    is((await gpp(page, 'getSection', 'usca')).data.SaleOptOut, 1, 'usca too');
    const str = (await gpp(page, 'ping')).data.gppString;
    is(str, await cookie(page, '__gpp'), 'the new string is the new __gpp cookie');
    if (GppModel) {
        deepIs(iab(str, 'usnat'), sec.data, 'IAB\'s library reads the new string the same');
    }

    // a frame's way in: the __gppLocator frame and postMessage
    is(await page.evaluate(() => !!window.frames.__gppLocator), true,
        'a frame named __gppLocator');
    const viaMsg = await page.evaluate(() => new Promise((resolve) => {
        // the vendor's script runs in the frame, so the frame is the source
        window.__viaMsg = resolve;
        const frame = document.createElement('iframe');
        frame.srcdoc = '<script>addEventListener("message", function (e) {'
            + ' if (e.data && e.data.__gppReturn) {'
            + ' parent.__viaMsg(e.data.__gppReturn); } });'
            + ' parent.postMessage({__gppCall: {command: "getField",'
            + ' parameter: "usnat.SaleOptOut", callId: "c1",'
            + ' version: "1.1"}}, "*");</' + 'script>';
        document.body.appendChild(frame);
        setTimeout(() => resolve(null), 3000);
    }));
    deepIs(viaMsg, { returnValue: 1, success: true, callId: 'c1' },
        'a frame asks by postMessage and gets its answer');

    const id = evs[0] && evs[0].id;
    const rm = await gpp(page, 'removeEventListener', id);
    is(rm.data && rm.data.data, true, 'removeEventListener: removed');

    s.reset();
    await s.reload();
    await sleep(800);
    is(marketing(log).length, 0, 'after a reload: no marketing request');
    ok(!(await page.locator(SEL.banner).isVisible()), 'the notice stays hidden');
    is((await gpp(page, 'getField', 'usnat.SaleOptOut')).data, 1,
        'getField(usnat.SaleOptOut) after the reload: 1');
    await s.close();
});

await scenario('opt-out with GPC as an HTTP header', async () => {
    const s = await session(browser, {
        policy, contextOptions: {
            extraHTTPHeaders: { 'X-Country': 'US-CA', 'Sec-GPC': '1' },
        },
    });
    const { page, log } = s;
    const r = await s.goto(base + '/');
    is(r.request().headers()['sec-gpc'], '1', 'the browser sends Sec-GPC: 1');
    ok(await ready(page), 'the banner script runs');
    ok((await bannerShown(page, 3000)).visible, 'the notice is visible');
    ok(await until(() => isVisible(page, SEL.gpc), 3000),
        'the page says GPC was honoured');
    is((await page.locator(SEL.gpc).first().textContent()).trim(),
        outTexts.gpc_honoured, 'in the opt-out regime\'s words');
    await until(() => analytics(log).length > 0, 3000);
    await sleep(500);
    ok(analytics(log).length > 0, 'analytics runs');
    is(marketing(log).length, 0, 'marketing does not: opted out without asking');
    const sec = await gpp(page, 'getSection', 'usnat');
    is(sec.data && sec.data.SaleOptOut, 1, 'getSection(usnat): opted out of sale');
    is(sec.data && sec.data.Gpc, true, 'getSection(usnat): Gpc');
    is((await gpp(page, 'getField', 'usca.Gpc')).data, true, 'getField(usca.Gpc)');
    if (GppModel) {
        deepIs(iab(await cookie(page, '__gpp'), 'usca'),
            (await gpp(page, 'getSection', 'usca')).data,
            'IAB\'s library reads usca as getSection answers');
    }
    await s.close();
});

await scenario('notice: informs, gates nothing, one button', async () => {
    const s = await session(browser, {
        policy, contextOptions: { extraHTTPHeaders: { 'X-Country': 'US' } },
    });
    const { page, log } = s;
    await s.goto(base + '/');
    ok(await ready(page), 'the banner script runs');
    ok((await bannerShown(page, 3000)).visible, 'the notice is visible');
    is(await page.locator(SEL.banner).getAttribute('role'), 'region',
        'a region, not a dialog');
    is(await page.locator(SEL.reject).count(), 0, 'nothing to reject');
    await until(() => marketing(log).length > 0, 3000);
    ok(marketing(log).length > 0 && analytics(log).length > 0,
        'every tracker runs');
    await click(page, SEL.accept);
    await bannerGone(page);
    ok(!(await page.locator(SEL.banner).isVisible()), 'OK hides it, without a reload');
    is(log.navigations, 0, 'no navigation');
    deepIs(log.errors, [], 'no script error');
    await s.reload();
    await sleep(300);
    ok(!(await page.locator(SEL.banner).isVisible()), 'and it stays hidden');
    is((await gpp(page, 'ping')).missing, true, 'no __gpp API');
    await s.close();
});

await scenario('opt-in: no __gpp', async () => {
    const s = await session(browser, { policy });
    const { page } = s;
    await s.goto(base + '/');
    ok(await ready(page), 'the banner script runs');
    ok((await bannerShown(page, 3000)).visible, 'the opt-in banner is visible');
    like((await page.locator(SEL.reject).textContent()).trim(),
        new RegExp(policy.texts.en.reject_all), 'with its own "Reject all"');
    is((await gpp(page, 'ping')).missing, true, 'no __gpp API');
    is(await cookie(page, '__gpp'), null, 'no __gpp cookie');
    await s.close();
});

await browser.close();
process.exit(done() ? 1 : 0);

// consent_tcf cmp in Chromium: the page's own script and a nested frame
// of another origin call IAB's __tcfapi; the listener fires at once with
// the TCData the server rendered (cmpuishown: the banner asks), then
// "useractioncomplete" after each choice made with the banner, with the
// purposes and vendors of the TC string the server set; the frame gets
// the same through the __tcfapiLocator frame and postMessage.  Nothing
// leaves the machine.
// Run by t/browser/tcfapi.t; prints TAP.

import { config, readPolicy, launch, session, until } from './lib/browser.mjs';
import { SEL, ready, click, bannerShown, bannerGone } from './lib/consent.mjs';
import { ok, is, deepIs, note, scenario, done } from './lib/tap.mjs';

const cfg = config();
const policy = readPolicy(cfg.policy);
const base = cfg.fixture;

const browser = await launch();
note(`Chromium ${browser.version()}, fixture at ${base}`);

function events(page) {
    return page.evaluate(() => window.__tcf);
}

function trues(o) {
    return Object.keys(o || {}).filter((k) => o[k]).map(Number)
        .sort((a, b) => a - b);
}

function call(page, command, parameter) {
    return page.evaluate(([c, p]) => new Promise((resolve) => {
        window.__tcfapi(c, 2, (data, success) => resolve({ data, success }),
                        p);
    }), [command, parameter]);
}

function frameOf(page) {
    return page.frames().find((f) => f.url().includes('/frame/ad.html'));
}

async function last(page, status, n) {
    await until(async () => (await events(page)).length >= n, 5000);
    const ev = await events(page);
    return ev[ev.length - 1];
}

async function cookie(s, name) {
    const c = (await s.context.cookies()).find((x) => x.name === name);
    return c ? c.value : null;
}

await scenario('before a choice: cmpuishown, nothing consented', async () => {
    const s = await session(browser, { policy });
    const { page, log } = s;
    await s.goto(base + '/tcf.html');
    ok(await ready(page), 'the banner script runs');
    ok((await bannerShown(page, 3000)).visible, 'the banner asks');
    const ev = await events(page);
    is(ev.length, 1, 'addEventListener answered at once');
    is(ev[0].ok, true, 'with success');
    is(ev[0].status, 'cmpuishown', 'eventStatus cmpuishown');
    is(ev[0].tc, '', 'no TC string yet');
    deepIs(trues(ev[0].p), [], 'no purpose consented');
    is(ev[0].id, 0, 'listenerId 0');

    const ping = await call(page, 'ping');
    is(ping.success, true, 'ping answers');
    is(ping.data.cmpId, 300, 'cmpId 300');
    is(ping.data.cmpVersion, 2, 'cmpVersion 2');
    is(ping.data.gvlVersion, 120, 'gvlVersion 120');
    is(ping.data.tcfPolicyVersion, 5, 'tcfPolicyVersion 5');
    is(ping.data.apiVersion, '2.3', 'apiVersion 2.3');
    is(ping.data.displayStatus, 'visible', 'displayStatus visible');
    is(ping.data.cmpStatus, 'loaded', 'cmpStatus loaded');
    const bad = await call(page, 'nosuch');
    is(bad.success, false, 'an unknown command: success false');

    const fr = frameOf(page);
    ok(fr, 'the nested frame is there');
    await until(async () => (await fr.evaluate(() => window.__got.length)) >= 2,
        5000);
    const got = await fr.evaluate(() => ({
        found: window.__found, own: window.__ownApi, got: window.__got,
    }));
    is(got.own, 'undefined', 'the frame has no __tcfapi of its own');
    ok(got.found, 'it finds the __tcfapiLocator frame');
    const fping = got.got.find((r) => r.callId === 'p0');
    ok(fping && fping.success && fping.returnValue.cmpId === 300,
        'ping through postMessage: cmpId 300');
    const fl = got.got.find((r) => r.callId === 'l1');
    ok(fl && fl.success && fl.returnValue.eventStatus === 'cmpuishown',
        'addEventListener through postMessage (a JSON string): cmpuishown');
    is(log.unexpected.length, 0, 'no request leaves the machine');
    await s.close();
});

await scenario('accept: useractioncomplete, every purpose', async () => {
    const s = await session(browser, { policy });
    const { page, log } = s;
    await s.goto(base + '/tcf.html');
    ok(await ready(page), 'the banner script runs');
    // the frame's listener registered before the choice, or it would
    // hear the choice as its first event (a race on a loaded machine)
    await until(async () => {
        const f = frameOf(page);
        try {
            return f && (await f.evaluate(() => window.__got.length)) >= 2;
        } catch (x) {
            return false;   /* the frame still loading */
        }
    }, 15000);
    await click(page, SEL.accept);
    ok(await bannerGone(page), 'the banner closes');
    const e = await last(page, 'useractioncomplete', 2);
    is(e.status, 'useractioncomplete', 'the listener hears useractioncomplete');
    deepIs(trues(e.p), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
        'every purpose consented');
    ok(e.v['755'] && e.v['1'], 'vendors 1 and 755 consented');
    is(e.tc, await cookie(s, 'euconsent-v2'),
        'its tcString is the euconsent-v2 cookie the server set');
    is(e.ac, '2~89~dv.', 'addtlConsent: ATP 89');
    is(e.id, 0, 'to the listener registered first');
    await until(() => log.trackers.some((r) => r.host === 'www.facebook.com'),
        5000);
    const px = log.trackers.find((r) => r.host === 'www.facebook.com');
    ok(px, 'the pixel is released');
    const q = px ? new URL(px.url).searchParams : new URLSearchParams();
    is(q.get('gdpr'), '1', '${GDPR} filled: 1');
    is(q.get('gdpr_consent'), e.tc, '${GDPR_CONSENT_755}: the TC string');
    is(q.get('ac'), '2~89~dv.', '${ADDTL_CONSENT}: the AC string');
    is(q.get('x'), '${OTHER}', 'another ${...} left as it is');

    const fr = frameOf(page);
    await until(async () => (await fr.evaluate(() => window.__got.length)) >= 3,
        15000);
    const fe = (await fr.evaluate(() => window.__got)).filter(
        (r) => r.callId === 'l1');
    const f = fe[fe.length - 1];
    ok(f && f.returnValue.eventStatus === 'useractioncomplete'
       && f.returnValue.purpose.consents['1'] === true,
       'the frame\'s listener hears it too, through postMessage');

    const tcd = await call(page, 'getTCData', [755, 999]);
    deepIs(tcd.data.vendor.consents, { 755: true, 999: false },
        'getTCData for vendors 755 and 999: each of them');

    // a new page view: the server renders the state, tcloaded
    await s.goto(base + '/tcf.html');
    const ev = await events(page);
    is(ev[0].status, 'tcloaded', 'the next page: tcloaded');
    deepIs(trues(ev[0].p), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
        'with every purpose');
    const rm = await call(page, 'removeEventListener', 0);
    is(rm.data, true, 'removeEventListener of listener 0: true');
    const rm2 = await call(page, 'removeEventListener', 0);
    is(rm2.data, false, 'twice: false');
    is(log.unexpected.length, 0, 'no request leaves the machine');
    await s.close();
});

await scenario('reject: useractioncomplete, nothing', async () => {
    const s = await session(browser, { policy });
    const { page, log } = s;
    await s.goto(base + '/tcf.html');
    ok(await ready(page), 'the banner script runs');
    await click(page, SEL.reject);
    ok(await bannerGone(page), 'the banner closes');
    const e = await last(page, 'useractioncomplete', 2);
    is(e.status, 'useractioncomplete', 'useractioncomplete');
    deepIs(trues(e.p), [], 'no purpose consented');
    deepIs(trues(e.v), [], 'no vendor');
    ok(e.tc && e.tc === await cookie(s, 'euconsent-v2'),
        'a TC string all the same, the cookie\'s');
    is(e.ac, '2~~dv.89', 'addtlConsent: ATP 89 disclosed, not consented');
    ok(!log.trackers.some((r) => r.host === 'www.facebook.com'),
        'the pixel stays held back');
    is(log.unexpected.length, 0, 'no request leaves the machine');
    await s.close();
});

await scenario('save with TCF fields: exactly them', async () => {
    const s = await session(browser, { policy });
    const { page, log } = s;
    await s.goto(base + '/tcf.html');
    ok(await ready(page), 'the banner script runs');
    // the fields of the TCF second layer (docs/tcf.md), as its form has them
    await page.evaluate(() => {
        const l2 = document.getElementById('consent-layer2')
                   || document.querySelector('#consent-banner form');
        const add = (name, value, checked) => {
            const i = document.createElement('input');
            i.type = checked === undefined ? 'hidden' : 'checkbox';
            i.name = name;
            i.value = String(value);
            if (checked) {
                i.checked = true;
            }
            l2.appendChild(i);
        };
        add('tcf', 1);
        [1, 8, 9].forEach((p) => add('tcf_purpose', p, true));
        add('tcf_purpose', 2, false);
        add('tcf_vendor', 755, true);
        add('tcf_vendor', 3, false);
    });
    await click(page, SEL.customise);
    await click(page, SEL.save);
    ok(await bannerGone(page), 'the banner closes');
    const e = await last(page, 'useractioncomplete', 2);
    is(e.status, 'useractioncomplete', 'useractioncomplete');
    deepIs(trues(e.p), [1, 8, 9], 'purposes 1, 8, 9');
    deepIs(trues(e.v), [755], 'vendor 755 only');
    const st = await page.evaluate(() => window.consent.get());
    ok(st.granted.includes('analytics') && !st.granted.includes('marketing'),
        'analytics granted by the TCF choice, marketing not');
    is(log.unexpected.length, 0, 'no request leaves the machine');
    await s.close();
});

await browser.close();
done();

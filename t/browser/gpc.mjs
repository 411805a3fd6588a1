// Global Privacy Control: a browser that sends Sec-GPC: 1 and has made no
// choice sees the GPC notice; Save with the defaults leaves marketing
// off; an explicit Accept all still grants it; the audit log
// (consent_log) records "gpc":true for both.
// Run by t/browser/gpc.t; prints TAP.

import { readFileSync, existsSync } from 'node:fs';
import { config, readPolicy, launch, session, runs, until, sleep } from './lib/browser.mjs';
import {
    SEL, FIXTURE_SCRIPTS, hostsOf, ready, get, consentMode, click, bannerShown,
    bannerGone, settleRuns, isVisible,
} from './lib/consent.mjs';
import { ok, is, note, scenario, done } from './lib/tap.mjs';

const cfg = config();
const policy = readPolicy(cfg.policy);
const base = cfg.fixture;
const gpcCats = policy.categories.filter((c) => c.gpc).map((c) => c.id);
const texts = policy.texts[policy.default_language || 'en'];

const browser = await launch();
note(`Chromium ${browser.version()}, fixture at ${base}; GPC categories: ${gpcCats.join(', ')}`);

function records() {
    if (!existsSync(cfg.log)) {
        return [];
    }
    return readFileSync(cfg.log, 'utf8').split('\n').filter((l) => l.trim())
        .map((l) => { try { return JSON.parse(l); } catch { return { bad: l }; } })
        .filter((r) => r.type === 'consent');
}

// the audit record the last choice wrote
async function newRecord(before) {
    await until(() => records().length > before, 3000);
    const all = records();
    return all.length > before ? all[all.length - 1] : null;
}

function gpcSession() {
    return session(browser, { policy, contextOptions: { extraHTTPHeaders: { 'Sec-GPC': '1' } } });
}

function requested(log, hosts) {
    return log.trackers.filter((r) => hosts.includes(r.host));
}

await scenario('GPC: the notice, and Save with the defaults', async () => {
    ok(gpcCats.includes('marketing'), 'the policy marks marketing "gpc": true');
    const s = await gpcSession();
    const { page, log } = s;
    const r = await s.goto(base + '/');
    is(r.request().headers()['sec-gpc'], '1', 'the browser sends Sec-GPC: 1');
    ok(await ready(page), 'the banner script runs');
    ok((await bannerShown(page, 3000)).visible, 'the banner is visible');
    ok(await isVisible(page, SEL.gpc), 'the GPC notice (.consent-gpc) is visible');
    const notice = await page.locator(SEL.gpc).first().textContent().catch(() => '');
    is((notice || '').trim(), texts.gpc_honoured, 'it says the signal was honoured');
    const st = await get(page);
    is(st.gpc, true, 'consent.get().gpc is true');
    const def = (await consentMode(page)).find((e) => e[1] === 'default');
    is(def && def[2] && def[2].ad_storage, 'denied', 'Consent Mode default: ad_storage denied');

    await click(page, SEL.customise);
    await until(() => isVisible(page, SEL.layer2), 3000);
    const boxes = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll(
        '#consent-banner input[name="granted"]')].map((b) => [b.value, b.checked])));
    is(boxes.marketing, false, 'the marketing box is unticked');
    const before = records().length;
    await click(page, SEL.save);
    await bannerGone(page);
    await sleep(800);
    const after = await get(page);
    ok(Array.isArray(after.granted) && !after.granted.includes('marketing'),
        'after Save with the defaults marketing is not granted', after);
    is(requested(log, hostsOf('marketing')).length, 0, 'no marketing request',
        requested(log, hostsOf('marketing')));
    const rec = await newRecord(before);
    ok(rec, 'the choice is in the audit log');
    is(rec && rec.gpc, true, 'the audit record has "gpc":true');
    is(rec && rec.mechanism, 'save', 'the audit record has the mechanism "save"');
    ok(rec && Array.isArray(rec.denied) && rec.denied.includes('marketing'),
        'the audit record denies marketing', rec);
    await s.close();
});

await scenario('GPC: an explicit Accept all', async () => {
    const s = await gpcSession();
    const { page, log } = s;
    await s.goto(base + '/');
    await ready(page);
    await bannerShown(page, 3000);
    const before = records().length;
    await click(page, SEL.accept);
    await settleRuns(page, FIXTURE_SCRIPTS.length);
    const st = await get(page);
    ok(Array.isArray(st.granted) && st.granted.includes('marketing'), 'marketing is granted', st);
    ok(requested(log, hostsOf('marketing')).length > 0, 'the marketing trackers load');
    ok((await runs(page)).includes('connect.facebook.net/en_US/fbevents.js'), 'the marketing script ran');
    const upd = (await consentMode(page)).filter((e) => e[1] === 'update');
    is(upd[0] && upd[0][2] && upd[0][2].ad_storage, 'granted', 'Consent Mode update: ad_storage granted');
    const rec = await newRecord(before);
    ok(rec, 'the choice is in the audit log');
    is(rec && rec.gpc, true, 'the audit record has "gpc":true');
    is(rec && rec.mechanism, 'accept_all', 'the audit record has the mechanism "accept_all"');
    ok(rec && Array.isArray(rec.granted) && rec.granted.includes('marketing'),
        'the audit record grants marketing', rec);

    // the choice holds on the next page, signal or not
    s.reset();
    await s.goto(base + '/page2.html');
    await sleep(800);
    ok(requested(log, ['connect.facebook.net']).length === 1, 'the next page loads the marketing script');
    ok(!(await isVisible(page, SEL.banner)), 'no banner on the next page');
    await s.close();
});

await scenario('without GPC', async () => {
    const s = await session(browser, { policy });
    const { page } = s;
    await s.goto(base + '/');
    await ready(page);
    await bannerShown(page, 3000);
    ok(!(await isVisible(page, SEL.gpc)), 'no GPC notice');
    is((await get(page)).gpc, false, 'consent.get().gpc is false');
    const before = records().length;
    await click(page, SEL.reject);
    await bannerGone(page);
    const rec = await newRecord(before);
    is(rec && rec.gpc, false, 'the audit record has "gpc":false');
    is(rec && rec.mechanism, 'reject_all', 'the audit record has the mechanism "reject_all"');
    await s.close();
});

await browser.close();
process.exit(done() ? 1 : 0);

// The banner under a strict Content-Security-Policy: with
// "default-src 'self'; script-src 'self'; style-src 'self'", and with a
// per-request nonce (consent_csp_nonce) and "script-src 'nonce-N';
// style-src 'nonce-N'". No violation may be reported (the
// securitypolicyviolation event, watched from an init script, and the
// console) while the banner shows, opens its second layer, takes a
// choice and lets the page's own gated script run.
// Run by t/browser/csp.t; prints TAP.

import { config, readPolicy, launch, session, banner, runs, until, sleep } from './lib/browser.mjs';
import { SEL, ready, click, bannerShown, bannerGone, isVisible, get } from './lib/consent.mjs';
import { ok, is, like, note, scenario, done } from './lib/tap.mjs';

const cfg = config();
const policy = readPolicy(cfg.policy);

const browser = await launch();
note(`Chromium ${browser.version()}`);

async function violations(s) {
    const v = await s.page.evaluate(() => (window.__cspViolations || []).slice());
    const c = s.log.console.filter((m) => /Content[- ]Security[- ]Policy|Refused to/i.test(m.text));
    return { events: v, console: c };
}

function none(v) {
    return v.events.length === 0 && v.console.length === 0;
}

async function styled(page) {
    return page.evaluate(() => {
        for (const sheet of document.styleSheets) {
            if (sheet.href && sheet.href.includes('/consent/banner.css')) {
                try {
                    return sheet.cssRules.length;
                } catch (e) {
                    return -1;
                }
            }
        }
        return 0;
    });
}

async function exercise(s, what) {
    const { page } = s;
    ok(await ready(page), `${what}: the banner script runs`);
    ok((await bannerShown(page, 3000)).visible, `${what}: the banner is visible`);
    ok((await styled(page)) > 0, `${what}: the banner stylesheet is applied`);
    let v = await violations(s);
    ok(none(v), `${what}: no violation while the banner shows`, v);

    await click(page, SEL.customise);
    await until(() => isVisible(page, SEL.layer2), 3000);
    ok(await isVisible(page, SEL.layer2), `${what}: Customise opens the second layer`);
    await page.locator(SEL.box('analytics')).check();
    await click(page, SEL.save);
    const b = await bannerGone(page);
    ok(!b.visible, `${what}: Save closes the banner`);
    is(s.log.navigations, 0, `${what}: no navigation`);
    const st = await get(page);
    ok(Array.isArray(st.granted) && st.granted.includes('analytics'), `${what}: analytics is granted`, st);
    await until(async () => (await runs(page)).includes('local:stats'), 3000);
    ok((await runs(page)).includes('local:stats'), `${what}: the page's own analytics script ran`);

    await click(page, SEL.footer);
    ok((await bannerShown(page, 3000)).visible, `${what}: the data-consent-open link reopens the banner`);
    await click(page, SEL.reject);
    await bannerGone(page);
    await sleep(300);
    v = await violations(s);
    ok(none(v), `${what}: no violation after all that`, v);
    is(s.log.errors.length, 0, `${what}: no error in the page`, s.log.errors);
}

await scenario("CSP 'self'", async () => {
    const s = await session(browser, { policy });
    const r = await s.goto(cfg.csp + '/csp.html');
    is(r.headers()['content-security-policy'],
        "default-src 'self'; script-src 'self'; style-src 'self'", 'the page is sent with the strict policy');
    await exercise(s, "CSP 'self'");
    is(s.log.trackers.length, 0, 'no tracker request', s.log.trackers);
    await s.close();
});

await scenario('CSP nonce', async () => {
    ok(cfg.nonce_directive, 'the module knows consent_csp_nonce');
    const s = await session(browser, { policy });
    const r = await s.goto(cfg.nonce + '/csp-nonce.html');
    const csp = r.headers()['content-security-policy'] || '';
    const m = /script-src 'nonce-([^']+)'/.exec(csp);
    ok(m, 'the page is sent with a nonce in its policy', csp);
    const nonce = m ? m[1] : 'none';
    const html = await r.text();
    like(html, new RegExp(`<link rel="stylesheet" href="/consent/banner\\.css\\?v=[^"]+"[^>]* nonce="${nonce}"`),
        'the banner stylesheet carries the nonce');
    like(html, new RegExp(`<script src="/consent/banner\\.js\\?v=[^"]+"[^>]* nonce="${nonce}"`),
        'the banner script carries the nonce');
    ok(await s.page.evaluate(() => Array.isArray(window.__firstParty)),
        "the page's own script runs with the nonce (the fixture works)");
    await exercise(s, 'CSP nonce');

    // a second view gets another nonce, and the banner works there too
    s.reset();
    const r2 = await s.reload();
    const m2 = /script-src 'nonce-([^']+)'/.exec(r2.headers()['content-security-policy'] || '');
    ok(m2 && m2[1] !== nonce, 'the next view has a new nonce');
    ok(await ready(s.page), 'the banner script runs on the next view');
    ok(!(await banner(s.page)).visible, 'no banner after the choice');
    const v = await violations(s);
    ok(none(v), 'no violation on the next view', v);
    await s.close();
});

await browser.close();
process.exit(done() ? 1 : 0);

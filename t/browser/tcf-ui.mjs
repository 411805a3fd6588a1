// The TCF's first and second layer in CMP mode (consent_tcf cmp), in
// Chromium: the first layer's three buttons look the same; axe-core
// finds nothing on the first nor on the second layer; Manage opens the
// second layer inside the banner (fetched from ENDPOINT?layer=2); with
// JavaScript off, Manage leads to the preferences page, whose form
// posts a choice that comes back as a euconsent-v2 IAB's library
// decodes to it; no request leaves 127.0.0.1.
// Run by t/browser/tcf-ui.t; prints TAP.

import { config, readPolicy, launch, session, until, axeSource } from './lib/browser.mjs';
import { ok, is, deepIs, note, scenario, done } from './lib/tap.mjs';
import { decode } from '../lib/tcf.mjs';

const cfg = config();
const policy = readPolicy(cfg.policy);
const AXE = axeSource();
const URL_ = cfg.tcf + '/page.html';

const browser = await launch();
note(`Chromium ${browser.version()}`);

const B = '#consent-banner';
const BUTTONS = [`${B} button[value="accept_all"]`, `${B} button[value="reject_all"]`,
    `${B} [data-consent-customise]`];

async function axe(page, include) {
    await page.addScriptTag({ content: AXE });
    return page.evaluate(async (inc) => {
        const r = await window.axe.run({ include: [inc] }, {
            resultTypes: ['violations'],
            runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
        });
        return r.violations.map((v) => `${v.id} (${v.impact}): ${v.help}: `
            + v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', '));
    }, include);
}

async function looks(page, sel) {
    return page.evaluate((s) => {
        const e = document.querySelector(s);
        if (!e) {
            return null;
        }
        const c = getComputedStyle(e);
        const r = e.getBoundingClientRect();
        return {
            width: Math.round(r.width), height: Math.round(r.height),
            background: c.backgroundColor, color: c.color,
            border: `${c.borderTopWidth} ${c.borderTopStyle} ${c.borderTopColor}`,
            font: `${c.fontWeight} ${c.fontSize} ${c.fontFamily}`, padding: c.padding,
        };
    }, sel);
}

async function cookie(context, name) {
    const c = (await context.cookies(cfg.tcf)).find((x) => x.name === name);
    return c ? c.value : undefined;
}

await scenario('JavaScript on: the first layer, then the second in the banner', async () => {
    const s = await session(browser, { policy });
    const { page } = s;
    await s.goto(URL_);
    await page.waitForSelector(`${B} .consent-tcf-first`, { state: 'visible' });
    const text = await page.textContent(`${B} .consent-tcf-first`);
    ok(/We and our 270 partners/.test(text), 'the first layer says how many vendors');

    const l = [];
    for (const b of BUTTONS) {
        l.push(await looks(page, b));
    }
    ok(l.every((x) => x !== null), 'three buttons');
    deepIs(l[1], l[0], 'Reject all looks as Accept all');
    deepIs(l[2], l[0], 'Manage looks as Accept all');

    let v = await axe(page, B);
    is(v.length, 0, 'axe: the first layer has no violation');
    v.forEach((x) => note(x));

    await page.click(BUTTONS[2]);
    await page.waitForSelector('#consent-layer2 .consent-tcf-second', { state: 'visible' });
    is(await page.locator('#consent-layer2 details.consent-tcf-vendor').count(), 270,
        'Manage: the second layer in the banner, with every vendor');
    is(await page.evaluate(() => document.activeElement
        && document.activeElement.closest('#consent-layer2') !== null), true,
    'the focus moves into it');
    ok(s.log.local.some((r) => /\/consent\/\?layer=2$/.test(r.url)),
        'fetched from ENDPOINT?layer=2');
    is(await page.locator(`${B} form`).count(), 1, 'inside the banner\'s one form');

    v = await axe(page, B);
    is(v.length, 0, 'axe: the second layer has no violation');
    v.forEach((x) => note(x));

    // a choice from the fetched form: purpose 1 and the first vendor
    await page.check('#consent-layer2 input[name="tcf_purpose"][value="1"]');
    const vid = await page.getAttribute('#consent-layer2 input[name="tcf_vendor"]', 'value');
    await page.click(`#consent-layer2 details[data-vendor="${vid}"] > summary`);
    await page.check(`#consent-layer2 input[name="tcf_vendor"][value="${vid}"]`);
    await page.click('#consent-layer2 button[value="save"]');
    await until(async () => !(await page.isVisible(B)));
    is(s.log.navigations, 0, 'saved as JSON, without a reload');
    const tc = await cookie(s.context, 'euconsent-v2');
    ok(tc, 'Save in the banner sets euconsent-v2');
    if (tc) {
        const d = JSON.parse(decode(tc));
        deepIs(d.purposeConsents, [1], 'decoded: purpose 1');
        deepIs(d.vendorConsents, [Number(vid)], `decoded: vendor ${vid}`);
    }
    is(await page.isVisible(B), false, 'the banner is gone after the choice');
    deepIs(s.log.unexpected.map((r) => r.url), [], 'no request leaves 127.0.0.1');
    deepIs(s.log.errors, [], 'no script error');
    await s.close();
});

await scenario('JavaScript off: the preferences page posts the choice', async () => {
    const s = await session(browser, { policy, contextOptions: { javaScriptEnabled: false } });
    const { page } = s;
    await s.goto(URL_);
    ok(await page.isVisible(`${B} .consent-tcf-first`), 'the first layer, without JavaScript');
    await s.expectNavigation(() => page.click(BUTTONS[2]));
    ok(/\/consent\/\?return=/.test(page.url()), 'Manage: the preferences page');
    is(await page.locator('details.consent-tcf-vendor').count(), 270, 'every vendor');

    const v1 = await page.getAttribute('input[name="tcf_vendor"]', 'value');
    const li = await page.getAttribute('input[name="tcf_vendor_li"]', 'value');
    await page.check('input[name="tcf_purpose"][value="1"]');
    await page.check('input[name="tcf_purpose"][value="2"]');
    await page.check('input[name="tcf_purpose"][value="7"]');
    await page.uncheck('input[name="tcf_purpose_li"][value="2"]');
    await page.check('input[name="tcf_special_feature"][value="1"]');
    await page.click(`details[data-vendor="${v1}"] > summary`);
    await page.check(`input[name="tcf_vendor"][value="${v1}"]`);
    if (li !== v1) {
        await page.click(`details[data-vendor="${li}"] > summary`);
    }
    await page.uncheck(`input[name="tcf_vendor_li"][value="${li}"]`);
    const lis = await page.$$eval('input[name="tcf_purpose_li"]:checked', (a) => a.map((x) => Number(x.value)));
    const vlis = await page.$$eval('input[name="tcf_vendor_li"]:checked', (a) => a.map((x) => Number(x.value)));
    await s.expectNavigation(() => page.click('button[value="save"]'));
    is(new URL(page.url()).pathname, '/page.html', 'back on the page');
    const tc = await cookie(s.context, 'euconsent-v2');
    ok(tc, 'euconsent-v2 set');
    if (tc) {
        const d = JSON.parse(decode(tc));
        deepIs(d.purposeConsents, [1, 2, 7], 'decoded by IAB\'s library: purposes 1, 2, 7');
        deepIs(d.purposeLegitimateInterests, lis.filter((p) => ![1, 3, 4, 5, 6].includes(p)),
            'the legitimate interests kept, not purpose 2');
        deepIs(d.specialFeatureOptins, [1], 'special feature 1');
        deepIs(d.vendorConsents, [Number(v1)], `vendor ${v1}`);
        ok(!d.vendorLegitimateInterests.includes(Number(li)), `vendor ${li}: objected`);
        is(d.vendorLegitimateInterests.length, vlis.length, 'the other vendors\' LI kept');
        is(d.cmpId, 300, 'CMP id 300');
    }
    deepIs(s.log.unexpected.map((r) => r.url), [], 'no request leaves 127.0.0.1');
    await s.close();
});

await browser.close();
process.exit(done() ? 1 : 0);

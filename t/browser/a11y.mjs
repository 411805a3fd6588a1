// Accessibility and layout of the banner: axe-core on the first and the
// second layer in light and dark colour schemes; the keyboard (Tab order,
// focus back where it was after a choice); the three first-layer buttons
// look the same; no layout shift on load or when the banner hides; at
// 320 px wide every button is visible and inside the viewport.
// Run by t/browser/a11y.t; prints TAP.

import { config, readPolicy, launch, session, banner, sleep, until, axeSource } from './lib/browser.mjs';
import { SEL, ready, click, bannerShown, bannerGone, isVisible } from './lib/consent.mjs';
import { ok, is, deepIs, note, scenario, done } from './lib/tap.mjs';

const cfg = config();
const policy = readPolicy(cfg.policy);
const AXE = axeSource();

const browser = await launch();
note(`Chromium ${browser.version()}`);

const BUTTONS = [SEL.accept, SEL.reject, SEL.customise];

async function axe(page, include) {
    await page.addScriptTag({ content: AXE });
    return page.evaluate(async (inc) => {
        const r = await window.axe.run({ include: [inc] }, {
            resultTypes: ['violations'],
            runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
        });
        return r.violations.map((v) => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
        }));
    }, include);
}

function summary(violations) {
    return violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n`
        + v.nodes.map((n) => `    ${n.target}: ${(n.summary || '').replace(/\n/g, ' ')}`).join('\n')).join('\n');
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
            width: Math.round(r.width * 10) / 10, height: Math.round(r.height * 10) / 10,
            background: c.backgroundColor, backgroundImage: c.backgroundImage, color: c.color,
            border: `${c.borderTopWidth} ${c.borderTopStyle} ${c.borderTopColor}`
                + ` / ${c.borderBottomWidth} ${c.borderBottomStyle} ${c.borderBottomColor}`,
            radius: c.borderRadius, font: `${c.fontWeight} ${c.fontSize} ${c.fontFamily}`,
            padding: c.padding, textDecoration: c.textDecorationLine,
        };
    }, sel);
}

for (const scheme of ['light', 'dark']) {
    for (const [site, url] of [['fixture', cfg.fixture + '/'], ['demo', cfg.demo + '/']]) {
        await scenario(`axe, ${scheme}, ${site}`, async () => {
            const s = await session(browser, { policy, contextOptions: { colorScheme: scheme } });
            const { page } = s;
            await s.goto(url);
            ok(await ready(page), 'the banner script runs');
            ok((await bannerShown(page, 3000)).visible, 'the banner is visible');
            let v = await axe(page, SEL.banner);
            is(v.length, 0, 'axe: no violation on the first layer', summary(v));
            await click(page, SEL.customise);
            await until(() => isVisible(page, SEL.layer2), 3000);
            ok(await isVisible(page, SEL.layer2), 'the second layer is shown');
            v = await axe(page, SEL.banner);
            is(v.length, 0, 'axe: no violation on the second layer', summary(v));

            {
                // the demo's own stylesheet must not reach into the buttons either
                await s.reload();
                await ready(page);
                await bannerShown(page, 3000);
                const l = [];
                for (const b of BUTTONS) {
                    l.push(await looks(page, b));
                }
                ok(l.every((x) => x), 'the three first-layer buttons are there', l);
                if (l.every((x) => x)) {
                    for (const k of Object.keys(l[0])) {
                        deepIs([l[1][k], l[2][k]], [l[0][k], l[0][k]],
                            `the three buttons have the same ${k}`);
                    }
                }
            }
            await s.close();
        });
    }
}

await scenario('keyboard', async () => {
    const s = await session(browser, { policy });
    const { page } = s;
    await s.goto(cfg.fixture + '/');
    await ready(page);
    await bannerShown(page, 3000);
    await until(async () => (await banner(page)).focusInside, 3000);
    ok((await banner(page)).focusInside, 'focus starts inside the banner');
    // the banner's tabbable controls, in document order
    const controls = await page.evaluate(() => {
        const b = document.getElementById('consent-banner');
        const all = [...b.querySelectorAll('a[href], button, input, select, textarea, [tabindex]')];
        b.__controls = all.filter((e) => !e.disabled && e.type !== 'hidden'
            && e.tabIndex >= 0 && e.checkVisibility());
        return b.__controls.map((e) => e.outerHTML.slice(0, 80));
    });
    note(`tabbable in the banner: ${controls.length}`);
    const where = () => page.evaluate(() => {
        const b = document.getElementById('consent-banner');
        return b.__controls.indexOf(document.activeElement);
    });
    const start = await where();
    const seen = [];
    for (let i = 0; i < controls.length; i++) {
        await page.keyboard.press('Tab');
        seen.push(await where());
    }
    const want = [];
    for (let i = start + 1; i < controls.length; i++) {
        want.push(i);
    }
    deepIs(seen.slice(0, want.length), want, 'Tab moves through the banner\'s controls in order', controls);
    for (const sel of BUTTONS) {
        const idx = await page.evaluate((x) => {
            const b = document.getElementById('consent-banner');
            return b.__controls.indexOf(document.querySelector(x));
        }, sel);
        ok(idx >= 0 && (idx === start || seen.includes(idx)), `${sel} is reached with Tab`,
            { index: idx, start, seen });
    }
    // Shift+Tab goes back
    await page.locator(SEL.reject).focus();
    await page.keyboard.press('Shift+Tab');
    const back = await page.evaluate(() => {
        const b = document.getElementById('consent-banner');
        return b.__controls.indexOf(document.activeElement);
    });
    const rejectIdx = await page.evaluate((x) => document.getElementById('consent-banner')
        .__controls.indexOf(document.querySelector(x)), SEL.reject);
    is(back, rejectIdx - 1, 'Shift+Tab moves back');

    // a visitor who has not chosen must choose: Escape is no choice
    await page.keyboard.press('Escape');
    await sleep(300);
    ok((await banner(page)).visible, 'Escape does not close the banner before a choice');

    // Customise with the keyboard: the focus goes to the first optional box
    const firstOptional = policy.categories.find((c) => !c.required).id;
    await page.locator(SEL.customise).focus();
    await page.keyboard.press('Enter');
    await until(() => isVisible(page, SEL.layer2), 3000);
    ok(await isVisible(page, SEL.layer2), 'Enter on Customise opens the second layer');
    is(s.log.navigations, 0, 'in place');
    await until(() => page.evaluate(() => document.activeElement.name === 'granted'), 2000);
    is(await page.evaluate(() => document.activeElement.value), firstOptional,
        `focus moves to the first optional box (${firstOptional})`);
    await page.keyboard.press('Space');
    is(await page.locator(SEL.box(firstOptional)).isChecked(), true, 'Space ticks it');
    await page.keyboard.press('Space');

    // a choice with the keyboard; focus goes back to where it was
    await page.locator(SEL.reject).focus();
    await page.keyboard.press('Enter');
    ok(!(await bannerGone(page)).visible, 'Enter on Reject all closes the banner');
    const lost = await page.evaluate(() => {
        const b = document.getElementById('consent-banner');
        return b.contains(document.activeElement);
    });
    ok(!lost, 'focus is not left in the hidden banner');

    // reopened from a link: focus comes back to the link
    await page.locator(SEL.footer).focus();
    await page.keyboard.press('Enter');
    await bannerShown(page, 3000);
    await until(async () => (await banner(page)).focusInside, 2000);
    ok((await banner(page)).focusInside, 'the link opens the banner and focus moves into it');
    is(s.log.navigations, 0, 'no navigation');
    await page.locator(SEL.reject).focus();
    await page.keyboard.press('Enter');
    await bannerGone(page);
    is(await page.evaluate(() => document.activeElement && document.activeElement.id), 'footer-prefs',
        'after the choice focus is back on the link');
    await s.close();
});

function cls(shifts) {
    return shifts.filter((x) => !x.recent).reduce((a, x) => a + x.value, 0);
}

await scenario('layout shift', async () => {
    for (const [site, url] of [['fixture', cfg.fixture + '/'], ['demo', cfg.demo + '/']]) {
        const s = await session(browser, { policy });
        const { page } = s;
        await s.goto(url);
        await ready(page);
        await bannerShown(page, 3000);
        await sleep(1000);
        let shifts = await page.evaluate(() => window.__layoutShifts.slice());
        ok(cls(shifts) === 0, `${site}: cumulative layout shift 0 on load`, { cls: cls(shifts), shifts });
        const before = shifts.length;
        // a click from a script is no user input: a shift would count
        await page.evaluate((sel) => document.querySelector(sel).click(), SEL.reject);
        await bannerGone(page);
        await sleep(1000);
        shifts = await page.evaluate(() => window.__layoutShifts.slice());
        const later = shifts.slice(before);
        ok(cls(later) === 0, `${site}: no layout shift when the banner hides`, { cls: cls(later), shifts: later });
        await s.close();
    }
});

await scenario('320 px wide', async () => {
    for (const scheme of ['light', 'dark']) {
        const s = await session(browser, {
            policy, contextOptions: { viewport: { width: 320, height: 640 }, colorScheme: scheme, isMobile: true, hasTouch: true },
        });
        const { page } = s;
        await s.goto(cfg.fixture + '/');
        await ready(page);
        ok((await bannerShown(page, 3000)).visible, `${scheme}: the banner is visible`);
        for (const sel of BUTTONS) {
            const box = await page.locator(sel).first().boundingBox();
            ok(box && box.width > 0 && box.height > 0, `${scheme}: ${sel} is visible`, box);
            ok(box && box.x >= 0 && box.y >= 0 && box.x + box.width <= 320 && box.y + box.height <= 640,
                `${scheme}: ${sel} is inside the 320x640 viewport`, box);
            const onTop = await page.evaluate((x) => {
                const e = document.querySelector(x);
                const r = e.getBoundingClientRect();
                const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
                return !!hit && (hit === e || e.contains(hit));
            }, sel);
            ok(onTop, `${scheme}: ${sel} is not covered`);
        }
        const overflow = await page.evaluate(() => {
            const b = document.getElementById('consent-banner');
            return { scroll: b.scrollWidth, client: b.clientWidth };
        });
        ok(overflow.scroll <= overflow.client, `${scheme}: the banner does not overflow sideways`, overflow);
        await s.close();
    }
});

await browser.close();
process.exit(done() ? 1 : 0);

// The banner's language: chosen from Accept-Language among the policy's
// texts; its lang and dir attributes; right to left for Arabic and
// Hebrew. t/browser/i18n.t adds Arabic and Hebrew texts to its copy of
// the policy when conf/policy.json has none yet.
// Run by t/browser/i18n.t; prints TAP.

import { config, readPolicy, launch, session, banner, until } from './lib/browser.mjs';
import { SEL, ready, bannerShown, click, isVisible } from './lib/consent.mjs';
import { ok, is, note, scenario, done } from './lib/tap.mjs';

const cfg = config();
const policy = readPolicy(cfg.policy);
const en = policy.texts[policy.default_language || 'en'];

const browser = await launch();
note(`Chromium ${browser.version()}; policy languages: ${Object.keys(policy.texts).join(' ')}`);

async function text(page, sel) {
    const t = await page.locator(sel).first().textContent({ timeout: 2000 }).catch(() => null);
    return t === null ? null : t.replace(/\s+/g, ' ').trim();
}

const CASES = [
    { header: 'en-GB,en;q=0.9', lang: 'en', dir: 'ltr' },
    { header: 'es', lang: 'es', dir: 'ltr' },
    { header: 'es-MX,es;q=0.9,en;q=0.5', lang: 'es', dir: 'ltr' },
    { header: 'ar', lang: 'ar', dir: 'rtl' },
    { header: 'he-IL,he;q=0.9', lang: 'he', dir: 'rtl' },
];

for (const c of CASES) {
    await scenario(`Accept-Language: ${c.header}`, async () => {
        const t = policy.texts[c.lang];
        ok(t, `the policy has ${c.lang} texts`);
        const s = await session(browser, {
            policy,
            contextOptions: { locale: c.header.split(/[,;]/)[0], extraHTTPHeaders: { 'Accept-Language': c.header } },
        });
        const { page } = s;
        await s.goto(cfg.fixture + '/');
        const b = await banner(page);
        is(b.lang, c.lang, `the banner has lang="${c.lang}"`);
        is(b.dir, c.dir, `the banner has dir="${c.dir}"`);
        const dir = await page.evaluate(() => {
            const e = document.getElementById('consent-banner');
            return e ? getComputedStyle(e).direction : null;
        });
        is(dir, c.dir, `the banner is laid out ${c.dir}`);
        if (t) {
            is(await text(page, SEL.title), t.title, 'the title is in that language');
            is(await text(page, SEL.accept), t.accept_all || en.accept_all, 'Accept all is in that language');
            is(await text(page, SEL.reject), t.reject_all || en.reject_all, 'Reject all is in that language');
            is(await text(page, SEL.customise), t.customise || en.customise, 'Customise is in that language');
            if (c.lang !== 'en') {
                const title = await text(page, SEL.title);
                ok(title && title !== en.title, 'the title is not the English one', title);
            }
        }
        ok(await ready(page), 'the banner script runs');
        ok((await bannerShown(page, 3000)).visible, 'the banner is visible');
        // the second layer in the same language
        await click(page, SEL.customise);
        await until(() => isVisible(page, SEL.layer2), 3000);
        if (t && t.save) {
            is(await text(page, SEL.save), t.save, 'Save is in that language');
        }
        if (c.dir === 'rtl') {
            // right to left: the title starts at the right edge of the banner
            const pos = await page.evaluate(() => {
                const b = document.getElementById('consent-banner').getBoundingClientRect();
                const h = document.getElementById('consent-title');
                const r = document.createRange();
                r.selectNodeContents(h);
                const tr = r.getBoundingClientRect();
                return { bannerRight: b.right, bannerLeft: b.left, textRight: tr.right, textLeft: tr.left };
            });
            ok(pos.bannerRight - pos.textRight < pos.textLeft - pos.bannerLeft,
                'the title is set against the right edge', pos);
        }
        await s.close();
    });
}

await browser.close();
process.exit(done() ? 1 : 0);

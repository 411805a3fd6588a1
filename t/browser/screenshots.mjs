// make screenshots: the banner's first and second layer on the demo page,
// in the light and the dark colour scheme, at a desktop size, into
// docs/img/ (banner-light.png, banner-dark.png, layer2-light.png,
// layer2-dark.png). Run by t/browser/screenshots.pl; prints TAP.

import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { config, readPolicy, launch, session, sleep, until } from './lib/browser.mjs';
import { SEL, ready, click, bannerShown, isVisible } from './lib/consent.mjs';
import { ok, note, scenario, done } from './lib/tap.mjs';

const cfg = config();
const policy = readPolicy(cfg.policy);
const dir = cfg.outdir;
mkdirSync(dir, { recursive: true });

const browser = await launch();
note(`Chromium ${browser.version()}, demo at ${cfg.demo}, into ${dir}`);

async function shot(page, name) {
    await page.evaluate(() => document.fonts.ready);
    await sleep(300);
    const path = join(dir, name);
    await page.screenshot({ path, animations: 'disabled', caret: 'hide' });
    ok(statSync(path).size > 1000, `wrote ${path}`);
}

for (const scheme of ['light', 'dark']) {
    await scenario(scheme, async () => {
        const s = await session(browser, {
            policy, contextOptions: { colorScheme: scheme, viewport: { width: 1280, height: 800 } },
        });
        const { page } = s;
        await s.goto(cfg.demo + '/');
        // no picture of a page whose banner does not work
        if (!ok(await ready(page), 'the banner script runs')
            || !ok((await bannerShown(page, 3000)).visible, 'the banner is visible')) {
            return;
        }
        await shot(page, `banner-${scheme}.png`);
        await click(page, SEL.customise);
        await until(() => isVisible(page, SEL.layer2), 3000);
        if (ok(await isVisible(page, SEL.layer2), 'the second layer is visible')) {
            await shot(page, `layer2-${scheme}.png`);
        }
        await s.close();
    });
}

await browser.close();
process.exit(done() ? 1 : 0);

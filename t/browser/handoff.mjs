// One choice across a site's domains: a.example and b.example (both
// 127.0.0.1 through --host-resolver-rules) share a choice. Accept all on
// a.example sends the browser through b.example's endpoint (a top-level
// redirect, so b.example's cookie is first-party) and back; b.example
// then shows no banner and has the same consent id. With JavaScript off
// the form's 303 does the same. No request goes through Playwright's
// routing, so redirects and cookies are Chromium's own.
// Run by t/browser/handoff.t; prints TAP.

import { readFileSync, existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { config, ARGS, CHROMIUM, until, banner } from './lib/browser.mjs';
import { SEL, ready, get, bannerShown } from './lib/consent.mjs';
import { ok, is, like, note, scenario, done } from './lib/tap.mjs';

const cfg = config();
const A = `http://a.example:${cfg.port}`;
const B = `http://b.example:${cfg.port}`;
const C = `http://c.example:${cfg.port}`;

const args = ARGS.map((x) => (x.startsWith('--host-resolver-rules=')
    ? '--host-resolver-rules=MAP a.example 127.0.0.1, MAP b.example 127.0.0.1, '
        + 'MAP c.example 127.0.0.1, '
        + 'MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost'
    : x));

const browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true, args, env: { ...process.env, TZ: 'UTC' },
});
note(`Chromium ${browser.version()}, a.example and b.example on port ${cfg.port}`);

function records(path) {
    if (!existsSync(path)) {
        return [];
    }
    return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim())
        .map((l) => JSON.parse(l)).filter((r) => r.type === 'consent');
}

function idOf(value) {
    return value ? value.split('.')[5] : undefined;
}

async function cookieOf(context, url) {
    return (await context.cookies(url)).find((x) => x.name === 'consent');
}

async function visitor(opts = {}) {
    const context = await browser.newContext({ locale: 'en-US', ...opts });
    context.setDefaultTimeout(10000);
    const seen = [];
    context.on('request', (r) => {
        seen.push({ url: r.url(), headers: r.headers(), type: r.resourceType() });
    });
    const page = await context.newPage();
    return { context, page, seen };
}

async function check(context, page, seen, bBefore, label) {
    const hop = seen.find((r) => r.url.startsWith(B + '/consent/?handoff='));
    ok(hop, `${label}: the browser went through b.example's endpoint`);
    is(hop && hop.type, 'document', `${label}: as a top-level navigation`);
    is(hop && hop.headers.referer, A + '/', `${label}: with a.example's origin as Referer`);
    is(new URL(page.url()).host, `a.example:${cfg.port}`, `${label}: and came back to a.example`);
    const hop2 = seen.find((r) => r.url.startsWith(C + '/consent/?handoff='));
    ok(hop2, `${label}: then through c.example's, the second hop`);
    is(hop2 && hop2.headers.referer, A + '/',
        `${label}: still with a.example's origin as Referer after b.example's 303`);
    const cc = await cookieOf(context, C);

    const ca = await cookieOf(context, A);
    const cb = await cookieOf(context, B);
    ok(ca, `${label}: a.example has its cookie`);
    ok(cb, `${label}: b.example has its own cookie`);
    is(cb && cb.domain, 'b.example', `${label}: a host-only cookie of b.example`);
    is(cb && cb.sameSite, 'Lax', `${label}: SameSite=Lax (first-party, no SameSite=None)`);
    is(idOf(cb && cb.value), idOf(ca && ca.value), `${label}: the same consent id`);
    is(idOf(cc && cc.value), idOf(ca && ca.value), `${label}: c.example too`);
    is(cb && cb.value.split('.')[4], ca && ca.value.split('.')[4],
        `${label}: the same categories`);

    const rec = await until(() => {
        const all = records(cfg.b_log);
        return all.length > bBefore && all[all.length - 1];
    }, 3000);
    ok(rec, `${label}: b.example's audit log has a record`);
    is(rec && rec.mechanism, 'handoff', `${label}: of the hand-off`);
    is(rec && rec.handoff, 'a.example', `${label}: from a.example`);
    is(rec && rec.id, idOf(ca && ca.value), `${label}: under the same consent id`);
    const crec = records(cfg.c_log).filter((x) => x.id === idOf(ca && ca.value));
    is(crec.length, 1, `${label}: c.example's log records it once, same id`);

    // then the visitor goes to b.example
    await page.goto(B + '/', { waitUntil: 'load' });
    const bn = await banner(page);
    ok(bn.present && !bn.visible, `${label}: b.example shows no banner`, bn);
    const st = await page.evaluate(async () => (await fetch('/consent/',
        { headers: { Accept: 'application/json' } })).json()).catch(() => null);
    if (st) {
        is(st.state, 'valid', `${label}: b.example's endpoint says valid`);
        is(st.id, idOf(ca && ca.value), `${label}: with a.example's consent id`);
    } else {
        // JavaScript off: ask the endpoint from node with the browser's cookie
        const r = await fetch(B.replace('b.example', '127.0.0.1') + '/consent/', {
            headers: { Host: `b.example:${cfg.port}`, Cookie: `consent=${cb && cb.value}` },
        });
        const j = await r.json();
        is(j.state, 'valid', `${label}: b.example's endpoint says valid`);
        is(j.id, idOf(ca && ca.value), `${label}: with a.example's consent id`);
    }
}

await scenario('Accept all on a.example, then b.example', async () => {
    const { context, page, seen } = await visitor();
    await page.goto(A + '/', { waitUntil: 'load' });
    ok(await ready(page), 'the banner script runs');
    // the banner fades in: wait for it as the other browser tests do
    const shown = await bannerShown(page);
    ok(shown.visible, 'a.example shows the banner');
    const list = await page.locator('#consent-banner .consent-domains').textContent();
    like(list || '', /a\.example, b\.example, c\.example/, 'the banner lists the domains the choice covers');

    const before = records(cfg.b_log).length;
    await Promise.all([
        page.waitForNavigation({ waitUntil: 'load' }),
        page.click(SEL.accept),
    ]);
    await check(context, page, seen, before, 'JavaScript');
    const g = await get(page);
    ok(g && g.state === 'valid', 'window.consent on b.example says valid');
    await context.close();
});

await scenario('JavaScript off: the form on a.example, then b.example', async () => {
    const { context, page, seen } = await visitor({ javaScriptEnabled: false });
    await page.goto(A + '/', { waitUntil: 'load' });
    const before = records(cfg.b_log).length;
    await Promise.all([
        page.waitForNavigation({ waitUntil: 'load' }),
        page.click(SEL.accept),
    ]);
    await check(context, page, seen, before, 'no JavaScript');
    await context.close();
});

await scenario('A page with Referrer-Policy: no-referrer', async () => {
    const { context, page, seen } = await visitor();
    const r = await page.goto(A + '/strict.html', { waitUntil: 'load' });
    is(r.headers()['referrer-policy'], 'no-referrer', 'the page sends no Referer by its own policy');
    await Promise.all([
        page.waitForNavigation({ waitUntil: 'load' }),
        page.click(SEL.accept),
    ]);
    const hop = seen.find((x) => x.url.startsWith(B + '/consent/?handoff='));
    is(hop && hop.headers.referer, A + '/', 'the banner\'s navigation still sends the origin');
    is(new URL(page.url()).pathname, '/strict.html', 'back on the page');
    const ca = await cookieOf(context, A);
    const cb = await cookieOf(context, B);
    is(idOf(cb && cb.value), idOf(ca && ca.value), 'b.example has the same consent id');
    await context.close();
});

await scenario('The limit: JavaScript off on a no-referrer page', async () => {
    const { context, page, seen } = await visitor({ javaScriptEnabled: false });
    const statuses = [];
    context.on('response', (r) => {
        if (r.url().startsWith(A + '/consent/') && r.request().method() === 'POST') {
            statuses.push(r.status());
        }
    });
    await page.goto(A + '/strict.html', { waitUntil: 'load' });
    await Promise.all([
        page.waitForNavigation({ waitUntil: 'load' }),
        page.click(SEL.accept),
    ]);
    const post = seen.find((x) => x.url.startsWith(A + '/consent/') && x.type === 'document');
    note(`the form's POST: Origin ${post && post.headers.origin}, `
        + `Sec-Fetch-Site ${post && post.headers['sec-fetch-site']}, status ${statuses[0]}`);
    ok(!seen.find((x) => x.url.startsWith(B + '/consent/?handoff=')),
        'no hand-off: the choice does not reach b.example (docs/domains.md, Limits)');
    ok(!(await cookieOf(context, B)), 'b.example has no cookie');
    await context.close();
});

await scenario('The hand-off link opened again, in another browser', async () => {
    const { context, page, seen } = await visitor();
    await page.goto(A + '/', { waitUntil: 'load' });
    await Promise.all([
        page.waitForNavigation({ waitUntil: 'load' }),
        page.click(SEL.accept),
    ]);
    const hop = seen.find((r) => r.url.startsWith(B + '/consent/?handoff='));
    ok(hop, 'the choice went through a hand-off URL');
    // someone else opens the link directly (it is used already, and
    // without a Referer from a.example it is refused before that)
    const other = await visitor();
    const statuses = [];
    other.context.on('response', (r) => {
        if (r.url().startsWith(B + '/consent/?handoff=')) {
            statuses.push(r.status());
        }
    });
    await other.page.goto(hop ? hop.url : B + '/consent/?handoff=x',
        { waitUntil: 'load' }).catch(() => null);
    await until(() => new URL(other.page.url()).host === `a.example:${cfg.port}`,
        5000);
    is(statuses[0], 403, 'refused: not a navigation from a.example (403)');
    ok(!(await cookieOf(other.context, B)), 'and b.example sets no cookie');
    is(new URL(other.page.url()).host, `a.example:${cfg.port}`,
        'the refusal page sends the browser on, back to a.example');
    await other.context.close();
    await context.close();
});

await scenario('Why a redirect: a cross-site image sets no cookie', async () => {
    const { context, page } = await visitor();
    const [img] = await Promise.all([
        page.waitForEvent('response', (r) => r.url().startsWith(B + '/pixel')),
        page.goto(A + '/pixel.html', { waitUntil: 'load' }),
    ]);
    const set = (await img.headersArray()).filter((h) => /^set-cookie$/i.test(h.name));
    is(set.length, 4, 'b.example\'s pixel answers four Set-Cookie headers');
    const names = (await context.cookies(B)).map((c) => c.name);
    is(names.join(','), '', 'Chromium stores none of them (Lax, default, None, None; Secure)');
    await context.close();
});

await browser.close();
done();

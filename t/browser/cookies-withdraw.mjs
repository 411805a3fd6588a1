// Withdrawal in Chromium (docs/cookies.md, "Deleting"). The fixture site
// is reached as www.example.test (a resolver rule maps *.example.test to
// 127.0.0.1; nothing else resolves). A visitor accepts everything; a
// script sets _ga for the parent domain, and an HttpOnly _fbp sits on
// the parent domain as a server-side tag would leave it: neither can be
// deleted by the page's scripts. The visitor withdraws; after the
// endpoint's answer and one page view the browser holds neither.
// Run by t/browser/cookies-withdraw.t; prints TAP.

import { existsSync, readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import {
    config, readPolicy, trackerHosts, ARGS, CHROMIUM, INIT, until, sleep,
} from './lib/browser.mjs';
import { SEL, ready, click, bannerShown, bannerGone } from './lib/consent.mjs';
import { ok, is, note, scenario, done } from './lib/tap.mjs';

const cfg = config();
const policy = readPolicy(cfg.policy);
const port = new URL(cfg.fixture).port;
const base = `http://www.example.test:${port}`;
const hosts = trackerHosts(policy);

const args = ARGS.map((a) => (a.startsWith('--host-resolver-rules=')
    ? '--host-resolver-rules=MAP *.example.test 127.0.0.1, MAP * ~NOTFOUND, '
        + 'EXCLUDE 127.0.0.1, EXCLUDE localhost'
    : a));

const browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true, args, env: { ...process.env, TZ: 'UTC' },
});
note(`Chromium ${browser.version()}, the fixture as ${base}`);

function hostIn(host, list) {
    return list.some((h) => host === h || host.endsWith('.' + h));
}

// requests stay on 127.0.0.1: the site goes through, trackers get a
// stub, anything else is aborted; the Set-Cookie headers of the site's
// answers are kept, to show which answer did the work
async function visitor() {
    const context = await browser.newContext({ locale: 'en-US', timezoneId: 'UTC' });
    context.setDefaultTimeout(10000);
    const log = { setCookies: [] };
    await context.route('**/*', async (route) => {
        const request = route.request();
        const url = new URL(request.url());
        if (url.protocol === 'data:' || url.protocol === 'blob:') {
            return route.continue();
        }
        if (url.hostname === 'www.example.test') {
            return route.continue();
        }
        if (hostIn(url.hostname, hosts)) {
            return route.fulfill(request.resourceType() === 'script'
                ? { status: 200, contentType: 'text/javascript', body: '' }
                : { status: 204, body: '' });
        }
        return route.abort('blockedbyclient');
    });
    const page = await context.newPage();
    page.on('response', async (r) => {
        if (new URL(r.url()).hostname !== 'www.example.test') {
            return;
        }
        for (const h of await r.headersArray()) {
            if (h.name.toLowerCase() === 'set-cookie') {
                log.setCookies.push({ url: r.url(), method: r.request().method(),
                    value: h.value });
            }
        }
    });
    await context.addInitScript(INIT);
    return { context, page, log };
}

function records() {
    if (!existsSync(cfg.log)) {
        return [];
    }
    return readFileSync(cfg.log, 'utf8').split('\n').filter((l) => l.trim())
        .map((l) => { try { return JSON.parse(l); } catch { return {}; } })
        .filter((r) => r.type === 'consent');
}

async function jar(s) {
    return (await s.context.cookies(base + '/'))
        .filter((c) => c.name !== 'consent')
        .map((c) => `${c.name}@${c.domain}${c.httpOnly ? ' HttpOnly' : ''}`)
        .sort();
}

async function documentCookie(s) {
    return s.page.evaluate(() => document.cookie);
}

// what the trackers leave behind after an accept
async function track(s) {
    await s.page.evaluate(() => {
        document.cookie = '_ga=GA1.1.123.456; path=/; domain=example.test; '
            + 'max-age=63072000';
        document.cookie = '_ga_ABC123=GS1.1.1; path=/; max-age=63072000';
    });
    await s.context.addCookies([{
        name: '_fbp', value: 'fb.1.1700000000000.42', domain: '.example.test',
        path: '/', httpOnly: true, secure: false, sameSite: 'Lax',
        expires: Math.floor(Date.now() / 1000) + 7776000,
    }]);
}

async function accept(s) {
    await s.page.goto(base + '/', { waitUntil: 'load' });
    ok(await ready(s.page), 'the banner script runs');
    ok((await bannerShown(s.page, 3000)).visible, 'first visit: the banner asks');
    const before = records().length;
    await click(s.page, SEL.accept);
    await bannerGone(s.page);
    ok(await until(() => records().length > before, 3000), 'accept all recorded');
    await track(s);

    is((await jar(s)).join(' '),
        '_fbp@.example.test HttpOnly _ga@.example.test _ga_ABC123@www.example.test',
        'the jar holds _ga (parent domain), _ga_ABC123 and an HttpOnly _fbp (parent domain)');
    const dc = await documentCookie(s);
    ok(/(^|; )_ga=/.test(dc) && !/_fbp/.test(dc),
        'document.cookie shows _ga, not the HttpOnly _fbp', `     ${dc}`);
    const denied = await s.page.evaluate(() => {
        document.cookie = '_fbp=; max-age=0; path=/; domain=example.test';
        return document.cookie;
    });
    ok(!/_fbp/.test(denied), 'a script cannot see _fbp');
    ok((await jar(s)).includes('_fbp@.example.test HttpOnly'),
        'nor delete it: the HttpOnly _fbp is still in the jar');
}

async function gone(s, what) {
    is((await jar(s)).join(' '), '', `${what}: the jar holds no _ga, _ga_* or _fbp`);
    const dc = await documentCookie(s);
    ok(!/(^|; )_(ga|fbp)/.test(dc), `${what}: document.cookie has neither`,
        `     ${dc}`);
}

await scenario('withdrawn by Reject all on the reopened banner', async () => {
    const s = await visitor();
    await accept(s);

    s.log.setCookies.length = 0;
    const before = records().length;
    await click(s.page, SEL.footer);
    ok((await bannerShown(s.page, 3000)).visible, 'the footer link opens the banner');
    await click(s.page, SEL.reject);
    await bannerGone(s.page);
    ok(await until(() => records().length > before, 3000), 'the reject is recorded');
    is((records()[records().length - 1] || {}).action, 'reject',
        'the audit log records the reject of every optional category');
    const answer = s.log.setCookies.filter((c) => c.method === 'POST');
    ok(answer.some((c) => /^_fbp=; Max-Age=0; Path=\/; Domain=example\.test$/.test(c.value)),
        'the endpoint\'s answer expires _fbp on the parent domain');
    ok(await until(async () => (await jar(s)).length === 0, 3000),
        'after the endpoint\'s answer the jar is clean');

    await s.page.goto(base + '/page2.html', { waitUntil: 'load' });
    await gone(s, 'one page view later');
    await s.context.close();
});

await scenario('withdrawn by DELETE, then a stray cookie healed by a page', async () => {
    const s = await visitor();
    await accept(s);

    const status = await s.page.evaluate(async () => {
        const r = await fetch('/consent/', { method: 'DELETE' });
        return r.status;
    });
    is(status, 200, 'DELETE /consent/ answers 200');
    is((records()[records().length - 1] || {}).action, 'withdraw',
        'the audit log says withdraw');
    await s.page.goto(base + '/page2.html', { waitUntil: 'load' });
    await gone(s, 'after the endpoint\'s answer and one page view');

    // a server-side tag that got through sets it again
    await track(s);
    ok((await jar(s)).length === 3, 'the cookies are back in the jar');
    s.log.setCookies.length = 0;
    await s.page.goto(base + '/', { waitUntil: 'load' });
    ok(s.log.setCookies.some((c) => /^_fbp=; Max-Age=0; Path=\/; Domain=example\.test$/.test(c.value)),
        'the page expires them');
    await gone(s, 'one page view later');
    await sleep(100);
    await s.context.close();
});

await browser.close();
done();

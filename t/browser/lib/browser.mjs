// Debian's Chromium driven by playwright-core, for the browser tests and
// the screenshots. Nothing leaves 127.0.0.1: every request of every
// context goes through one route handler, which lets the test servers'
// requests through, answers the tracker hosts with stubs (and records
// each such request), and aborts anything else (recorded as unexpected).
// The stub of a tracker script appends "host/path" to
// window.__trackerRuns, so a test sees which ran, how often, in what
// order.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CONSENT_CHROMIUM || '/usr/bin/chromium';

// the test's settings, from the .t file (t/browser/lib/Consent/Browser.pm)
export function config() {
    const raw = process.argv[2] || process.env.CONSENT_BROWSER_CONFIG;
    if (!raw) {
        throw new Error('usage: node SCRIPT \'{"fixture":"http://127.0.0.1:PORT",...}\'');
    }
    return JSON.parse(raw);
}

export function readPolicy(path) {
    return JSON.parse(readFileSync(path, 'utf8'));
}

// the hosts whose requests are stubbed: the policy's rules, and the ones
// its "urls" rules name (facebook.com/tr, youtube.com/embed)
const EXTRA_HOSTS = [
    'googletagmanager.com', 'google-analytics.com', 'connect.facebook.net',
    'facebook.com', 'doubleclick.net', 'snap.licdn.com', 'youtube.com',
    'youtube-nocookie.com', 'player.vimeo.com', 'static.hotjar.com',
    'script.hotjar.com', 'clarity.ms', 'plausible.io',
    'googleadservices.com', 'analytics.tiktok.com', 'linkedin.com',
];

export function trackerHosts(policy) {
    const hosts = new Set(EXTRA_HOSTS);
    for (const rule of (policy && policy.rules) || []) {
        for (const h of rule.hosts || []) {
            hosts.add(h.replace(/^\*?\./, ''));
        }
        for (const u of rule.urls || []) {
            const m = /^([a-z0-9.-]+\.[a-z]{2,})\//i.exec(u);
            if (m) {
                hosts.add(m[1]);
            }
        }
    }
    return [...hosts];
}

function hostIn(host, list) {
    return list.some((h) => host === h || host.endsWith('.' + h));
}

const LOCAL = new Set(['127.0.0.1', 'localhost', '[::1]']);

// quieting flags: no background traffic, no first-run work, no component
// updates; and a resolver that resolves nothing but loopback, so that a
// request the route handler never saw cannot leave the machine either
export const ARGS = [
    '--no-sandbox',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-default-apps',
    '--disable-sync',
    '--disable-domain-reliability',
    '--disable-client-side-phishing-detection',
    '--disable-breakpad',
    '--disable-crash-reporter',
    '--no-first-run',
    '--no-default-browser-check',
    '--no-pings',
    '--metrics-recording-only',
    '--disable-features=Translate,OptimizationHints,MediaRouter,'
        + 'AutofillServerCommunication,CertificateTransparencyComponentUpdater,'
        + 'InterestFeedContentSuggestions,PrivacySandboxSettings4',
    '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
    '--font-render-hinting=none',
];

// launch() runs Chromium on a fresh temporary profile of its own
export async function launch() {
    return chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ARGS,
        env: { ...process.env, TZ: 'UTC' },
    });
}

// 1x1 transparent PNG
const PNG = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
    'base64');

function stubFor(request, url) {
    const type = request.resourceType();
    const mark = url.host + url.pathname;
    const cors = { 'access-control-allow-origin': '*', 'cache-control': 'no-store' };
    if (type === 'script') {
        return {
            status: 200,
            headers: { ...cors, 'content-type': 'text/javascript' },
            body: `(window.__trackerRuns = window.__trackerRuns || []).push(${JSON.stringify(mark)});\n`,
        };
    }
    if (type === 'image') {
        return { status: 200, headers: { ...cors, 'content-type': 'image/png' }, body: PNG };
    }
    if (type === 'document') {
        return {
            status: 200,
            headers: { ...cors, 'content-type': 'text/html; charset=utf-8' },
            body: `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>stub</title></head>`
                + `<body><p>stub of ${mark.replace(/[<&"]/g, '')}</p></body></html>`,
        };
    }
    if (type === 'stylesheet') {
        return { status: 200, headers: { ...cors, 'content-type': 'text/css' }, body: '' };
    }
    return { status: 204, headers: cors, body: '' };
}

// A browser context with the route handler and the test's init script.
// Returns { context, page, log, ... }: log.trackers (stubbed requests:
// {url, host, path, mark, type, time}), log.local (requests to the test
// servers), log.unexpected (aborted requests to other hosts),
// log.navigations (main frame navigations after the first load),
// log.console (console messages), log.errors (page errors).
export async function session(browser, {
    policy, contextOptions = {}, init = true,
} = {}) {
    const hosts = trackerHosts(policy);
    const context = await browser.newContext({
        viewport: { width: 1280, height: 800 },
        deviceScaleFactor: 1,
        locale: 'en-US',
        timezoneId: 'UTC',
        ...contextOptions,
    });
    context.setDefaultTimeout(10000);
    const log = {
        trackers: [], local: [], unexpected: [], console: [], errors: [],
        navigations: 0, documents: [],
    };
    await context.route('**/*', async (route) => {
        const request = route.request();
        let url;
        try {
            url = new URL(request.url());
        } catch {
            return route.abort('blockedbyclient');
        }
        if (url.protocol === 'data:' || url.protocol === 'blob:'
            || url.protocol === 'about:') {
            return route.continue();
        }
        if (LOCAL.has(url.hostname)) {
            log.local.push({ url: url.href, method: request.method(), type: request.resourceType() });
            return route.continue();
        }
        const entry = {
            url: url.href, host: url.hostname, path: url.pathname,
            mark: url.host + url.pathname, type: request.resourceType(),
            time: Date.now(),
        };
        if (hostIn(url.hostname, hosts)) {
            log.trackers.push(entry);
            return route.fulfill(stubFor(request, url));
        }
        log.unexpected.push(entry);
        return route.abort('blockedbyclient');
    });
    if (init && contextOptions.javaScriptEnabled !== false) {
        await context.addInitScript(INIT);
    }
    const page = await context.newPage();
    page.on('console', (m) => log.console.push({ type: m.type(), text: m.text() }));
    page.on('pageerror', (e) => log.errors.push(String(e && e.stack || e)));
    let loaded = false;
    page.on('framenavigated', (frame) => {
        if (frame === page.mainFrame()) {
            if (loaded) {
                log.navigations++;
            }
            log.documents.push(frame.url());
        }
    });
    page.on('load', () => { loaded = true; });
    return {
        context, page, log,
        // forget what was recorded so far (a new page view starts)
        reset() {
            log.trackers.length = 0;
            log.local.length = 0;
            log.unexpected.length = 0;
            log.navigations = 0;
        },
        // a navigation on purpose: not counted as an unwanted one
        async goto(url, opts = {}) {
            loaded = false;
            const r = await page.goto(url, { waitUntil: 'load', ...opts });
            loaded = true;
            return r;
        },
        async reload(opts = {}) {
            loaded = false;
            const r = await page.reload({ waitUntil: 'load', ...opts });
            loaded = true;
            return r;
        },
        async expectNavigation(fn) {
            loaded = false;
            const [r] = await Promise.all([
                page.waitForNavigation({ waitUntil: 'load' }),
                fn(),
            ]);
            loaded = true;
            return r;
        },
        async close() {
            await context.close();
        },
    };
}

// what every page gets before its own scripts: the events and measures
// the tests read back
export const INIT = `(() => {
    window.__consentEvents = [];
    window.__cspViolations = [];
    window.__layoutShifts = [];
    document.addEventListener('consent:change', (e) => {
        let d = e.detail;
        try { d = JSON.parse(JSON.stringify(d)); } catch (x) { d = String(d); }
        window.__consentEvents.push(d);
    });
    document.addEventListener('securitypolicyviolation', (e) => {
        window.__cspViolations.push({
            directive: e.violatedDirective, effective: e.effectiveDirective,
            blocked: e.blockedURI, sample: e.sample, source: e.sourceFile,
            line: e.lineNumber,
        });
    });
    try {
        new PerformanceObserver((list) => {
            for (const s of list.getEntries()) {
                window.__layoutShifts.push({
                    value: s.value, recent: s.hadRecentInput,
                    time: s.startTime,
                    sources: (s.sources || []).map((x) => {
                        const n = x.node;
                        if (!n || !n.nodeName) { return '?'; }
                        let d = n.nodeName.toLowerCase();
                        if (n.id) { d += '#' + n.id; }
                        if (n.classList && n.classList.length) { d += '.' + [...n.classList].join('.'); }
                        return d + ' ' + JSON.stringify(x.previousRect) + ' -> ' + JSON.stringify(x.currentRect);
                    }),
                });
            }
        }).observe({ type: 'layout-shift', buffered: true });
    } catch (x) { /* no layout-shift entries in this browser */ }
})();`;

// polls fn() (in node) until it returns a truthy value or time runs out;
// returns the last value
export async function until(fn, timeout = 5000, step = 50) {
    const end = Date.now() + timeout;
    let v;
    for (;;) {
        v = await fn();
        if (v || Date.now() >= end) {
            return v;
        }
        await sleep(step);
    }
}

export function sleep(ms) {
    return new Promise((r) => setTimeout(r, ms));
}

export function axeSource() {
    const require = createRequire(import.meta.url);
    return readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
}

// the banner as the page shows it
export async function banner(page) {
    return page.evaluate(() => {
        const b = document.getElementById('consent-banner');
        if (!b) {
            return { present: false, visible: false };
        }
        const visible = typeof b.checkVisibility === 'function'
            ? b.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })
            : !!(b.offsetWidth || b.offsetHeight);
        const a = document.activeElement;
        return {
            present: true,
            hidden: b.hasAttribute('hidden'),
            visible,
            lang: b.getAttribute('lang'),
            dir: b.getAttribute('dir'),
            role: b.getAttribute('role'),
            focusInside: !!a && (a === b || b.contains(a)),
            active: a ? a.tagName.toLowerCase() + (a.id ? '#' + a.id : '')
                + (a.getAttribute('value') ? '[value=' + a.getAttribute('value') + ']' : '') : null,
        };
    });
}

export async function isVisible(page, selector) {
    return page.evaluate((sel) => {
        const e = document.querySelector(sel);
        if (!e) {
            return false;
        }
        return typeof e.checkVisibility === 'function'
            ? e.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })
            : !!(e.offsetWidth || e.offsetHeight);
    }, selector);
}

export async function runs(page) {
    return page.evaluate(() => (window.__trackerRuns || []).slice());
}

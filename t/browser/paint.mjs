// The banner in the page's first paint (issue 19). Chromium with a 4x
// CPU throttle (CDP Emulation.setCPUThrottlingRate) loads the
// benchmark's news pages on a fresh profile, as a first-time visitor;
// the page measures, in the same load:
//   - first-contentful-paint (PerformanceObserver 'paint');
//   - the banner's text painted: element timing ('element' entries) for
//     the banner's title and message, marked with elementtiming by a
//     MutationObserver as the parser inserts them (before any frame);
//   - the first animation frame in which the banner is in the document,
//     rendered (checkVisibility) and fully opaque (getComputedStyle);
//   - layout-shift entries.
// Asserted on the median of RUNS loads of each page: the banner painted
// no later than FCP + one frame, fully opaque by FCP + one frame, CLS 0.
// Then a visitor who has chosen (reject_all through the endpoint): the
// banner hidden, the manage link (consent_manage_button) painted no
// later than FCP + one frame, CLS 0.
// Run by t/browser/paint.t; prints TAP.

import { config, readPolicy, launch, session, sleep, until } from './lib/browser.mjs';
import { ok, note, scenario, done } from './lib/tap.mjs';

const cfg = config();
const policy = readPolicy(cfg.policy);
const RUNS = Number(process.env.CONSENT_PAINT_RUNS || 5);
const RATE = Number(process.env.CONSENT_PAINT_THROTTLE || 4);
const FRAME = 1000 / 60;
const PAGES = (process.env.CONSENT_PAINT_PAGES || 'p50k,p500k').split(',');

const browser = await launch();
note(`Chromium ${browser.version()}, CPU throttle ${RATE}x, ${RUNS} loads a page`);

const PROBE = `(() => {
    const P = window.__paint = { fcp: null, el: {}, frame: null,
                                 opaque: null, inDom: null, shifts: [] };
    const ids = ['consent-title', 'consent-text', 'consent-manage'];
    try {
        new PerformanceObserver((l) => {
            for (const e of l.getEntries()) {
                if (e.name === 'first-contentful-paint') { P.fcp = e.startTime; }
            }
        }).observe({ type: 'paint', buffered: true });
        new PerformanceObserver((l) => {
            for (const e of l.getEntries()) {
                if (P.el[e.identifier] === undefined) {
                    P.el[e.identifier] = e.renderTime || e.loadTime;
                }
            }
        }).observe({ type: 'element', buffered: true });
        new PerformanceObserver((l) => {
            for (const e of l.getEntries()) {
                P.shifts.push({ value: e.value, recent: e.hadRecentInput, time: e.startTime,
                    sources: (e.sources || []).map((x) => (x.node && x.node.nodeName
                        ? x.node.nodeName.toLowerCase() + (x.node.id ? '#' + x.node.id : '') : '?')
                        + ' ' + JSON.stringify(x.previousRect) + ' -> ' + JSON.stringify(x.currentRect)) });
            }
        }).observe({ type: 'layout-shift', buffered: true });
    } catch (x) { P.error = String(x); }
    new MutationObserver((recs) => {
        for (const r of recs) {
            for (const n of r.addedNodes) {
                if (n.nodeType === 1 && ids.includes(n.id)) {
                    n.setAttribute('elementtiming', n.id);
                }
                if (n.nodeType === 1 && n.id === 'consent-banner' && P.inDom === null) {
                    P.inDom = performance.now();
                }
            }
        }
    }).observe(document, { childList: true, subtree: true });
    function frame(ts) {
        const b = document.getElementById('consent-banner');
        if (b && !b.hidden) {
            const r = b.getBoundingClientRect();
            const seen = r.bottom > 0 && r.top < innerHeight && r.width > 0
                && b.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true });
            if (seen && P.frame === null) { P.frame = ts; }
            if (seen && P.opaque === null && getComputedStyle(b).opacity === '1') {
                P.opaque = ts;
            }
        }
        if (P.opaque === null && performance.now() < 20000) {
            requestAnimationFrame(frame);
        }
    }
    requestAnimationFrame(frame);
})();`;

function median(a) {
    const s = a.filter((x) => typeof x === 'number').sort((x, y) => x - y);
    return s.length ? s[Math.floor((s.length - 1) / 2)] : null;
}

function r1(x) {
    return typeof x === 'number' ? Math.round(x * 10) / 10 : x;
}

async function load(url, { chosen } = {}) {
    const s = await session(browser, { policy });
    const { page, context } = s;
    if (chosen) {
        // a visitor who has chosen: the endpoint sets the cookie
        const r = await context.request.post(`${cfg.site}/consent/`, {
            headers: { 'Content-Type': 'application/json', Origin: cfg.site,
                       'Sec-Fetch-Site': 'same-origin' },
            data: JSON.stringify({ action: 'reject_all' }),
        });
        if (!r.ok()) {
            throw new Error(`POST /consent/: ${r.status()}`);
        }
    }
    await context.addInitScript(PROBE);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: RATE });
    await s.goto(url);
    await until(() => page.evaluate((c) => (c || window.__paint.opaque !== null)
                                           && window.__paint.fcp !== null, !!chosen), 5000);
    await sleep(300);
    const p = await page.evaluate(() => {
        const n = performance.getEntriesByType('navigation')[0];
        return { ...window.__paint, dcl: n.domContentLoadedEventEnd,
                 parse: n.domInteractive - n.responseStart,
                 bytes: n.transferSize };
    });
    await s.close();
    const text = Object.entries(p.el).filter(([k]) => k !== 'consent-manage').map(([, v]) => v);
    p.painted = text.length ? Math.min(...text) : null;
    p.manage = p.el['consent-manage'] ?? Infinity;
    if (p.painted === null || p.fcp === null) {
        p.painted = Infinity;
    }
    p.cls = p.shifts.filter((x) => !x.recent).reduce((a, x) => a + x.value, 0);
    return p;
}

for (const name of PAGES) {
    await scenario(`${name}.html`, async () => {
        const url = `${cfg.site}/${name}.html`;
        const runs = [];
        for (let i = 0; i < RUNS; i++) {
            runs.push(await load(url));
        }
        for (const p of runs) {
            note(`fcp ${r1(p.fcp)} ms, banner text painted ${r1(p.painted)}, `
                 + `first visible frame ${r1(p.frame)}, opaque ${r1(p.opaque)}, `
                 + `in the DOM ${r1(p.inDom)}, DOMContentLoaded ${r1(p.dcl)}, `
                 + `CLS ${p.cls}`);
            for (const x of p.shifts) {
                note(`  layout shift ${x.value} at ${r1(x.time)} ms: ${x.sources.join('; ')}`);
            }
        }
        const m = (k) => median(runs.map((p) => p[k]));
        const lag = median(runs.map((p) => p.painted - p.fcp));
        const lagOpaque = median(runs.map((p) => p.opaque - p.fcp));
        note(`median: fcp ${r1(m('fcp'))} ms, banner painted ${r1(lag)} ms after it, `
             + `opaque in the frame at ${r1(lagOpaque)} ms after it`);
        ok(runs.every((p) => p.fcp !== null && p.painted !== null),
           'first-contentful-paint and the banner\'s element timing reported',
           runs.map((p) => ({ fcp: p.fcp, el: p.el, error: p.error })));
        ok(lag !== null && lag <= FRAME,
           `the banner is painted no later than FCP + one frame (median ${r1(lag)} ms)`,
           runs.map((p) => ({ fcp: p.fcp, painted: p.painted })));
        ok(lagOpaque !== null && lagOpaque <= FRAME,
           `the banner is fully opaque by FCP + one frame (median ${r1(lagOpaque)} ms)`,
           runs.map((p) => ({ fcp: p.fcp, frame: p.frame, opaque: p.opaque })));
        ok(runs.every((p) => p.cls === 0), 'cumulative layout shift 0 in every load',
           runs.map((p) => p.shifts));
    }, { timeout: 60000 + RUNS * 30000 });
}

// a visitor who has chosen gets the banner hidden and the manage link,
// which is in the first paint too
await scenario('p50k.html, a visitor who has chosen', async () => {
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
        runs.push(await load(`${cfg.site}/p50k.html`, { chosen: true }));
    }
    for (const p of runs) {
        note(`fcp ${r1(p.fcp)} ms, manage link painted ${r1(p.manage)}, CLS ${p.cls}`);
    }
    const lag = median(runs.map((p) => p.manage - p.fcp));
    ok(lag !== null && lag <= FRAME,
       `the manage link is painted no later than FCP + one frame (median ${r1(lag)} ms)`,
       runs.map((p) => ({ fcp: p.fcp, manage: p.manage })));
    ok(runs.every((p) => p.painted === Infinity), 'the banner is not painted',
       runs.map((p) => p.el));
    ok(runs.every((p) => p.cls === 0), 'cumulative layout shift 0 in every load',
       runs.map((p) => p.shifts));
}, { timeout: 60000 + RUNS * 30000 });

await browser.close();
process.exit(done() ? 1 : 0);

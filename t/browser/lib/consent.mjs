// What the browser tests know about the banner (the contract of the
// banner's markup and JavaScript) and about the fixture pages of
// t/browser/site/.

import { sleep, until, banner, isVisible, runs } from './browser.mjs';

export const SEL = {
    banner: '#consent-banner',
    title: '#consent-title',
    text: '#consent-text',
    form: '#consent-banner form',
    accept: '#consent-banner button[name="action"][value="accept_all"]',
    reject: '#consent-banner button[name="action"][value="reject_all"]',
    customise: '#consent-banner [data-consent-customise]',
    save: '#consent-banner button[name="action"][value="save"]',
    layer2: '#consent-layer2',
    box: (id) => `#consent-banner input[type="checkbox"][name="granted"][value="${id}"]`,
    gpc: '#consent-banner .consent-gpc',
    manage: 'a#consent-manage[data-consent-open]',
    footer: '#footer-prefs',
};

// the fixture's gated scripts, in document order, by what their stubs
// (or the inline script, or local-stats.js) push to window.__trackerRuns
export const FIXTURE_SCRIPTS = [
    { mark: 'www.googletagmanager.com/gtag/js', cat: 'analytics', what: 'external Google tag (async)' },
    { mark: 'inline:gtag-config', cat: 'analytics', what: 'inline gtag config' },
    { mark: 'connect.facebook.net/en_US/fbevents.js', cat: 'marketing', what: 'external Meta pixel' },
    { mark: 'snap.licdn.com/li.lms-analytics/insight.module.js', cat: 'marketing', what: 'type="module" script' },
    { mark: 'static.hotjar.com/c/hotjar-42.js', cat: 'analytics', what: 'script with a nonce' },
    { mark: 'local:stats', cat: 'analytics', what: 'data-consent="analytics" local script' },
];

// the fixture's gated frames and images: the element, the attribute the
// filter renames, the host its request goes to
export const FIXTURE_MEDIA = [
    { sel: '#video', attr: 'src', host: 'www.youtube.com', cat: 'marketing', what: 'YouTube iframe' },
    { sel: '#pixel-fb', attr: 'src', host: 'www.facebook.com', cat: 'marketing', what: 'Meta img pixel' },
    { sel: '#pixel-ga', attr: 'src', host: 'www.google-analytics.com', cat: 'analytics', what: 'analytics img pixel' },
    { sel: '#ad-img', attr: 'src', host: 'ad.doubleclick.net', cat: 'marketing', what: 'picture/srcset advertisement' },
];

export function hostsOf(cat) {
    const h = new Set();
    for (const s of FIXTURE_SCRIPTS) {
        if (s.cat === cat && s.mark.includes('/')) {
            h.add(s.mark.split('/')[0]);
        }
    }
    for (const m of FIXTURE_MEDIA) {
        if (m.cat === cat) {
            h.add(m.host);
        }
    }
    return [...h];
}

// the banner's script is loaded and has set window.consent up
export async function ready(page, timeout = 5000) {
    return until(() => page.evaluate(
        () => !!(window.consent && typeof window.consent.get === 'function')),
    timeout);
}

export async function get(page) {
    return page.evaluate(() => {
        try {
            return JSON.parse(JSON.stringify(window.consent.get()));
        } catch (e) {
            return { error: String(e) };
        }
    });
}

// the Consent Mode entries of window.dataLayer: [command, kind, {...}]
export async function consentMode(page) {
    return page.evaluate(() => (window.dataLayer || [])
        .filter((e) => e && typeof e === 'object' && e[0] === 'consent')
        .map((e) => [e[0], e[1], JSON.parse(JSON.stringify(e[2] || null))]));
}

export async function events(page) {
    return page.evaluate(() => (window.__consentEvents || []).slice());
}

// clicks a control and gives the page's scripts time to act on it
export async function click(page, selector) {
    await page.locator(selector).first().click({ timeout: 5000 });
}

// waits until the banner is hidden (or time runs out); returns banner()
export async function bannerGone(page, timeout = 5000) {
    await until(async () => !(await banner(page)).visible, timeout);
    return banner(page);
}

export async function bannerShown(page, timeout = 5000) {
    await until(async () => (await banner(page)).visible, timeout);
    return banner(page);
}

// waits for n tracker runs, then a while longer so that a second run
// of anything would show
export async function settleRuns(page, n, timeout = 6000) {
    await until(async () => (await runs(page)).length >= n, timeout);
    await sleep(600);
    return runs(page);
}

export function counts(list) {
    const c = {};
    for (const x of list) {
        c[x] = (c[x] || 0) + 1;
    }
    return c;
}

export { isVisible };

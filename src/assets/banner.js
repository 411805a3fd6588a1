/*
 * ngx_http_consent_module: the banner's script, served by the consent
 * endpoint as banner.js.  The banner is a server-rendered form that works
 * without it; this only enhances: Consent Mode defaults before any tag,
 * the second layer in place, a choice posted as JSON without a reload,
 * and the re-activation of what the filter held back (docs/gating.md).
 * It runs synchronously in <head>, right after the state it reads.
 * Comment lines and indentation are stripped when it is embedded.
 */
(function () {
'use strict';

var d = document, w = window, st = {}, cm, ui, form, l2, cust, manage,
    back, taken = [], queue = [], running = false;

try {
    st = JSON.parse(d.getElementById('consent-state').textContent);
} catch (e) {
    return;
}

function has(list, id) {
    return (list || []).indexOf(id) >= 0;
}

// Consent Mode v2: a signal is granted when all its categories are
function modes() {
    var m = {}, s;
    for (s in cm) {
        m[s] = cm[s].every(function (c) { return has(st.granted, c); })
               ? 'granted' : 'denied';
    }
    return m;
}

function gtag() {
    (w.dataLayer = w.dataLayer || []).push(arguments);
}

cm = st.consent_mode;
if (cm && Object.keys(cm).length) {
    gtag('consent', 'default', modes());
} else {
    cm = null;
}

function copy() {
    return {
        state: st.state,
        granted: (st.granted || []).slice(),
        denied: (st.denied || []).slice(),
        gpc: !!st.gpc,
        revision: st.revision
    };
}

function attrs(from, to, skip) {
    var i, a;
    for (i = 0; i < from.attributes.length; i++) {
        a = from.attributes[i];
        if (!skip(a.name)) {
            to.setAttribute(a.name, a.value);
        }
    }
}

function gated(n) {
    return n === 'type' || n === 'data-consent'
           || n.indexOf('data-consent-') === 0;
}

// a script whose type changes in place does not run: make a new one
function script(old) {
    var s = d.createElementNS(old.namespaceURI, 'script'),
        t = old.getAttribute('data-consent-type'),
        h = old.getAttribute('data-consent-href'),
        x = old.getAttribute('data-consent-xlink-href'),
        ext;
    attrs(old, s, gated);
    // migrated markup: what its consent manager would have done
    if (t === null) {
        t = old.getAttribute('data-type');
    }
    if (t !== null) {
        s.setAttribute('type', t);
    }
    if (h !== null) {
        s.setAttribute('href', h);
    }
    if (x !== null) {
        s.setAttributeNS('http://www.w3.org/1999/xlink', 'xlink:href', x);
    }
    if (!s.hasAttribute('src') && old.getAttribute('data-src')) {
        s.setAttribute('src', old.getAttribute('data-src'));
    }
    s.nonce = old.nonce;
    s.textContent = old.textContent;
    ext = s.hasAttribute('src') || h !== null || x !== null;
    if (ext && s.src !== undefined) {
        s.async = false;
    }
    return {el: s, ext: ext};
}

// external scripts one after another, in document order
function next() {
    var old, r, fired = false;
    function go() {
        if (!fired) {
            fired = true;
            next();
        }
    }
    running = queue.length > 0;
    if (!running) {
        return;
    }
    old = queue.shift();
    if (!old.parentNode) {
        return next();
    }
    d.dispatchEvent(new CustomEvent('consent:release', {detail: old}));
    r = script(old);
    if (r.ext) {
        r.el.addEventListener('load', go);
        r.el.addEventListener('error', go);
    }
    old.parentNode.replaceChild(r.el, old);
    if (!r.ext) {
        go();
    }
}

function other(el) {
    var names = [], i, n, m;
    d.dispatchEvent(new CustomEvent('consent:release', {detail: el}));
    for (i = 0; i < el.attributes.length; i++) {
        n = el.attributes[i].name;
        if (n.indexOf('data-consent-') === 0 && n !== 'data-consent-ui') {
            names.push(n);
        }
    }
    // srcset first, so that src does not fetch a candidate it replaces
    names.sort(function (a, b) {
        return (b.indexOf('srcset') > 0) - (a.indexOf('srcset') > 0);
    });
    for (i = 0; i < names.length; i++) {
        n = names[i].slice(13);
        if (n !== 'type') {
            if (n === 'xlink-href') {
                el.setAttributeNS('http://www.w3.org/1999/xlink',
                                  'xlink:href', el.getAttribute(names[i]));
            } else {
                el.setAttribute(n, el.getAttribute(names[i]));
            }
        }
        el.removeAttribute(names[i]);
    }
    m = el.tagName.toLowerCase() === 'source' ? el.parentNode : el;
    if (m && m.load && /^(video|audio)$/i.test(m.tagName)) {
        m.load();
    }
    // an SVG <set> or <animate> given back its to= or values= runs again
    if (el.beginElement) {
        el.beginElement();
    }
}

// a <style> whose URLs the filter held back as data:x-consent/IDS,#URL:
// those whose categories are all granted now are given back
function sheet(el) {
    var t = el.textContent,
        u = t.replace(/data:x-consent\/([a-z0-9_+-]*),#/g, function (m, c) {
            return c && c.split('+').every(function (x) {
                return has(st.granted, x);
            }) ? '' : m;
        });
    if (u !== t) {
        el.textContent = u;
    }
}

function activate() {
    var all = d.querySelectorAll('[data-consent], style'), i, el, v;
    for (i = 0; i < all.length; i++) {
        el = all[i];
        if (el.localName === 'style' && !el.closest('[data-consent-ui]')) {
            sheet(el);
        }
        v = el.getAttribute('data-consent');
        if (!v || taken.indexOf(el) >= 0 || el.closest('[data-consent-ui]')
            || !v.split(' ').every(function (c) { return has(st.granted, c); }))
        {
            continue;
        }
        if (el.localName === 'script') {
            if ((el.getAttribute('type') || '').toLowerCase()
                === 'text/plain')
            {
                taken.push(el);
                queue.push(el);
            }
        } else {
            taken.push(el);
            other(el);
        }
    }
    if (!running) {
        next();
    }
}

function layer2() {
    if (!l2) {
        return;
    }
    // CMP mode: the TCF's second layer, fetched once into the banner's
    // form; failing that, the preferences page
    var u = l2.dataset.consentTcf;
    if (u) {
        delete l2.dataset.consentTcf;
        fetch(u, {headers: {Accept: 'text/html'}}).then(function (r) {
            if (!r.ok) {
                throw r;
            }
            return r.text();
        }).then(function (t) {
            l2.insertAdjacentHTML('afterbegin', t);
            layer2();
        }, function () {
            location = st.endpoint;
        });
        return;
    }
    l2.hidden = false;
    cust.hidden = true;
    cust.setAttribute('aria-expanded', 'true');
    (l2.querySelector('input:not([disabled])') || l2).focus();
}

function open(second) {
    if (!ui) {
        return;
    }
    if (ui.hidden) {
        back = d.activeElement;
    }
    ui.hidden = false;
    if (manage) {
        manage.hidden = true;
    }
    if (second) {
        layer2();
    } else {
        ui.focus({preventScroll: true});
    }
}

function close() {
    ui.hidden = true;
    if (l2) {
        l2.hidden = true;
        cust.hidden = false;
        cust.setAttribute('aria-expanded', 'false');
    }
    if (manage) {
        manage.hidden = false;
    }
    if (back && back !== d.body && d.contains(back) && back.focus) {
        back.focus({preventScroll: true});
    } else if (d.activeElement && ui.contains(d.activeElement)) {
        d.activeElement.blur();
    }
    back = null;
}

function apply(ns) {
    var boxes, i;
    // the endpoint's answer, before anything is released (tcfapi.js)
    d.dispatchEvent(new CustomEvent('consent:answer', {detail: ns}));
    st.state = ns.state;
    st.granted = ns.granted;
    st.denied = ns.denied;
    boxes = form.querySelectorAll('input[name=granted]:not([disabled])');
    for (i = 0; i < boxes.length; i++) {
        boxes[i].checked = has(st.granted, boxes[i].value);
    }
    if (cm) {
        gtag('consent', 'update', modes());
    }
    close();
    if (ns.handoff) {
        d.dispatchEvent(new CustomEvent('consent:change', {detail: copy()}));
        hop(ns.handoff);
        return;
    }
    activate();
    d.dispatchEvent(new CustomEvent('consent:change', {detail: copy()}));
}

// consent_domains: the choice goes through the site's other domains, each
// setting its own cookie, and back to this page (docs/domains.md); they
// check that the navigation comes from this site, so the Referer must say
// at least the origin, whatever the page's own policy
function hop(url) {
    var m = d.createElement('meta');
    m.name = 'referrer';
    m.content = 'origin';
    d.head.appendChild(m);
    w.location.replace(url);
}

// no fetch or a failed one: the form does it the plain way
function plain(action) {
    var i = d.createElement('input');
    i.type = 'hidden';
    i.name = 'action';
    i.value = action;
    form.appendChild(i);
    HTMLFormElement.prototype.submit.call(form);
}

function submit(e) {
    var b = e.submitter, a = b && b.name === 'action' && b.value, body, i,
        boxes;
    if (b && b.hasAttribute('data-consent-customise')) {
        e.preventDefault();
        layer2();
        return;
    }
    if (!a || !w.fetch) {
        return;
    }
    e.preventDefault();
    body = {action: a};
    if (a === 'save') {
        body.granted = [];
        boxes = form.querySelectorAll('input[name=granted]:checked');
        for (i = 0; i < boxes.length; i++) {
            body.granted.push(boxes[i].value);
        }
    }
    // what other scripts of the module add (tcfapi.js: the TCF fields)
    d.dispatchEvent(new CustomEvent('consent:body', {detail: body}));
    // the page, for a hand-off's way back (it may send no Referer)
    fetch(st.endpoint + '?return=' + encodeURIComponent(location.pathname
                                                        + location.search), {
        method: 'POST',
        credentials: 'same-origin',
        headers: {'Content-Type': 'application/json',
                  'Accept': 'application/json'},
        body: JSON.stringify(body)
    }).then(function (r) {
        if (!r.ok) {
            throw r;
        }
        return r.json();
    }).then(apply, function () {
        plain(a);
    });
}

function init() {
    ui = d.getElementById('consent-banner');
    manage = d.getElementById('consent-manage');
    if (!ui) {
        return;
    }
    form = ui.querySelector('form');
    l2 = d.getElementById('consent-layer2');
    cust = ui.querySelector('[data-consent-customise]');
    form.addEventListener('submit', submit);
    ui.addEventListener('keydown', function (e) {
        // a visitor who has chosen may close it; one who has not must choose
        if (e.key === 'Escape' && st.state === 'valid') {
            close();
        }
    });
    d.addEventListener('click', function (e) {
        var a = e.target.closest && e.target.closest('[data-consent-open]');
        if (a) {
            e.preventDefault();
            open(true);
        }
    });
    if (!ui.hidden) {
        back = d.activeElement;
        ui.focus({preventScroll: true});
    }
}

w.consent = {
    get: copy,
    open: function () {
        open(true);
    }
};

if (d.readyState === 'loading') {
    d.addEventListener('DOMContentLoaded', init);
} else {
    init();
}
})();

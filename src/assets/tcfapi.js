/*
 * ngx_http_consent_module: tcfapi.js, served by the consent endpoint on
 * the pages of consent_tcf cmp (docs/tcf.md).  IAB TCF's CMP API v2 as
 * window.__tcfapi (ping, addEventListener, removeEventListener,
 * getTCData), answered from the TCData the server rendered into the page
 * (#consent-tcf): nothing is decoded here.  It runs first in <head>, so
 * no stub is needed before it; calls a page's own stub queued are
 * answered.  Frames call it through the __tcfapiLocator frame with
 * postMessage.  After a choice made in place, the endpoint's answer
 * (the banner's "consent:answer" event) has the new TCData and every
 * listener hears "useractioncomplete"; IAB's URL macros in what the
 * banner then releases ("consent:release") are filled in.
 * Comment lines and indentation are stripped when it is embedded.
 */
(function () {
'use strict';

var d = document, w = window, td, gv, ls = [], n = 0, q = [];

try {
    gv = d.getElementById('consent-tcf');
    td = JSON.parse(gv.textContent);
    gv = +gv.getAttribute('data-gvl');
} catch (e) {
    return;
}

// the page has the vendors as ranges, "1-6,9,755": an object again
function expand(v) {
    var o = {};
    if (typeof v !== 'string') {
        return v;
    }
    v.split(',').forEach(function (r) {
        var a = r.split('-'), i = +a[0], e = +(a[1] || a[0]);
        for (; r && i <= e; i++) {
            o[i] = true;
        }
    });
    return o;
}

td.vendor.consents = expand(td.vendor.consents);
td.vendor.legitimateInterests = expand(td.vendor.legitimateInterests);

function clone(o) {
    return JSON.parse(JSON.stringify(o));
}

function data(id, vs) {
    var o = clone(td), c = {}, l = {};
    if (id !== undefined) {
        o.listenerId = id;
    }
    // getTCData for some vendors: each of them, true or false
    if (Array.isArray(vs)) {
        vs.forEach(function (v) {
            c[v] = !!td.vendor.consents[v];
            l[v] = !!td.vendor.legitimateInterests[v];
        });
        o.vendor = {consents: c, legitimateInterests: l};
    }
    return o;
}

function ping() {
    var b = d.getElementById('consent-banner');
    return {
        gdprApplies: td.gdprApplies,
        cmpLoaded: true,
        cmpStatus: 'loaded',
        displayStatus: b ? (b.hidden ? 'hidden' : 'visible') : 'disabled',
        apiVersion: '2.3',
        cmpVersion: td.cmpVersion,
        cmpId: td.cmpId,
        gvlVersion: gv,
        tcfPolicyVersion: td.tcfPolicyVersion
    };
}

function call(cmd, v, cb, p) {
    var i, f;
    if (typeof cb !== 'function') {
        return;
    }
    if (v && v !== 2) {
        return cb(null, false);
    }
    if (cmd === 'ping') {
        return cb(ping(), true);
    }
    if (cmd === 'getTCData') {
        return cb(data(undefined, p), true);
    }
    if (cmd === 'addEventListener') {
        ls.push({id: n, cb: cb});
        return cb(data(n++), true);
    }
    if (cmd === 'removeEventListener') {
        for (i = 0; i < ls.length && ls[i].id !== p; i++) {
            continue;
        }
        f = i < ls.length;
        if (f) {
            ls.splice(i, 1);
        }
        return cb(f, f);
    }
    cb(null, false);
}

// what a page's stub queued before this script ran is answered now
try {
    q = (typeof w.__tcfapi === 'function' && w.__tcfapi()) || [];
} catch (e) {
    q = [];
}

w.__tcfapi = function (cmd, v, cb, p) {
    if (!arguments.length) {
        return [];
    }
    call(cmd, v, cb, p);
};

Array.prototype.forEach.call(q, function (a) {
    call.apply(null, a);
});

// frames find the API through a frame named __tcfapiLocator and call
// it with postMessage.  gpp.js has its twin for __gppLocator, on
// purpose: each script is served alone (a page may get either, or
// both), sharing would cost a request, and the protocols differ (here
// calls carry a version, a string message is answered with a string)
function locator() {
    var f;
    if (w.frames.__tcfapiLocator) {
        return;
    }
    f = d.createElement('iframe');
    f.name = '__tcfapiLocator';
    f.title = '';
    f.hidden = true;
    f.setAttribute('aria-hidden', 'true');
    f.setAttribute('data-consent-ui', '');
    // at once, into <html> while there is no <body> yet: a frame in the
    // page looks for it when its own script runs, which can be before
    // the page has been parsed to its end
    (d.body || d.documentElement).appendChild(f);
}

locator();

w.addEventListener('message', function (e) {
    var m = e.data, s = typeof m === 'string', c;
    try {
        m = s ? JSON.parse(m) : m;
    } catch (x) {
        return;
    }
    c = m && m.__tcfapiCall;
    if (!c || !e.source) {
        return;
    }
    call(c.command, c.version, function (r, ok) {
        var a = {__tcfapiReturn: {returnValue: r, success: ok,
                                  callId: c.callId}};
        e.source.postMessage(s ? JSON.stringify(a) : a, '*');
    }, c.parameter);
});

// a choice made without a reload: the endpoint's answer has the new
// TCData, before the banner releases what the choice allows
d.addEventListener('consent:answer', function (e) {
    if (!e.detail || !e.detail.tcf) {
        return;
    }
    td = e.detail.tcf;
    td.eventStatus = 'useractioncomplete';
    ls.slice().forEach(function (l) {
        l.cb(data(l.id), true);
    });
});

// a save posted by the banner's script carries the form's TCF fields
var TF = {tcf_purpose: 'purposes', tcf_purpose_li: 'purposes_li',
    tcf_special_feature: 'special_features', tcf_vendor: 'vendors',
    tcf_vendor_li: 'vendors_li', tcf_ac: 'google_atps'};

d.addEventListener('consent:body', function (e) {
    var b = e.detail, o = null, f = d.querySelector('#consent-banner form');
    if (!b || b.action !== 'save' || !f) {
        return;
    }
    Array.prototype.forEach.call(f.querySelectorAll('input[name^="tcf"]'),
                                 function (i) {
        var k = TF[i.name];
        o = o || {};
        if (k && (i.type !== 'checkbox' || i.checked)) {
            (o[k] = o[k] || []).push(+i.value);
        }
    });
    if (o) {
        b.tcf = o;
    }
});

// IAB's URL macros in what the banner releases: ${GDPR},
// ${GDPR_CONSENT_<vendor id>} (the TC string), ${ADDTL_CONSENT}
function macros(v) {
    return v.replace(/\$\{(GDPR|GDPR_CONSENT_\d+|ADDTL_CONSENT)\}/g,
                     function (m, k) {
        return k === 'GDPR' ? (td.gdprApplies ? '1' : '0')
               : k === 'ADDTL_CONSENT' ? td.addtlConsent || ''
               : td.tcString;
    });
}

d.addEventListener('consent:release', function (e) {
    var el = e.detail, i, a;
    for (i = 0; el && el.attributes && i < el.attributes.length; i++) {
        a = el.attributes[i];
        if (a.value.indexOf('${') >= 0) {
            a.value = macros(a.value);
        }
    }
});
})();

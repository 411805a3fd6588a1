/*
 * ngx_http_consent_module: gpp.js, served by the consent endpoint on the
 * pages of a regime with GPP sections (docs/gpp.md).  IAB GPP's CMP API
 * (version 1.1) as window.__gpp, answered from what the server rendered
 * into the page (#consent-regime), with nothing to decode here; after a
 * choice made in place, the new state is read from the endpoint.
 * Comment lines and indentation are stripped when it is embedded.
 */
(function () {
'use strict';

var d = document, w = window, gp, gl = [], gn = 0, q = [], ep, rs;

try {
    rs = JSON.parse(d.getElementById('consent-regime').textContent);
    ep = new URL('.', d.currentScript.src).pathname;
} catch (e) {
    return;
}

if (!rs.gpp) {
    return;
}

gp = rs.gpp;

function clone(o) {
    return JSON.parse(JSON.stringify(o));
}

function ping() {
    var b = d.getElementById('consent-banner');
    return {
        gppVersion: '1.1',
        cmpStatus: 'loaded',
        cmpDisplayStatus: b && !b.hidden ? 'visible' : 'hidden',
        signalStatus: 'ready',
        supportedAPIs: gp.sections.slice(),
        cmpId: 0,
        sectionList: gp.sid.slice(),
        applicableSections: gp.sid.slice(),
        gppString: gp.string,
        parsedSections: clone(gp.parsed)
    };
}

function ev(name, id, data) {
    return {eventName: name, listenerId: id, data: data, pingData: ping()};
}

function own(o, k) {
    return o !== null && Object.prototype.hasOwnProperty.call(o, k);
}

function call(cmd, cb, param) {
    var i, f, s;
    if (typeof cb !== 'function') {
        return;
    }
    if (cmd === 'ping') {
        return cb(ping(), true);
    }
    if (cmd === 'addEventListener') {
        gl.push({id: gn, cb: cb});
        return cb(ev('listenerRegistered', gn++, true), true);
    }
    if (cmd === 'removeEventListener') {
        for (i = 0; i < gl.length && gl[i].id !== param; i++) {
            continue;
        }
        f = i < gl.length;
        if (f) {
            gl.splice(i, 1);
        }
        return cb(ev('listenerRemoved', param, f), true);
    }
    f = String(param).split('.');
    s = own(gp.parsed, f[0]) ? gp.parsed[f[0]] : null;
    if (cmd === 'hasSection') {
        return cb(s !== null, true);
    }
    if (cmd === 'getSection') {
        return cb(s && clone(s), true);
    }
    if (cmd === 'getField') {
        s = f.length === 2 && own(s, f[1]) ? s[f[1]] : null;
        return cb(s !== null && typeof s === 'object' ? clone(s) : s, true);
    }
    cb(null, false);
}

// what a stub queued before this script ran is answered now
try {
    q = (typeof w.__gpp === 'function' && w.__gpp()) || [];
} catch (e) {
    q = [];
}

w.__gpp = call;

Array.prototype.forEach.call(q, function (a) {
    call.apply(null, a);
});

// frames find the API through a frame named __gppLocator and call it
// with postMessage; each answer goes back to the frame that asked.
// tcfapi.js has its twin for __tcfapiLocator, on purpose: each script
// is served alone (a page may get either, or both), sharing would cost
// a request, and the protocols differ (__tcfapi calls carry a version,
// a string message is answered with a string)
function locator() {
    var f;
    if (w.frames.__gppLocator) {
        return;
    }
    f = d.createElement('iframe');
    f.name = '__gppLocator';
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
    var m = e.data, c;
    try {
        m = typeof m === 'string' ? JSON.parse(m) : m;
    } catch (x) {
        return;
    }
    c = m && m.__gppCall;
    if (!c || !e.source) {
        return;
    }
    call(c.command, function (v, ok) {
        e.source.postMessage({__gppReturn: {returnValue: v, success: ok,
                                            callId: c.callId}}, '*');
    }, c.parameter);
});

// a choice made without a reload: the new string, then the events
d.addEventListener('consent:change', function () {
    fetch(ep, {credentials: 'same-origin',
               headers: {'Accept': 'application/json'}})
    .then(function (r) {
        return r.json();
    }).then(function (s) {
        if (!s.gpp) {
            return;
        }
        gp = s.gpp;
        gl.slice().forEach(function (l) {
            Object.keys(gp.parsed).forEach(function (n) {
                l.cb(ev('sectionChange', l.id, n), true);
            });
            l.cb(ev('signalStatus', l.id, 'ready'), true);
        });
    }, function () {
        return null;
    });
});
})();

#!/usr/bin/perl

# consent_tcf cmp in Chromium: IAB's __tcfapi (src/assets/tcfapi.js) as
# a page's own script and a nested cross-origin frame (through the
# __tcfapiLocator frame and postMessage) see it: addEventListener fires
# at once with the server-rendered TCData, then "useractioncomplete"
# with the right purposes and vendors after accept, reject and a save
# with TCF fields; ping, getTCData, removeEventListener; IAB's URL
# macros filled in the pixel the choice releases; no request
# leaves the machine.  (t/browser/tcfapi.mjs drives Chromium.)

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../lib", "$FindBin::Bin/lib";

use Test::More;
use JSON::PP;
use Consent::Browser;

my $b = Consent::Browser->new;
my $t = $b->t;

$b->{keys} = $t->keyfile;
$b->{policy} = $t->policy_file(modify => sub {
    $_[0]{tcf} = {
        analytics => { purposes => [1, 8, 9] },
        marketing => { purposes => [1, 2, 3, 4], vendors => [755],
                       google_atps => [89] },
    };
});

# a synthetic GVL: vendors 1-40 and 755
my %v = map { $_ => { id => $_, name => "Vendor $_",
                      purposes => [1, 3, 4], legIntPurposes => [2, 7],
                      flexiblePurposes => [], specialPurposes => [1],
                      features => [], specialFeatures => [1] } } 1 .. 40, 755;
my $gvl = $t->write_file('gvl.json', JSON::PP->new->canonical->encode({
    gvlSpecificationVersion => 3, vendorListVersion => 120,
    tcfPolicyVersion => 5, lastUpdated => '2026-12-03T16:00:00Z',
    purposes => { map { $_ => { id => $_, name => "P$_" } } 1 .. 11 },
    specialPurposes => { map { $_ => { id => $_, name => "S$_" } } 1, 2 },
    features => { map { $_ => { id => $_, name => "F$_" } } 1 .. 3 },
    specialFeatures => { map { $_ => { id => $_, name => "X$_" } } 1, 2 },
    stacks => {}, vendors => \%v,
}));

my $port = $t->port(8080);

(my $page = <<'HTML') =~ s/__PORT__/$port/;
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>TCF page</title>
<script>
window.__tcf = [];
window.__tcfapi('addEventListener', 2, function (td, ok) {
    window.__tcf.push({ok: ok, status: td.eventStatus, tc: td.tcString,
                       id: td.listenerId, p: td.purpose.consents,
                       v: td.vendor.consents, ac: td.addtlConsent});
});
</script>
</head><body><main><h1>Article</h1><p>Text.</p>
<img alt="" width="1" height="1" src="https://www.facebook.com/tr?id=1&amp;gdpr=${GDPR}&amp;gdpr_consent=${GDPR_CONSENT_755}&amp;ac=${ADDTL_CONSENT}&amp;x=${OTHER}">
<iframe id="ad" title="ad" src="http://localhost:__PORT__/frame/ad.html"></iframe>
<script src="/frame/slow.js"></script>
</main></body></html>
HTML
$t->write_file('site/tcf.html', $page);

# a script that holds the page's parsing up for about two seconds: the
# frame above runs its script long before the page is parsed to its end
# (DOMContentLoaded), so it finds the locator frame only if the CMP put
# it there at once
$t->write_file('site/frame/slow.js', '/*' . ('.' x 196) . "*/\n");

# a frame of another origin, without the module: it finds the CMP
# through the __tcfapiLocator frame of an ancestor and postMessage
$t->write_file('site/frame/ad.html', <<'HTML');
<!doctype html>
<html><head><meta charset="utf-8"><title>ad</title></head><body>
<script>
window.__got = [];
window.__ownApi = typeof window.__tcfapi;
(function () {
    var f = window, cmp = null, n = 0;
    while (f) {
        try {
            if (f.frames.__tcfapiLocator) { cmp = f; break; }
        } catch (e) {}
        if (f === window.top) { break; }
        f = f.parent;
    }
    window.__found = !!cmp;
    if (!cmp) { return; }
    window.addEventListener('message', function (e) {
        var m = typeof e.data === 'string' ? JSON.parse(e.data) : e.data;
        if (m && m.__tcfapiReturn) { window.__got.push(m.__tcfapiReturn); }
    });
    cmp.postMessage({__tcfapiCall: {command: 'ping', version: 2,
                                    callId: 'p' + n++}}, '*');
    cmp.postMessage(JSON.stringify({__tcfapiCall: {
        command: 'addEventListener', version: 2, callId: 'l' + n++}}), '*');
})();
</script></body></html>
HTML

$t->config(<<"EOF");
http {
    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;
    charset       utf-8;

    consent_keys    $b->{keys};
    consent_policy  $b->{policy};
    consent_log     %%TESTDIR%%/consent.log;

    server {
        listen       127.0.0.1:%%PORT_8080%%;
        server_name  fixture;
        root         %%TESTDIR%%/site;

        consent on;
        consent_tcf cmp;
        consent_tcf_cmp 300 2 publisher_cc=FR;
        consent_tcf_gvl $gvl;

        location /consent/ { consent_endpoint; }
        location /frame/ { consent off; }
        location = /frame/slow.js { consent off; limit_rate 100; }
    }
}
EOF

$t->run;
$b->run_node('tcfapi.mjs');

done_testing();

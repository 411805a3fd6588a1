#!/usr/bin/perl

# consent_regime (docs/regimes.md): a map on a country header decides per
# request between opt-in, opt-out (with GPP and GPC), notice, off and a
# policy's own regime (UK statistics exemption); an empty or unknown
# value falls back to the strictest; the regime in the cookie, the state
# JSON, $consent_regime and the audit log; the __gpp / __gpp_sid cookies
# decoded by the core's codec and by IAB's @iabgpp/cmpapi; nginx -t.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use JSON::PP;
use Consent::Test;

my $t = Consent::Test->new();
my $keys = $t->keyfile();
my $repo = $t->repo;
my $build = $ENV{CONSENT_BUILD} || "$repo/build";
my $node = $ENV{NODE} || 'node';

my $policy = $t->policy_file(modify => sub {
    my ($p) = @_;
    $p->{regimes}{'opt-out'}{gpp}{sections} = ['usnat', 'usca'];
    $p->{regimes}{uk} = {
        model => 'opt-in',
        categories => {
            preferences => {},
            analytics => { exempt => JSON::PP::true,
                           default => JSON::PP::true },
            marketing => {},
        },
        texts => { en => {
            message => 'We measure our audience without cookies of other '
                       . 'companies; you may object.',
            reject_all => 'Object and reject all' } },
    };
});

my $page = <<'EOF';
<!DOCTYPE html>
<html><head><title>t</title></head>
<body><p>article</p>
<script src="https://www.google-analytics.com/analytics.js"></script>
<script src="https://connect.facebook.net/en_US/fbevents.js"></script>
</body></html>
EOF

$t->write_file('html/index.html', $page);

$t->config(<<"EOF");
http {
    consent_keys $keys;
    consent_policy $policy;
    consent_log %%TESTDIR%%/consent.log;

    map \$http_x_country \$regime {
        default   opt-in;
        US-CA     opt-out;
        US        notice;
        GB        uk;
        XX        off;
        ZZ        "";
        QQ        bogus;
    }

    consent_regime \$regime;

    server {
        listen 127.0.0.1:%%PORT_8080%%;
        server_name localhost;

        consent on;
        root %%TESTDIR%%/html;

        location /consent/ { consent_endpoint; }

        location /nonce/ {
            consent_csp_nonce n0nce;
            alias %%TESTDIR%%/html/;
        }

        location /vars {
            consent off;
            return 200 "\$consent_regime|\$consent_state|\$consent_categories\\n";
        }
    }
}
EOF

$t->run();

sub get {
    my ($uri, $country, @h) = @_;
    return $t->http(uri => $uri,
                    headers => [defined $country ? ('X-Country' => $country)
                                                 : (), @h]);
}

sub post {
    my ($action, $country, @h) = @_;
    return $t->http(method => 'POST', uri => '/consent/',
                    headers => ['X-Country' => $country,
                                'Content-Type' => 'application/json',
                                'Accept' => 'application/json',
                                'Origin' => 'http://127.0.0.1:'
                                            . $t->port(8080), @h],
                    body => qq{{"action":"$action"}});
}

sub gated {
    my ($body, $host) = @_;
    return $body =~ m{<script[^>]*type="text/plain"[^>]*\Q$host\E}
           || $body =~ m{<script[^>]*\Q$host\E[^>]*type="text/plain"} ? 1 : 0;
}

sub decode_ours {
    my ($s) = @_;
    my $out = `'$build/consent-gpp' decode '$s' 2>&1`;
    chomp $out;
    return $out;
}

sub decode_iab {
    my ($s) = @_;
    my $out = `echo '$s' | $node '$repo/t/lib/gpp.mjs' decode 2>&1`;
    chomp $out;
    return $out;
}

sub field {
    my ($line, $name) = @_;
    return $line =~ /(?:^| )\Q$name\E=(\S+)/ ? $1 : undef;
}

sub records {
    my $log = $t->read_file('consent.log') // '';
    return map { decode_json($_) } grep { /"type":"consent"/ }
           split /\n/, $log;
}

# opt-in: today's behaviour

my $r = get('/index.html', undef);
is($r->{status}, 200, 'opt-in: 200');
is(gated($r->{body}, 'google-analytics.com'), 1, 'opt-in: analytics held');
is(gated($r->{body}, 'connect.facebook.net'), 1, 'opt-in: marketing held');
like($r->{body}, qr{id="consent-regime"[^>]*>\{"regime":"opt-in","model":"opt-in","gpc":false,"gpp":null\}</script>},
     'opt-in: the regime in the page');
unlike($r->{body}, qr{gpp\.js}, 'opt-in: no __gpp API');

# the state and the API's script: one element each, before the head
# snippet, with the nonce (the element's bytes are the test's)

$r = get('/nonce/index.html', 'US-CA');
like($r->{body}, qr{<head><script type="application/json" id="consent-regime" data-consent-ui nonce="n0nce">\{"regime":"opt-out",[^<]*\}</script><script src="/consent/gpp\.js\?v=[0-9a-f]+" data-consent-ui nonce="n0nce"></script><script type="application/json" id="consent-state" },
     'opt-out with a nonce: the state, then the __gpp API, then the snippet');
$r = get('/nonce/index.html', undef);
like($r->{body}, qr{<head><script type="application/json" id="consent-regime" data-consent-ui nonce="n0nce">\{"regime":"opt-in",[^<]*\}</script><script type="application/json" id="consent-state" },
     'opt-in with a nonce: the state alone');
ok(!defined cookie_value($r, '__gpp'), 'opt-in: no __gpp cookie');
like(get('/vars', undef)->{body}, qr{^opt-in\|absent\|necessary$},
     '$consent_regime: opt-in');

$r = get('/index.html', 'DE', 'Sec-GPC' => '1');
like($r->{body}, qr{class="consent-gpc"}, 'opt-in + GPC: the banner says '
     . 'the signal was heard (as before)');
is(gated($r->{body}, 'connect.facebook.net'), 1, 'opt-in + GPC: held');

# opt-out: trackers run until the visitor opts out

$r = get('/index.html', 'US-CA');
is(gated($r->{body}, 'google-analytics.com'), 0, 'opt-out: analytics runs');
is(gated($r->{body}, 'connect.facebook.net'), 0, 'opt-out: marketing runs');
like($r->{body}, qr{Do Not Sell or Share My Personal Information},
     'opt-out: the opt-out button');
like($r->{body}, qr{<h2 id="consent-title">Your privacy choices</h2>},
     'opt-out: "Your privacy choices"');
unlike($r->{body}, qr{class="consent-gpc"}, 'opt-out: no GPC, no GPC note');
like($r->{body}, qr{<script src="/consent/gpp\.js\?v=[0-9a-f]+" data-consent-ui></script>},
     'opt-out: the __gpp API');
like(get('/vars', 'US-CA')->{body},
     qr{^opt-out\|absent\|necessary,preferences,analytics,marketing$},
     '$consent_regime: opt-out, everything in force');

my $gpp = cookie_value($r, '__gpp');
my $sid = cookie_value($r, '__gpp_sid');
ok($gpp, "opt-out: __gpp set: " . ($gpp // ''));
is($sid, '7,8', 'opt-out: __gpp_sid 7,8');
is(cookie_attrs($r, '__gpp')->{path}, '/', '__gpp: Path=/');
ok(!cookie_attrs($r, '__gpp')->{httponly}, '__gpp: readable by scripts');

my $ours = decode_ours($gpp);
is(field($ours, 'sections'), '7,8', 'decoded here: usnat and usca');
is(field($ours, 'usnat.SaleOptOutNotice'), 1, 'notice given');
is(field($ours, 'usnat.SaleOptOut'), 2, 'not opted out of sale');
is(field($ours, 'usnat.Gpc'), 0, 'no GPC');

SKIP: {
    skip '@iabgpp/cmpapi is not installed (npm ci)', 1
        unless -f "$repo/node_modules/\@iabgpp/cmpapi/package.json";
    is(decode_iab($gpp), $ours, 'IAB\'s library reads the same fields');
}

# the preferences page (no JavaScript) in the regime's words

$r = get('/consent/', 'US-CA', Accept => 'text/html');
like($r->{body}, qr{value="reject_all">Do Not Sell or Share My Personal Information</button>},
     'opt-out: the preferences page has the opt-out button');
like(get('/consent/', 'DE', Accept => 'text/html')->{body},
     qr{value="reject_all">Reject all</button>},
     'opt-in: the preferences page as before');

# a browser that sends the same cookie back gets no new one

$r = get('/index.html', 'US-CA', Cookie => "__gpp=$gpp; __gpp_sid=$sid");
ok(!defined cookie_value($r, '__gpp'), 'an unchanged __gpp is not set again');

# opt-out with GPC: opted out without asking, and the page says so

$r = get('/index.html', 'US-CA', 'Sec-GPC' => '1');
is(gated($r->{body}, 'google-analytics.com'), 0, 'GPC: analytics runs');
is(gated($r->{body}, 'connect.facebook.net'), 1, 'GPC: marketing held');
like($r->{body}, qr{<p class="consent-gpc">Your browser sent a Global Privacy Control signal: you are opted out},
     'GPC: the page says it was honoured');
like($r->{body}, qr{"regime":"opt-out","model":"opt-out","gpc":true},
     'GPC: in the page\'s state');

my $gpc = cookie_value($r, '__gpp');
$ours = decode_ours($gpc);
is(field($ours, 'usnat.SaleOptOut'), 1, 'GPC: usnat opted out of sale');
is(field($ours, 'usnat.SharingOptOut'), 1, 'GPC: and of sharing');
is(field($ours, 'usnat.TargetedAdvertisingOptOut'), 1,
   'GPC: and of targeted advertising');
is(field($ours, 'usnat.Gpc'), 1, 'GPC: usnat\'s Gpc');
is(field($ours, 'usca.SaleOptOut'), 1, 'GPC: usca opted out of sale');
is(field($ours, 'usca.Gpc'), 1, 'GPC: usca\'s Gpc');

SKIP: {
    skip '@iabgpp/cmpapi is not installed (npm ci)', 1
        unless -f "$repo/node_modules/\@iabgpp/cmpapi/package.json";
    is(decode_iab($gpc), $ours, 'GPC: IAB\'s library reads the same');
}

# opting out is recorded, and the cookie names the regime

$r = post('reject_all', 'US-CA');
is($r->{status}, 200, 'opt-out: the choice is taken');
my $opted = cookie_value($r, 'consent');
like($opted, qr{^2\.k1\.\d+\.\d+\.[0-9a-f]+\.[A-Za-z0-9_-]{22}\.opt-out\.},
     'the cookie carries the regime (format 2)');
my $state = decode_json($r->{body});
is($state->{regime}, 'opt-out', 'state JSON: regime');
is($state->{gpp}{string}, cookie_value($r, '__gpp'),
   'state JSON: the GPP string of the new __gpp');
is($state->{gpp}{parsed}{usnat}{SaleOptOut}, 1,
   'state JSON: usnat parsed, opted out');
is_deeply($state->{gpp}{sid}, [7, 8], 'state JSON: sid');

my @rec = records();
is($rec[-1]{regime}, 'opt-out', 'the audit record names the regime');
is_deeply($rec[-1]{denied}, ['preferences', 'analytics', 'marketing'],
          'and what was opted out of');

$r = get('/index.html', 'US-CA', Cookie => "consent=$opted");
is(gated($r->{body}, 'google-analytics.com'), 1, 'opted out: analytics held');
is(gated($r->{body}, 'connect.facebook.net'), 1, 'opted out: marketing held');
like($r->{body}, qr{<div id="consent-banner"[^>]* hidden>},
     'opted out: the banner is hidden');

# the regime changes: a laxer one's cookie asks again

$r = get('/index.html', 'FR', Cookie => "consent=$opted");
like(get('/vars', 'FR', Cookie => "consent=$opted")->{body},
     qr{^opt-in\|outdated\|necessary$},
     'an opt-out cookie in opt-in: outdated, asked again');
unlike($r->{body}, qr{<div id="consent-banner"[^>]* hidden>},
       'and the banner shows');

$r = post('accept_all', 'FR');
my $eu = cookie_value($r, 'consent');
like($eu, qr{^1\.}, 'an opt-in choice: format 1, as before');
like(get('/vars', 'US-CA', Cookie => "consent=$eu")->{body},
     qr{^opt-out\|valid\|necessary,preferences,analytics,marketing$},
     'an opt-in consent holds in opt-out');
is((records())[-1]{regime}, 'opt-in', 'opt-in in the record too');

# notice: informs, gates nothing, GPC or not

$r = get('/index.html', 'US', 'Sec-GPC' => '1');
is(gated($r->{body}, 'google-analytics.com'), 0, 'notice: nothing held');
is(gated($r->{body}, 'connect.facebook.net'), 0, 'notice: even with GPC');
like($r->{body}, qr{<div id="consent-banner" class="consent-notice" role="region"},
     'notice: a notice, not a dialog');
like($r->{body}, qr{Cookies on this site}, 'notice: its title');
unlike($r->{body}, qr{reject_all}, 'notice: nothing to reject');
unlike($r->{body}, qr{class="consent-gpc"}, 'notice: no GPC note');
$r = post('accept_all', 'US');
my $seen = cookie_value($r, 'consent');
like($seen, qr{\.notice\.}, 'notice: seen, recorded with its regime');
like(get('/index.html', 'US', Cookie => "consent=$seen")->{body},
     qr{<div id="consent-banner" class="consent-notice"[^>]* hidden>},
     'notice: hidden once seen');

# off: the page as it is

$r = get('/index.html', 'XX');
is($r->{body}, $page, 'off: the page byte for byte');
like(get('/vars', 'XX')->{body}, qr{^off\|absent\|}, '$consent_regime: off');
is(get('/index.html', 'XX', 'Sec-GPC' => '1')->{body}, $page,
   'off + GPC: the page as it is');
ok(!defined cookie_value(get('/index.html', 'XX', 'Sec-GPC' => '1'), '__gpp'),
   'off + GPC: no __gpp');

# an empty or unknown value: the strictest regime, said in the log

for my $c ('ZZ', 'QQ') {
    $r = get('/index.html', $c);
    is(gated($r->{body}, 'google-analytics.com'), 1, "$c: analytics held");
    is(gated($r->{body}, 'connect.facebook.net'), 1, "$c: marketing held");
    like(get('/vars', $c)->{body}, qr{^opt-in\|}, "$c: opt-in in force");
}

$t->wait_for_log(qr/\[warn\].*consent: empty regime "", "opt-in" applies/);
like($t->error_log, qr/\[warn\].*consent: empty regime "", "opt-in" applies/,
     'an empty value is logged at warn');
my @lines = ($t->error_log =~ /(consent: (?:empty|unknown) regime)/g);
is(scalar @lines, 1, 'at most once a minute');

# the UK's statistics exemption: runs, with a free way to object

$r = get('/index.html', 'GB');
is(gated($r->{body}, 'google-analytics.com'), 0, 'uk: exempt statistics run');
is(gated($r->{body}, 'connect.facebook.net'), 1, 'uk: marketing held');
like($r->{body}, qr{you may object}, 'uk: the first layer says so');
like($r->{body}, qr{value="reject_all">Object and reject all</button>},
     'uk: one button to object, on the first layer');
like($r->{body}, qr{value="analytics"[^>]* checked>}, 'uk: ticked as it runs');

$r = get('/index.html', 'GB', 'Sec-GPC' => '1');
is(gated($r->{body}, 'google-analytics.com'), 0,
   'uk + GPC: exempt statistics still run (GPC is about sale and sharing)');
is(gated($r->{body}, 'connect.facebook.net'), 1, 'uk + GPC: marketing held');
like($r->{body}, qr{class="consent-gpc"}, 'uk + GPC: the signal noted');

$r = post('reject_all', 'GB');
my $objected = cookie_value($r, 'consent');
like($objected, qr{\.uk\.}, 'the objection names the regime');
my $last = (records())[-1];
is($last->{regime}, 'uk', 'the objection is recorded: regime');
is($last->{action}, 'reject', 'the objection is recorded: action');
ok((grep { $_ eq 'analytics' } @{ $last->{denied} }),
   'the objection is recorded: analytics denied');
$r = get('/index.html', 'GB', Cookie => "consent=$objected");
is(gated($r->{body}, 'google-analytics.com'), 1, 'uk: objected, held');
like(get('/vars', 'FR', Cookie => "consent=$objected")->{body},
     qr{^opt-in\|outdated\|}, 'a uk cookie is asked again in opt-in');

# the audit log verifies with the new field

my $audit = `'$build/consent-audit' verify --keys '$keys' '@{[$t->path('consent.log')]}' 2>&1`;
is($?, 0, "consent-audit verify accepts records with a regime: $audit");

# consent-audit show: the regime of each record, and a format 2 cookie

my ($oid) = $opted =~ /^2\.k1\.\d+\.\d+\.[0-9a-f]+\.([A-Za-z0-9_-]{22})\./;
my $log = $t->path('consent.log');
my $show = `'$build/consent-audit' show --keys '$keys' '$oid' '$log' 2>&1`;
is($?, 0, 'consent-audit show finds the opt-out');
like($show, qr{\n    regime    opt-out\n}, 'show: its regime');
like($show, qr{regime opt-out, from the policy stored in the log\):\n(?:      \| .*\n)*      \| Do Not Sell or Share My Personal Information\n},
    'show: the notice is the opt-out banner the visitor saw');
$show = `'$build/consent-audit' show --json --keys '$keys' '$oid' '$log' 2>&1`;
like($show, qr{"gpc":false,"regime":"opt-out","lang":}, 'show --json: its regime');
$show = `'$build/consent-audit' show --keys '$keys' --cookie '$opted' '$log' 2>&1`;
is($?, 0, "show --cookie verifies a format 2 cookie: $show");
like($show, qr{\n  regime   opt-out\n}, 'show --cookie: the regime it names');

# nginx -t

my ($rc, $out) = $t->test_config(<<"EOF");
http {
    consent_keys $keys;
    consent_policy $policy;
    server {
        listen 127.0.0.1:%%PORT_8080%%;
        consent_regime nope;
    }
}
EOF
isnt($rc, 0, 'nginx -t: an unknown regime is refused');
like($out, qr{unknown regime "nope" in "consent_regime" \(the policy has "off", "notice", "opt-out", "opt-in", "uk"\) in \S+nginx(?:-test)?\.conf:\d+},
     'nginx -t: names the regimes, the file and the line');

my $bad = $t->policy_file(file => 'bad.json', modify => sub {
    $_[0]{regimes}{'opt-in'} = { categories => {
        analytics => { default => JSON::PP::true } } };
});
($rc, $out) = $t->test_config(<<"EOF");
http {
    consent_keys $keys;
    consent_policy $bad;
    server {
        listen 127.0.0.1:%%PORT_8080%%;
    }
}
EOF
isnt($rc, 0, 'nginx -t: a pre-granted category in opt-in is refused');
like($out, qr{consent_policy: \S+bad\.json: line \d+: regimes\.opt-in\.categories\.analytics: "default": true would grant "analytics" before any choice in an opt-in regime},
     'nginx -t: the policy file, its line and why');

done_testing();

#!/usr/bin/perl

# Several consent cookies in one request (issue 13, item 7): a sibling
# subdomain or a man in the middle plants its own valid accept-all cookie
# for the parent domain, and the browser sends it first, next to the
# visitor's own.  The most restrictive valid one counts, a decision made
# with cookies of several ids starts a new id (in the cookie and in the
# audit log), and a __Host- cookie name, which no sibling can plant, is
# checked by nginx -t and set with the attributes browsers require.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use Consent::Test;
use Consent::Token qw(mint b64url secret_from_keyfile_line);
use JSON::PP;

my $t = Consent::Test->new();
my $keys = $t->keyfile();
my $policy = $t->policy_file();
my $secret = secret_from_keyfile_line('k1 ' . $t->secret('k1'));
my $dir = $t->prefix;

my $audit = ($ENV{CONSENT_BUILD} // "$FindBin::Bin/../build")
    . '/consent-audit';

# categories of conf/policy.json: necessary, preferences, analytics,
# marketing

my $ALL = 0xf;
my $REJECT = 0x1;

$t->write_file('html/index.html', <<'HTML');
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>News</title>
<script async src="https://www.googletagmanager.com/gtag/js?id=G-1"></script>
</head>
<body>
<p>An article.</p>
<script src="https://connect.facebook.net/en_US/fbevents.js"></script>
</body>
</html>
HTML

$t->write_file('html/collect/pixel.gif', "GIF89a");

$t->config(<<"EOF");
http {
    consent_keys $keys;
    consent_policy $policy;
    consent_log %%TESTDIR%%/consent.log;

    server {
        listen 127.0.0.1:%%PORT_8080%%;
        server_name www.example.test;

        location /consent/ { consent_endpoint; }

        location /vars {
            return 200 "\$consent_state|\$consent_id|\$consent_categories|\$consent_granted_analytics|\$consent_granted_marketing\\n";
        }

        location /collect/ {
            consent_require analytics;
            root %%TESTDIR%%/html;
        }

        location / {
            consent on;
            root %%TESTDIR%%/html;
        }
    }

    server {
        listen 127.0.0.1:%%PORT_8081%%;
        server_name www.example.test;

        consent_cookie_name __Host-consent;

        location /consent/ { consent_endpoint; }

        location /vars {
            return 200 "\$consent_state|\$consent_id|\$consent_granted_analytics\\n";
        }
    }

    server {
        listen 127.0.0.1:%%PORT_8082%%;
        server_name www.example.test;

        consent_cookie_name __Host-consent;
        consent_cookie_secure on;

        location /consent/ { consent_endpoint; }
    }
}
EOF

$t->run();

sub id_bytes { join '', map { chr(int rand 256) } 1 .. 16 }

sub cookie {
    my (%a) = @_;
    return mint(secret => $secret, kid => 'k1', revision => 1, %a);
}

sub vars {
    my (@cookies) = @_;
    my $r = $t->http(uri => '/vars',
        headers => [map { (Cookie => $_) } @cookies]);
    chomp(my $b = $r->{body});
    return $b;
}

sub log_lines {
    my $text = $t->read_file('consent.log') // '';
    return map { decode_json($_) } grep { /^\{"v":1,"type":"consent"/ }
        split /\n/, $text;
}

my $planted_id = id_bytes();
my $own_id = id_bytes();
my $planted_b64 = b64url($planted_id);
my $own_b64 = b64url($own_id);

my $planted = cookie(granted => $ALL, id => $planted_id,
    issued => time() - 3600);
my $own = cookie(granted => $REJECT, id => $own_id, issued => time() - 60);

# ---------------------------------------------------------------------------
# what each cookie says alone, then together

is(vars("consent=$planted"),
    "valid|$planted_b64|necessary,preferences,analytics,marketing|1|1",
    'the planted accept-all alone: valid, everything granted');
is(vars("consent=$own"), "valid|$own_b64|necessary|0|0",
    'the visitor\'s reject alone');

is(vars("consent=$planted; consent=$own"), "valid|$own_b64|necessary|0|0",
    'planted accept-all first, own reject second: reject counts');
is(vars("consent=$own; consent=$planted"), "valid|$own_b64|necessary|0|0",
    'the other order: reject counts');
is(vars("consent=$planted", "consent=$own"), "valid|$own_b64|necessary|0|0",
    'across two Cookie headers: reject counts');

# neither a subset of the other: only what both grant (analytics)

my $a_p = cookie(granted => 0x1 | 0x4 | 0x8, id => id_bytes());
my $a_o = cookie(granted => 0x1 | 0x2 | 0x4, id => id_bytes());
like(vars("consent=$a_p; consent=$a_o"), qr/^valid\|[^|]+\|necessary,analytics\|1\|0$/,
    'analytics+marketing and preferences+analytics: only analytics');

# a planted reject can deny, never grant

my $deny = cookie(granted => $REJECT, id => id_bytes());
my $own_all = cookie(granted => $ALL, id => $own_id);
like(vars("consent=$deny; consent=$own_all"), qr/^valid\|[^|]+\|necessary\|0\|0$/,
    'a planted reject-all next to own accept-all: reject (denies tracking)');

# an invalid or outdated planted cookie does not take away a valid choice

(my $forged = $planted) =~ s/\.f\./.e./;
is(vars("consent=$forged; consent=$own_all"),
    "valid|$own_b64|necessary,preferences,analytics,marketing|1|1",
    'a forged cookie next to a valid one: the valid one counts');
my $old = cookie(granted => $REJECT, id => id_bytes(), revision => 0);
is(vars("consent=$old; consent=$own_all"),
    "valid|$own_b64|necessary,preferences,analytics,marketing|1|1",
    'an outdated cookie next to a valid one: the valid one counts');

# ---------------------------------------------------------------------------
# gating follows the cookie in force

my $r = $t->http(uri => '/', headers => [Cookie => "consent=$planted"]);
like($r->{body}, qr{<script async src="https://www\.googletagmanager\.com},
    'planted accept-all alone: the tracker loads (the risk __Host- closes)');

$r = $t->http(uri => '/',
    headers => [Cookie => "consent=$planted; consent=$own"]);
is($r->{status}, 200, 'page with both cookies');
like($r->{body},
    qr{<script type="text/plain" data-consent="analytics" async src="https://www\.googletagmanager\.com},
    'planted accept-all + own reject: Google Tag Manager stays gated');
like($r->{body},
    qr{<script type="text/plain" data-consent="marketing" src="https://connect\.facebook\.net},
    'planted accept-all + own reject: the Meta pixel stays gated');
unlike($r->{body}, qr{<script async src="https://www\.googletagmanager},
    'no live tracker script');

$r = $t->http(uri => '/collect/pixel.gif',
    headers => [Cookie => "consent=$planted"]);
is($r->{status}, 200, 'consent_require analytics: the planted cookie alone '
    . 'passes');
$r = $t->http(uri => '/collect/pixel.gif',
    headers => [Cookie => "consent=$planted; consent=$own"]);
is($r->{status}, 403, 'consent_require analytics: refused with both cookies');

$r = $t->http(uri => '/consent/',
    headers => [Cookie => "consent=$planted; consent=$own"]);
my $state = decode_json($r->{body});
is_deeply([$state->{state}, $state->{id}, $state->{granted}],
    ['valid', $own_b64, ['necessary']],
    'GET /consent/ answers the reject');

# ---------------------------------------------------------------------------
# a decision with cookies of several ids starts a new id

sub post {
    my ($body, @cookies) = @_;
    return $t->http(method => 'POST', uri => '/consent/',
        headers => ['Content-Type' => 'application/json',
            map { (Cookie => $_) } @cookies],
        body => $body);
}

my $before = () = log_lines();

$r = post('{"action":"reject_all"}', "consent=$planted; consent=$own");
is($r->{status}, 200, 'POST reject_all with planted + own cookie');

my $set = cookie_value($r, 'consent');
my ($new_b64) = ($set // '') =~ /^1\.k1\.\d+\.1\.1\.([A-Za-z0-9_-]{22})\./;
ok(defined $new_b64, 'a reject cookie is set') or diag($set);
$new_b64 //= '';
isnt($new_b64, $planted_b64, 'the new cookie does not carry the planted id');
isnt($new_b64, $own_b64,
    'nor the other one: nothing tells which was the visitor\'s, a new id');

my $attrs = cookie_attrs($r, 'consent') // {};
is($attrs->{path}, '/', 'Path=/: it replaces the host cookie set before');
ok(!exists $attrs->{domain}, 'no Domain: a host cookie, as before');

my @lines = log_lines();
is(scalar @lines, $before + 1, 'one audit record');
my $rec = $lines[-1] // {};
is($rec->{id}, $new_b64, 'the audit record names the new id');
is($rec->{action}, 'reject', 'a new history: reject, not update');
unlike($t->read_file('consent.log'), qr/\Q$planted_b64\E/,
    'the planted id is nowhere in the audit log');

like($t->error_log, qr/cookies of several consent ids were sent \(2 valid\), the decision starts consent id \Q$new_b64\E/,
    'the error log says so at info');

# the browser now holds the planted cookie and the new one: still reject

is(vars("consent=$planted; consent=$set"), "valid|$new_b64|necessary|0|0",
    'planted + the new cookie: reject, under the new id');

# DELETE with cookies of several ids

$before = () = log_lines();
$r = $t->http(method => 'DELETE', uri => '/consent/',
    headers => [Cookie => "consent=$planted; consent=$own_all"]);
is($r->{status}, 200, 'DELETE with two valid cookies');
my ($del_b64) = (cookie_value($r, 'consent') // '')
    =~ /^1\.k1\.\d+\.1\.1\.([A-Za-z0-9_-]{22})\./;
ok(defined $del_b64 && $del_b64 ne $planted_b64 && $del_b64 ne $own_b64,
    'withdrawal: a new id');
@lines = log_lines();
is(($lines[-1] // {})->{id}, $del_b64, 'withdrawal recorded under it');
is(($lines[-1] // {})->{action}, 'withdraw', 'as a withdrawal');

# a valid cookie and an outdated one of another id: a new id too

$r = post('{"action":"accept_all"}', "consent=$planted; consent=$old");
my ($mix_b64) = (cookie_value($r, 'consent') // '')
    =~ /^1\.k1\.\d+\.1\.f\.([A-Za-z0-9_-]{22})\./;
ok(defined $mix_b64 && $mix_b64 ne $planted_b64,
    'a valid and an outdated cookie of two ids: a new id');
is((log_lines())[-1]{action}, 'grant', 'recorded as a grant, not an update');

# no conflict: one cookie, or the same id twice, keeps the id

$r = post('{"action":"accept_all"}', "consent=$own");
like(cookie_value($r, 'consent') // '', qr/^1\.k1\.\d+\.1\.f\.\Q$own_b64\E\./,
    'one valid cookie: its id goes on');
is((log_lines())[-1]{action}, 'update', 'as an update');

my $own_again = cookie(granted => $ALL, id => $own_id, issued => time() - 5);
$r = post('{"action":"reject_all"}', "consent=$own_again; consent=$own");
like(cookie_value($r, 'consent') // '', qr/^1\.k1\.\d+\.1\.1\.\Q$own_b64\E\./,
    'two cookies of one id (host and parent domain): the id goes on');

SKIP: {
    skip 'consent-audit not built', 1 unless -x $audit;
    my $out = `$audit verify --keys $keys $dir/consent.log 2>&1`;
    is($? >> 8, 0, 'consent-audit verify passes on the log') or diag($out);
}

# ---------------------------------------------------------------------------
# __Host-: Path=/, Secure (even with "auto" on plain http), no Domain

$r = $t->http(method => 'POST', uri => '/consent/', port => 8081,
    headers => ['Content-Type' => 'application/json'],
    body => '{"action":"reject_all"}');
is($r->{status}, 200, '__Host-consent: POST');
my $host_cookie = cookie_value($r, '__Host-consent');
ok($host_cookie, '__Host-consent is set');
$attrs = cookie_attrs($r, '__Host-consent') // {};
is($attrs->{path}, '/', '__Host-: Path=/');
ok($attrs->{secure}, '__Host-: Secure, with consent_cookie_secure auto');
ok(!exists $attrs->{domain}, '__Host-: no Domain');
ok($attrs->{httponly} && ($attrs->{samesite} // '') eq 'Lax',
    '__Host-: HttpOnly, SameSite=Lax as ever');

my ($hid) = ($host_cookie // '') =~ /^1\.k1\.\d+\.1\.1\.([A-Za-z0-9_-]{22})\./;
$r = $t->http(uri => '/vars', port => 8081,
    headers => [Cookie => "__Host-consent=$host_cookie"]);
is($r->{body}, "valid|" . ($hid // '') . "|0\n",
    '__Host-consent is read back');

# the value is signed for its name: a "consent" cookie is not one of them

$r = $t->http(uri => '/vars', port => 8081,
    headers => [Cookie => "consent=$planted"]);
is($r->{body}, "absent||0\n", 'a planted "consent" cookie means nothing there');

$r = $t->http(method => 'POST', uri => '/consent/', port => 8082,
    headers => ['Content-Type' => 'application/json'],
    body => '{"action":"accept_all"}');
$attrs = cookie_attrs($r, '__Host-consent') // {};
ok($attrs->{secure} && $attrs->{path} eq '/' && !exists $attrs->{domain},
    '__Host-: with consent_cookie_secure on');

# ---------------------------------------------------------------------------
# nginx -t refuses what browsers would refuse, naming the line

sub line_of {
    my ($text) = @_;
    open my $c, '<', $t->path('nginx-test.conf') or die $!;
    while (my $l = <$c>) {
        return $. if index($l, $text) >= 0;
    }
    return 0;
}

sub conf {
    my ($http, $server) = @_;
    return <<"EOF";
http {
    consent_keys $keys;
    consent_policy $policy;
    $http

    server {
        listen 127.0.0.1:%%PORT_8090%%;
        $server

        location /consent/ { consent_endpoint; }
    }
}
EOF
}

sub refused {
    my ($what, $http, $server, $re, $at) = @_;
    my ($rc, $out) = $t->test_config(conf($http, $server));
    isnt($rc, 0, "$what: nginx -t fails");
    like($out, $re, "$what: says why") or diag($out);
    my $n = line_of($at);
    like($out, qr/nginx-test\.conf:$n\b/, "$what: names line $n")
        or diag($out);
}

sub accepted {
    my ($what, $http, $server) = @_;
    my ($rc, $out) = $t->test_config(conf($http, $server));
    is($rc, 0, "$what: nginx -t passes") or diag($out);
}

my $dom = qr/cookie name "__Host-consent" cannot go with "consent_cookie_domain example\.test": browsers refuse a __Host- cookie with a Domain/;
my $off = qr/cookie name "__Host-consent" cannot go with "consent_cookie_secure off": browsers refuse a __Host- cookie without Secure/;

refused('__Host- then a domain, one level', '',
    "consent_cookie_name __Host-consent;\n        consent_cookie_domain example.test;",
    $dom, 'consent_cookie_domain');
refused('a domain then __Host-, one level', '',
    "consent_cookie_domain example.test;\n        consent_cookie_name __Host-consent;",
    $dom, 'consent_cookie_name');
refused('__Host- in http, a domain in server',
    'consent_cookie_name __Host-consent;',
    'consent_cookie_domain example.test;', $dom, 'consent_cookie_domain');
refused('a domain in http, __Host- in server',
    'consent_cookie_domain example.test;',
    'consent_cookie_name __Host-consent;', $dom, 'consent_cookie_name');
refused('__Host- with secure off', '',
    "consent_cookie_name __Host-consent;\n        consent_cookie_secure off;",
    $off, 'consent_cookie_secure');
refused('secure off in http, __Host- in server', 'consent_cookie_secure off;',
    'consent_cookie_name __Host-consent;', $off, 'consent_cookie_name');
refused('__host- in any case', '',
    "consent_cookie_name __host-consent;\n        consent_cookie_secure off;",
    qr/cookie name "__host-consent" cannot go with "consent_cookie_secure off"/,
    'consent_cookie_secure');
refused('__Secure- with secure off', '',
    "consent_cookie_secure off;\n        consent_cookie_name __Secure-consent;",
    qr/cookie name "__Secure-consent" cannot go with "consent_cookie_secure off": browsers refuse a __Secure- cookie without Secure/,
    'consent_cookie_name');

# an http-level directive after the server block: the merge catches it

{
    my ($rc, $out) = $t->test_config(<<"EOF");
http {
    consent_keys $keys;
    consent_policy $policy;

    server {
        listen 127.0.0.1:%%PORT_8090%%;
        consent_cookie_name __Host-consent;
        location /consent/ { consent_endpoint; }
    }

    consent_cookie_domain example.test;
}
EOF
    isnt($rc, 0, 'a domain in http after the server block: nginx -t fails');
    like($out, $dom, 'and says why') or diag($out);
}

accepted('__Host- alone (secure auto)', '', 'consent_cookie_name __Host-consent;');
accepted('__Host- with secure on', 'consent_cookie_secure on;',
    'consent_cookie_name __Host-consent;');
accepted('__Host- with the http domain turned off', 'consent_cookie_domain example.test;',
    "consent_cookie_domain off;\n        consent_cookie_name __Host-consent;");
accepted('__Secure- with a domain', '',
    "consent_cookie_name __Secure-consent;\n        consent_cookie_domain example.test;");
accepted('secure off without a prefix', '',
    "consent_cookie_name consent;\n        consent_cookie_secure off;");

done_testing();

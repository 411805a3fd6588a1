#!/usr/bin/perl

# Key rotation across a fleet: two nginx servers sharing a key file go
# through the two-phase rotation (the new key added everywhere as
# "verify-only", reload; then made the signing key, reload), one server
# at a time, while visitors go back and forth between them: every
# visitor keeps the consent id, consent_require never refuses, and both
# servers' logs verify with an archive of the keys.  Then the rotation
# done wrong (a new signing key on one server only): the other refuses
# the visitor and says why in its error log, once a minute.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use Consent::Test qw(cookie_value random_secret);
use JSON::PP;
use Time::HiRes qw(sleep);

my $audit = ($ENV{CONSENT_BUILD} // "$FindBin::Bin/../build")
    . '/consent-audit';

my %secret = map { $_ => random_secret(32) } qw(k1 k2 k3);

my @srv = map { Consent::Test->new() } 0 .. 1;
my @name = ('A', 'B');

sub keys_text {
    my (@lines) = @_;
    return join '', map {
        my ($kid, $flag) = split / /, $_;
        "$kid $secret{$kid}" . ($flag ? " $flag" : '') . "\n"
    } @lines;
}

sub set_keys {
    my ($t, @lines) = @_;
    $t->keyfile(file => 'consent.keys', content => keys_text(@lines));
}

for my $t (@srv) {
    set_keys($t, 'k1');
    my $keys = $t->path('consent.keys');
    my $policy = $t->policy_file();
    $t->config(<<"EOF");
worker_processes 2;

http {
    consent_keys $keys;
    consent_policy $policy;
    consent_log %%TESTDIR%%/consent.log;

    server {
        listen 127.0.0.1:%%PORT_8080%%;
        location /consent/ { consent_endpoint; }
        location = /collect {
            consent_require analytics;
            return 204;
        }
    }
}
EOF
    $t->run();
}

# a reload is done when the old workers have let go of the sockets

sub reload {
    my ($t) = @_;
    my $off = length $t->error_log;
    $t->reload();
    my $deadline = time + 10;
    while (time < $deadline) {
        my $log = substr($t->error_log, $off);
        my $n = () = $log =~ /gracefully shutting down/g;
        return 1 if $n >= 2;
        sleep 0.05;
    }
    return 0;
}

sub consent {
    my ($t, $cookie) = @_;
    return $t->http(method => 'POST', uri => '/consent/',
        headers => ['Content-Type' => 'application/json',
            $cookie ? (Cookie => "consent=$cookie") : ()],
        body => '{"action":"accept_all"}');
}

sub state {
    my ($t, $cookie) = @_;
    my $r = $t->http(uri => '/consent/',
        headers => [Accept => 'application/json', Cookie => "consent=$cookie"]);
    return eval { decode_json($r->{body}) } // {};
}

# twenty visitors, half of them first seen by each server

my @visitors;
for my $i (0 .. 19) {
    my $t = $srv[$i % 2];
    my $r = consent($t);
    my $c = cookie_value($r, 'consent');
    push @visitors, { cookie => $c, id => state($t, $c)->{id} };
}
is(scalar(grep { $_->{cookie} && $_->{cookie} =~ /^1\.k1\./ && $_->{id} }
    @visitors), 20, 'twenty visitors hold a k1 cookie and an id');

my $step = 0;

# every visitor on every server: admitted, same id; then each one
# changes the choice on one server and must keep the id

sub check_fleet {
    my ($what) = @_;
    my ($refused, $lost, $updated) = (0, 0, 0);
    $step++;
    for my $i (0 .. $#visitors) {
        my $v = $visitors[$i];
        for my $t (@srv) {
            my $r = $t->http(uri => '/collect',
                headers => [Cookie => "consent=$v->{cookie}"]);
            $refused++ if $r->{status} != 204;
            my $s = state($t, $v->{cookie});
            $lost++ if ($s->{state} // '') ne 'valid'
                || ($s->{id} // '') ne $v->{id};
        }
        my $t = $srv[($i + $step) % 2];
        my $r = consent($t, $v->{cookie});
        my $c = cookie_value($r, 'consent');
        if ($r->{status} == 200 && $c && state($t, $c)->{id} eq $v->{id}) {
            $updated++;
            $v->{cookie} = $c;
        }
    }
    is($refused, 0, "$what: consent_require admits every visitor");
    is($lost, 0, "$what: every cookie valid with its consent id");
    is($updated, scalar @visitors,
        "$what: a new choice keeps the consent id");
}

sub kids {
    my %n;
    $n{ ($_->{cookie} =~ /^1\.(\w+)\./)[0] }++ for @visitors;
    return join ' ', map { "$_=$n{$_}" } sort keys %n;
}

check_fleet('before');

# phase 1: k2 verifies everywhere, one server after the other

my ($rc, $out);

set_keys($srv[0], 'k1', 'k2 verify-only');
($rc, $out) = $srv[0]->test_config();
is($rc, 0, 'nginx -t accepts a verify-only key');
# a notice: in the error log nginx -t writes to, not on the terminal
like($srv[0]->read_file('test-config.log'),
    qr/\[notice\].*consent_keys: \S+consent\.keys: k1 signs; k2 verifies only/,
    'nginx -t says which key signs') or diag($out);

ok(reload($srv[0]), 'A reloaded with k2 verify-only');
check_fleet('phase 1, A only');
is(kids(), 'k1=20', 'k1 still signs');

set_keys($srv[1], 'k1', 'k2 verify-only');
ok(reload($srv[1]), 'B reloaded with k2 verify-only');
check_fleet('phase 1 done');

# phase 2: k2 signs, k1 verifies, one server after the other

set_keys($srv[0], 'k1 verify-only', 'k2');
ok(reload($srv[0]), 'A reloaded with k2 signing');
like($srv[0]->error_log, qr/consent_keys: \S+: k2 signs; k1 verifies only/,
    'the reload says k2 signs');
check_fleet('phase 2, A only');
like(kids(), qr/k2=/, 'A signs with k2, B accepts it');

set_keys($srv[1], 'k1 verify-only', 'k2');
ok(reload($srv[1]), 'B reloaded with k2 signing');
check_fleet('phase 2 done');
is(kids(), 'k2=20', 'every visitor now holds a k2 cookie');

# retiring k1 (here every cookie was re-signed; in real life, after the
# consent lifetime)

for my $t (@srv) {
    set_keys($t, 'k2');
    ok(reload($t), 'k1 retired');
}
check_fleet('k1 retired');

unlike($srv[0]->error_log . $srv[1]->error_log, qr/not in the key file/,
    'no cookie with an unknown key was ever seen');

# a server whose file has only verify-only keys does not start

set_keys($srv[1], 'k2 verify-only', 'k1 verify-only');
($rc, $out) = $srv[1]->test_config();
isnt($rc, 0, 'nginx -t refuses a key file where no key signs');
like($out, qr/consent_keys: \S+consent\.keys:2: no key signs/,
    '... with the file and line') or diag($out);
set_keys($srv[1], 'k2');

# the rotation done wrong: A signs with k3, which B was never given

set_keys($srv[0], 'k3', 'k2 verify-only');
ok(reload($srv[0]), 'A reloaded with k3, B not told');

my $v = $visitors[0];
my $r = consent($srv[0], $v->{cookie});
my $c = cookie_value($r, 'consent');
like($c, qr/^1\.k3\./, 'A signs with k3');
$r = $srv[1]->http(uri => '/collect', headers => [Cookie => "consent=$c"]);
is($r->{status}, 403, 'B refuses the k3 cookie: this is what phase 1 avoids');
is(state($srv[1], $c)->{state}, 'invalid', 'B sees it as invalid');

ok($srv[1]->wait_for_log(qr/\[warn\].*consent_keys: 1 cookie signed with a key id not in the key file \(the last one "k3"\)/, 5),
    'B warns about the unknown key id') or diag($srv[1]->error_log);

for (1 .. 5) {
    $srv[1]->http(uri => '/collect', headers => [Cookie => "consent=$c"]);
}
sleep 0.3;
my $warned = () = $srv[1]->error_log =~ /not in the key file/g;
ok($warned >= 1 && $warned <= 2,
    "at most once a minute per worker ($warned warnings for 6 cookies)");

SKIP: {
    skip 'consent-audit not built', 2 unless -x $audit;

    # the auditor's archive: every key ever used, none of them signs
    my $archive = $srv[0]->write_file('archive.keys',
        keys_text('k1 verify-only', 'k2 verify-only', 'k3 verify-only'),
        0600);

    for my $i (0, 1) {
        my $log = $srv[$i]->path('consent.log');
        my $out = `$audit verify --keys $archive $log 2>&1`;
        is($? >> 8, 0, "server $name[$i]: the log verifies with the archive")
            or diag($out);
    }
}

done_testing();

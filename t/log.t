#!/usr/bin/perl

# The audit log: every decision recorded before its cookie, to a file and
# to syslog, chained and signed; rotation and reload break no chain; a
# record that cannot be written means no cookie; refusals write nothing.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use Consent::Test;
use IO::Select;
use IO::Socket::INET;
use JSON::PP;

my $t = Consent::Test->new();
my $keys = $t->keyfile();
my $policy = $t->policy_file();
my $dir = $t->prefix;

my $audit = ($ENV{CONSENT_BUILD} // "$FindBin::Bin/../build")
    . '/consent-audit';

my $udp = IO::Socket::INET->new(Proto => 'udp', LocalAddr => '127.0.0.1',
    LocalPort => 0) or die "udp: $!";
my $udp_port = $udp->sockport;

$t->config(<<"EOF");
worker_processes 2;

http {
    consent_keys $keys;
    consent_policy $policy;
    consent_log %%TESTDIR%%/consent.log;

    server {
        listen 127.0.0.1:%%PORT_8080%%;
        server_name localhost;

        consent_log %%TESTDIR%%/consent.log;
        consent_log syslog:server=127.0.0.1:$udp_port,tag=consent;

        location /consent/ { consent_endpoint; }
    }

    server {
        listen 127.0.0.1:%%PORT_8081%%;
        server_name full;

        consent_log /dev/full;

        location /consent/ { consent_endpoint; }
    }

    server {
        listen 127.0.0.1:%%PORT_8082%%;
        server_name hashed;

        consent_log %%TESTDIR%%/hashed.log;
        consent_log_ip hash;

        location /consent/ { consent_endpoint; }
    }

    server {
        listen 127.0.0.1:%%PORT_8084%%;
        server_name private;

        consent_log %%TESTDIR%%/private.log mode=0600;
        consent_log %%TESTDIR%%/old.log;

        location /consent/ { consent_endpoint; }
    }

    server {
        listen 127.0.0.1:%%PORT_8083%%;
        server_name nolog;

        consent_log off;

        location /consent/ { consent_endpoint; }
    }
}
EOF

# a file an older version left readable by everyone is tightened
$t->write_file('old.log', '', 0666);

$t->run();

sub mode_of { sprintf '%04o', (stat $_[0])[2] & 07777 }

is(mode_of("$dir/consent.log"), '0640', 'a new log file is 0640');
is(mode_of("$dir/private.log"), '0600', 'mode=0600 is kept');
is(mode_of("$dir/old.log"), '0640', 'an existing 0666 file is tightened');
like($t->error_log, qr/old\.log": mode 0640, was 0666/, 'and that is said');

my $origin = 'http://127.0.0.1:' . $t->port(8080);

sub post {
    my ($port, $body, @h) = @_;
    return $t->http(method => 'POST', uri => '/consent/', port => $port,
        body => $body, headers => [
            'Content-Type' => $body =~ /^\{/ ? 'application/json'
                : 'application/x-www-form-urlencoded', @h]);
}

# the records of the log, without the policy records that store the
# notice (t/audit-policy.t tests those)
sub all_lines {
    my ($name) = @_;
    my $s = $t->read_file($name) // '';
    return map { decode_json($_) } grep { length } split /\n/, $s;
}

sub lines { grep { $_->{type} ne 'policy' } all_lines(@_) }

# datagrams are read as they come: a policy is a burst of them, more
# than a socket's buffer holds until the end of the test
my @syslog;
sub drain {
    my $d;
    while (IO::Select->new($udp)->can_read(0.05)) {
        $udp->recv($d, 65536);
        push @syslog, $d;
    }
}

# one decision, every field

my $r = post(8080, 'action=save&granted=analytics&return=/news/a%3Fx%3D1',
    'Accept-Language' => 'es-ES,es;q=0.9', 'Sec-GPC' => '1',
    'User-Agent' => 'Mozilla/5.0 "quoted" \back', Origin => $origin);
is($r->{status}, 303, 'a form choice');
my $cookie = cookie_value($r, 'consent');
my ($cid) = $cookie =~ /^(?:[^.]*\.){5}([^.]+)\./;

my @recs = lines('consent.log');
is(scalar @recs, 1, 'one record');
my $rec = $recs[0];
is($rec->{v}, 1, 'version');
is($rec->{type}, 'consent', 'type');
like($rec->{ts}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, 'ts');
is($rec->{id}, $cid, 'the id of the cookie');
is($rec->{action}, 'grant', 'a first choice with analytics: grant');
is($rec->{mechanism}, 'save', 'mechanism');
is($rec->{revision}, 1, 'revision');
like($rec->{policy_sha256}, qr/^[0-9a-f]{64}$/, 'policy hash');
is_deeply($rec->{granted}, ['necessary', 'analytics'], 'granted');
is_deeply($rec->{denied}, ['preferences', 'marketing'], 'denied');
ok($rec->{gpc}, 'GPC recorded');
is($rec->{lang}, 'es', 'language');
is($rec->{host}, '127.0.0.1', 'host');
is($rec->{page}, '/news/a', 'page, without its query');
like($rec->{ua}, qr/^Mozilla\/5\.0 "quoted"/, 'user agent, escaped');
is($rec->{ip}, '127.0.0.0', 'address truncated to /24');
my @policy = grep { $_->{type} eq 'policy' }
    map { decode_json($_) } grep { length } split /\n/,
    $t->read_file('consent.log');
ok(@policy >= 1, 'the policy is stored before the first record');
is($policy[0]{seq}, 1, 'first of its chain');
is($policy[0]{prev}, '0' x 64, 'links to nothing');
is($rec->{seq}, @policy + 1, 'the record follows it');
like($rec->{hmac}, qr/^[0-9a-f]{64}$/, 'signed');
is($rec->{kid}, 'k1', 'key id');

my $got = '';
my @stored;
while (IO::Select->new($udp)->can_read(5)) {
    $udp->recv($got, 65536);
    last unless $got =~ /"type":"policy"/;
    push @stored, $got;
}
ok(@stored >= 1, 'syslog got the policy first');
like($got, qr/consent: \{"v":1,"type":"consent"/, 'syslog got it');
like($got, qr/"id":"\Q$cid\E"/, 'the same decision');

# updates and withdrawal

$r = post(8080, '{"action":"reject_all"}', Cookie => "consent=$cookie");
$r = post(8080, '{"granted":["marketing"]}', Cookie => "consent=$cookie");
$r = $t->http(method => 'DELETE', uri => '/consent/',
    headers => [Cookie => "consent=$cookie"]);
@recs = lines('consent.log');
is_deeply([map { "$_->{action}/$_->{mechanism}" } @recs[1 .. 3]],
    ['reject/reject_all', 'update/api', 'withdraw/withdraw'],
    'actions and mechanisms');
is(scalar(grep { $_->{id} eq $cid } @recs), 4, 'one history for one id');

# refusals write nothing

my $before = scalar lines('consent.log');
post(8080, '{"action":"accept_all"}', Origin => 'http://evil.example');
post(8080, '{"action":"nope"}');
post(8080, 'x' x 5000);
is(scalar lines('consent.log'), $before, 'refused requests are not recorded');

# no proof, no cookie

$r = post(8081, '{"action":"accept_all"}');
is($r->{status}, 503, 'unwritable log: 503');
is(scalar(() = $r->headers('set-cookie')), 0, 'unwritable log: no cookie');
like($r->{body}, qr/could not be recorded/, 'says why');
ok($t->wait_for_log(qr/consent_log "\/dev\/full": write\(\) failed/, 5),
    'the error is logged');
$r = $t->http(method => 'GET', uri => '/consent/', port => 8081);
is($r->{status}, 200, 'and nginx keeps serving');

$r = post(8082, '{"action":"accept_all"}');
($rec) = lines('hashed.log');
like($rec->{ip}, qr/^h:[0-9a-f]{16}$/, 'consent_log_ip hash');

$r = post(8083, '{"action":"accept_all"}');
is($r->{status}, 200, 'consent_log off: decisions still work');

# rotation: a checkpoint closes the old file, the chain goes on

for (1 .. 20) {
    post(8080, '{"action":"accept_all"}');
    drain();
}

# one reopen for all three: two signals in a row raced with the renames
rename "$dir/consent.log", "$dir/consent.log.1" or die $!;
rename "$dir/private.log", "$dir/private.log.1" or die $!;
# as "logrotate create 0644" would leave it
rename "$dir/hashed.log", "$dir/hashed.log.1" or die $!;
$t->write_file('hashed.log', '', 0644);
$t->signal('USR1');
ok($t->wait_for_log(qr/reopening logs/, 5), 'reopen');
sleep 1;

# nginx would recreate them 0644
is(mode_of("$dir/consent.log"), '0640', 'the reopened file is 0640');
is(mode_of("$dir/private.log"), '0600', 'the reopened file keeps mode=0600');
is(mode_of("$dir/hashed.log"), '0640',
    'a file made 0644 by logrotate is tightened at the reopen');

for (1 .. 20) {
    post(8080, '{"action":"reject_all"}');
    drain();
}

my @old = all_lines('consent.log.1');
my @new = all_lines('consent.log');
ok(scalar(grep { $_->{type} eq 'checkpoint' && $_->{reason} eq 'reopen' }
    @old), 'a reopen checkpoint ends the old file');

# each file proves the notice on its own: a chain's first lines in the
# new file store the policy again
my %first;
for my $x (@new) {
    $first{$x->{chain}} //= $x;
}
ok(%first && !grep({ $_->{type} eq 'consent' } values %first),
    'after the reopen, every chain stores the policy again first');
is(scalar(grep { $_->{type} eq "consent" } @old, @new), 24 + 20,
    'no record lost');

my %last;
for my $x (@old) {
    $last{$x->{chain}} = $x->{seq};
}
my $linked = 0;
for my $x (@new) {
    next unless exists $last{$x->{chain}};
    $linked++ if $x->{seq} == $last{$x->{chain}} + 1;
    delete $last{$x->{chain}};
}
ok($linked >= 1, 'the new file goes on with the old chains');

# reload: old workers seal their chains

$t->reload();
ok($t->wait_for_log(qr/gracefully shutting down/, 5), 'reload');
sleep 1;
post(8080, '{"action":"accept_all"}');

my @all = (lines('consent.log.1'), lines('consent.log'));
ok(scalar(grep { $_->{type} eq 'checkpoint' && $_->{reason} eq 'stop' }
    @all), 'exiting workers write a stop checkpoint');

# what is refused

for my $bad ('mode=0644', 'mode=0604', 'mode=0400', 'mode=640x', 'mode=06400',
    'mode=', 'fast')
{
    my ($rc, $out) = $t->test_config(<<"EOF");
http {
    consent_keys $keys;
    consent_policy $policy;
    consent_log %%TESTDIR%%/bad.log $bad;
}
EOF
    isnt($rc, 0, "nginx -t refuses consent_log ... $bad");
    like($out, qr/\Q$bad\E.*nginx-test\.conf:\d+/,
        "... naming it and the line")
        or diag($out);
}

{
    my ($rc, $out) = $t->test_config(<<"EOF");
http {
    consent_keys $keys;
    consent_policy $policy;
    consent_log syslog:server=127.0.0.1:$udp_port mode=0600;
}
EOF
    isnt($rc, 0, 'mode= is refused for syslog');
    like($out, qr/is for files/, '... saying why') or diag($out);

    ($rc, $out) = $t->test_config(<<"EOF");
http {
    consent_keys $keys;
    consent_policy $policy;
    consent_log %%TESTDIR%%/two.log mode=0600;
    server { consent_log %%TESTDIR%%/two.log mode=0640; }
}
EOF
    isnt($rc, 0, 'one file, two modes: refused');
    like($out, qr/another mode/, '... saying why') or diag($out);
}

SKIP: {
    skip 'consent-audit not built', 6 unless -x $audit;

    my $out = `$audit verify --keys $keys $dir/consent.log.1 $dir/consent.log 2>&1`;
    is($? >> 8, 0, 'consent-audit verify --keys passes') or diag($out);

    # one changed byte anywhere is found
    my $s = $t->read_file('consent.log.1');
    $s =~ s/"granted":\["necessary"\]/"granted":["necessary","marketing"]/;
    $t->write_file('tampered.log', $s);
    $out = `$audit verify --keys $keys $dir/tampered.log $dir/consent.log 2>&1`;
    is($? >> 8, 1, 'a forged record fails verification');
    like($out, qr/tampered\.log:\d+:/, 'and is located') or diag($out);

    # what syslog received is a log of its own that verifies too
    drain();
    my @lines = (@stored, $got, @syslog);
    s/^.*? consent: // for @lines;
    ok(scalar(grep { /"type":"checkpoint".*"reason":"reopen"/ } @lines),
        'the reopen seals the syslog chains too');
    $t->write_file('syslog.log', join('', map { "$_\n" } @lines));
    ok(@lines > 20, 'syslog received every decision (' . @lines . ')');
    $out = `$audit verify --keys $keys $dir/syslog.log 2>&1`;
    is($? >> 8, 0, 'the syslog copy verifies with the keys') or diag($out);
    like($out, qr/^policies: 1 stored in the log/m,
        'the syslog copy stores the policy too') or diag($out);
}

done_testing();

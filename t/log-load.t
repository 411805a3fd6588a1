#!/usr/bin/perl

# The audit log under load: two workers, several clients posting 5,000
# choices at once, a log rotation and a reload in the middle.  Every
# decision is recorded exactly once, every record names a cookie that
# was issued, and the whole log verifies.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use Consent::Test;
use JSON::PP;
use POSIX ();
use Time::HiRes qw(sleep);

my $TOTAL = 5000;
my $CLIENTS = 5;

my $t = Consent::Test->new();
my $keys = $t->keyfile();
my $policy = $t->policy_file();
my $dir = $t->prefix;

my $audit = ($ENV{CONSENT_BUILD} // "$FindBin::Bin/../build")
    . '/consent-audit';

$t->config(<<"EOF");
worker_processes 2;

http {
    consent_keys $keys;
    consent_policy $policy;
    consent_log %%TESTDIR%%/consent.log;

    server {
        listen 127.0.0.1:%%PORT_8080%% backlog=1024;
        server_name localhost;

        location /consent/ { consent_endpoint; }
    }
}
EOF

$t->run();

my @bodies = (
    ['application/json', '{"action":"accept_all"}'],
    ['application/json', '{"action":"reject_all"}'],
    ['application/json', '{"action":"save","granted":["analytics"]}'],
    ['application/json', '{"granted":["preferences","marketing"]}'],
    ['application/json', '{"action":"withdraw"}'],
    ['application/x-www-form-urlencoded', 'action=accept_all&return=/a'],
    ['application/x-www-form-urlencoded',
        'action=save&granted=marketing&return=/b'],
    ['application/x-www-form-urlencoded', 'action=reject_all'],
);

my @pids;

for my $c (1 .. $CLIENTS) {
    my $pid = fork() // die "fork: $!";

    if ($pid == 0) {
        open my $out, '>', "$dir/client$c.ids" or POSIX::_exit(1);
        my $cookie;
        for my $i (1 .. $TOTAL / $CLIENTS) {
            my ($type, $body) = @{$bodies[($i + $c) % @bodies]};
            my $r = $t->http(method => 'POST', uri => '/consent/',
                headers => ['Content-Type' => $type,
                    defined $cookie && $i % 3 ? (Cookie => "consent=$cookie")
                        : ()],
                body => $body);
            my $v = cookie_value($r, 'consent') // '';
            my ($id) = $v =~ /^(?:[^.]*\.){5}([^.]+)\./;
            print {$out} "$r->{status} ", $id // '-', "\n";
            $cookie = $v if $v;
        }
        close $out;
        POSIX::_exit(0);
    }

    push @pids, $pid;
}

sub count_lines {
    my $n = 0;
    for my $f ("$dir/consent.log.1", "$dir/consent.log") {
        open my $fh, '<', $f or next;
        $n++ while <$fh>;
    }
    return $n;
}

# rotate at a third, reload at two thirds, while the clients go on

my $deadline = time + 120;

sleep 0.05 while count_lines() < $TOTAL / 3 && time < $deadline;
rename "$dir/consent.log", "$dir/consent.log.1" or die "rename: $!";
$t->signal('USR1');
note('rotated at ' . count_lines());

sleep 0.05 while count_lines() < 2 * $TOTAL / 3 && time < $deadline;
$t->reload();
note('reloaded at ' . count_lines());

waitpid($_, 0) for @pids;
is($?, 0, 'clients finished');

# let the old workers exit and seal their chains
$t->wait_for_log(qr/exit/, 5);
sleep 0.5;

my (%issued, %status);
for my $c (1 .. $CLIENTS) {
    open my $fh, '<', "$dir/client$c.ids" or die $!;
    while (<$fh>) {
        my ($st, $id) = split;
        $status{$st}++;
        $issued{$id}++ if $id ne '-';
    }
}

is_deeply(\%status, { 200 => $TOTAL * 5 / 8, 303 => $TOTAL * 3 / 8 },
    'every request answered, no 5xx');

my (%recorded, $records, $checkpoints, $policy_parts);
for my $f ("$dir/consent.log.1", "$dir/consent.log") {
    open my $fh, '<', $f or die "$f: $!";
    while (my $l = <$fh>) {
        my $rec = decode_json($l);
        if ($rec->{type} eq 'checkpoint') {
            $checkpoints++;
            next;
        }
        if ($rec->{type} eq 'policy') {
            $policy_parts++;
            next;
        }
        $records++;
        $recorded{$rec->{id}}++;
    }
}

is($records, $TOTAL, "exactly $TOTAL records");
ok($checkpoints >= 2, "checkpoints at rotation and reload ($checkpoints)");
ok($policy_parts, "the policy stored ($policy_parts parts)");
is_deeply(\%recorded, \%issued,
    'every record names an issued cookie, as often as it was issued');

SKIP: {
    skip 'consent-audit not built', 1 unless -x $audit;

    my $out = `$audit verify --keys $keys $dir/consent.log.1 $dir/consent.log 2>&1`;
    is($? >> 8, 0, 'the rotated log verifies with the keys') or diag($out);
}

done_testing();

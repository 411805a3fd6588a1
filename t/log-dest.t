#!/usr/bin/perl

# Destinations of consent_log that fail: a required one refuses the
# choice (503, no cookie) and the best-effort ones of the location get
# nothing; a best-effort one lets the choice through, counts the loss
# and says so at "error" once a minute.  A syslog server over UDP that is
# down never makes a choice fail (nginx's own syslog writer failed every
# other one: the ICMP answer to a datagram comes back as the error of
# the next send), and the first record after it comes back arrives.  A
# syslog unix socket that is recreated (the daemon restarted) is found
# again.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use Consent::Test;
use IO::Select;
use IO::Socket::INET;
use IO::Socket::UNIX;
use Socket qw(SOCK_DGRAM);
use JSON::PP;
use Time::HiRes qw(sleep);

my $t = Consent::Test->new();
my $keys = $t->keyfile();
my $policy = $t->policy_file();
my $dir = $t->prefix;

my $audit = ($ENV{CONSENT_BUILD} // "$FindBin::Bin/../build")
    . '/consent-audit';

# a UDP port nobody listens on (yet)
my $probe = IO::Socket::INET->new(Proto => 'udp', LocalAddr => '127.0.0.1',
    LocalPort => 0) or die "udp: $!";
my $udp_port = $probe->sockport;
close $probe;

my $sock = "$dir/collector.sock";
my $other = "$dir/other.sock";

$t->config(<<"EOF");
worker_processes 1;

http {
    consent_keys $keys;
    consent_policy $policy;

    server {
        listen 127.0.0.1:%%PORT_8080%%;
        consent_log %%TESTDIR%%/a.log;
        consent_log syslog:server=127.0.0.1:$udp_port,tag=consent;
        location /consent/ { consent_endpoint; }
    }

    server {
        listen 127.0.0.1:%%PORT_8081%%;
        consent_log /dev/full best_effort;
        consent_log %%TESTDIR%%/b.log;
        location /consent/ { consent_endpoint; }
    }

    server {
        listen 127.0.0.1:%%PORT_8082%%;
        consent_log %%TESTDIR%%/c.log best_effort;
        consent_log syslog:server=unix:$sock,tag=consent;
        location /consent/ { consent_endpoint; }
    }

    server {
        listen 127.0.0.1:%%PORT_8083%%;
        consent_log syslog:server=unix:$other best_effort;
        consent_log %%TESTDIR%%/d.log required;
        location /consent/ { consent_endpoint; }
    }

    server {
        listen 127.0.0.1:%%PORT_8084%%;
        consent_log %%TESTDIR%%/e.log best_effort;
        consent_log /dev/../dev/full;    # not the best-effort one above
        location /consent/ { consent_endpoint; }
    }
}
EOF

$t->run();

sub choice {
    my ($port) = @_;
    my $r = $t->http(method => 'POST', uri => '/consent/', port => $port,
        headers => ['Content-Type' => 'application/json'],
        body => '{"action":"accept_all"}');
    my $c = cookie_value($r, 'consent');
    my ($id) = $c ? $c =~ /^1\.\w+\.\d+\.\d+\.[0-9a-f]+\.([\w-]+)\./ : ();
    return ($r->{status}, $id);
}

sub records {
    my ($name) = @_;
    my $s = $t->read_file($name) // '';
    return grep { $_->{type} eq 'consent' }
        map { decode_json($_) } grep { length } split /\n/, $s;
}

my @raw;

sub received {
    my ($s) = @_;
    my (@got, $d);
    while (IO::Select->new($s)->can_read(0.5)) {
        $s->recv($d, 65536);
        $d =~ s/^[^{]*//;
        push @raw, $d;
        push @got, decode_json($d);
    }
    return grep { $_->{type} eq 'consent' } @got;
}

sub count_log {
    my ($re) = @_;
    return scalar(() = $t->error_log =~ /$re/g);
}

# a UDP syslog server that is down: every choice succeeds

my @status = map { (choice(8080))[0] } 1 .. 20;
is(scalar(grep { $_ == 200 } @status), 20,
    'UDP server down: every one of 20 choices succeeds') or diag("@status");
is(scalar(records('a.log')), 20, 'the local file has every record');
my $lost_re = qr/\[error\].*consent_log "syslog:server=127\.0\.0\.1:$udp_port,tag=consent" \(best_effort\): \d+ records? lost/;
is(count_log($lost_re), 1, 'the loss is reported once (a minute)')
    or diag($t->error_log);
is(count_log(qr/\[(?:error|alert|crit)\].*send\(\) failed/), 0,
    'and not once a record');

# it comes back: the first record after it arrives

my $udp = IO::Socket::INET->new(Proto => 'udp', LocalAddr => '127.0.0.1',
    LocalPort => $udp_port) or die "udp $udp_port: $!";
my @ids = map { (choice(8080))[1] } 1 .. 5;
my @got = received($udp);
is(join(' ', map { $_->{id} } @got), join(' ', @ids),
    'UDP server back: the five records arrive, the first one too');

SKIP: {
    skip 'consent-audit not built', 4 unless -x $audit;

    my $out = `$audit verify --keys $keys $dir/a.log 2>&1`;
    is($? >> 8, 0, 'the local file verifies') or diag($out);

    # the lost records left a gap in the chain of that copy: its 21st
    # record has the seq of the 21st of the file (each chain stores the
    # policy before its records, the file at once, syslog a few parts
    # a record)
    my @a = records('a.log');
    is($got[0]{seq}, $a[20]{seq}, 'the UDP copy goes on where the file does');
    $t->write_file('udp-copy.log', join('', map { "$_\n" } @raw));
    $out = `$audit verify --keys $keys $dir/udp-copy.log 2>&1`;
    is($? >> 8, 1, 'verify of the UDP copy fails') or diag($out);
    like($out, qr/starts at seq $a[20]{seq}, not 1/, '... the gap shows')
        or diag($out);
}

# a best-effort file that cannot be written

my ($st, $id) = choice(8081);
is($st, 200, 'best_effort /dev/full: the choice succeeds');
ok($id, '... with a cookie');
choice(8081) for 1 .. 3;
is(scalar(records('b.log')), 4, 'the required file has every record');
is(count_log(qr/\[error\].*consent_log "\/dev\/full" \(best_effort\): 1 record lost since this worker started/),
    1, 'the loss is reported, once') or diag($t->error_log);
is(count_log(qr/\[error\].*"\/dev\/full": write\(\) failed/), 0,
    'not each write');

# a required file that cannot be written: no best-effort copy either

($st, $id) = choice(8084);
is($st, 503, 'required full file: 503');
ok(!$id, '... and no cookie');
is(scalar(records('e.log')), 0,
    'the best-effort file of the location got nothing');

# a required syslog unix socket: absent, present, recreated

($st, $id) = choice(8082);
is($st, 503, 'required unix socket absent: 503');
ok(!$id, '... and no cookie');
is(scalar(records('c.log')), 0, '... and nothing in the best-effort file');

sub collector {
    unlink $sock;
    my $s = IO::Socket::UNIX->new(Type => SOCK_DGRAM, Local => $sock)
        or die "$sock: $!";
    chmod 0666, $sock;    # the workers run as nobody under root
    return $s;
}

my $col = collector();
($st, $id) = choice(8082);
is($st, 200, 'unix socket present: 200');
@got = received($col);
is(scalar(@got) && $got[0]{id}, $id, 'the record arrived');
is(scalar(records('c.log')), 1, 'and in the best-effort file');

# the daemon restarts: a new socket at the same path
close $col;
($st) = choice(8082);
is($st, 503, 'daemon stopped: 503');
$col = collector();
($st, $id) = choice(8082);
is($st, 200, 'daemon restarted: the new socket is found');
@got = received($col);
is(scalar(@got) && $got[0]{id}, $id, 'the record arrived');

# a best-effort unix socket that is absent

($st, $id) = choice(8083);
is($st, 200, 'best_effort unix socket absent: 200');
is(scalar(records('d.log')), 1, 'the required file has the record');
is(count_log(qr/\[error\].*consent_log "syslog:server=unix:\Q$other\E" \(best_effort\): 1 record lost/),
    1, 'the loss is reported');

# what nginx -t refuses

my @bad = (
    ["syslog:server=127.0.0.1:$udp_port required",
        qr/a syslog server over UDP cannot be "required"/],
    ["%%TESTDIR%%/x.log required best_effort", qr/is duplicate/],
    ["%%TESTDIR%%/x.log best_effort;\n    server { consent_log %%TESTDIR%%/x.log required; }",
        qr/is named elsewhere as best_effort/],
);

for my $b (@bad) {
    my ($rc, $out) = $t->test_config(<<"EOF");
http {
    consent_keys $keys;
    consent_policy $policy;
    consent_log $b->[0];
}
EOF
    isnt($rc, 0, "nginx -t refuses consent_log $b->[0]");
    like($out, $b->[1], '... saying why') or diag($out);
}

my ($rc, $out) = $t->test_config(<<"EOF");
http {
    consent_keys $keys;
    consent_policy $policy;
    consent_log syslog:server=127.0.0.1:$udp_port best_effort;
    consent_log syslog:server=unix:$sock required;
}
EOF
is($rc, 0, 'best_effort UDP and required unix socket accepted') or diag($out);
unlike($out, qr/every destination is best effort/, '... without a warning');

($rc, $out) = $t->test_config(<<"EOF");
http {
    consent_keys $keys;
    consent_policy $policy;
    consent_log syslog:server=127.0.0.1:$udp_port;
    consent_log %%TESTDIR%%/y.log best_effort;
}
EOF
is($rc, 0, 'only best-effort destinations: accepted');
like($out, qr/\[warn\] consent_log: every destination is best effort/,
    '... with a warning') or diag($out);

done_testing();

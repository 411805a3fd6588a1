#!/usr/bin/perl

# The reliable path to a central collector, end to end, with Debian's
# rsyslog and the shipped configuration (conf/rsyslog/): two nginx
# servers write their own audit log; on each, an rsyslog (imfile, a
# disk-assisted queue, RELP) forwards it to a collector rsyslog.  2,000
# choices; the collector is stopped in the middle and started again.
# Every line arrives exactly once, "consent-audit verify" passes on the
# collector's copy and "consent-audit compare" finds nothing missing.
#
# The rsyslog instances are our own: their own configuration, work
# directories and loopback port; the system's rsyslog is not touched.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use Consent::Test qw(random_secret);
use IO::Socket::INET;
use POSIX qw(:sys_wait_h);
use Time::HiRes qw(sleep time);

my $rsyslogd = $ENV{RSYSLOGD} // '/usr/sbin/rsyslogd';
my $moddir = '/usr/lib/x86_64-linux-gnu/rsyslog';
($moddir) = grep { -e "$_/imrelp.so" }
    ($moddir, glob('/usr/lib/*/rsyslog'), '/usr/lib/rsyslog');

plan(skip_all => "rsyslog not installed ($rsyslogd)") unless -x $rsyslogd;
plan(skip_all => 'rsyslog-relp not installed (imrelp, omrelp)')
    unless $moddir && -e "$moddir/omrelp.so";

my $audit = ($ENV{CONSENT_BUILD} // "$FindBin::Bin/../build")
    . '/consent-audit';
plan(skip_all => 'consent-audit not built') unless -x $audit;

my $conf_dir = "$FindBin::Bin/../conf/rsyslog";
my $N = $ENV{CONSENT_RSYSLOG_CHOICES} // 2000;

my $secret = random_secret(32);
my @srv = map { Consent::Test->new() } 0 .. 1;

for my $t (@srv) {
    my $keys = $t->keyfile(secret => $secret);
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
    }
}
EOF
    $t->run();
}

my $dir = $srv[0]->prefix;
my $keys = $srv[0]->path('consent.keys');

# a loopback port for RELP
my $probe = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
    LocalPort => 0, ReuseAddr => 1) or die "port: $!";
my $port = $probe->sockport;
close $probe;

sub slurp {
    my ($f) = @_;
    open my $fh, '<', $f or die "$f: $!";
    local $/;
    return scalar <$fh>;
}

sub spew {
    my ($f, $s) = @_;
    open my $fh, '>', $f or die "$f: $!";
    print $fh $s;
    close $fh;
}

# the shipped files, pointed at the test's paths and port

my $global = qq{global(workDirectory="%s" maxMessageSize="16k")\n}
    . qq{module(load="builtin:omfile")\n};

my $collected = "$dir/collected/consent.log";
my $col_conf = slurp("$conf_dir/consent-collector.conf");
$col_conf =~ s{port="2514"}{port="$port" address="127.0.0.1"} or die;
$col_conf =~ s{/var/log/consent/consent\.log}{$collected}g or die;
mkdir "$dir/collector-work";
spew("$dir/collector.conf",
    sprintf($global, "$dir/collector-work") . $col_conf);

my @fwd_conf;
for my $i (0, 1) {
    my $c = slurp("$conf_dir/consent-forward.conf");
    my $log = $srv[$i]->path('consent.log');
    $c =~ s{/var/log/nginx/consent\.log}{$log}g or die;
    $c =~ s{collector\.example\.net}{127.0.0.1}g or die;
    $c =~ s{port="2514"}{port="$port"} or die;
    $c =~ s{resumeInterval="5"}{resumeInterval="1"} or die;
    mkdir "$dir/forward$i-work";
    spew("$dir/forward$i.conf", sprintf($global, "$dir/forward$i-work") . $c);
    push @fwd_conf, "$dir/forward$i.conf";
}

my %pid;

sub start_rsyslog {
    my ($name, $conf) = @_;
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        open STDIN, '<', '/dev/null';
        open STDOUT, '>>', "$dir/$name.out";
        open STDERR, '>&', \*STDOUT;
        setpgrp(0, 0);
        exec($rsyslogd, '-n', '-f', $conf, '-i', "$dir/$name.pid",
            '-M', $moddir) or POSIX::_exit(127);
    }
    $pid{$name} = $pid;
    return $pid;
}

sub stop_rsyslog {
    my ($name) = @_;
    my $pid = delete $pid{$name} or return;
    kill 'TERM', $pid;
    my $deadline = time + 20;
    while (time < $deadline) {
        return 1 if waitpid($pid, WNOHANG) == $pid;
        sleep 0.05;
    }
    kill 'KILL', $pid;
    waitpid($pid, 0);
    return 0;
}

END {
    for my $name (keys %pid) {
        kill 'KILL', $pid{$name};
        waitpid($pid{$name}, 0);
    }
}

sub listening {
    my $deadline = time + 10;
    while (time < $deadline) {
        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
            PeerPort => $port, Proto => 'tcp');
        if ($s) {
            close $s;
            return 1;
        }
        sleep 0.05;
    }
    return 0;
}

start_rsyslog('collector', "$dir/collector.conf");
ok(listening(), 'the collector listens');
start_rsyslog("forward$_", $fwd_conf[$_]) for 0, 1;

sub choice {
    my ($i) = @_;
    my $t = $srv[$i % 2];
    my $r = $t->http(method => 'POST', uri => '/consent/',
        headers => ['Content-Type' => 'application/json'],
        body => $i % 3 ? '{"action":"accept_all"}'
                       : '{"action":"reject_all"}');
    return $r->{status};
}

my %status;
my ($stop_at, $start_at) = (int($N * 0.35), int($N * 0.65));

for my $i (1 .. $N) {
    if ($i == $stop_at) {
        ok(stop_rsyslog('collector'), "collector stopped after $i choices");
    }
    if ($i == $start_at) {
        start_rsyslog('collector', "$dir/collector.conf");
        ok(listening(), "collector started again after $i choices");
    }
    $status{ choice($i) }++;
}

is($status{200}, $N, "$N choices, every one answered 200")
    or diag(join ', ', map { "$_: $status{$_}" } sort keys %status);

# the servers stop: their workers' stop checkpoints go out too
$_->stop() for @srv;

my @local = map { $_->read_file('consent.log') } @srv;
my $want = join '', @local;
my $nlines = () = $want =~ /\n/g;
my $nrec = () = $want =~ /"type":"consent"/g;
is($nrec, $N, "the two servers' files hold $N records");

my $deadline = time + 60;
my $got = '';
while (time < $deadline) {
    $got = -e $collected ? slurp($collected) : '';
    last if (() = $got =~ /\n/g) >= $nlines;
    sleep 0.2;
}
sleep 1;    # anything more that would come
$got = -e $collected ? slurp($collected) : '';

my $ngot = () = $got =~ /\n/g;
is($ngot, $nlines, "the collector holds $nlines lines, as many as the servers")
    or diag(slurp("$dir/forward0.out") . slurp("$dir/collector.out"));

is(join("\n", sort split /\n/, $got), join("\n", sort split /\n/, $want),
    'every line arrived exactly once, byte for byte');

my $out = `$audit verify --keys $keys $collected 2>&1`;
is($? >> 8, 0, "consent-audit verify passes on the collector's copy")
    or diag($out);
like($out, qr/^OK/m, '... OK') or diag($out);

my @files = map { $_->path('consent.log') } @srv;
$out = `$audit compare --keys $keys -c $collected @files 2>&1`;
is($? >> 8, 0, 'consent-audit compare: nothing missing, nothing twice')
    or diag($out);

# and compare would have seen a loss at the end of a chain
my @lines = split /\n/, $got;
my ($last_rec) = grep { $lines[$_] =~ /"type":"consent"/ } reverse 0 .. $#lines;
splice @lines, $last_rec, 1;
spew("$dir/cut.log", join('', map { "$_\n" } @lines));
$out = `$audit compare -c $dir/cut.log @files 2>&1`;
is($? >> 8, 1, 'a record removed from the copy is found by compare')
    or diag($out);

for my $name (sort keys %pid) {
    ok(stop_rsyslog($name), "$name stopped");
}

my $errors = join '', map { -e "$dir/$_.out" ? slurp("$dir/$_.out") : '' }
    qw(collector forward0 forward1);
unlike($errors, qr/maxMessageSize|message too long|truncated/i,
    'no record was cut') or diag($errors);

done_testing();

#!/usr/bin/perl

# Completeness of a collector's copy: periodic checkpoints reach every
# destination, and "consent-audit compare" lists every record missing at
# the collector or in the servers' files, including a lost end of chain
# that "verify" of the copy cannot see.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use Consent::Test;
use IO::Select;
use IO::Socket::INET;
use IO::Compress::Gzip qw(gzip $GzipError);
use JSON::PP;
use Time::HiRes qw(sleep);

my $audit = ($ENV{CONSENT_BUILD} // "$FindBin::Bin/../build")
    . '/consent-audit';
plan(skip_all => 'consent-audit not built') unless -x $audit;

my $t = Consent::Test->new();
my $keys = $t->keyfile();
my $policy = $t->policy_file();
my $dir = $t->prefix;

my $udp = IO::Socket::INET->new(Proto => 'udp', LocalAddr => '127.0.0.1',
    LocalPort => 0) or die "udp: $!";
my $udp_port = $udp->sockport;

$t->config(<<"EOF");
worker_processes 2;

http {
    consent_keys $keys;
    consent_policy $policy;

    consent_log %%TESTDIR%%/consent.log checkpoint_records=10
                checkpoint_interval=1s;
    consent_log syslog:server=127.0.0.1:$udp_port,tag=consent
                checkpoint_records=10 checkpoint_interval=1s;

    server {
        listen 127.0.0.1:%%PORT_8080%%;
        location /consent/ { consent_endpoint; }
    }
}
EOF

$t->run();

sub choice {
    $t->http(method => 'POST', uri => '/consent/',
        headers => ['Content-Type' => 'application/json'],
        body => '{"action":"accept_all"}');
}

my @raw;

# read as a collector does, as the datagrams come (a policy stored in
# the log is a burst of them, more than a socket's buffer keeps)
sub collect {
    my ($wait) = @_;
    my $d;
    while (IO::Select->new($udp)->can_read($wait // 0.3)) {
        $udp->recv($d, 65536);
        push @raw, $d;
    }
}

sub lines {
    my ($s) = @_;
    return map { decode_json($_) } grep { length } split /\n/, $s;
}

sub audit {
    my (@args) = @_;
    my $out = `$audit @args 2>&1`;
    return ($? >> 8, $out);
}

# 33 choices; the records are sealed by the 10th of each chain and,
# for the rest, within a second

for (1 .. 33) {
    choice();
    collect(0);
}
sleep 2.5;
collect();

my @local = lines($t->read_file('consent.log'));
my @cps = grep { $_->{type} eq 'checkpoint' } @local;
is(scalar(grep { $_->{type} eq 'consent' } @local), 33, '33 records');
ok(scalar(grep { $_->{reason} eq 'periodic' && $_->{records} % 10 == 0 }
    @cps) >= 2, 'periodic checkpoints every 10 records of a chain');

my %last;
$last{ $_->{chain} } = $_ for @local;
is(scalar(grep { $_->{type} ne 'checkpoint' } values %last), 0,
    'the end of every chain is sealed by a checkpoint within the interval');

my @col = map { my $x = $_; $x =~ s/^[^{]*//; decode_json($x) } @raw;
ok(scalar(grep { $_->{type} eq 'checkpoint' && $_->{reason} eq 'periodic' }
    @col) >= 3, 'the syslog destination gets its periodic checkpoints');

$t->write_file('collected.log', join('', map { "$_\n" } @raw));

my ($rc, $out) = audit('compare', '--keys', $keys, '-c',
    "$dir/collected.log", "$dir/consent.log");
is($rc, 0, 'compare: the collector has everything') or diag($out);
like($out, qr/^OK: 33 consent records in 1 server file, every one at the collector \(33 in 1 file\)/m,
    '... and says so') or diag($out);

# the collector is paused: what it misses is listed, even at the end of
# each chain where "verify" of the copy sees nothing wrong

my $n_before = @raw;
choice() for 1 .. 7;
# what reaches it now is lost (the socket stays bound: closing it and
# binding the port again raced other tests for the port)
collect();
splice(@raw, $n_before);

# the copy as it was when the collector went away
# (the syslog header removed, as verify wants it)
$t->write_file('cut.log',
    join('', map { (my $x = $_) =~ s/^[^{]*//; "$x\n" } @raw[0 .. $n_before - 1]));

($rc, $out) = audit('verify', '--keys', $keys, "$dir/cut.log");
is($rc, 0, 'verify of the cut copy passes: it cannot see a lost tail')
    or diag($out);

($rc, $out) = audit('compare', '--keys', $keys, '-c', "$dir/cut.log",
    "$dir/consent.log");
is($rc, 1, 'compare fails') or diag($out);
is(scalar(() = $out =~ /: missing at the collector: /g), 7,
    'the seven records are listed') or diag($out);
like($out, qr/consent\.log:\d+: missing at the collector: \S+Z \w+ id [\w-]{22} \(chain \w{8} seq \d+\)/,
    'each with its place, time, action and id') or diag($out);
like($out, qr/^FAILED: 7 missing at the collector, 0 missing in the servers' files/m,
    'the summary') or diag($out);

# --since, --until: the comparison of one period

my @ts = sort map { $_->{ts} } grep { $_->{type} eq 'consent' }
    lines($t->read_file('consent.log'));
($rc, $out) = audit('compare', '--until', $ts[33], '-c', "$dir/cut.log",
    "$dir/consent.log");
is($rc, 0, '--until the first record the collector missed: OK')
    or diag($out);
like($out, qr/^OK: 33 consent records/m, '... 33 records compared')
    or diag($out);
($rc, $out) = audit('compare', '--since', $ts[33], '-c', "$dir/cut.log",
    "$dir/consent.log");
like($out, qr/^FAILED: 7 missing at the collector/m, '--since: the 7')
    or diag($out);
($rc, $out) = audit('compare', '--since', substr($ts[0], 0, 10),
    '--until', '2999-01-01T00:00Z', '-c', "$dir/cut.log", "$dir/consent.log");
like($out, qr/^FAILED: 7 missing/m, 'a date, and a time without seconds')
    or diag($out);
($rc) = audit('compare', '--since', 'yesterday', '-c', "$dir/cut.log",
    "$dir/consent.log");
is($rc, 2, 'a time it cannot read: usage error');

# --json

($rc, $out) = audit('--json', 'compare', '-c', "$dir/cut.log",
    "$dir/consent.log");
my $j = eval { decode_json($out) } // {};
ok(!$j->{ok} && @{ $j->{missing_at_collector} // [] } == 7
    && $j->{server_records} == 40, '--json') or diag($out);

# records the servers' files lack, twice at the collector, forged

my @loc = split /\n/, $t->read_file('consent.log');
my @rec = grep { /"type":"consent"/ } @loc;
my $extra = $rec[3];
my $cutlocal = join('', map { "$_\n" } grep { $_ ne $extra } @loc);
$t->write_file('local-cut.log', $cutlocal);
$t->write_file('copy.log', join('', map { "$_\n" } @loc, $rec[5]));

($rc, $out) = audit('compare', '-c', "$dir/copy.log", "$dir/local-cut.log");
is($rc, 1, 'a record edited out of the server file is found');
like($out, qr/copy\.log:\d+: missing in the servers' files: /,
    '... as missing in the servers\' files') or diag($out);
like($out, qr/copy\.log:\d+: duplicate at the collector: /,
    'a record twice at the collector is found') or diag($out);

(my $forged = $rec[6]) =~ s/"granted":\["necessary"/"granted":["necessary","x"/;
$t->write_file('forged.log',
    join('', map { "$_\n" } map { $_ eq $rec[6] ? $forged : $_ } @loc));
($rc, $out) = audit('compare', '--keys', $keys, '-c', "$dir/forged.log",
    "$dir/consent.log");
is($rc, 1, 'a forged record at the collector');
like($out, qr/forged\.log:\d+: (the HMAC does not verify|not a valid record)/,
    '... is not counted with --keys') or diag($out);
like($out, qr/consent\.log:\d+: missing at the collector/,
    '... so the real one is missing there') or diag($out);

# gzip, several files on each side, usage

my $gz;
gzip(\$cutlocal => \$gz) or die $GzipError;
$t->write_file('old.log.gz', $gz);
$t->write_file('one.log', join('', map { "$_\n" } @loc[0 .. 19]));
$t->write_file('two.log', join('', map { "$_\n" } @loc[20 .. $#loc]));
($rc, $out) = audit('compare', '-c', "$dir/one.log", '--collector',
    "$dir/two.log", "$dir/old.log.gz");
is($rc, 1, 'gzip and several collector files read');
like($out, qr/FAILED: 0 missing at the collector, 1 missing in the servers' files, 0 twice/,
    '... and compared') or diag($out);

($rc, $out) = audit('compare', "$dir/consent.log");
is($rc, 2, 'no collector: usage error');
like($out, qr/no collector's copy given/, '... said') or diag($out);
($rc) = audit('compare', '-c', "$dir/consent.log");
is($rc, 2, 'no server file: usage error');
($rc) = audit('compare', '--bogus', '-c', "$dir/a", "$dir/b");
is($rc, 2, 'unknown option: usage error');
($rc, $out) = audit('compare', '-c', "$dir/nothing.log", "$dir/consent.log");
is($rc, 3, 'an unreadable file: 3');
($rc, $out) = audit('help', 'compare');
like($out, qr/usage: consent-audit \[--json\] compare/, 'help compare');
($rc, $out) = audit('--help');
like($out, qr/compare  a collector's copy/, 'listed in the main help');

done_testing();

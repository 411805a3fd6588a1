#!/usr/bin/perl

# consent-audit, the auditor's tool, on fixture logs written here in Perl
# from the record format (docs/audit-log.md), independently of the C
# writer: every command, gzip and rotated input, each kind of tampering,
# bad input, exit codes.  No nginx needed.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use File::Temp qw(tempdir);
use Digest::SHA qw(hmac_sha256_hex sha256_hex);
use MIME::Base64 qw(encode_base64);
use IO::Compress::Gzip qw(gzip $GzipError);
use JSON::PP ();
use POSIX qw(strftime);
use Time::Local qw(timegm);

use Consent::Token qw(mint b64url);

my $BUILD = $ENV{CONSENT_BUILD} // "$FindBin::Bin/../build";
my $BIN = "$BUILD/consent-audit";

BAIL_OUT("$BIN is not built: run make") unless -x $BIN;

my $dir = tempdir('consent-audit-XXXXXXXX', TMPDIR => 1, CLEANUP => 1);
my $json = JSON::PP->new->utf8;

# ---------------------------------------------------------------------------
# the record format, in Perl

my $SECRET = join '', map { chr(($_ * 37 + 11) % 256) } 1 .. 32;
my $OTHER  = join '', map { chr(($_ * 53 + 7) % 256) } 1 .. 32;

sub logkey { Consent::Token::hkdf($_[0], 'ngx_http_consent log v1', 32) }

my $KEY = logkey($SECRET);

sub jstr {
    my ($s) = @_;
    $s =~ s/(["\\])/\\$1/g;
    $s =~ s/([\x00-\x1f])/sprintf('\\u%04x', ord $1)/ge;
    return qq{"$s"};
}

sub jarr { '[' . join(',', map { jstr($_) } @_) . ']' }

sub ts {
    my ($ms) = @_;
    return strftime('%Y-%m-%dT%H:%M:%S', gmtime int($ms / 1000))
        . sprintf('.%03dZ', $ms % 1000);
}

sub ms {
    my ($y, $mo, $d, $h, $mi) = @_;
    return timegm(0, $mi, $h, $d, $mo - 1, $y) * 1000;
}

sub chain_new {
    my ($hex) = @_;
    return { id => $hex, seq => 0, head => '0' x 64, records => 0 };
}

sub sign {
    my ($c, $body, $key) = @_;
    my $signed = "{$body";
    my $line = $signed . ',"hmac":"' . hmac_sha256_hex($signed, $key // $KEY)
        . '"}';
    $c->{head} = sha256_hex($line);
    return $line;
}

sub consent_line {
    my ($c, %r) = @_;
    $c->{seq}++;
    $c->{records}++;
    my $body = join ',',
        '"v":1', '"type":"consent"', '"ts":' . jstr(ts($r{ts})),
        '"chain":' . jstr($c->{id}), '"seq":' . $c->{seq},
        '"id":' . jstr($r{id}), '"action":' . jstr($r{action}),
        '"mechanism":' . jstr($r{mechanism}),
        '"revision":' . $r{revision},
        '"policy_sha256":' . jstr(sha256_hex("policy $r{revision}")),
        '"granted":' . jarr(@{ $r{granted} }),
        '"denied":' . jarr(@{ $r{denied} // [] }),
        '"gpc":' . ($r{gpc} ? 'true' : 'false'),
        '"lang":' . jstr($r{lang} // 'en'),
        '"host":' . jstr('news.example'),
        '"page":' . jstr($r{page} // '/article'),
        '"ua":' . jstr($r{ua} // 'Mozilla/5.0'),
        '"ip":' . jstr('203.0.113.0'), '"kid":"k1"',
        '"prev":' . jstr($c->{head});
    return sign($c, $body, $r{key});
}

sub checkpoint_line {
    my ($c, $ts, $reason) = @_;
    $c->{seq}++;
    my $body = join ',',
        '"v":1', '"type":"checkpoint"', '"ts":' . jstr(ts($ts)),
        '"chain":' . jstr($c->{id}), '"seq":' . $c->{seq},
        '"reason":' . jstr($reason), '"records":' . $c->{records},
        '"kid":"k1"', '"prev":' . jstr($c->{head});
    return sign($c, $body);
}

sub id_of { b64url($_[0] x 16) }

sub write_file {
    my ($name, @lines) = @_;
    my $path = "$dir/$name";
    open my $fh, '>:raw', $path or die "$path: $!";
    print $fh map { "$_\n" } @lines;
    close $fh;
    return $path;
}

sub write_raw {
    my ($name, $data) = @_;
    my $path = "$dir/$name";
    open my $fh, '>:raw', $path or die "$path: $!";
    print $fh $data;
    close $fh;
    return $path;
}

sub slurp {
    my ($path) = @_;
    open my $fh, '<:raw', $path or return '';
    local $/;
    return scalar <$fh>;
}

# the tool: exit status, signal, stdout, stderr
sub audit {
    my (@args) = @_;
    my ($out, $err) = ("$dir/stdout", "$dir/stderr");
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        open STDIN, '<', '/dev/null';
        open STDOUT, '>', $out or exit 126;
        open STDERR, '>', $err or exit 126;
        exec $BIN, @args or exit 127;
    }
    waitpid $pid, 0;
    return { rc => $? >> 8, sig => $? & 127, out => slurp($out),
             err => slurp($err) };
}

# ---------------------------------------------------------------------------
# the fixture: two chains (two workers) interleaved, two revisions

my $ID1 = id_of("\x11");
my $ID2 = id_of("\x22");
my $ID3 = id_of("\x33");
my $ID4 = "\xf8" x 16;                   # base64url starts with "-"
$ID4 = b64url($ID4);
my @ALL = qw(necessary analytics marketing);

my $A = chain_new('a' x 32);
my $B = chain_new('b' x 32);

my @log = (
    checkpoint_line($A, ms(2026, 11, 1, 9, 0), 'start'),
    checkpoint_line($B, ms(2026, 11, 1, 9, 0), 'start'),
    consent_line($A, ts => ms(2026, 11, 1, 10, 0), id => $ID1,
        action => 'grant', mechanism => 'accept_all', revision => 1,
        granted => [@ALL]),
    consent_line($B, ts => ms(2026, 11, 1, 11, 0), id => $ID2,
        action => 'reject', mechanism => 'reject_all', revision => 1,
        granted => ['necessary'], denied => [qw(analytics marketing)],
        gpc => 1, lang => 'de'),
    consent_line($A, ts => ms(2026, 11, 2, 9, 0), id => $ID3,
        action => 'grant', mechanism => 'save', revision => 1,
        granted => [qw(necessary analytics)], denied => ['marketing'],
        ua => qq{a,"quoted"\nua}),
    checkpoint_line($A, ms(2026, 11, 3, 0, 0), 'reopen'),
    consent_line($B, ts => ms(2026, 11, 9, 12, 0), id => $ID1,
        action => 'update', mechanism => 'save', revision => 2,
        granted => ['necessary'], denied => [qw(analytics marketing)],
        page => '/settings'),
    consent_line($A, ts => ms(2026, 11, 10, 8, 0), id => $ID1,
        action => 'withdraw', mechanism => 'withdraw', revision => 2,
        granted => ['necessary'], denied => [qw(analytics marketing)]),
    consent_line($B, ts => ms(2026, 12, 1, 0, 0) + 250, id => $ID4,
        action => 'grant', mechanism => 'api', revision => 2,
        granted => [@ALL], lang => 'fr',
        ua => q{=HYPERLINK("http://evil.example/","x")}),
    checkpoint_line($A, ms(2026, 12, 2, 0, 0), 'stop'),
    checkpoint_line($B, ms(2026, 12, 2, 0, 0), 'stop'),
);

my $keys = "$dir/consent.keys";
write_file('consent.keys', 'k1 ' . encode_base64($SECRET, ''));
chmod 0600, $keys;
my $wrongkeys = "$dir/wrong.keys";
write_file('wrong.keys', 'k1 ' . encode_base64($OTHER, ''));
chmod 0600, $wrongkeys;

my $log = write_file('consent.log', @log);

# ---------------------------------------------------------------------------
# verify

my $r = audit('verify', $log);
is $r->{rc}, 0, 'verify: intact log, exit 0' or diag $r->{out}, $r->{err};
my $summary = 'OK: 6 records, 5 checkpoints, 2 chains, '
    . '2026-11-01T09:00:00.000Z .. 2026-12-02T00:00:00.000Z';
like $r->{out}, qr/^\Q$summary\E/m,
    'verify: one summary line';
like $r->{out}, qr/HMACs not checked/, 'verify: says HMACs were not checked';

$r = audit('verify', '--keys', $keys, $log);
is $r->{rc}, 0, 'verify --keys: exit 0' or diag $r->{out}, $r->{err};
like $r->{out}, qr/11 HMACs verified/, 'verify --keys: every HMAC checked';

$r = audit('--json', 'verify', '--keys', $keys, $log);
is $r->{rc}, 0, 'verify --json: exit 0';
my $v = eval { $json->decode($r->{out}) };
ok $v, 'verify --json: valid JSON' or diag $r->{out};
is $v->{intact}, JSON::PP::true, 'verify --json: intact';
is $v->{records}, 6, 'verify --json: records';
is $v->{chains}, 2, 'verify --json: chains';
is_deeply $v->{problems}, [], 'verify --json: no problems';

# each tampering, located
sub tampered {
    my ($name, $expect_line, @lines) = @_;
    my $path = write_file("$name.log", @lines);
    for my $k ([], ['--keys', $keys]) {
        my $r = audit('verify', @$k, $path);
        my $with = @$k ? ' (keys)' : '';
        is $r->{rc}, 1, "verify $name$with: exit 1" or diag $r->{out};
        is $r->{sig}, 0, "verify $name$with: no crash";
        like $r->{out}, qr/^\Q$path\E:\d+: /m,
            "verify $name$with: FILE:LINE: message";
        like $r->{out}, qr/^\Q$path\E:$expect_line: /m,
            "verify $name$with: at line $expect_line" if defined $expect_line;
        like $r->{out}, qr/^FAILED: \d+ problems?/m,
            "verify $name$with: summary";
    }
}

{
    my @t = @log;
    $t[4] =~ s/"lang":"en"/"lang":"es"/ or die;
    tampered('changed', undef, @t);
    my $path = "$dir/changed.log";
    my $r = audit('verify', '--keys', $keys, $path);
    like $r->{out}, qr/^\Q$path\E:5: .*HMAC/mi,
        'changed byte: the HMAC fails at the line';
}

{
    my @t = @log;
    splice @t, 4, 1;
    tampered('deleted', 5, @t);
}

{
    my @t = @log;
    my $c = { %$A, seq => 2, head => sha256_hex($log[2]) };
    my $forged = consent_line($c, ts => ms(2026, 11, 1, 10, 30), id => $ID2,
        action => 'grant', mechanism => 'accept_all', revision => 1,
        granted => [@ALL], key => logkey($OTHER));
    splice @t, 4, 0, $forged;
    tampered('inserted', undef, @t);
}

{
    my @t = @log;
    splice @t, 5, 0, $t[4];
    tampered('duplicated', 6, @t);
}

{
    my @t = @log;
    @t[4, 7] = @t[7, 4];
    tampered('reordered', undef, @t);
}

{
    my $data = join('', map { "$_\n" } @log);
    chop $data;
    $data = substr($data, 0, length($data) - 40);
    my $path = write_raw('truncated.log', $data);
    for my $k ([], ['--keys', $keys]) {
        my $r = audit('verify', @$k, $path);
        is $r->{rc}, 1, 'verify truncated last line: exit 1';
        like $r->{out}, qr/^\Q$path\E:11: /m, 'truncated: at the last line';
    }
}

$r = audit('verify', '--keys', $wrongkeys, $log);
is $r->{rc}, 1, 'verify with the wrong key: exit 1';
my @hmac = $r->{out} =~ /^\Q$log\E:\d+: .*HMAC/mig;
is scalar(@hmac), 11, 'wrong key: an HMAC failure at every line';

# gzip and rotated files, oldest first
{
    my @p = (write_file('r.log.2', @log[0 .. 3]),
             write_file('r.log.1', @log[4 .. 7]),
             write_file('r.log', @log[8 .. 10]));
    gzip($p[0] => "$p[0].gz") or die $GzipError;
    unlink $p[0];
    $p[0] .= '.gz';

    $r = audit('verify', '--keys', $keys, @p);
    is $r->{rc}, 0, 'verify rotated files with a .gz, oldest first'
        or diag $r->{out}, $r->{err};
    like $r->{out}, qr/6 records.*3 files/, 'rotated: all records counted';

    $r = audit('verify', @p[1, 0, 2]);
    is $r->{rc}, 1, 'rotated files out of order: exit 1';

    $r = audit('verify', '--keys', $keys, @p[1, 2]);
    is $r->{rc}, 1, 'the oldest rotation missing: exit 1';
    $r = audit('verify', '--keys', $keys, '--partial', @p[1, 2]);
    is $r->{rc}, 0, 'the oldest rotation missing, --partial: exit 0'
        or diag $r->{out};

    gzip(\join('', map { "$_\n" } @log) => "$dir/whole.gz") or die;
    my $gz = slurp("$dir/whole.gz");
    write_raw('cut.gz', substr($gz, 0, int(length($gz) * 0.7)));
    $r = audit('verify', "$dir/cut.gz");
    is $r->{rc}, 1, 'truncated .gz: exit 1';
    like $r->{out}, qr/\Qcut.gz\E:\d+: .*(truncated|ends early)/,
        'truncated .gz: said so';
}

# bad input
{
    my $g = write_file('garbage.log', 'hello world', '{"v":1}', '', '[1,2]',
        $log[0]);
    $r = audit('verify', $g);
    is $r->{rc}, 1, 'garbage lines: exit 1';
    is $r->{sig}, 0, 'garbage lines: no crash';
    like $r->{out}, qr/^\Q$g\E:1: .*JSON/m, 'garbage: line 1 is not JSON';
    like $r->{out}, qr/^\Q$g\E:2: /m, 'garbage: line 2 reported';

    my $bin = write_raw('binary.log',
        join('', map { chr(($_ * 7919) % 256) } 0 .. 200_000));
    $r = audit('verify', $bin);
    is $r->{rc}, 1, 'binary file: exit 1';
    is $r->{sig}, 0, 'binary file: no crash';
    like $r->{out}, qr/^\Q$bin\E:1: binary data/m, 'binary file: clear message';

    my $bin2 = write_raw('image.png',
        join('', map { chr(1 + ($_ * 31) % 255) } 0 .. 50_000));
    $r = audit('verify', $bin2);
    is $r->{rc}, 1, 'binary file without NUL bytes: exit 1';
    like $r->{out}, qr/^\Q$bin2\E:1: binary data/m,
        'binary file without NUL bytes: one clear message';
    is scalar(() = $r->{out} =~ /^\Q$bin2\E:/mg), 1,
        'binary file: not one message per line';

    my $long = write_file('long.log', $log[0], 'x' x 100_000, $log[1]);
    $r = audit('verify', $long);
    is $r->{rc}, 1, 'a huge line: exit 1';
    like $r->{out}, qr/^\Q$long\E:2: line is 100000 bytes long/m,
        'a huge line: reported and skipped';

    $r = audit('verify', "$dir/no-such.log");
    is $r->{rc}, 3, 'missing file: exit 3';
    like $r->{err}, qr/no-such\.log: No such file/, 'missing file: message';
    is $r->{out}, '', 'missing file: nothing on stdout';

    $r = audit('verify', $dir);
    is $r->{rc}, 3, 'a directory: exit 3';

    $r = audit('verify', '--keys', "$dir/no-such.keys", $log);
    is $r->{rc}, 3, 'missing key file: exit 3';
}

# usage
for my $args ([], ['frobnicate'], ['verify'], ['verify', '--bogus', $log],
              ['stats', '--by', 'fortnight', $log],
              ['stats', '--since', 'yesterday', $log],
              ['export', '--format', 'xml', $log],
              ['report', $log], ['show', 'not-an-id', $log],
              ['show', '--cookie', 'x', $log],
              ['verify', '--keys'])
{
    my $r = audit(@$args);
    is $r->{rc}, 2, "usage error: exit 2 (@$args)";
    isnt $r->{err}, '', "usage error: a message (@$args)";
}

for my $cmd (qw(verify show stats export report)) {
    my $r = audit($cmd, '--help');
    is $r->{rc}, 0, "$cmd --help: exit 0";
    like $r->{out}, qr/usage: consent-audit \Q$cmd\E/, "$cmd --help: usage";
    like $r->{out}, qr/exit status/i, "$cmd --help: exit codes";
}
$r = audit('--help');
like $r->{out}, qr/oldest first/, '--help: rotated files oldest first';
like $r->{out}, qr/3\s+I\/O error/, '--help: exit codes documented';

# ---------------------------------------------------------------------------
# show

$r = audit('show', $ID1, $log);
is $r->{rc}, 0, 'show ID: exit 0' or diag $r->{out}, $r->{err};
like $r->{out}, qr/grant by accept_all.*update by save.*withdraw by withdraw/s,
    'show: every choice, oldest first';
like $r->{out}, qr/revision 2, sha256 ${\ sha256_hex('policy 2') }/,
    'show: the policy revision and hash';
like $r->{out}, qr/\/settings/, 'show: the page';
like $r->{out}, qr/3 records; the last choice is a withdraw/, 'show: summary';

$r = audit('--json', 'show', '--keys', $keys, $ID1, $log);
is $r->{rc}, 0, 'show --json: exit 0';
$v = eval { $json->decode($r->{out}) };
ok $v, 'show --json: valid JSON' or diag $r->{out};
is $v->{found}, 3, 'show --json: 3 records';
is_deeply [map { $_->{action} } @{ $v->{records} }],
    [qw(grant update withdraw)], 'show --json: actions';
is_deeply $v->{records}[0]{granted}, [@ALL], 'show --json: granted';
is $v->{records}[1]{line}, 7, 'show --json: line of each record';

$r = audit('show', id_of("\x44"), $log);
is $r->{rc}, 1, 'show: unknown id, exit 1';
like $r->{out}, qr/no record/, 'show: unknown id, said so';

# one id in 64 starts with '-': an operand, not an unknown option
like id_of("\xf8"), qr/^-[\w-]{21}$/, 'an id that starts with "-"';
$r = audit('show', id_of("\xf8"), $log);
is $r->{rc}, 0, 'show -ID: an id, not an option (found, exit 0)'
    or diag $r->{out}, $r->{err};
like $r->{out}, qr/^consent id \Q${\ id_of("\xf8") }\E$/m,
    'show -ID: its records';
$r = audit('show', '-Pj4-Pj4', $log);
is $r->{rc}, 2, 'show -X: not an id, an unknown option (exit 2)';

{
    my $issued = ms(2026, 11, 10, 8, 0) / 1000;
    my $cookie = mint(secret => $SECRET, kid => 'k1', issued => $issued,
        revision => 2, granted => 1, id => "\x11" x 16);

    $r = audit('show', '--cookie', $cookie, '--keys', $keys, $log);
    is $r->{rc}, 0, 'show --cookie: exit 0' or diag $r->{out}, $r->{err};
    like $r->{out}, qr/MAC\s+valid/, 'show --cookie: MAC verifies';
    like $r->{out}, qr/kid\s+k1/, 'show --cookie: kid';
    like $r->{out}, qr/issued\s+$issued \(2026-11-10T08:00:00\.000Z\)/,
        'show --cookie: issue time';
    like $r->{out}, qr/consent id \Q$ID1\E/, 'show --cookie: the id';
    like $r->{out}, qr/record of the cookie.*\Q$log\E:8/,
        'show --cookie: the record written when it was issued';

    unlike $r->{out}, qr/later record|WARNING/,
        'show --cookie: the last choice, matching';

    $r = audit('--json', 'show', '--cookie', $cookie, '--keys', $keys, $log);
    $v = eval { $json->decode($r->{out}) };
    ok $v && $v->{cookie}{mac_valid}, 'show --cookie --json: mac_valid';
    is $v->{cookie_record}{line}, 8, 'show --cookie --json: its record';
    is $v->{cookie_record}{matches}, JSON::PP::true,
        'show --cookie --json: the record agrees';

    my $first = mint(secret => $SECRET, kid => 'k1',
        issued => ms(2026, 11, 1, 10, 0) / 1000, revision => 1,
        granted => 7, id => "\x11" x 16);
    $r = audit('show', '--cookie', $first, '--keys', $keys, $log);
    is $r->{rc}, 0, 'show --cookie replaced later: exit 0';
    like $r->{out}, qr/2 later records of this id/,
        'show --cookie: later choices said';

    my $odd = mint(secret => $SECRET, kid => 'k1',
        issued => ms(2026, 11, 1, 10, 0) / 1000, revision => 1,
        granted => 1, id => "\x11" x 16);
    $r = audit('show', '--cookie', $odd, '--keys', $keys, $log);
    is $r->{rc}, 1, 'show --cookie not matching its record: exit 1';
    like $r->{out}, qr/WARNING: the cookie does not match/,
        'show --cookie: mismatch said';
    is $v->{cookie}{revision}, 2, 'show --cookie --json: revision';
    is_deeply $v->{cookie}{granted_bits}, [0], 'show --cookie --json: bits';

    (my $bad = $cookie) =~ s/^(1\.k1\.\d+\.2\.)1\./${1}7./ or die;
    $r = audit('show', '--cookie', $bad, '--keys', $keys, $log);
    is $r->{rc}, 1, 'show --cookie altered: exit 1';
    like $r->{out}, qr/INVALID/, 'show --cookie altered: INVALID';

    my $forged = mint(secret => $OTHER, kid => 'k1', issued => $issued,
        revision => 2, granted => 1, id => "\x11" x 16);
    $r = audit('show', '--cookie', $forged, '--keys', $keys, $log);
    is $r->{rc}, 1, 'show --cookie with another key: exit 1';

    $r = audit('show', '--cookie', 'consent=garbage', '--keys', $keys, $log);
    is $r->{rc}, 1, 'show --cookie garbage: exit 1';
    like $r->{out}, qr/INVALID: not a consent cookie/,
        'show --cookie garbage: said so';

    my $k9 = mint(secret => $SECRET, kid => 'k9', issued => $issued,
        revision => 2, granted => 1, id => "\x11" x 16);
    $r = audit('show', '--cookie', $k9, '--keys', $keys, $log);
    like $r->{out}, qr/key id is not in the key file/,
        'show --cookie: unknown kid';

    my $early = mint(secret => $SECRET, kid => 'k1', issued => $issued - 999,
        revision => 2, granted => 1, id => "\x11" x 16);
    $r = audit('show', '--cookie', $early, '--keys', $keys, $log);
    is $r->{rc}, 1, 'show --cookie without a record at its issue time: exit 1';
    like $r->{out}, qr/NO record/, 'show --cookie: missing record said';
}

# ---------------------------------------------------------------------------
# stats

$r = audit('--json', 'stats', $log);
is $r->{rc}, 0, 'stats: exit 0' or diag $r->{err};
$v = eval { $json->decode($r->{out}) };
ok $v, 'stats --json: valid JSON' or diag $r->{out};
my $t = $v->{totals};
is $t->{records}, 6, 'stats: records';
is_deeply [@{ $t->{actions} }{qw(grant update reject withdraw)}], [3, 1, 1, 1],
    'stats: per action';
is_deeply [@{ $t->{mechanisms} }{qw(accept_all reject_all save withdraw api)}],
    [1, 1, 2, 1, 1], 'stats: per mechanism';
is $t->{gpc}, 1, 'stats: gpc';
is_deeply [@{ $t->{categories}{analytics} }{qw(granted asked)}], [3, 6],
    'stats: analytics 3 of 6';
is_deeply [@{ $t->{categories}{marketing} }{qw(granted asked)}], [2, 6],
    'stats: marketing 2 of 6';
is $t->{categories}{necessary}{rate}, 1, 'stats: necessary 100%';
is_deeply [map { [$_->{revision}, $_->{counts}{records},
                  $_->{counts}{categories}{analytics}{granted}] }
           @{ $v->{revisions} }], [[1, 3, 2], [2, 3, 1]],
    'stats: per revision';
is_deeply $v->{revisions}[0]{policy_sha256}, [sha256_hex('policy 1')],
    'stats: the policy hash of a revision';
is_deeply { map { $_->{lang} => $_->{counts}{records} } @{ $v->{languages} } },
    { en => 4, de => 1, fr => 1 }, 'stats: per language';

$r = audit('--json', 'stats', '--by', 'week', $log);
$v = $json->decode($r->{out});
is_deeply [map { [$_->{period}, $_->{counts}{records}] } @{ $v->{periods} }],
    [['2026-W44', 2], ['2026-W45', 1], ['2026-W46', 2], ['2026-W49', 1]],
    'stats --by week: ISO weeks';

$r = audit('stats', '--json', '--by', 'month', $log);
$v = $json->decode($r->{out});
is_deeply [map { [$_->{period}, $_->{counts}{records}] } @{ $v->{periods} }],
    [['2026-11', 5], ['2026-12', 1]], 'stats --by month';

$r = audit('--json', 'stats', '--by', 'day', '--since', '2026-11-02',
    '--until', '2026-11-10', $log);
$v = $json->decode($r->{out});
is $v->{totals}{records}, 3, 'stats --since --until: a date is a whole day';
is scalar(@{ $v->{periods} }), 3, 'stats --by day: 3 days';

$r = audit('--json', 'stats', '--since', '2026-11-01T10:30:00Z',
    '--until', '2026-11-09T12:00:00.000Z', $log);
$v = $json->decode($r->{out});
is $v->{totals}{records}, 2, 'stats: --until a time is exclusive';

$r = audit('stats', '--by', 'month', $log);
is $r->{rc}, 0, 'stats text: exit 0';
like $r->{out}, qr/^consent records\s+6\b/m, 'stats text: records';
like $r->{out}, qr/analytics\s+3 \/ 6\s+50\.0%/, 'stats text: acceptance';
like $r->{out}, qr/^\s+2026-11\s+5\s/m, 'stats text: per month';

{
    my @t = @log;
    $t[4] =~ s/"lang":"en"/"lang":"es"/ or die;
    my $path = write_file('stats-tampered.log', @t);
    $r = audit('stats', $path);
    is $r->{rc}, 1, 'stats on a damaged log: exit 1';
    like $r->{err}, qr/NOT intact/, 'stats on a damaged log: said on stderr';
}

# ---------------------------------------------------------------------------
# export

$r = audit('export', '--format', 'csv', $log);
is $r->{rc}, 0, 'export csv: exit 0' or diag $r->{err};
my @rows = split /\r\n/, $r->{out}, -1;
is pop(@rows), '', 'export csv: CRLF after the last row';
is $rows[0], join(',', qw(ts id action mechanism revision policy_sha256
    granted denied gpc lang host page ua ip kid chain seq file line)),
    'export csv: header row';
like $r->{out}, qr/,"a,""quoted""\nua",/, 'export csv: RFC 4180 quoting';
like $r->{out}, qr/,"'=HYPERLINK\(""http:\/\/evil\.example\/"",""x""\)",/,
    'export csv: formula injection neutralised';
like $r->{out}, qr/\r\n2026-12-01T00:00:00\.250Z,'-/,
    'export csv: an id starting with - is quoted too';
like $r->{out}, qr/,necessary analytics marketing,,0,en,/,
    'export csv: category lists';
my $n = () = $r->{out} =~ /^2026-/mg;
is $n, 6, 'export csv: one row per consent record';

$r = audit('export', '--format', 'json', $log);
is $r->{rc}, 0, 'export json: exit 0';
my @j = map { $json->decode($_) } split /\n/, $r->{out};
is scalar(@j), 6, 'export json: 6 lines';
is $j[5]{ua}, q{=HYPERLINK("http://evil.example/","x")},
    'export json: values exactly as logged';
is $j[5]{id}, $ID4, 'export json: id';
is_deeply $j[1]{denied}, [qw(analytics marketing)], 'export json: denied';
is $j[1]{gpc}, JSON::PP::true, 'export json: gpc';
is $j[2]{ua}, qq{a,"quoted"\nua}, 'export json: escapes';

$r = audit('--json', 'export', '--since', '2026-11-09', $log);
is scalar(split /\n/, $r->{out}), 3, 'export --json --since';

# ---------------------------------------------------------------------------
# report

{
    my $html = "$dir/report.html";
    my @t = @log;
    # a hostile value reaches the report through the language table
    my $c = chain_new('c' x 32);
    push @t, consent_line($c, ts => ms(2026, 11, 5, 0, 0), id => $ID2,
        action => 'grant', mechanism => 'save', revision => 1,
        granted => ['necessary'], lang => '<img src=x>');
    my $path = write_file('report.log', @t);

    $r = audit('report', '--html', $html, '--keys', $keys, $path);
    is $r->{rc}, 0, 'report: exit 0' or diag $r->{out}, $r->{err};
    ok -s $html, 'report: file written';
    my $h = slurp($html);
    like $h, qr/^<!DOCTYPE html>/, 'report: an HTML document';
    like $h, qr/<svg/, 'report: SVG charts';
    like $h, qr/<style>/, 'report: inline CSS';
    unlike $h, qr/\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i,
        'report: nothing loaded from elsewhere';
    unlike $h, qr/<script|<link|<img/i, 'report: no script, link, or img';
    like $h, qr/&lt;img src=x&gt;/, 'report: log values escaped';
    like $h, qr/INTACT/, 'report: the verdict';
    like $h, qr/${\ sha256_hex('policy 1') }/, 'report: policy hashes';
    like $h, qr/<rect [^>]*fill="#009e73"><title>/, 'report: bars drawn';

    my @b = @t;
    splice @b, 4, 1;
    my $bad = write_file('report-bad.log', @b);
    $r = audit('report', '--html', $html, $bad);
    is $r->{rc}, 1, 'report on a damaged log: exit 1';
    $h = slurp($html);
    like $h, qr/NOT INTACT/, 'report: damaged verdict';
    like $h, qr/\Qreport-bad.log\E:\d+: /, 'report: problems listed';

    $r = audit('report', '--html', "$dir/no-such-dir/r.html", $path);
    is $r->{rc}, 3, 'report: unwritable output, exit 3';
}

# standard input
{
    my $pid = open(my $to, '|-') // die;
    if ($pid == 0) {
        open STDOUT, '>', "$dir/stdin.out";
        exec $BIN, 'verify', '-' or exit 127;
    }
    print $to map { "$_\n" } @log;
    close $to;
    is $? >> 8, 0, 'verify -: reads standard input';
}

done_testing();

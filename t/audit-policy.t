#!/usr/bin/perl

# Proof of what the visitor was shown: the log stores the policy (signed,
# chained "policy" records) once per chain before the records naming it
# and again after a reopen; consent-audit verify checks it against the
# hash the records carry; show prints the notice as the banner served by
# nginx showed it; report lists every revision with its texts; export
# --format iso27560 writes ISO/IEC TS 27560 records; stats counts the
# consent rates of a known mix exactly.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use Consent::Test;
use Compress::Zlib qw(compress uncompress);
use Digest::SHA qw(sha256_hex);
use MIME::Base64 qw(encode_base64url decode_base64url);
use JSON::PP;

my $audit = ($ENV{CONSENT_BUILD} // "$FindBin::Bin/../build")
    . '/consent-audit';
plan(skip_all => 'consent-audit not built') unless -x $audit;

my $t = Consent::Test->new();
my $keys = $t->keyfile();
my $policy = $t->policy_file();
my $dir = $t->prefix;

$t->write_file('html/index.html', <<'HTML');
<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>News</title></head>
<body><p>Story.</p></body>
</html>
HTML

$t->config(<<"EOF");
worker_processes 2;

http {
    include /etc/nginx/mime.types;

    consent_keys $keys;
    consent_policy $policy;
    consent_log %%TESTDIR%%/consent.log;

    server {
        listen 127.0.0.1:%%PORT_8080%%;
        server_name localhost;
        root %%TESTDIR%%/html;

        consent on;

        location /consent/ { consent_endpoint; }
    }
}
EOF

$t->run();

my $json = JSON::PP->new->utf8->canonical;

sub choose {
    my ($body, %h) = @_;
    my $r = $t->http(method => 'POST', uri => '/consent/',
        headers => ['Content-Type' => 'application/json',
            map { ($_ => $h{$_}) } sort keys %h],
        body => $body);
    my $c = cookie_value($r, 'consent');
    my ($id) = $c ? $c =~ /^(?:[^.]*\.){5}([^.]+)\./ : ();
    return ($r->{status}, $id, $c);
}

sub all_lines {
    my ($name) = @_;
    my $s = $t->read_file($name) // '';
    return map { $json->decode($_) } grep { length } split /\n/, $s;
}

sub audit {
    my (@args) = @_;
    my $out = `$audit @args 2>&1`;
    return ($? >> 8, $out);
}

# a known mix: 3 accept all (en), 2 reject all (es, one with GPC), one
# saved with analytics only (de), then that one withdrawn

my @mix = (
    ['{"action":"accept_all"}', 'Accept-Language' => 'en'],
    ['{"action":"accept_all"}', 'Accept-Language' => 'en'],
    ['{"action":"accept_all"}', 'Accept-Language' => 'en-GB'],
    ['{"action":"reject_all"}', 'Accept-Language' => 'es'],
    ['{"action":"reject_all"}', 'Accept-Language' => 'es', 'Sec-GPC' => '1'],
    ['{"granted":["analytics"]}', 'Accept-Language' => 'de'],
);

my (@ids, $cookie);
for my $m (@mix) {
    my ($st, $id, $c) = choose(@$m);
    is($st, 200, "choice $m->[0] ($m->[2])");
    push @ids, $id;
    $cookie = $c;
}
my $r = $t->http(method => 'DELETE', uri => '/consent/',
    headers => [Cookie => "consent=$cookie"]);
is($r->{status}, 200, 'withdrawal');

# the policy is stored once per chain, whole, before its records

my @lines = all_lines('consent.log');
my %chain;
for my $x (@lines) {
    push @{ $chain{ $x->{chain} } }, $x;
}

my $src = $t->read_file('policy.json');
my $sha = sha256_hex($src);
my $ok = 1;
for my $c (keys %chain) {
    my @l = @{ $chain{$c} };
    my @p = grep { $_->{type} eq 'policy' } @l;
    my $n = $p[0]{parts};
    my $first = (grep { $l[$_]{type} eq 'consent' } 0 .. $#l)[0];
    $ok &&= @p == $n && $first == $n
        && join(',', map { $_->{part} } @p) eq join(',', 1 .. $n)
        && !grep { $_->{policy_sha256} ne $sha || $_->{revision} != 1 } @p;
    my $packed = join '', map { decode_base64url($_->{data}) } @p;
    $ok &&= uncompress($packed) eq $src;
}
ok(%chain && $ok,
    'each chain stores the policy once, whole, before its first record, '
    . 'and it is the policy file byte for byte');
ok(!grep({ $_->{type} eq 'policy' && length($json->encode($_)) > 8192 }
    @lines), 'no line is longer than a record can be');

my ($rc, $out) = audit('verify', '--keys', $keys, "$dir/consent.log");
is($rc, 0, 'verify --keys passes') or diag($out);
unlike($out, qr/does not store/, 'without a note of a missing policy')
    or diag($out);
like($out, qr/^policies: 1 stored in the log \(\d+ policy records\), each hashing to the policy_sha256 of its records$/m,
    'and says the policy is proven') or diag($out);

# show: the notice as the banner served by nginx showed it

# the visible text of the banner, read independently of the C code: a
# line for each block element, entities decoded, white space collapsed
sub banner_text {
    my ($html) = @_;
    my ($b) = $html =~ m{(<div id="consent-banner".*?</form>\n</div>)}s
        or return '';
    my $attr = qr/(?:[^>"']|"[^"]*"|'[^']*')*/;
    $b =~ s/[ \t\r\n\f]+/ /g;
    $b =~ s{<(?:script|style|template)\b$attr>.*?</(?:script|style|template)>}{}gis;
    $b =~ s{</?(?:div|p|h[1-6]|label|button|form|ul|ol|li|br|dialog|section|fieldset|legend|table|tr|td|th)\b$attr>}{\n}gi;
    $b =~ s{<$attr>}{}g;
    my %ent = (amp => '&', lt => '<', gt => '>', quot => '"', apos => "'");
    $b =~ s/&(amp|lt|gt|quot|apos);/$ent{$1}/g;
    $b =~ s/&#x([0-9a-f]+);/chr(hex $1)/gie;
    $b =~ s/&#([0-9]+);/chr($1)/ge;
    my @l = grep { length } map { s/^ +| +$//gr } split /\n/, $b;
    return join('', map { "$_\n" } @l);
}

sub show_text {
    my ($o) = @_;
    my ($block) = $o =~ /notice    as the banner showed it[^\n]*\n((?:      \| [^\n]*\n)+)/
        or return '';
    $block =~ s/^      \| //mg;
    return $block;
}

for my $case (['es', 1, $ids[4]], ['de', 0, $ids[5]], ['en', 0, $ids[0]]) {
    my ($lang, $gpc, $id) = @$case;
    my $page = $t->http(uri => '/', headers => ['Accept-Language' => $lang,
        $gpc ? ('Sec-GPC' => '1') : ()]);
    my $served = banner_text($page->{body});
    ok(length $served, "nginx serves a banner in $lang");
    ($rc, $out) = audit('show', '--keys', $keys, $id, "$dir/consent.log");
    is($rc, 0, "show $lang") or diag($out);
    my $shown = show_text($out);
    # bytes on both sides
    utf8::encode($served) if utf8::is_utf8($served);
    is($shown, $served, "show prints the notice exactly as nginx served "
        . "it ($lang" . ($gpc ? ', GPC' : '') . ')');
}
like($out, qr/revision 1, language en, from the policy stored in the log/,
    'show says where the notice comes from');

($rc, $out) = audit('show', '--json', '--keys', $keys, $ids[3],
    "$dir/consent.log");
my $sj = eval { $json->decode($out) };
ok($sj && $sj->{records}[0]{notice}{stored}, 'show --json: the notice');
ok($sj && grep({ /Rechazar todo|Rechazar/ } @{ $sj->{records}[0]{notice}{text} }),
    '... in the visitor\'s language') or diag($out);

# report: every revision with its texts

($rc, $out) = audit('report', '--html', "$dir/report.html", '--keys', $keys,
    "$dir/consent.log");
is($rc, 0, 'report') or diag($out);
my $html = $t->read_file('report.html');
like($html, qr/<h2>Notices stored in the log<\/h2>/, 'a section for the notices');
like($html, qr/<h3>Revision 1<\/h3>\s*<p class="hash">$sha/, 'the revision and its hash');
my $nlangs = () = $html =~ /<details><summary>/g;
my $pol = $json->decode($src);
is($nlangs, scalar(keys %{ $pol->{texts} }), 'its texts in every language');

# export --format iso27560

($rc, $out) = audit('export', '--format', 'iso27560', "$dir/consent.log");
is($rc, 0, 'export --format iso27560') or diag($out);
my @iso = map { eval { $json->decode($_) } } split /\n/, $out;
is(scalar(@iso), 7, 'one valid JSON object a consent record');
my ($w) = grep { $_->{pii_principal_id} eq $ids[5] } @iso;
my %want = map { $_ => 1 } qw(schema_version record_id pii_principal_id
    privacy_notice language purposes pii_controllers jurisdiction
    storage_locations retention_period recipient_third_parties
    collection_method withdrawal_method events evidence);
is_deeply({ map { $_ => 1 } keys %$w }, \%want, 'the documented fields');
is($w->{schema_version}, 'ISO/IEC TS 27560:2023', 'schema_version');
like($w->{record_id}, qr/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    'record_id: a UUID');
is($w->{privacy_notice}{sha256}, $sha, 'the notice by its hash');
ok($w->{privacy_notice}{stored_in_log}, '... stored in the log');
is($w->{language}, 'de', 'language');
my %g = map { $_->{purpose_id} => $_->{granted} } @{ $w->{purposes} };
ok($g{analytics} && !$g{marketing} && $g{necessary}, 'purposes granted and not');
my ($an) = grep { $_->{purpose_id} eq 'analytics' } @{ $w->{purposes} };
ok(length($an->{purpose}) && $an->{lawful_basis} eq 'consent'
    && $an->{pii_optional}, 'a purpose in the visitor\'s language');
is($w->{events}[0]{event_state}, 'given', 'event_state');
my ($days) = ($pol->{max_age} // '182d') =~ /^(\d+)d$/;
is($w->{events}[0]{validity_duration}, "P${days}D",
    'validity_duration: the policy\'s max_age');
my ($wd) = grep { $_->{events}[0]{action} eq 'withdraw' } @iso;
is($wd && $wd->{events}[0]{event_state}, 'withdrawn', 'a withdrawal');
my ($gp) = grep { $_->{events}[0]{signals}{gpc} } @iso;
is($gp && $gp->{pii_principal_id}, $ids[4], 'the GPC signal');

# stats: the rates of the known mix, exactly

($rc, $out) = audit('stats', '--json', "$dir/consent.log");
is($rc, 0, 'stats') or diag($out);
my $st = eval { $json->decode($out) };
my $rt = $st && $st->{rates};
is_deeply($rt && $rt->{all},
    { choices => 7, accepted_all => 3, refused_all => 3, some => 1 },
    'all: 3 accepted all, 2 rejected and 1 withdrawn, 1 chose some');
is_deeply($rt && $rt->{with_gpc},
    { choices => 1, accepted_all => 0, refused_all => 1, some => 0 }, 'with GPC');
is_deeply($rt && $rt->{actions},
    { grant => 4, update => 0, reject => 2, withdraw => 1, other => 0 },
    'by action');
my %cat = map { $_->{category} => $_ } @{ $rt ? $rt->{categories} : [] };
is_deeply([$cat{analytics}{granted}, $cat{analytics}{refused}], [4, 3],
    'analytics: 4 granted, 3 refused');
is_deeply([$cat{marketing}{granted}, $cat{marketing}{refused}], [3, 4],
    'marketing: 3 granted, 4 refused');
my %lang = map { ($_->{lang} // '') => $_->{choices} } @{ $rt ? $rt->{languages} : [] };
is_deeply($lang{es}, { choices => 2, accepted_all => 0, refused_all => 2,
    some => 0 }, 'per language: es');
is($lang{en}{accepted_all}, 3, 'per language: en');
is($rt && $rt->{banners_shown}, undef, 'banners shown: not in the log');
($rc, $out) = audit('stats', "$dir/consent.log");
like($out, qr/consent_status endpoint/, 'the text says where they are');

# a reopen: the new file stores the policy again and stands alone

rename "$dir/consent.log", "$dir/consent.log.1" or die $!;
$t->signal('USR1');
ok($t->wait_for_log(qr/reopening logs/, 5), 'reopen');
sleep 1;
choose('{"action":"accept_all"}') for 1 .. 4;
($rc, $out) = audit('verify', '--keys', $keys, '--partial', "$dir/consent.log");
is($rc, 0, 'the new file verifies alone') or diag($out);
unlike($out, qr/does not store/, '... with its policy in it') or diag($out);
my @new = all_lines('consent.log');
my %first;
$first{ $_->{chain} } //= $_ for @new;
ok(%first && !grep({ $_->{type} ne 'policy' || $_->{part} != 1 } values %first),
    'each chain of the new file begins with the policy');

# a tampered policy record fails verify

my $log = $t->read_file('consent.log.1');
(my $bad = $log) =~ s/("type":"policy".*?"data":"[^"]{10})(.)/$1 . ($2 eq 'A' ? 'B' : 'A')/e;
$t->write_file('tampered.log', $bad);
($rc, $out) = audit('verify', '--keys', $keys, "$dir/tampered.log");
is($rc, 1, 'a changed byte in a policy record fails verify') or diag($out);
like($out, qr/HMAC does not verify/, '... its HMAC') or diag($out);

# a policy re-signed into the chain whose text is not the one hashed:
# the chain is rebuilt (verify without --keys cannot tell), but the
# stored policy does not hash to its policy_sha256

sub forge {
    my ($text) = @_;
    my @l = grep { length } split /\n/, $log;
    my ($c) = map { $json->decode($_)->{chain} }
        grep { /"type":"policy"/ } @l;
    my @mine = grep { $json->decode($l[$_])->{chain} eq $c } 0 .. $#l;
    my @pp = grep { $l[$_] =~ /"type":"policy"/ } @mine;
    my $packed = compress($text);
    my @parts = unpack('(a4096)*', $packed);
    return undef unless @parts == @pp;
    for my $i (0 .. $#pp) {
        my $d = encode_base64url($parts[$i]);
        $l[$pp[$i]] =~ s/"data":"[^"]*"/"data":"$d"/;
    }
    # relink the chain after the first changed line
    for my $k (1 .. $#mine) {
        my $prev = sha256_hex($l[$mine[$k - 1]]);
        $l[$mine[$k]] =~ s/"prev":"[0-9a-f]{64}"/"prev":"$prev"/;
    }
    return join('', map { "$_\n" } @l);
}

# a log written before the module stored policies: the same records
# without the policy lines, the chains linked again

{
    my @l = grep { length && !/"type":"policy"/ } split /\n/, $log;
    my (%last, @out);
    for my $line (@l) {
        my ($c) = $line =~ /"chain":"(\w+)"/;
        my $prev = exists $last{$c} ? sha256_hex($last{$c}) : '0' x 64;
        $line =~ s/"seq":\d+/'"seq":' . (++$last{"$c#"})/e;
        $line =~ s/"prev":"[0-9a-f]{64}"/"prev":"$prev"/;
        $last{$c} = $line;
        push @out, $line;
    }
    $t->write_file('old.log', join('', map { "$_\n" } @out));
    ($rc, $out) = audit('verify', "$dir/old.log");
    is($rc, 0, 'a log without policies still verifies') or diag($out);
    like($out, qr/^note: 7 consent records name policy \Q${\ substr($sha, 0, 12)}\E \(revision 1\), which the log does not store/m,
        '... with a note') or diag($out);
    ($rc, $out) = audit('show', $ids[0], "$dir/old.log");
    like($out, qr/notice    not stored in this log/,
        'show says the notice is not in the log') or diag($out);
}

my $other = $src =~ s/"Accept all"/"Accept ALL"/r;
isnt($other, $src, 'another notice of the same length');
my $forged = forge($other);
SKIP: {
    skip 'the other policy packs into another number of parts', 3
        unless defined $forged;
    $t->write_file('forged.log', $forged);
    ($rc, $out) = audit('verify', "$dir/forged.log");
    is($rc, 1, 'a stored policy whose hash differs fails verify')
        or diag($out);
    like($out, qr/hashes to \w+, not to its policy_sha256 \Q${\ substr($sha, 0, 12)}\E \(revision 1\): its text was altered/,
        '... saying so') or diag($out);
    ($rc, $out) = audit('show', $ids[0], "$dir/forged.log");
    like($out, qr/notice    not stored in this log/,
        'show does not print an unproven notice') or diag($out);
}

done_testing();

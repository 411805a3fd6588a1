#!/usr/bin/perl

# consent_tcf bridge: the visitor's consent is the euconsent-v2 cookie
# (and Google's addtl_consent) that the operator's certified CMP sets;
# the policy's "tcf" section maps TCF purposes, special features,
# vendors and Google ATPs to categories.  TC strings here are written by
# IAB's own @iabtechlabtcf/core (t/lib/tcf.mjs), not by the module.
# Gating, consent_require and the variables follow the TC string; the
# module's banner is not shown; nginx -t refuses a bad "tcf" section or
# a bridge without one.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use Consent::Test;
use Digest::SHA ();
use JSON::PP ();
use MIME::Base64 ();

my $node = $ENV{NODE} || 'node';

ok(-f "$FindBin::Bin/../node_modules/\@iabtechlabtcf/core/package.json",
   '@iabtechlabtcf/core is installed')
    or BAIL_OUT('node_modules/@iabtechlabtcf/core is missing: run "npm ci"');

my $t = Consent::Test->new();
my $keys = $t->keyfile();

my %tcf = (
    analytics => { purposes => [1, 8, 9] },
    marketing => { purposes => [1, 2, 3, 4], special_features => [1],
                   vendors => [755], google_atps => [89] },
);

my $policy = $t->policy_file(modify => sub { $_[0]{tcf} = \%tcf });
my $plain = $t->policy_file(file => 'plain.json');

$t->write_file('html/collect', "collected\n");
$t->write_file('html/ads', "ads\n");
$t->write_file('html/page.html', <<'EOF');
<!doctype html>
<html><head><title>t</title>
<script async src="https://www.googletagmanager.com/gtag/js?id=G-1"></script>
</head><body>
<p>article</p>
<img height="1" width="1" src="https://www.facebook.com/tr?id=1">
</body></html>
EOF

my $conf = <<"EOF";
http {
    consent_keys $keys;
    consent_policy %%POLICY%%;
    consent_log %%TESTDIR%%/consent.log;

    server {
        listen 127.0.0.1:%%PORT_8080%%;
        server_name localhost;
        root %%TESTDIR%%/html;
        default_type text/html;

        consent_tcf bridge;
        consent on;

        add_header X-Consent "\$consent_state|\$consent_categories|\$consent_tcf_purposes|\$consent_tcf_vendor_755|\$consent_tcf_vendor_1" always;
        add_header X-Consent-Id "\$consent_id" always;

        location /consent/ { consent_endpoint; }
        location = /collect { consent_require analytics; }
        location = /ads { consent_require marketing; }
        location = /tcf-record { consent_tcf_record; }
    }
}
EOF

(my $good = $conf) =~ s/%%POLICY%%/$policy/;
$t->config($good);
$t->run();

# TC strings by @iabtechlabtcf/core: one JSON state a line in, one out

my $now = int(time() * 10);

sub tc {
    my (%f) = @_;
    my %s = (
        created => $now, lastUpdated => $now, cmpId => 300,
        cmpVersion => 1, consentLanguage => 'EN', vendorListVersion => 100,
        policyVersion => 5, isServiceSpecific => JSON::PP::true,
        publisherCountryCode => 'DE', vendorsDisclosed => [1, 755],
        %f,
    );
    return JSON::PP->new->canonical->encode(\%s);
}

my %states = (
    all => tc(purposeConsents => [1 .. 11], specialFeatureOptins => [1],
              vendorConsents => [1, 755]),
    analytics => tc(purposeConsents => [1, 8, 9, 10],
                    vendorConsents => [755]),
    no_vendor => tc(purposeConsents => [1 .. 11],
                    specialFeatureOptins => [1], vendorConsents => [1]),
    no_feature => tc(purposeConsents => [1 .. 11], vendorConsents => [755]),
    restricted => tc(purposeConsents => [1 .. 11],
                     specialFeatureOptins => [1], vendorConsents => [755],
                     publisherRestrictions => [
                         { purpose => 2, type => 0, vendors => [755] } ]),
    expired => tc(purposeConsents => [1 .. 11], specialFeatureOptins => [1],
                  vendorConsents => [755], created => $now - 400 * 864000,
                  lastUpdated => $now - 400 * 864000),
    policy2 => tc(purposeConsents => [1 .. 11], specialFeatureOptins => [1],
                  vendorConsents => [755], policyVersion => 2,
                  vendorsDisclosed => undef),
    future => tc(purposeConsents => [1 .. 11], created => $now + 864000 * 3,
                 lastUpdated => $now + 864000 * 3),
);

my @names = sort keys %states;
my $dir = $t->testdir();
$t->write_file('states', join('', map { "$states{$_}\n" } @names));
my @strings = `$node t/lib/tcf.mjs encode < $dir/states`;
chomp @strings;
is(scalar(@strings), scalar(@names), 'the library wrote every string');
ok(!(grep { /^error/ } @strings), 'without an error')
    or diag(join("\n", @strings));
my %tc = map { $names[$_] => $strings[$_] } 0 .. $#names;

sub get {
    my ($uri, $tc, $ac) = @_;
    my @c;
    push @c, "euconsent-v2=$tc" if defined $tc;
    push @c, "addtl_consent=$ac" if defined $ac;
    return $t->http(method => 'GET', uri => $uri,
                    headers => @c ? [Cookie => join('; ', @c)] : []);
}

sub xc { my $r = get(@_); return ($r->{headers}{"x-consent"} || [""])->[0] }

my $ac = '2~1.89~dv.9';

# state, categories and the TCF variables

is(xc('/collect', undef), 'absent|necessary||0|0', 'no TC string: absent');
is(xc('/collect', $tc{all}, $ac),
   'valid|necessary,analytics,marketing|1,2,3,4,5,6,7,8,9,10,11|1|1',
   'every purpose, vendor 755, ATP 89: analytics and marketing');
is(xc('/collect', $tc{all}),
   'valid|necessary,analytics|1,2,3,4,5,6,7,8,9,10,11|1|1',
   'the same without the AC string: no marketing (it needs ATP 89)');
is(xc('/collect', $tc{all}, 'garbage'),
   'valid|necessary,analytics|1,2,3,4,5,6,7,8,9,10,11|1|1',
   'a malformed AC string counts as none');
is(xc('/collect', $tc{analytics}, $ac),
   'valid|necessary,analytics|1,8,9,10|1|0', 'purposes 1, 8, 9: analytics');
is(xc('/collect', $tc{no_vendor}, $ac),
   'valid|necessary,analytics|1,2,3,4,5,6,7,8,9,10,11|0|1',
   'without vendor 755: no marketing');
is(xc('/collect', $tc{no_feature}, $ac),
   'valid|necessary,analytics|1,2,3,4,5,6,7,8,9,10,11|1|0',
   'without special feature 1: no marketing');
is(xc('/collect', $tc{restricted}, $ac),
   'valid|necessary,analytics|1,2,3,4,5,6,7,8,9,10,11|1|0',
   'the publisher forbids vendor 755 purpose 2: no marketing');
is(xc('/collect', $tc{expired}, $ac), 'expired|necessary||0|0',
   'updated 400 days ago: expired');
is(xc('/collect', $tc{policy2}, $ac), 'invalid|necessary||0|0',
   'TCF policy version 2: invalid');
is(xc('/collect', $tc{future}, $ac), 'invalid|necessary||0|0',
   'created in the future: invalid');
is(xc('/collect', 'CPnotatcstring'), 'invalid|necessary||0|0',
   'not a TC string: invalid');

# why, in the error log (at info): one line a request, the cookies read once

sub logged {
    my ($off) = length $t->error_log;
    xc(@_);
    return substr($t->error_log, $off);
}

my $l = logged('/collect', 'CPnotatcstring');
like($l, qr/the euconsent-v2 cookie is invalid: \S/,
     'an undecodable TC string: why, logged');
is(() = $l =~ /euconsent-v2/g, 1, 'once');
like(logged('/collect', $tc{expired}, $ac),
     qr/the euconsent-v2 cookie is expired: \S/, 'an expired one: why');
$l = logged('/collect', $tc{all}, 'garbage');
like($l, qr/the addtl_consent cookie is refused: \S/,
     'a malformed AC string: why');
is(() = $l =~ /addtl_consent/g, 1, 'once');
is(logged('/collect', $tc{all}, $ac), '', 'a good pair: nothing logged');

# consent_require

is(get('/collect', undef)->{status}, 403, '/collect without: 403');
is(get('/collect', $tc{analytics})->{status}, 200, '/collect: 200');
is(get('/ads', $tc{analytics}, $ac)->{status}, 403, '/ads: 403');
is(get('/ads', $tc{all}, $ac)->{status}, 200, '/ads with all: 200');
is(get('/ads', $tc{expired}, $ac)->{status}, 403, '/ads expired: 403');

# gating, and no banner of the module's own

my $r = get('/page.html', undef);
like($r->{body}, qr{<script type="text/plain" data-consent="analytics"},
     'no TC string: gtag held back');
like($r->{body}, qr{<img data-consent="marketing"[^>]*data-consent-src=},
     'and the pixel');
unlike($r->{body}, qr{consent-banner}, 'no banner of the module');

$r = get('/page.html', $tc{analytics}, $ac);
like($r->{body}, qr{<script async src="https://www\.googletagmanager},
     'analytics granted by the TC string: gtag passes');
like($r->{body}, qr{<img data-consent="marketing"},
     'the pixel still held back');

$r = get('/page.html', $tc{all}, $ac);
like($r->{body}, qr{<img height="1" width="1" src="https://www\.facebook},
     'marketing granted: the pixel passes');
unlike($r->{body}, qr{consent-banner}, 'still no banner');

# consent_tcf_record: the CMP's choice into the audit log, by its hash

sub post {
    my ($tc, @h) = @_;
    return $t->http(method => 'POST', uri => '/tcf-record',
        headers => [ (defined $tc ? (Cookie => "euconsent-v2=$tc; "
                                     . "addtl_consent=$ac") : ()), @h ]);
}

is(post($tc{all})->{status}, 204, 'a same-site POST with a TC string: 204');
is(post($tc{analytics}, 'Sec-Fetch-Site' => 'same-origin')->{status}, 204,
   'another');
is(post($tc{all}, 'Sec-Fetch-Site' => 'cross-site')->{status}, 403,
   'a cross-site one: 403');
is(post($tc{all}, Origin => 'https://evil.example')->{status}, 403,
   'another origin: 403');
is(post(undef)->{status}, 400, 'no TC string: 400');
is(post($tc{expired})->{status}, 400, 'an expired one: 400');
is($t->http(method => 'GET', uri => '/tcf-record')->{status}, 405,
   'GET: 405');

my $log = $t->read_file('consent.log') // '';
my @recs = map { JSON::PP->new->decode($_) } grep { /"type":"consent"/ }
    split /\n/, $log;
is(scalar(@recs), 2, 'two records');

sub hid {
    my $id = MIME::Base64::encode_base64(
        substr(Digest::SHA::sha256($_[0]), 0, 16), '');
    $id =~ tr{+/}{-_};
    $id =~ s/=+$//;
    return $id;
}

is($recs[0]{id}, hid($tc{all}),
   'its id: the first 128 bits of the TC string\'s SHA-256');
is($recs[0]{mechanism}, 'tcf', 'mechanism tcf');
is($recs[0]{action}, 'grant', 'a grant');
is(join(',', @{ $recs[0]{granted} }), 'necessary,analytics,marketing',
   'of what the TC string grants');
is(join(',', @{ $recs[1]{granted} }), 'necessary,analytics', 'the second');
is($recs[1]{id}, hid($tc{analytics}), 'under its own hash');
ok(index($log, $tc{all}) < 0 && index($log, substr($tc{all}, 0, 20)) < 0,
   'the TC string itself is nowhere in the log');

is(get('/collect', $tc{all})->{headers}{'x-consent-id'}[0], hid($tc{all}),
   '$consent_id: the same id');
ok(!get('/collect', 'garbage')->{headers}{'x-consent-id'},
   'and none for an invalid TC string');

my $audit = ($ENV{CONSENT_BUILD} // "$FindBin::Bin/../build")
    . '/consent-audit';
my $out = `$audit verify --keys $keys $dir/consent.log 2>&1`;
is($? >> 8, 0, 'consent-audit verify passes') or diag($out);

# nginx -t

(my $bare = $conf) =~ s/%%POLICY%%/$plain/;
(my $rc, $out) = $t->test_config($bare);
isnt($rc, 0, 'a bridge without a "tcf" section: nginx -t fails');
like($out, qr/"consent_tcf bridge" requires a policy with a "tcf" section in \S+nginx-test\.conf:\d+/,
     'and says where') or diag($out);

# consent_tcf_gvl: a synthetic Global Vendor List of a few hundred vendors

sub gvl {
    my (%o) = @_;
    my %named = map { $_ => { id => $_, name => "P$_" } } 1 .. 11;
    my %v;

    for my $id (1 .. 400, 755) {
        next if $o{without} && $id == $o{without};
        $v{$id} = { id => $id, name => "Vendor $id",
                    purposes => [1, 3, 4], legIntPurposes => [2, 7],
                    flexiblePurposes => [2], specialPurposes => [1],
                    features => [1], specialFeatures => [1] };
        $v{$id}{deletedDate} = '2026-01-01T00:00:00Z'
            if $o{deleted} && $id == $o{deleted};
    }

    return JSON::PP->new->canonical->encode({
        gvlSpecificationVersion => $o{spec} // 3,
        vendorListVersion => 120, tcfPolicyVersion => 5,
        lastUpdated => '2026-12-03T16:00:00Z',
        purposes => \%named,
        specialPurposes => { map { $_ => { id => $_, name => "S$_" } } 1, 2 },
        features => { map { $_ => { id => $_, name => "F$_" } } 1 .. 3 },
        specialFeatures => { map { $_ => { id => $_, name => "X$_" } } 1, 2 },
        stacks => { 1 => { id => 1, name => 'st', purposes => [2, 3],
                           specialFeatures => [] } },
        vendors => \%v,
    });
}

sub with_gvl {
    my ($name, $text) = @_;
    my $f = $t->write_file($name, $text);
    (my $c = $good) =~ s/consent_tcf bridge;/consent_tcf bridge;\n        consent_tcf_gvl $f;/;
    return ($f, $t->test_config($c));
}

my ($gf, $grc, $gout) = with_gvl('gvl.json', gvl());
is($grc, 0, 'a GVL of 401 vendors with vendor 755: nginx -t passes')
    or diag($gout);

($gf, $grc, $gout) = with_gvl('gvl-no755.json', gvl(without => 755));
isnt($grc, 0, 'vendor 755 not on the GVL: nginx -t fails');
like($gout, qr/vendor 755 of the policy's tcf\.marketing is not on the vendor list "\Q$gf\E" \(version 120\) in \S+:\d+/,
     'and says which, where') or diag($gout);

($gf, $grc, $gout) = with_gvl('gvl-del.json', gvl(deleted => 755));
isnt($grc, 0, 'vendor 755 deleted: nginx -t fails');
like($gout, qr/vendor 755 .* is deleted from the vendor list/,
     'and says so') or diag($gout);

($gf, $grc, $gout) = with_gvl('gvl-v2.json', gvl(spec => 2));
isnt($grc, 0, 'a GVL of format version 2: nginx -t fails');
like($gout, qr/consent_tcf_gvl "\Q$gf\E": gvlSpecificationVersion: must be an integer from 3 to 3 in \S+nginx-test\.conf:\d+/,
     'names the file, the field and the line') or diag($gout);

($gf, $grc, $gout) = with_gvl('gvl-bad.json', '{"vendors": ');
isnt($grc, 0, 'a truncated GVL: nginx -t fails');
like($gout, qr/consent_tcf_gvl "\Q$gf\E": line 1, column \d+/,
     'with the line and column of the JSON error') or diag($gout);

# consent-tcf gvl: the same check for a cron job, before a swap

my $cli = ($ENV{CONSENT_BUILD} // "$FindBin::Bin/../build") . '/consent-tcf';
my $sum = `$cli gvl $dir/gvl.json`;
is($? >> 8, 0, 'consent-tcf gvl: a good list passes');
like($sum, qr/"vendorListVersion":120,.*"vendors":401,"deleted":0,"maxVendorId":755/,
     'with its summary');
$sum = `$cli gvl $dir/gvl-v2.json`;
is($? >> 8, 1, 'a bad one fails');
like($sum, qr/^error: \S+gvl-v2\.json: gvlSpecificationVersion/, 'and why');

my @bad = (
    [ { nosuch => { purposes => [1] } }, qr/tcf\.nosuch: no such category/ ],
    [ { necessary => { purposes => [1] } }, qr/required category/ ],
    [ { analytics => { purposes => [12] } },
      qr/tcf\.analytics\.purposes\[0\]: must be an integer from 1 to 11/ ],
    [ { analytics => { purposes => [1, 1] } }, qr/repeated/ ],
    [ { analytics => { special_features => [3] } },
      qr/special_features\[0\]/ ],
    [ { analytics => { vendors => [0] } }, qr/vendors\[0\]/ ],
    [ { analytics => { google_atps => ['x'] } }, qr/google_atps\[0\]/ ],
    [ { analytics => { purpose => [1] } }, qr/unknown key/ ],
    [ { analytics => {} }, qr/needs nothing/ ],
    [ [], qr/tcf: must be an object/ ],
);

my $i = 0;

for my $b (@bad) {
    my ($section, $re) = @$b;
    my $f = $t->policy_file(file => 'bad' . $i++ . '.json',
                            modify => sub { $_[0]{tcf} = $section });
    (my $c = $conf) =~ s/%%POLICY%%/$f/;
    my ($rc, $out) = $t->test_config($c);
    isnt($rc, 0, "bad tcf section $i: nginx -t fails");
    like($out, qr/\Q$f\E.*$re|$re.*\Q$f\E/, "and names the file: $re")
        or diag($out);
}

done_testing();

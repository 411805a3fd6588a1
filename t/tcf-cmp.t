#!/usr/bin/perl

# consent_tcf cmp: the module is the CMP.  nginx -t refuses what writing
# TC strings needs and is missing; a choice posted to the endpoint sets
# the signed cookie, euconsent-v2 and addtl_consent in one response;
# every TC string written here decodes in IAB's @iabtechlabtcf/core
# (t/lib/tcf.mjs) to the fields chosen; re-prompt on a new TCF policy
# version or 390 days on; withdraw expires the TCF cookies; the audit
# record carries the TC string's hash, never the string; TCData in the
# state JSON; ${GDPR} and ${GDPR_CONSENT_n} macros in released URLs.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use Consent::Test;
use Digest::SHA ();
use JSON::PP ();

my $node = $ENV{NODE} || 'node';

ok(-f "$FindBin::Bin/../node_modules/\@iabtechlabtcf/core/package.json",
   '@iabtechlabtcf/core is installed')
    or BAIL_OUT('node_modules/@iabtechlabtcf/core is missing: run "npm ci"');

my $t = Consent::Test->new();
my $keys = $t->keyfile();
my $dir = $t->testdir();

my %tcf = (
    analytics => { purposes => [1, 8, 9] },
    marketing => { purposes => [1, 2, 3, 4], special_features => [1],
                   vendors => [755], google_atps => [89] },
);

my $policy = $t->policy_file(modify => sub { $_[0]{tcf} = \%tcf });
my $plain = $t->policy_file(file => 'plain.json');

# a synthetic Global Vendor List: vendors 1-300 and 755; vendor 7
# declares no consent purpose, vendor 8 is deleted

sub gvl {
    my (%o) = @_;
    my %named = map { $_ => { id => $_, name => "P$_" } } 1 .. 11;
    my %v;

    for my $id (1 .. 300, 755) {
        $v{$id} = { id => $id, name => "Vendor $id",
                    purposes => [1, 3, 4], legIntPurposes => [2, 7],
                    flexiblePurposes => [2], specialPurposes => [1],
                    features => [1], specialFeatures => [1] };
    }

    $v{7}{purposes} = [];
    $v{7}{flexiblePurposes} = [];
    $v{8}{deletedDate} = '2026-01-01T00:00:00Z';

    return JSON::PP->new->canonical->encode({
        gvlSpecificationVersion => 3,
        vendorListVersion => $o{version} // 120,
        tcfPolicyVersion => $o{policy} // 5,
        lastUpdated => '2026-12-03T16:00:00Z',
        purposes => \%named,
        specialPurposes => { map { $_ => { id => $_, name => "S$_" } } 1, 2 },
        features => { map { $_ => { id => $_, name => "F$_" } } 1 .. 3 },
        specialFeatures => { map { $_ => { id => $_, name => "X$_" } } 1, 2 },
        stacks => {},
        vendors => \%v,
    });
}

my $gvl = $t->write_file('gvl.json', gvl());
$t->write_file('gvl-next.json', gvl(policy => 6));
$t->write_file('gvl-bad.json', '{"vendors": ');

$t->write_file('html/page.html', <<'EOF');
<!doctype html>
<html><head><title>t</title>
<script async src="https://www.googletagmanager.com/gtag/js?id=G-1"></script>
</head><body>
<p>article</p>
<img height="1" width="1" src="https://www.facebook.com/tr?id=1&amp;gdpr=${GDPR}&amp;gdpr_consent=${GDPR_CONSENT_755}">
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

        consent on;
        %%TCF%%

        add_header X-Consent "\$consent_state|\$consent_categories" always;

        location /consent/ { consent_endpoint; }

        location /nonce/ {
            consent_csp_nonce n0nce;
            alias %%TESTDIR%%/html/;
        }
    }
}
EOF

my $cmp = "consent_tcf cmp;\n        consent_tcf_cmp 300 7 publisher_cc=DE;"
    . "\n        consent_tcf_gvl %%GVL%%;";

sub cf {
    my (%o) = @_;
    my $c = $conf;
    my $tcf = $o{tcf} // $cmp;
    $c =~ s/%%TCF%%/$tcf/;
    $c =~ s/%%POLICY%%/$o{policy} \/\/ $policy/e;
    $c =~ s/%%GVL%%/$o{gvl} \/\/ $gvl/e;
    return $c;
}

# nginx -t

my @bad = (
    [ 'no CMP id', "consent_tcf cmp;\n consent_tcf_gvl %%GVL%%;",
      qr/"consent_tcf cmp" requires "consent_tcf_cmp" \(the CMP id IAB Europe registered\) in \S+nginx-test\.conf:\d+/ ],
    [ 'no GVL', "consent_tcf cmp;\n consent_tcf_cmp 300 1;",
      qr/"consent_tcf cmp" requires "consent_tcf_gvl" \(IAB's Global Vendor List\) in \S+nginx-test\.conf:\d+/ ],
    [ 'a malformed GVL', "consent_tcf cmp;\n consent_tcf_cmp 300 1;\n"
      . " consent_tcf_gvl $dir/gvl-bad.json;",
      qr/consent_tcf_gvl "\S+gvl-bad\.json": line 1, column \d+.* in \S+nginx-test\.conf:\d+/ ],
    [ 'a missing GVL', "consent_tcf cmp;\n consent_tcf_cmp 300 1;\n"
      . " consent_tcf_gvl $dir/nosuch.json;",
      qr/consent_tcf_gvl "\S+nosuch\.json": .* in \S+nginx-test\.conf:\d+/ ],
    [ 'CMP id 1', "consent_tcf_cmp 1 1;",
      qr/invalid CMP id "1" in "consent_tcf_cmp" directive, it must be an integer from 2 to 4095 in \S+nginx-test\.conf:\d+/ ],
    [ 'CMP id 4096', "consent_tcf_cmp 4096 1;", qr/invalid CMP id "4096"/ ],
    [ 'CMP id x', "consent_tcf_cmp x 1;", qr/invalid CMP id "x"/ ],
    [ 'version 0', "consent_tcf_cmp 300 0;",
      qr/invalid CMP version "0" in "consent_tcf_cmp" directive, it must be an integer from 1 to 4095/ ],
    [ 'version 4096', "consent_tcf_cmp 300 4096;",
      qr/invalid CMP version "4096"/ ],
    [ 'a lower-case country', "consent_tcf_cmp 300 1 publisher_cc=de;",
      qr/invalid parameter "publisher_cc=de" in "consent_tcf_cmp" directive/ ],
    [ 'a parameter', "consent_tcf_cmp 300 1 country=DE;",
      qr/invalid parameter "country=DE"/ ],
    [ 'twice', "consent_tcf_cmp 300 1;\n consent_tcf_cmp 300 1;",
      qr/"consent_tcf_cmp" directive is duplicate in \S+nginx-test\.conf:\d+/ ],
    [ 'consent_tcf nonsense', "consent_tcf other;",
      qr/invalid value "other" in "consent_tcf" directive, it must be "bridge", "cmp" or "off"/ ],
);

for my $b (@bad) {
    my ($name, $tcfconf, $re) = @$b;
    my ($rc, $out) = $t->test_config(cf(tcf => $tcfconf));
    isnt($rc, 0, "nginx -t refuses $name");
    like($out, $re, 'and says why and where') or diag($out);
}

{
    my ($rc, $out) = $t->test_config(cf(policy => $plain));
    isnt($rc, 0, 'nginx -t refuses a policy without a "tcf" section');
    like($out, qr/"consent_tcf cmp" requires a policy with a "tcf" section in \S+nginx-test\.conf:\d+/,
         'and says where') or diag($out);

    ($rc, $out) = $t->test_config(cf());
    is($rc, 0, 'a good CMP configuration passes nginx -t') or diag($out);
}

# the server

$t->config(cf());
$t->run();

my $now = int(time() * 10);
my @all_v = grep { $_ != 7 && $_ != 8 } 1 .. 300, 755;
my @disc = grep { $_ != 8 } 1 .. 300, 755;

sub decode_tc {
    my (@s) = @_;
    $t->write_file('strings', join('', map { "$_\n" } @s));
    my @out = `$node t/lib/tcf.mjs decode < $dir/strings`;
    chomp @out;
    return map { /^error/ ? { error => $_ } : JSON::PP->new->decode($_) }
        @out;
}

sub encode_tc {
    my (%f) = @_;
    my %s = (
        created => $now, lastUpdated => $now, cmpId => 300,
        cmpVersion => 7, consentLanguage => 'EN', vendorListVersion => 120,
        policyVersion => 5, isServiceSpecific => JSON::PP::true,
        publisherCountryCode => 'DE', vendorsDisclosed => [1, 755],
        purposeConsents => [1 .. 11], specialFeatureOptins => [1],
        vendorConsents => [755], %f,
    );
    $t->write_file('state', JSON::PP->new->canonical->encode(\%s) . "\n");
    my $out = `$node t/lib/tcf.mjs encode < $dir/state`;
    chomp $out;
    return $out;
}

sub post {
    my ($body, %o) = @_;
    my $json = $body =~ /^\{/;
    return $t->http(method => 'POST', uri => '/consent/',
        headers => [
            'Content-Type' => $json ? 'application/json'
                                    : 'application/x-www-form-urlencoded',
            Accept => 'application/json',
            'Accept-Language' => $o{lang} // 'de-DE,de;q=0.9',
            $o{cookie} ? (Cookie => $o{cookie}) : (),
        ],
        body => $body);
}

sub cookies_of {
    my ($r) = @_;
    return join('; ', map { "$_=" . cookie_value($r, $_) }
                grep { defined cookie_value($r, $_)
                       && length cookie_value($r, $_) }
                qw(consent euconsent-v2 addtl_consent));
}

sub xc {
    my ($cookie) = @_;
    my $r = $t->http(method => 'GET', uri => '/page.html',
                     headers => [ $cookie ? (Cookie => $cookie) : () ]);
    return (($r->{headers}{'x-consent'} || [''])->[0], $r);
}

# accept: every purpose, special feature, vendor and ATP

my $r = post('{"action":"accept_all"}');
is($r->{status}, 200, 'accept (JSON): 200');
my $tc = cookie_value($r, 'euconsent-v2');
my $acs = cookie_value($r, 'addtl_consent');
ok(defined cookie_value($r, 'consent'), 'the signed cookie is set');
ok($tc, 'and euconsent-v2 in the same response');
is($acs, '2~89~dv.', 'and addtl_consent: ATP 89 consented');
my $a = cookie_attrs($r, 'euconsent-v2');
is($a->{path}, '/', 'euconsent-v2: Path=/');
is(lc $a->{samesite}, 'lax', 'SameSite=Lax');
is($a->{'max-age'}, 390 * 86400, 'Max-Age 13 months (390 days)');
ok(!$a->{secure}, 'no Secure over http');
is(cookie_attrs($r, 'addtl_consent')->{'max-age'}, 390 * 86400,
   'addtl_consent: the same');

my $j = JSON::PP->new->decode($r->{body});
is($j->{tcf}{tcString}, $tc, 'the answer\'s TCData has the TC string');
is($j->{tcf}{eventStatus}, 'tcloaded', 'eventStatus tcloaded');
is($j->{tcf}{cmpId}, 300, 'cmpId');
is($j->{tcf}{addtlConsent}, $acs, 'addtlConsent');
ok($j->{tcf}{purpose}{consents}{1} && $j->{tcf}{vendor}{consents}{755}
   && !$j->{tcf}{vendor}{consents}{7},
   'purpose 1, vendor 755 consented; vendor 7 (no consent purpose) not');

my ($d) = decode_tc($tc);
is($d->{cmpId}, 300, 'IAB decodes it: cmpId 300');
is($d->{cmpVersion}, 7, 'cmpVersion 7');
is($d->{publisherCountryCode}, 'DE', 'publisher_cc=DE');
is($d->{consentLanguage}, 'DE', 'the visitor\'s language');
is($d->{policyVersion}, 5, 'the GVL\'s TCF policy version');
is($d->{vendorListVersion}, 120, 'the GVL\'s version');
ok($d->{isServiceSpecific}, 'service-specific');
is(join(',', @{ $d->{purposeConsents} }), join(',', 1 .. 11),
   'every purpose consented');
is(join(',', @{ $d->{purposeLegitimateInterests} }), '2,7,8,9,10,11',
   'LI kept for the purposes that may have it');
is(join(',', @{ $d->{specialFeatureOptins} }), '1,2',
   'both special features');
is(join(',', @{ $d->{vendorConsents} }), join(',', @all_v),
   'every vendor with a consent purpose');
is(join(',', @{ $d->{vendorLegitimateInterests} }), join(',', @disc),
   'every vendor with LI purposes: LI kept');
is(join(',', @{ $d->{vendorsDisclosed} }), join(',', @disc),
   'Disclosed Vendors: the list without the deleted vendor');
ok(abs($d->{created} - ($now - $now % 864000)) <= 864000,
   'created: today');

my $accepted = cookies_of($r);
my ($x, $page) = xc($accepted);
is($x, "valid|necessary,preferences,analytics,marketing", "accept grants everything");
like($page->{body}, qr{<img height="1" width="1" src="https://www\.facebook},
     'the pixel is released');
like($page->{body}, qr{src="https://www\.facebook\.com/tr\?id=1&amp;gdpr=1&amp;gdpr_consent=\Q$tc\E"},
     'its ${GDPR} and ${GDPR_CONSENT_755} filled by the filter');

# reject: nothing, every LI objected to

$r = post('action=reject_all');
is($r->{status}, 303, 'reject (form): 303');
($d) = decode_tc(cookie_value($r, 'euconsent-v2'));
is_deeply([ @{ $d->{purposeConsents} }, @{ $d->{purposeLegitimateInterests} },
            @{ $d->{specialFeatureOptins} }, @{ $d->{vendorConsents} },
            @{ $d->{vendorLegitimateInterests} } ], [],
          'IAB decodes it: no consent, no LI, no special feature, no vendor');
is(join(',', @{ $d->{vendorsDisclosed} }), join(',', @disc),
   'every vendor disclosed');
is(cookie_value($r, 'addtl_consent'), '2~~dv.89', 'ATP 89 disclosed only');
($x, $page) = xc(cookies_of($r));
is($x, 'valid|necessary', 'reject grants only what is required');
like($page->{body}, qr{data-consent-src="https://www\.facebook\.com/tr\?id=1&amp;gdpr=\$\{GDPR\}&amp;gdpr_consent=\$\{GDPR_CONSENT_755\}"},
     'the pixel held back keeps its macros (the banner fills them)');

# save: exactly the fields

my $form = 'action=save&tcf=1&tcf_purpose=1&tcf_purpose=8&tcf_purpose=9'
    . '&tcf_purpose_li=7&tcf_vendor=755&tcf_vendor=7&tcf_vendor_li=12'
    . '&tcf_special_feature=2&granted=preferences';
$r = post($form);
is($r->{status}, 303, 'save (form): 303') or diag($r->{body});
($d) = decode_tc(cookie_value($r, 'euconsent-v2'));
is(join(',', @{ $d->{purposeConsents} }), '1,8,9', 'purposes 1, 8, 9');
is(join(',', @{ $d->{purposeLegitimateInterests} }), '7', 'LI of 7 kept');
is(join(',', @{ $d->{specialFeatureOptins} }), '2', 'special feature 2');
is(join(',', @{ $d->{vendorConsents} }), '755',
   'vendor 755 (vendor 7 declares no consent purpose)');
is(join(',', @{ $d->{vendorLegitimateInterests} }), '12', 'LI of vendor 12');
is(cookie_value($r, 'addtl_consent'), '2~~dv.89', 'ATP 89 not consented');
($x) = xc(cookies_of($r));
is($x, 'valid|necessary,preferences,analytics',
   'analytics by the TCF choice, preferences (not in "tcf") as granted');

$r = post('{"action":"save","tcf":{"purposes":[1,2,3,4,8,9],'
          . '"special_features":[1],"vendors":[755],"google_atps":[89]}}');
is($r->{status}, 200, 'save (JSON): 200') or diag($r->{body});
($d) = decode_tc(cookie_value($r, 'euconsent-v2'));
is(join(',', @{ $d->{purposeConsents} }), '1,2,3,4,8,9', 'its purposes');
is(cookie_value($r, 'addtl_consent'), '2~89~dv.', 'ATP 89 consented');
$j = JSON::PP->new->decode($r->{body});
is(join(',', @{ $j->{granted} }), 'necessary,analytics,marketing',
   'analytics and marketing granted');

# strict: a precise 400

my @refused = (
    [ 'tcf=1&action=save&tcf_purpose=12', qr/tcf_purpose 12: must be from 1 to 11/ ],
    [ 'tcf=1&action=save&tcf_purpose_li=1', qr/tcf_purpose_li 1: must be from 2 to 11/ ],
    [ 'tcf=1&action=save&tcf_special_feature=3', qr/tcf_special_feature 3: must be from 1 to 2/ ],
    [ 'tcf=1&action=save&tcf_vendor=9999', qr/tcf_vendor 9999 is not on the vendor list/ ],
    [ 'tcf=1&action=save&tcf_vendor_li=8', qr/tcf_vendor_li 8 is deleted from the vendor list/ ],
    [ 'tcf=1&action=save&tcf_vendor=70000', qr/tcf_vendor: "70000" is not an id|must be from 1 to 65535/ ],
    [ 'tcf=1&action=save&tcf_vendor=0', qr/tcf_vendor: \\"0\\" is not an id/ ],
    [ 'tcf=1&action=save&tcf_vendor=x', qr/tcf_vendor: \\"x\\" is not an id/ ],
    [ 'tcf=1&action=save&tcf_ac=5', qr/tcf_ac 5: the policy names no such Google ATP/ ],
    [ 'tcf=1&action=save&tcf_vendor=755&tcf_vendor=755', qr/tcf_vendor 755 is repeated/ ],
    [ 'tcf=2&action=save', qr/\\"tcf\\" must be 1/ ],
    [ 'tcf=1&action=save&tcf_nosuch=1', qr/unknown field \\"tcf_nosuch\\"/ ],
    [ '{"action":"save","tcf":{"vendors":[9999]}}', qr/tcf_vendor 9999 is not on the vendor list/ ],
    [ '{"action":"save","tcf":{"purposes":["1"]}}', qr/"tcf\.purposes\\" must be an array of ids|tcf.purposes/ ],
    [ '{"action":"save","tcf":{"stacks":[1]}}', qr/unknown field tcf\. \\"stacks\\"|stacks/ ],
    [ '{"action":"save","tcf":[]}', qr/\\"tcf\\" must be an object/ ],
);

for my $b (@refused) {
    my ($body, $re) = @$b;
    $r = post($body);
    is($r->{status}, 400, "400: $body");
    like($r->{body}, $re, 'with the reason') or diag($r->{body});
    ok(!defined cookie_value($r, 'euconsent-v2'), 'and no cookie');
}

# re-prompt: the TC string must still stand for the signed consent

(my $signed = $accepted) =~ s/;.*//;
my $off0 = length $t->error_log;
($x, $page) = xc($signed);
like(substr($t->error_log, $off0),
     qr/does not stand for the consent any more \(no euconsent-v2 cookie\)/,
     'why, in the error log: no cookie');
is($x, 'outdated|necessary', 'the signed cookie without its TC string: '
   . 'outdated, nothing optional');
like($page->{body}, qr/<[^>]*id="consent-banner"(?![^>]*hidden)/,
     'the banner asks again');
my $off = length $t->error_log;
($x) = xc("$signed; euconsent-v2=garbage");
is($x, 'outdated|necessary', 'an undecodable TC string: outdated');
my $l = substr($t->error_log, $off);
like($l, qr/does not stand for the consent any more \((?!no euconsent)\S/,
     'why, in the error log: the decoder\'s reason');
is(() = $l =~ /does not stand/g, 1, 'once');
($x) = xc("$signed; euconsent-v2=" . encode_tc(policyVersion => 4,
                                                vendorsDisclosed => undef));
is($x, 'outdated|necessary',
   'a TC string of TCF policy version 4 (the GVL says 5): outdated');
($x) = xc("$signed; euconsent-v2=" . encode_tc(cmpId => 301));
is($x, 'outdated|necessary', 'a TC string of another CMP: outdated');
my $old = $now - 400 * 864000;
($x) = xc("$signed; euconsent-v2=" . encode_tc(created => $old,
                                                lastUpdated => $old));
is($x, 'expired|necessary', 'a TC string of 400 days ago: expired');
($x) = xc("$signed; euconsent-v2=" . encode_tc());
is($x, 'valid|necessary,preferences,analytics,marketing',
   'a fresh TC string of this CMP: valid (the signed cookie decides)');
($x, $page) = xc($accepted);
unlike($page->{body}, qr/<[^>]*id="consent-banner"(?![^>]*hidden)/,
       'with its TC string, no banner asks');

# the TCData and the __tcfapi script: first in <head>, with the nonce
# (the element's bytes are the test's)

$r = $t->http(method => 'GET', uri => '/nonce/page.html',
              headers => [ Cookie => $accepted ]);
like($r->{body}, qr{<head><script type="application/json" id="consent-tcf" data-gvl="120" data-consent-ui nonce="n0nce">\{[^<]*"tcString":"\Q$tc\E"[^<]*\}</script><script src="/consent/tcfapi\.js\?v=[0-9a-f]+" data-consent-ui nonce="n0nce"></script><script type="application/json" id="consent-state" },
     'the TCData, then the __tcfapi script, then the snippet');
like($page->{body}, qr{<head><script type="application/json" id="consent-tcf" data-gvl="120" data-consent-ui>\{[^<]*\}</script><script src="/consent/tcfapi\.js\?v=[0-9a-f]+" data-consent-ui></script>},
     'and without a nonce');

# the state JSON (GET)

$r = $t->http(method => 'GET', uri => '/consent/',
              headers => [ Cookie => $accepted, Accept => 'application/json' ]);
$j = JSON::PP->new->decode($r->{body});
is($j->{tcf}{tcString}, $tc, 'GET: TCData of the visitor\'s TC string');
is($j->{tcf}{gdprApplies}, JSON::PP::true, 'gdprApplies');
is($j->{tcf}{publisherCC}, 'DE', 'publisherCC');
$r = $t->http(method => 'GET', uri => '/consent/',
              headers => [ Accept => 'application/json' ]);
$j = JSON::PP->new->decode($r->{body});
is($j->{tcf}{tcString}, '', 'no consent: an empty TC string');
is($j->{tcf}{eventStatus}, 'cmpuishown', 'and the banner shown');

# withdraw: the TCF cookies expire too

$r = $t->http(method => 'DELETE', uri => '/consent/',
              headers => [ Cookie => $accepted, Accept => 'application/json' ]);
is($r->{status}, 200, 'DELETE: 200');
is(cookie_attrs($r, 'euconsent-v2')->{'max-age'}, 0, 'euconsent-v2 expires');
is(cookie_value($r, 'euconsent-v2'), '', 'emptied');
is(cookie_attrs($r, 'addtl_consent')->{'max-age'}, 0,
   'addtl_consent expires');
$j = JSON::PP->new->decode($r->{body});
is($j->{tcf}{tcString}, '', 'TCData: no TC string');

# the audit log: the TC string's hash, never the string

my $log = $t->read_file('consent.log') // '';
my @recs = map { JSON::PP->new->decode($_) } grep { /"type":"consent"/ }
    split /\n/, $log;
is($recs[0]{tcf_sha256}, Digest::SHA::sha256_hex($tc),
   'the accept record carries the TC string\'s SHA-256');
ok(index($log, $tc) < 0 && index($log, substr($tc, 0, 24)) < 0,
   'never the string');
ok(!exists $recs[-1]{tcf_sha256}, 'the withdrawal has none');
my $audit = ($ENV{CONSENT_BUILD} // "$FindBin::Bin/../build")
    . '/consent-audit';
my $out = `$audit verify --keys $keys $dir/consent.log 2>&1`;
is($? >> 8, 0, 'consent-audit verify passes') or diag($out);

done_testing();

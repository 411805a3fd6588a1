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

done_testing();

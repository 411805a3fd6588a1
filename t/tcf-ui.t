#!/usr/bin/perl

# The TCF's first and second layer in CMP mode (consent_tcf cmp): the
# banner's body is the first layer in CMP mode only, with the vendor
# count and without the vendor list; the preferences page (and its
# ?layer=2 fragment) is the second layer, a form of the contract's
# fields that works without JavaScript; texts in the language the
# banner's own are negotiated in, from consent_tcf_gvl_translations;
# hostile GVL strings escaped; nginx -t refuses bad translations.
# The synthetic GVL and translations come from t/lib/tcf-gvl.pl.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use Consent::Test;
use JSON::PP ();

my $t = Consent::Test->new();
my $keys = $t->keyfile();
my $dir = $t->testdir();
my $repo = $t->repo();

my $policy = $t->policy_file(modify => sub {
    $_[0]{tcf} = { analytics => { purposes => [1, 8, 9] },
                   marketing => { purposes => [1, 2, 3, 4],
                                  special_features => [1],
                                  google_atps => [89, 12] } };
});

system($^X, "$repo/t/lib/tcf-gvl.pl", "$dir/gvl", 300) == 0
    or BAIL_OUT('t/lib/tcf-gvl.pl failed');
system($^X, "$repo/t/lib/tcf-gvl.pl", "$dir/evil", 20, 'hostile') == 0
    or BAIL_OUT('t/lib/tcf-gvl.pl failed');
mkdir "$dir/badtr";
$t->write_file('badtr/purposes-de.json',
               '{"purposes": {"1": {"id": 1, "name": 7}}, "specialPurposes": {},'
               . ' "features": {}, "specialFeatures": {}}');

$t->write_file('html/page.html', <<'EOF2');
<!doctype html>
<html lang="en"><head><title>t</title></head><body>
<p>article</p>
</body></html>
EOF2

my $conf = <<"EOF2";
http {
    consent_keys $keys;
    consent_policy $policy;

    server {
        listen 127.0.0.1:%%PORT_8080%%;
        server_name localhost;
        root %%TESTDIR%%/html;
        default_type text/html;

        consent on;
        consent_tcf cmp;
        consent_tcf_cmp 300 7 publisher_cc=DE;
        consent_tcf_gvl %%GVL%%;
        %%TR%%

        location /consent/ { consent_endpoint; }

        location /plain/ {
            consent_tcf off;
            alias %%TESTDIR%%/html/;
        }
    }
}
EOF2

sub cf {
    my (%o) = @_;
    my $c = $conf;
    my $gvl = $o{gvl} // "$dir/gvl/vendor-list.json";
    my $tr = $o{tr} // "consent_tcf_gvl_translations $dir/gvl;";
    $c =~ s/%%GVL%%/$gvl/;
    $c =~ s/%%TR%%/$tr/;
    return $c;
}

# nginx -t

{
    my ($rc, $out) = $t->test_config(cf(
        tr => "consent_tcf_gvl_translations $dir/badtr;"));
    isnt($rc, 0, 'nginx -t refuses a malformed translation');
    like($out, qr{consent_tcf_gvl_translations: \S+/badtr/purposes-de\.json: purposes\.1\.name: must be a non-empty string in \S+nginx-test\.conf:\d+},
         'naming the file, the JSON path and the line') or diag($out);

    ($rc, $out) = $t->test_config(cf(
        tr => "consent_tcf_gvl_translations $dir/nosuch;"));
    isnt($rc, 0, 'nginx -t refuses a missing directory');
    like($out, qr{\S+/nosuch: cannot open}, 'and says so') or diag($out);

    ($rc, $out) = $t->test_config(cf(tr => "consent_tcf_gvl_translations "
                                     . "$dir/gvl;\n"
                                     . "consent_tcf_gvl_translations $dir/gvl;"));
    like($out, qr/"consent_tcf_gvl_translations" directive is duplicate/,
         'nginx -t refuses it twice') or diag($out);

    ($rc, $out) = $t->test_config(cf());
    is($rc, 0, 'a good configuration passes') or diag($out);
}

$t->config(cf());
$t->run();

sub get {
    my ($uri, %h) = @_;
    return $t->http(method => 'GET', uri => $uri,
                    headers => [ map { ($_ => $h{$_}) } sort keys %h ]);
}

# the first layer: in CMP mode only

my $r = get('/page.html');
is($r->{status}, 200, 'a page');
my ($banner) = $r->{body}
    =~ m{(<div id="consent-banner".*?<i class="consent-end" hidden></i></form>\n</div>)}s;
ok(defined $banner, 'with the banner');
$banner //= '';
like($banner, qr{<div class="consent-tcf-first">}, 'the first layer in it');
like($banner, qr{We and our 270 partners store and access information},
     'the number of vendors not deleted (300 less 30)');
like($banner, qr{<li class="consent-tcf-stack">Stack 1: purposes 2 to 4 and special feature 1</li>},
     'a stack for the purposes and special feature it names');
like($banner, qr{<li>Purpose 1 of the test list</li>},
     'a purpose no stack names, by name');
like($banner, qr{legitimate interest.*right to object}s,
     'legitimate interest and the right to object');
like($banner, qr{withdraw your consent at any time}, 'withdrawal');
like($banner, qr{<a href="/consent/" class="consent-tcf-vendors-link" data-consent-open>Our 270 partners},
     'a link to the second layer');
is(() = $banner =~ /<button type="submit"/g, 4,
   'three buttons, and Save in the hidden second layer');
like($banner, qr{value="accept_all">.*value="reject_all">.*data-consent-customise}s,
     'accept, reject, manage');
like($banner, qr{<div id="consent-layer2" hidden data-consent-tcf="/consent/\?layer=2">\n<div class="consent-buttons"><button type="submit" name="action" value="save">[^<]+</button></div>\n</div>\n<div class="consent-buttons">},
     'the second layer fetched into the banner\'s form, before its Save');
unlike($banner, qr{consent-tcf-vendor"|tcf_vendor}, 'no vendor list in pages');
cmp_ok(length($banner), '<', 8192, 'the banner stays small: '
       . length($banner) . ' bytes');

$r = get('/plain/page.html');
like($r->{body}, qr{<div id="consent-banner"}, 'without CMP mode: the banner');
unlike($r->{body}, qr{consent-tcf}, 'without the TCF layers');
like($r->{body}, qr{<div id="consent-layer2" hidden>\n<div class="consent-category">},
     'but the categories');

# the second layer

$r = get('/consent/', Accept => 'text/html');
is($r->{status}, 200, 'the preferences page');
my $page = $r->{body};
note('the second layer: ' . length($page) . ' bytes');
like($page, qr{^<!DOCTYPE html>}, 'a document');
like($page, qr{<form method="post" action="/consent/" class="consent-tcf-second">},
     'a form to the endpoint');
like($page, qr{<input type="hidden" name="tcf" value="1">}, 'tcf=1');
like($page, qr{<input type="hidden" name="return" value="/">}, 'return');
is(() = $page =~ /<details class="consent-tcf-vendor"/g, 270,
   'every vendor not deleted');
is(() = $page =~ /name="tcf_purpose" value="\d+">/g, 11,
   'a consent box per purpose, unticked');
like($page, qr{name="tcf_purpose_li" value="2" checked>},
     'legitimate interest kept by default');
unlike($page, qr{name="tcf_purpose_li" value="[13456]"},
       'none for purposes 1, 3-6');
like($page, qr{name="tcf_special_feature" value="1">},
     'special features to opt in');
like($page, qr{name="tcf_vendor" value="\d+">}, 'vendor consent boxes');
like($page, qr{name="tcf_vendor_li" value="\d+" checked>},
     'vendor legitimate interest, kept');
like($page, qr{<h2>Special purposes</h2>}, 'special purposes');
like($page, qr{<h2>Features</h2>}, 'features');
like($page, qr{<dt>Data retention</dt><dd>\d+ days}, 'retention');
like($page, qr{<dt>Data categories</dt><dd>Data category \d+}, 'data categories');
like($page, qr{<dt>Privacy policy</dt><dd><a href="https://vendor\d+\.example/privacy"},
     'privacy policy URLs');
like($page, qr{<dt>Legitimate interest claim</dt>}, 'LI claim URLs');
like($page, qr{<dt>Cookie maximum age</dt><dd>\d+ (days|seconds)</dd>}, 'cookie max age');
like($page, qr{name="action" value="accept_all">.*name="action" value="reject_all">.*name="action" value="save">}s,
     'accept all, reject all, save');
unlike($page, qr{value="withdraw"}, 'nothing to withdraw yet');
like($page, qr{<h2>Google&#39;s ad technology providers \(2\)</h2>\n<div class="consent-tcf-atps">\n<label><input type="checkbox" name="tcf_ac" value="12"> Provider 12</label>\n<label><input type="checkbox" name="tcf_ac" value="89"> Provider 89</label>},
     'the policy\'s Google ATPs, rising, unticked');
like($page, qr{<h2>Other cookies of this site</h2>.*name="granted" value="preferences"}s,
     'the categories no TCF signal decides');
unlike($page, qr{name="granted" value="marketing"},
       'not those the "tcf" section maps');

$r = get('/consent/?layer=2', Accept => 'text/html');
like($r->{body}, qr{^<div class="consent-tcf-second">\n}, '?layer=2: the fields alone');
unlike($r->{body}, qr{<form|name="return"|name="action"},
       'without a form, a way back or buttons (the banner\'s serve)');
like($r->{body}, qr{<input type="hidden" name="tcf" value="1">\n</div>\n$},
       'tcf=1, last');
is(() = $r->{body} =~ /<details class="consent-tcf-vendor"/g, 270,
   'every vendor');
like($r->{body}, qr{<h3>Purposes</h3>}, 'its headings under the banner\'s');

$r = get('/consent/');
like($r->{body}, qr/^\{"state":"absent"/, 'JSON still for scripts');

# translations, by the banner's own negotiation

$r = get('/page.html', 'Accept-Language' => 'de-DE,de;q=0.9');
like($r->{body}, qr{Wir und unsere 270 Partner}, 'de: the interface');
like($r->{body}, qr{<li class="consent-tcf-stack">Stapel 1 der Testliste</li>},
     'de: the stack from purposes-de.json');
like($r->{body}, qr{<li>Zweck 1 der Testliste</li>}, 'de: a purpose');

$r = get('/consent/', Accept => 'text/html', 'Accept-Language' => 'fr');
like($r->{body}, qr{<html lang="fr">}, 'fr: the page');
like($r->{body}, qr{<h3>Finalité 1 de la liste de test</h3>\n<p>Finalité 1 de la liste de test: what it means\.</p>},
     'fr: purpose names and descriptions');
like($r->{body}, qr{Exemple pour 1\.}, 'fr: illustrations');
like($r->{body}, qr{Finalités \(consentement\)}, 'fr: the interface');

$r = get('/page.html', 'Accept-Language' => 'it');
like($r->{body}, qr{<html lang="en">.*lang="it"}s, 'it: the banner in Italian');
like($r->{body}, qr{<li>Purpose 1 of the test list</li>},
     'it: no translation, the GVL\'s English');

# the second layer's fields, posted as a form without JavaScript, make
# the TC string (tcfsrv's side); the page then ticks what was chosen

my ($cv) = $page =~ /name="tcf_vendor" value="(\d+)">/;
my ($lv) = $page =~ /name="tcf_vendor_li" value="(\d+)" checked>/;
$r = $t->http(method => 'POST', uri => '/consent/',
    headers => [ 'Content-Type' => 'application/x-www-form-urlencoded',
                 Accept => 'text/html' ],
    body => "return=%2Fpage.html&tcf=1&tcf_purpose=1&tcf_purpose=2"
            . "&tcf_purpose_li=7&tcf_special_feature=1&tcf_vendor=$cv"
            . "&tcf_vendor_li=$lv&tcf_ac=89&granted=preferences&action=save");
is($r->{status}, 303, 'the form posted: 303 back to the page');
my $tc = cookie_value($r, 'euconsent-v2');
ok(defined $tc && length $tc, 'euconsent-v2 set');
like(cookie_value($r, 'addtl_consent') // '', qr/^2~89~dv\.12$/,
     'addtl_consent: ATP 89 consented, 12 disclosed');
SKIP: {
    skip 'no TC string', 6 unless $tc;
    $t->write_file('strings', "$tc\n");
    my $node = $ENV{NODE} || 'node';
    my $out = `cd $repo && $node t/lib/tcf.mjs decode < $dir/strings`;
    my $d = eval { JSON::PP->new->decode($out) } || {};
    is_deeply($d->{purposeConsents}, [1, 2], 'IAB\'s library: purposes 1, 2');
    is_deeply($d->{purposeLegitimateInterests}, [7],
              'legitimate interest kept for 7 only');
    is_deeply($d->{specialFeatureOptins}, [1], 'special feature 1');
    is_deeply($d->{vendorConsents}, [$cv], "vendor $cv");
    is_deeply($d->{vendorLegitimateInterests}, [$lv], "vendor LI $lv");

    my $cookie = join('; ', map { "$_=" . cookie_value($r, $_) }
                      grep { defined cookie_value($r, $_) }
                      qw(consent euconsent-v2));
    $r = get('/consent/', Accept => 'text/html', Cookie => $cookie);
    like($r->{body}, qr{name="tcf_purpose" value="2" checked>.*name="tcf_purpose_li" value="2">.*name="tcf_purpose_li" value="7" checked>.*name="tcf_special_feature" value="1" checked>}s,
         'the page ticks what was chosen');
    like($r->{body}, qr{name="action" value="withdraw">}, 'and can withdraw');

    # withdrawing from that page, without JavaScript
    $r = $t->http(method => 'POST', uri => '/consent/',
        headers => [ 'Content-Type' => 'application/x-www-form-urlencoded',
                     Accept => 'text/html', Cookie => $cookie ],
        body => "return=%2Fpage.html&tcf=1&tcf_purpose=2"
                . "&tcf_purpose_li=7&action=withdraw");
    is($r->{status}, 303, 'Withdraw: 303');
    is(cookie_value($r, 'euconsent-v2'), '', 'euconsent-v2 emptied');
}

# hostile GVL strings

$t->stop();
$t->config(cf(gvl => "$dir/evil/vendor-list.json", tr => ''));
$t->run();

$r = get('/page.html');
unlike($r->{body}, qr{<script>alert}, 'the first layer: nothing unescaped');
like($r->{body}, qr{Purpose 1 of the test list&lt;script&gt;alert\(1\)&lt;/script&gt;&quot;&#39;&amp;},
     'escaped');
$r = get('/consent/', Accept => 'text/html');
unlike($r->{body}, qr{<script>}, 'the second layer: nothing unescaped');
unlike($r->{body}, qr{href="javascript:}i, 'a javascript: URL is no link');
like($r->{body}, qr{<dd>javascript:alert\(1\)</dd>}, 'but text');
like($r->{body}, qr{href="https://vendor\d+\.example/privacy\?a=&quot;&gt;&lt;script&gt;x&lt;/script&gt;"},
     'a URL escaped in its attribute');
like($r->{body}, qr{<summary>Vendor \d+ \w+&lt;script&gt;}, 'vendor names escaped');

done_testing();

#!/usr/bin/perl

# The banner as the server sends it: the assets the endpoint serves
# (banner.js, banner.css: types, ETag, 304, gzip, cache by version, the
# weight budget), the head snippet's links and nonce, the banner's
# markup (second layer, Global Privacy Control, positions, languages,
# the manage link), the preferences page's return path, and the size of
# what is injected.  The browser tests (t/browser/) drive the same in
# Chromium.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use Consent::Test;
use Consent::Token qw(mint secret_from_keyfile_line);
use IO::Uncompress::Gunzip qw(gunzip $GunzipError);
use JSON::PP;

my $t = Consent::Test->new();
my $keys = $t->keyfile();
my $policy = $t->policy_file();

my $page = <<'HTML';
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>News</title>
<script async src="https://www.googletagmanager.com/gtag/js?id=G-1"></script>
</head>
<body>
<p>Story.</p>
<footer><a href="/consent/" data-consent-open>Cookie settings</a></footer>
</body>
</html>
HTML

$t->write_file('html/index.html', $page);

$t->config(<<"EOF");
http {
    include /etc/nginx/mime.types;

    consent_keys $keys;
    consent_policy $policy;

    server {
        listen 127.0.0.1:%%PORT_8080%%;
        server_name localhost;
        root %%TESTDIR%%/html;

        consent on;

        location /consent/ { consent_endpoint; }

        location /nonce/ {
            set \$csp_nonce "r4nd0m\\"<x>";
            consent_csp_nonce \$csp_nonce;
            alias %%TESTDIR%%/html/;
        }

        location /top/ {
            consent_banner_position top;
            alias %%TESTDIR%%/html/;
        }

        location /center/ {
            consent_banner_position center;
            consent_manage_button on;
            alias %%TESTDIR%%/html/;
        }
    }
}
EOF

$t->run();

open my $fh, '<', $keys or die;
my ($line) = grep { /^k1 / } <$fh>;
close $fh;
my $secret = secret_from_keyfile_line($line);
my $all = mint(secret => $secret, granted => 0xf);
my $analytics = mint(secret => $secret, granted => 0x5);

sub get {
    my ($uri, %h) = @_;
    my $method = delete $h{method} // 'GET';
    return $t->http(method => $method, uri => $uri, port => 8080,
        headers => [%h]);
}

sub repo_file {
    my ($name) = @_;
    open my $f, '<', $t->repo . "/$name" or die "$name: $!";
    binmode $f;
    local $/;
    my $s = <$f>;
    close $f;
    return $s;
}

# the assets

my (%body, %gz);

for my $asset (['banner.js', 'text/javascript; charset=utf-8'],
               ['banner.css', 'text/css; charset=utf-8'])
{
    my ($name, $type) = @$asset;
    my $r = get("/consent/$name");

    is($r->{status}, 200, "$name: 200");
    is($r->header('content-type'), $type, "$name: Content-Type");
    like($r->header('etag') // '', qr/^"[0-9a-f]{16}"$/, "$name: ETag");
    is($r->header('cache-control'), 'no-cache',
        "$name: revalidated when asked for without a version");
    is($r->header('x-content-type-options'), 'nosniff', "$name: nosniff");
    like($r->header('vary') // '', qr/Accept-Encoding/, "$name: Vary");
    is($r->header('content-encoding'), undef, "$name: identity by default");
    is($r->header('content-length'), length($r->{body}),
        "$name: Content-Length");
    unlike($r->{body}, qr{^\s*//|^\s*$}m,
        "$name: comment lines and blank lines stripped");
    $body{$name} = $r->{body};

    my $etag = $r->header('etag');
    $r = get("/consent/$name", 'If-None-Match' => $etag);
    is($r->{status}, 304, "$name: 304 for its ETag");
    $r = get("/consent/$name", 'If-None-Match' => '"other"');
    is($r->{status}, 200, "$name: 200 for another ETag");

    $r = get("/consent/$name", 'Accept-Encoding' => 'gzip, deflate, br');
    is($r->header('content-encoding'), 'gzip', "$name: gzip when taken");
    my $plain;
    gunzip(\$r->{body} => \$plain) or diag $GunzipError;
    is($plain, $body{$name}, "$name: the gzip copy is the same asset");
    $gz{$name} = length $r->{body};

    $r = get("/consent/$name", 'Accept-Encoding' => 'gzip;q=0, br');
    is($r->header('content-encoding'), undef, "$name: gzip;q=0 refuses it");

    $r = get("/consent/$name", method => 'HEAD');
    is($r->{status}, 200, "$name: HEAD");
    is($r->{body}, '', "$name: HEAD has no body");

    $r = get("/consent/$name", method => 'POST', 'Content-Length' => 0);
    is($r->{status}, 405, "$name: POST refused");
    is($r->header('allow'), 'GET, HEAD', "$name: Allow");
}

my $weight = $gz{'banner.js'} + $gz{'banner.css'};
cmp_ok($weight, '<=', 4096,
    "banner JS + CSS weigh at most 4 KB gzipped ($weight bytes)");

like($body{'banner.js'}, qr/window|w\.consent/, 'banner.js is the script');
like($body{'banner.css'}, qr/#consent-banner/, 'banner.css is the style');

my $r = get('/consent/nothing.js');
is($r->{status}, 404, 'an unknown asset: 404');
is($r->header('cache-control'), 'no-store', 'the 404 is not cached');
$r = get('/consent/banner.jsx');
is($r->{status}, 404, 'a near name: 404');

# the committed embedding matches the assets

{
    my $repo = $t->repo;
    my $now = `cd '$repo' && sh auto/embed src/assets/banner.js src/assets/banner.css src/assets/gpp.js src/assets/tcfapi.js`;
    is($?, 0, 'auto/embed runs');
    ok($now eq repo_file('src/consent_assets.c'),
        'src/consent_assets.c is current (run make after editing src/assets)');
}

# the head snippet names this version, which is cached for a year

$r = get('/index.html');
my $head = ($r->{body} =~ m{<head>\n?(<script type="application/json" id="consent-state".*?</script><link [^>]*><script [^>]*></script>)}s)[0] // '';
ok($head, 'the head snippet right after <head>');
my ($v) = $head =~ m{<link rel="stylesheet" href="/consent/banner\.css\?v=([0-9a-f]{16})" data-consent-ui>};
ok($v, 'the stylesheet link, with a version');
like($head, qr{<script src="/consent/banner\.js\?v=$v" data-consent-ui></script>$},
    'the script after the state and the stylesheet, not async');
unlike($head, qr/nonce/, 'no nonce unless configured');
$r = get("/consent/banner.js?v=$v");
is($r->header('cache-control'), 'public, max-age=31536000, immutable',
    'asked for by version: cached for a year');
$r = get("/consent/banner.js?v=0000000000000000");
is($r->header('cache-control'), 'no-cache', 'another version: revalidated');

my ($json) = $head =~ m{data-consent-ui>(\{.*?\})</script>};
my $state = eval { decode_json($json) };
ok($state, 'the state is JSON');
is($state->{state}, 'absent', 'state absent');
is($state->{endpoint}, '/consent/', 'endpoint');
is($state->{gpc}, JSON::PP::false, 'gpc false');
is_deeply($state->{consent_mode}{ad_storage}, ['marketing'],
    'Consent Mode: ad_storage follows marketing');
is_deeply($state->{consent_mode}{analytics_storage}, ['analytics'],
    'Consent Mode: analytics_storage follows analytics');

# the banner

my ($banner) = $r->{body} =~ m{(<div id="consent-banner".*?</form>\n</div>)}s;
$r = get('/index.html');
($banner) = $r->{body} =~ m{(<div id="consent-banner".*?</form>\n</div>)}s;
ok($banner, 'the banner');
like($banner, qr{^<div id="consent-banner" role="dialog" aria-labelledby="consent-title" aria-describedby="consent-text" tabindex="-1" lang="en" dir="ltr" data-consent-position="bottom" data-consent-ui>},
    'a labelled dialog, shown, at the bottom');
like($banner, qr{<h2 id="consent-title">Your privacy choices</h2>}, 'title');
like($banner, qr{<p id="consent-text">We use cookies.*<a href="/privacy">Privacy and cookie policy</a></p>}s,
    'text and privacy link');
my @buttons = $banner =~ m{(<button [^>]*>)}g;
is(scalar @buttons, 4, 'four buttons');
like($banner, qr{<div class="consent-buttons">\n<button type="submit" name="action" value="accept_all">Accept all</button>\n<button type="submit" name="action" value="reject_all">Reject all</button>\n<button type="submit" formmethod="get" formaction="/consent/" data-consent-customise aria-controls="consent-layer2" aria-expanded="false">Customise</button>\n</div>},
    'first layer: accept, reject and customise, alike');
unlike($banner, qr/class="[^"]*(primary|secondary)/, 'no button singled out');
like($banner, qr{<div id="consent-layer2" hidden>}, 'the second layer, hidden');
my @boxes = $banner =~ m{(<input type="checkbox"[^>]*>)}g;
is(scalar @boxes, 4, 'a checkbox per category');
is(scalar(grep { /checked/ } @boxes), 1, 'only the required one ticked');
like($boxes[0], qr{value="necessary".* checked disabled>}, 'required: always on');
like($banner, qr{\(Always on\)}, 'required: says so');
like($banner, qr{<p id="consent-d-marketing">Let advertising companies},
    'each category described');
like($banner, qr{name="return" value="/index\.html"}, 'returns here');
unlike($banner, qr/consent-gpc/, 'no GPC notice without the signal');
unlike($r->{body}, qr/id="consent-manage"/, 'no manage button by default');

# a valid consent: hidden, with the choices ticked

$r = get('/index.html', Cookie => "consent=$analytics");
($banner) = $r->{body} =~ m{(<div id="consent-banner".*?</form>\n</div>)}s;
like($banner, qr{^<div [^>]* data-consent-ui hidden>}, 'valid consent: hidden');
like($banner, qr{value="analytics" aria-describedby="consent-d-analytics" checked>},
    'valid consent: granted category ticked');
like($banner, qr{value="marketing" aria-describedby="consent-d-marketing">},
    'valid consent: others not');
like($r->{body}, qr{"state":"valid"}, 'state valid');

# Global Privacy Control

$r = get('/index.html', 'Sec-GPC' => '1');
like($r->{body}, qr{<p class="consent-gpc">Your browser sent a Global Privacy Control signal},
    'Sec-GPC: the banner says it was honoured');
like($r->{body}, qr{"gpc":true}, 'Sec-GPC: in the state');
like($r->{body}, qr{value="marketing" aria-describedby="consent-d-marketing">},
    'Sec-GPC: marketing not ticked');
$r = get('/index.html', 'Sec-GPC' => '1', Cookie => "consent=$all");
unlike($r->{body}, qr{consent-gpc}, 'Sec-GPC after a choice: the choice wins');
like($r->{body}, qr{"gpc":false}, 'Sec-GPC after a choice: not in force');
$r = get('/index.html', 'Sec-GPC' => '0');
unlike($r->{body}, qr{consent-gpc}, 'Sec-GPC: 0 is no signal');

# languages

$r = get('/index.html', 'Accept-Language' => 'de;q=0.9, es;q=0.95');
like($r->{body}, qr{<div id="consent-banner" [^>]*lang="es" dir="ltr"},
    'Accept-Language: es by quality');
like($r->{body}, qr{<h2 id="consent-title">Sus opciones de privacidad</h2>},
    'Accept-Language: Spanish texts');
$r = get('/index.html', 'Accept-Language' => 'en');
like($r->{body}, qr{Your privacy choices}, 'templates per language: en again');
$r = get('/index.html', 'Accept-Language' => 'ar-EG,ar;q=0.9,en;q=0.5');
like($r->{body}, qr{<div id="consent-banner" [^>]*lang="ar" dir="rtl"},
    'Accept-Language: Arabic, right to left');
unlike($r->{body}, qr{Your privacy choices}, 'Arabic: not the English title');
$r = get('/index.html', 'Accept-Language' => 'he');
like($r->{body}, qr{<div id="consent-banner" [^>]*lang="he" dir="rtl"},
    'Accept-Language: Hebrew, right to left');
$r = get('/index.html', 'Accept-Language' => 'nb-NO,nb;q=0.9');
like($r->{body}, qr{<div id="consent-banner" [^>]*lang="no" dir="ltr"},
    'Accept-Language: nb-NO gets Norwegian');

my $policy_json = decode_json(repo_file('conf/policy.json'));
my @langs = sort keys %{ $policy_json->{texts} };
is(scalar @langs, 30, 'the shipped policy has 30 languages');
for my $l (@langs) {
    $r = get('/index.html', 'Accept-Language' => $l);
    my $title = $policy_json->{texts}{$l}{title};
    utf8::encode($title);
    ok(index($r->{body}, '<h2 id="consent-title">' . html_escape($title) . '</h2>') >= 0
        && $r->{body} =~ /<div id="consent-banner" [^>]*lang="\Q$l\E"/,
        "banner in $l");
}

# nonce, positions, manage button

$r = get('/nonce/index.html');
is(scalar(() = $r->{body} =~ /nonce="r4nd0m&quot;&lt;x&gt;"/g), 3,
    'consent_csp_nonce: on the state, the link and the script, escaped');
$r = get('/top/index.html');
like($r->{body}, qr{data-consent-position="top" data-consent-ui>},
    'consent_banner_position top');
$r = get('/center/index.html');
like($r->{body}, qr{data-consent-position="center" aria-modal="true" data-consent-ui>},
    'consent_banner_position center: a modal dialog');
like($r->{body}, qr{<a href="/consent/" id="consent-manage" lang="en" data-consent-open data-consent-ui hidden>Manage cookie preferences</a>},
    'manage button, hidden while the banner shows');

# what is injected weighs: head snippet + banner, and without the texts

$r = get('/index.html');
(my $plain = $r->{body}) =~ s{<script type="application/json" id="consent-state".*?</script><link [^>]*><script [^>]*></script>}{}s;
$plain =~ s{<div id="consent-banner".*?</form>\n</div>}{}s;
my $injected = length($r->{body}) - length($plain);
(my $gated = $page) =~ s{<script async}{<script type="text/plain" data-consent="analytics" async};
is($plain, $gated, 'nothing else is changed but the gated script');

my $p = decode_json(repo_file('conf/policy.json'));
my $texts = 0;
for my $k (qw(title message privacy_link accept_all reject_all customise save always_on)) {
    $texts += length(html_escape($p->{texts}{en}{$k}));
}
for my $c (@{ $p->{categories} }) {
    $texts += length(html_escape($c->{label}{en}))
        + length(html_escape($c->{description}{en}));
}
my $markup = $injected - $texts;
cmp_ok($markup, '<=', 3072,
    "injected markup without the policy's texts at most 3 KB ($markup bytes; "
    . "$injected with the English texts)");

# the preferences page returns where the banner's form said

$r = get('/consent/?return=%2Fnews%2Fa%3Fp%3D2', Accept => 'text/html');
like($r->{body}, qr{name="return" value="/news/a\?p=2"},
    'GET ?return=: the preferences page returns there');
$r = get('/consent/?return=%2F%2Fevil.example%2F', Accept => 'text/html',
    Referer => 'http://evil.example/');
like($r->{body}, qr{name="return" value="/"},
    'GET ?return=//evil: refused, back to /');

done_testing();

sub html_escape {
    my ($s) = @_;
    utf8::encode($s) if utf8::is_utf8($s);
    $s =~ s/&/&amp;/g;
    $s =~ s/</&lt;/g;
    $s =~ s/>/&gt;/g;
    $s =~ s/"/&quot;/g;
    $s =~ s/'/&#39;/g;
    return $s;
}

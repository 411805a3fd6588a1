#!/usr/bin/perl

# The HTML filter through nginx: gating by consent state, injection of
# the head snippet and the banner, headers, HEAD, fragments, SSI
# subrequests, compressed upstreams, pages sent in small pieces, and no
# keep-alive stall.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use Consent::Test;
use Consent::Token qw(mint secret_from_keyfile_line);
use Time::HiRes qw(time);
use Compress::Zlib ();

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
<script>
  window.dataLayer = window.dataLayer || [];
  function gtag(){dataLayer.push(arguments);}
  gtag('js', new Date());
</script>
<script src="/assets/site.js"></script>
</head>
<body>
<p>Read about google-analytics.com in the text: not a tag.</p>
<!-- <script src="https://connect.facebook.net/en_US/fbevents.js"></script> -->
<iframe width="560" src="https://www.youtube.com/embed/abc" title="video"></iframe>
<noscript><img height="1" width="1" src="https://www.facebook.com/tr?id=1&amp;ev=PageView"></noscript>
<script data-consent="analytics" src="/assets/local-stats.js"></script>
</body>
</html>
HTML

my $fragment = qq{<div class="comments"><p>No trackers here.</p></div>\n};

$t->write_file('html/index.html', $page);
$t->write_file('html/fragment.html', $fragment);
$t->write_file('html/style.css', "body { color: black }\n");
$t->write_file('html/ssi.html', qq{<!DOCTYPE html><html><body>\n}
    . qq{<!--# include virtual="/part.html" -->\n</body></html>\n});
$t->write_file('html/part.html',
    qq{<script src="https://connect.facebook.net/x.js"></script>\n});

my $big = "<!DOCTYPE html><html><head><title>big</title></head><body>\n"
    . ("<p>Paragraph of text with <a href=\"/x\">a link</a>.</p>\n" x 2000)
    . "<img src=\"https://ad.doubleclick.net/pixel.gif\" alt=\"\">\n"
    . "</body></html>\n";
$t->write_file('html/big.html', $big);

# what a preload scanner reads past the tokenizer, and a long tag that
# loads nothing (docs/gating.md)
my $hero = 'data:image/png;base64,' . ('iVBORw0KGgoAAAANSUhEUg' x 500);
my $preload = "<!DOCTYPE html><html><head><title>preload</title></head><body>\n"
    . qq{<img class="hero" src="$hero" alt="a 11 KB data: URL">\n}
    . qq{<script src="" src="https://www.googletagmanager.com/gtm.js"></script>\n}
    . qq{<svg><![CDATA[><img src="https://www.facebook.com/tr?id=1">]]></svg>\n}
    . qq{<video poster="https://www.facebook.com/tr?id=2"></video>\n}
    . qq{<img alt="} . ('x' x 9000) . qq{" src="https://www.facebook.com/tr?id=3">\n}
    . "</body></html>\n";
$t->write_file('html/preload.html', $preload);

$t->config(<<"EOF");
http {
    include /etc/nginx/mime.types;

    consent_keys $keys;
    consent_policy $policy;

    server {
        listen 127.0.0.1:%%PORT_8080%%;
        server_name localhost;
        root %%TESTDIR%%/html;
        if_modified_since before;

        consent on;

        location /consent/ { consent_endpoint; }

        location = /ssi.html { ssi on; }

        location /slow/ {
            proxy_pass http://127.0.0.1:%%PORT_8081%%/;
        }

        location /gz/ {
            proxy_pass http://127.0.0.1:%%PORT_8082%%/;
        }

        location /bad-gz/ {
            proxy_pass http://127.0.0.1:%%PORT_8084%%/;
        }

        location /manage/ {
            consent_manage_button on;
            alias %%TESTDIR%%/html/;
        }

        location /private-off/ {
            consent_cache_private off;
            alias %%TESTDIR%%/html/;
        }

        location /typed/ {
            # a type with its parameters, held whole by nginx
            types { }
            default_type "text/html; charset=utf-8";
            alias %%TESTDIR%%/html/;
        }
    }

    server {
        listen 127.0.0.1:%%PORT_8083%%;
        server_name localhost;
        root %%TESTDIR%%/html;

        sendfile on;
        tcp_nopush on;

        consent on;

        location /consent/ { consent_endpoint; }
    }
}
EOF

my @pieces = map { [$_, 0.01] } unpack('(a50)*', $page);
$t->backend(port => 8081, chunks => \@pieces,
    headers => ['Content-Type' => 'text/html; charset=utf-8']);
my $gz = Compress::Zlib::memGzip(qq{<!DOCTYPE html><html><body>\n}
    . qq{<script src="https://connect.facebook.net/x.js"></script>\n}
    . qq{</body></html>\n});
$t->backend(port => 8082, chunks => [[substr($gz, 0, 20), 0.01],
        [substr($gz, 20), 0]],
    headers => ['Content-Type' => 'text/html', 'Content-Encoding' => 'gzip']);
$t->backend(port => 8084, chunks => [["\x1f\x8b\x08\x00compressed", 0]],
    headers => ['Content-Type' => 'text/html', 'Content-Encoding' => 'gzip']);

$t->run();

open my $fh, '<', $keys or die;
my ($line) = grep { /^k1 / } <$fh>;
close $fh;
my $secret = secret_from_keyfile_line($line);

my %cookie = (
    all       => mint(secret => $secret, granted => 0xf),
    analytics => mint(secret => $secret, granted => 0x5),
    tampered  => mint(secret => $secret . 'x', granted => 0xf),
    outdated  => mint(secret => $secret, granted => 0xf, revision => 0),
);

sub get {
    my ($uri, $who, %a) = @_;
    my @h = defined $who ? (Cookie => "consent=$cookie{$who}") : ();
    return $t->http(method => $a{method} // 'GET', uri => $uri,
        port => $a{port} // 8080, headers => [@h, @{$a{headers} // []}]);
}

sub gated {
    my ($body) = @_;
    return {
        gtag => (($body =~ m{<script type="text/plain" data-consent="analytics" async src="https://www\.googletagmanager\.com}) ? 1 : 0),
        inline => (($body =~ m{<script type="text/plain" data-consent="analytics">\s*window\.dataLayer}) ? 1 : 0),
        youtube => (($body =~ m{<iframe data-consent="marketing" width="560" data-consent-src="https://www\.youtube\.com/embed/abc"}) ? 1 : 0),
        pixel => (($body =~ m{<img data-consent="marketing" height="1" width="1" data-consent-src="https://www\.facebook\.com/tr}) ? 1 : 0),
        local => (($body =~ m{<script type="text/plain" data-consent="analytics" src="/assets/local-stats\.js">}) ? 1 : 0),
    };
}

# no consent: everything optional is gated, the banner is there

my $r = get('/index.html');
is($r->{status}, 200, 'page');
is_deeply(gated($r->{body}),
    { gtag => 1, inline => 1, youtube => 1, pixel => 1, local => 1 },
    'no consent: every tracker gated');
like($r->{body}, qr{<script src="/assets/site\.js"></script>},
    'first-party script untouched');
like($r->{body}, qr{Read about google-analytics\.com in the text},
    'text that names a tracker is untouched');
like($r->{body},
    qr{<!-- <script src="https://connect\.facebook\.net/en_US/fbevents\.js"></script> -->},
    'a commented-out tag is untouched');
like($r->{body}, qr{<head>\n?<script type="application/json" id="consent-state" data-consent-ui>\{"state":"absent"},
    'head snippet right after <head>');
like($r->{body}, qr{<body[^>]*><div id="consent-banner" role="dialog"[^>]*data-consent-ui>}s,
    'banner right after <body>');
like($r->{body}, qr{<button type="submit" name="action" value="reject_all">},
    'banner has reject');
like($r->{body}, qr{name="return" value="/index\.html"}, 'banner returns here');
is($r->header('content-length'), undef, 'no Content-Length');
is($r->header('accept-ranges'), undef, 'no Accept-Ranges');
like($r->header('etag'), qr{^W/"[^"]+;c=[0-9a-f]{16}"$},
    'ETag weak, naming the variant');
is($r->header('last-modified'), undef, 'no Last-Modified');
is($r->header('cache-control'), 'private, no-cache',
    'Cache-Control: private, revalidated');
like(join(',', $r->headers('vary')), qr/Cookie/, 'Vary: Cookie');

# everything granted: trackers pass byte-identical, no banner

$r = get('/index.html', 'all');
is_deeply(gated($r->{body}),
    { gtag => 0, inline => 0, youtube => 0, pixel => 0, local => 0 },
    'all granted: nothing gated');
(my $stripped = $r->{body})
    =~ s{<script type="application/json" id="consent-state" data-consent-ui>.*?</script><link [^>]*data-consent-ui><script [^>]*data-consent-ui></script>}{}s;
$stripped =~ s{<div id="consent-banner" .*?</form>\n</div>}{}s;
is($stripped, $page, 'all granted: the page byte-identical but the injections');
like($r->{body}, qr{<div id="consent-banner" [^>]* data-consent-ui hidden>},
    'the banner hidden once chosen');

# partly granted

$r = get('/index.html', 'analytics');
is_deeply(gated($r->{body}),
    { gtag => 0, inline => 0, youtube => 1, pixel => 1, local => 0 },
    'analytics granted: only marketing gated');

for my $who (qw(tampered outdated)) {
    $r = get('/index.html', $who);
    is_deeply(gated($r->{body}),
        { gtag => 1, inline => 1, youtube => 1, pixel => 1, local => 1 },
        "$who cookie: everything gated");
    like($r->{body}, qr{<div id="consent-banner" [^>]* data-consent-ui>},
        "$who cookie: asked again");
}

$r = get('/manage/index.html', 'all');
like($r->{body}, qr{<a href="/consent/" id="consent-manage" lang="en" data-consent-open data-consent-ui>},
    'consent_manage_button on: a manage link, shown once chosen');
$r = get('/manage/index.html');
like($r->{body}, qr{<a href="/consent/" id="consent-manage" lang="en" data-consent-open data-consent-ui hidden>},
    'consent_manage_button on: the manage link hidden while the banner shows');

$r = get('/private-off/index.html');
is($r->header('cache-control'), 'no-cache',
    'consent_cache_private off: revalidated all the same');

# what is not a page

$r = get('/fragment.html');
is($r->{body}, $fragment, 'a fragment with nothing to gate: byte-identical');

$r = get('/style.css');
is($r->{body}, "body { color: black }\n", 'CSS untouched');
ok(defined $r->header('content-length'), 'CSS keeps Content-Length');

$r = get('/index.html', undef, method => 'HEAD');
is($r->{status}, 200, 'HEAD');
is($r->{body}, '', 'HEAD: no body');
is($r->header('content-length'), undef, 'HEAD: headers as for GET');

# conditional requests: a 304 only for the variant the visitor holds

$r = get('/index.html', undef,
    headers => ['If-Modified-Since' => 'Thu, 01 Jan 2037 00:00:00 GMT']);
is($r->{status}, 200, 'If-Modified-Since alone: the page, not a 304');
$r = get('/style.css', undef,
    headers => ['If-Modified-Since' => 'Thu, 01 Jan 2037 00:00:00 GMT',
        'Sec-Fetch-Dest' => 'style']);
is($r->{status}, 304, 'a stylesheet keeps its own validators');

my $etag = get('/index.html')->header('etag');
$r = get('/index.html', undef, headers => ['If-None-Match' => $etag]);
is($r->{status}, 304, 'same variant: 304');
is($r->header('etag'), $etag, '304: the variant tag again');
like($r->header('cache-control') // '', qr/private/, '304: private');
$r = get('/index.html', 'all', headers => ['If-None-Match' => $etag]);
is($r->{status}, 200, 'consent given since: the page again');
isnt($r->header('etag'), $etag, 'another variant, another tag');
is_deeply(gated($r->{body}),
    { gtag => 0, inline => 0, youtube => 0, pixel => 0, local => 0 },
    'and its trackers');
my $all_etag = $r->header('etag');
$r = get('/index.html', undef, headers => ['If-None-Match' => $all_etag]);
is($r->{status}, 200, 'consent withdrawn since: the page again');
is_deeply(gated($r->{body}),
    { gtag => 1, inline => 1, youtube => 1, pixel => 1, local => 1 },
    'withdrawn: every tracker gated');
(my $plain = $etag) =~ s{^W/"(.*);c=[0-9a-f]{16}"$}{"$1"};
$r = get('/index.html', undef, headers => ['If-None-Match' => $plain]);
is($r->{status}, 200, 'the page\'s own tag, unmarked: the page again');

# compressed upstreams are inflated and gated

$r = get('/gz/x.html');
is($r->{status}, 200, 'gzip upstream: 200');
is($r->header('content-encoding'), undef, 'gzip upstream: sent identity');
like($r->{body}, qr{<script type="text/plain" data-consent="marketing" src="https://connect\.facebook\.net/x\.js">},
    'gzip upstream: inflated and gated');
like($r->{body}, qr{id="consent-banner"}, 'gzip upstream: banner');

$r = get('/bad-gz/x.html');
ok($t->wait_for_log(qr/\[error\].*consent: the compressed page cannot be inflated/, 3),
    'corrupt gzip: cut, and said at error level');
unlike($r->{body} // '', qr/connect\.facebook/, 'corrupt gzip: nothing of it sent');

$r = get('/consent/', undef, headers => [Accept => 'text/html']);
unlike($r->{body}, qr/consent-banner/, 'the preferences page gets no banner');

# SSI: the include is gated, the banner comes once

$r = get('/ssi.html');
like($r->{body}, qr{<script type="text/plain" data-consent="marketing" src="https://connect\.facebook\.net/x\.js">},
    'SSI include gated');
is(scalar(() = $r->{body} =~ /id="consent-banner"/g), 1, 'one banner');

# a page sent in 50-byte pieces comes out as if sent whole

my $whole = get('/index.html')->{body};
$r = get('/slow/index.html');
(my $a = $whole) =~ s{value="/index\.html"}{value="/slow/index.html"};
is($r->{body}, $a, 'pieces: same output as a whole page');

# a big page: streamed, correct

$r = get('/big.html');
like($r->{body}, qr{<img data-consent="marketing" data-consent-src="https://ad\.doubleclick\.net/pixel\.gif" alt="">},
    'big page: the tracker at its end gated');
is(length($r->{body}) - length($big) > 0, 1, 'big page: grew by the injections');

# the preload scanner's reading and long tags, through nginx

$r = get('/preload.html');
like($r->{body}, qr{<img class="hero" src="\Q$hero\E" alt="a 11 KB data: URL">},
    'preload: an image with a long data: URL is judged, and kept');
like($r->{body}, qr{<script type="text/plain" data-consent="analytics" src="" src="https://www\.googletagmanager\.com/gtm\.js">},
    'preload: a script with an empty first src is gated by the second');
like($r->{body}, qr{<svg><!\[CDATA\[><img data-consent="marketing" data-consent-src="https://www\.facebook\.com/tr\?id=1">\]\]></svg>},
    'preload: an <img> in SVG CDATA, as a preload scanner sees it, is gated');
like($r->{body}, qr{<video data-consent="marketing" data-consent-poster="https://www\.facebook\.com/tr\?id=2">},
    'preload: a poster is gated');
like($r->{body}, qr{x" data-consent="marketing" data-consent-src="https://www\.facebook\.com/tr\?id=3">},
    'preload: a 9 KB alt, then a tracker: judged by the tracker');
is($t->wait_for_log(qr/consent_tag_max gated unseen/, 0.3) ? 1 : 0, 0,
    'preload: nothing failed closed');

$r = get('/preload.html', 'all');
(my $kept = $r->{body})
    =~ s{<script type="application/json" id="consent-state" data-consent-ui>.*?</script><link [^>]*data-consent-ui><script [^>]*data-consent-ui></script>}{}s;
$kept =~ s{<div id="consent-banner" .*?</form>\n</div>}{}s;
is($kept, $preload, 'preload: everything granted, byte-identical');

# default_type with a charset: nginx holds the whole value as the type,
# and the page is filtered all the same

$r = get('/typed/index.html');
is($r->header('content-type'), 'text/html; charset=utf-8',
    'default_type with parameters: the type as configured');
unlike($r->{body}, qr{<script async src="https://www\.googletagmanager},
    'default_type with parameters: the tracker is gated');
like($r->{body}, qr{id="consent-banner"},
    'default_type with parameters: the banner is in');

# no keep-alive stall with sendfile on and tcp_nopush on

my @times;
my $t0 = time;
my @rs = $t->http_keepalive(port => 8083, requests => [
    map { { method => 'GET', uri => '/big.html' } } 1 .. 4 ]);
my $elapsed = time - $t0;
is(scalar(grep { $_->{status} == 200 } @rs), 4, 'four pages on one connection');
ok($elapsed < 1.0, sprintf('no stall: four 100 KB pages in %.3f s', $elapsed));

done_testing();

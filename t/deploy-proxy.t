#!/usr/bin/perl

# Deployment: proxy_pass. Compressed upstreams (an nginx with "gzip on",
# a backend sending gzip, x-gzip, deflate in both framings) are inflated
# and gated; what the upstream is asked for (Accept-Encoding) is only
# what the module can read; an encoding it cannot read (br, zstd) is
# never sent to a visitor without full consent (502, "consent:" at
# error); conditional requests never reach the upstream nor bring back
# another variant, also through proxy_cache; a decompression bomb is
# cut; X-Accel-Redirect and error_page to a location without
# "consent on" keep the filter of the location the request started in.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use IO::Select;
use IO::Socket::INET;
use Test::More;
use Time::HiRes qw(time);
use Consent::Test;
use Consent::Test::Deploy qw(:all);

my $MB = 1024 * 1024;

my $t = Consent::Test->new();
my $keys = $t->keyfile();
my $policy = $t->policy_file();

sub page {
    my ($marker, $filler) = @_;
    return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
        . "<meta charset=\"utf-8\">\n<title>$marker</title>\n"
        . '<script async src="https://www.googletagmanager.com/gtm.js?id=GTM-PROXY"></script>'
        . "\n</head>\n<body>\n<h1>$marker</h1>\n"
        . ($filler // '')
        . '<iframe width="560" src="https://www.youtube.com/embed/proxy" title="video"></iframe>'
        . "\n"
        . '<img height="1" width="1" src="https://www.facebook.com/tr?id=1&amp;ev=PageView" alt="">'
        . "\n<p>END-OF-PAGE</p>\n</body>\n</html>\n";
}

my $ALL_LIVE = 'gtm,meta,youtube';
my $PAGE = page('PROXIED');
my $BR_BYTES = "\x1b\x2a\x00\xf8\x8d\x94\x6e\xde\x41\x0a\x0f\x0d" x 8;

$t->write_file('html/article.html', $PAGE);
$t->write_file('html/plain/article.html', $PAGE);
$t->write_file('html/public/article.html', $PAGE);
$t->write_file('html/br/page.html', $BR_BYTES);
$t->write_file('html/errors/404.html', page('NOT-FOUND'));
$t->write_file('html/xgz/article.html', page('XGZ-PLAIN'));
$t->write_file('html/xgz/article.html.gz', gz(page('XGZ-FROM-GZ')));

# the Perl backend: a response by path, and a log of what it was asked
my %ENC = (
    'gzip'         => [ 'gzip',     \&gz ],
    'x-gzip'       => [ 'x-gzip',   \&gz ],
    'deflate-zlib' => [ 'deflate',  \&zlib ],
    'deflate-raw'  => [ 'deflate',  \&raw_deflate ],
    'identity'     => [ 'identity', sub { $_[0] } ],
    'gzip-upper'   => [ 'GZIP',     \&gz ],
);

$t->backend(port => 8082, handler => sub {
    my ($req) = @_;
    my ($path) = $req->{uri} =~ m{^([^?]*)};
    my $html = ['Content-Type' => 'text/html; charset=utf-8'];

    if ($path =~ m{^/enc/([\w-]+)$} && $ENC{$1}) {
        my ($ce, $f) = @{ $ENC{$1} };
        my $body = $f->(page("ENC-$1"));
        # in small pieces: the inflater streams
        my @pieces = map { [$_, 0.002] } unpack '(a97)*', $body;
        return (200, [@$html, 'Content-Encoding' => $ce], \@pieces);
    }
    if ($path =~ m{^/undecodable/([\w, -]+)$}) {
        (my $ce = $1) =~ s/-/, /g;
        return (200, [@$html, 'Content-Encoding' => $ce, 'Content-Length'
            => length $BR_BYTES], $BR_BYTES);
    }
    if ($path eq '/bomb') {
        my $body = gz("<!DOCTYPE html><html><body>\n" . (' ' x (8 * $MB))
            . "<p>END-OF-BOMB</p></body></html>\n");
        return (200, [@$html, 'Content-Encoding' => 'gzip'], $body);
    }
    if ($path eq '/big') {
        my $body = gz(page('BIG', "<p>filler text</p>\n" x 100_000));
        return (200, [@$html, 'Content-Encoding' => 'gzip'], $body);
    }
    if ($path eq '/app/conditional') {
        # an application that honours validators itself
        my $inm = join ',', @{ $req->{headers}{'if-none-match'} || [] };
        my $ims = $req->{headers}{'if-modified-since'};
        return (304, ['ETag' => '"app-v1"'], '')
            if $inm =~ /"app-v1"/ || $ims;
        return (200, [@$html, 'ETag' => '"app-v1"',
            'Last-Modified' => 'Mon, 02 Nov 2026 10:00:00 GMT',
            'Cache-Control' => 'public, max-age=600'], page('APP'));
    }
    if ($path =~ m{^/app/xaccel-(gz|br|ae)$}) {
        my %to = (gz => '/protected-gz/article.html',
            br => '/protected-br/page.html', ae => '/protected-ae/article.html?ae=xaccel');
        return (200, [@$html, 'X-Accel-Redirect' => $to{$1}], '');
    }
    if ($path eq '/app/xaccel') {
        return (200, [@$html, 'X-Accel-Redirect' => '/protected/article.html'],
            '');
    }
    if ($path eq '/app/missing') {
        return (404, [@$html], "<html><body>upstream 404</body></html>\n");
    }
    return (200, $html, page("PERL $path"));
});

$t->config(<<"EOF");
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;

    consent_keys $keys;
    consent_policy $policy;

    proxy_cache_path %%TESTDIR%%/cache keys_zone=pages:1m;

    # (the harness adds none once the config has an access_log of its own)
    access_log %%TESTDIR%%/access.log;

    log_format upstream '\$request_uri ae="\$http_accept_encoding" '
                        'inm="\$http_if_none_match" '
                        'ims="\$http_if_modified_since"';

    server {
        listen 127.0.0.1:%%PORT_8080%%;
        server_name localhost;

        consent on;

        location /consent/ { consent_endpoint; }

        location /gz/ { proxy_pass http://127.0.0.1:%%PORT_8081%%/; }

        location /gz-again/ {
            proxy_pass http://127.0.0.1:%%PORT_8081%%/;
            gzip on;
            gzip_min_length 0;
        }

        location /gunzip/ {
            proxy_pass http://127.0.0.1:%%PORT_8081%%/;
            gunzip on;
        }

        location /plain/ { proxy_pass http://127.0.0.1:%%PORT_8084%%/plain/; }

        location /br-static/ {
            proxy_pass http://127.0.0.1:%%PORT_8084%%/br/;
        }

        location /cache/ {
            proxy_pass http://127.0.0.1:%%PORT_8084%%/public/;
            proxy_cache pages;
            proxy_cache_valid 200 10m;
            add_header X-Cache \$upstream_cache_status always;
        }

        location /perl/ { proxy_pass http://127.0.0.1:%%PORT_8082%%/; }

        location /cache-gz/ {
            proxy_pass http://127.0.0.1:%%PORT_8081%%/;
            proxy_cache pages;
            proxy_cache_valid 200 10m;
            add_header X-Cache \$upstream_cache_status always;
        }
    }

    # an upstream that compresses whatever it is asked for
    server {
        listen 127.0.0.1:%%PORT_8081%%;
        server_name localhost;
        root %%TESTDIR%%/html;
        access_log %%TESTDIR%%/upstream-gzip.log upstream;

        gzip on;
        gzip_min_length 0;
        gzip_http_version 1.0;
    }

    # an upstream of static files that does not compress
    server {
        listen 127.0.0.1:%%PORT_8084%%;
        server_name localhost;
        root %%TESTDIR%%/html;
        access_log %%TESTDIR%%/upstream-plain.log upstream;

        location /br/ {
            default_type text/html;
            add_header Content-Encoding br;
        }
        location /public/ {
            add_header Cache-Control "public, max-age=600";
        }
    }

    # consent only where a location says so: internal redirects from it
    server {
        listen 127.0.0.1:%%PORT_8083%%;
        server_name localhost;
        root %%TESTDIR%%/html;

        location /consent/ { consent_endpoint; }

        location /app/ {
            consent on;
            proxy_pass http://127.0.0.1:%%PORT_8082%%;
        }

        location /app-intercept/ {
            consent on;
            proxy_pass http://127.0.0.1:%%PORT_8082%%/app/;
            proxy_intercept_errors on;
            error_page 404 /errors/404.html;
        }

        location /errpage/ {
            consent on;
            error_page 404 /errors/404.html;
        }

        location /protected/ {
            internal;
            alias %%TESTDIR%%/html/;
        }

        location /errors/ { internal; }

        location /protected-gz/ {
            internal;
            alias %%TESTDIR%%/html/xgz/;
            gzip_static always;
        }

        location /protected-br/ {
            internal;
            proxy_pass http://127.0.0.1:%%PORT_8084%%/br/;
        }

        location /protected-ae/ {
            internal;
            proxy_pass http://127.0.0.1:%%PORT_8081%%/;
        }
    }
}
EOF

$t->run();

my $C = cookies($t);

sub get {
    my ($uri, $who, @h) = @_;
    my %o;
    %o = %{ pop @h } if @h % 2;
    push @h, Cookie => $C->{$who} if defined $who;
    return $t->http(uri => $uri, headers => \@h, %o);
}

sub upstream_log {
    my ($name, $re) = @_;
    return grep { $_ =~ $re } split /\n/, $t->read_file($name) // '';
}

sub no_encoding {
    my ($r) = @_;
    return !grep { !/^identity$/i } $r->headers('content-encoding');
}

# a page that must reach the visitor gated, whole, in a form a browser
# reads
sub gated_ok {
    my ($r, $name, %o) = @_;
    is($r->status, 200, "$name: 200") or diag($r->describe);
    my $body = decoded_body($r);
    ok(defined $body, "$name: the body decodes")
        or diag('Content-Encoding: ' . join(', ',
            $r->headers('content-encoding')));
    $body //= '';
    ok(no_encoding($r), "$name: sent without Content-Encoding")
        or diag('Content-Encoding: ' . join(', ',
            $r->headers('content-encoding')))
        unless $o{encoded};
    is(live($body), $o{live} // '', "$name: no tracker live but granted");
    is(gated($body), $o{gated} // $ALL_LIVE, "$name: the trackers gated");
    has($body, qr/END-OF-PAGE/, "$name: the page is complete");
    has($body, qr/id="consent-banner"/, "$name: the banner")
        unless $o{no_banner};
    ok(!defined $r->error, "$name: the response is complete")
        or diag($r->error);
    return $body;
}

# ---------------------------------------------------------------------------
# an upstream with gzip on

my $r = get('/gz/article.html', undef, 'Accept-Encoding' => 'gzip');
gated_ok($r, 'gzip upstream');
has(join("\n", upstream_log('upstream-gzip.log', qr{^/article\.html})),
    qr/ae="gzip"/, 'gzip upstream: it was asked for gzip (and compressed)');

$r = get('/gz/article.html', undef,
    'Accept-Encoding' => 'gzip, deflate, br, zstd');
gated_ok($r, 'gzip upstream, the browser also takes br and zstd');

$r = get('/gz/article.html', 'all', 'Accept-Encoding' => 'gzip');
is(live(decoded_body($r) // ''), $ALL_LIVE, 'gzip upstream, accept all: live');
has(decoded_body($r) // '', qr/END-OF-PAGE/, 'gzip upstream, accept all: complete');

$r = get('/gz-again/article.html', undef, 'Accept-Encoding' => 'gzip');
is(lc($r->header('content-encoding') // ''), 'gzip',
    'gzip upstream, gzip on here: compressed again');
gated_ok($r, 'gzip upstream, gzip on here', encoded => 1);

$r = get('/gunzip/article.html', undef, 'Accept-Encoding' => 'br');
gated_ok($r, 'gzip upstream, gunzip on here');

# what the upstream was asked for

for my $case (['gzip, deflate, br, zstd', 'no-cookie', undef],
    ['br;q=1.0, gzip;q=0.8, zstd', 'no-cookie-q', undef],
    ['gzip, deflate, br, zstd', 'all', 'all'],
    ['br', 'br-only', undef])
{
    my ($ae, $tag, $who) = @$case;
    get("/gz/article.html?ae=$tag", $who, 'Accept-Encoding' => $ae);
    my ($line) = upstream_log('upstream-gzip.log', qr{^/article\.html\?ae=$tag });
    ok(defined $line, "Accept-Encoding \"$ae\" ($tag): the upstream was asked");
    $line //= '';
    my ($got) = $line =~ /ae="([^"]*)"/;
    $got //= '';
    hasnt($got, qr/\b(?:br|zstd)\b/i,
        "Accept-Encoding \"$ae\" ($tag): no br or zstd upstream (got \"$got\")");
    has($got, qr/\bgzip\b/, "Accept-Encoding \"$ae\" ($tag): gzip kept")
        if $ae =~ /gzip/;
}

# ---------------------------------------------------------------------------
# a backend's encodings

for my $enc (sort keys %ENC) {
    $r = get("/perl/enc/$enc", undef, 'Accept-Encoding' => 'gzip, deflate');
    gated_ok($r, "Content-Encoding $ENC{$enc}[0] ($enc)");
    $r = get("/perl/enc/$enc", 'analytics', 'Accept-Encoding' => 'gzip');
    is(live(decoded_body($r) // ''), 'gtm',
        "Content-Encoding $ENC{$enc}[0] ($enc), analytics: only gtm live");
}

my @asked = $t->backend_requests(8082);
my @ae = map { join ',', @{ $_->{headers}{'accept-encoding'} || [] } } @asked;
ok(scalar @asked, 'the backend was asked');
is(scalar(grep { /\b(?:br|zstd)\b/i } @ae), 0,
    'the backend was never asked for br or zstd')
    or diag(join "\n", @ae);

# undecodable encodings

for my $ce (qw(br zstd gzip-br)) {
    (my $name = $ce) =~ s/-/, /g;
    my $mark = log_mark($t);
    for my $who (undef, 'reject', 'analytics', 'marketing') {
        $r = get("/perl/undecodable/$ce", $who, 'Accept-Encoding' => 'gzip, br, zstd');
        is($r->status, 502, "Content-Encoding \"$name\", "
            . ($who // 'no cookie') . ': 502') or diag($r->describe);
        hasnt($r->body, qr/\Q$BR_BYTES\E/,
            "Content-Encoding \"$name\", " . ($who // 'no cookie')
            . ': the body is not sent');
    }
    # a kind of refusal is logged at most once a minute (per worker):
    # the first one here, the others on an nginx of their own below
    isnt(log_since($t, $mark, qr/\[error\].*consent:.*\bbr\b/), '',
        'Content-Encoding "br": "consent:" at error, naming it')
        if $ce eq 'br';

    $r = get("/perl/undecodable/$ce", 'all', 'Accept-Encoding' => 'gzip, br, zstd');
    is($r->status, 200, "Content-Encoding \"$name\", accept all: 200");
    is($r->body, $BR_BYTES, "Content-Encoding \"$name\", accept all: unfiltered");
    is($r->header('content-encoding'), $name,
        "Content-Encoding \"$name\", accept all: the encoding kept");
}

my $mark = log_mark($t);
$r = get('/br-static/page.html', undef, 'Accept-Encoding' => 'br');
is($r->status, 502, 'an upstream nginx forcing br: 502 without consent');
hasnt($r->body, qr/\Q$BR_BYTES\E/, 'an upstream nginx forcing br: not sent');
$r = get('/br-static/page.html', 'all', 'Accept-Encoding' => 'br');
is($r->status, 200, 'an upstream nginx forcing br: accept all 200');
is($r->body, $BR_BYTES, 'an upstream nginx forcing br: accept all unfiltered');

# a page of 2 MB inflated, under the default limit

$r = get('/perl/big', undef, 'Accept-Encoding' => 'gzip',
    { version => '1.0', timeout => 20 });
gated_ok($r, 'a 2 MB gzip page');

# ---------------------------------------------------------------------------
# conditional requests through proxy_pass

$r = get('/plain/article.html', 'all');
my $E_ALL = $r->header('etag');
my ($orig) = marked_etag($E_ALL);
my $origin = $t->http(uri => '/plain/article.html', port => 8084);
my ($up) = ($origin->header('etag') // '') =~ /"([^"]*)"/;
my $UP_LM = $origin->header('last-modified');
my $PUB_LM = $t->http(uri => '/public/article.html', port => 8084)
    ->header('last-modified');
ok(defined $orig, 'proxied, accept all: a marked ETag') or diag($E_ALL // 'none');
is($orig, $up, 'proxied: the marked ETag keeps the upstream\'s tag');
is($r->header('last-modified'), undef, 'proxied: no Last-Modified');
ok(cc_has($r, 'no-cache') && cc_has($r, 'private'),
    'proxied: Cache-Control private, no-cache');

$r = get('/plain/article.html', 'all', 'If-None-Match' => $E_ALL);
is($r->status, 304, 'proxied, same variant: 304');
is($r->header('etag'), $E_ALL, 'proxied 304: the marked ETag');

$r = get('/plain/article.html?w=1', undef, 'If-None-Match' => $E_ALL);
gated_ok($r, 'proxied, withdrawn');
$r = get('/plain/article.html?w=2', 'reject', 'If-None-Match' => qq{"$up"});
gated_ok($r, 'proxied, If-None-Match the upstream\'s own tag', no_banner => 1);
$r = get('/plain/article.html?w=3', undef, 'If-Modified-Since' => $UP_LM);
gated_ok($r, 'proxied, If-Modified-Since the upstream\'s date');
$r = get('/plain/article.html?w=4', undef, 'If-None-Match' => $E_ALL,
    'If-Modified-Since' => $UP_LM);
gated_ok($r, 'proxied, withdrawn, both validators');
my @w = upstream_log('upstream-plain.log', qr{^/plain/article\.html\?w=});
is(scalar(@w), 4, 'proxied: the upstream was asked');
is(scalar(grep { /inm="-" ims="-"/ } @w), 4,
    'proxied: no conditional header reached the upstream')
    or diag(join "\n", @w);

# an application that answers 304 by itself

$r = get('/perl/app/conditional', undef, 'If-None-Match' => '"app-v1"');
gated_ok($r, 'an application that answers 304, no cookie, its own tag');
$r = get('/perl/app/conditional', undef,
    'If-Modified-Since' => 'Mon, 02 Nov 2026 10:00:00 GMT');
gated_ok($r, 'an application that answers 304, If-Modified-Since');
my @app = grep { $_->{uri} eq '/app/conditional' } $t->backend_requests(8082);
is(scalar(grep { $_->{headers}{'if-none-match'}
    || $_->{headers}{'if-modified-since'} } @app), 0,
    'the application was sent no conditional header');
$r = get('/perl/app/conditional', 'all');
my $E_APP = $r->header('etag');
ok(!cc_has($r, 'public'), 'the application\'s Cache-Control public is not kept');
$r = get('/perl/app/conditional', undef, 'If-None-Match' => $E_APP);
gated_ok($r, 'an application, withdrawn, If-None-Match of accept all');

# ---------------------------------------------------------------------------
# proxy_cache

$r = get('/cache/article.html', 'all');
is($r->status, 200, 'proxy_cache, accept all: 200');
is(live($r->body), $ALL_LIVE, 'proxy_cache, accept all: live');
my $E_C = $r->header('etag');
ok((() = marked_etag($E_C)) ? 1 : 0, 'proxy_cache: a marked ETag') or diag($E_C // 'none');
ok(!cc_has($r, 'public'), 'proxy_cache: no Cache-Control public')
    or diag('Cache-Control: ' . join(', ', $r->headers('cache-control')));
ok(cc_has($r, 'private') && cc_has($r, 'no-cache'),
    'proxy_cache: Cache-Control private, no-cache');
is($r->header('last-modified'), undef, 'proxy_cache: no Last-Modified');

$r = get('/cache/article.html', 'all');
is($r->header('x-cache'), 'HIT', 'proxy_cache: the page is cached');

$r = get('/cache/article.html', undef, 'If-None-Match' => $E_C);
gated_ok($r, 'proxy_cache, withdrawn, If-None-Match of accept all');
$r = get('/cache/article.html', 'reject', 'If-Modified-Since' => $PUB_LM);
gated_ok($r, 'proxy_cache, reject, If-Modified-Since', no_banner => 1);
$r = get('/cache/article.html', undef, 'If-None-Match' => $E_C,
    'If-Modified-Since' => $PUB_LM);
gated_ok($r, 'proxy_cache, withdrawn, both validators');

$r = get('/cache/article.html', 'all', 'If-None-Match' => $E_C);
is($r->status, 304, 'proxy_cache, same variant: 304');
is($r->header('etag'), $E_C, 'proxy_cache 304: the marked ETag');
ok(!cc_has($r, 'public'), 'proxy_cache 304: not public')
    or diag('Cache-Control: ' . join(', ', $r->headers('cache-control')));
ok(cc_has($r, 'private') && cc_has($r, 'no-cache'),
    'proxy_cache 304: private, no-cache');
has(join(',', $r->headers('vary')), qr/\bCookie\b/i, 'proxy_cache 304: Vary: Cookie');
is($r->header('last-modified'), undef, 'proxy_cache 304: no Last-Modified');

# proxy_cache of a gzip upstream: the cached copy is compressed, each
# visitor gets it inflated and gated for them

$r = get('/cache-gz/article.html', undef, 'Accept-Encoding' => 'gzip, br');
gated_ok($r, 'proxy_cache of a gzip upstream');
$r = get('/cache-gz/article.html', undef);
is($r->header('x-cache'), 'HIT', 'proxy_cache of a gzip upstream: cached');
gated_ok($r, 'proxy_cache of a gzip upstream, from the cache');
$r = get('/cache-gz/article.html', 'all');
is(live(decoded_body($r) // ''), $ALL_LIVE,
    'proxy_cache of a gzip upstream, accept all: live');

# ---------------------------------------------------------------------------
# internal redirects to a location without consent on

$r = get('/app/xaccel', undef, { port => 8083 });
gated_ok($r, 'X-Accel-Redirect to an internal location without consent');

$r = get('/errpage/nothing-here.html', undef, { port => 8083 });
is($r->status, 404, 'error_page: 404');
my $b = $r->body;
is(live($b), '', 'error_page to a location without consent: none live');
is(gated($b), $ALL_LIVE, 'error_page to a location without consent: gated');

$r = get('/app-intercept/missing', undef, { port => 8083 });
is($r->status, 404, 'proxy_intercept_errors, error_page: 404');
is(live($r->body), '', 'proxy_intercept_errors, error_page: none live');

$r = get('/app/xaccel-gz', undef, 'Accept-Encoding' => 'gzip', { port => 8083 });
my $xb = gated_ok($r, 'X-Accel-Redirect to gzip_static always without consent');
has($xb, qr/XGZ-FROM-GZ/, 'X-Accel-Redirect to gzip_static: the .gz inflated');
$r = get('/app/xaccel-br', undef, 'Accept-Encoding' => 'br', { port => 8083 });
is($r->status, 502, 'X-Accel-Redirect to an upstream forcing br: 502')
    or diag($r->describe);
hasnt($r->body, qr/\Q$BR_BYTES\E/, 'X-Accel-Redirect to br: not sent');
$r = get('/app/xaccel-ae?ae=xaccel', undef, 'Accept-Encoding' => 'br, gzip',
    { port => 8083 });
gated_ok($r, 'X-Accel-Redirect to a gzip upstream without consent');
my ($xl) = upstream_log('upstream-gzip.log', qr{^/article\.html\?ae=xaccel });
ok(defined $xl, 'X-Accel-Redirect: the upstream after it was asked');
hasnt($xl // '', qr/ae="[^"]*\bbr\b/,
    'X-Accel-Redirect: the upstream after it was not asked for br');

$r = get('/app/xaccel', 'all', { port => 8083 });
is(live($r->body), $ALL_LIVE, 'X-Accel-Redirect, accept all: live');

# each encoding named in the log: the first refusal of an nginx of its own

for my $ce (qw(zstd gzip-br)) {
    (my $name = $ce) =~ s/-/, /g;
    my $t3 = Consent::Test->new();
    my $k3 = $t3->keyfile();
    my $p3 = $t3->policy_file();
    $t3->config(<<"EOF")->run;
http {
    consent_keys $k3;
    consent_policy $p3;
    server {
        listen 127.0.0.1:%%PORT_8091%%;
        server_name localhost;
        consent on;
        location /consent/ { consent_endpoint; }
        location / { proxy_pass http://127.0.0.1:${\ $t->port(8082)}; }
    }
}
EOF
    my $m = log_mark($t3);
    $r = $t3->http(uri => "/undecodable/$ce");
    is($r->status, 502, "Content-Encoding \"$name\", on its own: 502");
    isnt(log_since($t3, $m, qr/\[error\].*consent:.*\b\Q$name\E\b/), '',
        "Content-Encoding \"$name\": \"consent:\" at error, naming it");
}

# ---------------------------------------------------------------------------
# a decompression bomb, on an nginx of its own (consent_inflate_max_size)

my $t2 = Consent::Test->new();
my $keys2 = $t2->keyfile();
my $policy2 = $t2->policy_file();
$t2->config(<<"EOF");
http {
    consent_keys $keys2;
    consent_policy $policy2;

    server {
        listen 127.0.0.1:%%PORT_8090%%;
        server_name localhost;
        consent on;

        location /consent/ { consent_endpoint; }
        location /bomb/ {
            consent_inflate_max_size 1m;
            proxy_pass http://127.0.0.1:${\ $t->port(8082)}/;
        }
        location /default/ {
            proxy_pass http://127.0.0.1:${\ $t->port(8082)}/;
        }
    }
}
EOF
my ($rc, $out) = $t2->test_config;
is($rc, 0, 'consent_inflate_max_size is a directive') or diag($out);
SKIP: {
    skip 'no consent_inflate_max_size', 9 if $rc;
    $t2->run();
    my $m = log_mark($t2);
    $r = $t2->http(uri => '/bomb/bomb', headers => ['Accept-Encoding' => 'gzip']);
    ok(length($r->body) < 2 * $MB,
        'a gzip bomb over consent_inflate_max_size: cut ('
        . length($r->body) . ' bytes sent)');
    hasnt($r->body, qr/END-OF-BOMB/, 'a gzip bomb: its end never sent');
    ok($r->status != 200 || defined $r->error,
        'a gzip bomb: the response is not a complete 200')
        or diag($r->describe);
    isnt(log_since($t2, $m, qr/\[error\].*consent:/), '',
        'a gzip bomb: "consent:" at error in the log');

    # HTTP/1.0: the body runs to the close, no chunks to take apart
    $r = $t2->http(uri => '/default/bomb', version => '1.0',
        headers => ['Accept-Encoding' => 'gzip'], timeout => 20);
    has($r->body, qr/END-OF-BOMB/,
        'an 8 MB page under the default limit: whole');
    ok(!defined $r->error, 'under the default limit: complete');

    # the same page to a client that reads 16 KB every 5 ms (about
    # 3 MB/s): every byte, over HTTP/1.0 (end at the close) and 1.1
    for my $ver ('1.0', '1.1') {
        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
            PeerPort => $t2->port(8090), Timeout => 5) or die "connect: $!";
        print {$s} "GET /default/bomb HTTP/$ver\r\nHost: localhost\r\n"
            . "Accept-Encoding: gzip\r\nConnection: close\r\n\r\n";
        my $sel = IO::Select->new($s);
        my ($buf, $deadline) = ('', time + 30);
        while (time < $deadline && $sel->can_read($deadline - time)) {
            my $n = sysread($s, my $chunk, 16384);
            last unless $n;
            $buf .= $chunk;
            select undef, undef, undef, 0.005;
        }
        close $s;
        has(substr($buf, -20000), qr/END-OF-BOMB/,
            "an 8 MB gzip page to a slow HTTP/$ver client: whole ("
            . length($buf) . ' bytes)');
        has(substr($buf, -7), qr/\r\n0\r\n\r\n\z/,
            'and its last chunk') if $ver eq '1.1';
    }
}

done_testing();

#!/usr/bin/perl

# Deployment: static files. Conditional requests cannot bring back a page
# built for another consent state (a withdrawal sticks; the validators
# carry the visitor's variant), gzip_static's .gz beside a page is
# inflated and gated, "Content-Encoding: identity" is no encoding, and
# consent_require holds in a location that answers with "return".

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use POSIX qw(strftime);
use Test::More;
use Consent::Test;
use Consent::Test::Deploy qw(:all);

my $t = Consent::Test->new();
my $keys = $t->keyfile();
my $policy = $t->policy_file();

sub page {
    my ($marker) = @_;
    return <<"HTML";
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Article</title>
<script async src="https://www.googletagmanager.com/gtm.js?id=GTM-DEPLOY"></script>
</head>
<body>
<h1>$marker</h1>
<iframe width="560" src="https://www.youtube.com/embed/deploy" title="video"></iframe>
<img height="1" width="1" src="https://www.facebook.com/tr?id=1&amp;ev=PageView" alt="">
<p>END-OF-ARTICLE</p>
</body>
</html>
HTML
}

my $ARTICLE = page('ARTICLE');
$t->write_file('html/article.html', $ARTICLE);
$t->write_file('html/cached/article.html', $ARTICLE);
$t->write_file('html/public/article.html', $ARTICLE);
$t->write_file('html/gzs/page.html', page('PLAIN-COPY'));
$t->write_file('html/gzs/page.html.gz', gz(page('GZ-COPY')));
$t->write_file('html/identity/page.html', $ARTICLE);
$t->write_file('html/collect', "collected\n");

# an old file: nginx's Last-Modified and ETag come from its mtime
my $old = time - 86400 * 30;
utime $old, $old, $t->path('html/article.html');
my @st = stat $t->path('html/article.html');
my $ORIG = sprintf '%x-%x', $st[9], $st[7];
my $LASTMOD = strftime('%a, %d %b %Y %H:%M:%S GMT', gmtime $st[9]);

$t->config(<<"EOF");
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;

    consent_keys $keys;
    consent_policy $policy;

    server {
        listen 127.0.0.1:%%PORT_8080%%;
        server_name localhost;
        root %%TESTDIR%%/html;

        consent on;

        location /consent/ { consent_endpoint; }

        location /cached/ { expires 10m; }
        location /public/ { add_header Cache-Control "public, max-age=600"; }

        location /gzs/ { gzip_static on; }
        location /gzs-always/ {
            alias %%TESTDIR%%/html/gzs/;
            gzip_static always;
        }
        location /gzs-gzip/ {
            alias %%TESTDIR%%/html/gzs/;
            gzip_static on;
            gzip on;
            gzip_min_length 0;
        }

        location /identity/ { add_header Content-Encoding identity; }
        location /identity-proxied/ {
            proxy_pass http://127.0.0.1:%%PORT_8081%%/identity/;
        }

        location = /collect {
            consent_require analytics;
            return 204;
        }
        location = /go-collect { rewrite ^ /collect last; }
        location = /collect-451 {
            consent_require analytics;
            consent_require_status 451;
            return 204;
        }
    }

    # the origin of /identity-proxied/: no consent here
    server {
        listen 127.0.0.1:%%PORT_8081%%;
        server_name localhost;
        root %%TESTDIR%%/html;

        location /identity/ { add_header Content-Encoding identity; }
    }
}
EOF

$t->run();

my $C = cookies($t);

sub get {
    my ($uri, $who, @h) = @_;
    push @h, Cookie => $C->{$who} if defined $who;
    return $t->http(uri => $uri, headers => \@h);
}

# the trackers of the article, live or gated
my $ALL_LIVE = 'gtm,meta,youtube';

sub full_page_ok {
    my ($r, $name) = @_;
    has($r->{body}, qr{END-OF-ARTICLE},
        "$name: the page is complete");
    ok(!defined $r->error, "$name: the response is complete")
        or diag($r->error);
}

# ---------------------------------------------------------------------------
# validators of a filtered page

my $all = get('/article.html', 'all');
is($all->status, 200, 'accept all: 200');
is(live($all->body), $ALL_LIVE, 'accept all: the trackers are live');
my $E_ALL = $all->header('etag');
my ($orig, $variant) = marked_etag($E_ALL);
ok(defined $orig, 'accept all: ETag W/"<tag>;c=<16 hex>"')
    or diag('ETag: ' . ($E_ALL // 'none'));
is($orig, $ORIG, 'the marked ETag keeps the file\'s own tag');
is($all->header('last-modified'), undef, 'a filtered page has no Last-Modified');
ok(cc_has($all, 'private'), 'Cache-Control: private')
    or diag('Cache-Control: ' . join(', ', $all->headers('cache-control')));
ok(cc_has($all, 'no-cache'), 'Cache-Control: no-cache');
has(join(',', $all->headers('vary')), qr/\bCookie\b/i, 'Vary: Cookie');

my $none = get('/article.html');
is($none->status, 200, 'no cookie: 200');
is(gated($none->body), $ALL_LIVE, 'no cookie: every tracker gated');
is(live($none->body), '', 'no cookie: none live');
my $E_NONE = $none->header('etag');
ok((() = marked_etag($E_NONE)) ? 1 : 0, 'no cookie: a marked ETag') or diag($E_NONE // 'none');
isnt($E_NONE, $E_ALL, 'no cookie and accept all: different ETags');

my $rej = get('/article.html', 'reject');
my $E_REJ = $rej->header('etag');
ok((() = marked_etag($E_REJ)) ? 1 : 0, 'reject: a marked ETag') or diag($E_REJ // 'none');
isnt($E_REJ, $E_ALL, 'reject and accept all: different ETags');
isnt($E_REJ, $E_NONE, 'reject and no cookie: different ETags');
is(live($rej->body), '', 'reject: nothing live');

my $ana = get('/article.html', 'analytics');
isnt($ana->header('etag'), $E_ALL, 'analytics only: not the accept-all ETag');

# the same visitor, the same variant: 304 with the marked tag

my $r = get('/article.html', 'all', 'If-None-Match' => $E_ALL);
is($r->status, 304, 'accept all again, If-None-Match its tag: 304');
is($r->header('etag'), $E_ALL, '304: the marked ETag');
ok(cc_has($r, 'private') && cc_has($r, 'no-cache'),
    '304: Cache-Control private, no-cache')
    or diag('Cache-Control: ' . join(', ', $r->headers('cache-control')));
has(join(',', $r->headers('vary')), qr/\bCookie\b/i, '304: Vary: Cookie');
is($r->header('last-modified'), undef, '304: no Last-Modified');
is($r->body, '', '304: no body');

$r = $t->http(method => 'HEAD', uri => '/article.html',
    headers => [Cookie => $C->{all}, 'If-None-Match' => $E_ALL]);
is($r->status, 304, 'HEAD, same variant: 304');
$r = $t->http(method => 'HEAD', uri => '/article.html',
    headers => ['If-None-Match' => $E_ALL]);
is($r->status, 200, 'HEAD, withdrawn: 200');

$r = get('/article.html', 'all', 'If-None-Match' => qq{$E_NONE, $E_ALL});
is($r->status, 304, 'If-None-Match with a list that holds the tag: 304');

$r = get('/article.html', 'all', 'If-None-Match' => $E_ALL,
    'If-Modified-Since' => $LASTMOD);
is($r->status, 304, 'If-None-Match and If-Modified-Since: 304');

$r = get('/article.html', undef, 'If-None-Match' => $E_NONE);
is($r->status, 304, 'no cookie again, If-None-Match its own tag: 304');
is($r->header('etag'), $E_NONE, 'no cookie 304: its own tag');

# withdrawal: the accept-all copy cannot be kept

for my $who (undef, 'reject', 'analytics') {
    my $name = 'withdrawn (' . ($who // 'no cookie') . ')';
    $r = get('/article.html', $who, 'If-None-Match' => $E_ALL);
    is($r->status, 200, "$name, If-None-Match of accept all: 200");
    isnt($r->header('etag'), $E_ALL, "$name: another ETag");
    is(live($r->body), $who && $who eq 'analytics' ? 'gtm' : '',
        "$name: no tracker the visitor did not grant is live");
    full_page_ok($r, $name);
}

$r = get('/article.html', undef, 'If-None-Match' => $E_ALL,
    'If-Modified-Since' => $LASTMOD);
is($r->status, 200, 'withdrawn, If-None-Match and If-Modified-Since: 200');
is(live($r->body), '', 'withdrawn: the trackers gated');
has($r->body, qr/id="consent-banner"[^>]*data-consent-ui>/,
    'withdrawn: the banner shows');

# whatever the browser will render the page in: a document, a frame, an
# embed, or a fetch() whose answer a script may insert (Sec-Fetch-Dest
# empty: Turbo, htmx)

for my $dest (qw(document iframe frame embed object empty)) {
    $r = get('/article.html', undef, 'Sec-Fetch-Dest' => $dest,
        'Sec-Fetch-Mode' => $dest eq 'empty' ? 'cors' : 'navigate',
        'If-None-Match' => $E_ALL);
    is($r->status, 200, "Sec-Fetch-Dest: $dest, withdrawn: 200");
    is(live($r->body), '', "Sec-Fetch-Dest: $dest, withdrawn: nothing live");
    $r = get('/article.html', undef, 'Sec-Fetch-Dest' => $dest,
        'If-None-Match' => qq{W/"$ORIG"});
    is($r->status, 200, "Sec-Fetch-Dest: $dest, the unmarked tag: 200");
}

# validators that do not carry the variant are not trusted

$r = get('/article.html', undef, 'If-Modified-Since' => $LASTMOD);
is($r->status, 200, 'If-Modified-Since alone (the file\'s date): 200');
is(live($r->body), '', 'and the trackers are gated');

$r = get('/article.html', undef,
    'If-Modified-Since' => 'Thu, 01 Jan 2037 00:00:00 GMT');
is($r->status, 200, 'If-Modified-Since in the future: 200');

$r = get('/article.html', undef, 'If-None-Match' => qq{"$ORIG"});
is($r->status, 200, 'If-None-Match with the file\'s own strong tag: 200');
is(live($r->body), '', 'and the trackers are gated');

$r = get('/article.html', undef, 'If-None-Match' => qq{W/"$ORIG"});
is($r->status, 200, 'If-None-Match with the file\'s weakened tag: 200');

$r = get('/article.html', 'all', 'If-None-Match' => qq{W/"$ORIG"});
is($r->status, 200, 'accept all, If-None-Match with the unmarked tag: 200');

# no part of the file as it is on disk

$r = get('/article.html', undef, Range => 'bytes=0-300');
is($r->status, 200, 'Range: the whole filtered page, 200');
is(live($r->body), '', 'Range: nothing live');
$r = get('/article.html', undef, Range => 'bytes=0-300', 'If-Range' => qq{"$ORIG"});
is($r->status, 200, 'Range and If-Range with the file\'s tag: 200');
is(live($r->body), '', 'Range and If-Range: nothing live');

# the language is part of the variant: the banner's text differs

$r = get('/article.html', undef, 'Accept-Language' => 'es',
    'If-None-Match' => $E_NONE);
is($r->status, 200, 'no cookie, Spanish, If-None-Match of the English page: 200');
isnt($r->header('etag'), $E_NONE, 'the Spanish page has another ETag');

# cacheable headers of the location do not survive

$r = get('/cached/article.html', 'all');
ok(cc_has($r, 'no-cache'), 'expires 10m: Cache-Control has no-cache')
    or diag('Cache-Control: ' . join(', ', $r->headers('cache-control')));
ok(cc_has($r, 'private'), 'expires 10m: Cache-Control private');
my $E_CACHED = $r->header('etag');
$r = get('/cached/article.html', undef, 'If-None-Match' => $E_CACHED);
is($r->status, 200, 'expires 10m: withdrawn visitor revalidating: 200');
is(live($r->body), '', 'expires 10m: gated');

$r = get('/public/article.html', 'all');
ok(!cc_has($r, 'public'), 'add_header Cache-Control public: no public')
    or diag('Cache-Control: ' . join(', ', $r->headers('cache-control')));
ok(cc_has($r, 'no-cache') && cc_has($r, 'private'),
    'add_header Cache-Control public: private, no-cache');
my $E_PUB = $r->header('etag');
$r = get('/public/article.html', 'all', 'If-None-Match' => $E_PUB);
is($r->status, 304, 'add_header Cache-Control public: same variant 304');
ok(!cc_has($r, 'public') && cc_has($r, 'private'),
    'add_header Cache-Control public: the 304 is private too')
    or diag('Cache-Control: ' . join(', ', $r->headers('cache-control')));
$r = get('/public/article.html', 'reject', 'If-None-Match' => $E_PUB);
is($r->status, 200, 'add_header Cache-Control public: another variant 200');

# ---------------------------------------------------------------------------
# gzip_static

$r = get('/gzs/page.html', undef, 'Accept-Encoding' => 'gzip, deflate, br');
is($r->status, 200, 'gzip_static: 200');
ok(!grep({ !/^identity$/i } $r->headers('content-encoding')),
    'gzip_static: the gated page leaves identity')
    or diag('Content-Encoding: ' . join(', ', $r->headers('content-encoding')));
has($r->body, qr/GZ-COPY/, 'gzip_static: the .gz was served, inflated');
is(gated($r->body), $ALL_LIVE, 'gzip_static: every tracker gated');
is(live($r->body), '', 'gzip_static: none live');
has($r->body, qr/id="consent-banner"/, 'gzip_static: the banner');
full_page_ok($r, 'gzip_static');

$r = get('/gzs/page.html', 'all', 'Accept-Encoding' => 'gzip');
is(live(decoded_body($r) // ''), $ALL_LIVE,
    'gzip_static, accept all: the trackers live');
has(decoded_body($r) // '', qr/END-OF-ARTICLE/, 'gzip_static, accept all: complete');

$r = get('/gzs-always/page.html');
ok(!grep({ !/^identity$/i } $r->headers('content-encoding')),
    'gzip_static always, no Accept-Encoding: identity');
is(live($r->body), '', 'gzip_static always: none live');
has($r->body, qr/END-OF-ARTICLE/, 'gzip_static always: complete');

$r = get('/gzs-gzip/page.html', undef, 'Accept-Encoding' => 'gzip');
my $body = decoded_body($r);
ok(defined $body, 'gzip_static with gzip on: the body decodes')
    or diag('Content-Encoding: ' . join(', ', $r->headers('content-encoding')));
$body //= '';
is(gated($body), $ALL_LIVE, 'gzip_static with gzip on: gated, compressed again');
is(live($body), '', 'gzip_static with gzip on: none live');
has($body, qr/END-OF-ARTICLE/, 'gzip_static with gzip on: complete');

$r = get('/gzs/page.html', undef, 'Accept-Encoding' => 'br');
is(live(decoded_body($r) // ''), '',
    'gzip_static, Accept-Encoding br only: none live');

# ---------------------------------------------------------------------------
# Content-Encoding: identity

$r = get('/identity/page.html');
is(live($r->body), '', 'add_header Content-Encoding identity: none live');
is(gated($r->body), $ALL_LIVE, 'add_header Content-Encoding identity: gated');

$r = get('/identity-proxied/page.html');
is($r->status, 200, 'origin sends Content-Encoding identity: 200');
is(live($r->body), '', 'origin sends Content-Encoding identity: none live');
is(gated($r->body), $ALL_LIVE,
    'origin sends Content-Encoding identity: gated');
has($r->body, qr/id="consent-banner"/,
    'origin sends Content-Encoding identity: the banner');

# ---------------------------------------------------------------------------
# consent_require before return

$r = get('/collect');
is($r->status, 403, 'consent_require analytics; return 204: no cookie 403');
$r = get('/collect', 'reject');
is($r->status, 403, 'consent_require analytics; return 204: reject 403');
$r = get('/collect', 'marketing');
is($r->status, 403, 'consent_require analytics; return 204: marketing only 403');
$r = get('/collect', 'analytics');
is($r->status, 204, 'consent_require analytics; return 204: analytics 204');
$r = get('/go-collect');
is($r->status, 403, 'rewrite ... last to it: no cookie 403');
$r = get('/go-collect', 'analytics');
is($r->status, 204, 'rewrite ... last to it: analytics 204');
$r = get('/collect-451');
is($r->status, 451, 'consent_require_status 451 before return: 451');
$r = get('/collect-451', 'all');
is($r->status, 204, 'consent_require_status 451 before return: granted 204');

# ---------------------------------------------------------------------------
# a new policy revision is a new variant

$t->policy_file(modify => sub { $_[0]{revision} = 2 });
$t->reload;
my ($deadline, $seen) = (time + 10, 0);
while (time < $deadline && $seen < 3) {
    $seen = get('/article.html')->body =~ /"revision":2\b/ ? $seen + 1 : 0;
    select undef, undef, undef, 0.05;
}
has(get('/article.html')->body, qr/"revision":2\b/, 'reloaded with revision 2');
$r = get('/article.html', undef, 'If-None-Match' => $E_NONE);
is($r->status, 200, 'revision 2: If-None-Match of revision 1\'s page: 200');
isnt($r->header('etag'), $E_NONE, 'revision 2: another ETag');

done_testing();

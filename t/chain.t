#!/usr/bin/perl

# The filter in nginx's chain: what SSI, sub_filter and addition add is
# gated, nothing after the page is lost, internal redirects keep the
# filter, consent_require comes before "return", compressed pages are
# inflated, and what the filter cannot read is not sent to a visitor
# without consent (502, or the connection closed), with a line at
# nginx's "error" level.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use Compress::Zlib ();
use IO::Socket::INET;
use Consent::Test;
use Consent::Token qw(mint secret_from_keyfile_line);

my $t = Consent::Test->new();
my $keys = $t->keyfile();
my $policy = $t->policy_file();

my $fb = '<script src="https://connect.facebook.net/x.js"></script>';
my $fb_gated = qr{<script type="text/plain" data-consent="marketing" src="https://connect\.facebook\.net/x\.js">};
my $fb_live = qr{<script src="https://connect\.facebook\.net/x\.js">};
my $page = "<!DOCTYPE html><html><head><title>t</title></head><body>\n"
    . "$fb\n<p>text</p>\n</body></html>\n";

$t->write_file('html/page.html', $page);
$t->write_file('html/plain.html',
    "<!DOCTYPE html><html><head></head><body><p>x</p></body></html>\n");
$t->write_file('html/ssi.html', "<!DOCTYPE html><html><body>\n"
    . qq{<!--# set var="px" value='<img src="https://www.facebook.com/tr?id=1">' -->\n}
    . qq{<!--# echo var="px" encoding="none" -->\n}
    . qq{<!--# include virtual="/part.inc" -->\n}
    . qq{<!--# include virtual="/frag.html" set="frag" -->\n}
    . qq{<!--# echo var="frag" encoding="none" -->\n}
    . "</body></html>\n");
$t->write_file('html/part.inc', "$fb\n");
$t->write_file('html/frag.html', qq{<iframe src="https://www.youtube.com/embed/a"></iframe>\n});
$t->write_file('html/base.html', "<!DOCTYPE html><html><head>\n"
    . qq{<base href="https://www.facebook.com/x/">\n}
    . qq{<base href="https://example.org/">\n}
    . "</head><body>\n"
    . qq{<img src="../tr?id=1&amp;ev=PageView">\n}
    . qq{<img src="/local.png">\n}
    . "</body></html>\n");
$t->write_file('html/footer.html', qq{<footer>$fb</footer>\n});
$t->write_file('html/private/file.html', $page);

my $gz = Compress::Zlib::memGzip($page);
my $zlib = Compress::Zlib::compress($page);
my ($raw) = do {
    my ($d) = Compress::Zlib::deflateInit(-WindowBits => -15);
    my ($o1) = $d->deflate($page);
    my ($o2) = $d->flush();
    ($o1 . $o2);
};
$t->write_file('html/static.html', $page);
$t->write_file('html/static.html.gz', $gz);

my %resp = (
    '/gzip'      => ['Content-Encoding' => 'gzip', $gz],
    '/x-gzip'    => ['Content-Encoding' => 'x-gzip', $gz],
    '/zlib'      => ['Content-Encoding' => 'deflate', $zlib],
    '/raw'       => ['Content-Encoding' => 'deflate', $raw],
    '/identity'  => ['Content-Encoding' => 'identity', $page],
    '/br'        => ['Content-Encoding' => 'br', "\x0b\x02\x80<p>"],
    '/twice'     => ['Content-Encoding' => 'gzip, gzip', $gz],
    '/long'      => ['Content-Encoding' => 'gzip', Compress::Zlib::memGzip(
        "<!DOCTYPE html><html><body>\n"
        . join('', map { "<p>paragraph $_ with some text</p>\n" } 1 .. 60000)
        . "$fb\n</body></html>\n")],
    '/bomb'      => ['Content-Encoding' => 'gzip',
        Compress::Zlib::memGzip("<p>" . ("x" x (3 * 1024 * 1024)))],
);

$t->backend(port => 8081, handler => sub {
    my ($req) = @_;
    my ($path) = $req->{uri} =~ m{^(/[^?]*)};
    if (my $r = $resp{$path}) {
        return (200, ['Content-Type' => 'text/html', $r->[0], $r->[1]],
            [[$r->[2], 0]]);
    }
    return (200, [], [[$page, 0]]) if $path eq '/untyped';
    return (200, [], [(map { [$_, 0.002] } split //, substr($page, 0, 40)),
        [substr($page, 40), 0]]) if $path eq '/untyped-bytes';
    return (200, [], [[(' ' x 600) . $page, 0]]) if $path eq '/untyped-far';
    return (200, ['Content-Type' => 'text/html'],
        [["\xff", 0.01], ["\xfe" . $page, 0]]) if $path eq '/bom-split';
    return (200, ['Content-Type' => 'text/html'],
        [["\xef\xbb\xbf" . $page, 0]]) if $path eq '/bom-utf8';
    return (200, [], [[qq{{"a":"$fb"}}, 0]]) if $path eq '/untyped-json';
    return (200, ['Content-Type' => 'text/html; charset=utf-16'],
        [[$page, 0]]) if $path eq '/utf16';
    return (200, ['Content-Type' => 'text/html'],
        [["\xff\xfe" . $page, 0]]) if $path eq '/bom';
    return (200, ['Content-Type' => 'text/html'],
        [["<!DOCTYPE html><p>a\e\$B<!--\e(B\n$fb\n", 0]]) if $path eq '/jis';
    return (200, ['Content-Type' => 'text/html; charset=utf-8'],
        [["<!DOCTYPE html><p>a\e\$B<!--\e(B\n<p>b</p>\n", 0]])
        if $path eq '/jis-utf8';
    return (200, ['X-Accel-Redirect' => '/private/file.html',
        'Content-Type' => 'text/html'], [['', 0]]) if $path eq '/accel';
    return (404, ['Content-Type' => 'text/plain'], [["no", 0]]);
});

$t->config(<<"EOF");
http {
    include /etc/nginx/mime.types;

    consent_keys $keys;
    consent_policy $policy;
    consent_inflate_max_size 1m;

    server {
        listen 127.0.0.1:%%PORT_8080%%;
        server_name localhost;
        root %%TESTDIR%%/html;

        consent on;

        location /consent/ { consent_endpoint; }

        location = /ssi.html { ssi on; }

        location = /sub.html {
            sub_filter '</head>' '$fb</head>';
            alias %%TESTDIR%%/html/plain.html;
        }

        location = /added.html {
            add_after_body /footer.html;
            alias %%TESTDIR%%/html/page.html;
        }

        location = /collect {
            consent_require analytics;
            return 204;
        }

        location /up/ {
            proxy_pass http://127.0.0.1:%%PORT_8081%%/;
        }

        location /big/ {
            consent_inflate_max_size 8m;
            proxy_pass http://127.0.0.1:%%PORT_8081%%/;
        }

        location = /static.html {
            gzip_static always;
        }

        location /errors/ {
            error_page 404 /outside/404.html;
        }

        location /if/ {
            consent off;
            alias %%TESTDIR%%/html/;

            if (\$arg_c) {
                consent on;
            }
        }
    }

    server {
        listen 127.0.0.1:%%PORT_8082%%;
        server_name localhost;
        root %%TESTDIR%%/html;

        location /consent/ { consent_endpoint; }

        location /up/ {
            consent on;
            proxy_pass http://127.0.0.1:%%PORT_8081%%/;
        }

        location /private/ {
            internal;
        }

        location /outside/ {
            internal;
            alias %%TESTDIR%%/html/;
        }

        location /errors/ {
            consent on;
            error_page 404 /outside/page.html;
        }
    }
}
EOF

$t->run();

open my $fh, '<', $keys or die;
my ($line) = grep { /^k1 / } <$fh>;
close $fh;
my $secret = secret_from_keyfile_line($line);
my %cookie = (
    all       => mint(secret => $secret, granted => 0xf),
    analytics => mint(secret => $secret, granted => 0x5),
);

sub get {
    my ($uri, $who, %a) = @_;
    my @h = defined $who ? (Cookie => "consent=$cookie{$who}") : ();
    return $t->http(method => 'GET', uri => $uri, port => $a{port} // 8080,
        headers => [@h, @{$a{headers} // []}]);
}

# markup that other filters add

my $r = get('/ssi.html');
like($r->{body}, qr{<img data-consent="marketing" data-consent-src="https://www\.facebook\.com/tr\?id=1">},
    'SSI echo encoding=none: gated');
like($r->{body}, $fb_gated, 'SSI include of a .inc file: gated');
unlike($r->{body}, $fb_live, 'SSI: nothing live');
like($r->{body}, qr{<iframe data-consent="marketing" data-consent-src="https://www\.youtube\.com/embed/a">},
    'SSI include set=: the fragment arrives, gated');
is(scalar(() = $r->{body} =~ /id="consent-banner"/g), 1, 'SSI: one banner');

$r = get('/sub.html');
like($r->{body}, qr{$fb_gated</script></head>}, 'sub_filter insertion: gated');

$r = get('/added.html');
like($r->{body}, qr{<footer>$fb_gated</script></footer>},
    'add_after_body: the footer is there, gated');
like($r->{body}, qr{</html>\n<footer>}, 'add_after_body: after the page');
is(scalar(() = $r->{body} =~ /id="consent-banner"/g), 1,
    'add_after_body: one banner');

# relative URLs resolve against the first <base href>, as in a browser

$r = get('/base.html');
like($r->{body}, qr{<img data-consent="marketing" data-consent-src="\.\./tr\?id=1&amp;ev=PageView">},
    '<base href> at a tracker: a relative pixel after it gated');
like($r->{body}, qr{<img src="/local\.png">},
    '<base href>: a path no rule names stays as it is');

# consent_require before "return"

is(get('/collect')->{status}, 403, 'consent_require before return: 403');
is(get('/collect', 'analytics')->{status}, 204, 'granted: return runs');

# compressed pages

for my $c (qw(gzip x-gzip zlib raw identity)) {
    $r = get("/up/$c");
    is($r->{status}, 200, "$c: 200");
    is($r->header('content-encoding'), undef, "$c: sent identity");
    like($r->{body}, $fb_gated, "$c: gated");
    like($r->{body}, qr{id="consent-banner"}, "$c: banner");
}

$r = get('/static.html', undef, headers => ['Accept-Encoding' => 'gzip']);
like($r->{body}, $fb_gated, 'gzip_static: the .gz inflated and gated');

$r = get('/up/gzip', undef, headers => ['Accept-Encoding' => 'br, zstd, gzip;q=0.5, deflate']);
my ($req) = grep { $_->{uri} eq '/gzip' } reverse $t->backend_requests(8081);
is($req->{headers}{'accept-encoding'}[0], 'gzip;q=0.5, deflate',
    'the backend is asked for gzip and deflate only');

# a part of a page cannot be gated: Range goes only for media

$r = get('/up/zlib?range', undef, headers => ['Range' => 'bytes=0-10']);
is($r->{status}, 200, 'Range on a page: the whole page');
like($r->{body}, $fb_gated, 'Range on a page: gated');
($req) = grep { $_->{uri} eq '/zlib?range' } reverse $t->backend_requests(8081);
ok(!exists $req->{headers}{range}, 'Range on a page: not passed on');
get('/up/zlib?media', undef, headers => ['Range' => 'bytes=0-10',
    'Sec-Fetch-Dest' => 'video']);
($req) = grep { $_->{uri} eq '/zlib?media' } reverse $t->backend_requests(8081);
is($req->{headers}{range}[0], 'bytes=0-10', 'Range for a video: passed on');

for my $c (qw(br twice)) {
    $r = get("/up/$c");
    is($r->{status}, 502, "$c: 502 without consent");
    unlike($r->{body}, qr/<p>|connect\.facebook/, "$c: nothing of it sent");
    $r = get("/up/$c", 'all');
    is($r->{status}, 200, "$c: sent as it is to a visitor who granted all");
}
ok($t->wait_for_log(qr/\[error\].*consent: a page in an encoding the filter cannot read \(Content-Encoding: "br"/, 3),
    'br: said at error level');

$r = get('/up/bomb');
ok($t->wait_for_log(qr/\[error\].*consent: the compressed page inflates to more than consent_inflate_max_size/, 3),
    'a decompression bomb is cut, and said');
ok(length($r->{body} // '') < 1.5 * 1024 * 1024, 'bomb: not sent whole');

# a long compressed page to a client that reads slowly: inflated in
# bounded pieces as the client reads, whole at the end

{
    my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
        PeerPort => $t->port(8080), Proto => 'tcp') or die "connect: $!";
    print {$sock} "GET /big/long HTTP/1.0\r\nHost: localhost\r\n\r\n";
    my ($resp, $buf) = ('', '');
    select(undef, undef, undef, 0.3);
    while (1) {
        my $n = sysread($sock, $buf, 32768);
        last unless $n;
        $resp .= $buf;
        select(undef, undef, undef, 0.002);
    }
    close $sock;
    my ($head, $body) = split /\r\n\r\n/, $resp, 2;
    like($head, qr{^HTTP/1\.1 200}, 'slow client, long gzip page: 200');
    is(scalar(() = ($body // '') =~ m{<p>paragraph \d+ with some text</p>}g),
        60000, 'slow client: every paragraph');
    like($body // '', qr{<body><div id="consent-banner".*$fb_gated</script>\n</body>}s,
        'slow client: the banner after <body>, the tracker at the end gated');
    like($body // '', qr{</html>\n$}, 'slow client: the page whole');
}

# what the browser reads otherwise than the headers say

$r = get('/up/untyped');
like($r->{body}, $fb_gated, 'no Content-Type, sniffed as HTML: gated');
$r = get('/up/untyped-bytes');
like($r->{body}, $fb_gated, 'no Content-Type, a byte at a time: sniffed, gated');
like($r->{body}, qr{^<!DOCTYPE html><html><head><script type="application/json" id="consent-state"},
    'no Content-Type, a byte at a time: the start kept and injected after');
$r = get('/up/untyped-far');
like($r->{body}, qr{$fb_live}, 'markup past what a browser sniffs: as it is');
$r = get('/up/bom-split');
unlike($r->{body} // '', qr/connect\.facebook/,
    'a UTF-16 BOM split over two buffers: not sent');
$r = get('/up/bom-utf8');
like($r->{body}, $fb_gated, 'a UTF-8 BOM: read and gated');
$r = get('/up/untyped-json');
is($r->{body}, qq{{"a":"$fb"}}, 'no Content-Type, not HTML: untouched');

$r = get('/up/utf16');
is($r->{status}, 502, 'declared UTF-16: 502 without consent');
ok($t->wait_for_log(qr/\[error\].*consent: a page in a charset the filter cannot read/, 3),
    'UTF-16: said at error level');

$r = get('/up/bom');
unlike($r->{body} // '', qr/connect\.facebook/, 'a UTF-16 BOM: not sent');
ok($t->wait_for_log(qr/\[error\].*consent: a page that begins with a UTF-16 byte order mark/, 3),
    'BOM: said at error level');

$r = get('/up/jis');
unlike($r->{body} // '', qr/connect\.facebook/, 'ISO-2022 escape: cut before the tracker');
ok($t->wait_for_log(qr/\[error\].*consent: an ISO-2022 escape/, 3),
    'ISO-2022: said at error level');
$r = get('/up/jis-utf8');
like($r->{body}, qr{<p>b</p>}, 'an escape in a page declared UTF-8: sent');

# internal redirects keep the filter of the location they came from

$r = get('/up/accel', undef, port => 8082);
like($r->{body}, $fb_gated, 'X-Accel-Redirect to a location without consent: gated');
$r = get('/errors/none.html', undef, port => 8082);
like($r->{body}, $fb_gated, 'error_page to a location without consent: gated');

# "consent on" in an "if": conditions are judged there too

$r = get('/if/page.html?c=1', 'all');
my $etag = $r->header('etag');
like($etag // '', qr/;c=[0-9a-f]{16}"$/, 'consent on in if: a variant tag');
$r = get('/if/page.html?c=1', undef, headers => ['If-None-Match' => $etag]);
is($r->{status}, 200, 'consent on in if: another variant gets the page');
like($r->{body}, $fb_gated, 'consent on in if: gated');
$r = get('/if/page.html?c=1', 'all', headers => ['If-None-Match' => $etag]);
is($r->{status}, 304, 'consent on in if: the same variant gets 304');

done_testing();

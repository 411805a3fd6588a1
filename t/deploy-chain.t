#!/usr/bin/perl

# Deployment: the module among nginx's other filters. It sees the page
# as it leaves: what SSI prints (echo of a variable, includes of .inc and
# .txt files, include ... set=), what sub_filter inserts, what
# add_before_body and add_after_body add; it drops no buffer and cuts no
# response; HTTP/2 the same. And bodies whose headers a browser would
# overrule: no Content-Type (sniffed as HTML), UTF-16 (declared, or by
# a byte order mark), ISO-2022 escapes.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Encode qw(encode);
use Test::More;
use Consent::Test;
use Consent::Test::Deploy qw(:all);

my $t = Consent::Test->new();
my $keys = $t->keyfile();
my $policy = $t->policy_file();

my $HEAD = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    . "<title>Chain</title>\n</head>\n<body>\n";
my $TAIL = "<p>END-OF-PAGE</p>\n</body>\n</html>\n";

# SSI: a variable holding a tag, includes of .inc and .txt files, and an
# include into a variable
$t->write_file('html/ssi/echo.html', $HEAD
    . qq{<!--# echo var="tag" encoding="none" -->\n} . $TAIL);
$t->write_file('html/ssi/inc.html', $HEAD
    . qq{<!--# include virtual="/parts/meta.inc" -->\n}
    . qq{<!--# include virtual="/parts/pixel.txt" -->\n} . $TAIL);
$t->write_file('html/ssi/set.html', $HEAD
    . qq{<!--# include virtual="/parts/frag.html" set="frag" -->\n}
    . qq{<div id="frag"><!--# echo var="frag" encoding="none" --></div>\n}
    . $TAIL);
$t->write_file('html/parts/meta.inc',
    qq{<script async src="https://connect.facebook.net/en_US/fbevents.js"></script>\n});
$t->write_file('html/parts/pixel.txt',
    qq{<img src="https://ad.doubleclick.net/pixel.gif" alt="">\n});
$t->write_file('html/parts/frag.html',
    qq{<p>FRAG-TEXT</p><iframe src="https://www.youtube.com/embed/frag" title="v"></iframe>\n});

# sub_filter and addition
$t->write_file('html/sub/page.html', $HEAD . "<h1>sub</h1>\n" . $TAIL);
$t->write_file('html/add/page.html', $HEAD . "<h1>add</h1>\n" . $TAIL);
$t->write_file('html/big/page.html', $HEAD
    . qq{<!--# echo var="tag" encoding="none" -->\n}
    . join('', map { "<p>Paragraph $_ of a long page.</p>\n" } 1 .. 20000)
    . qq{<!--# include virtual="/parts/pixel.txt" -->\n} . $TAIL);
$t->write_file('html/plain/page.html', $HEAD
    . '<script async src="https://www.googletagmanager.com/gtm.js?id=GTM-PLAIN"></script>'
    . "\n" . $TAIL);
$t->write_file('html/all/page.html', $HEAD
    . qq{<!--# echo var="tag" encoding="none" -->\n}
    . qq{<!--# include virtual="/parts/meta.inc" -->\n} . $TAIL);
$t->write_file('html/parts/header.html',
    qq{<div>HEADER-PART<img src="https://www.facebook.com/tr?id=header" alt=""></div>\n});
$t->write_file('html/parts/footer.html',
    qq{<footer>FOOTER-START<iframe src="https://www.youtube.com/embed/footer" title="f"></iframe>}
    . ("<p>footer text</p>\n" x 50) . "FOOTER-END</footer>\n");

my $GTM = '<script async src="https://www.googletagmanager.com/gtm.js?id=GTM-CHAIN"></script>';

# the backend: bodies a browser reads by its own rules
my $TRACKED = $HEAD . $GTM . "\n"
    . qq{<iframe src="https://www.youtube.com/embed/b" title="v"></iframe>\n}
    . $TAIL;
my $PNG = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\1\0\0\0\1\x08\x06\0\0\0\x1f\x15\xc4\x89"
    . ('<img src="https://ad.doubleclick.net/p.gif">' x 3);
my $JIS = "<!DOCTYPE html><html><head><title>jis</title></head><body>\n"
    . "<p>BEFORE-ESCAPE</p>\e\$B<!--\e(B$GTM<p>--></p>\n<p>AFTER-ESCAPE</p>\n"
    . "</body></html>\n";
my $JIS_PAREN = "<!DOCTYPE html><html><head><title>jis</title></head><body>\n"
    . "<p>BEFORE-ESCAPE</p>\e(J<!--\e(B$GTM<p>--></p>\n<p>AFTER-ESCAPE</p>\n"
    . "</body></html>\n";

my %BODY = (
    '/none/html'   => [ undef, $TRACKED ],
    '/none/ws'     => [ undef, "\r\n \t<html><body>$GTM<p>END-OF-PAGE</p></body></html>\n" ],
    '/none/script' => [ undef, "$GTM\n<p>END-OF-PAGE</p>\n" ],
    '/none/png'    => [ undef, $PNG ],
    '/utf16/declared' => [ 'text/html; charset=utf-16',
        "\xff\xfe" . encode('UTF-16LE', $TRACKED) ],
    '/utf16/le'    => [ 'text/html; charset=UTF-16LE', encode('UTF-16LE', $TRACKED) ],
    '/bom/le'      => [ 'text/html', "\xff\xfe" . encode('UTF-16LE', $TRACKED) ],
    '/bom/be'      => [ 'text/html', "\xfe\xff" . encode('UTF-16BE', $TRACKED) ],
    '/bom/le-utf8' => [ 'text/html; charset=utf-8',
        "\xff\xfe" . encode('UTF-16LE', $TRACKED) ],
    '/bom/utf8'    => [ 'text/html', "\xef\xbb\xbf" . $TRACKED ],
    '/jis/none'    => [ 'text/html', $JIS ],
    '/jis/declared' => [ 'text/html; charset=iso-2022-jp', $JIS ],
    '/jis/paren'   => [ 'text/html', $JIS_PAREN ],
    '/jis/utf8'    => [ 'text/html; charset=utf-8', $JIS ],
    '/page'        => [ 'text/html; charset=utf-8', $TRACKED ],
);

$t->backend(port => 8082, handler => sub {
    my ($req) = @_;
    my $b = $BODY{ $req->{uri} } or return (404, [], "no\n");
    my @h = defined $b->[0] ? ('Content-Type' => $b->[0]) : ();
    # in pieces: what is decided on the first bytes holds for the rest
    return (200, \@h, [ map { [$_, 0.002] } unpack '(a61)*', $b->[1] ]);
});

# HTTP/2 when curl speaks it and this nginx has it (make matrix builds
# nginx without ngx_http_v2_module)
my $ngx_v = `$Consent::Test::NGINX -V 2>&1` // '';
my $h2_nginx = $ngx_v =~ /--with-http_v2_module\b/ ? 1 : 0;
my $h2 = curl_has_http2() && $h2_nginx;
my $h2_listen = $h2 ? 'listen 127.0.0.1:%%PORT_8085%% http2;' : '';

$t->config(<<"EOF");
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;

    consent_keys $keys;
    consent_policy $policy;

    server {
        listen 127.0.0.1:%%PORT_8080%%;
        $h2_listen
        server_name localhost;
        root %%TESTDIR%%/html;

        consent on;

        set \$tag '$GTM';

        location /consent/ { consent_endpoint; }

        location /ssi/ { ssi on; }

        location /sub/ {
            sub_filter '</head>' '$GTM</head>';
        }

        location /add/ {
            add_before_body /parts/header.html;
            add_after_body /parts/footer.html;
        }

        location /all/ {
            ssi on;
            sub_filter '</head>' '$GTM</head>';
            add_before_body /parts/header.html;
            add_after_body /parts/footer.html;
        }

        location /big/ {
            ssi on;
            sub_filter '</head>' '$GTM</head>';
            add_after_body /parts/footer.html;
            gzip on;
            gzip_min_length 0;
        }

        location /b/ { proxy_pass http://127.0.0.1:%%PORT_8082%%/; }

        location /b-add/ {
            proxy_pass http://127.0.0.1:%%PORT_8082%%/;
            add_before_body /parts/header.html;
            add_after_body /parts/footer.html;
        }
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

sub complete_ok {
    my ($r, $name) = @_;
    is($r->status, 200, "$name: 200") or diag($r->describe);
    ok(!defined $r->error, "$name: the response is complete")
        or diag($r->error);
    has($r->body, qr/END-OF-PAGE/, "$name: the page is whole");
    my $n = () = $r->body =~ /id="consent-banner"/g;
    is($n, 1, "$name: one banner");
}

# ---------------------------------------------------------------------------
# SSI

my $r = get('/ssi/echo.html');
complete_ok($r, 'SSI echo of a tracker tag');
is(live($r->body), '', 'SSI echo encoding="none": the tag is not live');
is(gated($r->body), 'gtm', 'SSI echo encoding="none": the tag gated');
$r = get('/ssi/echo.html', 'all');
is(live($r->body), 'gtm', 'SSI echo, accept all: live');

$r = get('/ssi/inc.html');
complete_ok($r, 'SSI include of .inc and .txt files');
is(live($r->body), '', 'SSI include of .inc/.txt: nothing live');
is(gated($r->body), 'doubleclick,meta', 'SSI include of .inc/.txt: gated');
$r = get('/ssi/inc.html', 'marketing');
is(live($r->body), 'doubleclick,meta', 'SSI include of .inc/.txt, marketing: live');

my $mark = log_mark($t);
$r = get('/ssi/set.html');
complete_ok($r, 'SSI include set=');
has($r->body, qr{<div id="frag"><p>FRAG-TEXT</p>},
    'SSI include set=: the fragment is in the page');
is(live($r->body), '', 'SSI include set=: nothing live');
is(gated($r->body), 'youtube', 'SSI include set=: the fragment\'s tracker gated');
is(log_since($t, $mark, qr/too big subrequest response|\[error\]/, 0.2), '',
    'SSI include set=: no error logged');

# ---------------------------------------------------------------------------
# sub_filter

$r = get('/sub/page.html');
complete_ok($r, 'sub_filter');
has($r->body, qr/GTM-CHAIN/, 'sub_filter: the inserted tag is there');
is(live($r->body), '', 'sub_filter inserting GTM: not live');
is(gated($r->body), 'gtm', 'sub_filter inserting GTM: gated');
$r = get('/sub/page.html', 'analytics');
is(live($r->body), 'gtm', 'sub_filter, analytics: live');

# ---------------------------------------------------------------------------
# addition

sub in_order {
    my ($body, @marks) = @_;
    my $pos = -1;
    for my $m (@marks) {
        my $i = index $body, $m;
        return "$m missing" if $i < 0;
        return "$m out of order" if $i < $pos;
        $pos = $i;
    }
    return 'in order';
}

$mark = log_mark($t);
$r = get('/add/page.html');
complete_ok($r, 'add_before_body, add_after_body');
is(in_order($r->body, 'HEADER-PART', '<h1>add</h1>', 'END-OF-PAGE',
    'FOOTER-START', 'FOOTER-END'), 'in order',
    'addition: header, page, whole footer');
is(live($r->body), '', 'addition: nothing live');
is(gated($r->body), 'meta,youtube', 'addition: the added parts\' trackers gated');
is(log_since($t, $mark, qr/zero size buf|\[alert\]/, 0.2), '',
    'addition: no "zero size buf"');
$r = get('/add/page.html', 'all');
is(in_order($r->body, 'HEADER-PART', 'END-OF-PAGE', 'FOOTER-END'), 'in order',
    'addition, accept all: whole');
is(live($r->body), 'meta,youtube', 'addition, accept all: live');

$mark = log_mark($t);
$r = get('/b-add/page');
complete_ok($r, 'addition around a page streamed from a backend');
is(in_order($r->body, 'HEADER-PART', 'GTM-CHAIN', 'END-OF-PAGE',
    'FOOTER-START', 'FOOTER-END'), 'in order',
    'addition around a streamed page: header, page, whole footer');
is(live($r->body), '', 'addition around a streamed page: nothing live');
is(gated($r->body), 'gtm,meta,youtube,youtube',
    'addition around a streamed page: gated');
is(log_since($t, $mark, qr/zero size buf|\[alert\]/, 0.2), '',
    'addition around a streamed page: no "zero size buf"');

$r = get('/all/page.html');
complete_ok($r, 'SSI, sub_filter and addition together');
is(in_order($r->body, 'HEADER-PART', 'GTM-CHAIN', 'END-OF-PAGE', 'FOOTER-END'),
    'in order', 'together: every part, in order');
is(live($r->body), '', 'together: nothing live');
is(gated($r->body), 'gtm,gtm,meta,meta,youtube', 'together: every tracker gated');

# a long page through SSI, sub_filter, addition, then gzip: every byte

$r = get('/big/page.html', undef, 'Accept-Encoding' => 'gzip');
is(lc($r->header('content-encoding') // ''), 'gzip', 'a long page: gzip after the module');
my $big = decoded_body($r) // '';
is(scalar(() = $big =~ /<p>Paragraph \d+ of a long page\.<\/p>/g), 20000,
    'a long page through every filter and gzip: every paragraph');
is(in_order($big, 'GTM-CHAIN', 'Paragraph 1 ', 'Paragraph 20000 ',
    'ad.doubleclick.net', 'END-OF-PAGE', 'FOOTER-END'), 'in order',
    'a long page: in order, whole');
is(live($big), '', 'a long page: nothing live');
is(gated($big), 'doubleclick,gtm,gtm,youtube', 'a long page: every tracker gated');
ok(!defined $r->error, 'a long page: the response is complete') or diag($r->error);

# ---------------------------------------------------------------------------
# HTTP/2

SKIP: {
    skip $h2_nginx ? 'curl has no HTTP/2' : 'nginx has no HTTP/2 module', 12
        unless $h2;
    my $base = 'http://127.0.0.1:' . $t->port(8085);
    $r = curl_h2("$base/all/page.html");
    is($r->error, undef, 'HTTP/2: curl got a response');
    is($r->protocol, '2', 'HTTP/2: spoken');
    is(in_order($r->body, 'HEADER-PART', 'GTM-CHAIN', 'END-OF-PAGE',
        'FOOTER-END'), 'in order', 'HTTP/2, every filter: whole');
    is(live($r->body), '', 'HTTP/2, every filter: nothing live');
    is(gated($r->body), 'gtm,gtm,meta,meta,youtube', 'HTTP/2: gated');

    $r = curl_h2("$base/ssi/set.html");
    has($r->body, qr/FRAG-TEXT/, 'HTTP/2, SSI include set=: the fragment');

    # sub_filter and SSI drop the ETag: a page no other filter touches
    $r = curl_h2("$base/plain/page.html", headers => [Cookie => $C->{all}]);
    my $e = $r->header('etag');
    ok((() = marked_etag($e)) ? 1 : 0, 'HTTP/2: a marked ETag')
        or diag($e // 'none');
    is(live($r->body), 'gtm', 'HTTP/2, accept all: live');
    $r = curl_h2("$base/plain/page.html",
        headers => [Cookie => $C->{all}, 'If-None-Match' => $e // '-']);
    is($r->status, 304, 'HTTP/2, same variant: 304');
    $r = curl_h2("$base/plain/page.html",
        headers => ['If-None-Match' => $e // '-']);
    is($r->status, 200, 'HTTP/2, withdrawn: 200');
    is(live($r->body), '', 'HTTP/2, withdrawn: nothing live');
    has($r->body, qr/END-OF-PAGE/, 'HTTP/2, withdrawn: whole');
}

# ---------------------------------------------------------------------------
# no Content-Type

for my $case (['/none/html', 'gtm,youtube'], ['/none/ws', 'gtm'],
    ['/none/script', 'gtm'])
{
    my ($path, $trackers) = @$case;
    $r = get("/b$path");
    is($r->header('content-type'), undef, "no Content-Type ($path): none sent");
    is(live($r->body), '', "no Content-Type ($path): nothing live");
    is(gated($r->body), $trackers, "no Content-Type ($path): gated");
    has($r->body, qr/END-OF-PAGE/, "no Content-Type ($path): whole");
}
$r = get('/b/none/png');
ok($r->body eq $PNG, 'no Content-Type, a PNG: byte-identical');

# ---------------------------------------------------------------------------
# UTF-16 and byte order marks

my $GTM16 = encode('UTF-16LE', 'googletagmanager');
my $GTM16BE = encode('UTF-16BE', 'googletagmanager');

# each kind of refusal is logged at most once a minute (per worker): the
# log is looked at after the first of each kind
my %logged;

for my $path (qw(/utf16/declared /utf16/le)) {
    $mark = log_mark($t);
    for my $who (undef, 'reject', 'analytics') {
        $r = get("/b$path", $who);
        is($r->status, 502, "UTF-16 declared ($path), "
            . ($who // 'no cookie') . ': 502') or diag($r->describe);
        hasnt($r->body, qr/\Q$GTM16\E/, "UTF-16 declared ($path), "
            . ($who // 'no cookie') . ': the page is not sent');
    }
    isnt(log_since($t, $mark, qr/\[error\].*consent:/), '',
        "UTF-16 declared ($path): \"consent:\" at error")
        unless $logged{charset}++;
    $r = get("/b$path", 'all');
    is($r->status, 200, "UTF-16 declared ($path), accept all: 200");
    ok($r->body eq $BODY{$path}[1],
        "UTF-16 declared ($path), accept all: unfiltered");
}

for my $path (qw(/bom/le /bom/be /bom/le-utf8)) {
    $mark = log_mark($t);
    for my $who (undef, 'reject') {
        $r = get("/b$path", $who);
        my $name = "a UTF-16 BOM ($path), " . ($who // 'no cookie');
        ok(!($r->status == 200 && !defined $r->error),
            "$name: no complete 200") or diag($r->describe);
        hasnt($r->body, qr/\Q$GTM16\E|\Q$GTM16BE\E|googletagmanager/,
            "$name: the trackers are not sent");
    }
    isnt(log_since($t, $mark, qr/\[error\].*consent:/), '',
        "a UTF-16 BOM ($path): \"consent:\" at error")
        unless $logged{bom}++;
    $r = get("/b$path", 'all');
    is($r->status, 200, "a UTF-16 BOM ($path), accept all: 200");
    ok(!defined $r->error && $r->body eq $BODY{$path}[1],
        "a UTF-16 BOM ($path), accept all: whole, unfiltered");
}

$r = get('/b/bom/utf8');
is($r->status, 200, 'a UTF-8 BOM: 200');
is(live($r->body), '', 'a UTF-8 BOM: nothing live');
is(gated($r->body), 'gtm,youtube', 'a UTF-8 BOM: gated');
has($r->body, qr/END-OF-PAGE/, 'a UTF-8 BOM: whole');

# ---------------------------------------------------------------------------
# ISO-2022 escapes

for my $path (qw(/jis/none /jis/declared /jis/paren)) {
    $mark = log_mark($t);
    $r = get("/b$path");
    my $name = "an ISO-2022 escape ($path)";
    hasnt($r->body, qr/GTM-CHAIN/, "$name: the tracker after it is not sent");
    hasnt($r->body, qr/\e/, "$name: cut at the escape");
    hasnt($r->body, qr/AFTER-ESCAPE/, "$name: nothing after it");
    ok($r->status != 200 || defined $r->error,
        "$name: the response is cut, not a complete 200")
        or diag($r->describe);
    isnt(log_since($t, $mark, qr/\[error\].*consent:/), '',
        "$name: \"consent:\" at error")
        unless $logged{escape}++;
}

$r = get('/b/jis/utf8');
is($r->status, 200, 'an escape in a page declared UTF-8: 200');
has($r->body, qr/AFTER-ESCAPE/, 'an escape in a page declared UTF-8: whole');
ok(!defined $r->error, 'an escape in a page declared UTF-8: complete');

done_testing();

#!/usr/bin/perl

# Deployment: PHP over FastCGI (php-cgi -b). Pages compressed by PHP
# itself (ob_start('ob_gzhandler'), zlib.output_compression) are
# inflated and gated; PHP is asked only for encodings the module reads;
# an encoding it cannot read is not sent to a visitor without full
# consent; an application's own 304 cannot bring back another variant,
# and conditional headers never reach PHP.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use Consent::Test;
use Consent::Test::Deploy qw(:all);

unless (php_cgi()) {
    # CI runs as root and installs php-cgi (auto/deps): there, its absence
    # is a failure
    plan skip_all => 'php-cgi is not installed (apt-get install php-cgi, '
        . 'or make deps as root)'
        if $> != 0;
    fail('php-cgi is installed (auto/deps installs it as root)');
    done_testing();
    exit 1;
}

my $t = Consent::Test->new();
my $keys = $t->keyfile();
my $policy = $t->policy_file();

my $ALL_LIVE = 'gtm,meta,youtube';

# what PHP saw of the request, then the page
my $PAGE = <<'PHP';
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>PHP</title>
<script async src="https://www.googletagmanager.com/gtm.js?id=GTM-PHP"></script>
</head>
<body>
<!-- php saw ae="<?= $_SERVER['HTTP_ACCEPT_ENCODING'] ?? '' ?>" inm="<?= $_SERVER['HTTP_IF_NONE_MATCH'] ?? '' ?>" ims="<?= $_SERVER['HTTP_IF_MODIFIED_SINCE'] ?? '' ?>" -->
<h1>PHP page</h1>
<?php for ($i = 0; $i < 200; $i++) { echo "<p>Paragraph $i of an application's page.</p>\n"; } ?>
<iframe width="560" src="https://www.youtube.com/embed/php" title="video"></iframe>
<img height="1" width="1" src="https://www.facebook.com/tr?id=1&amp;ev=PageView" alt="">
<p>END-OF-PAGE</p>
</body>
</html>
PHP

$t->write_file('html/plain.php', $PAGE);
$t->write_file('html/gzhandler.php',
    "<?php ob_start('ob_gzhandler'); ?>\n" . $PAGE);
$t->write_file('html/zlib.php',
    "<?php ini_set('zlib.output_compression', '1'); ?>\n" . $PAGE);
$t->write_file('html/app.php', <<'PHP' . $PAGE);
<?php
// an application that honours validators itself, and compresses
$etag = '"php-v1"';
$inm = $_SERVER['HTTP_IF_NONE_MATCH'] ?? '';
$ims = $_SERVER['HTTP_IF_MODIFIED_SINCE'] ?? '';
header('ETag: ' . $etag);
header('Last-Modified: Mon, 02 Nov 2026 10:00:00 GMT');
header('Cache-Control: public, max-age=600');
if (strpos($inm, $etag) !== false || $ims !== '') {
    http_response_code(304);
    exit;
}
ob_start('ob_gzhandler');
?>
PHP
my $BR = "\x1b\x2a\x00\xf8\x8d\x94\x6e\xde\x41\x0a" x 10;
$t->write_file('html/br.php', <<'PHP');
<?php
header('Content-Type: text/html; charset=utf-8');
header('Content-Encoding: br');
echo str_repeat("\x1b\x2a\x00\xf8\x8d\x94\x6e\xde\x41\x0a", 10);
PHP

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

        location ~ \\.php\$ {
            include /etc/nginx/fastcgi_params;
            fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;
            fastcgi_pass 127.0.0.1:%%PORT_9000%%;
        }

        location ^~ /again/ {
            rewrite ^/again(/.*)\$ \$1 break;
            include /etc/nginx/fastcgi_params;
            fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;
            fastcgi_pass 127.0.0.1:%%PORT_9000%%;
            gzip on;
            gzip_min_length 0;
        }
    }
}
EOF

php_spawn($t, port => 9000);
$t->run();

my $C = cookies($t);

sub get {
    my ($uri, $who, @h) = @_;
    push @h, Cookie => $C->{$who} if defined $who;
    return $t->http(uri => $uri, headers => \@h);
}

sub seen {
    my ($body, $what) = @_;
    return ($body // '') =~ /php saw [^>]*\b$what="([^"]*)"/ ? $1 : undef;
}

sub gated_ok {
    my ($r, $name, %o) = @_;
    is($r->status, 200, "$name: 200") or diag($r->describe);
    my $body = decoded_body($r);
    ok(defined $body, "$name: the body decodes")
        or diag('Content-Encoding: ' . join(', ',
            $r->headers('content-encoding')));
    $body //= '';
    ok(!grep({ !/^identity$/i } $r->headers('content-encoding')),
        "$name: sent without Content-Encoding")
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
# the application's own compression

my $r = get('/plain.php');
my $b = gated_ok($r, 'PHP, no compression');

$r = get('/gzhandler.php', undef, 'Accept-Encoding' => 'gzip, deflate, br, zstd');
$b = gated_ok($r, 'ob_gzhandler, a browser that takes gzip, br, zstd');
my $ae = seen($b, 'ae');
ok(defined $ae, 'ob_gzhandler: the page says what PHP saw');
$ae //= '';
has($ae, qr/\bgzip\b/, "ob_gzhandler: PHP was offered gzip (\"$ae\")");
hasnt($ae, qr/\b(?:br|zstd)\b/, "ob_gzhandler: PHP was not offered br or zstd (\"$ae\")");

$r = get('/gzhandler.php', undef, 'Accept-Encoding' => 'deflate');
gated_ok($r, 'ob_gzhandler, deflate only');

$r = get('/gzhandler.php', 'analytics', 'Accept-Encoding' => 'gzip');
is(live(decoded_body($r) // ''), 'gtm', 'ob_gzhandler, analytics: only gtm live');

$r = get('/gzhandler.php', 'all', 'Accept-Encoding' => 'gzip');
$b = decoded_body($r) // '';
is(live($b), $ALL_LIVE, 'ob_gzhandler, accept all: live');
has($b, qr/END-OF-PAGE/, 'ob_gzhandler, accept all: complete');

$r = get('/zlib.php', undef, 'Accept-Encoding' => 'gzip');
gated_ok($r, 'zlib.output_compression, gzip');
$r = get('/zlib.php', undef, 'Accept-Encoding' => 'deflate');
gated_ok($r, 'zlib.output_compression, deflate');

$r = get('/again/gzhandler.php', undef, 'Accept-Encoding' => 'gzip');
is(lc($r->header('content-encoding') // ''), 'gzip',
    'ob_gzhandler, gzip on here: compressed again');
gated_ok($r, 'ob_gzhandler, gzip on here', encoded => 1);

# an encoding the module cannot read

my $mark = log_mark($t);
for my $who (undef, 'reject', 'analytics') {
    $r = get('/br.php', $who, 'Accept-Encoding' => 'br');
    is($r->status, 502, 'PHP sending br, ' . ($who // 'no cookie') . ': 502')
        or diag($r->describe);
    hasnt($r->body, qr/\Q$BR\E/, 'PHP sending br, ' . ($who // 'no cookie')
        . ': not sent');
}
isnt(log_since($t, $mark, qr/\[error\].*consent:.*\bbr\b/), '',
    'PHP sending br: "consent:" at error, naming br');
$r = get('/br.php', 'all', 'Accept-Encoding' => 'br');
is($r->status, 200, 'PHP sending br, accept all: 200');
is($r->body, $BR, 'PHP sending br, accept all: unfiltered');

# ---------------------------------------------------------------------------
# conditional requests

$r = get('/app.php', 'all', 'Accept-Encoding' => 'gzip');
my $E_ALL = $r->header('etag');
my ($orig) = marked_etag($E_ALL);
ok(defined $orig, 'PHP, accept all: a marked ETag') or diag($E_ALL // 'none');
is($orig, 'php-v1', 'PHP: the marked ETag keeps the application\'s tag');
is($r->header('last-modified'), undef, 'PHP: no Last-Modified');
ok(!cc_has($r, 'public'), 'PHP: the application\'s Cache-Control public is gone')
    or diag('Cache-Control: ' . join(', ', $r->headers('cache-control')));
ok(cc_has($r, 'private') && cc_has($r, 'no-cache'),
    'PHP: Cache-Control private, no-cache');
is(live(decoded_body($r) // ''), $ALL_LIVE, 'PHP, accept all: live');

$r = get('/app.php', 'all', 'If-None-Match' => $E_ALL);
is($r->status, 304, 'PHP, same variant: 304');
is($r->header('etag'), $E_ALL, 'PHP 304: the marked ETag');
ok(cc_has($r, 'private') && !cc_has($r, 'public'), 'PHP 304: private')
    or diag('Cache-Control: ' . join(', ', $r->headers('cache-control')));

for my $case (
    [ undef, ['If-None-Match' => $E_ALL], 'withdrawn, If-None-Match of accept all' ],
    [ 'reject', ['If-None-Match' => $E_ALL], 'reject, If-None-Match of accept all' ],
    [ undef, ['If-None-Match' => '"php-v1"'], 'no cookie, the application\'s own tag' ],
    [ undef, ['If-Modified-Since' => 'Mon, 02 Nov 2026 10:00:00 GMT'],
        'no cookie, If-Modified-Since' ],
    [ undef, ['If-None-Match' => $E_ALL,
        'If-Modified-Since' => 'Mon, 02 Nov 2026 10:00:00 GMT'],
        'withdrawn, both validators' ])
{
    my ($who, $h, $name) = @$case;
    $r = get('/app.php', $who, 'Accept-Encoding' => 'gzip', @$h);
    my $body = gated_ok($r, "PHP, $name", no_banner => defined $who);
    is(seen($body, 'inm') // 'none', '', "PHP, $name: PHP saw no If-None-Match");
    is(seen($body, 'ims') // 'none', '', "PHP, $name: PHP saw no If-Modified-Since");
}

done_testing();

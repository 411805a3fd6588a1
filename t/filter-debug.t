#!/usr/bin/perl

# The filter's decisions in nginx's debug log (error_log ... debug, an
# nginx built --with-debug; skipped otherwise): the page read or not and
# why, each element gated or released, the injections, what failed
# closed and why, and a summary at the page's end.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use Consent::Test;

my $nginx = $ENV{NGINX_BIN} || '/usr/sbin/nginx';
my $v = `'$nginx' -V 2>&1`;

plan(skip_all => "$nginx is not built --with-debug")
    unless $v =~ /--with-debug/;

my $t = Consent::Test->new();
my $keys = $t->keyfile();
my $policy = $t->policy_file();

$t->write_file('html/index.html', <<'HTML');
<!DOCTYPE html>
<html><head><title>t</title>
<script src="https://www.google-analytics.com/analytics.js"></script>
</head><body>
<p>text</p>
<img alt="" src="/local.png">
</body></html>
HTML
$t->write_file('html/pixel.png', "\x89PNG\r\n\x1a\n");
$t->write_file('html/utf16.html', "<p>x</p>");

$t->config(<<"EOF")->run();
error_log %%TESTDIR%%/error.log debug;

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

        location = /utf16.html {
            charset utf-16;
            charset_types text/html;
            override_charset on;
            source_charset utf-16;
        }
    }
}
EOF

# the debug lines written since the last mark
my $mark = 0;

sub since {
    my $log = $t->read_file('error.log');
    my $new = substr($log, $mark);
    $mark = length $log;
    return join '', grep { /consent filter: / } split /^/m, $new;
}

since();

my $r = $t->http(uri => '/index.html');
is($r->status, 200, 'a page');
my $log = since();
like($log, qr/consent filter: reading the page, granted 1, head \d+, banner \d+ bytes, sniffed 0/,
     'the page is read, and for whom');
like($log, qr/consent filter: head injected <> , categories 0/,
     'the head snippet injected');
like($log, qr/consent filter: gated <script> rule, categories 4/,
     'the script gated, by a rule, and its category (analytics, bit 2)');
like($log, qr/consent filter: banner injected <> , categories 0/,
     'the banner injected');
like($log, qr/consent filter: page done, gated 1 \(over consent_tag_max 0\), head 1, banner 1, banner skipped 0/,
     'the page summed up');
unlike($log, qr/<img>/, 'an image that loads nothing tracked: no decision');

$r = $t->http(uri => '/pixel.png');
is($r->status, 200, 'an image');
like(since(), qr/consent filter: not read: type "image\/png"/,
     'a response not read, and why');

# a conditional request for the variant this visitor was sent
my $etag = $t->http(uri => '/index.html')->header('etag');
since();
$r = $t->http(uri => '/index.html', headers => ['If-None-Match' => $etag]);
is($r->status, 304, 'a 304 for the same variant');
like(since(), qr/consent filter: not read: 304/, 'a 304: not read');

$r = $t->http(uri => '/utf16.html');
is($r->status, 502, 'a page in UTF-16: 502 for a visitor without consent');
like(since(), qr/consent filter: failed closed, 502: a page in a charset the filter cannot read/,
     'failed closed, and why');
$t->allow_log(qr/in a charset the filter cannot read/);

done_testing();

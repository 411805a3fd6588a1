#!/usr/bin/perl

# A choice sticks in a browser that caches: Chromium with its HTTP cache
# on (no Playwright routing, which turns the cache off) reads an article
# with Google Tag Manager, the Meta pixel and a YouTube iframe, served
# with cacheable headers by nginx: from static files ("expires 10m", and
# "Cache-Control: no-cache" so that every view revalidates), and through
# proxy_cache in front of an origin that says "public, max-age=600".
# Accept all, then withdraw (DELETE /consent/): the next view requests no
# tracker and shows the banner. Reject, then accept: the next view has
# no banner. First visit, then accept: the banner does not come back.
# (t/browser/withdraw.mjs drives Chromium and prints the assertions.)

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../lib", "$FindBin::Bin/lib";

use Test::More;
use Consent::Browser;

my $b = Consent::Browser->new;
my $t = $b->t;

$b->{keys} = $t->keyfile;
$b->{policy} = $t->policy_file;

for my $f (qw(article.html other.html)) {
    open my $fh, '<', "$Consent::Browser::REPO/t/deploy/withdraw/$f"
        or die "t/deploy/withdraw/$f: $!";
    local $/;
    $t->write_file("site/$f", <$fh>);
    close $fh;
}

$t->config(<<"EOF");
http {
    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;
    charset       utf-8;

    consent_keys    $b->{keys};
    consent_policy  $b->{policy};
    consent_log     %%TESTDIR%%/consent.log;

    proxy_cache_path %%TESTDIR%%/cache keys_zone=pages:1m;

    # static files a browser may keep for ten minutes
    server {
        listen       127.0.0.1:%%PORT_8180%%;
        server_name  static;
        root         %%TESTDIR%%/site;

        consent on;

        location /consent/ { consent_endpoint; }
        location / { expires 10m; }
    }

    # static files a browser revalidates on every view (ETag and
    # Last-Modified as nginx sends them)
    server {
        listen       127.0.0.1:%%PORT_8181%%;
        server_name  revalidate;
        root         %%TESTDIR%%/site;

        consent on;

        location /consent/ { consent_endpoint; }
        location / { add_header Cache-Control no-cache; }
    }

    # proxy_cache in front of an origin that says public, max-age=600
    server {
        listen       127.0.0.1:%%PORT_8182%%;
        server_name  cached;

        consent on;

        location /consent/ { consent_endpoint; }
        location / {
            proxy_pass http://127.0.0.1:%%PORT_8183%%;
            proxy_cache pages;
            proxy_cache_valid 200 10m;
        }
    }

    server {
        listen       127.0.0.1:%%PORT_8183%%;
        server_name  origin;
        root         %%TESTDIR%%/site;

        location / { add_header Cache-Control "public, max-age=600"; }
    }
}
EOF
$t->run;

my $u = sub { 'http://127.0.0.1:' . $t->port($_[0]) };
$b->run_node('withdraw.mjs', sites => {
    static     => $u->(8180),
    revalidate => $u->(8181),
    proxy_cache => $u->(8182),
});

done_testing();

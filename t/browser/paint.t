#!/usr/bin/perl

# The banner in the page's first paint (issue 19): the benchmark's news
# pages (bench/gen-pages.py) served by nginx with the module, Chromium
# with a 4x CPU throttle; the banner's first painted frame against the
# first contentful paint of the same load, and no layout shift; for a
# visitor who has chosen, the manage link in the first paint.
# (t/browser/paint.mjs drives Chromium and prints the assertions.)

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../lib", "$FindBin::Bin/lib";

use Test::More;
use Consent::Browser;

my $b = Consent::Browser->new;
my $t = $b->t;

my $pages = $t->path('pages');
system('python3', "$Consent::Test::REPO/bench/gen-pages.py", $pages) == 0
    or BAIL_OUT('bench/gen-pages.py failed');
chmod 0755, $pages, "$pages/assets";
chmod 0644, glob("$pages/*.html"), glob("$pages/assets/*");

my $keys = $t->keyfile;
my $policy = $t->policy_file;

$t->config(<<"EOF2");
http {
    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;
    charset       utf-8;

    consent_keys    $keys;
    consent_policy  $policy;
    consent_log     %%TESTDIR%%/consent.log;

    server {
        listen       127.0.0.1:%%PORT_8080%%;
        root         %%TESTDIR%%/pages;

        consent on;
        consent_manage_button on;

        location /consent/ { consent_endpoint; }
    }
}
EOF2
$t->run;

$b->run_node('paint.mjs', site => 'http://127.0.0.1:' . $t->port(8080),
             policy => $policy);

done_testing();

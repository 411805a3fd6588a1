#!/usr/bin/perl

# The TCF's first and second layer in CMP mode, in Chromium: equal
# buttons, axe-core on both layers, the second layer in the banner with
# JavaScript and as the preferences page without, choices that come back
# as TC strings IAB's library decodes; a synthetic GVL of 300 vendors
# (t/lib/tcf-gvl.pl).
# (t/browser/tcf-ui.mjs drives Chromium and prints the assertions.)

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../lib", "$FindBin::Bin/lib";

use Test::More;
use Consent::Browser;

my $b = Consent::Browser->new;
my $t = $b->t;
my $dir = $t->testdir;
my $repo = $t->repo;
my $keys = $t->keyfile;
my $policy = $t->policy_file(modify => sub {
    $_[0]{tcf} = { analytics => { purposes => [1, 8, 9] },
                   marketing => { purposes => [1, 2, 3, 4],
                                  special_features => [1] } };
});

system($^X, "$repo/t/lib/tcf-gvl.pl", "$dir/gvl", 300) == 0
    or BAIL_OUT('t/lib/tcf-gvl.pl failed');

$t->write_file('html/page.html', <<'EOF2');
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>An article</title></head>
<body><main><h1>An article</h1><p>Text.</p></main></body></html>
EOF2

$t->config(<<"EOF2");
http {
    include       /etc/nginx/mime.types;
    charset       utf-8;
    consent_keys    $keys;
    consent_policy  $policy;

    server {
        listen       127.0.0.1:%%PORT_8090%%;
        server_name  tcf;
        root         %%TESTDIR%%/html;

        consent on;
        consent_tcf cmp;
        consent_tcf_cmp 300 7 publisher_cc=DE;
        consent_tcf_gvl %%TESTDIR%%/gvl/vendor-list.json;
        consent_tcf_gvl_translations %%TESTDIR%%/gvl;

        location /consent/ { consent_endpoint; }
    }
}
EOF2
$t->run;

$b->{policy} = $policy;
$b->run_node('tcf-ui.mjs', tcf => 'http://127.0.0.1:' . $t->port(8090));

done_testing();

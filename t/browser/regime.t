#!/usr/bin/perl

# Consent regimes in Chromium (docs/regimes.md): the opt-out notice with
# its "Do Not Sell or Share" button, IAB's __gpp API called from the
# page (ping, events, getSection before and after opting out, the
# __gpp cookie as @iabgpp/cmpapi reads it), GPC sent as an extra HTTP
# header, the notice regime's one button, and no __gpp where the regime
# is opt-in.  One server whose
# regime a map on a request header decides, as a GeoIP country would.
# (t/browser/regime.mjs drives Chromium and prints the assertions.)

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../lib", "$FindBin::Bin/lib";

use Test::More;
use JSON::PP;
use Consent::Browser;

my $b = Consent::Browser->new;
my $t = $b->t;

$b->{keys} = $t->keyfile;
$b->{policy} = $t->policy_file(modify => sub {
    $_[0]{regimes}{'opt-out'}{gpp}{sections} = ['usnat', 'usca'];
});
$b->_copy_tree("$Consent::Browser::REPO/t/browser/site", 'site');

$t->config(<<"EOF");
http {
    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;
    charset       utf-8;

    consent_keys    $b->{keys};
    consent_policy  $b->{policy};
    consent_log     %%TESTDIR%%/consent.log;

    map \$http_x_country \$regime {
        default  opt-in;
        US-CA    opt-out;
        US       notice;
    }

    consent_regime \$regime;

    server {
        listen       127.0.0.1:%%PORT_8080%%;
        server_name  fixture;
        root         %%TESTDIR%%/site;
        index        index.html;

        consent on;
        consent_manage_button on;

        location /consent/ { consent_endpoint; }
        location / { try_files \$uri \$uri.html \$uri/ =404; }
    }
}
EOF

$t->run;
$b->run_node('regime.mjs');

done_testing();

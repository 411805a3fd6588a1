#!/usr/bin/perl

# consent_require and consent_require_status: a location answers only
# visitors whose valid consent grants every named category.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use Consent::Test;
use Consent::Token qw(mint secret_from_keyfile_line);

my $t = Consent::Test->new();
my $keys = $t->keyfile();
my $policy = $t->policy_file();

$t->write_file('html/collect', "collected\n");
$t->write_file('html/ads/pixel', "pixel\n");
$t->write_file('html/both/x', "both\n");
$t->write_file('html/both/open', "open\n");
$t->write_file('html/open', "open\n");

$t->config(<<"EOF");
http {
    consent_keys $keys;
    consent_policy $policy;

    server {
        listen 127.0.0.1:%%PORT_8080%%;
        server_name localhost;
        root %%TESTDIR%%/html;

        location = /collect {
            consent_require analytics;
        }

        location /ads/ {
            consent_require marketing;
            consent_require_status 204;
        }

        location /both/ {
            consent_require analytics marketing;
            consent_require_status 451;

            location /both/x {
                # inherited from the enclosing location
            }

            location /both/open {
                consent_require off;
            }
        }

        location /open {
            satisfy any;
            allow all;
        }

        location /any {
            # access modules saying yes must not bypass consent
            satisfy any;
            allow all;
            consent_require analytics;
            alias %%TESTDIR%%/html/collect;
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
    none      => undef,
    analytics => mint(secret => $secret, granted => 0x5),
    marketing => mint(secret => $secret, granted => 0x9),
    all       => mint(secret => $secret, granted => 0xf),
    expired   => mint(secret => $secret, granted => 0xf,
        issued => time() - 200 * 86400),
    outdated  => mint(secret => $secret, granted => 0xf, revision => 0),
    tampered  => mint(secret => $secret . 'x', granted => 0xf),
);

sub status {
    my ($uri, $who) = @_;
    my $c = $cookie{$who};
    my $r = $t->http(method => 'GET', uri => $uri,
        headers => defined $c ? [Cookie => "consent=$c"] : []);
    return $r->{status};
}

my @cases = (
    ['/collect', 'none', 403],
    ['/collect', 'marketing', 403],
    ['/collect', 'analytics', 200],
    ['/collect', 'all', 200],
    ['/collect', 'expired', 403],
    ['/collect', 'outdated', 403],
    ['/collect', 'tampered', 403],
    ['/ads/pixel', 'none', 204],
    ['/ads/pixel', 'analytics', 204],
    ['/ads/pixel', 'marketing', 200],
    ['/both/x', 'analytics', 451],
    ['/both/x', 'marketing', 451],
    ['/both/x', 'all', 200],
    ['/both/open', 'none', 200],
    ['/open', 'none', 200],
    ['/any', 'none', 403],
    ['/any', 'analytics', 200],
);

for my $case (@cases) {
    my ($uri, $who, $want) = @$case;
    is(status($uri, $who), $want, "$uri with $who consent: $want");
}

my $r = $t->http(method => 'GET', uri => '/collect');
unlike($r->{body}, qr/collected/, 'a refused request gets none of the body');

done_testing();

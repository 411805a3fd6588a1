#!/usr/bin/perl

# The visitor's consent as nginx sees it: $consent_* variables for every
# state, cookies minted independently in Perl (docs/cookie-format.md),
# key rotation, and several cookies of the same name.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use Consent::Test;
use Consent::Token qw(mint);
use MIME::Base64 qw(encode_base64);

my $t = Consent::Test->new();

my $new = join '', map { chr(int rand 256) } 1 .. 32;
my $old = join '', map { chr(int rand 256) } 1 .. 32;
my $gone = join '', map { chr(int rand 256) } 1 .. 32;

my $keys = $t->write_file('consent.keys',
    "# rotated: new signs, old still verifies\n"
    . 'new ' . encode_base64($new, '') . "\n"
    . 'old ' . encode_base64($old, '') . "\n", 0600);
my $policy = $t->policy_file();

$t->config(<<"EOF");
http {
    consent_keys $keys;
    consent_policy $policy;

    server {
        listen 127.0.0.1:%%PORT_8080%%;
        server_name localhost;

        location /consent/ { consent_endpoint; }

        location /vars {
            return 200 "\$consent_state|\$consent_id|\$consent_categories|\$consent_granted_analytics|\$consent_granted_marketing|\$consent_granted_nope\n";
        }

        location /map {
            return 200 "\$tracking\n";
        }
    }

    map \$consent_granted_analytics \$tracking {
        1        on;
        default  off;
    }
}
EOF

$t->run();

sub vars {
    my ($cookie) = @_;
    my $r = $t->http(method => 'GET', uri => '/vars',
        headers => defined $cookie ? [Cookie => $cookie] : []);
    chomp(my $b = $r->{body});
    return $b;
}

my $now = time();
my $id = 'ABCDEFGHIJKLMNOP';
my $id64 = 'QUJDREVGR0hJSktMTU5PUA';
my $day = 86400;

is(vars(), 'absent||necessary|0|0|', 'no cookie');

my $c = mint(secret => $new, kid => 'new', granted => 0x5, id => $id);
is(vars("consent=$c"), "valid|$id64|necessary,analytics|1|0|",
    'valid cookie minted in Perl');

is(vars("a=1; consent=$c; b=2"), "valid|$id64|necessary,analytics|1|0|",
    'among other cookies');

$c = mint(secret => $old, kid => 'old', granted => 0xf, id => $id);
is(vars("consent=$c"),
    "valid|$id64|necessary,preferences,analytics,marketing|1|1|",
    'rotation: a cookie of the old key verifies');

$c = mint(secret => $gone, kid => 'gone', granted => 0xf, id => $id);
is(vars("consent=$c"), 'invalid||necessary|0|0|', 'unknown kid: invalid');

$c = mint(secret => $old, kid => 'new', granted => 0xf, id => $id);
is(vars("consent=$c"), 'invalid||necessary|0|0|', 'wrong key: invalid');

$c = mint(secret => $new, kid => 'new', name => 'other', granted => 0xf);
is(vars("consent=$c"), 'invalid||necessary|0|0|',
    'signed for another cookie name: invalid');

$c = mint(secret => $new, kid => 'new', granted => 0xf, id => $id,
    issued => $now - 183 * $day);
is(vars("consent=$c"), "expired|$id64|necessary|0|0|",
    'older than max_age: expired, grants nothing');

$c = mint(secret => $new, kid => 'new', granted => 0xf, id => $id,
    issued => $now - 181 * $day);
like(vars("consent=$c"), qr/^valid\|/, 'just inside max_age: valid');

$c = mint(secret => $new, kid => 'new', granted => 0xf, id => $id,
    revision => 0);
is(vars("consent=$c"), "outdated|$id64|necessary|0|0|",
    'older policy revision: outdated');

$c = mint(secret => $new, kid => 'new', granted => 0xf, id => $id,
    issued => $now + 3600);
is(vars("consent=$c"), 'invalid||necessary|0|0|',
    'issued in the future: invalid');

my $good = mint(secret => $new, kid => 'new', granted => 0x5, id => $id);
(my $tampered = $good) =~ s/\.5\./.f./;
is(vars("consent=$tampered"), 'invalid||necessary|0|0|',
    'granted bits changed: invalid');

is(vars("consent=$good$good"), 'invalid||necessary|0|0|', 'doubled: invalid');
is(vars('consent=' . substr($good, 0, -1)), 'invalid||necessary|0|0|',
    'truncated: invalid');
is(vars('consent=' . ('A' x 5000)), 'invalid||necessary|0|0|',
    'oversized: invalid');
is(vars('consent='), 'invalid||necessary|0|0|', 'empty: invalid');
is(vars("consent=\"$good\""), 'invalid||necessary|0|0|', 'quoted: invalid');

is(vars("consent=$tampered; consent=$good"),
    "valid|$id64|necessary,analytics|1|0|",
    'a valid cookie wins over a bad one of the same name');

my $r = $t->http(method => 'GET', uri => '/vars',
    headers => [Cookie => "consent=$tampered", Cookie => "consent=$good"]);
like($r->{body}, qr/^valid\|/, 'also across two Cookie headers');

$r = $t->http(method => 'GET', uri => '/map',
    headers => [Cookie => "consent=$good"]);
is($r->{body}, "on\n", 'map on $consent_granted_analytics');

$r = $t->http(method => 'GET', uri => '/map');
is($r->{body}, "off\n", 'map without consent');

# the endpoint signs with the first key

$r = $t->http(method => 'POST', uri => '/consent/',
    headers => ['Content-Type' => 'application/json',
        Cookie => "consent=$c"],
    body => '{"action":"accept_all"}');
like(cookie_value($r, 'consent'), qr/^1\.new\./, 'new cookies: first key');

# an expired consent keeps its id when renewed

$c = mint(secret => $old, kid => 'old', granted => 0xf, id => $id,
    issued => $now - 200 * $day);
$r = $t->http(method => 'POST', uri => '/consent/',
    headers => ['Content-Type' => 'application/json',
        Cookie => "consent=$c"],
    body => '{"action":"reject_all"}');
like(cookie_value($r, 'consent'), qr/^1\.new\.\d+\.1\.1\.$id64\./,
    'renewal of an expired consent keeps the id, re-signed with the new key');

done_testing();

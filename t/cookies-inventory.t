#!/usr/bin/perl

# The cookie inventory (docs/cookies.md, "Inventory"): under two worker
# processes and concurrent clients the counts of a known request mix are
# exact, what was set with its category refused is counted apart, names
# that only requests send are marked, no value is kept, and a small zone
# keeps the most recently seen entries without growing.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use JSON::PP;
use POSIX ();
use Consent::Test;
use Consent::Token qw(mint secret_from_keyfile_line);

my $t = Consent::Test->new();
my $keys = $t->keyfile();
my $policy = $t->policy_file(modify => sub {
    push @{ $_[0]{categories}[0]{cookies} }, 'sid';
});
my $secret = secret_from_keyfile_line('k1 ' . $t->secret('k1'));

$t->backend(port => 8081, handler => sub {
    my ($req) = @_;
    return (200, [
        'Set-Cookie' => '_ga=GA1.1.SECRETVALUE.2; Path=/; Max-Age=63072000; '
            . 'SameSite=Lax',
        'Set-Cookie' => '_fbp=fb.1.2.3; Domain=.example.test; Path=/; '
            . 'Max-Age=7776000; Secure; SameSite=None',
        'Set-Cookie' => 'sid=s; Path=/; HttpOnly',
        'Set-Cookie' => 'prefs_x=u',
        'Set-Cookie' => '_gid=GA1.2.3; Path=/; Max-Age=172800',
        'Content-Type' => 'application/json',
    ], [['{}', 0]]);
});

$t->config(<<"EOF")->run;
worker_processes 2;

http {
    consent_keys $keys;
    consent_policy $policy;
    consent_inventory_zone 1m;

    server {
        listen 127.0.0.1:%%PORT_8080%%;
        consent on;

        location /consent/ { consent_endpoint; }

        location /app/ {
            proxy_pass http://127.0.0.1:%%PORT_8081%%;
        }

        location = /inventory {
            consent off;
            consent_inventory;
            allow 127.0.0.1;
            deny all;
        }
    }
}
EOF

my $reject = 'consent=' . mint(secret => $secret, granted => 0x1);
my $all = 'consent=' . mint(secret => $secret, granted => 0xf);

# 4 clients at once, 25 requests each: 50 that reject, 50 that accept

my @pids;
for my $c (0 .. 3) {
    my $pid = fork() // die "fork: $!";
    if ($pid == 0) {
        for my $i (1 .. 25) {
            my $consent = ($c + $i) % 2 ? $reject : $all;
            $t->http(uri => "/app/$c/$i", host => 'www.example.test',
                headers => [Cookie => "_ga=1; js_only=2; $consent"]);
        }
        POSIX::_exit(0);
    }
    push @pids, $pid;
}
waitpid($_, 0) for @pids;

my $r = $t->http(uri => '/inventory');
is($r->{status}, 200, 'consent_inventory answers');
is($r->header('content-type'), 'application/json', 'as JSON');
is($r->header('cache-control'), 'no-store', 'not to be kept');
my $inv = eval { decode_json($r->{body}) };
ok($inv, 'the body is JSON') or diag($r->{body});
$inv //= {};

my %set = map { $_->{name} => $_ } @{ $inv->{cookies_set} || [] };
my %sent = map { $_->{name} => $_ } @{ $inv->{cookies_sent} || [] };

is($set{_ga}{count}, 100, '_ga set 100 times, counted exactly across workers');
is($set{_ga}{refused}, 50, '_ga set 50 times to visitors who refused analytics');
is($set{_ga}{category}, 'analytics', '_ga: analytics');
is($set{_ga}{max_age}, 63072000, '_ga: its Max-Age');
is_deeply($set{_ga}{attributes}, ['SameSite=Lax'], '_ga: its attributes');
is($set{_ga}{path}, '/', '_ga: its path');
is($set{_ga}{location}, '/app/', '_ga: the location');
is($set{_fbp}{domain}, 'example.test', '_fbp: its domain');
is($set{_fbp}{refused}, 50, '_fbp refused 50 times');
is_deeply($set{_fbp}{attributes}, ['Secure', 'SameSite=None'],
    '_fbp: Secure, SameSite=None');
is($set{sid}{count}, 100, 'sid set 100 times');
is($set{sid}{refused}, 0, 'sid: necessary, never refused');
ok($set{sid}{session}, 'sid: a session cookie');
is_deeply($set{sid}{attributes}, ['HttpOnly'], 'sid: HttpOnly');
is($set{prefs_x}{category}, undef, 'prefs_x: not declared');
is($set{prefs_x}{refused}, 0, 'prefs_x: passes by default');

is($sent{js_only}{count}, 100, 'js_only sent 100 times');
ok(!$sent{js_only}{set_by_response}, 'js_only: no response set it (a script)');
ok($sent{_ga}{set_by_response}, '_ga: set by a response too');
is($sent{consent}{count}, 100, 'the consent cookie sent 100 times');
is($inv->{evicted}, 0, 'nothing evicted');
is($set{_gid}{max_age}, 172800, '_gid: its Max-Age of 2 days');
is($inv->{entries}, 8, 'eight entries: five set, three sent');
is_deeply($inv->{third_party_hosts}, [], 'no page: no host');
unlike($r->{body}, qr/SECRETVALUE|GA1\.1/, 'no cookie value is kept');

$r = $t->http(uri => '/inventory', method => 'POST', body => 'x');
is($r->{status}, 405, 'POST: 405');

# the declaration table drawn from the policy and the inventory

{
    my $bin = ($ENV{CONSENT_BUILD} // "$FindBin::Bin/../build")
        . '/consent-audit';
    my $file = $t->write_file('inventory.json', $t->http(uri => '/inventory')
        ->{body});

    my $csv = `$bin cookies --policy $policy --inventory $file 2>&1`;
    is($? >> 8, 1, 'consent-audit cookies: exit 1, rows are flagged');
    like($csv, qr/^name,category,provider,purpose,lifetime,party,domain,set,/,
        'a CSV header');
    like($csv, qr/^_ga,Analytics,Google Analytics,.*,2 years,first,,100,50,100,63072000,set-while-refused\r$/m,
        '_ga: declared, set 100 times, 50 while refused, sent 100 times');
    like($csv, qr/^prefs_x,,,,,,,100,0,0,,undeclared\r$/m,
        'prefs_x: undeclared');
    like($csv, qr/^js_only,,,,,,,0,0,100,,undeclared set-by-script\r$/m,
        'js_only: undeclared, set by a script');
    like($csv, qr/^sid,Strictly necessary,,,,first,,100,0,0,,\r$/m,
        'sid: declared necessary, nothing flagged');
    like($csv, qr/^YSC,.*,third,youtube\.com,0,0,0,,\r$/m,
        'YouTube: third party');
    like($csv, qr/^_gid,Analytics,.*,24 hours,first,,100,50,0,172800,set-while-refused longer-than-declared\r$/m,
        '_gid: set for 2 days, declared max_age 24h: longer than declared');
    like($csv, qr/^_fbp,.*,90 days,.*,100,50,0,7776000,set-while-refused\r$/m,
        '_fbp: 90 days as declared');

    my $html = `$bin cookies --policy $policy --inventory $file --format html --lang es`;
    like($html, qr{<tr class="flagged"><td><code>_ga</code></td><td>Anal\S+tica</td>},
        'HTML: the flagged rows, in Spanish');
    like($html, qr{<td><code>_gid</code></td>.*<td>24 horas</td>.*longer-than-declared</td></tr>},
        'HTML in Spanish: longer than declared all the same');
    unlike($html, qr/<script/, 'HTML: no script');

    system("$bin cookies --inventory $file >/dev/null 2>&1");
    is($? >> 8, 2, 'without --policy: usage error');
}

# ---------------------------------------------------------------------------
# a small zone: the most recent entries stay, the zone does not grow

my $s = Consent::Test->new();
my $keys2 = $s->keyfile();
my $policy2 = $s->policy_file();

$s->backend(port => 8081, handler => sub {
    my ($req) = @_;
    my ($n) = $req->{uri} =~ m{/(\d+)$};
    return (200, ['Set-Cookie' => "c$n=1; Path=/",
        'Content-Type' => 'text/plain'], [['x', 0]]);
});

$s->config(<<"EOF")->run;
http {
    consent_keys $keys2;
    consent_policy $policy2;
    consent_inventory_zone 32k;

    server {
        listen 127.0.0.1:%%PORT_8080%%;
        consent on;

        location / {
            proxy_pass http://127.0.0.1:%%PORT_8081%%;
        }

        location = /inventory {
            consent_inventory;
        }
    }
}
EOF

my @sizes;
for my $n (1 .. 600) {
    $s->http(uri => "/p/$n");
    if ($n % 200 == 0) {
        my $i = eval { decode_json($s->http(uri => '/inventory')->{body}) };
        push @sizes, $i ? $i->{entries} : -1;
    }
}

my $small = eval { decode_json($s->http(uri => '/inventory')->{body}) } || {};
my %names = map { $_->{name} => 1 } @{ $small->{cookies_set} || [] };
cmp_ok($small->{entries}, '<', 600, "a 32k zone holds fewer than 600 "
    . "entries ($small->{entries})");
cmp_ok($small->{entries}, '>', 50, 'but a good many');
cmp_ok($small->{evicted}, '>', 0, "the least recently seen were evicted "
    . "($small->{evicted})");
ok($names{c600} && $names{c599}, 'the most recent entries are kept');
ok(!$names{c1}, 'the oldest is gone');
ok($sizes[1] == $sizes[2] && $sizes[1] == $small->{entries},
    "the zone stays full, not larger (@sizes)");

done_testing();

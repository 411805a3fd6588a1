#!/usr/bin/perl

# The third-party hosts of the inventory (docs/cookies.md, "Third-party
# hosts"): a page that references a known set of hosts, in every
# spelling the URL Standard resolves (relative, scheme-relative, after
# a <base>, upper case, an IDN, entities), yields exactly the third
# parties among them, host only, each counted once a page, exactly,
# under two workers and concurrent clients, whatever the visitor's
# consent; consent_cookie_domain makes the site's subdomains first
# parties; a page's hosts and the zone are bounded; consent-audit flags
# the hosts no rule classifies.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use JSON::PP;
use POSIX ();
use Time::HiRes ();
use Consent::Test;
use Consent::Token qw(mint secret_from_keyfile_line);

my $page = <<'HTML';
<!doctype html><html><head>
<script src="https://www.googletagmanager.com/gtag/js?id=G-1&amp;uid=VISITOR42"></script>
<script src="//CDN.Tracker.Example/t.js?visitor=VISITOR42"></script>
<link rel="stylesheet" href="https://fonts.example.net/css?family=A">
<link rel="canonical" href="https://canonical.example.net/">
</head><body>
<p>text</p>
<img src="/local.png">
<img src="https://www.example.test/a.png">
<img src="https://Example.TEST/b.png">
<img src="https://static.example.test/c.png">
<img src="https://cdn.other.test/d.png" srcset="https://cdn.other.test/d2.png 2x, https://srcset.example.net/e.png 3x">
<iframe src="https://www.youtube-nocookie.com/embed/x"></iframe>
<video poster="https://Poster.Example.NET/p.jpg"></video>
<div style="background: url('https://bg.example.net/i.png')">x</div>
<script src="https://b&#xfc;cher.example/x.js"></script>
<a href="https://link.example.net/" ping="https://ping.example.net/p">a</a>
<script data-consent="marketing" src="https://marked.example.net/m.js"></script>
<base href="https://base.example.org/sub/">
<img src="rel.png">
<img src="//CONNECT.facebook.net/tr?id=1">
</body></html>
HTML

# host => [categories, unclassified (1) or not, element]
my %expect = (
    'www.googletagmanager.com' => [['analytics'], 0, 'script'],
    'cdn.tracker.example'      => [[], 1, 'script'],
    'fonts.example.net'        => [[], 1, 'link'],
    'cdn.other.test'           => [[], 1, 'img'],
    'srcset.example.net'       => [[], 1, 'img'],
    'www.youtube-nocookie.com' => [['marketing'], 0, 'iframe'],
    'poster.example.net'       => [[], 1, 'video'],
    'bg.example.net'           => [[], 1, 'style'],
    'xn--bcher-kva.example'    => [[], 1, 'script'],
    'ping.example.net'         => [[], 1, 'a'],
    'marked.example.net'       => [['marketing'], 0, 'script'],
    'base.example.org'         => [[], 1, 'img'],
    'connect.facebook.net'     => [['marketing'], 0, 'img'],
);

# a host of another site, under consent_cookie_domain
my $site_page = <<'HTML';
<!doctype html><html><body>
<script src="https://cdn.example.test/app.js"></script>
<script src="https://shop.example.test/own.js"></script>
<img src="https://pixel.example.net/p.gif">
</body></html>
HTML

# more hosts than a page counts
my $many_page = '<!doctype html><html><body>'
    . join('', map { qq{<img src="https://h$_.many.example/x.png">} } 1 .. 40)
    . '</body></html>';

my $t = Consent::Test->new();
my $keys = $t->keyfile();
my $policy = $t->policy_file();
my $secret = secret_from_keyfile_line('k1 ' . $t->secret('k1'));

$t->backend(port => 8081, handler => sub {
    my ($req) = @_;
    my $body = $req->{uri} =~ m{^/site/} ? $site_page
             : $req->{uri} =~ m{^/many/} ? $many_page : $page;
    return (200, ['Content-Type' => 'text/html; charset=utf-8'],
        [[$body, 0]]);
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

        location /many/ {
            proxy_pass http://127.0.0.1:%%PORT_8081%%;
        }

        location /plain/ {
            consent off;
            proxy_pass http://127.0.0.1:%%PORT_8081%%;
        }

        location = /inventory {
            consent off;
            consent_inventory;
            allow 127.0.0.1;
            deny all;
        }
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;
        server_name shop.example.test;
        consent on;
        consent_cookie_domain example.test;

        location /consent/ { consent_endpoint; }

        location /site/ {
            proxy_pass http://127.0.0.1:%%PORT_8081%%;
        }
    }
}
EOF

my @consent = ('',
    'consent=' . mint(secret => $secret, granted => 0x1),
    'consent=' . mint(secret => $secret, granted => 0xf));

# the gating still works with the inventory on: a check that the page
# was read as the test means it

my $r = $t->http(uri => '/app/first', host => 'www.example.test');
is($r->{status}, 200, 'a page');
like($r->{body}, qr/data-consent-src="https:\/\/www\.youtube-nocookie/,
    'the embed is held back for a visitor without consent');
$r = $t->http(uri => '/app/first', host => 'www.example.test',
    headers => [Cookie => $consent[2]]);
like($r->{body}, qr/<iframe src="https:\/\/www\.youtube-nocookie/,
    'and passes for one who granted all');

# 4 clients at once, 25 pages each, in every consent state: 100 pages,
# plus the 2 above

my @pids;
for my $c (0 .. 3) {
    my $pid = fork() // die "fork: $!";
    if ($pid == 0) {
        for my $i (1 .. 25) {
            my $cookie = $consent[($c + $i) % 3];
            $t->http(uri => "/app/$c/$i", host => 'www.example.test',
                headers => [$cookie ? (Cookie => $cookie) : ()]);
        }
        POSIX::_exit(0);
    }
    push @pids, $pid;
}
waitpid($_, 0) for @pids;

# a page is counted when its request ends: wait for the last ones
my $inv = {};
for (1 .. 50) {
    $inv = eval { decode_json($t->http(uri => '/inventory')->{body}) } || {};
    my ($g) = grep { $_->{host} eq 'www.googletagmanager.com' }
        @{ $inv->{third_party_hosts} || [] };
    last if $g && $g->{count} >= 102;
    Time::HiRes::sleep(0.1);
}

my %hosts = map { $_->{host} => $_ } @{ $inv->{third_party_hosts} || [] };

is_deeply([sort keys %hosts], [sort keys %expect],
    'exactly the third-party hosts: no first party, no canonical link, '
    . 'no <a href>, no <base>')
    or diag(explain([sort keys %hosts]));

for my $h (sort keys %expect) {
    my ($cats, $unclassified, $el) = @{ $expect{$h} };
    my $e = $hosts{$h} || {};
    is($e->{count}, 102, "$h: on 102 pages, counted exactly across workers");
    is($e->{unclassified}, $unclassified ? 102 : 0,
        "$h: " . ($unclassified ? 'unclassified on every page'
                                : 'classified on every page'));
    is_deeply($e->{categories}, $cats, "$h: categories @$cats");
    is($e->{element}, $el, "$h: seen in <$el>");
    is($e->{location}, '/app/', "$h: the first location");
}

unlike(encode_json($inv), qr/VISITOR42|\?|gtag\/js|t\.js/,
    'no URL, path or query is kept');
is($inv->{host_pages_cut}, 0, 'no page cut');

# consent_cookie_domain: the site's other hosts are first parties

$r = $t->http(uri => '/site/1', host => 'shop.example.test');
is($r->{status}, 200, 'a page of shop.example.test');
# a page not filtered counts nothing
$t->http(uri => '/plain/1', host => 'www.example.test');

for (1 .. 20) {
    $inv = eval { decode_json($t->http(uri => '/inventory')->{body}) } || {};
    last if grep { $_->{host} eq 'pixel.example.net' }
        @{ $inv->{third_party_hosts} || [] };
    Time::HiRes::sleep(0.1);
}
%hosts = map { $_->{host} => $_ } @{ $inv->{third_party_hosts} || [] };

is($hosts{'pixel.example.net'}{count}, 1, 'a third party of the site');
is($hosts{'pixel.example.net'}{location}, '/site/', 'in its location');
ok(!$hosts{'cdn.example.test'}, 'a host under consent_cookie_domain is the '
    . "site's own");
is($hosts{'www.googletagmanager.com'}{count}, 102,
    'a location with consent off counts nothing');

# a page with more hosts than are counted

$t->http(uri => '/many/1', host => 'www.example.test');

for (1 .. 20) {
    $inv = eval { decode_json($t->http(uri => '/inventory')->{body}) } || {};
    last if $inv->{host_pages_cut};
    Time::HiRes::sleep(0.1);
}

my @many = grep { $_->{host} =~ /\.many\.example$/ }
    @{ $inv->{third_party_hosts} || [] };
is(scalar @many, 32, 'at most 32 hosts a page');
is_deeply([sort map { $_->{host} } @many],
    [sort map { "h$_.many.example" } 1 .. 32], 'the first 32 of the page');
is($inv->{host_pages_cut}, 1, 'the page is counted as cut');

# consent-audit flags the hosts no rule classifies

{
    my $bin = ($ENV{CONSENT_BUILD} // "$FindBin::Bin/../build")
        . '/consent-audit';
    my $file = $t->write_file('inventory.json', $t->http(uri => '/inventory')
        ->{body});

    my $csv = `$bin cookies --policy $policy --inventory $file --hosts 2>&1`;
    is($? >> 8, 1, 'consent-audit cookies --hosts: exit 1, hosts flagged');
    like($csv, qr/\Ahost,categories,pages,unclassified_pages,element,location,flags\r$/m,
        'a CSV header');
    like($csv, qr/^cdn\.tracker\.example,,102,102,script,\/app\/,undeclared-host\r$/m,
        'an unclassified host: flagged');
    like($csv, qr/^www\.googletagmanager\.com,Analytics,102,0,script,\/app\/,\r$/m,
        'a classified host: its category, not flagged');
    like($csv, qr/^connect\.facebook\.net,Marketing and embedded media,102,0,img,\/app\/,\r$/m,
        'upper case in the page, one host');
    my @flagged = $csv =~ /,undeclared-host\r$/mg;
    is(scalar @flagged, 9 + 1 + 32, 'every unclassified host, none other');

    my $plain = `$bin cookies --policy $policy --inventory $file 2>&1`;
    is($? >> 8, 1, 'the cookie table: exit 1 as well');
    like($plain, qr/42 undeclared third-party host\(s\): --hosts lists them/,
        'and says how many hosts are flagged');

    my $html = `$bin cookies --policy $policy --inventory $file --format html`;
    like($html, qr{<h2>Third-party hosts</h2>}, 'HTML: a hosts section');
    like($html, qr{<tr class="flagged"><td><code>bg\.example\.net</code></td>},
        'HTML: a flagged host');
    like($html, qr{<tr><td><code>www\.youtube-nocookie\.com</code></td><td>Marketing and embedded media</td>},
        'HTML: a classified host');
    like($html, qr{1 page\(s\) referenced more hosts than were counted},
        'HTML: the cut page');
    like($html, qr{</table>\n</body>\n</html>\n\z}, 'HTML: one whole page');
}

# ---------------------------------------------------------------------------
# a small zone: pages of ever new hosts; the zone does not grow

my $s = Consent::Test->new();
my $keys2 = $s->keyfile();
my $policy2 = $s->policy_file();

$s->backend(port => 8081, handler => sub {
    my ($req) = @_;
    my ($n) = $req->{uri} =~ m{/(\d+)$};
    return (200, ['Content-Type' => 'text/html'],
        [[qq{<img src="https://h$n.example.net/x.png">}, 0]]);
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
            consent off;
            consent_inventory;
        }
    }
}
EOF

my @sizes;
for my $n (1 .. 600) {
    $s->http(uri => "/p/$n", host => 'www.example.test');
    if ($n % 200 == 0) {
        my $i = eval { decode_json($s->http(uri => '/inventory')->{body}) };
        push @sizes, $i ? $i->{entries} : -1;
    }
}

my $small = eval { decode_json($s->http(uri => '/inventory')->{body}) } || {};
my %names = map { $_->{host} => 1 } @{ $small->{third_party_hosts} || [] };
cmp_ok($small->{entries}, '<', 600, 'a 32k zone holds fewer than 600 hosts '
    . "($small->{entries})");
cmp_ok($small->{entries}, '>', 50, 'but a good many');
cmp_ok($small->{evicted}, '>', 0, "the least recently seen were evicted "
    . "($small->{evicted})");
ok($names{'h599.example.net'}, 'the most recent hosts are kept');
ok(!$names{'h1.example.net'}, 'the oldest is gone');
ok($sizes[1] == $sizes[2] && $sizes[1] == $small->{entries},
    "the zone stays full, not larger (@sizes)");

done_testing();

#!/usr/bin/perl

# One choice across a site's domains (consent_domains, docs/domains.md):
# three server names on one 127.0.0.1 port, told apart by Host. A choice
# on a.example hands off to b.example and c.example, each of which sets
# its own cookie with the same consent id and categories and records it
# in its own audit log; then every refusal: replay, expiry, a token from
# the future, a domain not on the list (either side's), a tampered
# token, a token for another consent id, a forged one, no Referer from
# the origin, a subresource, another policy revision; nginx -t's checks.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use Digest::SHA qw(hmac_sha256);
use JSON::PP ();
use Consent::Test;
use Consent::Token qw(b64url secret_from_keyfile_line);

my $t = Consent::Test->new();
my $keys = $t->keyfile();
my $policy = $t->policy_file();
my $secret = secret_from_keyfile_line('k1 ' . $t->secret('k1'));
my $wrong = secret_from_keyfile_line('k1 ' . Consent::Test::random_secret(32));
my $dir = $t->testdir;

$t->write_file('site/index.html', <<'EOF');
<!DOCTYPE html>
<html><head><title>t</title></head><body><p>page</p></body></html>
EOF

sub server {
    my ($name, $extra) = @_;
    $extra //= '';
    return <<"EOF";
    server {
        listen 127.0.0.1:%%PORT_8080%%;
        server_name $name;
        consent_log %%TESTDIR%%/$name.log;
        $extra
        location /consent/ { consent_endpoint; }
        location / { consent on; root %%TESTDIR%%/site; }
    }
EOF
}

$t->config("worker_processes 2;\n" . <<"EOF");
http {
    consent_keys $keys;
    consent_policy $policy;
    consent_domains a.example b.example c.example;

@{[ server('a.example') ]}
@{[ server('b.example') ]}
@{[ server('c.example') ]}
@{[ server('d.example', 'consent_domains d.example b.example;') ]}
@{[ server('e.example', 'consent_domains off;') ]}
@{[ server('f.example',
    'consent_domains f.example b.example; consent_regime opt-out;') ]}
}
EOF

$t->run();

my $port = $t->port(8080);
my $json = JSON::PP->new;

sub origin { "http://$_[0]:$port" }

sub req {
    my ($host, %o) = @_;
    return $t->http(host => "$host:$port", %o);
}

# the hop a Location or "handoff" names: host and path+query
sub hop {
    my ($url) = @_;
    return $url =~ m{^http://([^/:]+):\Q$port\E(/.*)$} ? ($1, $2) : ();
}

sub follow {
    my ($url, %o) = @_;
    my ($host, $uri) = hop($url);
    return req($host, uri => $uri,
        headers => [Referer => $o{referer} // origin('a.example') . '/',
            @{ $o{headers} || [] }]);
}

sub cookie_fields {
    my ($v) = @_;
    return undef unless defined $v;
    my @f = split /\./, $v;
    return { issued => $f[2], revision => $f[3], granted => $f[4],
        id => $f[5] };
}

sub records {
    my ($name) = @_;
    my $log = $t->read_file("$name.log") // '';
    return grep { $_->{type} eq 'consent' }
        map { $json->decode($_) } grep { /\S/ } split /\n/, $log;
}

# a token made here, from docs/cookie-format.md, with the server's key
sub token {
    my (%a) = @_;
    my $key = Consent::Token::hkdf($a{secret} // $secret,
        'ngx_http_consent cookie v1', 32);
    my $fields = join '.', 'h1', $a{kid} // 'k1', $a{issued} // time(),
        $a{revision} // 1, sprintf('%x', $a{granted} // 0xf),
        b64url($a{id} // ("\x42" x 16)), b64url($a{nonce} // ("\x01" x 8)),
        b64url($a{domains} // 'a.example,b.example,c.example'),
        b64url($a{ret} // '/');
    my $mac = hmac_sha256("ngx_http_consent handoff v1\0$fields", $key);
    return "$fields." . b64url($mac);
}

sub hand {
    my ($host, $token, %o) = @_;
    return req($host, uri => "/consent/?handoff=$token",
        headers => [Referer => $o{referer} // origin('a.example') . '/',
            @{ $o{headers} || [] }]);
}

# --- a choice on a.example, by JSON

my $r = req('a.example', method => 'POST', uri => '/consent/',
    body => '{"action":"accept_all"}',
    headers => ['Content-Type' => 'application/json',
        Referer => origin('a.example') . '/news/today?x=1']);
is($r->{status}, 200, 'accept all on a.example');
my $state = $json->decode($r->{body});
my $a_cookie = cookie_fields(cookie_value($r, 'consent'));
ok($a_cookie, 'a.example sets its cookie');
like($state->{handoff},
    qr{^http://b\.example:\Q$port\E/consent/\?handoff=h1\.k1\.[^"]+$},
    'the answer names the first hop: b.example\'s endpoint');

my $first = $state->{handoff};
$r = follow($first);
is($r->{status}, 303, 'b.example accepts the hand-off');
my $b_cookie = cookie_fields(cookie_value($r, 'consent'));
ok($b_cookie, 'b.example sets its own cookie');
is($b_cookie->{id}, $a_cookie->{id}, '... with the same consent id');
is($b_cookie->{granted}, $a_cookie->{granted}, '... the same categories');
is($b_cookie->{issued}, $a_cookie->{issued}, '... the same issue time');
my $attrs = cookie_attrs($r, 'consent');
is($attrs->{samesite}, 'Lax', '... first-party: SameSite=Lax');
ok(!exists $attrs->{domain}, '... and no Domain');
my $second = $r->header('location');
my ($token) = $first =~ /handoff=(.*)$/;
is($second, origin('c.example') . "/consent/?handoff=$token",
    'on to c.example with the same token');
is($r->header('cache-control'), 'no-store', 'never cached');

$r = follow($second);
is($r->{status}, 303, 'c.example accepts it');
is(cookie_fields(cookie_value($r, 'consent'))->{id}, $a_cookie->{id},
    'c.example: the same consent id');
is($r->header('location'), origin('a.example') . '/news/today?x=1',
    'back to the page of the choice');

my @b = records('b.example');
is(scalar @b, 1, 'b.example\'s log has one record');
is($b[0]{id}, $state->{id}, '... under the origin\'s consent id');
is($b[0]{mechanism}, 'handoff', '... mechanism "handoff"');
is($b[0]{handoff}, 'a.example', '... from a.example');
is($b[0]{action}, 'grant', '... a grant');
is($b[0]{host}, 'b.example', '... on b.example');
is($b[0]{page}, '', '... no page: the origin\'s record has it');
is(join(',', @{ $b[0]{granted} }), join(',', @{ $state->{granted} }),
    '... the same categories');
my @c = records('c.example');
is(scalar @c, 1, 'c.example\'s log records it too');
is($c[0]{id}, $state->{id}, '... the same id');
my @a = records('a.example');
is(scalar @a, 1, 'a.example\'s log has the choice');
ok(!exists $a[0]{handoff}, '... a choice of its own: no "handoff" member');
is($a[0]{page}, '/news/today', '... with the page of the choice');

SKIP: {
    my $audit = "$Consent::Test::BUILD/consent-audit";
    skip 'consent-audit not built', 1 unless -x $audit;
    my $out = `$audit verify --keys $keys $dir/b.example.log 2>&1`;
    is($? >> 8, 0, 'consent-audit verify accepts the hand-off record')
        or diag($out);
}

# --- replay

$r = follow($first);
is($r->{status}, 409, 'the same token again on b.example: 409');
like($r->{body}, qr/already used/, '... already used');
is(cookie_value($r, 'consent'), undef, '... and no cookie');
is(scalar(records('b.example')), 1, '... nor a record');

$r = follow($first, headers => [Accept => 'text/html']);
is($r->{status}, 409, 'a browser gets 409 too');
like($r->{body}, qr{<meta http-equiv="refresh" content="0;url=http://c\.example:\Q$port\E/consent/\?handoff=},
    '... with a page that goes on to the next domain');

# the replay cache survives a reload
$t->reload();
$t->wait_for_log(qr/reconfiguring|signal process started|start worker/, 3);
select(undef, undef, undef, 0.5);
$r = follow($first);
is($r->{status}, 409, 'after nginx -s reload, still refused: 409');

# --- tokens made here with the key: every refusal

my $now = time();

$r = hand('b.example', token(issued => $now, nonce => 'fresh001'));
is($r->{status}, 303, 'a token made here with the key is accepted');

$r = hand('b.example', token(issued => $now - 61, nonce => 'expired1'));
is($r->{status}, 410, 'expired: 410');
like($r->{body}, qr/expired/, '... says so');

$r = hand('b.example', token(issued => $now - 55, nonce => 'nearend1'));
is($r->{status}, 303, 'still valid near the end of its 60 s');

$r = hand('b.example', token(issued => $now + 120, nonce => 'future01'));
is($r->{status}, 403, 'issued in the future: 403');
like($r->{body}, qr/future/, '... says so');

$r = hand('b.example', token(nonce => 'forged01', secret => $wrong));
is($r->{status}, 403, 'signed with another key: 403');
like($r->{body}, qr/signature does not verify/, '... says so');

$r = hand('b.example', token(nonce => 'otherkid', kid => 'k9'));
is($r->{status}, 403, 'an unknown key id: 403');

{
    my $good = token(nonce => 'tamper01');
    my @f = split /\./, $good;
    $f[5] = b64url("\x43" x 16);
    $r = hand('b.example', join('.', @f));
    is($r->{status}, 403, 'the token of another consent id (id changed): 403');

    @f = split /\./, $good;
    $f[4] = 'ff';
    $r = hand('b.example', join('.', @f));
    is($r->{status}, 403, 'categories changed: 403');

    @f = split /\./, $good;
    $f[7] = b64url('a.example,b.example,d.example');
    $r = hand('b.example', join('.', @f));
    is($r->{status}, 403, 'the list changed: 403');

    @f = split /\./, $good;
    $f[8] = b64url('/elsewhere');
    $r = hand('b.example', join('.', @f));
    is($r->{status}, 403, 'the return path changed: 403');

    $r = hand('b.example', substr($good, 0, -1));
    ok($r->{status} == 400 || $r->{status} == 403, 'cut short: refused');

    $r = hand('b.example', 'h1.k1.nonsense');
    is($r->{status}, 400, 'malformed: 400');
    $r = hand('b.example', '');
    is($r->{status}, 400, 'empty: 400');
}

$r = hand('c.example', token(nonce => 'notforc1',
    domains => 'a.example,b.example'));
is($r->{status}, 403, 'a token whose list leaves c.example out, at c: 403');
like($r->{body}, qr/not for this domain/, '... not for this domain');

$r = hand('a.example', token(nonce => 'toorigin'));
is($r->{status}, 403, 'at its own origin: 403');

$r = hand('b.example', token(nonce => 'zorigin1',
    domains => 'z.example,b.example', ret => '/'),
    referer => 'http://z.example/');
is($r->{status}, 403, 'from a domain not on b.example\'s list: 403');
like($r->{body}, qr/not in consent_domains/, '... says so');

$r = hand('b.example', token(nonce => 'fromd001',
    domains => 'd.example,b.example'), referer => origin('d.example') . '/');
is($r->{status}, 403, 'd.example lists b.example, b.example not d: 403');

$r = hand('e.example', token(nonce => 'toe00001',
    domains => 'a.example,e.example'));
is($r->{status}, 403, 'a server with consent_domains off: 403');
like($r->{body}, qr/no consent_domains/, '... says so');

$r = req('b.example', uri => '/consent/?handoff=' . token(nonce => 'noref001'));
is($r->{status}, 403, 'no Referer: 403');
like($r->{body}, qr/Referer/, '... says so');

$r = hand('b.example', token(nonce => 'evilref1'),
    referer => 'http://evil.example/page');
is($r->{status}, 403, 'a Referer from another site: 403');

$r = hand('b.example', token(nonce => 'userinf1'),
    referer => 'http://a.example@evil.example/');
is($r->{status}, 403, 'a Referer with user info: 403');

$r = hand('b.example', token(nonce => 'img00001'),
    headers => ['Sec-Fetch-Dest' => 'image']);
is($r->{status}, 403, 'a subresource (Sec-Fetch-Dest: image): 403');
like($r->{body}, qr/top-level navigation/, '... says so');

$r = hand('b.example', token(nonce => 'doc00001'),
    headers => ['Sec-Fetch-Dest' => 'document', 'Sec-Fetch-Mode' => 'navigate']);
is($r->{status}, 303, 'a navigation (Sec-Fetch-Dest: document): accepted');

$r = hand('b.example', token(nonce => 'rev00002', revision => 2));
is($r->{status}, 422, 'another policy revision: 422');
like($r->{body}, qr/revision 2/, '... says which');

like($t->error_log, qr/hand-off token refused: already used \(status 409, consent id \S+, host "b\.example"\)/,
    'refusals are in the error log with the status and consent id');

# --- the banner's script says its page (a page may send no Referer)

for my $case (['%2Fcaf%25C3%25A9%3Fq%3D1', '/caf%C3%A9?q=1', 'the page the script names'],
              ['%2F%2Fevil.example%2F', '/', 'not another host: "/"']) {
    my ($arg, $want, $what) = @$case;
    $r = req('a.example', method => 'POST', uri => "/consent/?return=$arg",
        body => '{"action":"reject_all"}',
        headers => ['Content-Type' => 'application/json']);
    $r = follow($json->decode($r->{body})->{handoff});
    $r = follow($r->header('location'));
    is($r->header('location'), origin('a.example') . $want,
        "JSON with ?return=: back to $what");
}

# --- JavaScript off: the form's 303 starts the chain

$r = req('a.example', method => 'POST', uri => '/consent/',
    body => 'action=reject_all&return=%2Farticle%3Fp%3D2',
    headers => ['Content-Type' => 'application/x-www-form-urlencoded']);
is($r->{status}, 303, 'form on a.example: 303');
like($r->header('location'),
    qr{^http://b\.example:\Q$port\E/consent/\?handoff=h1\.},
    '... to b.example\'s endpoint');
my $reject = cookie_fields(cookie_value($r, 'consent'));
$r = follow($r->header('location'));
is(cookie_fields(cookie_value($r, 'consent'))->{granted}, $reject->{granted},
    'b.example: the rejection');
$r = follow($r->header('location'));
is($r->header('location'), origin('a.example') . '/article?p=2',
    'c.example sends the visitor back to the form\'s return path');

# --- a withdrawal travels too

{
    my $b_value;
    $r = req('a.example', method => 'POST', uri => '/consent/',
        body => '{"action":"accept_all"}',
        headers => ['Content-Type' => 'application/json']);
    my $a_value = cookie_value($r, 'consent');
    $r = follow($json->decode($r->{body})->{handoff});
    $b_value = cookie_value($r, 'consent');

    $r = req('a.example', method => 'DELETE', uri => '/consent/',
        headers => [Cookie => "consent=$a_value"]);
    is($r->{status}, 200, 'withdrawal on a.example');
    my $h = $json->decode($r->{body})->{handoff};
    ok($h, '... hands off too');
    $r = follow($h, headers => [Cookie => "consent=$b_value"]);
    is($r->{status}, 303, 'b.example takes the withdrawal');
    my @rec = records('b.example');
    is($rec[-1]{action}, 'withdraw', '... recorded as a withdrawal there');
    is($rec[-1]{id}, cookie_fields($a_value)->{id}, '... the same id');
    is(scalar @{ $rec[-1]{granted} }, 1, '... only the required category');
}

# --- no hand-off where none is configured, or from a host off the list

$r = req('e.example', method => 'POST', uri => '/consent/',
    body => '{"action":"accept_all"}',
    headers => ['Content-Type' => 'application/json']);
ok(!exists $json->decode($r->{body})->{handoff},
    'consent_domains off: no hand-off');

$r = $t->http(method => 'POST', uri => '/consent/',
    body => '{"action":"accept_all"}',
    headers => ['Content-Type' => 'application/json']);
ok(!exists $json->decode($r->{body})->{handoff},
    'a host not on the list (127.0.0.1 on a.example\'s server): none');

# --- the banner lists the domains

$r = req('a.example', uri => '/');
like($r->{body},
    qr{<p class="consent-domains">This choice applies to: a\.example, b\.example, c\.example</p>},
    'the banner lists the domains the choice covers');
$r = req('a.example', uri => '/', headers => ['Accept-Language' => 'de']);
like($r->{body},
    qr{<p class="consent-domains">Diese Auswahl gilt für: a\.example, b\.example, c\.example</p>},
    'in the visitor\'s language');
$r = req('e.example', uri => '/');
unlike($r->{body}, qr/consent-domains/, 'and says nothing without them');

# --- nginx -t

for my $case (
    ['consent_domains a.example;', qr/needs at least two domains/],
    ['consent_domains a.example A.EXAMPLE;', qr/duplicate domain "A\.EXAMPLE"/],
    ['consent_domains a.example https://b.example;', qr/invalid host name "https:\/\/b\.example"/],
    ['consent_domains a.example b.example:8080;', qr/invalid host name/],
    ['consent_domains a.example 192.0.2.1;', qr/invalid host name/],
    ['consent_domains a.example b.example; consent_domains a.example c.example;', qr/is duplicate/],
) {
    my ($line, $re) = @$case;
    my ($rc, $out) = $t->test_config(<<"EOF");
http {
    consent_keys $keys;
    consent_policy $policy;
    server {
        listen 127.0.0.1:%%PORT_8099%%;
        $line
        location /consent/ { consent_endpoint; }
    }
}
EOF
    isnt($rc, 0, "nginx -t refuses: $line");
    like($out, qr/$re.* in \S+\.conf:\d+/, '... saying why, with file and line')
        or diag($out);
}

# a choice under another regime than opt-in stays where it was made: the
# token carries no regime, and b.example would read opt-out's defaults
# as opt-in grants

$r = req('f.example', method => 'POST', uri => '/consent/',
    body => '{"action":"accept_all"}',
    headers => ['Content-Type' => 'application/json',
        Referer => origin('f.example') . '/']);
is($r->{status}, 200, 'opt-out: a choice on f.example');
like(cookie_value($r, 'consent') // '', qr/^2\./,
    'opt-out: its cookie carries the regime');
ok(!exists $json->decode($r->{body})->{handoff},
    'opt-out: no hand-off to b.example');

done_testing();

#!/usr/bin/perl

# The consent endpoint: state as JSON and as a page, choices by JSON and
# by form, withdrawal, the cookie it sets, and every refusal.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use Consent::Test;

my $t = Consent::Test->new();
my $keys = $t->keyfile();
my $policy = $t->policy_file();

$t->config(<<"EOF");
http {
    consent_keys $keys;
    consent_policy $policy;

    server {
        listen 127.0.0.1:%%PORT_8080%%;
        server_name localhost;

        location /consent/ { consent_endpoint; }
    }

    server {
        listen 127.0.0.1:%%PORT_8081%%;
        server_name localhost;

        consent_cookie_name site_consent;
        consent_cookie_secure on;
        consent_cookie_domain example.com;

        location /prefs/ { consent_endpoint; }
    }
}
EOF

$t->run();

my $port = $t->port(8080);
my $origin = "http://127.0.0.1:$port";

sub post_json {
    my ($body, @h) = @_;
    return $t->http(method => 'POST', uri => '/consent/', body => $body,
        headers => ['Content-Type' => 'application/json', @h]);
}

sub post_form {
    my ($body, @h) = @_;
    return $t->http(method => 'POST', uri => '/consent/', body => $body,
        headers => ['Content-Type' => 'application/x-www-form-urlencoded',
            @h]);
}

sub json_field {
    my ($r, $field) = @_;
    return $1 if $r->{body} =~ /"$field":"([^"]*)"/;
    return $1 if $r->{body} =~ /"$field":(\[[^\]]*\]|null|\d+)/;
    return undef;
}

# no cookie yet

my $r = $t->http(method => 'GET', uri => '/consent/');
is($r->{status}, 200, 'GET state');
like($r->header('content-type'), qr{^application/json}, 'state is JSON');
is($r->header('cache-control'), 'no-store', 'state is not cached');
is(json_field($r, 'state'), 'absent', 'no cookie: absent');
is(json_field($r, 'id'), 'null', 'no cookie: no id');
is(json_field($r, 'granted'), '["necessary"]', 'only required granted');
is(json_field($r, 'denied'), '["preferences","analytics","marketing"]',
    'the rest denied');
like(json_field($r, 'policy_sha256'), qr/^[0-9a-f]{64}$/, 'policy hash');
is($r->header('set-cookie'), undef, 'GET sets no cookie');

$r = $t->http(method => 'HEAD', uri => '/consent/');
is($r->{status}, 200, 'HEAD');
is($r->{body}, '', 'HEAD has no body');

# JSON choices

$r = post_json('{"action":"accept_all"}', Origin => $origin);
is($r->{status}, 200, 'accept_all');
is(json_field($r, 'state'), 'valid', 'accept_all: valid');
is(json_field($r, 'granted'),
    '["necessary","preferences","analytics","marketing"]',
    'accept_all grants everything');
is(json_field($r, 'denied'), '[]', 'accept_all denies nothing');

my $cookie = cookie_value($r, 'consent');
like($cookie, qr/^1\.k1\.\d+\.1\.f\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/,
    'cookie format v1');
ok(length($cookie) < 200, 'cookie under 200 bytes');

my $attrs = cookie_attrs($r, 'consent');
is($attrs->{path}, '/', 'Path=/');
is($attrs->{'max-age'}, 182 * 86400, 'Max-Age from the policy');
is(lc $attrs->{samesite}, 'lax', 'SameSite=Lax');
ok($attrs->{httponly}, 'HttpOnly');
ok(!$attrs->{secure}, 'no Secure on plain http (auto)');
ok(!exists $attrs->{domain}, 'no Domain by default');

my $id = json_field($r, 'id');
like($id, qr/^[A-Za-z0-9_-]{22}$/, 'consent id');

$r = $t->http(method => 'GET', uri => '/consent/',
    headers => [Cookie => "consent=$cookie"]);
is(json_field($r, 'state'), 'valid', 'cookie read back: valid');
is(json_field($r, 'id'), $id, 'same id read back');
like(json_field($r, 'issued'), qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
    'issued as RFC 3339');

# an update keeps the consent id

$r = post_json('{"action":"save","granted":["analytics"]}',
    Cookie => "consent=$cookie");
is($r->{status}, 200, 'save');
is(json_field($r, 'granted'), '["necessary","analytics"]',
    'save grants what was named and the required');
is(json_field($r, 'id'), $id, 'an update keeps the id');
my $cookie2 = cookie_value($r, 'consent');
like($cookie2, qr/^1\.k1\.\d+\.1\.5\./, 'mask 5: necessary + analytics');

$r = post_json('{"granted":["preferences"]}');
is($r->{status}, 200, 'granted without action is a save');
is(json_field($r, 'granted'), '["necessary","preferences"]', 'saved');
isnt(json_field($r, 'id'), $id, 'no cookie: a new id');

$r = post_json('{"action":"reject_all","granted":["marketing"]}');
is(json_field($r, 'granted'), '["necessary"]',
    'reject_all ignores granted and keeps only the required');

# withdrawal, both ways

$r = $t->http(method => 'DELETE', uri => '/consent/',
    headers => [Cookie => "consent=$cookie"]);
is($r->{status}, 200, 'DELETE withdraws');
is(json_field($r, 'granted'), '["necessary"]', 'withdrawn to required');
is(json_field($r, 'id'), $id, 'withdrawal keeps the id');

$r = post_json('{"action":"withdraw"}', Cookie => "consent=$cookie");
is(json_field($r, 'granted'), '["necessary"]', 'action withdraw');

# a tampered cookie starts a new consent

(my $bad = $cookie) =~ s/\.1\.f\./.1.7./;
$r = post_json('{"action":"accept_all"}', Cookie => "consent=$bad");
isnt(json_field($r, 'id'), $id, 'tampered cookie: new id');

$r = $t->http(method => 'GET', uri => '/consent/',
    headers => [Cookie => "consent=$bad"]);
is(json_field($r, 'state'), 'invalid', 'tampered cookie: invalid');
is(json_field($r, 'granted'), '["necessary"]', 'tampered grants nothing');

# forms (JavaScript off)

$r = post_form('action=save&granted=analytics&granted=marketing'
    . '&return=%2Fnews%2Fstory%3Fp%3D2');
is($r->{status}, 303, 'form: 303');
like($r->header('location'), qr{^(http://[^/]+)?/news/story\?p=2$},
    'form: back to the page');
like(cookie_value($r, 'consent'), qr/^1\.k1\.\d+\.1\.d\./,
    'form: necessary + analytics + marketing');

for my $evil ('//evil.example', '/\\evil.example', 'https://evil.example',
    '%2F%2Fevil.example', '%2F%5Cevil.example', 'evil.example',
    '/%0d%0aSet-Cookie:%20x=1', '/%09/evil.example', '', '%2F%2F%2Fevil')
{
    $r = post_form("action=reject_all&return=$evil");
    is($r->{status}, 303, "return '$evil': still recorded");
    like($r->header('location'), qr{^(http://[^/]+)?/$},
        "return '$evil': goes to /");
    is(scalar(grep { /^x=1/ } $r->headers('set-cookie')), 0,
        "return '$evil': no injected header");
}

$r = post_form('action=accept_all');
like($r->header('location'), qr{^(http://[^/]+)?/$}, 'no return: /');

# refusals change nothing

my @refused = (
    [403, 'cross-site Origin', sub {
        post_json('{"action":"accept_all"}', Origin => 'http://evil.example') }],
    [403, 'Origin null', sub {
        post_json('{"action":"accept_all"}', Origin => 'null') }],
    [403, 'Sec-Fetch-Site cross-site', sub {
        post_json('{"action":"accept_all"}',
            'Sec-Fetch-Site' => 'cross-site') }],
    [403, 'cross-site form', sub {
        post_form('action=accept_all', Origin => 'https://evil.example') }],
    [403, 'cross-site DELETE', sub {
        $t->http(method => 'DELETE', uri => '/consent/',
            headers => [Origin => 'http://evil.example']) }],
    [403, 'other port is another origin', sub {
        post_json('{"action":"accept_all"}',
            Origin => 'http://127.0.0.1:1') }],
    [413, 'body over 4 KiB', sub {
        post_json('{"action":"accept_all","granted":['
            . ('"analytics",' x 400) . '"analytics"]}') }],
    [413, 'chunked body over 4 KiB', sub {
        my $chunk = 'a' x 4097;
        $t->http(method => 'POST', uri => '/consent/',
            headers => ['Content-Type' => 'application/json',
                'Transfer-Encoding' => 'chunked'],
            body => sprintf("%x\r\n%s\r\n0\r\n\r\n", length $chunk,
                $chunk)) }],
    [400, 'malformed JSON', sub { post_json('{"action":') }],
    [400, 'not an object', sub { post_json('["accept_all"]') }],
    [400, 'unknown action', sub { post_json('{"action":"accept_some"}') }],
    [400, 'unknown category', sub {
        post_json('{"action":"save","granted":["stats"]}') }],
    [400, 'unknown field', sub {
        post_json('{"action":"save","extra":1}') }],
    [400, 'duplicate key', sub {
        post_json('{"action":"save","action":"accept_all"}') }],
    [400, 'granted not a list', sub {
        post_json('{"action":"save","granted":"analytics"}') }],
    [400, 'empty body', sub { post_json('') }],
    [400, 'form: unknown action', sub { post_form('action=yes') }],
    [400, 'form: unknown category', sub {
        post_form('action=save&granted=stats') }],
    [400, 'form: duplicate action', sub {
        post_form('action=save&action=accept_all') }],
    [400, 'form: bad escape', sub { post_form('action=save%zz') }],
    [400, 'form: NUL byte', sub { post_form('action=save%00') }],
    [400, 'form: missing action', sub { post_form('granted=analytics') }],
    [415, 'wrong content type', sub {
        $t->http(method => 'POST', uri => '/consent/',
            headers => ['Content-Type' => 'text/plain'],
            body => 'action=accept_all') }],
    [415, 'no content type', sub {
        $t->http(method => 'POST', uri => '/consent/',
            body => '{"action":"accept_all"}') }],
    [405, 'PUT', sub {
        $t->http(method => 'PUT', uri => '/consent/', body => '{}') }],
    [405, 'PATCH', sub {
        $t->http(method => 'PATCH', uri => '/consent/', body => '{}') }],
    [404, 'unknown path under the endpoint', sub {
        $t->http(method => 'GET', uri => '/consent/nothing') }],
);

for my $case (@refused) {
    my ($status, $what, $do) = @$case;
    my $res = $do->();
    is($res->{status}, $status, "$what: $status");
    is(scalar(() = $res->headers('set-cookie')), 0, "$what: no cookie");
    like($res->{body}, qr/^\{"error":".+","status":$status\}$/,
        "$what: JSON error");
}

$r = post_json('{"action":"save","granted":["stats"]}');
like($r->{body}, qr/unknown category \\"stats\\"/, '400 names the category');

$r = $t->http(method => 'PUT', uri => '/consent/', body => '{}');
is($r->header('allow'), 'GET, HEAD, POST, DELETE', '405 says what is allowed');

$r = post_json('{"action":"accept_all"}', Origin => $origin,
    'Sec-Fetch-Site' => 'same-origin');
is($r->{status}, 200, 'same origin allowed');

$r = post_json('{"action":"accept_all"}', Origin => $origin,
    'Sec-Fetch-Site' => 'same-site');
is($r->{status}, 200, 'same-site with our Origin allowed');

# the preferences page

$r = $t->http(method => 'GET', uri => '/consent/',
    headers => [Accept => 'text/html,application/xhtml+xml,*/*;q=0.8',
        Referer => "$origin/news/story?x=1"]);
is($r->{status}, 200, 'page');
like($r->header('content-type'), qr{^text/html}, 'page is HTML');
like($r->{body}, qr/<html lang="en">/, 'page in English by default');
like($r->{body}, qr/<form method="post" action="\/consent\/">/,
    'a plain form to the endpoint');
for my $action (qw(accept_all reject_all save)) {
    like($r->{body}, qr/<button type="submit" name="action" value="$action">/,
        "button $action");
}
unlike($r->{body}, qr/value="withdraw"/, 'nothing to withdraw yet');
like($r->{body}, qr/name="granted" value="necessary" checked disabled/,
    'required category always on');
unlike($r->{body}, qr/value="analytics" checked/, 'nothing pre-ticked');
like($r->{body}, qr/name="return" value="\/news\/story\?x=1"/,
    'returns to the referring page');
like($r->header('content-security-policy'), qr/frame-ancestors 'self'/,
    'page cannot be framed by another site');

$r = $t->http(method => 'GET', uri => '/consent/',
    headers => [Accept => 'text/html', 'Accept-Language' => 'es-MX,es;q=0.9',
        Cookie => "consent=$cookie2", Referer => 'http://evil.example/x']);
like($r->{body}, qr/<html lang="es">/, 'page in Spanish');
is($r->header('content-language'), 'es', 'Content-Language');
like($r->{body}, qr/value="analytics" checked>/, 'current choice shown');
unlike($r->{body}, qr/value="marketing" checked/, 'denied shown unticked');
like($r->{body}, qr/value="withdraw"/, 'withdraw offered');
like($r->{body}, qr/name="return" value="\/"/, 'foreign referer: /');

# cookie settings of the second server

$r = $t->http(method => 'POST', uri => '/prefs/', port => 8081,
    headers => ['Content-Type' => 'application/json'],
    body => '{"action":"reject_all"}');
is($r->{status}, 200, 'second endpoint');
ok(defined cookie_value($r, 'site_consent'), 'consent_cookie_name');
$attrs = cookie_attrs($r, 'site_consent');
ok($attrs->{secure}, 'consent_cookie_secure on');
is($attrs->{domain}, 'example.com', 'consent_cookie_domain');

$r = $t->http(method => 'GET', uri => '/prefs/', port => 8081,
    headers => [Cookie => 'consent=' . $cookie]);
is(json_field($r, 'state'), 'absent', 'another cookie name is not ours');

# keep-alive survives every kind of answer

my @rs = $t->http_keepalive(requests => [
    { method => 'GET', uri => '/consent/' },
    { method => 'POST', uri => '/consent/', body => '{"action":"x"}',
      headers => ['Content-Type' => 'application/json'] },
    { method => 'POST', uri => '/consent/', body => '{"action":"save"}',
      headers => ['Content-Type' => 'application/json'] },
]);
is_deeply([map { $_->{status} } @rs], [200, 400, 200],
    'three answers on one connection');

done_testing();

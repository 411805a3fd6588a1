#!/usr/bin/perl

# The bad-input battery: hostile and malformed requests to the consent
# endpoint, to filtered pages and to a consent_require location, each
# with the exact status it must get.  Cookies (malformed, duplicated,
# oversized, NUL and non-UTF-8 bytes, many Cookie headers), bodies
# (truncated, huge, deeply nested, wrong types and charsets), forms
# (duplicate keys, bad escapes, unknown actions), header injection and
# open redirects through "return", Origin and Sec-Fetch-Site
# combinations, every method.  Throughout: the worker never dies (same
# pid at the end, no "exited on signal"), and the audit log grows by one
# record for each accepted decision and by nothing for a refused one;
# at the end consent-audit verifies it.

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

my $page = <<'HTML';
<!DOCTYPE html>
<html><head><title>t</title>
<script async src="https://www.googletagmanager.com/gtag/js?id=G-1"></script>
</head><body><p>text</p>
<iframe src="https://www.youtube.com/embed/abc"></iframe>
</body></html>
HTML

$t->write_file('html/index.html', $page);
$t->write_file('html/collect', "hit\n");

$t->config(<<"EOF");
http {
    include /etc/nginx/mime.types;

    consent_keys $keys;
    consent_policy $policy;
    consent_log %%TESTDIR%%/consent.log;

    server {
        listen 127.0.0.1:%%PORT_8080%%;
        server_name localhost;
        root %%TESTDIR%%/html;

        # refused bodies that never come: do not wait long for them
        lingering_timeout 100ms;

        consent on;

        location /consent/ { consent_endpoint; }

        location = /collect {
            default_type text/plain;
            consent_require analytics;
        }
    }
}
EOF

$t->run();

my $port = $t->port(8080);
my $self = "http://127.0.0.1:$port";
my $LOG = $t->path('consent.log');

my $secret = secret_from_keyfile_line("k1 " . $t->secret('k1'));
my $now = time;

my %c = (
    valid    => mint(secret => $secret, granted => 0xf, issued => $now - 10),
    reject   => mint(secret => $secret, granted => 0x1, issued => $now - 10),
    expired  => mint(secret => $secret, granted => 0xf,
        issued => $now - 183 * 86400),
    outdated => mint(secret => $secret, granted => 0xf, revision => 2,
        issued => $now - 10),
    future   => mint(secret => $secret, granted => 0xf, issued => $now + 3600),
    otherkey => mint(secret => 'x' x 32, granted => 0xf),
    unknownkid => mint(secret => $secret, kid => 'k9', granted => 0xf),
    othername => mint(secret => $secret, name => 'other', granted => 0xf),
);

# the worker process of this nginx, to see that it never changes

sub worker_pids {
    my $master = $t->pid;
    my @w;
    for my $stat (glob '/proc/[0-9]*/stat') {
        open my $fh, '<', $stat or next;
        my $s = <$fh> // '';
        close $fh;
        push @w, $1 if $s =~ /^(\d+) \(.*\) \S (\d+) / && $2 == $master;
    }
    return sort @w;
}

# the decisions in the log (not the lines that store the policy)
sub log_lines {
    open my $fh, '<', $LOG or return 0;
    my $n = 0;
    while (<$fh>) {
        $n++ unless /^\{"v":1,"type":"policy"/;
    }
    close $fh;
    return $n;
}

my @workers;
for (1 .. 300) {
    @workers = worker_pids() and last;
    select undef, undef, undef, 0.01;
}

# master_process off (make test-valgrind): nginx serves in one process
my $single = !@workers && $ENV{CONSENT_VALGRIND};
@workers = ($t->pid) if $single;

sub workers_now { $single ? ($t->pid) : worker_pids() }
ok(@workers >= 1, 'a worker process: ' . join(',', @workers));

my $requests = 0;
my $expected_records = 0;

# one case: what to send, the status it must get, and whether it records
# a decision (an accepted POST or DELETE); then an optional check

sub case {
    my ($what, $status, $req, $check) = @_;
    my $before = log_lines();
    my $r = $t->http(%$req);
    $requests++;

    is($r->{status}, $status, "$what: $status")
        or diag($r->{error} // '', "\n", substr($r->{raw} // '', 0, 600));

    my ($m, $uri) = (uc($req->{method} // 'GET'), $req->{uri} // '/');
    ($m, $uri) = ($1, $2)
        if defined $req->{raw} && $req->{raw} =~ m{^(\S+) (?:http://[^/]*)?(\S*)};
    my $decides = ($m eq 'POST' || $m eq 'DELETE')
        && ($r->{status} == 200 || $r->{status} == 303)
        && $uri =~ m{^/consent/(?:\?|$)};
    $expected_records++ if $decides;

    my $after = log_lines();
    is($after - $before, $decides ? 1 : 0,
        "$what: " . ($decides ? 'one record' : 'no record'));

    if ($r->{status} >= 400 && $uri =~ m{^/consent/}
        && $m ne 'HEAD' && $r->{status} != 414)
    {
        is(scalar(() = $r->headers('set-cookie')), 0, "$what: no cookie");
    }

    $check->($r) if $check;
    return $r;
}

sub json_state {
    my ($r) = @_;
    return $r->{body} =~ /"state":"(\w+)"/ ? $1 : '';
}

sub get_state {
    my ($what, $cookie_headers, $state, %o) = @_;
    case("cookie: $what", $o{status} // 200, { method => 'GET',
            uri => '/consent/',
            headers => [ map { (Cookie => $_) } @$cookie_headers ] },
        defined $state ? sub {
            is(json_state($_[0]), $state, "cookie: $what: $state");
        } : undef);
}

sub post_json {
    my ($body, @h) = @_;
    return { method => 'POST', uri => '/consent/', body => $body,
        headers => ['Content-Type' => 'application/json', @h] };
}

sub post_form {
    my ($body, @h) = @_;
    return { method => 'POST', uri => '/consent/', body => $body,
        headers => ['Content-Type' => 'application/x-www-form-urlencoded',
            @h] };
}

sub json_error {
    my ($status) = @_;
    return sub {
        like($_[0]{body}, qr/^\{"error":".+","status":$status\}$/,
            'a JSON error body');
    };
}

# ---------------------------------------------------------------------------
# cookies, read by GET

get_state('none', [], 'absent');
get_state('valid', ["consent=$c{valid}"], 'valid');
get_state('empty value', ['consent='], 'invalid');
get_state('garbage', ['consent=garbage'], 'invalid');
get_state('quoted', [qq{consent="$c{valid}"}], 'invalid');
get_state('truncated', ['consent=' . substr($c{valid}, 0, -1)], 'invalid');
get_state('one byte more', ["consent=$c{valid}A"], 'invalid');
get_state('trailing dot', ["consent=$c{valid}."], 'invalid');
get_state('MAC of another value', ['consent='
    . ($c{valid} =~ s/\.f\./.7./r)], 'invalid');
get_state('another key', ["consent=$c{otherkey}"], 'invalid');
get_state('unknown kid', ["consent=$c{unknownkid}"], 'invalid');
get_state('signed for another name', ["consent=$c{othername}"], 'invalid');
get_state('issued in the future', ["consent=$c{future}"], 'invalid');
get_state('expired', ["consent=$c{expired}"], 'expired');
get_state('outdated', ["consent=$c{outdated}"], 'outdated');
get_state('upper-case hex', ['consent=' . ($c{valid} =~ s/\.f\./.F./r)],
    'invalid');
get_state('version 2', ['consent=' . ($c{valid} =~ s/^1\./2./r)],
    'invalid');
get_state('200 bytes', ['consent=' . ('1.k1.' x 40)], 'invalid');
get_state('4 KB', ['consent=' . ('A' x 4000)], 'invalid');
get_state('non-UTF-8', ["consent=\xff\xfe\x80$c{valid}"], 'invalid');
get_state('UTF-8 letters', ["consent=\xc3\xa9\xc3\xa9"], 'invalid');
get_state('padded base64', ["consent=$c{valid}="], 'invalid');
get_state('percent-encoded', ['consent=' . ($c{valid} =~ s/\./%2E/gr)],
    'invalid');
get_state('name in upper case', ["CONSENT=$c{valid}"], 'absent');
get_state('prefixed name', ["xconsent=$c{valid}"], 'absent');
get_state('suffixed name', ["consent2=$c{valid}"], 'absent');
get_state('bare name', ['consent'], 'absent');
get_state('only separators', [';;; ;'], 'absent');
get_state('other cookies only', ['a=1; b=2; c=3'], 'absent');
get_state('bad then valid', ["consent=bad; consent=$c{valid}"], 'valid');
get_state('valid then bad', ["consent=$c{valid}; consent=bad"], 'valid');
get_state('expired then valid', ["consent=$c{expired}; consent=$c{valid}"],
    'valid');
get_state('outdated and expired', ["consent=$c{expired}",
    "consent=$c{outdated}"], 'outdated');
get_state('invalid and expired', ["consent=x", "consent=$c{expired}"],
    'expired');
get_state('valid in the 50th Cookie header',
    [ (map { "a$_=$_" } 1 .. 49), "consent=$c{valid}" ], 'valid');
get_state('100 Cookie headers, none ours', [ map { "a$_=$_" } 1 .. 100 ],
    'absent');
get_state('1000 cookies in one header',
    [ join '; ', map { "c$_=1" } 1 .. 1000 ], 'absent');
get_state('1000 bad consent cookies, then a valid one',
    [ join('; ', ('consent=x') x 700), "consent=$c{valid}" ], 'valid');
get_state('tab before the value', ["consent=\t$c{valid}"], 'valid');
get_state('no space after ;', ["a=b;consent=$c{valid}"], 'valid');
get_state('spaces around the name', ["a=b;  consent=$c{valid}"], 'valid');
get_state('other cookie with = in its value', ["x=consent=$c{valid}"],
    'absent');
get_state('a cookie header over 8 KB', ['consent=' . ('A' x 9000)],
    undef, status => 400);
get_state('many headers over the buffers',
    [ map { "a$_=" . ('b' x 4000) } 1 .. 10 ], undef, status => 400);

# a NUL byte in a Cookie header: nginx refuses the header line
case('cookie: NUL byte', 400, { raw => "GET /consent/ HTTP/1.1\r\n"
    . "Host: 127.0.0.1:$port\r\nCookie: consent=a\0b\r\n"
    . "Connection: close\r\n\r\n" });
case('cookie: CR inside', 400, { raw => "GET /consent/ HTTP/1.1\r\n"
    . "Host: 127.0.0.1:$port\r\nCookie: consent=a\rb\r\n"
    . "Connection: close\r\n\r\n" });

# a decision never keeps the id of a cookie that did not verify
for my $bad (qw(otherkey unknownkid othername future)) {
    case("POST with a $bad cookie: a new id", 200,
        post_json('{"action":"accept_all"}', Cookie => "consent=$c{$bad}"),
        sub {
            my ($id) = $_[0]{body} =~ /"id":"([^"]+)"/;
            my ($old) = $c{$bad} =~ /^(?:[^.]*\.){5}([^.]+)\./;
            isnt($id // '', $old, "$bad: id not taken over");
        });
}

# pages and the collector with the same cookies: never more than granted

for my $who (qw(otherkey unknownkid othername future expired outdated
    reject))
{
    case("page with a $who cookie: gated", 200,
        { uri => '/index.html', headers => [Cookie => "consent=$c{$who}"] },
        sub {
            like($_[0]{body}, qr/<script type="text\/plain" data-consent=/,
                "$who: tracker gated");
        });
    case("collector with a $who cookie", 403,
        { uri => '/collect', headers => [Cookie => "consent=$c{$who}"] });
}

case('page with a valid cookie: not gated', 200,
    { uri => '/index.html', headers => [Cookie => "consent=$c{valid}"] },
    sub {
        unlike($_[0]{body}, qr/type="text\/plain"/, 'nothing gated');
    });
case('collector with a valid cookie', 200,
    { uri => '/collect', headers => [Cookie => "consent=$c{valid}"] });
case('collector with a valid and a forged cookie', 200,
    { uri => '/collect', headers => [Cookie => "consent=x; consent=$c{valid}"] });
case('collector with garbage', 403,
    { uri => '/collect', headers => [Cookie => "consent=\xff\xfe"] });
# a range of a filtered page would be the page unfiltered: none is served
for my $range ('bytes=0-', 'bytes=40-200', 'bytes=-100', 'bytes=0-0,5-9') {
    case("page with Range: $range", 200,
        { uri => '/index.html', headers => [Range => $range] },
        sub {
            like($_[0]{body}, qr/data-consent="analytics"/,
                "Range $range: the whole page, gated");
            ok(!$_[0]->has_header('content-range'), "Range $range: no range");
        });
}

case('page with 100 bad cookies', 200,
    { uri => '/index.html', headers => [ map { (Cookie => "consent=x$_") }
        1 .. 100 ] },
    sub { like($_[0]{body}, qr/data-consent="analytics"/, 'gated') });

# ---------------------------------------------------------------------------
# JSON bodies

my $e400 = json_error(400);

my @json400 = (
    ['truncated object', '{"action":"accept_all"'],
    ['truncated string', '{"action":"acc'],
    ['only a brace', '{'],
    ['trailing comma', '{"action":"save",}'],
    ['single quotes', "{'action':'save'}"],
    ['comment', '{"action":"save"/* x */}'],
    ['two objects', '{"action":"save"}{"action":"save"}'],
    ['trailing garbage', '{"action":"save"} x'],
    ['a NUL after the object', qq{{"action":"save"}\0}],
    ['a NUL inside', qq{{"action":"sa\0ve"}}],
    ['escaped NUL in action', '{"action":"save\u0000"}'],
    ['escaped NUL in a category', '{"granted":["analytics\u0000"]}'],
    ['lone surrogate', '{"action":"\ud800"}'],
    ['invalid UTF-8', qq{{"action":"\xff\xfe"}}],
    ['overlong UTF-8', qq{{"action":"\xc0\xaf"}}],
    ['UTF-16 body', "\xff\xfe{\0\"\0a\0\"\0:\0\"\0s\0\"\0}\0"],
    ['BOM', qq{\xef\xbb\xbf{"action":"save"}}],
    ['null', 'null'],
    ['true', 'true'],
    ['a number', '42'],
    ['a string', '"accept_all"'],
    ['an array', '["accept_all"]'],
    ['nested arrays', '[' x 1000 . ']' x 1000],
    ['nested objects', '{"a":' x 600 . '1' . '}' x 600],
    ['deep granted', '{"granted":' . '[' x 1000 . ']' x 1000 . '}'],
    ['action a number', '{"action":1}'],
    ['action null', '{"action":null}'],
    ['action an array', '{"action":["save"]}'],
    ['action a huge number', '{"action":1e999}'],
    ['unknown action', '{"action":"accept_some"}'],
    ['action in upper case', '{"action":"ACCEPT_ALL"}'],
    ['action with a space', '{"action":"save "}'],
    ['empty action', '{"action":""}'],
    ['granted a string', '{"granted":"analytics"}'],
    ['granted an object', '{"granted":{"analytics":true}}'],
    ['granted numbers', '{"granted":[1,2]}'],
    ['granted nested', '{"granted":[["analytics"]]}'],
    ['granted null', '{"granted":null}'],
    ['unknown category', '{"granted":["stats"]}'],
    ['empty category', '{"granted":[""]}'],
    ['category in upper case', '{"granted":["ANALYTICS"]}'],
    ['long unknown category', '{"granted":["' . ('x' x 3000) . '"]}'],
    ['non-UTF-8 category', qq{{"granted":["\xe9t\xe9"]}}],
    ['unknown field', '{"action":"save","return":"/"}'],
    ['duplicate action', '{"action":"save","action":"accept_all"}'],
    ['duplicate granted', '{"granted":[],"granted":["analytics"]}'],
    ['empty object', '{}'],
    ['whitespace only', "  \n\t "],
);

for my $c (@json400) {
    case("JSON: $c->[0]", 400, post_json($c->[1]), $e400);
}

case('JSON: empty body', 400, post_json(''), $e400);
case('JSON: accept_all with spaces and newlines', 200,
    post_json(qq{ \n{ "action" :\t"accept_all" }\n }));
case('JSON: escaped letters in action', 200,
    post_json('{"action":"\u0061ccept_all"}'));
case('JSON: duplicated category', 200,
    post_json('{"granted":["analytics","analytics"]}'));
case('JSON: every category named twice', 200,
    post_json('{"action":"save","granted":["necessary","preferences",'
        . '"analytics","marketing","marketing","analytics"]}'));
case('JSON: 4096 bytes exactly', 200,
    post_json('{"action":"reject_all"}' . (' ' x (4096 - 23))));
case('JSON: 4097 bytes', 413,
    post_json('{"action":"reject_all"}' . (' ' x (4097 - 23))),
    json_error(413));
case('JSON: 64 KB', 413, post_json('{"granted":[' . ('"analytics",' x 5000)
    . '"analytics"]}'), json_error(413));
case('JSON: Content-Length of 2 MB, no body sent', 413,
    { raw => "POST /consent/ HTTP/1.1\r\nHost: 127.0.0.1:$port\r\n"
        . "Content-Type: application/json\r\nContent-Length: 2000000\r\n"
        . "Connection: close\r\n\r\n" });
case('JSON: Content-Length of 5000, no body sent', 413,
    { raw => "POST /consent/ HTTP/1.1\r\nHost: 127.0.0.1:$port\r\n"
        . "Content-Type: application/json\r\nContent-Length: 5000\r\n"
        . "Connection: close\r\n\r\n" }, json_error(413));
case('JSON: chunked, 5 KB', 413,
    { method => 'POST', uri => '/consent/',
      headers => ['Content-Type' => 'application/json',
          'Transfer-Encoding' => 'chunked'],
      body => join('', map { "400\r\n" . (' ' x 1024) . "\r\n" } 1 .. 5)
          . "0\r\n\r\n" });
case('JSON: chunked, small', 200,
    { method => 'POST', uri => '/consent/',
      headers => ['Content-Type' => 'application/json',
          'Transfer-Encoding' => 'chunked'],
      # 11 and 12 bytes: each chunk's size is its length exactly (nginx
      # 1.22 took a size one too large, later versions answer 400)
      body => "b\r\n{\"action\":\"\r\nc\r\nreject_all\"}\r\n0\r\n\r\n" });
case('JSON: chunked, bad chunk size', 400,
    { method => 'POST', uri => '/consent/',
      headers => ['Content-Type' => 'application/json',
          'Transfer-Encoding' => 'chunked'],
      body => "zz\r\n{}\r\n0\r\n\r\n" });
case('JSON: Content-Length and chunked', 400,
    { method => 'POST', uri => '/consent/',
      headers => ['Content-Type' => 'application/json',
          'Content-Length' => 6, 'Transfer-Encoding' => 'chunked'],
      body => "0\r\n\r\n" });
case('JSON: unknown transfer coding', 501,
    { method => 'POST', uri => '/consent/',
      headers => ['Content-Type' => 'application/json',
          'Transfer-Encoding' => 'gzip'], body => '' });
case('JSON: negative Content-Length', 400,
    { raw => "POST /consent/ HTTP/1.1\r\nHost: 127.0.0.1:$port\r\n"
        . "Content-Type: application/json\r\nContent-Length: -1\r\n"
        . "Connection: close\r\n\r\n" });
case('JSON: Content-Length not a number', 400,
    { raw => "POST /consent/ HTTP/1.1\r\nHost: 127.0.0.1:$port\r\n"
        . "Content-Type: application/json\r\nContent-Length: 1x\r\n"
        . "Connection: close\r\n\r\n{" });
case('JSON: two Content-Length headers', 400,
    { raw => "POST /consent/ HTTP/1.1\r\nHost: 127.0.0.1:$port\r\n"
        . "Content-Type: application/json\r\nContent-Length: 2\r\n"
        . "Content-Length: 2\r\nConnection: close\r\n\r\n{}" });

# ---------------------------------------------------------------------------
# content types and charsets

my $accept = '{"action":"accept_all"}';
my $e415 = json_error(415);

for my $ct ('text/plain', 'text/json', 'application/jsonx',
    'application/json-patch+json', 'application/xml', 'multipart/form-data; '
    . 'boundary=x', 'application/x-www-form-urlencodedx', 'json', '*/*',
    'application', ';application/json', 'application/ json')
{
    case("content type \"$ct\"", 415,
        { method => 'POST', uri => '/consent/', body => $accept,
          headers => ['Content-Type' => $ct] }, $e415);
}

case('no content type', 415,
    { method => 'POST', uri => '/consent/', body => $accept }, $e415);
case('empty content type', 415,
    { method => 'POST', uri => '/consent/', body => $accept,
      headers => ['Content-Type' => ''] }, $e415);

for my $ct ('APPLICATION/JSON', 'application/json; charset=utf-8',
    'application/json;charset=UTF-8', "application/json\t; x=y",
    ' application/json', 'application/json;')
{
    case("content type \"$ct\"", 200,
        { method => 'POST', uri => '/consent/', body => $accept,
          headers => ['Content-Type' => $ct] });
}

case('JSON declared UTF-16, sent as UTF-16', 400,
    { method => 'POST', uri => '/consent/',
      body => "\xff\xfe" . join("\0", split //, $accept) . "\0",
      headers => ['Content-Type' => 'application/json; charset=utf-16'] },
    $e400);
case('form declared ISO-8859-1, ASCII body', 303,
    post_form('action=reject_all',
        'Content-Type' => 'application/x-www-form-urlencoded; '
            . 'charset=iso-8859-1'));
case('JSON sent as a form', 400, post_form($accept), $e400);
case('form sent as JSON', 400, post_json('action=accept_all'), $e400);

# ---------------------------------------------------------------------------
# forms

my @form400 = (
    ['missing action', 'granted=analytics'],
    ['empty action', 'action='],
    ['bare action', 'action'],
    ['unknown action', 'action=yes'],
    ['action in upper case', 'action=SAVE'],
    ['duplicate action', 'action=save&action=accept_all'],
    ['duplicate action, same value', 'action=save&action=save'],
    ['duplicate return', 'action=save&return=/a&return=/b'],
    ['unknown field', 'action=save&foo=bar'],
    ['empty field name', 'action=save&=x'],
    ['unknown category', 'action=save&granted=stats'],
    ['empty category', 'action=save&granted='],
    ['category in upper case', 'action=save&granted=Analytics'],
    ['category with a space', 'action=save&granted=analytics+'],
    ['non-UTF-8 category', "action=save&granted=%E9t%E9"],
    ['raw non-UTF-8 byte', "action=save&granted=\xff"],
    ['bad escape', 'action=save%zz'],
    ['half escape', 'action=save%4'],
    ['trailing percent', 'action=save%'],
    ['escape in the name', 'act%zzion=save'],
    ['encoded NUL in a value', 'action=save%00'],
    ['encoded NUL in return', 'action=save&return=/a%00b'],
    ['encoded NUL in a name', 'action%00=save'],
    ['value of 1025 bytes', 'action=save&granted=' . ('a' x 1025)],
    ['name of 2000 bytes', ('n' x 2000) . '=1&action=save'],
    ['encoded ampersand in action', 'action=save%26granted%3Danalytics'],
    ['semicolon separator', 'action=save;granted=analytics'],
);

for my $c (@form400) {
    case("form: $c->[0]", 400, post_form($c->[1]), $e400);
}

case('form: 4097 bytes', 413, post_form('action=save&' . ('&' x 4086)),
    json_error(413));

my $to_root = sub {
    like($_[0]->header('location') // '', qr{^http://127\.0\.0\.1:\d+/$},
        'back to /');
};

case('form: empty pairs skipped', 303, post_form('&&action=save&&'),
    $to_root);
case('form: 100 granted fields', 303,
    post_form('action=save' . ('&granted=analytics' x 100)), $to_root);
case('form: required category named', 303,
    post_form('action=save&granted=necessary'), $to_root);
case('form: encoded action', 303, post_form('%61ction=%73ave'), $to_root);
case('form: plus in return', 303, post_form('action=save&return=/a+b'),
    sub { like($_[0]->header('location') // '', qr{/$}, 'a space: /') });
case('form: return of 2000 bytes', 303,
    post_form('action=save&return=/' . ('a' x 2000)), $to_root);
case('form: return of 1024 bytes', 303,
    post_form('action=save&return=/' . ('a' x 1023)),
    sub { like($_[0]->header('location') // '', qr{/a{1023}$},
        'kept whole') });

# ---------------------------------------------------------------------------
# return: header injection and open redirects all go to /

my @evil = (
    '//evil.example', '///evil.example', '////evil.example',
    '/\\evil.example', '\\\\evil.example', '\\/evil.example',
    'https://evil.example', 'http:evil.example', 'http:/evil.example',
    'evil.example', 'javascript:alert(1)', 'data:text/html,x',
    '%2F%2Fevil.example', '%2f%2fevil.example', '%2F%5Cevil.example',
    '/%2F/evil.example', '/%5Cevil.example', '%5C%5Cevil.example',
    '%2F%09%2Fevil.example', '/%09/evil.example', '%09//evil.example',
    '/%0a/evil.example', '/%0d/evil.example', '/%0d%0aSet-Cookie:%20x=1',
    '/%0aLocation:%20//evil.example', '/%0d%0a%0d%0a<script>x</script>',
    '/%20//evil.example', '+//evil.example', '%20/evil.example',
    '/%E2%80%AE', '/%C0%AF', '/caf%C3%A9', '/%7F', '/%FF', '/a%0Ab',
    ' /a', '/a b', '/%2F', '%2F%2F',
);

for my $evil (@evil) {
    case("return '$evil'", 303, post_form("action=reject_all&return=$evil"),
        sub {
            my ($r) = @_;
            like($r->header('location') // '', qr{^http://127\.0\.0\.1:\d+/$},
                "return '$evil': goes to /");
            unlike($r->{raw}, qr/\r\n(?:x=1|Location: \/\/)/i,
                "return '$evil': no injected header");
            is(scalar(() = $r->headers('location')), 1,
                "return '$evil': one Location");
        });
}

for my $good (['/news?id=7#top', '/news?id=7#top'],
    ['%2Fnews%2Fstory%3Fp%3D2', '/news/story?p=2'],
    ['/a/b/../c', '/a/b/../c'], ['/.//evil', '/.//evil'],
    ['/@evil.example', '/@evil.example'], ['/%252F%252F', '/%2F%2F'],
    ['/', '/'])
{
    case("return '$good->[0]' is ours", 303,
        post_form("action=reject_all&return=$good->[0]"),
        sub {
            my $loc = $_[0]->header('location') // '';
            is($loc, "$self$good->[1]", "return '$good->[0]': kept");
        });
}

# ---------------------------------------------------------------------------
# cross-site requests

my $e403 = json_error(403);
my @xs = (
    # Origin, Sec-Fetch-Site, status
    ['http://evil.example', undef, 403],
    ['null', undef, 403],
    ['NULL', undef, 403],
    ['', undef, 403],
    ["http://127.0.0.1", undef, 403],
    ["http://127.0.0.1:1", undef, 403],
    ["http://127.0.0.1:$port.evil.example", undef, 403],
    ["http://evil.127.0.0.1:$port", undef, 403],
    ["http://localhost:$port", undef, 403],
    ["http://127.0.0.1:${port}0", undef, 403],
    ["http://127.0.0.2:$port", undef, 403],
    [undef, 'cross-site', 403],
    [undef, 'CROSS-SITE', 403],
    [undef, 'Cross-Site', 403],
    [$self, 'cross-site', 403],
    ['http://evil.example', 'same-origin', 403],
    ['http://evil.example', 'same-site', 403],
    ['http://evil.example', 'none', 403],
    [$self, undef, 200],
    [uc $self, undef, 200],
    ["https://127.0.0.1:$port", undef, 200],
    [$self, 'same-origin', 200],
    [$self, 'same-site', 200],
    [$self, 'none', 200],
    [undef, 'same-origin', 200],
    [undef, 'same-site', 200],
    [undef, 'none', 200],
    [undef, '', 200],
    [undef, 'cross-site ', 403],
    [undef, 'same-origin, cross-site', 200],
);

for my $x (@xs) {
    my ($o, $sfs, $status) = @$x;
    my @h;
    push @h, Origin => $o if defined $o;
    push @h, 'Sec-Fetch-Site' => $sfs if defined $sfs;
    my $what = 'Origin ' . ($o // '(none)') . ', Sec-Fetch-Site '
        . ($sfs // '(none)');
    case("POST $what", $status, post_json($accept, @h),
        $status == 403 ? $e403 : undef);
    case("DELETE $what", $status,
        { method => 'DELETE', uri => '/consent/', headers => \@h },
        $status == 403 ? $e403 : undef);
}

case('form POST from another site', 403,
    post_form('action=accept_all', Origin => 'https://evil.example'), $e403);
case('cross-site checked before the size', 403,
    post_json('x' x 10000, Origin => 'https://evil.example'), $e403);
case('cross-site checked before the type', 403,
    { method => 'POST', uri => '/consent/', body => 'x',
      headers => [Origin => 'https://evil.example',
          'Content-Type' => 'text/plain'] }, $e403);
case('GET from another site is read only', 200,
    { uri => '/consent/', headers => [Origin => 'https://evil.example',
        'Sec-Fetch-Site' => 'cross-site'] });
case('Host header of another site, Origin ours', 403,
    { %{ post_json($accept, Origin => $self) }, host => 'evil.example' },
    $e403);
case('Origin and Host both the other site', 200,
    { %{ post_json($accept, Origin => 'http://evil.example') },
      host => 'evil.example' });

# ---------------------------------------------------------------------------
# methods and paths

case('GET', 200, { uri => '/consent/' });
case('HEAD', 200, { method => 'HEAD', uri => '/consent/' });
case('GET with a query', 200, { uri => '/consent/?return=//evil' });
case('POST with a query', 200, { %{ post_json($accept) },
    uri => '/consent/?x=1' });
case('DELETE', 200, { method => 'DELETE', uri => '/consent/' });
case('DELETE with a body', 200, { method => 'DELETE', uri => '/consent/',
    body => '{"action":"accept_all"}',
    headers => ['Content-Type' => 'application/json'] },
    sub { like($_[0]{body}, qr/"granted":\["necessary"\]/, 'withdrawn') });

for my $m (qw(PUT PATCH OPTIONS PROPFIND PROPPATCH MKCOL COPY MOVE LOCK
    UNLOCK FOO SEARCH))
{
    case("method $m", 405, { method => $m, uri => '/consent/', body => '{}',
        headers => ['Content-Type' => 'application/json'] },
        sub { is($_[0]->header('allow'), 'GET, HEAD, POST, DELETE',
            "$m: Allow") });
}

case('method TRACE', 405, { method => 'TRACE', uri => '/consent/' });
case('method in lower case', 400, { method => 'get', uri => '/consent/' });
case('method with a digit', 400, { method => 'G3T', uri => '/consent/' });
case('PUT under the endpoint', 404, { method => 'PUT',
    uri => '/consent/x', body => '{}' }, json_error(404));
case('POST under the endpoint', 404, { %{ post_json($accept) },
    uri => '/consent/x' }, json_error(404));
case('DELETE under the endpoint', 404, { method => 'DELETE',
    uri => '/consent/deeper/' }, json_error(404));
case('dot segments', 200, { uri => '/consent/./' });
case('dot-dot back into the endpoint', 200,
    { uri => '/consent/x/../' });
case('encoded slash', 200, { uri => '/consent/%2F' });
case('encoded letters', 200, { uri => '/%63onsent/' });
case('encoded dot segment', 200, { uri => '/consent/%2e/' });
case('path beyond the root', 400, { uri => '/../consent/' });
case('HTTP/1.0 without Host', 200,
    { raw => "GET /consent/ HTTP/1.0\r\n\r\n" });
case('HTTP/1.0 POST without Host', 200,
    { raw => "POST /consent/ HTTP/1.0\r\nContent-Type: application/json\r\n"
        . "Content-Length: " . length($accept) . "\r\n\r\n$accept" });
case('HTTP/1.0 POST without Host, with an Origin', 403,
    { raw => "POST /consent/ HTTP/1.0\r\nContent-Type: application/json\r\n"
        . "Origin: http://evil.example\r\n"
        . "Content-Length: " . length($accept) . "\r\n\r\n$accept" });
case('absolute URI in the request line', 200,
    { raw => "POST http://127.0.0.1:$port/consent/ HTTP/1.1\r\n"
        . "Host: 127.0.0.1:$port\r\nContent-Type: application/json\r\n"
        . "Origin: $self\r\nConnection: close\r\n"
        . "Content-Length: " . length($accept) . "\r\n\r\n$accept" });
case('URI of 10 KB', 414, { uri => '/consent/?' . ('a' x 10000) });
case('User-Agent of 6 KB, non-UTF-8', 200,
    post_json($accept, 'User-Agent' => ("\xfe" x 6000) . '"}{'));
case('Referer with control bytes', 200,
    post_json($accept, Referer => "$self/a\x01b\x7f"));

# ---------------------------------------------------------------------------
# the survivors

is_deeply([workers_now()], \@workers, 'the same worker process throughout');
unlike($t->error_log, qr/exited on signal|\[alert\]/,
    'no worker exited on a signal');

is(log_lines(), $expected_records,
    "the audit log holds the $expected_records accepted decisions");

my $audit = ($ENV{CONSENT_BUILD} // "$FindBin::Bin/../build")
    . '/consent-audit';
my $out = `$audit verify --keys $keys $LOG 2>&1`;
is($?, 0, 'consent-audit verify: the log is intact') or diag($out);

ok($requests >= 200, "$requests hostile or malformed requests");

done_testing();

#!/usr/bin/perl
# Self-test of the test harness (t/lib/Consent/Test.pm) with plain nginx:
# no consent module needed.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Fcntl qw(:flock);
use IO::Socket::INET;
use MIME::Base64 qw(decode_base64);
use Test::More;
use Time::HiRes qw(time);

use Consent::Test qw(cookie_value cookie_attrs parse_set_cookie);
use Consent::Test::HTTP;

my $t = Consent::Test->new(module => 0);

my $page = "<html><head></head><body>static page</body></html>\n";
$t->write_file('html/index.html', $page);

# the slow origin: four pieces, 0.3 s of pauses in all
my @pieces = (["<html><head>", 0.05], ["<body>one ", 0.1],
    ["two ", 0.1], ["three</body></html>\n", 0.05]);
my $slow = join '', map { $_->[0] } @pieces;
$t->backend(port => 8081, chunks => \@pieces,
    headers => ['Content-Type' => 'text/html', 'X-Origin' => 'slow']);

# an origin that answers from what it received
$t->backend(port => 8082, handler => sub {
    my ($req) = @_;
    my $ua = $req->{headers}{'x-test'} ? $req->{headers}{'x-test'}[0] : '-';
    return (201, ['Content-Type' => 'text/plain', 'Content-Length' => 0
        + length("$req->{method} $req->{uri} $ua $req->{body}")],
        "$req->{method} $req->{uri} $ua $req->{body}");
});
$t->backend(port => 8083, handler => sub { sleep 3; (200, [], 'late') });

$t->config(<<'EOF')->run;
http {
    server {
        listen 127.0.0.1:%%PORT_8080%%;
        server_name localhost;
        root %%TESTDIR%%/html;

        location = /ok { return 200 "ok\n"; }
        location = /method {
            return 200 "$request_method $content_length\n";
        }
        location = /conn {
            return 200 "$connection $connection_requests\n";
        }
        location = /cookies {
            add_header Set-Cookie "a=1; Path=/; HttpOnly";
            add_header Set-Cookie "b=2; Max-Age=60; SameSite=Lax";
            add_header Set-Cookie "a=3; Path=/x";
            return 200 "cookies\n";
        }
        location /slow/ {
            proxy_pass http://127.0.0.1:%%PORT_8081%%;
            proxy_buffering off;
        }
        location /echo/ {
            proxy_pass http://127.0.0.1:%%PORT_8082%%;
            proxy_set_header X-Test $http_x_test;
        }
    }
}
EOF

ok($t->port(8080) != $t->port(8081), 'distinct ports');
is($t->port, $t->port(8080), 'port() is the first port of the config');
like($t->read_file('nginx.conf'), qr/worker_processes 1;.*client_body_temp_path/s,
    'nginx.conf has the defaults');

# ports are locked against concurrent test files
{
    my $p = $t->port(8080);
    open my $fh, '<', "$Consent::Test::LOCKDIR/$p" or die;
    ok(!flock($fh, LOCK_EX | LOCK_NB), "port $p is locked");
}

# GET a static file (read by a worker, which runs as nobody under root)
my $r = $t->http(uri => '/index.html');
is($r->{status}, 200, 'GET static') or diag explain $r;
is($r->{body}, $page, 'GET static body');
is($r->header('content-length'), length $page, 'Content-Length');
is($r->{chunked}, 0, 'not chunked');
ok(!defined $r->{error}, 'no error');
like($r->header('CONTENT-TYPE'), qr{text/html}, 'header() ignores case');

$r = $t->http(method => 'HEAD', uri => '/index.html');
is($r->{status}, 200, 'HEAD');
is($r->{body}, '', 'HEAD has no body');
is($r->header('content-length'), length $page, 'HEAD Content-Length');
ok(!defined $r->{extra}, 'nothing after the HEAD response');

$r = $t->http(method => 'POST', uri => '/method', body => 'hello',
    headers => ['Content-Type' => 'text/plain']);
is($r->{body}, "POST 5\n", 'POST with Content-Length added');

$r = $t->http(method => 'DELETE', uri => '/method');
is($r->{body}, "DELETE \n", 'DELETE');

$r = $t->http(method => 'POST', uri => '/index.html', body => 'x');
is($r->{status}, 405, 'POST to a static file: 405');

$r = $t->http(raw => "GET /ok HTTP/1.0\r\n\r\n");
is($r->{status}, 200, 'raw HTTP/1.0 request');
is($r->{protocol}, '1.1', 'response protocol');
is($r->{body}, "ok\n", 'raw request body');

$r = $t->http(uri => '/ok', host => undef, version => '1.1');
is($r->{status}, 400, 'HTTP/1.1 without Host: 400');

# repeated Set-Cookie
$r = $t->http(uri => '/cookies');
is(scalar $r->headers('set-cookie'), 3, 'three Set-Cookie headers');
is(($r->headers('set-cookie'))[1], 'b=2; Max-Age=60; SameSite=Lax',
    'in order');
is(cookie_value($r, 'b'), '2', 'cookie_value');
is(cookie_value($r, 'a'), '3', 'cookie_value: the last one wins');
is_deeply(cookie_attrs($r, 'b'), { 'max-age' => 60, samesite => 'Lax' },
    'cookie_attrs');
is_deeply(cookie_attrs($r, 'a'), { path => '/x' }, 'cookie_attrs: last');
is(cookie_value($r, 'none'), undef, 'absent cookie');
is_deeply([ parse_set_cookie('c=; Secure; HttpOnly') ],
    [ 'c', '', { secure => 1, httponly => 1 } ], 'parse_set_cookie flags');

# chunked: nginx re-chunks the slow origin's close-delimited body
my $t0 = time;
$r = $t->http(uri => '/slow/page');
my $took = time - $t0;
is($r->{status}, 200, 'proxied slow page');
is($r->{chunked}, 1, 'chunked');
is($r->{body}, $slow, 'chunked body decoded');
ok(@{ $r->{chunk_sizes} } >= 2, 'in several chunks: '
    . join(',', @{ $r->{chunk_sizes} }));
ok($took >= 0.29, "slow origin paused (${took}s)");
is($r->header('x-origin'), 'slow', 'origin header passed');

# the origin directly: no Content-Length, body until close
$t0 = time;
$r = $t->http(port => 8081, uri => '/direct');
$took = time - $t0;
is($r->{body}, $slow, 'origin body, pieces in order');
ok($r->{until_eof}, 'delimited by close');
ok($took >= 0.29, "origin took the sum of its pauses (${took}s)");

# pieces arrive apart: read the raw stream with timestamps
{
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
        PeerPort => $t->port(8081), Timeout => 5) or die;
    print $s "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    my ($buf, @at) = ('');
    my $start = time;
    while (sysread($s, my $c, 65536)) {
        $buf .= $c;
        push @at, [ time - $start, length $buf ];
    }
    my ($body) = $buf =~ /\r\n\r\n(.*)\z/s;
    is($body, $slow, 'raw stream from the origin');
    ok(@at >= 2, 'arrived in ' . scalar(@at) . ' reads');
    ok($at[-1][0] >= 0.25, 'last piece after the pauses');
}

my @req = $t->backend_requests(8081);
is($req[0]{uri}, '/slow/page', 'backend saw the proxied request');
is($req[1]{uri}, '/direct', 'and the direct one');

# handler origin through nginx, with a request body
$r = $t->http(method => 'POST', uri => '/echo/x?y=1', body => 'data',
    headers => ['X-Test' => 'abc']);
is($r->{status}, 201, 'handler status');
is($r->{body}, 'POST /echo/x?y=1 abc data', 'handler saw the request');

# keep-alive: two requests on one connection
my @rs = $t->http_keepalive(port => 8080, requests => [
    { uri => '/conn' },
    { method => 'HEAD', uri => '/index.html' },
    { uri => '/slow/ka' },
    { uri => '/conn', method => 'POST', body => 'zz' },
]);
is(scalar @rs, 4, 'four responses');
my ($c1, $n1) = split ' ', $rs[0]{body};
my ($c2, $n2) = split ' ', $rs[3]{body};
is($n1, 1, 'first request on the connection');
is($rs[1]{status}, 200, 'HEAD in the middle');
is($rs[2]{body}, $slow, 'chunked in the middle');
is($c2, $c1, 'same connection');
is($n2, 4, 'fourth request on it');

@rs = $t->http_keepalive(pipeline => 1, requests => [
    { uri => '/ok' }, { uri => '/ok' },
    { uri => '/ok', headers => ['Connection' => 'close'] },
    { uri => '/ok' },
]);
is(join(',', map { $_->{status} } @rs), '200,200,200,0',
    'pipelined; nothing after Connection: close');

# a stuck server fails, it does not hang
$t0 = time;
$r = $t->http(port => 8083, timeout => 0.5);
is($r->{status}, 0, 'timeout: no status');
like($r->{error}, qr/timeout/, 'timeout reported');
ok(time - $t0 < 3, 'timeout honoured');

$r = $t->http(port => 9999);
like($r->{error}, qr/connect/, 'connection refused reported');

# response parser
{
    my $chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        . "3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nX-T: 1\r\n\r\nNEXT";
    my ($p, $used) = Consent::Test::HTTP::parse_response($chunked, 0, 0);
    is($p->{body}, 'abcde', 'parser: chunk extension');
    is_deeply($p->{trailers}, { 'x-t' => [1] }, 'parser: trailers');
    is(substr($chunked, $used), 'NEXT', 'parser: stops at the end');
    is(scalar(() = Consent::Test::HTTP::parse_response(
        substr($chunked, 0, 60), 0, 0)), 0, 'parser: needs more');
    ($p) = Consent::Test::HTTP::parse_response(substr($chunked, 0, 60), 0, 1);
    like($p->{error}, qr/truncated/, 'parser: truncated at EOF');
    ($p) = Consent::Test::HTTP::parse_response(
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n", 0, 0);
    is($p->{status}, 204, 'parser: skips 100 Continue');
    is_deeply($p->{interim}, [100], 'parser: keeps interim statuses');
}

# nginx -t
my ($rc, $out) = $t->test_config;
is($rc, 0, 'test_config: good config') or diag $out;
like($out, qr/syntax is ok/, 'test_config output');

($rc, $out) = $t->test_config(<<'EOF');
http {
    server {
        listen 127.0.0.1:%%PORT_8080%%;
        bogus_directive on;
    }
}
EOF
isnt($rc, 0, 'test_config: broken config fails');
like($out, qr/\[emerg\] unknown directive "bogus_directive" in \S+:\d+/,
    'test_config: the error, with file and line');
unlike($t->error_log, qr/\[emerg\]/, 'nginx -t errors stay out of error.log');

# a start that fails, fails fast with the log
{
    my $bad = Consent::Test->new(module => 0);
    $bad->config("http { server { listen 127.0.0.1:%%PORT_8080%%; nonsense; } }");
    $t0 = time;
    is($bad->run(may_fail => 1), 0, 'run fails on a bad config');
    ok(time - $t0 < 3, 'and fails fast');
    like($bad->error_log, qr/unknown directive "nonsense"/, 'error logged');
    ok(!$bad->{ran}, 'a failed start adds no error.log test');

    # an object with a started nginx that goes out of scope checks its log
    my $fake = Consent::Test->new(module => 0);
    $fake->write_file('error.log',
        "2024/01/01 00:00:00 [emerg] 1#1: something\n"
        . "2024/01/01 00:00:00 [notice] 1#1: fine\n"
        . "2024/01/01 00:00:00 [alert] 1#1: worker process 5 exited on signal 11\n");
    my @bad = $fake->log_problems;
    is(scalar @bad, 2, 'log_problems finds [emerg] and the crash');
    $fake->allow_log(qr/something/);
    is(scalar $fake->log_problems, 1, 'allow_log exempts a line');
}

# key and policy files
{
    my $k = $t->keyfile;
    is($k, $t->prefix . '/consent.keys', 'keyfile path');
    is((stat $k)[2] & 07777, 0600, 'keyfile mode 0600');
    my ($kid, $secret) = $t->read_file('consent.keys') =~ /^(\S+) (\S+)\n\z/;
    is($kid, 'k1', 'default kid');
    is(length decode_base64($secret), 32, '32-byte secret');
    is($t->secret('k1'), $secret, 'secret() returns it');

    my $old = Consent::Test::random_secret();
    my $k2 = $t->keyfile(keys => [ ['new'], ['old', $old] ], mode => 0644);
    like($t->read_file($k2), qr/\Anew \S{44}\nold \Q$old\E\n\z/,
        'rotation key file, first key first');
    is((stat $k2)[2] & 07777, 0644, 'mode option');
    isnt($k2, $k, 'a second key file');

    my $short = $t->keyfile(kid => 'weak', bytes => 16, file => 'weak.keys');
    like($t->read_file($short), qr/^weak \S{24}\n\z/, 'bytes option');

    my $pj = $t->policy_file(json => '{"revision":1}');
    is($t->read_file($pj), '{"revision":1}', 'policy_file(json => ...)');
    SKIP: {
        skip 'no conf/policy.json yet', 1
            unless -f $t->repo . '/conf/policy.json';
        my $p = $t->policy_file(file => 'p2.json',
            modify => sub { $_[0]{revision} = 99 });
        like($t->read_file($p), qr/"revision"\s*:\s*99/, 'policy modify');
    }
    is($t->expand('%%TESTDIR%%|%%REPO%%'), $t->prefix . '|' . $t->repo,
        'expand');
}

# the real log is clean so far (checked again by done_testing)
is_deeply([ $t->log_problems ], [], 'error.log has no problems');

# stop and start again in the same prefix
$t->stop;
ok(!$t->pid, 'stopped');
$t->run;
is($t->http(uri => '/ok')->{status}, 200, 'restarted');

my $prefix = $t->prefix;
ok(-d $prefix, 'prefix exists during the test');

done_testing();

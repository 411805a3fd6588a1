#!/usr/bin/perl

# Cookies on the server (docs/cookies.md): for each consent state, the
# Set-Cookie headers an upstream sends are stripped by category, the
# refused cookies the request carries are expired on every domain a
# browser could hold them on, the endpoint's answer to a refusal or a
# withdrawal expires them too, and with "consent_request_cookies
# filter" the upstream never receives them; the consent cookie, the
# necessary ones and the undeclared ones (by default) pass.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use Consent::Test;
use Consent::Token qw(mint secret_from_keyfile_line);

my $t = Consent::Test->new();
my $keys = $t->keyfile();
my $policy = $t->policy_file(modify => sub {
    # the site's own session cookie, declared as necessary
    push @{ $_[0]{categories}[0]{cookies} }, 'sid';
});
my $secret = secret_from_keyfile_line('k1 ' . $t->secret('k1'));

# what the application sets on every answer
my @app_cookies = (
    '_ga=GA1.1.111.222; Path=/; Max-Age=63072000',
    '_fbp=fb.1.1700000000000.333; Path=/; Max-Age=7776000',
    '_hjSessionUser_1=eyJpZCI6IngifQ; Domain=.example.test; Path=/; '
        . 'Max-Age=31536000; HttpOnly; Secure; SameSite=None',
    'sid=s3ss10n; Path=/; HttpOnly',
    'prefs_x=u; Path=/',
);

$t->backend(port => 8081, handler => sub {
    my ($req) = @_;
    my ($path) = $req->{uri} =~ m{^(/[^?]*)};
    my @h = map { ('Set-Cookie' => $_) } @app_cookies;

    return (204, [@h], [['', 0]]) if $path =~ m{/nocontent$};
    return (302, [@h, Location => '/'], [['', 0]]) if $path =~ m{/moved$};
    return (200, [@h, 'Content-Type' => 'application/json'],
        [['{"ok":true}', 0]]) if $path =~ m{/collect$};
    return (200, ['Content-Type' => 'text/css',
        'Cache-Control' => 'public, max-age=3600, s-maxage=60'],
        [['p{}', 0]]) if $path =~ m{/style\.css$};
    return (200, [@h, 'Content-Type' => 'text/html'],
        [["<!DOCTYPE html><html><head></head><body><p>x</p></body></html>\n",
          0]]);
});

$t->config(<<"EOF")->run;
http {
    consent_keys $keys;
    consent_policy $policy;

    log_format cookies '\$uri \$consent_cookies_stripped '
                       '\$consent_cookies_expired \$consent_cookies_filtered';

    server {
        listen 127.0.0.1:%%PORT_8080%%;
        server_name www.example.test;

        access_log %%TESTDIR%%/cookies.log cookies;

        consent on;
        consent_request_cookies filter;

        location /consent/ { consent_endpoint; }

        location /app/ {
            proxy_pass http://127.0.0.1:%%PORT_8081%%;
        }

        location = /vars {
            return 200 "http_cookie=[\$http_cookie] _ga=[\$cookie__ga]\\n";
        }

        location /pass/ {
            consent_request_cookies pass;
            consent_strip_cookies off;
            consent_expire_cookies off;
            proxy_pass http://127.0.0.1:%%PORT_8081%%;
        }

        location /unknown/ {
            consent_unknown_cookies strip;
            proxy_pass http://127.0.0.1:%%PORT_8081%%;
        }

        location /as-marketing/ {
            consent_unknown_cookies marketing;
            proxy_pass http://127.0.0.1:%%PORT_8081%%;
        }

        location /off/ {
            consent off;
            proxy_pass http://127.0.0.1:%%PORT_8081%%;
        }
    }
}
EOF

my $host = 'www.example.test';
my %mask = (reject => 0x1, analytics => 0x5, all => 0xf);
my %consent = map { $_ => 'consent=' . mint(secret => $secret,
    granted => $mask{$_}) } keys %mask;

# what a browser that went along with the app holds
my $held = '_ga=GA1.1.9.9; _fbp=fb.1.9.9; _hjSessionUser_1=old; sid=s; '
    . 'prefs_x=u';

my @domains = ('', '; Domain=www.example.test', '; Domain=example.test');

sub expired {
    my (@names) = @_;
    return map { my $n = $_; map { "$n=; Max-Age=0; Path=/$_" } @domains }
        @names;
}

sub app {
    my (@names) = @_;
    my %keep = map { $_ => 1 } @names;
    return grep { /^([^=]+)=/ && $keep{$1} } @app_cookies;
}

sub get {
    my ($uri, $cookie, %o) = @_;
    return $t->http(uri => $uri, host => $o{host} // $host,
        headers => [ defined $cookie ? (Cookie => $cookie) : () ]);
}

sub set_cookies {
    my ($r) = @_;
    return [ sort $r->headers('set-cookie') ];
}

sub last_upstream_cookie {
    my @req = $t->backend_requests(8081);
    my $h = $req[-1]{headers}{cookie};
    return $h ? join('; ', @$h) : undef;
}

sub last_log {
    my @l = split /\n/, ($t->read_file('cookies.log') // '');
    return $l[-1];
}

# ---------------------------------------------------------------------------
# each consent state: the Set-Cookie headers out, the Cookie header in

my @states = (
    [ 'absent', undef,
      [ qw(sid prefs_x) ], [ qw(_ga _fbp _hjSessionUser_1) ],
      'sid=s; prefs_x=u' ],
    [ 'reject', $consent{reject},
      [ qw(sid prefs_x) ], [ qw(_ga _fbp _hjSessionUser_1) ],
      "sid=s; prefs_x=u; $consent{reject}" ],
    [ 'analytics only', $consent{analytics},
      [ qw(_ga _hjSessionUser_1 sid prefs_x) ], [ qw(_fbp) ],
      "_ga=GA1.1.9.9; _hjSessionUser_1=old; sid=s; prefs_x=u; "
      . $consent{analytics} ],
    [ 'all', $consent{all},
      [ qw(_ga _fbp _hjSessionUser_1 sid prefs_x) ], [],
      "$held; $consent{all}" ],
);

for my $s (@states) {
    my ($name, $c, $kept, $refused, $upstream) = @$s;
    my $cookie = join '; ', $held, defined $c ? $c : ();
    my $r = get('/app/page', $cookie);

    is($r->{status}, 200, "$name: 200");
    is_deeply(set_cookies($r), [ sort(app(@$kept), expired(@$refused)) ],
        "$name: exactly the right Set-Cookie headers")
        or diag(explain(set_cookies($r)));
    is(last_upstream_cookie(), $upstream,
        "$name: the upstream receives exactly the granted cookies");
    is(last_log(), sprintf('/app/page %d %d %d', scalar(@app_cookies)
        - scalar(@$kept), scalar(@$refused), scalar(@$refused)),
        "$name: stripped, expired, filtered counted");
}

# nginx's own variables see the filtered header

{
    my $r = get('/vars', "_ga=1; sid=s; $consent{reject}");
    is($r->{body}, "http_cookie=[sid=s; $consent{reject}] _ga=[]\n",
        '$http_cookie and $cookie__ga without the refused cookie');
    $r = get('/vars', "_ga=1; $consent{all}");
    is($r->{body}, "http_cookie=[_ga=1; $consent{all}] _ga=[1]\n",
        'granted: the header as sent');
    $r = get('/vars', "_ga=1");
    is($r->{body}, "http_cookie=[] _ga=[]\n", 'only refused: nothing');
}

# a visitor who holds nothing refused gets no expiring header

{
    my $r = get('/app/page', "sid=s; $consent{reject}");
    is_deeply(set_cookies($r), [ sort(app(qw(sid prefs_x))) ],
        'nothing held, nothing expired');
    is(last_upstream_cookie(), "sid=s; $consent{reject}",
        'nothing held: the Cookie header as sent');
}

# a visitor who holds refused cookies only: the upstream gets no Cookie

{
    my $r = get('/app/page', '_ga=1; _fbp=2');
    is(last_upstream_cookie(), undef,
        'only refused cookies: no Cookie header at all upstream');
    is_deeply(set_cookies($r),
        [ sort(app(qw(sid prefs_x)), expired(qw(_ga _fbp))) ],
        'only refused cookies: expired');
}

# ---------------------------------------------------------------------------
# withdrawal: the endpoint's answer expires, the next page heals

{
    my $cookie = "$held; $consent{all}";
    my $r = $t->http(method => 'DELETE', uri => '/consent/', host => $host,
        headers => [Cookie => $cookie]);
    is($r->{status}, 200, 'withdrawal: 200');

    my @sc = sort grep { !/^consent=/ } $r->headers('set-cookie');
    is_deeply(\@sc, [ sort(expired(qw(_ga _fbp _hjSessionUser_1))) ],
        'withdrawal: every refused cookie expired on each domain');

    my $new = cookie_value($r, 'consent');
    ok($new, 'withdrawal: a new consent cookie');

    # the browser dropped them; a script that got through set _ga again
    $r = get('/app/page', "_ga=again; sid=s; consent=$new");
    is_deeply(set_cookies($r),
        [ sort(app(qw(sid prefs_x)), expired(qw(_ga))) ],
        'withdrawn: the next page strips and expires');
    is(last_upstream_cookie(), "sid=s; consent=$new",
        'withdrawn: the upstream never sees _ga');
}

# a save that leaves marketing off

{
    my $r = $t->http(method => 'POST', uri => '/consent/', host => $host,
        headers => [Cookie => "$held; $consent{all}",
            'Content-Type' => 'application/json'],
        body => '{"action":"save","granted":["analytics"]}');
    is($r->{status}, 200, 'save: 200');
    is_deeply([ sort grep { !/^consent=/ } $r->headers('set-cookie') ],
        [ sort(expired(qw(_fbp))) ], 'save without marketing: _fbp expired');
}

# accepting everything expires nothing

{
    my $r = $t->http(method => 'POST', uri => '/consent/', host => $host,
        headers => [Cookie => $held, 'Content-Type' => 'application/json'],
        body => '{"action":"accept_all"}');
    is_deeply([ grep { !/^consent=/ } $r->headers('set-cookie') ], [],
        'accept all: nothing expired');
}

# ---------------------------------------------------------------------------
# any response of a consent location: JSON, 204, 302

for my $p (qw(collect nocontent moved)) {
    my $r = get("/app/$p", $consent{reject});
    is_deeply(set_cookies($r), [ sort(app(qw(sid prefs_x))) ],
        "$p ($r->{status}): refused Set-Cookie headers stripped");
}

# a response that expires cookies is kept out of shared caches

{
    my $r = get('/app/style.css', "_ga=1; $consent{reject}");
    is_deeply(set_cookies($r), [ sort(expired('_ga')) ],
        'a stylesheet expires _ga');
    is($r->header('cache-control'), 'private, max-age=3600',
        'and is made private: no shared cache hands it to another visitor');
    $r = get('/app/style.css', "sid=1; $consent{reject}");
    is($r->header('cache-control'), 'public, max-age=3600, s-maxage=60',
        'nothing expired: its Cache-Control untouched');
}

# ---------------------------------------------------------------------------
# the directives

{
    my $r = get('/pass/page', "$held; $consent{reject}");
    is_deeply(set_cookies($r), [ sort @app_cookies ],
        'consent_strip_cookies off: every Set-Cookie passes, none expired');
    is(last_upstream_cookie(), "$held; $consent{reject}",
        'consent_request_cookies pass: the Cookie header as sent');
    is(last_log(), '/pass/page 0 0 0', 'nothing counted');

    $r = get('/unknown/page', "$held; $consent{all}");
    is_deeply(set_cookies($r),
        [ sort(app(qw(_ga _fbp _hjSessionUser_1 sid)), expired('prefs_x')) ],
        'consent_unknown_cookies strip: the undeclared cookie goes');
    is(last_upstream_cookie(),
        "_ga=GA1.1.9.9; _fbp=fb.1.9.9; _hjSessionUser_1=old; sid=s; "
        . $consent{all}, 'and is kept from the upstream');

    $r = get('/as-marketing/page', "prefs_x=u; $consent{analytics}");
    is_deeply(set_cookies($r),
        [ sort(app(qw(_ga _hjSessionUser_1 sid)), expired('prefs_x')) ],
        'consent_unknown_cookies marketing: refused with marketing');

    $r = get('/as-marketing/page', "prefs_x=u; $consent{all}");
    is_deeply(set_cookies($r), [ sort @app_cookies ],
        'consent_unknown_cookies marketing: granted with it');

    $r = get('/off/page', $held);
    is_deeply(set_cookies($r), [ sort @app_cookies ],
        'consent off: nothing touched');
    is(last_upstream_cookie(), $held, 'consent off: the Cookie header as sent');
}

# ---------------------------------------------------------------------------
# prefixes, bounds, hosts

{
    my $r = get('/app/page', '__Host-_ga=1; __Secure-_fbp=2');
    is_deeply(set_cookies($r), [ sort(app(qw(sid prefs_x)),
        '__Host-_ga=; Max-Age=0; Path=/; Secure',
        map { "__Secure-_fbp=; Max-Age=0; Path=/$_; Secure" } @domains) ],
        '__Host- host-only and Secure, __Secure- Secure');

    my $many = join '; ', map { "_ga_$_=1" } 1 .. 20;
    $r = get('/app/page', "$many; _ga_1=again");
    my @exp = grep { /Max-Age=0/ } $r->headers('set-cookie');
    is(scalar @exp, 16 * 3, 'at most 16 cookies expired a response');
    is(scalar(grep { /^_ga_1=;/ } @exp), 3, 'each name once');
    like(last_log(), qr{ 16 21$}, '16 names expired, 21 cookies filtered');

    $r = get('/app/page', '_ga=1', host => '127.0.0.1');
    is_deeply([ grep { /Max-Age=0/ } $r->headers('set-cookie') ],
        [ '_ga=; Max-Age=0; Path=/' ], 'an IP address: host-only');
}

done_testing();

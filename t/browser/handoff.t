#!/usr/bin/perl

# One choice across a site's domains, in Chromium (docs/domains.md): two
# server names, a.example, b.example and c.example, resolved to 127.0.0.1 by the
# browser's --host-resolver-rules, share a choice with consent_domains.
# Accept all on a.example (with JavaScript, and with it off), then a
# visit to b.example: no banner, the same consent id, b.example's own
# first-party cookie and its own audit record of the hand-off.
# (t/browser/handoff.mjs drives Chromium and prints the assertions.)

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../lib", "$FindBin::Bin/lib";

use Test::More;
use Consent::Browser;

my $b = Consent::Browser->new;
my $t = $b->t;

$b->{keys} = $t->keyfile;
$b->{policy} = $t->policy_file;

$t->write_file('site/index.html', <<'HTML');
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Shared choice</title></head>
<body><main><h1>A page</h1><p>One of the site's domains.</p></main></body></html>
HTML

# a page whose own policy sends no Referer at all
$t->write_file('site/strict.html', <<'HTML');
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Strict</title></head>
<body><main><h1>No referrer</h1></main></body></html>
HTML

# why the hand-off is a top-level redirect: a cross-site image cannot set
# b.example's cookies, whatever their SameSite
$t->write_file('site/pixel.html', <<'HTML');
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Pixel</title></head>
<body><img id="px" alt="" src="/PIXEL"></body></html>
HTML

$t->config(<<"CONF");
http {
    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;

    consent_keys     $b->{keys};
    consent_policy   $b->{policy};
    consent_domains  a.example b.example c.example;

    server {
        listen       127.0.0.1:%%PORT_8080%%;
        server_name  a.example;
        root         %%TESTDIR%%/site;
        consent_log  %%TESTDIR%%/a.log;
        consent on;
        location /consent/ { consent_endpoint; }
        location = /strict.html {
            add_header Referrer-Policy no-referrer always;
        }
    }

    server {
        listen       127.0.0.1:%%PORT_8080%%;
        server_name  b.example;
        root         %%TESTDIR%%/site;
        consent_log  %%TESTDIR%%/b.log;
        consent on;
        location /consent/ { consent_endpoint; }
        location = /pixel {
            add_header Set-Cookie "px_lax=1; Path=/; SameSite=Lax" always;
            add_header Set-Cookie "px_default=1; Path=/" always;
            add_header Set-Cookie "px_none=1; Path=/; SameSite=None" always;
            add_header Set-Cookie "px_secure=1; Path=/; SameSite=None; Secure"
                       always;
            empty_gif;
        }
    }

    server {
        listen       127.0.0.1:%%PORT_8080%%;
        server_name  c.example;
        root         %%TESTDIR%%/site;
        consent_log  %%TESTDIR%%/c.log;
        consent on;
        location /consent/ { consent_endpoint; }
    }
}
CONF
my $pixel = $t->read_file('site/pixel.html');
$t->run;
$pixel =~ s{/PIXEL}{'http://b.example:' . $t->port(8080) . '/pixel'}e;
$t->write_file('site/pixel.html', $pixel);

$b->run_node('handoff.mjs',
    port  => $t->port(8080),
    a_log => $t->path('a.log'),
    b_log => $t->path('b.log'),
    c_log => $t->path('c.log'));

done_testing();

#!/usr/bin/perl

# nginx -t catches the operator's mistakes: each broken key file, policy
# or directive fails with a message that says what and where.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use Consent::Test;
use MIME::Base64 qw(encode_base64);
use JSON::PP;

my $t = Consent::Test->new();

my $secret = encode_base64('s' x 32, '');
my $keys = $t->keyfile();
my $policy = $t->policy_file();

open my $fh, '<', "$FindBin::Bin/../conf/policy.json" or die $!;
my $policy_json = do { local $/; <$fh> };
close $fh;

# a server block with the given lines, at a known line of nginx.conf

sub check {
    my (%a) = @_;
    my $http = $a{http} // "consent_keys $keys;\n    consent_policy $policy;";
    my $server = $a{server} // '';
    my $location = $a{location} // 'consent_endpoint;';

    $t->config(<<"EOF");
http {
    $http

    server {
        listen 127.0.0.1:%%PORT_8080%%;
        $server

        location /consent/ {
            $location
        }
    }
}
EOF

    return $t->test_config();
}

# the line of nginx.conf that holds a text, for "in FILE:LINE" checks

sub line_of {
    my ($text) = @_;
    open my $c, '<', $t->path('nginx-test.conf') or die $!;
    while (my $l = <$c>) {
        return $. if index($l, $text) >= 0;
    }
    return 0;
}

sub rejects {
    my ($what, $re, %a) = @_;
    my $at = delete $a{at};
    my ($rc, $out) = check(%a);
    isnt($rc, 0, "$what: nginx -t fails");
    like($out, $re, "$what: says why") or diag($out);
    if (defined $at) {
        my $n = line_of($at);
        like($out, qr/nginx-test\.conf:$n\b/, "$what: names line $n") or diag($out);
    }
}

sub policy_with {
    my ($name, $edit) = @_;
    my $json = $edit->($policy_json);
    return $t->write_file($name, $json);
}

my ($rc, $out) = check();
is($rc, 0, 'the good configuration passes') or diag($out);

# key files

rejects('missing key file', qr/consent_keys: .*nope\.keys.*No such file/,
    http => "consent_keys %%TESTDIR%%/nope.keys;\n    consent_policy $policy;",
    at => 'consent_keys');

my $k = $t->write_file('world.keys', "k1 $secret\n", 0644);
rejects('world-readable key file', qr/world-readable/,
    http => "consent_keys $k;\n    consent_policy $policy;",
    at => 'consent_keys');

$k = $t->write_file('short.keys', "k1 " . encode_base64('s' x 16, '') . "\n",
    0600);
rejects('short key', qr/short\.keys:1: .*16 bytes.*32/,
    http => "consent_keys $k;\n    consent_policy $policy;",
    at => 'consent_keys');

$k = $t->write_file('dup.keys', "# keys\nk1 $secret\n\nk1 $secret\n", 0600);
rejects('duplicate kid', qr/dup\.keys:4: .*duplicate/i,
    http => "consent_keys $k;\n    consent_policy $policy;");

$k = $t->write_file('kid.keys', "K_1 $secret\n", 0600);
rejects('bad kid', qr/kid\.keys:1: /,
    http => "consent_keys $k;\n    consent_policy $policy;");

$k = $t->write_file('b64.keys', "k1 not*base64*at*all*not*base64*at*all*x\n",
    0600);
rejects('bad base64', qr/b64\.keys:1: .*base64/i,
    http => "consent_keys $k;\n    consent_policy $policy;");

$k = $t->write_file('empty.keys', "# nothing\n", 0600);
rejects('no keys', qr/empty\.keys.*no keys/i,
    http => "consent_keys $k;\n    consent_policy $policy;");

$k = $t->write_file('extra.keys', "k1 $secret extra\n", 0600);
rejects('extra field', qr/extra\.keys:1: /,
    http => "consent_keys $k;\n    consent_policy $policy;");

rejects('duplicate consent_keys', qr/"consent_keys" directive is duplicate/,
    http => "consent_keys $keys;\n    consent_keys $keys;\n"
        . "    consent_policy $policy;");

# policies

my $p = $t->write_file('syntax.json', "{\n  \"revision\": 1,\n  oops\n}\n");
rejects('JSON syntax error', qr/syntax\.json.*line 3.*column/,
    http => "consent_keys $keys;\n    consent_policy $p;",
    at => 'consent_policy');

$p = policy_with('unknown.json', sub { $_[0] =~ s/"revision"/"revison"/r });
rejects('unknown key', qr/unknown\.json.*revison/,
    http => "consent_keys $keys;\n    consent_policy $p;");

$p = policy_with('dupcat.json',
    sub { $_[0] =~ s/"id": "marketing"/"id": "analytics"/r });
rejects('duplicate category id', qr/dupcat\.json.*duplicate.*analytics/,
    http => "consent_keys $keys;\n    consent_policy $p;");

$p = policy_with('noreq.json', sub { $_[0] =~ s/"required": true/"required": false/r });
rejects('no required category', qr/noreq\.json.*required/,
    http => "consent_keys $keys;\n    consent_policy $p;");

$p = policy_with('rulecat.json',
    sub { $_[0] =~ s/"category": "analytics"/"category": "stats"/r });
rejects('rule with an unknown category', qr/rulecat\.json.*unknown category.*stats/,
    http => "consent_keys $keys;\n    consent_policy $p;");

$p = policy_with('notext.json', sub { $_[0] =~ s/"reject_all":\s*"[^"]*",?//r });
rejects('missing default-language text', qr/notext\.json.*reject_all/,
    http => "consent_keys $keys;\n    consent_policy $p;");

{
    my $j = JSON::PP->new->decode($policy_json);
    my $c = $j->{categories}[1];
    push @{$j->{categories}}, map { { %$c, id => "extra$_" } } 1 .. 29;
    is(scalar @{$j->{categories}}, 33, '33 categories written');
    $p = $t->write_file('many.json', JSON::PP->new->encode($j));
    rejects('more categories than the cookie holds', qr/many\.json.*32/,
        http => "consent_keys $keys;\n    consent_policy $p;");
}

rejects('missing policy file', qr/consent_policy: .*none\.json/,
    http => "consent_keys $keys;\n    consent_policy %%TESTDIR%%/none.json;",
    at => 'consent_policy');

# directives

rejects('consent_require: unknown category',
    qr/unknown consent category "stats"/,
    location => 'consent_require analytics stats;',
    at => 'consent_require ');

rejects('consent_require without a policy',
    qr/"consent_require" requires "consent_policy"/,
    http => "consent_keys $keys;", location => 'consent_require analytics;',
    at => 'consent_require ');

rejects('consent_endpoint without keys',
    qr/"consent_endpoint" requires "consent_keys"/,
    http => "consent_policy $policy;",
    at => 'consent_endpoint;');

rejects('consent_require_status out of range',
    qr/invalid status "302"/,
    location => 'consent_require_status 302;',
    at => 'consent_require_status');

rejects('consent_require_status not a number', qr/invalid status "x"/,
    location => 'consent_require_status x;');

rejects('consent_cookie_name with a bad character',
    qr/invalid cookie name "a;b"/,
    server => 'consent_cookie_name "a;b";',
    at => 'consent_cookie_name');

rejects('consent_cookie_domain with a bad character',
    qr/invalid cookie domain "ex ample\.com"/,
    server => 'consent_cookie_domain "ex ample.com";',
    at => 'consent_cookie_domain');

rejects('consent_cookie_secure with a bad value',
    qr/invalid value "maybe"/,
    server => 'consent_cookie_secure maybe;',
    at => 'consent_cookie_secure');

rejects('consent_endpoint with an argument',
    qr/invalid number of arguments in "consent_endpoint"/,
    location => 'consent_endpoint /x;',
    at => 'consent_endpoint /x');

rejects('consent_endpoint at server level',
    qr/"consent_endpoint" directive is not allowed here/,
    server => 'consent_endpoint;',
    at => 'consent_endpoint;');

rejects('two endpoints in one server', qr/one consent endpoint; it is already at "\/prefs\/"/,
    server => 'location /prefs/ { consent_endpoint; }');

rejects('consent_require at server level',
    qr/"consent_require" directive is not allowed here/,
    server => 'consent_require analytics;');

rejects('consent_keys in a location',
    qr/"consent_keys" directive is not allowed here/,
    http => "consent_policy $policy;", location => "consent_keys $keys;",
    at => 'consent_keys');

done_testing();

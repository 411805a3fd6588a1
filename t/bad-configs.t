#!/usr/bin/perl

# Broken configurations, beyond those of t/config.t: key files, policy
# files and directive arguments that nginx -t must refuse, each with a
# message that names the problem and where it is (the key file and its
# line, the policy file and the JSON path or line of the value, the
# nginx.conf line of the directive).

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use Consent::Test;
use JSON::PP;
use MIME::Base64 qw(encode_base64);

my $t = Consent::Test->new();

my $keys = $t->keyfile();
my $policy = $t->policy_file();
my $b64 = encode_base64(join('', map { chr } 0 .. 31), '');

open my $fh, '<', "$FindBin::Bin/../conf/policy.json" or die $!;
my $policy_json = do { local $/; <$fh> };
close $fh;

my $cases = 0;

sub conf {
    my (%a) = @_;
    my $http = $a{http}
        // "consent_keys $a{keys};\n    consent_policy $a{policy};";
    my $server = $a{server} // '';
    my $location = $a{location} // 'consent_endpoint;';
    my $extra = $a{extra} // '';

    return <<"EOF";
http {
    $http

    server {
        listen 127.0.0.1:%%PORT_8080%%;
        $server

        location /consent/ {
            $location
        }
        $extra
    }
}
EOF
}

sub line_of {
    my ($text) = @_;
    open my $c, '<', $t->path('nginx-test.conf') or die $!;
    while (my $l = <$c>) {
        return $. if index($l, $text) >= 0;
    }
    return 0;
}

# refused(what, qr/message/, at => 'text of the nginx.conf line', conf args)
sub refused {
    my ($what, $re, %a) = @_;
    my $at = delete $a{at};
    $a{keys} //= $keys;
    $a{policy} //= $policy;
    $cases++;

    my ($rc, $out) = $t->test_config(conf(%a));
    isnt($rc, 0, "$what: nginx -t fails");
    like($out, $re, "$what: says what and where") or diag($out);
    unlike($out, qr/test is successful/, "$what: not successful");

    if (defined $at) {
        my $n = line_of($at);
        like($out, qr/nginx-test\.conf:$n\b/, "$what: names line $n")
            or diag($out);
    }
}

my ($rc, $out) = $t->test_config(conf(keys => $keys, policy => $policy));
is($rc, 0, 'the good configuration passes') or diag($out);

# ---------------------------------------------------------------------------
# key files: the file, the line, what is wrong

my $n = 0;

sub keyfile_with {
    my ($content, $mode) = @_;
    return $t->write_file('k' . ++$n . '.keys', $content, $mode // 0600);
}

sub bad_keys {
    my ($what, $content, $re, %o) = @_;
    my $k = keyfile_with($content, $o{mode});
    (my $base = $k) =~ s{.*/}{};
    my $msg = $o{noline} ? qr/consent_keys: \S*\Q$base\E: $re/
                         : qr/consent_keys: \S*\Q$base\E:$re/;
    refused("key file: $what", $msg, keys => $k, at => 'consent_keys');
}

my $long = encode_base64('x' x 300, '');
my $short = encode_base64('x' x 31, '');

bad_keys('secret of 300 bytes', "k1 $long\n",
    qr/1: key is (?:300 bytes, at most 256 are allowed|longer than 256 bytes)/);
bad_keys('secret of 31 bytes', "k1 $short\n",
    qr/1: key is 31 bytes, at least 32 are required/);
bad_keys('key id of 9 characters', "k12345678 $b64\n",
    qr/1: invalid key id/);
bad_keys('key id in upper case', "K1 $b64\n", qr/1: invalid key id/);
bad_keys('key id with a dash', "k-1 $b64\n", qr/1: invalid key id/);
bad_keys('mixed base64 alphabets', "k1 " . ($b64 =~ s/^AA/+-/r) . "\n",
    qr/1: secret is not valid base64/);
bad_keys('incomplete padding', "k1 " . ($b64 =~ s/=$/==/r) . "\n",
    qr/1: secret is not valid base64/);
bad_keys('padding in the middle', "k1 AAEC=AwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\n",
    qr/1: secret is not valid base64/);
bad_keys('unused bits not zero', "k1 " . ($b64 =~ s/8=$/9=/r) . "\n",
    qr/1: secret is not valid base64/);
bad_keys('a key without a secret, on line 3', "k1 $b64\n\nk2\n",
    qr/3: key "k2" has no secret/);
bad_keys('a comment after the secret', "k1 $b64 # main\n",
    qr/1: unexpected field after the secret/);
bad_keys('a space inside the secret',
    'k1 ' . substr($b64, 0, 20) . ' ' . substr($b64, 20) . "\n",
    qr/1: /);
bad_keys('duplicate id on line 4', "# keys\nk1 $b64\nk2 $b64\nk1 $b64\n",
    qr/4: duplicate key id "k1"/);
bad_keys('a NUL byte', "k1 $b64\0\n", qr/1: /);
bad_keys('empty file', '', qr/no keys/, noline => 1);
bad_keys('blank lines and CRLF only', "\r\n  \r\n\t\r\n", qr/no keys/,
    noline => 1);
bad_keys('comments only', "# k1 $b64\n#\n", qr/no keys/, noline => 1);
bad_keys('readable by others (0604)', "k1 $b64\n",
    qr/key file is world-readable \(mode 0604\)/, mode => 0604, noline => 1);
bad_keys('larger than 64 KiB', "#" . ('x' x 70000) . "\nk1 $b64\n",
    qr/key file is larger than 65536 bytes/, noline => 1);

{
    my $d = $t->path('keys.d');
    mkdir $d;
    chmod 0700, $d;
    $cases++;
    refused('key file: a directory', qr/consent_keys: \S*keys\.d: not a regular file/,
        keys => $d, at => 'consent_keys');
}

refused('consent_keys with two files',
    qr/invalid number of arguments in "consent_keys" directive/,
    http => "consent_keys $keys $keys;\n    consent_policy $policy;",
    at => 'consent_keys');
refused('consent_keys with no file',
    qr/invalid number of arguments in "consent_keys" directive/,
    http => "consent_keys;\n    consent_policy $policy;",
    at => 'consent_keys');

# ---------------------------------------------------------------------------
# policy files: the file, the JSON path (or line and column)

sub bad_policy {
    my ($what, $edit, $re) = @_;
    my $file = 'p' . ++$n . '.json';
    my $p = ref $edit eq 'CODE'
        ? $t->policy_file(file => $file, modify => $edit)
        : $t->write_file($file, $edit);
    refused("policy: $what", qr/consent_policy: \S*\Q$file\E: $re/,
        policy => $p, at => 'consent_policy');
}

my $cat = sub { my ($i, $k, $v) = @_; sub { $_[0]{categories}[$i]{$k} = $v } };

bad_policy('empty file', '', qr/line \d+, column \d+: /);
bad_policy('an array', '[]', qr/the policy must be a JSON object/);
bad_policy('a duplicate key',
    $policy_json =~ s/"revision": (\d+),/"revision": $1, "revision": $1,/r,
    qr/line \d+, column \d+: duplicate object key/);
bad_policy('invalid UTF-8', $policy_json =~ s/Analytics/Anal\xe9tics/r,
    qr/line \d+, column \d+: unable to decode byte 0xe9/);
bad_policy('UTF-16', join("\0", split //, $policy_json),
    qr/line 1, column \d+: NUL byte/);
bad_policy('larger than 1 MiB', $policy_json . (' ' x (1024 * 1024)),
    qr/the file is larger than 1048576 bytes/);
bad_policy('negative revision', sub { $_[0]{revision} = -1 },
    qr/revision: must be an integer from 0 to 4294967295/);
bad_policy('revision too large', sub { $_[0]{revision} = 4294967296 },
    qr/revision: must be an integer from 0 to 4294967295/);
bad_policy('revision a string', sub { $_[0]{revision} = '1' },
    qr/revision: must be an integer/);
bad_policy('no revision', sub { delete $_[0]{revision} },
    qr/"revision": required/);
bad_policy('max_age 0', sub { $_[0]{max_age} = 0 }, qr/max_age: /);
bad_policy('max_age of 401 days', sub { $_[0]{max_age} = '401d' },
    qr/max_age: must be at most 400 days/);
bad_policy('max_age in weeks', sub { $_[0]{max_age} = '1w' },
    qr/max_age: "1w" is not a duration/);
bad_policy('max_age with an upper-case unit', sub { $_[0]{max_age} = '12H' },
    qr/max_age: "12H" is not a duration/);
bad_policy('max_age with a space', sub { $_[0]{max_age} = '12 h' },
    qr/max_age: "12 h" is not a duration/);
bad_policy('default language without texts',
    sub { $_[0]{default_language} = 'zu' },
    qr/texts: missing the default language "zu"/);
bad_policy('default language not a tag',
    sub { $_[0]{default_language} = 'e_n' }, qr/default_language: /);
bad_policy('text language not a tag',
    sub { $_[0]{texts}{en_US} = { title => 'x' } },
    qr/texts: "en_US" is not a language tag/);
bad_policy('privacy_url protocol-relative',
    sub { $_[0]{privacy_url} = '//evil.example/p' },
    qr/privacy_url: must be an absolute path/);
bad_policy('privacy_url with a quote',
    sub { $_[0]{privacy_url} = '/p"><script>' }, qr/privacy_url: /);
bad_policy('privacy_url javascript:',
    sub { $_[0]{privacy_url} = 'javascript:alert(1)' }, qr/privacy_url: /);
bad_policy('privacy_url empty', sub { $_[0]{privacy_url} = '' },
    qr/privacy_url: /);
bad_policy('no categories', sub { $_[0]{categories} = [] },
    qr/categories: /);
bad_policy('category id in upper case', $cat->(1, id => 'Analytics'),
    qr/categories\[1\]\.id: "Analytics" must be 1 to 32 characters/);
bad_policy('category id of 33 characters', $cat->(1, id => 'a' x 33),
    qr/categories\[1\]\.id: /);
bad_policy('empty category id', $cat->(2, id => ''),
    qr/categories\[2\]\.id: /);
bad_policy('required not a boolean', $cat->(0, required => 'yes'),
    qr/categories\[0\]\.required: must be true or false/);
bad_policy('misspelt key in a category', $cat->(1, requird => JSON::PP::true),
    qr/categories\[1\]\.requird: unknown key/);
bad_policy('GPC on a required category', $cat->(0, gpc => JSON::PP::true),
    qr/categories\[0\]\.gpc: a required category cannot be denied/);
bad_policy('unknown Consent Mode signal',
    $cat->(2, consent_mode => ['foo_storage']),
    qr/categories\[2\]\.consent_mode\[0\]: unknown Google Consent Mode signal "foo_storage"/);
bad_policy('a signal in two categories',
    $cat->(1, consent_mode => ['ad_storage']),
    qr/categories\[\d\]\.consent_mode\[\d\]: signal "ad_storage" already belongs to category/);
bad_policy('alias in upper case', $cat->(2, aliases => ['Stats']),
    qr/categories\[2\]\.aliases\[0\]: "Stats" must be 1 to 32 characters/);
bad_policy('alias equal to its own id', $cat->(2, aliases => ['analytics']),
    qr/categories\[2\]\.aliases\[0\]: "analytics" is the category's own id/);
bad_policy('alias equal to another id', $cat->(2, aliases => ['marketing']),
    qr/categories\[2\]\.aliases\[0\]: "marketing" is the id of category/);
bad_policy('alias in two categories', sub {
        $_[0]{categories}[2]{aliases} = ['stats'];
        $_[0]{categories}[3]{aliases} = ['stats'];
    }, qr/categories\[3\]\.aliases\[0\]: alias "stats" already belongs to category "analytics"/);
bad_policy('33 aliases', $cat->(2, aliases => [ map { "a$_" } 1 .. 33 ]),
    qr/categories\[2\]\.aliases: more than 32 aliases/);
bad_policy('label without the default language',
    $cat->(1, label => { es => 'Preferencias' }),
    qr/categories\[1\]\.label: missing the default language "en"/);
bad_policy('empty label', $cat->(1, label => { en => '' }),
    qr/categories\[1\]\.label/);
bad_policy('no description', sub { delete $_[0]{categories}[1]{description} },
    qr/categories\[1\]: missing "description"/);
bad_policy('a text over 4096 bytes',
    sub { $_[0]{texts}{en}{message} = 'x' x 4097 }, qr/texts\.en\.message: /);
bad_policy('misspelt text key', sub { $_[0]{texts}{es}{titel} = 'x' },
    qr/texts\.es\.titel: unknown text key/);
bad_policy('a text not a string', sub { $_[0]{texts}{en}{title} = 1 },
    qr/texts\.en\.title: /);
bad_policy('rule on a required category',
    sub { $_[0]{rules}[0]{category} = 'necessary' },
    qr/rules\[0\]\.category: "necessary" is a required category/);
bad_policy('rule without patterns',
    sub { push @{ $_[0]{rules} }, { category => 'analytics' } },
    qr/rules\[\d+\]: needs at least one of "hosts", "urls" or "inline"/);
bad_policy('a wildcard host', sub { $_[0]{rules}[0]{hosts}[0] = '*.hotjar.com' },
    qr/rules\[0\]\.hosts\[0\]: "\*\.hotjar\.com": write the host without/);
bad_policy('a URL as a host',
    sub { $_[0]{rules}[0]{hosts}[1] = 'https://example.com/x.js' },
    qr/rules\[0\]\.hosts\[1\]: "https:\/\/example\.com\/x\.js" is a URL/);
bad_policy('a host starting with a dot',
    sub { $_[0]{rules}[0]{hosts}[0] = '.example.com' },
    qr/rules\[0\]\.hosts\[0\]: /);
bad_policy('a host with a space', sub { $_[0]{rules}[0]{hosts}[0] = 'a b.com' },
    qr/rules\[0\]\.hosts\[0\]: /);
bad_policy('an empty URL pattern', sub { $_[0]{rules}[0]{urls}[0] = '' },
    qr/rules\[0\]\.urls\[0\]: /);
bad_policy('an inline pattern of 257 bytes',
    sub { $_[0]{rules}[0]{inline}[0] = 'x' x 257 },
    qr/rules\[0\]\.inline\[0\]: /);
bad_policy('misspelt key in a rule', sub { $_[0]{rules}[0]{host} = ['x.com'] },
    qr/rules\[0\]\.host: unknown key/);
bad_policy('a cookie name with a space', $cat->(2, cookies => ['_g a']),
    qr/categories\[2\]\.cookies\[0\]: "_g a" is not a cookie name/);
bad_policy('a star inside a cookie pattern',
    $cat->(2, cookies => ['_ga', { name => '_g*a' }]),
    qr/categories\[2\]\.cookies\[1\]\.name: "_g\*a": "\*" may only end a name/);
bad_policy('a lone star as a cookie pattern', $cat->(3, cookies => ['*']),
    qr/categories\[3\]\.cookies\[0\]: "\*" alone would cover every cookie/);
bad_policy('a cookie in two categories',
    sub { push @{ $_[0]{categories}[3]{cookies} }, '_ga' },
    qr/categories\[3\]\.cookies\[\d+\]: "_ga" is already declared in category "analytics"/);
bad_policy('a misspelt cookie key',
    $cat->(2, cookies => [{ name => '_ga', expiry => '2y' }]),
    qr/categories\[2\]\.cookies\[0\]\.expiry: unknown key/);
bad_policy('a cookie\'s max_age in words',
    $cat->(2, cookies => [{ name => '_ga', max_age => '2 years' }]),
    qr/categories\[2\]\.cookies\[0\]\.max_age: "2 years" is not a duration/);
bad_policy('a negative cookie max_age',
    $cat->(2, cookies => [{ name => '_ga', max_age => -5 }]),
    qr/categories\[2\]\.cookies\[0\]\.max_age: must not be negative/);
bad_policy('rules not an array', sub { $_[0]{rules} = {} }, qr/rules: /);

{
    my $d = $t->path('policy.d');
    mkdir $d;
    $cases++;
    refused('policy: a directory', qr/consent_policy: \S*policy\.d/,
        policy => $d, at => 'consent_policy');
}

refused('consent_policy with two files',
    qr/invalid number of arguments in "consent_policy" directive/,
    http => "consent_keys $keys;\n    consent_policy $policy $policy;",
    at => 'consent_policy');

# ---------------------------------------------------------------------------
# directive arguments, each with the nginx.conf line

my %d = (
    'consent_cookie_name ""' => qr/"consent_cookie_name" directive must be 1 to 64 characters long/,
    'consent_cookie_name ' . ('c' x 65) => qr/"consent_cookie_name" directive must be 1 to 64 characters long/,
    "consent_cookie_name c\xc3\xb6nsent" => qr/invalid cookie name/,
    'consent_cookie_name "a b"' => qr/invalid cookie name "a b"/,
    'consent_cookie_name a=b' => qr/invalid cookie name "a=b": character '=' is not allowed/,
    'consent_cookie_domain ""' => qr/"consent_cookie_domain" directive must be a domain name/,
    'consent_cookie_domain ' . ('a' x 254) => qr/consent_cookie_domain/,
    'consent_cookie_domain exa_mple.com' => qr/invalid cookie domain "exa_mple\.com"/,
    'consent_cookie_domain "example.com;x"' => qr/invalid cookie domain/,
    'consent_cookie_secure' => qr/invalid number of arguments in "consent_cookie_secure"/,
    'consent_cookie_secure on off' => qr/invalid number of arguments in "consent_cookie_secure"/,
    'consent maybe' => qr/invalid value "maybe" in "consent" directive/,
    'consent_cache_private yes' => qr/invalid value "yes" in "consent_cache_private" directive/,
    'consent_manage_button 1' => qr/invalid value "1" in "consent_manage_button" directive/,
    'consent_banner_position left' => qr/invalid value "left" in "consent_banner_position" directive, it must be "bottom", "top" or "center"/,
    'consent_banner_position' => qr/invalid number of arguments in "consent_banner_position"/,
    'consent_csp_nonce' => qr/invalid number of arguments in "consent_csp_nonce"/,
    'consent_tag_max 100' => qr/consent_tag_max/,
    'consent_tag_max 2m' => qr/consent_tag_max/,
    'consent_tag_max lots' => qr/"consent_tag_max" directive invalid value/,
    'consent_types' => qr/invalid number of arguments in "consent_types"/,
    'consent_log_ip maybe' => qr/invalid value "maybe"/,
    'consent_log' => qr/invalid number of arguments in "consent_log"/,
    'consent_log syslog:server=' => qr/syslog|server/,
    'consent_require_status 600' => qr/invalid status "600"/,
    'consent_require_status 399' => qr/invalid status "399"/,
    'consent_require_status 200' => qr/invalid status "200"/,
    'consent_unknown_cookies stats' => qr/invalid value "stats" in "consent_unknown_cookies" directive, it must be "pass", "strip" or a category of the policy/,
    'consent_unknown_cookies' => qr/invalid number of arguments in "consent_unknown_cookies"/,
    'consent_request_cookies drop' => qr/invalid value "drop"/,
    'consent_strip_cookies 1' => qr/invalid value "1" in "consent_strip_cookies" directive/,
    'consent_expire_cookies yes' => qr/invalid value "yes" in "consent_expire_cookies" directive/,
);

refused('consent_inventory without a zone',
    qr/"consent_inventory" requires "consent_inventory_zone" in \S+:\d+/,
    location => 'consent_endpoint; }  location /inv { consent_inventory;',
    at => 'consent_inventory;');
refused('consent_inventory_zone too small',
    qr/invalid size "4k" in "consent_inventory_zone": at least 32768/,
    http => "consent_keys $keys;\n    consent_policy $policy;\n"
        . "    consent_inventory_zone 4k;", at => 'consent_inventory_zone');
refused('consent_inventory_zone in a server',
    qr/"consent_inventory_zone" directive is not allowed here/,
    server => 'consent_inventory_zone 1m;', at => 'consent_inventory_zone');

for my $line (sort keys %d) {
    refused("server { $line; }", $d{$line}, server => "$line;",
        at => $t->expand("$line;"));
}

# nginx checks variables once the whole configuration is read: no line
refused('consent_csp_nonce with an unknown variable',
    qr/unknown "no_such_variable" variable/,
    server => 'consent_csp_nonce $no_such_variable;');

# opened after the configuration is read, as nginx's own logs: the
# message names the file, not the line
refused('consent_log in a missing directory',
    qr/open\(\) "\S*no\/such\/dir\/consent\.log" failed \(2: No such file or directory\)/,
    server => 'consent_log %%TESTDIR%%/no/such/dir/consent.log;');

refused('consent_require with no category',
    qr/invalid number of arguments in "consent_require"/,
    location => 'consent_endpoint; }  location /c { consent_require;',
    at => 'consent_require;');
refused('consent_require of a category in upper case',
    qr/unknown consent category "Analytics"/,
    location => 'consent_endpoint; }  location /c { consent_require Analytics;',
    at => 'consent_require Analytics');
refused('consent_require of an alias', qr/unknown consent category "statistics"/,
    location => 'consent_endpoint; }  location /c { consent_require statistics;',
    at => 'consent_require statistics');
refused('consent_require in http',
    qr/"consent_require" directive is not allowed here/,
    http => "consent_keys $keys;\n    consent_policy $policy;\n"
        . "    consent_require analytics;", at => 'consent_require');
refused('consent_endpoint in a regex location',
    qr/"consent_endpoint" directive must be in a prefix or exact location/,
    location => 'consent_endpoint; }  location ~ ^/prefs { consent_endpoint;',
    at => 'location ~ ^/prefs');
refused('consent_endpoint in a named location',
    qr/"consent_endpoint" directive must be in a prefix or exact location/,
    location => 'consent_endpoint; }  location @prefs { consent_endpoint;',
    at => 'location @prefs');
refused('consent_endpoint without a policy',
    qr/"consent_endpoint" requires "consent_policy"/,
    http => "consent_keys $keys;", at => 'consent_endpoint;');
refused('consent_cookie_name in a location',
    qr/"consent_cookie_name" directive is not allowed here/,
    location => 'consent_endpoint; consent_cookie_name x;',
    at => 'consent_cookie_name');
refused('consent_log in a location',
    qr/"consent_log" directive is not allowed here/,
    location => 'consent_endpoint; consent_log off;', at => 'consent_log');
refused('consent_policy inside if',
    qr/"consent_policy" directive is not allowed here/,
    location => "consent_endpoint; if (\$arg_x) { consent_policy $policy; }",
    at => 'if (');

ok($cases >= 50, "$cases broken configurations");

done_testing();

#!/usr/bin/perl

# consent-audit keygen: the key file it writes (format, mode 0600 whatever
# the umask), that nginx takes it and signs with it, that it never
# overwrites a file, and its usage errors.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use File::Temp qw(tempdir);
use MIME::Base64 qw(decode_base64);
use Digest::SHA ();
use POSIX ();

use Consent::Test;
use Consent::Token;

my $BUILD = $ENV{CONSENT_BUILD} // "$FindBin::Bin/../build";
my $BIN = "$BUILD/consent-audit";

BAIL_OUT("$BIN is not built: run make") unless -x $BIN;

my $dir = tempdir('consent-keygen-XXXXXXXX', TMPDIR => 1, CLEANUP => 1);

# runs the tool; returns (exit status, stdout, stderr)
sub keygen {
    my (@args) = @_;
    my $out = "$dir/out";
    my $err = "$dir/err";
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        open STDOUT, '>', $out or POSIX::_exit(99);
        open STDERR, '>', $err or POSIX::_exit(99);
        exec($BIN, 'keygen', @args) or POSIX::_exit(98);
    }
    waitpid $pid, 0;
    my $rc = $? >> 8;
    return ($rc, slurp($out), slurp($err));
}

sub slurp {
    my ($f) = @_;
    open my $fh, '<', $f or return '';
    local $/;
    return scalar <$fh>;
}

sub mode { (stat $_[0])[2] & 07777 }

# the format of docs/cookie-format.md#key-file, and 32 bytes
sub check_line {
    my ($line, $kid, $name) = @_;
    like($line, qr{\A\Q$kid\E [A-Za-z0-9+/]{43}=\n\z}, "$name: KID SECRET");
    my ($secret) = $line =~ /^\S+ (\S+)$/m;
    is(length(decode_base64($secret // '')), 32, "$name: 32 bytes");
    return $secret;
}

# --- a new file, with a loose umask and with a strict one --------------

my $old = umask 0;
my ($rc, $out, $err) = keygen("$dir/a.keys");
umask $old;
is($rc, 0, 'writes a new file');
ok(-f "$dir/a.keys", 'the file exists');
is(sprintf('%04o', mode("$dir/a.keys")), '0600', 'mode 0600 with umask 0');
my $ka = check_line(slurp("$dir/a.keys"), 'k1', 'default kid');
is($out, '', 'nothing on stdout');
like($err, qr/wrote .*a\.keys/, 'says what it wrote');

$old = umask 077;
($rc) = keygen('--kid', 'k2', "$dir/b.keys");
umask $old;
is($rc, 0, '--kid k2');
is(sprintf('%04o', mode("$dir/b.keys")), '0600', 'mode 0600 with umask 077');
my $kb = check_line(slurp("$dir/b.keys"), 'k2', '--kid k2');
isnt($ka, $kb, 'two keys differ');

($rc) = keygen('--kid=abc12345', "$dir/c.keys");
is($rc, 0, '--kid=VALUE, 8 characters');
check_line(slurp("$dir/c.keys"), 'abc12345', '--kid=abc12345');

# --- never overwrites ------------------------------------------------------

my $before = slurp("$dir/a.keys");
($rc, $out, $err) = keygen("$dir/a.keys");
is($rc, 1, 'an existing file: exit 1');
like($err, qr/a\.keys exists, left as it is/, 'says why');
is(slurp("$dir/a.keys"), $before, 'the file is unchanged');

symlink "$dir/target", "$dir/link" or die "symlink: $!";
($rc) = keygen("$dir/link");
is($rc, 1, 'a symbolic link (even dangling) is not followed');
ok(!-e "$dir/target", 'nothing written through the link');

# --- standard output -------------------------------------------------------

($rc, $out) = keygen('--kid', 'k9', '-');
is($rc, 0, '"-": standard output');
check_line($out, 'k9', 'stdout');

# --- usage -----------------------------------------------------------------

for my $case (
    [[], 'no FILE given'],
    [['--kid'], '--kid needs a value'],
    [['--kid', 'K1', "$dir/x"], 'not 1 to 8 characters'],
    [['--kid', 'abcdefghi', "$dir/x"], 'not 1 to 8 characters'],
    [['--kid', '', "$dir/x"], 'not 1 to 8 characters'],
    [['--bits', '128', "$dir/x"], 'unknown option'],
    [["$dir/x", "$dir/y"], 'one FILE only'],
) {
    my ($args, $re) = @$case;
    ($rc, $out, $err) = keygen(@$args);
    is($rc, 2, "usage: @$args");
    like($err, qr/\Q$re\E/, "usage: @$args: message");
}
ok(!-e "$dir/x", 'no file written on a usage error');

($rc, $out) = keygen('--help');
is($rc, 0, '--help');
like($out, qr/usage: consent-audit keygen/, '--help text');

($rc, $out) = keygen("$dir/no/such/dir/k");
is($rc, 3, 'a directory that does not exist: I/O error');

# --- nginx takes it and signs with it --------------------------------------

my $t = Consent::Test->new();
my $keys = $t->path('gen.keys');
($rc) = keygen($keys);
is($rc, 0, 'a key file in the test prefix');
my $policy = $t->policy_file();

$t->config(<<"EOF");
http {
    consent_keys $keys;
    consent_policy $policy;

    server {
        listen 127.0.0.1:%%PORT_8080%%;
        location /consent/ { consent_endpoint; }
    }
}
EOF

my ($code, $text) = $t->test_config();
is($code, 0, 'nginx -t accepts the key file') or diag($text);

$t->run();
my $r = $t->http(method => 'POST', uri => '/consent/',
    body => '{"action":"reject_all"}',
    headers => ['Content-Type' => 'application/json']);
is($r->status, 200, 'a choice is recorded');
my $cookie = cookie_value($r, 'consent') // '';
like($cookie, qr/^1\.k1\./, 'the cookie is signed with k1');

# the MAC, recomputed in Perl from the secret in the file
my $secret = Consent::Token::secret_from_keyfile_line(slurp($keys));
my ($value, $mac) = $cookie =~ /^(.*)\.([^.]+)$/;
my $key = Consent::Token::hkdf($secret, 'ngx_http_consent cookie v1', 32);
is($mac // '', Consent::Token::b64url(Digest::SHA::hmac_sha256(
    "ngx_http_consent cookie v1\0consent\0" . ($value // ''), $key)),
    'its MAC is made with the generated secret');

done_testing();

#!/usr/bin/perl

# The Debian packages on this machine's own nginx: make deb builds them
# (lintian-clean), dpkg -i installs them, the module is enabled through
# /etc/nginx/modules-enabled/ and "nginx -t" passes, an nginx of its own
# (a free loopback port, its own prefix, the system's modules-enabled)
# serves a page with the banner, the logrotate snippet rotates the audit
# log with a reopen checkpoint, the man pages are there; apt-get remove
# leaves an nginx whose "nginx -t" passes, and a purge leaves nothing.
#
# It installs and removes packages: it runs only as root with
# CONSENT_DEB_TEST=1 or CI=true (.ci/run), on a Debian nginx that is not
# running as a service, and where the packages are not installed already.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use File::Temp qw(tempdir);
use Cwd qw(abs_path);
use Time::HiRes qw(sleep time);

use Consent::Test;

my $REPO = abs_path("$FindBin::Bin/..");
my @PKGS = qw(libnginx-mod-http-consent consent-audit);
my $LINK = '/etc/nginx/modules-enabled/50-mod-http-consent.conf';
my $AVAILABLE = '/usr/share/nginx/modules-available/mod-http-consent.conf';
my $SO = '/usr/lib/nginx/modules/ngx_http_consent_module.so';
my $DOC = '/usr/share/doc/libnginx-mod-http-consent';
my $ROTATE = '/etc/logrotate.d/libnginx-mod-http-consent';

sub installed {
    my ($p) = @_;
    my $s = `dpkg-query -W -f='\${Status}' $p 2>/dev/null`;
    return $s =~ /install ok installed/;
}

sub status_of {
    my ($p) = @_;
    my $s = `dpkg-query -W -f='\${db:Status-Abbrev}' $p 2>/dev/null`;
    $s =~ s/\s+$//;
    return $s;
}

sub nginx_running {
    open my $fh, '<', '/run/nginx.pid' or return 0;
    my $pid = <$fh> // '';
    chomp $pid;
    return $pid =~ /^\d+$/ && kill(0, $pid);
}

# the reasons not to run, in the order they are checked
if (!$ENV{CONSENT_DEB_TEST} && ($ENV{CI} // '') ne 'true') {
    plan skip_all => 'installs Debian packages: set CONSENT_DEB_TEST=1 '
        . '(as root; .ci/run sets CI=true)';
}
plan skip_all => 'installs Debian packages: run as root' if $> != 0;
plan skip_all => "Debian's nginx is not installed (apt-get install nginx)"
    unless installed('nginx') && -x '/usr/sbin/nginx';
plan skip_all => 'the system nginx is running (/run/nginx.pid): the '
    . 'packages would reload it; stop it to run this test'
    if nginx_running();
for my $p (@PKGS) {
    plan skip_all => "$p is installed already: this test would remove it"
        if status_of($p) ne '' && status_of($p) !~ /^un/;
}

my $dir = tempdir('consent-deb-XXXXXXXX', TMPDIR => 1, CLEANUP => 1);
chmod 0755, $dir;

# commands, their output in $dir/cmd.log; returns (exit status, output)
sub run {
    my (@cmd) = @_;
    my $start = time;
    my $out = `@cmd 2>&1`;
    my $rc = $? >> 8;
    note(sprintf('%.1f s: %s', time - $start, "@cmd"));
    open my $fh, '>>', "$dir/cmd.log";
    print {$fh} "\$ @cmd\n$out(exit $rc)\n";
    return ($rc, $out);
}

my $purged = 0;

sub purge {
    return if $purged++;
    run('dpkg', '--purge', @PKGS);
}

END {
    # whatever failed, the machine is left as it was
    purge() if $dir;
}

$ENV{DEBIAN_FRONTEND} = 'noninteractive';

# --- build ----------------------------------------------------------------

my ($rc, $out) = run('make', '-C', $REPO, '--no-print-directory', 'deb',
    "DEB_OUT=$dir");
is($rc, 0, 'make deb builds the packages, lintian finds no error')
    or diag($out);
my ($mod) = glob("$dir/libnginx-mod-http-consent_*.deb");
my ($tools) = glob("$dir/consent-audit_*.deb");
ok($mod && $tools, 'two packages') or BAIL_OUT('no packages built');

my $deps = `dpkg-deb -f $mod Depends`;
my $abi = `dpkg-query -W -f='\${Provides}' nginx`;
my ($nginx_abi) = $abi =~ /(nginx-abi-[\w.-]+)/;
like($deps, qr/(^|, )\Q$nginx_abi\E(,|$)/m,
    "the module depends on $nginx_abi, which the installed nginx provides");

# --- install --------------------------------------------------------------

($rc, $out) = run('dpkg', '-i', $mod, $tools);
is($rc, 0, 'dpkg -i installs both') or diag($out);
ok(installed($_), "$_ is installed") for @PKGS;

ok(-f $SO, "the module is in /usr/lib/nginx/modules/");
is(readlink($LINK), $AVAILABLE,
    'enabled: modules-enabled/50-mod-http-consent.conf links to '
    . 'modules-available');
is(do { local (@ARGV, $/) = $AVAILABLE; <> },
    "load_module modules/ngx_http_consent_module.so;\n",
    'mod-http-consent.conf loads the module');
ok(-f "$DOC/examples/policy.json" && -f "$DOC/examples/nginx.conf",
    'the example policy.json and nginx.conf');
ok(-x '/usr/bin/consent-audit' && -x '/usr/bin/consent-filter',
    '/usr/bin/consent-audit and /usr/bin/consent-filter');

my @log_dir = stat '/var/log/nginx/consent';
ok(@log_dir && ($log_dir[2] & 07777) == 0750,
    '/var/log/nginx/consent/ exists, mode 0750');

# manual pages: dpkg may be told not to install them (a minimal image)
SKIP: {
    my $excluded = `grep -rhs '^path-exclude.*/usr/share/man' \\
        /etc/dpkg/dpkg.cfg /etc/dpkg/dpkg.cfg.d/`;
    skip("dpkg is configured not to install manual pages: $excluded", 2)
        if $excluded =~ /\S/;
    for my $page (qw(consent-audit consent-filter)) {
        ($rc, $out) = run("MANWIDTH=80 man $page | col -b");
        like($out, qr/^NAME\s+\Q$page\E/m, "man $page");
    }
}

($rc, $out) = run('nginx', '-t');
is($rc, 0, 'nginx -t passes with the module enabled') or diag($out);

# --- an nginx of its own, loading the module through modules-enabled -----

my $t = Consent::Test->new(module => 0, nginx => '/usr/sbin/nginx');
# load_module's relative path is taken from the prefix: Debian's prefix
# /usr/share/nginx has this link too
symlink '/usr/lib/nginx/modules', $t->path('modules')
    or die "symlink: $!";
my $keys = $t->path('consent.keys');
($rc, $out) = run('/usr/bin/consent-audit', 'keygen', $keys);
is($rc, 0, 'consent-audit keygen writes the key file') or diag($out);
my $logdir = $t->path('log');
mkdir $logdir;

$t->config(<<"EOF");
include /etc/nginx/modules-enabled/*.conf;

events { }

http {
    consent_keys $keys;
    consent_policy $DOC/examples/policy.json;
    consent_log $logdir/consent.log;

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location / {
            consent on;
            default_type text/html;
            return 200 "<!doctype html><html><head><title>t</title></head><body><p>page</p></body></html>";
        }

        location /consent/ { consent_endpoint; }
    }
}
EOF

$t->run();
my $r = $t->http(uri => '/');
is($r->status, 200, 'a page');
like($r->body, qr/<p>page<\/p>/, 'its content');
like($r->body, qr/<body><div id="consent-banner" role="dialog"/,
    'with the banner, right after <body>');

$r = $t->http(method => 'POST', uri => '/consent/',
    body => '{"action":"accept_all"}',
    headers => ['Content-Type' => 'application/json']);
is($r->status, 200, 'a choice is recorded');

# --- the logrotate snippet, on this nginx's log -----------------------------

SKIP: {
    skip('logrotate is not installed', 7) unless -x '/usr/sbin/logrotate';

    ($rc, $out) = run('logrotate', '-d', $ROTATE);
    is($rc, 0, "logrotate reads $ROTATE") or diag($out);

    # the same stanza on this test's directory; the signal goes to this
    # nginx instead of the system's
    my $conf = do { local (@ARGV, $/) = $ROTATE; <> };
    my $pid = $t->pid;
    $conf =~ s{/var/log/nginx/consent/}{$logdir/}g;
    $conf =~ s{invoke-rc\.d nginx rotate[^\n]*}{kill -USR1 $pid}g;
    $t->write_file('logrotate.conf', $conf);

    ($rc, $out) = run('logrotate', '-f', '-s', $t->path('logrotate.state'),
        $t->path('logrotate.conf'));
    is($rc, 0, 'logrotate -f rotates the audit log') or diag($out);
    my @old = glob("$logdir/consent.log-*");
    my $old = '';
    # the workers write their checkpoint when they get the signal
    for (1 .. 50) {
        $old = do { local (@ARGV, $/) = $old[0]; <> } if @old;
        last if $old =~ /"reason":"reopen"/;
        sleep 0.1;
    }

    is(scalar(@old), 1, 'one rotated file, named consent.log-DATE-SECONDS');
    my @st = stat "$logdir/consent.log";
    is(sprintf('%04o', ($st[2] // 0) & 07777), '0640',
        'the new file is created with mode 0640');

    # a second choice goes to the new file
    $t->http(method => 'POST', uri => '/consent/',
        body => '{"action":"reject_all"}',
        headers => ['Content-Type' => 'application/json']);

    like($old, qr/"type":"checkpoint".*"reason":"reopen"/,
        'the rotated file ends with a reopen checkpoint');

    ($rc, $out) = run('/usr/bin/consent-audit', 'verify', '--keys', $keys,
        @old, "$logdir/consent.log");
    is($rc, 0, 'consent-audit verify: the rotated file and the new one '
        . 'make one intact log') or diag($out);
}

$t->stop;

# --- remove ------------------------------------------------------------------

($rc, $out) = run('apt-get', 'remove', '-y', '-q', @PKGS);
is($rc, 0, 'apt-get remove') or diag($out);
ok(!installed($_), "$_ is removed") for @PKGS;
ok(!-e $SO, 'the module is gone');
ok(!-e $LINK, 'modules-enabled no longer loads it');

($rc, $out) = run('nginx', '-t');
is($rc, 0, 'nginx -t passes after the removal') or diag($out);

purge();
ok(!-e "$LINK.removed" && !-e $ROTATE,
    'after a purge, nothing is left in /etc');

done_testing();

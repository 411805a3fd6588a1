package Consent::Browser;

# The browser tests' side in Perl: checks that Chromium, node and the npm
# packages are there (a missing one fails the test with what to install;
# CONSENT_SKIP_BROWSER=1 skips instead), starts nginx (Consent::Test)
# with the test sites, runs a node script (t/browser/*.mjs) that drives
# Chromium, and passes each of its TAP assertions on as a test of this
# file, so prove counts them and the error.log check comes after them.
#
#   my $b = Consent::Browser->new;          # plans skip_all or fails early
#   $b->start;                              # nginx with every site
#   $b->run_node('first-visit.mjs');        # the node script's assertions
#   done_testing();
#
# The sites (one nginx, one server each, all on 127.0.0.1):
#   fixture  t/browser/site/ (trackers in a known order),
#            consent_manage_button on
#   demo     conf/demo/, as conf/demo.conf.in serves it
#   csp      t/browser/site/ with Content-Security-Policy
#            "default-src 'self'; script-src 'self'; style-src 'self'"
#   nonce    t/browser/site/ with a per-request nonce ($request_id) in the
#            CSP header, consent_csp_nonce and SSI (csp-nonce.html echoes
#            the nonce into its own scripts)
# Every server logs choices to <prefix>/consent.log (consent_log).

use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Find ();
use File::Spec;
use JSON::PP ();
use POSIX ();
use Test::More;

use Consent::Test;

our $CHROMIUM = $ENV{CONSENT_CHROMIUM} || '/usr/bin/chromium';
our $NODE     = $ENV{NODE} || 'node';
our $REPO     = $Consent::Test::REPO;
our $TIME_LIMIT = $ENV{CONSENT_BROWSER_TIMEOUT} || 600;

sub new {
    my ($class, %o) = @_;

    if ($ENV{CONSENT_SKIP_BROWSER}) {
        plan skip_all => 'CONSENT_SKIP_BROWSER is set';
    }

    my @missing;
    push @missing, "$CHROMIUM is missing: install Debian's chromium "
        . "(apt-get install chromium, or make deps as root), or set "
        . "CONSENT_SKIP_BROWSER=1 to skip the browser tests"
        unless -x $CHROMIUM;
    my $v = `$NODE --version 2>/dev/null` // '';
    if ($v !~ /^v(\d+)\./) {
        push @missing, "node is not installed (NODE=$NODE): install "
            . "Node.js 20 or later";
    } elsif ($1 < 20) {
        push @missing, "node $v is too old: playwright-core needs 20 or later";
    }
    for my $pkg (qw(playwright-core axe-core)) {
        push @missing, "node_modules/$pkg is missing: run \"npm ci\" in $REPO"
            unless -f "$REPO/node_modules/$pkg/package.json";
    }
    if (@missing) {
        ok(0, 'Chromium, node and the npm packages of the browser tests '
            . 'are installed');
        diag($_) for @missing;
        done_testing();
        exit 1;
    }

    my $self = bless { t => Consent::Test->new, %o }, $class;
    return $self;
}

sub t { $_[0]{t} }

# copies a directory tree into the test prefix, so that nginx's workers
# (nobody, when the tests run as root) can read it wherever the checkout is
sub _copy_tree {
    my ($self, $from, $to) = @_;
    my $t = $self->{t};
    File::Find::find({ no_chdir => 1, wanted => sub {
        return unless -f $_;
        my $rel = File::Spec->abs2rel($_, $from);
        open my $fh, '<', $_ or die "read $_: $!";
        binmode $fh;
        local $/;
        my $data = <$fh>;
        close $fh;
        $t->write_file("$to/$rel", $data);
    } }, $from);
}

# is this directive known to the module that was built? (nginx -t on a
# small config that uses it; an unknown directive is [emerg])
sub directive_known {
    my ($self, $line) = @_;
    my $t = $self->{t};
    my ($rc, $out) = $t->test_config(<<"EOF");
http {
    consent_keys $self->{keys};
    consent_policy $self->{policy};
    server {
        listen 127.0.0.1:%%PORT_8099%%;
        set \$cspnonce \$request_id;
        $line
        location /consent/ { consent_endpoint; }
    }
}
EOF
    return $out !~ /unknown directive/;
}

sub start {
    my ($self, %o) = @_;
    my $t = $self->{t};

    $self->{keys} = $t->keyfile;
    $self->{policy} = $t->policy_file(%{ $o{policy} || {} });
    $self->_copy_tree("$REPO/t/browser/site", 'site');
    $self->_copy_tree("$REPO/conf/demo", 'demo');

    my $keys = $self->{keys};
    my $policy = $self->{policy};

    # the nonce site needs consent_csp_nonce; without it (a module that
    # lacks the directive) the site runs without it and the test says so
    my $nonce_directive = $self->directive_known('consent_csp_nonce $cspnonce;')
        ? 'consent_csp_nonce $cspnonce;' : '';
    $self->{nonce_directive} = $nonce_directive ? 1 : 0;
    my $manage = 'consent_manage_button on;';

    my $csp_self = q{"default-src 'self'; script-src 'self'; style-src 'self'"};
    my $csp_nonce = q{"default-src 'self'; script-src 'nonce-$cspnonce'; }
        . q{style-src 'nonce-$cspnonce'"};

    $t->config(<<"EOF");
http {
    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;
    charset       utf-8;

    consent_keys    $keys;
    consent_policy  $policy;
    consent_log     %%TESTDIR%%/consent.log;

    # the fixture: trackers in a known order
    server {
        listen       127.0.0.1:%%PORT_8080%%;
        server_name  fixture;
        root         %%TESTDIR%%/site;
        index        index.html;

        consent on;
        $manage

        location /consent/ { consent_endpoint; }
        location / { try_files \$uri \$uri.html \$uri/ =404; }
    }

    # the demo site, served as conf/demo.conf.in serves it
    server {
        listen       127.0.0.1:%%PORT_8081%%;
        server_name  demo;
        root         %%TESTDIR%%/demo;
        index        index.html;

        consent on;
        $manage

        location /consent/ { consent_endpoint; }
        location = /collect {
            consent_require  analytics;
            empty_gif;
        }
        location / { try_files \$uri \$uri.html \$uri/ =404; }
    }

    # a strict Content-Security-Policy: this site's own files only
    server {
        listen       127.0.0.1:%%PORT_8082%%;
        server_name  csp;
        root         %%TESTDIR%%/site;

        consent on;
        $manage
        add_header Content-Security-Policy $csp_self always;

        location /consent/ { consent_endpoint; }
        location / { try_files \$uri \$uri.html \$uri/ =404; }
    }

    # a per-request nonce in the policy, given to the module and to SSI
    server {
        listen       127.0.0.1:%%PORT_8083%%;
        server_name  nonce;
        root         %%TESTDIR%%/site;

        set \$cspnonce \$request_id;
        consent on;
        $manage
        $nonce_directive
        ssi on;
        add_header Content-Security-Policy $csp_nonce always;

        location /consent/ { consent_endpoint; }
        location / { try_files \$uri \$uri.html \$uri/ =404; }
    }
}
EOF
    $t->run;
    return $self;
}

sub settings {
    my ($self) = @_;
    my $t = $self->{t};
    my $u = sub { 'http://127.0.0.1:' . $t->port($_[0]) };
    return {
        fixture => $u->(8080),
        demo    => $u->(8081),
        csp     => $u->(8082),
        nonce   => $u->(8083),
        nonce_directive => $self->{nonce_directive} ? JSON::PP::true
                                                    : JSON::PP::false,
        log     => $t->path('consent.log'),
        policy  => $self->{policy},
        repo    => $REPO,
        chromium => $CHROMIUM,
    };
}

# runs t/browser/SCRIPT with the settings as JSON and passes its TAP on:
# "ok"/"not ok" lines become tests of this file; the "# " lines right
# after a "not ok" (what it got and expected) are diagnostics, the other
# ones notes; its standard error goes to ours. A script
# that exits non-zero with no failed assertion fails one more test.
sub run_node {
    my ($self, $script, %extra) = @_;
    my $path = "$REPO/t/browser/$script";
    my $json = JSON::PP->new->canonical->encode({ %{ $self->settings }, %extra });

    my $pid = open(my $fh, '-|');
    die "fork: $!" unless defined $pid;
    if ($pid == 0) {
        POSIX::setpgid(0, 0);
        chdir $REPO;
        open STDIN, '<', '/dev/null';
        $ENV{PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD} = 1;
        exec($NODE, $path, $json) or print "not ok 1 - exec $NODE: $!\n";
        POSIX::_exit(127);
    }

    my ($seen, $bad, $failing) = (0, 0, 0);
    my $timed_out = 0;
    local $SIG{ALRM} = sub {
        $timed_out = 1;
        kill 'KILL', -$pid;
        kill 'KILL', $pid;
    };
    alarm $TIME_LIMIT;
    while (my $line = <$fh>) {
        chomp $line;
        if ($line =~ /^(not )?ok\b\s*\d*\s*(?:-\s*)?(.*)$/) {
            my ($not, $rest) = ($1, $2);
            $seen++;
            if ($rest =~ s/\s+# SKIP\s*(.*)$//i) {
                my $why = $1;
                SKIP: { skip("$rest: $why", 1); }
                next;
            }
            $rest =~ s/\\#/#/g;
            $bad++ if $not;
            $failing = $not ? 1 : 0;
            ok(!$not, $rest);
        } elsif ($failing && $line =~ /^#   (.*)$/) {
            diag($1);
        } elsif ($line =~ /^#\s?(.*)$/) {
            $failing = 0;
            note($1);
        } elsif ($line =~ /^Bail out!\s*(.*)$/) {
            $bad++;
            ok(0, "node script bailed out: $1");
        } elsif ($line =~ /^1\.\.\d+/) {
            # the plan is ours
        } elsif (length $line) {
            note($line);
        }
    }
    alarm 0;
    close $fh;
    my $st = $?;
    if ($timed_out) {
        ok(0, "$script finished within $TIME_LIMIT s");
    } elsif ($st != 0 && !$bad) {
        ok(0, "$script exited cleanly (status " . ($st >> 8)
            . ($st & 127 ? ", signal " . ($st & 127) : '') . ')');
    }
    ok(0, "$script made at least one assertion") unless $seen;
    return !$bad;
}

1;

package Consent::Test;

# Test harness for ngx_http_consent_module: a temporary nginx prefix per
# test object, free loopback ports, nginx.conf templating, start/stop of
# nginx, a raw HTTP client and a slow origin server. Core Perl only.
# API reference: the POD at the end of this file.

use strict;
use warnings;

use Carp qw(croak);
use Cwd qw(abs_path);
use Exporter qw(import);
use Fcntl qw(:flock O_RDONLY O_CREAT);
use File::Basename qw(dirname);
use File::Path qw(make_path remove_tree);
use File::Spec;
use File::Temp qw(tempdir);
use IO::Socket::INET;
use JSON::PP ();
use MIME::Base64 qw(encode_base64);
use POSIX qw(WNOHANG);
use Time::HiRes qw(time sleep);

use Test::More ();
use Test2::API ();

use Consent::Test::Backend;
use Consent::Test::HTTP;
use Consent::Test::Response;

our @EXPORT    = qw(cookie_value cookie_attrs);
our @EXPORT_OK = qw(random_secret parse_set_cookie);

our $REPO = abs_path(File::Spec->catdir(dirname(abs_path(__FILE__)),
    File::Spec->updir, File::Spec->updir, File::Spec->updir));
our $NGINX   = $ENV{NGINX_BIN} || '/usr/sbin/nginx';
our $BUILD   = $ENV{CONSENT_BUILD} || "$REPO/build";
# an nginx with the module built in (--add-module): no load_module
our $STATIC  = $ENV{CONSENT_STATIC};
our $TIMEOUT = $ENV{CONSENT_TIMEOUT} || 5;
our $LOCKDIR = $ENV{CONSENT_PORT_LOCKDIR}
    || File::Spec->catdir(File::Spec->tmpdir, 'consent-test-ports');

# every harness object of this process: held until END, which stops its
# servers, adds its error.log test if done_testing() did not, reports a
# failing test's prefix and error log, and removes the prefix
my @INSTANCES;
my $OWNER = $$;      # only the test process itself cleans up
my %RESERVED;        # port => socket holding it, across all objects
my $SIGNALS_SET;

# error.log lines that fail a test file
our $LOG_PROBLEM = qr/\[(?:alert|emerg)\]|exited on signal/;
# nginx's stderr lines that fail a test file (sanitizer builds)
our $STDERR_PROBLEM = qr/ERROR: AddressSanitizer|runtime error:|LeakSanitizer/;

# CONSENT_VALGRIND=1 (make test-valgrind): nginx runs in one process
# (master_process off) under valgrind memcheck, and each error valgrind
# reports in <prefix>/valgrind.log fails the test file
our $VALGRIND = $ENV{CONSENT_VALGRIND} ? 1 : 0;
our @VALGRIND_OPTS = ('--tool=memcheck', '--leak-check=full',
    '--errors-for-leak-kinds=definite', '--show-leak-kinds=definite',
    '--track-origins=yes', '--num-callers=30',
    "--suppressions=$REPO/t/fuzz/valgrind.supp");

sub _valgrind {
    my ($p) = @_;
    return () unless $VALGRIND;
    return ($ENV{VALGRIND} || 'valgrind', @VALGRIND_OPTS,
        "--log-file=$p/valgrind.log");
}

# ---------------------------------------------------------------------------
# construction, files

sub new {
    my ($class, %o) = @_;
    my $self = bless {
        module    => $o{module} // 1,
        so        => $o{so} || "$BUILD/ngx_http_consent_module.so",
        nginx     => $o{nginx} || $NGINX,
        ports     => {},          # symbolic NNNN => real port
        order     => [],          # symbolic ports, first seen first
        locks     => {},          # real port => lock file handle
        backends  => {},          # symbolic NNNN => pid
        allow     => [],          # error.log patterns that are not problems
        keyfiles  => 0,
        secrets   => {},
        owner     => $$,
    }, $class;

    my $base = $o{tmpdir} || File::Spec->tmpdir;
    $self->{prefix} = tempdir('consent-test-XXXXXXXX', DIR => $base);
    # nginx workers run as "nobody" when the tests run as root: they must
    # be able to read files served from the prefix
    chmod 0755, $self->{prefix};
    # an nginx built from source logs to <prefix>/logs/ by default (an
    # http block without access_log): the directory must exist
    make_path("$self->{prefix}/logs");

    push @INSTANCES, $self;
    return $self;
}

sub prefix   { $_[0]{prefix} }
sub testdir  { $_[0]{prefix} }
sub repo     { $REPO }
sub so_path  { $_[0]{so} }

sub path {
    my ($self, $name) = @_;
    return $name if File::Spec->file_name_is_absolute($name);
    return "$self->{prefix}/$name";
}

sub write_file {
    my ($self, $name, $content, $mode) = @_;
    my $path = $self->path($name);
    make_path(dirname($path));
    open my $fh, '>', $path or croak "write $path: $!";
    binmode $fh;
    print {$fh} $content // '';
    close $fh or croak "write $path: $!";
    chmod $mode // 0644, $path or croak "chmod $path: $!";
    return $path;
}

sub read_file {
    my ($self, $name) = @_;
    my $path = $self->path($name);
    open my $fh, '<', $path or return undef;
    binmode $fh;
    local $/;
    my $s = <$fh>;
    return $s // '';
}

sub error_log  { $_[0]->read_file('error.log') // '' }
sub access_log { $_[0]->read_file('access.log') // '' }

sub random_secret {
    my ($bytes) = @_;
    $bytes //= 32;
    my $raw = '';
    if (open my $fh, '<', '/dev/urandom') {
        binmode $fh;
        read($fh, $raw, $bytes) == $bytes or $raw = '';
        close $fh;
    }
    $raw = join '', map { chr int rand 256 } 1 .. $bytes
        unless length $raw == $bytes;
    return encode_base64($raw, '');
}

sub keyfile {
    my ($self, %o) = @_;
    my @keys = $o{keys}
        ? map { [@$_] } @{ $o{keys} }
        : ([ $o{kid} // 'k1', $o{secret} ]);
    for my $k (@keys) {
        $k->[1] //= random_secret($o{bytes} // 32);
        $self->{secrets}{ $k->[0] } = $k->[1];
    }
    my $n = ++$self->{keyfiles};
    my $file = $o{file} // ($n == 1 ? 'consent.keys' : "consent$n.keys");
    my $text = $o{content} // join '', map { "$_->[0] $_->[1]\n" } @keys;
    return $self->write_file($file, $text, $o{mode} // 0600);
}

sub secret { $_[0]{secrets}{ $_[1] // 'k1' } }

sub policy_file {
    my ($self, %o) = @_;
    my $file = $o{file} // 'policy.json';
    my $text = $o{json};
    unless (defined $text) {
        my $src = "$REPO/conf/policy.json";
        open my $fh, '<', $src or croak "policy_file: cannot read $src: $!";
        binmode $fh;
        local $/;
        $text = <$fh>;
        close $fh;
        if ($o{modify}) {
            my $js = JSON::PP->new->utf8->canonical->pretty;
            my $data = $js->decode($text);
            $o{modify}->($data);
            $text = $js->encode($data);
        }
    }
    return $self->write_file($file, $text, $o{mode} // 0644);
}

# ---------------------------------------------------------------------------
# ports

# a free loopback port nobody else (in this or a concurrent test process)
# will pick: the kernel hands out an unused port (bind to port 0), the
# socket keeps it until nginx or a backend is about to bind it, and a lock
# on /tmp/consent-test-ports/PORT keeps other harness processes away from
# it for this object's whole life
sub _reserve {
    my ($self) = @_;
    unless (-d $LOCKDIR) {
        my $old = umask 0;
        mkdir $LOCKDIR, 01777;
        umask $old;
    }
    my @rejected;
    for (1 .. 200) {
        my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
            LocalPort => 0, Proto => 'tcp')
            or croak "cannot bind a loopback port: $@";
        my $port = $s->sockport;
        my $lock;
        if (sysopen($lock, "$LOCKDIR/$port", O_RDONLY | O_CREAT, 0666)
            && flock($lock, LOCK_EX | LOCK_NB))
        {
            $self->{locks}{$port} = $lock;
            $RESERVED{$port} = $s;
            return $port;
        }
        push @rejected, $s;    # held, so the kernel offers another port
    }
    croak "no free loopback port found";
}

sub port {
    my ($self, $n) = @_;
    unless (defined $n) {
        # the first port nginx listens on, else the first one handed out
        ($n) = defined $self->{config} ? $self->_listen_ports(1) : ();
        $n //= $self->{order}[0];
        croak "no ports in this test" unless defined $n;
    }
    unless ($self->{ports}{$n}) {
        $self->{ports}{$n} = $self->_reserve;
        push @{ $self->{order} }, $n;
    }
    return $self->{ports}{$n};
}

# the real port for what a caller passed: a symbolic NNNN, or a real port
# already handed out
sub _real_port {
    my ($self, $n) = @_;
    return $self->port unless defined $n;
    return $self->{ports}{$n} if $self->{ports}{$n};
    return $n if grep { $_ == $n } values %{ $self->{ports} };
    return $self->port($n);
}

sub _release_socket {
    my ($port) = @_;
    my $s = delete $RESERVED{$port};
    close $s if $s;
}

sub _unlock_port {
    my ($self, $port) = @_;
    _release_socket($port);
    my $l = delete $self->{locks}{$port};
    close $l if $l;
}

# ---------------------------------------------------------------------------
# configuration

sub expand {
    my ($self, $text) = @_;
    return $text unless defined $text;
    $text =~ s/%%PORT_(\d+)%%/$self->port($1)/ge;
    $text =~ s/%%TESTDIR%%/$self->{prefix}/g;
    $text =~ s/%%REPO%%/$REPO/g;
    $text =~ s/%%BUILD%%/$BUILD/g;
    return $text;
}

sub config {
    my ($self, $text) = @_;
    $self->{config} = $text;
    # hand out the ports now, in order, so port() works before run()
    $self->port($1) while $text =~ /%%PORT_(\d+)%%/g;
    return $self;
}

sub _render {
    my ($self, $text, $errlog) = @_;
    croak "config() first" unless defined $text;
    my $p = $self->{prefix};
    my $body = $self->expand($text);

    my @top;
    push @top, qq{load_module "$self->{so}";}
        if $self->{module} && !$STATIC;
    push @top, qq{pid "$p/nginx.pid";} unless $body =~ /^\s*pid\s/m;
    push @top, qq{lock_file "$p/nginx.lock";}
        unless $body =~ /^\s*lock_file\s/m;
    push @top, qq{error_log "$errlog" info;};
    push @top, 'daemon off;' unless $body =~ /^\s*daemon\s/m;
    push @top, $VALGRIND ? 'master_process off;' : 'master_process on;'
        unless $body =~ /^\s*master_process\s/m;
    push @top, 'worker_processes 1;'
        unless $body =~ /^\s*worker_processes\s/m;
    push @top, 'events { }' unless $body =~ /^\s*events\s*\{/m;

    my @http;
    push @http, qq{access_log "$p/access.log";}
        unless $body =~ /^\s*access_log\s/m;
    for my $t (qw(client_body proxy fastcgi uwsgi scgi)) {
        push @http, qq{${t}_temp_path "$p/${t}_temp";}
            unless $body =~ /^\s*${t}_temp_path\s/m;
    }
    my $ins = join '', map { "    $_\n" } @http;
    $body =~ s/^(\s*http\s*\{)/$1\n    # added by Consent::Test\n$ins/m;

    return "# generated by Consent::Test\n" . join("\n", @top)
        . "\n\n$body";
}

sub write_config {
    my ($self) = @_;
    return $self->write_file('nginx.conf',
        $self->_render($self->{config}, "$self->{prefix}/error.log"));
}

# nginx -t on the configuration (or on $text); its own error log, so an
# expected [emerg] does not fail the error.log check
sub test_config {
    my ($self, $text) = @_;
    $text //= $self->{config};
    my $p = $self->{prefix};
    my $log = "$p/test-config.log";
    my $conf = $self->write_file('nginx-test.conf', $self->_render($text, $log));

    my $pid = open(my $fh, '-|');
    croak "fork: $!" unless defined $pid;
    if ($pid == 0) {
        open STDERR, '>&', \*STDOUT;
        open STDIN, '<', '/dev/null';
        exec($self->{nginx}, '-t', '-p', "$p/", '-c', $conf, '-e', $log)
            or print "exec $self->{nginx}: $!\n";
        POSIX::_exit(127);
    }
    local $/;
    my $out = <$fh> // '';
    close $fh;
    my $rc = $? >> 8;
    $rc = 128 + ($? & 127) if $? & 127;
    return wantarray ? ($rc, $out) : $rc;
}

# ---------------------------------------------------------------------------
# nginx

sub _listen_ports {
    my ($self, $all) = @_;
    my %seen;
    my @p;
    my $text = $self->{config};
    while ($text =~ /(?:^|[;{}])\s*listen\s+([^;]*);/mg) {
        my $args = $1;
        push @p, grep { !$seen{$_}++ } $args =~ /%%PORT_(\d+)%%/g;
    }
    return $all ? @p : grep { !$self->{backends}{$_} } @p;
}

sub _install_signals {
    return if $SIGNALS_SET++;
    for my $sig (qw(INT TERM HUP)) {
        next if defined $SIG{$sig} && $SIG{$sig} ne 'DEFAULT';
        $SIG{$sig} = sub {
            # run END blocks, which stop nginx and the backends
            exit 128 + ($sig eq 'INT' ? 2 : $sig eq 'TERM' ? 15 : 1)
                if $$ == $OWNER;
            POSIX::_exit(1);
        };
    }
}

sub run {
    my ($self, %o) = @_;
    croak "config() first" unless defined $self->{config};
    croak "nginx is already running" if $self->{pid};
    croak "$self->{nginx} is not executable (set NGINX_BIN)"
        unless -x $self->{nginx};
    if ($self->{module} && !-f $self->{so}) {
        Test::More::diag("module not built: $self->{so} (run make)");
    }
    _install_signals();

    my $timeout = $o{timeout} || $TIMEOUT;
    my $tries = 3;
    for my $try (1 .. $tries) {
        my $err = $self->_start($timeout);
        unless (defined $err) {
            $self->{ran} = 1;
            return 1;
        }

        my $new = $self->_log_since($self->{log_offset});
        if ($new =~ /Address already in use/ && $try < $tries) {
            # somebody outside the harness took a port: take new ones
            Test::More::diag("port taken, retrying with new ports");
            # keep the failed start's [emerg] out of the error.log check
            my $path = "$self->{prefix}/error.log";
            if (open my $fh, '>>', "$self->{prefix}/failed-starts.log") {
                print {$fh} $new;
                close $fh;
            }
            truncate $path, $self->{log_offset};
            my %taken = map { $_ => 1 }
                $new =~ /bind\(\) to 127\.0\.0\.1:(\d+) failed/g;
            for my $n (keys %{ $self->{ports} }) {
                next if $self->{backends}{$n}
                    || !$taken{ $self->{ports}{$n} };
                $self->_unlock_port(delete $self->{ports}{$n});
                $self->{ports}{$n} = $self->_reserve;
            }
            next;
        }

        my $msg = "nginx failed to start: $err\n"
            . "--- $self->{prefix}/error.log (this start) ---\n$new"
            . $self->_stderr_text;
        return 0 if $o{may_fail};
        Test::More::diag($msg);
        Test::More::BAIL_OUT('nginx failed to start') if $o{bail};
        die "nginx failed to start (see above)\n";
    }
}

sub _stderr_text {
    my ($self) = @_;
    my $s = $self->read_file('nginx.stderr') // '';
    return length $s ? "--- nginx stderr ---\n$s" : '';
}

sub _log_since {
    my ($self, $off) = @_;
    my $log = $self->error_log;
    return length $log > ($off // 0) ? substr($log, $off // 0) : '';
}

# starts nginx once; undef on success, or what went wrong
sub _start {
    my ($self, $timeout) = @_;
    my $p = $self->{prefix};
    my $conf = $self->write_config;
    my $pidfile = "$p/nginx.pid";
    unlink $pidfile;
    $self->{log_offset} = length $self->error_log;

    # let nginx have its ports (they stay locked against other tests)
    _release_socket($_) for values %{ $self->{ports} };

    my $pid = fork;
    croak "fork: $!" unless defined $pid;
    if ($pid == 0) {
        POSIX::setpgid(0, 0);
        open STDIN, '<', '/dev/null';
        open STDOUT, '>>', "$p/nginx.stderr";
        open STDERR, '>&', \*STDOUT;
        exec(_valgrind($p), $self->{nginx}, '-p', "$p/", '-c', $conf,
            '-e', "$p/error.log")
            or print "exec $self->{nginx}: $!\n";
        POSIX::_exit(127);
    }
    $self->{pid} = $pid;

    my $deadline = time + $timeout;
    my @ports = map { $self->{ports}{$_} } $self->_listen_ports;
    while (time < $deadline) {
        if (waitpid($pid, WNOHANG) == $pid) {
            my $st = $?;
            delete $self->{pid};
            return 'nginx exited with status ' . ($st >> 8)
                . ($st & 127 ? ' (signal ' . ($st & 127) . ')' : '');
        }
        # nginx writes its pid file once its listening sockets are open
        if (open my $fh, '<', $pidfile) {
            my $got = <$fh>;
            if (defined $got && $got =~ /^(\d+)/ && $1 == $pid
                && _listening(@ports))
            {
                return undef;
            }
        }
        sleep 0.01;
    }
    $self->_kill_nginx;
    return "nginx did not open its ports within ${timeout}s";
}

# every port listens on loopback (from /proc/net/tcp; a connect when that
# cannot be read)
sub _listening {
    my (@ports) = @_;
    return 1 unless @ports;
    my %want = map { $_ => 1 } @ports;
    if (open my $fh, '<', '/proc/net/tcp') {
        while (<$fh>) {
            my ($port, $st) = /^\s*\d+:\s+[0-9A-F]{8}:([0-9A-F]{4})\s+\S+\s+([0-9A-F]{2})/
                or next;
            delete $want{ hex $port } if $st eq '0A';
        }
        close $fh;
        return !%want;
    }
    for my $port (@ports) {
        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
            PeerPort => $port, Proto => 'tcp', Timeout => 1) or return 0;
        close $s;
    }
    return 1;
}

sub pid { $_[0]{pid} }

sub signal {
    my ($self, $sig) = @_;
    croak "nginx is not running" unless $self->{pid};
    kill $sig, $self->{pid};
}

sub reload {
    my ($self) = @_;
    $self->write_config;
    $self->signal('HUP');
}

# waits until the error log (since the last start) matches
sub wait_for_log {
    my ($self, $re, $timeout) = @_;
    my $deadline = time + ($timeout || $TIMEOUT);
    while (1) {
        return 1 if $self->_log_since($self->{log_offset}) =~ $re;
        return 0 if time >= $deadline;
        sleep 0.02;
    }
}

sub _wait_exit {
    my ($pid, $timeout) = @_;
    my $deadline = time + $timeout;
    while (1) {
        my $r = waitpid($pid, WNOHANG);
        return $? if $r == $pid || $r < 0;
        return undef if time >= $deadline;
        sleep 0.01;
    }
}

sub _kill_nginx {
    my ($self) = @_;
    my $pid = delete $self->{pid} or return;
    kill 'KILL', -$pid;
    kill 'KILL', $pid;
    _wait_exit($pid, 2);
}

# graceful stop: QUIT, then TERM, then KILL of the whole process group
sub stop {
    my ($self) = @_;
    my $pid = $self->{pid} or return;
    kill 'QUIT', $pid;
    my $st = _wait_exit($pid, $VALGRIND ? 2 : $TIMEOUT);
    # nginx in one process checks for a signal only after epoll_wait();
    # valgrind, which delivers signals at its next system call, can run
    # the handler just before epoll_wait() blocks with no timer left:
    # another QUIT ends that wait
    for (my $left = $TIMEOUT - 2; $VALGRIND && !defined $st && $left > 0;
        $left -= 2)
    {
        kill 'QUIT', $pid;
        $st = _wait_exit($pid, 2);
    }
    unless (defined $st) {
        push @{ $self->{problems} }, "nginx did not quit within ${TIMEOUT}s";
        kill 'TERM', $pid;
        $st = _wait_exit($pid, 3);
    }
    unless (defined $st) {
        push @{ $self->{problems} }, 'nginx did not stop on TERM, killed';
        kill 'KILL', -$pid;
        $st = _wait_exit($pid, 2);
    }
    # no worker may outlive its master
    kill 'KILL', -$pid if kill 0, -$pid;
    delete $self->{pid};
    if (defined $st && $st != 0 && $st != -1) {
        push @{ $self->{problems} }, 'nginx master exited with status '
            . ($st >> 8) . ($st & 127 ? ', signal ' . ($st & 127) : '');
    }
    return 1;
}

# ---------------------------------------------------------------------------
# backends

sub backend {
    my ($self, %o) = @_;
    my $n = delete $o{port} // croak "backend(port => NNNN)";
    croak "backend on $n already running" if $self->{backends}{$n};
    _install_signals();
    my $port = $self->port($n);
    _release_socket($port);
    my $pid = Consent::Test::Backend::start(
        %o,
        port      => $port,
        log       => "$self->{prefix}/backend-$n.log",
        close_fds => [ values %RESERVED ],
        timeout   => $TIMEOUT,
    );
    $self->{backends}{$n} = $pid;
    return $port;
}

# the requests a backend received, oldest first: {method, uri, version,
# headers => {lc => [values]}, header_list, body, time}
sub backend_requests {
    my ($self, $n) = @_;
    my $text = $self->read_file("backend-$n.log") // '';
    my $js = JSON::PP->new;
    return map { $js->decode($_) } grep { length } split /\n/, $text;
}

sub stop_backends {
    my ($self) = @_;
    for my $n (keys %{ $self->{backends} }) {
        my $pid = delete $self->{backends}{$n};
        kill 'TERM', -$pid;
        kill 'TERM', $pid;
        unless (defined _wait_exit($pid, 2)) {
            kill 'KILL', -$pid;
            _wait_exit($pid, 1);
        }
    }
}

# ---------------------------------------------------------------------------
# HTTP client

sub _expand_req {
    my ($self, %a) = @_;
    $a{port} = $self->_real_port($a{port});
    $a{headers} = [ map { $self->expand($_) } @{ $a{headers} } ]
        if $a{headers};
    $a{host} = $self->expand($a{host}) if defined $a{host};
    $a{raw} = ref $a{raw}
        ? [ map { ref $_ ? [ $self->expand($_->[0]), $_->[1] ]
                         : $self->expand($_) } @{ $a{raw} } ]
        : $self->expand($a{raw})
        if defined $a{raw};
    return %a;
}

sub http {
    my ($self, %a) = @_;
    return Consent::Test::HTTP::request($self->_expand_req(%a));
}

sub http_keepalive {
    my ($self, %a) = @_;
    %a = $self->_expand_req(%a);
    $a{requests} = [ map { my %r = $self->_expand_req(%$_,
        port => $a{port}); delete $r{port}; \%r } @{ $a{requests} || [] } ];
    return Consent::Test::HTTP::keepalive(%a);
}

# ---------------------------------------------------------------------------
# cookies

# parse_set_cookie("a=b; Path=/; HttpOnly") -> (name, value, {path => '/',
# httponly => 1})
sub parse_set_cookie {
    my ($h) = @_;
    my ($pair, @attrs) = split /;/, $h;
    my ($name, $value) = $pair =~ /^\s*([^=]*?)\s*=\s*(.*?)\s*$/
        or return;
    my %a;
    for (@attrs) {
        my ($k, $v) = /^\s*([^=]*?)\s*(?:=\s*(.*?)\s*)?$/ or next;
        next unless length $k;
        $a{ lc $k } = defined $v ? $v : 1;
    }
    return ($name, $value, \%a);
}

sub _find_cookie {
    my ($r, $name) = @_;
    my @found;
    for my $h ($r->headers('set-cookie')) {
        my @c = parse_set_cookie($h) or next;
        @found = @c if $c[0] eq $name;
    }
    return @found;
}

# value of the cookie NAME set by a response (the last one when it is set
# twice, as a browser would keep); undef when not set
sub cookie_value {
    my ($r, $name) = @_;
    my @c = _find_cookie($r, $name) or return undef;
    return $c[1];
}

sub cookie_attrs {
    my ($r, $name) = @_;
    my @c = _find_cookie($r, $name) or return undef;
    return $c[2];
}

# ---------------------------------------------------------------------------
# the error log check and cleanup

sub allow_log {
    my ($self, @re) = @_;
    push @{ $self->{allow} }, @re;
}

# lines that fail the test file: [alert], [emerg], "exited on signal" in
# error.log, sanitizer reports on nginx's stderr, a master that did not
# stop cleanly
sub log_problems {
    my ($self) = @_;
    my @bad;
    for my $l (split /\n/, $self->error_log) {
        next unless $l =~ $LOG_PROBLEM;
        next if grep { $l =~ $_ } @{ $self->{allow} };
        push @bad, $l;
    }
    for my $l (split /\n/, $self->read_file('nginx.stderr') // '') {
        push @bad, $l if $l =~ $STDERR_PROBLEM;
    }
    my $vg = $VALGRIND ? $self->read_file('valgrind.log') // '' : '';
    push @bad, "valgrind:\n$vg"
        if $vg =~ /ERROR SUMMARY: [1-9]|definitely lost: [1-9]/;
    push @bad, @{ $self->{problems} || [] };
    return @bad;
}

# stops everything and adds the error-log test (once per object that ran
# nginx); called by done_testing() through a Test2 hook, at END, or by hand
sub done {
    my ($self) = @_;
    return if $self->{owner} != $$;
    $self->stop;
    $self->stop_backends;
    return if !$self->{ran} || $self->{checked}++;
    my @bad = $self->log_problems;
    my $tb = Test::More->builder;
    $tb->ok(!@bad, 'error.log has no alert, emerg or crash');
    $tb->diag(join "\n", "in $self->{prefix}/error.log:", @bad) if @bad;
}

sub cleanup {
    my ($self) = @_;
    return if $self->{owner} != $$ || $self->{cleaned}++;
    $self->stop;
    $self->stop_backends;
    $self->_unlock_port($_) for keys %{ $self->{locks} };
    if ($ENV{CONSENT_KEEP}) {
        Test::More::diag("kept test dir $self->{prefix}");
    } else {
        remove_tree($self->{prefix});
    }
}

sub _hub_open {
    my $hub = Test2::API::test2_stack()->top;
    return 0 unless $hub && !$hub->ended;
    my $plan = $hub->plan;
    return 0 if defined $plan && $plan eq 'SKIP';
    return 1;
}

sub _live { grep { defined($_) && $_->{owner} == $$ } @INSTANCES }

Test2::API::test2_add_callback_testing_done(sub {
    return unless $$ == $OWNER;
    $_->done for _live();
});

sub _failure_report {
    my ($self) = @_;
    my @lines = grep { !/\[notice\]/ } split /\n/, $self->error_log;
    splice @lines, 0, @lines - 40 if @lines > 40;
    Test::More::diag(join "\n",
        "test dir: $self->{prefix}"
            . ($ENV{CONSENT_KEEP} ? '' : ' (removed; CONSENT_KEEP=1 keeps it)'),
        @lines ? ('--- error.log (last lines, no notices) ---', @lines)
               : ());
}

END {
    if ($$ == $OWNER) {
        my $status = $?;
        my $open = _hub_open();
        for my $t (_live()) {
            if ($open) {
                $t->done;
            } else {
                $t->stop;
                $t->stop_backends;
            }
        }
        my $hub = Test2::API::test2_stack()->top;
        my $failed = $status || ($hub && !$hub->is_passing);
        for my $t (_live()) {
            $t->_failure_report if $failed && $t->{ran};
            $t->cleanup;
        }
        $? = $status;
    }
}

sub DESTROY {
    my ($self) = @_;
    return if $self->{owner} != $$;
    local ($@, $!, $?);
    if (${^GLOBAL_PHASE} ne 'DESTRUCT' && _hub_open()) {
        eval { $self->done };
    }
    eval { $self->cleanup };
}

1;

__END__

=head1 NAME

Consent::Test - nginx test harness for ngx_http_consent_module

=head1 SYNOPSIS

    use FindBin; use lib "$FindBin::Bin/lib";
    use Test::More;
    use Consent::Test;

    my $t = Consent::Test->new;          # or new(module => 0): plain nginx
    my $keys   = $t->keyfile;            # kid k1, 32 random bytes, 0600
    my $policy = $t->policy_file;        # copy of conf/policy.json
    $t->config(<<"EOF")->run;
    http {
        consent_keys $keys;
        consent_policy $policy;
        server {
            listen 127.0.0.1:%%PORT_8080%%;
            location /consent/ { consent_endpoint; }
        }
    }
    EOF
    my $r = $t->http(method => 'POST', uri => '/consent/',
        headers => ['Content-Type' => 'application/json'],
        body => '{"action":"accept_all"}');
    is($r->{status}, 200);
    ok(cookie_value($r, 'consent'));
    is(cookie_attrs($r, 'consent')->{samesite}, 'Lax');
    done_testing();     # also stops nginx and adds the error.log test

=head1 PREFIX, FILES

C<new(%o)>: a temp dir (mode 0755), removed at the end unless
C<CONSENT_KEEP=1>; on failure its path and the tail of error.log are
printed. Options: C<module =E<gt> 0> (no load_module), C<so>, C<nginx>.
Environment: C<NGINX_BIN> (default /usr/sbin/nginx), C<CONSENT_BUILD>
(default <repo>/build, holds ngx_http_consent_module.so), C<CONSENT_TIMEOUT>
(default 5 s for every wait and socket), C<CONSENT_STATIC=1> (NGINX_BIN has
the module built in: no load_module).

C<prefix>/C<testdir>, C<path($name)>, C<write_file($name, $content, $mode)>
(default 0644, creates subdirs, returns the full path), C<read_file($name)>,
C<error_log>, C<access_log>.

C<keyfile(%o)>: writes a key file and returns its path. C<kid> (k1),
C<secret> (base64; default random), C<bytes> (32), C<keys =E<gt> [[kid,
secret-or-undef], ...]> (first signs), C<file> (consent.keys, then
consent2.keys, ...), C<mode> (0600), C<content> (raw text).
C<secret($kid)> returns a generated secret. C<random_secret($bytes)>
(exportable).

C<policy_file(%o)>: copies conf/policy.json to policy.json; C<json =E<gt>
$text>, C<modify =E<gt> sub { my $data = shift; ... }> (edits the decoded
JSON), C<file>, C<mode>.

=head1 CONFIGURATION

C<config($text)> takes the top level of nginx.conf (the C<http {}> block
and anything else). Placeholders: C<%%PORT_NNNN%%> (a free loopback port,
the same for the same NNNN), C<%%TESTDIR%%>, C<%%REPO%%>, C<%%BUILD%%>.
Prepended unless the text sets them: load_module, pid, lock_file,
error_log <prefix>/error.log info, daemon off, master_process on,
worker_processes 1, events {}. Inside C<http {>: access_log and the
*_temp_path directives into the prefix. C<expand($text)> applies the
placeholders to any string.

C<port($nnnn)> is the real port (C<port()>: the first one in the config).
Ports are collision-safe across concurrent test files: a port comes from
binding 127.0.0.1:0, stays bound until nginx or a backend takes it, and is
locked (flock on /tmp/consent-test-ports/PORT) for the object's life; if
nginx still meets "Address already in use", run() retries with new ports.

=head1 NGINX

C<run(%o)>: writes nginx.conf, starts nginx (own process group, stderr to
nginx.stderr), waits until its pid file is written and every
C<listen ... %%PORT_N%%> port listens. On failure prints the error log
and dies (C<may_fail =E<gt> 1>: returns 0; C<bail =E<gt> 1>: BAIL_OUT).

C<test_config($text?)>: runs C<nginx -t> on the config (or on $text),
returns C<($exit_code, $output)>; logs to test-config.log, so expected
errors do not fail the error.log check.

C<stop> (QUIT, then TERM, then KILL; under valgrind QUIT is sent
again every 2 s), C<signal($sig)>, C<reload> (rewrites
nginx.conf from the current config() and sends HUP), C<wait_for_log($re,
$timeout)> (matches the error log since the last start), C<pid>.

C<CONSENT_VALGRIND=1> (make test-valgrind) runs nginx in one process
(C<master_process off>) under valgrind memcheck (C<VALGRIND>, default
valgrind; suppressions in t/fuzz/valgrind.supp); an error or a definite
leak in <prefix>/valgrind.log fails the error log check. Set
C<CONSENT_TIMEOUT> to 30 or so: everything is slower.

=head1 ERROR LOG CHECK

Each object that ran nginx adds one test, "error.log has no alert, emerg
or crash", when done_testing() is called (a Test2 hook; it stops nginx and
the backends first), or at END if done_testing() was not reached. It fails
on C<[alert]>, C<[emerg]>, C<exited on signal>, sanitizer reports on
nginx's stderr, or a master that does not stop cleanly. Use
done_testing(); with a numeric plan count one extra test per object.
C<allow_log(qr/.../)> exempts lines; C<log_problems> returns the lines;
C<done> runs the check now.

=head1 HTTP CLIENT

C<http(%a)> sends one request on a new connection and returns a
L<Consent::Test::Response>. Options: C<method> (GET), C<uri> (/),
C<port> (symbolic NNNN; default the first), C<headers =E<gt> [name =E<gt>
value, ...]> (ordered, repeats allowed), C<body> (adds Content-Length
unless the headers have Content-Length or Transfer-Encoding),
C<body_pieces =E<gt> [$str | [$str, $delay], ...]> (sent after the head),
C<host> (default "127.0.0.1:PORT"; undef: no Host), C<no_host>,
C<version> (1.1), C<raw =E<gt> $bytes> or C<[$piece | [$piece, $delay],
...]> instead of all of these, C<timeout>. Placeholders are expanded in
headers, host and raw. "Connection: close" is added unless the headers
have a Connection header.

Response: C<{status, reason, protocol, headers =E<gt> {lc name =E<gt>
[values]}, header_list =E<gt> [[name, value], ...], body} (chunked decoded),
raw, chunked (0/1), chunk_sizes, trailers, interim (1xx statuses), extra
(bytes after the response), error (undef when all went well; status is 0
when nothing could be read)}>; methods C<status>, C<body>,
C<header($name)> (first value), C<headers($name)> (all values),
C<has_header>, C<describe>.

C<http_keepalive(port =E<gt> NNNN, requests =E<gt> [{...}, ...],
pipeline =E<gt> 0)>: the requests on one connection, each with the same
options as http() (no Connection header added); returns the responses.
After a response that closed the connection, the rest have status 0.

C<cookie_value($r, $name)>, C<cookie_attrs($r, $name)> (exported):
the value and the attributes (lower-cased names, flags as 1) of the
cookie from the response's Set-Cookie headers; the last one if set twice;
undef when absent. C<parse_set_cookie($header)> (exportable).

=head1 BACKEND

C<backend(port =E<gt> NNNN, chunks =E<gt> [$str | [$str, $delay], ...],
headers =E<gt> [...], status =E<gt> 200, content_length =E<gt> 0)>
forks an HTTP/1.1 origin on 127.0.0.1 that answers every request with
that response, sleeping $delay seconds before each piece; no
Content-Length (unless C<content_length =E<gt> 1>), Connection: close,
Content-Type text/html by default. Or C<handler =E<gt> sub { my ($req) =
@_; return ($status, \@headers, \@chunks_or_body) }> with C<$req =
{method, uri, version, headers, header_list, body}>. Start it before
run(). C<backend_requests($nnnn)> returns what it received.
C<stop_backends>.

=cut

package Consent::Test::Backend;

# A tiny HTTP/1.1 origin server for the tests, forked from the test
# process: answers every request with a fixed response sent in pieces with
# pauses (for the streaming filter tests), or with what a handler returns.
# One request per connection, "Connection: close", each connection served
# by its own child so slow responses do not queue.

use strict;
use warnings;

use IO::Socket::INET;
use IO::Select;
use POSIX ();
use Errno qw(EINTR);
use Time::HiRes qw(time sleep);
use JSON::PP ();

our %REASON = (
    100 => 'Continue', 200 => 'OK', 201 => 'Created', 204 => 'No Content',
    206 => 'Partial Content', 301 => 'Moved Permanently', 302 => 'Found',
    303 => 'See Other', 304 => 'Not Modified', 307 => 'Temporary Redirect',
    400 => 'Bad Request', 401 => 'Unauthorized', 403 => 'Forbidden',
    404 => 'Not Found', 405 => 'Method Not Allowed', 413 => 'Payload Too Large',
    500 => 'Internal Server Error', 502 => 'Bad Gateway',
    503 => 'Service Unavailable', 504 => 'Gateway Timeout',
);

# start(port => N, log => FILE, close_fds => [sockets the child must drop],
#       chunks/headers/status/content_length | handler) -> pid
# Returns once the port listens; dies when it cannot.
sub start {
    my (%o) = @_;
    my $port = $o{port} or die "backend: no port\n";

    pipe(my $rd, my $wr) or die "backend: pipe: $!\n";
    my $pid = fork;
    die "backend: fork: $!\n" unless defined $pid;

    if ($pid == 0) {
        close $rd;
        close $_ for grep { defined } @{ $o{close_fds} || [] };
        my $ok = eval { _serve($port, $wr, \%o); 1 };
        unless ($ok) {
            print {$wr} "error: $@";
            print STDERR "backend on port $port: $@";
        }
        POSIX::_exit($ok ? 0 : 1);
    }

    close $wr;
    my $sel = IO::Select->new($rd);
    my $msg = '';
    if ($sel->can_read($o{timeout} || 5)) {
        sysread($rd, $msg, 4096);
    }
    close $rd;
    if ($msg !~ /^ok/) {
        kill 'KILL', $pid;
        waitpid $pid, 0;
        $msg = 'no answer from the backend process' unless length $msg;
        die "backend on 127.0.0.1:$port did not start: $msg\n";
    }
    return $pid;
}

sub _serve {
    my ($port, $ready, $o) = @_;

    POSIX::setpgid(0, 0);
    $SIG{$_} = 'DEFAULT' for qw(INT TERM HUP);
    $SIG{PIPE} = 'IGNORE';
    $SIG{CHLD} = 'IGNORE';    # per-connection children reap themselves

    my $ls = IO::Socket::INET->new(
        LocalAddr => '127.0.0.1',
        LocalPort => $port,
        Proto     => 'tcp',
        Listen    => 128,
        ReuseAddr => 1,
    ) or die "listen on 127.0.0.1:$port: " . ($@ || $!) . "\n";

    print {$ready} "ok\n";
    close $ready;

    while (1) {
        my $c = $ls->accept;
        unless ($c) {
            next if $! == EINTR;
            die "accept: $!\n";
        }
        my $kid = fork;
        if (!defined $kid) {
            close $c;
            next;
        }
        if ($kid == 0) {
            close $ls;
            eval { _connection($c, $o); 1 }
                or print STDERR "backend on port $port: $@";
            POSIX::_exit(0);
        }
        close $c;
    }
}

sub _connection {
    my ($c, $o) = @_;
    binmode $c;
    my $req = _read_request($c, $o->{timeout} || 5) or return;

    if ($o->{log}) {
        my %rec = (%$req, time => time);
        delete $rec{raw};
        if (open my $fh, '>>', $o->{log}) {
            binmode $fh;
            syswrite $fh, JSON::PP->new->canonical->encode(\%rec) . "\n";
            close $fh;
        }
    }

    my ($status, $headers, $chunks);
    if ($o->{handler}) {
        ($status, $headers, $chunks) = $o->{handler}->($req);
    } else {
        ($status, $headers, $chunks) = ($o->{status}, $o->{headers},
            $o->{chunks});
    }
    $status //= 200;
    $headers = [ @{ $headers || [] } ];
    $chunks = [ $chunks ] if defined $chunks && !ref $chunks;
    $chunks ||= [];

    my %have;
    for (my $i = 0; $i < @$headers; $i += 2) {
        $have{ lc $headers->[$i] } = 1;
    }
    push @$headers, 'Content-Type' => 'text/html; charset=utf-8'
        unless $have{'content-type'} || $o->{handler};
    if ($o->{content_length} && !$have{'content-length'}) {
        my $len = 0;
        $len += length(ref $_ ? $_->[0] : $_) for @$chunks;
        push @$headers, 'Content-Length' => $len;
    }

    my $reason = $REASON{$status} // 'Status';
    my $head = "HTTP/1.1 $status $reason\r\n";
    for (my $i = 0; $i < @$headers; $i += 2) {
        $head .= "$headers->[$i]: $headers->[$i + 1]\r\n";
    }
    $head .= "Connection: close\r\n" unless $have{connection};
    $head .= "\r\n";
    _write($c, $head) or return;

    return if $req->{method} eq 'HEAD';
    for my $ch (@$chunks) {
        my ($data, $delay) = ref $ch ? @$ch : ($ch, 0);
        sleep $delay if $delay;
        _write($c, $data) or return;
    }
    shutdown($c, 1);
    # wait briefly for the peer to close, so it sees the whole body
    my $sel = IO::Select->new($c);
    if ($sel->can_read(2)) {
        sysread($c, my $junk, 65536);
    }
    close $c;
}

sub _write {
    my ($c, $data) = @_;
    my $off = 0;
    while ($off < length $data) {
        my $n = syswrite($c, $data, length($data) - $off, $off);
        if (!defined $n) {
            next if $! == EINTR;
            return 0;
        }
        $off += $n;
    }
    return 1;
}

# {method, uri, version, headers => {lc name => [values]}, header_list,
#  body} or undef
sub _read_request {
    my ($c, $timeout) = @_;
    my $sel = IO::Select->new($c);
    my $deadline = time + $timeout;
    my $buf = '';

    my $fill = sub {
        my $left = $deadline - time;
        return 0 if $left <= 0 || !$sel->can_read($left);
        my $n = sysread($c, my $chunk, 65536);
        return 0 unless $n;
        $buf .= $chunk;
        return 1;
    };

    my $hend;
    while (($hend = index($buf, "\r\n\r\n")) < 0) {
        return undef unless $fill->();
    }
    my ($line, @lines) = split /\r\n/, substr($buf, 0, $hend);
    my ($method, $uri, $version) = $line =~ m{^(\S+) (\S+) HTTP/(\d\.\d)$}
        or return undef;
    my %r = (method => $method, uri => $uri, version => $version,
        headers => {}, header_list => []);
    for my $l (@lines) {
        my ($n, $v) = $l =~ /^([^:\s]+):[ \t]*(.*?)[ \t]*$/ or next;
        push @{ $r{header_list} }, [ $n, $v ];
        push @{ $r{headers}{ lc $n } }, $v;
    }
    $buf = substr($buf, $hend + 4);

    my $te = join ',', @{ $r{headers}{'transfer-encoding'} || [] };
    if ($te =~ /chunked/i) {
        my $body = '';
        while (1) {
            my $le;
            while (($le = index($buf, "\r\n")) < 0) {
                return undef unless $fill->();
            }
            my $size = hex substr($buf, 0, $le);
            $buf = substr($buf, $le + 2);
            if ($size == 0) {
                while (index($buf, "\r\n") != 0
                    && index($buf, "\r\n\r\n") < 0)
                {
                    last unless $fill->();
                }
                last;
            }
            while (length($buf) < $size + 2) {
                return undef unless $fill->();
            }
            $body .= substr($buf, 0, $size);
            $buf = substr($buf, $size + 2);
        }
        $r{body} = $body;
    } elsif (my $cl = $r{headers}{'content-length'}) {
        while (length($buf) < $cl->[0]) {
            last unless $fill->();
        }
        $r{body} = substr($buf, 0, $cl->[0]);
    } else {
        $r{body} = '';
    }
    return \%r;
}

1;

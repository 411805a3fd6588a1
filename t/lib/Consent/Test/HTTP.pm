package Consent::Test::HTTP;

# A small raw HTTP/1.1 client for the tests: builds requests byte by byte,
# parses responses strictly (Content-Length, chunked, read-until-close),
# keeps connections alive on request. Every socket operation has a
# deadline, so a stuck server fails a test instead of hanging it.

use strict;
use warnings;

use IO::Socket::INET;
use IO::Select;
use Errno qw(EINTR EAGAIN EWOULDBLOCK);
use Time::HiRes qw(time sleep);

use Consent::Test::Response;

our $TIMEOUT = $ENV{CONSENT_TIMEOUT} || 5;

# one request on a fresh connection; adds "Connection: close" unless the
# caller sends a Connection header of its own
sub request {
    my (%a) = @_;
    my $timeout = $a{timeout} || $TIMEOUT;
    my $deadline = time + $timeout;

    my ($sock, $err) = _connect($a{port}, $timeout);
    return Consent::Test::Response->new(error => $err) unless $sock;

    my $pieces = build_request(\%a, $a{port}, 1);
    my $werr = _send($sock, $pieces, $deadline);

    my $buf = '';
    my $r = _read_response($sock, \$buf, uc($a{method} // 'GET'), $deadline);

    # the connection is meant to close after this response: read what the
    # server still sends (bytes after a framed response are a bug worth
    # seeing: $r->{extra})
    if ($r->{status} && !$r->{closed} && _expect_close(\%a, $r)) {
        my $eof = _read_until_eof($sock, \$buf, $deadline);
        $r->{error} //= 'server did not close the connection' unless $eof;
    }
    if (length $buf) {
        $r->{extra} = $buf;
        $r->{raw} .= $buf;
    }
    $r->{write_error} = $werr if defined $werr;
    close $sock;
    return $r;
}

# several requests on one connection, one after the other (or all at once
# with pipeline => 1); returns one response per request; a response that
# could not be read (connection closed, timeout) has status 0 and an error
sub keepalive {
    my (%a) = @_;
    my $timeout = $a{timeout} || $TIMEOUT;
    my @reqs = @{ $a{requests} || [] };

    my ($sock, $err) = _connect($a{port}, $timeout);
    return map { Consent::Test::Response->new(error => $err) } @reqs
        unless $sock;

    my @out;
    my $buf = '';
    my $deadline = time + $timeout * (@reqs || 1);

    if ($a{pipeline}) {
        my @all = map { @{ build_request({ %a, %$_ }, $a{port}, 0) } } @reqs;
        _send($sock, \@all, $deadline);
        for my $req (@reqs) {
            push @out, _read_response($sock, \$buf,
                uc($req->{method} // 'GET'), $deadline);
        }
    } else {
        my $dead;
        for my $req (@reqs) {
            if ($dead) {
                push @out, Consent::Test::Response->new(error => $dead);
                next;
            }
            my $d = time + ($req->{timeout} || $timeout);
            my $werr = _send($sock, build_request({ %a, %$req }, $a{port}, 0),
                $d);
            my $r = _read_response($sock, \$buf,
                uc($req->{method} // 'GET'), $d);
            $r->{write_error} = $werr if defined $werr;
            $dead = 'connection unusable after an earlier response: '
                . ($r->{error} // '') if !$r->{status} || $r->{closed};
            push @out, $r;
        }
    }
    close $sock;
    return @out;
}

sub _expect_close {
    my ($a, $r) = @_;
    return 1 if grep { /\bclose\b/i } $r->headers('connection');
    if (defined $a->{raw}) {
        my $raw = ref $a->{raw}
            ? join('', map { ref $_ ? $_->[0] : $_ } @{ $a->{raw} })
            : $a->{raw};
        return $raw =~ /^Connection:[ \t]*close/mi
            || $raw =~ m{^\S+ \S+ HTTP/1\.0\r?\n}
            && $raw !~ /^Connection:[ \t]*keep-alive/mi;
    }
    my @h = @{ $a->{headers} || [] };
    for (my $i = 0; $i < @h; $i += 2) {
        return $h[$i + 1] =~ /\bclose\b/i if lc $h[$i] eq 'connection';
    }
    return 1;    # we sent "Connection: close"
}

sub _connect {
    my ($port, $timeout) = @_;
    my $sock = IO::Socket::INET->new(
        PeerAddr => '127.0.0.1',
        PeerPort => $port,
        Proto    => 'tcp',
        Timeout  => $timeout,
    );
    return (undef, "connect to 127.0.0.1:$port failed: " . ($@ || $!))
        unless $sock;
    $sock->autoflush(1);
    binmode $sock;
    return ($sock, undef);
}

# the request as a list of pieces: each a string, or [string, delay] to
# sleep that many seconds before sending it
sub build_request {
    my ($a, $port, $close) = @_;

    if (defined $a->{raw}) {
        return ref $a->{raw} ? [ @{ $a->{raw} } ] : [ $a->{raw} ];
    }

    my $method  = $a->{method} // 'GET';
    my $uri     = $a->{uri} // '/';
    my $version = $a->{version} // '1.1';
    my @h       = @{ $a->{headers} || [] };
    die "headers must be a list of name => value pairs\n" if @h % 2;

    my (%have);
    for (my $i = 0; $i < @h; $i += 2) {
        $have{ lc $h[$i] } = 1;
    }

    my $req = "$method $uri HTTP/$version\r\n";
    unless ($a->{no_host} || $have{host}) {
        my $host = exists $a->{host} ? $a->{host} : "127.0.0.1:$port";
        $req .= "Host: $host\r\n" if defined $host;
    }
    for (my $i = 0; $i < @h; $i += 2) {
        $req .= "$h[$i]: $h[$i + 1]\r\n";
    }
    my $body = $a->{body};
    if (defined $body && !$have{'content-length'}
        && !$have{'transfer-encoding'})
    {
        $req .= 'Content-Length: ' . length($body) . "\r\n";
    }
    $req .= "Connection: close\r\n" if $close && !$have{connection};
    $req .= "\r\n";

    my @pieces = ($req);
    if (ref $a->{body_pieces}) {
        push @pieces, @{ $a->{body_pieces} };
    } elsif (defined $body) {
        $pieces[0] .= $body;
    }
    return \@pieces;
}

# sends the pieces; returns undef, or the error that stopped it (a server
# that answers early, e.g. 413, and closes is not an error for the caller:
# the response is still read)
sub _send {
    my ($sock, $pieces, $deadline) = @_;
    local $SIG{PIPE} = 'IGNORE';
    my $sel = IO::Select->new($sock);

    for my $p (@$pieces) {
        my ($data, $delay) = ref $p ? @$p : ($p, 0);
        sleep $delay if $delay;
        my $off = 0;
        while ($off < length $data) {
            my $left = $deadline - time;
            return 'write timeout' if $left <= 0;
            next unless $sel->can_write($left);
            my $n = syswrite($sock, $data, length($data) - $off, $off);
            if (!defined $n) {
                next if $! == EINTR || $! == EAGAIN || $! == EWOULDBLOCK;
                return "write failed: $!";
            }
            $off += $n;
        }
    }
    return undef;
}

# reads from the socket into $$buf until one complete response is there;
# leaves any following bytes in $$buf
sub _read_response {
    my ($sock, $buf, $method, $deadline) = @_;
    my $sel = IO::Select->new($sock);
    my $eof = 0;

    while (1) {
        my ($r, $used) = parse_response($$buf, $method eq 'HEAD', $eof);
        if ($r) {
            substr($$buf, 0, $used, '');
            $r->{closed} = 1 if $eof && !length $$buf;
            return $r;
        }
        my $left = $deadline - time;
        if ($left <= 0) {
            my ($p) = parse_response($$buf, $method eq 'HEAD', 1);
            my $r = $p || Consent::Test::Response->new(raw => $$buf);
            $r->{error} = 'timeout reading the response'
                . (length $$buf ? '' : ' (nothing received)');
            $$buf = '';
            return $r;
        }
        next unless $sel->can_read($left);
        my $n = sysread($sock, my $chunk, 65536);
        if (!defined $n) {
            next if $! == EINTR || $! == EAGAIN || $! == EWOULDBLOCK;
            $eof = 1;    # ECONNRESET and friends
            next;
        }
        if ($n == 0) {
            if (!length $$buf) {
                return Consent::Test::Response->new(
                    error  => 'connection closed before any response',
                    closed => 1);
            }
            $eof = 1;
            next;
        }
        $$buf .= $chunk;
    }
}

sub _read_until_eof {
    my ($sock, $buf, $deadline) = @_;
    my $sel = IO::Select->new($sock);
    while (1) {
        my $left = $deadline - time;
        return 0 if $left <= 0;
        next unless $sel->can_read($left);
        my $n = sysread($sock, my $chunk, 65536);
        if (!defined $n) {
            next if $! == EINTR || $! == EAGAIN || $! == EWOULDBLOCK;
            return 1;
        }
        return 1 if $n == 0;
        $$buf .= $chunk;
    }
}

# parse_response($bytes, $is_head, $eof) -> ($response, $bytes_used), or
# () when more bytes are needed. With $eof, always returns a response
# (with {error} set when the bytes are not a complete response).
sub parse_response {
    my ($buf, $is_head, $eof) = @_;
    my $off = 0;
    my @interim;

    while (1) {
        my $hend = index($buf, "\r\n\r\n", $off);
        if ($hend < 0) {
            return () unless $eof;
            return (Consent::Test::Response->new(
                raw   => $buf,
                error => length $buf ? 'incomplete response header'
                                     : 'empty response'), length $buf);
        }

        my $head = substr($buf, $off, $hend - $off);
        my ($line, @lines) = split /\r\n/, $head, -1;
        my %r = (headers => {}, header_list => [], interim => \@interim);

        if ($line =~ m{^HTTP/(\d\.\d) (\d{3})(?: (.*))?$}) {
            @r{qw(protocol status reason)} = ($1, $2 + 0, $3 // '');
        } else {
            return (Consent::Test::Response->new(raw => $buf,
                error => "bad status line: $line"), length $buf);
        }

        for my $l (@lines) {
            if ($l =~ /^[ \t]/ && @{ $r{header_list} }) {    # obs-fold
                (my $more = $l) =~ s/^[ \t]+//;
                $r{header_list}[-1][1] .= " $more";
                $r{headers}{ lc $r{header_list}[-1][0] }[-1] .= " $more";
                next;
            }
            my ($n, $v) = $l =~ /^([^:\s]+):[ \t]*(.*?)[ \t]*$/;
            unless (defined $n) {
                $r{error} = "bad header line: $l";
                next;
            }
            push @{ $r{header_list} }, [ $n, $v ];
            push @{ $r{headers}{ lc $n } }, $v;
        }

        my $bstart = $hend + 4;

        if ($r{status} >= 100 && $r{status} < 200 && $r{status} != 101) {
            push @interim, $r{status};
            $off = $bstart;
            next;
        }

        my $te = join ',', @{ $r{headers}{'transfer-encoding'} || [] };
        my $cl = $r{headers}{'content-length'};

        if ($is_head || $r{status} == 204 || $r{status} == 304
            || $r{status} == 101)
        {
            $r{body} = '';
            $r{raw}  = substr($buf, 0, $bstart);
            return (Consent::Test::Response->new(%r), $bstart);
        }

        if ($te =~ /chunked\s*$/i) {
            $r{chunked} = 1;
            my ($body, $used, $sizes, $trailers, $err)
                = _dechunk($buf, $bstart, $eof);
            return () unless defined $used;
            $r{body}        = $body;
            $r{chunk_sizes} = $sizes;
            $r{trailers}    = $trailers;
            $r{error}       = $err if defined $err;
            $r{raw}         = substr($buf, 0, $used);
            return (Consent::Test::Response->new(%r), $used);
        }

        if ($cl) {
            if (@$cl > 1 && grep { $_ ne $cl->[0] } @$cl) {
                $r{error} = 'conflicting Content-Length headers';
            }
            my $len = $cl->[0];
            if ($len !~ /^\d+$/) {
                $r{error} = "bad Content-Length: $len";
                $len = 0;
            }
            if (length($buf) - $bstart < $len) {
                return () unless $eof;
                $r{error} = 'body shorter than Content-Length ('
                    . (length($buf) - $bstart) . " < $len)";
                $len = length($buf) - $bstart;
            }
            $r{body} = substr($buf, $bstart, $len);
            $r{raw}  = substr($buf, 0, $bstart + $len);
            return (Consent::Test::Response->new(%r), $bstart + $len);
        }

        # no framing: the body runs to the end of the connection
        return () unless $eof;
        $r{body}       = substr($buf, $bstart);
        $r{raw}        = $buf;
        $r{until_eof}  = 1;
        return (Consent::Test::Response->new(%r), length $buf);
    }
}

# decodes a chunked body starting at $pos; returns (body, end offset,
# [chunk sizes], {trailers}, error) or an undef end offset when more bytes
# are needed
sub _dechunk {
    my ($buf, $pos, $eof) = @_;
    my ($body, @sizes, %trailers) = ('');

    while (1) {
        my $le = index($buf, "\r\n", $pos);
        if ($le < 0) {
            return (undef, undef) unless $eof;
            return ($body, length $buf, \@sizes, \%trailers,
                'chunked body truncated (no chunk size)');
        }
        my $line = substr($buf, $pos, $le - $pos);
        unless ($line =~ /^([0-9a-fA-F]+)[ \t]*(?:;.*)?$/) {
            return ($body, length $buf, \@sizes, \%trailers,
                "bad chunk size line: $line");
        }
        my $size = hex $1;
        $pos = $le + 2;

        if ($size == 0) {
            # trailers, then an empty line
            while (1) {
                my $te = index($buf, "\r\n", $pos);
                if ($te < 0) {
                    return (undef, undef) unless $eof;
                    return ($body, length $buf, \@sizes, \%trailers,
                        'chunked body truncated (no final CRLF)');
                }
                my $t = substr($buf, $pos, $te - $pos);
                $pos = $te + 2;
                last if $t eq '';
                my ($n, $v) = $t =~ /^([^:\s]+):[ \t]*(.*?)[ \t]*$/;
                push @{ $trailers{ lc $n } }, $v if defined $n;
            }
            return ($body, $pos, \@sizes, \%trailers, undef);
        }

        if (length($buf) < $pos + $size + 2) {
            return (undef, undef) unless $eof;
            $body .= substr($buf, $pos) if length($buf) > $pos;
            return ($body, length $buf, \@sizes, \%trailers,
                'chunked body truncated');
        }
        $body .= substr($buf, $pos, $size);
        push @sizes, $size;
        $pos += $size;
        if (substr($buf, $pos, 2) ne "\r\n") {
            return ($body, length $buf, \@sizes, \%trailers,
                'chunk not followed by CRLF');
        }
        $pos += 2;
    }
}

1;

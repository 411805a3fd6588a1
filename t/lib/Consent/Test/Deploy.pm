package Consent::Test::Deploy;

# Helpers shared by the deployment tests (t/deploy-*.t): consent cookies
# for a test's key, which trackers of a page are live and which gated,
# the error log written after a point, bodies compressed and inflated,
# a PHP FastCGI server (php-cgi -b) and curl for HTTP/2. Core Perl and
# what Debian's perl ships (IO::Compress, Compress::Raw::Zlib).

use strict;
use warnings;

use Carp qw(croak);
use Exporter qw(import);
use File::Temp qw(tempfile);
use IO::Compress::Deflate qw(deflate $DeflateError);
use IO::Compress::Gzip qw(gzip $GzipError);
use IO::Compress::RawDeflate qw(rawdeflate $RawDeflateError);
use IO::Uncompress::Gunzip qw(gunzip $GunzipError);
use IO::Uncompress::Inflate qw(inflate $InflateError);
use IO::Uncompress::RawInflate qw(rawinflate $RawInflateError);
use POSIX ();
use Test::More ();
use Time::HiRes qw(time sleep);

use Consent::Test;
use Consent::Token qw(mint secret_from_keyfile_line);

our @EXPORT_OK = qw(cookies trackers live gated log_mark log_since
    gz zlib raw_deflate gunzip_body inflate_body raw_inflate_body
    decoded_body php_cgi php_spawn curl_h2 curl_has_http2 marked_etag
    cc_has has hasnt);
our %EXPORT_TAGS = (all => \@EXPORT_OK);

# the categories' bits in conf/policy.json: necessary 1, preferences 2,
# analytics 4, marketing 8
our %GRANTED = (
    all       => 0xf,
    reject    => 0x1,
    analytics => 0x5,
    marketing => 0x9,
);

# cookies($t, revision => N): name => "consent=VALUE" for each of
# %GRANTED, minted with the key of $t->keyfile (kid k1); one consent id
# per name, so the same name is the same visitor
sub cookies {
    my ($t, %o) = @_;
    my $secret = secret_from_keyfile_line('k1 ' . $t->secret('k1'));
    my %c;
    for my $who (keys %GRANTED) {
        $c{$who} = 'consent=' . mint(secret => $secret,
            granted => $GRANTED{$who}, revision => $o{revision} // 1,
            id => pack('N4', map { int rand 2**32 } 1 .. 4));
    }
    return \%c;
}

# the trackers the deployment pages hold, by the host or path that names
# them
our @TRACKERS = (
    [ gtm        => qr{^https?://(?:[\w-]+\.)*googletagmanager\.com/} ],
    [ ga         => qr{^https?://(?:[\w-]+\.)*google-analytics\.com/} ],
    [ meta       => qr{^https?://(?:[\w-]+\.)*(?:connect\.facebook\.net/|facebook\.com/tr)} ],
    [ youtube    => qr{^https?://(?:[\w-]+\.)*youtube\.com/embed} ],
    [ doubleclick => qr{^https?://(?:[\w-]+\.)*doubleclick\.net/} ],
);

sub _tracker {
    my ($url) = @_;
    $url =~ s/&amp;/&/g;
    for my $tr (@TRACKERS) {
        return $tr->[0] if $url =~ $tr->[1];
    }
    return undef;
}

# trackers($html) -> {live => [names], gated => [names]}, in document
# order: a <script>, <iframe> or <img> whose src names a tracker is live
# unless it is a script made inert (type="text/plain"); one whose URL
# was moved to data-consent-src is gated
sub trackers {
    my ($html) = @_;
    my (@live, @gated);
    while ($html =~ /<(script|iframe|img)\b([^>]*)>/gi) {
        my ($tag, $attrs) = (lc $1, $2);
        if ($attrs =~ /\sdata-consent-src\s*=\s*["']?([^"'\s>]+)/i) {
            my $n = _tracker($1);
            push @gated, $n if $n;
            next;
        }
        $attrs =~ /\ssrc\s*=\s*["']?([^"'\s>]+)/i or next;
        my $n = _tracker($1) or next;
        if ($tag eq 'script' && $attrs =~ /\stype\s*=\s*["']?text\/plain/i) {
            push @gated, $n;
        } else {
            push @live, $n;
        }
    }
    return { live => \@live, gated => \@gated };
}

sub live  { join ',', sort @{ trackers($_[0])->{live} } }
sub gated { join ',', sort @{ trackers($_[0])->{gated} } }

# the error log's length now, to read what comes after it
sub log_mark { length $_[0]->error_log }

# log_since($t, $mark, $re, $timeout): the error log's lines written
# after $mark that match $re, joined ('' when none), waiting up to
# $timeout seconds (default 1) for one to appear
sub log_since {
    my ($t, $mark, $re, $timeout) = @_;
    my $deadline = time + ($timeout // 1);
    while (1) {
        my $log = $t->error_log;
        my $new = length $log > $mark ? substr($log, $mark) : '';
        my @m = grep { $_ =~ $re } split /\n/, $new;
        return join "\n", @m if @m || time >= $deadline;
        sleep 0.05;
    }
}

# compressors, and their inverses (undef when the data does not decode)
sub gz {
    my ($data) = @_;
    gzip(\$data => \my $out) or croak "gzip: $GzipError";
    return $out;
}

sub zlib {
    my ($data) = @_;
    deflate(\$data => \my $out) or croak "deflate: $DeflateError";
    return $out;
}

sub raw_deflate {
    my ($data) = @_;
    rawdeflate(\$data => \my $out) or croak "rawdeflate: $RawDeflateError";
    return $out;
}

sub gunzip_body {
    my ($data) = @_;
    my $out;
    gunzip(\$data => \$out, MultiStream => 1, Transparent => 0)
        or return undef;
    return $out;
}

sub inflate_body {
    my ($data) = @_;
    my $out;
    inflate(\$data => \$out, Transparent => 0) or return undef;
    return $out;
}

sub raw_inflate_body {
    my ($data) = @_;
    my $out;
    rawinflate(\$data => \$out, Transparent => 0) or return undef;
    return $out;
}

# the body of a response as a browser would read it: decoded by its
# Content-Encoding (gzip, x-gzip, deflate in either framing, identity)
sub decoded_body {
    my ($r) = @_;
    my $ce = lc(join ',', $r->headers('content-encoding'));
    $ce =~ s/\s+//g;
    return $r->{body} if $ce eq '' || $ce eq 'identity';
    return gunzip_body($r->{body}) if $ce eq 'gzip' || $ce eq 'x-gzip';
    if ($ce eq 'deflate') {
        return inflate_body($r->{body}) // raw_inflate_body($r->{body});
    }
    return undef;
}

# the ETag a filtered page must carry: W/"<original opaque tag>;c=<16
# lowercase hex>"; marked_etag($etag) -> (original, variant) or ()
sub marked_etag {
    my ($etag) = @_;
    return () unless defined $etag;
    return $etag =~ /^W\/"([^"]*);c=([0-9a-f]{16})"$/ ? ($1, $2) : ();
}

# does the response's Cache-Control hold this directive?
sub cc_has {
    my ($r, $directive) = @_;
    my $cc = lc join ',', $r->headers('cache-control');
    return scalar grep { /^\s*\Q$directive\E\s*(?:=|$)/ } split /,/, $cc;
}

# has($text, qr/.../, $name), hasnt(...): like() and unlike() that show
# no more than the start of a page when they fail
sub _excerpt {
    my ($s) = @_;
    $s //= '(undef)';
    my $e = length $s > 300 ? substr($s, 0, 300) . '...' : $s;
    $e =~ s/([^\x20-\x7e\n])/sprintf '\\x%02x', ord $1/ge;
    return 'in ' . length($s) . " bytes: $e";
}

sub has {
    my ($s, $re, $name) = @_;
    my $tb = Test::More->builder;
    my $m = (defined $s && $s =~ $re) ? 1 : 0;
    my $ok = $tb->ok($m, $name);
    $tb->diag("no match for $re " . _excerpt($s)) unless $ok;
    return $ok;
}

sub hasnt {
    my ($s, $re, $name) = @_;
    my $tb = Test::More->builder;
    my $m = (!defined $s || $s !~ $re) ? 1 : 0;
    my $ok = $tb->ok($m, $name);
    $tb->diag("a match for $re " . _excerpt($s)) unless $ok;
    return $ok;
}

# ---------------------------------------------------------------------------
# PHP over FastCGI

# the php-cgi binary, or undef
sub php_cgi {
    for my $p ($ENV{PHP_CGI} // (), '/usr/bin/php-cgi') {
        return $p if -x $p;
    }
    return undef;
}

# php_spawn($t, port => NNNN, ini => {name => value}): starts
# "php-cgi -b 127.0.0.1:PORT" (no php.ini: only the settings given) in
# its own process group, registered as one of $t's backends, so the
# harness stops it with the others; returns the real port once it
# listens. Start it before $t->run.
sub php_spawn {
    my ($t, %o) = @_;
    my $n = $o{port} // croak 'php_spawn(port => NNNN)';
    my $bin = php_cgi() // croak 'php-cgi is not installed';
    my $port = $t->port($n);
    my @ini = map { ('-d', "$_=$o{ini}{$_}") } sort keys %{ $o{ini} || {} };

    # let php-cgi have the port (it stays locked against other tests)
    Consent::Test::_release_socket($port);

    my $log = $t->path("php-$n.log");
    my $pid = fork;
    croak "fork: $!" unless defined $pid;
    if ($pid == 0) {
        POSIX::setpgid(0, 0);
        open STDIN, '<', '/dev/null';
        open STDOUT, '>>', $log;
        open STDERR, '>&', \*STDOUT;
        $ENV{PHP_FCGI_CHILDREN} = $o{children} // 2;
        $ENV{PHP_FCGI_MAX_REQUESTS} = 0;
        exec($bin, '-n', @ini, '-b', "127.0.0.1:$port")
            or print "exec $bin: $!\n";
        POSIX::_exit(127);
    }
    $t->{backends}{$n} = $pid;

    my $deadline = time + ($Consent::Test::TIMEOUT || 5);
    while (time < $deadline) {
        if (waitpid($pid, POSIX::WNOHANG()) == $pid) {
            delete $t->{backends}{$n};
            croak "php-cgi exited at once: " . ($t->read_file("php-$n.log")
                // '');
        }
        return $port if Consent::Test::_listening($port);
        sleep 0.02;
    }
    croak "php-cgi did not listen on 127.0.0.1:$port";
}

# ---------------------------------------------------------------------------
# HTTP/2 with curl

sub curl_has_http2 {
    my $v = `curl --version 2>/dev/null` // '';
    return $v =~ /^Features:.*\bHTTP2\b/m ? 1 : 0;
}

# curl_h2($url, headers => [name => value, ...]): one request over
# cleartext HTTP/2 (prior knowledge); returns a Consent::Test::Response
# (status, headers, body as sent, protocol '2'), error set when curl
# failed
sub curl_h2 {
    my ($url, %o) = @_;
    my ($hfh, $hfile) = tempfile(UNLINK => 1);
    my ($bfh, $bfile) = tempfile(UNLINK => 1);
    close $hfh;
    close $bfh;
    my @h = @{ $o{headers} || [] };
    my @args = ('curl', '-sS', '--http2-prior-knowledge', '--max-time',
        $o{timeout} // 10, '-D', $hfile, '-o', $bfile);
    for (my $i = 0; $i < @h; $i += 2) {
        push @args, '-H', "$h[$i]: $h[$i + 1]";
    }
    push @args, $url;

    my $pid = open(my $fh, '-|');
    croak "fork: $!" unless defined $pid;
    if ($pid == 0) {
        open STDERR, '>&', \*STDOUT;
        exec(@args) or print "exec curl: $!\n";
        POSIX::_exit(127);
    }
    local $/;
    my $err = <$fh> // '';
    close $fh;
    my $rc = $? >> 8;

    my $read = sub {
        open my $in, '<', $_[0] or return '';
        binmode $in;
        my $s = <$in>;
        close $in;
        return $s // '';
    };
    my $head = $read->($hfile);
    my %r = (headers => {}, header_list => [], body => $read->($bfile));
    my @lines = split /\r?\n/, $head;
    my $status = shift @lines // '';
    if ($status =~ m{^HTTP/([\d.]+) (\d{3})}) {
        @r{qw(protocol status)} = ($1, $2 + 0);
    }
    for my $l (@lines) {
        my ($n, $v) = $l =~ /^([^:\s]+):[ \t]*(.*?)[ \t]*$/ or next;
        push @{ $r{header_list} }, [ $n, $v ];
        push @{ $r{headers}{ lc $n } }, $v;
    }
    $r{error} = "curl exit $rc: $err" if $rc;
    return Consent::Test::Response->new(%r);
}

1;

__END__

=head1 NAME

Consent::Test::Deploy - helpers of the deployment tests (t/deploy-*.t)

=head1 FUNCTIONS

C<cookies($t, revision =E<gt> 1)>: C<{all, reject, analytics, marketing}>,
each a C<consent=...> Cookie header value signed with $t's key k1.

C<trackers($html)>: C<{live =E<gt> [...], gated =E<gt> [...]}>, the
trackers (gtm, ga, meta, youtube, doubleclick) of the page's script,
iframe and img tags; C<live($html)> and C<gated($html)> give them sorted
and joined with commas.

C<log_mark($t)>, C<log_since($t, $mark, $re, $timeout)>: the error log
lines after a mark that match, waiting for one.

C<gz>, C<zlib>, C<raw_deflate> compress; C<gunzip_body>,
C<inflate_body>, C<raw_inflate_body> decode (undef on bad data);
C<decoded_body($response)> decodes by Content-Encoding.

C<has($text, $re, $name)>, C<hasnt(...)>: like() and unlike() whose
diagnostics show only the start of a long page.

C<marked_etag($etag)>: C<($original, $variant)> of a
C<W/"ORIGINAL;c=16HEX"> tag, or an empty list. C<cc_has($r, $directive)>.

C<php_cgi()>: the php-cgi binary or undef. C<php_spawn($t, port =E<gt>
NNNN, ini =E<gt> {...})>: php-cgi as a FastCGI server on that port,
stopped with $t's backends.

C<curl_has_http2()>, C<curl_h2($url, headers =E<gt> [...])>: one request
over cleartext HTTP/2 with curl, as a Consent::Test::Response.

=cut

#!/usr/bin/perl

# HTML bombs through the filter: a 100 MB page, a single 10 MB tag, a
# million attributes, an endless comment and endless script data, deep
# nesting, a million trackers, a page trickled from a backend.  The
# worker's memory stays bounded (its resident size, read from /proc
# while the page streams, grows by far less than the page) and the
# output is right, or fails closed: a tag too long to judge is made
# inert.  Pages are read as they stream, never held whole in memory.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use Consent::Test;
use IO::Socket::INET;
use IO::Select;
use Time::HiRes qw(time);

my $t = Consent::Test->new();
my $keys = $t->keyfile();
my $policy = $t->policy_file();
my $dir = $t->path('html');

my $MB = 1024 * 1024;
my $BOUND = 24 * $MB;      # what the worker may grow by, for any page

$t->config(<<"EOF");
http {
    include /etc/nginx/mime.types;

    consent_keys $keys;
    consent_policy $policy;

    server {
        listen 127.0.0.1:%%PORT_8080%%;
        server_name localhost;
        root %%TESTDIR%%/html;

        consent on;

        location /consent/ { consent_endpoint; }

        location /backend/ {
            proxy_pass http://127.0.0.1:%%PORT_8081%%/;
            proxy_buffering off;
        }
    }
}
EOF

# ---------------------------------------------------------------------------
# pages, written piece by piece

my $GTM = '<script async src="https://www.googletagmanager.com/gtm.js">'
    . '</script>';
my $GTM_GATED = '<script type="text/plain" data-consent="analytics" async '
    . 'src="https://www.googletagmanager.com/gtm.js"></script>';
my $PIXEL = '<img src="https://ad.doubleclick.net/p.gif" alt="">';
my $PIXEL_GATED = '<img data-consent="marketing" '
    . 'data-consent-src="https://ad.doubleclick.net/p.gif" alt="">';
my $HEAD = "<!DOCTYPE html><html><head><title>bomb</title></head><body>\n";
my $TAIL = "</body></html>\n";

sub write_page {
    my ($name, @parts) = @_;
    my $path = "$dir/$name";
    mkdir $dir;
    open my $fh, '>:raw', $path or die "$path: $!";
    my $len = 0;
    for my $p (@parts) {
        if (ref $p) {
            my ($s, $n) = @$p;
            my $block = $s x int(65536 / length($s) || 1);
            my $reps = length($s) * $n;
            while ($reps > 0) {
                my $w = $reps >= length $block ? $block
                                               : substr($block, 0, $reps);
                print {$fh} $w;
                $reps -= length $w;
                $len += length $w;
            }
        } else {
            print {$fh} $p;
            $len += length $p;
        }
    }
    close $fh or die "$path: $!";
    chmod 0644, $path;
    return $len;
}

my $PARA = "<p>Paragraph of text with <a href=\"/x\">a link</a>.</p>\n";

my %size;
$size{big} = write_page('big.html', $HEAD, $GTM,
    [$PARA, int(50 * $MB / length $PARA)], $PIXEL,
    [$PARA, int(50 * $MB / length $PARA)], $GTM, $TAIL);
$size{small} = write_page('small.html', $HEAD, $GTM, $PARA, $PIXEL, $PARA,
    $GTM, $TAIL);
$size{tag} = write_page('tag.html', $HEAD,
    '<img src="https://ad.doubleclick.net/p.gif" data-x="',
    ['A', 10 * $MB], '">', $PIXEL, $TAIL);
$size{divtag} = write_page('divtag.html', $HEAD, '<div data-x="',
    ['A', 10 * $MB], '">', $PIXEL, $TAIL);
$size{attrs} = write_page('attrs.html', $HEAD, '<img',
    [' a', 1_000_000], ' src="/local.png">', $PIXEL, $TAIL);
$size{divattrs} = write_page('divattrs.html', $HEAD, '<div',
    [' a', 1_000_000], '>', $PIXEL, $TAIL);
$size{comment} = write_page('comment.html', $HEAD, '<!--',
    ["x $PIXEL -- > ", int(30 * $MB / (length($PIXEL) + 8))]);
$size{comment2} = write_page('comment2.html', $HEAD, '<!--',
    ['x- -', 5 * $MB], '-->', $PIXEL, $TAIL);
$size{script} = write_page('script.html', $HEAD, '<script>',
    ["var a = '<img src=//ad.doubleclick.net/p>'; </scrip t>\n",
     int(30 * $MB / 50)]);
$size{script2} = write_page('script2.html', $HEAD, '<script>',
    ['/* x */', 2 * $MB], "gtag('config');</script>", $PIXEL, $TAIL);
$size{nest} = write_page('nest.html', $HEAD, ['<div>', 1_000_000],
    $PIXEL, ['</div>', 1_000_000], $TAIL);
$size{svg} = write_page('svg.html', $HEAD, '<svg>', ['<g>', 200_000],
    '<script href="//plausible.io/js/s.js"/>', ['</g>', 200_000], '</svg>',
    $GTM, $TAIL);
$size{math} = write_page('math.html', $HEAD,
    ['<math><mi><svg><foreignObject>', 100_000], $PIXEL, $TAIL);
$size{many} = write_page('many.html', $HEAD, [$PIXEL, 500_000], $TAIL);
$size{lt} = write_page('lt.html', $HEAD, ['<', 20 * $MB], $PIXEL, $TAIL);
$size{unfinished} = write_page('unfinished.html', $HEAD,
    '<img src="https://ad.doubleclick.net/p.gif" alt="', ['x', 20 * $MB]);

# a page trickled by a backend in 2000 pieces, a tracker cut in two
my @pieces = map { [$PARA x 50, 0] } 1 .. 1000;
push @pieces, ['<img src="https://ad.double', 0], ['click.net/p.gif">', 0.2];
push @pieces, map { [$PARA x 50, 0] } 1 .. 1000;
$t->backend(port => 8081, chunks => [[$HEAD, 0], @pieces, [$TAIL, 0]],
    headers => ['Content-Type' => 'text/html']);

$t->run();

my $port = $t->port(8080);

# ---------------------------------------------------------------------------
# the worker and its memory

sub worker {
    my $master = $t->pid;
    for (1 .. 500) {
        for my $stat (glob '/proc/[0-9]*/stat') {
            open my $fh, '<', $stat or next;
            my $s = <$fh> // '';
            close $fh;
            return $1 if $s =~ /^(\d+) \(.*\) \S (\d+) / && $2 == $master;
        }
        select undef, undef, undef, 0.01;
    }
    return $master;    # master_process off
}

sub rss {
    my ($pid) = @_;
    open my $fh, '<', "/proc/$pid/status" or return 0;
    while (<$fh>) {
        return $1 * 1024 if /^VmRSS:\s+(\d+) kB/;
    }
    return 0;
}

my $worker = worker();

# GET over HTTP/1.0: the body ends when the connection closes.  Returns
# the status, the body's length, what the checks found, the largest
# resident size of the worker seen while the body streamed
sub stream {
    my ($uri, %o) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
        Proto => 'tcp', Timeout => 10) or die "connect: $!";
    print {$s} "GET $uri HTTP/1.0\r\nHost: 127.0.0.1:$port\r\n"
        . ($o{cookie} ? "Cookie: $o{cookie}\r\n" : '') . "\r\n";

    my $sel = IO::Select->new($s);
    my ($buf, $head, $len, $peak, $n) = ('', undef, 0, 0, 0);
    my %count = map { $_ => 0 } keys %{ $o{count} || {} };
    my $tailbuf = '';
    my $deadline = time + 60;
    my $keep = 4096;   # overlap, so a pattern cut between reads counts

    while (time < $deadline) {
        last unless $sel->can_read($deadline - time);
        my $got = sysread($s, my $chunk, 1 << 20);
        last unless $got;

        if (!defined $head) {
            $buf .= $chunk;
            my $i = index($buf, "\r\n\r\n");
            next if $i < 0;
            $head = substr($buf, 0, $i);
            $chunk = substr($buf, $i + 4);
        }

        my $win = $tailbuf . $chunk;
        for my $p (keys %count) {
            my $pos = 0;
            while (($pos = index($win, $p, $pos)) >= 0) {
                # count only occurrences that end in the new bytes
                $count{$p}++ if $pos + length($p) > length $tailbuf;
                $pos++;
            }
        }
        $o{first} //= substr($win, 0, 8192) if $len == 0;
        $len += length $chunk;
        $tailbuf = substr($win, -$keep);
        $tailbuf = $win if length $win < $keep;

        if (++$n % 8 == 0) {
            my $r = rss($worker);
            $peak = $r if $r > $peak;
        }
    }
    close $s;
    my $r = rss($worker);
    $peak = $r if $r > $peak;

    my ($status) = ($head // '') =~ m{^HTTP/1\.\d (\d+)};
    return { status => $status // 0, len => $len, count => \%count,
        peak => $peak, tail => $tailbuf, first => $o{first} // '' };
}

# warm up: the worker's memory after a first filtered page
stream('/small.html') for 1 .. 3;
my $base = rss($worker);
ok($base > 0, 'resident size of the worker: ' . int($base / 1024) . ' KB');

sub bounded {
    my ($what, $r, $input) = @_;
    my $grew = $r->{peak} - $base;
    ok($grew < $BOUND, sprintf('%s: memory bounded (%.1f MB streamed, '
        . 'worker grew %.1f MB)', $what, $input / $MB, $grew / $MB));
}

# ---------------------------------------------------------------------------
# the bombs

my $start = time;
my $r;

# the same page, small and 100 MB: the same changes (but for the page's
# own path in the banner's form), the filler untouched
my $small = stream('/small.html',
    count => { $GTM_GATED => 1, $PIXEL_GATED => 1, 'data-consent-ui' => 1 });
is($small->{status}, 200, 'small page');
my $delta = $small->{len} - $size{small};
ok($delta > 0, "small page: $delta bytes injected or inserted");

$r = stream('/big.html',
    count => { $GTM_GATED => 1, $PIXEL_GATED => 1, 'data-consent-ui' => 1,
        'id="consent-banner"' => 1 });
is($r->{status}, 200, '100 MB page');
ok($size{big} > 100 * $MB, '100 MB page: ' . $size{big} . ' bytes');
is($r->{len} - $size{big}, $delta + length('/big.html') - length('/small.html'),
    '100 MB page: the same changes as the small page, the rest unchanged');
is($r->{count}{$GTM_GATED}, 2, '100 MB page: the trackers at both ends gated');
is($r->{count}{$PIXEL_GATED}, 1, '100 MB page: the one in the middle too');
is($r->{count}{'id="consent-banner"'}, 1, '100 MB page: one banner');
like($r->{first}, qr/<body><div id="consent-banner"/,
    '100 MB page: the banner right after <body>');
like($r->{tail}, qr/<\/body><\/html>\n$/, '100 MB page: the end as it was');
is($r->{count}{'data-consent-ui'}, $small->{count}{'data-consent-ui'},
    '100 MB page: injected once, as the small page');
bounded('100 MB page', $r, $size{big});

# failed closed: every attribute that loads renamed (docs/gating.md)
my $FAILED = '<img data-consent="" '
    . 'data-consent-src="https://ad.doubleclick.net/p.gif"';
$r = stream('/tag.html', count => { $FAILED => 1, $PIXEL_GATED => 1 });
is($r->{status}, 200, 'a 10 MB tag');
is($r->{count}{$FAILED}, 1,
    'a 10 MB tag: made inert (fails closed)');
is($r->{count}{$PIXEL_GATED}, 1, 'a 10 MB tag: the next tag is gated');
ok($r->{len} >= $size{tag}, 'a 10 MB tag: passed on, not dropped');
bounded('a 10 MB tag', $r, $size{tag});

$r = stream('/divtag.html', count => { $PIXEL_GATED => 1,
    'data-consent=""' => 1 });
is($r->{status}, 200, 'a 10 MB div');
is($r->{count}{'data-consent=""'}, 0, 'a 10 MB div: left alone');
is($r->{count}{$PIXEL_GATED}, 1, 'a 10 MB div: the next tag is gated');
bounded('a 10 MB div', $r, $size{divtag});

$r = stream('/attrs.html', count => { '<img data-consent="" a a' => 1,
    ' data-consent-src="/local.png">' => 1, $PIXEL_GATED => 1 });
is($r->{status}, 200, 'a million attributes');
is($r->{count}{'<img data-consent="" a a'}
    + $r->{count}{' data-consent-src="/local.png">'}, 2,
    'a million attributes: made inert (fails closed), the last one too');
is($r->{count}{$PIXEL_GATED}, 1, 'a million attributes: the next is gated');
bounded('a million attributes', $r, $size{attrs});

$r = stream('/divattrs.html', count => { $PIXEL_GATED => 1 });
is($r->{count}{$PIXEL_GATED}, 1, 'a div with a million attributes: then gated');
is($r->{len} - $size{divattrs}, $delta - 2 * (length($GTM_GATED)
    - length($GTM)) + length('/divattrs.html') - length('/small.html'),
    'a div with a million attributes: unchanged');
bounded('a div with a million attributes', $r, $size{divattrs});

$r = stream('/comment.html', count => { $PIXEL => 1, $PIXEL_GATED => 1,
    'id="consent-banner"' => 1 });
is($r->{status}, 200, 'an endless comment');
is($r->{count}{$PIXEL_GATED}, 0, 'an endless comment: nothing gated in it');
ok($r->{count}{$PIXEL} > 100_000, 'an endless comment: passed on as it was');
is($r->{count}{'id="consent-banner"'}, 1,
    'an endless comment: one banner');
like($r->{first}, qr{<body><div id="consent-banner".*?</form>\n</div>\n<!--}s,
    'an endless comment: the banner after <body>, not inside the comment');
bounded('an endless comment', $r, $size{comment});

$r = stream('/comment2.html', count => { $PIXEL_GATED => 1 });
is($r->{count}{$PIXEL_GATED}, 1, 'a 20 MB comment, closed: then gated');
bounded('a 20 MB comment', $r, $size{comment2});

$r = stream('/script.html', count => { 'data-consent-src' => 1,
    '<img data-consent' => 1 });
is($r->{status}, 200, 'endless script data');
is($r->{count}{'data-consent-src'} + $r->{count}{'<img data-consent'}, 0,
    'endless script data: no tag in it is touched');
bounded('endless script data', $r, $size{script});

$r = stream('/script2.html', count => { $PIXEL_GATED => 1,
    '<script type="text/plain"' => 1 });
is($r->{count}{$PIXEL_GATED}, 1, '14 MB inline script: then gated');
is($r->{count}{'<script type="text/plain"'}, 0,
    '14 MB inline script: its marker is past the look-ahead (documented)');
bounded('14 MB inline script', $r, $size{script2});

$r = stream('/nest.html', count => { $PIXEL_GATED => 1 });
is($r->{count}{$PIXEL_GATED}, 1, 'a million nested divs: gated');
bounded('a million nested divs', $r, $size{nest});

$r = stream('/svg.html', count => { $GTM_GATED => 1,
    'data-consent-href="//plausible.io/js/s.js"' => 1 });
is($r->{count}{'data-consent-href="//plausible.io/js/s.js"'}, 1,
    '200000 deep in SVG: its script gated');
is($r->{count}{$GTM_GATED}, 1, 'back from deep SVG: an HTML script gated');
bounded('deep SVG', $r, $size{svg});

$r = stream('/math.html', count => { $PIXEL_GATED => 1 });
is($r->{count}{$PIXEL_GATED}, 1,
    '100000 levels of math and svg integration points: gated');
bounded('deep math and svg', $r, $size{math});

$r = stream('/many.html', count => { $PIXEL_GATED => 1 });
is($r->{count}{$PIXEL_GATED}, 500_000, 'half a million trackers: all gated');
bounded('half a million trackers', $r, $size{many});

$r = stream('/lt.html', count => { $PIXEL_GATED => 1 });
is($r->{count}{$PIXEL_GATED}, 1, "20 MB of '<': then gated");
bounded("20 MB of '<'", $r, $size{lt});

$r = stream('/unfinished.html', count => { $FAILED => 1 });
is($r->{status}, 200, 'an unfinished 20 MB tag at the end');
is($r->{count}{$FAILED}, 1,
    'an unfinished 20 MB tag: made inert (fails closed)');
bounded('an unfinished 20 MB tag', $r, $size{unfinished});

my $cut = '<img data-consent="marketing" '
    . 'data-consent-src="https://ad.doubleclick.net/p.gif">';
$r = stream('/backend/', count => { $cut => 1, 'id="consent-banner"' => 1 });
is($r->{status}, 200, 'a page trickled in 2000 pieces');
is($r->{count}{$cut}, 1,
    'a page trickled in 2000 pieces: the tracker cut in two gated');
is($r->{count}{'id="consent-banner"'}, 1, 'trickled: one banner');
bounded('trickled', $r, 5 * $MB);

my $took = time - $start;
ok($took < 60, sprintf('the bombs took %.1f s', $took));

my $after = rss($worker);
ok($after - $base < $BOUND, sprintf('after them the worker holds %.1f MB '
    . 'more than before', ($after - $base) / $MB));

is(worker(), $worker, 'the same worker throughout');
$t->allow_log(qr/consent_tag_max/);

done_testing();

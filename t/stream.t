#!/usr/bin/perl

# The filter sends what it made of a buffer no later than the end of the
# turn of the event loop that brought it (issue 19, fewer and larger
# writes): a page an upstream sends in two parts a second apart reaches
# the client in two parts, the first at once, whether nginx buffers the
# upstream or not; a static page of many buffers arrives whole.

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

my $FIRST = "<!DOCTYPE html><html><head><title>t</title></head><body>\n"
    . "<p>the first part</p>\n"
    . ('<p>' . ('text ' x 200) . "</p>\n") x 20;
my $SECOND = "<p>the second part</p>\n</body></html>\n";
my $PAUSE = 1.0;

$t->backend(port => 8081, chunks => [ $FIRST, [ $SECOND, $PAUSE ] ]);

my $big = join('', map { "<p>paragraph $_ with some text</p>\n" } 1 .. 20000);
$t->write_file('html/big.html',
    "<!DOCTYPE html><html><head></head><body>\n$big</body></html>\n");

$t->config(<<"EOF2");
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

        location /buffered/ {
            proxy_pass http://127.0.0.1:%%PORT_8081%%/;
        }

        location /unbuffered/ {
            proxy_pass http://127.0.0.1:%%PORT_8081%%/;
            proxy_buffering off;
        }
    }
}
EOF2
$t->run;

# the time each marker was first read, from the request's start
sub timed {
    my ($uri, @marks) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
        PeerPort => $t->port(8080), Proto => 'tcp', Timeout => 10)
        or die "connect: $!";
    my $t0 = time;
    print {$s} "GET $uri HTTP/1.0\r\nHost: localhost\r\n\r\n";
    my $sel = IO::Select->new($s);
    my ($all, %at) = ('');
    while ($sel->can_read(10)) {
        my $n = sysread($s, my $buf, 65536);
        last unless $n;
        $all .= $buf;
        for my $m (@marks) {
            $at{$m} //= time - $t0 if index($all, $m) >= 0;
        }
    }
    close $s;
    return ($all, \%at);
}

for my $where (qw(buffered unbuffered)) {
    my ($all, $at) = timed("/$where/page", 'the first part',
                           'id="consent-banner"', 'the second part');
    like($all, qr{^HTTP/1\.1 200}, "$where: 200");
    ok(defined $at->{'the second part'}
       && $at->{'the second part'} >= $PAUSE * 0.9,
       "$where: the second part after the upstream's pause");
    ok(defined $at->{'the first part'}
       && $at->{'the first part'} < $PAUSE * 0.5,
       sprintf("$where: the first part at once (%.3f s), not held for the "
               . "second", $at->{'the first part'} // -1));
    ok(defined $at->{'id="consent-banner"'}
       && $at->{'id="consent-banner"'} < $PAUSE * 0.5,
       "$where: the banner with it");
}

my ($all) = timed('/big.html');
my $n = () = $all =~ m{<p>paragraph \d+ with some text</p>}g;
is($n, 20000, 'a static page of many buffers: whole');
like($all, qr{</body></html>\n\z}, 'a static page of many buffers: its end');

done_testing();

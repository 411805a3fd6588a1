#!/usr/bin/perl

# Reloads under load: two workers serve pages (static, from a compressing
# backend, over HTTP/1.1 and HTTP/2) while nginx is reloaded five times
# with a new policy revision each time.  Every response is whole, gated,
# and carries one banner: no page leaks a tracker while workers change.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use Compress::Zlib ();
use Consent::Test;
use POSIX ();
use Time::HiRes qw(sleep time);

my $CLIENTS = 3;
my $ROUNDS  = 60;

my $t = Consent::Test->new();
my $keys = $t->keyfile();
my $policy = $t->policy_file();
my $dir = $t->prefix;

my $fb = '<script src="https://connect.facebook.net/x.js"></script>';
my $page = "<!DOCTYPE html><html><head><title>t</title></head><body>\n"
    . ("<p>text</p>\n" x 400) . "$fb\n</body></html>\n";
$t->write_file('html/page.html', $page);

my $gz = Compress::Zlib::memGzip($page);
my $half = int(length($gz) / 2);
$t->backend(port => 8081, chunks => [[substr($gz, 0, $half), 0.002],
        [substr($gz, $half), 0]],
    headers => ['Content-Type' => 'text/html', 'Content-Encoding' => 'gzip']);

$t->config(<<"EOF");
worker_processes 2;

http {
    consent_keys $keys;
    consent_policy %%TESTDIR%%/policy-now.json;

    server {
        listen 127.0.0.1:%%PORT_8080%% backlog=1024;
        listen 127.0.0.1:%%PORT_8082%% http2;
        server_name localhost;
        root %%TESTDIR%%/html;
        default_type text/html;

        consent on;

        location /consent/ { consent_endpoint; }

        location /up/ {
            proxy_pass http://127.0.0.1:%%PORT_8081%%/;
        }
    }
}
EOF

# a new revision at each reload: pages in flight keep theirs

open my $pf, '<', $policy or die "$policy: $!";
my $policy_text = do { local $/; <$pf> };
close $pf;

sub revision {
    my ($n) = @_;
    (my $p = $policy_text) =~ s/"revision"\s*:\s*\d+/"revision": $n/
        or die "no revision in the policy";
    $t->write_file('policy-now.json', $p);
}

revision(1);
$t->allow_log(qr/the "listen \.\.\. http2" directive is deprecated/);
$t->run();

my $h2port = $t->port(8082);

sub check {
    my ($body) = @_;
    return 'empty' unless defined $body && length $body;
    return 'cut short' unless $body =~ m{</html>\n$};
    return 'a live tracker' if $body =~ m{<script src="https://connect\.facebook};
    return 'not gated' unless $body =~ m{<script type="text/plain" data-consent="marketing" src="https://connect\.facebook\.net/x\.js">};
    my $n = () = $body =~ /id="consent-banner"/g;
    return "$n banners" unless $n == 1;
    return 'ok';
}

my @pids;
for my $c (1 .. $CLIENTS) {
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        my %seen;
        for my $i (1 .. $ROUNDS) {
            my $uri = ($i % 2) ? '/page.html' : '/up/page.html';
            my $r = eval { $t->http(method => 'GET', uri => $uri,
                port => 8080) };
            my $what = $r ? ($r->{status} == 200 ? check($r->{body})
                                                 : "status $r->{status}")
                          : "no answer: $@";
            $seen{"h1 $what"}++;

            # HTTP/2: several streams at once on one connection
            my @urls = map { "http://127.0.0.1:$h2port/"
                . ($_ % 2 ? 'page.html' : 'up/page.html') } 1 .. 4;
            my @out = map { "$dir/h2-$c-$_" } 1 .. 4;
            system('curl', '-s', '--no-progress-meter', '--parallel',
                '--parallel-immediate', '--http2-prior-knowledge',
                '--max-time', '5',
                map { ($urls[$_], '-o', $out[$_]) } 0 .. 3);
            for my $k (0 .. 3) {
                my $f = $out[$k];

                # a stream a closing worker refused (GOAWAY) is asked
                # again, as a browser does
                unless (-e $f) {
                    $seen{'h2 asked again'}++;
                    system('curl', '-s', '--http2-prior-knowledge',
                        '--max-time', '5', $urls[$k], '-o', $f);
                }

                my $body = do { local $/; open my $fh, '<', $f
                    or do { $seen{'h2 no answer'}++; next }; <$fh> };
                $seen{'h2 ' . check($body)}++;
                unlink $f;
            }
        }
        open my $fh, '>', "$dir/client-$c" or POSIX::_exit(1);
        print {$fh} map { "$_\t$seen{$_}\n" } sort keys %seen;
        close $fh;
        POSIX::_exit(0);
    }
    push @pids, $pid;
}

for my $n (2 .. 6) {
    sleep 0.4;
    revision($n);
    $t->reload();
}

waitpid $_, 0 for @pids;

my %total;
for my $c (1 .. $CLIENTS) {
    my $text = $t->read_file("client-$c") // '';
    for (split /\n/, $text) {
        my ($what, $n) = split /\t/;
        $total{$what} += $n;
    }
}

my $h1 = $CLIENTS * $ROUNDS;
my $h2 = $CLIENTS * $ROUNDS * 4;
is($total{'h1 ok'} // 0, $h1, "HTTP/1.1: $h1 pages whole and gated")
    or diag(join ', ', map { "$_: $total{$_}" } sort keys %total);
is($total{'h2 ok'} // 0, $h2, "HTTP/2: $h2 pages whole and gated")
    or diag(join ', ', map { "$_: $total{$_}" } sort keys %total);
note("HTTP/2 streams asked again after a GOAWAY: "
    . ($total{'h2 asked again'} // 0));

my $reloads = () = $t->error_log =~ /reconfiguring/g;
ok($reloads >= 5, "nginx reloaded ($reloads)");

done_testing();

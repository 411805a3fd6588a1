#!/usr/bin/perl

# The counters (consent_status, docs/operations.md "Metrics"): under two
# worker processes and four concurrent clients a known request mix gives
# exact counts; the Prometheus text is well-formed (every line parsed,
# HELP and TYPE before the samples, no series twice) and says the same
# as ?format=json; conf/grafana's dashboard queries only what is exposed;
# the counts survive nginx -s reload, and a reload the zone has no room
# for is said at alert, not refused; a location without the directive
# serves its own page; nginx -t refuses consent_status in the http
# block, without a zone, and a zone too small, naming the file and line.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use JSON::PP;
use POSIX ();
use Consent::Test;
use Consent::Token qw(mint secret_from_keyfile_line);

my $t = Consent::Test->new();
my $keys = $t->keyfile();
my $policy = $t->policy_file();
my $secret = secret_from_keyfile_line('k1 ' . $t->secret('k1'));

my $long = 'https://cdn.example.test/' . ('a' x 300) . '.png';
my $page = <<"EOF";
<!DOCTYPE html><html><head><title>t</title>
<script async src="https://www.googletagmanager.com/gtag/js?id=G-1"></script>
<script src="https://connect.facebook.net/en_US/fbevents.js"></script>
<img src="https://www.facebook.com/tr?id=1&amp;ev=PageView">
<script data-consent="nosuchcat" src="/x.js"></script>
<img alt="long" src="$long">
</head><body><p>hi</p></body></html>
EOF

$t->write_file('html/page.html', $page);
$t->write_file('html/style.css', "p{}\n");
$t->write_file('html/empty.html', '');
$t->write_file('html/plain.html', "<p>plain</p>\n");
$t->write_file('html/app.html', "<p>app</p>\n");

# a page in UTF-16, which the filter cannot read
$t->backend(port => 8081, handler => sub {
    return (200, ['Content-Type' => 'text/html; charset=utf-16'],
        [[$page, 0]]);
});

my $conf = <<"EOF";
worker_processes 2;

http {
    consent_keys $keys;
    consent_policy $policy;
    consent_log %%TESTDIR%%/consent.log;
    consent_log syslog:server=unix:%%TESTDIR%%/nosuch.sock best_effort;
    consent_status_zone 1m;
    consent_tag_max 256;

    types {
        text/html html;
        text/css css;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;
        root %%TESTDIR%%/html;
        consent on;

        location /consent/ { consent_endpoint; }

        location /u16/ {
            proxy_pass http://127.0.0.1:%%PORT_8081%%;
        }

        location = /metrics {
            consent off;
            consent_status;
            allow 127.0.0.1;
            deny all;
        }

        location = /app.html {
            add_header Set-Cookie "_ga=GA1.1.1.1; Path=/";
            consent_request_cookies filter;
        }

        location = /plain.html {
            consent off;
        }
    }
}
EOF

$t->config($conf)->run;

$t->allow_log(qr/consent_log .*nosuch\.sock/);
$t->allow_log(qr/a page in a charset the filter cannot read/);

my $all = 'consent=' . mint(secret => $secret, granted => 0xf);
my $unknown = 'consent=' . mint(secret => $secret, kid => 'k9',
    granted => 0xf);

sub get {
    my ($uri, @h) = @_;
    return $t->http(uri => $uri, headers => [@h]);
}

sub post_json {
    my ($body, @h) = @_;
    return $t->http(method => 'POST', uri => '/consent/', body => $body,
        headers => ['Content-Type' => 'application/json', @h]);
}

# one round of the mix; what each request should count is in %per_round

sub round {
    my @st;
    push @st, get('/page.html', 'Accept-Language' => 'es')->status;
    push @st, get('/page.html', Cookie => $all)->status;
    push @st, get('/page.html', Cookie => $unknown)->status;
    push @st, get('/page.html', 'Accept-Language' => 'xx-YY')->status;
    push @st, post_json('{"action":"accept_all"}',
        'Accept-Language' => 'de')->status;
    push @st, post_json('{"action":"reject_all"}', 'Sec-GPC' => '1',
        'Accept-Language' => 'fr', Cookie => '_ga=GA1.1.2.2')->status;
    push @st, post_json('{"action":')->status;
    push @st, get('/consent/')->status;
    push @st, get('/style.css')->status;
    push @st, $t->http(method => 'HEAD', uri => '/page.html')->status;
    push @st, get('/empty.html')->status;
    push @st, get('/u16/page.html')->status;
    push @st, get('/app.html', Cookie => '_ga=GA1.1.3.3; _fbp=fb.1')->status;
    return join ',', @st;
}

my $round_statuses = '200,200,200,200,200,200,400,200,200,200,200,502,200';

# the counts one round adds
my %per_round = (
    'nginx_consent_html_responses_total' => 5,
    'nginx_consent_banners_shown_total{language="es"}' => 1,
    'nginx_consent_banners_shown_total{language="en"}' => 2,
    'nginx_consent_banners_shown_total{language="de"}' => 0,
    'nginx_consent_elements_gated_total{category="analytics"}' => 3,
    'nginx_consent_elements_gated_total{category="marketing"}' => 6,
    'nginx_consent_elements_gated_total{category="other"}' => 4,
    'nginx_consent_elements_gated_total{category="necessary"}' => 0,
    'nginx_consent_fail_closed_tags_total' => 3,
    'nginx_consent_unfiltered_responses_total{reason="type"}' => 1,
    'nginx_consent_unfiltered_responses_total{reason="head"}' => 0,
    'nginx_consent_unfiltered_responses_total{reason="empty"}' => 1,
    'nginx_consent_unfiltered_responses_total{reason="encoding"}' => 0,
    'nginx_consent_refused_responses_total{reason="charset"}' => 1,
    'nginx_consent_choices_total{action="accept_all",language="de"}' => 1,
    'nginx_consent_choices_total{action="reject_all",language="fr"}' => 1,
    'nginx_consent_choices_total{action="accept_all",language="en"}' => 0,
    'nginx_consent_choices_gpc_total{action="reject_all"}' => 1,
    'nginx_consent_choices_gpc_total{action="accept_all"}' => 0,
    'nginx_consent_choice_categories_total{category="analytics",decision="granted"}' => 1,
    'nginx_consent_choice_categories_total{category="analytics",decision="refused"}' => 1,
    'nginx_consent_choice_categories_total{category="marketing",decision="refused"}' => 1,
    'nginx_consent_choice_categories_total{category="necessary",decision="granted"}' => 0,
    # every request of a consent location but the malformed POST, whose
    # body is refused before the cookie is read, the stylesheet and the
    # HEAD of a page, which have no cookie to strip or expire and no
    # body to filter (the state decides nothing there)
    'nginx_consent_cookie_states_total{state="absent"}' => 8,
    'nginx_consent_cookies_stripped_total' => 1,
    # the refusal's _ga, on the host and the domains a browser could
    # hold it on
    'nginx_consent_cookies_expired_total' => 3,
    'nginx_consent_request_cookies_filtered_total' => 2,
    'nginx_consent_cookie_states_total{state="valid"}' => 1,
    'nginx_consent_cookie_states_total{state="invalid"}' => 1,
    'nginx_consent_cookies_unknown_key_total' => 1,
    'nginx_consent_endpoint_responses_total{status="200"}' => 3,
    'nginx_consent_endpoint_responses_total{status="400"}' => 1,
    "nginx_consent_log_writes_failed_total{destination=\"syslog:server=unix:"
        . $t->path('nosuch.sock') . "\"}" => 2,
    "nginx_consent_log_writes_failed_total{destination=\""
        . $t->path('consent.log') . "\"}" => 0,
);

# ---------------------------------------------------------------------------
# the Prometheus text, parsed: every line, HELP and TYPE first, no series
# twice; returns { series => value }, { name => type }

sub parse_prometheus {
    my ($text, $what) = @_;
    my (%series, %type, %help, @bad);
    my $label_re = qr/[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"/;

    for my $line (split /\n/, $text, -1) {
        next if $line eq '';
        if ($line =~ /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/) {
            push @bad, "HELP twice: $line" if $help{$1}++;
            push @bad, "HELP after samples: $line"
                if grep { /^\Q$1\E(?:\{|$)/ } keys %series;
        } elsif ($line =~ /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge)$/) {
            push @bad, "TYPE twice: $line" if $type{$1};
            push @bad, "TYPE before HELP: $line" unless $help{$1};
            $type{$1} = $2;
        } elsif ($line =~ /^([a-zA-Z_:][a-zA-Z0-9_:]*)
                          (\{$label_re(?:,$label_re)*\})?
                          \x20(\d+)$/x) {
            my ($name, $labels, $v) = ($1, $2 // '', $3);
            push @bad, "sample before its TYPE: $line" unless $type{$name};
            push @bad, "counter not _total: $line"
                if ($type{$name} // '') eq 'counter' && $name !~ /_total$/;
            push @bad, "not nginx_consent_: $line"
                unless $name =~ /^nginx_consent_/;
            push @bad, "series twice: $line"
                if exists $series{"$name$labels"};
            $series{"$name$labels"} = $v;
        } else {
            push @bad, "malformed: $line";
        }
    }

    push @bad, 'no final new line' unless $text =~ /\n\z/;
    ok(!@bad, "$what: every line well-formed, HELP/TYPE first, no series "
        . 'twice') or diag(join "\n", @bad[0 .. ($#bad < 9 ? $#bad : 9)]);
    return (\%series, \%type);
}

sub metrics {
    my ($what) = @_;
    my $r = get('/metrics');
    is($r->status, 200, "$what: /metrics answers");
    like($r->header('content-type') // '', qr{^text/plain; version=0\.0\.4},
        "$what: in the text format's content type");
    is($r->header('cache-control'), 'no-store', "$what: not to be kept");
    my ($s) = parse_prometheus($r->body, $what);
    return $s;
}

# ---------------------------------------------------------------------------
# before anything

my $s0 = metrics('at start');
is($s0->{'nginx_consent_html_responses_total'}, 0, 'at start: nothing counted');
my $started = $s0->{'nginx_consent_status_start_time_seconds'};
ok($started && abs($started - time) < 60, 'the start time is now')
    or diag($started);

# every language of the policy and "other", bounded
my @langs = sort map { /language="([^"]+)"/ ? $1 : () }
    grep { /^nginx_consent_banners_shown_total/ } keys %$s0;
is(scalar(@langs), 31, "30 languages of the policy and other: @langs");
ok((grep { $_ eq 'other' } @langs), 'other is one');
my @cats = sort map { /category="([^"]+)"/ ? $1 : () }
    grep { /^nginx_consent_elements_gated_total/ } keys %$s0;
is("@cats", 'analytics marketing necessary other preferences',
    'categories of the policy and other');

# ---------------------------------------------------------------------------
# the mix, sequentially once, then 4 clients x 10 rounds at once

is(round(), $round_statuses, 'one round: the statuses expected');

my $s1 = metrics('after one round');
for my $k (sort keys %per_round) {
    is($s1->{$k} // 'missing', $per_round{$k}, "one round: $k");
}

my $clients = 4;
my $rounds = 10;
my $dir = $t->path('');
my @pids;
for my $c (1 .. $clients) {
    my $pid = fork() // die "fork: $!";
    if ($pid == 0) {
        my $bad = '';
        for (1 .. $rounds) {
            my $st = round();
            $bad .= "$st\n" if $st ne $round_statuses;
        }
        open my $fh, '>', "$dir/client$c" or POSIX::_exit(1);
        print $fh $bad;
        close $fh;
        POSIX::_exit(0);
    }
    push @pids, $pid;
}
waitpid($_, 0) for @pids;

my $bad = join '', map { $t->read_file("client$_") // "client $_ died\n" }
    1 .. $clients;
is($bad, '', "$clients clients x $rounds rounds: every status as expected");

my $n = 1 + $clients * $rounds;
my $s2 = metrics("after $n rounds");
my $exact = 1;
for my $k (sort keys %per_round) {
    my $want = $per_round{$k} * $n;
    next if ($s2->{$k} // -1) == $want;
    $exact = 0;
    diag("$k: " . ($s2->{$k} // 'missing') . ", expected $want");
}
ok($exact, "$n rounds over 2 workers: every counter exact");

# both workers took part, else nothing was summed
my %workers = map { $_ => 1 }
    $t->error_log =~ /\[warn\] (\d+)#\d+: \*\d+ consent: 1 tag/g;
is(scalar(keys %workers), 2, 'both worker processes served the mix');

# the same text read by the Prometheus project's own Python parser, where
# Debian's python3-prometheus-client is installed
SKIP: {
    my $py = '/usr/bin/python3';
    skip 'no python3-prometheus-client', 1
        unless -x $py
            && system("$py -c 'import prometheus_client' 2>/dev/null") == 0;
    my $file = $t->write_file('exposition.txt', get('/metrics')->body);
    my $out = `$py -c '
import sys
from prometheus_client.parser import text_string_to_metric_families as p
n = 0
for f in p(open(sys.argv[1]).read()):
    n += len(f.samples)
print(n)
' $file 2>&1`;
    chomp $out;
    is($out, scalar(keys %$s2), 'prometheus_client parses every sample');
}

# ---------------------------------------------------------------------------
# JSON: the same counts

my $r = get('/metrics?format=json');
is($r->status, 200, 'format=json answers');
is($r->header('content-type'), 'application/json', 'as application/json');
my $j = eval { decode_json($r->body) };
ok($j, 'the body is JSON') or diag($r->body);
$j //= {};

my $same = 1;
my $count = 0;
for my $name (keys %$j) {
    my $m = $j->{$name};
    for my $smp (@{ $m->{samples} }) {
        my $labels = join ',', map { "$_=\"" . ($smp->{labels}{$_} =~ s/(["\\])/\\$1/gr) . '"' }
            @{ $m->{labels} };
        my $key = $name . ($labels ne '' ? "{$labels}" : '');
        $count++;
        next if defined $s2->{$key} && $s2->{$key} == $smp->{value};
        $same = 0;
        diag("$key: JSON $smp->{value}, text " . ($s2->{$key} // 'missing'));
    }
}
ok($same && $count == keys %$s2, "JSON: the $count series of the text, with "
    . 'the same values');
is($j->{nginx_consent_choices_total}{type}, 'counter', 'JSON: the type');
is_deeply($j->{nginx_consent_choices_total}{labels}, ['action', 'language'],
    'JSON: the label names');
like($j->{nginx_consent_choices_total}{help}, qr/choices/, 'JSON: the help');

is(get('/metrics?format=xml')->status, 400, 'an unknown format: 400');
is($t->http(method => 'POST', uri => '/metrics')->status, 405,
    'POST: 405');
$r = $t->http(method => 'HEAD', uri => '/metrics');
is($r->status, 200, 'HEAD: 200');
is($r->body, '', 'HEAD: no body');

# a location without the directive: its own page
$r = get('/plain.html');
is($r->status, 200, 'a location without consent_status: its page');
is($r->body, "<p>plain</p>\n", 'a location without consent_status: as is');

# ---------------------------------------------------------------------------
# conf/grafana/consent-dashboard.json: JSON, and every metric and label it
# queries is one this module exposes

{
    my $file = $t->repo . '/conf/grafana/consent-dashboard.json';
    open my $fh, '<', $file or die "$file: $!";
    my $d = eval { decode_json(do { local $/; <$fh> }) };
    ok($d, 'the Grafana dashboard is JSON') or diag($@);
    $d //= {};

    my %labels;    # metric => { label => 1 }, from the JSON exposition
    for my $name (keys %$j) {
        $labels{$name} = { map { $_ => 1 } @{ $j->{$name}{labels} } };
    }

    my (@bad, %ids, %titles);
    my @panels = @{ $d->{panels} || [] };
    for my $p (@panels) {
        push @bad, "panel id $p->{id} twice" if $ids{ $p->{id} }++;
        push @bad, "panel $p->{id}: no gridPos" unless $p->{gridPos};
        $titles{ $p->{title} } = 1;
        for my $tg (@{ $p->{targets} || [] }) {
            my $e = $tg->{expr};
            for my $m ($e =~ /\b(nginx_consent_\w+)/g) {
                push @bad, "panel $p->{id}: no metric $m" unless $labels{$m};
            }
            # the labels of matchers: known to that metric, or instance
            while ($e =~ /\b(nginx_consent_\w+)\{([^}]*)\}/g) {
                my ($m, $sel) = ($1, $2);
                for my $l ($sel =~ /(\w+)\s*[=!]~?"/g) {
                    next if $l eq 'instance';
                    push @bad, "panel $p->{id}: $m has no label $l"
                        unless $labels{$m} && $labels{$m}{$l};
                }
            }
        }
    }
    ok(!@bad, 'the dashboard queries only metrics and labels the module has')
        or diag(join "\n", @bad);
    for my $title ('Consent rate by language', 'Choices by action',
        'Elements gated by category', 'Consent cookie states',
        'Responses passed unfiltered, by reason',
        'Audit log write failures, by destination')
    {
        ok($titles{$title}, "the dashboard has \"$title\"");
    }
    like(join(' ', map { $_->{expr} } map { @{ $_->{targets} || [] } }
        grep { $_->{title} eq 'Consent rate by language' } @panels),
        qr{nginx_consent_choices_total.*/.*nginx_consent_banners_shown_total}s,
        'consent rate: choices / banners shown');
}

# ---------------------------------------------------------------------------
# nginx -s reload keeps the counts

my $before = metrics('before reload');
$t->reload;
ok($t->wait_for_log(qr/reconfiguring/), 'reloaded');

# the new workers answer once the old ones are gone
my $deadline = time + 10;
while (time < $deadline) {
    my @w = `ps -o pid= --ppid ${\ $t->pid }`;
    last if @w == 2 && !grep { /shutting down/ } `ps -o args= --ppid ${\ $t->pid }`;
    select undef, undef, undef, 0.1;
}

is(round(), $round_statuses, 'after reload: one more round');
my $after = metrics('after reload');
$exact = 1;
for my $k (sort keys %per_round) {
    my $want = $per_round{$k} * ($n + 1);
    # the old workers sealed their chains on exit: the missing socket
    # refused those checkpoints too
    next if $k =~ /log_writes_failed.*nosuch/ && $after->{$k} >= $want;
    next if ($after->{$k} // -1) == $want;
    $exact = 0;
    diag("$k: " . ($after->{$k} // 'missing') . ", expected $want");
}
ok($exact, 'after reload: the counts went on from where they were');
is($after->{'nginx_consent_status_start_time_seconds'}, $started,
    'after reload: the same start time');

# a reload with another policy: its new language gets series, the old
# counts stay
$t->policy_file(modify => sub {
    $_[0]{texts}{xx} = $_[0]{texts}{en};
});
$t->reload;
$deadline = time + 10;
my $s3;
while (time < $deadline) {
    $s3 = metrics('after a reload with a new language');
    last if exists $s3->{'nginx_consent_banners_shown_total{language="xx"}'};
    select undef, undef, undef, 0.1;
}
is($s3->{'nginx_consent_banners_shown_total{language="xx"}'}, 0,
    'a new language: a series of its own');
is($s3->{'nginx_consent_banners_shown_total{language="es"}'},
    $n + 1, 'the other languages keep their counts');

# ---------------------------------------------------------------------------
# bad configurations: nginx -t fails, says what and where

sub line_of {
    my ($text) = @_;
    open my $c, '<', $t->path('nginx-test.conf') or die $!;
    while (my $l = <$c>) {
        return $. if index($l, $text) >= 0;
    }
    return 0;
}

sub refused {
    my ($what, $text, $re, $at) = @_;
    my ($rc, $out) = $t->test_config($text);
    isnt($rc, 0, "$what: nginx -t fails");
    like($out, $re, "$what: says what and where") or diag($out);
    unlike($out, qr/test is successful/, "$what: not successful");
    my $n = line_of($at);
    like($out, qr/nginx-test\.conf:$n\b/, "$what: names line $n ($at)")
        or diag($out);
}

sub conf_with {
    my ($http, $loc) = @_;
    return <<"EOF";
http {
    consent_keys $keys;
    consent_policy $policy;
    $http

    server {
        listen 127.0.0.1:%%PORT_8080%%;
        location /consent/ { consent_endpoint; }
        location /metrics {
            $loc
        }
    }
}
EOF
}

refused('consent_status in the http block',
    conf_with("consent_status_zone 1m;\n    consent_status;", ''),
    qr/"consent_status" directive is not allowed here in \S+:\d+/,
    'consent_status;');
refused('consent_status without a zone', conf_with('', 'consent_status;'),
    qr/"consent_status" requires "consent_status_zone" in \S+:\d+/,
    'consent_status;');
refused('consent_status_zone 4k', conf_with('consent_status_zone 4k;',
    'consent_status;'),
    qr/invalid size "4k" in "consent_status_zone": at least \d+ in \S+:\d+/,
    'consent_status_zone');
refused('consent_status_zone too small for the series',
    conf_with('consent_status_zone 32k;', 'consent_status;'),
    qr/"consent_status_zone" of 32768 bytes is too small for the \d+ series of this configuration .*: at least \d+ in \S+:\d+/,
    'consent_status_zone');
refused('consent_status_zone in a location',
    conf_with('', "consent_status;\n    } location /x { consent_status_zone 1m;"),
    qr/"consent_status_zone" directive is not allowed here in \S+:\d+/,
    'consent_status_zone');
refused('consent_status with an argument',
    conf_with('consent_status_zone 1m;', 'consent_status json;'),
    qr/invalid number of arguments in "consent_status" directive in \S+:\d+/,
    'consent_status json');

# ---------------------------------------------------------------------------
# a reload whose new series do not fit beside the old ones: not refused,
# said in the error log, the rest counted on

{
    my $u = Consent::Test->new();
    my $ukeys = $u->keyfile();
    my $upolicy = $u->policy_file();
    $u->write_file('html/page.html', $page);
    $u->config(<<"EOF")->run;
http {
    consent_keys $ukeys;
    consent_policy $upolicy;
    consent_status_zone 48k;

    server {
        listen 127.0.0.1:%%PORT_8080%%;
        root %%TESTDIR%%/html;
        consent on;
        location /consent/ { consent_endpoint; }
        location = /metrics { consent off; consent_status; }
    }
}
EOF
    $u->http(uri => '/page.html', headers => ['Accept-Language' => 'es']);

    # reloads, each with 29 new languages ("en" kept): each fits the
    # zone alone, not beside what the ones before left
    my ($full, $last) = (0, '');
    for my $round (1 .. 8) {
        my @new = map { "q$_-r$round" } 'a' .. 'z', 'aa', 'ab', 'ac';
        $last = $new[-1];
        $u->policy_file(modify => sub {
            my $en = $_[0]{texts}{en};
            $_[0]{texts} = { en => $en, map { $_ => $en } @new };
            for my $c (@{ $_[0]{categories} }) {
                for my $k (qw(label description)) {
                    next unless ref $c->{$k};
                    $c->{$k} = { en => $c->{$k}{en} };
                }
            }
            # a regime's texts name only languages of the policy's texts
            for my $rg (values %{ $_[0]{regimes} || {} }) {
                next unless ref $rg->{texts};
                $rg->{texts} = { en => $rg->{texts}{en} };
            }
        });
        $u->allow_log(qr/consent_status_zone is full/);
        $u->reload;
        $full = $u->wait_for_log(qr/\[alert\].*consent_status_zone is full: \d+ of the \d+ series/, 2);
        last if $full;
    }
    ok($full, 'zone full at a reload: not refused, said at alert');

    # until the old worker is gone: three answers in a row of the new one
    my ($deadline, $seen, $m) = (time + 10, 0, '');
    while (time < $deadline && $seen < 3) {
        $m = $u->http(uri => '/metrics')->body;
        $seen = $m =~ /language="$last"/ ? $seen + 1 : 0;
        select undef, undef, undef, 0.05;
    }
    like($m, qr/^nginx_consent_banners_shown_total\{language="$last"\} 0$/m,
        'zone full: the new series are listed');
    unlike($m, qr/language="es"/, 'a language the reload removed is not listed');
    $u->http(uri => '/page.html', headers => ['Accept-Language' => 'en']);
    $m = $u->http(uri => '/metrics')->body;
    like($m, qr/^nginx_consent_html_responses_total 2$/m,
        'zone full: the series kept count on across the reloads');
    parse_prometheus($m, 'zone full');
}

done_testing();

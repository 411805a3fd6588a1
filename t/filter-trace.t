#!/usr/bin/perl

# consent-filter --trace: the tokens the scanner sees and its decisions
# (gated, released, failed closed, the injections), one line each with
# byte offsets into the page, on the standard error; the page written
# on the standard output is the same with and without it.

use strict;
use warnings;

use FindBin;
use Cwd qw(abs_path);
use File::Temp qw(tempdir);
use Test::More;

my $repo = abs_path("$FindBin::Bin/..");
my $build = $ENV{CONSENT_BUILD} || "$repo/build";
my $filter = "$build/consent-filter";
my $policy = "$repo/t/html/policy.json";
my $dir = tempdir(CLEANUP => 1);

ok(-x $filter, "$filter is built") or BAIL_OUT('run make');

sub slurp {
    my ($f) = @_;
    open my $fh, '<:raw', $f or die "$f: $!";
    local $/;
    my $s = <$fh>;
    return $s;
}

# runs the filter on a page: (stdout, stderr, exit code)
sub run {
    my ($page, @args) = @_;

    open my $fh, '>:raw', "$dir/page.html" or die $!;
    print $fh $page;
    close $fh;

    my $rc = system("'$filter' --policy '$policy' @args '$dir/page.html'"
                    . " > '$dir/out' 2> '$dir/err'");
    return (slurp("$dir/out"), slurp("$dir/err"), $rc >> 8);
}

# every decision's span is the element's bytes in the page
sub spans_ok {
    my ($page, $trace, $name) = @_;
    my $n = 0;

    for my $line (split /\n/, $trace) {
        next unless $line =~ /^(\d+)-(\d+)[ ](gated|released|activated|failed-closed)
                               [ ]([a-z0-9-]+)/x;
        my ($from, $to, $el) = ($1, $2, $4);
        like(substr($page, $from, $to - $from), qr/^<\Q$el\E\b/i,
             "$name: $line starts at the element's '<'");
        $n++;
    }

    return $n;
}

sub trace_is {
    my ($name, $page, $args, $want) = @_;

    my ($out, $err, $rc) = run($page, @$args);
    my ($plain, $perr, $prc) = run($page, grep { $_ ne '--trace' } @$args);

    is($rc, 0, "$name: exit 0");
    is($err, $want, "$name: the trace");
    is($out, $plain, "$name: the page is the same without --trace");
    is($perr, '', "$name: nothing on the standard error without --trace");
    is($prc, 0, "$name: exit 0 without --trace");
    spans_ok($page, $err, $name);

    return $out;
}

my $head = "<!DOCTYPE html>\n<html><head><title>t</title>\n";

# a script gated by a host rule, an inline one by its marker, an image
# released for a visitor who granted marketing; both injections
my $page = $head
    . "<script src=\"https://www.google-analytics.com/a.js\"></script>\n"
    . "</head><body><p>hi</p>\n"
    . "<script>gtag('config', 'x');</script>\n"
    . "<img src=\"https://www.facebook.com/tr?id=1\">\n"
    . "</body></html>\n";

my $out = trace_is('gated and released', $page,
                   [qw(--trace --inject --granted marketing)], <<'END');
15 token doctype html
22 token start-tag html
28 token start-tag head
28 inject head
35 token start-tag title
44 token end-tag title
97 token start-tag script src="https://www.google-analytics.com/a.js"
45-97 gated script by rule: analytics
106 token end-tag script
114 token end-tag head
120 token start-tag body
120 inject banner
123 token start-tag p
129 token end-tag p
138 token start-tag script
130-167 gated script by inline rule: analytics
167 token end-tag script
212 token start-tag img src="https://www.facebook.com/tr?id=1"
168-212 released img by rule: marketing
220 token end-tag body
227 token end-tag html
END

like($out, qr/<script type="text\/plain" data-consent="analytics" src=/,
     'the gated script is rewritten in the output');
like($out, qr/<img src="https:\/\/www\.facebook\.com\/tr\?id=1">/,
     'the released image is as it was');

# its category granted: the script goes as it is, and is said to
# (with every category granted, URLs are not even looked at)
trace_is('released', $head
         . "<script src=\"https://www.google-analytics.com/a.js\"></script>"
         . "</head></html>", [qw(--trace --granted analytics)], <<'END');
15 token doctype html
22 token start-tag html
28 token start-tag head
35 token start-tag title
44 token end-tag title
97 token start-tag script src="https://www.google-analytics.com/a.js"
45-97 released script by rule: analytics
106 token end-tag script
113 token end-tag head
120 token end-tag html
END

# a tag longer than tag_max: held back whatever it is, and why
my $long = "<html><body>\n<iframe src=\"https://www.youtube.com/embed/x\" "
    . 'title="' . ('a' x 80) . "\"></iframe>\n</body></html>\n";

$out = trace_is('failed closed', $long, [qw(--trace --tag-max 64)],
                <<'END');
6 token start-tag html
12 token start-tag body
13-78 failed-closed iframe: a tag over tag_max
157 token end-tag iframe
165 token end-tag body
172 token end-tag html
END

like($out, qr/<iframe data-consent="" data-consent-src=/,
     'the long iframe is held back in the output');

# a page without <body> that ends in an open comment: no place for
# the banner (with a <body> tag it goes right after it)
trace_is('banner skipped', "<html><p>x<!-- open",
         [qw(--trace --inject)], <<'END');
6 token start-tag html
6 inject head
9 token start-tag p
19 token comment  open
19 banner skipped: the page ends inside markup
END

# an element marked with a category the policy does not have
trace_is('unknown category', "<p><img src=/x.png data-consent=nope></p>",
         [qw(--trace)], <<'END');
3 token start-tag p
37 token start-tag img src="/x.png" data-consent="nope"
3-37 gated img by data-consent: (unknown category)
41 token end-tag p
END

done_testing();

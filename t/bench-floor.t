#!/usr/bin/perl

# consent-bench's floor (src/tools/consent-bench-floor.c) is what the
# scanner's speed is read against in docs/performance.md: the least work
# a tokenizer must do to find a page's tags.  It is only a fair floor if
# it finds the tags the scanner finds: on the bench pages, and on pages
# with the places a naive '<'...'>' walk gets wrong.

use strict;
use warnings;

use FindBin;
use Cwd qw(abs_path);
use File::Temp qw(tempdir);
use Test::More;

my $repo = abs_path("$FindBin::Bin/..");
my $build = $ENV{CONSENT_BUILD} || "$repo/build";
my $tool = "$build/consent-bench";
my $dir = tempdir(CLEANUP => 1);

chdir $repo or die "chdir $repo: $!";

unless (ok(-x $tool, "$tool is built (make)")) {
    done_testing();
    exit;
}

is(system('python3', 'bench/gen-pages.py', $dir), 0, 'bench pages made');

my %tricky = (
    'quoted-gt' => '<p><a title="x>y" href=/a>a</a><b c=\'>\'>b</b></p>',
    'spaced-eq' => '<p a = "v>w" b= \'>\'>t</p>',
    'unquoted' => '<div x=y"z>q</div><div x=y\'z>r</div>',
    'comment' => '<p>a<!-- <b>not a tag</b> --><i>i</i></p>',
    'script' => '<script>if (a<b && c>d) { x = "</p>"; }</script><p>x</p>',
    'style' => '<style>p>a { color: red } a<b {}</style><em>e</em>',
    'bogus' => '<p>1 < 2 and 3 <4 <!doctype html><br/></p>',
    'upper' => '<SCRIPT>a<b</SCRIPT ><P>p</P>',
);

for my $name (sort keys %tricky) {
    open my $fh, '>', "$dir/$name.html" or die $!;
    print $fh "<!doctype html><html><body>$tricky{$name}</body></html>\n";
    close $fh;
}

my @pages = map { "$dir/$_.html" }
    (qw(p2k p50k p500k p5m), sort keys %tricky);

my $out = `$tool --policy conf/policy.json --tags @pages 2>&1`;
my $rc = $? >> 8;

my %seen;
for my $line (split /\n/, $out) {
    $seen{$1} = [$2, $3] if $line =~ m{/([^/]+)\.html: floor (\d+) scanner (\d+)$};
}

for my $page (qw(p2k p50k p500k p5m), sort keys %tricky) {
    my $s = $seen{$page};
    ok($s && $s->[1] > 0 && $s->[0] == $s->[1],
       "$page: the floor finds the scanner's "
       . ($s ? "$s->[1] tags (floor: $s->[0])" : 'tags'))
        or diag($out);
}

is($rc, 0, 'consent-bench --tags says they agree');

done_testing();

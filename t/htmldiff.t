#!/usr/bin/perl

# The scanner against a reference build of itself, byte for byte (the
# output, the statistics, the hosts seen, the tokens observed; whole, in
# pieces, split at many points):
# build/htmldiff against the same source without SIMD, and, when
# `make htmldiff-ref HTMLDIFF_REF=commit` has built it,
# build/htmldiff-ref against that commit's scanner. Over the fixtures of
# t/html/ and t/diff/, the fuzz corpus and the bench pages.

use strict;
use warnings;

use FindBin;
use Cwd qw(abs_path);
use File::Temp qw(tempdir);
use Test::More;

my $repo = abs_path("$FindBin::Bin/..");
my $build = $ENV{CONSENT_BUILD} || "$repo/build";

chdir $repo or die "chdir $repo: $!";

my @tools = ("$build/htmldiff");
push @tools, "$build/htmldiff-ref" if -x "$build/htmldiff-ref";

my $pages = tempdir(CLEANUP => 1);
system('python3', 'bench/gen-pages.py', $pages) == 0
    or BAIL_OUT('bench/gen-pages.py failed');

my @sets = (
    [ 't/html/policy.json', glob('t/html/*.html t/diff/*.html'),
      glob('t/fuzz/corpus/html/*') ],
    [ 'conf/policy.json', glob("$pages/*.html"), glob('t/html/*.html') ],
);

for my $tool (@tools) {
    ok(-x $tool, "$tool is built") or next;

    my $against = 'this scanner without SIMD';

    if ($tool =~ /-ref$/ && open my $f, '<', "$build/htmldiff-ref.rev") {
        chomp(my $rev = <$f> // '?');
        $against = "the scanner of $rev";
    }

    for my $set (@sets) {
        my ($policy, @files) = @$set;
        my $out = `$tool --policy $policy @files 2>&1`;
        my $rc = $?;

        ok($rc == 0 && $out =~ /all the same$/m,
           "scanner = $against, " . scalar(@files) . " pages, $policy")
            or diag($out);
        note((split /\n/, $out)[-1]);
    }
}

done_testing();

#!/usr/bin/perl

# The scanner's unit tests again, against consent_html.c built
# -DCONSENT_NO_SIMD (mk/nosimd.mk): the portable path of a processor
# without SSE2, which the other tests do not run on x86-64.

use strict;
use warnings;

use FindBin;
use Cwd qw(abs_path);
use Test::More;

my $repo = abs_path("$FindBin::Bin/..");
my $build = $ENV{CONSENT_BUILD} || "$repo/build";

chdir $repo or die "chdir $repo: $!";

$ENV{ASAN_OPTIONS} //= 'detect_leaks=1:abort_on_error=1';
$ENV{UBSAN_OPTIONS} //= 'print_stacktrace=1:halt_on_error=1';

for my $name (qw(html html5lib walk hosts)) {
    my $bin = "$build/nosimd/unit/$name";

    ok(-x $bin, "$bin is built") or next;

    my $out = `$bin 2>&1`;
    my $rc = $?;
    my ($plan) = $out =~ /^1\.\.(\d+)/m;
    my $ok = () = $out =~ /^ok /mg;
    my @bad = $out =~ /^(not ok .*)$/mg;

    ok($rc == 0 && defined $plan && $ok == $plan && !@bad,
       "t/unit/$name.t without SIMD: " . ($ok // 0) . ' of '
       . ($plan // '?') . ' pass')
        or diag(join("\n", @bad[0 .. ($#bad < 9 ? $#bad : 9)]),
                substr($out, -2000));
}

done_testing();

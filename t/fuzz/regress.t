#!/usr/bin/perl

# Replays every fuzz harness (t/fuzz/NAME.c, built with cc, ASan and
# UBSan as build/fuzz/replay/NAME by make test) over its seed corpus
# t/fuzz/corpus/NAME/ and the inputs that once broke it,
# t/fuzz/regress/NAME/: each input once, in a few seconds, without
# clang or libFuzzer.  make fuzz does the fuzzing itself.

use strict;
use warnings;

use FindBin;
use Test::More;

my $REPO  = "$FindBin::Bin/../..";
my $BUILD = $ENV{CONSENT_BUILD} // "$REPO/build";

my @names = qw(html token keys policy request match record verify
    inflate precond cookie_hdr);

chdir $REPO or die "chdir $REPO: $!";

$ENV{ASAN_OPTIONS}  //= 'detect_leaks=1:abort_on_error=1';
$ENV{UBSAN_OPTIONS} //= 'print_stacktrace=1:halt_on_error=1';

for my $n (@names) {
    my $bin = "$BUILD/fuzz/replay/$n";

    unless (-x $bin) {
        fail("$n: $bin is not built (make fuzz-replay)");
        next;
    }

    my @dirs = grep { -d } "t/fuzz/corpus/$n", "t/fuzz/regress/$n";
    ok(-d "t/fuzz/corpus/$n", "$n: has a seed corpus");

    my $out = `$bin @dirs 2>&1`;
    my $rc = $?;
    my ($count) = $out =~ /replayed (\d+) inputs/;

    is($rc, 0, "$n: every input passes")
        or diag(substr($out, -4000));
    ok(($count // 0) > 0, "$n: " . ($count // 0) . " inputs replayed");
}

done_testing();

#!/usr/bin/perl

# Runs the C unit test named like this file (t/unit/token.t runs
# build/unit/token, built from t/unit/token.c with ASan and UBSan), whose
# output is TAP.  Each t/unit/NAME.t is a link to this file.

use strict;
use warnings;

use FindBin;
use File::Basename qw(basename);

my $name = basename($0, '.t');
my $build = $ENV{CONSENT_BUILD} // "$FindBin::Bin/../../build";
my $bin = "$build/unit/$name";

unless (-x $bin) {
    print "Bail out! $bin is not built: run make\n";
    exit 255;
}

chdir "$FindBin::Bin/../.." or die "chdir: $!";

$ENV{ASAN_OPTIONS} //= 'detect_leaks=1:abort_on_error=1';
$ENV{UBSAN_OPTIONS} //= 'print_stacktrace=1:halt_on_error=1';

exec $bin or die "exec $bin: $!";

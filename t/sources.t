#!/usr/bin/perl

# One source list: every core file (src/consent_*.c, which the Makefile
# builds and unit-tests by that pattern) and every adapter file
# (src/ngx_http_consent_*.c) is linked into the module that nginx loads.
# A file missing from `config` would pass its unit tests and then fail
# at load_module with an undefined symbol.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";

use Test::More;
use Consent::Test;

my $so = Consent::Test->new(module => 0)->so_path;
my $repo = Consent::Test::repo();

plan skip_all => 'no nm (binutils)' unless grep { -x "$_/nm" } split /:/, $ENV{PATH};
ok(-f $so, "the module is built: $so") or BAIL_OUT("no module");

my %defined = map { (split ' ')[-1] => 1 }
    grep { /\s[TDBR]\s/ } `nm -D --defined-only '$so'`;
ok(scalar(keys %defined) > 10, 'the module exports symbols');

for my $src (sort glob("$repo/src/consent_*.c $repo/src/ngx_http_consent_*.c"))
{
    open my $fh, '<', $src or die "$src: $!";
    my $text = do { local $/; <$fh> };
    close $fh;

    # functions and data defined without "static", in nginx style: the
    # type on one line, the name at the start of the next
    my @names;
    while ($text =~ /^(?!static)[a-z][^\n;(]*\n([a-z_][a-z0-9_]*)\(/mg) {
        push @names, $1;
    }
    while ($text =~ /^(?:const\s+)?(?:char|u_char|ngx_module_t|size_t)\s+\**\s*([a-z_][a-z0-9_]*)(?:\[\])?\s*=/mg) {
        push @names, $1;
    }

    (my $file = $src) =~ s{.*/}{};
    ok(@names && (grep { $defined{$_} } @names) == @names,
        "$file: its " . scalar(@names) . " public name(s) are in the module")
        or diag('missing: ' . join(', ', grep { !$defined{$_} } @names));
}

done_testing();

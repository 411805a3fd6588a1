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

# the names a file shares with the files of its part only (the scanner's,
# behind consent_html_int.h: CONSENT_HTML_LOCAL) are hidden, not
# exported: they are looked for in the module's symbol table
my %hidden = map { (split ' ')[-1] => 1 }
    grep { /\s[tT]\s/ } `nm --defined-only '$so' 2>/dev/null`;
note('the module is stripped: its hidden names are not looked for')
    unless %hidden;

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

    my @local;
    while ($text =~ /^[A-Z][A-Z0-9_]*_LOCAL\s[^\n;(]*\n([a-z_][a-z0-9_]*)\(/mg)
    {
        push @local, $1;
    }

    (my $file = $src) =~ s{.*/}{};
    my @missing = ((grep { !$defined{$_} } @names),
                   (grep { %hidden && !$hidden{$_} && !$defined{$_} }
                    @local));
    ok((@names || @local) && !@missing,
        "$file: its " . scalar(@names) . " public name(s)"
        . (@local ? " and " . scalar(@local) . " hidden one(s)" : '')
        . " are in the module")
        or diag('missing: ' . join(', ', @missing));
}

# the scanner's private header stays the scanner's
my @outside;

for my $f (sort glob("$repo/src/*.[ch] $repo/src/tools/*.[ch]"
                     . " $repo/src/tools/*/*.[ch] $repo/t/unit/*.[ch]"
                     . " $repo/t/fuzz/*.[ch] $repo/t/htmldiff/*.[ch]"))
{
    next if $f =~ m{/src/consent_html[^/]*$};

    open my $fh, '<', $f or die "$f: $!";
    push @outside, $f if grep { /^\s*#\s*include\s+"consent_html_int\.h"/ }
                         <$fh>;
    close $fh;
}

ok(!@outside, 'consent_html_int.h is included by src/consent_html*.c only')
    or diag('included by: ' . join(', ', @outside));

done_testing();

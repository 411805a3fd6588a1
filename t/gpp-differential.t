#!/usr/bin/perl

# The core's GPP codec (src/consent_gpp.c, through build/consent-gpp)
# against IAB's own implementation (npm @iabgpp/cmpapi, driven by node:
# t/lib/gpp.mjs), over a few hundred generated field sets of the US
# National (usnat, versions 1 and 2) and California (usca) sections,
# with and without their GPC subsections:
#
#   - strings we encode decode there to the same fields;
#   - strings it encodes decode here to the same fields;
#   - both write the same string, byte for byte.
#
# Field values are drawn from each field's whole range, so a field of
# the wrong width or at the wrong place shifts everything after it and
# fails all three.  Needs node (>= 18) and "npm ci" in the repository
# root; a missing one fails the test, it does not skip it.
# CONSENT_GPP_SETS=N changes the number of field sets (default 400).

use strict;
use warnings;

use FindBin;
use Cwd qw(abs_path);
use File::Temp qw(tempdir);
use Test::More;

my $repo = abs_path("$FindBin::Bin/..");
my $build = $ENV{CONSENT_BUILD} || "$repo/build";
my $cli = "$build/consent-gpp";
my $node = $ENV{NODE} || 'node';
my $sets = $ENV{CONSENT_GPP_SETS} || 400;

chdir $repo or BAIL_OUT("chdir $repo: $!");

ok(-x $cli, "$cli is built") or BAIL_OUT("$cli is not built: run make");

my $version = `$node --version 2>/dev/null` // "";
chomp $version;
ok($version =~ /^v(\d+)/ && $1 >= 18, "node 18 or later: $version")
    or BAIL_OUT("node is not installed (or NODE=$node does not run)");
ok(-f "$repo/node_modules/\@iabgpp/cmpapi/package.json",
   '@iabgpp/cmpapi is installed')
    or BAIL_OUT("node_modules/\@iabgpp/cmpapi is missing: run \"npm ci\"");

# the spec's fields: name, values (1, or a list's length), least, most

my @usnat = (
    [ 'Version', 1, 1, 2 ],
    map({ [ $_, 1, 0, 2 ] } qw(SharingNotice SaleOptOutNotice
        SharingOptOutNotice TargetedAdvertisingOptOutNotice
        SensitiveDataProcessingOptOutNotice SensitiveDataLimitUseNotice
        SaleOptOut SharingOptOut TargetedAdvertisingOptOut)),
    [ 'SensitiveDataProcessing', 16, 0, 2 ],
    [ 'KnownChildSensitiveDataConsents', 3, 0, 2 ],
    [ 'PersonalDataConsents', 1, 0, 2 ],
    [ 'MspaCoveredTransaction', 1, 1, 2 ],
    [ 'MspaOptOutOptionMode', 1, 0, 2 ],
    [ 'MspaServiceProviderMode', 1, 0, 2 ],
);

my @usca = (
    [ 'Version', 1, 1, 1 ],
    map({ [ $_, 1, 0, 2 ] } qw(SaleOptOutNotice SharingOptOutNotice
        SensitiveDataLimitUseNotice SaleOptOut SharingOptOut)),
    [ 'SensitiveDataProcessing', 9, 0, 2 ],
    [ 'KnownChildSensitiveDataConsents', 2, 0, 2 ],
    [ 'PersonalDataConsents', 1, 0, 2 ],
    [ 'MspaCoveredTransaction', 1, 1, 2 ],
    [ 'MspaOptOutOptionMode', 1, 0, 2 ],
    [ 'MspaServiceProviderMode', 1, 0, 2 ],
);

# how: 'rand', 'min' or 'max' for every field
sub section_fields {
    my ($name, $fields, $how) = @_;
    my @out;
    my $v1 = 0;

    for my $f (@$fields) {
        my ($field, $n, $min, $max) = @$f;
        my $pick = sub {
            $how eq 'min' ? $min
                : $how eq 'max' ? $max
                : $min + int(rand($max - $min + 1));
        };

        if ($field eq 'Version') {
            my $v = $pick->();
            $v1 = $name eq 'usnat' && $v == 1;
            push @out, "$name.$field=$v";
            next;
        }

        if ($v1 && $field eq 'SensitiveDataProcessing') {
            $n = 12;
        } elsif ($v1 && $field eq 'KnownChildSensitiveDataConsents') {
            $n = 2;
        }

        push @out, "$name.$field=" . join('', map { $pick->() } 1 .. $n);
    }

    my $gpc_segment = $how eq 'min' ? 0 : $how eq 'max' ? 1 : int(rand(2));
    my $gpc = $gpc_segment
        ? ($how eq 'min' ? 0 : $how eq 'max' ? 1 : int(rand(2))) : 0;

    push @out, "$name.GpcSegmentIncluded=$gpc_segment", "$name.Gpc=$gpc";

    return @out;
}

sub field_set {
    my ($how, $usnat, $usca) = @_;
    my @ids;
    my @f;

    if ($usnat) {
        push @ids, 7;
        push @f, section_fields('usnat', \@usnat, $how);
    }

    if ($usca) {
        push @ids, 8;
        push @f, section_fields('usca', \@usca, $how);
    }

    return join(' ', 'sections=' . join(',', @ids), @f);
}

srand(20261207);

my @lines;

for my $how (qw(min max)) {
    for my $which ([1, 0], [0, 1], [1, 1]) {
        push @lines, field_set($how, @$which);
    }
}

while (@lines < $sets) {
    my $usnat = rand() < 0.8 ? 1 : 0;
    my $usca = (!$usnat || rand() < 0.5) ? 1 : 0;

    push @lines, field_set('rand', $usnat, $usca);
}

my %distinct = map { $_ => 1 } @lines;
ok(keys(%distinct) > $sets * 0.9, scalar(keys %distinct)
   . " distinct field sets of $sets");

my $dir = tempdir(CLEANUP => 1);

sub run {
    my ($cmd, @in) = @_;

    open my $fh, '>', "$dir/in" or die "$dir/in: $!";
    print $fh map { "$_\n" } @in;
    close $fh;

    my @out = `$cmd < '$dir/in' 2>'$dir/err'`;
    chomp @out;

    if (@out != @in) {
        open my $e, '<', "$dir/err";
        diag("$cmd: " . scalar(@out) . " lines for " . scalar(@in)
             . ": " . join('', <$e> // ''));
    }

    return @out;
}

sub compare {
    my ($what, $got, $want, $input) = @_;
    my @bad;

    for my $i (0 .. $#$want) {
        my $g = $got->[$i] // '(nothing)';
        push @bad, $i if $g ne $want->[$i];
    }

    ok(!@bad, "$what: " . (@$want - @bad) . " of " . scalar(@$want))
        or do {
            for my $i (@bad[0 .. ($#bad < 2 ? $#bad : 2)]) {
                diag("input:    $input->[$i]");
                diag("got:      " . ($got->[$i] // '(nothing)'));
                diag("expected: $want->[$i]");
            }
        };
}

my @ours = run("$cli encode", @lines);
my @theirs = run("$node t/lib/gpp.mjs encode", @lines);

ok(!(grep { /^error/ } @ours), 'we encode every field set')
    or diag((grep { /^error/ } @ours)[0]);
ok(!(grep { /^error/ } @theirs), '@iabgpp/cmpapi encodes every field set')
    or diag((grep { /^error/ } @theirs)[0]);

my @there = run("$node t/lib/gpp.mjs decode", @ours);
compare('strings we encode decode in @iabgpp/cmpapi to the same fields',
        \@there, \@lines, \@ours);

my @here = run("$cli decode", @theirs);
compare('strings @iabgpp/cmpapi encodes decode here to the same fields',
        \@here, \@lines, \@theirs);

compare('both write the same strings, byte for byte', \@ours, \@theirs,
        \@lines);

my @back = run("$cli decode", @ours);
compare('and ours decode here to their fields', \@back, \@lines, \@ours);

# usnat version 1 in the spec's own padding (60 bits, 10 characters),
# which @iabgpp/cmpapi reads by its length: both read it the same

my @v1 = grep { /usnat\.Version=1/ && !/usca/ && /GpcSegmentIncluded=0/ }
    @lines;
my @short = map { s/^(DBABLA~)(.{10})A$/DBABL~$2/r } run("$cli encode", @v1);
ok(@v1 > 5 && !(grep { !/^DBABL~.{10}$/ } @short),
   scalar(@v1) . ' usnat v1 strings cut to the spec\'s padding')
    or diag(join(' ', @short[0 .. 2]));
compare('those decode in @iabgpp/cmpapi',
        [ run("$node t/lib/gpp.mjs decode", @short) ], \@v1, \@short);
compare('and here', [ run("$cli decode", @short) ], \@v1, \@short);

done_testing();

#!/usr/bin/perl

# The core's TC string codec (src/consent_tcf.c, through build/consent-tcf)
# against IAB's own implementation (npm @iabtechlabtcf/core, driven by
# node: t/lib/tcf.mjs), over a few thousand generated consent states:
# every field of the Core segment drawn from its whole range, vendor sets
# sparse, dense, in runs, up to id 65535 (so both the bit field and the
# range encoding are taken), publisher restrictions, the Disclosed Vendors
# segment (always with policy version 5, TCF 2.3) and the Publisher TC
# segment with custom purposes:
#
#   - strings we encode decode there to the same fields;
#   - strings it encodes decode here to the same fields;
#   - where both pick the same vendor encoding, the same string byte for
#     byte (IAB's library estimates the range encoding's length a little
#     differently, so on a few states it picks the longer form; both are
#     valid TC strings).
#
# A field of the wrong width or at the wrong place shifts everything
# after it and fails the first two.  Needs node (>= 18) and "npm ci";
# a missing one fails the test, it does not skip it.
# CONSENT_TCF_STATES=N changes the number of states (default 2000).

use strict;
use warnings;

use FindBin;
use Cwd qw(abs_path);
use File::Temp qw(tempdir);
use JSON::PP;
use Test::More;

my $repo = abs_path("$FindBin::Bin/..");
my $build = $ENV{CONSENT_BUILD} || "$repo/build";
my $cli = "$build/consent-tcf";
my $node = $ENV{NODE} || 'node';
my $states = $ENV{CONSENT_TCF_STATES} || 2000;

chdir $repo or BAIL_OUT("chdir $repo: $!");

ok(-x $cli, "$cli is built") or BAIL_OUT("$cli is not built: run make");

my $version = `$node --version 2>/dev/null` // "";
chomp $version;
ok($version =~ /^v(\d+)/ && $1 >= 18, "node 18 or later: $version")
    or BAIL_OUT("node is not installed (or NODE=$node does not run)");
ok(-f "$repo/node_modules/\@iabtechlabtcf/core/package.json",
   '@iabtechlabtcf/core is installed')
    or BAIL_OUT("node_modules/\@iabtechlabtcf/core is missing: "
                . "run \"npm ci\"");

srand(20261207);

my $json = JSON::PP->new->canonical(0);

sub r { int(rand($_[0])) }

# a set of ids 1..$n as a rising list, in one of several shapes
sub id_set {
    my ($max) = @_;
    my $shape = r(6);
    my %set;

    if ($shape == 0) {
        return [];
    } elsif ($shape == 1) {                 # sparse
        $set{1 + r($max)} = 1 for 1 .. r(20);
    } elsif ($shape == 2) {                 # dense: a bit field
        for my $id (1 .. $max) {
            $set{$id} = 1 if rand() < 0.5;
        }
    } elsif ($shape == 3) {                 # runs: ranges
        for (1 .. 1 + r(8)) {
            my $from = 1 + r($max);
            my $to = $from + r(200);
            $to = 65535 if $to > 65535;
            $set{$_} = 1 for $from .. $to;
        }
    } elsif ($shape == 4) {                 # one high id
        $set{65535 - r(3)} = 1;
        $set{1 + r(50)} = 1 if r(2);
    } else {                                # a mix
        for my $id (1 .. $max) {
            $set{$id} = 1 if rand() < 0.05;
        }
        $set{$_} = 1 for 100 .. 100 + r(300);
    }

    return [ sort { $a <=> $b } keys %set ];
}

sub bits {
    my ($n, $p, @not) = @_;
    my %not = map { $_ => 1 } @not;
    return [ grep { !$not{$_} && rand() < $p } 1 .. $n ];
}

sub letters { join '', map { chr(65 + r(26)) } 1 .. 2 }

my @ptc = qw(consents legitimateInterests numCustomPurposes
    customConsents customLegitimateInterests);
my @pr = qw(purpose type vendors);

# JSON with the keys in the given order
sub ordered {
    my ($h, $order) = @_;

    return '{' . join(',', map {
        my $v = $h->{$_};
        my $t;

        if ($_ eq 'publisherTC' && defined $v) {
            $t = ordered($v, \@ptc);
        } elsif ($_ eq 'publisherRestrictions') {
            $t = '[' . join(',', map { ordered($_, \@pr) } @$v) . ']';
        } else {
            $t = $json->encode($v);
        }

        "\"$_\":$t";
    } @$order) . '}';
}

sub state {
    my ($i) = @_;
    my $policy = (2, 3, 4, 5, 5, 5)[r(6)];
    my $max = (50, 400, 1200, 3000)[r(4)];
    my @restrictions;
    my %pair;

    for (1 .. (r(3) ? 0 : 1 + r(4))) {
        my $purpose = 1 + r(24);
        my $type = r(3);
        next if $pair{"$purpose-$type"}++;
        my $v = id_set(2000);
        next unless @$v;
        push @restrictions, { purpose => $purpose, type => $type,
                              vendors => $v };
    }

    my %s = (
        version => 2,
        created => r(2**36),
        lastUpdated => r(2**36),
        cmpId => 2 + r(4094),
        cmpVersion => r(4096),
        consentScreen => r(64),
        consentLanguage => letters(),
        vendorListVersion => r(4096),
        policyVersion => $policy,
        isServiceSpecific => r(2) ? JSON::PP::true : JSON::PP::false,
        useNonStandardTexts => r(2) ? JSON::PP::true : JSON::PP::false,
        specialFeatureOptins => bits(12, 0.4),
        purposeConsents => bits(24, 0.5),
        purposeLegitimateInterests =>
            bits(24, 0.5, $policy >= 4 ? (1, 3, 4, 5, 6) : ()),
        purposeOneTreatment => r(2) ? JSON::PP::true : JSON::PP::false,
        publisherCountryCode => letters(),
        vendorConsents => id_set($max),
        vendorLegitimateInterests => id_set($max),
        publisherRestrictions => \@restrictions,
        vendorsDisclosed => ($policy >= 5 || r(2)) ? id_set($max) : undef,
        publisherTC => undef,
    );

    if (r(3) == 0) {
        my $n = r(64);
        $s{publisherTC} = {
            consents => bits(24, 0.5),
            legitimateInterests => bits(24, 0.5),
            numCustomPurposes => $n,
            customConsents => bits($n, 0.5),
            customLegitimateInterests => bits($n, 0.5),
        };
    }

    # the key order build/consent-tcf prints
    my @keys = qw(version created lastUpdated cmpId cmpVersion
        consentScreen consentLanguage vendorListVersion policyVersion
        isServiceSpecific useNonStandardTexts specialFeatureOptins
        purposeConsents purposeLegitimateInterests purposeOneTreatment
        publisherCountryCode vendorConsents vendorLegitimateInterests
        publisherRestrictions vendorsDisclosed publisherTC);

    return ordered(\%s, \@keys);
}

my @lines = map { state($_) } 1 .. $states;

my %distinct = map { $_ => 1 } @lines;
ok(keys(%distinct) == $states, scalar(keys %distinct)
   . " distinct states of $states");

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
            for my $i (@bad[0 .. ($#bad < 1 ? $#bad : 1)]) {
                diag("input:    " . substr($input->[$i], 0, 300));
                diag("got:      " . substr($got->[$i] // '(nothing)', 0,
                                           600));
                diag("expected: " . substr($want->[$i], 0, 600));
            }
        };

    return scalar(@bad);
}

my @ours = run("$cli encode", @lines);
my @theirs = run("$node t/lib/tcf.mjs encode", @lines);

ok(!(grep { /^error/ } @ours), 'we encode every state')
    or diag((grep { /^error/ } @ours)[0]);
ok(!(grep { /^error/ } @theirs), '@iabtechlabtcf/core encodes every state')
    or diag((grep { /^error/ } @theirs)[0]);

my @there = run("$node t/lib/tcf.mjs decode", @ours);
compare('strings we encode decode in @iabtechlabtcf/core to the same '
        . 'fields', \@there, \@lines, \@ours);

my @here = run("$cli decode", @theirs);
compare('strings @iabtechlabtcf/core encodes decode here to the same '
        . 'fields', \@here, \@lines, \@theirs);

my @back = run("$cli decode", @ours);
compare('and ours decode here to their fields', \@back, \@lines, \@ours);

my $same = grep { $ours[$_] eq $theirs[$_] } 0 .. $#lines;
ok($same >= $states * 0.8, "the same string byte for byte: $same of "
   . "$states");

my $shorter = grep { length($ours[$_]) < length($theirs[$_]) } 0 .. $#lines;
my $longer = grep { length($ours[$_]) > length($theirs[$_]) } 0 .. $#lines;
is($longer, 0, "ours never longer ($shorter shorter)");

# A visitor's choice under a GVL (consent_tcf_choice), against the
# library's TCString.encode with the same GVL, whose semantic pre-encoding
# drops what the list does not allow: a synthetic list of 300 vendors
# declaring every mix of consent, legitimate interest and special
# purposes, some deleted

my %vendors;

for my $id (1 .. 300) {
    next if $id % 37 == 0;                  # gaps in the ids
    my $k = r(6);
    my @p = grep { rand() < 0.5 } 1 .. 11;
    my %p = map { $_ => 1 } @p;
    my @li = grep { !$p{$_} && !{ 1 => 1, 3 => 1, 4 => 1, 5 => 1,
                                  6 => 1 }->{$_} && rand() < 0.4 } 1 .. 11;
    @p = () if $k == 0;
    @li = () if $k == 0 || $k == 1;
    $vendors{$id} = {
        id => $id, name => "Vendor $id", purposes => \@p,
        legIntPurposes => \@li, flexiblePurposes => [],
        specialPurposes => ($k == 1 || $k == 2) ? [1] : [],
        features => [1], specialFeatures => r(2) ? [1] : [],
    };
    $vendors{$id}{deletedDate} = '2026-01-01T00:00:00Z' if r(20) == 0;
}

my $gvl_file = "$dir/gvl.json";
open my $g, '>', $gvl_file or die "$gvl_file: $!";
print $g JSON::PP->new->canonical->encode({
    gvlSpecificationVersion => 3, vendorListVersion => 120,
    tcfPolicyVersion => 5, lastUpdated => '2026-12-03T16:00:00Z',
    purposes => { map { $_ => { id => $_, name => "P$_" } } 1 .. 11 },
    specialPurposes => { map { $_ => { id => $_, name => "S$_" } } 1, 2 },
    features => { map { $_ => { id => $_, name => "F$_" } } 1 .. 3 },
    specialFeatures => { map { $_ => { id => $_, name => "X$_" } } 1, 2 },
    stacks => { 1 => { id => 1, name => 's', purposes => [2, 3],
                       specialFeatures => [] } },
    dataCategories => { 1 => { id => 1, name => 'IP' } },
    vendors => \%vendors,
});
close $g;

my @choices = map {
    $json->canonical(1)->encode({
        cmpId => 2 + r(4000), cmpVersion => r(4096),
        consentLanguage => 'EN', publisherCountryCode => letters(),
        now => 1700000000 + r(100000000),
        purposes => bits(11, 0.5), legitimateInterests => bits(11, 0.5),
        specialFeatures => bits(2, 0.5),
        vendors => [ grep { rand() < 0.6 } 1 .. 310 ],
        vendorLegitimateInterests => [ grep { rand() < 0.6 } 1 .. 310 ],
    })
} 1 .. 300;

my @our_choice = run("$cli choose $gvl_file", @choices);
my @their_choice = run("$node t/lib/tcf.mjs choose $gvl_file", @choices);

ok(!(grep { /^error/ } @our_choice, @their_choice),
   'both write a TC string for every choice')
    or diag((grep { /^error/ } @our_choice, @their_choice)[0]);
compare('a choice under the GVL: the same TC string as TCString.encode',
        \@our_choice, \@their_choice, \@choices);
compare('decoding to the same fields there',
        [ run("$node t/lib/tcf.mjs decode", @our_choice) ],
        [ run("$node t/lib/tcf.mjs decode", @their_choice) ], \@choices);

# Additional Consent: Google's example, and ours back
is(join(' ', run("$cli ac-decode", '2~1.35.41~dv.9.21')),
   '{"version":2,"consented":[1,35,41],"disclosed":[9,21]}',
   'Google\'s AC example');
is(join(' ', run("$cli ac-encode",
                 '{"consented":[1,35,41],"disclosed":[9,21]}')),
   '2~1.35.41~dv.9.21', 'and back');

done_testing();

#!/usr/bin/perl

# Writes a synthetic Global Vendor List (v3) and two of its translations
# (purposes-de.json, purposes-fr.json) into a directory, for the TCF
# interface's tests (t/tcf-ui.t, t/browser/tcf-ui.t, t/unit/tcf_ui.c).
# Deterministic: the same arguments write the same bytes.
#
#   t/lib/tcf-gvl.pl DIR [VENDORS [hostile]]
#
# VENDORS (default 300) vendors with ids 1..VENDORS+some gaps, every
# tenth one deleted (not counted).  "hostile": names, descriptions and
# URLs carry markup and javascript: URLs, to check the escaping.

use strict;
use warnings;

use utf8;
use JSON::PP;

my ($dir, $n, $hostile) = @ARGV;
die "usage: $0 DIR [VENDORS [hostile]]\n" unless defined $dir;
$n //= 300;
$hostile = defined $hostile && $hostile eq 'hostile';

my $seed = 17;
sub rnd { $seed = ($seed * 1103515245 + 12345) % 2147483648; $seed % $_[0] }

my $evil = $hostile ? q{<script>alert(1)</script>"'&} : '';

sub items {
    my ($count, $fmt, %o) = @_;
    my %h;
    for my $id (1 .. $count) {
        $h{$id} = { id => $id, name => sprintf($fmt, $id) . ($id == 1 ? $evil : ''),
                    description => sprintf("$fmt: what it means.", $id) };
        $h{$id}{illustrations} = [ sprintf("An example of $fmt.", $id) ]
            if $o{ill};
    }
    \%h;
}

my %gvl = (
    gvlSpecificationVersion => 3,
    vendorListVersion => 142,
    tcfPolicyVersion => 5,
    lastUpdated => '2026-12-03T16:00:00Z',
    purposes => items(11, 'Purpose %d of the test list', ill => 1),
    specialPurposes => items(3, 'Special purpose %d of the test list', ill => 1),
    features => items(3, 'Feature %d of the test list', ill => 1),
    specialFeatures => items(2, 'Special feature %d of the test list', ill => 1),
    dataCategories => items(11, 'Data category %d'),
    stacks => {
        1 => { id => 1, name => 'Stack 1: purposes 2 to 4 and special feature 1',
               description => 'Stack one.', purposes => [2, 3, 4],
               specialFeatures => [1] },
        2 => { id => 2, name => 'Stack 2: purposes 7 to 10',
               description => 'Stack two.', purposes => [7, 8, 9, 10],
               specialFeatures => [] },
        3 => { id => 3, name => 'Stack 3: purposes 2 and 7',
               description => 'Overlaps stack 1 and 2.', purposes => [2, 7],
               specialFeatures => [] },
    },
    vendors => {},
);

my $id = 0;
for my $k (1 .. $n) {
    $id += 1 + (rnd(7) == 0 ? 1 : 0);
    my (@cons, @li, @flex);
    for my $p (1 .. 11) {
        my $r = rnd(10);
        if ($r < 5) { push @cons, $p }
        elsif ($r < 7 && !grep { $_ == $p } 1, 3, 4, 5, 6) { push @li, $p }
    }
    @cons = (1) unless @cons || @li;
    push @flex, $li[0] if @li && rnd(3) == 0;
    my $v = {
        id => $id,
        name => sprintf('Vendor %03d %s', $id,
                        (qw(Ads Analytics Media Data Bidder))[rnd(5)])
                . ($hostile && $k <= 3 ? $evil : ''),
        purposes => \@cons,
        legIntPurposes => \@li,
        flexiblePurposes => \@flex,
        specialPurposes => [ grep { rnd(2) } 1 .. 3 ],
        features => [ grep { rnd(2) } 1 .. 3 ],
        specialFeatures => [ grep { rnd(4) == 0 } 1 .. 2 ],
        usesCookies => JSON::PP::true,
        cookieMaxAgeSeconds => (rnd(3) == 0 ? 3600 : 86400 * (1 + rnd(400))),
        cookieRefresh => JSON::PP::false,
        usesNonCookieAccess => (rnd(2) ? JSON::PP::true : JSON::PP::false),
        dataRetention => { stdRetention => 30 + rnd(365),
                           purposes => (@cons ? { $cons[0] => 7 } : {}),
                           specialPurposes => {} },
        dataDeclaration => [ grep { rnd(3) == 0 } 1 .. 11 ],
        urls => [
            { langId => 'en',
              privacy => $hostile && $k == 1
                  ? 'javascript:alert(1)'
                  : "https://vendor$id.example/privacy"
                    . ($hostile && $k == 2 ? '?a="><script>x</script>' : ''),
              legIntClaim => "https://vendor$id.example/li" },
            { langId => 'de', privacy => "https://vendor$id.example/de/privacy" },
        ],
    };
    $v->{deletedDate} = '2026-01-01T00:00:00Z' if $k % 10 == 0;
    $gvl{vendors}{$id} = $v;
}

my %tr = (
    de => ['Zweck %d der Testliste', 'Besonderer Zweck %d der Testliste',
           'Merkmal %d der Testliste', 'Besonderes Merkmal %d der Testliste',
           'Datenkategorie %d', 'Stapel %d der Testliste', 'Beispiel zu %d.'],
    fr => ['Finalité %d de la liste de test',
           'Finalité spéciale %d de la liste de test',
           'Fonctionnalité %d de la liste de test',
           'Fonctionnalité spéciale %d de la liste de test',
           'Catégorie de données %d', 'Pile %d de la liste de test',
           'Exemple pour %d.'],
);

my $json = JSON::PP->new->canonical->utf8;

mkdir $dir;
open my $f, '>', "$dir/vendor-list.json" or die "$dir: $!";
print $f $json->encode(\%gvl);
close $f;

for my $l (sort keys %tr) {
    my ($p, $sp, $fe, $sf, $dc, $st, $ex) = @{ $tr{$l} };
    my %t = (
        gvlSpecificationVersion => 3,
        vendorListVersion => 142,
        tcfPolicyVersion => 5,
        lastUpdated => '2026-12-03T16:00:00Z',
        purposes => items(11, $p, ill => 1),
        specialPurposes => items(3, $sp, ill => 1),
        features => items(3, $fe, ill => 1),
        specialFeatures => items(2, $sf, ill => 1),
        dataCategories => items(11, $dc),
        stacks => items(3, $st),
    );
    for my $k (qw(purposes specialPurposes features specialFeatures)) {
        $_->{illustrations} = [ sprintf($ex, $_->{id}) ] for values %{ $t{$k} };
    }
    open $f, '>', "$dir/purposes-$l.json" or die "$dir: $!";
    print $f $json->encode(\%t);
    close $f;
}

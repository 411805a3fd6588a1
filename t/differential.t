#!/usr/bin/perl

# The HTML filter against a spec-compliant HTML parser: every fixture
# page of t/html/ and t/diff/ goes through build/consent-filter, and
# parse5 (npm, driven by node: t/lib/differential.mjs) checks that the
# elements the output neutralises are exactly those the policy's rules
# and marks select in the input's DOM, and that the output's DOM is
# otherwise the input's. Needs node (>= 18) and "npm ci" in the
# repository root; a missing one fails the test, it does not skip it.

use strict;
use warnings;

use FindBin;
use Cwd qw(abs_path);

my $repo = abs_path("$FindBin::Bin/..");
my $build = $ENV{CONSENT_BUILD} || "$repo/build";
my $filter = "$build/consent-filter";
my $node = $ENV{NODE} || 'node';

sub fail {
    my ($why) = @_;
    print "1..1\nnot ok 1 - differential check against parse5\n";
    print "# $why\n";
    exit 1;
}

chdir $repo or fail("chdir $repo: $!");

-x $filter
    or fail("$filter is not built: run make");

my $version = `$node --version 2>/dev/null` // '';
$version =~ /^v(\d+)\.(\d+)/
    or fail("node is not installed (or NODE=$node does not run): "
            . "install Node.js 18 or later");
$1 >= 18
    or fail("node $version is too old: the test needs 18 or later");

-f "$repo/node_modules/parse5/package.json"
    or fail("node_modules/parse5 is missing: run \"npm ci\" in $repo");

exec $node, "t/lib/differential.mjs", "--filter", $filter,
    "--policy", "conf/policy.json", "t/html", "t/diff"
    or fail("exec $node: $!");

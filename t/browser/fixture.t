#!/usr/bin/perl

# The banner in Chromium on the fixture page (t/browser/site/): first
# visit, Accept all, Reject all, Customise with analytics only, and the
# manage-preferences links that reopen it to withdraw.
# (t/browser/fixture.mjs drives Chromium and prints the assertions;
# t/browser/lib/Consent/Browser.pm starts nginx with the test sites.)

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../lib", "$FindBin::Bin/lib";

use Test::More;
use Consent::Browser;

my $b = Consent::Browser->new;
$b->start;
$b->run_node('fixture.mjs');

done_testing();

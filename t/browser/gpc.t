#!/usr/bin/perl

# Global Privacy Control (Sec-GPC: 1): the notice, marketing off after
# Save with the defaults, an explicit Accept all still counts, and the
# audit log records "gpc":true.
# (t/browser/gpc.mjs drives Chromium and prints the assertions;
# t/browser/lib/Consent/Browser.pm starts nginx with the test sites.)

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../lib", "$FindBin::Bin/lib";

use Test::More;
use Consent::Browser;

my $b = Consent::Browser->new;
$b->start;
$b->run_node('gpc.mjs');

done_testing();

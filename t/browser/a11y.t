#!/usr/bin/perl

# Accessibility and layout: axe-core on both layers in light and dark,
# the keyboard, three identical first-layer buttons, no layout shift,
# and a 320 px wide screen.
# (t/browser/a11y.mjs drives Chromium and prints the assertions;
# t/browser/lib/Consent/Browser.pm starts nginx with the test sites.)

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../lib", "$FindBin::Bin/lib";

use Test::More;
use Consent::Browser;

my $b = Consent::Browser->new;
$b->start;
$b->run_node('a11y.mjs');

done_testing();

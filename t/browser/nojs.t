#!/usr/bin/perl

# The banner with JavaScript disabled: Accept all, Reject all and
# Customise (the preferences page) through the form and the endpoint's
# 303, on the fixture and on the demo page.
# (t/browser/nojs.mjs drives Chromium and prints the assertions;
# t/browser/lib/Consent/Browser.pm starts nginx with the test sites.)

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../lib", "$FindBin::Bin/lib";

use Test::More;
use Consent::Browser;

my $b = Consent::Browser->new;
$b->start;
$b->run_node('nojs.mjs');

done_testing();

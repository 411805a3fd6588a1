#!/usr/bin/perl

# The demo site (conf/demo/) in Chromium: first visit, Accept all,
# Reject all, the Spanish page and its preferences links.
# (t/browser/demo.mjs drives Chromium and prints the assertions;
# t/browser/lib/Consent/Browser.pm starts nginx with the test sites.)

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../lib", "$FindBin::Bin/lib";

use Test::More;
use Consent::Browser;

my $b = Consent::Browser->new;
$b->start;
$b->run_node('demo.mjs');

done_testing();

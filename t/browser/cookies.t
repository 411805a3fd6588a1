#!/usr/bin/perl

# A consent cookie planted for the parent domain (issue 13, item 7), in
# Chromium: the fixture site answers as www.example.test, a sibling's
# valid accept-all cookie for Domain=example.test sits in the browser
# next to the visitor's own reject, and no tracker loads.
# (t/browser/cookies.mjs drives Chromium and prints the assertions;
# t/browser/lib/Consent/Browser.pm starts nginx with the test sites.)

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../lib", "$FindBin::Bin/lib";

use Test::More;
use Consent::Browser;

my $b = Consent::Browser->new;
$b->start;
$b->run_node('cookies.mjs');

done_testing();

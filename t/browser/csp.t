#!/usr/bin/perl

# The banner under a strict Content-Security-Policy ('self' only, and
# a per-request nonce with consent_csp_nonce): no violation while it
# shows, opens, takes a choice and lets the page's gated script run.
# (t/browser/csp.mjs drives Chromium and prints the assertions;
# t/browser/lib/Consent/Browser.pm starts nginx with the test sites.)

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../lib", "$FindBin::Bin/lib";

use Test::More;
use Consent::Browser;

my $b = Consent::Browser->new;
$b->start;
$b->run_node('csp.mjs');

done_testing();

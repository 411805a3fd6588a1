#!/usr/bin/perl

# Withdrawal reaches the cookies no script can touch (docs/cookies.md),
# in Chromium: a visitor on www.example.test who accepted holds _ga,
# set by JavaScript on the parent domain, and an HttpOnly _fbp on the
# parent domain; after the withdrawal (Reject all on the reopened
# banner, or DELETE to the endpoint) and one page view, neither
# document.cookie nor the browser's cookie jar holds either.
# (t/browser/cookies-withdraw.mjs drives Chromium and prints the
# assertions; t/browser/lib/Consent/Browser.pm starts nginx.)

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../lib", "$FindBin::Bin/lib";

use Test::More;
use Consent::Browser;

my $b = Consent::Browser->new;
$b->start;
$b->run_node('cookies-withdraw.mjs');

done_testing();

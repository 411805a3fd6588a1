#!/usr/bin/perl

# make screenshots (mk/browser.mk): starts nginx with the demo site as the
# browser tests do and runs t/browser/screenshots.mjs, which writes
# docs/img/{banner,layer2}-{light,dark}.png (CONSENT_SCREENSHOT_DIR).
# Not part of make test: its name does not end in .t.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../lib", "$FindBin::Bin/lib";

use Test::More;
use Consent::Browser;

my $out = $ENV{CONSENT_SCREENSHOT_DIR}
    || "$Consent::Browser::REPO/docs/img";

my $b = Consent::Browser->new;
$b->start;
$b->run_node('screenshots.mjs', outdir => $out);

done_testing();

#!/usr/bin/perl

# What Chromium fetches from pages built to reach trackers past a
# tokenizer: duplicated attributes as the preload scanner reads them,
# CDATA in SVG (and in an SVG script), long tags, every element and
# attribute that loads, the URLs of CSS in <style> and style=.
# Without consent not one request may reach a tracker host; with every
# category granted each page's trackers do load (so the test can fail
# both ways). The corpus is written here into the fixture site's
# preload/ directory; t/browser/preload.mjs drives Chromium.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../lib", "$FindBin::Bin/lib";

use Test::More;
use MIME::Base64 qw(encode_base64);
use Consent::Browser;

my $FB = 'https://www.facebook.com/tr?id=';
my $GTM = 'https://www.googletagmanager.com/gtm.js?id=';
my $X = 'x' x 9000;
my $B64 = encode_base64(qq{<img src="${FB}data64">}, '');

# name => the body's markup (each page is a document of its own)
my @pages = (
    'dup-src-empty-first' => qq{<script src="" src="${GTM}dup"></script>},
    'dup-src-blank-first' => qq{<script src=" " src="${GTM}blank"></script>},
    'dup-type-last-wins' =>
        qq{<script type="text/plain" type="text/javascript" src="${GTM}type"></script>},
    'dup-rel-last-wins' =>
        qq{<link rel="icon" rel="preload" as="script" href="${GTM}rel">},
    'cdata-svg' => qq{<svg><![CDATA[><img src="${FB}cdata">]]></svg>},
    'cdata-math' => qq{<math><![CDATA[ x > y <img src="${FB}math"> ]]></math>},
    'long-alt-judged' => qq{<img alt="$X" src="${FB}longalt">},
    'long-failed-closed' =>
        qq{<script type="module" src="${GTM}long&$X" type="text/javascript"></script>},
    'video-poster' => qq{<video poster="${FB}poster" width="10" height="10"></video>},
    'base-href' => qq{<base href="https://connect.facebook.net/">}
        . qq{<script src="en_US/fbevents.js"></script>},
    'body-background' => qq{</head><body background="${FB}bg"><p>x</p>},
    'table-background' =>
        qq{<table background="${FB}table"><tr><td background="${FB}td">x</td></tr></table>},
    'svg-image' => qq{<svg width="10" height="10"><image href="${FB}svgimage" width="10" height="10"/></svg>},
    'svg-set' => qq{<svg width="10" height="10"><image width="10" height="10">}
        . qq{<set attributeName="href" to="${FB}svgset"/></image></svg>},
    'svg-feimage' => qq{<svg width="10" height="10"><filter id="f"><feImage href="${FB}feimage"/></filter>}
        . qq{<rect filter="url(#f)" width="10" height="10"/></svg>},
    'iframe-data-base64' => qq{<iframe src="data:text/html;base64,$B64"></iframe>},
    'iframe-data-percent' =>
        qq{<iframe src="data:text/html,%3Cimg%20src%3D%22${FB}datapct%22%3E"></iframe>},
    'iframe-srcdoc' => qq{<iframe srcdoc="&lt;img src=&quot;${FB}srcdoc&quot;&gt;"></iframe>},
    'object-data' =>
        qq{<object data="data:text/html,%3Cimg%20src%3D%22${FB}object%22%3E"></object>},
    'input-image' => qq{<input type="image" src="${FB}input" alt="go">},
    'meta-refresh' => qq{<meta http-equiv="refresh" content="0; url=${FB}refresh">},
    'noscript-style' => qq{<noscript><style></noscript>}
        . qq{<script src="${GTM}noscript"></script>},
    'style-url' =>
        qq{<div style="width: 10px; height: 10px; background: url(${FB}style) no-repeat">x</div>},
    'link-stylesheet' => qq{<link rel="stylesheet" href="https://connect.facebook.net/x.css">},
    'style-import' => qq{<style>\@import "https://connect.facebook.net/import.css";</style>},
    'style-element-url' =>
        qq{<style>body { background: url(${FB}styleel) no-repeat }</style><p>x</p>},
    'style-escape' => qq{<style>div.e { background: u\\72l(${FB}esc) }</style>}
        . qq{<div class="e" style="width: 10px; height: 10px">x</div>},
    'style-image-set' =>
        qq{<style>div.i { background-image: image-set("${FB}imgset" 1x) }</style>}
        . qq{<div class="i" style="width: 10px; height: 10px">x</div>},
    'style-font-face' =>
        qq{<style>\@font-face { font-family: t; src: url(${FB}font) }}
        . qq{ p.f { font-family: t }</style><p class="f">text</p>},
    'style-unterminated' =>
        qq!<style>body { background: url(${FB}eof</style><p>x</p>!,
    'a-style' => qq{<a href="/x" style="display: block; width: 10px; height: 10px;}
        . qq{ background: url(${FB}astyle)">x</a>},
    'svg-script-cdata' => qq{<svg><script><![CDATA[ var a = 1; </script>}
        . qq{<img src="${FB}svgcdata"> ]]></script></svg>},
);

my $b = Consent::Browser->new;
$b->start;

my @names;

for (my $i = 0; $i < @pages; $i += 2) {
    my ($name, $body) = @pages[$i, $i + 1];
    my $head = $body =~ m{^</head>} ? '' : '</head><body>';
    $b->t->write_file("site/preload/$name.html",
        qq{<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">}
        . qq{<title>$name</title>\n$head$body\n</body></html>\n});
    push @names, $name;
}

# the frameset page: no <body>
$b->t->write_file('site/preload/frameset-xmp.html',
    qq{<!DOCTYPE html>\n<html><head><title>frameset-xmp</title></head>}
    . qq{<frameset cols="100%"><xmp><frame src="https://www.youtube.com/embed/fs">}
    . qq{</xmp></frameset></html>\n});
push @names, 'frameset-xmp';

$b->run_node('preload.mjs', pages => \@names);

done_testing();

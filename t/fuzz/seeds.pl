#!/usr/bin/perl

# Writes the seed corpora of the fuzz harnesses, t/fuzz/corpus/NAME/,
# from the test fixtures and the documents' examples:
#
#   perl t/fuzz/seeds.pl
#
# Each seed starts with the set-up bytes its harness reads (see the
# comment at the top of t/fuzz/NAME.c).  Seeds are named seed-*; inputs
# that libFuzzer found and that are worth keeping (make fuzz-merge) sit
# beside them under their SHA-1 names.  Deterministic: running it again
# rewrites the same files.

use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../lib";

use Compress::Zlib qw(compress);
use Digest::SHA qw(hmac_sha256_hex sha256_hex);
use MIME::Base64 qw(encode_base64url);
use File::Basename qw(basename);
use File::Path qw(make_path);
use Consent::Token qw(mint b64url);

my $REPO = "$FindBin::Bin/../..";
my $OUT  = "$FindBin::Bin/corpus";

# the keys of t/fuzz/fuzz.h: k1 is the example key of cookie-format.md
my $K1 = join '', map { chr } 0 .. 31;
my $LOGKEY = Consent::Token::hkdf($K1, 'ngx_http_consent log v1', 32);

sub slurp {
    my ($path) = @_;
    open my $fh, '<:raw', $path or die "$path: $!";
    local $/;
    return scalar <$fh>;
}

my %n;

sub seed {
    my ($name, $bytes) = @_;
    my $dir = "$OUT/$name";
    make_path($dir);
    my $file = sprintf '%s/seed-%03d', $dir, ++$n{$name};
    open my $fh, '>:raw', $file or die "$file: $!";
    print {$fh} $bytes;
    close $fh;
}

# remove the old seeds, keep what libFuzzer found
for my $f (glob "$OUT/*/seed-*") {
    unlink $f;
}

# ---------------------------------------------------------------------------
# html: granted, flags, split (2 bytes), page

my @pages = (glob("$REPO/t/html/*.html"), glob("$REPO/t/diff/*.html"),
    "$REPO/conf/demo/index.html", "$REPO/conf/demo/es/index.html",
    "$REPO/conf/demo/privacy.html");

my $i = 0;
for my $p (@pages) {
    my $page = slurp($p);
    next if length $page > 65536;
    my $split = int(length($page) / 2) & 0xffff;
    # nothing granted with injection; every option in turn
    my @flags = (0x03, 0x07 | 0x40, 0x0b | 0x10, 0x23, 0x30 | 0x0f);
    my $flags = $flags[$i++ % @flags];
    seed('html', pack('CCn', $i % 16, $flags, $split) . $page);
}

seed('html', pack('CCn', 0, 3, 0) . '');
seed('html', pack('CCn', 0, 3, 5)
    . '<!DOCTYPE html><html><head></head><body><script>gtag(1)</script>'
    . '</body></html>');
seed('html', pack('CCn', 0, 0x07, 40) . '<img src="//ad.doubleclick.net/p"'
    . (' a' x 100) . '>');
seed('html', pack('CCn', 2, 0x03, 9) . '<svg><script href="//plausible.io/'
    . 'js/s.js"/></svg><math><mi><script src=//connect.facebook.net/x>');
seed('html', pack('CCn', 0, 0x03, 3) . '<script><!--<script>fbq(1)</script>'
    . '--></script><textarea></body></textarea></body>');

# ---------------------------------------------------------------------------
# hosts: granted, flags (bits 0-1 the page's URL, bit 2 bytewise), page

$i = 0;
for my $p (glob("$REPO/t/html/*.html"), "$REPO/conf/demo/index.html") {
    my $page = slurp($p);
    next if length $page > 16384;
    seed('hosts', pack('CC', $i % 16, ($i % 4) | (length $page <= 512
        ? 4 : 0)) . $page);
    $i++;
}

seed('hosts', pack('CC', 0, 0x05) . '<script src="//CDN.Example.COM/x.js">'
    . '</script><img srcset="https://a.example/1.png 1x, //b.example/2.png '
    . '2x"><div style="background:url(https://c.example/i.png)"></div>'
    . '<base href="https://d.example/x/"><img src="y.png">'
    . '<a ping="https://e.example/p https://f.example/q">a</a>'
    . '<script src="https://b&#xfc;cher.example/"></script>'
    . '<img src="http://[::1]:8080/x"><img src="http://0x7f.1/x">');
seed('hosts', pack('CC', 0xff, 0x06) . '<script data-consent="marketing" '
    . 'src="https://m.example/m.js"></script><video poster="//p.example/"'
    . '></video><link rel=stylesheet href=//s.example/s.css>');

# ---------------------------------------------------------------------------
# token: flags (bit 0 signed, bits 1-2 name), value or fields

my $example = '1.k1.1735689600.3.5.ABEiM0RVZneImaq7zN3u_w.'
    . 'l0iRN2ry9XEtiDzIdYos_GXAx2bvdsQkGvb_mLwavdk';
seed('token', "\x00$example");
seed('token', "\x00" . mint(secret => $K1, issued => 1735689000,
    revision => 3, granted => 0xf, id => "\x11" x 16));
seed('token', "\x02" . mint(secret => $K1, name => 'site_consent',
    issued => 1735689000, revision => 3, granted => 1, id => "\0" x 16));
seed('token', "\x00" . mint(secret => $K1, issued => 1, revision => 3,
    granted => 0xffffffff, id => "\xff" x 16));
seed('token', "\x00$example.");
seed('token', "\x00" . ($example =~ s/k1/k2/r));
seed('token', "\x00" . ($example =~ s/\.3\./.03./r));
seed('token', "\x00\"$example\"");
seed('token', "\x00" . ('1.' x 100));
seed('token', "\x00");
for my $f ('1.k1.1735689600.3.5.ABEiM0RVZneImaq7zN3u_w',
    '1.k1.1735689900.3.0.AAAAAAAAAAAAAAAAAAAAAA',
    '1.k1.1735689901.3.0.AAAAAAAAAAAAAAAAAAAAAA',
    '1.k1.1719964799.3.ffffffff.AAAAAAAAAAAAAAAAAAAAAA',
    '1.k1.1735689600.4294967295.1.____________________w',
    '1.k1.1735689600.4294967296.1.____________________w',
    '1.k1.9999999999.3.a.ABEiM0RVZneImaq7zN3u_w',
    '1.k1.1735689600.0.0.ABEiM0RVZneImaq7zN3u_x',
    '1.k2.1735689600.3.5.ABEiM0RVZneImaq7zN3u_w',
    '1.abcdefgh.1735689600.3.5.ABEiM0RVZneImaq7zN3u_w',
    '2.k1.1735689600.3.5.ABEiM0RVZneImaq7zN3u_w')
{
    seed('token', "\x01$f");
    seed('token', "\x05$f");
}

# ---------------------------------------------------------------------------
# keys: the key file

my $b64 = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';
seed('keys', "k1 $b64\n");
seed('keys', "# example only\nk1 $b64\nk2 ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3"
    . "ODk6Ozw9Pj8\n");
seed('keys', "\t k1\t$b64 \r\n\r\n# c\n");
seed('keys', "k1 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\n");
seed('keys', "k1 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh-_\n");
seed('keys', "k1 " . ('A' x 344) . "\n");
seed('keys', "k1 AAECAwQFBgcICQoLDA0ODw==\n");
seed('keys', "k1 $b64\nk1 $b64\n");
seed('keys', "K_1 $b64\n");
seed('keys', "k1 $b64 # comment\n");
seed('keys', "k1\n");
seed('keys', "");
seed('keys', "k123456789 $b64");
seed('keys', "k1 $b64 verify-only\nk2 $b64\n");
seed('keys', "k1 $b64 verify-only\n");

# ---------------------------------------------------------------------------
# policy: the policy file

seed('policy', slurp("$REPO/conf/policy.json"));
seed('policy', slurp("$REPO/t/html/policy.json"));
{
    my $doc = slurp("$REPO/docs/policy.md");
    if ($doc =~ /```json\n(\{.*?\n\})\n```/s) {
        seed('policy', $1);
    }
}
seed('policy', '{"revision":1,"default_language":"en","privacy_url":"/p",'
    . '"categories":[{"id":"n","required":true,"label":{"en":"N"},'
    . '"description":{"en":"D"}},{"id":"a","gpc":true,"aliases":["s"],'
    . '"consent_mode":["ad_storage"],"label":{"en":"<b>A</b>"},'
    . '"description":{"en":"\"q\" & \'a\'"}}],"texts":{"en":{"title":"t",'
    . '"message":"m","accept_all":"a","reject_all":"r","customise":"c",'
    . '"save":"s","withdraw":"w","privacy_link":"p","manage":"m",'
    . '"always_on":"o","gpc_honoured":"g"},"pt-BR":{"title":"</script>"}},'
    . '"rules":[{"category":"a","hosts":["x.example"],"urls":["/m.js"],'
    . '"inline":["f("]}],"max_age":"90m"}');

# ---------------------------------------------------------------------------
# request: which, then the input

for my $b ('{"action":"accept_all"}', '{"granted":["analytics"]}',
    '{"action":"save","granted":["analytics","marketing"]}',
    '{"action":"save","action":"x"}', '{"action":1}', '[]', '',
    '{"action":"withdraw","granted":[]}', '{"action":"save","extra":1}',
    '{"action":"save","granted":["\u00e9"]}', '{"granted":[' x 50)
{
    seed('request', "\x00$b");
}
for my $b ('action=save&granted=analytics&granted=marketing'
    . '&return=%2Fnews%2Fstory%3Fp%3D2', 'action=accept_all',
    'action=reject_all&return=//evil.example', 'action=save%zz',
    'action=save&return=%2F%5Cevil', 'granted=analytics', 'action=save%00',
    'action=withdraw&&return=/a+b', 'action=accept_all&return=' . 'a' x 1100,
    'action=reject_all&return=/%0d%0aSet-Cookie:%20x=1')
{
    seed('request', "\x01$b");
}
for my $c ("consent=$example", "a=b; consent=\"$example\"; consent=x",
    "consent", ";;; consent = x ;", "consent=;consent=", " \tconsent=1")
{
    seed('request', "\x02$c");
}
for my $r ('/', '/news?id=7#x', '//evil', '/\\evil', 'https://evil',
    "/\x01", '/caf' . "\xc3\xa9", '/' . 'a' x 1023, '/' . 'a' x 1024)
{
    seed('request', "\x03$r");
}
for my $o ("http://127.0.0.1:8080\nhttp://127.0.0.1:8080\n-",
    "https://example.com\nhttp://example.com:80\nsame-origin",
    "-\nhttp://a\nCROSS-SITE", "null\nhttp://a\n-", "\nhttp://a\n-",
    "http://a:8080\nhttp://a\nsame-site", "-\nhttp://a\n-",
    "http://user\@a\nhttp://a\n-", "HTTPS://A:443\nhttp://a\nnone")
{
    seed('request', "\x04$o");
}
for my $r ("http://127.0.0.1:8080/news?x=1\nhttp://127.0.0.1:8080",
    "https://evil.example/x\nhttp://127.0.0.1:8080",
    "http://a//evil\nhttp://a", "http://a\nhttp://a", "x://a/\\b\nhttp://a")
{
    seed('request', "\x05$r");
}
for my $h ('text/html,application/xhtml+xml,*/*;q=0.8', 'application/json',
    ' Application/JSON ; charset=utf-8', 'es-MX,es;q=0.9,en;q=0.5',
    '*;q=0.1,fr', 'pt, es-419;q=0', '/path?query#frag')
{
    seed('request', "\x06$h");
}
for my $c ("text/html; charset=UTF-16\n\npublic, max-age=60, s-maxage=600",
    "text/html\nutf-32\nno-store", "text/html;charset=\"utf-16le\"\n\n",
    "text/html\n\nPrivate, max-age=0", "\n\n,,,public,,s-maxage=1,")
{
    seed('request', "\x07$c");
}

# ---------------------------------------------------------------------------
# match: which, then the input

for my $u ('https://www.googletagmanager.com/gtag/js?id=G-1',
    '//connect.facebook.net/en_US/fbevents.js',
    'https://google-analytics.com@evil.example/',
    'HTTPS://WWW.GOOGLE-ANALYTICS.COM/analytics.js',
    "https://www.google\xef\xbc\x8eanalytics.com/", 'http://0x7f.1/x',
    'https://x.doubleclick.net./p', "ht\ttps://stats.g.doubleclick.net/",
    '/Matomo%2Ejs', 'data:text/javascript,fbq(1)', 'https://notdoubleclick.net/',
    '\\\\connect.facebook.net\\x', 'https://a.example:443/facebook.com/tr',
    'http://2130706433/', 'https://www.google-analytics.com%2F/')
{
    seed('match', "\x00$u");
}
for my $s ("gtag('config', 'G-1');", '!function(f,b,e,v,n,t,s){fbq(1)}',
    'var _paq = window._paq; _paq.push(["trackPageView"]);',
    "(function(h,o,t,j,a,r){h.hj=h.hj||function(){}})", 'gtag (1)', '')
{
    seed('match', "\x01$s");
}
for my $a (["\x01", src => 'https://www.googletagmanager.com/gtm.js'],
    ["\x01", type => 'text/plain', 'data-category' => 'analytics'],
    ["\x06", src => 'https://www.google-analytics.com/p.gif',
        srcset => 'https://www.facebook.com/tr?id=1 2x'],
    ["\x02", 'data-cookieconsent' => 'statistics,marketing'],
    ["\x02", 'data-cookieconsent' => 'ignore', src => '//youtube.com/e'],
    ["\x07", rel => 'preload', as => 'script',
        href => 'https://www.googletagmanager.com/gtm.js'],
    ["\x01", 'data-consent' => 'bogus'],
    ["\x02", 'data-src' => '//x', 'data-category' => 'ads'],
    ["\x08", src => '//player.vimeo.com/a.mp4', poster => 'p.jpg'],
    ["\x05", data => '//player.vimeo.com/v'])
{
    my ($el, @kv) = @$a;
    seed('match', "\x02$el" . join("\0", @kv));
}
for my $t (qw(script SCRIPT iframe frame embed object img link video audio
    source div))
{
    seed('match', "\x03$t");
}

# ---------------------------------------------------------------------------
# tcf_cmp: a form, a JSON body, a tag with URL macros

seed('tcf_cmp', "\x00action=save&tcf=1&tcf_purpose=1&tcf_purpose_li=7"
     . "&tcf_special_feature=1&tcf_vendor=755&tcf_vendor_li=3&tcf_ac=89");
seed('tcf_cmp', "\x01" . '{"action":"save","tcf":{"purposes":[1,2],'
     . '"purposes_li":[7],"special_features":[1],"vendors":[755],'
     . '"vendors_li":[1],"google_atps":[89]}}');
seed('tcf_cmp', "\x02" . '<img src="x?g=${GDPR}&c=${GDPR_CONSENT_755}'
     . '&a=${ADDTL_CONSENT}&o=${X}&$">');

# ---------------------------------------------------------------------------
# record and verify: lines of a log signed with k1's log key

sub jstr {
    my ($s) = @_;
    $s =~ s/(["\\])/\\$1/g;
    $s =~ s/([\x00-\x1f])/sprintf('\\u%04x', ord $1)/ge;
    return qq{"$s"};
}

sub sign {
    my ($c, $body) = @_;
    my $signed = "{$body";
    my $line = $signed . ',"hmac":"' . hmac_sha256_hex($signed, $LOGKEY)
        . '"}';
    $c->{head} = sha256_hex($line);
    return $line;
}

sub consent_line {
    my ($c, %r) = @_;
    $c->{seq}++;
    $c->{records}++;
    my $body = join ',',
        '"v":1', '"type":"consent"',
        '"ts":' . jstr(sprintf '2026-11-28T03:58:%02d.%03dZ', $c->{seq},
            $c->{seq} * 7),
        '"chain":' . jstr($c->{id}), '"seq":' . $c->{seq},
        '"id":' . jstr($r{id} // 'vNcLQvcfRoRZfNIckZs3Tg'),
        '"action":' . jstr($r{action} // 'grant'),
        '"mechanism":' . jstr($r{mechanism} // 'save'),
        '"revision":1',
        '"policy_sha256":' . jstr($r{policy} // sha256_hex('policy')),
        '"granted":["necessary","analytics"]',
        '"denied":["preferences","marketing"]',
        '"gpc":' . ($r{gpc} ? 'true' : 'false'),
        '"lang":' . jstr($r{lang} // 'es'), '"host":"news.example"',
        '"page":' . jstr($r{page} // '/politica/2026'),
        '"ua":' . jstr($r{ua} // 'Mozilla/5.0'), '"ip":"203.0.113.0"',
        '"kid":"k1"', '"prev":' . jstr($c->{head});
    return sign($c, $body);
}

sub checkpoint_line {
    my ($c, $reason) = @_;
    $c->{seq}++;
    my $body = join ',',
        '"v":1', '"type":"checkpoint"',
        '"ts":' . jstr(sprintf '2026-11-28T03:59:%02d.000Z', $c->{seq}),
        '"chain":' . jstr($c->{id}), '"seq":' . $c->{seq},
        '"reason":' . jstr($reason), '"records":' . $c->{records},
        '"kid":"k1"', '"prev":' . jstr($c->{head});
    return sign($c, $body);
}

# the parts of a policy file, as the module stores it in the log
sub policy_lines {
    my ($c, $text, $size) = @_;
    my @parts = unpack('(a4096)*', compress($text));
    my @l;
    for my $i (0 .. $#parts) {
        $c->{seq}++;
        push @l, sign($c, join ',',
            '"v":1', '"type":"policy"',
            '"ts":' . jstr(sprintf '2026-11-28T03:57:%02d.000Z', $c->{seq}),
            '"chain":' . jstr($c->{id}), '"seq":' . $c->{seq},
            '"revision":1', '"policy_sha256":' . jstr(sha256_hex($text)),
            '"part":' . ($i + 1), '"parts":' . scalar(@parts),
            '"size":' . ($size // length $text),
            '"data":' . jstr(encode_base64url($parts[$i])),
            '"kid":"k1"', '"prev":' . jstr($c->{head}));
    }
    return @l;
}

my @doc = grep { /^\{"v":1/ } split /\n/, slurp("$REPO/docs/audit-log.md");

my $a = { id => '2be55f037230a12f75a12e05b4b71f84', seq => 0,
    head => '0' x 64, records => 0 };
my $b = { id => 'ffffffffffffffffffffffffffffffff', seq => 0,
    head => '0' x 64, records => 0 };
my @log = (
    consent_line($a),
    consent_line($b, action => 'withdraw', mechanism => 'withdraw',
        ua => "Mozilla\x01\"}\n{", page => "/caf\xc3\xa9"),
    consent_line($a, action => 'update', mechanism => 'api', gpc => 1),
    checkpoint_line($a, 'reopen'),
    consent_line($a, action => 'reject', mechanism => 'reject_all'),
    checkpoint_line($a, 'stop'),
    checkpoint_line($b, 'stop'),
);

for my $l (@doc, @log) {
    seed('record', "\x00$l");
}
seed('record', "\x00" . ($log[0] =~ s/"seq":1/"seq":2/r));
seed('record', "\x00" . ($log[0] =~ s/,"hmac":"[0-9a-f]+"\}$/}/r));
seed('record', "\x00{}");
seed('record', "\x00" . substr($log[1], 0, 200));
seed('record', "\x01Mozilla/5.0\n/news\nnews.example\nes\n203.0.113.0\n"
    . 'ABEiM0RVZneImaq7zN3u_w');
seed('record', "\x7f\xff\xfe\x00\x01\"}\\u0000\n/\x80\x80\n\n\n\n");
seed('record', "\x23" . ("\xf0\x9f\x98\x80" x 200) . "\n" . ("\"" x 1200)
    . "\n" . ("\\" x 300) . "\nxx-" . ("a" x 80) . "\n::1\nbad");

for my $ts ('2026-11-28T03:58:03.198Z', '1970-01-01T00:00:00.000Z',
    '9999-12-31T23:59:59.999Z', '2024-02-29T12:00:00.000Z',
    '2023-02-29T12:00:00.000Z', '2026-11-28T03:58:03Z')
{
    seed('record', "\x80$ts");
}

seed('verify', "\x01" . join("\n", @log) . "\n");
seed('verify', "\x00" . join("\n", @log));
seed('verify', "\x03" . join("\n", @log[3 .. 6]));
seed('verify', "\x05" . join("\n", @log[0, 2, 1, 3, 5, 4, 6]));
seed('verify', "\x09" . join("\n", @log[0 .. 3], "\f" . $log[4], @log[5, 6]));
seed('verify', "\x01" . join("\n", @doc));
seed('verify', "\x01" . join("\n", @log[0, 0, 1]) . "\n\n"
    . substr($log[2], 0, 100));
seed('verify', "\x01" . join("\n", $log[0] =~ s/"gpc":false/"gpc":true/r,
    @log[1 .. 6]));

# logs that store their policy (bit 4: the verifier keeps it): a small
# one, and text that packs into two parts
srand(27560);
my $noise = join '', map { chr(32 + int rand 90) } 1 .. 6000;
for my $text ('{"revision":1}', $noise) {
    my $c = { id => 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee', seq => 0,
        head => '0' x 64, records => 0 };
    my @p = policy_lines($c, $text);
    my @l = (@p, consent_line($c, policy => sha256_hex($text)));
    seed('verify', "\x11" . join("\n", @l) . "\n");
    seed('verify', "\x10" . join("\n", @p[1 .. $#p], $l[-1]) . "\n");
    seed('record', "\x00$p[0]");
}
{
    my $c = { id => 'dddddddddddddddddddddddddddddddd', seq => 0,
        head => '0' x 64, records => 0 };
    seed('verify', "\x11" . join("\n", policy_lines($c, '{"revision":1}', 3),
        consent_line($c, policy => sha256_hex('{"revision":1}'))) . "\n");
}

printf "%-8s %d seeds\n", $_, $n{$_} for sort keys %n;

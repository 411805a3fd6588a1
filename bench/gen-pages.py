#!/usr/bin/env python3
#
# Generates the benchmark's pages: news-like HTML of exactly 2 KB, 50 KB,
# 500 KB and 5 MB with the tracker tags real news sites carry (GA4 gtag,
# Google Tag Manager, Meta pixel, YouTube embeds, ad images), mostly
# text and links, plus a stylesheet and an image.  Deterministic: the
# same bytes on every machine and every Python 3 (its own PRNG, no
# random module, no dates).
#
#   gen-pages.py DIR
#
# Writes DIR/p2k.html, p50k.html, p500k.html, p5m.html, assets/style.css,
# assets/photo.png.

import os
import struct
import sys
import zlib

PAGES = [("p2k.html", 2 * 1024), ("p50k.html", 50 * 1024),
         ("p500k.html", 500 * 1024), ("p5m.html", 5 * 1024 * 1024)]


class Rng:
    """xorshift32: tiny, fixed, reproducible everywhere."""

    def __init__(self, seed):
        self.s = seed & 0xffffffff or 1

    def next(self):
        s = self.s
        s ^= (s << 13) & 0xffffffff
        s ^= s >> 17
        s ^= (s << 5) & 0xffffffff
        self.s = s
        return s

    def below(self, n):
        return self.next() % n

    def pick(self, seq):
        return seq[self.below(len(seq))]


WORDS = """the government minister said on tuesday that new rules for energy
prices would come into force next year after months of talks with unions
and business groups across the region while critics warned that families
in rural areas could face higher bills during winter the opposition
called for an independent review of the plan and a vote in parliament
economists expect inflation to ease slowly as central banks hold rates
steady football club coach players season match goals league final city
council housing transport water school hospital doctors nurses teachers
students university research climate drought rain harvest farmers
exports coffee copper lithium mining port election campaign candidates
polls president congress court judge ruling appeal investigation police
report journalists press freedom festival music film culture museum
history archive interview analysis opinion editorial correspondent
""".split()

SECTIONS = ["politics", "economy", "world", "sport", "culture", "science",
            "opinion", "travel", "technology", "health"]


def sentence(rng):
    n = 8 + rng.below(14)
    w = [rng.pick(WORDS) for _ in range(n)]
    w[0] = w[0].capitalize()
    return " ".join(w) + "."


def link(rng):
    sec = rng.pick(SECTIONS)
    slug = "-".join(rng.pick(WORDS) for _ in range(4))
    text = " ".join(rng.pick(WORDS) for _ in range(2 + rng.below(3)))
    return '<a href="/%s/%d/%s">%s</a>' % (sec, 2000 + rng.below(900), slug,
                                           text)


def paragraph(rng):
    parts = []
    for _ in range(3 + rng.below(4)):
        s = sentence(rng)
        if rng.below(3) == 0:
            s = s[:-1] + ", " + link(rng) + "."
        parts.append(s)
    return "<p>" + " ".join(parts) + "</p>\n"


def head(rng, title, small):
    h = ['<!DOCTYPE html>\n<html lang="en">\n<head>\n',
         '<meta charset="utf-8">\n',
         '<meta name="viewport" content="width=device-width, '
         'initial-scale=1">\n',
         '<title>%s</title>\n' % title,
         '<link rel="stylesheet" href="/assets/style.css">\n',
         '<!-- Google tag (gtag.js) -->\n'
         '<script async src="https://www.googletagmanager.com/gtag/js?'
         'id=G-8XK2Q0LM1P"></script>\n'
         '<script>\n'
         '  window.dataLayer = window.dataLayer || [];\n'
         '  function gtag(){dataLayer.push(arguments);}\n'
         "  gtag('js', new Date());\n"
         "  gtag('config', 'G-8XK2Q0LM1P');\n"
         '</script>\n']
    if not small:
        h.append(
            '<!-- Google Tag Manager -->\n'
            "<script>(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({"
            "'gtm.start':\nnew Date().getTime(),event:'gtm.js'});"
            "var f=d.getElementsByTagName(s)[0],\nj=d.createElement(s),"
            "dl=l!='dataLayer'?'&l='+l:'';j.async=true;j.src=\n"
            "'https://www.googletagmanager.com/gtm.js?id='+i+dl;"
            "f.parentNode.insertBefore(j,f);\n"
            "})(window,document,'script','dataLayer','GTM-W4K7T2S');"
            "</script>\n"
            '<!-- Meta Pixel Code -->\n'
            '<script>\n'
            '!function(f,b,e,v,n,t,s)\n'
            '{if(f.fbq)return;n=f.fbq=function(){n.callMethod?\n'
            'n.callMethod.apply(n,arguments):n.queue.push(arguments)};\n'
            "if(!f._fbq)f._fbq=n;n.push=n;n.loaded=!0;n.version='2.0';\n"
            'n.queue=[];t=b.createElement(e);t.async=!0;\n'
            't.src=v;s=b.getElementsByTagName(e)[0];\n'
            's.parentNode.insertBefore(t,s)}(window, document,\'script\',\n'
            "'https://connect.facebook.net/en_US/fbevents.js');\n"
            "fbq('init', '1234567890123456');\n"
            "fbq('track', 'PageView');\n"
            '</script>\n'
            '<noscript><img height="1" width="1" style="display:none"\n'
            'src="https://www.facebook.com/tr?id=1234567890123456&amp;'
            'ev=PageView&amp;noscript=1"/></noscript>\n'
            '<script src="/assets/site.js" defer></script>\n')
    h.append('</head>\n<body>\n')
    if not small:
        h.append(
            '<!-- Google Tag Manager (noscript) -->\n'
            '<noscript><iframe src="https://www.googletagmanager.com/'
            'ns.html?id=GTM-W4K7T2S"\nheight="0" width="0" '
            'style="display:none;visibility:hidden"></iframe></noscript>\n'
            '<header class="site"><a class="logo" href="/">The Daily '
            'Bench</a>\n<nav><ul>\n' +
            "".join('<li><a href="/%s/">%s</a></li>\n' % (s, s.capitalize())
                    for s in SECTIONS) +
            '</ul></nav></header>\n')
    return "".join(h)


def ad(rng, n):
    return ('<aside class="ad" id="ad-%d">'
            '<a href="https://ad.doubleclick.net/ddm/clk/%d;%d;u">'
            '<img src="https://tpc.googlesyndication.com/simgad/%d" '
            'width="300" height="250" alt="Advertisement"></a>\n'
            '<img src="https://ad.doubleclick.net/ddm/ad/%d;sz=1x1" '
            'width="1" height="1" alt=""></aside>\n'
            % (n, rng.below(10 ** 9), rng.below(10 ** 6), rng.below(10 ** 12),
               rng.below(10 ** 9)))


def youtube(rng):
    vid = "".join(rng.pick("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789_-")
                  for _ in range(11))
    return ('<figure class="video"><iframe width="560" height="315" '
            'src="https://www.youtube.com/embed/%s" title="YouTube video '
            'player" frameborder="0" allow="accelerometer; autoplay; '
            'clipboard-write; encrypted-media; gyroscope; picture-in-picture"'
            ' allowfullscreen></iframe></figure>\n' % vid)


def article(rng, n):
    a = ['<article id="a%d">\n<h2>%s</h2>\n' % (n, sentence(rng)[:-1]),
         '<p class="byline">By <a href="/authors/%s">%s %s</a></p>\n'
         % (rng.pick(WORDS), rng.pick(WORDS).capitalize(),
            rng.pick(WORDS).capitalize()),
         '<figure><img src="/assets/photo.png" width="640" height="360" '
         'alt="%s" loading="lazy"></figure>\n' % sentence(rng)[:-1]]
    for _ in range(3 + rng.below(4)):
        a.append(paragraph(rng))
    a.append('<ul class="related">\n' +
             "".join("<li>%s</li>\n" % link(rng) for _ in range(4)) +
             '</ul>\n</article>\n')
    return "".join(a)


FOOT = ('<footer class="site"><p>&copy; The Daily Bench. '
        '<a href="/privacy">Privacy</a> <a href="/consent/" '
        'data-consent-open>Cookie preferences</a></p></footer>\n'
        '</body>\n</html>\n')


def page(size, seed):
    """A page of exactly size bytes."""
    rng = Rng(seed)
    small = size < 8 * 1024
    top = head(rng, "The Daily Bench: %d KB edition" % (size // 1024), small)
    body = ['<main>\n']
    used = len(top) + len(FOOT) + len('<main>\n</main>\n')
    n = 0
    while True:
        if small:
            # the one ad slot of a small page, then text
            blk = ad(rng, 0) if n == 0 else paragraph(rng)
        else:
            blk = article(rng, n)
            if n % 3 == 1:
                blk += ad(rng, n)
            if n % 8 == 5:
                blk += youtube(rng)
        if used + len(blk) > size:
            break
        body.append(blk)
        used += len(blk)
        n += 1
    # fill the rest exactly with text
    pad = size - used
    if pad > 0:
        fill = []
        while sum(len(x) + 1 for x in fill) < pad:
            fill.append(rng.pick(WORDS))
        text = " ".join(fill)
        if pad >= 8:
            body.append("<p>" + text[:pad - 8] + "</p>\n")
        else:
            body.append((" " * pad))
    body.append('</main>\n')
    html = top + "".join(body) + FOOT
    data = html.encode("ascii")
    assert len(data) == size, (len(data), size)
    return data


def css(rng):
    out = []
    for i in range(400):
        sel = "." + "-".join(rng.pick(WORDS) for _ in range(2))
        out.append("%s { margin: %dpx %dpx; color: #%06x; "
                   "font-size: %d%%; line-height: 1.%d }\n"
                   % (sel, rng.below(40), rng.below(40),
                      rng.below(0x1000000), 80 + rng.below(60), rng.below(9)))
    return "".join(out).encode("ascii")


def png(rng, w, h):
    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)

    rows = bytearray()
    for y in range(h):
        rows.append(0)
        for x in range(w):
            v = rng.next()
            rows += bytes(((x * 2 + (v & 31)) & 255, (y * 2 + (v >> 8 & 31))
                           & 255, ((x + y) + (v >> 16 & 63)) & 255))
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(bytes(rows), 6)) +
            chunk(b"IEND", b""))


def write(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: gen-pages.py DIR\n")
        return 2
    out = sys.argv[1]
    os.makedirs(os.path.join(out, "assets"), exist_ok=True)
    for i, (name, size) in enumerate(PAGES):
        write(os.path.join(out, name), page(size, 0x5eed + i))
    write(os.path.join(out, "assets", "style.css"), css(Rng(7)))
    write(os.path.join(out, "assets", "photo.png"), png(Rng(11), 160, 90))
    return 0


if __name__ == "__main__":
    sys.exit(main())

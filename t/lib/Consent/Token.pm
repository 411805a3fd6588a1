package Consent::Token;

# Mints consent cookies in Perl, independently of the C code, from the
# format in docs/cookie-format.md: the tests use it to make cookies the
# module must accept (or reject) at any issue time or revision.

use strict;
use warnings;

use Exporter 'import';
use Digest::SHA qw(hmac_sha256);
use MIME::Base64 qw(decode_base64 encode_base64);

our @EXPORT_OK = qw(mint b64url secret_from_keyfile_line);

sub b64url {
    my ($bytes) = @_;
    my $s = encode_base64($bytes, '');
    $s =~ tr{+/}{-_};
    $s =~ s/=+$//;
    return $s;
}

# RFC 5869 with SHA-256 and no salt
sub hkdf {
    my ($ikm, $info, $len) = @_;
    my $prk = hmac_sha256($ikm, "\0" x 32);
    my ($t, $okm) = ('', '');
    for (my $i = 1; length($okm) < $len; $i++) {
        $t = hmac_sha256($t . $info . chr($i), $prk);
        $okm .= $t;
    }
    return substr($okm, 0, $len);
}

sub secret_from_keyfile_line {
    my ($line) = @_;
    my (undef, $b64) = split ' ', $line;
    $b64 =~ tr{-_}{+/};
    return decode_base64($b64);
}

# mint(secret => BYTES, kid => 'k1', name => 'consent', issued => T,
#      revision => N, granted => MASK, id => 16 BYTES)
sub mint {
    my (%a) = @_;
    my $key = hkdf($a{secret}, 'ngx_http_consent cookie v1', 32);
    my $name = $a{name} // 'consent';
    my $id = $a{id} // join('', map { chr(int rand 256) } 1 .. 16);
    my $value = join '.', 1, $a{kid} // 'k1', $a{issued} // time(),
        $a{revision} // 1, sprintf('%x', $a{granted} // 0), b64url($id);
    my $mac = hmac_sha256("ngx_http_consent cookie v1\0$name\0$value", $key);
    return "$value." . b64url($mac);
}

1;

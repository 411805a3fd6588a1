package Consent::Test::Response;

# One parsed HTTP response, as returned by Consent::Test->http().
# A plain hash with a few accessors; see the POD in Consent/Test.pm.

use strict;
use warnings;

sub new {
    my ($class, %h) = @_;
    $h{status}      //= 0;
    $h{reason}      //= '';
    $h{headers}     //= {};
    $h{header_list} //= [];
    $h{body}        //= '';
    $h{raw}         //= '';
    $h{chunked}     //= 0;
    return bless {%h}, $class;
}

sub status   { $_[0]{status} }
sub reason   { $_[0]{reason} }
sub body     { $_[0]{body} }
sub raw      { $_[0]{raw} }
sub chunked  { $_[0]{chunked} }
sub error    { $_[0]{error} }
sub protocol { $_[0]{protocol} }

# first value of a header (name is case-insensitive), undef when absent
sub header {
    my ($self, $name) = @_;
    my $v = $self->{headers}{ lc $name };
    return $v ? $v->[0] : undef;
}

# every value of a header, in order; without a name: the hash of all
sub headers {
    my ($self, $name) = @_;
    return $self->{headers} unless defined $name;
    my $v = $self->{headers}{ lc $name };
    return $v ? @$v : ();
}

sub has_header { exists $_[0]{headers}{ lc $_[1] } }

# "STATUS REASON" and the error, for test diagnostics
sub describe {
    my ($self) = @_;
    my $s = "$self->{status} $self->{reason}";
    $s .= " (error: $self->{error})" if defined $self->{error};
    return $s;
}

1;

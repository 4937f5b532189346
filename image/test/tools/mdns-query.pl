#!/usr/bin/perl
# mdns-query.pl NAME [SECONDS]
#
# Asks the link for NAME's IPv4 addresses over multicast DNS, the way a laptop looks up ravebox.local:
# one query to 224.0.0.251:5353 from an ephemeral port (a "legacy unicast" query, RFC 6762 section
# 6.7, which responders answer directly), then prints every A record answered within SECONDS (3) and
# exits 0, or exits 1 when nothing answered. Perl core only: the image has perl-base and no python.
use strict;
use warnings;
use IO::Socket::INET;
use IO::Select;
use Socket qw(inet_aton inet_ntoa pack_sockaddr_in);

my ($name, $seconds) = @ARGV;
die "usage: mdns-query.pl NAME [SECONDS]\n" unless defined $name && length $name;
$seconds //= 3;

my $id = int(rand(0xffff));
my $query = pack('n6', $id, 0, 1, 0, 0, 0);
$query .= pack('C/a*', $_) for split /\./, $name;
$query .= pack('Cnn', 0, 1, 1);    # end of name, type A, class IN

my $socket = IO::Socket::INET->new(Proto => 'udp', LocalAddr => '0.0.0.0') or die "socket: $!\n";
defined send($socket, $query, 0, pack_sockaddr_in(5353, inet_aton('224.0.0.251'))) or die "send: $!\n";

# The offset after the (possibly compressed) name that starts at $offset.
sub skip_name {
    my ($message, $offset) = @_;
    while ($offset < length $message) {
        my $length = ord substr($message, $offset, 1);
        return $offset + 1 if $length == 0;
        return $offset + 2 if ($length & 0xc0) == 0xc0;
        $offset += 1 + $length;
    }
    die "truncated name\n";
}

my %seen;
my $select = IO::Select->new($socket);
my $deadline = time + $seconds;
while ((my $left = $deadline - time) > 0) {
    last unless $select->can_read($left);
    my $message = '';
    defined recv($socket, $message, 9000, 0) or next;
    next if length $message < 12;
    my ($answer_id, $flags, $questions, $answers) = unpack('n4', $message);
    next unless $answer_id == $id && ($flags & 0x8000);
    my $offset = 12;
    $offset = skip_name($message, $offset) + 4 for 1 .. $questions;
    for (1 .. $answers) {
        $offset = skip_name($message, $offset);
        my ($type, $class, $ttl, $length) = unpack('n n N n', substr($message, $offset, 10));
        $offset += 10;
        if ($type == 1 && $length == 4) {
            my $address = inet_ntoa(substr($message, $offset, 4));
            print "$address\n" unless $seen{$address}++;
        }
        $offset += $length;
    }
}
exit(%seen ? 0 : 1);

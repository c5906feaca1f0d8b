#!/usr/bin/perl
# Runs one Test::Nginx file in a server root and on a port of its own, so
# that prove can run several files at once (t/check.mk):
#
#   prove -j2 --exec 'perl t/parallel-exec.pl -I t/lib' -r t
#
# prove calls it with the test file as the last argument; the other
# arguments (-I dir) go to perl.  Only the runner's documented environment
# (the CPAN Test::Nginx's own) is used, so the bundled runner and the CPAN
# one behave the same:
#
#   TEST_NGINX_SERVROOT      $TEST_NGINX_SERVROOT/<file> (default
#                            t/servroot/<file>); <file> is the path under
#                            t/ without .t, "/" made "-":
#                            t/servroot/010-usage-list,
#                            t/servroot/runner-selftest-001-basics
#   TEST_NGINX_SERVER_PORT   $TEST_NGINX_SERVER_PORT (default 1984) + 1 +
#                            the file's place among t/*.t and t/*/*.t, so
#                            no two files of the suite share one
#
# TEST_NGINX_CLIENT_PORT is dropped (it would point every file at one
# port).  $TEST_NGINX_RAND_PORT_<n> ports are random already, and
# TEST_NGINX_CAPTURE_DIR files are named after the test file.

use strict;
use warnings;
use File::Spec;

my $file = pop @ARGV;
die "usage: $0 [-I dir ...] file.t\n" unless defined $file && -f $file;

my $rel = File::Spec->abs2rel(File::Spec->rel2abs($file));
(my $name = $rel) =~ s{^(?:\./)?t/}{};
$name =~ s{\.t$}{};
$name =~ s{[/\\]}{-}g;
$name =~ s{[^\w.-]}{_}g;

my $root = $ENV{TEST_NGINX_SERVROOT} || 't/servroot';
my $base = $ENV{TEST_NGINX_SERVER_PORT} || $ENV{TEST_NGINX_PORT} || 1984;

my @suite = sort(glob('t/*.t'), glob('t/*/*.t'));
my ($index) = grep { $suite[$_] eq $rel } 0 .. $#suite;
if (!defined $index) {    # a file from elsewhere: past the suite's ports
    my $h = 0;
    $h = ($h * 33 + ord) % 1000 for split //, $rel;
    $index = @suite + $h;
}

$ENV{TEST_NGINX_SERVROOT}    = File::Spec->rel2abs("$root/$name");
$ENV{TEST_NGINX_SERVER_PORT} = $base + 1 + $index;
delete $ENV{TEST_NGINX_CLIENT_PORT};
delete $ENV{TEST_NGINX_PORT};

exec $^X, @ARGV, $file or die "$0: cannot run $^X: $!\n";

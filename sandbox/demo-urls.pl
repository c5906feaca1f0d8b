#!/usr/bin/perl
# Prints a curl line for every resource of every demo account that
# nginx.conf.example configures: what `make demo` shows a newcomer.
#
#   perl sandbox/demo-urls.pl nginx.conf.example mappings http://127.0.0.1:8080

use strict;
use warnings;
use JSON::PP ();

my ($conf, $dir, $base) = @ARGV;
$base //= 'http://127.0.0.1:8080';

open my $fh, '<', $conf or die "$conf: $!\n";
my $text = do { local $/; <$fh> };
close $fh;
$text =~ s/#[^\n]*//g;

my $prefix = $text =~ /location\s+(\S+)\s*\{\s*usage_metering\s*;/
             ? $1 : '/unified/usage-metering/';
$prefix =~ s{/?$}{/};

while ($text =~ /usage_metering_account\s+(\S+)\s+([^;]*);/g) {
    my ($id, $args) = ($1, $2);
    my ($slug) = $args =~ /provider=(\S+)/ or next;
    my $file = "$dir/$slug.json";
    open my $m, '<', $file or next;
    my $map = eval { JSON::PP->new->decode(do { local $/; <$m> }) } or next;
    close $m;

    print "  # $slug\n";
    for my $res (qw(organizations workspaces products usage users)) {
        next unless $map->{resources}{$res}{list};
        print "  curl '$base$prefix$res?integrated_account_id=$id'\n";
    }
    print "\n";
}

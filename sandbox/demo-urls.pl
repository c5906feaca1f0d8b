#!/usr/bin/perl
# Prints a curl line for every resource of every demo account that
# nginx.conf.example configures: what `make demo` shows a newcomer.  A
# resource's list comes first, then its get by id, with an id the sandbox
# has (t/demo-check.pl requests every line printed here).
#
#   perl sandbox/demo-urls.pl nginx.conf.example mappings http://127.0.0.1:8080

use strict;
use warnings;
use JSON::PP ();

# an id of each get the sandbox data can answer, by provider and resource
my %demo_id = (
    confluent => {
        organizations => '9bb441c4-edef-46ac-8a41-c49e44a3fd9a',
        workspaces    => 'env-a1b2c',
        users         => 'u-1a2b3c',
    },
    datadog => {
        organizations => 'xyz789child',
    },
    neon => {
        organizations => 'org-ocean-art-12345678',
        workspaces    => 'quiet-snow-71788278',
        users         => 'd57833f2-d308-4ede-9d2e-468d9d013d1b',
    },
    openai => {
        workspaces => 'proj_Ab12Cd34Ef56Gh78Ij90Kl12',
        users      => 'user-4xQk1V2nT9bL0sD3fG7hJ8mP',
    },
    anthropic => {
        workspaces => 'wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ',
        users      => 'user_01WCz1FkmYMm4gnmykNKUu3Q',
    },
);

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
        my $r = $map->{resources}{$res} or next;
        if ($r->{list}) {
            print "  curl '$base$prefix$res?integrated_account_id=$id'\n";
        }
        if ($r->{get}) {
            # a get the sandbox has no id for shows as <id> (and fails
            # t/demo-check.pl)
            my $rid = $demo_id{$slug}{$res} // '<id>';
            print "  curl '$base$prefix$res/$rid?integrated_account_id=$id'\n";
        }
    }
    print "\n";
}

#!/usr/bin/perl
# Checks that the running demo (`make demo`) answers every resource of every
# provider: each curl line sandbox/demo-urls.pl prints for nginx.conf.example
# (lists and gets) must answer 200 with JSON of the right shape:
#
#   list: {"result":[...] (not empty, objects with a string id),
#          "next_cursor": null or a string, "result_count": N = the rows};
#         a next_cursor, sent back, must answer a list too
#   get:  an object whose string id is the id asked for
#
#   perl t/demo-check.pl [base URL]     (default http://127.0.0.1:8080)
#
# Prints one TAP line per URL; the exit status is the number of failures
# (0: all good).  Needs only core Perl (HTTP::Tiny, JSON::PP).

use strict;
use warnings;
use FindBin ();
use HTTP::Tiny ();
use JSON::PP ();

my $base = shift // 'http://127.0.0.1:8080';
$base =~ s{/+$}{};
my $repo = "$FindBin::Bin/..";

open my $urls, '-|', $^X, "$repo/sandbox/demo-urls.pl",
    "$repo/nginx.conf.example", "$repo/mappings", $base
    or die "sandbox/demo-urls.pl: $!\n";
my @urls = map { /curl '([^']+)'/ ? $1 : () } <$urls>;
close $urls or die "sandbox/demo-urls.pl failed\n";

die "sandbox/demo-urls.pl printed no URL\n" unless @urls;

my $http = HTTP::Tiny->new(timeout => 20);
my $json = JSON::PP->new;
my ($n, $failed) = (0, 0);

sub fetch {
    my ($url) = @_;
    my $res = $http->get($url);
    return (undef, "status $res->{status}: "
                   . substr($res->{content} // '', 0, 300))
        unless $res->{status} == 200;
    return (undef, 'content type ' . ($res->{headers}{'content-type'} // '-'))
        unless ($res->{headers}{'content-type'} // '') =~ m{^application/json};
    my $body = eval { $json->decode($res->{content}) };
    return (undef, "not JSON: $@") unless defined $body;
    return ($body, undef);
}

# the problem with a list answer, or undef
sub bad_list {
    my ($body, $non_empty) = @_;
    return 'not an object' unless ref $body eq 'HASH';
    return 'no result array' unless ref $body->{result} eq 'ARRAY';
    return 'empty result' if $non_empty && !@{$body->{result}};
    return 'no result_count' unless defined $body->{result_count};
    return "result_count $body->{result_count} for "
           . scalar(@{$body->{result}}) . ' rows'
        unless $body->{result_count} == @{$body->{result}};
    return 'no next_cursor' unless exists $body->{next_cursor};
    return 'next_cursor is neither null nor a string'
        if defined $body->{next_cursor} && ref $body->{next_cursor};
    for my $row (@{$body->{result}}) {
        return 'a row without a string id'
            unless ref $row eq 'HASH' && defined $row->{id}
                   && !ref $row->{id} && length $row->{id};
    }
    return undef;
}

sub check {
    my ($url, $problem) = @_;
    $n++;
    if (defined $problem) {
        $failed++;
        print "not ok $n - $url: $problem\n";
    } else {
        print "ok $n - $url\n";
    }
}

for my $url (@urls) {
    my ($path) = $url =~ m{^\Q$base\E([^?]*)};
    my ($resource, $id) = $path =~ m{/([^/]+)(?:/([^/]+))?$};

    if (defined $id && $id eq '<id>') {
        check($url, 'the sandbox has no id for this get (sandbox/demo-urls.pl)');
        next;
    }

    my ($body, $err) = fetch($url);
    if ($err) {
        check($url, $err);
        next;
    }

    # a get: /{resource}/{id} under the prefix, so the segment before the
    # id is a resource name
    if (defined $id
        && $resource =~ /^(organizations|workspaces|products|usage|users)$/)
    {
        (my $want = $id) =~ s/%([0-9A-Fa-f]{2})/chr hex $1/ge;
        check($url, ref $body ne 'HASH' ? 'not an object'
                  : !defined $body->{id} || ref $body->{id} ? 'no string id'
                  : $body->{id} ne $want ? "id $body->{id}, not $want"
                  : undef);
        next;
    }

    my $problem = bad_list($body, 1);
    check($url, $problem);
    next if $problem || !defined $body->{next_cursor};

    # the next page, once
    my $next = "$url&next_cursor=$body->{next_cursor}";
    ($body, $err) = fetch($next);
    check("$url (next page)", $err // bad_list($body, 0));
}

print "1..$n\n";
print $failed ? "# $failed of $n failed\n" : "# all $n answered\n";
exit($failed > 254 ? 254 : $failed);

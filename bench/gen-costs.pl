#!/usr/bin/perl
# Deterministic Confluent "GET /billing/v1/costs" pages for the benchmark.
#
#   gen-costs.pl --rows N [--seed S] [--page P] [--next URL] > page.json
#   gen-costs.pl --rows N --pages K --dir DIR [--seed S]   # a paginated set
#
# The rows look like the real API's (minified, as Confluent sends them):
# a mix of products and line types, amounts with up to 6 decimals printed
# the way Confluent prints floats (24.0, not 24, so "54.0 -> 54" is
# exercised), and the irregular rows a mapping must handle: credits without
# a resource, resources without an environment or a display name, lines
# without discount_amount, names that need JSON escaping.  The PRNG is our
# own LCG, so a seed gives the same bytes on any perl.
#
# A paginated set writes DIR/costs-1.json .. DIR/costs-K.json, each page's
# metadata.next pointing at the next one (page_token=P+1), the last null.
use strict;
use warnings;
use Getopt::Long;

my ($rows, $seed, $page, $next, $pages, $dir) = (20, 1, 1, undef, 0, undef);
GetOptions('rows=i' => \$rows, 'seed=i' => \$seed, 'page=i' => \$page,
           'next=s' => \$next, 'pages=i' => \$pages, 'dir=s' => \$dir)
    or die "usage: $0 --rows N [--seed S] [--page P] [--next URL]"
         . " | --rows N --pages K --dir DIR\n";

# 32-bit LCG (Numerical Recipes' constants), our own so the output never
# depends on the perl build; the products stay below 2**53, exact in an IV
# or an NV alike
my $state;
sub rnd {                      # [0,1)
    $state = ($state * 1664525 + 1013904223) % 4294967296;
    return $state / 4294967296;
}
sub pick { my $a = shift; return $a->[int(rnd() * @$a)] }
sub chance { return rnd() < shift }

# Confluent prints floats with at least one decimal ("24.0"); keep at most
# 6 decimals so that every peer's encoder (lua-cjson: 14 significant
# digits) round-trips the value exactly
sub num {
    my $s = sprintf('%.6f', shift);
    $s =~ s/0+$//;
    $s =~ s/\.$/.0/;
    $s = '0.0' if $s eq '-0.0';
    return $s;
}

sub jstr {                     # JSON string literal
    my $s = shift;
    $s =~ s/(["\\])/\\$1/g;
    return qq("$s");
}

# product => [ [line_type, unit, price, typical quantity], ... ]
my %lines = (
    KAFKA => [
        ['KAFKA_NUM_CKUS',      'CKU-hour',       2.25,     24],
        ['KAFKA_BASE',          'Hour',           1.5,      24],
        ['KAFKA_PARTITION',     'Partition-hour', 0.0015,   2400],
        ['KAFKA_STORAGE',       'GB-hour',        0.0001,   18250],
        ['KAFKA_NETWORK_READ',  'GB',             0.05,     950],
        ['KAFKA_NETWORK_WRITE', 'GB',             0.05,     420],
    ],
    CONNECT => [
        ['CONNECT_CAPACITY',    'Task-hour',      0.17,     48],
        ['CONNECT_NUM_TASKS',   'Task-hour',      0.034,    96],
        ['CONNECT_THROUGHPUT',  'GB',             0.025,    99.9],
    ],
    KSQL => [
        ['KSQL_NUM_CSU',        'CSU-hour',       0.23,     96],
    ],
    FLINK => [
        ['FLINK_NUM_CFU',       'CFU-minute',     0.0035,   8640],
    ],
    STREAM_GOVERNANCE => [
        ['GOVERNANCE_BASE',     'Hour',           0.0274,   24],
        ['SCHEMA_REGISTRY',     'Schema-hour',    0.0014,   3600],
    ],
    CLUSTER_LINK => [
        ['CLUSTER_LINKING_PER_LINK', 'Link-hour', 0.14,     24],
        ['CLUSTER_LINKING_READ',     'GB',        0.04,     310],
    ],
    AUDIT_LOG => [
        ['AUDIT_LOG_READ',      'GB',             0.1,      3.2],
    ],
);
my @products = sort keys %lines;
my %prefix = (KAFKA => 'lkc', CONNECT => 'lcc', KSQL => 'lksqlc',
              FLINK => 'lfcp', STREAM_GOVERNANCE => 'lsrc',
              CLUSTER_LINK => 'cl', AUDIT_LOG => 'lkc');
my @envs = map { sprintf 'env-%05x', $_ * 7919 } 1 .. 12;
my @names = ('prod-kafka-cluster', 'staging-kafka', 'orders-eu-west-1',
             'payments-us-east-2', 'analytics/clickstream', 'bq-sink',
             's3-sink-archive', 'ksql-fraud-scoring', 'flink-pool-main',
             'schema-registry', 'team "blue" sandbox', "caf\x{e9}-events",
             'link-dr-replica', 'audit-log-reader');
my @regions = ('us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1',
               'ap-southeast-2');
my @clouds = ('aws', 'gcp', 'azure');
binmode STDOUT, ':utf8';

sub row {
    my ($n, $p) = @_;
    my $day  = 1 + int(rnd() * 31);
    my $date = sprintf '2024-03-%02d', $day;
    my $end  = $day == 31 ? '2024-04-01' : sprintf '2024-03-%02d', $day + 1;
    my $id   = sprintf 'dlz-%x%06x', $p, $n;
    my @f = ('"api_version":"billing/v1"', '"kind":"Cost"',
             '"id":' . jstr($id), '"start_date":"' . $date . '"',
             '"end_date":"' . $end . '"', '"granularity":"DAILY"');

    if (chance(0.04)) {        # support plans and credits: no resource
        my $credit = chance(0.5);
        my $amt = $credit ? -(10 * (1 + int(rnd() * 50))) : 29 + int(rnd() * 1000);
        push @f, '"product":"SUPPORT_CLOUD_BUSINESS"',
                 '"line_type":"' . ($credit ? 'PROMO_CREDIT' : 'SUPPORT') . '"';
        push @f, '"description":' . jstr('KAFKA' . (100 + int(rnd() * 900)))
            if $credit;
        push @f, '"price":0.0', '"unit":"USD"', '"quantity":1.0',
                 '"original_amount":' . num($amt), '"discount_amount":0.0',
                 '"amount":' . num($amt);
        return '{' . join(',', @f) . '}';
    }

    my $product = pick(\@products);
    my ($lt, $unit, $price, $q) = @{ pick($lines{$product}) };
    my $qty  = $q * (0.2 + rnd() * 1.6);
    $qty = int($qty) if $unit =~ /hour|minute/ && chance(0.7);
    my $orig = $price * $qty;
    my $disc = chance(0.35) ? $orig * pick([0.05, 0.1, 0.15, 0.2]) : 0;
    # round the way a billing system does before printing
    ($qty, $orig, $disc) = map { sprintf('%.6f', $_) + 0 } $qty, $orig, $disc;
    my $amt  = sprintf('%.6f', $orig - $disc) + 0;

    push @f, '"network_access_type":"' . pick(['INTERNET', 'PRIVATE_LINK',
                                                'PEERED_VPC']) . '"'
        if $product eq 'KAFKA' || chance(0.6);
    push @f, '"product":"' . $product . '"', '"line_type":"' . $lt . '"',
             '"price":' . num($price), '"unit":"' . $unit . '"',
             '"quantity":' . num($qty), '"original_amount":' . num($orig);
    push @f, '"discount_amount":' . num($disc) unless chance(0.03);
    push @f, '"amount":' . num($amt);
    push @f, '"tier_dimensions":{"provider":"' . pick(\@clouds)
             . '","region":"' . pick(\@regions) . '"'
             . ($product eq 'CONNECT' ? ',"connector_type":"'
                 . pick(['BigQuerySink', 'S3_SINK', 'PostgresCdcSource']) . '"'
               : '') . '}'
        if chance(0.75);

    # the resource, sometimes without a name or an environment
    my @r = ('"id":"' . sprintf('%s-%05x', $prefix{$product},
                                int(rnd() * 0xfffff)) . '"');
    push @r, '"display_name":' . jstr(pick(\@names)) unless chance(0.02);
    push @r, '"environment":{"id":"' . pick(\@envs) . '"}' unless chance(0.03);
    push @f, '"resource":{' . join(',', @r) . '}';
    return '{' . join(',', @f) . '}';
}

sub page {
    my ($p, $n, $nxt) = @_;
    $state = ($seed * 1000003 + $p * 7919) % 4294967296;   # per-page stream
    rnd() for 1 .. 3;          # let nearby seeds diverge
    my $meta = defined $nxt ? '{"next":' . jstr($nxt) . '}' : '{"next":null}';
    return '{"api_version":"billing/v1","kind":"CostList","metadata":' . $meta
         . ',"data":[' . join(',', map { row($_, $p) } 1 .. $n) . "]}\n";
}

if ($pages) {
    die "--dir is required with --pages\n" unless $dir;
    for my $p (1 .. $pages) {
        my $nxt = $p < $pages
            ? 'https://api.confluent.cloud/billing/v1/costs?end_date=2024-04-01'
              . "&page_size=$rows&page_token=" . ($p + 1) . '&start_date=2024-03-01'
            : undef;
        open my $fh, '>:utf8', "$dir/costs-$p.json" or die "$dir/costs-$p.json: $!";
        print $fh page($p, $rows, $nxt);
        close $fh or die $!;
    }
} else {
    print page($page, $rows, $next);
}

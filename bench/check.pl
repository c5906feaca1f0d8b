#!/usr/bin/perl
# Correctness guard of make bench: every contender must answer the same
# unified JSON for the same provider page, or the req/s are not comparable.
#
#   check.pl PROVIDER_PAGE NAME=ANSWER_FILE ...
#
# The expected answer is computed here from the provider page (a fourth,
# independent implementation of the Confluent usage mapping, so that a
# mismatch names the contender that is wrong rather than "they differ").
# Both sides are parsed and compared as data: object key order, number
# spelling (54.0 = 54) and string escapes do not matter, so remote_data
# re-encoded by cjson or JSON.stringify equals the provider's bytes.  A
# number that differs only in its last bit is reported, not failed (njs).
# Prints one line per contender, the first differing path on a mismatch,
# and exits 1 if any differs.
use strict;
use warnings;
use B;

my $JSON = eval { require Cpanel::JSON::XS; 'Cpanel::JSON::XS' }
        || do { require JSON::PP; 'JSON::PP' };
my $codec = $JSON->new->utf8;

sub slurp {
    my $f = shift;
    open my $fh, '<:raw', $f or die "$f: $!\n";
    local $/;
    return scalar <$fh>;
}

# the mapping (mappings/confluent.json, resources.usage.list.row)
sub iso {
    my $d = shift;
    return defined $d && !ref $d && $d =~ /^\d{4}-\d\d-\d\d$/
        ? "${d}T00:00:00.000Z" : undef;
}

sub row {
    my $c = shift;
    my %row;
    my $set = sub { $row{$_[0]} = $_[1] if defined $_[1] };

    $set->(id => $c->{id});
    $set->(product => { id => $c->{product} }) if defined $c->{product};
    $set->(metric_name => $c->{line_type});

    if (ref $c->{resource} eq 'HASH') {
        my $r = $c->{resource};
        my %res;
        $res{id}   = $r->{id}           if defined $r->{id};
        $res{name} = $r->{display_name} if defined $r->{display_name};
        $res{workspace} = { id => $r->{environment}{id} }
            if ref $r->{environment} eq 'HASH'
               && defined $r->{environment}{id};
        $row{resources} = [ \%res ] if %res;
    }

    my @charges;
    for ([amount => 'total'], [original_amount => 'usage_based'],
         [discount_amount => 'discount']) {
        my ($k, $type) = @$_;
        push @charges, { amount => $c->{$k}, currency => 'USD', type => $type }
            if defined $c->{$k};
    }
    $row{charges} = \@charges if @charges;

    my %usage;
    $usage{quantity} = $c->{quantity} if defined $c->{quantity};
    $usage{unit}     = $c->{unit}     if defined $c->{unit};
    $row{usage} = \%usage if %usage;

    $set->(start_date => iso($c->{start_date}));
    $set->(end_date   => iso($c->{end_date}));
    $row{remote_data} = $c;
    return \%row;
}

my ($ulp_off, $ulp_first);

# deep compare; returns undef if equal, else "path: got ..., expected ..."
sub kind {
    my $v = shift;
    return 'null' unless defined $v;
    my $r = ref $v;
    return 'object' if $r eq 'HASH';
    return 'array'  if $r eq 'ARRAY';
    return 'bool'   if $r;
    my $f = B::svref_2object(\$v)->FLAGS;
    return ($f & (B::SVp_IOK | B::SVp_NOK)) && !($f & B::SVp_POK)
        ? 'number' : 'string';
}

sub show {
    my $v = shift;
    my $s = eval { $codec->canonical->allow_nonref->encode($v) } // "$v";
    return length $s > 120 ? substr($s, 0, 117) . '...' : $s;
}

sub diff {
    my ($got, $exp, $path) = @_;
    my ($kg, $ke) = (kind($got), kind($exp));
    return "$path: got $kg " . show($got) . ", expected $ke " . show($exp)
        if $kg ne $ke;
    if ($kg eq 'object') {
        for my $k (sort keys %$exp) {
            return "$path.$k: missing, expected " . show($exp->{$k})
                unless exists $got->{$k};
        }
        for my $k (sort keys %$got) {
            return "$path.$k: unexpected " . show($got->{$k})
                unless exists $exp->{$k};
            my $d = diff($got->{$k}, $exp->{$k}, "$path.$k");
            return $d if defined $d;
        }
        return undef;
    }
    if ($kg eq 'array') {
        for my $i (0 .. ($#$got < $#$exp ? $#$got : $#$exp)) {
            my $d = diff($got->[$i], $exp->[$i], "$path\[$i]");
            return $d if defined $d;
        }
        return @$got == @$exp ? undef
            : "$path: " . @$got . " elements, expected " . @$exp;
    }
    if ($kg eq 'number') {       # same decimal text -> same double
        return undef if $got == $exp;
        # njs 0.7's JSON.parse is not correctly rounded (1.380162 becomes
        # 1.3801619999999999): a last-bit difference is not different work,
        # count it and say so rather than fail
        if (abs($got - $exp) <= 4e-16 * abs($exp)) {
            $ulp_off++;
            $ulp_first //= sprintf "%s: %.17g", $path, $got;
            return undef;
        }
        return "$path: got $got, expected $exp";
    }
    if ($kg eq 'bool') {
        return !!$got == !!$exp ? undef : "$path: got $got, expected $exp";
    }
    return undef if $kg eq 'null' || $got eq $exp;
    return "$path: got " . show($got) . ", expected " . show($exp);
}

die "usage: $0 PROVIDER_PAGE NAME=FILE ...\n" unless @ARGV >= 2;
my $page = $codec->decode(slurp(shift @ARGV));
my @rows = map { row($_) } @{ $page->{data} };
my $expected = { result => \@rows, next_cursor => undef,
                 result_count => scalar @rows };

my $bad = 0;
for my $arg (@ARGV) {
    my ($name, $file) = split /=/, $arg, 2;
    ($ulp_off, $ulp_first) = (0, undef);
    my $got = eval { $codec->decode(slurp($file)) };
    my $d = $@ ? "not JSON: " . (split /\n/, $@)[0]
                : diff($got, $expected, '$');
    if (defined $d) {
        printf "  MISMATCH %-7s %s\n", $name, $d;
        $bad++;
    } else {
        printf "  ok       %-7s %d rows, same JSON as the reference mapping%s\n",
               $name, scalar @rows,
               $ulp_off ? " ($ulp_off numbers off in the last bit, first"
                          . " $ulp_first)" : '';
    }
}
exit($bad ? 1 : 0);

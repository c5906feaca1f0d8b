#!/usr/bin/perl
# No configured secret ever reaches a client or the error log.
#
#   TEST_NGINX_CAPTURE_DIR=build/capture prove -I t/lib t/*.t
#   perl t/check-secrets.pl build/capture t/*.t
#
# The runner (t/lib/Test/Nginx) appends, with TEST_NGINX_CAPTURE_DIR set,
# every response (headers and de-chunked body), every error.log line, every
# nginx.conf it wrote and every user file to <dir>/<test file>.responses,
# .error_log, .conf and .files.  This script collects the secret values
# of those configurations (as nginx read them, whatever the .t file did
# to make them):
#   - usage_metering_account parameters read from a file (name=file:path)
#     or whose name says they are credentials (key, secret, token,
#     password, auth, credential), as the module treats them (README,
#     "Secrets");
#   - usage_metering_api_key values (plain or file:, not sha256: digests),
#     and the keys the .t files send (Authorization: Bearer ...);
#   - usage_metering_cursor_secret values;
# and fails if any of them (as is, JSON-escaped or percent-encoded) occurs
# in any captured response or in an error.log entry above the debug level
# (nginx's own debug log prints the headers it proxies: README, "Secrets").
# The body of a truto_response_format=raw answer is the provider's own,
# unchanged, and is not looked at: tests whose mock provider echoes the
# credentials it received show them that way.
# Values shorter than 8 bytes are not looked for (they would match
# ordinary text); the script says how many there were.

use strict;
use warnings;

my ($dir, @tfiles) = @ARGV;
die "usage: $0 capture-dir t/*.t\n" unless $dir && @tfiles;
die "$0: no capture directory $dir\n" unless -d $dir;

my $CRED = qr/key|secret|token|password|auth|credential/i;
my $MIN = 8;

my (%secrets, $short);    # value => where it is configured

sub slurp {
    my ($f) = @_;
    open my $in, '<', $f or die "$0: $f: $!\n";
    binmode $in;
    local $/;
    my $text = <$in>;
    close $in;
    return $text;
}

sub add {
    my ($v, $where) = @_;
    return unless defined $v && length $v;
    if (length $v < $MIN) {
        $short++;
        return;
    }
    $secrets{$v} //= $where;
}

# a file: value is the file's content, one trailing newline dropped, as
# the module reads it

sub file_value {
    my ($files, $path) = @_;
    $path =~ s/^"(.*)"$/$1/;
    my $v = $files->{$path};
    $v =~ s/\n\z// if defined $v;
    return $v;
}

for my $conf (sort glob "$dir/*.conf") {
    (my $base = $conf) =~ s/\.conf$//;
    my %files;
    if (-f "$base.files") {
        my $text = slurp("$base.files");
        while ($text =~ /^>>> (.+?)\n(.*?)\n<<< \1\n/msg) {
            $files{$1} = $2;
        }
    }

    my $text = slurp($conf);
    (my $t = $base) =~ s{.*/}{t/};

    while ($text =~ /\busage_metering_account\s+(\S+)([^;]*);/g) {
        my ($id, $params) = ($1, $2);
        for my $p (split ' ', $params) {
            my ($name, $v) = $p =~ /^([^=]+)=(.*)$/ or next;
            next if $name eq 'provider' || $name eq 'upstream';
            if ($v =~ /^file:(.+)$/) {
                add(file_value(\%files, $1), "$t: account $id $name (file)");
            } elsif ($name =~ $CRED) {
                add($v, "$t: account $id $name");
            }
        }
    }

    while ($text =~ /\busage_metering_(api_key|cursor_secret)\s+([^;\s]+)/g) {
        my ($what, $v) = ($1, $2);
        next if $v =~ /^sha256:/;
        if ($v =~ /^file:(.+)$/) {
            add(file_value(\%files, $1), "$t: $what (file)");
        } else {
            add($v, "$t: $what");
        }
    }
}

for my $t (@tfiles) {
    my $text = slurp($t);
    while ($text =~ /Authorization:\s*Bearer\s+([^\s"'\\]+)/gi) {
        add($1, "$t: a client's API key");
    }
}

die "$0: no secret configured in @tfiles: nothing would be checked\n"
    unless %secrets;

if ($ENV{CHECK_SECRETS_VERBOSE}) {
    print "looking for: ", substr($_, 0, 4), "... ($secrets{$_})\n"
        for sort keys %secrets;
}

# the forms a value could take in a response or a log line

my %forms;
for my $v (keys %secrets) {
    (my $json = $v) =~ s/(["\\\/])/\\$1/g;
    (my $pct = $v) =~ s/([^A-Za-z0-9_.~-])/sprintf '%%%02X', ord $1/ge;
    (my $lpct = $pct) =~ s/(%[0-9A-F]{2})/lc $1/ge;
    $forms{$_} = $v for $v, $json, $pct, $lpct;
}

my $re = join '|', map { quotemeta } sort { length $b <=> length $a }
                                     keys %forms;
$re = qr/($re)/;

my ($files, $found) = (0, 0);

for my $f (sort glob "$dir/*.responses $dir/*.error_log") {
    $files++;
    open my $in, '<', $f or die "$0: $f: $!\n";
    my ($block, $level, $raw, $body) = ('', '', 0, 0);
    while (my $line = <$in>) {
        if ($f =~ /\.responses$/) {
            if ($line =~ /^=== (.*)/) {
                ($block, $raw, $body) = ($1, 0, 0);
                next;
            }
            if ($line =~ /^>>> (.*)/) {
                $raw = $1 =~ /[?&]truto_response_format=raw\b/;
                next;
            }
            $body = 1 if $line =~ /^\r?$/;
            # truto_response_format=raw answers the provider's own body,
            # unchanged: what a (mock) provider echoes is not the module's
            # doing; the headers of such an answer are still checked
            next if $raw && $body;
        } elsif ($line =~ m{^\d{4}/\d\d/\d\d [\d:]{8} \[(\w+)\]}) {
            $level = $1;    # continuation lines keep their entry's level
        }
        next if $f =~ /\.error_log$/ && $level eq 'debug';
        while ($line =~ /$re/g) {
            my $v = $forms{$1};
            my $shown = substr($v, 0, 4) . '...(' . length($v) . ' bytes)';
            chomp(my $ctx = $line);
            $ctx = substr($ctx, 0, 200);
            print "SECRET $shown of $secrets{$v}\n  in $f line $.",
                  ($block ? " ($block)" : ''), ":\n  $ctx\n";
            $found++;
        }
    }
    close $in;
}

die "$0: nothing captured in $dir (run the suite with "
    . "TEST_NGINX_CAPTURE_DIR=$dir)\n" unless $files;

printf "%d secret values (%d shorter than %d bytes not looked for), "
     . "%d capture files: %s\n", scalar keys %secrets, $short // 0, $MIN,
       $files, $found ? "$found occurrences" : 'none found';

exit($found ? 1 : 0);

#!/bin/sh
# Compare blob.Dir.Put with openssl dgst -sha256 on the same 1 GiB file
# (issue 5, point 11: an upload at 70% or more of openssl's speed).
#
# Prints, best of N rounds each:
#   openssl dgst -sha256          read + hash (the reference)
#   go sha256                     the same work in Go (SHA-NI on amd64)
#   go blob.Put                   read + hash + write + fsync + rename: a durable upload
#   dd conv=fdatasync             the disk's own durable write speed, the ceiling for Put
#
# Usage: bench/upload/compare.sh [rounds]   (default 3)
# BENCH_DIR picks the disk for the file and the stores (default: the repository's
# disk, where paraph-data would live, not a tmpfs).
set -eu
rounds=${1:-3}
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=${BENCH_DIR:-$root}
tmp=$(mktemp -d "$dir/.upload-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
file=$tmp/1g.bin

head -c 1G /dev/urandom >"$file"
size=$(stat -c %s "$file")

mbs() { awk -v s="$size" -v t="$1" 'BEGIN { printf "%8.0f", s / t / 1e6 }'; }
now() { date +%s.%N; }

# Warm the page cache so every contender reads from memory alike.
cat "$file" >/dev/null

best=
for _ in $(seq "$rounds"); do
	t0=$(now)
	sum=$(openssl dgst -sha256 -r "$file" | cut -d' ' -f1)
	t=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { print b - a }')
	best=$(awk -v a="${best:-$t}" -v b="$t" 'BEGIN { print (b < a) ? b : a }')
done
ossl=$(mbs "$best")

best=
for _ in $(seq "$rounds"); do
	t0=$(now)
	dd if="$file" of="$tmp/dd.out" bs=1M conv=fdatasync status=none
	t=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { print b - a }')
	rm -f "$tmp/dd.out"
	best=$(awk -v a="${best:-$t}" -v b="$t" 'BEGIN { print (b < a) ? b : a }')
done
disk=$(mbs "$best")

(cd "$root" && go run ./bench/upload -file "$file" -dir "$tmp" -n "$rounds") >"$tmp/go.txt"

echo "1 GiB file, best of $rounds, $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
printf '%-34s %s MB/s  %s\n' "openssl dgst -sha256 (read+hash)" "$ossl" "$sum"
cat "$tmp/go.txt"
printf '%-34s %s MB/s\n' "dd conv=fdatasync (disk ceiling)" "$disk"
echo
awk -v o="$ossl" '
	/^go sha256/   { printf "go sha256 / openssl:   %3.0f%%\n", 100 * $(NF-2) / o }
	/^go blob.Put/ { printf "blob.Put / openssl:    %3.0f%%  (target >= 70%%)\n", 100 * $(NF-2) / o }
' "$tmp/go.txt"

#!/bin/sh
# Compare paraph/gost with OpenSSL's GOST engine on this machine:
# Streebog-256 throughput (8 KiB blocks) and GOST R 34.10-2012 sign/verify
# per second for 256-bit (tc26 A, CryptoPro A) and 512-bit (tc26 A) keys.
#
# Usage: bench/gost/compare.sh [seconds-per-measurement]   (default 2)
# Needs: go, openssl with libengine-gost-openssl, a C compiler and the
# OpenSSL headers (libssl-dev) for the sign/verify program.
set -eu
secs=${1:-2}
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== Go (paraph/gost)"
(cd "$root" && go test ./gost/ -run '^$' -bench 'Streebog256|Sign|Verify' -benchtime "${secs}s") | tee "$tmp/go.txt"

echo
echo "== OpenSSL GOST: Streebog-256"
# OpenSSL 3's speed -evp cannot fetch digests that only an engine provides,
# so the same code is loaded as the gost provider when the engine way fails.
if ! openssl speed -engine gost -seconds "$secs" -bytes 8192 -evp md_gost12_256 >"$tmp/md.txt" 2>/dev/null; then
	openssl speed -provider default -provider gostprov -seconds "$secs" -bytes 8192 -evp md_gost12_256 >"$tmp/md.txt" 2>/dev/null
fi
tail -2 "$tmp/md.txt"

echo
echo "== OpenSSL GOST: sign/verify (bench/gost/ossl_bench.c; openssl speed has no GOST signatures)"
cc -O2 -o "$tmp/ossl_bench" "$root/bench/gost/ossl_bench.c" -lcrypto
"$tmp/ossl_bench" "$secs" | tee "$tmp/ossl.txt"

echo
echo "== Side by side (ratio = OpenSSL speed / Go speed; target <= 3)"
go_mbs=$(awk '/^BenchmarkStreebog256-/ {for (i = 1; i <= NF; i++) if ($(i+1) == "MB/s") print $i}' "$tmp/go.txt")
ossl_mbs=$(awk '/^md_gost12_256/ {v = $2; sub("k", "", v); printf "%.2f", v / 1000}' "$tmp/md.txt")
printf '%-28s %14s %14s %8s\n' "operation" "Go" "OpenSSL" "ratio"
printf '%-28s %11s MB/s %9s MB/s %8.2f\n' "Streebog-256 (8 KiB)" "$go_mbs" "$ossl_mbs" "$(echo "$ossl_mbs $go_mbs" | awk '{print $1 / $2}')"
row() { # name, go benchmark, openssl label
	go_ns=$(awk -v b="^Benchmark$2-" '$1 ~ b {print $3}' "$tmp/go.txt")
	ossl_ops=$(awk -v l="$3" 'index($0, l) == 1 {print $(NF-3)}' "$tmp/ossl.txt")
	echo "$1 $go_ns $ossl_ops" | awk '{go = 1e9 / $2; printf "%-28s %10.0f op/s %10.0f op/s %8.2f\n", $1, go, $3, $3 / go}'
}
row "sign-256-tc26A" Sign256TC26A "openssl gost2012_256 TCA sign"
row "verify-256-tc26A" Verify256TC26A "openssl gost2012_256 TCA verify"
row "sign-256-CryptoProA" Sign256CryptoProA "openssl gost2012_256 A sign"
row "verify-256-CryptoProA" Verify256CryptoProA "openssl gost2012_256 A verify"
row "sign-512-tc26A" Sign512TC26A "openssl gost2012_512 A sign"
row "verify-512-tc26A" Verify512TC26A "openssl gost2012_512 A verify"

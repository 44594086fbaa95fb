#!/bin/sh
# Upload a 1 GiB file through the API of a real `paraph serve` process and
# compare its speed with `openssl dgst -sha256` on the same file (issue 5,
# point 11: 70% or more of openssl's speed, the server's peak memory under
# 100 MiB). The server runs as its own process so its peak resident memory
# (VmHWM) is its own; curl streams the body from the page cache, on the same
# cores as the server (it costs about half a CPU-second a GiB: part of what
# is measured, as for any client on the same machine).
#
# Each round changes the file's first byte, so every upload is a new blob
# (a known one is not written or fsync'ed again), warms the page cache, times
# openssl and then the upload. Per round it prints the CPU time the server
# used and the CPU time the whole machine used meanwhile: "rest" is curl,
# the kernel's threads and anything else running — when it is well above
# curl's share, another program took cores and the round is not the
# server's figure.
#
# Usage: bench/upload/api.sh [size-in-MiB] [rounds]   (default 1024 5)
# BENCH_DIR picks the disk (default: the repository's disk).
set -eu
size=${1:-1024}
rounds=${2:-5}
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(mktemp -d "${BENCH_DIR:-$root}/.paraph-upload-XXXXXX")
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
cd "$root"
go build -o "$dir/paraph" ./cmd/paraph
head -c "${size}M" /dev/urandom > "$dir/big.bin"
printf "upload bench password 1\n" | "$dir/paraph" account create --data "$dir/data" --login up@bench.example --name "Uploader" >/dev/null 2>&1
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$dir/paraph" serve --data "$dir/data" --addr "127.0.0.1:$port" --log-level error --max-document-size $((size + 16)) >"$dir/serve.log" 2>&1 &
pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 50); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.1; done
token=$(curl -fs "$base/api/v1/auth/login" -H 'Content-Type: application/json' \
	-d '{"login":"up@bench.example","password":"upload bench password 1"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
org=$(curl -fs "$base/api/v1/orgs" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
	-d '{"kind":"legal","country":"RU","name":"ООО «Загрузка»","inn":"7712345671","kpp":"771201001","ogrn":"1027700123450"}' |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
echo "== server started; peak resident memory so far (VmHWM): $(awk '/VmHWM/ {print $2 / 1024}' "/proc/$pid/status") MiB"

now() { date +%s.%N; }
mibs() { echo "$size $1 $2" | awk '{printf "%.0f", $1 / ($3 - $2)}'; }
# CPU seconds: the server's (utime+stime) and the machine's (all but idle and iowait).
server_cpu() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$pid/stat"; }
busy_cpu() { awk -v hz="$(getconf CLK_TCK)" '/^cpu / {print ($2 + $3 + $4 + $7 + $8 + $9) / hz}' /proc/stat; }
n=0
fresh() { # a new first byte: a new blob, not a known one
	n=$((n + 1))
	printf "\\$(printf %o $((n % 256)))" | dd of="$dir/big.bin" bs=1 count=1 conv=notrunc status=none
	cat "$dir/big.bin" >/dev/null
}
# round KIND: times openssl, then one upload of KIND (raw or multipart); prints
# one line and appends the ratio to $dir/KIND.pct.
round() {
	fresh
	t0=$(now); openssl dgst -sha256 "$dir/big.bin" >/dev/null; t1=$(now)
	ossl=$(mibs "$t0" "$t1")
	s0=$(server_cpu); b0=$(busy_cpu); t0=$(now)
	if [ "$1" = raw ]; then
		curl -fs -o "$dir/answer.json" "$base/api/v1/orgs/$org/documents?title=big&kind=other&file_name=big.bin" \
			-H "Authorization: Bearer $token" -H 'Content-Type: application/octet-stream' -X POST -T "$dir/big.bin"
	else
		curl -fs -o "$dir/answer.json" "$base/api/v1/orgs/$org/documents" -H "Authorization: Bearer $token" \
			-F 'meta={"title":"big","kind":"other"};type=application/json' -F "file=@$dir/big.bin;type=application/octet-stream"
	fi
	t1=$(now); s1=$(server_cpu); b1=$(busy_cpu)
	api=$(mibs "$t0" "$t1")
	pct=$(echo "$api $ossl" | awk '{printf "%.0f", 100 * $1 / $2}')
	echo "$pct" >>"$dir/$1.pct"
	printf '   %-9s openssl %5s MiB/s, upload %5s MiB/s: %3s%%   CPU s: server %s, rest %s   (%s)\n' "$1" "$ossl" "$api" "$pct" \
		"$(echo "$s0 $s1" | awk '{printf "%.2f", $2 - $1}')" "$(echo "$s0 $s1 $b0 $b1" | awk '{printf "%.2f", ($4 - $3) - ($2 - $1)}')" \
		"$(python3 -c 'import json; d=json.load(open("'"$dir/answer.json"'")); print(d["size"], "bytes, sha256", d["sha256"][:16] + "…")')"
}
spread() { sort -n "$dir/$1.pct" | awk '{v[NR] = $1} END {printf "min %d%%, median %d%%, max %d%%", v[1], v[int((NR + 1) / 2)], v[NR]}'; }

echo "== POST /api/v1/orgs/{org}/documents, the file as the body (metadata in the query), $rounds rounds"
for _ in $(seq "$rounds"); do round raw; done
echo "== the same as multipart/form-data (meta part first, then file), $rounds rounds"
for _ in $(seq "$rounds"); do round multipart; done
echo "== server peak resident memory (VmHWM): $(awk '/VmHWM/ {print $2 / 1024}' "/proc/$pid/status") MiB"
echo "== ratio upload / openssl: raw body $(spread raw); multipart $(spread multipart)"

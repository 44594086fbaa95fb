#!/bin/sh
# Upload a 1 GiB file through the API of a real `paraph serve` process and
# compare its speed with `openssl dgst -sha256` on the same file (issue 5,
# point 11: 70% or more of openssl's speed, the server's peak memory under
# 100 MiB). The server runs as its own process so its peak resident memory
# (VmHWM) is its own; curl streams the multipart body.
#
# Usage: bench/upload/api.sh [size-in-MiB]   (default 1024)
# BENCH_DIR picks the disk (default: the repository's disk).
set -eu
size=${1:-1024}
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
sync
echo "== openssl dgst -sha256 on the file"
t0=$(date +%s.%N); openssl dgst -sha256 "$dir/big.bin" >/dev/null; t1=$(date +%s.%N)
ossl=$(echo "$size $t0 $t1" | awk '{printf "%.1f", $1 / ($3 - $2)}')
echo "   $ossl MiB/s"
echo "== POST /api/v1/orgs/{org}/documents, the file as the body (metadata in the query) to paraph serve"
t0=$(date +%s.%N)
curl -fs -o "$dir/answer.json" "$base/api/v1/orgs/$org/documents?title=big&kind=other&file_name=big.bin" \
	-H "Authorization: Bearer $token" -H 'Content-Type: application/octet-stream' -X POST -T "$dir/big.bin"
t1=$(date +%s.%N)
api=$(echo "$size $t0 $t1" | awk '{printf "%.1f", $1 / ($3 - $2)}')
echo "   $api MiB/s   ($(python3 -c 'import json; d=json.load(open("'"$dir/answer.json"'")); print(d["size"], "bytes, sha256", d["sha256"][:16] + "…")'))"
hwm=$(awk '/VmHWM/ {print $2 / 1024}' "/proc/$pid/status")
echo "== server peak resident memory (VmHWM): ${hwm} MiB"
echo "== ratio API / openssl: $(echo "$api $ossl" | awk '{printf "%.0f%%", 100 * $1 / $2}')"
echo "== the same as multipart/form-data (meta part first, then file)"
t0=$(date +%s.%N)
curl -fs -o "$dir/answer2.json" "$base/api/v1/orgs/$org/documents" -H "Authorization: Bearer $token" \
	-F 'meta={"title":"big 2","kind":"other"};type=application/json' -F "file=@$dir/big.bin;type=application/octet-stream"
t1=$(date +%s.%N)
echo "   $(echo "$size $t0 $t1" | awk '{printf "%.1f", $1 / ($3 - $2)}') MiB/s; server peak memory now $(awk '/VmHWM/ {print $2 / 1024}' "/proc/$pid/status") MiB"

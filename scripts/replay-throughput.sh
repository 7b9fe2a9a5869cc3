#!/usr/bin/env bash
# Times `bulwark replay` end to end (parse + decide + write decision records) on N synthetic request records with the
# default policy, single-threaded. Not part of CI. Usage:
#   scripts/replay-throughput.sh [N] [--format jsonl|nginx|nginx-json]
# Default N = 1,000,000. Uses hyperfine when installed (3 runs after a warm-up), else bash's `time`.
# Prints records per second for each run; the figure and machine go into docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

n=1000000
format=jsonl
while [ $# -gt 0 ]; do
  case "$1" in
    --format) format="$2"; shift 2 ;;
    *) n="$1"; shift ;;
  esac
done

work="${TMPDIR:-/tmp}/bulwark-replay-throughput"
mkdir -p "$work"
input="$work/records-$n.$format"
out="$work/decisions.jsonl"

if [ ! -s "$input" ]; then
  # Deterministic synthetic traffic: 10,000 client addresses, the demo API's routes, login failures, labels; the clock
  # advances 1 ms per record (1,000 requests/s), so limits fire on some actors as they would on real traffic.
  awk -v n="$n" -v format="$format" 'BEGIN {
    srand(42)
    split("GET /api/products/%d|GET /api/search|POST /api/auth/login|GET /api/account|POST /api/cart/items|GET /api/users/%d|GET /", routes, "|")
    split("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36|Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15|python-requests/2.31.0|curl/8.4.0", uas, "|")
    split("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec", mon, " ")
    base = 36000  # 10:00:00 on 2026-11-21
    for (i = 0; i < n; i++) {
      ms = i; s = base + int(ms / 1000); frac = ms % 1000
      day = 21 + int(s / 86400); s = s % 86400
      hh = int(s / 3600); mm = int((s % 3600) / 60); ss = s % 60
      ip = sprintf("%d.%d.%d.%d", 198 + (i % 3), 51 + (i % 7), int(i / 7) % 250, 1 + (i * 13) % 200)
      r = routes[1 + int(rand() * 7)]; split(r, parts, " "); method = parts[1]; path = sprintf(parts[2], 1 + int(rand() * 50000))
      ua = uas[1 + int(rand() * 4)]
      attack = (rand() < 0.2); label = attack ? "attack:scraping" : "legit"
      status = 200
      if (path == "/api/auth/login") { status = rand() < 0.5 ? 401 : 200; label = status == 401 ? "attack:credential_stuffing" : "legit" }
      query = path == "/api/search" ? "q=shoes" : ""
      latency = 5 + (i % 40) / 4
      if (format == "nginx") {
        printf "%s - - [%02d/Nov/2026:%02d:%02d:%02d +0000] \"%s %s%s%s HTTP/1.1\" %d %d \"-\" \"%s\"\n", ip, day, hh, mm, ss, method, path, (query == "" ? "" : "?"), query, status, 512 + i % 1000, ua
      } else if (format == "nginx-json") {
        printf "{\"time_iso8601\":\"2026-11-%02dT%02d:%02d:%02d+00:00\",\"msec\":\"%d.%03d\",\"remote_addr\":\"%s\",\"request_method\":\"%s\",\"request_uri\":\"%s%s%s\",\"status\":\"%d\",\"request_time\":\"0.%03d\",\"http_user_agent\":\"%s\",\"http_accept\":\"application/json\",\"http_accept_language\":\"en-US\",\"http_referer\":\"\",\"http_x_api_key\":\"\",\"ssl_ja4\":\"\",\"ssl_ja3\":\"\"}\n", day, hh, mm, ss, 1795255200 + int(ms / 1000), frac, ip, method, path, (query == "" ? "" : "?"), query, status, int(latency), ua
      } else {
        body = method == "POST" && path == "/api/auth/login" ? sprintf(",\"body\":{\"username\":\"user%d@example.com\"}", i % 5000) : ""
        printf "{\"ts\":\"2026-11-%02dT%02d:%02d:%02d.%03dZ\",\"ip\":\"%s\",\"method\":\"%s\",\"path\":\"%s\",\"query\":\"%s\",\"headers\":{\"user-agent\":\"%s\",\"accept\":\"application/json\",\"accept-language\":\"en-US\"}%s,\"status\":%d,\"latency_ms\":%.2f,\"label\":\"%s\"}\n", day, hh, mm, ss, frac, ip, method, path, query, ua, body, status, latency, label
      }
    }
  }' > "$input"
fi

dotnet build src/Bulwark.Cli -c Release -v q -nologo >/dev/null
cli=(dotnet src/Bulwark.Cli/bin/Release/net10.0/bulwark.dll replay --format "$format" --input "$input" --decisions "$out")
echo "records: $n ($format, $(du -h "$input" | cut -f1)); command: ${cli[*]}"
if command -v hyperfine >/dev/null 2>&1; then
  hyperfine --warmup 1 --runs 3 --export-json "$work/hyperfine.json" --output null "${cli[*]}"
  mean=$(grep -m1 '"mean"' "$work/hyperfine.json" | tr -dc '0-9.')
  awk -v n="$n" -v s="$mean" 'BEGIN { printf "mean %.2f s: %.0f records/s\n", s, n / s }'
else
  start=$(date +%s.%N)
  "${cli[@]}" >/dev/null
  end=$(date +%s.%N)
  awk -v n="$n" -v a="$start" -v b="$end" 'BEGIN { printf "%.2f s: %.0f records/s\n", b - a, n / (b - a) }'
fi

#!/usr/bin/env bash
# How far can ANY reverse proxy on Kestrel reach against nginx on this machine? wrk on loopback against:
#   upstream   nginx answering 'ok' (one worker), directly;
#   kestrel    Kestrel answering 'ok' itself (bench/Bulwark.FloorProxy --answer): the server half of a .NET proxy;
#   nginx      nginx as a plain reverse proxy (worker_processes auto) in front of the upstream;
#   floor      bench/Bulwark.FloorProxy: Kestrel + SocketsHttpHandler forwarding, none of Bulwark;
#   raw        the same with a minimal hand-written HTTP/1.1 client instead of SocketsHttpHandler (--raw-client).
# Prints requests/s and CPU time per request (user + system of the serving process, from /proc) for each, ROUNDS times
# alternated (machine speed drifts between minutes; compare within a round). scripts/bench-gateway.sh measures the
# gateway itself beside nginx and the floor. Needs nginx and wrk. Not part of CI.
#   scripts/bench-floor.sh [DURATION_S] [CONNECTIONS]     (defaults 10 and 64; ROUNDS=2, WARMUP_S=10)
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-10}"
connections="${2:-64}"
# shellcheck source=scripts/bench-common.sh
source scripts/bench-common.sh
up=$(free_port); ke=$(free_port); px=$(free_port); fl=$(free_port); rw=$(free_port)
for side in up px; do
  mkdir -p "$work/$side"
  if [ "$side" = up ]; then
    body="worker_processes 1; events { worker_connections 1024; } http { access_log off; keepalive_requests 1000000; TEMP server { listen 127.0.0.1:$up; location / { return 200 'ok'; } } }"
  else
    body="worker_processes auto; events { worker_connections 1024; } http { access_log off; keepalive_requests 1000000; TEMP upstream app { server 127.0.0.1:$up; keepalive 64; keepalive_requests 1000000; } server { listen 127.0.0.1:$px; location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection \"\"; } } }"
  fi
  temp="client_body_temp_path $work/$side/body; proxy_temp_path $work/$side/proxy; fastcgi_temp_path $work/$side/fcgi; uwsgi_temp_path $work/$side/uwsgi; scgi_temp_path $work/$side/scgi;"
  echo "$user_line ${body/TEMP/$temp}" > "$work/$side/nginx.conf"
  nginx -p "$work/$side" -c "$work/$side/nginx.conf" -g "daemon off; pid $work/$side/nginx.pid; error_log $work/$side/error.log;" & pids+=($!)
done
dotnet build bench/Bulwark.FloorProxy -c Release -v q -nologo >/dev/null
floor="bench/Bulwark.FloorProxy/bin/Release/net10.0/bulwark-floorproxy.dll"
dotnet "$floor" --urls "http://127.0.0.1:$ke" --answer >"$work/ke.log" 2>&1 & pids+=($!)
dotnet "$floor" --urls "http://127.0.0.1:$fl" --upstream "http://127.0.0.1:$up" >"$work/fl.log" 2>&1 & pids+=($!)
dotnet "$floor" --urls "http://127.0.0.1:$rw" --upstream "http://127.0.0.1:$up" --raw-client >"$work/rw.log" 2>&1 & pids+=($!)
for port in $up $ke $px $fl $rw; do
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
done

for round in $(seq 1 "${ROUNDS:-2}"); do
  declare -A rps=() cpu=()
  for target in "upstream:$up:0" "kestrel:$ke:2" "nginx:$px:1" "floor:$fl:3" "raw:$rw:4"; do
    IFS=: read -r name port index <<<"$target"
    case "$name" in upstream | nginx) serving="$(pgrep -P "${pids[$index]}" | tr '\n' ' ')" ;; *) serving="${pids[$index]}" ;; esac
    wrk -t2 -c"$connections" -d"${WARMUP_S:-10}s" "http://127.0.0.1:$port/bench" >/dev/null
    before="$(cpu_ticks $serving)"
    out="$(wrk -t2 -c"$connections" -d"${duration}s" "http://127.0.0.1:$port/bench")"
    after="$(cpu_ticks $serving)"
    requests="$(awk '/requests in/ {print $1}' <<<"$out")"
    rps[$name]="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
    cpu[$name]="$(python3 -c "print('%.1f' % (($after - $before) / $(getconf CLK_TCK) * 1e6 / $requests))")"
    echo "round $round == $name: ${rps[$name]} req/s; CPU ${cpu[$name]} us/request; $(grep -E 'Non-2xx|Socket errors' <<<"$out" || echo 'all 2xx')"
  done
  python3 -c "print('round $round: floor / nginx = %.2f (CPU %.2fx), raw / nginx = %.2f (CPU %.2fx), kestrel CPU / upstream CPU = %.2f' % (${rps[floor]} / ${rps[nginx]}, ${cpu[floor]} / ${cpu[nginx]}, ${rps[raw]} / ${rps[nginx]}, ${cpu[raw]} / ${cpu[nginx]}, ${cpu[kestrel]} / ${cpu[upstream]}))"
done

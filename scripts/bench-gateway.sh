#!/usr/bin/env bash
# wrk on loopback, in one run, against the same upstream four ways: directly, through nginx as a plain reverse proxy,
# through the "floor" (bench/Bulwark.FloorProxy: the least a proxy on Kestrel + SocketsHttpHandler does, none of Bulwark)
# and through the Bulwark gateway. floor / nginx is what the .NET stack allows on this machine; gateway / floor is what
# Bulwark costs on top of it. The gateway's policy is the default policy (every setting at its default: default
# enrichers, detectors and scoring) plus one per-address token bucket, in Mode monitor: wrk is one automated client
# sending tens of thousands of requests a second from one address, which the default policy rightly scores (timing,
# velocity) and delays now and then — a held request would then measure the delay, not the proxy. In monitor mode every
# detector and limit still runs and every decision is made and counted; none is enforced. Each request is then passed
# through the cluster guard, the circuit breaker and the forwarder. The upstream is nginx answering a fixed 2-byte body.
# Part 1 (closed loop, wrk): requests/s, CPU time per request of the serving process (user + system, from /proc) and
# wrk's latency per target, then the gateway's ratios to nginx.
# Part 2 (open loop, bench/Bulwark.LoadGen): each target at HALF the gateway's saturation throughput from part 1, latency
# measured from each request's intended send time (no coordinated omission); prints p50/p99/p99.9 and what the gateway
# adds at p99 over the upstream directly. Needs nginx and wrk. Not part of CI.
#   scripts/bench-gateway.sh [DURATION_S] [CONNECTIONS]      (defaults 10 and 64)
#   GATEWAY_ENV="DOTNET_gcServer=1" scripts/bench-gateway.sh  (runtime settings for the gateway process only; e.g.
#     DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0 measures the gateway without its default inline socket completions)
#   NGINX_WORKERS=1 scripts/bench-gateway.sh  (the nginx proxy's worker_processes; default auto, one per core)
#   ALLOC=1 scripts/bench-gateway.sh 10 64   (needs `dotnet tool install -g dotnet-counters`): part 1 also prints the
#     bytes the gateway allocated per proxied request in its measured wrk run (GC total_allocated / wrk's request count);
#     the counter session costs the gateway throughput, so take requests/s from a run without it.
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-10}"
connections="${2:-64}"
# shellcheck source=scripts/bench-common.sh
source scripts/bench-common.sh
up=$(free_port); px=$(free_port); gw=$(free_port); fl=$(free_port)
# Two nginx processes: the upstream (one worker) and the plain reverse proxy (NGINX_WORKERS, default auto = one per
# core, nginx's recommended setting and Debian's default), so the proxy gets the same cores the gateway may use and does
# not share a worker with the upstream.
cat > "$work/upstream.conf" <<NGINX
$user_line
worker_processes 1;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $work/body; proxy_temp_path $work/proxy; fastcgi_temp_path $work/fcgi; uwsgi_temp_path $work/uwsgi; scgi_temp_path $work/scgi;
  server { listen 127.0.0.1:$up; location / { return 200 'ok'; } }
}
NGINX
mkdir -p "$work/px"
cat > "$work/px/nginx.conf" <<NGINX
$user_line
worker_processes ${NGINX_WORKERS:-auto};
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $work/px/body; proxy_temp_path $work/px/proxy; fastcgi_temp_path $work/px/fcgi; uwsgi_temp_path $work/px/uwsgi; scgi_temp_path $work/px/scgi;
  upstream app { server 127.0.0.1:$up; keepalive 64; keepalive_requests 1000000; }
  server { listen 127.0.0.1:$px; location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; } }
}
NGINX
nginx -p "$work" -c "$work/upstream.conf" -g "daemon off; pid $work/nginx.pid; error_log $work/error.log;" & pids+=($!)
nginx -p "$work/px" -c "$work/px/nginx.conf" -g "daemon off; pid $work/px/nginx.pid; error_log $work/px/error.log;" & pids+=($!)

cat > "$work/bulwark.json" <<JSON
{ "Bulwark": {
    "Routes": [ { "Name": "all", "Path": "/**", "Policy": "bench" } ],
    "Policies": { "bench": { "Mode": "monitor", "Limits": [ { "Name": "bench-ip", "Key": "ip", "Rate": "1000000000/min" } ] } },
    "Gateway": {
      "Clusters": { "app": { "Destinations": [ "http://127.0.0.1:$up" ], "MaxConcurrency": 1024 } },
      "Routes": [ { "PathPrefix": "/", "Cluster": "app" } ]
    }
} }
JSON
dotnet build src/Bulwark.Cli -c Release -v q -nologo >/dev/null
dotnet build bench/Bulwark.LoadGen -c Release -v q -nologo >/dev/null
dotnet build bench/Bulwark.FloorProxy -c Release -v q -nologo >/dev/null
env ${GATEWAY_ENV:-} dotnet src/Bulwark.Cli/bin/Release/net10.0/bulwark.dll serve --config "$work/bulwark.json" --urls "http://127.0.0.1:$gw" >"$work/gateway.log" 2>&1 & pids+=($!)
env ${GATEWAY_ENV:-} dotnet bench/Bulwark.FloorProxy/bin/Release/net10.0/bulwark-floorproxy.dll --urls "http://127.0.0.1:$fl" --upstream "http://127.0.0.1:$up" >"$work/floor.log" 2>&1 & pids+=($!)
for port in $up $px $gw $fl; do
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
done

PATH="$PATH:$HOME/.dotnet/tools"
counters=""
declare -A rps cpu_us
for target in "upstream:$up" "nginx:$px" "floor:$fl" "gateway:$gw"; do
  name="${target%%:*}"; port="${target##*:}"
  # Warm-up: 15 s, because on two shared cores the JIT's tiers (tier 0, instrumented, tier 1) are still compiling after
  # 5 s — a perf profile of the measured run after a 5 s warm-up had 11 % of the gateway's CPU in libclrjit, 2 % after 15 s.
  wrk -t2 -c"$connections" -d15s -H 'User-Agent: wrk' "http://127.0.0.1:$port/bench" >/dev/null
  if [ "$name" = gateway ] && [ "${ALLOC:-0}" = 1 ]; then
    dotnet-counters collect -p "${pids[2]}" --counters System.Runtime --format csv -o "$work/counters.csv" --refresh-interval 1 \
      --duration "00:00:00:$(printf '%02d' $((duration + 4)))" >/dev/null 2>&1 & counters=$!
    sleep 2
  fi
  # CPU time (user + system) of the process serving this target over the measured run: for nginx its workers.
  case "$name" in
    upstream) serving="$(pgrep -P "${pids[0]}" | tr '\n' ' ')" ;;
    nginx) serving="$(pgrep -P "${pids[1]}" | tr '\n' ' ')" ;;
    gateway) serving="${pids[2]}" ;;
    floor) serving="${pids[3]}" ;;
  esac
  cpu_before="$(cpu_ticks $serving)"
  out="$(wrk -t2 -c"$connections" -d"${duration}s" --latency -H 'User-Agent: wrk' "http://127.0.0.1:$port/bench")"
  cpu_after="$(cpu_ticks $serving)"
  cpu_us[$name]="$(python3 -c "print('%.1f' % (($cpu_after - $cpu_before) / $(getconf CLK_TCK) * 1e6 / $(awk '/requests in/ {print $1}' <<<"$out")))")"
  if [ "$name" = gateway ] && [ -n "$counters" ]; then
    wait "$counters" || true
    python3 - "$work/counters.csv" "$(awk '/requests in/ {print $1}' <<<"$out")" <<'PY'
import csv, sys
values = [float(r[4]) for r in csv.reader(open(sys.argv[1])) if len(r) > 4 and 'total_allocated' in r[2]]
idle = min(values) if values else 0  # the counter session's own rate, in the seconds before and after the run
busy = sum(v - idle for v in values if v > 10 * idle)
print('== gateway allocated %.0f bytes per proxied request (%d requests)' % (busy / int(sys.argv[2]), int(sys.argv[2])))
PY
  fi
  rps[$name]="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
  echo "== $name: $(awk '/Requests\/sec/ {print $2}' <<<"$out") req/s; CPU ${cpu_us[$name]} us/request; latency p50 $(awk '$1=="50%" {print $2}' <<<"$out"), p99 $(awk '$1=="99%" {print $2}' <<<"$out"); $(grep -E 'Non-2xx|Socket errors' <<<"$out" || echo 'all 2xx')"
done
python3 -c "print('gateway / nginx = %.2f, gateway / upstream = %.2f; floor / nginx = %.2f, gateway / floor = %.2f' % (${rps[gateway]} / ${rps[nginx]}, ${rps[gateway]} / ${rps[upstream]}, ${rps[floor]} / ${rps[nginx]}, ${rps[gateway]} / ${rps[floor]}))"
# CPU per request is what the proxy itself costs; requests/s also depends on how wrk and the upstream share the cores.
python3 -c "print('CPU per proxied request: gateway %s us, floor %s us, nginx %s us (gateway / nginx = %.2f, floor / nginx = %.2f)' % ('${cpu_us[gateway]}', '${cpu_us[floor]}', '${cpu_us[nginx]}', ${cpu_us[gateway]} / ${cpu_us[nginx]}, ${cpu_us[floor]} / ${cpu_us[nginx]}))"

# Part 2: open loop at half the gateway's saturation rate, every target at the same rate, 32 connections.
rate=$(python3 -c "print(int(${rps[gateway]} / 2))")
declare -A p99
for target in "upstream:$up" "nginx:$px" "floor:$fl" "gateway:$gw"; do
  name="${target%%:*}"; port="${target##*:}"
  # --slow-ms: a stall shows on stderr as the 50 ms windows (from the measured start) whose requests took over 20 ms.
  out="$(dotnet bench/Bulwark.LoadGen/bin/Release/net10.0/bulwark-loadgen.dll --port "$port" --rate "$rate" --connections 32 --seconds "$duration" --warmup 2 --slow-ms 20)"
  p99[$name]="$(tr ' ' '\n' <<<"$out" | awk -F= '$1=="p99_ms" {print $2}')"
  echo "== open loop $name: $out"
done
python3 -c "print('at %d req/s (half the gateway saturation): gateway p99 - upstream p99 = %.3f ms, nginx p99 - upstream p99 = %.3f ms, floor p99 - upstream p99 = %.3f ms' % ($rate, ${p99[gateway]} - ${p99[upstream]}, ${p99[nginx]} - ${p99[upstream]}, ${p99[floor]} - ${p99[upstream]}))"

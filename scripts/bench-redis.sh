#!/usr/bin/env bash
# Decisions per second through the Redis counter store (64 callers) beside redis-benchmark sending the same EVALSHA,
# against one redis-server started here on a free port. Usage: scripts/bench-redis.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-5}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes --pidfile "/tmp/bench-redis-$port.pid" >/dev/null
trap 'redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true' EXIT
for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done

dotnet build bench/Bulwark.Redis.Bench -c Release -v q -nologo >/dev/null
bench=bench/Bulwark.Redis.Bench/bin/Release/net10.0/Bulwark.Redis.Bench
read -r -a evalsha < <("$bench" --print-args)
redis-cli -p "$port" script load "$(cat src/Bulwark.Redis/Limits/counters.lua)" >/dev/null

echo "== Bulwark RedisCounterStore: 64 callers, 2 connections (about 32 commands in flight per connection)"
"$bench" --port "$port" --callers 64 --connections 2 --seconds "$seconds"
echo "== Bulwark RedisCounterStore: 64 callers, 8 connections"
"$bench" --port "$port" --callers 64 --connections 8 --seconds "$seconds"

n=$(( seconds * 60000 ))
for shape in "2 32" "8 8" "64 1"; do
  read -r c p <<<"$shape"
  echo "== redis-benchmark -c $c -P $p (same EVALSHA, random key among 100000)"
  redis-cli -p "$port" config resetstat >/dev/null
  redis-benchmark -p "$port" -c "$c" -P "$p" -n "$n" -r 100000 -q "${evalsha[@]}" | tr '\r' '\n' | grep -v '^$' | tail -1
  redis-cli -p "$port" info commandstats | grep '^cmdstat_evalsha' || true
done

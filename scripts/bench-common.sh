# Sourced by scripts/bench-gateway.sh and scripts/bench-floor.sh (from the repository root): a scratch folder removed on
# exit with every process started into pids, a free loopback port, CPU ticks of processes, nginx's user line.
work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
# User + system CPU time of the given processes, in clock ticks (getconf CLK_TCK per second), from /proc/PID/stat.
cpu_ticks() { local total=0 pid; for pid in "$@"; do total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done; echo "$total"; }
user_line=""; [ "$(id -u)" = 0 ] && user_line="user root;"

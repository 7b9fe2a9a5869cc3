#!/usr/bin/env bash
# Runs the BenchmarkDotNet suite (not part of CI). Arguments go to BenchmarkDotNet, e.g.
#   scripts/bench.sh --filter '*LimiterBenchmarks*'
#   scripts/bench.sh --filter '*DecideBenchmarks*' --job short
# With no arguments every benchmark runs with BenchmarkDotNet's default job (slow: tens of minutes).
# Results land in BenchmarkDotNet.Artifacts/results/; copy the tables into docs/performance.md with the command used.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if [ $# -eq 0 ]; then set -- --filter '*'; fi
dotnet run -c Release --project bench/Bulwark.Benchmarks -- "$@"

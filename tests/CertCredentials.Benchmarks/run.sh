#!/usr/bin/env bash
# Runs the benchmarks: CertCredentials, MSAL.NET, Azure.Identity and Microsoft.Identity.Web side by side, in one
# process (Release).
#
#   tests/CertCredentials.Benchmarks/run.sh             full suite (about 30 minutes on 2 cores): every benchmark
#                                                       and scenario with every anchor; writes artifacts/benchmarks/latest/
#   tests/CertCredentials.Benchmarks/run.sh --smoke     CI smoke (about 30 s after the build): each benchmark once
#                                                       (BenchmarkDotNet's dry job), small sizes, one round of each
#                                                       scenario; fails only if something breaks, never on a figure;
#                                                       writes artifacts/benchmarks/smoke/
#   --no-build                                          use the existing Release build (CI builds the solution first)
#   anything else                                       passed to the program, e.g. --filter Cached,scenarios
#
# All traffic goes to 127.0.0.1 (a Kestrel token service and API started in process) and stops by itself.
set -euo pipefail
cd "$(dirname "$0")/../.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

project=tests/CertCredentials.Benchmarks/CertCredentials.Benchmarks.csproj
mode=latest build=1 args=()
for arg in "$@"; do
  case "$arg" in
    --smoke) mode=smoke; args+=(--smoke) ;;
    --no-build) build=0 ;;
    *) args+=("$arg") ;;
  esac
done

out="artifacts/benchmarks/$mode"
rm -rf "$out" && mkdir -p "$out"

if [ "$build" = 1 ]; then
  dotnet build "$project" -c Release -warnaserror --nologo -v quiet
fi

{
  echo "## Machine"
  echo
  echo '```'
  lscpu 2>/dev/null | grep -E '^(Architecture|CPU\(s\)|Model name|Thread|Core|Socket|Hypervisor|L1d|L2|L3)' || true
  echo "nproc: $(nproc)"
  free -h 2>/dev/null | head -2 || true
  dotnet --list-runtimes | grep NETCore.App || true
  echo "dotnet SDK: $(dotnet --version)"
  echo "kernel: $(uname -sr)"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
  echo '```'
} > "$out/machine.md"

dll=tests/CertCredentials.Benchmarks/bin/Release/net10.0/CertCredentials.Benchmarks.dll
status=0
# Bounded: the smoke ends within 5 minutes, the full suite within an hour, whatever happens.
limit=$([ "$mode" = smoke ] && echo 300 || echo 3600)
timeout --kill-after=30 "$limit" dotnet "$dll" --out "$out" "${args[@]}" 2>&1 | tee "$out/run.log" || status=$?

cat "$out/machine.md" >> "$out/results.md" 2>/dev/null || true
echo
echo "results: $out/results.md (BenchmarkDotNet reports in $out/bdn/results, log in $out/run.log)"
exit "$status"

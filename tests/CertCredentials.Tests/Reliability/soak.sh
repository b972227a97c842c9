#!/usr/bin/env bash
# The full-size soak: 60 s, 16 workers, tokens that live 5 s (override with SOAK_SECONDS, SOAK_WORKERS,
# SOAK_TOKEN_SECONDS). Loopback only; it stops by itself. Prints the figures for docs/reliability.md.
set -euo pipefail
cd "$(dirname "$0")/../../.."
export SOAK_SECONDS="${SOAK_SECONDS:-60}" SOAK_WORKERS="${SOAK_WORKERS:-16}" SOAK_TOKEN_SECONDS="${SOAK_TOKEN_SECONDS:-5}"
export SOAK_REPORT="${SOAK_REPORT:-$(pwd)/artifacts/reliability/soak.txt}"
mkdir -p "$(dirname "$SOAK_REPORT")"
dotnet test tests/CertCredentials.Tests -c Release --filter "FullyQualifiedName~SoakTests"
cat "$SOAK_REPORT"

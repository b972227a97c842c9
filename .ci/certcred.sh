#!/usr/bin/env bash
# certcred as a user gets it: installed with `dotnet tool install` from the local package into a temporary tool path,
# then `new`, `thumbprint`, and `check` against `certcred emulate`, which runs in the background on 127.0.0.1 and is
# stopped by this script (SIGTERM) however it ends.
# Usage: .ci/certcred.sh <folder with CertCredentials.Tool.<version>.nupkg> <version>
set -uo pipefail
packages="$1"
version="$2"
work=$(mktemp -d)
emulator=""

cleanup() {
  if [ -n "$emulator" ] && kill -0 "$emulator" 2>/dev/null; then
    kill -TERM "$emulator" 2>/dev/null
    wait "$emulator" 2>/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "certcred: $*" >&2; [ -f "$work/emulator.log" ] && sed 's/^/  emulator: /' "$work/emulator.log" >&2; exit 1; }

# A packages folder of its own: the machine's NuGet cache may hold an older CertCredentials.Tool of the same version
# (a developer's earlier run), which `tool install` would take instead of the package just packed.
NUGET_PACKAGES="$work/nuget" dotnet tool install CertCredentials.Tool --version "$version" --tool-path "$work/tools" --add-source "$packages" || fail "the tool did not install"
certcred="$work/tools/certcred"
cd "$work" || exit 1

export CERTCRED_CI_PASSPHRASE="ci-$RANDOM-$RANDOM-$RANDOM"
"$certcred" new --subject "CN=certcred-ci" --passphrase-env CERTCRED_CI_PASSPHRASE --pfx --out app || fail "new failed"
[ "$(stat -c %a app/key.pem)" = "600" ] || fail "key.pem is not mode 0600"
if command -v openssl >/dev/null 2>&1; then
  openssl pkey -in app/key.pem -passin env:CERTCRED_CI_PASSPHRASE -noout || fail "openssl cannot read the key new made"
  expected=$(openssl x509 -in app/cert.pem -noout -fingerprint -sha1 | sed 's/.*=//; s/://g')
fi

"$certcred" thumbprint app/cert.pem app/cert.pfx --passphrase-env CERTCRED_CI_PASSPHRASE | tee thumbprints.txt || fail "thumbprint failed"
if [ -n "${expected:-}" ]; then
  [ "$(grep -c "SHA-1 (Azure portal): *$expected" thumbprints.txt)" = "2" ] || fail "thumbprint does not show openssl's SHA-1 $expected for both files"
fi

"$certcred" emulate --port 0 --certificate app/cert.pem --write-appsettings emulator.json >emulator.log 2>&1 &
emulator=$!
for _ in $(seq 1 120); do
  grep -q "Press Ctrl+C to stop." emulator.log 2>/dev/null && break
  kill -0 "$emulator" 2>/dev/null || fail "emulate exited before it was ready"
  sleep 0.5
done
grep -q "Press Ctrl+C to stop." emulator.log || fail "emulate was not ready within 60 s"

CertCredentials__PrivateKeyPassphrase="$CERTCRED_CI_PASSPHRASE" "$certcred" check --config emulator.json || fail "check against emulate failed"
CertCredentials__PrivateKeyPassphrase="$CERTCRED_CI_PASSPHRASE" CertCredentials__ClientId=99999999-0000-4000-8000-000000000000 \
  "$certcred" check --config emulator.json >/dev/null 2>refused.txt
code=$?
[ "$code" = "5" ] || fail "check of an unknown client exited with $code, not 5 (an Entra refusal)"
grep -q "AADSTS700016" refused.txt || fail "check of an unknown client did not name AADSTS700016"

kill -TERM "$emulator"
wait "$emulator"
code=$?
emulator=""
[ "$code" = "0" ] || fail "emulate exited with $code after SIGTERM"
echo "certcred: new, thumbprint, check against emulate and its stop all worked"

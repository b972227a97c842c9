#!/usr/bin/env bash
# Regenerates every test fixture in this directory (keys, certificates, PKCS#12
# files and their "pasted" variants) with OpenSSL 3.x.
#
# TEST-ONLY MATERIAL: every key made here is published in this repository and
# must never be trusted, uploaded to a real tenant, or used outside the tests.
#
# Usage: bash tests/CertCredentials.Tests/Fixtures/make-fixtures.sh   (any cwd)
#
# The script deletes the files it generates and makes them again, so it can be
# run any number of times. Keys are random, so every run yields new keys,
# certificates and thumbprints; commit all generated files together.
#
# Tools used: openssl (3.x), base64, sed, tr, awk, printf, plus ssh-keygen when
# present (for rsa2048.openssh.txt only) and the usual rm/mkdir.

set -euo pipefail

# Test-only passphrase for every encrypted file (also written in README.md).
readonly PASS='Test-Passphrase-1!'
readonly WRONG='not-the-passphrase'
readonly DAYS=36500 # 100 years, so the tests never see an expired certificate

src="${BASH_SOURCE[0]}"
case "$src" in */*) dir="${src%/*}" ;; *) dir=. ;; esac
cd "$dir"

openssl version | awk '$1 == "OpenSSL" && $2 ~ /^3\./ { ok = 1 } END { if (!ok) { print "make-fixtures.sh: OpenSSL 3.x is required" > "/dev/stderr"; exit 1 } }'

work="${TMPDIR:-/tmp}/certcredentials-fixtures.$$"
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

# ---------------------------------------------------------------- cleanup ---
rm -f -- rsa2048.* rsa4096.* rsa1024.* other.* chain.* ec-p256.* ed25519.* cert-only.pfx

# ---------------------------------------------------------------- helpers ---
die() { printf 'make-fixtures.sh: %s\n' "$*" >&2; exit 1; }

# Minimal OpenSSL config so the result does not depend on the system openssl.cnf.
cnf="$work/openssl.cnf"
printf '%s\n' \
  '[req]' \
  'distinguished_name = dn' \
  'prompt = no' \
  '[dn]' \
  '[v3_leaf]' \
  'basicConstraints = critical,CA:FALSE' \
  'keyUsage = critical,digitalSignature' \
  'extendedKeyUsage = clientAuth' \
  'subjectKeyIdentifier = hash' \
  'authorityKeyIdentifier = keyid' \
  '[v3_root]' \
  'basicConstraints = critical,CA:TRUE' \
  'keyUsage = critical,keyCertSign,cRLSign' \
  'subjectKeyIdentifier = hash' \
  'authorityKeyIdentifier = keyid' \
  '[v3_intermediate]' \
  'basicConstraints = critical,CA:TRUE,pathlen:0' \
  'keyUsage = critical,keyCertSign,cRLSign' \
  'subjectKeyIdentifier = hash' \
  'authorityKeyIdentifier = keyid' \
  > "$cnf"

# rsa_key OUT BITS -> unencrypted PKCS#8 PEM ("BEGIN PRIVATE KEY")
rsa_key() { openssl genpkey -quiet -algorithm RSA -pkeyopt "rsa_keygen_bits:$2" -out "$1"; }

# self_signed KEY CN OUT [digest] -> self-signed end-entity certificate
self_signed() {
  local digest=()
  [[ $# -ge 4 && -n "$4" ]] && digest=("-$4")
  openssl req -new -x509 -key "$1" -subj "/CN=$2" -days "$DAYS" "${digest[@]}" \
    -config "$cnf" -extensions v3_leaf -out "$3"
}

# first_line FILE: first armor line, e.g. "-----BEGIN PRIVATE KEY-----"
first_line() { awk 'NR == 1 { print; exit }' "$1"; }

expect_first_line() {
  [[ "$(first_line "$1")" == "$2" ]] || die "$1: expected first line '$2', got '$(first_line "$1")'"
}

# expect_asn1 FILE OBJECT... : every OBJECT appears as an OID in the ASN.1 dump
expect_asn1() {
  local f="$1"; shift
  local dump
  dump="$(openssl asn1parse -in "$f")"
  local o
  for o in "$@"; do
    awk -v o=":$o" '$0 ~ /prim: OBJECT/ && index($0, o) { found = 1 } END { exit !found }' <<<"$dump" \
      || die "$f: OID $o not found"
  done
}

# expect_no_asn1 FILE OBJECT : OBJECT must not appear
expect_no_asn1() {
  openssl asn1parse -in "$1" | awk -v o=":$2" 'index($0, o) { found = 1 } END { exit found }' \
    || die "$1: unexpected OID $2"
}

# expect_dek FILE CIPHER : legacy PEM header "Proc-Type: 4,ENCRYPTED" + "DEK-Info: CIPHER,<iv>"
expect_dek() {
  awk -v c="$2" '
    NR == 2 && $0 == "Proc-Type: 4,ENCRYPTED" { p = 1 }
    NR == 3 && index($0, "DEK-Info: " c ",") == 1 { d = 1 }
    END { exit !(p && d) }' "$1" || die "$1: expected Proc-Type/DEK-Info $2 header"
}

# same_key KEY CERT [passin] : private key belongs to certificate
same_key() {
  local a b
  a="$(openssl pkey -in "$1" -pubout ${3:+-passin "pass:$3"})"
  b="$(openssl x509 -in "$2" -noout -pubkey)"
  [[ "$a" == "$b" ]] || die "$1 does not match $2"
}

# thumbprints CERT OUT
thumbprints() {
  local sha1_colons sha256_colons sha1_b64 sha256_b64
  sha1_colons="$(openssl x509 -in "$1" -noout -fingerprint -sha1 | sed 's/^[^=]*=//')"
  sha256_colons="$(openssl x509 -in "$1" -noout -fingerprint -sha256 | sed 's/^[^=]*=//')"
  sha1_b64="$(openssl x509 -in "$1" -outform der | openssl dgst -sha1 -binary | base64 | tr -d '\n')"
  sha256_b64="$(openssl x509 -in "$1" -outform der | openssl dgst -sha256 -binary | base64 | tr -d '\n')"
  {
    printf 'sha1_hex=%s\n' "$(printf '%s' "$sha1_colons" | tr -d ':' | tr 'a-f' 'A-F')"
    printf 'sha256_hex=%s\n' "$(printf '%s' "$sha256_colons" | tr -d ':' | tr 'a-f' 'A-F')"
    printf 'sha1_colons=%s\n' "$sha1_colons"
    printf 'sha256_colons=%s\n' "$sha256_colons"
    printf 'sha1_b64url=%s\n' "$(printf '%s' "$sha1_b64" | tr '+/' '-_' | tr -d '=')"
    printf 'sha256_b64url=%s\n' "$(printf '%s' "$sha256_b64" | tr '+/' '-_' | tr -d '=')"
    printf 'sha1_b64=%s\n' "$sha1_b64"
    printf 'sha256_b64=%s\n' "$sha256_b64"
  } > "$2"
  # (no {n} regex intervals: mawk does not support them)
  awk '
    { i = index($0, "="); k = substr($0, 1, i - 1); v = substr($0, i + 1); len = length(v) }
    k == "sha1_hex"      && len == 40 && v !~ /[^0-9A-F]/     { n++ }
    k == "sha256_hex"    && len == 64 && v !~ /[^0-9A-F]/     { n++ }
    k == "sha1_colons"   && len == 59 && v !~ /[^0-9A-F:]/    { n++ }
    k == "sha256_colons" && len == 95 && v !~ /[^0-9A-F:]/    { n++ }
    k == "sha1_b64url"   && len == 27 && v !~ /[^0-9A-Za-z_-]/ { n++ }
    k == "sha256_b64url" && len == 43 && v !~ /[^0-9A-Za-z_-]/ { n++ }
    k == "sha1_b64"      && len == 28 && v ~ /^[0-9A-Za-z+\/]+=$/ { n++ }
    k == "sha256_b64"    && len == 44 && v ~ /^[0-9A-Za-z+\/]+=$/ { n++ }
    END { exit !(n == 8) }' "$2" || die "$2: unexpected thumbprint format"
}

# ------------------------------------------------------- rsa2048 identity ---
rsa_key rsa2048.pkcs8.pem 2048
self_signed rsa2048.pkcs8.pem 'CertCredentials Test rsa2048' rsa2048.crt.pem sha256
openssl x509 -in rsa2048.crt.pem -outform DER -out rsa2048.crt.der

openssl pkey -in rsa2048.pkcs8.pem -traditional -out rsa2048.pkcs1.pem
# OpenSSL 3.0's `pkey -outform DER` writes PKCS#1 for RSA: pkcs8 -topk8 -nocrypt gives real PKCS#8 DER.
openssl pkcs8 -topk8 -nocrypt -in rsa2048.pkcs8.pem -outform DER -out rsa2048.pkcs8.der
openssl rsa -in rsa2048.pkcs8.pem -traditional -outform DER -out rsa2048.pkcs1.der
base64 < rsa2048.pkcs8.der | tr -d '\n' > rsa2048.pkcs8.b64.txt
expect_first_line rsa2048.pkcs8.pem '-----BEGIN PRIVATE KEY-----'
expect_first_line rsa2048.pkcs1.pem '-----BEGIN RSA PRIVATE KEY-----'

# Encrypted PKCS#8 ("BEGIN ENCRYPTED PRIVATE KEY").
openssl pkcs8 -topk8 -in rsa2048.pkcs8.pem -v2 aes-256-cbc -v2prf hmacWithSHA256 \
  -passout "pass:$PASS" -out rsa2048.pkcs8.aes256-sha256.pem
openssl pkcs8 -topk8 -in rsa2048.pkcs8.pem -v2 aes-128-cbc -v2prf hmacWithSHA1 \
  -passout "pass:$PASS" -out rsa2048.pkcs8.aes128-sha1.pem
openssl pkcs8 -topk8 -in rsa2048.pkcs8.pem -v2 des-ede3-cbc -v2prf hmacWithSHA256 \
  -passout "pass:$PASS" -out rsa2048.pkcs8.des3-sha256.pem
openssl pkcs8 -topk8 -in rsa2048.pkcs8.pem -v1 PBE-SHA1-3DES \
  -passout "pass:$PASS" -out rsa2048.pkcs8.pbe-sha1-3des.pem
for f in rsa2048.pkcs8.aes256-sha256.pem rsa2048.pkcs8.aes128-sha1.pem \
         rsa2048.pkcs8.des3-sha256.pem rsa2048.pkcs8.pbe-sha1-3des.pem; do
  expect_first_line "$f" '-----BEGIN ENCRYPTED PRIVATE KEY-----'
done
expect_asn1 rsa2048.pkcs8.aes256-sha256.pem PBES2 PBKDF2 hmacWithSHA256 aes-256-cbc
# hmacWithSHA1 is the DER DEFAULT of the PBKDF2 prf field, so it is omitted.
expect_asn1 rsa2048.pkcs8.aes128-sha1.pem PBES2 PBKDF2 aes-128-cbc
expect_no_asn1 rsa2048.pkcs8.aes128-sha1.pem hmacWithSHA256
expect_asn1 rsa2048.pkcs8.des3-sha256.pem PBES2 PBKDF2 hmacWithSHA256 des-ede3-cbc
expect_asn1 rsa2048.pkcs8.pbe-sha1-3des.pem pbeWithSHA1And3-KeyTripleDES-CBC
expect_no_asn1 rsa2048.pkcs8.pbe-sha1-3des.pem PBES2

# Legacy OpenSSL PEM encryption ("Proc-Type: 4,ENCRYPTED" + "DEK-Info:").
openssl rsa -in rsa2048.pkcs8.pem -aes256 -traditional -passout "pass:$PASS" -out rsa2048.legacy.aes256.pem
openssl rsa -in rsa2048.pkcs8.pem -aes128 -traditional -passout "pass:$PASS" -out rsa2048.legacy.aes128.pem
openssl rsa -in rsa2048.pkcs8.pem -aes192 -traditional -passout "pass:$PASS" -out rsa2048.legacy.aes192.pem
openssl rsa -in rsa2048.pkcs8.pem -des3 -traditional -passout "pass:$PASS" -out rsa2048.legacy.des3.pem
# Single DES lives in the legacy provider. WITHOUT these -provider flags,
# OpenSSL 3.0 exits 0 and silently writes an UNENCRYPTED key.
openssl rsa -in rsa2048.pkcs8.pem -des -traditional -passout "pass:$PASS" -out rsa2048.legacy.des.pem \
  -provider legacy -provider default
expect_dek rsa2048.legacy.aes256.pem AES-256-CBC
expect_dek rsa2048.legacy.aes128.pem AES-128-CBC
expect_dek rsa2048.legacy.aes192.pem AES-192-CBC
expect_dek rsa2048.legacy.des3.pem DES-EDE3-CBC
expect_dek rsa2048.legacy.des.pem DES-CBC
for f in rsa2048.legacy.*.pem; do expect_first_line "$f" '-----BEGIN RSA PRIVATE KEY-----'; done

# PKCS#12.
openssl pkcs12 -export -inkey rsa2048.pkcs8.pem -in rsa2048.crt.pem -name 'CertCredentials Test rsa2048' \
  -passout "pass:$PASS" -out rsa2048.pfx
openssl pkcs12 -export -inkey rsa2048.pkcs8.pem -in rsa2048.crt.pem -name 'CertCredentials Test rsa2048' \
  -passout pass: -out rsa2048.nopass.pfx
openssl pkcs12 -export -legacy -inkey rsa2048.pkcs8.pem -in rsa2048.crt.pem -name 'CertCredentials Test rsa2048' \
  -passout "pass:$PASS" -out rsa2048.legacy.pfx
base64 < rsa2048.pfx | tr -d '\n' > rsa2048.pfx.b64.txt
base64 < rsa2048.nopass.pfx | tr -d '\n' > rsa2048.nopass.pfx.b64.txt

p12info() { openssl pkcs12 -in "$1" -info -noout -passin "pass:$2" "${@:3}" 2>&1; }
p12info rsa2048.pfx "$PASS" | awk '/^Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC/ { k = 1 } /^PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC/ { c = 1 } END { exit !(k && c) }' \
  || die 'rsa2048.pfx: expected PBES2/AES-256-CBC'
p12info rsa2048.legacy.pfx "$PASS" -legacy | awk '/^Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC/ { k = 1 } /^PKCS7 Encrypted data: pbeWithSHA1And40BitRC2-CBC/ { c = 1 } END { exit !(k && c) }' \
  || die 'rsa2048.legacy.pfx: expected RC2-40 certs / 3DES key'

# What "openssl pkcs12 -in" prints: "Bag Attributes" / "Key Attributes" lines before each block.
openssl pkcs12 -in rsa2048.pfx -nocerts -passin "pass:$PASS" -passout "pass:$PASS" -out rsa2048.pfx-nocerts.pem
openssl pkcs12 -in rsa2048.pfx -nocerts -noenc -passin "pass:$PASS" -out rsa2048.pfx-nocerts-nodes.pem
openssl pkcs12 -in rsa2048.pfx -noenc -passin "pass:$PASS" -out rsa2048.pfx-all.pem
expect_first_line rsa2048.pfx-nocerts.pem 'Bag Attributes'
expect_first_line rsa2048.pfx-nocerts-nodes.pem 'Bag Attributes'
expect_first_line rsa2048.pfx-all.pem 'Bag Attributes'

# Bundles.
awk 1 rsa2048.pkcs8.pem rsa2048.crt.pem > rsa2048.bundle.key-then-cert.pem
awk 1 rsa2048.crt.pem rsa2048.pkcs8.pem > rsa2048.bundle.cert-then-key.pem

# "Pasted" forms of rsa2048.pkcs8.pem.
awk '{ printf "%s\r\n", $0 }' rsa2048.pkcs8.pem > rsa2048.pkcs8.crlf.pem
# One line, literal backslash-n (two characters) after every line, no real newline.
awk '{ printf "%s\\n", $0 }' rsa2048.pkcs8.pem > rsa2048.pkcs8.escaped.txt
awk '{ printf "%s\\n", $0 }' rsa2048.legacy.aes256.pem > rsa2048.legacy.aes256.escaped.txt
# Two leading blank lines, 4-space indent, 2 trailing spaces on every line,
# then a whitespace-only line and an empty line.
{
  printf '\n\n'
  awk '{ printf "    %s  \n", $0 }' rsa2048.pkcs8.pem
  printf '   \n\n'
} > rsa2048.pkcs8.indented.txt
# One line, a single space in place of each newline, no trailing space or newline.
awk 'NR > 1 { printf " " } { printf "%s", $0 }' rsa2048.pkcs8.pem > rsa2048.pkcs8.oneline.txt

thumbprints rsa2048.crt.pem rsa2048.thumbprints.txt

# ---------------------------------------------------------- chain identity ---
rsa_key "$work/root.key" 2048
openssl req -new -x509 -key "$work/root.key" -subj '/CN=CertCredentials Test Root CA' -days "$DAYS" -sha256 \
  -config "$cnf" -extensions v3_root -out chain.root.crt.pem

rsa_key "$work/intermediate.key" 2048
openssl req -new -key "$work/intermediate.key" -subj '/CN=CertCredentials Test Intermediate CA' \
  -config "$cnf" -out "$work/intermediate.csr"
openssl x509 -req -in "$work/intermediate.csr" -CA chain.root.crt.pem -CAkey "$work/root.key" \
  -days "$DAYS" -sha256 -extfile "$cnf" -extensions v3_intermediate -out chain.intermediate.crt.pem

rsa_key chain.leaf.key.pem 2048
openssl req -new -key chain.leaf.key.pem -subj '/CN=CertCredentials Test chain leaf' \
  -config "$cnf" -out "$work/leaf.csr"
openssl x509 -req -in "$work/leaf.csr" -CA chain.intermediate.crt.pem -CAkey "$work/intermediate.key" \
  -days "$DAYS" -sha256 -extfile "$cnf" -extensions v3_leaf -out chain.leaf.crt.pem

openssl verify -CAfile chain.root.crt.pem -untrusted chain.intermediate.crt.pem chain.leaf.crt.pem > /dev/null \
  || die 'chain does not verify'

awk 1 chain.root.crt.pem chain.intermediate.crt.pem chain.leaf.crt.pem chain.leaf.key.pem > chain.bundle.root-first.pem
awk 1 chain.intermediate.crt.pem chain.leaf.key.pem chain.leaf.crt.pem chain.root.crt.pem > chain.bundle.leaf-middle.pem
awk 1 chain.root.crt.pem chain.intermediate.crt.pem chain.leaf.crt.pem > chain.certs.root-first.pem

awk 1 chain.intermediate.crt.pem chain.root.crt.pem > "$work/cas.pem"
openssl pkcs12 -export -inkey chain.leaf.key.pem -in chain.leaf.crt.pem -certfile "$work/cas.pem" \
  -name 'CertCredentials Test chain leaf' -passout "pass:$PASS" -out chain.leaf.pfx
thumbprints chain.leaf.crt.pem chain.leaf.thumbprints.txt

# -------------------------------------------------------- other identities ---
rsa_key rsa4096.key.pem 4096
self_signed rsa4096.key.pem 'CertCredentials Test rsa4096' rsa4096.crt.pem sha256

rsa_key rsa1024.key.pem 1024
self_signed rsa1024.key.pem 'CertCredentials Test rsa1024' rsa1024.crt.pem sha256

rsa_key other.key.pem 2048
self_signed other.key.pem 'CertCredentials Test other' other.crt.pem sha256
thumbprints other.crt.pem other.thumbprints.txt

openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -pkeyopt ec_param_enc:named_curve -out ec-p256.key.pem
openssl pkey -in ec-p256.key.pem -traditional -out ec-p256.sec1.pem
self_signed ec-p256.key.pem 'CertCredentials Test ec-p256' ec-p256.crt.pem sha256
openssl pkcs12 -export -inkey ec-p256.key.pem -in ec-p256.crt.pem -name 'CertCredentials Test ec-p256' \
  -passout "pass:$PASS" -out ec-p256.pfx
openssl pkcs8 -topk8 -in ec-p256.key.pem -v2 aes-256-cbc -v2prf hmacWithSHA256 \
  -passout "pass:$PASS" -out ec-p256.pkcs8.encrypted.pem
expect_first_line ec-p256.key.pem '-----BEGIN PRIVATE KEY-----'
expect_first_line ec-p256.sec1.pem '-----BEGIN EC PRIVATE KEY-----'
expect_asn1 ec-p256.pkcs8.encrypted.pem PBES2 PBKDF2 hmacWithSHA256 aes-256-cbc

openssl genpkey -quiet -algorithm ED25519 -out ed25519.key.pem
self_signed ed25519.key.pem 'CertCredentials Test ed25519' ed25519.crt.pem # Ed25519 takes no digest
openssl pkcs8 -topk8 -in ed25519.key.pem -v2 aes-256-cbc -v2prf hmacWithSHA256 \
  -passout "pass:$PASS" -out ed25519.pkcs8.encrypted.pem
expect_asn1 ed25519.pkcs8.encrypted.pem PBES2 PBKDF2 hmacWithSHA256 aes-256-cbc

openssl pkcs12 -export -nokeys -in rsa2048.crt.pem -passout "pass:$PASS" -out cert-only.pfx

if command -v ssh-keygen > /dev/null 2>&1; then
  ssh-keygen -q -t rsa -b 2048 -N '' -C 'CertCredentials test throwaway key' -f "$work/id_rsa"
  awk 1 "$work/id_rsa" > rsa2048.openssh.txt
  expect_first_line rsa2048.openssh.txt '-----BEGIN OPENSSH PRIVATE KEY-----'
else
  printf 'make-fixtures.sh: ssh-keygen not found, rsa2048.openssh.txt not generated\n' >&2
fi

# ------------------------------------------------------------ self-checks ---
same_key rsa2048.pkcs8.pem rsa2048.crt.pem
same_key rsa2048.pkcs1.pem rsa2048.crt.pem
same_key chain.leaf.key.pem chain.leaf.crt.pem
same_key rsa4096.key.pem rsa4096.crt.pem
same_key rsa1024.key.pem rsa1024.crt.pem
same_key other.key.pem other.crt.pem
same_key ec-p256.key.pem ec-p256.crt.pem
same_key ec-p256.sec1.pem ec-p256.crt.pem
same_key ed25519.key.pem ed25519.crt.pem

# Every encrypted PEM opens with the passphrase and not with a wrong one.
for f in rsa2048.pkcs8.aes256-sha256.pem rsa2048.pkcs8.aes128-sha1.pem rsa2048.pkcs8.des3-sha256.pem \
         rsa2048.pkcs8.pbe-sha1-3des.pem rsa2048.legacy.aes256.pem rsa2048.legacy.aes128.pem \
         rsa2048.legacy.aes192.pem rsa2048.legacy.des3.pem rsa2048.legacy.des.pem rsa2048.pfx-nocerts.pem \
         ec-p256.pkcs8.encrypted.pem ed25519.pkcs8.encrypted.pem; do
  openssl pkey -provider legacy -provider default -in "$f" -passin "pass:$PASS" -noout \
    || die "$f: does not decrypt with the passphrase"
  if openssl pkey -provider legacy -provider default -in "$f" -passin "pass:$WRONG" -noout 2> /dev/null; then
    die "$f: decrypts with a wrong passphrase"
  fi
done
same_key rsa2048.pkcs8.aes256-sha256.pem rsa2048.crt.pem "$PASS"

# Every PKCS#12 opens with its password and not with a wrong one.
check_p12() { # FILE PASSWORD [extra args]
  openssl pkcs12 -in "$1" -noout -passin "pass:$2" "${@:3}" || die "$1: does not open with its password"
  if openssl pkcs12 -in "$1" -noout -passin "pass:$WRONG" "${@:3}" 2> /dev/null; then
    die "$1: opens with a wrong password"
  fi
}
check_p12 rsa2048.pfx "$PASS"
check_p12 rsa2048.nopass.pfx ''
check_p12 rsa2048.legacy.pfx "$PASS" -legacy
check_p12 chain.leaf.pfx "$PASS"
check_p12 ec-p256.pfx "$PASS"
check_p12 cert-only.pfx "$PASS"

# The base64 files decode back to the exact PKCS#12 / DER bytes.
for pair in rsa2048.pfx:rsa2048.pfx.b64.txt rsa2048.nopass.pfx:rsa2048.nopass.pfx.b64.txt \
            rsa2048.pkcs8.der:rsa2048.pkcs8.b64.txt; do
  bin="${pair%%:*}" b64="${pair#*:}"
  [[ "$(openssl dgst -sha256 -r < "$bin")" == "$(base64 -d < "$b64" | openssl dgst -sha256 -r)" ]] \
    || die "$b64 does not decode to $bin"
done

printf 'make-fixtures.sh: fixtures written to %s\n' "$(pwd)"

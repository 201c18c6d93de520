#!/bin/sh
# tests/tlscerts.sh DIR — throwaway certificates for the TLS tests (EC P-256:
# quick to make). Idempotent: does nothing when DIR/done exists.
#   ca.pem                  the test CA (clients verify against it)
#   mx1.pem mx1.key         default certificate, names mx1.test and localhost
#   combined.pem            mx1's chain and key in one file (qmail's servercert.pem)
#   mx2.pem mx2.key         second certificate, name mx2.test (chosen by SNI)
#   expired.pem expired.key name old.test, notAfter in the past
#   mismatch.pem            mx1's certificate with mx2's key
#   garbage.pem             not PEM at all
set -e
d=$1
[ -n "$d" ] || { echo "usage: tlscerts.sh DIR" >&2; exit 100; }
[ -f "$d/done" ] && exit 0
mkdir -p "$d"
cd "$d"
ec="-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
openssl req -x509 $ec -keyout ca.key -out ca.pem -days 3650 -subj /CN=rcptfilter-test-ca 2>/dev/null
mk() { # name days san
  openssl req $ec -keyout "$1.key" -out "$1.csr" -subj "/CN=$3" 2>/dev/null
  printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' "$4" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -set_serial "$5" -days "$2" -extfile "$1.ext" -out "$1.pem" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}
mk mx1 3650 mx1.test DNS:mx1.test,DNS:localhost 11
mk mx2 3650 mx2.test DNS:mx2.test 12
mk expired -1 old.test DNS:old.test 13
cat mx1.pem mx1.key > combined.pem
cat mx1.pem mx2.key > mismatch.pem
printf 'this is not a certificate\n' > garbage.pem
chmod 644 *.pem *.key
touch done

#!/usr/bin/env bash
# SSL and certificates: verify-ca and verify-full with the harness CA pass
# for the names in the server certificate (IP 127.0.0.1, DNS localhost);
# verify-full fails for a certificate that does not name the host, and
# verify-ca fails with another CA, both with exit 3 and a message about
# the certificate; client certificate authentication (pg_hba "cert")
# works without a password. (Plaintext refused: connect.sh.)
export PGH_EXTRA_HBA="hostssl all tapcert 127.0.0.1/32 cert"
source "$SRCDIR/tests/harness/pg.sh"
pg_start || exit 1
source "$SRCDIR/tests/integration/lib.sh"

C=$PGH_DIR/certs
pg_sql >/dev/null <<'SQL'
CREATE ROLE tapcert LOGIN;
GRANT CONNECT ON DATABASE tapdb TO tapcert;
CREATE TABLE public.hello (id int PRIMARY KEY, msg text);
INSERT INTO public.hello VALUES (1, 'over a client certificate');
GRANT SELECT ON public.hello TO tapcert;
SQL

# Certificates of our own, signed by the harness CA unless said otherwise:
# a client certificate for role tapcert, a server certificate that names
# neither 127.0.0.1 nor localhost, and a CA the server does not use.
(
    cd "$C" || exit 1
    cat >extra.cnf <<'CNF'
[client_ext]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
[other_ext]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:other.invalid
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
CNF
    umask 077
    for k in tapcert other wrongca; do
        openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out "$k.key" 2>/dev/null || exit 1
    done
    openssl req -new -key tapcert.key -subj "/CN=tapcert" -out tapcert.csr &&
    openssl x509 -req -in tapcert.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
        -extfile extra.cnf -extensions client_ext -out tapcert.crt 2>/dev/null &&
    openssl req -new -key other.key -subj "/CN=other.invalid" -out other.csr &&
    openssl x509 -req -in other.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
        -extfile extra.cnf -extensions other_ext -out other.crt 2>/dev/null &&
    openssl req -new -x509 -key wrongca.key -subj "/CN=not the harness CA" -days 2 \
        -extensions ca_ext -config <(printf '[req]\ndistinguished_name=dn\n[dn]\n'; cat extra.cnf) \
        -out wrongca.crt 2>/dev/null || exit 1
    chmod 0644 other.crt wrongca.crt tapcert.crt
    if (( EUID == 0 )); then chown postgres: other.key other.crt; fi
) || fail "openssl could not make the extra certificates"

# check NAME WANT_RC [pg_config_json args...]: --test with that config
check() {
    local name=$1 want=$2
    shift 2
    pg_config_json "$T/$name.json" "$@"
    run_tap "$T/$name.out" "$T/$name.err" --config "$T/$name.json" --test
    assert_exit "$want" "$RC" "$name: exit $want" "$T/$name.err"
}

check verify-ca-ip 0 sslmode='"verify-ca"' sslrootcert="\"$PGH_CA\""
assert_contains "$T/verify-ca-ip.err" "over SSL" "verify-ca: the connection uses SSL"
check verify-full-ip 0 sslmode='"verify-full"' sslrootcert="\"$PGH_CA\""
check verify-full-localhost 0 host='"localhost"' sslmode='"verify-full"' sslrootcert="\"$PGH_CA\""
check url-verify-full 0 host= port= user= password= dbname= \
    database_url="\"postgresql://tap:$PGH_PASSWORD@localhost:$PGH_PORT/tapdb?sslmode=verify-full&sslrootcert=$PGH_CA\""

check wrong-ca 3 sslmode='"verify-ca"' sslrootcert="\"$C/wrongca.crt\""
assert_contains "$T/wrong-ca.err" "certificate" "wrong CA: the message is about the certificate"
grep -q '^CRITICAL ' <(tail -n 1 "$T/wrong-ca.err") || fail "wrong CA: the last line is CRITICAL"

# A server certificate that names neither 127.0.0.1 nor localhost.
pg_sql >/dev/null <<SQL
ALTER SYSTEM SET ssl_cert_file = '$C/other.crt';
ALTER SYSTEM SET ssl_key_file = '$C/other.key';
SELECT pg_reload_conf();
SQL
sleep 1
check verify-full-other-name 3 sslmode='"verify-full"' sslrootcert="\"$PGH_CA\""
assert_contains "$T/verify-full-other-name.err" 'does not match host name' "verify-full: names the mismatch"
check verify-full-other-localhost 3 host='"localhost"' sslmode='"verify-full"' sslrootcert="\"$PGH_CA\""
check verify-ca-other-name 0 sslmode='"verify-ca"' sslrootcert="\"$PGH_CA\""
pg_sql >/dev/null <<'SQL'
ALTER SYSTEM RESET ssl_cert_file;
ALTER SYSTEM RESET ssl_key_file;
SELECT pg_reload_conf();
SQL
sleep 1

# Client certificate authentication: no password at all.
CERTCFG=(user='"tapcert"' password= sslmode='"verify-full"' sslrootcert="\"$PGH_CA\""
         sslcert="\"$C/tapcert.crt\"" sslkey="\"$C/tapcert.key\"")
check client-cert 0 "${CERTCFG[@]}"
run_tap "$T/cc.catalog" "$T/cc.err" --config "$T/client-cert.json" --discover
assert_ok "$T/cc.err" "client certificate: discovery"
python3 "$SELECT" "$T/cc.catalog" "$T/cc.sel" public.hello
run_tap "$T/cc.out" "$T/cc2.err" --config "$T/client-cert.json" --catalog "$T/cc.sel"
assert_ok "$T/cc2.err" "client certificate: sync"
assert_eq 1 "$(python3 "$MSGS" count "$T/cc.out" hello)" "client certificate: the row arrives"
check client-cert-missing 3 user='"tapcert"' password= sslmode='"verify-full"' sslrootcert="\"$PGH_CA\""
assert_contains "$T/client-cert-missing.err" "certificate" "no client certificate: the message says so"
# The harness's own client certificate has CN=tap: not tapcert.
check client-cert-wrong-cn 3 user='"tapcert"' password= sslmode='"verify-full"' sslrootcert="\"$PGH_CA\"" \
    sslcert="\"$PGH_CLIENT_CERT\"" sslkey="\"$PGH_CLIENT_KEY\""
assert_done

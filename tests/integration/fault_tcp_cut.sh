#!/usr/bin/env bash
# The TCP connection is cut mid-stream (a proxy between the tap and the
# server resets it, as a dead NAT entry or a firewall would): exit 3, one
# CRITICAL line naming the stream, every STATE true, and a run from the last
# STATE completes without losing a row changed in between.
#
# Then a black hole (the proxy stops forwarding without closing anything):
# the tap cannot tell a silent server from a slow one and has no read
# timeout of its own, so it waits; what must hold is that the orchestrator's
# SIGTERM still ends it promptly (exit 143) with a true last STATE, and that
# a run from that STATE completes.
source "$SRCDIR/tests/harness/pg.sh"
pg_start || exit 1
source "$SRCDIR/tests/integration/lib.sh"
source "$SRCDIR/tests/integration/fault_lib.sh"
pg_config_json "$T/config.json"

PROXY_PID=
stop_proxy() {
    [[ -n $PROXY_PID ]] || return 0
    kill -TERM "$PROXY_PID" 2>/dev/null
    wait "$PROXY_PID" 2>/dev/null
    PROXY_PID=
}
pg_on_exit stop_proxy
start_proxy() {
    local i
    rm -f "$T/proxy.port"
    python3 "$SRCDIR/tests/harness/tcpproxy.py" "$PGH_PORT" "$T/proxy.port" 2>>"$T/proxy.log" &
    PROXY_PID=$!
    for ((i = 0; i < 100; i++)); do
        [[ -s $T/proxy.port ]] && break
        sleep 0.1
    done
    [[ -s $T/proxy.port ]] || fail "the proxy did not start"
    pg_config_json "$T/proxy.json" port="$(cat "$T/proxy.port")"
}

# --- cut: RST on the tap's connection -----------------------------------
start_proxy
fault_table
fault_start "$T/proxy.json"
fault_wait_records 40000
kill -USR1 "$PROXY_PID"
fault_wait_exit 30
fault_check_run1 3 '^CRITICAL reading stream "tapdb-public-big" failed: the connection to the server was lost: [^ ]'
grep -q "connected to PostgreSQL .* with SSL" "$T/r1.err" || fail "the tap did not use SSL through the proxy"
pass "SSL passed through the proxy"

fault_change
fault_resume "$T/proxy.json" "after the cut, through the proxy"

# --- black hole, then SIGTERM ---------------------------------------------
fault_table
fault_start "$T/proxy.json"
fault_wait_records 40000
kill -USR2 "$PROXY_PID"
# give whatever was buffered time to drain, then check it is still waiting
for ((i = 0; i < 50; i++)); do
    a=$(stat -c %s "$T/r1.out"); sleep 0.2; b=$(stat -c %s "$T/r1.out")
    [[ $a == "$b" ]] && break
done
fault_alive "$TAP_PID" || fail "black hole: the tap ended by itself (unexpected; see $T/r1.err)"
kill -TERM "$TAP_PID"
fault_wait_exit 15
fault_check_run1 143 '^CRITICAL stopped by SIGTERM; the last STATE written is where the next run resumes$'
[[ $(python3 "$MSGS" seq "$T/r1.out" | awk '{print $NF}') == STATE ]] ||
    fail "black hole: the last message after SIGTERM is not a STATE"
pass "black hole: SIGTERM ends the run with a STATE last"
stop_proxy

fault_change
fault_resume "$T/config.json" "after the black hole"
assert_done

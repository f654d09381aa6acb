# shellcheck shell=bash
# tests/harness/pg.sh: a throwaway PostgreSQL cluster for integration tests.
#
#   source "$SRCDIR/tests/harness/pg.sh"
#   pg_start                      # initdb + start; stopped and removed on exit
#   pg_sql [db] [psql args] <<'SQL' ... SQL     # superuser, -At output
#   v=$(pg_sql_value [db] "SELECT ...")
#   pg_load_fixture alltypes [db] # tests/fixtures/alltypes.sql
#   pg_config_json FILE [key=json_value ...]   # key= (empty) drops the key
#   pg_conninfo [key=value ...]   # libpq conninfo for user tap over TCP+SSL
#   pg_stop | pg_stop_immediate | pg_restart_immediate | pg_resume
#   pg_set_next_xid XID [EPOCH]   # freeze, stop, pg_resetwal -x, start again
#   pg_on_exit 'command'          # extra cleanup; never `trap ... EXIT` yourself
#
# Environment read by pg_start: PGH_SSL=off, PGH_EXTRA_CONF (lines for
# postgresql.conf), PGH_EXTRA_HBA (pg_hba.conf lines, placed before the
# harness's own TCP lines so they win), PG_BINDIR (server binaries),
# TAP_TEST_KEEP=1 (keep the directory when the test fails; 2: always),
# PGH_QUIET=1 (no log tail on failure).
#
# Exported after pg_start: PGH_DIR PGH_PORT PGH_HOST PGH_USER PGH_PASSWORD
# PGH_DB PGH_LOG PGH_CA PGH_CLIENT_CERT PGH_CLIENT_KEY PGH_BINDIR
# (and PGH_SERVER_CERT PGH_SERVER_KEY PGH_SOCKDIR PGH_DATA).
#
# Functions return non-zero on failure instead of relying on the caller's
# `set -e`, because `pg_start || ...` switches errexit off inside them.

# libpq reads these; a test must get exactly the connection it asks for, so
# nothing leaks in from the developer's shell.
unset PGHOST PGHOSTADDR PGPORT PGUSER PGPASSWORD PGDATABASE PGSERVICE \
      PGSERVICEFILE PGSSLMODE PGSSLROOTCERT PGSSLCERT PGSSLKEY PGSSLCRL \
      PGREQUIRESSL PGOPTIONS PGAPPNAME PGCONNECT_TIMEOUT PGPASSFILE \
      PGTARGETSESSIONATTRS PGDATA DATABASE_URL

_PGH_HARNESS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
_PGH_FIXTURES=$_PGH_HARNESS_DIR/../fixtures

_pgh_err() { printf 'harness: %s\n' "$*" >&2; }

# Highest installed server version wins; PG_BINDIR overrides.
_pgh_find_bindir() {
    local d
    if [[ -n ${PG_BINDIR:-} ]]; then
        [[ -x $PG_BINDIR/initdb && -x $PG_BINDIR/pg_ctl ]] && { echo "$PG_BINDIR"; return 0; }
        return 1
    fi
    d=$(printf '%s\n' /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1)
    if [[ -x $d ]]; then dirname "$d"; return 0; fi
    d=$(command -v initdb 2>/dev/null) && { dirname "$d"; return 0; }
    if d=$(pg_config --bindir 2>/dev/null) && [[ -x $d/initdb ]]; then
        echo "$d"; return 0
    fi
    return 1
}

# PostgreSQL refuses to run as root, so under root (CI) the server runs as
# the unprivileged OS user Debian's package creates.
_pgh_as_server() {
    if (( EUID == 0 )); then
        (cd "$PGH_DIR" && HOME=$PGH_DIR setpriv --reuid="$_PGH_OS_USER" \
            --regid="$_PGH_OS_GROUP" --init-groups -- "$@")
    else
        (cd "$PGH_DIR" && "$@")
    fi
}

_pgh_pg_ctl() { _pgh_as_server "$PGH_BINDIR/pg_ctl" -D "$PGH_DATA" "$@"; }

_pgh_running() {
    [[ -n ${PGH_DATA:-} && -d $PGH_DATA ]] || return 1
    _pgh_pg_ctl status >/dev/null 2>&1
}

# After a failure: the server's errors (not the last lines, which are mostly
# one long multi-line statement) and where the whole log is.
_pgh_log_tail() {
    [[ ${PGH_QUIET:-0} == 1 ]] && return 0
    [[ -n ${PGH_LOG:-} && -s $PGH_LOG ]] || return 0
    local errs
    errs=$(grep -E ' (ERROR|FATAL|PANIC|WARNING|STATEMENT): ' "$PGH_LOG" |
           tail -n 12 | cut -c1-400)
    if [[ -n $errs ]]; then
        _pgh_err "server log ($PGH_LOG), last errors:"
        printf '%s\n' "$errs" | sed 's/^/  | /' >&2
    else
        _pgh_err "server log ($PGH_LOG), last lines:"
        tail -n 8 "$PGH_LOG" | cut -c1-400 | sed 's/^/  | /' >&2
    fi
}

_pgh_randhex() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }

# Something already accepting connections there?  The bind race that remains
# is handled by retrying pg_ctl start.
_pgh_port_busy() { (: <>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

_pgh_pick_port() {
    local p i
    for i in $(seq 1 50); do
        p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40001 ))
        _pgh_port_busy "$p" || { echo "$p"; return 0; }
    done
    return 1
}

# EC keys: RSA generation is slow on a 2-core CI box, EC costs nothing.
_pgh_gen_certs() {
    local c=$PGH_DIR/certs
    mkdir -p "$c" && chmod 0755 "$c" || return 1
    cat >"$c/openssl.cnf" <<'EOF' || return 1
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1,IP:::1
authorityKeyIdentifier = keyid
[client_ext]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
EOF
    # One && chain: `set -e` would be ignored here when the caller runs
    # pg_start in a `||` or `if` context.
    local k
    for k in ca server client; do
        (umask 077 && openssl genpkey -algorithm EC \
            -pkeyopt ec_paramgen_curve:prime256v1 -out "$c/$k.key") 2>/dev/null ||
            { _pgh_err "openssl genpkey failed"; return 1; }
    done
    (
        cd "$c" &&
        openssl req -new -x509 -key ca.key -subj "/CN=tap-postgres test CA" \
            -days 30 -config openssl.cnf -extensions ca_ext -out ca.crt &&
        openssl req -new -key server.key -subj "/CN=localhost" \
            -config openssl.cnf -out server.csr &&
        openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key \
            -CAcreateserial -days 30 -extfile openssl.cnf -extensions server_ext \
            -out server.crt 2>/dev/null &&
        openssl req -new -key client.key -subj "/CN=tap" \
            -config openssl.cnf -out client.csr &&
        openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key \
            -CAcreateserial -days 30 -extfile openssl.cnf -extensions client_ext \
            -out client.crt 2>/dev/null &&
        rm -f server.csr client.csr &&
        chmod 0644 ca.crt server.crt client.crt &&
        chmod 0600 server.key client.key ca.key &&
        # The server wants its key 0600 and owned by itself.
        if (( EUID == 0 )); then chown "$_PGH_OS_USER:$_PGH_OS_GROUP" server.key; fi
    ) || { _pgh_err "openssl could not make the test certificates"; return 1; }
    export PGH_CA=$c/ca.crt PGH_SERVER_CERT=$c/server.crt PGH_SERVER_KEY=$c/server.key
    export PGH_CLIENT_CERT=$c/client.crt PGH_CLIENT_KEY=$c/client.key
}

_pgh_write_conf() {
    local port=$1 conf=$PGH_DATA/harness.conf ssl=on
    [[ ${PGH_SSL:-on} == off ]] && ssl=off
    {
        echo "# written by tests/harness/pg.sh"
        echo "port = $port"
        echo "listen_addresses = '127.0.0.1'"
        echo "unix_socket_directories = '$PGH_SOCKDIR'"
        echo "unix_socket_permissions = 0777"
        echo "ssl = $ssl"
        if [[ $ssl == on ]]; then
            echo "ssl_cert_file = '$PGH_SERVER_CERT'"
            echo "ssl_key_file = '$PGH_SERVER_KEY'"
            echo "ssl_ca_file = '$PGH_CA'"
        fi
        # Throwaway data: durability off; autovacuum off so row counts
        # (pg_class.reltuples) only change when a test says so.
        echo "fsync = off"
        echo "synchronous_commit = off"
        echo "full_page_writes = off"
        echo "autovacuum = off"
        # A table beyond a quarter of shared_buffers is read in one pass
        # (README, "Sync"); at 128MB the tests'
        # multi-range tables (up to ~3,500 blocks) stay below that, and
        # sync_buffer_ring sets a smaller value of its own.
        echo "shared_buffers = 128MB"
        echo "max_connections = 20"
        echo "max_wal_senders = 0"
        echo "wal_level = minimal"
        echo "logging_collector = off"
        echo "log_statement = 'all'"
        echo "log_connections = on"
        echo "log_line_prefix = '%m [%p] %q[app=%a db=%d user=%u] '"
        echo "timezone = 'UTC'"
        echo "log_timezone = 'UTC'"
        echo "lc_messages = 'C'"
        if [[ -n ${PGH_EXTRA_CONF:-} ]]; then
            echo "# PGH_EXTRA_CONF"
            printf '%s\n' "$PGH_EXTRA_CONF"
        fi
    } >"$conf" || return 1
    if (( EUID == 0 )); then chown "$_PGH_OS_USER:$_PGH_OS_GROUP" "$conf"; fi
}

_pgh_write_hba() {
    local hba=$PGH_DATA/pg_hba.conf
    {
        echo "# written by tests/harness/pg.sh"
        echo "local all all trust"
        if [[ -n ${PGH_EXTRA_HBA:-} ]]; then
            echo "# PGH_EXTRA_HBA"
            printf '%s\n' "$PGH_EXTRA_HBA"
        fi
        if [[ ${PGH_SSL:-on} == off ]]; then
            echo "host all all 127.0.0.1/32 scram-sha-256"
            echo "host all all ::1/128 scram-sha-256"
        else
            echo "hostssl all all 127.0.0.1/32 scram-sha-256"
            echo "hostssl all all ::1/128 scram-sha-256"
            # Plaintext TCP must fail, so tests can prove the tap uses SSL.
            echo "hostnossl all all 0.0.0.0/0 reject"
            echo "hostnossl all all ::/0 reject"
        fi
    } >"$hba"
}

# Stops the cluster if this shell's owner exits without running its EXIT
# trap (SIGKILL from a test runner's timeout, or a test that replaced the
# trap).  Runs in its own session so the process-group kill misses it.
_pgh_start_watchdog() {
    local owner=$BASHPID
    # Double fork: not our child, so a bare `wait` in a test never waits
    # for it.
    # shellcheck disable=SC2016 # expanded by the watchdog's own bash
    ( setsid bash -c '
        owner=$1 dir=$2
        while kill -0 "$owner" 2>/dev/null && [[ -d $dir ]]; do sleep 1; done
        [[ -d $dir ]] || exit 0
        if [[ -f $dir/data/postmaster.pid ]]; then
            pid=$(head -n 1 "$dir/data/postmaster.pid")
            kill -QUIT "$pid" 2>/dev/null
            for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        fi
        [[ -e $dir/.keep ]] || rm -rf "$dir"
    ' pgh-watchdog "$owner" "$PGH_DIR" </dev/null >/dev/null 2>&1 & )
}

_pgh_initdb() {
    local out
    if ! out=$(_pgh_as_server "$PGH_BINDIR/initdb" -D "$PGH_DATA" -U postgres \
            --auth-local=trust --auth-host=scram-sha-256 -N -E UTF8 \
            --locale=C.UTF-8 2>&1); then
        _pgh_err "initdb failed:"
        printf '%s\n' "$out" | sed 's/^/  | /' >&2
        return 1
    fi
    printf '%s\n' "$out" >"$PGH_DIR/initdb.log"
}

# Extra cleanup, run in reverse order at exit before the cluster stops.
# Hooks belong to the shell that registered them (a subshell starts afresh)
# and survive pg_stop + pg_start.
pg_on_exit() {
    if [[ ${_PGH_HOOKS_PID:-} != "$BASHPID" ]]; then
        _PGH_EXIT_HOOKS=()
        _PGH_HOOKS_PID=$BASHPID
    fi
    _PGH_EXIT_HOOKS+=("$1")
    _pgh_install_traps
}

_pgh_exit_trap() {
    local rc=$? i
    set +e
    if [[ ${_PGH_HOOKS_PID:-} == "$BASHPID" ]]; then
        for (( i=${#_PGH_EXIT_HOOKS[@]}-1; i>=0; i-- )); do
            eval "${_PGH_EXIT_HOOKS[i]}"
        done
    fi
    # Only the shell that started the cluster stops it.
    if [[ ${_PGH_OWNER:-} == "$BASHPID" ]]; then
        _pgh_stop_rc "$rc"
    fi
    if [[ ${_PGH_TRAP_PID:-} == "$BASHPID" && -n ${_PGH_PREV_EXIT_TRAP:-} ]]; then
        eval "$_PGH_PREV_EXIT_TRAP"
    fi
    exit "$rc"
}

# Once per shell.  An EXIT trap the test set before is kept and run last.
_pgh_install_traps() {
    [[ ${_PGH_TRAP_PID:-} == "$BASHPID" ]] && return 0
    _PGH_TRAP_PID=$BASHPID
    _PGH_PREV_EXIT_TRAP=
    local prev
    prev=$(trap -p EXIT)
    # A subshell's `trap -p` shows its parent's traps, which it does not
    # run: chain an earlier EXIT trap only at the top level.
    if (( BASH_SUBSHELL == 0 )) && [[ -n $prev && $prev != *_pgh_exit_trap* ]]; then
        local -a words
        eval "words=($prev)"     # trap -- 'command' EXIT
        _PGH_PREV_EXIT_TRAP=${words[2]}
    fi
    trap _pgh_exit_trap EXIT
    # Turn signals into an exit so the EXIT trap does the cleaning.
    trap 'exit 129' HUP
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# rc: the exit status deciding whether TAP_TEST_KEEP keeps the directory.
_pgh_stop_rc() {
    local rc=${1:-0} keep=0
    [[ -n ${PGH_DIR:-} && -d ${PGH_DIR:-/nonexistent} ]] || { _PGH_OWNER=; return 0; }
    if [[ $rc != 0 && $rc != 77 ]]; then
        _pgh_log_tail
        [[ ${TAP_TEST_KEEP:-0} == 1 ]] && keep=1
    fi
    [[ ${TAP_TEST_KEEP:-0} == 2 ]] && keep=1
    if _pgh_running; then
        _pgh_pg_ctl -m fast -w -t 30 stop >/dev/null 2>&1 ||
            _pgh_pg_ctl -m immediate -w -t 30 stop >/dev/null 2>&1 ||
            _pgh_err "could not stop the server in $PGH_DIR"
    fi
    if (( keep )); then
        touch "$PGH_DIR/.keep" 2>/dev/null
        _pgh_err "kept $PGH_DIR (TAP_TEST_KEEP=$TAP_TEST_KEEP)"
    else
        rm -rf "$PGH_DIR"
    fi
    _PGH_OWNER=
    return 0
}

pg_start() {
    if [[ ${_PGH_OWNER:-} == "$BASHPID" ]]; then
        _pgh_err "pg_start: a cluster is already running in this shell ($PGH_DIR)"
        return 1
    fi
    local bindir
    if ! bindir=$(_pgh_find_bindir); then
        echo "1..0 # SKIP no PostgreSQL server binaries (initdb/pg_ctl; set PG_BINDIR)"
        exit 77
    fi
    if ! command -v openssl >/dev/null; then
        echo "1..0 # SKIP openssl not installed"
        exit 77
    fi
    export PGH_BINDIR=$bindir
    _PGH_PSQL=$PGH_BINDIR/psql
    [[ -x $_PGH_PSQL ]] || _PGH_PSQL=psql

    if (( EUID == 0 )); then
        _PGH_OS_USER=${PGH_OS_USER:-postgres}
        if ! id -u "$_PGH_OS_USER" >/dev/null 2>&1; then
            echo "1..0 # SKIP running as root and there is no '$_PGH_OS_USER' OS user to run the server"
            exit 77
        fi
        _PGH_OS_GROUP=$(id -gn "$_PGH_OS_USER")
    fi

    # The server user must reach the directory: under root, a TMPDIR below
    # /root would not do, so /tmp it is.
    local tmp=${TMPDIR:-/tmp}
    (( EUID == 0 )) && tmp=/tmp
    PGH_DIR=$(mktemp -d "$tmp/pgh.XXXXXXXX") || { _pgh_err "mktemp failed"; return 1; }
    export PGH_DIR
    _PGH_OWNER=$BASHPID
    _pgh_install_traps
    chmod 0755 "$PGH_DIR"
    if (( EUID == 0 )); then chown "$_PGH_OS_USER:$_PGH_OS_GROUP" "$PGH_DIR"; fi
    export PGH_DATA=$PGH_DIR/data PGH_SOCKDIR=$PGH_DIR
    export PGH_LOG=$PGH_DIR/server.log PGH_HOST=127.0.0.1
    export PGH_USER=tap PGH_DB=tapdb
    PGH_PASSWORD="tap-Pw-$(_pgh_randhex 12)"
    export PGH_PASSWORD
    export PGH_PORT=
    _pgh_start_watchdog

    _pgh_gen_certs || return 1

    _pgh_initdb || return 1
    echo "include = 'harness.conf'" >>"$PGH_DATA/postgresql.conf"
    _pgh_write_hba || return 1

    # Tests run in parallel: a port can be taken between the check and the
    # bind, so retry a few times with another one.
    local attempt port started=0
    for attempt in 1 2 3 4 5; do
        port=$(_pgh_pick_port) || { _pgh_err "no free port found"; return 1; }
        _pgh_write_conf "$port" || return 1
        if _pgh_pg_ctl -l "$PGH_LOG" -w -t 60 start >>"$PGH_DIR/pg_ctl.log" 2>&1; then
            started=1
            break
        fi
        if ! grep -qE 'could not bind|Address already in use|could not create any TCP/IP sockets' "$PGH_LOG" 2>/dev/null; then
            break
        fi
    done
    if (( ! started )); then
        _pgh_err "the server did not start (attempt $attempt, port $port)"
        tail -n 20 "$PGH_DIR/pg_ctl.log" 2>/dev/null | sed 's/^/  | /' >&2
        PGH_QUIET=0 _pgh_log_tail
        return 1
    fi
    export PGH_PORT=$port

    # log_statement off for this session: the password must not reach the
    # server log, so tests may grep the log for it too.
    if ! PGOPTIONS="-c log_statement=none" _pgh_psql postgres >>"$PGH_DIR/setup.log" 2>&1 <<SQL
CREATE ROLE tap LOGIN PASSWORD '$PGH_PASSWORD';
CREATE DATABASE tapdb OWNER postgres;
GRANT CONNECT ON DATABASE tapdb TO tap;
\\c tapdb
CREATE EXTENSION hstore;
CREATE EXTENSION citext;
SQL
    then
        _pgh_err "setting up role tap and database tapdb failed:"
        sed 's/^/  | /' "$PGH_DIR/setup.log" >&2
        PGH_QUIET=0 _pgh_log_tail
        return 1
    fi
    return 0
}

# psql as the superuser over the private socket; quiet, stops at the first
# error, no ~/.psqlrc, NOTICEs hidden.
_pgh_psql() {
    local db=$1; shift
    PGOPTIONS="-c client_min_messages=warning ${PGOPTIONS:-}" \
        "$_PGH_PSQL" -X -q -v ON_ERROR_STOP=1 -h "$PGH_SOCKDIR" -p "$PGH_PORT" \
        -U postgres -d "$db" "$@"
}

_pgh_need_running() {
    [[ -n ${PGH_PORT:-} && -n ${PGH_DIR:-} && -d $PGH_DIR ]] && return 0
    _pgh_err "${FUNCNAME[1]}: no cluster (call pg_start first)"
    return 1
}

# pg_sql [db] [extra psql args]: SQL from stdin (or -c/-f in the args);
# output unaligned, tuples only, fields separated by '|'.
pg_sql() {
    _pgh_need_running || return 1
    local db=$PGH_DB
    if [[ $# -gt 0 && $1 != -* ]]; then db=$1; shift; fi
    _pgh_psql "$db" -At "$@"
}

# pg_sql_value [db] "SELECT ...": the value, as psql -At prints it.
pg_sql_value() {
    _pgh_need_running || return 1
    local db=$PGH_DB
    if [[ $# -gt 1 ]]; then db=$1; shift; fi
    _pgh_psql "$db" -At -c "$1"
}

# pg_load_fixture NAME|PATH [db]: tests/fixtures/NAME.sql as the superuser.
pg_load_fixture() {
    local f=$1 db=${2:-$PGH_DB}
    [[ -f $f ]] || f=$_PGH_FIXTURES/$1.sql
    [[ -f $f ]] || { _pgh_err "pg_load_fixture: no fixture '$1'"; return 1; }
    pg_sql "$db" -f "$f" >/dev/null
}

# pg_config_json FILE [key=json_value ...]: a tap config for user tap over
# TCP with SSL.  Values are JSON (strings need their quotes); key= with an
# empty value removes the key.
pg_config_json() {
    _pgh_need_running || return 1
    local file=$1; shift
    python3 - "$file" "$PGH_PORT" "$PGH_PASSWORD" "$@" <<'PY'
import json, os, sys
path, port, pw, *kvs = sys.argv[1:]
cfg = {"host": "127.0.0.1", "port": int(port), "user": "tap",
       "password": pw, "dbname": "tapdb", "sslmode": "require"}
# TAP_TEST_PARALLEL=N runs a test's syncs over N connections (the fault
# tests run twice: with one connection and with two)
if os.environ.get("TAP_TEST_PARALLEL"):
    cfg["parallel_connections"] = int(os.environ["TAP_TEST_PARALLEL"])
for kv in kvs:
    key, sep, val = kv.partition("=")
    if not sep:
        sys.exit(f"pg_config_json: '{kv}' is not key=json_value")
    if val == "":
        cfg.pop(key, None)
        continue
    try:
        cfg[key] = json.loads(val)
    except ValueError as e:
        sys.exit(f"pg_config_json: value of '{key}' is not JSON ({e}): {val}")
with open(path, "w") as f:
    json.dump(cfg, f, indent=2)
    f.write("\n")
PY
}

# pg_conninfo [key=value ...]: conninfo for user tap over TCP (password
# not included: pass PGPASSWORD=$PGH_PASSWORD to the client).
pg_conninfo() {
    _pgh_need_running || return 1
    local s="host=$PGH_HOST port=$PGH_PORT user=$PGH_USER dbname=$PGH_DB sslmode=require"
    (( $# )) && s+=" $*"
    printf '%s\n' "$s"
}

# Stops the cluster now and removes its directory (idempotent).
pg_stop() { _pgh_stop_rc 0; }

# Crash-style stop; the directory stays until exit (or pg_resume).
# The cluster runs with synchronous_commit=off: a commit just before an
# immediate stop can be lost. Run CHECKPOINT first when it matters.
pg_stop_immediate() {
    _pgh_need_running || return 1
    _pgh_running || return 0
    _pgh_pg_ctl -m immediate -w -t 30 stop >>"$PGH_DIR/pg_ctl.log" 2>&1
}

# Crash-style restart on the same port (crash recovery on the way up).
pg_restart_immediate() {
    _pgh_need_running || return 1
    _pgh_pg_ctl -l "$PGH_LOG" -m immediate -w -t 60 restart >>"$PGH_DIR/pg_ctl.log" 2>&1 ||
        { _pgh_err "restart failed"; PGH_QUIET=0 _pgh_log_tail; return 1; }
}

# Starts again a cluster stopped by pg_stop_immediate, same port.
pg_resume() {
    _pgh_need_running || return 1
    _pgh_running && return 0
    _pgh_pg_ctl -l "$PGH_LOG" -w -t 60 start >>"$PGH_DIR/pg_ctl.log" 2>&1 ||
        { _pgh_err "start failed"; PGH_QUIET=0 _pgh_log_tail; return 1; }
}

# pg_set_next_xid XID [EPOCH]: moves the cluster's transaction counter to
# XID (32-bit, >= 3) in EPOCH (default: unchanged), in seconds, to test
# wraparound. Every row of every database is frozen first: a row whose xmin
# lies on the far side of the jump would otherwise look like it came from
# the future and vanish. Then a clean stop, pg_resetwal -x (with -u, so that
# the oldest unfrozen transaction is the new one and the server does not
# refuse to assign IDs), a zeroed pg_xact segment for the new ID (the server
# reads the commit-status page of its next ID at startup; a segment holds
# 32 pages of 32,768 transactions, named by XID / 1048576 in hex), and a
# start on the same port. Then every database is vacuumed again, so that
# each table's relfrozenxid (still the one from before the jump, which now
# looks like the future) is the new ID, as a real cluster's would be.
pg_set_next_xid() {
    _pgh_need_running || return 1
    local xid=$1 epoch=${2:-} db seg
    [[ $xid =~ ^[0-9]+$ ]] && (( xid >= 3 && xid <= 4294967295 )) ||
        { _pgh_err "pg_set_next_xid: '$xid' is not a transaction id from 3 to 4294967295"; return 1; }
    for db in $(_pgh_psql postgres -At -c "SELECT datname FROM pg_database WHERE datallowconn"); do
        _pgh_psql "$db" -c "VACUUM FREEZE" || { _pgh_err "VACUUM FREEZE in $db failed"; return 1; }
    done
    _pgh_pg_ctl -m fast -w -t 60 stop >>"$PGH_DIR/pg_ctl.log" 2>&1 ||
        { _pgh_err "pg_set_next_xid: stop failed"; return 1; }
    seg=$(printf '%04X' $(( xid / 1048576 )))
    if [[ ! -e $PGH_DATA/pg_xact/$seg ]]; then
        _pgh_as_server dd if=/dev/zero of="$PGH_DATA/pg_xact/$seg" bs=8192 count=32 status=none ||
            { _pgh_err "pg_set_next_xid: could not create pg_xact/$seg"; return 1; }
    fi
    _pgh_as_server "$PGH_BINDIR/pg_resetwal" -x "$xid" -u "$xid" ${epoch:+-e "$epoch"} \
        -D "$PGH_DATA" >>"$PGH_DIR/pg_ctl.log" 2>&1 ||
        { _pgh_err "pg_resetwal failed:"; tail -n 5 "$PGH_DIR/pg_ctl.log" >&2; return 1; }
    _pgh_pg_ctl -l "$PGH_LOG" -w -t 60 start >>"$PGH_DIR/pg_ctl.log" 2>&1 ||
        { _pgh_err "start after pg_resetwal failed"; PGH_QUIET=0 _pgh_log_tail; return 1; }
    for db in $(_pgh_psql postgres -At -c "SELECT datname FROM pg_database WHERE datallowconn"); do
        _pgh_psql "$db" -c "VACUUM FREEZE" || { _pgh_err "VACUUM FREEZE in $db after the jump failed"; return 1; }
    done
}

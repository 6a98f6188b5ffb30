#!/usr/bin/env bash
# Fan-out: wall time to run `uname -a` on 100 SSH targets with gatehouse (one exec task), with
# `ansible -m command -f 50` and with `parallel-ssh -p 50`, all three in the same run, on loopback.
#
#   sudo bench/fanout/run.sh          (root: the sshd fixtures need it)
#
# Targets: BENCH_SSHD throwaway sshd instances (tests/fixtures/sshd.sh, each on its own port) that
# each also listen on 127.0.0.2 .. 127.0.0.10 (sshd takes at most 16 listen addresses), so that the
# 100 targets are 100 distinct (address, port) pairs: no tool can share a connection between two. All three log in as
# the fixture's unprivileged user with the same ed25519 client key and skip host-key prompts
# (gatehouse pins on first use; ansible host_key_checking=False; parallel-ssh
# StrictHostKeyChecking=no; ansible and parallel-ssh with UserKnownHostsFile=/dev/null and
# `ssh -F /dev/null`, so no ssh_config of this machine changes what they do).
#
# What is timed, per round, each tool cold (a fresh SSH handshake to every target):
#   gatehouse     POST /api/v1/tasks {kind: exec, concurrency: 50} until GET /api/v1/tasks/{id}
#                 shows a final state (polled every 20 ms). The server is already running, as a
#                 control plane is; every round creates 100 fresh server entries, so no idle session
#                 of an earlier round can be reused (gatehouse keeps sessions per server for 60 s).
#   ansible       `ansible all -i INVENTORY -m command -a 'uname -a' -f 50`, the whole process
#                 (interpreter start included), ansible defaults otherwise: ControlMaster/ControlPersist
#                 in a fresh control directory per round (the masters are closed after the round),
#                 no pipelining. ansible_python_interpreter=/usr/bin/python3 spares it the interpreter
#                 discovery round trip (favours ansible).
#   parallel-ssh  `parallel-ssh -p 50 -h HOSTS -o OUTDIR 'uname -a'`, the whole process.
# The order of the three rotates from round to round. A run only counts when all 100 targets
# answered with exit status 0 and an output containing "Linux" (checked untimed, after the run);
# otherwise the bench stops with an error. The `logins` column counts "Accepted publickey" lines
# the sshd instances logged during the run: 100 means cold. A last, separately labelled line
# re-runs gatehouse on the last round's servers while their sessions are idle in its pool (warm,
# expected 0 logins, after one untimed run: see the comment there); it is not part of the verdict.
#
# Reading the result: the table shows the median wall time of the rounds per tool. The headline
# ratios ansible/gatehouse and parallel-ssh/gatehouse are the medians of the per-round ratios
# (each round runs all three back to back, so drift in background load cancels out); absolute
# times on a shared 2-core machine are noise. Targets: ansible/gatehouse >= 3, parallel-ssh/
# gatehouse >= 1. Also printed: gatehouse's peak RSS (VmHWM) over the whole run.
# The targets run on the same 2 cores as the tools, so work a tool makes the targets do (sshd,
# ansible's remote python) slows it down here more than on a real fleet. The `client CPU s`
# column separates the tools' own CPU time (user + system): the gatehouse process over the timed
# span, or the ansible / parallel-ssh process tree (not sshd, not the remote commands; ansible's
# ControlPersist masters detach and are not counted either).
#
# Environment:
#   GATEHOUSE_BIN   binary to measure (default: build/release/src/cli/gatehouse, built if missing)
#   BENCH_ROUNDS    measured rounds, each running all three tools (default 3)
#   BENCH_TARGETS   number of targets (default 100), BENCH_SSHD sshd instances (default 10; each
#                   listens on BENCH_TARGETS / BENCH_SSHD addresses, at most 16)
#   BENCH_FORKS     parallelism of every tool: gatehouse concurrency, ansible -f, parallel-ssh -p
#                   (default 50)
#   BENCH_TIMEOUT   seconds one tool run may take before the bench fails (default 300)
#   BENCH_WARM=0    skip the warm gatehouse line
#   BENCH_STRICT=1  exit 3 when a target (>= 3x ansible, >= 1x parallel-ssh) is missed
#   BENCH_KEEP=1    keep the temporary directory (logs, inventories, outputs) instead of deleting it
#
# Needs root, openssh-server, ansible-core, pssh, iproute2 and /usr/bin/python3 with
# python3-requests: `./dev test` installs them (or apt-get install ansible-core pssh). Installs
# nothing itself.
set -euo pipefail
export LC_ALL=C.UTF-8 # a "." decimal point in $EPOCHREALTIME, printf and sort -g; ansible needs UTF-8

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
ROUNDS="${BENCH_ROUNDS:-3}"
TARGETS="${BENCH_TARGETS:-100}"
SSHDS="${BENCH_SSHD:-10}"
FORKS="${BENCH_FORKS:-50}"
RUN_TIMEOUT="${BENCH_TIMEOUT:-300}"
# shellcheck source=../lib.sh
source "$ROOT/bench/lib.sh"
PYTHON=/usr/bin/python3
SSHD_FIXTURE="$ROOT/tests/fixtures/sshd.sh"
COMMAND="uname -a"
EXPECT=Linux
# The first fleet probe runs this long after start; servers are created only after it (see below).
PROBE_FIRST_DELAY_S=5

positive() { [[ $2 =~ ^[1-9][0-9]*$ ]] || die "$1 must be a positive integer (got '$2')"; }
positive BENCH_ROUNDS "$ROUNDS"
positive BENCH_TARGETS "$TARGETS"
positive BENCH_SSHD "$SSHDS"
positive BENCH_FORKS "$FORKS"
positive BENCH_TIMEOUT "$RUN_TIMEOUT"
# 127.0.0.1 .. 127.0.0.ADDRS on every sshd; OpenSSH's MAX_LISTEN_SOCKS is 16.
ADDRS=$(((TARGETS + SSHDS - 1) / SSHDS))
((ADDRS <= 16)) || die "BENCH_TARGETS/BENCH_SSHD needs $ADDRS listen addresses per sshd; sshd takes at most 16"

[[ $(id -u) -eq 0 ]] || die "must run as root (the sshd fixtures need it)"
missing=()
command -v ansible >/dev/null || missing+=(ansible-core)
command -v parallel-ssh >/dev/null || missing+=(pssh)
[[ -x /usr/sbin/sshd ]] || missing+=(openssh-server)
command -v ssh >/dev/null || missing+=(openssh-client)
command -v ss >/dev/null || missing+=(iproute2)
[[ -x $PYTHON ]] && "$PYTHON" -c 'import requests' 2>/dev/null || missing+=(python3-requests)
[[ ${#missing[@]} -eq 0 ]] || die "missing: apt-get install ${missing[*]} (or run ./dev test once)"
[[ -f $SSHD_FIXTURE ]] || die "missing $SSHD_FIXTURE"

ensure_release_binary

TMP="$(mktemp -d /tmp/gatehouse-fanout.XXXXXX)"
# sshd reads each fixture's authorized_keys as the unprivileged test user: the path must be reachable.
chmod 0755 "$TMP"
GH_PID=""
SSHD_DIRS=()
CONTROL_DIRS=()

# close_ansible_masters DIR: ends the ControlPersist masters ansible left behind (they would
# otherwise hold a session on every target for 60 s), through their own control sockets.
close_ansible_masters() {
    local sock
    for sock in "$1"/*; do
        [[ -S $sock ]] || continue
        timeout 5 ssh -F /dev/null -o ControlPath="$sock" -O exit bench-fanout >/dev/null 2>&1 || true
    done
}

cleanup() {
    local rc=$? dir i
    if [[ -n $GH_PID ]] && kill -0 "$GH_PID" 2>/dev/null; then
        kill -TERM "$GH_PID" 2>/dev/null || true
        for i in $(seq 1 150); do
            kill -0 "$GH_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$GH_PID" 2>/dev/null || true
        wait "$GH_PID" 2>/dev/null || true
    fi
    for dir in "${CONTROL_DIRS[@]}"; do
        close_ansible_masters "$dir"
    done
    for dir in "${SSHD_DIRS[@]}"; do
        [[ -f $dir/sshd.log ]] && cp "$dir/sshd.log" "$TMP/$(basename "$dir").log" 2>/dev/null
        timeout 30 bash "$SSHD_FIXTURE" stop "$dir" >/dev/null 2>&1 || say "could not stop the sshd in $dir"
    done
    if [[ $rc -ne 0 || ${BENCH_KEEP:-0} == 1 ]]; then
        say "logs and outputs kept in $TMP"
    else
        rm -rf -- "$TMP"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { printf '%s\n' "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f\n", b - a }'; }

# Successful logins logged by all sshd instances so far.
logins() {
    local dir n=0 c
    for dir in "${SSHD_DIRS[@]}"; do
        c=$(grep -c 'Accepted publickey for' "$dir/sshd.log" 2>/dev/null || true)
        n=$((n + ${c:-0}))
    done
    echo "$n"
}

# --- targets: BENCH_SSHD sshd instances, each on 127.0.0.1..127.0.0.ADDRS ----------------------
SSH_USER=""
CLIENT_KEY=""
PORTS=()
say "starting $SSHDS sshd instances, each listening on 127.0.0.1..127.0.0.$ADDRS"
for k in $(seq 0 $((SSHDS - 1))); do
    dir="$TMP/sshd-$k"
    SSHD_DIRS+=("$dir")
    timeout 60 bash "$SSHD_FIXTURE" start "$dir" >"$TMP/sshd-$k.env" || die "tests/fixtures/sshd.sh start failed"
    port=$(sed -n 's/^port=//p' "$TMP/sshd-$k.env")
    [[ $port =~ ^[0-9]+$ ]] || die "no port from the sshd fixture (see $TMP/sshd-$k.env)"
    PORTS+=("$port")
    if [[ $k -eq 0 ]]; then
        SSH_USER=$(sed -n 's/^user=//p' "$TMP/sshd-$k.env")
        CLIENT_KEY=$(sed -n 's/^client_key=//p' "$TMP/sshd-$k.env")
    else
        # One client key for every target: the first fixture's.
        cat "${CLIENT_KEY}.pub" >>"$dir/authorized_keys"
    fi
    # More addresses on the same port, and an sftp subsystem (ansible copies its module over sftp;
    # without one it tries scp and falls back to piping, a handicap a real server would not give it).
    # The fixture allows MaxStartups 100 unauthenticated connections, MaxSessions 50.
    {
        for a in $(seq 2 "$ADDRS"); do
            echo "ListenAddress 127.0.0.$a"
        done
        echo "Subsystem sftp internal-sftp"
    } >>"$dir/sshd_config"
    /usr/sbin/sshd -t -f "$dir/sshd_config" || die "sshd rejects $dir/sshd_config"
    # SIGHUP: sshd re-executes itself (same pid) and re-reads its configuration.
    kill -HUP "$(cat "$dir/master.pid")"
done
for k in $(seq 0 $((SSHDS - 1))); do
    port=${PORTS[$k]}
    listening=0
    for _ in $(seq 1 100); do
        listening=$(ss -Hltn "sport = :$port" | wc -l)
        [[ $listening -ge $ADDRS ]] && break
        sleep 0.05
    done
    [[ $listening -ge $ADDRS ]] ||
        die "sshd on port $port listens on $listening of $ADDRS addresses after 5 s (see ${SSHD_DIRS[$k]}/sshd.log)"
done

# targets.txt: "name host port user", target i on sshd i % SSHDS at address 127.0.0.(i / SSHDS + 1).
: >"$TMP/targets.txt"
for i in $(seq 0 $((TARGETS - 1))); do
    printf 't%03d 127.0.0.%d %d %s\n' "$i" $((i / SSHDS + 1)) "${PORTS[$((i % SSHDS))]}" "$SSH_USER" >>"$TMP/targets.txt"
done

# --- ansible and parallel-ssh inputs -------------------------------------------------------------
{
    echo "[targets]"
    awk '{ printf "%s ansible_host=%s ansible_port=%s\n", $1, $2, $3 }' "$TMP/targets.txt"
    echo
    echo "[targets:vars]"
    echo "ansible_user=$SSH_USER"
    echo "ansible_ssh_private_key_file=$CLIENT_KEY"
    echo "ansible_ssh_extra_args='-F /dev/null -o UserKnownHostsFile=/dev/null -o IdentitiesOnly=yes'"
    echo "ansible_python_interpreter=/usr/bin/python3"
} >"$TMP/inventory.ini"
# An empty configuration file, so neither /etc/ansible/ansible.cfg nor one in a working directory
# applies; HOME keeps ansible's local temporary files in $TMP.
: >"$TMP/ansible.cfg"
mkdir -p "$TMP/home"
awk '{ printf "%s@%s:%s\n", $4, $2, $3 }' "$TMP/targets.txt" >"$TMP/pssh-hosts.txt"

# --- gatehouse -----------------------------------------------------------------------------------
ADMIN_PASSWORD="bench-$("$PYTHON" -c 'import secrets; print(secrets.token_hex(12))')"
unset_gatehouse=()
while read -r var; do
    unset_gatehouse+=(-u "$var")
done < <(compgen -e | grep '^GATEHOUSE_' || true)
say "starting gatehouse ($BIN)"
# 64 SSH worker threads so that 50 sessions can be in progress at once. The fleet probe would log
# in to every server (warming the session pool); its first run is 5 s after start and the next a
# day later: servers are only created after that first run. Cheap argon2 for the one login, so the
# peak RSS is the fan-out's, not a password hash's.
env "${unset_gatehouse[@]}" GATEHOUSE_ADMIN_PASSWORD="$ADMIN_PASSWORD" GATEHOUSE_WORKERS_SSH_THREADS=64 \
    "$BIN" serve --listen 127.0.0.1:0 --data-dir "$TMP/data" --fleet-probe-interval-s 86400 \
    --auth-argon2-opslimit 1 --auth-argon2-memlimit-kib 8192 --auth-access-ttl-s 86400 \
    </dev/null >"$TMP/gatehouse.log" 2>&1 &
GH_PID=$!
GH_STARTED=$(now)
wait_listening

gh() { BENCH_ADMIN_PASSWORD="$ADMIN_PASSWORD" timeout "$((RUN_TIMEOUT + 60))" "$PYTHON" "$HERE/gatehouse_client.py" "$@"; }
gh setup --state "$TMP/gh-state.json" --url "$GH_URL" --key "$CLIENT_KEY" || die "gatehouse login or key import failed"
wait_s=$(awk -v s="$GH_STARTED" -v n="$(now)" -v d="$PROBE_FIRST_DELAY_S" 'BEGIN { w = s + d + 1 - n; printf "%.2f\n", (w > 0 ? w : 0) }')
say "waiting ${wait_s}s for gatehouse's first (empty) fleet probe"
sleep "$wait_s"

# --- one run of each tool ------------------------------------------------------------------------
# Each run_* appends "seconds logins cpu_seconds" to $TMP/rounds-<tool>.txt, or dies with the reason.

# measured CPU_FILE COMMAND...: runs COMMAND in a subshell and writes the CPU time (user + system)
# of the processes it waited for (COMMAND and its reaped descendants) to CPU_FILE.
measured() {
    local cpu_file="$1" rc=0
    shift
    (
        rc=0
        "$@" || rc=$?
        # Not `times | awk`: a builtin in a pipeline runs in a fork, which has no children yet.
        times >"$cpu_file.times"
        exit "$rc"
    ) || rc=$?
    awk 'function s(v, p) { sub(/s$/, "", v); split(v, p, "m"); return p[1] * 60 + p[2] }
        NR == 2 { printf "%.2f\n", s($1) + s($2) }' "$cpu_file.times" >"$cpu_file"
    return "$rc"
}

run_gatehouse() {
    local label="$1" ids="$2" before out seconds cpu
    before=$(logins)
    out=$(gh run --state "$TMP/gh-state.json" --ids "$ids" --command "$COMMAND" --expect "$EXPECT" \
        --concurrency "$FORKS" --timeout "$RUN_TIMEOUT" --pid "$GH_PID") || {
        grep -v '"event":"http.request"' "$TMP/gatehouse.log" | tail -n 10 >&2
        die "$label: gatehouse run failed (see $TMP/gatehouse.log)"
    }
    seconds=$(sed -n 's/^seconds=\([0-9.]*\) .*/\1/p' <<<"$out")
    cpu=$(sed -n 's/.* cpu=\([0-9.]*\) .*/\1/p' <<<"$out")
    [[ -n $seconds && -n $cpu ]] || die "$label: no seconds= or cpu= in '$out'"
    echo "$seconds $(($(logins) - before)) $cpu" >>"$TMP/rounds-$label.txt"
}

run_ansible() {
    local round="$1" before start end rc=0 ok
    local cp="$TMP/ansible-cp-$round"
    mkdir -p "$cp"
    CONTROL_DIRS+=("$cp")
    before=$(logins)
    start=$(now)
    measured "$TMP/ansible-$round.cpu" env -C "$TMP" HOME="$TMP/home" ANSIBLE_CONFIG="$TMP/ansible.cfg" \
        ANSIBLE_HOST_KEY_CHECKING=False ANSIBLE_SSH_CONTROL_PATH_DIR="$cp" ANSIBLE_NOCOLOR=1 \
        timeout "$RUN_TIMEOUT" ansible targets -i "$TMP/inventory.ini" -m command -a "$COMMAND" -f "$FORKS" \
        >"$TMP/ansible-$round.out" 2>"$TMP/ansible-$round.err" || rc=$?
    end=$(now)
    local n
    n=$(($(logins) - before))
    close_ansible_masters "$cp"
    # "tNNN | CHANGED | rc=0 >>" then the command's output.
    ok=$(awk -v want="$EXPECT" '
        / \| [A-Z!]+ \| / { host = ($0 ~ /^[^ ]+ \| CHANGED \| rc=0 >>$/) ? $1 : ""; next }
        host != "" && index($0, want) { ok[host] = 1 }
        END { n = 0; for (h in ok) n++; print n }' "$TMP/ansible-$round.out")
    if [[ $rc -ne 0 || $ok -ne $TARGETS ]]; then
        tail -n 20 "$TMP/ansible-$round.err" >&2
        die "ansible (round $round): exit $rc, $ok/$TARGETS targets answered with '$EXPECT' (see $TMP/ansible-$round.out)"
    fi
    echo "$(elapsed "$start" "$end") $n $(cat "$TMP/ansible-$round.cpu")" >>"$TMP/rounds-ansible.txt"
}

run_pssh() {
    local round="$1" before start end rc=0 ok n
    local out="$TMP/pssh-$round"
    before=$(logins)
    start=$(now)
    measured "$TMP/pssh-$round.cpu" timeout "$RUN_TIMEOUT" parallel-ssh -p "$FORKS" -h "$TMP/pssh-hosts.txt" -t "$RUN_TIMEOUT" \
        -o "$out/out" -e "$out/err" -x "-F /dev/null -i $CLIENT_KEY" -O IdentitiesOnly=yes -O BatchMode=yes \
        -O StrictHostKeyChecking=no -O UserKnownHostsFile=/dev/null -O LogLevel=ERROR \
        "$COMMAND" >"$TMP/pssh-$round.log" 2>&1 || rc=$?
    end=$(now)
    n=$(($(logins) - before))
    ok=$(find "$out/out" -type f -exec grep -l -F -- "$EXPECT" {} + 2>/dev/null | wc -l)
    if [[ $rc -ne 0 || $ok -ne $TARGETS ]]; then
        tail -n 20 "$TMP/pssh-$round.log" >&2
        die "parallel-ssh (round $round): exit $rc, $ok/$TARGETS outputs with '$EXPECT' (see $out)"
    fi
    echo "$(elapsed "$start" "$end") $n $(cat "$TMP/pssh-$round.cpu")" >>"$TMP/rounds-pssh.txt"
}

# --- measure -------------------------------------------------------------------------------------
TOOLS=(gatehouse ansible pssh)
for tool in "${TOOLS[@]}"; do : >"$TMP/rounds-$tool.txt"; done
: >"$TMP/rounds-gatehouse-warm.txt"
# Server entries for every round, created before the first one is measured.
for round in $(seq 1 "$ROUNDS"); do
    gh servers --state "$TMP/gh-state.json" --targets "$TMP/targets.txt" --prefix "r$round" \
        --out "$TMP/gh-ids-$round.txt" || die "creating gatehouse servers failed"
done
say "$TARGETS targets on $SSHDS sshd ports (${PORTS[*]}), $ROUNDS rounds, parallelism $FORKS"

for round in $(seq 1 "$ROUNDS"); do
    order=()
    for j in 0 1 2; do order+=("${TOOLS[$(((round - 1 + j) % 3))]}"); done
    for tool in "${order[@]}"; do
        say "round $round/$ROUNDS: $tool"
        case $tool in
            gatehouse) run_gatehouse gatehouse "$TMP/gh-ids-$round.txt" ;;
            ansible) run_ansible "$round" ;;
            pssh) run_pssh "$round" ;;
        esac
    done
    paste -d' ' <(tail -n 1 "$TMP/rounds-gatehouse.txt") <(tail -n 1 "$TMP/rounds-ansible.txt") \
        <(tail -n 1 "$TMP/rounds-pssh.txt") |
        awk -v r="$round" '{ printf "bench: round %d: gatehouse %.3fs, ansible %.3fs, parallel-ssh %.3fs\n", r, $1, $4, $7 }' >&2
done

if [[ ${BENCH_WARM:-1} != 0 ]]; then
    # The last round's servers have idle sessions in gatehouse's pool (kept 60 s). Those were
    # opened before the host keys were pinned and the pool keys sessions by the expected host key
    # too, so one untimed run opens sessions under the pinned key first; the timed ones reuse them.
    say "warm-up: gatehouse on the last round's servers (untimed)"
    run_gatehouse gatehouse-warmup "$TMP/gh-ids-$ROUNDS.txt"
    say "warm-up: $(awk '{ print $2 }' "$TMP/rounds-gatehouse-warmup.txt") logins"
    for round in $(seq 1 "$ROUNDS"); do
        say "warm $round/$ROUNDS: gatehouse, sessions reused"
        run_gatehouse gatehouse-warm "$TMP/gh-ids-$ROUNDS.txt"
    done
fi

GH_HWM_KB=$(awk '/^VmHWM:/ { print $2 }' "/proc/$GH_PID/status" 2>/dev/null || echo 0)

# --- report --------------------------------------------------------------------------------------
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { awk -v c="$2" '{ print $c }' "$1"; }
# paired_ratio TOOL: median over rounds of TOOL's seconds / gatehouse's seconds in the same round.
paired_ratio() {
    paste -d' ' <(col "$TMP/rounds-$1.txt" 1) <(col "$TMP/rounds-gatehouse.txt" 1) |
        awk '{ print ($2 > 0 ? $1 / $2 : 0) }' | median
}

echo
echo "per round wall seconds (gatehouse ansible parallel-ssh):"
paste -d' ' <(col "$TMP/rounds-gatehouse.txt" 1) <(col "$TMP/rounds-ansible.txt" 1) <(col "$TMP/rounds-pssh.txt" 1) |
    awk '{ g = ($1 > 0 ? $1 : 1e-9)
        printf "  round %d: %.3f %.3f %.3f   ansible/gatehouse %.2f  parallel-ssh/gatehouse %.2f\n", NR, $1, $2, $3, $2 / g, $3 / g }'
echo
echo "'$COMMAND' on $TARGETS targets ($SSHDS sshd x $ADDRS loopback addresses), parallelism $FORKS, median of $ROUNDS rounds ($(nproc) cores)"
printf '%-36s %9s %13s %11s\n' tool "wall s" "client CPU s" "logins/run"
report_line() {
    local file="$TMP/rounds-$2.txt"
    [[ -s $file ]] || return 0
    printf '%-36s %9.3f %13.2f %11s\n' "$1" "$(col "$file" 1 | median)" "$(col "$file" 3 | median)" \
        "$(col "$file" 2 | median)"
}
report_line "gatehouse (exec task)" gatehouse
report_line "ansible -m command -f $FORKS" ansible
report_line "parallel-ssh -p $FORKS" pssh
report_line "gatehouse warm (not in the verdict)" gatehouse-warm
echo
ANSIBLE_RATIO=$(paired_ratio ansible)
PSSH_RATIO=$(paired_ratio pssh)
verdict=0
awk -v r="$ANSIBLE_RATIO" 'BEGIN { exit !(r >= 3) }' || verdict=1
awk -v r="$PSSH_RATIO" 'BEGIN { exit !(r >= 1) }' || verdict=1
awk -v a="$ANSIBLE_RATIO" -v p="$PSSH_RATIO" 'BEGIN {
    printf "ansible/gatehouse:      %.2fx (median of per-round ratios; target >= 3)   %s\n", a, (a >= 3 ? "met" : "MISSED")
    printf "parallel-ssh/gatehouse: %.2fx (median of per-round ratios; target >= 1)   %s\n", p, (p >= 1 ? "met" : "MISSED")
}'
awk -v kb="$GH_HWM_KB" 'BEGIN { printf "gatehouse peak RSS (VmHWM): %.1f MiB\n", kb / 1024 }'
if [[ $verdict -ne 0 && ${BENCH_STRICT:-0} == 1 ]]; then
    exit 3
fi

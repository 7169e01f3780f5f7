#!/usr/bin/env bash
# The fleet under failure, from nothing, on 127.0.0.1: PostgreSQL (initdb into a temporary directory), the
# three-node RabbitMQ cluster (scripts/fleet-cluster.sh), two `edgegw hub run` receivers sharing the quorum
# queue, and one `edgegw sim fleet` process. STATIONS stations send one telemetry batch a second and an alert
# (up and back down) each every 60 s, each station at its own phase of the minute, for SECONDS; meanwhile one broker node is killed -9 and restarted, and
# one receiver is killed -9 and restarted. Then, once the stations' outboxes are empty, PostgreSQL is checked:
# every seq of every station once, no open gap, every alert the simulator created; alert latency (created at
# the station -> commit of its row) p50/p99/max, overall and outside the failure windows (p99 outside must be
# under 2 s); each receiver's RSS over the run. A second phase drains one backlog twice, by one receiver and
# by two, beside binary COPY of the same readings from a file into the same tables.
#
# Usage: scripts/bench-fleet.sh [STATIONS] [SECONDS]        (default 500 600; a quick run: 50 60)
# Environment:
#   BENCH_ALERT_EVERY      seconds between a station's alerts (default 60; SECONDS/5 for runs under 5 minutes)
#   BENCH_ALERT_PHASE      spread (default: station k of N, from 0, at k/N of the alert period, as independent
#                          stations do) or together (every station in the same instant: a fleet-wide burst)
#   BENCH_BACKLOG_SECONDS  how long the stations create the throughput phase's backlog (default 60)
#   BENCH_FAIL_NODE        the broker node killed (default 1: the first in every station's and receiver's list)
#   BENCH_OUTBOXES         where the simulated stations keep their outboxes (default: a new directory in /dev/shm
#                          when it is a tmpfs, else in the temporary directory): each station in the field
#                          fsyncs to a disk of its own, here hundreds would share the one the cluster and
#                          PostgreSQL fsync to. The outbox code is the station's own either way.
#   BENCH_NO_BUILD=1       use the edgegw already built (src/EdgeGateway/bin/Release/net10.0)
#   BENCH_KEEP=1           keep the temporary directory (logs, summary) instead of removing it
# Exits 1 when a check fails. Every process started here is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
stations=${1:-500}
seconds=${2:-600}
backlog=${BENCH_BACKLOG_SECONDS:-60}
alert_every=${BENCH_ALERT_EVERY:-$((seconds >= 300 ? 60 : (seconds / 5 > 1 ? seconds / 5 : 1)))}
alert_phase=${BENCH_ALERT_PHASE:-spread}
fail_node=${BENCH_FAIL_NODE:-1}
pgbin=/usr/lib/postgresql/15/bin

work=$(mktemp -d /tmp/edge-bench-fleet.XXXXXX)
chmod 755 "$work"
export FLEET_DIR="$work/cluster"
if [ -n "${BENCH_OUTBOXES:-}" ]; then
  outboxes=$(mktemp -d "$BENCH_OUTBOXES/edge-bench-outboxes.XXXXXX")
elif [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ]; then
  outboxes=$(mktemp -d /dev/shm/edge-bench-outboxes.XXXXXX)
else
  outboxes="$work/outboxes"; mkdir -p "$outboxes"
fi
pids=()            # receivers and the simulator, stopped on exit
pg_pid="" sampler_pid=""
failed=0

cleanup() {
  set +e
  [ -n "$sampler_pid" ] && kill "$sampler_pid" 2>/dev/null
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  scripts/fleet-cluster.sh stop >/dev/null 2>&1
  if [ -n "$pg_pid" ]; then
    # $pg_pid is the shell that started it (as the postgres user): the server's own pid is in postmaster.pid.
    local server; server=$(head -1 "$work/pg/data/postmaster.pid" 2>/dev/null)
    kill -INT "$pg_pid" ${server:+"$server"} 2>/dev/null
    for _ in $(seq 100); do [ -n "$server" ] && kill -0 "$server" 2>/dev/null || break; sleep 0.1; done
    wait "$pg_pid" 2>/dev/null
  fi
  if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "kept: $work $outboxes"; else rm -rf "$work" "$outboxes"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date -u +%Y-%m-%dT%H:%M:%S.%3NZ; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
log() { echo "[$(date -u +%H:%M:%S) load $(load)] $*"; }
check() { # check NAME CONDITION-TEXT OK(0/1)
  if [ "$3" = 0 ]; then echo "PASS  $1: $2"; else echo "FAIL  $1: $2"; failed=1; fi
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# A first port with the 60 after it free: the cluster's AMQP, MQTT, distribution, epmd and CLI ports. Below
# the kernel's ephemeral range: there, a killed node's port can be taken by one of the hundreds of outgoing
# connections meanwhile, and the node cannot listen again when restarted.
free_base() {
  python3 - <<'EOF'
import random, socket
low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
for _ in range(200):
    base = random.randrange(10000, min(low, 32768) - 100, 100)
    try:
        socks = []
        for p in range(base, base + 60):
            s = socket.socket(); s.bind(("127.0.0.1", p)); socks.append(s)
        print(base); break
    except OSError:
        pass
    finally:
        for s in socks: s.close()
EOF
}
as_postgres() { if [ "$(id -u)" = 0 ]; then setpriv --reuid=postgres --regid=postgres --init-groups "$@"; else "$@"; fi; }

if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
  dotnet build src/EdgeGateway -c Release -v q -nologo >/dev/null
fi
edgegw=(dotnet "$root/src/EdgeGateway/bin/Release/net10.0/edgegw.dll")
log "bench-fleet: $stations stations, ${seconds} s, an alert each every ${alert_every} s ($alert_phase), backlog phase ${backlog} s; $(nproc) cores, shared machine"
log "the stations' outboxes in $outboxes ($(stat -f -c %T "$outboxes"))"

# --- PostgreSQL ------------------------------------------------------------------------------------
mkdir -p "$work/pg/data"
[ "$(id -u)" = 0 ] && chown -R postgres:postgres "$work/pg"
as_postgres "$pgbin/initdb" -D "$work/pg/data" -U hub -A trust -E UTF8 >"$work/pg/initdb.log" 2>&1
pg_port=$(free_port)
# track_commit_timestamp: the commit time of each alert's row, for the latency (no column of ours needed).
as_postgres "$pgbin/postgres" -D "$work/pg/data" -p "$pg_port" -k "$work/pg" -c listen_addresses=127.0.0.1 \
  -c track_commit_timestamp=on -c max_connections=50 >"$work/pg/server.log" 2>&1 &
pg_pid=$!
psql_() { local db=$1; shift; psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U hub -d "$db" "$@"; }
q() { psql_ "$1" -A -t -c "$2"; }
for _ in $(seq 600); do q postgres 'SELECT 1' >/dev/null 2>&1 && break; sleep 0.1; done
for db in hub tput1 tput2 copydb; do q postgres "CREATE DATABASE $db" >/dev/null; done
log "PostgreSQL 15 on 127.0.0.1:$pg_port (fsync on, track_commit_timestamp on)"

# --- RabbitMQ cluster --------------------------------------------------------------------------------
export FLEET_PORT_BASE; FLEET_PORT_BASE=$(free_base)
t0=$(date +%s.%N)
scripts/fleet-cluster.sh start >"$work/cluster-start.log" 2>&1 || { cat "$work/cluster-start.log"; exit 1; }
log "3 RabbitMQ nodes clustered in $(python3 -c "print(f'{$(date +%s.%N)-$t0:.0f}')") s (ports from $FLEET_PORT_BASE)"
amqp_hosts=$(scripts/fleet-cluster.sh ports | awk '{printf "%s\"127.0.0.1:%s\"", (NR > 1 ? ", " : ""), $2}')
mqtt_hosts=$(scripts/fleet-cluster.sh ports | awk '{printf "%s\"127.0.0.1:%s\"", (NR > 1 ? ", " : ""), $3}')

hub_yaml() { # hub_yaml FILE QUEUE DATABASE
  cat >"$1" <<EOF
hub:
  amqp:
    hosts: [$amqp_hosts]
    username: guest
    password: guest
    queue: $2
  prefix: ews
  postgres: "Host=127.0.0.1;Port=$pg_port;Username=hub;Database=$3"
EOF
}
template() { # template FILE ID STORAGE
  mkdir -p "$3"
  cat >"$1" <<EOF
station: { id: $2 }
hardware:
  gpio: { driver: simulated }
storage: { path: $3 }
sensors:
  - { id: river, kind: digital, gpio: { pin: 5 } }
  - { id: rain, kind: digital, gpio: { pin: 6 } }
  - { id: bank, kind: digital, gpio: { pin: 13 } }
  - { id: door, kind: digital, gpio: { pin: 19 } }
alerting:
  levels: [ { id: evacuate, severity: Extreme } ]
  rules:
    - { id: flood, sensor: river, when: active, level: evacuate }
uplink:
  mqtt: { hosts: [$mqtt_hosts], protocol: "3.1.1", prefix: ews }
EOF
}

# start_receiver NAME YAML: a receiver in the background, its pid in $NAME.pid, once it consumes.
start_receiver() {
  local name=$1 yaml=$2
  "${edgegw[@]}" hub run --config "$yaml" >"$work/$name.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  echo "$pid" >"$work/$name.pid"
  for _ in $(seq 1200); do
    grep -q "consuming queue" "$work/$name.log" && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "receiver $name did not start consuming:" >&2; tail -20 "$work/$name.log" >&2; exit 1
}
stop_pid() { kill -TERM "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
queue_messages() { # queue_messages QUEUE: ready + unacknowledged, asked of the first node that answers
  local n
  for n in 1 2 3; do
    scripts/fleet-cluster.sh ctl "$n" list_queues -q name messages 2>/dev/null | awk -v q="$1" '$1 == q {print $2; f=1} END {exit !f}' && return 0
  done
  return 1
}

# --- the run under failure ------------------------------------------------------------------------
hub_yaml "$work/hub.yaml" edge-hub hub
start_receiver recv-a "$work/hub.yaml"
start_receiver recv-b "$work/hub.yaml"
log "two receivers consuming edge-hub"

# RSS of every receiver (and the simulator) every 2 s: "epoch label rss_kB".
(
  while true; do
    for f in "$work"/*.pid; do
      label=$(basename "$f" .pid); pid=$(cat "$f")
      rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null) && [ -n "$rss" ] && echo "$(date +%s) $label $rss"
    done
    sleep 2
  done
) >"$work/rss.txt" 2>/dev/null &
sampler_pid=$!

template "$work/station.yaml" bench "$outboxes/stations"
"${edgegw[@]}" sim fleet --stations "$stations" --template "$work/station.yaml" --telemetry 1s --alert-every "${alert_every}s" \
  --alert-phase "$alert_phase" --json --duration "${seconds}s" --drain-timeout 600s --summary "$work/summary.json" >"$work/sim.jsonl" 2>"$work/sim.err" &
sim_pid=$!
pids+=("$sim_pid")
echo "$sim_pid" >"$work/sim.pid"
for _ in $(seq 3000); do
  [ -s "$work/sim.jsonl" ] && break
  kill -0 "$sim_pid" 2>/dev/null || { echo "bench-fleet: the simulator exited before its first line:" >&2; cat "$work/sim.err" >&2; exit 1; }
  sleep 0.1
done
start=$(date +%s)
log "simulator running ($stations stations)"

at() { local t=$((start + $1)); while [ "$(date +%s)" -lt "$t" ]; do sleep 0.2; done; }
windows=()
at $((seconds * 20 / 100))
w_start=$(now); scripts/fleet-cluster.sh kill-node "$fail_node"
log "killed broker node $fail_node (kill -9 of its VM)"
at $((seconds * 40 / 100))
if scripts/fleet-cluster.sh start-node "$fail_node" >"$work/restart-node.log" 2>&1; then
  w_end=$(now); log "broker node $fail_node back in the cluster"
else
  w_end=$(now); check "broker node restarted" "node $fail_node did not start again: $(tail -1 "$work/restart-node.log")" 1
fi
windows+=("broker-node-$fail_node $w_start $w_end")
at $((seconds * 60 / 100))
w_start=$(now); victim=$(cat "$work/recv-b.pid"); kill -9 "$victim"; wait "$victim" 2>/dev/null || true; rm "$work/recv-b.pid"
log "killed receiver b (kill -9)"
at $((seconds * 60 / 100 + (seconds / 20 > 10 ? seconds / 20 : 10)))
start_receiver recv-b2 "$work/hub.yaml"
w_end=$(now); windows+=("receiver-b $w_start $w_end")
log "receiver b restarted and consuming"

sim_rc=0
wait "$sim_pid" || sim_rc=$?
log "simulator stopped (exit $sim_rc): $(tail -1 "$work/sim.err")"
check "outboxes drained" "sim fleet exit $sim_rc (0: every outbox empty)" $((sim_rc != 0))

# Every station's last seq stored, then the queue empty: nothing is on its way any more.
expected=$(jq '[.perStation[].lastSeq] | add' "$work/summary.json")
for _ in $(seq 600); do
  [ "$(q hub 'SELECT count(*) FROM messages')" -ge "$expected" ] && [ "$(queue_messages edge-hub || echo x)" = 0 ] && break
  sleep 0.5
done
kill "$sampler_pid" 2>/dev/null; wait "$sampler_pid" 2>/dev/null || true; sampler_pid=""
log "receivers idle; checking PostgreSQL"

# --- checks ------------------------------------------------------------------------------------------
q hub "CREATE SCHEMA bench; CREATE TABLE bench.sim (station text PRIMARY KEY, last_seq bigint, queued bigint);
       CREATE TABLE bench.sim_alerts (station text, time timestamptz, from_level text, to_level text,
                                      seq bigint, stored timestamptz, sent timestamptz, acked timestamptz);
       CREATE TABLE bench.windows (name text, started timestamptz, ended timestamptz);" >/dev/null
jq -r '.perStation[] | [.id, .lastSeq, .queued] | @csv' "$work/summary.json" | psql_ hub -c "\copy bench.sim FROM STDIN (FORMAT csv)"
jq -r '.perStation[] | .id as $s | .alerts[] | [$s, .time, .from, .to, .seq, .stored, .sent, .acked] | @csv' "$work/summary.json" \
  | psql_ hub -c "\copy bench.sim_alerts FROM STDIN (FORMAT csv)"
for w in "${windows[@]}"; do set -- $w; q hub "INSERT INTO bench.windows VALUES ('$1', '$2', '$3')" >/dev/null; done

echo
echo "== failure windows"
q hub "SELECT name || ': ' || to_char(started, 'HH24:MI:SS.MS') || ' -> ' || to_char(ended, 'HH24:MI:SS.MS')
       || ' (' || round(extract(epoch FROM ended - started)::numeric, 1) || ' s)' FROM bench.windows ORDER BY started"

echo
echo "== every seq of every station exactly once"
read -r n_st st_short st_over total_expected < <(q hub "
  SELECT count(*), count(*) FILTER (WHERE coalesce(m.n, 0) < s.last_seq OR coalesce(m.mx, 0) < s.last_seq),
         count(*) FILTER (WHERE m.n > s.last_seq OR m.mx > s.last_seq), sum(s.last_seq)
  FROM bench.sim s LEFT JOIN (SELECT station, count(*) n, max(seq) mx FROM messages GROUP BY station) m ON m.station = s.station" | tr '|' ' ')
stored=$(q hub "SELECT count(*) FROM messages")
check "every seq stored" "$stored of $total_expected messages; stations missing a seq: $st_short of $n_st" $((st_short != 0 || stored != total_expected))
check "nothing unknown" "stations with a seq above the simulator's last: $st_over" $((st_over != 0))
dup_readings=$(q hub "SELECT count(*) FROM (SELECT 1 FROM readings GROUP BY station, seq, sensor, time HAVING count(*) > 1) d")
dup_alerts=$(q hub "SELECT (SELECT count(*) FROM alerts) - (SELECT count(DISTINCT id) FROM alerts)")
check "no duplicate" "readings stored twice: $dup_readings, alerts stored twice: $dup_alerts" $((dup_readings != 0 || dup_alerts != 0))
open_gaps=$(q hub "SELECT count(*) FROM seq_gaps WHERE closed IS NULL")
all_gaps=$(q hub "SELECT count(*) FROM seq_gaps")
check "no open seq gap" "$open_gaps open ($all_gaps opened and closed again while alerts overtook telemetry)" $((open_gaps != 0))
rejected=$(q hub "SELECT count(*) FROM rejected")
check "nothing rejected" "$rejected rows in rejected" $((rejected != 0))
read -r created missing extra < <(q hub "
  SELECT (SELECT count(*) FROM bench.sim_alerts),
         (SELECT count(*) FROM bench.sim_alerts s WHERE NOT EXISTS (SELECT 1 FROM alerts a
             WHERE a.station = s.station AND a.time = s.time AND a.from_level = s.from_level AND a.to_level = s.to_level)),
         (SELECT count(*) FROM alerts) - (SELECT count(*) FROM bench.sim_alerts)" | tr '|' ' ')
check "every alert" "$created created by the simulator, $missing missing in alerts, $extra more in alerts than created" $((created == 0 || missing != 0 || extra != 0))
readings=$(q hub "SELECT count(*) FROM readings")
echo "      stored: $stored messages, $readings readings, $(q hub 'SELECT count(*) FROM alerts') alerts, $(q hub 'SELECT count(*) FROM alert_caps') CAP documents"

echo
echo "== alert latency: created at the station (payload time) -> commit of its row (pg_xact_commit_timestamp)"
echo "   (inside a failure window: the alert was created or on its way, not yet committed, while a window was open)"
q hub "WITH l AS (
         SELECT extract(epoch FROM pg_xact_commit_timestamp(a.xmin) - a.time) AS s,
                EXISTS (SELECT 1 FROM bench.windows w WHERE a.time <= w.ended AND pg_xact_commit_timestamp(a.xmin) >= w.started) AS inside
         FROM alerts a)
       SELECT rpad(k, 24) || lpad(count(*)::text, 7) || ' alerts  p50 ' || round(percentile_cont(0.5) WITHIN GROUP (ORDER BY s)::numeric, 3)
              || ' s  p99 ' || round(percentile_cont(0.99) WITHIN GROUP (ORDER BY s)::numeric, 3) || ' s  max ' || round(max(s)::numeric, 3) || ' s'
       FROM (SELECT 'overall' k, s FROM l UNION ALL SELECT 'outside failure windows', s FROM l WHERE NOT inside
             UNION ALL SELECT 'inside failure windows', s FROM l WHERE inside) x
       GROUP BY k ORDER BY k DESC"
p99_out=$(q hub "SELECT coalesce(percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM pg_xact_commit_timestamp(a.xmin) - a.time)), 999)
                 FROM alerts a WHERE NOT EXISTS (SELECT 1 FROM bench.windows w WHERE a.time <= w.ended AND pg_xact_commit_timestamp(a.xmin) >= w.started)")
echo "   where it goes, per alert (p50 / p99 / max, s): created -> stored in its station's outbox -> PUBLISH handed to"
echo "   the MQTT client -> delivered to a receiver (through the cluster's quorum queue) -> committed; PUBACK beside it"
split() { # split WHERE-CLAUSE-ON-a
  q hub "WITH x AS (
           SELECT extract(epoch FROM s.stored - a.time) AS stored, extract(epoch FROM s.sent - s.stored) AS sent,
                  extract(epoch FROM a.received - s.sent) AS delivered, extract(epoch FROM pg_xact_commit_timestamp(a.xmin) - a.received) AS committed,
                  extract(epoch FROM s.acked - s.sent) AS puback
           FROM alerts a JOIN bench.sim_alerts s ON s.station = a.station AND s.time = a.time AND s.from_level = a.from_level AND s.to_level = a.to_level
           WHERE $1)
         SELECT '      ' || rpad(k, 24) || round(percentile_cont(0.5) WITHIN GROUP (ORDER BY v)::numeric, 3) || ' / '
                || round(percentile_cont(0.99) WITHIN GROUP (ORDER BY v)::numeric, 3) || ' / ' || round(max(v)::numeric, 3) || '  (' || count(v) || ')'
         FROM (SELECT 1 o, 'created -> stored' k, stored v FROM x UNION ALL SELECT 2, 'stored -> PUBLISH', sent FROM x
               UNION ALL SELECT 3, 'PUBLISH -> delivered', delivered FROM x UNION ALL SELECT 4, 'delivered -> committed', committed FROM x
               UNION ALL SELECT 5, '(PUBLISH -> PUBACK)', puback FROM x) y
         GROUP BY o, k ORDER BY o"
}
outside="NOT EXISTS (SELECT 1 FROM bench.windows w WHERE a.time <= w.ended AND pg_xact_commit_timestamp(a.xmin) >= w.started)"
echo "   outside the failure windows:"; split "$outside"
echo "   inside them:"; split "NOT ($outside)"
check "alert p99 outside the failure windows < 2 s" "$(printf '%.3f' "$p99_out") s" "$(python3 -c "print(0 if $p99_out < 2 else 1)")"

echo
echo "== receiver memory (RSS, MB; sampled every 2 s): start / middle / end / max"
for label in recv-a recv-b recv-b2 sim; do
  awk -v l="$label" '$2 == l {v[n++] = $3} END {
    if (n == 0) exit; m = 0; for (i = 0; i < n; i++) if (v[i] > m) m = v[i];
    printf "      %-8s %6.1f / %6.1f / %6.1f / %6.1f  (%d samples)\n", l, v[0]/1024, v[int(n/2)]/1024, v[n-1]/1024, m/1024, n }' "$work/rss.txt"
done
echo "      (recv-b was killed -9 at 60 % of the run; recv-b2 is its restart)"

# --- throughput: one backlog drained by one receiver, the same by two, beside COPY ----------------
echo
log "throughput phase: stopping the receivers; a ${backlog} s backlog from $stations stations into two fresh queues"
for f in "$work"/recv-*.pid; do stop_pid "$(cat "$f")"; rm "$f"; done
scripts/fleet-cluster.sh ctl 1 delete_queue edge-hub >/dev/null 2>&1 || true
# A receiver declares and binds its queue on start; stopped at once, the queue keeps a copy of everything.
hub_yaml "$work/one.yaml" bench-one tput1
hub_yaml "$work/two.yaml" bench-two tput2
for name in one two; do
  start_receiver "declare-$name" "$work/$name.yaml"; stop_pid "$(cat "$work/declare-$name.pid")"; rm "$work/declare-$name.pid"
done
template "$work/tput.yaml" tput "$outboxes/stations-tput"
"${edgegw[@]}" sim fleet --stations "$stations" --template "$work/tput.yaml" --telemetry 1s --alert-every 60s \
  --json --duration "${backlog}s" --drain-timeout 300s >"$work/sim-tput.jsonl" 2>"$work/sim-tput.err" &
sim_pid=$!; pids+=("$sim_pid")
wait "$sim_pid" || { echo "the backlog's simulator failed: $(tail -3 "$work/sim-tput.err")"; exit 1; }
prev=""
for _ in $(seq 120); do
  cur="$(queue_messages bench-one) $(queue_messages bench-two)"
  set -- $cur
  [ "$1" = "$2" ] && [ "$cur" = "$prev" ] && break
  prev=$cur; sleep 1
done
deliveries=$1
log "backlog: $deliveries deliveries (telemetry, alerts, CAP, status) in each of bench-one and bench-two"

drain() { # drain QUEUE DATABASE YAML RECEIVERS: start them, wait for the queue to empty, stop them
  local queue=$1 db=$2 yaml=$3 n=$4 i
  for ((i = 1; i <= n; i++)); do start_receiver "tput-$db-$i" "$yaml"; done
  for _ in $(seq 1200); do [ "$(queue_messages "$queue" || echo x)" = 0 ] && break; sleep 0.5; done
  for ((i = 1; i <= n; i++)); do stop_pid "$(cat "$work/tput-$db-$i.pid")"; rm "$work/tput-$db-$i.pid"; done
}
# Rates between the first and the last commit (receiver start-up is not counted).
rates() { # rates DATABASE -> "messages readings seconds"
  q "$1" "SELECT (SELECT count(*) FROM messages), (SELECT count(*) FROM readings),
                 extract(epoch FROM max(c) - min(c)) FROM (SELECT pg_xact_commit_timestamp(xmin) c FROM messages) x" | tr '|' ' '
}
drain bench-one tput1 "$work/one.yaml" 1
load1=$(load)
read -r m1 r1 s1 < <(rates tput1)
drain bench-two tput2 "$work/two.yaml" 2
load2=$(load)
read -r m2 r2 s2 < <(rates tput2)
check "same rows both ways" "one receiver stored $m1 messages / $r1 readings, two stored $m2 / $r2" $((m1 != m2 || r1 != r2))

# COPY of the same readings from a file into the same table layout (the hub's schema, its partitions and index).
q tput1 "COPY (SELECT * FROM readings) TO '$work/pg/readings.bin' (FORMAT binary)" >/dev/null
"$pgbin/pg_dump" -s -h 127.0.0.1 -p "$pg_port" -U hub tput1 | psql_ copydb >/dev/null
copy_ms=$(psql_ copydb -c '\timing on' -c "COPY readings FROM '$work/pg/readings.bin' (FORMAT binary)" | sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p')
load3=$(load)
python3 - "$m1" "$r1" "$s1" "$m2" "$r2" "$s2" "$copy_ms" "$deliveries" "$load1" "$load2" "$load3" <<'EOF'
import sys
m1, r1, s1, m2, r2, s2, copy_ms, d = (float(x) for x in sys.argv[1:9])
l1, l2, l3 = sys.argv[9:12]
copy_s = copy_ms / 1000
one, two, copy = r1 / s1, r2 / s2, r1 / copy_s
print(f"      one receiver : {int(d)} deliveries, {int(m1)} messages, {int(r1)} readings in {s1:.2f} s = {d/s1:,.0f} deliveries/s, {m1/s1:,.0f} messages/s, {one:,.0f} readings rows/s (load {l1})")
print(f"      two receivers: {int(d)} deliveries, {int(m2)} messages, {int(r2)} readings in {s2:.2f} s = {d/s2:,.0f} deliveries/s, {m2/s2:,.0f} messages/s, {two:,.0f} readings rows/s (load {l2})")
print(f"      COPY (binary, from a file, same table layout): {int(r1)} rows in {copy_s:.2f} s = {copy:,.0f} rows/s (load {l3})")
print(f"      ratios: two receivers / one = {two/one:.2f}x; one receiver / COPY = {one/copy:.2f}x; two receivers / COPY = {two/copy:.2f}x")
EOF

echo
log "done; shared machine, load average at the end: $(load)"
[ "$failed" = 0 ] && echo "ALL CHECKS PASSED" || echo "SOME CHECKS FAILED"
exit "$failed"

#!/usr/bin/env bash
# A three-node RabbitMQ cluster on one machine, for the fleet tests and the fleet bench: own node names
# (rabbit-1@localhost ...), own ports, own data directories, one Erlang cookie, the MQTT plugin, and an
# epmd of its own, all on 127.0.0.1. The same layout on three machines is described in docs/fleet.md.
#
# Usage: scripts/fleet-cluster.sh start|stop|status|kill-node N|start-node N|ports|ctl N ARGS...
#   ctl N ARGS: rabbitmqctl ARGS against node N (e.g. ctl 1 list_queues name messages)
# Environment:
#   FLEET_DIR        where data, logs, cookie and pid files go (default: /tmp/edge-fleet-cluster)
#   FLEET_PORT_BASE  first port (default 15600); node N (1..3) listens on
#                    AMQP base+N-1, MQTT base+10+N-1, distribution base+20+N-1, management base+30+N-1;
#                    epmd on base+40, CLI distribution base+50..base+59
#   FLEET_NODES      how many nodes (default 3; 1 for a quick single-node broker)
#   FLEET_MANAGEMENT 1 to enable the management UI (off by default: it costs memory and CPU)
set -euo pipefail

dir=${FLEET_DIR:-/tmp/edge-fleet-cluster}
base=${FLEET_PORT_BASE:-15600}
nodes=${FLEET_NODES:-3}
rmq=/usr/lib/rabbitmq/bin
[ -x "$rmq/rabbitmq-server" ] || { echo "rabbitmq-server is not installed (apt-get install rabbitmq-server)" >&2; exit 1; }

export HOME="$dir"                       # the Erlang cookie lives in $HOME for the server and the CLI alike
export ERL_EPMD_ADDRESS=127.0.0.1
export ERL_EPMD_PORT=$((base + 40))
export RABBITMQ_CTL_DIST_PORT_MIN=$((base + 50))
export RABBITMQ_CTL_DIST_PORT_MAX=$((base + 59))

amqp_port() { echo $((base + $1 - 1)); }
mqtt_port() { echo $((base + 10 + $1 - 1)); }
dist_port() { echo $((base + 20 + $1 - 1)); }
mgmt_port() { echo $((base + 30 + $1 - 1)); }
node_name() { echo "rabbit-$1@localhost"; }

# Everything a node (or the CLI talking to it) needs, in the environment of the command that follows.
node_env() {
  local n=$1 d="$dir/node-$1"
  export RABBITMQ_NODENAME; RABBITMQ_NODENAME=$(node_name "$n")
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT; RABBITMQ_NODE_PORT=$(amqp_port "$n")
  export RABBITMQ_DIST_PORT; RABBITMQ_DIST_PORT=$(dist_port "$n")
  export RABBITMQ_CONFIG_FILE="$d/rabbitmq.conf"
  export RABBITMQ_ADVANCED_CONFIG_FILE="$d/advanced.config"
  export RABBITMQ_CONF_ENV_FILE="$d/rabbitmq-env.conf"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$d/enabled_plugins"
  export RABBITMQ_MNESIA_BASE="$d/mnesia"
  export RABBITMQ_MNESIA_DIR="$d/mnesia/$RABBITMQ_NODENAME"
  export RABBITMQ_PLUGINS_EXPAND_DIR="$d/plugins-expand"
  export RABBITMQ_LOG_BASE="$d/log"
  export RABBITMQ_PID_FILE="$d/rabbitmq.pid"
}

write_node_files() {
  local n=$1 d="$dir/node-$1" peers="" i
  mkdir -p "$d/mnesia" "$d/log"
  for ((i = 1; i <= nodes; i++)); do
    peers+="cluster_formation.classic_config.nodes.$i = $(node_name "$i")"$'\n'
  done
  cat > "$d/rabbitmq.conf" <<EOF
listeners.tcp.default = 127.0.0.1:$(amqp_port "$n")
mqtt.listeners.tcp.default = 127.0.0.1:$(mqtt_port "$n")
mqtt.allow_anonymous = true
mqtt.exchange = amq.topic
management.tcp.ip = 127.0.0.1
management.tcp.port = $(mgmt_port "$n")
cluster_formation.peer_discovery_backend = classic_config
$peers
cluster_partition_handling = pause_minority
log.console = false
log.file.level = info
EOF
  echo "[]." > "$d/advanced.config"
  : > "$d/rabbitmq-env.conf"
  if [ "${FLEET_MANAGEMENT:-0}" = 1 ]; then
    echo "[rabbitmq_mqtt,rabbitmq_management]." > "$d/enabled_plugins"
  else
    echo "[rabbitmq_mqtt]." > "$d/enabled_plugins"
    sed -i '/^management\./d' "$d/rabbitmq.conf"
  fi
}

node_pid() {
  local f="$dir/node-$1/rabbitmq.pid"
  [ -s "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && cat "$f"
}

ctl() { local n=$1; shift; (node_env "$n"; "$rmq/rabbitmqctl" -n "$(node_name "$n")" "$@"); }

wait_node() {
  local n=$1
  # Boots within seconds on an idle machine; a loaded 2-core one can take a minute.
  if ! ctl "$n" await_startup --timeout 120 >/dev/null 2>&1; then
    echo "node $n did not start; log: $dir/node-$n/log" >&2
    return 1
  fi
}

start_node() {
  local n=$1
  if node_pid "$n" >/dev/null; then
    echo "node $n already running"
    return 0
  fi
  [ -f "$dir/node-$n/rabbitmq.conf" ] || write_node_files "$n"
  rm -f "$dir/node-$n/rabbitmq.pid"
  (node_env "$n"; setsid "$rmq/rabbitmq-server" > "$dir/node-$n/log/console.log" 2>&1 < /dev/null &)
  # The pid file appears once the VM is up; the wait then asks the node itself.
  local i
  for ((i = 0; i < 600; i++)); do
    [ -s "$dir/node-$n/rabbitmq.pid" ] && break
    sleep 0.1
  done
  wait_node "$n"
}

start() {
  mkdir -p "$dir"
  if [ ! -f "$dir/.erlang.cookie" ]; then
    # One cookie for every node and the CLI: that is what lets them form a cluster.
    head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' > "$dir/.erlang.cookie"
    chmod 400 "$dir/.erlang.cookie"
  fi
  epmd -daemon -address 127.0.0.1 -port "$ERL_EPMD_PORT"
  local n
  for ((n = 1; n <= nodes; n++)); do
    start_node "$n"
  done
  # The MQTT plugin (3.10) keeps a QoS 1 subscription in a durable classic queue on the node the client
  # connected to; while that node is down, the client cannot subscribe again anywhere ("home node ... is
  # down"). Mirrored on every node, the queue survives its node, and a station moves on.
  ctl 1 set_policy mqtt-subscriptions '^mqtt-subscription-' '{"ha-mode":"all","ha-sync-mode":"automatic"}' \
    --apply-to queues > /dev/null
  status
}

stop() {
  local n pid
  for ((n = nodes; n >= 1; n--)); do
    if pid=$(node_pid "$n"); then
      ctl "$n" stop --idle-timeout 30 >/dev/null 2>&1 || kill -9 "$pid" 2>/dev/null || true
      while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    fi
    rm -f "$dir/node-$n/rabbitmq.pid"
  done
  epmd -port "$ERL_EPMD_PORT" -kill >/dev/null 2>&1 || true
}

kill_node() {
  local n=$1 pid
  if pid=$(node_pid "$n"); then
    # kill -9 the VM and its child (erl_child_setup): a node that dies, not one that leaves the cluster politely.
    pkill -9 -P "$pid" 2>/dev/null || true
    kill -9 "$pid"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    rm -f "$dir/node-$n/rabbitmq.pid"
  fi
}

status() {
  local n
  for ((n = 1; n <= nodes; n++)); do
    if node_pid "$n" >/dev/null; then
      echo "$(node_name "$n") up amqp=127.0.0.1:$(amqp_port "$n") mqtt=127.0.0.1:$(mqtt_port "$n")"
    else
      echo "$(node_name "$n") down"
    fi
  done
  for ((n = 1; n <= nodes; n++)); do
    if node_pid "$n" >/dev/null; then
      ctl "$n" cluster_status --formatter json 2>/dev/null | jq -c '{running: .running_nodes}' 2>/dev/null || true
      break
    fi
  done
}

ports() {
  local n
  for ((n = 1; n <= nodes; n++)); do
    echo "$n $(amqp_port "$n") $(mqtt_port "$n")"
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  ports) ports ;;
  kill-node) kill_node "${2:?node number}" ;;
  start-node) start_node "${2:?node number}" ;;
  ctl) shift; n=${1:?node number}; shift; ctl "$n" "$@" ;;
  *) echo "usage: $0 start|stop|status|ports|kill-node N|start-node N|ctl N ARGS..." >&2; exit 2 ;;
esac

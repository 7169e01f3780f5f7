# The bench station, shared by scripts/bench.sh and scripts/bench-footprint.sh (source this file):
# ten float32 water-level sensors on one Modbus TCP bus polled every second, one rule, uplink to a local
# mosquitto. Everything listens on 127.0.0.1 only.

# Exports the .NET CLI's quiet settings, makes $work (a temporary directory) and, on exit, stops every
# process in $pids and removes $work.
bench_workdir() { # PREFIX
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
  work=$(mktemp -d -t "$1-XXXXXX")
  pids=()
  trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT
}

# The environment the shipped systemd unit gives the station (its Environment= lines): the bench measures the
# station as a station runs it.
bench_unit_env() {
  sed -n 's/^Environment=//p' systemd/edge-gateway.service | tr '\n' ' '
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# The gauges for `edgegw sim modbus --scenario`: slave 1, ten float32 water levels (1.0 .. 1.9 m, below
# every threshold) at holding 0, 2, .. 18.
bench_scenario() { # FILE
  { echo 'time,slave,table,address,type,order,value'; for i in $(seq 0 9); do echo "0s,1,holding,$((i * 2)),float32,ABCD,1.$i"; done; } >"$1"
}

bench_station_config() { # FILE WORKDIR MODBUS_PORT MQTT_PORT
  local file=$1 dir=$2 modbus_port=$3 mqtt_port=$4
  {
    cat <<YAML
station: { id: bench-01 }
hardware: { gpio: { driver: simulated } }
control: { socket: "$dir/control.sock" }
storage: { path: "$dir/data" }
buses:
  - id: plc
    modbus-tcp: { host: 127.0.0.1, port: $modbus_port }
    timeout: 500ms
    retries: 0
sensors:
YAML
    for i in $(seq 0 9); do
      cat <<YAML
  - id: level-$i
    kind: water-level
    unit: m
    modbus: { bus: plc, slave: 1, table: holding, address: $((i * 2)), type: float32, order: ABCD }
    valid: [0, 15]
    poll: 1s
YAML
    done
    cat <<YAML
alerting:
  levels: [ { id: watch, severity: Moderate } ]
  rules:
    - { id: level-0, sensor: level-0, measure: value, above: { watch: 10 } }
uplink:
  mqtt: { host: 127.0.0.1, port: $mqtt_port, prefix: ews }
  telemetry: 60s
YAML
  } >"$file"
  mkdir -p "$dir/data"
}

# Starts the Modbus simulator (with the given edgegw command) and mosquitto in the background, appending
# their pids to the caller's `pids` array; waits until the simulator listens.
bench_peers_start() { # WORKDIR MODBUS_PORT MQTT_PORT EDGEGW...
  local dir=$1 modbus_port=$2 mqtt_port=$3; shift 3
  bench_scenario "$dir/scenario.csv"
  "$@" sim modbus --tcp "127.0.0.1:$modbus_port" --scenario "$dir/scenario.csv" >"$dir/sim.log" 2>&1 & pids+=($!)
  if command -v mosquitto >/dev/null; then
    printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\n' "$mqtt_port" >"$dir/mosquitto.conf"
    mosquitto -c "$dir/mosquitto.conf" >"$dir/mosquitto.log" 2>&1 & pids+=($!)
  fi
  for _ in $(seq 50); do grep -q 'simulating slaves' "$dir/sim.log" 2>/dev/null && break; sleep 0.2; done
}

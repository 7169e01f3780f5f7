#!/usr/bin/env python3
"""Measures a running `edgegw run`: time to READY=1 on NOTIFY_SOCKET, then steady RSS and CPU.

usage: station_probe.py --config FILE [--runs N] [--settle S] [--sample S] [--breakdown] [--user USER] -- COMMAND...
Prints one JSON object: {"ready_ms":[...], "rss_mb":..., "cpu_pct":..., "error":...}; with --breakdown also
"breakdown": where the resident memory is at the end of the sample (scripts/bench/footprint.py).
--user runs the station as that user (setpriv, needs root), the way the unit runs it: as a user that neither owns
nor may write the executable, which is what decides what the kernel lets the station page out.
Traffic stays on this machine: the station's config must point only at 127.0.0.1.
"""
import argparse, json, os, pwd, signal, socket, subprocess, sys, tempfile, time

def clock_ticks():
    return os.sysconf(os.sysconf_names["SC_CLK_TCK"])

def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / clock_ticks()

def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")

def start(command, config, notify_path, env):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(notify_path)
    os.chmod(notify_path, 0o777)  # the station may run as another user (--user)
    sock.settimeout(0.05)
    env = dict(env, NOTIFY_SOCKET=notify_path)
    t0 = time.monotonic()
    proc = subprocess.Popen(command + ["run", "--config", config], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    ready = None
    deadline = t0 + 30
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            data = sock.recv(4096).decode(errors="replace")
        except socket.timeout:
            continue
        if "READY=1" in data.split("\n"):
            ready = (time.monotonic() - t0) * 1000
            break
    sock.close()
    os.unlink(notify_path)
    return proc, ready

def stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.stderr.read().decode(errors="replace")[-2000:] if proc.stderr else ""

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--settle", type=float, default=20)
    parser.add_argument("--sample", type=float, default=30)
    parser.add_argument("--breakdown", action="store_true")
    parser.add_argument("--user")
    parser.add_argument("command", nargs="+")
    args = parser.parse_args()
    result = {"ready_ms": [], "rss_mb": None, "cpu_pct": None, "error": None}
    work = tempfile.mkdtemp(prefix="edgegw-probe-")
    os.chmod(work, 0o711)
    command = args.command
    if args.user:
        user = pwd.getpwnam(args.user)
        command = ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups", "--"] + command
    env = dict(os.environ, DOTNET_CLI_TELEMETRY_OPTOUT="1", DOTNET_NOLOGO="1")
    for i in range(args.runs):
        proc, ready = start(command, args.config, os.path.join(work, f"notify-{i}"), env)
        last = i == args.runs - 1
        if ready is None:
            tail = stop(proc)
            result["error"] = "no READY=1 within 30 s" + (": " + tail.strip().splitlines()[-1] if tail.strip() else "")
            break
        result["ready_ms"].append(round(ready, 1))
        if last:
            time.sleep(args.settle)
            if proc.poll() is not None:
                result["error"] = "the station exited while settling: " + stop(proc).strip()[-300:]
                break
            c0, t0 = cpu_seconds(proc.pid), time.monotonic()
            rss = []
            end = t0 + args.sample
            while time.monotonic() < end:
                rss.append(rss_mb(proc.pid))
                time.sleep(1)
            c1, t1 = cpu_seconds(proc.pid), time.monotonic()
            result["rss_mb"] = round(max(rss), 1)
            result["cpu_pct"] = round((c1 - c0) / (t1 - t0) * 100, 2)
            if args.breakdown:
                sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
                import footprint
                result["breakdown"] = footprint.breakdown(proc.pid)
        stop(proc)
    print(json.dumps(result))

if __name__ == "__main__":
    sys.exit(main())

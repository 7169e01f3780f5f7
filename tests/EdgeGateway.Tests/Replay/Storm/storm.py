#!/usr/bin/env python3
"""A design storm over the example station, and the level transitions it must produce.

Writes, beside this script:
  storm.csv             readings at 1-minute steps for rain-gauge (tipping bucket, 0.5 mm per tip),
                        rain-counter (a logger's cumulative counter, 0.1 mm, reset once mid-storm),
                        river-level (stage in m) and flood-switch (float switch, 1 = active)
  storm.expected.jsonl  the transitions `edgegw replay --json` must print for station.yaml

Rain: a Chicago design-storm hyetograph (Keifer & Chu, 1957) built on the IDF curve
i = a / (td + b)^c (mm/h, td in minutes), peak at r = 0.4 of a 6-hour storm. Its defining property
is that the wettest window of any length d centred on the peak holds exactly the IDF depth for d,
which gives the cumulative rainfall in closed form.

River: effective rainfall (initial loss, then a runoff coefficient) routed through a Nash cascade of
three linear reservoirs, turned into stage with a power-law rating curve, plus a small deterministic
sensor noise. The river sensor drops out for eight minutes during the recession, while a step-down is pending.

The expected transitions are computed here from the level semantics by brute force, independently
of the gateway's engine: every second and every reading instant is an evaluation instant, and every
measure is recomputed from scratch by scanning the readings of its window (no running sums).

Standard library only. Run: python3 storm.py
"""

import bisect
import json
import math
import os
import random
from datetime import datetime, timedelta, timezone
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
START = datetime(2026, 7, 1, 0, 0, 0, tzinfo=timezone.utc)
MINUTES = 36 * 60                    # the series: 36 hours at 1-minute steps

# --- rain: Chicago hyetograph -------------------------------------------------------------------
A, B, C = 1404.0, 10.0, 0.75         # IDF: i(td) = A / (td + B)^C mm/h
STORM_START = 6 * 60                 # minutes after START
STORM_LENGTH = 6 * 60
R = 0.4                              # peak position as a fraction of the storm
TIP_MM = 0.5


def idf_depth(d):
    """Depth (mm) of the IDF storm of duration d minutes."""
    return 0.0 if d <= 0 else A * (d / 60.0) / (d + B) ** C


def cumulative_rain(minute):
    """Rainfall (mm) since the storm began, at `minute` after START."""
    x = min(max(minute - STORM_START, 0.0), float(STORM_LENGTH))
    tp = R * STORM_LENGTH
    if x <= tp:
        return R * (idf_depth(STORM_LENGTH) - idf_depth((tp - x) / R))
    return R * idf_depth(STORM_LENGTH) + (1 - R) * idf_depth((x - tp) / (1 - R))


# --- river: Nash cascade and rating curve ---------------------------------------------------------
AREA_KM2 = 30.0
INITIAL_LOSS_MM = 10.0
RUNOFF_COEFF = 0.7
NASH_N, NASH_K_MIN = 3, 45.0
BASEFLOW = 3.0                       # m3/s
RATING_ALPHA, RATING_H0, RATING_BETA = 14.8, 0.9, 1.8     # Q = alpha (h - h0)^beta
FLOAT_SWITCH_M = 3.9
OUTAGE = range(12 * 60 + 50, 12 * 60 + 58)  # river-level minutes with no valid answer (while a clear is pending)


def river_series():
    """Stage (m) at each minute, from the Nash cascade response to effective rainfall."""
    decay = math.exp(-1.0 / NASH_K_MIN)
    stores = [0.0] * NASH_N          # outflow of each reservoir, m3/s
    stage = []
    for m in range(MINUTES + 1):
        rain = cumulative_rain(m) - cumulative_rain(m - 1)
        before = cumulative_rain(m - 1)
        effective = RUNOFF_COEFF * max(0.0, rain - max(0.0, INITIAL_LOSS_MM - before))
        inflow = effective * AREA_KM2 * 1e3 / 60.0          # mm/min over the area -> m3/s
        for i in range(NASH_N):
            stores[i] = stores[i] * decay + inflow * (1 - decay)
            inflow = stores[i]
        q = BASEFLOW + stores[-1]
        stage.append(RATING_H0 + (q / RATING_ALPHA) ** (1 / RATING_BETA))
    return stage


NOISE = random.Random(20260701)     # Mersenne Twister with an integer seed: the same on every Python 3


def noise():
    """Sensor noise, uniform in [-0.03, 0.03] m (waves on a radar gauge)."""
    return NOISE.uniform(-0.03, 0.03)


# --- the readings -------------------------------------------------------------------------------------
def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def generate():
    rows = []                        # (minute, sensor, text value)
    stage = river_series()
    reset_minute = STORM_START + 150  # the logger is reset (power cycle) 2.5 h into the storm
    for m in range(MINUTES + 1):
        tips = math.floor(cumulative_rain(m) / TIP_MM + 1e-9) - math.floor(cumulative_rain(m - 1) / TIP_MM + 1e-9)
        rows.append((m, "rain-gauge", f"{tips * TIP_MM:.1f}"))
        # The logger's gauge catches 93 % of the tipping bucket's rain and counts in 0.1 mm from 812.3 mm;
        # after its reset (half way through that minute) it counts from zero again.
        if m < reset_minute:
            tenths = 8123 + math.floor(0.93 * cumulative_rain(m) * 10 + 1e-9)
        else:
            tenths = math.floor(0.93 * (cumulative_rain(m) - cumulative_rain(reset_minute - 0.5)) * 10 + 1e-9)
        rows.append((m, "rain-counter", f"{tenths // 10}.{tenths % 10}"))
        level = stage[m] + noise()
        rows.append((m, "river-level", "" if m in OUTAGE else f"{level:.3f}"))
        rows.append((m, "flood-switch", "1" if stage[m] >= FLOAT_SWITCH_M else "0"))
    return rows


# --- the level semantics, by brute force ------------------------------------------------------------
LEVELS = ["none", "watch", "prepare", "evacuate"]
CLEAR_AFTER = 30 * 60                # alerting.clearAfter, seconds
# The rules of station.yaml: (id, sensor, measure, window s, {level: threshold}, hysteresis, hold s, latch, digital)
RULES = [
    ("rain-1h", "rain-gauge", "sum", 3600, {"watch": 20, "prepare": 30, "evacuate": 50}, 0.0, 0, False, None),
    ("rain-3h", "rain-gauge", "sum", 3 * 3600, {"prepare": 50, "evacuate": 80}, 0.0, 0, False, None),
    ("rain-logger-1h", "rain-counter", "sum", 3600, {"prepare": 30, "evacuate": 50}, 0.0, 0, False, None),
    ("river", "river-level", "value", 0, {"watch": 2.8, "prepare": 3.2, "evacuate": 3.8}, 0.05, 30, False, None),
    ("river-rise", "river-level", "rise", 3600, {"prepare": 0.5}, 0.0, 0, False, None),
    ("flood-switch", "flood-switch", "value", 0, {"evacuate": 0.5}, 0.0, 0, False, "active"),
    ("manual", "alarm-button", "value", 0, {"evacuate": 0.5}, 0.0, 0, True, "active"),
]
COUNTERS = {"rain-counter"}


def counter_increments(values):
    """Counter readings -> rainfall per reading, in millionths of a mm. A drop is a reset."""
    out, previous = [], None
    for v in values:
        if v is None:
            out.append(None)
            continue
        c = round(v * 1e6)
        out.append(0 if previous is None else (c - previous if c >= previous else c))
        previous = c
    return out


def expected(rows):
    # Per sensor: reading times (s since START) and values; None marks a reading with no valid value.
    series = {}
    for m, sensor, text in rows:
        times, values = series.setdefault(sensor, ([], []))
        times.append(m * 60)
        values.append(None if text == "" else float(text))
    # Rainfall in millionths of a mm, exact integers, for the sums.
    micro = {}
    for sensor, (times, values) in series.items():
        if sensor in COUNTERS:
            micro[sensor] = [0 if v is None else v for v in counter_increments(values)]
        else:
            micro[sensor] = [0 if v is None else round(v * 1e6) for v in values]

    last = max(m for m, _, _ in rows) * 60
    out = []
    state = {rule[0]: {"level": 0, "since": {}, "clear": None} for rule in RULES}
    station = 0
    for t in range(0, last + 1):                 # every second; readings fall on whole seconds
        for rid, sensor, measure, window, above, hyst, hold, latch, digital in RULES:
            st = state[rid]
            times, values = series.get(sensor, ([], []))
            n = bisect.bisect_right(times, t)    # the readings at or before t
            if n and values[n - 1] is None:
                st["clear"] = None               # faulty sensor: frozen, and a pending clear is void
                continue
            lo = bisect.bisect_right(times, t - window)   # the first reading inside (t - window, t]
            if measure == "sum":
                m = sum(micro[sensor][lo:n]) / 1e6
            elif measure == "rise":
                inside = [v for v in values[lo:n] if v is not None]
                # A difference of two readings in decimal, as the gateway takes it: 3.1 - 3.755 is -0.655.
                m = float(Decimal(repr(inside[-1])) - Decimal(repr(inside[0]))) if inside else None
            else:
                m = next((v for v in reversed(values[:n]) if v is not None), None)
            if m is None:
                st["clear"] = None               # no data: never clears
                continue
            levels = sorted((LEVELS.index(k), v) for k, v in above.items())
            if digital:
                cond = levels[0][0] if (m >= 0.5) == (digital == "active") else 0
                supported = cond
            else:
                cond = max([k for k, v in levels if m >= v], default=0)
                # threshold - hysteresis as written in the file (3.2 - 0.05 is 3.15, not 3.1500000000000004)
                supported = max([k for k, v in levels if m >= float(Decimal(repr(v)) - Decimal(repr(hyst)))], default=0)
            for k, _ in levels:
                if k <= cond:
                    st["since"].setdefault(k, t)
                else:
                    st["since"].pop(k, None)
            risen = [k for k, _ in levels if k > st["level"] and k in st["since"] and t - st["since"][k] >= hold]
            if risen:
                out.append((t, "rule", rid, st["level"], max(risen), m))
                st["level"], st["clear"] = max(risen), None
            elif st["level"] > 0 and not latch and supported < st["level"]:
                if st["clear"] is None:
                    st["clear"] = t
                if t - st["clear"] >= CLEAR_AFTER:
                    out.append((t, "rule", rid, st["level"], supported, m))
                    st["level"], st["clear"] = supported, None
            else:
                st["clear"] = None
        top = max(s["level"] for s in state.values())
        if top != station:
            out.append((t, "station", "station", station, top, None))
            station = top
    return out


def number(v):
    """A number as the gateway prints it: shortest round-trip form at 12 significant digits (no binary noise
    from sums and differences), no trailing .0."""
    v = float("%.12g" % v)
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


def main():
    rows = generate()
    with open(os.path.join(HERE, "storm.csv"), "w", newline="\n") as f:
        f.write("time,sensor,value\n")
        for m, sensor, text in rows:
            f.write(f"{iso(START + timedelta(minutes=m))},{sensor},{text}\n")
    with open(os.path.join(HERE, "storm.expected.jsonl"), "w", newline="\n") as f:
        for t, scope, rid, frm, to, value in expected(rows):
            line = (f'{{"time":"{iso(START + timedelta(seconds=t))}","scope":"{scope}","id":"{rid}",'
                    f'"from":"{LEVELS[frm]}","to":"{LEVELS[to]}"')
            if value is not None:
                line += f',"value":{number(value)}'
            f.write(line + "}\n")


if __name__ == "__main__":
    main()

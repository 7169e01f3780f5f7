# The judge of scripts/powercut.sh's record (jq -R -n, `include "powercut";`). One record line per
# message the hub received: the host's receive time, a space, then mosquitto_sub's -F %j JSON of it
# (the payload as an escaped string, so a CAP document's lines stay on its line).

# ISO 8601 UTC with or without fractions ("...T01:02:03.456Z", CAP's "...T01:02:03-00:00") to epoch s.
def epoch: sub("(\\.[0-9]+)?(Z|[-+]00:00)$"; "Z") | fromdateiso8601;

# A CAP document's seq and time are its "seq" parameter and "sent"; its id is its alert's ("alertId"),
# so a document carrying its alert's seq (as the contract has it) is not taken for a second message,
# and its own identifier without one.
def param($name): capture("<valueName>" + $name + "</valueName>\\s*<value>(?<v>[^<]*)</value>").v;
def cap: {id: ((param("alertId") // null) // capture("<identifier>(?<v>[^<]+)</identifier>").v),
          seq: (param("seq") | tonumber),
          time: (capture("<sent>(?<v>[^<]+)</sent>").v)};

# Every recorded message as {t: receive time, topic: what follows P/S/, m: the payload's fields}.
def messages: [inputs | index(" ") as $i | (.[$i + 1:] | fromjson) as $r
  | {t: (.[:$i] | tonumber), topic: ($r.topic | sub("^[^/]+/[^/]+/"; ""))}
  | .m = (if .topic == "alert/cap" then ($r.payload | try cap catch null) else ($r.payload | try fromjson catch null) end)
  | select(.m | type == "object")];

# Sorted numbers to [[from, to], ...] runs of consecutive ones.
def ranges: reduce .[] as $n ([]; if length > 0 and .[-1][1] + 1 == $n then .[-1][1] = $n else . + [[$n, $n]] end);
def merged: sort_by(.[0]) | reduce .[] as $r ([];
  if length > 0 and .[-1][1] + 1 >= $r[0] then .[-1][1] = ([.[-1][1], $r[1]] | max) else . + [$r] end);
def fmt: map(if .[0] == .[1] then "\(.[0])" else "\(.[0])-\(.[1])" end) | join(",") | if . == "" then "none" else . end;
def tenths: . * 10 | round / 10;
# The parts of the range [a, b] outside the sorted, merged ranges $ranges.
def uncovered($ranges): . as [$a, $b]
  | reduce ($ranges[] | select(.[1] >= $a and .[0] <= $b)) as $r ({from: $a, out: []};
      (if $r[0] > .from then .out += [[.from, $r[0] - 1]] else . end) | .from = ([.from, $r[1] + 1] | max))
  | if .from <= $b then .out + [[.from, $b]] else .out end;

# $boots: [{start, online, cut, drained?}] in host time (online null: never came up; drained false: the
# last boot's outbox did not empty in time); $cuts: how many were cut.
def verdict($boots; $cuts):
  messages
  | map(select(.m.seq != null)) as $msgs
  | ($msgs | group_by(.m.seq) | map(select((map(.m.id) | unique | length) > 1) | [.[0].m.seq, (map(.m.id) | unique)])) as $dupes
  | ($msgs | map(.m.seq) | unique) as $seqs
  | ([$msgs[] | select(.topic == "event") | .m
      | if .type == "seq-skipped" then [[(.data.from // .from), (.data.to // .to)]]
        elif .type == "telemetry-dropped" then (.data.seqs // [])
        else [] end]
     | add // [] | map(select(length == 2 and (.[0] | type) == "number" and (.[1] | type) == "number")) | merged) as $announced
    # Telemetry goes out last and in seq order: below the highest telemetry seq received a missing seq
    # is lost, not late. Above it, messages may still have been in the station's outbox at the end.
  | ($msgs | map(select(.topic == "telemetry") | .m.seq) | max // 0) as $horizon
  | ([0] + $seqs | [range(0; length - 1) as $i | [.[$i] + 1, .[$i + 1] - 1] | select(.[0] <= .[1] and .[0] <= $horizon)
      | .[1] = ([.[1], $horizon] | min)]) as $gaps
  | ([$gaps[] | uncovered($announced)[]]) as $unannounced
  | [range(0; $boots | length) as $i | $boots[$i] as $b
      | ($msgs | map(select(.t > $b.start and ($b.cut == null or .t <= $b.cut)))) as $in
      | ($in | map(select((.m.time | epoch) >= ($b.start | floor)))) as $new
      | ($msgs | map(select(.t <= $b.start))) as $earlier
      | ($earlier | map(.m.seq) | max) as $before
      | ($in | map(select((.m.time | epoch) < ($b.start | floor)))) as $replayed
      | "boot \($i + 1): "
        + (if $b.online == null then "NOT online" else "online after \($b.online - $b.start | tenths) s" end)
        + "; seq before \($before // "none"); new seqs \($new | map(.m.seq) | min // "none")..\($new | map(.m.seq) | max // "none")"
        + " (\($new | length) messages), \($replayed | length) replayed from the outbox"
        + " (\([$replayed[] | select(.m.id as $id | any($earlier[]; .m.id == $id))] | length) of them received before)"
        + (if $i < $cuts and $b.cut != null then "; power cut \($b.cut - ($b.online // $b.start) | tenths) s after online" else "" end)
    ] as $lines
  | ($boots | map(select(.online != null)) | length) as $up
  | ($boots | last | .drained != false) as $drained
  | ($up == $cuts + 1 and $drained and ($dupes | length) == 0 and ($unannounced | length) == 0 and $horizon > 0) as $pass
  | ($lines[]),
    (if $drained then empty else "the outbox did not drain after the last boot" end),
    "announced skips: \($announced | fmt)",
    "seqs given twice: \(if ($dupes | length) == 0 then "none" else $dupes | map("\(.[0]) (ids \(.[1] | join(" ")))") | join("; ") end)",
    "gaps: \($gaps | fmt); not announced: \($unannounced | fmt)",
    "verdict: booted \($up)/\($cuts + 1), seqs 1..\($horizon) judged (\($seqs | length) distinct seqs, \($msgs | length) messages received, highest seq \($seqs | max // 0)), duplicate seqs \($dupes | length), gaps \($gaps | length), unannounced \($unannounced | map(.[1] - .[0] + 1) | add // 0)",
    (if $pass then "powercut: PASS" else "powercut: FAIL" end);

#!/usr/bin/env bash
# Generates the default broadcast clips (Mandarin, spoken by espeak-ng) from audio/clips.txt.
# Usage: scripts/make-clips.sh OUTPUT_DIR [CLIPS_FILE]
# Writes OUTPUT_DIR/<id>.wav for every "ID|TEXT" line (22.05 kHz mono 16-bit; the gateway converts).
# Packaging runs it into /usr/share/edge-gateway/audio; a station's own copies live in
# /etc/edge-gateway/audio (see docs/broadcast.md).
set -euo pipefail

usage() { echo "usage: $0 OUTPUT_DIR [CLIPS_FILE]" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 2 ] || usage
out=$1
clips=${2:-"$(dirname "$0")/../audio/clips.txt"}
# Mandarin. espeak-ng's plain "cmn" voice (1.51, Debian 12) reads many characters as tone-numbered
# pinyin spelled in English ("zhe four"); "cmn-latn-pinyin" speaks the same characters correctly.
voice=${VOICE:-cmn-latn-pinyin}

command -v espeak-ng >/dev/null || { echo "$0: espeak-ng is required (apt-get install espeak-ng)" >&2; exit 1; }
[ -r "$clips" ] || { echo "$0: cannot read $clips" >&2; exit 1; }
mkdir -p "$out"

count=0
while IFS= read -r line || [ -n "$line" ]; do
  case "$line" in ''|'#'*) continue ;; esac
  id=${line%%|*}
  text=${line#*|}
  if [ "$id" = "$line" ] || [ -z "$text" ] || ! [[ "$id" =~ ^[a-z0-9-]+$ ]]; then
    echo "$0: $clips: bad line (want ID|TEXT with ID in [a-z0-9-]): $line" >&2
    exit 1
  fi
  tmp="$out/.$id.wav.tmp"
  # The text goes on standard input so nothing in it is read as an option.
  printf '%s' "$text" | espeak-ng -v "$voice" -w "$tmp" --stdin
  mv -f "$tmp" "$out/$id.wav"
  echo "$out/$id.wav"
  count=$((count + 1))
done < "$clips"

[ "$count" -gt 0 ] || { echo "$0: no clips in $clips" >&2; exit 1; }

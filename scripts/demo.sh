#!/usr/bin/env bash
# The demo: a capture store holding a generated capture, and the reference
# system's two-target push example run offline over it: every packet, and
# the TCP of 192.168.1.0/24, in one file per UTC minute.
# Usage: scripts/demo.sh BIN OUT_DIR
set -euo pipefail
bin=$1
out=$2
rm -rf "$out"
store="$out/store"
capture="$store/capture1_20210521_0101"
mkdir -p "$capture" "$out/push"

echo "== 1. a capture in the store: 5 minutes of synthetic traffic, written as 4 MB chunks"
"$bin/pcapgen" --seed 7 --start 2021-05-24T09:50:30Z --duration 5m --size 40MB --encap 0.2 |
  "$bin/pcap_split" -o "$capture/chunk" --split-byte 4MB --filename-tstr-HHMMSS_NS 2>/dev/null
touch "$capture/.complete"
"$bin/stream_cat" --store "$store" --list

echo
echo "== 2. the push configuration: the reference's example, outputs under $out/push"
cat > "$out/push_realtime.lua" <<LUA
local Config = {}
Config.Target = {}
table.insert(Config.Target, { Desc = "pcap-all", Mode = "File", Path = "$out/push/all",
    Split = "--split-time 60e9", FileName = "--filename-epoch-sec-startend", FilterBPF = nil })
table.insert(Config.Target, { Desc = "pcap-tcp", Mode = "File", Path = "$out/push/tcp",
    Split = "--split-time 60e9", FileName = "--filename-epoch-sec-startend", FilterBPF = "net 192.168.1.0/24 and tcp" })
return Config
LUA
cat "$out/push_realtime.lua"

echo
echo "== 3. push_realtime --offline: one pipeline per target"
args=(--config "$out/push_realtime.lua" --store "$store" --state-dir "$out/state" --log-dir "$out/log" --bin-dir "$bin")
"$bin/push_realtime" "${args[@]}" --offline capture1_20210521_0101 --dry-run
"$bin/push_realtime" "${args[@]}" --offline capture1_20210521_0101 --status-interval 1s

echo
echo "== 4. what it made"
ls -l "$out/push"
echo
echo "-- $out/log/analytics_push_realtime.cur (tail)"
tail -n 4 "$out/log/analytics_push_realtime.cur" | cut -c1-160
echo "-- $out/log/push_pcap-tcp.cur (pcap_split's progress)"
grep -m 3 "New Split" "$out/log/push_pcap-tcp.cur"

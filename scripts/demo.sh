#!/usr/bin/env bash
# The demo: make a sample capture, push it through pcap_split into one file
# per UTC minute, and list what was made. Usage: scripts/demo.sh BIN OUT_DIR
set -euo pipefail
bin=$1
out=$2
rm -rf "$out"
mkdir -p "$out/push"

echo "== 1. a 5-minute sample capture (synthetic traffic, 40 MB)"
"$bin/pcapgen" --seed 7 --start 2021-05-24T09:50:30Z --duration 5m --size 40MB -w "$out/capture.pcap"
ls -l "$out/capture.pcap"

echo
echo "== 2. pcap_split: one file per minute, named by its start and end second"
echo "\$ pcap_split -o $out/push/all --split-time 60e9 --filename-epoch-sec-startend < $out/capture.pcap"
"$bin/pcap_split" -o "$out/push/all" --split-time 60e9 --filename-epoch-sec-startend < "$out/capture.pcap"

echo
echo "== 3. what it made"
ls -l "$out/push"

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pcappush/pcappush/lib/push/status"
	"github.com/pcappush/pcappush/lib/state/ledger"
)

// TestStatusTable: the table a person reads: the service, one row per
// target (an offline push's apart, a dead writer's as stopped with what
// it recorded, a configured target without status), the details, the
// store.
func TestStatusTable(t *testing.T) {
	state, store := t.TempDir(), t.TempDir()
	if err := os.MkdirAll(filepath.Join(store, "cap1"), 0o755); err != nil {
		t.Fatal(err)
	}
	pid := os.Getpid()
	start, ok := status.ProcessStart(pid)
	if !ok {
		t.Fatal("no start time of this process")
	}
	now := time.Date(2021, 5, 29, 15, 36, 46, 0, time.UTC)
	for _, s := range []status.Status{
		{Format: status.Format, Target: "pcap-all", Mode: status.Realtime, PID: pid, PIDStart: start, State: status.Running, Started: now.Add(-time.Hour),
			Capture: "cap1", Stages: []status.Stage{{Name: "stream_cat", Up: true}, {Name: "pcap_split", Up: true}}, Splits: 2, Bytes: 80123456, Packets: 51234,
			LastSplit: &status.Split{Entry: ledger.Entry{Name: "/p/all_1621849860.pcap", Last: now.Add(-75 * time.Second).UnixNano()}, Published: now.Add(-12 * time.Second)}},
		{Format: status.Format, Target: "pcap-tcp", Mode: status.Realtime, PID: pid, PIDStart: start + 1, State: status.Running, Capture: "cap1",
			LastError: strings.Repeat("x", 100), Log: "/var/log/pcappush/push_pcap-tcp_20210529_1536"},
		{Format: status.Format, Target: "pcap-all", Mode: status.Offline, PID: pid, PIDStart: start, State: status.Stopped, Detail: "finished capture cap0"},
	} {
		p := status.Path(state, s.Target, s.Mode)
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := status.Write(p, &s); err != nil {
			t.Fatal(err)
		}
	}
	r, err := status.NewReport(state, store, []string{"pcap-all", "pcap-tcp", "pcap-new"}, now)
	if err != nil {
		t.Fatal(err)
	}
	r.LogDir, r.FoldersFrom = "/var/log/pcappush", "the realtime push started 2021-05-29 14:36:46 UTC"
	var b bytes.Buffer
	if err := writeTable(&b, r); err != nil {
		t.Fatal(err)
	}
	table := b.String()
	for _, re := range []string{
		`^push_realtime: running, pid \d+, since 2021-05-29 14:36:46 UTC\n\n`,
		`\nTARGET +STATE +CAPTURE +LAST SPLIT +PUBLISHED +SPLITS +BYTES +PACKETS +LAG +RESTARTS +ERROR\n`,
		`\npcap-all +running +cap1 +all_1621849860\.pcap +12s ago +2 +80\.1 MB +51234 +1m15s +0 +-\n`,
		`\npcap-all \(offline\) +stopped +- +- +- +0 +0 B +0 +- +0 +-\n`,
		`\npcap-tcp +stopped +cap1 .* x{57}\.\.\.\n`,
		`\n  pcap-tcp: push_realtime \(pid \d+\) is not running; it recorded "running"\n  pcap-tcp: its log: /var/log/pcappush/push_pcap-tcp_20210529_1536\n`,
		`\n  pcap-new: no status yet`,
		`\n\nfolders from the realtime push started 2021-05-29 14:36:46 UTC\nlogs /var/log/pcappush: analytics_push_realtime.cur, push_<target>.cur\n`,
		`\nstore .*:\nCAPTURE +CHUNKS +BYTES +FIRST +LAST +ACTIVE\ncap1 +0 +0 +- +- +no\n$`,
	} {
		if !regexp.MustCompile(re).MatchString(table) {
			t.Errorf("table lacks %s:\n%s", re, table)
		}
	}
}

// TestStatusTableNoStore: after an offline push of a capture given by its
// path, the store (the default) may not exist: the table says so in one
// line instead of an error listing it.
func TestStatusTableNoStore(t *testing.T) {
	store := filepath.Join(t.TempDir(), "capture")
	r, err := status.NewReport(t.TempDir(), store, nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := writeTable(&b, r); err != nil {
		t.Fatal(err)
	}
	if want := "\nstore " + store + ": none (no such folder)\n"; !strings.HasSuffix(b.String(), want) {
		t.Errorf("table ends:\n%s\nwant %q", b.String(), want)
	}
}

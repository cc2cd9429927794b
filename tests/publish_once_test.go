package tests

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pcappush/pcappush/internal/testutil"
	"github.com/pcappush/pcappush/lib/push/status"
	"github.com/pcappush/pcappush/lib/state"
	"github.com/pcappush/pcappush/lib/state/ledger"
)

// fileID is what tells a file apart from a copy: inode, size and time.
type fileID struct {
	Ino   uint64
	Size  int64
	MTime int64
}

// snapshot returns the identity of every file in dir.
func snapshot(t *testing.T, dir string) map[string]fileID {
	t.Helper()
	out := map[string]fileID{}
	for _, n := range files(t, dir) {
		st, err := os.Stat(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		out[n] = fileID{st.Sys().(*syscall.Stat_t).Ino, st.Size(), st.ModTime().UnixNano()}
	}
	return out
}

// age sets the time of every file in dir an hour back, so that a file
// written again would show.
func age(t *testing.T, dir string) {
	t.Helper()
	old := time.Now().Add(-time.Hour)
	for _, n := range files(t, dir) {
		if err := os.Chtimes(filepath.Join(dir, n), old, old); err != nil {
			t.Fatal(err)
		}
	}
}

// statusOf reads a target's status file.
func statusOf(t *testing.T, e pushEnv, desc, mode string) *status.Status {
	t.Helper()
	s, err := status.Read(status.Path(e.state, desc, mode))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestPushStateLostPublishesNothingTwice: a push run again over a
// capture whose splits the destination holds, with the state folder
// deleted in between (a reinstalled machine), reads the capture again but
// publishes nothing again: each split is found under its name with the
// same bytes, left as it was, and counted as skipped in the status and
// the log. Offline, then realtime (which keeps its own ledgers, so it
// re-reads too), then realtime again after deleting the state.
func TestPushStateLostPublishesNothingTwice(t *testing.T) {
	e := newPushEnv(t)
	in := storedCapture(t, e, "cap1", "--seed", "31", "--start", "2021-05-24T09:50:30Z", "--duration", "150s", "--size", "4MB")
	cfg := referenceConfig(t, e)
	push := testutil.Tool(t, "push_realtime")
	res := testutil.Run(t, nil, push, e.args(cfg, "--bin-dir", binDir(t), "--offline", "cap1")...)
	if res.Code != 0 {
		t.Fatalf("first push: exit %d\n%s", res.Code, res.Stderr)
	}
	age(t, e.out)
	first := snapshot(t, e.out)
	splits := map[string]int64{"pcap-all": 0, "pcap-tcp": 0}
	for n := range first {
		if strings.HasPrefix(n, "all_") {
			splits["pcap-all"]++
		} else {
			splits["pcap-tcp"]++
		}
	}
	if splits["pcap-all"] != 3 || splits["pcap-tcp"] != 3 {
		t.Fatalf("first push published %v; want 3 splits a target", first)
	}
	check := func(what, mode string) {
		t.Helper()
		if got := snapshot(t, e.out); !cmp.Equal(got, first) {
			t.Fatalf("%s: the published splits changed (-before +after):\n%s", what, cmp.Diff(first, got))
		}
		for desc, n := range splits {
			st := statusOf(t, e, desc, mode)
			if st.Skipped != n || st.Splits != 0 || st.LastSplit == nil || !st.LastSplit.Existed {
				t.Errorf("%s: %s's status: skipped %d, splits %d, last %+v; want %d skipped, none published", what, desc, st.Skipped, st.Splits, st.LastSplit, n)
			}
			b, _ := os.ReadFile(st.Log)
			log := string(b)
			if i := strings.LastIndex(log, "pcap_split args"); i >= 0 {
				log = log[i:] // this run's pipeline (a log file holds a minute's runs)
			}
			if got := int64(strings.Count(log, "is already published with the same content: not written again (skipped)")); got != n {
				t.Errorf("%s: %s's log says %d splits were skipped; want %d:\n%s", what, desc, got, n, log)
			}
			if !strings.Contains(log, "pcap_split: done: 0 files, ") || !strings.Contains(log, fmt.Sprintf(", %d splits skipped as already published", n)) {
				t.Errorf("%s: %s's log lacks the summary of skipped splits:\n%s", what, desc, log)
			}
		}
	}

	if err := os.RemoveAll(e.state); err != nil {
		t.Fatal(err)
	}
	res = testutil.Run(t, nil, push, e.args(cfg, "--bin-dir", binDir(t), "--offline", "cap1")...)
	if res.Code != 0 {
		t.Fatalf("offline push after the state was deleted: exit %d\n%s", res.Code, res.Stderr)
	}
	check("offline, state deleted", status.Offline)

	for _, round := range []string{"realtime", "realtime, state deleted"} {
		if strings.HasSuffix(round, "deleted") {
			if err := os.RemoveAll(e.state); err != nil {
				t.Fatal(err)
			}
		}
		p := startPush(t, e, cfg, "--capture", "cap1", "--status-interval", "200ms")
		waitUntil(t, 30*time.Second, round+": both targets finishing cap1", func() bool {
			d := state.At(e.state)
			return d.Done("pcap-all")["cap1"] && d.Done("pcap-tcp")["cap1"]
		})
		p.stop(t)
		check(round, status.Realtime)
	}
	sameRecs(t, "pcap-all", readRecs(t, in), published(t, e.out, "all_"))
}

// TestSplitNeverReplaces: pcap_split into a folder that already holds
// some of its splits: one with the same bytes is left as it was (same
// inode, same time) and counted as published, in the log and the ledger;
// one with other bytes is kept, and the split goes to NAME_2 with a
// warning; --overwrite replaces.
func TestSplitNeverReplaces(t *testing.T) {
	in := gen(t, "--seed", "32", "--start", "2021-05-24T09:50:30Z", "--duration", "150s", "--size", "3MB")
	ref := t.TempDir()
	if res := runSplit(t, in, "-o", ref+"/", "--split-time", "60e9", "--filename-epoch-sec"); res.Code != 0 {
		t.Fatalf("exit %d\n%s", res.Code, res.Stderr)
	}
	names := files(t, ref)
	if len(names) != 3 {
		t.Fatalf("split into %v; want 3 files", names)
	}
	dir := t.TempDir()
	same, other := names[0], names[1]
	orig, _ := os.ReadFile(filepath.Join(ref, same))
	os.WriteFile(filepath.Join(dir, same), orig, 0o640)
	os.WriteFile(filepath.Join(dir, other), orig, 0o640) // other bytes
	age(t, dir)
	before := snapshot(t, dir)

	ledgerPath := filepath.Join(t.TempDir(), "x.ledger")
	res := runSplit(t, in, "-o", dir+"/", "--split-time", "60e9", "--filename-epoch-sec", "--ledger", ledgerPath)
	if res.Code != 0 {
		t.Fatalf("exit %d\n%s", res.Code, res.Stderr)
	}
	stderr := string(res.Stderr)
	after := snapshot(t, dir)
	if after[same] != before[same] || after[other] != before[other] {
		t.Errorf("a file already there was replaced or touched: before %v, after %v", before, after)
	}
	dup := strings.TrimSuffix(other, ".pcap") + "_2.pcap"
	if want := []string{names[0], names[1], dup, names[2]}; !cmp.Equal(files(t, dir), slices.Sorted(slices.Values(want))) {
		t.Fatalf("folder holds %v; want %v", files(t, dir), want)
	}
	for got, want := range map[string]string{dup: other, names[2]: names[2]} {
		a, _ := os.ReadFile(filepath.Join(dir, got))
		b, _ := os.ReadFile(filepath.Join(ref, want))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs from the split %s of a clean run", got, want)
		}
	}
	for _, want := range []string{
		filepath.Join(dir, same) + " is already published with the same content: not written again (skipped)",
		"warning: " + filepath.Join(dir, other) + " already exists with other content: published as " + filepath.Join(dir, dup),
		"pcap_split: done: 2 files, ",
		", 1 splits skipped as already published",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	es, err := ledger.Read(ledgerPath)
	if err != nil || len(es) != 3 || !es[0].Existed || es[1].Existed || es[1].Name != filepath.Join(dir, dup) || es[1].Dup != 2 {
		t.Errorf("ledger %+v, %v; want the first split existed, the second as %s", es, err, dup)
	}
	// Every packet is in what the folder holds, once, besides the file
	// that was there with other bytes (read by mergecap).
	sameRecs(t, "published", readRecs(t, in), merged(t, dir, []string{names[0], dup, names[2]}))

	res = runSplit(t, in, "-o", dir+"/", "--split-time", "60e9", "--filename-epoch-sec", "--overwrite")
	a, _ := os.ReadFile(filepath.Join(dir, other))
	b, _ := os.ReadFile(filepath.Join(ref, other))
	if res.Code != 0 || !bytes.Equal(a, b) {
		t.Errorf("--overwrite: exit %d, %s not replaced\n%s", res.Code, other, res.Stderr)
	}
}

// TestSplitAfterACutRunPublishesTheRest: a run that stopped early (its
// input ended, as a push stops at SIGTERM) published its last split cut
// short; a run over the whole input without that run's state (a state
// folder lost) finds the cut split under its name holding the first
// packets byte for byte, leaves it, and publishes only the rest, under
// NAME_2: every packet once, nothing replaced. Time and size splits, to
// a folder and to S3.
func TestSplitAfterACutRunPublishesTheRest(t *testing.T) {
	in := gen(t, "--seed", "37", "--start", "2021-05-24T09:50:30Z", "--duration", "150s", "--size", "2MB")
	b, _ := os.ReadFile(in)
	recs := readRecs(t, in)
	cut := 24 // the first two fifths of the records, whole
	for _, r := range recs[:len(recs)*2/5] {
		cut += 16 + len(r.Data)
	}
	part := filepath.Join(t.TempDir(), "part.pcap")
	os.WriteFile(part, b[:cut], 0o644)
	var s3 *remote
	var conf string
	if !testing.Short() {
		s3 = startRemote(t, "s3")
		conf = writeConf(t, s3.conf)
	}
	for _, tc := range []struct {
		name  string
		args  []string
		where string
	}{
		{"time, folder", []string{"--split-time", "60e9", "--filename-epoch-sec"}, "local"},
		{"size, folder", []string{"--split-byte", "300e3", "--filename-tstr-HHMMSS_NS"}, "local"},
		{"time, S3", []string{"--split-time", "60e9", "--filename-epoch-sec"}, "s3"},
		{"size, S3", []string{"--split-byte", "300e3", "--filename-tstr-HHMMSS_NS"}, "s3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			args := append([]string{"-o", dir + "/all"}, tc.args...)
			if tc.where == "s3" {
				if s3 == nil {
					t.Skip("server tests skipped in -short mode")
				}
				sub := strings.NewReplacer(",", "", " ", "-").Replace(tc.name)
				dir = s3.dir(sub)
				args = append([]string{"--rclone", "--rclone-config", conf, "-o", s3.prefix(sub)}, tc.args...)
			}
			if res := runSplit(t, part, args...); res.Code != 0 {
				t.Fatalf("cut run: exit %d\n%s", res.Code, res.Stderr)
			}
			age(t, dir)
			before := snapshot(t, dir)
			res := runSplit(t, in, args...)
			if res.Code != 0 || !strings.Contains(string(res.Stderr), " packets of this split with the same bytes (a split cut short, published before): the other ") {
				t.Fatalf("whole run: exit %d; want the rest of the cut split published\n%s", res.Code, res.Stderr)
			}
			after := snapshot(t, dir)
			for n, id := range before {
				if after[n] != id {
					t.Errorf("%s was replaced or touched", n)
				}
			}
			sameRecs(t, "published", recs, merged(t, dir, files(t, dir)))
		})
	}
}

// TestPushLiveStateLostAfterStop: a realtime push of a live capture is
// stopped (SIGTERM publishes the time and size splits in progress, cut
// short), its state folder deleted, and the push started again while the
// capture goes on: the new run reads the capture from its start, leaves
// every split the first run published as it was, publishes only the rest
// of the cut ones, and every packet lands exactly once per target.
func TestPushLiveStateLostAfterStop(t *testing.T) {
	e := newPushEnv(t)
	w := liveDir(t, e, "38")
	cfg := writeLua(t, e, fmt.Sprintf(`local Config = {}
Config.Target = {}
table.insert(Config.Target, { Desc = "all", Path = %q, Split = "--split-time 2e9", FileName = "--filename-tstr-HHMMSS" })
table.insert(Config.Target, { Desc = "bytes", Path = %q, Split = "--split-byte 100e3", FileName = "--filename-tstr-HHMMSS_NS" })
return Config
`, e.out+"/all", e.out+"/bytes"))
	p := startPush(t, e, cfg, "--status-interval", "500ms")
	w.packets(1500, 2*time.Millisecond)
	waitUntil(t, 20*time.Second, "splits published", func() bool {
		return len(splitFiles(t, e.out, "bytes_")) > 2 && len(splitFiles(t, e.out, "all_")) > 1
	})
	p.stop(t)
	age(t, e.out)
	before := snapshot(t, e.out)
	if err := os.RemoveAll(e.state); err != nil {
		t.Fatal(err)
	}
	p = startPush(t, e, cfg, "--status-interval", "500ms")
	w.packets(1000, 2*time.Millisecond)
	w.f.Close()
	os.WriteFile(filepath.Join(w.dir, ".complete"), nil, 0o644)
	waitUntil(t, 30*time.Second, "both targets finishing the capture", func() bool {
		d := state.At(e.state)
		return d.Done("all")["live"] && d.Done("bytes")["live"]
	})
	p.stop(t)
	after := snapshot(t, e.out)
	for n, id := range before {
		if after[n] != id {
			t.Errorf("%s was replaced, touched or removed", n)
		}
	}
	sameRecs(t, "target all", w.written, published(t, e.out, "all_"))
	sameRecs(t, "target bytes", w.written, published(t, e.out, "bytes_"))
	for _, desc := range []string{"all", "bytes"} {
		if st := statusOf(t, e, desc, status.Realtime); st.Skipped == 0 {
			t.Errorf("%s: no split counted as skipped: %+v", desc, st)
		}
	}
	// SIGTERM published the size split in progress cut short: the new run
	// published only its rest.
	log, _ := os.ReadFile(statusOf(t, e, "bytes", status.Realtime).Log)
	if !strings.Contains(string(log), "packets of this split with the same bytes (a split cut short, published before): the other") {
		t.Errorf("target bytes's log does not say the rest of a cut split was published:\n%s", log)
	}
}

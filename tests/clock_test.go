package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pcappush/pcappush/internal/testutil"
)

const year = int64(365 * 24 * time.Hour)

// inject writes one packet stamped at into the live capture, as a
// recorder whose clock jumped does.
func (w *liveWriter) inject(at int64) rec {
	r := w.src[w.next%len(w.src)]
	w.next++
	r.Time = at
	writeRecs(w.t, w.f, false, r)
	w.written = append(w.written, r)
	return r
}

// byTime sorts records by time, then bytes.
func byTime(rs []rec) []rec {
	out := slices.Clone(rs)
	slices.SortFunc(out, func(a, b rec) int {
		if a.Time != b.Time {
			return int(min(max(a.Time-b.Time, -1), 1))
		}
		return strings.Compare(a.Data, b.Data)
	})
	return out
}

// killAll kills push_realtime and every stage of its pipelines with
// SIGKILL, as a crash of the machine's processes (the page cache stays).
func killAll(t *testing.T, p *runningPush) {
	t.Helper()
	stages := children(t, p.cmd.Process.Pid)
	syscall.Kill(p.cmd.Process.Pid, syscall.SIGKILL) //nolint:errcheck
	for _, pid := range stages {
		syscall.Kill(pid, syscall.SIGKILL) //nolint:errcheck
	}
	p.cmd.Wait() //nolint:errcheck // killed
}

// TestClockThatLies injects into a live capture one packet stamped a year
// ahead and one stamped at the epoch (a recorder's clock that jumped, or
// was not set), with 2-second splits. Each goes into a split of its own
// interval, flagged in the log and the status; publishing goes on on
// time; then every process is killed with SIGKILL and push_realtime
// started again: every packet written is published exactly once, and
// every split holds only packets of its interval (but for the packets
// reordered within the tolerance, which stream_cat's live writer makes
// none of).
func TestClockThatLies(t *testing.T) {
	e := newPushEnv(t)
	w := liveDir(t, e, "71")
	w.packets(20, time.Millisecond)
	cfg := writeLua(t, e, fmt.Sprintf(`local Config = {}
Config.Target = {}
table.insert(Config.Target, { Desc = "all", Path = %q, Split = "--split-time 2e9", FileName = "--filename-epoch-sec" })
return Config
`, e.out+"/all"))
	p := startPush(t, e, cfg, "--status-interval", "300ms")
	w.during(3*time.Second, 5*time.Millisecond)
	future := w.inject(time.Now().UnixNano() + year)
	w.packets(20, 5*time.Millisecond)
	epoch := w.inject(5e9) // 1970-01-01 00:00:05
	injected := time.Now()
	w.during(6*time.Second, 5*time.Millisecond)
	// Publishing went on: splits of the present published since.
	onTime := 0
	for _, n := range splitFiles(t, e.out, "all_") {
		sec, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(n, "all_"), ".pcap"), 10, 64)
		if st, err := os.Stat(filepath.Join(e.out, n)); err == nil && st.ModTime().After(injected) && sec > injected.Unix()-10 && sec < injected.Unix()+10 {
			onTime++
		}
	}
	if onTime < 2 {
		t.Errorf("%d splits of the present published in the 6 s after the injections; want them published on time: %v", onTime, splitFiles(t, e.out, "all_"))
	}
	futureName := fmt.Sprintf("all_%d.pcap", future.Time/2e9*2)
	epochName := "all_4.pcap"
	for _, n := range []string{futureName, epochName} {
		if _, err := os.Stat(filepath.Join(e.out, n)); err != nil {
			t.Errorf("no split of its own: %v", err)
		}
	}
	if got := readRecs(t, filepath.Join(e.out, futureName)); len(got) != 1 || got[0] != future {
		t.Errorf("%s holds %d packets", futureName, len(got))
	}
	waitUntil(t, 5*time.Second, "the status to count them", func() bool { return row(t, p.status(t), "all").OutOfClock == 2 })
	a := e.analytics(t)
	for _, n := range []string{futureName, epochName} {
		if !strings.Contains(a, "push all: pcap_split: warning: "+filepath.Join(e.out, n)+": 1 packets stamped out of the clock by more than 5m0s") {
			t.Errorf("analytics log lacks the warning about %s:\n%.3000s", n, a)
		}
	}
	status := testutil.MustRun(t, nil, testutil.Tool(t, "push_realtime"), p.statusArgs()...)
	if !strings.Contains(string(status.Stdout), "all: 2 packets stamped out of the clock, published apart") {
		t.Errorf("status does not show them:\n%s", status.Stdout)
	}

	// A crash of every process, and a restart: exactly once.
	killAll(t, p)
	w.packets(50, 5*time.Millisecond)
	w.inject(time.Now().UnixNano() + year + 7e9) // another, while nothing runs
	p = startPush(t, e, cfg, "--status-interval", "300ms")
	w.during(4*time.Second, 5*time.Millisecond)
	time.Sleep(2 * time.Second)
	p.stop(t)
	names := splitFiles(t, e.out, "all_")
	sameRecs(t, "every packet once", byTime(w.written), byTime(published(t, e.out, "all_")))
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "all_"), ".pcap")
		base, _, _ = strings.Cut(base, "_")
		sec, _ := strconv.ParseInt(base, 10, 64)
		for _, r := range readRecs(t, filepath.Join(e.out, n)) {
			if r.Time < sec*1e9 || r.Time >= sec*1e9+2e9 {
				t.Errorf("%s holds a packet stamped %d, outside its interval", n, r.Time)
			}
		}
	}
	_ = epoch
}

// TestStoredCaptureWithAJump: in a stored capture pushed offline, one
// packet stamped a year after its neighbours (a year still in the past)
// goes into a split of its own once the next packets come back to the old
// time; every packet is published once, every split holds only packets of
// its interval, and the capture's later minutes are named as before.
func TestStoredCaptureWithAJump(t *testing.T) {
	e := newPushEnv(t)
	src := readRecs(t, gen(t, "--seed", "72", "--duration", "3m", "--size", "1MB"))
	i := len(src) / 2
	jumped := slices.Clone(src)
	jumped[i].Time += year
	dir := filepath.Join(e.store, "cap")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	writeRecFile(t, filepath.Join(dir, "x1.pcap"), jumped)
	if err := os.WriteFile(filepath.Join(dir, ".complete"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := writeLua(t, e, fmt.Sprintf(`local Config = {}
Config.Target = {}
table.insert(Config.Target, { Desc = "all", Path = %q, Split = "--split-time 60e9", FileName = "--filename-epoch-sec" })
return Config
`, e.out+"/all"))
	res := testutil.Run(t, nil, testutil.Tool(t, "push_realtime"), e.args(cfg, "--bin-dir", binDir(t), "--offline", "cap")...)
	if res.Code != 0 {
		t.Fatalf("exit %d\n%s", res.Code, res.Stderr)
	}
	sameRecs(t, "every packet once", byTime(jumped), byTime(published(t, e.out, "all_")))
	outlier := fmt.Sprintf("all_%d.pcap", jumped[i].Time/60e9*60)
	cut := fmt.Sprintf("all_%d", src[i].Time/60e9*60)
	names := splitFiles(t, e.out, "all_")
	if !slices.Contains(names, outlier) || !slices.Contains(names, cut+".pcap") || !slices.Contains(names, cut+"_2.pcap") {
		t.Errorf("splits %v; want %s alone, and %s continued as _2", names, outlier, cut)
	}
	if got := readRecs(t, filepath.Join(e.out, outlier)); len(got) != 1 || got[0] != jumped[i] {
		t.Errorf("%s holds %d packets", outlier, len(got))
	}
	for _, n := range names {
		base, _, _ := strings.Cut(strings.TrimSuffix(strings.TrimPrefix(n, "all_"), ".pcap"), "_")
		sec, _ := strconv.ParseInt(base, 10, 64)
		for _, r := range readRecs(t, filepath.Join(e.out, n)) {
			if r.Time < sec*1e9 || r.Time >= sec*1e9+60e9 {
				t.Errorf("%s holds a packet stamped %d, outside its interval", n, r.Time)
			}
		}
	}
	if a := e.analytics(t); !strings.Contains(a, "pcap_split: warning: "+filepath.Join(e.out, outlier)+": 1 packets stamped out of the clock") {
		t.Errorf("analytics log lacks the warning:\n%.3000s", a)
	}
}

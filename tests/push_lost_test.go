package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pcappush/pcappush/internal/testutil"
	"github.com/pcappush/pcappush/lib/push/status"
	"github.com/pcappush/pcappush/lib/state/ledger"
)

// TestPushLostCapture deletes the live capture, as a recorder's ring
// buffer does, while its target cannot publish (its folder is away, as an
// unmounted share): the loss is logged with the range lost (from the end
// of the last split published to the capture's last packet), shown by
// status in its table and JSON, and still shown after push_realtime
// restarts.
func TestPushLostCapture(t *testing.T) {
	e := newPushEnv(t)
	w := liveDir(t, e, "44")
	w.packets(50, time.Millisecond)
	share := filepath.Join(e.out, "share")
	if err := os.MkdirAll(share, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := writeLua(t, e, fmt.Sprintf(`local Config = {}
Config.Target = {}
table.insert(Config.Target, { Desc = "all", Path = %q, Split = "--split-byte 50000", FileName = "--filename-tstr-HHMMSS" })
return Config
`, share+"/all"))
	p := startPush(t, e, cfg, "--status-interval", "200ms")
	w.during(2*time.Second, 5*time.Millisecond)
	waitUntil(t, 15*time.Second, "a split published", func() bool { return row(t, p.status(t), "all").Splits > 0 })
	away := filepath.Join(e.out, "unmounted")
	if err := os.Rename(share, away); err != nil {
		t.Fatal(err)
	}
	w.during(time.Second, 5*time.Millisecond)
	waitUntil(t, 15*time.Second, "the pipeline to fail", func() bool { return row(t, p.status(t), "all").Restarts > 0 })
	time.Sleep(time.Second) // status intervals: push_realtime has seen the capture's last packet
	uid := row(t, p.status(t), "all").UID
	last, ok, err := ledger.Last(filepath.Join(e.state, uid, "live.ledger"))
	if err != nil || !ok || last.End >= w.written[len(w.written)-1].Time {
		t.Fatalf("ledger: %+v, %v, %v; want a split published before the last packet", last, ok, err)
	}
	if err := os.RemoveAll(w.dir); err != nil {
		t.Fatal(err)
	}
	to := w.written[len(w.written)-1].Time
	want := fmt.Sprintf("LOST: capture live was deleted from the store before it was pushed to its end; its packets from %s (after %s) to %s (its last packet seen) were not pushed",
		time.Unix(0, last.End).UTC().Format(time.RFC3339Nano), filepath.Base(last.Name), time.Unix(0, to).UTC().Format(time.RFC3339Nano))
	waitUntil(t, 30*time.Second, "the loss in the analytics log", func() bool { return strings.Contains(e.analytics(t), "LOST") })
	if !strings.Contains(e.analytics(t), "push all: "+want) {
		t.Fatalf("analytics log lacks %q:\n%s", want, e.analytics(t))
	}
	checkLoss := func(r status.Report, pid int) {
		t.Helper()
		all := row(t, r, "all")
		if all.PID != pid || len(all.Lost) != 1 || all.Lost[0].String() != want || *all.Lost[0].FromNS != last.End || *all.Lost[0].ToNS != to || all.Lost[0].Capture != "live" {
			t.Errorf("status row: pid %d, lost %+v; want pid %d and %q", all.PID, all.Lost, pid, want)
		}
		table := string(testutil.MustRun(t, nil, testutil.Tool(t, "push_realtime"), p.statusArgs()...).Stdout)
		for _, re := range []string{`\nall +\S+ +.* LOST: capture live was deleted from the store before it w\.\.\.\n`, `\n  all: ` + regexp.QuoteMeta(want) + ` \(noticed \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)\n`} {
			if !regexp.MustCompile(re).MatchString(table) {
				t.Errorf("status table lacks %s:\n%s", re, table)
			}
		}
	}
	waitUntil(t, 5*time.Second, "the loss in the status", func() bool { return len(row(t, p.status(t), "all").Lost) > 0 })
	r := p.status(t)
	if all := row(t, r, "all"); all.LastError != want {
		t.Errorf("last error %q; want %q", all.LastError, want)
	}
	checkLoss(r, p.cmd.Process.Pid)
	p.stop(t)
	if err := os.Rename(away, share); err != nil {
		t.Fatal(err)
	}
	// A new push_realtime still shows the loss, and does not report it again.
	p = startPush(t, e, cfg, "--status-interval", "200ms")
	waitUntil(t, 10*time.Second, "the new push's status", func() bool { return row(t, p.status(t), "all").PID == p.cmd.Process.Pid })
	checkLoss(p.status(t), p.cmd.Process.Pid)
	p.stop(t)
	if n := strings.Count(e.analytics(t), "LOST: capture live"); n != 1 {
		t.Errorf("the loss was logged %d times; want once", n)
	}
}

// TestPushOfflineMissingCapture: --offline with a capture the store does
// not hold fails before any pipeline starts, naming the capture and the
// store.
func TestPushOfflineMissingCapture(t *testing.T) {
	e := newPushEnv(t)
	cfg := referenceConfig(t, e)
	res := testutil.Run(t, nil, testutil.Tool(t, "push_realtime"), e.args(cfg, "--bin-dir", binDir(t), "--offline", "nosuch")...)
	want := fmt.Sprintf("push_realtime: --offline nosuch: no such capture in the store %s (stream_cat --list --store %s lists them)\n", e.store, e.store)
	if res.Code != 1 || string(res.Stderr) != want {
		t.Errorf("exit %d, stderr %q; want 1, %q", res.Code, res.Stderr, want)
	}
	if _, err := os.Stat(e.logs); err == nil {
		t.Error("a log folder was made: a pipeline started")
	}
}

package tests

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pcappush/pcappush/lib/push/status"
)

// targetLua is one 2-second split target writing to out/<dir>/x_*.
func targetLua(e pushEnv, desc, dir string) string {
	return fmt.Sprintf("table.insert(Config.Target, { Desc = %q, Path = %q, Split = \"--split-time 2e9\", FileName = \"--filename-tstr-HHMMSS\" })\n",
		desc, filepath.Join(e.out, dir, "x"))
}

func configOf(schedule string, targets ...string) string {
	s := "local Config = {}\n"
	if schedule != "" {
		s += "Config.Schedule = " + schedule + "\n"
	}
	return s + "Config.Target = {}\n" + strings.Join(targets, "") + "return Config\n"
}

// namesTellTheTruth checks that every split in out/<dir> (2-second time
// splits named x_YYYYMMDD_HHMMSS[_N].pcap) holds only packets of the
// interval its name gives, also when a stop cut a split short.
func namesTellTheTruth(t *testing.T, e pushEnv, dir string) {
	t.Helper()
	d := filepath.Join(e.out, dir)
	name := regexp.MustCompile(`^x_(\d{8}_\d{6})(_\d+)?\.pcap$`)
	for _, f := range files(t, d) {
		m := name.FindStringSubmatch(f)
		if m == nil {
			t.Errorf("%s: unexpected file %s", dir, f)
			continue
		}
		start, err := time.Parse("20060102_150405", m[1])
		if err != nil {
			t.Fatal(err)
		}
		lo, hi := start.UnixNano(), start.Add(2*time.Second).UnixNano()
		for _, r := range merged(t, d, []string{f}) {
			if r.Time < lo || r.Time >= hi {
				t.Errorf("%s/%s holds a packet stamped %s, outside its interval", dir, f, time.Unix(0, r.Time).UTC().Format(time.RFC3339Nano))
				break
			}
		}
	}
}

// splitPID is the pid of the pcap_split writing to out/<dir>, 0 if none.
func splitPID(t *testing.T, e pushEnv, dir string) int {
	return pidOf(t, "pcap_split", filepath.Join(e.out, dir, "x"))
}

// TestPushReload: SIGHUP with a broken configuration changes nothing;
// with a new one, the unchanged target keeps its pipeline, the changed one
// restarts with its new path, the removed one publishes its split and
// stops, the added one starts. Every packet is published exactly once per
// target, across the change of path too.
func TestPushReload(t *testing.T) {
	e := newPushEnv(t)
	w := liveDir(t, e, "44")
	w.packets(50, time.Millisecond)
	cfg := writeLua(t, e, configOf("", targetLua(e, "keep", "a"), targetLua(e, "change", "b"), targetLua(e, "gone", "c")))
	p := startPush(t, e, cfg, "--status-interval", "300ms")
	w.during(2*time.Second, 5*time.Millisecond)
	waitUntil(t, 10*time.Second, "the three pipelines", func() bool {
		return splitPID(t, e, "a") != 0 && splitPID(t, e, "b") != 0 && splitPID(t, e, "c") != 0
	})
	keepPID := splitPID(t, e, "a")

	writeLua(t, e, configOf("", targetLua(e, "keep", "a"))+"\nx = = 1\n")
	p.hup(t)
	waitUntil(t, 10*time.Second, "the broken configuration to be refused", func() bool {
		return strings.Contains(p.stderr.String(), "SIGHUP: the configuration was not reloaded; the running one stays: config "+cfg+": lua syntax error") &&
			strings.Contains(e.analytics(t), "reload: ignored, the running configuration stays")
	})
	w.during(500*time.Millisecond, 5*time.Millisecond)
	if splitPID(t, e, "a") != keepPID || splitPID(t, e, "c") == 0 {
		t.Fatal("a broken configuration changed the running pipelines")
	}

	writeLua(t, e, configOf("", targetLua(e, "keep", "a"), targetLua(e, "change", "b2"), targetLua(e, "new", "d")))
	p.hup(t)
	waitUntil(t, 10*time.Second, "the reload", func() bool {
		return strings.Contains(e.analytics(t), "reload: "+cfg+": schedule always; unchanged: keep; restarting: change; stopping: gone; starting: new")
	})
	w.during(time.Second, 5*time.Millisecond)
	waitUntil(t, 10*time.Second, "gone to stop and change and new to run", func() bool {
		return splitPID(t, e, "c") == 0 && splitPID(t, e, "b") == 0 && splitPID(t, e, "b2") != 0 && splitPID(t, e, "d") != 0
	})
	if splitPID(t, e, "a") != keepPID {
		t.Error("the unchanged target's pipeline was restarted")
	}
	noPending(t, filepath.Join(e.out, "c"))
	r := p.status(t)
	if g := row(t, r, "gone"); g.State != status.Stopped || g.Detail != "removed from the configuration; not in the configuration" {
		t.Errorf("gone: %s (%s); want stopped, removed", g.State, g.Detail)
	}
	w.during(time.Second, 5*time.Millisecond)
	p.stop(t) // publishes what is in progress
	sameRecs(t, "unchanged target", w.written, published(t, filepath.Join(e.out, "a"), "x_"))
	sameRecs(t, "added target", w.written, published(t, filepath.Join(e.out, "d"), "x_"))
	changed := append(published(t, filepath.Join(e.out, "b"), "x_"), published(t, filepath.Join(e.out, "b2"), "x_")...)
	sameRecs(t, "changed target, old path then new", w.written, changed)
	gone := published(t, filepath.Join(e.out, "c"), "x_")
	if len(gone) == 0 || len(gone) >= len(w.written) {
		t.Fatalf("removed target published %d packets of %d; want those up to its removal", len(gone), len(w.written))
	}
	sameRecs(t, "removed target", w.written[:len(gone)], gone)
	for _, dir := range []string{"a", "b", "b2", "c", "d"} {
		namesTellTheTruth(t, e, dir)
	}
}

// TestPushSchedule: with windows opening and closing within seconds, the
// push is idle before the first, runs in it, stops from the head when it
// closes (publishing the split in progress), and resumes in the second
// where it stopped: every packet, written all along, is published once.
func TestPushSchedule(t *testing.T) {
	e := newPushEnv(t)
	w := liveDir(t, e, "45")
	w.packets(50, time.Millisecond)
	t0 := time.Now().UTC().Truncate(time.Second).Add(time.Second)
	clock := func(d time.Duration) string { return t0.Add(d).Format("15:04:05") }
	sched := fmt.Sprintf(`{"* %s-%s", "daily %s-%s UTC"}`, clock(2*time.Second), clock(4*time.Second), clock(6*time.Second), clock(2*time.Minute))
	cfg := writeLua(t, e, configOf(sched, targetLua(e, "all", "a")))
	p := startPush(t, e, cfg, "--status-interval", "300ms")
	until := func(d time.Duration) { w.during(time.Until(t0.Add(d)), 5*time.Millisecond) }

	until(time.Second)
	opens := "outside the schedule; it opens " + t0.Add(2*time.Second).Format("Mon 2006-01-02 15:04:05 UTC")
	waitUntil(t, time.Until(t0.Add(1900*time.Millisecond)), "the target idle before the window", func() bool {
		a := row(t, p.status(t), "all")
		return a.State == status.Idle && a.Detail == opens
	})
	if splitPID(t, e, "a") != 0 {
		t.Fatal("a pipeline runs before the window")
	}
	until(3500 * time.Millisecond)
	waitUntil(t, 3*time.Second, "the pipeline in the first window", func() bool { return splitPID(t, e, "a") != 0 })
	until(5500 * time.Millisecond)
	waitUntil(t, 5*time.Second, "the pipeline to stop when the window closes", func() bool {
		return splitPID(t, e, "a") == 0 && row(t, p.status(t), "all").State == status.Idle
	})
	if !strings.Contains(e.analytics(t), "push all: the schedule's window closed: stopping") || len(splitFiles(t, filepath.Join(e.out, "a"), "x_")) == 0 {
		t.Fatalf("no stop logged, or nothing published:\n%s", e.analytics(t))
	}
	noPending(t, filepath.Join(e.out, "a"))
	until(8 * time.Second)
	waitUntil(t, 3*time.Second, "the pipeline in the second window", func() bool { return splitPID(t, e, "a") != 0 })
	w.during(time.Second, 5*time.Millisecond)
	p.stop(t) // publishes what is in progress
	sameRecs(t, "scheduled target", w.written, published(t, filepath.Join(e.out, "a"), "x_"))
	namesTellTheTruth(t, e, "a")
}

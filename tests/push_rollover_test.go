package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPushRollsOverToNewCapture: in realtime, when the capture followed is
// finished (its .complete marker) and a newer one is being written, the
// old pipeline pushes the old capture to its end and a new one starts on
// the new capture; every packet of both is published once, in order, and
// no file of the new capture replaces one of the old.
func TestPushRollsOverToNewCapture(t *testing.T) {
	e := newPushEnv(t)
	writer := func(name, seed string) *liveWriter {
		dir := filepath.Join(e.store, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		w := &liveWriter{t: t, dir: dir, src: readRecs(t, gen(t, "--seed", seed, "--packets", "2000"))}
		w.rotate()
		return w
	}
	a := writer("cap_a", "47")
	a.packets(50, time.Millisecond)
	cfg := writeLua(t, e, configOf("", targetLua(e, "all", "x")))
	p := startPush(t, e, cfg, "--status-interval", "300ms")
	a.during(2*time.Second, 5*time.Millisecond)
	waitUntil(t, 10*time.Second, "a pipeline on cap_a", func() bool { return pidOf(t, "stream_cat", "cap_a") != 0 })

	b := writer("cap_b", "48")
	b.packets(20, 5*time.Millisecond)
	a.packets(50, 5*time.Millisecond) // the old capture's last packets
	a.f.Close()
	if err := os.WriteFile(filepath.Join(a.dir, ".complete"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	b.during(3*time.Second, 5*time.Millisecond)
	waitUntil(t, 15*time.Second, "a pipeline on cap_b", func() bool { return pidOf(t, "stream_cat", "cap_b") != 0 })
	if pidOf(t, "stream_cat", "cap_a") != 0 {
		t.Error("the pipeline on the finished capture still runs")
	}
	b.during(2*time.Second, 5*time.Millisecond)
	p.stop(t)

	// cap_b's first packets were written while cap_a was still growing;
	// they follow all of cap_a's in the published splits.
	want := append(append([]rec{}, a.written...), b.written...)
	got := published(t, filepath.Join(e.out, "x"), "x_")
	sameRecs(t, "both captures", want, got)
	an := e.analytics(t)
	if !strings.Contains(an, "cap_a") || !strings.Contains(an, "cap_b") {
		t.Errorf("analytics log does not name both captures:\n%s", an)
	}
}

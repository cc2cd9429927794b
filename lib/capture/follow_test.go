package capture

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pcappush/pcappush/internal/testutil"
	statepkg "github.com/pcappush/pcappush/lib/state"
	"github.com/pcappush/pcappush/lib/state/checkpoint"
)

// TestFollowCheckpoints follows a capture written in pieces with a quiet
// spell: idle ticks cross checkpoints that record where reading resumes,
// and resuming there later gives exactly the packets that followed.
func TestFollowCheckpoints(t *testing.T) {
	dir := t.TempDir()
	state := t.TempDir()
	now := time.Now().UnixNano()
	first := pkts(now-3e9, 1e6, 50, "a")
	writeFile(t, dir, "a.pcap", pcapFile(nsLE, 1, first...))
	c, _ := Resolve("", dir)
	var out testutil.SyncBuffer
	opts := Options{Follow: true, UID: "f", StateDir: state, TickLag: 100 * time.Millisecond}
	done := make(chan error, 1)
	go func() {
		_, err := Cat(context.Background(), c, &out, opts)
		done <- err
	}()
	f, err := os.Create(filepath.Join(dir, "b.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	var second []tp
	write := func(n int) {
		p := pkts(time.Now().UnixNano(), 1000, n, "b")
		b := pcapFile(nsLE, 1, p...)
		if len(second) > 0 {
			b = b[24:]
		}
		for len(b) > 0 { // in pieces that cut records
			k := min(len(b), 37)
			f.Write(b[:k])
			b = b[k:]
			time.Sleep(time.Millisecond)
		}
		second = append(second, p...)
	}
	write(20)
	time.Sleep(2500 * time.Millisecond) // idle: ticks cross at least one second
	write(20)
	f.Close()
	writeFile(t, dir, CompleteMarker, nil)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("following did not end on the marker")
	}
	got := parse(t, out.Bytes())
	sameRecs(t, "followed", packetsOf(got), want(first, second))
	entries, _ := checkpoint.Read(statepkg.At(state).Checkpoints("f", filepath.Base(dir)))
	idle := 0
	for _, e := range entries {
		at := indexOfTick(got, e.Time)
		if at < 0 {
			t.Fatalf("checkpoint %d is not a tick of the stream", e.Time)
		}
		if next := packetsOf(got[at:]); len(next) == 0 || next[0].T < e.Time+1e9 {
			continue
		}
		idle++ // made by an idle tick: no packet in its second
		res, _, _, err := run(t, dir, Options{UID: "f", StateDir: state, Resume: true, ResumeAt: e.Time})
		if err != nil {
			t.Fatal(err)
		}
		sameRecs(t, "resumed at an idle checkpoint", packetsOf(parse(t, res)), packetsOf(got[at:]))
	}
	if idle == 0 {
		t.Errorf("no checkpoint made by an idle tick among %v", entries)
	}
}

// TestFollowStops: cancelling the context ends a follow promptly, with
// what was read flushed.
func TestFollowStops(t *testing.T) {
	dir := t.TempDir()
	p := pkts(t0, 1e6, 30, "s")
	writeFile(t, dir, "a.pcap", pcapFile(nsLE, 1, p...))
	c, _ := Resolve("", dir)
	ctx, cancel := context.WithCancel(context.Background())
	var out testutil.SyncBuffer
	done := make(chan error, 1)
	go func() {
		_, err := Cat(ctx, c, &out, Options{Follow: true, NoTicks: true})
		done <- err
	}()
	time.Sleep(300 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("still following after cancel")
	}
	sameRecs(t, "flushed", parse(t, out.Bytes()), want(p))
}

package capture

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestNonRegularChunks: FIFOs, sockets' and links' names among chunks are
// listed for reading to report, never opened, and not counted by Info;
// an extensionless FIFO is not looked into.
func TestNonRegularChunks(t *testing.T) {
	dir := t.TempDir()
	good := pcapFile(nsLE, 1, pkts(1e18, 1e9, 3, "a")...)
	writeFile(t, dir, "x1.pcap", good)
	writeFile(t, dir, "x5.pcap", good)
	for _, n := range []string{"x2.pcap", "x3"} {
		if err := syscall.Mkfifo(filepath.Join(dir, n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	outside := writeFile(t, t.TempDir(), "passwd", []byte("root:x:0:0"))
	if err := os.Symlink(outside, filepath.Join(dir, "x4.pcap")); err != nil {
		t.Fatal(err)
	}
	c := &Capture{Name: "cap", Dir: dir}
	for _, stat := range []bool{false, true} {
		chs, err := c.Chunks(stat)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, ch := range chs {
			names = append(names, ch.Name)
			if ch.NotRegular != (ch.Name == "x2.pcap" || ch.Name == "x4.pcap") {
				t.Errorf("Chunks(%v): %s NotRegular %v", stat, ch.Name, ch.NotRegular)
			}
		}
		if len(names) != 4 || names[0] != "x1.pcap" || names[3] != "x5.pcap" {
			t.Errorf("Chunks(%v) = %v; want x1.pcap x2.pcap x4.pcap x5.pcap", stat, names)
		}
	}
	start := time.Now()
	for _, n := range []string{"x2.pcap", "x4.pcap"} {
		_, err := c.Open(Chunk{Name: n})
		if !errors.Is(err, ErrNotRegular) {
			t.Errorf("Open(%s) = %v; want ErrNotRegular", n, err)
		}
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("refusing took %v", d)
	}
	in, err := c.Info(DefaultActiveWindow, time.Now())
	if err != nil || in.Chunks != 2 || in.Bytes != int64(2*len(good)) {
		t.Errorf("Info = %+v, %v; want the 2 regular chunks", in, err)
	}
	// A file the user names is followed through a link, to a regular file
	// only.
	if cf, err := OpenFile(filepath.Join(dir, "x4.pcap")); err != nil {
		t.Errorf("OpenFile through a link: %v", err)
	} else {
		cf.Close()
	}
	if _, err := OpenFile(filepath.Join(dir, "x2.pcap")); !errors.Is(err, ErrNotRegular) {
		t.Errorf("OpenFile(FIFO) = %v", err)
	}
}

// TestPacketAheadOfTheClockMovesNoCheckpoint: a packet stamped a year
// after the wall clock is emitted, but the checkpoints (and their ticks)
// keep to the clock: every second of the packets around it gets its own,
// none is recorded a year ahead.
func TestPacketAheadOfTheClockMovesNoCheckpoint(t *testing.T) {
	const year = int64(365 * 24 * 3600e9)
	start := int64(1621849860e9)
	ps := pkts(start, 5e8, 4, "a")
	ps = append(ps, tp{start + 2e9 + year, "future"})
	ps = append(ps, pkts(start+2e9, 5e8, 4, "b")...)
	dir := t.TempDir()
	writeFile(t, dir, "x1.pcap", pcapFile(nsLE, 1, ps...))
	state := t.TempDir()
	opts := Options{UID: "u", StateDir: state, CheckpointEvery: 1e9, ClockTolerance: 5 * time.Minute,
		Now: func() time.Time { return time.Unix(0, start+60e9) }}
	out, _, _, err := run(t, dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	var ticks []int64
	for _, r := range parse(t, out) {
		if r.Tick {
			ticks = append(ticks, r.T)
		}
	}
	if want := []int64{start, start + 1e9, start + 2e9, start + 3e9}; fmt.Sprint(ticks) != fmt.Sprint(want) {
		t.Errorf("checkpoint ticks %v; want %v", ticks, want)
	}
	sameRecs(t, "packets", packetsOf(parse(t, out)), want(ps))
	// Without the limit, the year-ahead packet takes the clock with it.
	opts.ClockTolerance, opts.StateDir = 0, t.TempDir()
	out, _, _, err = run(t, dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range parse(t, out) {
		if r.Tick {
			n++
		}
	}
	if n != 3 {
		t.Errorf("without a tolerance: %d checkpoint ticks; want 3 (start, +1 s, a year ahead)", n)
	}
}

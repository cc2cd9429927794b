package capture

import (
	"errors"
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

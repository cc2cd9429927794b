package split

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pcappush/pcappush/lib/pcapio"

	"github.com/pcappush/pcappush/internal/testutil"
)

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

func TestFileSinkPublishesAtomically(t *testing.T) {
	dir := t.TempDir()
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	p, err := FileSink{}.Create(filepath.Join(dir, "a.pcap"))
	must(t, err)
	if _, err := p.Write([]byte("data")); err != nil {
		t.Fatal(err)
	}
	if got := listDir(t, dir); len(got) != 1 || got[0] != "a.pcap.pending" {
		t.Fatalf("while writing: %v; want only a.pcap.pending", got)
	}
	must(t, commit(p, filepath.Join(dir, "b.pcap")))
	if got := listDir(t, dir); len(got) != 1 || got[0] != "b.pcap" {
		t.Fatalf("after commit: %v; want only b.pcap", got)
	}
	st, err := os.Stat(filepath.Join(dir, "b.pcap"))
	must(t, err)
	if st.Mode().Perm() != 0o640 {
		t.Errorf("mode %v; want 0640", st.Mode().Perm())
	}
	q, err := FileSink{}.Create(filepath.Join(dir, "c.pcap"))
	must(t, err)
	must(t, q.Abort())
	if got := listDir(t, dir); len(got) != 1 {
		t.Errorf("after abort: %v; want only b.pcap", got)
	}
}

func TestFileSinkCreateErrorNamesFile(t *testing.T) {
	_, err := FileSink{}.Create("/nonexistent-folder/x.pcap")
	if err == nil || !strings.Contains(err.Error(), "/nonexistent-folder/x.pcap.pending") {
		t.Errorf("Create = %v; want an error naming the pending file", err)
	}
	if err := CheckFolder("/nonexistent-folder/all"); err == nil || !strings.Contains(err.Error(), "/nonexistent-folder") {
		t.Errorf("CheckFolder = %v; want an error naming the folder", err)
	}
	if err := CheckFolder(t.TempDir() + "/"); err != nil {
		t.Errorf("CheckFolder(existing/) = %v", err)
	}
}

func TestPipeSink(t *testing.T) {
	dir := t.TempDir()
	var stderr bytes.Buffer
	s := PipeSink{Inner: FileSink{}, Command: "gzip -c -1", Stderr: &stderr}
	p, err := s.Create(filepath.Join(dir, "x.pcap.gz"))
	must(t, err)
	payload := bytes.Repeat([]byte("packet "), 100000)
	if _, err := p.Write(payload); err != nil {
		t.Fatal(err)
	}
	must(t, commit(p, filepath.Join(dir, "x.pcap.gz")))
	f, err := os.Open(filepath.Join(dir, "x.pcap.gz"))
	must(t, err)
	defer f.Close()
	zr, err := gzip.NewReader(f)
	must(t, err)
	back, err := io.ReadAll(zr)
	must(t, err)
	if !bytes.Equal(back, payload) {
		t.Errorf("gunzipped %d bytes; want the %d written", len(back), len(payload))
	}
}

func TestPipeSinkFailures(t *testing.T) {
	for _, cmd := range []string{"false", "exit 3", "head -c 10", "cat; exit 1", "no-such-command-xyz"} {
		t.Run(cmd, func(t *testing.T) {
			dir := t.TempDir()
			s := PipeSink{Inner: FileSink{}, Command: cmd}
			p, err := s.Create(filepath.Join(dir, "x.pcap"))
			must(t, err)
			var werr error
			for i := 0; i < 100 && werr == nil; i++ {
				_, werr = p.Write(make([]byte, 64*1024))
			}
			err = werr
			if err == nil {
				err = commit(p, filepath.Join(dir, "x.pcap"))
			}
			if err == nil || !strings.Contains(err.Error(), cmd) {
				t.Fatalf("error %v; want one naming %q", err, cmd)
			}
			p.Abort() //nolint:errcheck
			if got := listDir(t, dir); len(got) != 0 {
				t.Errorf("left %v; want nothing", got)
			}
		})
	}
}

func classicBytes(recs ...pcapio.Record) []byte {
	var b bytes.Buffer
	w := pcapio.NewWriter(&b, 1, 0)
	w.WriteHeader() //nolint:errcheck
	for _, r := range recs {
		w.WriteRecord(r) //nolint:errcheck
	}
	w.Flush() //nolint:errcheck
	return b.Bytes()
}

func TestRunPublishesBeforeReportingCorruptInput(t *testing.T) {
	dir := t.TempDir()
	in := classicBytes(pcapio.Record{Time: sec(1), OrigLen: 1, Data: []byte{1}}, pcapio.Record{Time: sec(2), OrigLen: 3, Data: []byte{1, 2, 3}})
	in = in[:len(in)-1]
	st, err := Run(context.Background(), bytes.NewReader(in), "stdin", Options{Time: 60e9, Name: EpochSec, Prefix: dir + "/"}, FileSink{}, nil)
	var pe *pcapio.Error
	if !errors.As(err, &pe) || !errors.Is(err, pcapio.ErrTruncated) || pe.Packet != 2 {
		t.Fatalf("Run = %v; want a truncation error at packet 2", err)
	}
	if got := listDir(t, dir); len(got) != 1 || st.Packets != 1 || got[0] != "1621849860.pcap" {
		t.Errorf("files %v, %d packets; want the first packet published", got, st.Packets)
	}
}

func TestRunStopsOnCancelAndPublishes(t *testing.T) {
	dir := t.TempDir()
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var st Stats
	go func() {
		var err error
		st, err = Run(ctx, pr, "stdin", Options{Time: 60e9, Name: EpochSec, Prefix: dir + "/"}, FileSink{}, nil)
		done <- err
	}()
	rec := pcapio.Record{Time: sec(1), OrigLen: 4, Data: []byte("abcd")}
	b := classicBytes(rec, rec, rec)
	if _, err := pw.Write(b[:len(b)-5]); err != nil { // the last record is cut
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); len(listDir(t, dir)) == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no split opened")
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run after cancel = %v; want nil", err)
	}
	if got := listDir(t, dir); len(got) != 1 || got[0] != "1621849860.pcap" || st.Packets != 2 {
		t.Errorf("files %v, %d packets; want the two whole packets published", got, st.Packets)
	}
	pw.Close()
}

// TestRunMicrosecondInput takes the re-encoding path (no raw runs): a
// microsecond pcap comes out as nanosecond splits with the same packets.
func TestRunMicrosecondInput(t *testing.T) {
	var in bytes.Buffer
	le := binary.LittleEndian
	hdr := make([]byte, 24)
	le.PutUint32(hdr, 0xa1b2c3d4)
	le.PutUint16(hdr[4:], 2)
	le.PutUint16(hdr[6:], 4)
	le.PutUint32(hdr[16:], 65535)
	le.PutUint32(hdr[20:], 1)
	in.Write(hdr)
	var want []int64
	for i := 0; i < 3000; i++ {
		h := make([]byte, 16)
		usec := uint32(i * 37000)
		le.PutUint32(h, 1621849860+usec/1e6)
		le.PutUint32(h[4:], usec%1e6)
		le.PutUint32(h[8:], 100)
		le.PutUint32(h[12:], 100)
		in.Write(h)
		in.Write(make([]byte, 100))
		want = append(want, int64(1621849860+usec/1e6)*1e9+int64(usec%1e6)*1000)
	}
	sink := &memSink{}
	st, err := Run(context.Background(), &in, "stdin", Options{Time: 10e9, Name: EpochSec, Prefix: "/x/"}, sink, nil)
	if err != nil || st.Packets != 3000 {
		t.Fatalf("Run = %+v, %v", st, err)
	}
	var got []int64
	for _, name := range sink.order {
		got = append(got, times(t, sink.published[name])...)
	}
	if len(got) != len(want) || got[0] != want[0] || got[len(got)-1] != want[len(want)-1] || len(sink.order) != 12 {
		t.Fatalf("%d packets in %d splits, first %d last %d; want %d in 12, %d..%d", len(got), len(sink.order), got[0], got[len(got)-1], len(want), want[0], want[len(want)-1])
	}
}

func TestSweepPending(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"all_1621849860-1621849920.pcap.pending", "all_1621849860-1621849920.pcap", "tcp_1621849860.pcap.pending", "1621849860.pcap.pending", "all_notes.pending", "allx_1.pcap.pending"} {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o640); err != nil {
			t.Fatal(err)
		}
	}
	removed, err := SweepPending(dir+"/all", ".pcap")
	if err != nil || len(removed) != 1 || filepath.Base(removed[0]) != "all_1621849860-1621849920.pcap.pending" {
		t.Fatalf("SweepPending(all) removed %v, %v", removed, err)
	}
	removed, _ = SweepPending(dir+"/", ".pcap")
	if len(removed) != 1 || filepath.Base(removed[0]) != "1621849860.pcap.pending" {
		t.Fatalf("SweepPending(dir/) removed %v; want only the name without a prefix", removed)
	}
	if got := listDir(t, dir); len(got) != 4 {
		t.Errorf("left %v", got)
	}
}

// TestRunWriteErrorIsNotEndOfInput: a sink failing with an error that
// wraps io.EOF (an upload cut by the server) must fail the run, not pass
// for the end of the input.
func TestRunWriteErrorIsNotEndOfInput(t *testing.T) {
	in := classicBytes(pcapio.Record{Time: sec(1), OrigLen: 1, Data: []byte{1}}, pcapio.Record{Time: sec(70), OrigLen: 1, Data: []byte{2}})
	cut := fmt.Errorf("upload x.pcap: %w", io.EOF)
	sink := &memSink{CreateFunc: func(name string) error {
		if strings.Contains(name, "1621849920") {
			return cut
		}
		return nil
	}}
	_, err := Run(context.Background(), bytes.NewReader(in), "stdin", Options{Time: 60e9, Name: EpochSec, Prefix: "/x/"}, sink, nil)
	if !errors.Is(err, cut) {
		t.Fatalf("Run = %v; want the sink's error", err)
	}
}

func TestIsPendingOf(t *testing.T) {
	tests := []struct {
		name, leaf, suffix string
		want               bool
	}{
		{"all_20210524_095100.pcap.gz.pending", "all", ".pcap.gz", true},
		{"all_20210524_095100.pcap.pending", "all", ".pcap.gz", false},
		{"all_20210524_095100.pcap.gz", "all", ".pcap.gz", false},
		{"other_20210524_095100.pcap.gz.pending", "all", ".pcap.gz", false},
		{"all_x_20210524_095100.pcap.pending", "all", ".pcap", false}, // target "all_x"
		{"20210524_095100.pcap.pending", "", ".pcap", true},
		{"all_20210524_095100.pcap.pending", "", ".pcap", false}, // another target's, beside ours
		{"x.pending", "", "", false},
		{"all_.pcap.pending", "all", ".pcap", false},
		{"all.pending", "all", ".pcap", false},
	}
	for _, tt := range tests {
		if got := IsPendingOf(tt.name, tt.leaf, tt.suffix); got != tt.want {
			t.Errorf("IsPendingOf(%q, %q, %q) = %v; want %v", tt.name, tt.leaf, tt.suffix, got, tt.want)
		}
	}
}

func TestPipeSinkKillsHungCommands(t *testing.T) {
	for _, tt := range []struct {
		cmd, want string
	}{
		{"sleep 30", "read nothing for 300ms: killed"},
		{"cat >/dev/null; sleep 30", "did not finish within 300ms of the end of its input: killed"},
	} {
		t.Run(tt.cmd, func(t *testing.T) {
			dir := t.TempDir()
			p, err := PipeSink{Inner: FileSink{}, Command: tt.cmd, Timeout: 300 * time.Millisecond}.Create(filepath.Join(dir, "x.pcap"))
			must(t, err)
			begin := time.Now()
			var werr error
			for i := 0; i < 64 && werr == nil; i++ {
				_, werr = p.Write(make([]byte, 64*1024))
			}
			err = werr
			if err == nil {
				err = commit(p, filepath.Join(dir, "x.pcap"))
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || time.Since(begin) > 10*time.Second {
				t.Fatalf("error %v after %v; want %q soon", err, time.Since(begin), tt.want)
			}
			p.Abort() //nolint:errcheck
			if got := listDir(t, dir); len(got) != 0 {
				t.Errorf("left %v", got)
			}
		})
	}
}

// commit publishes p under name alone (no "_N" names after it).
func commit(p Part, name string) error {
	_, err := p.Commit(Names{Base: name})
	return err
}

// publishOne writes data as a split named base+".pcap" through a FileSink
// and returns how it was published.
func publishOne(t *testing.T, sink FileSink, base string, data string) (Published, error) {
	t.Helper()
	p, err := sink.Create(base + ".pcap")
	must(t, err)
	if _, err := p.Write([]byte(data)); err != nil {
		t.Fatal(err)
	}
	return p.Commit(Names{Base: base, Suffix: ".pcap"})
}

// TestFileSinkNeverReplaces: a split whose name holds the same bytes is
// counted as published and the file left as it was (same inode, same
// time); one whose name holds other bytes goes to the next free name.
func TestFileSinkNeverReplaces(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join(dir, "a")
	must(t, os.WriteFile(base+".pcap", []byte("first"), 0o640))
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	must(t, os.Chtimes(base+".pcap", old, old))
	before, _ := os.Stat(base + ".pcap")

	res, err := publishOne(t, FileSink{}, base, "first")
	if err != nil || !res.Existed || res.Name() != base+".pcap" {
		t.Fatalf("same bytes: %+v, %v; want existed at a.pcap", res, err)
	}
	after, _ := os.Stat(base + ".pcap")
	if !os.SameFile(before, after) || !after.ModTime().Equal(old) {
		t.Errorf("the published file was touched: inode or time changed")
	}
	if got := listDir(t, dir); !cmp.Equal(got, []string{"a.pcap"}) {
		t.Errorf("folder holds %v", got)
	}

	res, err = publishOne(t, FileSink{}, base, "second")
	if err != nil || res.Existed || res.Name() != base+"_2.pcap" || res.Dup != 2 {
		t.Fatalf("other bytes: %+v, %v; want a_2.pcap", res, err)
	}
	res, err = publishOne(t, FileSink{}, base, "third")
	if err != nil || res.Name() != base+"_3.pcap" {
		t.Fatalf("other bytes again: %+v, %v; want a_3.pcap", res, err)
	}
	res, err = publishOne(t, FileSink{}, base, "second")
	if err != nil || !res.Existed || res.Name() != base+"_2.pcap" {
		t.Fatalf("a_2's bytes again: %+v, %v; want existed at a_2.pcap", res, err)
	}
	for name, want := range map[string]string{"a.pcap": "first", "a_2.pcap": "second", "a_3.pcap": "third"} {
		if b, _ := os.ReadFile(filepath.Join(dir, name)); string(b) != want {
			t.Errorf("%s holds %q; want %q", name, b, want)
		}
	}
	if got := listDir(t, dir); len(got) != 3 {
		t.Errorf("folder holds %v; want three splits and no .pending", got)
	}
	// --overwrite: the old behaviour.
	res, err = publishOne(t, FileSink{Overwrite: true}, base, "new")
	if b, _ := os.ReadFile(base + ".pcap"); err != nil || res.Existed || string(b) != "new" {
		t.Errorf("Overwrite: %+v, %v, a.pcap holds %q", res, err, b)
	}
}

// TestFileSinkRefusesLinks: a link planted at NAME.pending or at the
// final name is refused, naming it, and the file it points to is never
// written.
func TestFileSinkRefusesLinks(t *testing.T) {
	dir := t.TempDir()
	pending := testutil.PlantLink(t, filepath.Join(dir, "a.pcap.pending"))
	_, err := (FileSink{}).Create(filepath.Join(dir, "a.pcap"))
	pending.Refused("Create", fmt.Sprint(err))
	final := testutil.PlantLink(t, filepath.Join(dir, "b.pcap"))
	_, err = publishOne(t, FileSink{}, filepath.Join(dir, "b"), "victim")
	final.Refused("Commit", fmt.Sprint(err))
	if got := listDir(t, dir); !cmp.Equal(got, []string{"a.pcap.pending", "b.pcap"}) {
		t.Errorf("folder holds %v; want the two links alone", got)
	}
}

func TestSameContent(t *testing.T) {
	big := bytes.Repeat([]byte("x"), 3<<20)
	other := bytes.Clone(big)
	other[len(other)-1] = 'y'
	for _, tc := range []struct {
		a, b []byte
		want bool
	}{
		{nil, nil, true},
		{big, big, true},
		{big, other, false},
		{big, big[:len(big)-1], false},
		{big[:1<<20], big, false},
	} {
		if got, err := SameContent(bytes.NewReader(tc.a), bytes.NewReader(tc.b)); err != nil || got != tc.want {
			t.Errorf("SameContent(%d bytes, %d bytes) = %v, %v; want %v", len(tc.a), len(tc.b), got, err, tc.want)
		}
	}
}

package window

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/pcappush/pcappush/internal/testutil"
	"github.com/pcappush/pcappush/lib/pcapio"
	"github.com/pcappush/pcappush/lib/split"
	"github.com/pcappush/pcappush/lib/synth"
)

// TestReadFleetWidth merges 60 sources (a fleet's width) of 10-second
// splits, and checks the window against the merge of the same captures
// by mergecap, trimmed by editcap -A/-B, and against a stable sort.
// Twenty sources repeat the packet times of twenty others, so that the
// order of equal times is checked too.
func TestReadFleetWidth(t *testing.T) {
	const k = 60
	root := t.TempDir()
	raw := filepath.Join(root, "captures")
	if err := os.Mkdir(raw, 0o755); err != nil {
		t.Fatal(err)
	}
	var srcs [][]rec
	var files []string
	for i := 0; i < k; i++ {
		// the last 20 sources repeat the times of the first 20, with other
		// bytes: equal times across sources
		c := gen(t, int64(100+i%40), 0, time.Minute, 400)
		if i >= 40 {
			c = retag(t, c, byte(i))
		}
		name := fmt.Sprintf("s%02d", i)
		splitInto(t, c, filepath.Join(root, "push", name, "all"), split.Options{Time: 10e9, Name: split.TstrHHMMSS}, []string{"", "gzip:1", "zstd:1", "lz4"}[i%4])
		srcs = append(srcs, parse(t, c))
		files = append(files, filepath.Join(raw, name+".pcap"))
		if err := os.WriteFile(files[i], c, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	start, end := ns(14*time.Second+123456789), ns(41*time.Second+987654321)
	got, st, err := read(t, Options{From: []string{root + "/push/*/all"}, Start: start, End: end})
	if err != nil {
		t.Fatal(err)
	}
	want := merged(srcs, start, end)
	sameRecs(t, "60 sources against a stable sort", want, got)

	if st.Sources != k || st.Packets != int64(len(want)) {
		t.Errorf("stats %+v; want %d sources and %d packets", st, k, len(want))
	}
	mergecap, editcap := testutil.Need(t, "mergecap"), testutil.Need(t, "editcap")
	// mergecap puts the last file's packet first of equal times; given
	// the files in reverse, it merges as stably as Read.
	slices.Reverse(files)
	all := filepath.Join(root, "merged.pcap")
	testutil.MustRun(t, nil, mergecap, append([]string{"-F", "nsecpcap", "-w", all}, files...)...)
	trimmed := filepath.Join(root, "window.pcap")
	testutil.MustRun(t, nil, editcap, "-F", "nsecpcap", "-A", epoch(start), "-B", epoch(end), all, trimmed)
	b, err := os.ReadFile(trimmed)
	if err != nil {
		t.Fatal(err)
	}
	sameRecs(t, "60 sources against mergecap and editcap", parse(t, b), got)
}

// retag returns the capture with the first byte of every packet set to
// tag: the same times, other packets.
func retag(t *testing.T, c []byte, tag byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := pcapio.NewWriter(&b, pcapio.LinkTypeEthernet, pcapio.DefaultSnaplen)
	if err := w.WriteHeader(); err != nil {
		t.Fatal(err)
	}
	for _, r := range parse(t, c) {
		data := []byte(r.Data)
		data[0] = tag
		if err := w.WritePacket(r.Time, r.OrigLen, data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// epoch writes ns as editcap's -A/-B take it: seconds with a fraction.
func epoch(ns int64) string {
	return strconv.FormatInt(ns/1e9, 10) + "." + fmt.Sprintf("%09d", ns%1e9)
}

// TestReadMemoryPerSource reads 8 sources of 12 MB splits (plain and
// zstd) while sampling the heap: it stays within each source's read-ahead,
// parse buffer and decoder, whatever the file sizes, and the allocations
// are per split, not per packet.
func TestReadMemoryPerSource(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 100 MB")
	}
	const k = 8
	root := t.TempDir()
	for i := 0; i < k; i++ {
		var b bytes.Buffer
		o := synth.DefaultOptions()
		o.Seed, o.Start, o.Duration, o.Size = int64(300+i), base, 2*time.Minute, 12e6
		if _, err := synth.Generate(context.Background(), &b, o); err != nil {
			t.Fatal(err)
		}
		splitInto(t, b.Bytes(), filepath.Join(root, fmt.Sprintf("s%d", i), "all"), split.Options{Time: 60e9, Name: split.EpochSecStartEnd}, []string{"", "zstd:3"}[i%2])
	}
	opts := Options{From: []string{root + "/*/all"}}
	series, err := List(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	peak := make(chan uint64)
	stop := make(chan struct{})
	go func() {
		var m runtime.MemStats
		var p uint64
		for {
			select {
			case <-stop:
				peak <- p
				return
			case <-time.After(5 * time.Millisecond):
			}
			runtime.ReadMemStats(&m)
			p = max(p, m.HeapInuse)
		}
	}()
	st, err := readSeries(context.Background(), io.Discard, series, opts)
	close(stop)
	p := <-peak
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	const perSource = 4 << 20
	if grown := int64(p) - int64(before.HeapInuse); grown > k*perSource {
		t.Errorf("heap grew by %.1f MB reading %d sources of %.0f MB; want at most %d MB each", float64(grown)/1e6, k, float64(st.Bytes)/k/1e6, perSource>>20)
	}
	if m := after.Mallocs - before.Mallocs; m > uint64(st.Splits)*100 || st.Packets < 50000 {
		t.Errorf("%d allocations for %d splits and %d packets", m, st.Splits, st.Packets)
	}
	t.Logf("%d sources, %d splits, %.0f MB, %d packets: heap +%.1f MB at most, %d allocations",
		k, st.Splits, float64(st.Bytes)/1e6, st.Packets, float64(int64(p)-int64(before.HeapInuse))/1e6, after.Mallocs-before.Mallocs)
}

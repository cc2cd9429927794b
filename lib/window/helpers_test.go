package window

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	_ "github.com/rclone/rclone/backend/local"

	"github.com/pcappush/pcappush/internal/pcaptest"
	"github.com/pcappush/pcappush/lib/compress"
	"github.com/pcappush/pcappush/lib/split"
	"github.com/pcappush/pcappush/lib/synth"
)

// base is the start of the generated traffic: 2021-05-24T09:50:00Z.
var base = time.Date(2021, 5, 24, 9, 50, 0, 0, time.UTC)

// gen returns a generated capture of n packets over d from base+off.
func gen(t testing.TB, seed int64, off, d time.Duration, n int64) []byte {
	t.Helper()
	var b bytes.Buffer
	o := synth.DefaultOptions()
	o.Seed, o.Start, o.Duration, o.Packets = seed, base.Add(off), d, n
	if _, err := synth.Generate(context.Background(), &b, o); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// rec is a packet, copied.
type rec = pcaptest.Rec

func parse(t testing.TB, b []byte) []rec { t.Helper(); return pcaptest.Parse(t, "parse", b) }

// splitInto cuts capture into splits under prefix (a local folder is
// made), compressed with codec when it is not "".
func splitInto(t testing.TB, capture []byte, prefix string, o split.Options, codec string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(prefix+"x"), 0o755); err != nil {
		t.Fatal(err)
	}
	o.Prefix = prefix
	var sink split.Sink = split.FileSink{}
	if codec != "" {
		c, err := compress.Parse(codec)
		if err != nil {
			t.Fatal(err)
		}
		sink = &compress.Sink{Inner: sink, Codec: c, Threads: 1}
		if o.Suffix == "" {
			o.Suffix = c.Suffix()
		}
	}
	if _, err := split.Run(context.Background(), bytes.NewReader(capture), "gen", o, sink, nil); err != nil {
		t.Fatal(err)
	}
}

// merged is the window [start, end) of the sources' packets, merged
// stably by time: what Read must write.
func merged(sources [][]rec, start, end int64) []rec {
	var all []rec
	for _, s := range sources {
		for _, r := range s {
			if r.Time >= start && r.Time < end {
				all = append(all, r)
			}
		}
	}
	slices.SortStableFunc(all, func(a, b rec) int { return int(min(max(a.Time-b.Time, -1), 1)) })
	return all
}

// read runs Read and parses what it wrote.
func read(t testing.TB, opts Options) ([]rec, Stats, error) {
	t.Helper()
	var out bytes.Buffer
	st, err := Read(context.Background(), &out, opts)
	if err != nil {
		return nil, st, err
	}
	return parse(t, out.Bytes()), st, nil
}

// sameRecs compares packet lists without printing megabytes.
func sameRecs(t testing.TB, what string, want, got []rec) {
	t.Helper()
	if len(want) != len(got) {
		t.Fatalf("%s: %d packets; want %d", what, len(got), len(want))
	}
	for i := range want {
		if want[i] != got[i] {
			t.Fatalf("%s: packet %d: time %d len %d; want time %d len %d", what, i+1, got[i].Time, len(got[i].Data), want[i].Time, len(want[i].Data))
		}
	}
}

func ns(d time.Duration) int64 { return base.Add(d).UnixNano() }

package window

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pcappush/pcappush/lib/capture"
	"github.com/pcappush/pcappush/lib/pcapio"
	"github.com/pcappush/pcappush/lib/split"
)

// faultFleet writes two sensors of 10-second splits (b's gzip) and
// returns their packets.
func faultFleet(t *testing.T, root string) [][]rec {
	t.Helper()
	return fleet(t, root, []sensor{{name: split.TstrHHMMSS, time: 10e9}, {name: split.TstrHHMMSS, time: 10e9, codec: "gzip:1"}})
}

// without returns recs minus those in [from, to).
func without(recs []rec, from, to int64) []rec {
	var out []rec
	for _, r := range recs {
		if r.Time < from || r.Time >= to {
			out = append(out, r)
		}
	}
	return out
}

// TestReadBadSplits: a split that is not pcap, one cut short, one of
// another link type and one deleted after the listing are errors naming
// the split; with SkipBad, warnings naming the time range not read, and
// everything else is read.
func TestReadBadSplits(t *testing.T) {
	start, end := ns(5*time.Second), ns(55*time.Second)
	junk := func(t *testing.T, dir, name string) { write(t, dir, name, []byte("this is not a capture")) }
	cut := func(t *testing.T, dir, name string) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		write(t, dir, name, b[:len(b)/2])
	}
	otherLink := func(t *testing.T, dir, name string) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		b[20] = byte(pcapio.LinkTypeRaw) // the header's link type
		write(t, dir, name, b)
	}
	tests := []struct {
		name    string
		sensor  string // the bad split's folder and name
		split   string
		damage  func(t *testing.T, dir, name string)
		listed  bool // damaged after the listing
		err     string
		partial bool // packets before the fault are read
	}{
		{"not pcap", "sensora", "all_20210524_095020.pcap", junk, false, "all_20210524_095020.pcap: at byte 0: magic", false},
		{"gzip cut short", "sensorb", "all_20210524_095030.pcap.gz", cut, false, "all_20210524_095030.pcap.gz: ", true},
		{"pcap cut short", "sensora", "all_20210524_095030.pcap", cut, false, "cut short", true},
		{"other link type", "sensora", "all_20210524_095010.pcap", otherLink, false, "all_20210524_095010.pcap: link type 101", false},
		{"deleted", "sensora", "all_20210524_095040.pcap", func(t *testing.T, dir, name string) { os.Remove(filepath.Join(dir, name)) }, true, "all_20210524_095040.pcap: ", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			srcs := faultFleet(t, root)
			dir := filepath.Join(root, tt.sensor)
			opts := Options{From: []string{root + "/*/all"}, Start: start, End: end}
			series, err := List(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.listed {
				tt.damage(t, dir, tt.split)
				if series, err = List(context.Background(), opts); err != nil {
					t.Fatal(err)
				}
			} else {
				tt.damage(t, dir, tt.split)
			}
			_, err = readSeries(context.Background(), io.Discard, series, opts)
			err0 := err
			path := filepath.Join(dir, tt.split)
			if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.HasPrefix(err.Error(), path) {
				t.Errorf("error %v; want one naming %s and containing %q", err, path, tt.err)
			}
			var log strings.Builder
			opts.SkipBad, opts.Log, opts.LogPrefix = true, &log, "t: "
			var out strings.Builder
			t.Logf("error: %v", err0)
			st, err := readSeries(context.Background(), &out, series, opts)
			if err != nil {
				t.Fatal(err)
			}
			p, _ := split.ParseName(tt.split, "all")
			lost := capture.FormatTime(p.Start)
			if tt.partial {
				lost = "" // from the last packet read, which depends on the damage
			}
			want := "t: warning: " + path + ": "
			if !strings.HasPrefix(log.String(), want) || !strings.Contains(log.String(), "skipped: packets of "+dir+"/all from "+lost) || st.Skipped != 1 {
				t.Errorf("log %q, %d skipped; want a warning starting %q, naming the range from %q", log.String(), st.Skipped, want, lost)
			}
			i := map[string]int{"sensora": 0, "sensorb": 1}[tt.sensor]
			t.Logf("log: %s", log.String())
			got := parse(t, []byte(out.String()))
			clean := append([][]rec(nil), srcs...)
			clean[i] = without(srcs[i], p.Start, p.Start+10e9)
			wantRecs := merged(clean, start, end)
			if !tt.partial {
				sameRecs(t, "all but the bad split", wantRecs, got)
				return
			}
			if len(got) < len(wantRecs) || len(got) >= len(merged(srcs, start, end)) {
				t.Errorf("%d packets; want all %d of the good splits and part of the bad one", len(got), len(wantRecs))
			}
		})
	}
}

func write(t *testing.T, dir, name string, b []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestReadUsageErrors: destinations that cannot work are refused before
// anything is read.
func TestReadUsageErrors(t *testing.T) {
	tests := []struct {
		opts Options
		want string
	}{
		{Options{}, "no destination"},
		{Options{From: []string{" "}}, "an empty destination"},
		{Options{From: []string{"/x/all"}, Start: 10, End: 5}, "start must be before its end"},
		{Options{From: []string{"/x/*"}}, "'*' matches folders only"},
		{Options{From: []string{"remote:"}}, "has no folder"},
	}
	for _, tt := range tests {
		_, err := Read(context.Background(), io.Discard, tt.opts)
		if !errors.Is(err, ErrUsage) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Read(%+v) = %v; want a usage error containing %q", tt.opts, err, tt.want)
		}
	}
}

// cancelWriter cancels a context at its first write, as a SIGTERM in the
// middle of a read does.
type cancelWriter struct {
	w      strings.Builder
	cancel context.CancelFunc
}

func (c *cancelWriter) Write(b []byte) (int, error) {
	c.cancel()
	return c.w.Write(b)
}

// TestReadStopped: a read stopped half way (its context cancelled) ends
// the stream after the last packet written, with a warning and no error:
// what came out is a valid capture, the start of the window.
func TestReadStopped(t *testing.T) {
	root := t.TempDir()
	var srcs [][]rec
	for i := 0; i < 3; i++ {
		c := gen(t, int64(50+i), 0, time.Minute, 30000)
		splitInto(t, c, filepath.Join(root, "s"+string(rune('a'+i)), "all"), split.Options{Time: 10e9, Name: split.TstrHHMMSS}, "")
		srcs = append(srcs, parse(t, c))
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var log strings.Builder
	out := &cancelWriter{cancel: cancel}
	st, err := Read(ctx, out, Options{From: []string{root + "/*/all"}, Buffer: 128 << 10, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	got := parse(t, []byte(out.w.String()))
	want := merged(srcs, 0, 1<<62)
	if len(got) == 0 || len(got) >= len(want) || int64(len(got)) != st.Packets {
		t.Fatalf("%d packets out (%d counted) of %d", len(got), st.Packets, len(want))
	}
	sameRecs(t, "the start of the window", want[:len(got)], got)
	if !strings.Contains(log.String(), "warning: stopped: the window ends after "+capture.FormatTime(got[len(got)-1].Time)) {
		t.Errorf("log %q", log.String())
	}
}

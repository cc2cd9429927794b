package window

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pcappush/pcappush/lib/pcapio"
	"github.com/pcappush/pcappush/lib/split"
)

// sensor is how one test sensor's splits are made.
type sensor struct {
	name  split.NameFormat
	time  int64 // split time, or
	bytes int64 // split size
	codec string
}

// fleet writes each sensor's capture as splits under root/NAME/all and
// returns the captures' packets, in the folders' name order.
func fleet(t *testing.T, root string, sensors []sensor) [][]rec {
	t.Helper()
	var out [][]rec
	for i, s := range sensors {
		c := gen(t, int64(i+1), time.Duration(i)*137*time.Millisecond, 2*time.Minute, 3000)
		splitInto(t, c, filepath.Join(root, "sensor"+string(rune('a'+i)), "all"), split.Options{Time: s.time, Bytes: s.bytes, Name: s.name}, s.codec)
		out = append(out, parse(t, c))
	}
	return out
}

// cutInTwo rewrites split name in dir as name and its continuation
// name_2 holding its second half, as a push cut short and resumed leaves
// them.
func cutInTwo(t *testing.T, dir, name string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	recs := parse(t, b)
	half := len(recs) / 2
	base, suffix, _ := strings.Cut(name, ".")
	for i, part := range [][]rec{recs[:half], recs[half:]} {
		var out bytes.Buffer
		w := pcapio.NewWriter(&out, pcapio.LinkTypeEthernet, pcapio.DefaultSnaplen)
		if err := w.WriteHeader(); err != nil {
			t.Fatal(err)
		}
		for _, r := range part {
			if err := w.WritePacket(r.Time, r.OrigLen, []byte(r.Data)); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		n := name
		if i == 1 {
			n = base + "_2." + suffix
		}
		if err := os.WriteFile(filepath.Join(dir, n), out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestReadMergesSensors reads windows from five sensors' splits, of every
// name format, by time and by size, plain and compressed, with a
// continuation and foreign files around: the packets equal the captures'
// merged by time and trimmed to the window.
func TestReadMergesSensors(t *testing.T) {
	root := t.TempDir()
	srcs := fleet(t, root, []sensor{
		{name: split.TstrHHMMSS, time: 10e9},
		{name: split.EpochSecStartEnd, time: 10e9, codec: "gzip:1"},
		{name: split.TstrHHMMSSNS, bytes: 150e3, codec: "zstd:1"},
		{name: split.EpochSec, bytes: 300e3, codec: "lz4"},
		{name: split.TstrHHMM, time: 60e9},
	})
	a := filepath.Join(root, "sensora")
	cutInTwo(t, a, "all_20210524_095020.pcap")
	for name, body := range map[string]string{
		"all_20210524_095030.pcap.pending": "half written",
		"http_20210524_095030.pcap":        "another target",
		"all_notes.txt":                    "not a split",
		"README":                           "x",
	} {
		if err := os.WriteFile(filepath.Join(a, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(root, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, d := range []string{"sensora", "sensorb", "sensorc", "sensord", "sensore"} {
		es, _ := os.ReadDir(filepath.Join(root, d))
		total += len(es)
	}
	tests := []struct {
		name       string
		start, end int64
	}{
		{"across split boundaries", ns(15*time.Second + 3), ns(47*time.Second + 11)},
		{"on boundaries", ns(20 * time.Second), ns(40 * time.Second)},
		{"one nanosecond", ns(25 * time.Second), ns(25*time.Second) + 1},
		{"no start", 0, ns(12 * time.Second)},
		{"no end", ns(100 * time.Second), 0},
		{"everything", 0, 0},
		{"before the traffic", ns(-time.Hour), ns(-time.Minute)},
		{"after the traffic", ns(time.Hour), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, st, err := read(t, Options{From: []string{root + "/*/all"}, Start: tt.start, End: tt.end})
			if err != nil {
				t.Fatal(err)
			}
			end := tt.end
			if end == 0 {
				end = 1 << 62
			}
			sameRecs(t, tt.name, merged(srcs, tt.start, end), got)
			if tt.start != 0 && tt.end != 0 && st.Splits >= total/2 {
				t.Errorf("read %d splits of %d for a window of %v", st.Splits, total, time.Duration(tt.end-tt.start))
			}
		})
	}
}

// TestReadDestinations: repeated --from, overlapping ones read once, a
// prefix ending in "/" (names without a leaf), a remote of the rclone
// config, and destinations that match nothing.
func TestReadDestinations(t *testing.T) {
	root := t.TempDir()
	srcs := fleet(t, filepath.Join(root, "push"), []sensor{{name: split.TstrHHMMSS, time: 10e9}, {name: split.TstrHHMMSS, time: 10e9, codec: "gzip"}})
	bare := gen(t, 9, 0, 2*time.Minute, 2000)
	splitInto(t, bare, filepath.Join(root, "bare")+"/", split.Options{Time: 30e9, Name: split.EpochSecStartEnd}, "")
	conf := filepath.Join(root, "rclone.conf")
	if err := os.WriteFile(conf, []byte("[disk]\ntype = local\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	start, end := ns(33*time.Second), ns(71*time.Second)
	from := []string{
		root + "/push/sensora/all",
		root + "/push/*/all", // sensora again, then sensorb
		"disk:" + root + "/bare/",
		root + "/nothing/*/all",
	}
	var log strings.Builder
	got, st, err := read(t, Options{From: from, Start: start, End: end, RcloneConfig: conf, Log: &log, LogPrefix: "t: "})
	if err != nil {
		t.Fatal(err)
	}
	if st.Sources != 3 {
		t.Errorf("%d sources; want 3", st.Sources)
	}
	sameRecs(t, "three sources", merged([][]rec{srcs[0], srcs[1], parse(t, bare)}, start, end), got)
	if !strings.Contains(log.String(), "t: warning: "+root+"/nothing/*/all: no folder matches") {
		t.Errorf("log: %q", log.String())
	}
}

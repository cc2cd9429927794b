package tests

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/pcappush/pcappush/internal/pcaptest"
	"github.com/pcappush/pcappush/internal/testutil"
)

// gen writes a generated capture and returns its path.
func gen(t *testing.T, args ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "in.pcap")
	testutil.MustRun(t, nil, testutil.Tool(t, "pcapgen"), append(args, "-w", out)...)
	return out
}

// rec is a packet record, copied.
type rec struct {
	Time    int64
	OrigLen uint32
	Data    string
}

// readRecs reads every record of a pcap or pcapng file.
func readRecs(t *testing.T, path string) []rec {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return parseRecs(t, path, b)
}

func parseRecs(t *testing.T, name string, b []byte) []rec {
	t.Helper()
	var out []rec
	for _, r := range pcaptest.Parse(t, name, b) {
		out = append(out, rec(r))
	}
	return out
}

// files lists a folder's files by name.
func files(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	sort.Strings(out)
	return out
}

// noPending fails the test if any .pending file is left under dir.
func noPending(t *testing.T, dir string) {
	t.Helper()
	for _, f := range files(t, dir) {
		if strings.HasSuffix(f, ".pending") {
			t.Errorf("%s left in %s", f, dir)
		}
	}
}

// sameRecs compares two record lists without printing megabytes.
func sameRecs(t *testing.T, what string, want, got []rec) {
	t.Helper()
	if len(want) != len(got) {
		t.Fatalf("%s: %d packets; want %d", what, len(got), len(want))
	}
	for i := range want {
		if want[i] != got[i] {
			t.Fatalf("%s: packet %d differs: time %d len %d caplen %d; want time %d len %d caplen %d",
				what, i+1, got[i].Time, got[i].OrigLen, len(got[i].Data), want[i].Time, want[i].OrigLen, len(want[i].Data))
		}
	}
}

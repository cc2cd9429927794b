package push

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pcappush/pcappush/lib/exitcode"
)

// TestOfflineCaptureForms: --offline takes what stream_cat takes: a
// capture's name in the store, or a path to a capture folder or to one
// capture file; each mistake is named for what it is.
func TestOfflineCaptureForms(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	store := filepath.Join(root, "store")
	for _, d := range []string{filepath.Join(store, "cap1"), filepath.Join(root, "elsewhere", "cap2")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(root, "elsewhere", "one.pcap")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		store, arg string
		code       int // 0: accepted
		want       string
	}{
		{store, "cap1", 0, ""},
		{store, filepath.Join(root, "elsewhere", "cap2"), 0, ""},
		{store, file, 0, ""},
		{filepath.Join(root, "no-store"), filepath.Join(root, "elsewhere", "cap2"), 0, ""}, // a path needs no store
		{store, "cap9", 1, "--offline cap9: no such capture in the store " + store},
		{filepath.Join(root, "stroe"), "cap1", 2, "--offline cap1: no such store " + root + "/stroe"},
		{store, filepath.Join(root, "nowhere", "cap3"), 1, "no such capture folder or file"},
	} {
		err := checkCaptures("", tc.arg)
		if err == nil {
			err = checkStored(tc.store, tc.arg)
		}
		switch {
		case tc.code == 0 && err != nil:
			t.Errorf("%s in %s: %v; want it accepted", tc.arg, tc.store, err)
		case tc.code != 0 && (err == nil || exitcode.Code(err) != tc.code || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s in %s: %v (exit %d); want exit %d and %q", tc.arg, tc.store, err, exitcode.Code(err), tc.code, tc.want)
		}
	}
	for _, bad := range []string{"..", "-x", "../.."} {
		if err := checkCaptures("", bad); exitcode.Code(err) != 2 {
			t.Errorf("--offline %q: %v; want a usage error", bad, err)
		}
	}
}

package tests

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestSplitPostCmd: the post command runs once per published split with
// the split's name, size, packets and first/last times, which capinfos
// and the files confirm; its failure is reported and not fatal.
func TestSplitPostCmd(t *testing.T) {
	in := gen(t, "--seed", "31", "--start", "2021-05-24T09:50:30Z", "--duration", "3m", "--size", "6MB")
	dir := t.TempDir()
	outDir := filepath.Join(dir, "out")
	if err := os.Mkdir(outDir, 0o755); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(dir, "post.log")
	post := `printf '%s %s %s %s %s %s\n' "$PCAPPUSH_SPLIT_NAME" "$PCAPPUSH_SPLIT_BYTES" "$PCAPPUSH_SPLIT_PACKETS" "$PCAPPUSH_SPLIT_FIRST_NS" "$PCAPPUSH_SPLIT_LAST_NS" "$1" >> ` + log
	res := runSplit(t, in, "-o", outDir+"/", "--split-time", "60e9", "--filename-epoch-sec", "--post-cmd", post, "--post-jobs", "3")
	if res.Code != 0 {
		t.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	names := files(t, outDir)
	info := capinfos(t, outDir, names)
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != len(names) || len(names) != 4 {
		t.Fatalf("post ran %d times for %d files %v:\n%s", len(lines), len(names), names, b)
	}
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) != 6 || f[0] != f[5] || filepath.Dir(f[0]) != outDir {
			t.Fatalf("post line %q", l)
		}
		ci, ok := info[filepath.Base(f[0])]
		st, err := os.Stat(f[0])
		if !ok || err != nil {
			t.Fatalf("post named %s, not a published file", f[0])
		}
		if f[1] != strconv.FormatInt(st.Size(), 10) || f[2] != strconv.Itoa(ci.packets) || f[3] != strconv.FormatInt(ci.first, 10) || f[4] != strconv.FormatInt(ci.last, 10) {
			t.Errorf("post saw %q; the file has %d bytes, %d packets, %d to %d", l, st.Size(), ci.packets, ci.first, ci.last)
		}
	}
	if !strings.Contains(string(res.Stderr), "post cmd [") {
		t.Errorf("the log lacks the post command:\n%s", res.Stderr)
	}

	failDir := t.TempDir()
	res = runSplit(t, in, "-o", failDir+"/", "--split-time", "60e9", "--filename-epoch-sec", "--post-cmd", "exit 7")
	if res.Code != 0 || strings.Count(string(res.Stderr), "pcap_split: post failed for "+failDir+"/") != 4 || len(files(t, failDir)) != 4 {
		t.Errorf("a failing post: exit %d, files %v, stderr:\n%s\nwant exit 0, 4 files and 4 failures logged", res.Code, files(t, failDir), res.Stderr)
	}
	for _, args := range [][]string{{"--post-jobs", "0"}, {"--post-timeout", "0s"}, {"--post-cmd", " "}} {
		a := append([]string{"-o", failDir + "/", "--split-time", "60e9", "--filename-epoch-sec", "--post-cmd", "true"}, args...)
		if res := runSplit(t, in, a...); res.Code != 2 || !strings.Contains(string(res.Stderr), "Try: pcap_split --help") {
			t.Errorf("%v: exit %d, stderr %s; want a usage error", args, res.Code, res.Stderr)
		}
	}
}

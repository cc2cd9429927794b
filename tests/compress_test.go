package tests

import (
	"path/filepath"
	"testing"

	"github.com/pcappush/pcappush/internal/testutil"
)

func TestSplitCompressLocal(t *testing.T) {
	in := gen(t, "--seed", "30", "--start", "2021-05-24T09:50:30Z", "--duration", "2m", "--size", "8MB")
	recs := readRecs(t, in)
	for _, tt := range []struct{ spec, sfx string }{{"gzip:1", ".pcap.gz"}, {"gzip", ".pcap.gz"}, {"zstd:1", ".pcap.zst"}, {"zstd:19", ".pcap.zst"}, {"lz4", ".pcap.lz4"}, {"lz4:9", ".pcap.lz4"}} {
		dir := t.TempDir()
		res := runSplit(t, in, "-o", dir+"/all", "--split-time", "60e9", "--filename-tstr-HHMMSS", "--compress", tt.spec)
		if res.Code != 0 {
			t.Fatalf("%s: exit %d: %s", tt.spec, res.Code, res.Stderr)
		}
		checkMinutes(t, dir, tt.sfx, recs)
	}
	// compression first, then the pipe command: zstd, then gzip around it
	dir := t.TempDir()
	res := runSplit(t, in, "-o", dir+"/all", "--split-time", "60e9", "--filename-tstr-HHMMSS", "--compress", "zstd:1", "--pipe-cmd", "gzip -c -1", "--filename-suffix", ".pcap.zst.gz")
	if res.Code != 0 {
		t.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	for m, want := range byMinute(recs) {
		name := minuteName(m, ".pcap.zst.gz")
		zst := testutil.MustRun(t, nil, testutil.Need(t, "gzip"), "-dc", filepath.Join(dir, name)).Stdout
		raw := testutil.MustRun(t, zst, testutil.Need(t, "zstd"), "-dcq").Stdout
		sameRecs(t, name, want, parseRecs(t, name, raw))
	}
}

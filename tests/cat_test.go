package tests

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pcappush/pcappush/internal/testutil"
)

// streamCat runs stream_cat with args.
func streamCat(t *testing.T, args ...string) testutil.Result {
	t.Helper()
	return testutil.Run(t, nil, testutil.Tool(t, "stream_cat"), args...)
}

// chunkNames lists a capture folder's files other than dotfiles, in the
// order given by sortKey (natural order is what stream_cat promises; the
// tests spell it out per recorder).
func chunkNames(t *testing.T, dir string, less func(a, b string) bool) []string {
	t.Helper()
	var out []string
	for _, f := range files(t, dir) {
		if !strings.HasPrefix(f, ".") {
			out = append(out, f)
		}
	}
	sort.Slice(out, func(i, j int) bool { return less(out[i], out[j]) })
	return out
}

// byNumberSuffix orders tcpdump -C names: x.pcap, x.pcap1, x.pcap2, ...
func byNumberSuffix(a, b string) bool {
	na, nb := numberSuffix(a), numberSuffix(b)
	return na < nb
}

func numberSuffix(s string) int {
	m := regexp.MustCompile(`(\d*)(\.(gz|zst|lz4))?$`).FindStringSubmatch(s)
	n := 0
	fmt.Sscanf(m[1], "%d", &n) //nolint:errcheck // empty means 0
	return n
}

// catEqualsMergecap checks stream_cat's output for a capture folder
// against mergecap -a of the chunks in the given order.
func catEqualsMergecap(t *testing.T, dir string, chunks []string, args ...string) []rec {
	t.Helper()
	res := streamCat(t, append(args, dir)...)
	if res.Code != 0 {
		t.Fatalf("stream_cat: exit %d\n%s", res.Code, res.Stderr)
	}
	out := filepath.Join(t.TempDir(), "out.pcap")
	if err := os.WriteFile(out, res.Stdout, 0o644); err != nil {
		t.Fatal(err)
	}
	want := merged(t, dir, chunks)
	got := readRecs(t, out)
	sameRecs(t, "stream_cat against mergecap -a", want, got)
	ci := capinfos(t, filepath.Dir(out), []string{"out.pcap"})["out.pcap"]
	if ci.packets != len(want) || ci.first != want[0].Time || ci.last != want[len(want)-1].Time {
		t.Errorf("capinfos: %d packets from %d to %d; want %d from %d to %d", ci.packets, ci.first, ci.last, len(want), want[0].Time, want[len(want)-1].Time)
	}
	if len(res.Stderr) != 0 {
		t.Errorf("stderr: %s", res.Stderr)
	}
	return got
}

// TestStreamCatTcpdumpSizeRotation: tcpdump -C writes x.pcap, x.pcap1, ...
// (microsecond pcap); stream_cat gives them back in natural order.
func TestStreamCatTcpdumpSizeRotation(t *testing.T) {
	tcpdump := testutil.Need(t, "tcpdump")
	in := gen(t, "--seed", "21", "--duration", "1m", "--size", "12MB")
	dir := filepath.Join(t.TempDir(), "capture1")
	os.Mkdir(dir, 0o755)
	testutil.MustRun(t, nil, tcpdump, "-Z", "root", "-r", in, "-w", filepath.Join(dir, "x.pcap"), "-C", "1")
	chunks := chunkNames(t, dir, byNumberSuffix)
	if len(chunks) < 11 {
		t.Fatalf("tcpdump -C 1 wrote %v; want at least x.pcap to x.pcap10", chunks)
	}
	catEqualsMergecap(t, dir, chunks)
}

// TestStreamCatTcpdumpTimeRotation: tcpdump -G 1 with strftime names,
// fed slowly so that it rotates, and -C names without an extension.
func TestStreamCatTcpdumpTimeRotation(t *testing.T) {
	tcpdump := testutil.Need(t, "tcpdump")
	in := gen(t, "--seed", "22", "--duration", "1m", "--size", "3MB")
	data, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "capture2")
	os.Mkdir(dir, 0o755)
	cmd := exec.Command(tcpdump, "-Z", "root", "-r", "-", "-w", filepath.Join(dir, "g_%Y%m%d_%H%M%S.pcap"), "-G", "1")
	stdin, _ := cmd.StdinPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		stdin.Write(data[i*len(data)/3 : (i+1)*len(data)/3]) //nolint:errcheck // checked by the comparison
		time.Sleep(1100 * time.Millisecond)
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	chunks := chunkNames(t, dir, func(a, b string) bool { return a < b })
	if len(chunks) < 2 {
		t.Fatalf("tcpdump -G 1 wrote %v; want several files", chunks)
	}
	got := catEqualsMergecap(t, dir, chunks)
	if len(got) != len(readRecs(t, in)) {
		t.Errorf("%d packets; want all %d", len(got), len(readRecs(t, in)))
	}
	bare := filepath.Join(t.TempDir(), "capture3")
	os.Mkdir(bare, 0o755)
	testutil.MustRun(t, nil, tcpdump, "-Z", "root", "-r", in, "-w", filepath.Join(bare, "x"), "-C", "1")
	catEqualsMergecap(t, bare, chunkNames(t, bare, byNumberSuffix))
}

// TestStreamCatDumpcapRing: dumpcap ring buffers (pcapng, names with a
// counter and a time), with and without deletion of the oldest files.
// dumpcap captures from stdin (-i -, a pipe interface) here: the chunks
// are real dumpcap output, without a live interface or capture rights.
func TestStreamCatDumpcapRing(t *testing.T) {
	dumpcap := testutil.Need(t, "dumpcap")
	in := gen(t, "--seed", "23", "--duration", "1m", "--size", "6MB")
	data, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, ring := range [][]string{{"-b", "filesize:500"}, {"-b", "filesize:500", "-b", "files:4"}} {
		dir := filepath.Join(t.TempDir(), "ring")
		os.Mkdir(dir, 0o755)
		args := append([]string{"-q", "-i", "-", "-w", filepath.Join(dir, "ring.pcapng")}, ring...)
		testutil.MustRun(t, data, dumpcap, args...)
		chunks := chunkNames(t, dir, func(a, b string) bool { return a < b }) // ring_00001_..., equal widths
		if len(chunks) < 4 {
			t.Fatalf("dumpcap %v wrote %v", ring, chunks)
		}
		got := catEqualsMergecap(t, dir, chunks)
		if len(ring) == 2 {
			sameRecs(t, "whole ring against the input", readRecs(t, in), got)
		}
	}
}

// TestStreamCatCompressedAndMixed: chunks compressed by the gzip, zstd and
// lz4 tools, and pcapng chunks from editcap, in one capture.
func TestStreamCatCompressedAndMixed(t *testing.T) {
	tcpdump := testutil.Need(t, "tcpdump")
	editcap := testutil.Need(t, "editcap")
	tools := map[string][]string{".gz": {"gzip", "-1"}, ".zst": {"zstd", "-q", "-1", "--rm"}, ".lz4": {"lz4", "-q", "-m", "--rm"}}
	for _, c := range tools {
		testutil.Need(t, c[0])
	}
	in := gen(t, "--seed", "24", "--duration", "1m", "--size", "8MB")
	dir := filepath.Join(t.TempDir(), "capture4")
	os.Mkdir(dir, 0o755)
	testutil.MustRun(t, nil, tcpdump, "-Z", "root", "-r", in, "-w", filepath.Join(dir, "x.pcap"), "-C", "1")
	plain := chunkNames(t, dir, byNumberSuffix)
	ref := t.TempDir() // uncompressed copies, for mergecap
	var order []string
	for i, name := range plain {
		p := filepath.Join(dir, name)
		b, _ := os.ReadFile(p)
		os.WriteFile(filepath.Join(ref, name), b, 0o644)
		order = append(order, name)
		switch i % 5 {
		case 1, 2, 3:
			ext := []string{".gz", ".zst", ".lz4"}[i%5-1]
			c := tools[ext]
			testutil.MustRun(t, nil, c[0], append(c[1:], p)...)
		case 4:
			os.Rename(p, p+".tmp")
			testutil.MustRun(t, nil, editcap, "-F", "pcapng", p+".tmp", p)
			os.Remove(p + ".tmp")
		}
	}
	names := files(t, dir)
	for _, ext := range []string{".gz", ".zst", ".lz4"} {
		if !hasSuffix(names, ext) {
			t.Fatalf("no %s chunk among %v", ext, names)
		}
	}
	res := streamCat(t, dir)
	if res.Code != 0 {
		t.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	out := filepath.Join(t.TempDir(), "out.pcap")
	os.WriteFile(out, res.Stdout, 0o644)
	sameRecs(t, "compressed and mixed chunks", merged(t, ref, order), readRecs(t, out))
}

func hasSuffix(names []string, ext string) bool {
	for _, n := range names {
		if strings.HasSuffix(n, ext) {
			return true
		}
	}
	return false
}

// TestStreamCatTimeFilter: --start-time and --end-time against editcap -A
// and -B on the same capture.
func TestStreamCatTimeFilter(t *testing.T) {
	tcpdump := testutil.Need(t, "tcpdump")
	editcap := testutil.Need(t, "editcap")
	in := gen(t, "--seed", "25", "--start", "2021-05-24T09:50:00Z", "--duration", "5m", "--size", "10MB")
	dir := filepath.Join(t.TempDir(), "capture5")
	os.Mkdir(dir, 0o755)
	testutil.MustRun(t, nil, tcpdump, "-Z", "root", "-r", in, "-w", filepath.Join(dir, "x.pcap"), "-C", "1")
	all := merged(t, dir, chunkNames(t, dir, byNumberSuffix))
	allFile := filepath.Join(t.TempDir(), "all.pcap")
	writeRecFile(t, allFile, all)
	tests := []struct{ start, end, eStart, eEnd string }{
		{"2021-05-24T09:51:10Z", "2021-05-24T09:53:00.5Z", "2021-05-24 09:51:10", "2021-05-24 09:53:00.5"},
		{"1621849920.25", "", "2021-05-24 09:52:00.25", ""},
		{"", "1621849800500000000", "", "2021-05-24 09:50:00.5"},
	}
	for _, tc := range tests {
		var args, eargs []string
		if tc.start != "" {
			args, eargs = append(args, "--start-time", tc.start), append(eargs, "-A", tc.eStart)
		}
		if tc.end != "" {
			args, eargs = append(args, "--end-time", tc.end), append(eargs, "-B", tc.eEnd)
		}
		ref := filepath.Join(t.TempDir(), "ref.pcap")
		testutil.MustRun(t, nil, editcap, append(append([]string{"-F", "nsecpcap"}, eargs...), allFile, ref)...)
		res := streamCat(t, append(args, dir)...)
		if res.Code != 0 {
			t.Fatalf("%v: exit %d: %s", args, res.Code, res.Stderr)
		}
		want := readRecs(t, ref)
		got := parseRecs(t, "out", res.Stdout)
		if len(want) == 0 || len(want) == len(all) {
			t.Fatalf("%v: editcap kept %d of %d packets", eargs, len(want), len(all))
		}
		sameRecs(t, fmt.Sprintf("stream_cat %v against editcap %v", args, eargs), want, got)
	}
}

// writeRecFile writes records as a nanosecond pcap file.
func writeRecFile(t *testing.T, path string, recs []rec) {
	t.Helper()
	var b bytes.Buffer
	writeRecs(t, &b, true, recs...)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

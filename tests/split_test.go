package tests

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pcappush/pcappush/internal/testutil"
	"github.com/pcappush/pcappush/lib/pcapio"
)

// runSplit runs pcap_split with stdin from a file.
func runSplit(t *testing.T, in string, args ...string) testutil.Result {
	t.Helper()
	b, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	return testutil.Run(t, b, testutil.Tool(t, "pcap_split"), args...)
}

// merged concatenates the files with mergecap (an independent reader and
// writer) and returns the records.
func merged(t *testing.T, dir string, names []string) []rec {
	t.Helper()
	mergecap := testutil.Need(t, "mergecap")
	out := filepath.Join(t.TempDir(), "merged.pcap")
	args := []string{"-a", "-F", "nsecpcap", "-w", out}
	for _, n := range names {
		args = append(args, filepath.Join(dir, n))
	}
	testutil.MustRun(t, nil, mergecap, args...)
	return readRecs(t, out)
}

type capinfo struct {
	packets     int
	first, last int64 // ns since the epoch
}

// nanos parses capinfos' "1621849860.034938574" exactly.
func nanos(t *testing.T, s string) int64 {
	t.Helper()
	sec, frac, _ := strings.Cut(s, ".")
	a, err1 := strconv.ParseInt(sec, 10, 64)
	b, err2 := strconv.ParseInt((frac + "000000000")[:9], 10, 64)
	if err1 != nil || err2 != nil {
		t.Fatalf("time %q", s)
	}
	return a*1e9 + b
}

// capinfos reads packet count and first/last time of each file.
func capinfos(t *testing.T, dir string, names []string) map[string]capinfo {
	t.Helper()
	tool := testutil.Need(t, "capinfos")
	args := []string{"-T", "-r", "-c", "-S", "-a", "-e"}
	for _, n := range names {
		args = append(args, filepath.Join(dir, n))
	}
	res := testutil.MustRun(t, nil, tool, args...)
	out := map[string]capinfo{}
	for _, l := range strings.Split(strings.TrimSpace(string(res.Stdout)), "\n") {
		f := strings.Split(l, "\t")
		if len(f) != 4 {
			t.Fatalf("capinfos line %q", l)
		}
		n, _ := strconv.Atoi(f[1])
		out[filepath.Base(f[0])] = capinfo{n, nanos(t, f[2]), nanos(t, f[3])}
	}
	return out
}

func TestSplitByTimeEndToEnd(t *testing.T) {
	in := gen(t, "--seed", "3", "--start", "2021-05-24T09:50:30Z", "--duration", "5m", "--size", "30MB")
	dir := t.TempDir()
	res := runSplit(t, in, "-o", dir+"/all", "--split-time", "60e9", "--filename-epoch-sec-startend", "--uid", "push_1")
	if res.Code != 0 {
		t.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	names := files(t, dir)
	want := []string{}
	for m := int64(1621849800); m < 1621850160; m += 60 {
		want = append(want, fmt.Sprintf("all_%d-%d.pcap", m, m+60))
	}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Fatalf("files %v; want %v", names, want)
	}
	sameRecs(t, "concatenated splits", readRecs(t, in), merged(t, dir, names))
	for name, ci := range capinfos(t, dir, names) {
		var start, end int64
		if _, err := fmt.Sscanf(name, "all_%d-%d.pcap", &start, &end); err != nil {
			t.Fatalf("name %s: %v", name, err)
		}
		if ci.packets == 0 || ci.first < start*1e9 || ci.last >= end*1e9 {
			t.Errorf("%s: %d packets from %d to %d ns; want some, inside [%d, %d) s", name, ci.packets, ci.first, ci.last, start, end)
		}
	}
	stderr := string(res.Stderr)
	for _, re := range []string{
		`pcap_split UID \[push_1\]`,
		`(?m)^\[\d+\.\d{3} H\]\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] ` + regexp.QuoteMeta(dir) + `/all_1621849800-1621849860\.pcap : Total Bytes \d+\.\d{3} GB Speed: \d+\.\d{3}Gbps : New Split$`,
		`pcap_split: done: 6 files, \d+ packets, 0\.030 GB, 0 reordered packets`,
	} {
		if !regexp.MustCompile(re).MatchString(stderr) {
			t.Errorf("stderr lacks %s:\n%s", re, stderr)
		}
	}
	noPending(t, dir)
}

func TestSplitProgressEvery80MB(t *testing.T) {
	in := gen(t, "--seed", "4", "--duration", "90s", "--size", "170MB")
	dir := t.TempDir()
	res := runSplit(t, in, "-o", dir+"/", "--split-time", "3600e9", "--filename-tstr-HHMM")
	if res.Code != 0 {
		t.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	re := regexp.MustCompile(`(?m)^\[[0-9.]+ H\]\[[^]]+\] \S+/20210524_0900\.pcap : Total Bytes (0\.\d{3}) GB Speed: [0-9.]+Gbps$`)
	m := re.FindAllStringSubmatch(string(res.Stderr), -1)
	if len(m) != 2 || m[0][1] != "0.080" || m[1][1] != "0.160" {
		t.Errorf("periodic progress lines %q; want two, at 0.080 and 0.160 GB:\n%s", m, res.Stderr)
	}
}

func TestSplitBySizeEndToEnd(t *testing.T) {
	in := gen(t, "--seed", "5", "--duration", "2m", "--size", "12MB")
	dir := t.TempDir()
	res := runSplit(t, in, "-o", dir+"/sz", "--split-byte", "1e6", "--filename-tstr-HHMMSS_NS")
	if res.Code != 0 {
		t.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	names := files(t, dir)
	if len(names) < 12 || len(names) > 14 {
		t.Fatalf("%d files for 12 MB in 1 MB splits: %v", len(names), names)
	}
	infos := capinfos(t, dir, names)
	for _, n := range names {
		st, err := os.Stat(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		if st.Size() > 1e6 || st.Size() < 1e6-2000 && n != names[len(names)-1] {
			t.Errorf("%s is %d bytes; want at most 1e6, and full but for the last", n, st.Size())
		}
		// Named by the first packet's time, to the nanosecond.
		first := time.Unix(0, infos[n].first).UTC()
		if !strings.HasPrefix(n, "sz_"+first.Format("20060102_150405")+".") {
			t.Errorf("%s: first packet at %v", n, first)
		}
	}
	sameRecs(t, "concatenated splits", readRecs(t, in), merged(t, dir, names))
}

func TestSplitNamesAndPrefixes(t *testing.T) {
	in := gen(t, "--seed", "6", "--start", "2021-12-01T23:50:59Z", "--duration", "1s", "--packets", "20")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--filename-epoch-sec-startend", "-o", "DIR/all"}, "all_1638402659-1638402660.pcap"},
		{[]string{"--filename-epoch-sec", "-o", "DIR/"}, "1638402659.pcap"},
		{[]string{"--filename-tstr-HHMMSS", "-o", "DIR/tcp", "--filename-suffix", ".cap"}, "tcp_20211201_235059.cap"},
		{[]string{"--filename-tstr-HHMMSS_NS", "-o", "DIR/"}, "20211201_235059.000.000.000.pcap"},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		args := append([]string{"--split-time", "1e9"}, tt.args...)
		for i, a := range args {
			args[i] = strings.Replace(a, "DIR", dir, 1)
		}
		if res := runSplit(t, in, args...); res.Code != 0 {
			t.Fatalf("%v: exit %d: %s", args, res.Code, res.Stderr)
		}
		if got := files(t, dir); len(got) != 1 || got[0] != tt.want {
			t.Errorf("%v made %v; want [%s]", tt.args, got, tt.want)
		}
	}
	dir := t.TempDir()
	if res := runSplit(t, in, "--split-time", "60e9", "--filename-tstr-HHMM", "-o", dir+"/x"); res.Code != 0 || strings.Join(files(t, dir), "") != "x_20211201_2350.pcap" {
		t.Errorf("HHMM: exit %d, files %v", res.Code, files(t, dir))
	}
}

func TestSplitPipeCmdGzip(t *testing.T) {
	gz := testutil.Need(t, "gzip")
	in := gen(t, "--seed", "8", "--start", "2021-05-24T09:51:00Z", "--duration", "3m", "--size", "15MB")
	dir := t.TempDir()
	res := runSplit(t, in, "-o", dir+"/", "--split-time", "60e9", "--filename-epoch-sec", "--pipe-cmd", "gzip -c -1", "--filename-suffix", ".pcap.gz")
	if res.Code != 0 {
		t.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	names := files(t, dir)
	if len(names) != 3 {
		t.Fatalf("files %v; want 3", names)
	}
	plain := t.TempDir()
	for _, n := range names {
		if !strings.HasSuffix(n, ".pcap.gz") {
			t.Errorf("%s lacks the suffix", n)
		}
		testutil.MustRun(t, nil, gz, "-t", filepath.Join(dir, n))
		out := testutil.MustRun(t, nil, gz, "-dc", filepath.Join(dir, n))
		if err := os.WriteFile(filepath.Join(plain, strings.TrimSuffix(n, ".gz")), out.Stdout, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sameRecs(t, "gunzipped splits", readRecs(t, in), merged(t, plain, files(t, plain)))
}

// TestSplitSIGTERM feeds half a capture through a pipe, then sends SIGTERM:
// pcap_split must exit 0 leaving only complete files, which together hold
// the start of the input, in order.
func TestSplitSIGTERM(t *testing.T) {
	in := gen(t, "--seed", "9", "--duration", "4m", "--size", "20MB")
	data, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cmd := exec.Command(testutil.Tool(t, "pcap_split"), "-o", dir+"/", "--split-time", "60e9", "--filename-epoch-sec-startend")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	half := len(data) / 2
	if _, err := stdin.Write(data[:half]); err != nil {
		t.Fatal(err)
	}
	// Wait until the first minute is published and the second open.
	deadline := time.Now().Add(20 * time.Second)
	for {
		f := files(t, dir)
		if len(f) >= 2 && !strings.HasSuffix(f[0], ".pending") {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill() //nolint:errcheck // the test fails anyway
			cmd.Wait()         //nolint:errcheck // killed
			t.Fatalf("no split published 20 s after half the input was written; files %v\n%s", f, stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	werr := cmd.Wait()
	stdin.Close()
	if werr != nil {
		t.Fatalf("pcap_split after SIGTERM: %v\n%s", werr, stderr.String())
	}
	names := files(t, dir)
	noPending(t, dir)
	got := merged(t, dir, names)
	all := readRecs(t, in)
	if len(got) == 0 || len(got) >= len(all) {
		t.Fatalf("%d packets published of %d; want some, not all", len(got), len(all))
	}
	sameRecs(t, "published after SIGTERM", all[:len(got)], got)
}

func TestSplitErrors(t *testing.T) {
	in := gen(t, "--seed", "10", "--duration", "1m", "--size", "2MB")
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no split option", []string{"-o", dir + "/", "--filename-epoch-sec"}, 2, "no split option"},
		{"both split options", []string{"-o", dir + "/", "--filename-epoch-sec", "--split-time", "60e9", "--split-byte", "1e9"}, 2, "exclude each other"},
		{"malformed number", []string{"-o", dir + "/", "--filename-epoch-sec", "--split-time", "60x9"}, 2, `--split-time "60x9": not a number`},
		{"negative number", []string{"-o", dir + "/", "--filename-epoch-sec", "--split-byte", "-5"}, 2, "greater than zero"},
		{"unknown flag", []string{"-o", dir + "/", "--filename-epoch-sec", "--split-time", "60e9", "--splt-byte", "1"}, 2, "splt-byte"},
		{"two name options", []string{"-o", dir + "/", "--filename-epoch-sec", "--filename-tstr-HHMM", "--split-time", "60e9"}, 2, "exclude each other"},
		{"no name option", []string{"-o", dir + "/", "--split-time", "60e9"}, 2, "no file name option"},
		{"finer than names", []string{"-o", dir + "/", "--split-time", "30e9", "--filename-tstr-HHMM"}, 2, "finer than --filename-tstr-HHMM"},
		{"stray argument", []string{"-o", dir + "/", "--split-time", "60e9", "--filename-epoch-sec", "in.pcap"}, 2, `unexpected argument "in.pcap"`},
		{"missing folder", []string{"-o", dir + "/nope/all", "--split-time", "60e9", "--filename-epoch-sec"}, 1, dir + "/nope"},
		{"pipe command fails", []string{"-o", dir + "/", "--split-time", "60e9", "--filename-epoch-sec", "--pipe-cmd", "false"}, 1, `pipe command "false"`},
		{"pipe command missing", []string{"-o", dir + "/", "--split-time", "60e9", "--filename-epoch-sec", "--pipe-cmd", "gzipp -c"}, 1, `pipe command "gzipp -c"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runSplit(t, in, tt.args...)
			stderr := string(res.Stderr)
			if res.Code != tt.code || !strings.Contains(stderr, "pcap_split: ") || !strings.Contains(stderr, tt.msg) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and %q", res.Code, stderr, tt.code, tt.msg)
			}
			if tt.code == 2 && !strings.Contains(stderr, "Try: pcap_split --help") {
				t.Errorf("usage error without a Try: line:\n%s", stderr)
			}
			if got := files(t, dir); len(got) != 0 {
				t.Errorf("left files %v", got)
			}
		})
	}
}

func TestSplitCorruptInputPublishesWhatCameBefore(t *testing.T) {
	in := gen(t, "--seed", "11", "--start", "2021-05-24T09:51:00Z", "--duration", "2m", "--size", "4MB")
	data, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(t.TempDir(), "cut.pcap")
	if err := os.WriteFile(cut, data[:len(data)-7], 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	res := runSplit(t, cut, "-o", dir+"/", "--split-time", "60e9", "--filename-epoch-sec")
	all := readRecs(t, in)
	if res.Code != 1 || !regexp.MustCompile(fmt.Sprintf(`pcap_split: stdin: packet %d at byte \d+: record cut short`, len(all))).Match(res.Stderr) {
		t.Fatalf("exit %d, stderr:\n%s\nwant exit 1 naming packet %d", res.Code, res.Stderr, len(all))
	}
	names := files(t, dir)
	sameRecs(t, "published before the fault", all[:len(all)-1], merged(t, dir, names))
	noPending(t, dir)
}

// writeRecs writes records as nanosecond pcap to w (header first when hdr).
func writeRecs(t *testing.T, w io.Writer, hdr bool, recs ...rec) {
	t.Helper()
	var b bytes.Buffer
	pw := pcapio.NewWriter(&b, 1, 0)
	if hdr {
		if err := pw.WriteHeader(); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range recs {
		if err := pw.WritePacket(r.Time, r.OrigLen, []byte(r.Data)); err != nil {
			t.Fatal(err)
		}
	}
	if err := pw.Flush(); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(b.Bytes()); err != nil {
		t.Fatal(err)
	}
}

// waitFiles waits until dir holds want (sorted) or the timeout passes.
func waitFiles(t *testing.T, dir string, want []string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		got := files(t, dir)
		if strings.Join(got, " ") == strings.Join(want, " ") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v: files %v; want %v", timeout, got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestSplitClosesOnTicksAndIdle keeps stdin open: a clock tick past the end
// of a split closes it at once; a quiet input closes it after the idle grace.
func TestSplitClosesOnTicksAndIdle(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(testutil.Tool(t, "pcap_split"), "-o", dir+"/", "--split-time", "1e9", "--filename-tstr-HHMMSS_NS", "--idle-close", "1s")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill() //nolint:errcheck
	name := func(ns int64) string {
		return time.Unix(0, ns).UTC().Format("20060102_150405") + ".000.000.000.pcap"
	}
	// Packet times in the past: a tick, not the wall clock, closes them.
	t0 := int64(1621849860e9)
	writeRecs(t, stdin, true, rec{t0 + 5e8, 4, "abcd"}, rec{t0 + 6e8, 0, ""})
	waitFiles(t, dir, []string{name(t0) + ".pending"}, 5*time.Second)
	writeRecs(t, stdin, false, rec{t0 + 1e9, 0, ""})
	waitFiles(t, dir, []string{name(t0)}, 5*time.Second)
	// A packet from now: the idle grace closes it once its second is over.
	now := time.Now().UnixNano()
	writeRecs(t, stdin, false, rec{now, 2, "hi"})
	sec := now / 1e9 * 1e9
	waitFiles(t, dir, []string{name(t0), name(sec)}, 5*time.Second)
	if el := time.Since(time.Unix(0, sec+1e9)); el < time.Second {
		t.Errorf("idle close %v after the split's end; want at least the 1 s grace", el)
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit: %v\n%s", err, stderr.String())
	}
	if got := readRecs(t, filepath.Join(dir, name(t0))); len(got) != 1 || got[0].Data != "abcd" {
		t.Errorf("first split holds %v; want the one packet, no ticks", got)
	}
}

func TestSplitCountsReorderedPackets(t *testing.T) {
	in := filepath.Join(t.TempDir(), "in.pcap")
	f, err := os.Create(in)
	if err != nil {
		t.Fatal(err)
	}
	t0 := int64(1621849860e9)
	writeRecs(t, f, true, rec{t0 + 10e9, 1, "a"}, rec{t0 - 5e9, 1, "b"}, rec{t0 + 61e9, 1, "c"}, rec{t0 + 30e9, 1, "d"})
	f.Close()
	dir := t.TempDir()
	res := runSplit(t, in, "-o", dir+"/", "--split-time", "60e9", "--filename-epoch-sec")
	if res.Code != 0 || !strings.Contains(string(res.Stderr), "4 packets, 0.000 GB, 2 reordered packets") {
		t.Fatalf("exit %d, stderr:\n%s\nwant 2 reordered packets counted", res.Code, res.Stderr)
	}
	got := map[string]string{}
	for _, n := range files(t, dir) {
		for _, r := range readRecs(t, filepath.Join(dir, n)) {
			got[n] += r.Data
		}
	}
	want := map[string]string{"1621849860.pcap": "ab", "1621849920.pcap": "cd"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("splits %v; want %v", got, want)
	}
}

package tests

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pcappush/pcappush/internal/testutil"
	"github.com/pcappush/pcappush/lib/pcapio"
)

// filterCorpusFaults are the corpus files pcappush's reader refuses (see
// lib/pcapio's corpus tests), with how pcap_filter's error names the
// place: the packet it could not read, or a byte offset in the header.
var filterCorpusFaults = map[string]string{
	"be_test006.pcapng":                       "stdin: packet 2 at byte",
	"le_test202.pcapng":                       "stdin: packet 3 at byte",
	"erspan-type-ii-3.truncated.pcap":         "stdin: packet 51 at byte",
	"pcapng-multi-interface.truncated.pcapng": "stdin: packet 5 at byte",
	"icmp-icmp_print-oobr-2.pcap":             "stdin: packet 1 at byte 24",
	"trunc-hdr.pcap":                          "stdin: packet 1 at byte 24",
	"vrrp-vrrp_print-oobr-2.pcap":             "stdin: packet 1 at byte 24",
	"timestamp_invalid_micro.pcap":            "stdin: packet 2 at byte",
	"linktype-reserved-field-not-zero.pcap":   "stdin: at byte 20",
	"pcap-invalid-version-1.pcap":             "stdin: at byte 0",
	"pcapng-invalid-vers-1.pcapng":            "stdin: at byte 0",
	"shb-option-too-long.pcapng":              "stdin: packet 1 at byte 0",
}

// lenientRecs reads the records of a pcap file up to its end or its first
// fault; a missing or empty file has none.
func lenientRecs(t *testing.T, b []byte) []rec {
	t.Helper()
	r, err := pcapio.NewReader(bytes.NewReader(b), "out")
	if err != nil {
		return nil
	}
	var out []rec
	for {
		x, err := r.Next()
		if err != nil {
			return out
		}
		out = append(out, rec{x.Time, x.OrigLen, string(x.Data)})
	}
}

// tcpdumpFilter runs tcpdump --time-stamp-precision nano -r in -w OUT expr
// and returns the records written, its exit code and stderr.
func tcpdumpFilter(t *testing.T, in, expr string) ([]rec, int, string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "tcpdump.pcap")
	args := []string{"--time-stamp-precision", "nano", "-r", in, "-w", out}
	if expr != "" {
		args = append(args, expr)
	}
	res := testutil.Run(t, nil, testutil.Need(t, "tcpdump"), args...)
	b, _ := os.ReadFile(out)
	return lenientRecs(t, b), res.Code, string(res.Stderr)
}

// pcapFilter runs pcap_filter with the file's bytes piped to its stdin,
// its stdout a pipe.
func pcapFilter(t *testing.T, in string, args ...string) testutil.Result {
	t.Helper()
	b, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	return testutil.Run(t, b, testutil.Tool(t, "pcap_filter"), args...)
}

// pcapFilterFiles runs pcap_filter as pcap_filter ARGS < in > OUT, stdin
// and stdout regular files, and returns OUT's bytes as Stdout.
func pcapFilterFiles(t *testing.T, in string, args ...string) testutil.Result {
	t.Helper()
	stdin, err := os.Open(in)
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	stdout, err := os.Create(filepath.Join(t.TempDir(), "out.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	defer stdout.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, testutil.Tool(t, "pcap_filter"), args...)
	var stderr bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, &stderr
	err = cmd.Run()
	res := testutil.Result{Stderr: stderr.Bytes()}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		res.Code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("pcap_filter: %v", err)
	}
	if res.Stdout, err = os.ReadFile(stdout.Name()); err != nil {
		t.Fatal(err)
	}
	return res
}

// indexes maps each record of sub, a subsequence of all, to its index.
func indexes(all, sub []rec) []int {
	var out []int
	j := 0
	for _, r := range sub {
		for j < len(all) && all[j] != r {
			j++
		}
		if j == len(all) {
			return append(out, -1)
		}
		out = append(out, j)
		j++
	}
	return out
}

// below returns the records of sub whose index in all is below n.
func below(all, sub []rec, n int) []rec {
	var out []rec
	for i, k := range indexes(all, sub) {
		if k < 0 || k >= n {
			break
		}
		out = append(out, sub[i])
	}
	return out
}

// e2eExprs are the expressions run against tcpdump on every corpus file:
// the first of each category of filters_valid.tsv (which the shared
// corpus's filters_apply.tsv and lib/bpf's tests cover in full), and a few
// more.
func e2eExprs(t *testing.T) []string {
	t.Helper()
	f, err := os.Open(filepath.Join(testutil.Root(t), "testdata", "corpus", "filters_valid.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	exprs := []string{"net 192.168.1.0/24 and tcp", "inbound", "ip broadcast", "vlan and tcp",
		"tcp[tcpflags] & (tcp-syn|tcp-fin) != 0 or ip6 protochain 17"}
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 3 || cols[0] == "expr" || cols[2] != "" {
			continue // header, or needs /etc/services
		}
		for _, c := range strings.Split(cols[1], ",") {
			if !seen[c] {
				seen[c] = true
				exprs = append(exprs, cols[0])
			}
		}
	}
	if len(exprs) < 30 {
		t.Fatalf("only %d expressions", len(exprs))
	}
	return exprs
}

// TestFilterEqualsTcpdumpOnCorpus runs pcap_filter and tcpdump on the
// corpus captures (the shared corpus's too, when present) and compares
// every record. Each file is run as it is with a few expressions, which
// checks every container format and fault: where one of the tools stops
// reading early (files pcappush refuses, files libpcap refuses), the
// packets both read are compared, and pcap_filter must fail naming the
// packet. Then the packets of all files of one link type, joined into one
// capture, are run with about 30 expressions of every category, so that
// every packet meets every expression in a few dozen runs.
func TestFilterEqualsTcpdumpOnCorpus(t *testing.T) {
	testutil.Need(t, "tcpdump")
	paths := testutil.CorpusFiles(t)
	if shared, _ := filepath.Glob(filepath.Join(testutil.Root(t), "..", "shared", "corpus", "pcaps", "*")); len(shared) > 0 {
		paths = uniqueByName(append(paths, shared...))
	} else {
		t.Log("shared corpus not present: testing the repository's corpus only")
	}
	joined := joinByLinkType(t, paths)
	if len(paths) < 70 && len(joined) < 4 {
		t.Fatalf("%d files of %d link types", len(paths), len(joined))
	}
	perFile := []string{"", "net 192.168.1.0/24 and tcp", "inbound", "vlan or ip6"}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			compareWithTcpdump(t, path, perFile, pcapFilterFiles)
		})
	}
	exprs := e2eExprs(t)
	for _, path := range joined {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			compareWithTcpdump(t, path, exprs, pcapFilter)
		})
	}
}

// joinByLinkType writes the packets of the files, those before any fault,
// into one capture per link type and returns their paths.
func joinByLinkType(t *testing.T, paths []string) []string {
	t.Helper()
	dir := t.TempDir()
	writers := map[uint32]*pcapio.Writer{}
	files := map[uint32]*os.File{}
	count := map[uint32]int{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		r, err := pcapio.NewReader(bytes.NewReader(b), p)
		if err != nil {
			continue
		}
		w := writers[r.LinkType()]
		if w == nil {
			name := filepath.Join(dir, fmt.Sprintf("joined-linktype-%d.pcap", r.LinkType()))
			f, err := os.Create(name)
			if err != nil {
				t.Fatal(err)
			}
			files[r.LinkType()] = f
			w = pcapio.NewWriter(f, r.LinkType(), 0)
			if err := w.WriteHeader(); err != nil {
				t.Fatal(err)
			}
			writers[r.LinkType()] = w
		}
		for {
			rec, err := r.Next()
			if err != nil {
				break
			}
			if err := w.WriteRecord(rec); err != nil {
				t.Fatal(err)
			}
			count[r.LinkType()]++
		}
	}
	var nonEmpty []string
	for lt, w := range writers {
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if err := files[lt].Close(); err != nil {
			t.Fatal(err)
		}
		if count[lt] > 0 {
			nonEmpty = append(nonEmpty, files[lt].Name())
		}
	}
	return nonEmpty
}

func uniqueByName(paths []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range paths {
		if !seen[filepath.Base(p)] {
			seen[filepath.Base(p)] = true
			out = append(out, p)
		}
	}
	return out
}

// compareWithTcpdump checks one capture with each expression, running
// pcap_filter with run.
func compareWithTcpdump(t *testing.T, path string, exprs []string, run func(*testing.T, string, ...string) testutil.Result) {
	name := filepath.Base(path)
	theirAll, _, _ := tcpdumpFilter(t, path, "")
	res := run(t, path, "--bpf", "")
	ourAll := lenientRecs(t, res.Stdout)
	fault, isFault := filterCorpusFaults[name]
	checkExit(t, "--bpf ''", res, isFault, fault)
	n := 0 // records both read alike
	for n < len(ourAll) && n < len(theirAll) && ourAll[n] == theirAll[n] {
		n++
	}
	if !isFault && name != "be_test005.pcapng" && (n != len(ourAll) || n != len(theirAll)) {
		t.Fatalf("read %d records, tcpdump %d; %d alike", len(ourAll), len(theirAll), n)
	}
	for _, expr := range exprs {
		theirs, code, stderr := tcpdumpFilter(t, path, expr)
		res := run(t, path, "--bpf", expr)
		// pcappush refuses these headers before any filter is compiled.
		opened := strings.Contains(stderr, "reading from file") && !strings.HasSuffix(fault, "byte 0") && !strings.HasSuffix(fault, "byte 20")
		if m := regexp.MustCompile(`tcpdump: (.*)`).FindStringSubmatch(stderr); code != 0 && opened && m != nil && !strings.Contains(m[1], "pcap_loop") {
			// libpcap refuses the expression for this link type.
			want := "bad filter " + strconv.Quote(expr) + ": " + m[1]
			if res.Code != 2 || !strings.Contains(string(res.Stderr), want) || len(res.Stdout) != 0 {
				t.Errorf("%q: exit %d, stderr %q; want 2 and %q", expr, res.Code, res.Stderr, want)
			}
			continue
		}
		checkExit(t, expr, res, isFault, fault)
		ours := lenientRecs(t, res.Stdout)
		want, got := below(theirAll, theirs, n), below(ourAll, ours, n)
		sameRecs(t, name+" "+expr, want, got)
	}
}

// checkExit checks pcap_filter's exit: 0, or 1 naming the fault.
func checkExit(t *testing.T, expr string, res testutil.Result, isFault bool, fault string) {
	t.Helper()
	switch {
	case isFault && (res.Code != 1 || !strings.HasPrefix(string(res.Stderr), "pcap_filter: "+fault)):
		t.Errorf("%q: exit %d, stderr %q; want 1 and %q", expr, res.Code, res.Stderr, fault)
	case !isFault && res.Code != 0:
		t.Errorf("%q: exit %d: %s", expr, res.Code, res.Stderr)
	}
}

// TestFilterEqualsTcpdumpOnGenerated compares with tcpdump on generated
// traffic (every encapsulation pcapgen makes) for every 20th valid
// expression and those of the corpus test.
func TestFilterEqualsTcpdumpOnGenerated(t *testing.T) {
	testutil.Need(t, "tcpdump")
	in := gen(t, "--seed", "21", "--packets", "20000", "--encap", "0.4")
	exprs := e2eExprs(t)
	f, err := os.ReadFile(filepath.Join(testutil.Root(t), "testdata", "corpus", "filters_valid.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(strings.TrimSpace(string(f)), "\n") {
		if i%20 == 0 {
			exprs = append(exprs, l)
		}
	}
	all := readRecs(t, in)
	kept := 0
	for _, expr := range exprs {
		theirs, code, stderr := tcpdumpFilter(t, in, expr)
		res := pcapFilterFiles(t, in, "--bpf", expr)
		if code != 0 {
			if res.Code != 2 || !strings.Contains(stderr, "not supported on Ethernet when reading savefiles") {
				t.Errorf("%q: tcpdump exit %d (%s), pcap_filter exit %d (%s)", expr, code, stderr, res.Code, res.Stderr)
			}
			continue
		}
		if res.Code != 0 {
			t.Fatalf("%q: exit %d: %s", expr, res.Code, res.Stderr)
		}
		sameRecs(t, expr, theirs, parseRecs(t, "stdout", res.Stdout))
		kept += len(theirs)
	}
	if kept == 0 || kept == len(all)*len(exprs) {
		t.Errorf("%d packets kept in all: the expressions do not discriminate", kept)
	}
}

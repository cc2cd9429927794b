package tests

import (
	"bytes"
	"context"
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
	"github.com/pcappush/pcappush/lib/bpf"
)

// runNoInput runs pcap_filter with a stdin pipe that is never written nor
// closed: a run that read its input would hang and time out.
func runNoInput(t *testing.T, args ...string) testutil.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pw.Close()
	defer pr.Close()
	cmd := exec.CommandContext(ctx, testutil.Tool(t, "pcap_filter"), args...)
	var out, errb bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = pr, &out, &errb
	err = cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("pcap_filter %q waited for input", args)
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	}
	return testutil.Result{Stdout: out.Bytes(), Stderr: errb.Bytes(), Code: code}
}

// linkDependent matches libpcap's messages about words that other link
// types accept: inbound and ifindex (Linux cooked), 802.11 types, PF log
// fields, ATM, SS7 ... An "expression rejects all packets" on Ethernet may
// not on another link type either.
var linkDependent = regexp.MustCompile(`supported only|only supported|not supported on|radio information not present|rejects all packets`)

// TestFilterRejectsInvalidExpressions: every line of filters_invalid.txt
// fails with exit 2 and libpcap's words. Those valid on some link type are
// judged once the stream's header gives Ethernet; the others before any
// input is read.
func TestFilterRejectsInvalidExpressions(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(testutil.Root(t), "testdata", "corpus", "filters_invalid.txt"))
	if err != nil {
		t.Fatal(err)
	}
	ether := readFileT(t, testutil.Corpus(t, "vxlan.pcap"))
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) < 200 {
		t.Fatalf("%d lines", len(lines))
	}
	for _, l := range lines {
		expr, msg, _ := strings.Cut(l, "\t")
		var res testutil.Result
		// The word libpcap refused, when it names one, is marked under the
		// expression (the marking itself is lib/bpf's test).
		detail := (&bpf.CompileError{Expr: expr, Msg: msg}).Detail()
		if detail != "" {
			detail += "\n"
		}
		want := "pcap_filter: bad filter " + strconv.Quote(expr) + ": " + msg + "\n" + detail + "Try: man 7 pcap-filter (the filter syntax)\n"
		if linkDependent.MatchString(msg) {
			res = testutil.Run(t, ether, testutil.Tool(t, "pcap_filter"), "--bpf", expr)
			want = "pcap_filter: stdin has link type EN10MB (Ethernet): " + want[len("pcap_filter: "):]
		} else {
			res = runNoInput(t, "--bpf", expr)
		}
		if res.Code != 2 || string(res.Stderr) != want || len(res.Stdout) != 0 {
			t.Errorf("%q: exit %d, %d bytes out, stderr:\n%s\nwant exit 2, nothing out, stderr:\n%s", expr, res.Code, len(res.Stdout), res.Stderr, want)
		}
	}
}

func readFileT(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestFilterExpressionSources: --bpf, trailing words and -F give the same
// output as tcpdump given the expression the same way; two sources or
// none are usage errors.
func TestFilterExpressionSources(t *testing.T) {
	in := gen(t, "--seed", "31", "--packets", "3000")
	dir := t.TempDir()
	file := filepath.Join(dir, "expr")
	if err := os.WriteFile(file, []byte("# web servers\nnet 192.168.1.0/24 # inside\n and tcp\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	want, _, _ := tcpdumpFilter(t, in, "net 192.168.1.0/24 and tcp")
	if len(want) == 0 {
		t.Fatal("tcpdump kept nothing")
	}
	fromFile, code, stderr := tcpdumpFile(t, in, file)
	if code != 0 {
		t.Fatalf("tcpdump -F: %s", stderr)
	}
	sameRecs(t, "tcpdump -F", want, fromFile)
	for _, args := range [][]string{
		{"--bpf", "net 192.168.1.0/24 and tcp"},
		{"net", "192.168.1.0/24", "and", "tcp"},
		{"net 192.168.1.0/24", "and tcp"},
		{"-F", file},
		{"--stats", "-F", file},
	} {
		res := pcapFilter(t, in, args...)
		if res.Code != 0 {
			t.Fatalf("%q: exit %d: %s", args, res.Code, res.Stderr)
		}
		sameRecs(t, strings.Join(args, " "), want, parseRecs(t, "stdout", res.Stdout))
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{nil, "pcap_filter: no filter expression: give --bpf EXPR, -F FILE or the expression as arguments\nTry: pcap_filter --help\n"},
		{[]string{"--stats"}, "pcap_filter: no filter expression: give --bpf EXPR, -F FILE or the expression as arguments\nTry: pcap_filter --help\n"},
		{[]string{"--bpf", "tcp", "udp"}, "pcap_filter: give the filter expression once: --bpf EXPR, -F FILE or arguments\nTry: pcap_filter --help\n"},
		{[]string{"-F", file, "--bpf", "tcp"}, "pcap_filter: give the filter expression once: --bpf EXPR, -F FILE or arguments\nTry: pcap_filter --help\n"},
		{[]string{"-F", file + ".missing"}, "pcap_filter: -F: read filter file: open " + file + ".missing: no such file or directory\nTry: pcap_filter --help\n"},
		{[]string{"--no-such-flag", "tcp"}, "pcap_filter: flag provided but not defined: -no-such-flag\nTry: pcap_filter --help\n"},
		{[]string{"host", "no-such-host.invalid"}, "pcap_filter: bad filter \"host no-such-host.invalid\": unknown host 'no-such-host.invalid'\n  host no-such-host.invalid\n       ^^^^^^^^^^^^^^^^^^^^\nTry: man 7 pcap-filter (the filter syntax)\n"},
		{[]string{"tcp", "port", "no-such-service"}, "pcap_filter: bad filter \"tcp port no-such-service\": unknown port 'no-such-service'\n  tcp port no-such-service\n           ^^^^^^^^^^^^^^^\nTry: man 7 pcap-filter (the filter syntax)\n"},
	} {
		res := runNoInput(t, tt.args...)
		if res.Code != 2 || !strings.HasSuffix(string(res.Stderr), tt.want) || len(res.Stdout) != 0 {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", tt.args, res.Code, res.Stderr, tt.want)
		}
	}
}

// tcpdumpFile is tcpdumpFilter with the expression read by tcpdump -F.
func tcpdumpFile(t *testing.T, in, file string) ([]rec, int, string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "tcpdump.pcap")
	res := testutil.Run(t, nil, testutil.Need(t, "tcpdump"), "--time-stamp-precision", "nano", "-r", in, "-w", out, "-F", file)
	b, _ := os.ReadFile(out)
	return lenientRecs(t, b), res.Code, string(res.Stderr)
}

// TestFilterEmptyExpressionKeepsAll: like tcpdump, an empty expression
// matches every packet; nanosecond input comes out byte for byte.
func TestFilterEmptyExpressionKeepsAll(t *testing.T) {
	in := gen(t, "--seed", "32", "--packets", "2000")
	res := pcapFilter(t, in, "--bpf", "")
	if res.Code != 0 || !bytes.Equal(res.Stdout, readFileT(t, in)) {
		t.Errorf("exit %d: output differs from the input: %s", res.Code, res.Stderr)
	}
}

// TestFilterTicksAndStats: clock ticks pass untouched and in order,
// whatever the filter; --stats counts.
func TestFilterTicksAndStats(t *testing.T) {
	pkts := readRecs(t, gen(t, "--seed", "33", "--packets", "40"))
	var in bytes.Buffer
	var recs []rec
	for i, p := range pkts {
		recs = append(recs, p)
		if i%10 == 9 {
			recs = append(recs, rec{Time: p.Time + 1})
		}
	}
	writeRecs(t, &in, true, recs...)
	res := testutil.Run(t, in.Bytes(), testutil.Tool(t, "pcap_filter"), "--stats", "--bpf", "ether proto 0x1234")
	var want []rec
	for _, r := range recs {
		if r.OrigLen == 0 {
			want = append(want, r)
		}
	}
	if res.Code != 0 {
		t.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	sameRecs(t, "ticks", want, parseRecs(t, "stdout", res.Stdout))
	if got := string(res.Stderr); got != "pcap_filter: 40 packets in, 0 kept (0.00%), 4 clock ticks passed\n" {
		t.Errorf("stderr %q", got)
	}
}

// TestFilterEmptyAndHeaderOnlyInput: no input is an error naming it; a
// header alone gives a header alone.
func TestFilterEmptyAndHeaderOnlyInput(t *testing.T) {
	res := testutil.Run(t, []byte{}, testutil.Tool(t, "pcap_filter"), "tcp")
	if res.Code != 1 || string(res.Stderr) != "pcap_filter: stdin: at byte 0: empty input: truncated\n" || len(res.Stdout) != 0 {
		t.Errorf("empty input: exit %d, stderr %q, %d bytes out", res.Code, res.Stderr, len(res.Stdout))
	}
	var hdr bytes.Buffer
	writeRecs(t, &hdr, true)
	res = testutil.Run(t, hdr.Bytes(), testutil.Tool(t, "pcap_filter"), "tcp")
	if res.Code != 0 || !bytes.Equal(res.Stdout, hdr.Bytes()) {
		t.Errorf("header only: exit %d, stdout % x: %s", res.Code, res.Stdout, res.Stderr)
	}
}

// TestFilterSIGTERM: records read before SIGTERM are filtered and written,
// and the exit is 0.
func TestFilterSIGTERM(t *testing.T) {
	in := readFileT(t, gen(t, "--seed", "34", "--packets", "5000"))
	cmd := exec.Command(testutil.Tool(t, "pcap_filter"), "--stats", "tcp")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	half := len(in) / 2
	if _, err := stdin.Write(in[:half]); err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(\d+) packets in`)
	time.Sleep(300 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	werr := cmd.Wait()
	stdin.Close()
	if werr != nil {
		t.Fatalf("after SIGTERM: %v\n%s", werr, stderr.String())
	}
	m := re.FindStringSubmatch(stderr.String())
	if m == nil {
		t.Fatalf("stderr %q", stderr.String())
	}
	n, _ := strconv.Atoi(m[1])
	all := parseRecs(t, "input", in)
	if n == 0 || n >= len(all) {
		t.Fatalf("%d packets read of %d; want some, not all", n, len(all))
	}
	var want []rec
	for _, r := range all[:n] {
		if len(r.Data) > 23 && r.Data[12:14] == "\x08\x00" && r.Data[23] == 6 || len(r.Data) > 20 && r.Data[12:14] == "\x86\xdd" && r.Data[20] == 6 {
			want = append(want, r)
		}
	}
	sameRecs(t, "written after SIGTERM", want, parseRecs(t, "stdout", out.Bytes()))
}

func TestFilterHelpAndVersion(t *testing.T) {
	res := testutil.MustRun(t, nil, testutil.Tool(t, "pcap_filter"), "--help")
	for _, want := range []string{"pcap_filter (--bpf EXPR | -F FILE | EXPR...)", "--bpf EXPR", "-F FILE", "--stats", "EXAMPLES:", "--version"} {
		if !strings.Contains(string(res.Stdout), want) {
			t.Errorf("--help lacks %q:\n%s", want, res.Stdout)
		}
	}
	res = testutil.MustRun(t, nil, testutil.Tool(t, "pcap_filter"), "--version")
	if !strings.HasPrefix(string(res.Stdout), "pcap_filter version ") {
		t.Errorf("--version: %q", res.Stdout)
	}
}

package tests

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pcappush/pcappush/internal/testutil"
	"github.com/pcappush/pcappush/lib/pcapio"
)

// runDecap runs pcap_decap on a file and returns its output.
func runDecap(t *testing.T, in string, args ...string) testutil.Result {
	t.Helper()
	b, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	return testutil.MustRun(t, b, testutil.Tool(t, "pcap_decap"), args...)
}

// needScapy returns Debian's python with scapy, or skips (fails in CI).
func needScapy(t *testing.T) string {
	t.Helper()
	py := testutil.Need(t, "/usr/bin/python3")
	if err := exec.Command(py, "-c", "import scapy.all").Run(); err != nil {
		if os.Getenv("PCAPPUSH_REQUIRE_TOOLS") != "" {
			t.Fatalf("python3-scapy is required: %v", err)
		}
		t.Skipf("python3-scapy not installed: %v", err)
	}
	return py
}

// TestDecapScapyVectors checks every byte of pcap_decap's output against
// frames built independently with scapy: each input frame's expected
// output is the inner packet as scapy builds it.
func TestDecapScapyVectors(t *testing.T) {
	py := needScapy(t)
	dir := t.TempDir()
	testutil.MustRun(t, nil, py, filepath.Join(testutil.Root(t), "tests", "testdata", "decap_vectors.py"), dir)
	res := runDecap(t, filepath.Join(dir, "in.pcap"))
	want := readRecs(t, filepath.Join(dir, "want.pcap"))
	got := parseRecs(t, "pcap_decap output", res.Stdout)
	if len(want) < 30 {
		t.Fatalf("only %d vectors", len(want))
	}
	if len(got) != len(want) {
		t.Fatalf("%d packets out; want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("vector %d: got time %d len %d\n% x\nwant time %d len %d\n% x", i+1,
				got[i].Time, got[i].OrigLen, got[i].Data, want[i].Time, want[i].OrigLen, want[i].Data)
		}
	}
}

// countMatches returns how many packets of a pcap stream tcpdump's filter
// keeps, reading stdin and writing stdout as in a pipeline.
func countMatches(t *testing.T, stream []byte, filter string) int {
	t.Helper()
	tcpdump := testutil.Need(t, "tcpdump")
	res := testutil.MustRun(t, stream, tcpdump, "-r", "-", "-w", "-", filter)
	return len(parseRecs(t, "tcpdump output", res.Stdout))
}

// TestDecapThenFilterTCPdump is `pcap_decap | pcap_filter 'net
// 192.168.1.0/24 and tcp'` with tcpdump (same libpcap semantics) in
// pcap_filter's place: after decapsulation the filter keeps the tunnelled
// TCP of that network, exactly the packets that tshark, which looks into
// every layer, finds in the input.
func TestDecapThenFilterTCPdump(t *testing.T) {
	const filter = "net 192.168.1.0/24 and tcp"
	in := gen(t, "--seed", "11", "--packets", "8000", "--encap", "0.5")
	raw, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	out := runDecap(t, in).Stdout
	plain, decapped := countMatches(t, raw, filter), countMatches(t, out, filter)
	tshark := testutil.Need(t, "tshark")
	res := testutil.MustRun(t, nil, tshark, "-n", "-r", in, "-Y", "ip.addr == 192.168.1.0/24 && tcp", "-T", "fields", "-e", "frame.number")
	inner := strings.Count(string(res.Stdout), "\n")
	if decapped != inner {
		t.Errorf("after pcap_decap the filter keeps %d packets; tshark finds %d with 192.168.1.0/24 TCP in any layer", decapped, inner)
	}
	if decapped <= plain+400 {
		t.Errorf("the filter keeps %d packets after pcap_decap and %d without; want many more after", decapped, plain)
	}
	p := filepath.Join(t.TempDir(), "out.pcap")
	if err := os.WriteFile(p, out, 0o644); err != nil {
		t.Fatal(err)
	}
	res = testutil.MustRun(t, nil, tshark, "-n", "-r", p, "-Y", "vlan || gre || vxlan || ip.proto == 4", "-T", "fields", "-e", "frame.number")
	if left := strings.Count(string(res.Stdout), "\n"); left != 0 {
		t.Errorf("tshark still finds %d tagged or tunnelled packets after pcap_decap", left)
	}
	t.Logf("filter keeps %d packets without decapsulation, %d after", plain, decapped)
}

// TestDecapKeepsTimesTicksAndLengths checks the stream contract on a
// generated capture with clock ticks between packets: same count, same
// times in order, ticks untouched, and both lengths reduced by the bytes
// removed.
func TestDecapKeepsTimesTicksAndLengths(t *testing.T) {
	in := readRecs(t, gen(t, "--seed", "4", "--packets", "3000", "--encap", "0.4"))
	var b bytes.Buffer
	w := pcapio.NewWriter(&b, 1, 65535)
	if err := w.WriteHeader(); err != nil {
		t.Fatal(err)
	}
	var stream []rec
	for i, r := range in {
		if i%100 == 0 {
			stream = append(stream, rec{Time: r.Time})
		}
		if i%7 == 0 && len(r.Data) > 80 { // cut by a snapshot length
			r.Data = r.Data[:80]
		}
		stream = append(stream, r)
	}
	for _, r := range stream {
		if err := w.WritePacket(r.Time, r.OrigLen, []byte(r.Data)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	res := testutil.MustRun(t, b.Bytes(), testutil.Tool(t, "pcap_decap"), "--stats")
	out := parseRecs(t, "output", res.Stdout)
	if len(out) != len(stream) {
		t.Fatalf("%d records out; want %d", len(out), len(stream))
	}
	changed := 0
	for i, o := range out {
		s := stream[i]
		if o.Time != s.Time {
			t.Fatalf("record %d: time %d; want %d", i+1, o.Time, s.Time)
		}
		removed := len(s.Data) - len(o.Data)
		if removed < 0 || int(s.OrigLen)-int(o.OrigLen) != removed || (len(s.Data) == 0) != (len(o.Data) == 0) {
			t.Fatalf("record %d: %d/%d bytes from %d/%d", i+1, len(o.Data), o.OrigLen, len(s.Data), s.OrigLen)
		}
		if removed > 0 {
			changed++
		}
	}
	if !strings.Contains(string(res.Stderr), "changed "+strconv.Itoa(changed)+",") || !strings.Contains(string(res.Stderr), "ticks 30,") {
		t.Errorf("stats %q; want changed %d and 30 ticks", res.Stderr, changed)
	}
}

// TestDecapSIGTERMFlushes feeds pcap_decap through a pipe that stays open:
// what it has read reaches stdout while the input is quiet, before any
// signal, and SIGTERM then ends it with exit 0.
func TestDecapSIGTERMFlushes(t *testing.T) {
	path := gen(t, "--seed", "2", "--packets", "200", "--encap", "1")
	in, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := runDecap(t, path).Stdout
	cmd := exec.Command(testutil.Tool(t, "pcap_decap"))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill() //nolint:errcheck // cleanup after a failure
	if _, err := stdin.Write(in); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(want))
	done := make(chan error, 1)
	go func() { _, err := io.ReadFull(stdout, got); done <- err }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("read output: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("output not flushed while the input was quiet")
	}
	if !bytes.Equal(got, want) {
		t.Fatal("output through a pipe differs from the output of the same file")
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(stdout)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("pcap_decap after SIGTERM: %v\n%s", err, stderr.Bytes())
	}
	if len(rest) != 0 || stderr.Len() != 0 {
		t.Fatalf("after SIGTERM: %d more bytes, stderr %q; want none", len(rest), stderr.Bytes())
	}
}

// TestDecapOptionsOnCorpus runs the options on real captures and checks
// what tshark decodes first in the output.
func TestDecapOptionsOnCorpus(t *testing.T) {
	tests := []struct {
		file string
		args []string
		want string // tshark's protocols of the first frame
	}{
		{"vxlan-triple-v2.pcap", nil, "eth:ethertype:ip:udp:dns"},
		{"vxlan-triple-v2.pcap", []string{"--max-depth", "2"}, "eth:ethertype:ip:udp:vxlan:eth:ethertype:ip:udp:dns"},
		{"vxlan_port_8472.pcap", nil, "eth:ethertype:ip:icmp:data"},
		{"vxlan_port_8472.pcap", []string{"--vxlan-port", "4789"}, "eth:ethertype:ip:udp:vxlan:eth:ethertype:ip:icmp:data"},
		{"vlan-qinqinq.pcap", []string{"--no-vlan"}, "eth:ethertype:vlan:ethertype:vlan:ethertype:vlan:ethertype:ip:tcp"},
		{"erspan-type-i-2.pcap", []string{"--no-vlan"}, "eth:ethertype:vlan:ethertype:ip:icmp:data"},
		{"erspan-type-i-2.pcap", []string{"--no-erspan"}, "eth:ethertype:ip:gre:erspan:eth:ethertype:vlan:ethertype:ip:icmp:data"},
		{"erspan-type-iii-pb-1.pcap", nil, "eth:ethertype:ipv6:ipv6.dstopts:gre:erspan"},
		{"linux_dlt_sll2.pcap", nil, "eth:ethertype:ip:icmp:data"},
	}
	for _, tc := range tests {
		res := runDecap(t, testutil.Corpus(t, tc.file), tc.args...)
		p := filepath.Join(t.TempDir(), "out.pcap")
		if err := os.WriteFile(p, res.Stdout, 0o644); err != nil {
			t.Fatal(err)
		}
		got := protocols(t, p)
		if len(got) == 0 || got[0] != tc.want {
			t.Errorf("pcap_decap %v < %s: first frame %q; want %q", tc.args, tc.file, got, tc.want)
		}
	}
}

// TestDecapThenPcapFilter runs the pipeline of a target with Decap = true
// and a FilterBPF: `pcap_decap | pcap_filter 'net 192.168.1.0/24 and
// tcp'`. It keeps the tunnelled TCP of that network: exactly the packets,
// bytes and times tcpdump keeps from pcap_decap's output, and as many as
// tshark, looking into every layer, finds in the input.
func TestDecapThenPcapFilter(t *testing.T) {
	const filter = "net 192.168.1.0/24 and tcp"
	in := gen(t, "--seed", "12", "--packets", "8000", "--encap", "0.5")
	script := testutil.Tool(t, "pcap_decap") + " < " + in + " | " + testutil.Tool(t, "pcap_filter") + " '" + filter + "'"
	res := testutil.MustRun(t, nil, "/bin/sh", "-c", script)
	got := parseRecs(t, "pipeline output", res.Stdout)
	decapped := runDecap(t, in).Stdout
	tcpdump := testutil.Need(t, "tcpdump")
	want := parseRecs(t, "tcpdump output", testutil.MustRun(t, decapped, tcpdump, "--time-stamp-precision", "nano", "-r", "-", "-w", "-", filter).Stdout)
	sameRecs(t, "pcap_decap | pcap_filter", want, got)
	tshark := testutil.Need(t, "tshark")
	inner := testutil.MustRun(t, nil, tshark, "-n", "-r", in, "-Y", "ip.addr == 192.168.1.0/24 && tcp", "-T", "fields", "-e", "frame.number")
	if n := strings.Count(string(inner.Stdout), "\n"); n != len(got) || n < 1000 {
		t.Errorf("the pipeline keeps %d packets; tshark finds %d with 192.168.1.0/24 TCP in some layer", len(got), n)
	}
}

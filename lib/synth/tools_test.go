package synth

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// tool returns the path of an external program, skipping the test if it is
// not installed.
func tool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not installed: %v", name, err)
	}
	return p
}

// runTool runs a program and returns its stdout; a non-zero exit fails the
// test.
func runTool(t *testing.T, name string, args ...string) (stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := exec.Command(tool(t, name), args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, errb.String())
	}
	return out.String(), errb.String()
}

// quiet drops tshark's and tcpdump's notices that are not about the file.
func quiet(stderr string) string {
	var keep []string
	for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if l != "" && !strings.HasPrefix(l, "Running as user") && !strings.HasPrefix(l, "reading from file") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

func TestTcpdumpDecodes(t *testing.T) {
	opt := options(20000)
	opt.Encap = 0.3
	path, _ := generateFile(t, opt)
	out, stderr := runTool(t, "tcpdump", "-nn", "-vv", "-r", path)
	if s := quiet(stderr); s != "" {
		t.Errorf("tcpdump stderr: %s", s)
	}
	stamp := regexp.MustCompile(`(?m)^\d\d:\d\d:\d\d\.\d{6} `)
	if n := len(stamp.FindAllStringIndex(out, -1)); n != 20000 {
		t.Errorf("tcpdump printed %d packets; want 20000", n)
	}
	// tcpdump marks truncation with [|proto] and bad checksums as below.
	bad := regexp.MustCompile(`\[\|[a-z]|incorrect|bad cksum|bad [a-z0-9]+ cksum|\[bad`)
	if m := bad.FindAllString(out, 5); m != nil {
		t.Errorf("tcpdump found problems: %q", m)
	}
	if ok := strings.Count(out, "(correct)") + strings.Count(out, "sum ok]"); ok < 10000 {
		t.Errorf("tcpdump verified %d checksums; want at least 10000", ok)
	}
	// Negative control: the same check must see one flipped address bit.
	out, _ = runTool(t, "tcpdump", "-nn", "-vv", "-r", corrupt(t, path))
	if m := bad.FindAllString(out, 5); len(m) == 0 {
		t.Error("tcpdump found no problem in a corrupted file; the check above proves nothing")
	}
}

// corrupt copies the capture at path with one bit of the destination
// address of the first IPv4 packet flipped, and returns the copy's path.
func corrupt(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for off := 24; off+16 < len(data); {
		n := int(binary.LittleEndian.Uint32(data[off+8:]))
		frame := data[off+16 : off+16+n]
		if binary.BigEndian.Uint16(frame[12:]) == etIPv4 {
			frame[ethLen+16] ^= 1
			bad := filepath.Join(t.TempDir(), "corrupt.pcap")
			if err := os.WriteFile(bad, data, 0o644); err != nil {
				t.Fatal(err)
			}
			return bad
		}
		off += 16 + n
	}
	t.Fatal("no IPv4 packet to corrupt")
	return ""
}

func TestCapinfos(t *testing.T) {
	opt := options(5000)
	path, st := generateFile(t, opt)
	out, _ := runTool(t, "capinfos", "-M", path)
	for _, want := range []string{
		"File type:           nsecpcap",
		"File encapsulation:  ether",
		"Number of packets:   5000",
		"File size:           " + strconv.FormatInt(st.Bytes, 10) + " bytes",
		"First packet time:   2021-05-24 09:51:0",
		"Last packet time:    2021-05-24 10:0",
		"Strict time order:   True",
		"Capture length = 262144",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("capinfos output lacks %q:\n%s", want, out)
		}
	}
}

// tsharkChecks turns on the checksum validation tshark leaves off.
var tsharkChecks = []string{
	"-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
}

func TestTsharkExpert(t *testing.T) {
	opt := options(20000)
	opt.Encap = 0.4
	path, _ := generateFile(t, opt)
	args := append([]string{"-r", path, "-q", "-z", "expert,note"}, tsharkChecks...)
	out, stderr := runTool(t, "tshark", args...)
	if s := quiet(stderr); s != "" {
		t.Errorf("tshark stderr: %s", s)
	}
	for _, section := range []string{"Errors", "Warns", "Notes"} {
		if strings.Contains(out, section+" (") {
			t.Errorf("tshark reports expert %s:\n%s", strings.ToLower(section), out)
		}
	}
	args[1] = corrupt(t, path)
	if out, _ := runTool(t, "tshark", args...); !strings.Contains(out, "Bad checksum") {
		t.Errorf("tshark sees no bad checksum in a corrupted file; the check above proves nothing:\n%s", out)
	}
}

func TestTsharkEncapsulation(t *testing.T) {
	for _, frac := range []float64{DefaultEncap, 0.4} {
		opt := options(20000)
		opt.Encap = frac
		path, _ := generateFile(t, opt)
		out, _ := runTool(t, "tshark", "-r", path, "-T", "fields", "-e", "frame.protocols")
		lines := strings.Split(strings.TrimSpace(out), "\n")
		seen := map[string]int{}
		var encapsulated int
		for _, l := range lines {
			l = ":" + l + ":"
			any := false
			for _, p := range []string{":vlan:", ":ieee8021ad:", ":gre:", ":vxlan:", ":gre:eth:", ":vxlan:eth:ethertype:vlan:"} {
				if strings.Contains(l, p) {
					seen[p]++
					any = true
				}
			}
			if any {
				encapsulated++
			}
		}
		for _, p := range []string{":vlan:", ":ieee8021ad:", ":gre:", ":vxlan:", ":gre:eth:", ":vxlan:eth:ethertype:vlan:"} {
			if seen[p] == 0 {
				t.Errorf("encap %.2f: no frame.protocols contains %q", frac, p)
			}
		}
		checkShare(t, "encapsulated per tshark", encapsulated, float64(len(lines)), frac-0.02, frac+0.02)
	}
}

// TestFilterNeedsDecap shows why pcappush decapsulates: tcpdump's plain
// filter sees LAN TCP only outside tunnels and tags, tshark (which looks
// inside) finds more.
func TestFilterNeedsDecap(t *testing.T) {
	opt := options(20000)
	opt.Encap = 0.2
	path, _ := generateFile(t, opt)
	plain, _ := runTool(t, "tcpdump", "-nn", "-r", path, "net 192.168.1.0/24 and tcp")
	inner, _ := runTool(t, "tshark", "-r", path, "-Y", "ip.addr == 192.168.1.0/24 && tcp")
	tunnelled, _ := runTool(t, "tshark", "-r", path, "-Y", "(gre || vxlan || vlan) && ip.addr == 192.168.1.0/24 && tcp")
	np, ni, nt := strings.Count(plain, "\n"), strings.Count(inner, "\n"), strings.Count(tunnelled, "\n")
	if np < 1000 || nt < 1000 || ni != np+nt {
		t.Errorf("LAN TCP: %d by plain tcpdump filter, %d by tshark of which %d encapsulated; "+
			"want >= 1000 plain, >= 1000 encapsulated, and tshark = plain + encapsulated", np, ni, nt)
	}
}

package bpf

import (
	"errors"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/pcappush/pcappush/internal/testutil"
)

// tcpdumpDumps parses filters_valid.bpf.txt: tcpdump -d's output per
// expression.
func tcpdumpDumps(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(testutil.SharedCorpus(t, "filters_valid.bpf.txt"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, block := range strings.Split(string(b), "\n### ")[1:] {
		expr, body, _ := strings.Cut(block, "\n")
		out[expr] = strings.TrimRight(body, "\n") + "\n"
	}
	return out
}

// TestCompileEqualsTcpdump compiles every valid expression for Ethernet
// and compares the program with tcpdump -d's, instruction by instruction.
func TestCompileEqualsTcpdump(t *testing.T) {
	want := tcpdumpDumps(t)
	exprs := validFilters(t)
	if len(want) != len(exprs) {
		t.Fatalf("%d reference programs for %d expressions", len(want), len(exprs))
	}
	for _, expr := range exprs {
		p, err := Compile(expr, LinkTypeEthernet, 0)
		if err != nil {
			t.Errorf("Compile(%q) = %v", expr, err)
			continue
		}
		if got := p.String(); got != want[expr] {
			t.Errorf("Compile(%q):\n%s\ntcpdump -d:\n%s", expr, got, want[expr])
		}
		if p.Expr() != expr || p.LinkType() != LinkTypeEthernet || len(p.Instructions()) != strings.Count(want[expr], "\n") {
			t.Errorf("Compile(%q): Expr %q, LinkType %d, %d instructions", expr, p.Expr(), p.LinkType(), len(p.Instructions()))
		}
	}
}

// TestCompileRejectsInvalid checks libpcap's exact message for every line
// of filters_invalid.txt, compiled as tcpdump -r compiles for an Ethernet
// file (the context "inbound" and "ifindex" need).
func TestCompileRejectsInvalid(t *testing.T) {
	for _, l := range lines(t, "filters_invalid.txt") {
		f := fields(l)
		if len(f) != 2 {
			t.Fatalf("line %q", l)
		}
		expr, msg := f[0], f[1]
		_, err := Compile(expr, LinkTypeEthernet, DefaultSnaplen)
		var ce *CompileError
		if !errors.As(err, &ce) {
			t.Errorf("Compile(%q) = %v; want a *CompileError", expr, err)
			continue
		}
		if ce.Msg != msg || ce.Expr != expr || ce.LinkType != LinkTypeEthernet {
			t.Errorf("Compile(%q) = %+v; want message %q", expr, ce, msg)
		}
		if want := "bad filter \"" + expr + "\": " + msg; err.Error() != want {
			t.Errorf("Error() = %q; want %q", err.Error(), want)
		}
	}
}

// TestCompileLinkTypes: the same words compile differently, or not at all,
// depending on the link type, as tcpdump -r does for files of that type.
func TestCompileLinkTypes(t *testing.T) {
	tests := []struct {
		expr     string
		linkType uint32
		wantErr  string // "" compiles
		wantDump string // a line the program must hold
	}{
		{"tcp", 113, "", "(000) ldh      [14]"},      // Linux SLL: protocol at 14
		{"tcp", 276, "", "(000) ldh      [0]"},       // SLL2: protocol first
		{"tcp", 101, "", "(000) ldb      [0]"},       // raw IP: version nibble
		{"tcp", 0, "", "(000) ld       [0]"},         // BSD loopback: family word
		{"inbound", 113, "", "(000) ldh      [0]"},   // SLL: packet type
		{"inbound", 276, "", "(000) ldb      [10]"},  // SLL2: packet type
		{"ifindex 2", 276, "", "(000) ld       [4]"}, // SLL2: interface index
		{"inbound", 1, "inbound/outbound not supported on Ethernet when reading savefiles", ""},
		{"ifindex 2", 113, "ifindex not supported on Linux cooked v1 when reading savefiles", ""},
		{"ether host 1:2:3:4:5:6", 101, "ethernet addresses supported only on ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel", ""},
		{"tcp", 0xfff0, "unknown data link type 65520 (min 104, max 289)", ""},
		{"", 1, "", "(000) ret      #262144"},
	}
	for _, tt := range tests {
		p, err := Compile(tt.expr, tt.linkType, 0)
		switch {
		case tt.wantErr != "":
			var ce *CompileError
			if !errors.As(err, &ce) || ce.Msg != tt.wantErr || ce.LinkType != tt.linkType {
				t.Errorf("Compile(%q, %d) = %v; want %q", tt.expr, tt.linkType, err, tt.wantErr)
			}
		case err != nil:
			t.Errorf("Compile(%q, %d) = %v", tt.expr, tt.linkType, err)
		case !strings.Contains(p.String(), tt.wantDump+"\n"):
			t.Errorf("Compile(%q, %d):\n%s\nlacks %q", tt.expr, tt.linkType, p, tt.wantDump)
		}
	}
}

// TestCompileSnaplen: the snapshot length is the accepting return value;
// zero means the default, as libpcap reads it from a file header.
func TestCompileSnaplen(t *testing.T) {
	for _, tt := range []struct{ snaplen, want int }{{0, 262144}, {65535, 65535}, {1, 1}, {1 << 30, 1 << 30}} {
		p, err := Compile("ip", LinkTypeEthernet, tt.snaplen)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Run(make([]byte, 14), 60); got != 0 {
			t.Errorf("snaplen %d: non-IP frame returns %d", tt.snaplen, got)
		}
		frame := append(make([]byte, 12), 0x08, 0x00)
		if got := p.Run(frame, 60); got != uint32(tt.want) {
			t.Errorf("snaplen %d: returns %d; want %d", tt.snaplen, got, tt.want)
		}
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		expr, wantErr string
	}{
		{"net 192.168.1.0/24 and tcp", ""},
		{"", ""},
		{"inbound", ""},     // valid on Linux cooked captures
		{"ifname eth0", ""}, // valid on PF logs
		{"type mgt", ""},    // valid on 802.11
		{"tcp port", `bad filter "tcp port": can't parse filter expression: syntax error`},
		{"ip proto nosuchprotocol", `bad filter "ip proto nosuchprotocol": unknown ip proto 'nosuchprotocol'`},
		{"vlan 4096", `bad filter "vlan 4096": VLAN tag 4096 greater than maximum 4095`},
	}
	for _, tt := range tests {
		err := Check(tt.expr)
		if got := errString(err); got != tt.wantErr {
			t.Errorf("Check(%q) = %q; want %q", tt.expr, got, tt.wantErr)
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestLinkTypeName(t *testing.T) {
	for lt, want := range map[uint32]string{1: "EN10MB (Ethernet)", 113: "LINUX_SLL (Linux cooked v1)", 276: "LINUX_SLL2 (Linux cooked v2)", 101: "RAW (Raw IP)"} {
		if got := LinkTypeName(lt); got != want {
			t.Errorf("LinkTypeName(%d) = %q; want %q", lt, got, want)
		}
	}
}

// TestCompileConcurrent compiles from many goroutines at once: the calls
// into libpcap are serialized, so every result equals the serial one.
func TestCompileConcurrent(t *testing.T) {
	exprs := validFilters(t)[:64]
	want := make([]string, len(exprs))
	for i, e := range exprs {
		p, err := Compile(e, LinkTypeEthernet, 0)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = p.String()
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8*len(exprs))
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, e := range exprs {
				p, err := Compile(e, LinkTypeEthernet, 0)
				if err == nil && p.String() != want[i] {
					err = errors.New("program differs for " + e)
				}
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

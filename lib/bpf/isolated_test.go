package bpf

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pcappush/pcappush/internal/testutil"
)

// portList is a filter libpcap's optimiser takes seconds on: n ports.
func portList(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf("port %d", i+1)
	}
	return strings.Join(parts, " or ")
}

// TestCompilerEqualsCompile: a program compiled in the child is the one
// compiled in this process, for every valid expression.
func TestCompilerEqualsCompile(t *testing.T) {
	ctx := context.Background()
	for _, expr := range validFilters(t)[:40] {
		want, err := Compile(expr, LinkTypeEthernet, 0)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Compiler{}.Compile(ctx, expr, LinkTypeEthernet, 0)
		if err != nil || got.String() != want.String() || got.Expr() != expr || got.LinkType() != LinkTypeEthernet {
			t.Errorf("Compiler.Compile(%q) = %v, %v; want\n%s", expr, got, err, want)
		}
	}
}

func TestCompilerCheck(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		expr     string
		linkType uint32
		msg      string
	}{
		{"net 192.168.1.0/24 and tcp", LinkTypeEthernet, ""},
		{"inbound", 113, ""}, // Linux cooked only
		{"tcp port", LinkTypeEthernet, "can't parse filter expression: syntax error"},
		{"host nosuchhost.invalid", LinkTypeEthernet, "unknown host 'nosuchhost.invalid'"},
	}
	for _, tc := range tests {
		p, err := Compiler{}.Check(ctx, tc.expr)
		if tc.msg != "" {
			var ce *CompileError
			if !errors.As(err, &ce) || ce.Msg != tc.msg || ce.LinkType != LinkTypeEthernet {
				t.Errorf("Check(%q) = %v; want %q", tc.expr, err, tc.msg)
			}
			if plain := Check(tc.expr); plain == nil || plain.Error() != err.Error() {
				t.Errorf("Check(%q): in a child %v, in process %v", tc.expr, err, plain)
			}
			continue
		}
		if err != nil || p.LinkType() != tc.linkType {
			t.Errorf("Check(%q) = %v, %v; want a program for link type %d", tc.expr, p, err, tc.linkType)
		}
	}
}

// TestCompilerRefusesLongAtOnce: a 100 KB expression is refused without
// starting libpcap, naming its length and the limit.
func TestCompilerRefusesLongAtOnce(t *testing.T) {
	expr := portList(12000)
	start := time.Now()
	_, err := Compiler{}.Check(context.Background(), expr)
	var ce *CompileError
	if !errors.As(err, &ce) || !strings.Contains(ce.Msg, fmt.Sprintf("%d bytes, over the 4096-byte limit", len(expr))) {
		t.Fatalf("Check(%d bytes) = %v", len(expr), err)
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Errorf("refusing took %v", d)
	}
	if len(err.Error()) > 400 {
		t.Errorf("the message quotes the whole expression: %d bytes", len(err.Error()))
	}
}

// TestCompilerTimeout: a filter under the length limit that libpcap takes
// seconds on is stopped at the deadline; cancelling stops it at once.
func TestCompilerTimeout(t *testing.T) {
	expr := portList(300) // 3.5 KB, about 8 s of libpcap on the reference machine
	start := time.Now()
	_, err := Compiler{Timeout: 500 * time.Millisecond}.Compile(context.Background(), expr, LinkTypeEthernet, 0)
	var ce *CompileError
	if !errors.As(err, &ce) || !strings.Contains(ce.Msg, "still compiling it after 500ms") {
		t.Fatalf("Compile with a 500 ms deadline = %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the deadline of 500 ms took %v", d)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start = time.Now()
	_, err = Compiler{}.Compile(ctx, expr, LinkTypeEthernet, 0)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Compile = %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("cancelling took %v", d)
	}
}

func TestCompileErrorDetail(t *testing.T) {
	tests := []struct{ expr, detail string }{
		{"host 10.0.0.1 or hots 10.0.0.2", "  host 10.0.0.1 or hots 10.0.0.2\n                   ^^^^"},
		{"vlan 4096", "  vlan 4096\n       ^^^^"},
		{"tcp port 99999", "  tcp port 99999\n           ^^^^^"},
		{"tcp\tport 80 and\nether host zz:zz", "  tcp port 80 and ether host zz:zz\n                             ^^"},
		{"tcp port", ""}, // libpcap does not say where
		{portList(8) + " or host nosuch.invalid or " + portList(8), "  ... port 6 or port 7 or port 8 or host nosuch.invalid or port 1 or port 2 o...\n                                         ^^^^^^^^^^^^^^"},
	}
	for _, tc := range tests {
		_, err := Compile(tc.expr, LinkTypeEthernet, 0)
		var ce *CompileError
		if !errors.As(err, &ce) {
			t.Fatalf("Compile(%q) = %v", tc.expr, err)
		}
		if got := ce.Detail(); got != tc.detail {
			t.Errorf("Compile(%q): %s\nDetail:\n%s\nwant:\n%s", tc.expr, ce.Msg, got, tc.detail)
		}
	}
}

// TestBytecodeEqualsTcpdump: the --compiled form is tcpdump -ddd's output
// joined by commas, and reads back into the same program.
func TestBytecodeEqualsTcpdump(t *testing.T) {
	tcpdump := testutil.Need(t, "tcpdump")
	pcap := filepath.Join(t.TempDir(), "empty.pcap") // Ethernet, snaplen 262144, no packets
	hdr := []byte{0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 1, 0, 0, 0}
	if err := os.WriteFile(pcap, hdr, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, expr := range []string{"net 192.168.1.0/24 and tcp", "ip6 and udp port 53", "vlan and tcp[tcpflags] & tcp-syn != 0"} {
		p, err := Compile(expr, LinkTypeEthernet, 0)
		if err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(tcpdump, "-r", pcap, "-ddd", expr).Output()
		if err != nil {
			t.Fatalf("tcpdump -ddd %q: %v", expr, err)
		}
		want := "1:" + strings.ReplaceAll(strings.TrimSpace(string(out)), "\n", ",")
		if got := p.Bytecode(); got != want {
			t.Errorf("Bytecode(%q) = %s; tcpdump -ddd: %s", expr, got, want)
		}
		back, err := ParseBytecode(p.Bytecode(), expr)
		if err != nil || back.String() != p.String() || back.LinkType() != 1 || back.Expr() != expr {
			t.Errorf("ParseBytecode(Bytecode(%q)) = %v, %v", expr, back, err)
		}
	}
	for _, bad := range []string{"", "1", "x:1,6 0 0 0", "1:2,6 0 0 0", "1:1,6 0 0", "1:1,70000 0 0 0", "1:1,21 5 0 0"} {
		if _, err := ParseBytecode(bad, "x"); err == nil {
			t.Errorf("ParseBytecode(%q) accepted", bad)
		}
	}
}

// BenchmarkCompiler measures what the child process adds to compiling a
// short filter, against compiling it in this process.
func BenchmarkCompiler(b *testing.B) {
	expr := "net 192.168.1.0/24 and tcp"
	b.Run("child", func(b *testing.B) {
		for b.Loop() {
			if _, err := (Compiler{}).Compile(context.Background(), expr, LinkTypeEthernet, 0); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("in-process", func(b *testing.B) {
		for b.Loop() {
			if _, err := Compile(expr, LinkTypeEthernet, 0); err != nil {
				b.Fatal(err)
			}
		}
	})
}

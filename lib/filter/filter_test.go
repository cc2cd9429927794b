package filter

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"testing"
	"testing/iotest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pcappush/pcappush/lib/bpf"
	"github.com/pcappush/pcappush/lib/pcapio"
)

var (
	hostA, hostB = [4]byte{192, 168, 1, 7}, [4]byte{10, 0, 0, 1}
	tcpAB        = rec{1e9, 54, frame(0x0800, ipv4(6, hostA, hostB, tcpSeg(443, 50000, 0x12)))}
	udpAB        = rec{2e9 + 5000, 42, frame(0x0800, ipv4(17, hostA, hostB, make([]byte, 8)))}
	tcpBB        = rec{3e9 + 999000, 54, frame(0x0800, ipv4(6, hostB, hostB, tcpSeg(22, 50001, 0x10)))}
	arp          = rec{4e9, 42, frame(0x0806, make([]byte, 28))}
	tick         = rec{Time: 5e9}
	tcpAB2       = rec{6e9 + 1000, 54, frame(0x0800, ipv4(6, hostB, hostA, tcpSeg(50000, 443, 0x10)))}
	mixed        = []rec{tcpAB, udpAB, tcpBB, arp, tick, tcpAB2, tick}
)

func TestRunKeepsMatchesAndTicks(t *testing.T) {
	tests := []struct {
		expr string
		want []rec
	}{
		{"tcp", []rec{tcpAB, tcpBB, tick, tcpAB2, tick}},
		{"net 192.168.1.0/24 and tcp", []rec{tcpAB, tick, tcpAB2, tick}},
		{"arp", []rec{arp, tick, tick}},
		{"", mixed},
		{"vlan", []rec{tick, tick}},
	}
	for _, tt := range tests {
		for _, enc := range []encoding{nsLE, usLE, nsBE} {
			out, st, err := run(t, build(enc, 1, 65535, mixed...), tt.expr)
			if err != nil {
				t.Fatalf("%q: %v", tt.expr, err)
			}
			lt, snap, got := parse(t, out)
			if d := cmp.Diff(tt.want, got); d != "" || lt != 1 || snap != 65535 {
				t.Errorf("%q, encoding %d: link type %d, snaplen %d, records (-want +got):\n%s", tt.expr, enc, lt, snap, d)
			}
			want := Stats{Packets: 5, Kept: int64(len(tt.want) - 2), Ticks: 2}
			if st != want {
				t.Errorf("%q: stats %+v; want %+v", tt.expr, st, want)
			}
		}
	}
}

// TestRunNativeIsByteIdentical: nanosecond little-endian records are
// passed on exactly as read.
func TestRunNativeIsByteIdentical(t *testing.T) {
	in := build(nsLE, 1, 262144, mixed...)
	out, _, err := run(t, in, "")
	if err != nil || !bytes.Equal(out, in) {
		t.Fatalf("empty filter: %v; output equal to input: %v", err, bytes.Equal(out, in))
	}
}

// TestRunTruncatedPackets: a packet is matched on its captured bytes, with
// its original length as the wire length, as pcap_offline_filter does.
func TestRunTruncatedPackets(t *testing.T) {
	full := tcpAB.Data + string(make([]byte, 200))
	cut := rec{7e9, uint32(len(full)), full[:40]} // IPv4 header whole, TCP header cut
	tests := []struct {
		expr string
		keep bool
	}{
		{"greater 200", true},           // the wire length counts
		{"len > 260", false},            // 254 bytes on the wire
		{"ip src 192.168.1.7", true},    // within the captured bytes
		{"tcp[13] & 2 != 0", false},     // flags not captured: rejected
		{"tcp[13] & 2 = 0", false},      // ... whatever the comparison
		{"not tcp[13] & 2 != 0", false}, // a failed load rejects, even under "not"
		{"ether[39] = 0 or ip", true},   // the last captured byte
		{"ether[40] = 0 or ip", false},  // one past it
	}
	for _, tt := range tests {
		out, _, err := run(t, build(nsLE, 1, 0, cut), tt.expr)
		if err != nil {
			t.Fatal(err)
		}
		_, _, got := parse(t, out)
		if (len(got) == 1) != tt.keep {
			t.Errorf("%q kept %d packets; want kept %v", tt.expr, len(got), tt.keep)
		}
	}
}

func TestRunEmptyAndHeaderOnly(t *testing.T) {
	out, st, err := run(t, nil, "tcp")
	if !errors.Is(err, pcapio.ErrTruncated) || len(out) != 0 || st != (Stats{}) {
		t.Errorf("empty input: %v, %d bytes out; want ErrTruncated and nothing", err, len(out))
	}
	in := build(nsLE, 113, 1500)
	out, st, err = run(t, in, "tcp")
	if err != nil || !bytes.Equal(out, in) || st != (Stats{}) {
		t.Errorf("header only: %v, output % x; want the header", err, out)
	}
}

// TestRunLinkTypes compiles for the stream's link type: the same
// expression looks at different bytes in Linux cooked (v1, v2) and raw IP
// captures, and the output keeps the link type.
func TestRunLinkTypes(t *testing.T) {
	ipTCP := ipv4(6, hostA, hostB, tcpSeg(1, 2, 0x02))
	ipUDP := ipv4(17, hostA, hostB, make([]byte, 8))
	sll := func(ip []byte) string { // packet type 4 (outgoing), protocol IPv4
		h := []byte{0, 4, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00}
		return string(append(h, ip...))
	}
	sll2 := func(ip []byte) string { // protocol IPv4, interface 3, packet type 0 (to us)
		h := []byte{0x08, 0x00, 0, 0, 0, 0, 0, 3, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0}
		return string(append(h, ip...))
	}
	raw := func(ip []byte) string { return string(ip) }
	tests := []struct {
		linkType uint32
		wrap     func([]byte) string
		expr     string
	}{
		{113, sll, "tcp"}, {113, sll, "outbound and src host 192.168.1.7 and tcp"},
		{276, sll2, "tcp"}, {276, sll2, "ifindex 3 and inbound and tcp"},
		{101, raw, "tcp"}, {101, raw, "ip proto 6"},
	}
	for _, tt := range tests {
		keep := rec{1e9, 60, tt.wrap(ipTCP)}
		drop := rec{2e9, 60, tt.wrap(ipUDP)}
		out, _, err := run(t, build(nsLE, tt.linkType, 0, keep, drop, keep), tt.expr)
		if err != nil {
			t.Fatalf("link type %d %q: %v", tt.linkType, tt.expr, err)
		}
		lt, _, got := parse(t, out)
		if d := cmp.Diff([]rec{keep, keep}, got); d != "" || lt != tt.linkType {
			t.Errorf("link type %d %q: output link type %d (-want +got):\n%s", tt.linkType, tt.expr, lt, d)
		}
	}
}

// TestRunRefusedForLinkType: an expression libpcap refuses for the
// stream's link type fails after the header, with nothing written.
func TestRunRefusedForLinkType(t *testing.T) {
	for _, tt := range []struct {
		linkType uint32
		expr     string
		want     string
	}{
		{1, "inbound", `in has link type EN10MB (Ethernet): bad filter "inbound": inbound/outbound not supported on Ethernet when reading savefiles`},
		{101, "ether host 1:2:3:4:5:6", `in has link type RAW (Raw IP): bad filter "ether host 1:2:3:4:5:6": ethernet addresses supported only on ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel`},
	} {
		out, _, err := run(t, build(nsLE, tt.linkType, 0, tcpAB), tt.expr)
		var ce *bpf.CompileError
		if !errors.As(err, &ce) || err.Error() != tt.want || len(out) != 0 {
			t.Errorf("%q: %v, %d bytes out; want %q and nothing", tt.expr, err, len(out), tt.want)
		}
	}
}

// TestRunLongStream crosses many buffer changes: runs of kept records
// must be written before the reader moves to its next buffer.
func TestRunLongStream(t *testing.T) {
	in := generated(t, 9, 30000) // about 10 MB
	if len(in) < 30*ReadSize {
		t.Fatalf("input of %d bytes is too short", len(in))
	}
	_, _, all := parse(t, in)
	for _, expr := range []string{"", "net 192.168.1.0/24 and tcp", "vlan or greater 1000"} {
		prog, err := bpf.Compile(expr, 1, 0)
		if err != nil {
			t.Fatal(err)
		}
		var want []rec
		for _, r := range all {
			if prog.Match([]byte(r.Data), r.OrigLen) {
				want = append(want, r)
			}
		}
		out, st, err := run(t, in, expr)
		if err != nil {
			t.Fatal(err)
		}
		_, _, got := parse(t, out)
		if len(got) != len(want) || st.Kept != int64(len(want)) || st.Packets != int64(len(all)) {
			t.Fatalf("%q: %d records out, stats %+v; want %d of %d", expr, len(got), st, len(want), len(all))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%q: record %d differs", expr, i)
			}
		}
	}
}

// TestRunStopsOnCancel: records read before the stop are filtered and
// written; the run ends without error.
func TestRunStopsOnCancel(t *testing.T) {
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	var out bytes.Buffer
	done := make(chan error, 1)
	prog, err := bpf.Compile("tcp", 1, 0) // compiled beforehand: the cancel comes while filtering
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		_, err := Run(ctx, pr, "pipe", &out, Options{Expr: "tcp", Compiled: prog})
		done <- err
	}()
	if _, err := pw.Write(build(nsLE, 1, 0, tcpAB, udpAB, tcpBB)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop")
	}
	pw.Close()
	_, _, got := parse(t, out.Bytes())
	if d := cmp.Diff([]rec{tcpAB, tcpBB}, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

// TestRunStopsWhileCompiling: a cancel while libpcap compiles stops it at
// once; nothing is written and the run ends without error.
func TestRunStopsWhileCompiling(t *testing.T) {
	slow := "port 1"
	for i := 2; i <= 600; i++ {
		slow += fmt.Sprintf(" or %d", i) // minutes of libpcap's optimiser
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	var out bytes.Buffer
	start := time.Now()
	st, err := Run(ctx, bytes.NewReader(build(nsLE, 1, 0, tcpAB)), "in", &out, Options{Expr: slow})
	if err != nil || out.Len() != 0 || st.Packets != 0 {
		t.Errorf("Run = %+v, %v, %d bytes out; want nothing", st, err, out.Len())
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("stopping took %v", d)
	}
}

// TestRunCorruptInput: what came before the fault is written, and the
// error names the packet.
func TestRunCorruptInput(t *testing.T) {
	in := build(nsLE, 1, 100, tcpAB, udpAB, rec{3e9, 200, string(make([]byte, 150))}, tcpBB)
	out, st, err := run(t, in, "ip")
	var perr *pcapio.Error
	if !errors.As(err, &perr) || perr.Packet != 3 || !errors.Is(err, pcapio.ErrCapLen) {
		t.Fatalf("error %v; want a capture length error at packet 3", err)
	}
	_, _, got := parse(t, out)
	if d := cmp.Diff([]rec{tcpAB, udpAB}, got); d != "" || st.Packets != 2 {
		t.Errorf("stats %+v (-want +got):\n%s", st, d)
	}
}

func TestRunWriteError(t *testing.T) {
	in := generated(t, 2, 20000)
	w := &failWriter{after: 1}
	_, err := Run(context.Background(), bytes.NewReader(in), "in", w, Options{})
	if err == nil || !errors.Is(err, errDiskFull) {
		t.Errorf("Run = %v; want the write error", err)
	}
	_, err = Run(context.Background(), iotest.ErrReader(errDiskFull), "in", io.Discard, Options{})
	if !errors.Is(err, errDiskFull) {
		t.Errorf("read error: Run = %v; want it returned", err)
	}
}

var errDiskFull = errors.New("no space left on device")

type failWriter struct{ after int }

func (w *failWriter) Write(b []byte) (int, error) {
	if w.after == 0 {
		return 0, errDiskFull
	}
	w.after--
	return len(b), nil
}

// TestRunAllocationsDoNotGrow: filtering ten times as many packets
// allocates no more, whether the output is buffered or a file.
func TestRunAllocationsDoNotGrow(t *testing.T) {
	small, large := generated(t, 3, 1000), generated(t, 3, 10000)
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	prog, err := bpf.Compile("net 192.168.1.0/24 and tcp", 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range []io.Writer{io.Discard, devNull} {
		allocs := func(in []byte) float64 {
			return testing.AllocsPerRun(3, func() {
				if _, err := Run(context.Background(), bytes.NewReader(in), "in", out, Options{Compiled: prog}); err != nil {
					t.Fatal(err)
				}
			})
		}
		a, b := allocs(small), allocs(large)
		if b > a+2 {
			t.Errorf("output %T: %v allocations for 1000 packets, %v for 10000", out, a, b)
		}
	}
}

// BenchmarkRun filters 100 MB of generated traffic in memory.
func BenchmarkRun(b *testing.B) {
	in := generated(b, 4, 300000)
	for _, expr := range []string{"net 192.168.1.0/24 and tcp", ""} {
		prog, err := bpf.Compile(expr, 1, 0)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("%q", expr), func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Run(context.Background(), bytes.NewReader(in), "in", io.Discard, Options{Expr: expr, Compiled: prog}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestStatsString(t *testing.T) {
	got := Stats{Packets: 8, Kept: 2, Ticks: 3}.String()
	if want := "8 packets in, 2 kept (25.00%), 3 clock ticks passed"; got != want {
		t.Errorf("String() = %q; want %q", got, want)
	}
}

// TestRunQuietInputNotHeldBack: a kept record reaches the output while
// the input, still open, has nothing more, whether the input is a pipe
// (read directly) or another reader (read on a goroutine), and whether
// the output is a pipe (writev) or not.
func TestRunQuietInputNotHeldBack(t *testing.T) {
	for _, tc := range []struct {
		name        string
		osIn, osOut bool
	}{
		{name: "pipe to pipe", osIn: true, osOut: true},
		{name: "pipe to writer", osIn: true},
		{name: "reader to pipe", osOut: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var in io.Reader
			var inW io.WriteCloser
			if tc.osIn {
				pr, pw, err := os.Pipe()
				if err != nil {
					t.Fatal(err)
				}
				defer pr.Close()
				in, inW = pr, pw
			} else {
				pr, pw := io.Pipe()
				in, inW = pr, pw
			}
			outR, outW, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			var out io.Writer = outW
			if !tc.osOut {
				out = struct{ io.Writer }{outW} // hides the *os.File: no writev
			}
			done := make(chan error, 1)
			go func() {
				_, err := Run(context.Background(), in, "in", out, Options{Expr: "tcp"})
				outW.Close()
				done <- err
			}()
			got := make(chan int, 16)
			go countRecords(outR, got)
			if _, err := inW.Write(build(nsLE, 1, 0)); err != nil {
				t.Fatal(err)
			}
			for i, r := range []rec{tcpAB, udpAB, tcpBB} {
				if _, err := inW.Write(build(nsLE, 1, 0, r)[24:]); err != nil {
					t.Fatal(err)
				}
				if r == udpAB {
					continue // dropped: nothing to wait for
				}
				select {
				case n := <-got:
					if n != i/2+1 {
						t.Fatalf("record %d: %d records out", i, n)
					}
				case <-time.After(10 * time.Second):
					t.Fatalf("record %d was not written while the input was quiet", i)
				}
			}
			inW.Close()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		})
	}
}

// countRecords reads a stream and sends the number of records read after
// each one.
func countRecords(r io.Reader, got chan<- int) {
	if _, err := io.ReadFull(r, make([]byte, 24)); err != nil {
		return
	}
	h := make([]byte, 16)
	for n := 1; ; n++ {
		if _, err := io.ReadFull(r, h); err != nil {
			return
		}
		if _, err := io.CopyN(io.Discard, r, int64(binary.LittleEndian.Uint32(h[8:]))); err != nil {
			return
		}
		got <- n
	}
}

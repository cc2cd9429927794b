package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"regexp"
	"strings"
	"testing"

	"github.com/pcappush/pcappush/lib/exitcode"
	"github.com/pcappush/pcappush/lib/pcapio"
)

// stream is a pcap stream of one VLAN-tagged IPv4 packet and a clock tick.
func stream(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	w := pcapio.NewWriter(&b, 1, 0)
	if err := w.WriteHeader(); err != nil {
		t.Fatal(err)
	}
	pkt := make([]byte, 18+20)
	pkt[12], pkt[13] = 0x81, 0x00
	pkt[16], pkt[17] = 0x08, 0x00
	pkt[18] = 0x45
	binary.BigEndian.PutUint16(pkt[20:], 20)
	if err := w.WritePacket(1e18, uint32(len(pkt)), pkt); err != nil {
		t.Fatal(err)
	}
	if err := w.WritePacket(2e18, 0, nil); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestRun(t *testing.T) {
	in := stream(t)
	tests := []struct {
		args   []string
		stdin  []byte
		code   int
		stdout string // regexp over the output's bytes as %q, "" for any
		stderr string // regexp
	}{
		{args: nil, stdin: in, stderr: `^$`},
		{args: []string{"--stats"}, stdin: in, stderr: `(?m)^pcap_decap: packets in 1, changed 1, unchanged 0, ticks 1, converted to Ethernet 0, bytes removed 4\n(pcap_decap: \S+ +\d+ removed\n){22}$`},
		{args: []string{"--stats", "--no-vlan"}, stdin: in, stderr: `changed 0, unchanged 1`},
		{args: []string{"--max-depth", "0"}, stdin: in, code: 2, stderr: `--max-depth 0: must be from 1 to 64\nTry: pcap_decap --help`},
		{args: []string{"--max-depth", "x"}, stdin: in, code: 2, stderr: `Try: pcap_decap --help`},
		{args: []string{"--vxlan-port", "4789,70000"}, stdin: in, code: 2, stderr: `"70000" is not a UDP port`},
		{args: []string{"--no-ethernet"}, stdin: in, code: 2, stderr: `flag provided but not defined: -no-ethernet`},
		{args: []string{"file.pcap"}, stdin: in, code: 2, stderr: `unexpected argument "file.pcap": pcap_decap reads stdin`},
		{args: []string{"--vxlan-port", ""}, stdin: in, stderr: `^$`},
		{args: nil, stdin: []byte("not a pcap file at all"), code: 1, stderr: `^pcap_decap: stdin: at byte 0: magic .*not a pcap or pcapng file\n$`},
		{args: nil, stdin: in[:len(in)-10], code: 1, stderr: `pcap_decap: stdin: packet 2 at byte \d+: .*truncated`},
		{args: []string{"--help"}, code: 0, stdout: `pcap_decap \[--max-depth N\]`},
		{args: []string{"--version"}, code: 0, stdout: `pcap_decap version`},
	}
	for _, tc := range tests {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), append([]string{"pcap_decap"}, tc.args...), bytes.NewReader(tc.stdin), &stdout, &stderr)
		code := exitcode.Report(&stderr, tool, err)
		if code != tc.code {
			t.Errorf("%v: exit %d; want %d (%s)", tc.args, code, tc.code, stderr.String())
		}
		if !regexp.MustCompile(tc.stderr).MatchString(stderr.String()) {
			t.Errorf("%v: stderr %q; want %s", tc.args, stderr.String(), tc.stderr)
		}
		if tc.stdout != "" && !regexp.MustCompile(tc.stdout).MatchString(stdout.String()) {
			t.Errorf("%v: stdout %q; want %s", tc.args, stdout.String(), tc.stdout)
		}
	}
}

func TestOutputDropsTheTagAndKeepsTheTick(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"pcap_decap"}, bytes.NewReader(stream(t)), &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	r, err := pcapio.NewReader(&stdout, "out")
	if err != nil {
		t.Fatal(err)
	}
	rec, err := r.Next()
	if err != nil || len(rec.Data) != 34 || rec.OrigLen != 34 || rec.Time != 1e18 || binary.BigEndian.Uint16(rec.Data[12:]) != 0x0800 {
		t.Fatalf("packet: %d bytes of %d at %d, %v; want the 34-byte untagged packet", len(rec.Data), rec.OrigLen, rec.Time, err)
	}
	rec, err = r.Next()
	if err != nil || !rec.IsTick() || rec.Time != 2e18 {
		t.Fatalf("tick: %+v, %v; want a tick at 2e18", rec, err)
	}
}

func TestHelpListsEveryDecoder(t *testing.T) {
	var stdout bytes.Buffer
	if err := run(context.Background(), []string{"pcap_decap", "--help"}, nil, &stdout, &stdout); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"--no-vlan", "--no-mpls", "--no-gre", "--no-erspan", "--no-vxlan", "--no-geneve", "--no-gtp",
		"--no-capwap", "--no-ipip", "--no-pppoe", "--no-vntag", "--no-fabricpath", "--no-arista", "--stats", "--max-depth", "EXAMPLES:"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("--help lacks %s", want)
		}
	}
}

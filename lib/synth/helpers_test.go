package synth

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
)

// packet is one decoded pcap record.
type packet struct {
	ts   int64
	data []byte
}

// generate runs Generate into memory and fails the test on error.
func generate(t testing.TB, opt Options) ([]byte, Stats) {
	t.Helper()
	var buf bytes.Buffer
	st, err := Generate(context.Background(), &buf, opt)
	if err != nil {
		t.Fatalf("Generate(%+v): %v", opt, err)
	}
	return buf.Bytes(), st
}

// generateFile writes a capture under t.TempDir and returns its path.
func generateFile(t testing.TB, opt Options) (string, Stats) {
	t.Helper()
	data, st := generate(t, opt)
	path := filepath.Join(t.TempDir(), "synth.pcap")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path, st
}

// readAll parses a capture: the file header must be nanosecond
// little-endian pcap 2.4, Ethernet, snaplen Snaplen, and every record
// complete with equal captured and original lengths.
func readAll(t testing.TB, data []byte) []packet {
	t.Helper()
	want := []byte{
		0x4d, 0x3c, 0xb2, 0xa1, // magic, nanosecond little-endian
		2, 0, 4, 0, // version 2.4
		0, 0, 0, 0, 0, 0, 0, 0, // time zone, sigfigs
		0x00, 0x00, 0x04, 0x00, // snaplen 262144
		1, 0, 0, 0, // LINKTYPE_ETHERNET
	}
	if len(data) < len(want) || !bytes.Equal(data[:len(want)], want) {
		t.Fatalf("file header % x; want % x", data[:min(len(data), len(want))], want)
	}
	le := binary.LittleEndian
	var out []packet
	for rest := data[len(want):]; len(rest) > 0; {
		if len(rest) < 16 {
			t.Fatalf("packet %d: %d bytes left for a 16-byte record header", len(out)+1, len(rest))
		}
		sec, ns, caplen, orig := le.Uint32(rest), le.Uint32(rest[4:]), le.Uint32(rest[8:]), le.Uint32(rest[12:])
		if ns >= 1e9 || caplen != orig || int(caplen) > len(rest)-16 {
			t.Fatalf("packet %d: ns %d, caplen %d, origlen %d, %d bytes left", len(out)+1, ns, caplen, orig, len(rest)-16)
		}
		out = append(out, packet{ts: int64(sec)*1e9 + int64(ns), data: rest[16 : 16+caplen]})
		rest = rest[16+caplen:]
	}
	return out
}

// options returns DefaultOptions with a packet count.
func options(packets int64) Options {
	o := DefaultOptions()
	o.Packets = packets
	return o
}

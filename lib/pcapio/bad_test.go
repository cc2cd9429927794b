package pcapio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestBadInput(t *testing.T) {
	le := binary.LittleEndian
	ok := pkt{sec: 1, capLen: 4, origLen: 4, data: []byte("good")}
	mk := func(snap uint32, p ...pkt) []byte { return classic(le, 0xa1b2c3d4, snap, 1, p...) }
	cut := func(b []byte, n int) []byte { return b[:len(b)-n] }
	ngIDB := func() *ng { n := &ng{o: le}; n.shb().idb(1, 0); return n }

	tests := []struct {
		name    string
		in      []byte
		want    error
		header  bool   // fails in NewReader
		read    int    // records returned before the error
		packet  int64  // packet number in the error
		offset  int64  // byte offset in the error
		message string // part of the message
	}{
		{name: "empty", in: nil, want: ErrTruncated, header: true, message: "empty input"},
		{name: "wrong magic", in: []byte("hello world, this is text!"), want: ErrBadMagic, header: true, message: "magic 0x6c6c6568"},
		{name: "gzip", in: []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0}, want: ErrBadMagic, header: true, message: "gzip data"},
		{name: "truncated header", in: mk(0)[:10], want: ErrTruncated, header: true, message: "file header cut short: 10 of 24"},
		{name: "version 1", in: func() []byte { b := mk(0); le.PutUint16(b[4:], 1); return b }(), want: ErrVersion, header: true},
		{name: "reserved link bits", in: func() []byte { b := mk(0); le.PutUint32(b[20:], 0x00300001); return b }(), want: ErrLinkType, header: true, offset: 20},
		{name: "truncated record header", in: cut(mk(0, ok, ok), 14), want: ErrTruncated, read: 1, packet: 2, offset: 44, message: "record header cut short: 6 of 16"},
		{name: "truncated last record", in: cut(mk(0, ok, ok), 1), want: ErrTruncated, read: 1, packet: 2, offset: 44, message: "record cut short: 19 of 20"},
		{name: "caplen over snaplen", in: mk(3, ok), want: ErrCapLen, packet: 1, offset: 24, message: "exceeds the snapshot length 3"},
		{name: "caplen over 256 KiB", in: mk(0, ok, pkt{capLen: MaxCapLen + 1}), want: ErrCapLen, read: 1, packet: 2, offset: 44},
		{name: "caplen 0xffffffff", in: mk(0, pkt{capLen: 0xffffffff}), want: ErrCapLen, packet: 1, offset: 24},
		{name: "origlen below caplen", in: mk(0, pkt{capLen: 4, origLen: 3, data: []byte("abcd")}), want: ErrOrigLen, packet: 1, offset: 24, message: "original length 3 is smaller than the captured length 4"},
		{name: "origlen 0 with data", in: mk(0, ok, pkt{capLen: 4, data: []byte("abcd")}), want: ErrOrigLen, read: 1, packet: 2, offset: 44, message: "original length 0"},
		{name: "origlen over 16 MiB", in: mk(0, ok, pkt{capLen: 4, origLen: MaxOrigLen + 1, data: []byte("abcd")}), want: ErrOrigLen, read: 1, packet: 2, offset: 44, message: "exceeds the 16777216-byte maximum"},
		{name: "origlen 0xffffffff no data", in: mk(0, pkt{origLen: 0xffffffff}), want: ErrOrigLen, packet: 1, offset: 24},
		{name: "fraction overflows", in: mk(0, pkt{frac: 1000000}), want: ErrTimestamp, packet: 1, offset: 24},
		{name: "ng block length 0", in: append(ngIDB().b, 6, 0, 0, 0, 0, 0, 0, 0), want: ErrBadBlock, packet: 1, message: "length 0"},
		{name: "ng block length unaligned", in: append(ngIDB().b, 6, 0, 0, 0, 33, 0, 0, 0), want: ErrBadBlock, packet: 1},
		{name: "ng trailer mismatch", in: func() []byte { b := ngIDB().epb(0, 1, 4, []byte("abcd")).b; b[len(b)-4]++; return b }(), want: ErrBadBlock, packet: 1, message: "at its end"},
		{name: "ng caplen overruns block", in: func() []byte {
			n := ngIDB()
			start := len(n.b)
			n.epb(0, 1, 4, []byte("abcd"))
			le.PutUint32(n.b[start+20:], 64)
			return n.b
		}(), want: ErrCapLen, packet: 1, message: "overruns"},
		{name: "ng origlen below caplen", in: ngIDB().epb(0, 1, 4, []byte("abcd")).epb(0, 1, 2, []byte("abcd")).b, want: ErrOrigLen, read: 1, packet: 2, message: "original length 2 is smaller"},
		{name: "ng origlen over 16 MiB", in: ngIDB().epb(0, 1, MaxOrigLen+1, []byte("abcd")).b, want: ErrOrigLen, packet: 1, offset: 48, message: "exceeds the 16777216-byte maximum"},
		{name: "ng obsolete block origlen below caplen", in: ngIDB().opb(0, 1, 1, []byte("abcd")).b, want: ErrOrigLen, packet: 1, message: "original length 1"},
		{name: "ng simple block origlen over 16 MiB", in: ngIDB().spb(MaxOrigLen+1, []byte("abcd")).b, want: ErrOrigLen, packet: 1, message: "exceeds the 16777216-byte maximum"},
		{name: "ng unknown interface", in: ngIDB().epb(3, 1, 4, []byte("abcd")).b, want: ErrInterfaces, packet: 1, message: "interface 3"},
		{name: "ng packet before interface", in: (&ng{o: le}).shb().epb(0, 1, 1, []byte("a")).b, want: ErrInterfaces, header: true, packet: 1, offset: 28, message: "describes 0"},
		{name: "ng link type mixture", in: func() []byte {
			n := ngIDB()
			n.idb(113, 0)
			return n.epb(0, 1, 1, []byte("a")).epb(1, 1, 1, []byte("b")).b
		}(), want: ErrLinkType, read: 1, packet: 2, message: "link type 113"},
		{name: "ng timestamp overflow", in: func() []byte {
			n := &ng{o: le}
			return n.shb().idb(1, 0, n.opt(9, []byte{0})).epb(0, 1<<62, 1, []byte("a")).b
		}(), want: ErrTimestamp, packet: 1},
		{name: "ng negative offset", in: func() []byte {
			n := &ng{o: le}
			return n.shb().idb(1, 0, n.opt(14, u64(le, uint64(1<<63)))).b
		}(), want: ErrTimestamp, header: true, packet: 1, offset: 28},
		{name: "ng version", in: func() []byte { b := ngIDB().b; le.PutUint16(b[12:], 2); return b }(), want: ErrVersion, header: true},
		{name: "ng truncated block", in: cut(ngIDB().epb(0, 1, 4, []byte("abcd")).b, 3), want: ErrTruncated, packet: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewReader(bytes.NewReader(tt.in), "in.pcap")
			n := 0
			if err == nil {
				if tt.header {
					t.Fatalf("NewReader succeeded; want %v", tt.want)
				}
				var recs []got
				recs, err = readAll(t, r)
				n = len(recs)
			} else if !tt.header {
				t.Fatalf("NewReader: %v; want a reader", err)
			}
			checkErr(t, err, tt.want, tt.packet, tt.offset, tt.message)
			if n != tt.read {
				t.Errorf("read %d records before the error; want %d", n, tt.read)
			}
		})
	}
}

func checkErr(t *testing.T, err, want error, packet, offset int64, message string) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error = %v; want %v", err, want)
	}
	var pe *Error
	if !errors.As(err, &pe) {
		t.Fatalf("error %v is not an *Error", err)
	}
	if pe.Input != "in.pcap" || pe.Packet != packet || (offset != 0 && pe.Offset != offset) {
		t.Errorf("error at %s packet %d offset %d; want in.pcap packet %d offset %d (%v)", pe.Input, pe.Packet, pe.Offset, packet, offset, err)
	}
	if !strings.Contains(err.Error(), message) || !strings.HasPrefix(err.Error(), "in.pcap: ") {
		t.Errorf("message %q; want it to start with the input and contain %q", err, message)
	}
}

// TestOrigLenAccepted: the original-length rule refuses only what it must.
// Clock ticks, records that kept no bytes of a packet, snapped packets and
// the largest original length all pass, in both formats and through NextRaw.
func TestOrigLenAccepted(t *testing.T) {
	le := binary.LittleEndian
	pkts := []pkt{
		{sec: 1},                // clock tick
		{sec: 2, origLen: 1500}, // nothing captured
		{sec: 3, capLen: 2, origLen: 2, data: []byte("ab")},
		{sec: 4, capLen: 2, origLen: MaxOrigLen, data: []byte("ab")},
	}
	want := []got{{1e9, 0, ""}, {2e9, 1500, ""}, {3e9, 2, "ab"}, {4e9, MaxOrigLen, "ab"}}
	n := &ng{o: le}
	n.shb().idb(1, 0).epb(0, 1e6, 0, nil).epb(0, 2e6, 1500, nil).epb(0, 3e6, 2, []byte("ab")).epb(0, 4e6, MaxOrigLen, []byte("ab"))
	n.spb(MaxOrigLen, []byte("abcd"))
	inputs := map[string][]byte{
		"pcap ns": classic(le, 0xa1b23c4d, 0, 1, pkts...),
		"pcapng":  n.b,
	}
	for name, in := range inputs {
		r, err := NewReader(bytes.NewReader(in), "in.pcap")
		if err != nil {
			t.Fatal(err)
		}
		var recs []got
		if name == "pcapng" {
			recs, err = readAll(t, r)
			want := append(append([]got(nil), want...), got{4e9, MaxOrigLen, "abcd"})
			if d := cmp.Diff(want, recs); d != "" || err != nil {
				t.Errorf("%s: %v; (-want +got):\n%s", name, err, d)
			}
			continue
		}
		recs, err = readRaw(t, r)
		if d := cmp.Diff(want, recs); d != "" || err != nil {
			t.Errorf("%s: %v; (-want +got):\n%s", name, err, d)
		}
	}
}

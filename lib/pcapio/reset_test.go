package pcapio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"
)

// TestReset reads three inputs of different formats with one Reader, and
// checks that a Reset does not allocate a buffer.
func TestReset(t *testing.T) {
	inputs := [][]byte{
		classicFile(t, 0xa1b23c4d, false, 5),
		classicFile(t, 0xa1b2c3d4, true, 3),
		classicFile(t, 0xa1b23c4d, false, 0),
	}
	var r *Reader
	for i, in := range inputs {
		var err error
		if r == nil {
			r, err = NewReader(bytes.NewReader(in), "first")
		} else {
			err = r.Reset(bytes.NewReader(in), "next")
		}
		if err != nil {
			t.Fatalf("input %d: %v", i, err)
		}
		want, _ := NewReader(bytes.NewReader(in), "check")
		for {
			got, gerr := r.Next()
			exp, eerr := want.Next()
			if !errors.Is(gerr, eerr) || got.Time != exp.Time || !bytes.Equal(got.Data, exp.Data) {
				t.Fatalf("input %d: record %+v, %v; want %+v, %v", i, got, gerr, exp, eerr)
			}
			if errors.Is(gerr, io.EOF) {
				break
			}
		}
	}
	if err := r.Reset(bytes.NewReader([]byte("junk")), "junk"); !errors.Is(err, ErrBadMagic) {
		t.Errorf("Reset to junk: %v; want ErrBadMagic", err)
	}
	in := bytes.NewReader(inputs[0])
	allocs := testing.AllocsPerRun(20, func() {
		in.Seek(0, io.SeekStart) //nolint:errcheck // a bytes.Reader
		if err := r.Reset(in, "again"); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 0 {
		t.Errorf("Reset allocates %v times", allocs)
	}
	ahead, err := NewReaderAhead(bytes.NewReader(inputs[0]), "ahead", 64<<10)
	if err != nil {
		t.Fatal(err)
	}
	defer ahead.Close()
	if err := ahead.Reset(bytes.NewReader(inputs[0]), "x"); !errors.Is(err, ErrResetAhead) {
		t.Errorf("Reset of a read-ahead reader: %v", err)
	}
}

// classicFile returns a classic pcap file of n packets with the magic,
// little or big endian.
func classicFile(t *testing.T, magic uint32, big bool, n int) []byte {
	t.Helper()
	var order binary.ByteOrder = binary.LittleEndian
	if big {
		order = binary.BigEndian
	}
	var pkts []pkt
	for i := 0; i < n; i++ {
		data := bytes.Repeat([]byte{byte(i)}, 60+i)
		pkts = append(pkts, pkt{sec: 1621849860 + uint32(i), frac: uint32(i * 1000), capLen: uint32(len(data)), origLen: uint32(len(data)), data: data})
	}
	return classic(order, magic, 65535, LinkTypeEthernet, pkts...)
}

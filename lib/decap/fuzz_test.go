package decap

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/pcappush/pcappush/lib/pcapio"
)

// corpusPackets returns up to max packets of every Ethernet capture in the
// repository's corpus, copied.
func corpusPackets(tb testing.TB, max int) [][]byte {
	tb.Helper()
	files, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "corpus", "pcaps", "*"))
	var out [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		r, err := pcapio.NewReader(bytes.NewReader(b), f)
		if err != nil || r.LinkType() != 1 {
			continue
		}
		for n := 0; n < max; n++ {
			rec, err := r.Next()
			if err != nil {
				if !errors.Is(err, io.EOF) {
					tb.Logf("%s: %v", f, err)
				}
				break
			}
			out = append(out, bytes.Clone(rec.Data))
		}
	}
	return out
}

// FuzzDecap checks, for any bytes under every link type and depth: no
// panic, no byte read or returned past the captured length (the packet is
// given with no spare capacity, so a read past it panics, and the body must
// lie inside it), output never longer than the input (plus the Ethernet
// header that raw IP and loopback packets gain), and a header that is
// either absent or exactly 14 bytes.
func FuzzDecap(f *testing.F) {
	for _, p := range corpusPackets(f, 20) {
		f.Add(p, uint8(0), uint8(8))
	}
	f.Add(cat(outer(etVLAN), u16(1), u16(etIPv4), ipv4(protoUDP, udp(1, 4789, cat(vxlanHdr(1), innerFrame)))), uint8(0), uint8(8))
	f.Add(cat(outer(etIPv4), ipv4(protoGRE, gre(greS, etERSPAN3, u32(1), u16(0x2000), u16(1), u32(0), u16(0), []byte{0, 1}, u32(0), u32(0), innerFrame))), uint8(0), uint8(3))
	links := []uint32{1, 113, 276, 101, 0, 108, 105}
	f.Fuzz(func(t *testing.T, data []byte, link, depth uint8) {
		lt := links[int(link)%len(links)]
		d := New(lt, Options{MaxDepth: 1 + int(depth)%16})
		pkt := data[:len(data):len(data)]
		for _, orig := range []uint32{uint32(len(pkt)), uint32(len(pkt)) + 100} {
			head, body := d.Decap(1621849860e9, orig, pkt)
			if head != nil && len(head) != 14 {
				t.Fatalf("header of %d bytes", len(head))
			}
			limit := len(pkt)
			if lt != 1 && lt != 105 {
				limit += 14
			}
			if n := len(head) + len(body); n > limit {
				t.Fatalf("output of %d bytes from %d", n, len(pkt))
			}
			if len(body) > 0 {
				at := cap(pkt) - cap(body)
				if at < 0 || at+len(body) > len(pkt) || &pkt[at] != &body[0] {
					t.Fatalf("body is not inside the packet")
				}
			}
		}
	})
}

// FuzzStream feeds any bytes after a stream header to Run, through the
// fast path and through pcapio: the outputs, statistics and errors must be
// the same, and nothing may panic.
func FuzzStream(f *testing.F) {
	var seed bytes.Buffer
	w := pcapio.NewWriter(&seed, 1, 0)
	w.WritePacket(1621849860e9, 60, cat(outer(etVLAN), u16(1), u16(etIPv4), innerIP)) //nolint:errcheck // in memory
	w.WritePacket(1621849861e9, 0, nil)                                               //nolint:errcheck // in memory
	w.Flush()                                                                         //nolint:errcheck // in memory
	f.Add(seed.Bytes()[pcapio.HeaderLen:], uint32(0))
	f.Add(seed.Bytes()[pcapio.HeaderLen:], uint32(64))
	f.Fuzz(func(t *testing.T, records []byte, snaplen uint32) {
		var h [pcapio.HeaderLen]byte
		pcapio.PutHeader(h[:], 1, snaplen)
		in := append(h[:], records...)
		fast, fst, ferr := run(t, in)
		useFast = false
		slow, sst, serr := run(t, in)
		useFast = true
		if !bytes.Equal(fast, slow) || fst != sst || (ferr == nil) != (serr == nil) || ferr != nil && ferr.Error() != serr.Error() {
			t.Fatalf("fast path: %d bytes, %v; pcapio: %d bytes, %v", len(fast), ferr, len(slow), serr)
		}
	})
}

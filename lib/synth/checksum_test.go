package synth

import (
	"encoding/binary"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// naiveSum is RFC 1071 done the obvious way, 16 bits at a time.
func naiveSum(b []byte) uint16 {
	var s uint32
	for i := 0; i+1 < len(b); i += 2 {
		s += uint32(binary.BigEndian.Uint16(b[i:]))
	}
	if len(b)%2 == 1 {
		s += uint32(b[len(b)-1]) << 8
	}
	for s > 0xffff {
		s = s>>16 + s&0xffff
	}
	return ^uint16(s)
}

func TestChecksumMatchesRFC1071(t *testing.T) {
	r := newRNG(1, 9)
	buf := make([]byte, 2100)
	for n := range len(buf) {
		b := buf[:n]
		r.fill(b)
		if n%7 == 0 {
			for i := range b {
				b[i] = 0xff // worst case for carries
			}
		}
		if got, want := csumFold(csumAdd(0, b)), naiveSum(b); got != want {
			t.Fatalf("checksum of %d bytes = %#04x; want %#04x", n, got, want)
		}
	}
}

// TestChecksumVerifierCatchesCorruption makes sure TestDecodeAll's checks
// can fail: one flipped payload bit must break the TCP checksum.
func TestChecksumVerifierCatchesCorruption(t *testing.T) {
	g, err := New(options(1 << 20))
	if err != nil {
		t.Fatal(err)
	}
	for {
		rec, _ := g.Next()
		pkt := gopacket.NewPacket(rec.Data, layers.LayerTypeEthernet, gopacket.Default)
		tcp, _ := pkt.Layer(layers.LayerTypeTCP).(*layers.TCP)
		plain := binary.BigEndian.Uint16(rec.Data[12:]) == etIPv4 && rec.Data[ethLen+9] == protoTC
		if tcp == nil || !plain || len(tcp.Payload) < 100 {
			continue
		}
		_ = tcp.SetNetworkLayerForChecksum(pkt.NetworkLayer())
		if err, res := tcp.VerifyChecksum(); err != nil || !res.Valid {
			t.Fatalf("segment as generated: VerifyChecksum = %v, %+v; want valid", err, res)
		}
		tcp.Payload[50] ^= 0x04
		if err, res := tcp.VerifyChecksum(); err != nil || res.Valid {
			t.Errorf("corrupted segment: VerifyChecksum = %v, %+v; want invalid", err, res)
		}
		return
	}
}

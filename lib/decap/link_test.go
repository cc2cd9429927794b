package decap

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/pcappush/pcappush/lib/pcapio"
)

func TestTrailer(t *testing.T) {
	const now = 1621849860 // the capture time of check's packets
	mm := func(sec, ns uint32) []byte {
		return cat(u32(0xcafef00d), u32(sec), u32(ns), []byte{1}, u16(7), []byte{3})
	}
	small := ipv4(17, udp(1, 2, nil)) // 28 bytes: padded to 60 on the wire
	pad := make([]byte, 60-14-len(small))
	runVectors(t, Options{}, []vector{
		{"Metamako trailer", cat(outer(etIPv4), innerIP, mm(now+1, 5)), cat(outer(etIPv4), innerIP), []Family{Arista}},
		{"Metamako trailer after padding", cat(outer(etIPv4), small, pad, mm(now, 999999999)), cat(outer(etIPv4), small, pad), []Family{Arista}},
		{"Metamako trailer and FCS", cat(outer(etIPv4), innerIP, mm(now-5, 1), u32(0x12345678)), cat(outer(etIPv4), innerIP), []Family{Arista}},
		{"Metamako trailer in VLAN", cat(outer(etVLAN), u16(3), u16(etIPv4), innerIP, mm(now, 1)), l3(etIPv4, innerIP), []Family{VLAN, Arista}},
		{"Metamako trailer with GRE", cat(outer(etIPv4), ipv4(protoGRE, gre(0, etIPv4, innerIP)), mm(now, 1)), l3(etIPv4, innerIP), []Family{GRE, Arista}},
		{"time two days off", cat(outer(etIPv4), innerIP, mm(now+2*86400, 5)), nil, nil},
		{"nanoseconds out of range", cat(outer(etIPv4), innerIP, mm(now, 1e9)), nil, nil},
		{"zero padding", cat(outer(etIPv4), small, make([]byte, 40)), nil, nil},
		{"FCS only", cat(outer(etIPv4), innerIP, u32(0x12345678)), nil, nil},
	})
	d := New(1, Options{})
	in := cat(outer(etIPv4), innerIP, mm(now, 5))
	if head, body := d.Decap(now*1e9, uint32(len(in)+100), in); head != nil || len(body) != len(in) {
		t.Errorf("trailer removed from a packet not captured whole")
	}
	d = New(1, Options{Disabled: Set(0).With(Arista)})
	if head, body := d.Decap(now*1e9, uint32(len(in)), in); head != nil || len(body) != len(in) {
		t.Errorf("trailer removed with --no-arista")
	}
}

func TestLinkTypes(t *testing.T) {
	ip := innerIP
	zero := make([]byte, 6)
	sll := cat(u16(0), u16(1), u16(6), macB, u16(0), u16(etIPv4))
	sll2 := cat(u16(etIPv4), u16(0), u32(2), u16(1), []byte{0, 6}, macB, u16(0))
	tests := []struct {
		name string
		link uint32
		in   []byte
		want []byte
	}{
		{"Linux SLL", 113, cat(sll, ip), cat(eth(zero, macB, etIPv4), ip)},
		{"Linux SLL with VLAN", 113, cat(sll[:14], u16(etVLAN), u16(4), u16(etIPv4), ip), cat(eth(zero, macB, etIPv4), ip)},
		{"Linux SLL LLC", 113, cat(sll[:14], u16(4), []byte{0x42, 0x42, 3}), cat(eth(zero, macB, 3), []byte{0x42, 0x42, 3})},
		{"Linux SLL2", 276, cat(sll2, ip), cat(eth(zero, macB, etIPv4), ip)},
		{"raw IPv6", 101, innerIP6, cat(eth(zero, zero, etIPv6), innerIP6)},
		{"raw GRE ERSPAN III", 101, ipv6(protoGRE, gre(greS, etERSPAN3, u32(1), u16(0x2000), u16(1), u32(0), u16(0), []byte{0, 0}, innerFrame)), innerFrame},
		{"raw garbage", 101, []byte{0x12, 0x34}, cat(eth(zero, zero, 2), []byte{0x12, 0x34})},
		{"BSD loopback, little endian", 0, cat([]byte{2, 0, 0, 0}, ip), cat(eth(zero, zero, etIPv4), ip)},
		{"BSD loopback, big endian IPv6", 0, cat([]byte{0, 0, 0, 30}, innerIP6), cat(eth(zero, zero, etIPv6), innerIP6)},
		{"OpenBSD loop", 108, cat([]byte{0, 0, 0, 2}, ipv4(protoIPv4, ip)), cat(eth(zero, zero, etIPv4), ip)},
		{"SLL cut short", 113, sll[:10], cat(eth(zero, zero, 10), sll[:10])},
		{"802.11 passes", 105, cat([]byte{0x08, 0}, make([]byte, 30)), cat([]byte{0x08, 0}, make([]byte, 30))},
	}
	for _, tc := range tests {
		d := New(tc.link, Options{})
		head, body := d.Decap(0, uint32(len(tc.in)), tc.in)
		if got := cat(head, body); !bytes.Equal(got, tc.want) {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, hex.EncodeToString(got), hex.EncodeToString(tc.want))
		}
		wantLT := uint32(1)
		if tc.link == 105 {
			wantLT = 105
		}
		if d.OutputLinkType() != wantLT {
			t.Errorf("%s: output link type %d; want %d", tc.name, d.OutputLinkType(), wantLT)
		}
	}
}

func TestLengths(t *testing.T) {
	tests := []struct {
		capLen  int
		origLen uint32
		newCap  int
		want    uint32
	}{
		{100, 100, 80, 80},   // whole packet, 20 bytes removed
		{64, 1514, 44, 1494}, // cut by the snapshot length
		{100, 50, 80, 80},    // original length below captured length: raised to it
		{100, 10, 80, 80},    // ... even when the removal would go negative
		{40, 40, 54, 54},     // an Ethernet header added to raw IP
		{40, pcapio.MaxOrigLen, 54, pcapio.MaxOrigLen}, // never above what readers accept
		{40, pcapio.MaxOrigLen - 10, 54, pcapio.MaxOrigLen},
		{40, pcapio.MaxOrigLen - 14, 54, pcapio.MaxOrigLen},
	}
	for _, tc := range tests {
		if got := Lengths(tc.capLen, tc.origLen, tc.newCap); got != tc.want {
			t.Errorf("Lengths(%d, %d, %d) = %d; want %d", tc.capLen, tc.origLen, tc.newCap, got, tc.want)
		}
	}
}

func TestParseFamily(t *testing.T) {
	for f := Family(0); f < NumFamilies; f++ {
		if g, ok := ParseFamily(f.String()); !ok || g != f {
			t.Errorf("ParseFamily(%q) = %v, %v; want %v", f.String(), g, ok, f)
		}
		if f.Doc() == "" {
			t.Errorf("%s has no description", f)
		}
	}
	if _, ok := ParseFamily("ethernet"); ok {
		t.Error("ParseFamily(ethernet) succeeded")
	}
	if NumFamilies > 32 {
		t.Fatalf("%d families do not fit a Set", NumFamilies)
	}
}

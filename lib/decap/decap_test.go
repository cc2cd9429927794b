package decap

import (
	"bytes"
	"encoding/hex"
	"slices"
	"testing"
)

// outer is the outer Ethernet header of most test frames.
func outer(et uint16) []byte { return eth(macA, macB, et) }

// l3 is the expected output of a tag or L3 tunnel: the outer addresses,
// the inner packet's EtherType and the inner packet.
func l3(et uint16, pkt []byte) []byte { return cat(eth(macA, macB, et), pkt) }

type vector struct {
	name string
	in   []byte
	want []byte // nil: unchanged
	fams []Family
}

// check runs one vector through a Decapper and compares every byte.
func check(t *testing.T, d *Decapper, v vector) {
	t.Helper()
	before := d.Stats()
	head, body := d.Decap(1621849860e9, uint32(len(v.in)), v.in)
	got := cat(head, body)
	want := v.want
	if want == nil {
		want = v.in
		if head != nil || len(body) != len(v.in) {
			t.Errorf("%s: unchanged packet came back as a new header and body", v.name)
		}
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s:\n got %s\nwant %s", v.name, hex.EncodeToString(got), hex.EncodeToString(want))
	}
	after := d.Stats()
	var n int64
	for _, f := range v.fams {
		n++
		if after.Removed[f] == before.Removed[f] {
			t.Errorf("%s: nothing counted for %s", v.name, f)
		}
	}
	var total int64
	for f := range after.Removed {
		total += after.Removed[f] - before.Removed[f]
	}
	if total != n {
		t.Errorf("%s: %d headers counted; want %d (%v)", v.name, total, n, v.fams)
	}
}

func runVectors(t *testing.T, opts Options, vs []vector) {
	t.Helper()
	d := New(1, opts)
	for _, v := range vs {
		check(t, d, v)
	}
}

func TestTags(t *testing.T) {
	ip := innerIP
	runVectors(t, Options{}, []vector{
		{"plain IPv4", cat(outer(etIPv4), ip), nil, nil},
		{"ARP", cat(outer(etARP), make([]byte, 28)), nil, nil},
		{"802.1Q", cat(outer(etVLAN), u16(100), u16(etIPv4), ip), l3(etIPv4, ip), []Family{VLAN}},
		{"QinQ 802.1ad", cat(outer(etQinQ), u16(10), u16(etVLAN), u16(20), u16(etIPv6), innerIP6), l3(etIPv6, innerIP6), []Family{VLAN, VLAN}},
		{"0x9100 and 0x9200", cat(outer(etQinQ9100), u16(10), u16(etQinQ9200), u16(20), u16(etIPv4), ip), l3(etIPv4, ip), []Family{VLAN, VLAN}},
		{"802.1Q before LLC", cat(outer(etVLAN), u16(7), u16(38), []byte{0x42, 0x42, 3}, make([]byte, 35)), cat(outer(38), []byte{0x42, 0x42, 3}, make([]byte, 35)), []Family{VLAN}},
		{"VN-Tag then 802.1Q", cat(outer(etVNTag), u32(0x80010002), u16(etVLAN), u16(5), u16(etIPv4), ip), l3(etIPv4, ip), []Family{VNTag, VLAN}},
		{"802.1Q, VN-Tag, 802.1Q", cat(outer(etVLAN), u16(1), u16(etVNTag), u32(0x80010002), u16(etVLAN), u16(5), u16(etIPv4), ip), l3(etIPv4, ip), []Family{VLAN, VNTag, VLAN}},
		{"E-Tag", cat(outer(etETag), make([]byte, 6), u16(etIPv4), ip), l3(etIPv4, ip), []Family{ETag}},
		{"Cisco MetaData", cat(outer(etCMD), []byte{1, 1}, u16(1), u16(42), u16(etIPv4), ip), l3(etIPv4, ip), []Family{CMD}},
		{"Arista 64-bit timestamp", cat(outer(etArista), u16(1), u16(0x0010), u32(1621849860), u32(5), u16(etIPv4), ip), l3(etIPv4, ip), []Family{Arista}},
		{"Arista 64-bit UTC R3", cat(outer(etArista), u16(1), u16(0x0111), u32(1621849860), u32(5), u16(etVLAN), u16(9), u16(etIPv4), ip), l3(etIPv4, ip), []Family{Arista, VLAN}},
		{"Arista 48-bit timestamp", cat(outer(etArista), u16(1), u16(0x0020), u16(1), u32(5), u16(etIPv4), ip), l3(etIPv4, ip), []Family{Arista}},
		{"Arista unknown format", cat(outer(etArista), u16(1), u16(0x0030), u32(1), u32(5), u16(etIPv4), ip), nil, nil},
		{"Arista other subtype", cat(outer(etArista), u16(2), u16(0x0010), u32(1), u32(5), u16(etIPv4), ip), nil, nil},
		{"FabricPath", cat(outer(etFabricPath), u16(0x0020), innerFrame), innerFrame, []Family{FabricPath}},
		{"PBB I-Tag", cat(outer(etQinQ), u16(3), u16(etPBB), u32(0x00012345), innerFrame), innerFrame, []Family{VLAN, PBB}},
		{"truncated tag", cat(outer(etVLAN), []byte{0, 100, 8}), nil, nil},
		{"runt frame", []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x81}, nil, nil},
		{"empty frame", []byte{}, nil, nil},
	})
}

// stackedTags returns n VLAN tags cycling through the four tag types, the
// last one announcing next.
func stackedTags(n int, next uint16) []byte {
	types := []uint16{etQinQ, etQinQ9100, etQinQ9200, etVLAN}
	var b []byte
	for i := 1; i <= n; i++ {
		et := next
		if i < n {
			et = types[i%len(types)]
		}
		b = cat(b, u16(uint16(i)), u16(et))
	}
	return b
}

// TestVLANStackIsOneStep: a run of consecutive tags, however long, counts
// one toward MaxDepth, as an MPLS label stack does; each tag is counted in
// the statistics.
func TestVLANStackIsOneStep(t *testing.T) {
	ip := innerIP
	tags := func(n int) []Family { return slices.Repeat([]Family{VLAN}, n) }
	itag := cat(u32(0x00012345), innerFrame)
	runVectors(t, Options{}, []vector{
		{"12 tags", cat(outer(etQinQ), stackedTags(12, etIPv4), ip), l3(etIPv4, ip), tags(12)},
		{"100 tags", cat(outer(etQinQ), stackedTags(100, etIPv6), innerIP6), l3(etIPv6, innerIP6), tags(100)},
		{"10 tags, VN-Tag, 10 tags", cat(outer(etVLAN), stackedTags(10, etVNTag), u32(0x80010002), u16(etQinQ), stackedTags(10, etIPv4), ip), l3(etIPv4, ip), append(append(tags(10), VNTag), tags(10)...)},
		{"3 tags and a cut one", cat(outer(etVLAN), stackedTags(3, etVLAN), []byte{0, 9}), cat(outer(etVLAN), []byte{0, 9}), tags(3)},
	})
	runVectors(t, Options{MaxDepth: 1}, []vector{
		{"depth 1: 10 tags", cat(outer(etQinQ), stackedTags(10, etPBB), itag), l3(etPBB, itag), tags(10)},
	})
	runVectors(t, Options{MaxDepth: 2}, []vector{
		{"depth 2: 10 tags and PBB", cat(outer(etQinQ), stackedTags(10, etPBB), itag), innerFrame, append(tags(10), PBB)},
		{"depth 2: tags, VN-Tag, tags", cat(outer(etVLAN), stackedTags(4, etVNTag), u32(0x80010002), u16(etVLAN), u16(5), u16(etIPv4), ip), l3(etVLAN, cat(u16(5), u16(etIPv4), ip)), append(tags(4), VNTag)},
	})
}

func TestMPLSAndPPPoE(t *testing.T) {
	ip := innerIP
	lbl := func(label uint32, bottom bool) []byte {
		v := label<<12 | 64
		if bottom {
			v |= 0x100
		}
		return u32(v)
	}
	pwNoCW := cat(eth([]byte{0xa0, 0, 0, 0, 0, 1}, macD, etIPv4), ip)
	pwZero := cat(eth([]byte{0x00, 0x1b, 0, 0, 0, 1}, macD, etIPv4), ip)
	lcp := []byte{0xc0, 0x21, 1, 1, 0, 4}
	runVectors(t, Options{}, []vector{
		{"two labels IPv4", cat(outer(etMPLS), lbl(100, false), lbl(200, true), ip), l3(etIPv4, ip), []Family{MPLS}},
		{"one label IPv6", cat(outer(etMPLS), lbl(100, true), innerIP6), l3(etIPv6, innerIP6), []Family{MPLS}},
		{"multicast label", cat(outer(etMPLSMcast), lbl(100, true), ip), l3(etIPv4, ip), []Family{MPLS}},
		{"pseudowire with control word", cat(outer(etMPLS), lbl(100, false), lbl(16, true), u32(0), innerFrame), innerFrame, []Family{MPLS}},
		{"pseudowire without control word", cat(outer(etMPLS), lbl(16, true), pwNoCW), pwNoCW, []Family{MPLS}},
		{"pseudowire without control word, DA 00:1b", cat(outer(etMPLS), lbl(16, true), pwZero), pwZero, []Family{MPLS}},
		{"VLAN then MPLS", cat(outer(etVLAN), u16(5), u16(etMPLS), lbl(1, true), ip), l3(etIPv4, ip), []Family{VLAN, MPLS}},
		{"associated channel", cat(outer(etMPLS), lbl(13, true), u32(0x10000021), make([]byte, 20)), nil, nil},
		{"unknown payload", cat(outer(etMPLS), lbl(13, true), make([]byte, 3)), nil, nil},
		{"stack without bottom", cat(outer(etMPLS), lbl(1, false), lbl(2, false)), nil, nil},
		{"PPPoE IPv4", cat(outer(etPPPoES), []byte{0x11, 0}, u16(1), u16(uint16(2+len(ip))), u16(0x21), ip), l3(etIPv4, ip), []Family{PPPoE}},
		{"PPPoE IPv6 in QinQ", cat(outer(etQinQ), u16(1), u16(etVLAN), u16(2), u16(etPPPoES), []byte{0x11, 0}, u16(1), u16(0), u16(0x57), innerIP6), l3(etIPv6, innerIP6), []Family{VLAN, VLAN, PPPoE}},
		{"PPPoE LCP", cat(outer(etPPPoES), []byte{0x11, 0}, u16(1), u16(6), lcp), nil, nil},
		{"PPPoE discovery", cat(outer(etPPPoED), []byte{0x11, 9}, u16(0), u16(0)), nil, nil},
		{"PPPoE IPv4 with wrong version", cat(outer(etPPPoES), []byte{0x11, 0}, u16(1), u16(0), u16(0x21), innerIP6), nil, nil},
	})
}

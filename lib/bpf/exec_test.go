package bpf

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/pcappush/pcappush/internal/testutil"
)

// batch is packets laid out for one pcap_offline_filter call over all.
type batch struct {
	buf                  []byte
	off, capLen, wireLen []uint32
	pkts                 []packet
	res                  []uint32
}

func newBatch(pkts []packet) *batch {
	b := &batch{pkts: pkts, res: make([]uint32, len(pkts))}
	for _, p := range pkts {
		b.off = append(b.off, uint32(len(b.buf)))
		b.capLen = append(b.capLen, uint32(len(p.data)))
		b.wireLen = append(b.wireLen, p.wireLen)
		b.buf = append(b.buf, p.data...)
	}
	return b
}

// differ runs p and libpcap's pcap_offline_filter on every packet and
// reports the first disagreement.
func differ(t testing.TB, p *Program, b *batch, what string) {
	t.Helper()
	cp := newCProgram(p.raw)
	defer cp.free()
	cp.batch(b.buf, b.off, b.capLen, b.wireLen, b.res)
	for i, pk := range b.pkts {
		if got := p.Run(pk.data, pk.wireLen); got != b.res[i] {
			t.Errorf("%s: %q on packet %d (caplen %d, len %d): Run = %d; pcap_offline_filter = %d",
				what, p.Expr(), i+1, len(pk.data), pk.wireLen, got, b.res[i])
			return
		}
	}
}

// TestCorpusEqualsLibpcap: every valid expression on every corpus capture
// (its packets before any read error), compiled for the capture's link
// type, gives libpcap's verdict on every packet, whole and truncated. The
// snapshot length changes only the accepting value (TestCompileSnaplen),
// so each expression is compiled once per link type.
func TestCorpusEqualsLibpcap(t *testing.T) {
	caps := corpusCaptures(t)
	byLink := map[uint32][]packet{}
	names := map[uint32][]string{}
	for _, c := range caps {
		byLink[c.linkType] = append(append(byLink[c.linkType], c.packets...), truncations(c.packets)...)
		names[c.linkType] = append(names[c.linkType], c.name)
	}
	batches := map[uint32]*batch{}
	for lt, pkts := range byLink {
		batches[lt] = newBatch(pkts)
	}
	exprs := validFilters(t)
	compiled := 0
	for lt := range byLink {
		for _, expr := range exprs {
			p, err := Compile(expr, lt, 0)
			if err != nil {
				continue // not valid for this link type: TestCompileLinkTypes
			}
			differ(t, p, batches[lt], fmt.Sprintf("link type %d (%s)", lt, strings.Join(names[lt], ", ")))
			compiled++
		}
	}
	if len(caps) < 60 || len(byLink) < 4 || compiled < 4*len(exprs) {
		t.Fatalf("only %d captures of %d link types, %d programs", len(caps), len(byLink), compiled)
	}
}

// TestGeneratedEqualsLibpcap: the same on synthetic traffic with every
// encapsulation pcapgen makes.
func TestGeneratedEqualsLibpcap(t *testing.T) {
	pkts := generated(t, 11, 2000)
	b := newBatch(append(pkts, truncations(pkts[:500])...))
	for _, expr := range validFilters(t) {
		p, err := Compile(expr, LinkTypeEthernet, 0)
		if err != nil {
			t.Fatal(err)
		}
		differ(t, p, b, "generated")
	}
}

// TestFiltersApply checks the shared corpus's ground truth: the packet
// numbers 150 expressions match in each of its 80 files, computed with
// libpcap 1.10.3 and cross-checked with tcpdump.
func TestFiltersApply(t *testing.T) {
	rows := readLines(t, testutil.SharedCorpus(t, "filters_apply.tsv"))
	byName := map[string]capture{}
	for _, c := range corpusCaptures(t) {
		byName[c.name] = c
	}
	checked := 0
	for _, l := range rows[1:] {
		f := fields(l)
		name, expr, status, matched := f[0], f[1], f[3], f[5]
		c, ok := byName[name]
		if !ok || c.fault != nil || strings.Contains(l, "compile error") || strings.Contains(l, "open error") {
			continue // refused files: tests in lib/pcapio; link-type errors: TestCompileLinkTypes
		}
		p, err := Compile(expr, c.linkType, int(c.snaplen))
		if err != nil {
			if strings.HasPrefix(expr, "vxlan") {
				continue // libpcap 1.11 syntax in the TESTrun part
			}
			t.Errorf("%s: Compile(%q) = %v", name, expr, err)
			continue
		}
		// libpcap stops early on be_test005.pcapng (two snapshot lengths).
		n, _ := strconv.Atoi(status)
		if n > len(c.packets) || n < len(c.packets) && !strings.Contains(l, "read stopped") {
			t.Errorf("%s: %d packets read; the table read %s", name, len(c.packets), status)
			continue
		}
		var got []int
		for i, pk := range c.packets[:n] {
			if p.Match(pk.data, pk.wireLen) {
				got = append(got, i+1)
			}
		}
		if g := ranges(got); g != matched {
			t.Errorf("%s %q: matched %q; want %q", name, expr, g, matched)
		}
		checked++
	}
	if checked < 10000 {
		t.Errorf("only %d (file, expression) rows checked", checked)
	}
}

// ranges writes packet numbers as the table does: "1-3,7".
func ranges(nums []int) string {
	var b strings.Builder
	for i := 0; i < len(nums); {
		j := i
		for j+1 < len(nums) && nums[j+1] == nums[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		if j > i {
			fmt.Fprintf(&b, "%d-%d", nums[i], nums[j])
		} else {
			fmt.Fprintf(&b, "%d", nums[i])
		}
		i = j + 1
	}
	return b.String()
}

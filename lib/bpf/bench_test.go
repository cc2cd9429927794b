package bpf

import (
	"testing"
)

// benchExprs are the benchmark suite's two filters: the reference's
// example and a long compound expression.
var benchExprs = map[string]string{
	"net-and-tcp": "net 192.168.1.0/24 and tcp",
	"compound":    longExpr,
}

// longExpr is the long compound filter of the benchmarks.
const longExpr = "(net 192.168.1.0/24 or net 10.0.0.0/8 or host 172.16.5.4) and " +
	"(tcp dst port 443 or tcp port 9200 or tcp portrange 9100-9110 or udp port 53) and not icmp" +
	" or (ip6 and tcp and (port 443 or port 9102)) or (vlan and udp port 4789)"

// BenchmarkMatch compares the ways to run a compiled filter on the
// packets of generated traffic: the Go executor, one cgo call into
// libpcap's pcap_offline_filter per packet, and one cgo call per batch of
// packets (offsets into one buffer).
func BenchmarkMatch(b *testing.B) {
	// Packets lie one after the other in one buffer of about 1 MB, as
	// they do in a reader's buffer.
	bt := newBatch(generated(b, 1, 3000))
	pkts := make([]packet, len(bt.pkts))
	for i, p := range bt.pkts {
		pkts[i] = packet{bt.buf[bt.off[i] : bt.off[i]+bt.capLen[i]], p.wireLen}
	}
	var bytes int64
	for _, p := range pkts {
		bytes += int64(len(p.data))
	}
	for name, expr := range benchExprs {
		p, err := Compile(expr, LinkTypeEthernet, 0)
		if err != nil {
			b.Fatal(err)
		}
		c := newCProgram(p.raw)
		b.Run(name+"/go", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(bytes)
			for b.Loop() {
				for _, pk := range pkts {
					p.Match(pk.data, pk.wireLen)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(pkts)), "ns/packet")
		})
		b.Run(name+"/cgo-per-packet", func(b *testing.B) {
			b.SetBytes(bytes)
			for b.Loop() {
				for _, pk := range pkts {
					c.run(pk.data, pk.wireLen)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(pkts)), "ns/packet")
		})
		b.Run(name+"/cgo-batch", func(b *testing.B) {
			b.SetBytes(bytes)
			for b.Loop() {
				c.batch(bt.buf, bt.off, bt.capLen, bt.wireLen, bt.res)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(pkts)), "ns/packet")
		})
		c.free()
	}
}

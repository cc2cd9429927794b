// Package synth generates synthetic Ethernet captures for tests, demos and
// benchmarks: reproducible from a seed, fast (no allocation per packet) and
// realistic enough that tcpdump and tshark decode every packet cleanly and
// that compressors see the ratios of real traffic.
//
// # Traffic
//
// Frame sizes follow the classic IMIX: 7 small, 4 medium and 1 large in 12,
// that is outermost IP packets of 40, 576 and 1500 bytes (frames of 64, 594
// and 1518 bytes on the wire; captured without the FCS, so 60, 590 and 1514
// bytes). Protocols that cannot take those sizes (ARP, DNS queries, tunnel
// headers, WireGuard's 16-byte blocks) vary around them.
//
// Most packets are IPv4 TCP, some with an end in 192.168.1.0/24 and some
// not, with consistent sequence and acknowledgement numbers. The rest is
// IPv6 TCP, DNS over IPv4 and IPv6 (query then response), WireGuard on UDP
// 51820, ICMP and ICMPv6 echo (request then reply) and ARP (request then
// reply).
//
// # Payloads
//
// TCP flows carry one of three kinds of payload, so that compressors see
// the mix of real traffic (gzip -1 about 1.9x, zstd -1 about 2.1x overall):
// JSON API bodies, access and application logs on port 9200 (text); TLS
// application data records of random bytes on port 443 (incompressible);
// or backup blocks of zeros, repeated patterns and fixed-width records on
// port 9102 (very compressible). The text deliberately contains no
// "HTTP/1.1" and no port 80: tshark's HTTP dissector takes any segment that
// holds such a line for the start of a message and then flags the rest of
// the stream, which a generator cutting text at random cannot avoid.
//
// A fraction of the packets (Options.Encap) is encapsulated: 802.1Q VLAN,
// QinQ (802.1ad then 802.1Q), IPv4 in GRE, Ethernet in GRE (0x6558), and
// VXLAN on UDP 4789 with a plain or VLAN-tagged inner frame. Tunnels run
// between addresses outside 192.168.1.0/24 and most of their inner TCP has
// an end inside it, so decapsulating before filtering on
// "net 192.168.1.0/24 and tcp" finds packets that a plain filter misses.
//
// Every IPv4 header checksum and TCP, UDP, ICMP and ICMPv6 checksum is
// computed, lengths are exact and short frames are padded to 60 bytes.
//
// # Time and size
//
// Timestamps start at Options.Start, never decrease and stay before
// Start+Duration. Packets come in bursts at gigabit wire speed; the rate
// between bursts swells and ebbs over the span.
//
// A run ends after Options.Packets packets, or when the file reaches
// exactly Options.Size bytes (the last few frames are sized to fit).
//
// # Determinism
//
// The same Options give byte-identical output, on any platform and Go
// release: the generator uses its own random number generator.
//
// # Example
//
//	opt := synth.DefaultOptions()
//	opt.Seed = 42
//	opt.Size = 100e6 // a 100 MB file
//	stats, err := synth.Generate(ctx, w, opt)
//	if err != nil {
//		return err
//	}
//	log.Printf("%d packets, %d encapsulated", stats.Packets, stats.Encapsulated)
//
// Or packet by packet, without a file:
//
//	g, err := synth.New(opt)
//	if err != nil {
//		return err
//	}
//	for rec, ok := g.Next(); ok; rec, ok = g.Next() {
//		consume(rec) // rec.Data is reused by the next call
//	}
package synth

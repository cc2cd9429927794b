// Package decap removes tags, labels and tunnels from packets so that
// filters and consumers see the inner traffic.
//
// # What it removes
//
// A Decapper walks each packet from its outer Ethernet header inwards and
// removes, recursively and in any nesting, every header it knows (see
// Family): VLAN tags (802.1Q, 802.1ad, 0x9100, 0x9200), VN-Tag, E-Tag, PBB,
// Cisco FabricPath and MetaData, Arista timestamp headers, MPLS label stacks
// and Ethernet pseudowires, PPPoE sessions, NSH, GRE (every flag
// combination, and PPTP's enhanced GRE), ERSPAN I/II/III, IP in IP, EtherIP,
// VXLAN, VXLAN-GPE, GENEVE, GTP-U, CAPWAP data, MPLS in UDP, Teredo and
// L2TPv2 data. Arista 7130/Metamako timestamp trailers are cut off the end.
//
// # Output form
//
// An L2 tunnel (ERSPAN, VXLAN, GENEVE, GRE bridging, pseudowires,
// FabricPath, PBB) leaves the inner Ethernet frame. Tags and L3 tunnels
// leave an Ethernet frame with the outer addresses, the inner packet's
// EtherType and the inner packet: a new 14-byte header followed by the rest
// of the original packet. Decap therefore returns a head (nil or 14 bytes
// in the Decapper's own buffer) and a body (a sub-slice of the packet), to
// be written one after the other; nothing is copied and nothing allocated.
// Lengths computes the new original length.
//
// Each step is taken only when its header is complete within the captured
// bytes and valid; otherwise the packet is returned with the steps taken so
// far (often none: unchanged). Decap never reads past the captured bytes and
// never panics. Options.MaxDepth bounds the steps per packet.
//
// # Link types
//
// Ethernet is decapsulated. Linux cooked (SLL, SLL2), raw IP and BSD
// loopback packets first get an Ethernet header (zero destination, the
// cooked header's address as source), so that the output is Ethernet.
// Other link types pass unchanged, with their own link type.
//
// # Example
//
//	d := decap.New(r.LinkType(), decap.Options{})
//	w := pcapio.NewWriter(os.Stdout, d.OutputLinkType(), r.Snaplen())
//	for {
//		rec, err := r.Next()
//		if err != nil {
//			break
//		}
//		head, body := d.Decap(rec.Time, rec.OrigLen, rec.Data)
//		orig := decap.Lengths(len(rec.Data), rec.OrigLen, len(head)+len(body))
//		if err := w.WritePacketParts(rec.Time, orig, head, body); err != nil {
//			return err
//		}
//	}
//
// Run does all of this for a whole stream, with clock ticks, SIGTERM and
// flushing while the input is quiet.
package decap

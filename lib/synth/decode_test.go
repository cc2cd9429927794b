package synth

import (
	"net"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// census counts what an independent decoder (gopacket) finds in a capture.
type census struct {
	packets, encapsulated      int
	vlan, qinq, gre, teb       int
	vxlan, vxlanTagged         int
	ipv6, arp, dns, icmp, wg   int
	tunnelLAN, plainLAN        int // TCP with an end in 192.168.1.0/24, encapsulated or not
	checksums                  int // transport and IPv4 checksums verified
	tcpText, tcpTLS, tcpBulk   int
	decodeErrors, badChecksums []string
}

var lan = &net.IPNet{IP: net.IP{192, 168, 1, 0}, Mask: net.CIDRMask(24, 32)}

func TestDecodeAll(t *testing.T) {
	opt := options(30000)
	opt.Encap = 0.3
	data, st := generate(t, opt)
	var c census
	for i, p := range readAll(t, data) {
		c.add(i+1, gopacket.NewPacket(p.data, layers.LayerTypeEthernet, gopacket.Default))
	}
	for _, e := range append(c.decodeErrors, c.badChecksums...) {
		t.Error(e)
	}
	t.Logf("%+v", c)
	if int64(c.encapsulated) != st.Encapsulated {
		t.Errorf("decoder finds %d encapsulated packets; Stats.Encapsulated = %d", c.encapsulated, st.Encapsulated)
	}
	checkShare(t, "encapsulated packets", c.encapsulated, float64(c.packets), 0.28, 0.32)
	for what, n := range map[string]int{
		"802.1Q": c.vlan, "QinQ": c.qinq, "IP in GRE": c.gre, "Ethernet in GRE": c.teb,
		"VXLAN": c.vxlan, "VLAN in VXLAN": c.vxlanTagged, "IPv6": c.ipv6, "ARP": c.arp,
		"DNS": c.dns, "ICMP": c.icmp, "WireGuard": c.wg, "encapsulated LAN TCP": c.tunnelLAN,
		"plain LAN TCP": c.plainLAN, "JSON TCP": c.tcpText, "TLS TCP": c.tcpTLS, "bulk TCP": c.tcpBulk,
	} {
		if n < 50 {
			t.Errorf("%s: %d packets; want at least 50", what, n)
		}
	}
}

// add decodes one packet into the census.
func (c *census) add(n int, pkt gopacket.Packet) {
	c.packets++
	if e := pkt.ErrorLayer(); e != nil {
		c.decodeErrors = append(c.decodeErrors, e.Error().Error())
		return
	}
	tunnelled := c.countEncap(pkt)
	var netLayer gopacket.NetworkLayer
	for _, l := range pkt.Layers() {
		switch l := l.(type) {
		case *layers.IPv4:
			netLayer = l
			c.verify(n, "IPv4", l)
		case *layers.IPv6:
			netLayer = l
			c.ipv6++
		case *layers.TCP:
			c.tcp(n, l, netLayer, tunnelled)
		case *layers.UDP:
			c.udp(n, l, netLayer)
		case *layers.ICMPv4:
			c.icmp++
			c.verify(n, "ICMPv4", l)
		case *layers.ICMPv6:
			c.icmp++
			_ = l.SetNetworkLayerForChecksum(netLayer)
			c.verify(n, "ICMPv6", l)
		case *layers.ARP:
			c.arp++
		}
	}
}

// countEncap counts the encapsulation of pkt and reports whether it has
// one.
func (c *census) countEncap(pkt gopacket.Packet) bool {
	eth := pkt.Layer(layers.LayerTypeEthernet).(*layers.Ethernet)
	vx := pkt.Layer(layers.LayerTypeVXLAN)
	switch {
	case eth.EthernetType == layers.EthernetTypeQinQ:
		c.qinq++
	case eth.EthernetType == layers.EthernetTypeDot1Q:
		c.vlan++
	case vx != nil && pkt.Layer(layers.LayerTypeDot1Q) != nil:
		c.vxlanTagged++
	case vx != nil:
		c.vxlan++
	case pkt.Layer(layers.LayerTypeGRE) != nil:
		if pkt.Layer(layers.LayerTypeGRE).(*layers.GRE).Protocol == layers.EthernetTypeTransparentEthernetBridging {
			c.teb++
		} else {
			c.gre++
		}
	default:
		return false
	}
	c.encapsulated++
	return true
}

func (c *census) tcp(n int, l *layers.TCP, ip gopacket.NetworkLayer, tunnelled bool) {
	_ = l.SetNetworkLayerForChecksum(ip)
	c.verify(n, "TCP", l)
	if v4, ok := ip.(*layers.IPv4); ok && (lan.Contains(v4.SrcIP) || lan.Contains(v4.DstIP)) {
		if tunnelled {
			c.tunnelLAN++
		} else {
			c.plainLAN++
		}
	}
	switch {
	case l.SrcPort == portJSON || l.DstPort == portJSON:
		c.tcpText++
	case l.SrcPort == portTLS || l.DstPort == portTLS:
		c.tcpTLS++
	case l.SrcPort == portBulk || l.DstPort == portBulk:
		c.tcpBulk++
	}
}

func (c *census) udp(n int, l *layers.UDP, ip gopacket.NetworkLayer) {
	_ = l.SetNetworkLayerForChecksum(ip)
	c.verify(n, "UDP", l)
	if int(l.Length) != len(l.Contents)+len(l.Payload) {
		c.badChecksums = append(c.badChecksums, "UDP length mismatch")
	}
	switch {
	case l.SrcPort == portDNS || l.DstPort == portDNS:
		c.dns++
	case l.SrcPort == portWG || l.DstPort == portWG:
		c.wg++
	}
}

// verifier is a gopacket layer that can check its own checksum.
type verifier interface {
	VerifyChecksum() (error, gopacket.ChecksumVerificationResult)
}

func (c *census) verify(n int, what string, l verifier) {
	err, res := l.VerifyChecksum()
	c.checksums++
	if err != nil || !res.Valid {
		c.badChecksums = append(c.badChecksums, what+" checksum bad in packet "+itoa(n))
	}
}

func itoa(n int) string { return string(appendNum(nil, n)) }

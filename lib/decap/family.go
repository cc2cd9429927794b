package decap

import "strings"

// Family is one decoder family: a kind of header that pcap_decap removes
// and that --no-<name> turns off.
type Family uint8

// The decoder families, in the order the statistics list them.
const (
	VLAN        Family = iota // 802.1Q, 802.1ad and the old 0x9100/0x9200 tags
	VNTag                     // Cisco VN-Tag (0x8926)
	ETag                      // 802.1BR E-Tag (0x893F)
	PBB                       // 802.1ah provider backbone I-Tag (0x88E7)
	FabricPath                // Cisco FabricPath (0x8903)
	CMD                       // Cisco MetaData (0x8909), in Ethernet or GRE
	Arista                    // Arista timestamp header (0xD28B) and 7130/Metamako trailer
	MPLS                      // MPLS label stacks and Ethernet pseudowires
	PPPoE                     // PPPoE session (0x8864) carrying IPv4, IPv6 or MPLS
	NSH                       // Network Service Header (0x894F, VXLAN-GPE)
	GRE                       // GRE v0 (IPv4, IPv6, 0x6558 bridging, MPLS) and v1 (PPTP)
	ERSPAN                    // ERSPAN types I, II and III
	IPIP                      // IPv4 and IPv6 in IPv4 or IPv6 (protocols 4 and 41)
	EtherIP                   // Ethernet in IP (protocol 97)
	VXLAN                     // VXLAN (UDP 4789, 8472)
	VXLANGPE                  // VXLAN-GPE (UDP 4790)
	GENEVE                    // GENEVE (UDP 6081)
	GTP                       // GTP-U (UDP 2152)
	CAPWAP                    // CAPWAP data (UDP 5247), 802.3 or native 802.11
	MPLSUDP                   // MPLS in UDP (UDP 6635)
	Teredo                    // Teredo (UDP 3544)
	L2TP                      // L2TPv2 data (UDP 1701) carrying PPP
	NumFamilies               // the number of families
)

var familyNames = [NumFamilies]string{
	"vlan", "vntag", "etag", "pbb", "fabricpath", "cmd", "arista", "mpls",
	"pppoe", "nsh", "gre", "erspan", "ipip", "etherip", "vxlan", "vxlan-gpe",
	"geneve", "gtp", "capwap", "mpls-udp", "teredo", "l2tp",
}

var familyDocs = [NumFamilies]string{
	"802.1Q, 802.1ad (QinQ) and 0x9100/0x9200 VLAN tags",
	"Cisco VN-Tag (0x8926)",
	"802.1BR E-Tag (0x893F)",
	"802.1ah provider backbone bridging (0x88E7)",
	"Cisco FabricPath (0x8903)",
	"Cisco MetaData (0x8909)",
	"Arista 7150/7280 timestamp headers (0xD28B) and 7130/Metamako trailers",
	"MPLS label stacks and Ethernet pseudowires",
	"PPPoE sessions (0x8864)",
	"Network Service Header (0x894F)",
	"GRE tunnels (IPv4, IPv6, Ethernet, MPLS, PPTP; also GRE in UDP 4754)",
	"ERSPAN types I, II and III",
	"IP in IP (IPv4 and IPv6 in IPv4 or IPv6)",
	"EtherIP (IP protocol 97)",
	"VXLAN (UDP 4789 and 8472 unless --vxlan-port says otherwise)",
	"VXLAN-GPE (UDP 4790)",
	"GENEVE (UDP 6081)",
	"GTP-U (UDP 2152)",
	"CAPWAP data (UDP 5247)",
	"MPLS in UDP (UDP 6635)",
	"Teredo (UDP 3544)",
	"L2TPv2 data (UDP 1701)",
}

// String returns the family's name as used in --no-<name> and --stats.
func (f Family) String() string {
	if f < NumFamilies {
		return familyNames[f]
	}
	return "unknown"
}

// Doc returns a one-line description of what the family removes.
func (f Family) Doc() string {
	if f < NumFamilies {
		return familyDocs[f]
	}
	return ""
}

// ParseFamily returns the family of a name such as "vxlan".
func ParseFamily(name string) (Family, bool) {
	for i, n := range familyNames {
		if strings.EqualFold(n, name) {
			return Family(i), true
		}
	}
	return 0, false
}

// Set is a set of families.
type Set uint32

// Has reports whether f is in the set.
func (s Set) Has(f Family) bool { return s&(1<<f) != 0 }

// With returns the set with f added.
func (s Set) With(f Family) Set { return s | 1<<f }

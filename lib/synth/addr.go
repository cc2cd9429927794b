package synth

type (
	mac [6]byte
	ip4 [4]byte
	ip6 [16]byte
)

// host is one end of a flow: its addresses and the MAC address that frames
// towards it carry (a router's when the host is off-link).
type host struct {
	mac  mac
	v4   ip4
	v6   ip6
	port uint16
}

var (
	broadcast = mac{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	router    = mac{0x00, 0x1b, 0x21, 0x3a, 0x4c, 0x01}
)

// Ephemeral client ports are drawn from [portLo, portHi): tshark registers
// no dissector there, and all are below the WireGuard port.
const (
	portLo = 50000
	portHi = 51800
)

// macOf derives a stable, locally administered MAC address from an IPv4
// address, so a host keeps its MAC across flows.
func macOf(a ip4) mac {
	return mac{0x02, 0x42, a[0] ^ a[1], a[1] ^ 0x5a, a[2], a[3]}
}

// lanHost returns a host in 192.168.1.0/24, skipping the gateway .1.
func lanHost(r *rng) ip4 {
	return ip4{192, 168, 1, byte(r.between(2, 254))}
}

// privHost returns a host in 10.0.0.0/8 outside the tunnel endpoints.
func privHost(r *rng) ip4 {
	return ip4{10, byte(r.between(1, 99)), byte(r.intn(256)), byte(r.between(1, 254))}
}

// publicHosts stand for Internet servers; the documentation ranges keep the
// trace clear of real addresses.
var publicNets = [...]ip4{{198, 51, 100, 0}, {203, 0, 113, 0}, {192, 0, 2, 0}}

func publicHost(r *rng) ip4 {
	a := publicNets[r.intn(len(publicNets))]
	a[3] = byte(r.between(1, 254))
	return a
}

// server returns a server near or far from a client in the given network.
func server(r *rng, lan bool) ip4 {
	switch {
	case lan && r.chance(0.2):
		return lanHost(r)
	case !lan && r.chance(0.4):
		return ip4{172, byte(r.between(16, 31)), byte(r.intn(256)), byte(r.between(1, 254))}
	}
	return publicHost(r)
}

// v6Of maps an IPv4 address into 2001:db8::/32 so IPv6 flows get stable,
// distinct addresses.
func v6Of(a ip4) ip6 {
	return ip6{0x20, 0x01, 0x0d, 0xb8, 0, a[0], 0, a[1], 0, 0, 0, 0, 0, a[2], 0, a[3]}
}

// sameLink reports whether two addresses share a /24, that is whether frames
// between them go without a router.
func sameLink(a, b ip4) bool { return a[0] == b[0] && a[1] == b[1] && a[2] == b[2] }

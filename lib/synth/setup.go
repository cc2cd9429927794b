package synth

// Weights of the protocol and encapsulation mixes, per flow pick. Requests
// and their replies (DNS, ICMP, ARP) count two packets per pick.
var (
	protoWeights = [nProto]float64{
		pTCP4: 0.74, pTCP6: 0.08, pDNS4: 0.06, pDNS6: 0.01,
		pWG4: 0.05, pICMP4: 0.035, pICMP6: 0.01, pARP: 0.015,
	}
	encapWeights = [nEncap]float64{
		eVLAN: 0.30, eQinQ: 0.15, eGRE: 0.20, eTEB: 0.10,
		eVXLAN: 0.15, eVXLANTag: 0.10,
	}
	contentWeights = []float64{cText: 0.45, cTLS: 0.35, cBulk: 0.20}
)

// cellSize returns how many flows of one protocol and encapsulation run at
// once; plain IPv4 TCP, the bulk of the traffic, gets the most.
func cellSize(e encap, p proto) int {
	switch {
	case e == ePlain && p == pTCP4:
		return 96
	case e == ePlain:
		return 8
	case p == pTCP4:
		return 16
	}
	return 3
}

// cellProto returns the protocol actually carried by a cell: plain GRE
// carries IP only, so its ARP share becomes ICMP.
func cellProto(e encap, p proto) proto {
	if e == eGRE && p == pARP {
		return pICMP4
	}
	return p
}

// setup starts a new conversation in f: hosts, ports, tunnel, sequence
// numbers and lifetime are drawn afresh, and the templates rebuilt.
func (g *Generator) setup(f *flow, e encap, p proto) {
	r := &g.r
	f.encap, f.proto = e, p
	f.content = content(r.pick(g.contentCum))
	lan := r.chance(0.4)
	if e != ePlain {
		lan = r.chance(0.8)
	}
	cli, srv := g.endpoints(p, lan)
	f.cli = host{mac: macOf(cli), v4: cli, v6: v6Of(cli)}
	f.srv = host{mac: router, v4: srv, v6: v6Of(srv)}
	if sameLink(cli, srv) {
		f.srv.mac = macOf(srv)
	}
	f.srv.port = f.serverPort()
	f.ttl = [2]uint8{64, uint8(64 - r.between(2, 12))}
	if r.chance(0.3) {
		f.ttl = [2]uint8{128, uint8(128 - r.between(2, 12))}
	}
	f.label = uint32(r.next() & 0xfffff)
	g.setupTunnel(f)
	g.restart(f)
}

// endpoints returns client and server addresses suited to the protocol.
func (g *Generator) endpoints(p proto, lan bool) (cli, srv ip4) {
	r := &g.r
	cli = privHost(r)
	if lan {
		cli = lanHost(r)
	}
	switch p {
	case pDNS4, pDNS6:
		srv = ip4{10, 0, 0, 53}
		if lan {
			srv = ip4{192, 168, 1, 1}
		}
	case pARP:
		srv = cli
		srv[3] = byte(r.between(1, 254))
	case pWG4:
		srv = publicHost(r)
	default:
		srv = server(r, lan)
	}
	if srv == cli {
		srv[3] ^= 1
	}
	return cli, srv
}

// serverPort returns the well-known port of f's service.
func (f *flow) serverPort() uint16 {
	switch f.proto {
	case pDNS4, pDNS6:
		return portDNS
	case pWG4:
		return portWG
	case pTCP4, pTCP6:
		return [...]uint16{cText: portJSON, cTLS: portTLS, cBulk: portBulk}[f.content]
	}
	return 0
}

// setupTunnel chooses VLAN IDs, VNI and tunnel endpoints outside
// 192.168.1.0/24.
func (g *Generator) setupTunnel(f *flow) {
	r := &g.r
	f.vid = [...]int{10, 20, 30, 100, 200, 1001}[r.intn(6)]
	f.svid = [...]int{300, 301, 400}[r.intn(3)]
	f.vni = uint32(r.between(5000, 5099))
	f.vxPort = uint16(r.between(49152, 65535))
	a := ip4{10, 200, 0, byte(r.between(1, 20))}
	b := ip4{172, 31, byte(r.between(0, 3)), byte(r.between(1, 20))}
	f.vtep = [2]host{{mac: macOf(a), v4: a}, {mac: router, v4: b}}
}

// restart gives f a new client port, sequence numbers, IDs and lifetime,
// then builds its templates.
func (g *Generator) restart(f *flow) {
	r := &g.r
	f.cli.port = g.port
	g.port++
	if g.port >= portHi {
		g.port = portLo
	}
	f.seq = [2]uint32{uint32(r.next()), uint32(r.next())}
	f.acked = [2]uint32{f.seq[1], f.seq[0]}
	f.id = [2]uint16{uint16(r.next()), uint16(r.next())}
	f.window = [2]uint16{[...]uint16{64240, 65535, 29200, 62727}[r.intn(4)], uint16(r.between(16384, 65535))}
	f.echo = uint16(r.next())
	f.wgIdx = [2]uint32{uint32(r.next()), uint32(r.next())}
	f.wgCtr = [2]uint64{}
	f.life = r.between(20, 3000)
	f.build()
}

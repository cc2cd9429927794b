package synth

import "encoding/binary"

// dnsQuery builds a query from the client and schedules the response,
// whose size class decides the record type asked for.
func (g *Generator) dnsQuery(f *flow) int {
	f.echo++
	f.reply = g.class()
	f.name = g.r.intn(len(dnsNames))
	t := &f.t[0]
	b := g.begin(t)
	putDNSHeader(b, f.echo, 0x0100, 0)
	n := 12 + putQuestion(b[12:], dnsNames[f.name], f.qtype())
	g.pending = f
	return g.end(f, 0, t.n+n)
}

// qtype returns the record type of f's pending DNS exchange: an address
// for a small answer, TXT for the bigger ones.
func (f *flow) qtype() uint16 {
	switch {
	case f.reply != small:
		return dnsTXT
	case f.proto == pDNS6:
		return dnsAAAA
	}
	return dnsA
}

// dnsReply builds the server's answer to the last query: one address, or a
// TXT record that brings the packet to its size class.
func (g *Generator) dnsReply(f *flow) int {
	t := &f.t[1]
	b := g.begin(t)
	putDNSHeader(b, f.echo, 0x8180, 1)
	n := 12 + putQuestion(b[12:], dnsNames[f.name], f.qtype())
	rdlen := 4
	switch f.qtype() {
	case dnsAAAA:
		rdlen = 16
	case dnsTXT:
		rdlen = max(1, sized(t, f.reply)-n-12)
	}
	n += putAnswer(b[n:], f.qtype(), uint32(g.r.between(30, 3600)), rdlen)
	if f.qtype() == dnsTXT {
		putTXT(b[n:n+rdlen], g.text[g.r.intn(len(g.text)-rdlen):])
	} else {
		g.r.fill(b[n : n+rdlen])
	}
	return g.end(f, 1, t.n+n+rdlen)
}

// wg builds a WireGuard transport data message of size class c from
// direction d: type 4, receiver index, counter, then encrypted bytes in
// 16-byte blocks plus the 16-byte tag.
func (g *Generator) wg(f *flow, d int, c sizeClass) int {
	t := &f.t[d]
	n := max(32, sized(t, c)&^15)
	b := g.begin(t)[:n]
	binary.LittleEndian.PutUint32(b[0:], 4)
	binary.LittleEndian.PutUint32(b[4:], f.wgIdx[1-d])
	binary.LittleEndian.PutUint64(b[8:], f.wgCtr[d])
	f.wgCtr[d]++
	g.r.fill(b[16:])
	return g.end(f, d, t.n+n)
}

// echo builds an echo request (d = 0, scheduling the reply) or reply of
// f's pending size class.
func (g *Generator) echo(f *flow, d int) int {
	t := &f.t[d]
	n := sized(t, f.reply)
	if f.proto == pICMP6 {
		n = max(n, 16)
	}
	fillEcho(g.begin(t)[:n], f.echo)
	binary.BigEndian.PutUint16(g.buf[t.l4+6:], f.echo)
	if d == 0 {
		g.pending = f
	}
	return g.end(f, d, t.n+n)
}

// arp builds a request (d = 0, scheduling the reply) or a reply.
func (g *Generator) arp(f *flow, d int) int {
	t := &f.t[d]
	g.begin(t)
	if d == 0 {
		g.pending = f
	}
	return g.end(f, d, t.n)
}

package synth

import "encoding/binary"

// fillText copies text-like bytes into b.
func (g *Generator) fillText(b []byte) {
	copy(b, g.text[g.r.intn(len(g.text)-len(b)):])
}

// fillBulk copies repetitive bytes into b.
func (g *Generator) fillBulk(b []byte) {
	p := g.bulk
	copy(b, p[g.r.intn(len(p)-len(b)):])
}

// fillTLS writes one TLS 1.2 application data record with a random
// (encrypted-looking) body filling b.
func (g *Generator) fillTLS(b []byte) {
	if len(b) < 6 {
		g.r.fill(b)
		return
	}
	b[0], b[1], b[2] = 0x17, 0x03, 0x03
	binary.BigEndian.PutUint16(b[3:], uint16(len(b)-5))
	g.r.fill(b[5:])
}

// fillTCP fills a TCP payload according to what the flow carries.
func (g *Generator) fillTCP(f *flow, b []byte) {
	switch f.content {
	case cText:
		g.fillText(b)
	case cTLS:
		g.fillTLS(b)
	default:
		g.fillBulk(b)
	}
}

// fillEcho writes ping-style echo data: an 8-byte stamp derived from the
// sequence number, then incrementing bytes. Request and reply match.
func fillEcho(b []byte, seq uint16) {
	copy(b, echoPattern[:])
	if len(b) >= 8 {
		binary.LittleEndian.PutUint64(b, 0x60ab7a64_00000000|uint64(seq)<<8)
	}
}

// echoPattern holds the bytes 0x10, 0x11, ... that ping sends.
var echoPattern = func() (p [bufSize]byte) {
	for i := range p {
		p[i] = byte(0x10 + i)
	}
	return p
}()

// dnsNames are the names looked up, in wire format.
var dnsNames = encodeNames(
	"www.example.com", "api.example.com", "cdn.example.net",
	"mail.example.org", "updates.example.net", "login.example.com",
	"static.assets.example.org", "time.example.net",
)

func encodeNames(names ...string) [][]byte {
	out := make([][]byte, len(names))
	for i, n := range names {
		var w []byte
		start := 0
		for j := 0; j <= len(n); j++ {
			if j == len(n) || n[j] == '.' {
				w = append(w, byte(j-start))
				w = append(w, n[start:j]...)
				start = j + 1
			}
		}
		out[i] = append(w, 0)
	}
	return out
}

// DNS record types used.
const (
	dnsA    = 1
	dnsTXT  = 16
	dnsAAAA = 28
)

// putDNSHeader writes a DNS header with one question and an answers.
func putDNSHeader(b []byte, id, flags uint16, an int) {
	be := binary.BigEndian
	be.PutUint16(b[0:], id)
	be.PutUint16(b[2:], flags)
	be.PutUint16(b[4:], 1)
	be.PutUint16(b[6:], uint16(an))
	be.PutUint32(b[8:], 0)
}

// putQuestion writes a question for name and qtype and returns its length.
func putQuestion(b []byte, name []byte, qtype uint16) int {
	n := copy(b, name)
	binary.BigEndian.PutUint16(b[n:], qtype)
	binary.BigEndian.PutUint16(b[n+2:], 1)
	return n + 4
}

// putAnswer writes a resource record naming the question (pointer 0xc00c)
// and returns its length; the caller writes rdlen bytes of data after it.
func putAnswer(b []byte, typ uint16, ttl uint32, rdlen int) int {
	be := binary.BigEndian
	be.PutUint16(b[0:], 0xc00c)
	be.PutUint16(b[2:], typ)
	be.PutUint16(b[4:], 1)
	be.PutUint32(b[6:], ttl)
	be.PutUint16(b[10:], uint16(rdlen))
	return 12
}

// putTXT fills b with TXT character-strings taken from text.
func putTXT(b, text []byte) {
	for len(b) > 0 {
		n := min(len(b)-1, 255)
		b[0] = byte(n)
		copy(b[1:1+n], text)
		text = text[n:]
		b = b[1+n:]
	}
}

package pcapio

import (
	"encoding/binary"
)

// Builders of test inputs, byte by byte, in either byte order.

type pkt struct {
	sec, frac uint32
	capLen    uint32 // written as is; len(data) bytes follow
	origLen   uint32
	data      []byte
}

// classic returns a classic pcap file.
func classic(order binary.ByteOrder, magic uint32, snaplen, linkType uint32, pkts ...pkt) []byte {
	b := make([]byte, 24)
	order.PutUint32(b[0:], magic)
	order.PutUint16(b[4:], 2)
	order.PutUint16(b[6:], 4)
	order.PutUint32(b[16:], snaplen)
	order.PutUint32(b[20:], linkType)
	for _, p := range pkts {
		h := make([]byte, 16)
		order.PutUint32(h[0:], p.sec)
		order.PutUint32(h[4:], p.frac)
		order.PutUint32(h[8:], p.capLen)
		order.PutUint32(h[12:], p.origLen)
		b = append(append(b, h...), p.data...)
	}
	return b
}

// ng builds pcapng blocks in one byte order.
type ng struct {
	o binary.ByteOrder
	b []byte
}

func pad4(b []byte) []byte {
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// block appends a block of type typ with body (padded).
func (n *ng) block(typ uint32, body []byte) *ng {
	body = pad4(append([]byte(nil), body...))
	l := uint32(12 + len(body))
	h := make([]byte, 8)
	n.o.PutUint32(h[0:], typ)
	n.o.PutUint32(h[4:], l)
	t := make([]byte, 4)
	n.o.PutUint32(t, l)
	n.b = append(append(append(n.b, h...), body...), t...)
	return n
}

func (n *ng) shb() *ng {
	body := make([]byte, 16)
	n.o.PutUint32(body[0:], 0x1a2b3c4d)
	n.o.PutUint16(body[4:], 1)
	n.o.PutUint16(body[6:], 0)
	n.o.PutUint64(body[8:], ^uint64(0))
	return n.block(0x0a0d0d0a, body)
}

// opt encodes one option.
func (n *ng) opt(code uint16, val []byte) []byte {
	h := make([]byte, 4)
	n.o.PutUint16(h[0:], code)
	n.o.PutUint16(h[2:], uint16(len(val)))
	return pad4(append(h, val...))
}

func (n *ng) idb(linkType uint16, snaplen uint32, opts ...[]byte) *ng {
	body := make([]byte, 8)
	n.o.PutUint16(body[0:], linkType)
	n.o.PutUint32(body[4:], snaplen)
	for _, o := range opts {
		body = append(body, o...)
	}
	if len(opts) > 0 {
		body = append(body, 0, 0, 0, 0)
	}
	return n.block(1, body)
}

func (n *ng) epb(iface uint32, ts uint64, origLen uint32, data []byte) *ng {
	body := make([]byte, 20)
	n.o.PutUint32(body[0:], iface)
	n.o.PutUint32(body[4:], uint32(ts>>32))
	n.o.PutUint32(body[8:], uint32(ts))
	n.o.PutUint32(body[12:], uint32(len(data)))
	n.o.PutUint32(body[16:], origLen)
	return n.block(6, append(body, data...))
}

func (n *ng) opb(iface uint16, ts uint64, origLen uint32, data []byte) *ng {
	body := make([]byte, 20)
	n.o.PutUint16(body[0:], iface)
	n.o.PutUint32(body[4:], uint32(ts>>32))
	n.o.PutUint32(body[8:], uint32(ts))
	n.o.PutUint32(body[12:], uint32(len(data)))
	n.o.PutUint32(body[16:], origLen)
	return n.block(2, append(body, data...))
}

func (n *ng) spb(origLen uint32, data []byte) *ng {
	body := make([]byte, 4)
	n.o.PutUint32(body, origLen)
	return n.block(3, append(body, data...))
}

func u64(o binary.ByteOrder, v uint64) []byte {
	b := make([]byte, 8)
	o.PutUint64(b, v)
	return b
}

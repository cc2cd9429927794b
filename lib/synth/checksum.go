package synth

import (
	"encoding/binary"
	"math/bits"
)

// csumAdd adds b to the running one's-complement sum acc. b must start at an
// even offset of the checksummed data; an odd final byte is padded with zero.
// Words are summed 64 bits at a time: 2^16 ≡ 1 modulo 2^16-1, so the
// position of a 16-bit word inside the wider word does not change the folded
// result.
func csumAdd(acc uint64, b []byte) uint64 {
	var c uint64
	for len(b) >= 32 {
		acc, c = bits.Add64(acc, binary.BigEndian.Uint64(b), c)
		acc, c = bits.Add64(acc, binary.BigEndian.Uint64(b[8:]), c)
		acc, c = bits.Add64(acc, binary.BigEndian.Uint64(b[16:]), c)
		acc, c = bits.Add64(acc, binary.BigEndian.Uint64(b[24:]), c)
		b = b[32:]
	}
	for len(b) >= 8 {
		acc, c = bits.Add64(acc, binary.BigEndian.Uint64(b), c)
		b = b[8:]
	}
	acc = add1(acc, c)
	if len(b) >= 4 {
		acc = add1(acc, uint64(binary.BigEndian.Uint32(b)))
		b = b[4:]
	}
	if len(b) >= 2 {
		acc = add1(acc, uint64(binary.BigEndian.Uint16(b)))
		b = b[2:]
	}
	if len(b) == 1 {
		acc = add1(acc, uint64(b[0])<<8)
	}
	return acc
}

// csumFold folds a running sum to 16 bits and complements it, giving the
// value to store in a checksum field.
func csumFold(acc uint64) uint16 {
	s := (acc >> 32) + (acc & 0xffffffff)
	s = (s >> 32) + (s & 0xffffffff)
	s = (s >> 16) + (s & 0xffff)
	s = (s >> 16) + (s & 0xffff)
	s = (s >> 16) + (s & 0xffff)
	return ^uint16(s)
}

// add1 adds v to acc with end-around carry; the sum cannot overflow twice.
func add1(acc, v uint64) uint64 {
	s, c := bits.Add64(acc, v, 0)
	return s + c
}

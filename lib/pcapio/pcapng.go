package pcapio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
)

// pcapng block types read by a Reader; all others are skipped.
const (
	blockSHB = 0x0a0d0d0a // section header
	blockIDB = 0x00000001 // interface description
	blockOPB = 0x00000002 // obsolete packet
	blockSPB = 0x00000003 // simple packet
	blockEPB = 0x00000006 // enhanced packet

	bomLE = 0x1a2b3c4d // byte-order magic as read little endian

	optEnd      = 0
	optTSResol  = 9
	optTSOffset = 14

	minBlockLen = 12
	minSHBLen   = 28
	minIDBLen   = 20
)

// ngIface is what a Reader keeps of one pcapng interface: link type,
// snapshot length and how to turn its timestamps into nanoseconds.
type ngIface struct {
	linkType uint32
	snaplen  uint32
	mul      uint64 // ns = units*mul, when div and shift are zero
	div      uint64 // ns = units/div
	shift    uint   // ns = units*1e9 >> shift (binary resolution)
	offset   int64  // if_tsoffset in nanoseconds
}

type ngState struct {
	be       bool
	ifaces   []ngIface
	sections int
	lastTime int64 // time given to simple packet blocks, which carry none
	eof      bool  // input ended while looking for the first interface
}

func (r *Reader) ng16(b []byte) uint16 {
	if r.ng.be {
		return binary.BigEndian.Uint16(b)
	}
	return binary.LittleEndian.Uint16(b)
}

func (r *Reader) ng32(b []byte) uint32 {
	if r.ng.be {
		return binary.BigEndian.Uint32(b)
	}
	return binary.LittleEndian.Uint32(b)
}

// readSectionHeader reads a section header block at the current offset.
// For the first section it then reads on to the first interface
// description, so that the stream's link type is known.
func (r *Reader) readSectionHeader(first bool) error {
	num := r.packets + 1
	if first {
		r.ng, num = &ngState{}, 0
	}
	h, err := r.peek(minSHBLen, num, "section header block")
	if err != nil {
		return err
	}
	switch binary.LittleEndian.Uint32(h[8:]) {
	case bomLE:
		r.ng.be = false
	case bits.ReverseBytes32(bomLE):
		r.ng.be = true
	default:
		return r.fail(r.off, num, "section header with byte-order magic %#x: %w", h[8:12], ErrBadMagic)
	}
	if first {
		r.format = Format{PcapNG: true, BigEndian: r.ng.be}
	}
	major, minor := r.ng16(h[12:]), r.ng16(h[14:])
	if major != 1 || (minor != 0 && minor != 2) {
		return r.fail(r.off, num, "pcapng version %d.%d (want 1.0): %w", major, minor, ErrVersion)
	}
	r.ng.ifaces = r.ng.ifaces[:0]
	r.ng.sections++
	if err := r.skipBlock(blockSHB, r.ng32(h[4:]), minSHBLen); err != nil {
		return err
	}
	if !first {
		return nil
	}
	return r.readToFirstInterface()
}

// readToFirstInterface reads blocks until the first interface description.
func (r *Reader) readToFirstInterface() error {
	for len(r.ng.ifaces) == 0 {
		// A packet block fails here: it names an interface not yet described.
		_, _, err := r.nextBlock()
		if errors.Is(err, io.EOF) {
			r.ng.eof = true
			r.linkType = LinkTypeEthernet
			return nil
		}
		if err != nil {
			return err
		}
	}
	r.linkType = r.ng.ifaces[0].linkType
	return nil
}

func (r *Reader) nextNG() (Record, error) {
	if r.ng.eof {
		return Record{}, io.EOF
	}
	for {
		rec, isPacket, err := r.nextBlock()
		if err != nil || isPacket {
			return rec, err
		}
	}
}

// nextBlock reads one block. For a packet block it returns the record and
// true; other blocks update the Reader's state or are skipped.
func (r *Reader) nextBlock() (Record, bool, error) {
	num := r.packets + 1
	h, err := r.br.Peek(8)
	if err != nil {
		if len(h) == 0 && errors.Is(err, io.EOF) {
			return Record{}, false, io.EOF
		}
		return Record{}, false, r.readErr(r.off, num, "block header", 8, len(h), err)
	}
	typ := r.ng32(h)
	if typ == blockSHB {
		return Record{}, false, r.readSectionHeader(false)
	}
	blen := r.ng32(h[4:])
	switch typ {
	case blockEPB, blockOPB, blockSPB:
		rec, err := r.readPacketBlock(typ, blen, num)
		return rec, err == nil, err
	case blockIDB:
		return Record{}, false, r.readInterface(blen)
	}
	return Record{}, false, r.skipBlock(typ, blen, minBlockLen)
}

// checkBlockLen validates a block's total length against the minimum for
// its type and, when whole is set, against what the buffer can hold.
func (r *Reader) checkBlockLen(typ, blen, min uint32, whole bool) error {
	if blen < min || blen%4 != 0 {
		return r.fail(r.off, r.packets+1, "block type %#x has length %d (want a multiple of 4, at least %d): %w", typ, blen, min, ErrBadBlock)
	}
	if whole && int(blen) > r.br.Size() {
		return r.fail(r.off, r.packets+1, "block type %#x has length %d, more than the %d bytes allowed: %w", typ, blen, r.br.Size(), ErrBadBlock)
	}
	return nil
}

// wholeBlock peeks a block of blen bytes and checks its trailing length.
func (r *Reader) wholeBlock(typ, blen uint32) ([]byte, error) {
	b, err := r.peek(int(blen), r.packets+1, "block")
	if err != nil {
		return nil, err
	}
	if end := r.ng32(b[blen-4:]); end != blen {
		return nil, r.fail(r.off, r.packets+1, "block type %#x has length %d at its start and %d at its end: %w", typ, blen, end, ErrBadBlock)
	}
	return b, nil
}

// skipBlock consumes a block that carries nothing a Reader needs, checking
// its trailing length.
func (r *Reader) skipBlock(typ, blen, min uint32) error {
	if err := r.checkBlockLen(typ, blen, min, false); err != nil {
		return err
	}
	if int(blen) <= r.br.Size() {
		if _, err := r.wholeBlock(typ, blen); err != nil {
			return err
		}
		return r.discard(int(blen), r.packets+1, "block")
	}
	start := r.off
	if err := r.discard(int(blen)-4, r.packets+1, "block"); err != nil {
		return err
	}
	t, err := r.peek(4, r.packets+1, "block trailer")
	if err != nil {
		return err
	}
	if end := r.ng32(t); end != blen {
		return r.fail(start, r.packets+1, "block type %#x has length %d at its start and %d at its end: %w", typ, blen, end, ErrBadBlock)
	}
	return r.discard(4, r.packets+1, "block trailer")
}

func (r *Reader) readInterface(blen uint32) error {
	if err := r.checkBlockLen(blockIDB, blen, minIDBLen, true); err != nil {
		return err
	}
	b, err := r.wholeBlock(blockIDB, blen)
	if err != nil {
		return err
	}
	if len(r.ng.ifaces) >= MaxInterfaces {
		return r.fail(r.off, r.packets+1, "more than %d interfaces in section %d: %w", MaxInterfaces, r.ng.sections, ErrInterfaces)
	}
	ifc := ngIface{linkType: uint32(r.ng16(b[8:])), snaplen: r.ng32(b[12:]), mul: 1000}
	if err := r.readInterfaceOptions(&ifc, b[16:blen-4]); err != nil {
		return err
	}
	r.ng.ifaces = append(r.ng.ifaces, ifc)
	return r.discard(int(blen), r.packets+1, "interface block")
}

func (r *Reader) readInterfaceOptions(ifc *ngIface, opts []byte) error {
	for len(opts) >= 4 {
		code, olen := r.ng16(opts), int(r.ng16(opts[2:]))
		if code == optEnd {
			return nil
		}
		if 4+olen > len(opts) {
			return r.fail(r.off, r.packets+1, "interface option %d of %d bytes overruns its block: %w", code, olen, ErrBadBlock)
		}
		val := opts[4 : 4+olen]
		switch {
		case code == optTSResol && olen >= 1:
			if err := ifc.setResolution(val[0]); err != nil {
				return &Error{Input: r.name, Offset: r.off, Packet: r.packets + 1, Err: err}
			}
		case code == optTSOffset && olen == 8:
			sec := int64(binary.LittleEndian.Uint64(val))
			if r.ng.be {
				sec = int64(binary.BigEndian.Uint64(val))
			}
			if sec > math.MaxInt64/int64(1e9) || sec < math.MinInt64/int64(1e9) {
				return r.fail(r.off, r.packets+1, "interface time offset %d s: %w", sec, ErrTimestamp)
			}
			ifc.offset = sec * 1e9
		}
		opts = opts[4+(olen+3)&^3:]
	}
	return nil
}

// setResolution applies an if_tsresol value: 10^-n seconds, or 2^-n when
// the top bit is set.
func (ifc *ngIface) setResolution(v byte) error {
	n := uint(v & 0x7f)
	switch {
	case v&0x80 != 0:
		if n > 63 {
			return fmt.Errorf("interface time resolution 2^-%d: %w", n, ErrTimestamp)
		}
		ifc.mul, ifc.div, ifc.shift = 0, 0, n
	case n <= 9:
		ifc.mul, ifc.div, ifc.shift = pow10(9-n), 0, 0
	case n <= 19:
		ifc.mul, ifc.div, ifc.shift = 0, pow10(n-9), 0
	default:
		return fmt.Errorf("interface time resolution 10^-%d: %w", n, ErrTimestamp)
	}
	return nil
}

// nanos converts a timestamp in the interface's units to nanoseconds since
// the epoch; ok is false when it does not fit.
func (ifc *ngIface) nanos(units uint64) (int64, bool) {
	var ns uint64
	switch {
	case ifc.div != 0:
		ns = units / ifc.div
	case ifc.mul != 0:
		hi, lo := bits.Mul64(units, ifc.mul)
		if hi != 0 {
			return 0, false
		}
		ns = lo
	default:
		hi, lo := bits.Mul64(units, 1e9)
		if ifc.shift > 0 {
			lo = lo>>ifc.shift | hi<<(64-ifc.shift)
			hi >>= ifc.shift
		}
		if hi != 0 {
			return 0, false
		}
		ns = lo
	}
	if ns > math.MaxInt64 {
		return 0, false
	}
	t := int64(ns)
	if (ifc.offset > 0 && t > math.MaxInt64-ifc.offset) || t+ifc.offset < 0 {
		return 0, false
	}
	return t + ifc.offset, true
}

func pow10(n uint) uint64 {
	p := uint64(1)
	for ; n > 0; n-- {
		p *= 10
	}
	return p
}

package pcapio

// Fixed parts of the packet blocks, counted from the block's start.
const (
	epbHeaderLen = 28 // type, length, interface, ts high, ts low, caplen, origlen
	spbHeaderLen = 12 // type, length, origlen
)

// readPacketBlock reads an enhanced, obsolete or simple packet block.
func (r *Reader) readPacketBlock(typ, blen uint32, num int64) (Record, error) {
	min := uint32(epbHeaderLen + 4)
	if typ == blockSPB {
		min = spbHeaderLen + 4
	}
	if err := r.checkBlockLen(typ, blen, min, true); err != nil {
		return Record{}, err
	}
	b, err := r.wholeBlock(typ, blen)
	if err != nil {
		return Record{}, err
	}
	var rec Record
	if typ == blockSPB {
		rec, err = r.simplePacket(b, blen, num)
	} else {
		rec, err = r.enhancedPacket(typ, b, blen, num)
	}
	if err != nil {
		return Record{}, err
	}
	r.br.Discard(int(blen)) //nolint:errcheck // the block was just peeked
	r.off += int64(blen)
	r.packets = num
	return rec, nil
}

func (r *Reader) enhancedPacket(typ uint32, b []byte, blen uint32, num int64) (Record, error) {
	var idx uint32
	if typ == blockOPB {
		idx = uint32(r.ng16(b[8:]))
	} else {
		idx = r.ng32(b[8:])
	}
	ifc, err := r.packetInterface(idx, num)
	if err != nil {
		return Record{}, err
	}
	capLen, origLen := r.ng32(b[20:]), r.ng32(b[24:])
	if err := r.checkCapLen(capLen, ifc.snaplen, num); err != nil {
		return Record{}, err
	}
	if epbHeaderLen+(capLen+3)&^3+4 > blen {
		return Record{}, r.fail(r.off, num, "captured length %d overruns its %d-byte block: %w", capLen, blen, ErrCapLen)
	}
	if err := r.checkOrigLen(capLen, origLen, num); err != nil {
		return Record{}, err
	}
	units := uint64(r.ng32(b[12:]))<<32 | uint64(r.ng32(b[16:]))
	ts, ok := ifc.nanos(units)
	if !ok {
		return Record{}, r.fail(r.off, num, "timestamp %d in units of interface %d: %w", units, idx, ErrTimestamp)
	}
	r.ng.lastTime = ts
	end := epbHeaderLen + int(capLen)
	return Record{Time: ts, OrigLen: origLen, Data: b[epbHeaderLen:end:end]}, nil
}

// simplePacket reads a simple packet block: interface 0, no timestamp (the
// previous packet's time is used), captured length implied by the block.
func (r *Reader) simplePacket(b []byte, blen uint32, num int64) (Record, error) {
	ifc, err := r.packetInterface(0, num)
	if err != nil {
		return Record{}, err
	}
	origLen := r.ng32(b[8:])
	capLen := blen - spbHeaderLen - 4
	if origLen < capLen {
		capLen = origLen
	}
	if ifc.snaplen != 0 && capLen > ifc.snaplen {
		capLen = ifc.snaplen
	}
	if err := r.checkLens(capLen, origLen, 0, num); err != nil {
		return Record{}, err
	}
	end := spbHeaderLen + int(capLen)
	return Record{Time: r.ng.lastTime, OrigLen: origLen, Data: b[spbHeaderLen:end:end]}, nil
}

// packetInterface returns the interface a packet names, which must exist
// and share the stream's link type.
func (r *Reader) packetInterface(idx uint32, num int64) (*ngIface, error) {
	if int(idx) >= len(r.ng.ifaces) {
		return nil, r.fail(r.off, num, "packet names interface %d; section %d describes %d: %w", idx, r.ng.sections, len(r.ng.ifaces), ErrInterfaces)
	}
	ifc := &r.ng.ifaces[idx]
	if ifc.linkType != r.linkType {
		return nil, r.fail(r.off, num, "packet on interface %d of link type %d in a stream of link type %d; split the file by interface first (editcap or tshark): %w", idx, ifc.linkType, r.linkType, ErrLinkType)
	}
	return ifc, nil
}

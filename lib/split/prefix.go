package split

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"

	"github.com/pcappush/pcappush/lib/pcapio"
)

// Prefix counts the first packets of a split that a file already
// published under one of its names held byte for byte: a split cut short
// by a stop and published before the state that knew it was lost, now
// built again whole. Those packets are left out of what is published.
type Prefix struct {
	Packets int64 // packets left out
	Bytes   int64 // their record bytes, headers included
	Next    int64 // the time of the first packet published, ns
}

// Add returns p followed by q: the packets of both, q's next.
func (p Prefix) Add(q Prefix) Prefix {
	return Prefix{Packets: p.Packets + q.Packets, Bytes: p.Bytes + q.Bytes, Next: q.Next}
}

// PrefixOf reports whether old, a published split, holds the first
// records of ours byte for byte and fewer than ours holds: the same file
// header, then whole records equal to ours'. Both must be nanosecond
// little-endian pcap as Writer writes it (compressed or piped splits never
// match). ours is read up to the record after the prefix, whose time is
// Prefix.Next.
func PrefixOf(old, ours io.Reader) (Prefix, bool, error) {
	var ho, hu [pcapio.HeaderLen]byte
	if _, err := io.ReadFull(old, ho[:]); err != nil {
		return Prefix{}, false, nil // not a pcap file: not a prefix
	}
	if _, err := io.ReadFull(ours, hu[:]); err != nil {
		return Prefix{}, false, err
	}
	if ho != hu {
		return Prefix{}, false, nil
	}
	r, err := pcapio.NewReader(io.MultiReader(bytes.NewReader(ho[:]), old), "published split")
	if err != nil {
		return Prefix{}, false, nil
	}
	var p Prefix
	buf := make([]byte, 64<<10)
	for {
		if _, err := r.Next(); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return Prefix{}, false, nil // cut or corrupt: not a split of ours
		}
		raw := r.Raw()
		if raw == nil {
			return Prefix{}, false, nil
		}
		if len(buf) < len(raw) {
			buf = make([]byte, len(raw))
		}
		if _, err := io.ReadFull(ours, buf[:len(raw)]); err != nil || !bytes.Equal(buf[:len(raw)], raw) {
			return Prefix{}, false, nil
		}
		p.Packets++
		p.Bytes += int64(len(raw))
	}
	var h [pcapio.RecordHeaderLen]byte
	if _, err := io.ReadFull(ours, h[:]); err != nil {
		return Prefix{}, false, nil // ours holds nothing more: equal, not a prefix
	}
	p.Next = int64(binary.LittleEndian.Uint32(h[0:]))*1e9 + int64(binary.LittleEndian.Uint32(h[4:]))
	return p, true, nil
}

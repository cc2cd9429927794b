// Package pcapio reads and writes the packet streams that every pcappush
// tool speaks.
//
// A Reader takes any io.Reader holding a classic pcap file (microsecond or
// nanosecond timestamps, either byte order) or a pcapng file (any number of
// sections, several interfaces, per-interface timestamp resolution and
// offset) and returns its packets one Record at a time. A Writer writes
// nanosecond, little-endian classic pcap (magic 0xa1b23c4d), the stream
// format shared by all pcappush tools. docs/formats.md describes the stream
// for users, with the input pcappush refuses where libpcap would not.
//
// # Zero copy
//
// Reader.Next returns a Record whose Data aliases the Reader's internal
// buffer: it stays valid only until the next call to Next. Nothing is
// allocated per packet; callers that keep a packet must copy it. For input
// that is already nanosecond little-endian pcap, Reader.Raw exposes each
// record as read, header included, so that consumers can write runs of
// adjacent records with one call; SetCompactHook tells them when the buffer
// is about to move. NextRaw returns such records without decoding them, for
// consumers that need only a field or two. NewReaderAhead reads the input
// on a goroutine into buffers that are parsed in place, so that reading
// overlaps with the consumer's work.
//
// # Clock ticks
//
// A record with a captured and an original length of zero carries only a
// time. Live readers emit such ticks while the link is idle so that
// downstream stages can close time-based splits; Record.IsTick reports them.
//
// # Errors
//
// Malformed input never panics. Every problem is reported as an *Error that
// names the input, the byte offset of the offending record or block and the
// number of the packet being read, wrapping one of the sentinel errors
// (ErrBadMagic, ErrTruncated, ErrCapLen, ...) so that callers can branch
// with errors.Is. Everything returned before the error was complete.
// Besides the captured length (at most MaxCapLen and the snapshot length),
// the original length is checked: never below the captured length, never
// above MaxOrigLen (ErrOrigLen). A record with nothing captured passes, so
// clock ticks do. Parsers that read records without a Reader apply the
// same rule with ValidOrigLen.
//
// # Example
//
//	r, err := pcapio.NewReader(os.Stdin, "stdin")
//	if err != nil {
//		return err
//	}
//	w := pcapio.NewWriter(os.Stdout, r.LinkType(), r.Snaplen())
//	if err := w.WriteHeader(); err != nil {
//		return err
//	}
//	for {
//		rec, err := r.Next()
//		if err == io.EOF {
//			break
//		}
//		if err != nil {
//			return err
//		}
//		if err := w.WriteRecord(rec); err != nil {
//			return err
//		}
//	}
//	return w.Flush()
package pcapio

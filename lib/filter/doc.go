// Package filter is the work of pcap_filter: it copies a packet stream,
// keeping the packets a tcpdump filter expression matches and every clock
// tick, so that its output equals what tcpdump --time-stamp-precision nano
// -r in.pcap -w - EXPR writes.
//
// # Semantics
//
// The expression is compiled by lib/bpf for the link type and snapshot
// length in the stream's header; a record is matched on its captured
// bytes with its original length as the wire length, as
// pcap_offline_filter does. Records with no bytes and no length (clock
// ticks) always pass, in order. The output header carries the input's
// link type and snapshot length.
//
// # Speed
//
// The input is read ahead on a goroutine (pcapio.NewReaderAhead) in
// 256 KiB reads, so that the copy out of the kernel overlaps with
// filtering and the bytes just read are still in the CPU's cache. Input
// already in the stream format (nanosecond little-endian pcap) is never
// decoded: pcapio.Reader.NextRaw hands over each record as read, the
// program runs on it in place, and kept records that lie next to each
// other form runs. When the output is a file or a pipe, runs go to the
// kernel with writev straight from the read buffer, before the reader
// moves on to its next buffer; otherwise they are copied through the
// pcapio.Writer's buffer. Input in other formats is decoded and encoded
// record by record. Pipes on either side are enlarged to 1 MiB, for fewer
// reads, writes and context switches. Nothing is allocated per packet.
//
// # Compiling
//
// The expression is compiled by a bpf.Compiler, libpcap running in a child
// process with a length limit, a deadline and a memory limit, so that a
// huge filter is refused or stopped rather than hanging the tool; a
// program already compiled for the stream's link type (Options.Compiled)
// is used as it is.
//
// # Stopping
//
// When ctx is cancelled (SIGTERM), the records already read are filtered
// and written, and Run returns without error. A malformed input ends the
// run after the records before the fault are written, with the reader's
// *pcapio.Error naming the packet.
//
// # Example
//
//	prog, err := bpf.Compiler{}.Check(ctx, expr) // in a child process, bounded
//	if err != nil {
//		return err // before reading any input
//	}
//	st, err := filter.Run(ctx, os.Stdin, "stdin", os.Stdout, filter.Options{Expr: expr, Compiled: prog})
//	fmt.Fprintf(os.Stderr, "pcap_filter: %s\n", st)
package filter

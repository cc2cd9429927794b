// Package capture reads the capture store, the work of stream_cat: it
// lists captures and their chunks, and turns one capture into one
// nanosecond PCAP stream, following it while its recorder writes.
//
// # The store
//
// A Store is a folder with one sub-folder per capture. A capture's folder
// holds the chunk files of a packet recorder (tcpdump -C/-G, dumpcap ring
// buffers, anything that rotates pcap files). A file is a chunk when its
// name ends in .pcap, .pcapng or .cap, optionally followed by digits
// (tcpdump -w x.pcap -C 1 writes x.pcap, x.pcap1, x.pcap2 ...), and
// optionally by .gz, .zst or .lz4; a name without any extension (tcpdump -w
// x -C 1 writes x, x1, x2 ...) is a chunk when its first bytes are a
// capture's or a compressor's magic (or when it is still shorter than
// four bytes). Dotfiles and other names (indexes, .pending files) are
// ignored. A chunk must be a regular file in its capture's folder: an entry
// of a chunk's name that is a FIFO, a socket, a device or a symbolic link
// is never opened (its type is checked with lstat before, and on the open
// descriptor after, a non-blocking open), so it cannot block a reader or
// make it read a file outside the store; reading reports it as a bad chunk
// (an error, or a warning under --skip-bad) and listing does not count it.
// A path the user names (a capture folder, or one file) may be a link.
// Compressed chunks are recognised by their first bytes: gzip
// (github.com/klauspost/compress/gzip), zstd (klauspost/compress/zstd) and
// lz4 frames as the lz4 tool writes them (github.com/pierrec/lz4/v4).
//
// # Chunk order
//
// Chunks are read in natural order of their names without the compression
// suffix: runs of digits compare as numbers, so x comes before x1, x2
// before x10, and dumpcap's name_00009_... before name_00010_... and
// name_100000_...; strftime names (tcpdump -G) sort by time. A chunk and
// its compressed copy share a place: while tcpdump -z gzip compresses x1
// into x1.gz, x1 is read; once x1 is gone, x1.gz is. Recorders that reuse
// names (tcpdump -W) cannot be followed.
//
// # Active and finished captures
//
// A capture is active unless its folder holds the marker file .complete
// (CompleteMarker) or its newest chunk has not been modified for the
// active window (default one minute). Following ends, after everything is
// read, when the capture is finished: the marker appears, or a newer
// capture exists in the store (another capture folder modified after this
// capture last changed) and this one has been quiet for the active window.
// A capture given as a path outside the store only finishes by its marker.
//
// # The stream
//
// Cat writes one nanosecond little-endian pcap header (the link type of
// the first chunk, snapshot length 262144 since chunks may differ), then
// every chunk's records in order. A chunk of another link type is an
// error naming it. Classic pcap chunks are read through a buffer that
// holds one largest record; each record header is validated where it lies
// and, unless the chunk is already nanosecond little endian, rewritten in
// place into that form, and runs of records are written out as one slice:
// no per-packet copy, allocation or system call. pcapng chunks go through
// pcapio's Reader, one record at a time.
//
// When the output is a pipe or a regular file and a chunk is uncompressed
// nanosecond little-endian pcap (the stream's own form), a run of records
// of 64 KiB or more is not written from the buffer: the kernel moves it
// from the chunk file (splice(2) into a pipe, copy_file_range(2) into a
// file; see lib/pipes), so that the pipe hands its reader the page cache's
// own pages. The buffer is still read, for the record headers that find
// ticks, checkpoints and time bounds. Stats.Moved counts those bytes. When
// the kernel does not move a run (an output opened for appending, a file
// system without splice, a chunk cut since it was read) the rest of it is
// written from the buffer, as before. (A chunk rewritten in place while it
// is read was never supported; its new bytes could now reach the output
// unchecked.) (Reading the
// headers through a read-only mapping instead would spare the read's copy,
// but mapping the page cache costs more than copying it on virtual
// machines that shadow page tables: about 1 s per GB against 0.3 s for
// read(2) where this was measured.)
//
// Time filters keep packets with Start <= time < End. Chunks before the
// one holding Start are found by a binary search on first packet times and
// never read; reading stops at the first chunk whose first packet is at or
// after End (chunks are taken to be in time order, as recorders write
// them).
//
// # Following
//
// With Options.Follow, Cat waits at the end of the data for inotify events
// on the capture folder (github.com/fsnotify/fsnotify; the folder is also
// listed again every ten seconds in case events are lost, and polled each
// second where inotify is unavailable). A record cut short at the end of
// the newest chunk is waited for. Once a later chunk exists, the current
// one is read to its end (a record cut short is then an error) and the
// next opened. A compressed chunk is read only once a later chunk exists
// or the capture is finished: it cannot be read while it is written.
//
// While nothing arrives, a clock tick (a record with no bytes) is emitted
// every second, stamped max(last tick, largest time emitted, now - lag),
// so ticks never go backwards and never fall behind a record already
// emitted. The lag is the larger of Options.TickLag (default 2 s) and the
// largest delay seen over the last five minutes between a packet's time
// and the moment it was read, for packets read as they were written: a
// recorder that buffers its output (tcpdump without -U) makes ticks lag
// accordingly, so that its packets are not declared late.
//
// A chunk that disappears before it is read (a ring buffer overtaking the
// reader) is reported on the log with the time span its packets covered,
// from the last record emitted to the first packet of the next chunk.
//
// # Checkpoints
//
// With Options.UID, Cat keeps checkpoints in the file lib/state names,
// <StateDir>/<UID>/<capture>.checkpoints, in lib/state/checkpoint's
// format (docs/formats.md, Checkpoints). It keeps a watermark W, the
// largest time of any record emitted. Before a record (packet or idle
// tick) at time t with W < E <= t for one or more multiples E of the
// checkpoint interval G (default one second), it records the largest such
// E with the position of that record (for an idle tick: where reading
// resumes), then emits a tick stamped E. A packet stamped more than
// Options.ClockTolerance after the wall clock (a recorder's clock that
// jumped) is emitted but raises neither W nor a checkpoint, so that idle
// ticks and checkpoints keep to the clock (pcap_split publishes such a
// packet apart). Every write to the stream is preceded by an fsync of the
// checkpoints added before it, so a tick seen downstream is always
// durable. Resuming at E (Options.Resume) emits the tick E after the
// header and reads on from the recorded position, without time filtering,
// so that the stream equals what followed the tick E before. At start the
// file is rewritten (durably) with the entries from the resume point on;
// it is kept to at most checkpoint.MaxEntries entries.
//
// # Listing
//
// Store.List reads each capture's folder once (names, sizes and times),
// the first packet of its first chunk and the last packet of its last:
// the tail of an uncompressed chunk (the first offset in the last 1.25 MiB
// from which valid record headers chain to the end; pcapng blocks found
// from the end), a compressed chunk whole when it is at most 32 MiB, and
// otherwise its first packet, marked as a lower bound.
//
// # Example
//
//	c, err := capture.Resolve(install.Store, "capture1_20210521_0101")
//	if err != nil {
//		return err
//	}
//	stats, err := capture.Cat(ctx, c, os.Stdout, capture.Options{Follow: true, Log: os.Stderr})
package capture

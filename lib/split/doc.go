// Package split cuts one packet stream into a series of files, the work of
// pcap_split.
//
// # Splitting
//
// A Splitter receives records in stream order and keeps at most one split
// open. By time (Options.Time), splits are half-open intervals aligned to
// multiples of the split time since the epoch: with one minute, a packet
// stamped exactly hh:mm:00.000000000 opens the split [hh:mm, hh:mm+1). An
// interval with no packet makes no file. A packet stamped before the open
// split's start (reordered input) is written to the open split and counted.
// A packet that finds no split open while its interval's split has been
// published already (late input, or a run resumed after a stop cut that
// split short) goes into a continuation of the last published split: the
// same interval, named with "_2", "_3", ... before the suffix; so a name
// never lies about its interval, a published file is never replaced, and
// nothing is dropped. When the last split's name is not known (--after),
// such a packet goes into the split after it. By size
// (Options.Bytes), a split is closed before the packet that would take the
// file, header included, past the limit; a packet larger than the limit
// gets a file of its own.
//
// Clock ticks (records without bytes) are never written: they close the
// open time split once their time reaches its end. Idle closes it when the
// input has been quiet for Options.IdleClose and the wall clock is that far
// past the split's end.
//
// # Clocks that lie
//
// A NIC's or recorder's clock can jump, and one packet stamped a year
// ahead would otherwise close the split in progress, open a split a year
// ahead, take every later packet into it as reordered and publish nothing
// more. A packet is out of the clock when, by more than
// Options.ClockTolerance (5 minutes by default): it is later than the wall
// clock (Options.Now), or earlier than the clock's split (the open split,
// else the last published), or before the epoch. It goes into a time
// split of its own interval (consecutive such packets of one interval
// share it; a second one in a run gets "_N"), published at the next tick
// or packet, with ledger.Entry.Outlier set, and counted in Stats.OutOfClock; the
// clock does not move: the split it interrupted continues as "_N" (as
// after a stop), and later splits close on time. A packet far ahead of its
// neighbours but not of the wall clock (a stored capture) cannot be told
// from a quiet gap when it comes: it opens its split as a jump, which the
// next jumpConfirm packets (or the time passing its end) confirm, and
// which a packet back before it by more than the tolerance turns into an
// outlier split, the clock going back to where it was. A tick later than
// the wall clock by more than the tolerance is not believed. Within the
// tolerance, packets behave as before (reordered into the open split,
// late ones into a continuation). Size splits are not concerned: their
// names are their packets' times.
//
// An outlier split's ledger entry (lib/ledger) is marked: a resume takes
// its position from the last entry and its clock (end, name) from the last
// entry that is not an outlier, so that exactly-once holds across crashes.
//
// # Names
//
// A name is the prefix, "_" (omitted when the prefix ends in "/"), the time
// part of one of five formats, and the suffix. Time splits name their
// interval; size splits the first (and last) packet's time. Consecutive
// size splits whose names would be equal get "_2", "_3", ... before the
// suffix. ParseName takes a name apart again (format, start, the end of
// start-end names, continuation, suffix), for readers that select splits
// by time from their names alone; it accepts exactly the names built
// here.
//
// # Publishing
//
// Each split is written to a Part obtained from a Sink under a provisional
// name and committed under its final name once complete. The file sink
// writes NAME.pending (never through a link planted there), fsyncs it,
// renames it without replacing anything and fsyncs the folder
// (lib/durable), so a final name always means a complete file; a failed
// split is removed. The pipe sink runs a shell command per split between
// the Splitter and another sink and checks its exit status before
// committing.
//
// A published file is never replaced. Commit is given the split's Names:
// its name, then the same with "_2", "_3", ... When the name exists and
// holds the same bytes (the split was published by a run whose state was
// lost, or just before a crash), the split counts as published
// (Published.Existed, ledger.Entry.Existed, Stats.Existed), nothing is written,
// and a line says so; when it holds other bytes, the next name is tried
// and a warning names both, unless those bytes are the split's own first
// records (PrefixOf: a split cut short by a stop, published before the
// state that knew it was lost): then only the rest goes to the next name
// (Published.Prefix, and the ledger.Entry's counts are the rest's). A time split continued after that takes the
// "_N" after the one used. FileSink.Overwrite (pcap_split --overwrite)
// replaces instead. With compression, the same input gives the same bytes
// for the same codec, level and thread count.
//
// # Writing fast
//
// When the input is already nanosecond little-endian pcap, records are not
// re-encoded: the Splitter collects runs of records that lie next to each
// other in the reader's buffer (pcapio.Reader.Raw) and writes each run with
// one call. The writes themselves happen on a goroutine, in order, so that
// writing one run overlaps reading and parsing the next; Sync, called by the
// reader before its buffer moves, waits for them. A write error surfaces at
// the next write or Sync and aborts the split.
//
// # Example
//
//	opts := split.Options{Time: 60e9, Name: split.EpochSecStartEnd, Prefix: "/data/push/", Suffix: ".pcap"}
//	stats, err := split.Run(ctx, os.Stdin, "stdin", opts, split.FileSink{}, os.Stderr)
package split

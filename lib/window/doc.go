// Package window reads a time window of packets back from where pushes
// published their splits, merged across every source into one nanosecond
// PCAP stream: the work of stream_cat --from. It is the read side of many
// sensors pushing into one bucket.
//
// # Sources
//
// A destination is what a push target writes to: a local prefix
// (/mnt/remote0/push/all) or a prefix on an rclone remote
// (s3-fmad://pcap/sensor7/all, remote:pcap/sensor7/all), read through
// rclone as a library with the config and options lib/output loads. A
// "*" in a folder component (s3-fmad://pcap/*/all) matches every folder
// there, one level each, so one destination can name every sensor. Each
// folder found, with the prefix's last element (the leaf, "all"), is a
// Series: one sensor's splits of one target. Folders are listed
// concurrently, rclone's --checkers at a time; a listing that fails after
// rclone's retries is an error naming the folder.
//
// # Selecting splits by name
//
// Only names are looked at: split.ParseName, the inverse of the names
// pcap_split builds, takes each object's name apart (the five formats,
// "_N" continuations, any suffix); .pending objects and names that are not
// the leaf's splits are ignored. A split's packets lie in [Lo, Hi): Lo is
// the time part's start; Hi is the end a start-end name holds plus a
// second (a size split's last packet lies within that second), else the
// next later split's start plus the format's resolution, else, for the
// last split, unbounded. A split is read when [Lo, Hi) meets the window
// [Start, End). These bounds are safe for time and size splits alike, so
// at a window's start one split per series may be read for nothing. A
// packet pcap_split counted as reordered (stamped before its split's
// interval) is found only when its split is selected.
//
// # Reading
//
// Each series with splits to read is a source. A goroutine per source
// opens its splits one after the other (rclone's Open with its low-level
// retries, reopening at the offset after a failed read), decompresses
// .gz, .zst and .lz4 by name (lib/compress), and passes the bytes in
// Options.Buffer bytes of buffers to the merge, so that reading runs
// ahead, across split boundaries, by at most that much: memory is bounded
// per source, whatever the window or file sizes. The merge parses each
// source's current split in place (pcapio, one reused buffer per source)
// and keeps the sources in a loser tree keyed by packet time and source
// order: a stable k-way merge (a source's packets keep their order; of
// equal times the earlier source's come first) with log2(k) comparisons
// and no allocation per packet. Packets outside [Start, End) are dropped,
// the rest written as they were read, one stream header first (the link
// type of the first split; a split of another link type is a bad split).
// No clock ticks are written: the read ends with the last split.
//
// A split that cannot be opened, read, decompressed or parsed is an error
// naming it (what was merged before it is written out); with
// Options.SkipBad it is a warning naming the time range whose packets were
// not read, and the source goes on with its next split. Cancelling the
// context stops the read: the stream ends after the last packet written,
// with a warning, and Read returns no error.
//
// # Example
//
//	opts := window.Options{From: []string{"s3-fmad://pcap/*/all"}, Start: t1, End: t2, Log: os.Stderr}
//	stats, err := window.Read(ctx, os.Stdout, opts)
package window

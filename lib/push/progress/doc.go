// Package progress shows how far an offline push has come, per target:
// bytes of the capture read of its total, rate, time left and splits
// published. On a terminal, Bars draws one bar per target (with mpb),
// redrawn in place:
//
//	pcap-all [=========>-----------]  12.4 MB / 24.0 MB   10.2 MB/s   1s  2 splits
//	pcap-tcp [========>------------]  11.0 MB / 24.0 MB    9.8 MB/s   1s  1 splits
//
// Elsewhere (a log file, a pipe), Lines writes one plain line per target
// every interval, and a last line per target saying how it ended:
//
//	push_realtime: pcap-all: 12.4 MB of 24.0 MB (51%), 2 splits, 10.2 MB/s, ETA 1.1s
//	push_realtime: pcap-all: 24.0 MB of 24.0 MB (100%), 5 splits in 2.4s: finished capture capture1
//
// Both read the same statuses the status files hold (lib/push/status):
// Progress.Done is the chunk bytes stream_cat has read, which push_realtime
// learns from stream_cat's open chunk and its file offset in /proc, and
// Progress.Total the chunk bytes of the capture. The rate is a moving
// average for bars and the last interval's for lines.
//
//	ctx, stop := context.WithCancel(ctx)
//	go func() { progress.Lines(ctx, os.Stderr, pusher.Snapshot, 5*time.Second, "push_realtime: "); close(shown) }()
//	err := pusher.Offline(ctx, "capture1")
//	stop()
//	<-shown
package progress

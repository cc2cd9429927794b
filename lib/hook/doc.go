// Package hook runs a command after each split is published: a target's
// Post, given to pcap_split as --post-cmd, for indexing, notifying or
// moving files on.
//
// The command is told about the split both in its environment,
//
//	PCAPPUSH_SPLIT_NAME      the split's final name (path or remote path)
//	PCAPPUSH_SPLIT_BYTES     its pcap bytes, header included, before any pipe command
//	PCAPPUSH_SPLIT_PACKETS   its packets
//	PCAPPUSH_SPLIT_FIRST_NS  its first packet's time, ns since the epoch
//	PCAPPUSH_SPLIT_LAST_NS   its last packet's time, ns since the epoch
//
// (PCAPPUSH_TARGET, set by push_realtime, is inherited), and as five
// arguments in the same order. A command that is one word (a program's
// path or name, no spaces or shell syntax) is run directly with the five
// arguments; any other command is a shell snippet, run by /bin/sh -c,
// that sees them as $1 to $5. The values never become part of the
// command's text, so a split name holding quotes, ';' or '$(...)' cannot
// run anything.
//
// A Runner runs at most Jobs commands at once; Run waits for a free slot,
// which slows the push rather than queueing without bound. A command
// running longer than Timeout is killed with its process group. A failure
// (a non-zero exit, a signal, a timeout, a command that cannot start) is
// written to Stderr as one line beginning "post failed for NAME:" and
// counted; it never stops the push. The command's stdin is /dev/null and
// its output goes to Stderr.
//
//	r := &hook.Runner{Command: "/usr/local/bin/index-split", Timeout: 30 * time.Second, Jobs: 2, Stderr: os.Stderr, Prefix: "pcap_split: "}
//	r.Run(ledger.Entry{Name: "/data/push/all_1621849860.pcap", Bytes: 80e6, Packets: 51234, First: 1621849860e9, Last: 1621849919e9})
//	r.Wait()
package hook

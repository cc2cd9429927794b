// Package ledger records the splits a push has published, so that a push
// restarted after any crash resumes exactly where the published splits
// end: no packet lost, none published twice.
//
// # The resume point
//
// stream_cat, run with an id, emits a checkpoint tick at every multiple E
// of its checkpoint interval and records, durably and before the tick
// leaves, where in the capture the records after the tick begin (see
// lib/capture). Ticks pass through pcap_decap and pcap_filter in order, so
// pcap_split sees each checkpoint tick at the same place in its own input.
// When pcap_split publishes a split it appends an Entry here, after the
// rename (or upload) and fsynced: the split's name, bounds and counts, and
// the resume point right after its last packet, written as the last
// checkpoint tick Ckpt seen before that packet and the number Skip of
// packets pcap_split received after that tick up to and including it.
//
// To resume, push_realtime reads the last Entry and starts
//
//	stream_cat --resume Ckpt ... | ... | pcap_split --resume --ledger FILE ...
//
// stream_cat replays the stream from the checkpoint, the filters see the
// same records again and drop the same ones, pcap_split (reading the same
// last Entry) drops the Skip packets it has already published and carries
// on as the first run did after that split: a late packet goes to a
// continuation of it, and the split that was open at the crash is built
// again whole. A crash between a publish and its Entry makes the resumed
// push build that split again; its final name already holds the same
// bytes, so it is not written again but recorded with Existed set (see
// lib/split: a published file is never replaced).
//
// # Format
//
// One JSON object per line, appended and fsynced (lib/durable's Log):
// once Append returns, the entry survives a power cut. A torn last line (a
// cut while it was written) is ignored by readers and cut off by the next
// Open, so no entry is ever appended to it. The file is compacted to its
// newest entries, durably, when it grows past a limit. Paths come from
// lib/state; pcap_split --ledger also takes any file. The fields are
// described, for users, in docs/formats.md (Ledger).
package ledger

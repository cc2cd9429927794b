// Package checkpoint is stream_cat's checkpoint file: where in a capture
// a reader can resume, one line per checkpoint, so that a push restarted
// after a crash replays its stream from the last checkpoint before the
// last published split (see lib/capture and lib/state/ledger). lib/state
// says where the file lives.
//
// # Format
//
//	# stream_cat checkpoints v1: TIME_NS OFFSET "CHUNK"
//	1621849860000000000 24 "x.pcap"
//	1621849861000000000 981236 "x.pcap"
//
// OFFSET is the byte offset of the first record after the tick TIME_NS in
// the chunk's decompressed data (so a checkpoint survives the chunk being
// compressed later) and CHUNK the chunk's name as a Go-quoted string. Of
// two lines for one time the later wins.
//
// # Crash rules
//
// Add appends a line without syncing it; the reader calls Sync before the
// clock tick the line names leaves it, so a tick seen downstream is always
// durable. A power cut may lose lines added since the last Sync, or tear
// the last one: a last line without its newline is ignored. Open reads the
// file and Compact rewrites it whole (durably: temporary file, fsync,
// rename, fsync of the folder) from the resume point on, so nothing is
// ever appended after a torn line. A lost or emptied file has no
// checkpoints: push_realtime then resumes by time after the ledger's last
// split (lib/push). A link planted at the file is refused.
//
//	l, err := checkpoint.Open(state.At(stateDir).Checkpoints(uid, capture))
//	if err != nil {
//		return err
//	}
//	defer l.Close()
//	if err := l.Compact(0); err != nil {
//		return err
//	}
//	if err := l.Add(checkpoint.Point{Time: e, Chunk: chunk, Offset: off}); err != nil {
//		return err
//	}
//	err = l.Sync() // before the tick E is written
package checkpoint

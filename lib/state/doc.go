// Package state owns push_realtime's state folder: where every file in it
// lives, what each holds, how each is written, and what each falls back to
// when a crash or a power cut lost it, emptied it or tore it. Every path
// into the folder is built here (Dir); the two line formats that record
// progress have subpackages of their own, state/ledger (the splits
// published) and state/checkpoint (where stream_cat can resume), because
// pcap_split and stream_cat also use them alone, outside a state folder.
// Every write goes through lib/durable.
//
// # Layout
//
//	<state>/
//	  push_realtime.lock                 flock of the realtime push_realtime; holds its pid
//	  push_realtime.json                 what it resolved (store, logs, config): lib/push/status
//	  push_realtime.offline.json         the same for the last --offline push
//	  targets/<Desc>/uid                 the target's id, "push_<ns>\n"
//	  targets/<Desc>/status.json         its status, rewritten every status interval: lib/push/status
//	  targets/<Desc>/status.offline.json the same for an --offline push
//	  targets/<Desc>/done/<capture>      the capture is finished: empty when pushed to its end,
//	                                     a Loss as JSON when it was deleted before
//	  <uid>/desc                         the Desc this id belongs to, "<Desc>\n"
//	  <uid>/<capture>.checkpoints        stream_cat's checkpoints (state/checkpoint), and .lock
//	  <uid>/<capture>.ledger             pcap_split's published splits (state/ledger), and .lock
//	  <uid>/<capture>.offline.ledger     the same for an --offline push
//	  offline/<uid>/<capture>.checkpoints  stream_cat's checkpoints of --offline pushes
//
// # How each file is written
//
// Whole files (uid, desc, status, the run record, done markers, and the
// ledger and checkpoint files when they are compacted) are replaced with
// durable.WriteFile: a temporary file in the same folder, fsync, rename,
// fsync of the folder. Ledgers and checkpoint files grow by appended
// lines, fsynced before anything depends on them: a ledger line once the
// split is published, a checkpoint before the clock tick that names it
// leaves stream_cat. Folders are made with durable.MkdirAll, which fsyncs
// each new folder's parent. Every file is opened without following links
// (a link planted in the folder is refused, naming it), and push_realtime
// refuses a state folder others can write (durable.CheckFolder).
//
// # Crash rules
//
// A power cut keeps what was fsynced and may lose the rest: a file made
// but never synced comes back missing or empty, an append not synced comes
// back missing or torn (part of its line). None of these makes a target
// start over:
//
//	file                      lost, empty or torn                   falls back to
//	targets/<Desc>/uid        missing, empty, not "push_<digits>"   the id folder whose desc names <Desc> (the
//	                                                                newest by ledger when several); written again
//	<uid>/desc                missing or empty                      written again from targets/<Desc>/uid
//	<capture>.ledger          torn last line                        the line is ignored by readers and cut off by
//	                                                                the next writer; the split it recorded is found
//	                                                                again at its final name and counted as published
//	<capture>.ledger          missing                               the capture is pushed from its start (or after
//	                                                                the target's last split elsewhere); splits the
//	                                                                destination holds are not published again
//	<capture>.checkpoints     missing, empty or torn                resume by time after the ledger's last split
//	                                                                (ledger.Entry.End, or its last packet)
//	done/<capture>            missing                               the capture is looked at again: its ledger
//	                                                                resumes it at its end, and it is marked again
//	status*.json, the run     missing, empty, torn                  shown as absent; rewritten at the next interval
//	record, the lock file                                           (the lock is a flock: its content is informative)
//
// With the whole folder deleted (a reinstalled machine), each target gets
// a new id and pushes its current capture from the start; every split
// whose final name already holds the same bytes is counted as published
// (skipped) and not written again, one whose name holds its first packets
// (cut short by a stop) gets only the rest published as NAME_2, and a
// different file under that name makes the new split NAME_2 (see
// lib/split). A capture folder whose ledger
// was deleted is treated the same way.
//
// Leftover temporary files of a write that a crash interrupted are swept
// by Sweep when push_realtime starts.
//
//	d := state.At("/var/lib/pcappush/state")
//	uid, note, err := d.TargetUID("pcap-all", time.Now())
//	if err != nil {
//		return err
//	}
//	if note != "" {
//		log.Print(note) // the id was found again from its folder
//	}
//	path := d.Ledger(uid, "capture1_20210521_0101", false)
package state

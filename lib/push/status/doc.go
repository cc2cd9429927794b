// Package status is the status push_realtime keeps of each target in
// the state folder, and the report `push_realtime status` makes of it.
//
// A running push_realtime rewrites <state>/targets/<Desc>/status.json
// (status.offline.json for an offline push) at every status interval and
// at every change of state: whether the target runs, is idle, restarting,
// failed or stopped, and why; its capture and log file; its pipeline's
// stages and pids; the splits, bytes and packets it has published and the
// last split; its restarts, errors, Post failures and last error; the
// captures deleted before they were pushed to their end, with the time
// range lost (lib/state's Loss); the splits skipped because their final
// name already held the same bytes; and, for an offline push, how far
// stream_cat has read. The file is replaced durably (lib/durable: write,
// fsync, rename, fsync of the folder), so a reader never sees half of it
// and needs no lock; a file a crash emptied anyway (written by an older
// version) reads as ErrTorn and is skipped. Counters count from the
// push_realtime's start. lib/state says where the files live.
//
// A realtime push_realtime also records, in <state>/push_realtime.json
// (WriteRun), the configuration file, store, log folder and
// capture it resolved, so that status finds them from the state folder
// alone.
//
// The file records push_realtime's pid and that process's start time, so
// a reader can tell a status whose writer has died (killed, or the machine
// restarted) from a live one: NewReport shows those targets as stopped.
//
//	r, err := status.NewReport("/var/lib/pcappush/state", "/var/lib/pcappush/capture", nil, time.Now())
//	if err != nil {
//		return err
//	}
//	r.WriteJSON(os.Stdout) // push_realtime status --json; its table is the command's
//
// The JSON of the files (format 1) is described, with an example, in
// docs/formats.md (Status files).
package status

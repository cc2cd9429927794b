// Package pushstatus is the status push_realtime keeps of each target in
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
//	r, err := pushstatus.NewReport("/var/lib/pcappush/state", "/var/lib/pcappush/capture", nil, time.Now())
//	if err != nil {
//		return err
//	}
//	r.WriteTable(os.Stdout)
//
// The JSON of one file (format 1):
//
//	{
//	  "format": 1, "target": "pcap-all", "uid": "push_1622272417078768896", "mode": "realtime",
//	  "pid": 4242, "pid_start": 123456, "state": "running", "since": "...", "started": "...", "updated": "...",
//	  "capture": "capture1_20210521_0101", "log": "/var/log/pcappush/push_pcap-all_20210529_1536",
//	  "stages": [{"name": "stream_cat", "up": true, "pid": 4250}, {"name": "pcap_split", "up": true, "pid": 4251}],
//	  "splits": 12, "bytes": 960000288, "packets": 614808, "skipped": 0,
//	  "last_split": {"name": "/mnt/remote0/push/all_1621849860-1621849920.pcap", "published": "...",
//	    "first_ns": 1621849860000071000, "last_ns": 1621849919999954000, "bytes": 80000024, "packets": 51234},
//	  "restarts": 0, "errors": 0, "post_failures": 0
//	}
package pushstatus

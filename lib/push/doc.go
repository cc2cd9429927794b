// Package push is push_realtime's engine: from a loaded configuration it
// builds one pipeline per target,
//
//	stream_cat --uid UID [--follow] CAPTURE | [pcap_decap |] [pcap_filter --bpf EXPR |] pcap_split --uid UID -o PATH SPLIT NAME ...
//
// runs them (lib/pipeline), watches them and logs (lib/push/logs).
//
// Offline pushes one stored capture through every target at once and
// reports the targets that failed. Realtime follows the current capture
// (Config.Capture, or the newest active capture in the store) with one
// supervisor per target: a pipeline that fails is restarted with
// exponential backoff (1 s doubling to 1 min); a pipeline that ends
// cleanly has finished its capture (stream_cat --follow ends when its
// capture is complete), which is remembered in the state folder so the
// supervisor moves on to the next capture. Cancelling the context stops
// every pipeline from its head, so the splits in progress are published,
// within the stop timeout.
//
// Each target has a stable id, push_<ns> chosen on its first run and kept
// in the state folder, which its stages log and key their state by.
//
// Every status interval the analytics log gets one line per target in the
// reference's form, and every start, exit, restart and error a line too.
//
// # Status
//
// Each target's state (running, idle, restarting, failed, stopped, and
// why), capture, stages and counters are kept in memory and written to
// <state>/targets/<Desc>/status.json (lib/push/status) every status
// interval and at every change of state; Snapshot returns them for
// metrics and progress displays. The counters come from the ledger: while
// a pipeline runs its ledger is read as it grows (every TailPoll), each
// new entry being a split published. A line from pcap_split saying a Post
// command failed is counted too. For an offline push, how far stream_cat
// has read the capture is read from /proc: the chunk it has open and its
// offset there.
//
// A capture a target started and did not finish that disappears from the
// store (its recorder's ring buffer deleted it) is lost: the range from
// the end of the last split published from it to its last packet (looked
// at every status interval) goes to the analytics log, stderr and the
// status (status.Loss), and into the capture's done marker, from which
// later runs show it again.
//
// # Schedule and reload
//
// A realtime target pushes only while Config.Schedule is open (checked
// every SchedulePoll); when it closes, the pipeline is stopped from its
// head like at SIGTERM and the target idles until it opens again, when
// the pipeline resumes after its ledger. A Reload received on
// Options.Reloads keeps unchanged targets running, stops changed ones from
// the head and starts them again with their new settings (same id, so the
// resume is exact), stops removed ones, and starts added ones.
//
//	p, err := push.New(push.Options{Config: cfg, Tools: tools, Store: store, StateDir: state, LogDir: logs, Current: current, Reloads: reloads})
//	if err != nil {
//		return err
//	}
//	defer p.Close()
//	return p.Realtime(ctx)
package push

// Package push is push_realtime's engine. The command turns its flags
// into one Options value; New loads the configuration (lib/config),
// resolves the folders (flag, else the configuration's global, else the
// default; absolute), checks them, takes the state folder's lock and
// opens the analytics log; Run pushes. From then on the engine owns the
// choice of the capture, the run record that `push_realtime status`
// reads, SIGHUP reloads (a value on Options.Reloads) and the logs. For
// each target it builds one pipeline,
//
//	stream_cat --uid UID [--follow] CAPTURE | [pcap_decap |] [pcap_filter --bpf EXPR |] pcap_split --uid UID -o PATH SPLIT NAME ...
//
// and starts it through Options.Pipelines: processes joined by pipes
// (lib/pipeline) by default, a fake in tests. Each stage of a started
// pipeline gets --events 3 and a pipe of its own as descriptor 3, on
// which it writes JSON lines (lib/event): splits published, where
// stream_cat reads, warnings, chunks lost, Post failures, counters. The
// engine reads them as they come; the stages' stderr goes to the target's
// log untouched (lib/push/logs), and the pipeline written there, without
// --events, runs pasted into a shell. Nothing is learnt from words in
// stderr or from /proc.
//
// Offline pushes one stored capture (a name in the store, or a path, as
// stream_cat takes it) through every target at once and reports the
// targets that failed. Realtime follows the current capture
// (Options.Capture, Config.Capture, or the newest active capture in the
// store) with one supervisor per target: a pipeline that fails is
// restarted with exponential backoff (Options.BackoffMin doubling to
// BackoffMax); a pipeline that ends cleanly has finished its capture
// (stream_cat --follow ends when its capture is complete), which is
// remembered in the state folder so the supervisor moves on to the next
// capture. Cancelling the context stops every pipeline from its head, so
// the splits in progress are published, within Options.StopTimeout. Every
// goroutine the engine starts has ended when Run returns.
//
// Each target has a stable id, push_<ns> chosen on its first run and kept
// in the state folder (lib/state), which its stages log and key their
// state by.
//
// Time comes from Options.Clock and every interval from Options, so that
// tests move a fake clock instead of waiting.
//
// # Status
//
// Every status interval (the first one interval after the start) the
// analytics log gets one line per target in the reference's form, with
// the state beside it when no pipeline runs, and every start, exit,
// restart and error a line too. Each target's state (running, idle,
// restarting, failed, stopped, and why), capture, stages and counters are
// kept in memory and written to <state>/targets/<Desc>/status.json
// (lib/push/status) every status interval and at every change of state;
// Snapshot returns them for metrics and progress displays. The counters
// come from the events: a split published, a Post failure; once a
// pipeline has ended, the splits its ledger gained that no event announced
// (a stage killed between the two) are counted too. An offline push's
// progress is what stream_cat's position events say.
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
// every Options.SchedulePoll); when it closes, the pipeline is stopped
// from its head like at SIGTERM and the target idles until it opens
// again, when the pipeline resumes after its ledger. A reload keeps
// unchanged targets running, stops changed ones from the head and starts
// them again with their new settings (same id, so the resume is exact),
// stops removed ones, and starts added ones; a configuration that does
// not load leaves the running one in force.
//
//	p, err := push.New(ctx, push.Options{ConfigFile: file, StateDir: state, Reloads: hups, Stderr: os.Stderr})
//	if err != nil {
//		return err
//	}
//	defer p.Close()
//	return p.Run(ctx)
package push

// Package event is the structured channel from a pipeline's stages to
// push_realtime: what each stage has to say besides its stream, as one
// JSON object per line on a descriptor the stage inherits.
//
// A stage run with --events FD writes its events to descriptor FD (Open);
// without the flag it writes none, so a pipeline copied from a log runs by
// hand as it did. push_realtime gives each stage of a pipeline a pipe of
// its own as descriptor 3, adds --events 3 to its arguments when it starts
// it (the pipeline it logs leaves the flag out), and reads the events as
// they come (Reader). The stages' stderr, which the per-target logs hold,
// says the same things in words for a person; nothing reads it.
//
// The types, who writes them and what push_realtime does with them:
//
//	position     stream_cat   where it reads: chunk, offset, bytes read of the capture's chunk bytes, and their total when known
//	split        pcap_split   a split published (or skipped: split.existed; out of the clock: split.outlier), its ledger entry
//	warning      any stage    a warning, the text its stderr line has after "TOOL: warning: "
//	lost         stream_cat   a chunk deleted before it was read, with the time range lost
//	post_failed  pcap_split   a Post command failed for the split named
//	stats        any stage    its counters when it ends
//
// Events are a live signal, never the record: pcap_split's ledger stays
// what a resume reads, and push_realtime counts splits from the events of
// the pipelines it runs. Writing is best effort: a write that fails (the
// reader gone) turns the Writer off and never fails the stage. The
// descriptor is made close-on-exec, so that commands a stage runs (a pipe
// or Post command) do not hold the pipe open. The format is described in
// docs/formats.md (Events).
//
//	ev, err := event.Open(3, "pcap_split")
//	if err != nil {
//		return err // descriptor 3 is not open
//	}
//	defer ev.Close()
//	ev.Warn("%s already exists with other content: published as %s", name, other)
//
// and on the other side:
//
//	r := event.NewReader(pipe)
//	for {
//		e, err := r.Next()
//		...
//	}
package event

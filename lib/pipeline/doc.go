// Package pipeline builds and runs the shell-shaped pipelines of a push
// target,
//
//	stream_cat ... CAPTURE | [pcap_decap |] [pcap_filter --bpf EXPR |] pcap_split ...
//
// as separate processes joined by pipes that this package creates itself,
// so that each stage's liveness and exit status are known. Shell renders a
// pipeline as shell text that, pasted into a shell, does the same: every
// value is single-quoted when it is not a plain word, so a filter or path
// holding quotes, ';', '$()', backticks or line breaks cannot escape.
//
// A running pipeline's stages share one stderr pipe, read by the caller
// (push_realtime copies it into the target's log). Stop ends a pipeline
// from its head: the first stage gets SIGTERM, the others finish the input
// they have and exit in turn, so every split in progress is published;
// stages still alive at the deadline get SIGTERM, then SIGKILL. Stages run
// in their own process group, so a terminal's Ctrl-C reaches only the
// supervisor, which stops them in order.
//
//	p := pipeline.Pipeline{Stages: []pipeline.Stage{{Name: "stream_cat", Path: "/usr/bin/stream_cat", Args: []string{"cap1"}}, ...}}
//	r, err := pipeline.Start(p, logw)
//	...
//	err = r.Stop(30 * time.Second)
package pipeline

// Package push is push_realtime's engine: from a loaded configuration it
// builds one pipeline per target,
//
//	stream_cat --uid UID [--follow] CAPTURE | [pcap_decap |] [pcap_filter --bpf EXPR |] pcap_split --uid UID -o PATH SPLIT NAME ...
//
// runs them (lib/pipeline), watches them and logs (lib/pushlog).
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
package push

package main

func init() { suites["hops"] = benchHops }

// benchHops: what a pipe hop costs pcap_split, the stage that does the
// most with every byte. The same split from the file itself, from the
// file through cat and a pipe, and from the capture's chunks through
// stream_cat and a pipe.
func benchHops(e *env) error {
	in, size, err := e.bigCapture()
	if err != nil {
		return err
	}
	dir, _, err := e.chunkedCapture()
	if err != nil {
		return err
	}
	clean := "rm -rf out && mkdir out"
	split := "$BIN/pcap_split -o out/ --split-time 60e9 --filename-epoch-sec-startend 2>/dev/null"
	return e.compare(comparison{
		title: "a pipe hop before pcap_split --split-time 60e9",
		ours:  job{name: "stream_cat CAPTURE | pcap_split", bytes: size, setup: clean, shell: "$BIN/stream_cat " + dir + " | " + split},
		peers: []job{
			{name: "cat FILE | pcap_split", bytes: size, setup: clean, shell: "cat " + in + " | " + split},
			{name: "pcap_split < FILE (no hop)", bytes: size, setup: clean, shell: split + " < " + in},
		},
		note: "stream_cat moves the chunks' pages into the pipe (splice), where cat copies them in and out; pcap_split then copies them once from the pipe either way.",
	})
}

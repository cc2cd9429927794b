package main

func init() { suites["split"] = benchSplit }

// benchSplit: pcap_split by time from stdin to a local folder, against
// editcap splitting the same file by time, and cat as the copy limit.
func benchSplit(e *env) error {
	in, size, err := e.bigCapture()
	if err != nil {
		return err
	}
	clean := "rm -rf out && mkdir out"
	return e.compare(comparison{
		title: "pcap_split --split-time 60e9 to a local folder",
		ours: job{name: "pcap_split --split-time 60e9 < FILE", bytes: size, setup: clean,
			shell: "$BIN/pcap_split -o out/ --split-time 60e9 --filename-epoch-sec-startend < " + in + " 2>/dev/null"},
		peers: []job{
			{name: "editcap -F nsecpcap -i 60 FILE", bytes: size, setup: clean, target: 3,
				shell: "editcap -F nsecpcap -i 60 " + in + " out/x.pcap"},
			{name: "cat FILE > OUT (copy limit)", bytes: size, setup: clean,
				shell: "cat " + in + " > out/copy.pcap"},
			{name: "pcap_split, output on disk (fsync)", bytes: size, setup: "rm -rf $DATA/split-out && mkdir $DATA/split-out",
				shell: "$BIN/pcap_split -o $DATA/split-out/ --split-time 60e9 --filename-epoch-sec-startend < " + in + " 2>/dev/null; rm -rf $DATA/split-out"},
		},
		note: "pcap_split fsyncs every split before publishing it; editcap and cat do not sync. The last line shows what durability costs on this disk.",
	})
}

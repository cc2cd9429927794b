package main

import (
	"fmt"
	"os"
	"path/filepath"
)

func init() { suites["push"] = benchPush }

// benchPush: push_realtime pushing the stored 1 GB capture offline with
// the reference's two targets (everything, and net 192.168.1.0/24 and
// tcp, by minute), against the shell pipelines a user would write without
// pcappush (tcpdump -r FILE [EXPR] | editcap -i 60, one per target), both
// run at once as push_realtime runs its targets, and against a faster form
// in which editcap reads the file itself for the unfiltered target.
func benchPush(e *env) error {
	dir, size, err := e.chunkedCapture()
	if err != nil {
		return err
	}
	in, _, err := e.bigCapture()
	if err != nil {
		return err
	}
	cfg := filepath.Join(e.work, "push_realtime.lua")
	lua := fmt.Sprintf(`local Config = {}
Config.Target = {}
table.insert(Config.Target, { Desc = "pcap-all", Mode = "File", Path = %q,
    Split = "--split-time 60e9", FileName = "--filename-epoch-sec-startend", FilterBPF = nil })
table.insert(Config.Target, { Desc = "pcap-tcp", Mode = "File", Path = %q,
    Split = "--split-time 60e9", FileName = "--filename-epoch-sec-startend", FilterBPF = "net 192.168.1.0/24 and tcp" })
return Config
`, filepath.Join(e.work, "out", "all"), filepath.Join(e.work, "out", "tcp"))
	if err := os.WriteFile(cfg, []byte(lua), 0o644); err != nil {
		return err
	}
	clean := "rm -rf out state log && mkdir out"
	filter := "'net 192.168.1.0/24 and tcp'"
	return e.compare(comparison{
		title: "push_realtime --offline, the reference's two targets",
		ours: job{name: "push_realtime --offline (2 targets)", bytes: size, setup: clean,
			shell: fmt.Sprintf("$BIN/push_realtime --config %s --store %s --state-dir state --log-dir log --bin-dir $BIN --force --offline %s 2>/dev/null",
				cfg, filepath.Dir(dir), filepath.Base(dir))},
		peers: []job{
			// The pipelines the issue names, unfiltered and filtered.
			{name: "tcpdump | editcap & tcpdump EXPR | editcap", bytes: size, setup: clean,
				shell: fmt.Sprintf("tcpdump --time-stamp-precision nano -r %s -w - 2>/dev/null | editcap -F nsecpcap -i 60 - out/all.pcap & tcpdump --time-stamp-precision nano -r %s -w - %s 2>/dev/null | editcap -F nsecpcap -i 60 - out/tcp.pcap; wait", in, in, filter)},
			// A faster peer: editcap reads the file itself when nothing is filtered.
			{name: "editcap -i 60 & tcpdump EXPR | editcap -i 60", bytes: size, setup: clean,
				shell: fmt.Sprintf("editcap -F nsecpcap -i 60 %s out/all.pcap & tcpdump --time-stamp-precision nano -r %s -w - %s 2>/dev/null | editcap -F nsecpcap -i 60 - out/tcp.pcap; wait", in, in, filter)},
		},
		target: 2,
		note:   "push_realtime reads the capture from its 100 chunk files, fsyncs every split, and keeps checkpoints and ledgers; the shell pipelines read one file and do neither.",
	})
}

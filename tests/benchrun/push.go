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
// pcappush, both targets at once as push_realtime runs them: an expert's
// (editcap reads the file itself for the unfiltered target), one
// tcpdump | editcap per target, and push_realtime's own pipelines pasted
// from its log into a shell.
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
	tcpdump := func(expr string) string {
		return fmt.Sprintf("tcpdump --time-stamp-precision nano -r %s -w - %s 2>/dev/null", in, expr)
	}
	editcap := func(from, to string) string { return fmt.Sprintf("editcap -F nsecpcap -i 60 %s out/%s.pcap", from, to) }
	// The pipelines push_realtime starts, as its log shows them, run by hand.
	cat := func(uid string) string {
		return fmt.Sprintf("$BIN/stream_cat --uid %s --store %s --state-dir state --skip-bad --checkpoint-every 60000000000 %s 2>/dev/null",
			uid, filepath.Dir(dir), filepath.Base(dir))
	}
	split := func(uid, name string) string {
		return fmt.Sprintf("$BIN/pcap_split --uid %s -o out/%s --split-time 60e9 --filename-epoch-sec-startend --ledger state/%s.ledger --checkpoint-every 60000000000 2>/dev/null",
			uid, name, uid)
	}
	return e.compare(comparison{
		title: "push_realtime --offline, the reference's two targets",
		ours: job{name: "push_realtime --offline (2 targets)", bytes: size, setup: clean,
			shell: fmt.Sprintf("$BIN/push_realtime --config %s --store %s --state-dir state --log-dir log --bin-dir $BIN --force --offline %s 2>/dev/null",
				cfg, filepath.Dir(dir), filepath.Base(dir))},
		peers: []job{
			// What an expert writes: editcap reads the file itself when
			// nothing is filtered.
			{name: "editcap -i 60 FILE & tcpdump EXPR | editcap -i 60", bytes: size, setup: clean, target: 1.3,
				shell: fmt.Sprintf("%s & %s | %s; wait", editcap(in, "all"), tcpdump(filter), editcap("-", "tcp"))},
			// One tcpdump | editcap pipeline per target.
			{name: "tcpdump | editcap & tcpdump EXPR | editcap", bytes: size, setup: clean, target: 2.2,
				shell: fmt.Sprintf("%s | %s & %s | %s; wait", tcpdump(""), editcap("-", "all"), tcpdump(filter), editcap("-", "tcp"))},
			// push_realtime's own pipelines pasted into a shell: the same
			// speed, since every stage enlarges its pipes itself.
			{name: "the two pipelines of the log, by hand", bytes: size, setup: clean,
				shell: fmt.Sprintf("%s | %s & %s | $BIN/pcap_filter --bpf %s | %s; wait", cat("u1"), split("u1", "all"), cat("u2"), filter, split("u2", "tcp"))},
		},
		note: "push_realtime reads the capture from its 100 chunk files, fsyncs every split, and keeps checkpoints and ledgers; the shell pipelines read one file and do neither.",
	})
}

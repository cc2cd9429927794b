// Package config loads push_realtime's configuration: a Lua file, run as
// real Lua by gopher-lua, that returns a table Config whose list
// Config.Target describes the push targets.
//
//	local Config = {}
//	Config.Target = {}
//	table.insert(Config.Target, { Desc = "pcap-tcp", Mode = "File", Path = "/mnt/remote0/push/tcp",
//	    Split = "--split-time 60e9", FileName = "--filename-epoch-sec-startend",
//	    FilterBPF = "net 192.168.1.0/24 and tcp" })
//	return Config
//
// Globals set folders (Config.Store, Config.LogDir, Config.RcloneConfig),
// the capture to follow (Config.Capture), the machine's name
// (Config.Host) and when realtime mode pushes (Config.Schedule, a list of
// windows read by lib/schedule). A target's Post is a command run after
// each of its splits is published.
//
// A Path may hold the placeholders {host} (Checks.Host, else Config.Host,
// else the short host name), {desc} (the target's Desc) and {capture}
// (Checks.Capture, else Config.Capture), expanded once by Load before
// anything else looks at the Path: so that many machines can push into one
// bucket, each under its own folder, s3-fmad://pcap/{host}/all. An unknown
// placeholder, one without a value, or a host name that is not a plain
// file-name component is an *Error naming the field. ExpandPath does the
// same for pcap_split's -o.
//
// Load runs the file and checks every field of every target before
// anything starts: the split and file name options, the BPF filter
// (compiled by libpcap through the Checks given), the mode, the output
// folder. A mistake is an *Error naming the file, the target and the
// field, with a hint for misspelt field names; a Lua syntax or runtime
// error names the file and line. The file is trusted code (it runs with
// the service's rights, and PipeCmd is a shell command by design): Load
// warns when it is writable by group or others.
//
// # Bounds
//
// The Lua code runs in a child process (lib/child), so that code that
// never ends or allocates without bound cannot take push_realtime down, at
// start or on SIGHUP (where the running configuration stays): it is
// stopped after RunTimeout (10 s, killed 10 s later at the latest), or
// when its heap, watched every 2 ms, passes MaxMemory (256 MiB);
// string.rep refuses a result over MaxMemory before making it (the
// common way to ask for gigabytes in one call); gopher-lua's fixed call
// stack (256 frames) and registry (5120 slots) turn deep recursion into
// "stack overflow"; and RLIMIT_DATA of 2 GiB backs up the watch against a
// single huge allocation from another library function (Go's runtime may
// stall rather than fail there, and the process is then killed at its
// deadline). The child returns the value the file returned, scalars and
// tables (at most 16 deep and 2^20 values), rebuilt here for the readers.
// Loading the reference configuration takes 25 to 120 ms on a busy
// 2-core machine (median 89 ms of 5), most of it starting the child.
//
//	cfg, err := config.LoadContext(ctx, "/etc/pcappush/push_realtime.lua", config.Checks{BPF: func(expr string, _ bool) error { return bpf.Check(expr) }})
package config

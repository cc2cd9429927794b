// Package install names what an installation of pcappush holds: its
// tools, and the files and folders they use when no flag or
// configuration names others. Every default path and the list of tools
// are written here once; the tools, the configuration reference and the
// man pages take them from here.
//
//	dir := install.Store // the capture store when --store, PCAPPUSH_STORE and Config.Store are not given
package install

// The default files and folders (see docs/configuration.md).
const (
	ConfigFile   = "/etc/pcappush/push_realtime.lua" // push_realtime --config, PCAPPUSH_CONFIG
	RcloneConfig = "/etc/pcappush/rclone.conf"       // --rclone-config, RCLONE_CONFIG, Config.RcloneConfig
	Store        = "/var/lib/pcappush/capture"       // --store, PCAPPUSH_STORE, Config.Store
	StateDir     = "/var/lib/pcappush/state"         // --state-dir, PCAPPUSH_STATE
	LogDir       = "/var/log/pcappush"               // --log-dir, Config.LogDir
)

// Stages are the tools a push pipeline is made of, in pipeline order.
var Stages = []string{"stream_cat", "pcap_decap", "pcap_filter", "pcap_split"}

// Tools are pcappush's commands, the stages first; man pages refer to
// each other through this list.
var Tools = append(Stages[:len(Stages):len(Stages)], "push_realtime", "pcapgen")

package config

import "github.com/pcappush/pcappush/lib/install"

// Field is one setting of push_realtime.lua as the documentation shows
// it. Reference lists them all; the man page push_realtime.lua(5) and the
// reference section of docs/configuration.md are made from it, and a test
// checks it against the fields Load reads.
type Field struct {
	Name     string // "Desc" for a target's field, "Config.Store" for a global
	Target   bool   // a field of each target, rather than a global
	Required bool
	Default  string // what leaving it out means, when not required
	Text     string // what it does; one paragraph
}

// Example is a documented use of the configuration: a target or a global,
// with the rclone.conf section it needs, if any.
type Example struct {
	Title  string // what it shows, one line
	Lua    string // lines of push_realtime.lua
	Rclone string // the matching rclone.conf section ("" for none)
}

// Reference returns every field of push_realtime.lua: the targets' fields,
// then the globals.
func Reference() []Field {
	return []Field{
		{Name: "Desc", Target: true, Required: true,
			Text: "The target's name, unique in the file. It names the target's log files (push_DESC.cur) and folders in the state folder, so it holds only letters, digits, '.', '_' and '-' (64 at most)."},
		{Name: "Mode", Target: true, Default: "File",
			Text: "File (a local or mounted folder) or RCLONE (an rclone remote, configured in the rclone configuration file); any case."},
		{Name: "Path", Target: true, Required: true,
			Text: "The output prefix, as pcap_split's -o: an absolute path for File (its folder is made when missing), REMOTE:PATH/PREFIX (or REMOTE://PATH, or a connection string) for RCLONE, never without a remote nor with credentials in it. The file names add _, the time part and the suffix. {host}, {desc} and {capture} in it are expanded once at start: the machine's short host name (or Config.Host, --host), the target's Desc, and the capture pushed (which must then be fixed: --offline, --capture or Config.Capture). A Path with a line break is refused."},
		{Name: "Split", Target: true, Required: true,
			Text: "When a split ends: \"--split-time NS\" (nanoseconds, e.g. 60e9 for a minute, aligned to the epoch) or \"--split-byte BYTES\" (e.g. 1GB)."},
		{Name: "FileName", Target: true, Required: true,
			Text: "How splits are named: one of pcap_split's --filename-epoch-sec, --filename-epoch-sec-startend, --filename-tstr-HHMM, --filename-tstr-HHMMSS, --filename-tstr-HHMMSS_NS."},
		{Name: "FilterBPF", Target: true, Default: "nil (every packet)",
			Text: "A tcpdump filter expression (pcap-filter(7)) the packets must match. Compiled by libpcap when the file is loaded: for Ethernet when Decap is on, else as pcap_filter checks it before its input's link type is known. At most 4096 bytes, compiled within 10 s, once per load of the file."},
		{Name: "Decap", Target: true, Default: "false",
			Text: "true: remove VLAN tags, MPLS labels and tunnels first (pcap_decap), so that FilterBPF sees the inner packets."},
		{Name: "Compress", Target: true, Default: "nil (no compression)",
			Text: "Compress each split in process: gzip, zstd or lz4, optionally with a level (\"zstd:1\"). The suffix then defaults to .pcap.gz, .pcap.zst or .pcap.lz4."},
		{Name: "PipeCmd", Target: true, Default: "nil",
			Text: "A shell command each split passes through on its way out, e.g. \"gzip -c -1\" (after Compress when both are given). One starting with '-' is refused."},
		{Name: "FileSuffix", Target: true, Default: ".pcap (or Compress's suffix)",
			Text: "The file name suffix, e.g. \".pcap.gz\" with PipeCmd = \"gzip -c -1\"; no '/'."},
		{Name: "Post", Target: true, Default: "nil",
			Text: "A command run after each split is published and recorded, e.g. to index or announce it: the split's name, bytes, packets and first and last packet times (ns) as $1 to $5 and as PCAPPUSH_SPLIT_NAME, PCAPPUSH_SPLIT_BYTES, PCAPPUSH_SPLIT_PACKETS, PCAPPUSH_SPLIT_FIRST_NS, PCAPPUSH_SPLIT_LAST_NS. One word is run directly; anything else by /bin/sh -c. One starting with '-' is refused."},
		{Name: "Config.Target", Required: true,
			Text: "The list of targets, each a table of the fields above, in order: table.insert(Config.Target, { Desc = ..., ... })."},
		{Name: "Config.Store", Default: install.Store,
			Text: "The capture store: one folder per capture, holding its chunk files. --store and PCAPPUSH_STORE win over it."},
		{Name: "Config.LogDir", Default: install.LogDir,
			Text: "The log folder (analytics_push_realtime.cur, and push_DESC.cur for each target). --log-dir wins over it."},
		{Name: "Config.RcloneConfig", Default: install.RcloneConfig,
			Text: "The rclone configuration file that RCLONE targets' remotes are read from. --rclone-config and RCLONE_CONFIG win over it."},
		{Name: "Config.Capture", Default: "the newest active capture",
			Text: "The capture realtime mode follows (and {capture} in Path). --capture wins over it."},
		{Name: "Config.Host", Default: "the short host name",
			Text: "This machine's name, {host} in Path, so that many machines pushing into one bucket never write the same object: letters, digits, '.', '_' and '-'. --host wins over it."},
		{Name: "Config.Schedule", Default: "always",
			Text: "When realtime mode pushes: a list of weekly windows \"DAYS START-END [ZONE]\", e.g. {\"Mon-Fri 08:00-18:00\", \"Sat 00:00-06:00\"}. Outside them the pipelines are stopped as for SIGTERM and resume after their ledgers when the next window opens; --offline ignores it."},
	}
}

// Examples returns the documented examples, each a target or global of
// push_realtime.lua and the rclone.conf section it needs.
func Examples() []Example {
	return []Example{
		{Title: "every packet to a mounted folder, one file a minute",
			Lua: `table.insert(Config.Target, { Desc = "pcap-all", Mode = "File", Path = "/mnt/remote0/push/all",
    Split = "--split-time 60e9", FileName = "--filename-epoch-sec-startend" })`},
		{Title: "the TCP of a network, inside tunnels too, to Amazon S3 (or any S3 store), compressed",
			Lua: `table.insert(Config.Target, { Desc = "s3-tcp", Mode = "RCLONE", Path = "s3-pcap:acme-pcap/site1/tcp",
    Split = "--split-time 60e9", FileName = "--filename-tstr-HHMMSS",
    FilterBPF = "net 192.168.1.0/24 and tcp", Decap = true, Compress = "zstd" })`,
			Rclone: `[s3-pcap]
type = s3
provider = AWS
env_auth = true
region = eu-west-1`},
		{Title: "DNS to an SSH server",
			Lua: `table.insert(Config.Target, { Desc = "sftp-dns", Mode = "RCLONE", Path = "archive:/srv/pcap/site1/dns",
    Split = "--split-time 300e9", FileName = "--filename-epoch-sec-startend",
    FilterBPF = "port 53", Compress = "gzip" })`,
			Rclone: `[archive]
type = sftp
host = archive.example.net
user = pcappush
key_file = /etc/pcappush/id_ed25519
known_hosts_file = /etc/pcappush/known_hosts`},
		{Title: "1 GB files to Azure Blob Storage, container pcap",
			Lua: `table.insert(Config.Target, { Desc = "azure-all", Mode = "RCLONE", Path = "azblob:pcap/site1/all",
    Split = "--split-byte 1GB", FileName = "--filename-tstr-HHMMSS_NS", Compress = "zstd" })`,
			Rclone: `[azblob]
type = azureblob
account = acmepcap
key = BASE64KEY==`},
		{Title: "encrypted at rest: an rclone crypt remote over the S3 remote above (the recommended way to push to a cloud)",
			Lua: `table.insert(Config.Target, { Desc = "s3-sealed", Mode = "RCLONE", Path = "sealed:site1/all",
    Split = "--split-time 60e9", FileName = "--filename-tstr-HHMMSS", Compress = "zstd" })`,
			Rclone: `[sealed]
type = crypt
remote = s3-pcap:acme-pcap-sealed
filename_encryption = off
directory_name_encryption = false
password = OBSCURED-PASSWORD`},
		{Title: "many sensors into one bucket, each under its own host name",
			Lua: `table.insert(Config.Target, { Desc = "all", Mode = "RCLONE", Path = "s3-pcap:acme-pcap/{host}/all",
    Split = "--split-time 60e9", FileName = "--filename-tstr-HHMMSS", Compress = "zstd" })`},
		{Title: "push only in working hours, London time",
			Lua: `Config.Schedule = { "Mon-Fri 08:00-18:00 Europe/London" }`},
	}
}

package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pcappush/pcappush/lib/split"
)

// noFolders records the folders Load would make instead of making them.
func noFolders(made *[]string) Checks {
	return Checks{Folder: func(d string) error { *made = append(*made, d); return nil }}
}

func TestLoadReferenceExample(t *testing.T) {
	var made []string
	var filters []string
	chk := noFolders(&made)
	chk.BPF = func(e string, _ bool) error { filters = append(filters, e); return nil }
	cfg, err := Load("testdata/reference.lua", chk)
	if err != nil {
		t.Fatal(err)
	}
	want := []Target{
		{Desc: "pcap-all", Mode: ModeFile, Path: "/mnt/remote0/push/all", Split: "--split-time 60e9", SplitTime: 60e9, FileName: split.EpochSecStartEnd},
		{Desc: "pcap-tcp", Mode: ModeFile, Path: "/mnt/remote0/push/tcp", Split: "--split-time 60e9", SplitTime: 60e9, FileName: split.EpochSecStartEnd, FilterBPF: "net 192.168.1.0/24 and tcp"},
	}
	if d := cmp.Diff(want, cfg.Targets); d != "" {
		t.Errorf("targets (-want +got):\n%s", d)
	}
	if strings.Join(made, ",") != "/mnt/remote0/push,/mnt/remote0/push" || strings.Join(filters, ",") != "net 192.168.1.0/24 and tcp" {
		t.Errorf("folders %v, filters %v", made, filters)
	}
}

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "push_realtime.lua")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// target returns a config with one target made of the given fields.
func target(fields string) string {
	return "local Config = {}\nConfig.Target = {}\ntable.insert(Config.Target, {" + fields + "})\nreturn Config\n"
}

const good = `Desc = "t1", Path = "/tmp/pcappush-config-test/all", Split = "--split-time 60e9", FileName = "--filename-epoch-sec"`

func TestLoadErrors(t *testing.T) {
	badBPF := errors.New(`bad filter "tcp port": syntax error`)
	tests := []struct {
		name, body, want string
	}{
		{"unknown field with hint", target(good + `, FilterBP = "tcp"`), `target "t1": unknown field "FilterBP" (did you mean "FilterBPF"?)`},
		{"unknown field far from all", target(good + `, Colour = "red"`), `target "t1": unknown field "Colour" (known: Compress, Decap, Desc, FileName`},
		{"lua syntax", "local Config = {\nreturn Config\n", "lua syntax error at line 2, column 6 near 'return'"},
		{"lua runtime", "local Config = {}\nlocal x = nil\nx.y = 1\nreturn Config\n", "lua error at line 3: attempt to index"},
		{"no return", "local Config = {}\n", "must end with `return Config`"},
		{"no targets", "local Config = {}\nConfig.Target = {}\nreturn Config\n", "Config.Target: want a non-empty list"},
		{"unknown global", "local Config = {}\nConfig.Stor = '/x'\nConfig.Target = {}\nreturn Config\n", `Config.Stor: unknown setting (did you mean "Store"?)`},
		{"missing desc", target(`Path = "/tmp/x", Split = "--split-time 60e9", FileName = "--filename-epoch-sec"`), "target 1: Desc: missing"},
		{"bad desc", target(`Desc = "../etc", Path = "/tmp/x", Split = "--split-time 60e9", FileName = "--filename-epoch-sec"`), `Desc: "../etc": use only letters`},
		{"duplicate desc", "local Config = {}\nConfig.Target = {}\ntable.insert(Config.Target, {" + good + "})\ntable.insert(Config.Target, {" + good + "})\nreturn Config\n", `"t1" is used by two targets`},
		{"missing fields", target(`Desc = "t1"`), `target "t1": missing Path, Split, FileName (required)`},
		{"bad split", target(`Desc = "t1", Path = "/tmp/x", Split = "--split-tim 60e9", FileName = "--filename-epoch-sec"`), `Split: "--split-tim 60e9": want --split-time NS or --split-byte BYTES`},
		{"bad number", target(`Desc = "t1", Path = "/tmp/x", Split = "--split-time 6o", FileName = "--filename-epoch-sec"`), `Split: "--split-time 6o": not a number`},
		{"bad filename", target(`Desc = "t1", Path = "/tmp/x", Split = "--split-time 60e9", FileName = "--filename-epoch"`), `FileName: unknown file name option "--filename-epoch"`},
		{"split finer than names", target(`Desc = "t1", Path = "/tmp/x", Split = "--split-time 30e9", FileName = "--filename-tstr-HHMM"`), `finer than --filename-tstr-HHMM`},
		{"bad mode", target(good + `, Mode = "S3"`), `Mode: unknown mode "S3" (want File or RCLONE)`},
		{"relative path", target(`Desc = "t1", Path = "push/all", Split = "--split-time 60e9", FileName = "--filename-epoch-sec"`), `Path: "push/all": a File path must be absolute`},
		{"decap not boolean", target(good + `, Decap = "yes"`), `Decap: want true or false, got string yes`},
		{"suffix with slash", target(good + `, FileSuffix = "/x.pcap"`), `FileSuffix: "/x.pcap" must not hold '/'`},
		{"bad filter", target(good + `, FilterBPF = "tcp port"`), `FilterBPF: bad filter "tcp port": syntax error`},
		{"same path twice", "local Config = {}\nConfig.Target = {}\ntable.insert(Config.Target, {" + good + "})\ntable.insert(Config.Target, {" + strings.Replace(good, `"t1"`, `"t2"`, 1) + "})\nreturn Config\n", `target "t2": Path: "/tmp/pcappush-config-test/all" is also target "t1"'s`},
		{"misspelt schedule", "local Config = {}\nConfig.Schedul = {}\nConfig.Target = {}\nreturn Config\n", `Config.Schedul: unknown setting (did you mean "Schedule"?)`},
		{"schedule in a target", target(good + `, Schedule = {"Mon 08:00-09:00"}`), `unknown field "Schedule" (Schedule is a global setting: Config.Schedule = ...)`},
		{"bad schedule day", withSchedule(`{"Mon-Fry 08:00-18:00"}`), `Config.Schedule: window "Mon-Fry 08:00-18:00": "Fry" is not a day`},
		{"bad schedule zone", withSchedule(`{"Mon-Fri 08:00-18:00", "Sat 00:00-06:00 Europe/Londn"}`), `Config.Schedule: window "Sat 00:00-06:00 Europe/Londn": unknown time zone "Europe/Londn"`},
		{"empty schedule", withSchedule(`{}`), `Config.Schedule: no windows (leave the schedule out to push at all times)`},
		{"schedule not strings", withSchedule(`{8, 18}`), `Config.Schedule: window 1: want a string`},
		{"schedule a number", withSchedule(`24`), `Config.Schedule: want a list of windows`},
		{"blank post", target(good + `, Post = "  "`), `Post: is blank`},
		{"path with newline", target(`Desc = "t1", Path = "/tmp/a\nb", Split = "--split-time 60e9", FileName = "--filename-epoch-sec"`), `holds a NUL or line break`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeConfig(t, tt.body)
			var made []string
			chk := noFolders(&made)
			chk.BPF = func(e string, _ bool) error {
				if e == "tcp port" {
					return badBPF
				}
				return nil
			}
			_, err := Load(path, chk)
			var ce *Error
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "config "+path+": ") {
				t.Errorf("Load = %v; want a config error naming the file and containing %q", err, tt.want)
			}
		})
	}
}

func withSchedule(sched string) string {
	return strings.Replace(target(good), "Config.Target = {}", "Config.Schedule = "+sched+"\nConfig.Target = {}", 1)
}

func TestLoadSchedule(t *testing.T) {
	var made []string
	tests := []struct {
		lua, want string
		always    bool
	}{
		{`{"Mon-Fri 08:00-18:00", "Sat 00:00-06:00 Europe/London"}`, "Mon-Fri 08:00-18:00, Sat 00:00-06:00 Europe/London", false},
		{`"daily 22:00-06:00"`, "* 22:00-06:00", false},
		{`{"24/7"}`, "always", true},
		{`nil`, "always", true},
	}
	for _, tt := range tests {
		cfg, err := Load(writeConfig(t, withSchedule(tt.lua)), noFolders(&made))
		if err != nil {
			t.Fatalf("Config.Schedule = %s: %v", tt.lua, err)
		}
		if got := cfg.Schedule.String(); got != tt.want || cfg.Schedule.Always() != tt.always {
			t.Errorf("Config.Schedule = %s: %q (always %v); want %q (always %v)", tt.lua, got, cfg.Schedule.Always(), tt.want, tt.always)
		}
	}
}

func TestLoadAllFieldsAndGlobals(t *testing.T) {
	body := `local Config = {}
Config.Store = "/data/capture"
Config.LogDir = "/data/log"
Config.RcloneConfig = "/etc/rc.conf"
Config.Capture = "cap1"
Config.Target = {}
table.insert(Config.Target, { Desc = "s3-gz", Mode = "rclone", Path = "s3-fmad://pcap/all",
    Split = "--split-byte 1e9", FileName = "--filename-tstr-HHMMSS", FilterBPF = "tcp",
    Decap = true, PipeCmd = "gzip -c", FileSuffix = ".pcap.gz", Post = "/usr/local/bin/index-split", Compress = "zstd:1" })
return Config
`
	var remotes []string
	chk := Checks{Output: func(t *Target, rc string) error { remotes = append(remotes, t.Path+" "+rc); return nil }}
	cfg, err := Load(writeConfig(t, body), chk)
	if err != nil {
		t.Fatal(err)
	}
	got := cfg.Targets[0]
	want := Target{Desc: "s3-gz", Mode: ModeRclone, Path: "s3-fmad://pcap/all", Split: "--split-byte 1e9", SplitBytes: 1e9,
		FileName: split.TstrHHMMSS, FilterBPF: "tcp", Decap: true, PipeCmd: "gzip -c", FileSuffix: ".pcap.gz", Post: "/usr/local/bin/index-split", Compress: "zstd:1"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("target (-want +got):\n%s", d)
	}
	if cfg.Store != "/data/capture" || cfg.LogDir != "/data/log" || cfg.RcloneConfig != "/etc/rc.conf" || cfg.Capture != "cap1" {
		t.Errorf("globals %+v", cfg)
	}
	if len(remotes) != 1 || remotes[0] != "s3-fmad://pcap/all /etc/rc.conf" {
		t.Errorf("remote checks %v", remotes)
	}
}

func TestLoadWarnsAboutWritableConfig(t *testing.T) {
	p := writeConfig(t, target(good))
	if err := os.Chmod(p, 0o666); err != nil {
		t.Fatal(err)
	}
	var made []string
	cfg, err := Load(p, noFolders(&made))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Warnings) != 1 || !strings.Contains(cfg.Warnings[0], "writable by group or others") {
		t.Errorf("warnings %v", cfg.Warnings)
	}
}

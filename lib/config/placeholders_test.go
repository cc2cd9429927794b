package config

import (
	"errors"
	"os"
	"strings"
	"testing"
)

func TestExpandPath(t *testing.T) {
	all := PathValues{Host: "sensor7", Desc: "pcap-all", Capture: "capture1"}
	tests := []struct {
		path string
		v    PathValues
		want string // "" for an error
		err  string
	}{
		{"s3-fmad://pcap/{host}/all", all, "s3-fmad://pcap/sensor7/all", ""},
		{"/mnt/push/{host}/{desc}/{capture}/", all, "/mnt/push/sensor7/pcap-all/capture1/", ""},
		{"/mnt/push/{host}_{host}", all, "/mnt/push/sensor7_sensor7", ""},
		{"/mnt/push/all", PathValues{}, "/mnt/push/all", ""},
		{"/mnt/push/{half", all, "/mnt/push/{half", ""},
		{"/mnt/push/}{desc}", all, "/mnt/push/}pcap-all", ""},
		{"/mnt/push/{hostname}/all", all, "", "unknown placeholder {hostname} (known: {host}, {desc}, {capture})"},
		{"/mnt/push/{}/all", all, "", "unknown placeholder {}"},
		{"/mnt/push/{HOST}/all", all, "", "unknown placeholder {HOST}"},
		{"/mnt/push/{capture}/all", PathValues{Host: "h"}, "", "{capture} has no value here: give the capture"},
		{"/mnt/push/{desc}", PathValues{Host: "h"}, "", "{desc} has no value here: it is a push_realtime target's Desc"},
	}
	for _, tt := range tests {
		got, err := ExpandPath(tt.path, tt.v)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ExpandPath(%q) = %q, %v; want an error containing %q", tt.path, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ExpandPath(%q) = %q, %v; want %q", tt.path, got, err, tt.want)
		}
	}
}

func TestCheckHost(t *testing.T) {
	for _, h := range []string{"sensor7", "s-1.dc2", "A_b"} {
		if err := CheckHost(h); err != nil {
			t.Errorf("CheckHost(%q) = %v", h, err)
		}
	}
	for _, h := range []string{"", ".", "..", "a/b", "a b", "a\nb", "{host}", strings.Repeat("x", 65)} {
		if err := CheckHost(h); err == nil {
			t.Errorf("CheckHost(%q) accepted", h)
		}
	}
}

// hostTarget is a config with Config.Host (when host is not "") and one
// target of the given Path.
func hostTarget(host, path string) string {
	body := target(`Desc = "pcap-all", Mode = "RCLONE", Path = "` + path + `", Split = "--split-time 10e9", FileName = "--filename-tstr-HHMMSS"`)
	if host != "" {
		body = strings.Replace(body, "Config.Target = {}", "Config.Host = "+host+"\nConfig.Target = {}", 1)
	}
	return body
}

func TestLoadExpandsPlaceholders(t *testing.T) {
	short, err := ShortHostname()
	if err != nil {
		t.Skipf("this machine's host name: %v", err)
	}
	tests := []struct {
		name, body    string
		host, capture string // the command line's
		want          string
	}{
		{"system host", hostTarget("", "s3-fmad://pcap/{host}/all"), "", "", "s3-fmad://pcap/" + short + "/all"},
		{"Config.Host", hostTarget(`"sensor7"`, "s3-fmad://pcap/{host}/all"), "", "", "s3-fmad://pcap/sensor7/all"},
		{"--host wins", hostTarget(`"sensor7"`, "s3-fmad://pcap/{host}/all"), "sensor9", "", "s3-fmad://pcap/sensor9/all"},
		{"desc and capture", strings.Replace(hostTarget(`"s1"`, "s3-fmad://pcap/{host}/{desc}/{capture}/"), "Config.Target = {}", "Config.Capture = \"cap1\"\nConfig.Target = {}", 1), "", "", "s3-fmad://pcap/s1/pcap-all/cap1/"},
		{"--capture wins", strings.Replace(hostTarget("", "s3-fmad://pcap/{capture}/all"), "Config.Target = {}", "Config.Capture = \"cap1\"\nConfig.Target = {}", 1), "", "cap2", "s3-fmad://pcap/cap2/all"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Load(writeConfig(t, tt.body), Checks{Host: tt.host, Capture: tt.capture})
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.Targets[0].Path; got != tt.want {
				t.Errorf("Path = %q; want %q", got, tt.want)
			}
		})
	}
}

// TestLoadPlaceholderErrors: each mistake names the file, the target and
// the field.
func TestLoadPlaceholderErrors(t *testing.T) {
	tests := []struct {
		name, body, host, want string
	}{
		{"unknown placeholder", hostTarget("", "s3-fmad://pcap/{hostname}/all"), "", `target "pcap-all": Path: "s3-fmad://pcap/{hostname}/all": unknown placeholder {hostname}`},
		{"no capture", hostTarget(`"s1"`, "s3-fmad://pcap/{host}/{capture}/all"), "", `target "pcap-all": Path: "s3-fmad://pcap/{host}/{capture}/all": {capture} has no value here`},
		{"bad Config.Host", hostTarget(`"a/b"`, "s3-fmad://pcap/all"), "", `Config.Host: host name "a/b" is not a plain file-name component`},
		{"bad --host", hostTarget("", "s3-fmad://pcap/{host}/all"), "..", `target "pcap-all": Path: --host: host name ".." is not a plain file-name component`},
		{"Config.Host not a string", hostTarget(`{}`, "s3-fmad://pcap/all"), "", `Config.Host: want a string`},
		{"path capture", strings.Replace(hostTarget("", "s3-fmad://pcap/{capture}/all"), "Config.Target = {}", "Config.Capture = \"../x\"\nConfig.Target = {}", 1), "", `Path: {capture} "../x": give the name of a capture`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeConfig(t, tt.body)
			_, err := Load(path, Checks{Host: tt.host})
			var ce *Error
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "config "+path+": ") {
				t.Errorf("Load = %v; want a config error containing %q", err, tt.want)
			}
		})
	}
}

// TestLoadTwoSensorsApart: two machines with the same configuration (same
// Desc, same capture) get different paths from {host}, and so never write
// the same object name.
func TestLoadTwoSensorsApart(t *testing.T) {
	body := strings.Replace(hostTarget("", "s3-fmad://pcap/{host}/{desc}"), "Config.Target = {}", "Config.Capture = \"capture1\"\nConfig.Target = {}", 1)
	path := writeConfig(t, body)
	var paths []string
	for _, host := range []string{"sensor1", "sensor2"} {
		cfg, err := Load(path, Checks{Host: host})
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, cfg.Targets[0].Path)
	}
	if paths[0] == paths[1] || strings.HasPrefix(paths[0], paths[1]) || strings.HasPrefix(paths[1], paths[0]) {
		t.Errorf("two hosts share a prefix: %q", paths)
	}
}

// FuzzExpandPath: no panic, and a path that expands has nothing left to
// expand (values hold no braces).
func FuzzExpandPath(f *testing.F) {
	for _, s := range []string{"s3-fmad://pcap/{host}/all", "/x/{desc}/{capture}", "{", "}{", "{{host}}", "/x/{nope}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		out, err := ExpandPath(path, PathValues{Host: "h", Desc: "d", Capture: "c"})
		if err != nil {
			return
		}
		if again, err := ExpandPath(out, PathValues{}); err != nil || again != out {
			t.Fatalf("ExpandPath(%q) = %q, which expands again to %q, %v", path, out, again, err)
		}
	})
}

func TestShortHostname(t *testing.T) {
	h, err := os.Hostname()
	if err != nil {
		t.Skip(err)
	}
	short, err := ShortHostname()
	if err != nil {
		if CheckHost(strings.Split(h, ".")[0]) == nil {
			t.Fatal(err)
		}
		return
	}
	if short != strings.Split(h, ".")[0] {
		t.Errorf("ShortHostname() = %q; host name %q", short, h)
	}
}

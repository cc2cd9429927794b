package config

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzLoad runs arbitrary text as a configuration: Load must return a
// *Error or a valid configuration, never panic or hang.
func FuzzLoad(f *testing.F) {
	ref, err := os.ReadFile("testdata/reference.lua")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(ref))
	f.Add(target(good + `, Decap = true, PipeCmd = "gzip -c", FileSuffix = ".pcap.gz"`))
	f.Add(target(`Desc = 1, Path = {}, Split = true`))
	f.Add(withSchedule(`{"Mon-Fri 08:00-18:00", "Sat 22:00-06:00 Europe/London"}`))
	f.Add(withSchedule(`{"Mon-Fry 8-18"}`))
	f.Add(hostTarget(`"sensor7"`, "s3-fmad://pcap/{host}/{desc}/{capture}"))
	f.Add("while true do end")
	f.Add("return 5")
	RunTimeout = 200 * time.Millisecond
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, body string) {
		p := filepath.Join(dir, "c.lua")
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		// The Lua code runs in this process (a child per input would be
		// slow); Load runs the same code in a child.
		v, err := runLua(p, RunTimeout)
		if err != nil {
			return
		}
		cfg, err := read(p, v, Checks{Folder: func(string) error { return nil }})
		var ce *Error
		if err != nil && !errors.As(err, &ce) {
			t.Fatalf("Load error %v is not a *Error", err)
		}
		if err == nil && len(cfg.Targets) == 0 {
			t.Fatal("a configuration without targets loaded")
		}
	})
}

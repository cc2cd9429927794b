package config

import (
	"fmt"
	"strings"
)

// checkCommands refuses a PipeCmd or Post whose first word starts with
// '-': /bin/sh -c would take it for an option (pcap_split passes "--", so
// it would run as a command that does not exist, failing at the first
// split); it is a mistake such as PipeCmd = "--rclone".
func (c *Config) checkCommands() error {
	for i := range c.Targets {
		t := &c.Targets[i]
		for _, f := range []struct{ name, cmd, hint string }{
			{"PipeCmd", t.PipeCmd, ` (for an rclone remote, set Mode = "RCLONE")`},
			{"Post", t.Post, ""},
		} {
			if strings.HasPrefix(strings.TrimSpace(f.cmd), "-") {
				return &Error{File: c.File, Target: targetName(t, i), Field: f.name,
					Err: fmt.Errorf("%q starts with '-': it must be a shell command, not an option%s", f.cmd, f.hint)}
			}
		}
	}
	return nil
}

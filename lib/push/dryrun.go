package push

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/pcappush/pcappush/lib/install"
	"github.com/pcappush/pcappush/lib/state"
)

// DryRun writes each target's pipeline as the options would start it,
// ready to paste into a shell, and starts nothing. It makes no output
// folder and takes no lock; a target the state folder holds no id for
// yet gets its id made (as a first start would), so that the pipeline
// printed is the one push_realtime runs (when the state folder cannot be
// written, a fresh id is shown, with a warning if the folder exists). Stage tools that are not
// installed are shown by name.
func DryRun(ctx context.Context, o Options, w io.Writer) error {
	o = o.withDefaults()
	o.dryRun = true
	cfg, err := o.prepare(ctx)
	if err != nil {
		return err
	}
	s := o.resolve(cfg)
	capture := firstOf(o.Offline, s.capture, "CAPTURE")
	st := state.At(o.StateDir)
	for _, t := range cfg.Targets {
		uid, ok := st.KnownUID(t.Desc)
		if !ok {
			if uid, _, err = st.TargetUID(t.Desc, o.Clock.Now()); err != nil {
				uid = fmt.Sprintf("push_%d", o.Clock.Now().UnixNano())
				if _, serr := os.Stat(o.StateDir); serr == nil { // a state folder in use, which a push would write
					fmt.Fprintf(o.Stderr, "push_realtime: warning: target %s: its id %s is not recorded (%v): a push with this --state-dir will use another\n", t.Desc, uid, err)
				}
			}
		}
		spec := Spec{Tools: o.Tools, UID: uid, Store: s.store, StateDir: o.StateDir, RcloneConfig: s.rcloneConfig,
			Capture: capture, Follow: o.Offline == "", FilterCode: o.FilterCode(t)}
		fmt.Fprintf(w, "# %s\n%s\n", t.Desc, Build(t, SpecFor(t, spec)).Shell())
	}
	return nil
}

// toolsByName fills in, by name, the stage tools not found.
func toolsByName(tools map[string]string) map[string]string {
	if tools == nil {
		tools = map[string]string{}
	}
	for _, t := range install.Stages {
		if tools[t] == "" {
			tools[t] = t
		}
	}
	return tools
}

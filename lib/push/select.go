package push

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/pcappush/pcappush/lib/capture"
	"github.com/pcappush/pcappush/lib/exitcode"
)

// current returns the capture realtime mode follows for a target: first
// a capture in pending (started and not finished) that still exists, else
// the capture the settings name unless it is in done, else the active
// capture of the store changed most recently that is not in done; "" when
// there is none yet. It also returns the pending captures that no longer
// exist.
func (p *Pusher) current(pending []string, done map[string]bool) (string, []string, error) {
	s := p.settings()
	st := capture.Store{Dir: s.store}
	var gone []string
	for _, name := range pending {
		if _, err := st.Capture(name); err == nil {
			return name, gone, nil
		} else if errors.Is(err, capture.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
			gone = append(gone, name)
		}
	}
	if s.capture != "" {
		if done[s.capture] {
			return "", gone, nil
		}
		return s.capture, gone, nil
	}
	infos, err := st.List(capture.DefaultActiveWindow, p.o.Clock.Now())
	if err != nil {
		return "", gone, fmt.Errorf("capture store: %w", err)
	}
	best := -1
	for i, in := range infos {
		if in.Active && !done[in.Name] && (best < 0 || in.Newest.After(infos[best].Newest)) {
			best = i
		}
	}
	if best < 0 {
		return "", gone, nil
	}
	return infos[best].Name, gone, nil
}

// checkStored fails, before any pipeline starts, when the capture an
// offline push names is not in the store, or not at its path ("" passes).
func checkStored(store, arg string) error {
	if arg == "" {
		return nil
	}
	if !strings.Contains(arg, "/") {
		if st, err := os.Stat(store); err != nil || !st.IsDir() {
			return &exitcode.UsageError{Err: fmt.Errorf("--offline %s: no such store %s (give --store DIR or Config.Store, or the capture's path)", arg, store)}
		}
	}
	if _, err := capture.Resolve(store, arg); err != nil {
		if errors.Is(err, capture.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
			if strings.Contains(arg, "/") {
				return fmt.Errorf("--offline %s: no such capture folder or file", arg)
			}
			return fmt.Errorf("--offline %s: no such capture in the store %s (stream_cat --list --store %s lists them)", arg, store, store)
		}
		return fmt.Errorf("--offline %s: %w", arg, err)
	}
	return nil
}

// checkCaptures refuses a capture to follow that is not a plain name of
// the store's folders (it names state files, which must stay in their
// folder), and capture names a push must not choose (capture.CheckName).
// The capture an offline push names may be a path, as stream_cat takes
// it: its name is then its folder's or file's.
func checkCaptures(follow, offline string) error {
	if follow != "" && (follow == "." || follow == ".." || strings.ContainsAny(follow, "/\x00\n")) {
		return &exitcode.UsageError{Err: fmt.Errorf("capture %q: give the name of a capture in the store, not a path", follow)}
	}
	for _, n := range []string{follow, capture.ArgName(offline)} {
		if n == "" {
			continue
		}
		if n == "." || n == ".." || strings.ContainsAny(n, "/\x00\n") {
			return &exitcode.UsageError{Err: fmt.Errorf("capture %q: not a capture's name", n)}
		}
		if err := capture.CheckName(n); err != nil {
			return &exitcode.UsageError{Err: err}
		}
	}
	return nil
}

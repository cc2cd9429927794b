package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/pcappush/pcappush/lib/compress"

	lua "github.com/yuin/gopher-lua"

	"github.com/pcappush/pcappush/lib/split"
	"github.com/pcappush/pcappush/lib/units"
)

var descRE = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

func (t *Target) setMode(v lua.LValue) error {
	s, err := str(v)
	if err != nil {
		return err
	}
	switch strings.ToUpper(s) {
	case "", "FILE":
		t.Mode = ModeFile
	case "RCLONE":
		t.Mode = ModeRclone
	default:
		return fmt.Errorf("unknown mode %q (want File or RCLONE)", s)
	}
	return nil
}

func (t *Target) setFileName(v lua.LValue) error {
	s, err := str(v)
	if err != nil || s == "" {
		return err
	}
	f, err := split.ParseNameFormat(strings.TrimSpace(s))
	if err != nil {
		return err
	}
	t.FileName = f
	return nil
}

// parseSplit reads "--split-time N" or "--split-byte N".
func (t *Target) parseSplit() error {
	f := strings.Fields(t.Split)
	if len(f) != 2 {
		return fmt.Errorf("%q: want --split-time NS or --split-byte BYTES", t.Split)
	}
	n, err := units.ParseCount(f[1], f[0] == "--split-byte")
	if err != nil {
		return fmt.Errorf("%q: %w", t.Split, err)
	}
	switch f[0] {
	case "--split-time":
		t.SplitTime = n
	case "--split-byte":
		t.SplitBytes = n
	default:
		return fmt.Errorf("%q: want --split-time NS or --split-byte BYTES", t.Split)
	}
	return nil
}

func (c *Config) validate(chk Checks) error {
	seen := map[string]bool{}
	paths := map[string]string{}
	for i := range c.Targets {
		t := &c.Targets[i]
		fail := func(field string, err error) error {
			return &Error{File: c.File, Target: targetName(t, i), Field: field, Err: err}
		}
		if err := t.checkDesc(seen); err != nil {
			return fail("Desc", err)
		}
		if err := t.checkRequired(); err != nil {
			return fail("", err)
		}
		if err := checkText(t.Path, false); err != nil {
			return fail("Path", err)
		}
		if err := t.parseSplit(); err != nil {
			return fail("Split", err)
		}
		if err := checkText(t.FileSuffix, true); err != nil {
			return fail("FileSuffix", err)
		}
		if err := checkCommand(t.Post); err != nil {
			return fail("Post", err)
		}
		opts := t.SplitOptions()
		if err := opts.Validate(); err != nil {
			return fail("", err)
		}
		if t.Compress != "" {
			if _, err := compress.Parse(t.Compress); err != nil {
				return fail("Compress", err)
			}
		}
		if err := c.checkOutput(t, chk); err != nil {
			return fail("Path", err)
		}
		if other, dup := paths[t.Mode.String()+" "+t.Path]; dup {
			return fail("Path", fmt.Errorf("%q is also target %q's: their files would replace each other", t.Path, other))
		}
		paths[t.Mode.String()+" "+t.Path] = t.Desc
		if t.FilterBPF != "" && chk.BPF != nil {
			if err := chk.BPF(t.FilterBPF, t.Decap); err != nil {
				return fail("FilterBPF", err)
			}
		}
	}
	// Folders are made only once every target is known good: a refused
	// configuration leaves nothing behind.
	for i := range c.Targets {
		t := &c.Targets[i]
		if t.Mode == ModeRclone {
			continue
		}
		if err := makeFolder(t, chk); err != nil {
			return &Error{File: c.File, Target: targetName(t, i), Field: "Path", Err: err}
		}
	}
	return nil
}

func (t *Target) checkDesc(seen map[string]bool) error {
	switch {
	case t.Desc == "":
		return errors.New("missing: every target needs a Desc, which names its log files")
	case !descRE.MatchString(t.Desc) || t.Desc == "." || t.Desc == "..":
		return fmt.Errorf("%q: use only letters, digits, '.', '_' and '-' (at most 64), as it names log files", t.Desc)
	case seen[t.Desc]:
		return fmt.Errorf("%q is used by two targets; each needs its own", t.Desc)
	}
	seen[t.Desc] = true
	return nil
}

func (t *Target) checkRequired() error {
	var missing []string
	for _, f := range []struct{ name, v string }{{"Path", t.Path}, {"Split", t.Split}} {
		if strings.TrimSpace(f.v) == "" {
			missing = append(missing, f.name)
		}
	}
	if t.FileName == 0 {
		missing = append(missing, "FileName")
	}
	if len(missing) > 0 {
		return fmt.Errorf("missing %s (required)", strings.Join(missing, ", "))
	}
	return nil
}

// checkCommand rejects a Post command no shell would run as intended.
func checkCommand(s string) error {
	if strings.ContainsRune(s, 0) {
		return errors.New("holds a NUL")
	}
	if s != "" && strings.TrimSpace(s) == "" {
		return errors.New("is blank: leave Post out to run nothing")
	}
	return nil
}

// checkText rejects characters no file name should hold.
func checkText(s string, noSlash bool) error {
	if strings.ContainsAny(s, "\x00\n\r") {
		return fmt.Errorf("%q holds a NUL or line break", s)
	}
	if noSlash && strings.Contains(s, "/") {
		return fmt.Errorf("%q must not hold '/'", s)
	}
	return nil
}

// checkOutput makes sure a File target's folder exists (creating it when
// missing) or that an rclone remote is configured.
func (c *Config) checkOutput(t *Target, chk Checks) error {
	if chk.Output != nil {
		if err := chk.Output(t, c.RcloneConfig); err != nil {
			return err
		}
	}
	if t.Mode == ModeRclone {
		return nil
	}
	if !filepath.IsAbs(t.Path) {
		return fmt.Errorf("%q: a File path must be absolute", t.Path)
	}
	return nil
}

// makeFolder makes the folder of a File target's Path.
func makeFolder(t *Target, chk Checks) error {
	dir := filepath.Dir(t.Path + "x")
	mk := chk.Folder
	if mk == nil {
		mk = func(d string) error { return os.MkdirAll(d, 0o750) }
	}
	if err := mk(dir); err != nil {
		return fmt.Errorf("output folder: %w", err)
	}
	return nil
}

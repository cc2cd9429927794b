package config

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/xrash/smetrics"
	lua "github.com/yuin/gopher-lua"

	"github.com/pcappush/pcappush/lib/schedule"
)

// RunTimeout bounds how long the configuration's Lua code may run.
var RunTimeout = 10 * time.Second

// Load runs the Lua file at path and validates what it returns.
func Load(path string, chk Checks) (*Config, error) {
	return LoadContext(context.Background(), path, chk)
}

// LoadContext is Load that stops the Lua code when ctx ends (its error is
// then ctx's). The code runs in a child process bounded in time and
// memory (see the package documentation).
func LoadContext(ctx context.Context, path string, chk Checks) (*Config, error) {
	v, err := runIsolated(ctx, path)
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		return nil, &Error{File: path, Err: err}
	}
	return read(path, v, chk)
}

// read validates the value the file at path returned.
func read(path string, v luaValue, chk Checks) (*Config, error) {
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer L.Close()
	tbl, ok := v.value(L).(*lua.LTable)
	if !ok {
		return nil, &Error{File: path, Err: fmt.Errorf("the file must end with `return Config` (a table); it returned %s", v.Type)}
	}
	cfg := &Config{File: path}
	if err := cfg.readGlobals(tbl); err != nil {
		return nil, err
	}
	if err := cfg.readTargets(tbl.RawGetString("Target")); err != nil {
		return nil, err
	}
	if err := cfg.checkFleet(); err != nil {
		return nil, err
	}
	if err := cfg.checkCommands(); err != nil {
		return nil, err
	}
	if err := cfg.expandPaths(chk); err != nil {
		return nil, err
	}
	if err := cfg.validate(chk); err != nil {
		return nil, err
	}
	cfg.Warnings = append(cfg.Warnings, permissionWarnings(path)...)
	return cfg, nil
}

// luaError turns gopher-lua's error into one line naming file and line.
func luaError(path string, err error) error {
	var ae *lua.ApiError
	if !errors.As(err, &ae) {
		return err
	}
	if ae.Type == lua.ApiErrorFile {
		return fmt.Errorf("cannot read it: %w", ae.Cause)
	}
	msg := strings.Join(strings.Fields(ae.Object.String()), " ")
	msg = strings.TrimPrefix(msg, path)
	if m := syntaxRE.FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("lua syntax error at line %s, column %s %s", m[1], m[2], m[3])
	}
	if strings.HasSuffix(msg, "at EOF: syntax error") {
		return fmt.Errorf("lua syntax error at the end of the file (a table, string or block left open?)")
	}
	if m := runtimeRE.FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("lua error at line %s: %s", m[1], m[2])
	}
	return fmt.Errorf("lua error: %s", msg)
}

var (
	syntaxRE  = regexp.MustCompile(`^ ?line:(\d+)\(column:(\d+)\) (.*?):? syntax error$`)
	runtimeRE = regexp.MustCompile(`^:(\d+): (.*)$`)
)

var globalFields = []string{"Target", "Store", "LogDir", "RcloneConfig", "Capture", "Host", "Schedule"}

func (c *Config) readGlobals(tbl *lua.LTable) error {
	var err error
	tbl.ForEach(func(k, v lua.LValue) {
		if err != nil {
			return
		}
		name, ok := k.(lua.LString)
		if !ok {
			err = &Error{File: c.File, Err: fmt.Errorf("Config has a key %s that is not a name", k.String())}
			return
		}
		dst := map[string]*string{"Store": &c.Store, "LogDir": &c.LogDir, "RcloneConfig": &c.RcloneConfig, "Capture": &c.Capture, "Host": &c.Host}[string(name)]
		switch {
		case string(name) == "Target":
		case string(name) == "Schedule":
			if c.Schedule, err = readSchedule(v); err != nil {
				err = &Error{File: c.File, Field: "Config.Schedule", Err: err}
			}
		case dst != nil:
			if *dst, err = str(v); err != nil {
				err = &Error{File: c.File, Field: "Config." + string(name), Err: err}
			}
		default:
			err = &Error{File: c.File, Field: "Config." + string(name), Err: unknown(string(name), globalFields)}
		}
	})
	return err
}

func (c *Config) readTargets(v lua.LValue) error {
	list, ok := v.(*lua.LTable)
	if !ok {
		return &Error{File: c.File, Field: "Config.Target", Err: fmt.Errorf("want a list of targets, got %s", v.Type())}
	}
	n := list.MaxN()
	if n == 0 || n != countKeys(list) {
		return &Error{File: c.File, Field: "Config.Target", Err: errors.New("want a non-empty list of targets (use table.insert(Config.Target, {...}))")}
	}
	for i := 1; i <= n; i++ {
		t, err := c.readTarget(list.RawGetInt(i), i-1)
		if err != nil {
			return err
		}
		c.Targets = append(c.Targets, t)
	}
	return nil
}

func countKeys(t *lua.LTable) int {
	n := 0
	t.ForEach(func(lua.LValue, lua.LValue) { n++ })
	return n
}

// targetFields are the fields a target may have, with their readers.
var targetFields = map[string]func(t *Target, v lua.LValue) error{
	"Desc":       func(t *Target, v lua.LValue) (err error) { t.Desc, err = str(v); return },
	"Mode":       func(t *Target, v lua.LValue) error { return t.setMode(v) },
	"Path":       func(t *Target, v lua.LValue) (err error) { t.Path, err = str(v); return },
	"Split":      func(t *Target, v lua.LValue) (err error) { t.Split, err = str(v); return },
	"FileName":   func(t *Target, v lua.LValue) error { return t.setFileName(v) },
	"FilterBPF":  func(t *Target, v lua.LValue) (err error) { t.FilterBPF, err = str(v); return },
	"Decap":      func(t *Target, v lua.LValue) (err error) { t.Decap, err = boolean(v); return },
	"PipeCmd":    func(t *Target, v lua.LValue) (err error) { t.PipeCmd, err = str(v); return },
	"FileSuffix": func(t *Target, v lua.LValue) (err error) { t.FileSuffix, err = str(v); return },
	"Post":       func(t *Target, v lua.LValue) (err error) { t.Post, err = str(v); return },
	"Compress":   func(t *Target, v lua.LValue) (err error) { t.Compress, err = str(v); return },
}

func fieldNames() []string {
	var out []string
	for k := range targetFields {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (c *Config) readTarget(v lua.LValue, index int) (Target, error) {
	var t Target
	tbl, ok := v.(*lua.LTable)
	if !ok {
		return t, &Error{File: c.File, Target: fmt.Sprintf("target %d", index+1), Err: fmt.Errorf("want a table, got %s", v.Type())}
	}
	if d, ok := tbl.RawGetString("Desc").(lua.LString); ok {
		t.Desc = string(d)
	}
	var err error
	tbl.ForEach(func(k, val lua.LValue) {
		if err != nil {
			return
		}
		name := k.String()
		set, known := targetFields[name]
		if _, isStr := k.(lua.LString); !isStr || !known {
			err = &Error{File: c.File, Target: targetName(&t, index), Err: unknownField(name)}
			return
		}
		if e := set(&t, val); e != nil {
			err = &Error{File: c.File, Target: targetName(&t, index), Field: name, Err: e}
		}
	})
	return t, err
}

func unknownField(name string) error {
	for _, g := range globalFields {
		if g == name && g != "Target" {
			return fmt.Errorf("unknown field %q (%s is a global setting: Config.%s = ...)", name, g, g)
		}
	}
	return fmt.Errorf("unknown field %q%s", name, suggest(name, fieldNames()))
}

func unknown(name string, known []string) error {
	return fmt.Errorf("unknown setting%s", suggest(name, known))
}

// suggest returns ` (did you mean "X"?)` for the closest known name.
func suggest(name string, known []string) string {
	best, bestD := "", 4
	for _, k := range known {
		d := smetrics.WagnerFischer(strings.ToLower(name), strings.ToLower(k), 1, 1, 1)
		if d < bestD {
			best, bestD = k, d
		}
	}
	if best == "" {
		return fmt.Sprintf(" (known: %s)", strings.Join(known, ", "))
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// readSchedule reads Config.Schedule: a list of window strings, or one
// string holding a single window.
func readSchedule(v lua.LValue) (schedule.Schedule, error) {
	var specs []string
	switch x := v.(type) {
	case lua.LString:
		specs = []string{string(x)}
	case *lua.LTable:
		n := x.MaxN()
		if n != countKeys(x) {
			return schedule.Schedule{}, errors.New(`want a list of windows, e.g. {"Mon-Fri 08:00-18:00", "Sat 00:00-06:00"}`)
		}
		for i := 1; i <= n; i++ {
			s, ok := x.RawGetInt(i).(lua.LString)
			if !ok {
				return schedule.Schedule{}, fmt.Errorf("window %d: want a string such as \"Mon-Fri 08:00-18:00\", got %s", i, x.RawGetInt(i).Type())
			}
			specs = append(specs, string(s))
		}
	default:
		return schedule.Schedule{}, fmt.Errorf(`want a list of windows, e.g. {"Mon-Fri 08:00-18:00"}, got %s`, v.Type())
	}
	return schedule.Parse(specs)
}

// str reads a string; nil reads as "".
func str(v lua.LValue) (string, error) {
	switch s := v.(type) {
	case *lua.LNilType:
		return "", nil
	case lua.LString:
		return string(s), nil
	}
	return "", fmt.Errorf("want a string, got %s %s", v.Type(), v.String())
}

func boolean(v lua.LValue) (bool, error) {
	switch b := v.(type) {
	case *lua.LNilType:
		return false, nil
	case lua.LBool:
		return bool(b), nil
	}
	return false, fmt.Errorf("want true or false, got %s %s", v.Type(), v.String())
}

// permissionWarnings warns about a config file others can change.
func permissionWarnings(path string) []string {
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm()&0o022 == 0 {
		return nil
	}
	return []string{fmt.Sprintf("config %s is writable by group or others (mode %v): it runs as code with this service's rights; make it root-owned and 0644 or stricter", path, st.Mode().Perm())}
}

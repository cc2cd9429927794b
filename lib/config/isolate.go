package config

import (
	"bytes"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"math"
	"runtime/metrics"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/pcappush/pcappush/lib/child"
)

// Limits of the configuration's Lua code (see the package documentation).
const (
	// MaxMemory is the heap the Lua code may use.
	MaxMemory = 256 << 20
	// loaderMemory is the loading process's RLIMIT_DATA, a backstop for a
	// single allocation far over MaxMemory that the watch cannot see
	// coming: Go's runtime may then stall rather than fail, and the
	// loading process is killed at its deadline.
	loaderMemory = 2 << 30
	// maxNodes and maxDepth bound the table the code returns.
	maxNodes = 1 << 20
	maxDepth = 16
)

// luaChild is the work name of the loading process.
const luaChild = "lua-config"

func init() { child.Handle(luaChild, runInChild) }

// errMemory is the cause when the Lua code's heap passes MaxMemory.
var errMemory = fmt.Errorf("the Lua code used more than %d MiB of memory (a loop that never ends, or a huge string or table?)", MaxMemory>>20)

// luaValue is a Lua value as the loading process returns it: scalars as
// they are, tables as their keys and values in iteration order, other
// values (functions, ...) by their type only.
type luaValue struct {
	Type string // lua.LValueType's name: "nil", "boolean", "number", "string", "table", "function", ...
	B    bool
	N    float64
	S    string
	K, V []luaValue
}

type runRequest struct {
	Path    string
	Timeout time.Duration
}

type runAnswer struct {
	Value luaValue
	Err   string
}

// runInChild runs the configuration in the loading process.
func runInChild(b []byte) []byte {
	var req runRequest
	var ans runAnswer
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&req); err != nil {
		ans.Err = "bad request: " + err.Error()
	} else {
		v, err := runLua(req.Path, req.Timeout)
		ans.Value = v
		if err != nil {
			ans.Err = err.Error()
		}
	}
	var out bytes.Buffer
	if err := gob.NewEncoder(&out).Encode(&ans); err != nil {
		return nil // the parent reports a loader without an answer
	}
	return out.Bytes()
}

// runIsolated runs the file at path in a child process (lib/child) and
// returns what it returned: the Lua code cannot take this process's
// memory, and is killed when ctx ends.
func runIsolated(ctx context.Context, path string) (luaValue, error) {
	var req bytes.Buffer
	if err := gob.NewEncoder(&req).Encode(runRequest{Path: path, Timeout: RunTimeout}); err != nil {
		return luaValue{}, err
	}
	out, err := child.Run(ctx, luaChild, req.Bytes(), child.Limits{Timeout: RunTimeout + 10*time.Second, Memory: loaderMemory})
	var ce *child.Error
	switch {
	case errors.As(err, &ce) && ce.Err == nil:
		return luaValue{}, fmt.Errorf("the Lua code stopped its loading process, which may use %d MiB (%s)", MaxMemory>>20, ce.Error())
	case err != nil:
		return luaValue{}, err
	}
	var ans runAnswer
	if err := gob.NewDecoder(bytes.NewReader(out)).Decode(&ans); err != nil {
		return luaValue{}, errors.New("the Lua code ended its loading process without returning (os.exit?)")
	}
	if ans.Err != "" {
		return luaValue{}, errors.New(ans.Err)
	}
	return ans.Value, nil
}

// runLua runs the file at path and returns its value. The heap is watched
// every few milliseconds and the run stopped past MaxMemory; string.rep
// refuses a result over MaxMemory before making it.
func runLua(path string, timeout time.Duration) (luaValue, error) {
	L := lua.NewState()
	defer L.Close()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	mctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	go watchMemory(mctx, stop)
	L.SetContext(mctx)
	boundRep(L)
	if err := L.DoFile(path); err != nil {
		switch {
		case errors.Is(context.Cause(mctx), errMemory):
			return luaValue{}, errMemory
		case ctx.Err() != nil:
			return luaValue{}, fmt.Errorf("the Lua code ran for more than %v (a loop that never ends?)", timeout)
		}
		return luaValue{}, luaError(path, err)
	}
	nodes := 0
	return encode(L.Get(-1), 0, &nodes)
}

// watchMemory stops the run (cause errMemory) when the heap passes
// MaxMemory, until ctx ends.
func watchMemory(ctx context.Context, stop context.CancelCauseFunc) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		metrics.Read(sample)
		if sample[0].Value.Kind() == metrics.KindUint64 && sample[0].Value.Uint64() > MaxMemory {
			stop(errMemory)
			return
		}
	}
}

// boundRep replaces string.rep (also reached as s:rep) by one that
// refuses a result over MaxMemory, a clear error at its line rather than
// an allocation the process cannot survive.
func boundRep(L *lua.LState) {
	str, ok := L.GetGlobal("string").(*lua.LTable)
	if !ok {
		return
	}
	L.SetField(str, "rep", L.NewFunction(func(L *lua.LState) int {
		s, n := L.CheckString(1), L.CheckInt(2)
		if n > 0 && float64(len(s))*float64(n) > MaxMemory {
			L.RaiseError("string.rep: a result of %.0f bytes is over the configuration's %d MiB memory limit", float64(len(s))*float64(n), MaxMemory>>20)
		}
		L.Push(lua.LString(strings.Repeat(s, max(n, 0))))
		return 1
	}))
}

// encode turns a Lua value into a luaValue.
func encode(v lua.LValue, depth int, nodes *int) (luaValue, error) {
	if *nodes++; *nodes > maxNodes {
		return luaValue{}, fmt.Errorf("the returned Config holds more than %d values", maxNodes)
	}
	out := luaValue{Type: v.Type().String()}
	switch x := v.(type) {
	case lua.LBool:
		out.B = bool(x)
	case lua.LNumber:
		out.N = float64(x)
	case lua.LString:
		out.S = string(x)
	case *lua.LTable:
		if depth >= maxDepth {
			return luaValue{}, fmt.Errorf("the returned Config nests tables more than %d deep (a table inside itself?)", maxDepth)
		}
		var err error
		x.ForEach(func(k, val lua.LValue) {
			if err != nil {
				return
			}
			var ek, ev luaValue
			if ek, err = encode(k, depth+1, nodes); err == nil {
				ev, err = encode(val, depth+1, nodes)
			}
			out.K, out.V = append(out.K, ek), append(out.V, ev)
		})
		return out, err
	}
	return out, nil
}

// value rebuilds v in L: the readers see what the Lua code returned. A
// function becomes a function that does nothing; other values the
// readers refuse by type become userdata.
func (v luaValue) value(L *lua.LState) lua.LValue {
	switch v.Type {
	case "nil":
		return lua.LNil
	case "boolean":
		return lua.LBool(v.B)
	case "number":
		return lua.LNumber(v.N)
	case "string":
		return lua.LString(v.S)
	case "function":
		return L.NewFunction(func(*lua.LState) int { return 0 })
	case "table":
		t := L.CreateTable(0, len(v.K))
		for i := range v.K {
			k := v.K[i].value(L)
			if n, ok := k.(lua.LNumber); ok && float64(n) == math.Trunc(float64(n)) && float64(n) >= 1 && float64(n) <= math.MaxInt32 {
				t.RawSetInt(int(n), v.V[i].value(L))
				continue
			}
			t.RawSet(k, v.V[i].value(L))
		}
		return t
	}
	return L.NewUserData()
}

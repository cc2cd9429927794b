package bpf

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/pcappush/pcappush/lib/child"
)

// Limits of a Compiler (see the package documentation for how they were
// chosen).
const (
	// MaxExprLen is the longest expression a Compiler accepts, in bytes.
	MaxExprLen = 4096
	// DefaultTimeout is how long libpcap may compile one expression.
	DefaultTimeout = 10 * time.Second
	// DefaultMemory is the memory libpcap's compiler may use (RLIMIT_DATA).
	DefaultMemory = 512 << 20
)

// childName is the work a Compiler runs in a child process.
const childName = "bpf-compile"

func init() { child.Handle(childName, compileInChild) }

// Compiler compiles expressions with libpcap in a child process (see
// lib/child), so that libpcap's optimiser, whose cost grows steeply with
// the length of a filter, cannot run unbounded: an expression longer than
// MaxLen is refused at once, a compilation that runs past Timeout or ends
// its process (Memory) is a *CompileError, and a cancelled context kills
// the compiler at once. The zero Compiler uses the package's defaults.
type Compiler struct {
	MaxLen  int           // longest expression, bytes; 0: MaxExprLen
	Timeout time.Duration // 0: DefaultTimeout
	Memory  int64         // 0: DefaultMemory
}

// request is what the child compiles: expr for the first of linkTypes
// that takes it; with check, a syntax error or unknown name ends the
// search (no link type changes it).
type request struct {
	Expr      string   `json:"expr"`
	LinkTypes []uint32 `json:"link_types"`
	Snaplen   int      `json:"snaplen"`
	Check     bool     `json:"check,omitempty"`
}

// answer is the child's result: the program compiled for LinkType, or
// libpcap's refusal for the first link type tried.
type answer struct {
	LinkType uint32      `json:"link_type"`
	Code     [][4]uint32 `json:"code,omitempty"`
	Refused  string      `json:"refused,omitempty"`
}

func compileInChild(b []byte) []byte {
	var req request
	ans := answer{Refused: "bad request to the compiler"}
	if err := json.Unmarshal(b, &req); err == nil && len(req.LinkTypes) > 0 {
		ans = compileFirst(req)
	}
	out, _ := json.Marshal(ans)
	return out
}

// compileFirst compiles req.Expr for the first of req.LinkTypes that takes
// it; when none does, the answer is the first one's refusal.
func compileFirst(req request) answer {
	var first answer
	for i, lt := range req.LinkTypes {
		p, err := Compile(req.Expr, lt, req.Snaplen)
		if err == nil {
			return answer{LinkType: lt, Code: encode(p.raw)}
		}
		if i > 0 {
			continue
		}
		first = answer{LinkType: lt, Refused: err.Error()}
		var ce *CompileError
		if !errors.As(err, &ce) {
			return first // not libpcap's refusal: no other link type helps
		}
		first.Refused = ce.Msg
		if req.Check && linkIndependent(ce.Msg) {
			return first
		}
	}
	return first
}

func encode(raw []Instruction) [][4]uint32 {
	out := make([][4]uint32, len(raw))
	for i, in := range raw {
		out[i] = [4]uint32{uint32(in.Op), uint32(in.Jt), uint32(in.Jf), in.K}
	}
	return out
}

// Compile compiles expr for a stream of linkType and snaplen, as the
// package's Compile does, in a child process within c's limits.
func (c Compiler) Compile(ctx context.Context, expr string, linkType uint32, snaplen int) (*Program, error) {
	return c.run(ctx, request{Expr: expr, LinkTypes: []uint32{linkType}, Snaplen: snaplen})
}

// Check is the package's Check within c's limits: it returns the program
// for Ethernet when expr compiles for it, else for the first other common
// link type that takes it; when none does, Ethernet's *CompileError.
func (c Compiler) Check(ctx context.Context, expr string) (*Program, error) {
	return c.run(ctx, request{Expr: expr, LinkTypes: append([]uint32{LinkTypeEthernet}, otherLinkTypes...), Check: true})
}

func (c Compiler) run(ctx context.Context, req request) (*Program, error) {
	maxLen, timeout, mem := c.MaxLen, c.Timeout, c.Memory
	if maxLen <= 0 {
		maxLen = MaxExprLen
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	if mem <= 0 {
		mem = DefaultMemory
	}
	lt := req.LinkTypes[0]
	if len(req.Expr) > maxLen {
		return nil, &CompileError{Expr: req.Expr, LinkType: lt, Msg: fmt.Sprintf("%d bytes, over the %d-byte limit (libpcap's compile time grows steeply with a filter's length): shorten it, e.g. with net for address ranges and portrange for port runs", len(req.Expr), maxLen)}
	}
	b, _ := json.Marshal(req)
	out, err := child.Run(ctx, childName, b, child.Limits{Timeout: timeout, Memory: mem})
	var ce *child.Error
	switch {
	case errors.As(err, &ce) && ce.TimedOut:
		return nil, &CompileError{Expr: req.Expr, LinkType: lt, Msg: fmt.Sprintf("libpcap was still compiling it after %v, and was stopped: shorten it, e.g. with net for address ranges and portrange for port runs", timeout)}
	case errors.As(err, &ce) && ce.Err == nil:
		return nil, &CompileError{Expr: req.Expr, LinkType: lt, Msg: fmt.Sprintf("libpcap's compiler died on it (%v)", err)}
	case err != nil:
		return nil, fmt.Errorf("compile filter: %w", err)
	}
	var ans answer
	if err := json.Unmarshal(out, &ans); err != nil {
		return nil, fmt.Errorf("compile filter: the compiler's answer: %w", err)
	}
	if ans.Refused != "" {
		return nil, &CompileError{Expr: req.Expr, LinkType: ans.LinkType, Msg: ans.Refused}
	}
	return decode(req.Expr, ans.LinkType, ans.Code)
}

// decode checks and translates a program received from the compiler.
func decode(expr string, linkType uint32, code [][4]uint32) (*Program, error) {
	raw := make([]Instruction, len(code))
	for i, c := range code {
		if c[0] > 0xffff || c[1] > 0xff || c[2] > 0xff {
			return nil, fmt.Errorf("compile %q: instruction %d out of range: %w", expr, i, ErrInvalidProgram)
		}
		raw[i] = Instruction{Op: uint16(c[0]), Jt: uint8(c[1]), Jf: uint8(c[2]), K: c[3]}
	}
	p, err := newProgram(raw)
	if err != nil {
		return nil, fmt.Errorf("compile %q: %w", expr, err)
	}
	p.expr, p.linkType = expr, linkType
	return p, nil
}

package bpf

import (
	"errors"
	"sync"
	"testing"
)

// ins builds an instruction.
func ins(op uint16, k uint32) Instruction { return Instruction{Op: op, K: k} }

func jump(op uint16, k uint32, jt, jf uint8) Instruction {
	return Instruction{Op: op, Jt: jt, Jf: jf, K: k}
}

// TestRunEdgeCases runs hand-written programs on libpcap's interpreter and
// on ours: bounds at every load width and mode, division and modulus by
// zero, shifts by 32 or more, negation, backward jumps (as "ip6
// protochain" uses), the wire length, and return values.
func TestRunEdgeCases(t *testing.T) {
	const ldx, alu, jmp = opLdxImm, classALU, classJmp
	tests := []struct {
		name string
		prog []Instruction
	}{
		{"ld w at end", []Instruction{ins(opLdAbsW, 4), ins(opRetA, 0)}},
		{"ld w past end", []Instruction{ins(opLdAbsW, 5), ins(opRetK, 1)}},
		{"ld w huge offset", []Instruction{ins(opLdAbsW, 0xfffffffe), ins(opRetK, 1)}},
		{"ldh at end", []Instruction{ins(opLdAbsH, 6), ins(opRetA, 0)}},
		{"ldh past end", []Instruction{ins(opLdAbsH, 7), ins(opRetK, 1)}},
		{"ldb last", []Instruction{ins(opLdAbsB, 7), ins(opRetA, 0)}},
		{"ldb past end", []Instruction{ins(opLdAbsB, 8), ins(opRetK, 1)}},
		{"ld ind w", []Instruction{ins(ldx, 2), ins(opLdIndW, 2), ins(opRetA, 0)}},
		{"ld ind w past end", []Instruction{ins(ldx, 3), ins(opLdIndW, 2), ins(opRetK, 1)}},
		{"ld ind h wraps", []Instruction{ins(ldx, 0xffffffff), ins(opLdIndH, 2), ins(opRetK, 1)}},
		{"ld ind b wraps", []Instruction{ins(ldx, 0xffffffff), ins(opLdIndB, 2), ins(opRetK, 1)}},
		{"ld ind b last", []Instruction{ins(ldx, 3), ins(opLdIndB, 4), ins(opRetA, 0)}},
		{"msh", []Instruction{ins(opLdxMsh, 0), ins(opTxa, 0), ins(opRetA, 0)}},
		{"msh past end", []Instruction{ins(opLdxMsh, 8), ins(opRetK, 1)}},
		{"len", []Instruction{ins(opLdLen, 0), ins(opRetA, 0)}},
		{"ldx len", []Instruction{ins(opLdxLen, 0), ins(opTxa, 0), ins(opRetA, 0)}},
		{"div x by 0", []Instruction{ins(opLdImm, 3), ins(ldx, 0), ins(alu|aluDiv|srcX, 0), ins(opRetK, 7)}},
		{"mod x by 0", []Instruction{ins(opLdImm, 3), ins(ldx, 0), ins(alu|aluMod|srcX, 0), ins(opRetK, 7)}},
		{"div x", []Instruction{ins(opLdImm, 100), ins(ldx, 7), ins(alu|aluDiv|srcX, 0), ins(opRetA, 0)}},
		{"mod k", []Instruction{ins(opLdImm, 100), ins(alu|aluMod, 7), ins(opRetA, 0)}},
		{"lsh x 31", []Instruction{ins(opLdImm, 3), ins(ldx, 31), ins(alu|aluLsh|srcX, 0), ins(opRetA, 0)}},
		{"lsh x 32", []Instruction{ins(opLdImm, 3), ins(ldx, 32), ins(alu|aluLsh|srcX, 0), ins(opRetA, 0)}},
		{"rsh x 33", []Instruction{ins(opLdImm, 0x80000000), ins(ldx, 33), ins(alu|aluRsh|srcX, 0), ins(opRetA, 0)}},
		{"lsh k 33", []Instruction{ins(opLdImm, 3), ins(alu|aluLsh, 33), ins(opRetA, 0)}},
		{"rsh k 40", []Instruction{ins(opLdImm, 0x80000000), ins(alu|aluRsh, 40), ins(opRetA, 0)}},
		{"arith", []Instruction{ins(opLdImm, 5), ins(alu|aluSub, 9), ins(alu|aluMul, 3), ins(alu|aluXor, 0xff), ins(alu|aluOr, 0x100),
			ins(alu|aluAnd, 0xfff), ins(alu|aluAdd, 1), ins(ldx, 3), ins(alu|aluSub|srcX, 0), ins(alu|aluAdd|srcX, 0),
			ins(alu|aluMul|srcX, 0), ins(alu|aluAnd|srcX, 0), ins(alu|aluOr|srcX, 0), ins(alu|aluXor|srcX, 0), ins(opNeg, 0), ins(opRetA, 0)}},
		{"scratch", []Instruction{ins(opLdImm, 9), ins(opSt, 15), ins(ldx, 4), ins(opStx, 0), ins(opLdMem, 0), ins(opLdxMem, 15),
			ins(alu|aluAdd|srcX, 0), ins(opRetA, 0)}},
		{"jumps k", []Instruction{ins(opLdAbsB, 1), jump(jmp|jmpJgt, 1, 0, 3), jump(jmp|jmpJge, 2, 0, 2), jump(jmp|jmpJset, 2, 0, 1),
			jump(jmp|jmpJeq, 2, 1, 0), ins(opRetK, 0), ins(opRetK, 9)}},
		{"jumps x", []Instruction{ins(opLdAbsB, 1), ins(ldx, 1), jump(jmp|jmpJgt|srcX, 0, 0, 3), jump(jmp|jmpJge|srcX, 0, 0, 2),
			jump(jmp|jmpJset|srcX, 0, 1, 0), jump(jmp|jmpJeq|srcX, 0, 1, 0), ins(opRetK, 0), ins(opRetK, 9)}},
		{"backward jump loop", []Instruction{ins(ldx, 0), ins(opLdIndB, 0), jump(jmp|jmpJeq, 0, 4, 0), ins(opTxa, 0), ins(alu|aluAdd, 1),
			ins(opTax, 0), ins(opJa, 0xfffffffa), ins(opTxa, 0), ins(opRetA, 0)}},
		{"fused ld and", []Instruction{ins(opLdAbsW, 0), ins(alu|aluAnd, 0xffff0000), jump(jmp|jmpJeq, 0x01020000, 0, 1),
			ins(opRetK, 3), ins(opRetK, 4)}},
		{"fused ldh jset", []Instruction{ins(opLdAbsH, 2), jump(jmp|jmpJset, 0x1, 0, 1), ins(opRetA, 0), ins(opRetK, 4)}},
		{"fused jump target", []Instruction{ins(opLdImm, 0), jump(jmp|jmpJeq, 0, 1, 0), ins(opLdAbsB, 3), jump(jmp|jmpJeq, 4, 0, 1),
			ins(opRetA, 0), ins(opRetK, 6)}},
		{"ret a zero", []Instruction{ins(opLdImm, 0), ins(opRetA, 0)}},
	}
	pkts := [][]byte{nil, {1}, {1, 2, 3, 4, 5, 6, 7, 8}, {0, 2, 0, 4, 5, 0, 7, 8}, {0x4f, 0xff, 0xff, 0, 1, 0, 0, 0}}
	for _, tt := range tests {
		p, err := newProgram(tt.prog)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		c := newCProgram(tt.prog)
		for _, pk := range pkts {
			for _, wire := range []uint32{uint32(len(pk)), 1500, 0} {
				if got, want := p.Run(pk, wire), c.run(pk, wire); got != want {
					t.Errorf("%s on % x (len %d): Run = %#x; libpcap %#x", tt.name, pk, wire, got, want)
				}
			}
		}
		c.free()
	}
}

// TestNewProgramRefuses: programs libpcap's interpreter would abort on or
// run out of are refused before they run.
func TestNewProgramRefuses(t *testing.T) {
	tests := []struct {
		name string
		prog []Instruction
	}{
		{"empty", nil},
		{"no return", []Instruction{ins(opLdImm, 1)}},
		{"unknown opcode", []Instruction{ins(0xff, 0), ins(opRetK, 0)}},
		{"ret x", []Instruction{ins(0x0e, 0)}},
		{"scratch 16", []Instruction{ins(opSt, 16), ins(opRetK, 0)}},
		{"jump past end", []Instruction{jump(classJmp|jmpJeq, 0, 1, 0), ins(opRetK, 0)}},
		{"ja past end", []Instruction{ins(opJa, 1), ins(opRetK, 0)}},
		{"ja before start", []Instruction{ins(opJa, 0xfffffffe), ins(opRetK, 0)}},
	}
	for _, tt := range tests {
		if _, err := newProgram(tt.prog); !errors.Is(err, ErrInvalidProgram) {
			t.Errorf("%s: newProgram = %v; want ErrInvalidProgram", tt.name, err)
		}
	}
}

// TestRunAllocates nothing, and runs concurrently without sharing state.
func TestRunAllocatesNothing(t *testing.T) {
	p, err := Compile("net 192.168.1.0/24 and tcp or ip6 protochain 6 or vlan and udp port 53", LinkTypeEthernet, 0)
	if err != nil {
		t.Fatal(err)
	}
	pkts := generated(t, 5, 200)
	if n := testing.AllocsPerRun(20, func() {
		for _, pk := range pkts {
			p.Match(pk.data, pk.wireLen)
		}
	}); n != 0 {
		t.Errorf("%v allocations per run of %d packets", n, len(pkts))
	}
	want := make([]bool, len(pkts))
	for i, pk := range pkts {
		want[i] = p.Match(pk.data, pk.wireLen)
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, pk := range pkts {
				if p.Match(pk.data, pk.wireLen) != want[i] {
					t.Errorf("packet %d: concurrent Match differs", i)
					return
				}
			}
		}()
	}
	wg.Wait()
}

package bpf

import (
	"fmt"
	"strings"
)

// Instruction is one classic BPF instruction as libpcap encodes it
// (struct bpf_insn).
type Instruction struct {
	Op     uint16 // opcode: class, size, mode, operation and source bits
	Jt, Jf uint8  // conditional jumps: forward offsets taken when true, false
	K      uint32 // constant operand
}

// Opcodes of the instructions libpcap's interpreter runs (bpf_filter),
// named as in <pcap/bpf.h>.
const (
	opLdImm  = 0x00 // BPF_LD|BPF_IMM
	opLdxImm = 0x01 // BPF_LDX|BPF_IMM
	opSt     = 0x02 // BPF_ST
	opStx    = 0x03 // BPF_STX
	opJa     = 0x05 // BPF_JMP|BPF_JA
	opRetK   = 0x06 // BPF_RET|BPF_K
	opTax    = 0x07 // BPF_MISC|BPF_TAX
	opRetA   = 0x16 // BPF_RET|BPF_A
	opLdAbsW = 0x20 // BPF_LD|BPF_W|BPF_ABS
	opLdAbsH = 0x28 // BPF_LD|BPF_H|BPF_ABS
	opLdAbsB = 0x30 // BPF_LD|BPF_B|BPF_ABS
	opLdIndW = 0x40 // BPF_LD|BPF_W|BPF_IND
	opLdIndH = 0x48 // BPF_LD|BPF_H|BPF_IND
	opLdIndB = 0x50 // BPF_LD|BPF_B|BPF_IND
	opLdMem  = 0x60 // BPF_LD|BPF_MEM
	opLdxMem = 0x61 // BPF_LDX|BPF_MEM
	opLdLen  = 0x80 // BPF_LD|BPF_W|BPF_LEN
	opLdxLen = 0x81 // BPF_LDX|BPF_W|BPF_LEN
	opNeg    = 0x84 // BPF_ALU|BPF_NEG
	opTxa    = 0x87 // BPF_MISC|BPF_TXA
	opLdxMsh = 0xb1 // BPF_LDX|BPF_MSH|BPF_B

	classALU = 0x04 // BPF_ALU; the operation is op&0xf0, the source op&0x08
	classJmp = 0x05 // BPF_JMP; the comparison is op&0xf0, the source op&0x08
	srcX     = 0x08 // BPF_X
)

// ALU operations (op&0xf0 of BPF_ALU) and jump comparisons (of BPF_JMP).
const (
	aluAdd  = 0x00
	aluSub  = 0x10
	aluMul  = 0x20
	aluDiv  = 0x30
	aluOr   = 0x40
	aluAnd  = 0x50
	aluLsh  = 0x60
	aluRsh  = 0x70
	aluMod  = 0x90
	aluXor  = 0xa0
	jmpJeq  = 0x10
	jmpJgt  = 0x20
	jmpJge  = 0x30
	jmpJset = 0x40
)

// memWords is the size of the scratch memory (BPF_MEMWORDS).
const memWords = 16

// Program is a compiled filter, run in Go (see the package documentation).
// It is immutable and safe for concurrent use.
type Program struct {
	expr     string
	linkType uint32
	raw      []Instruction
	code     []insn
}

// Expr returns the expression the program was compiled from.
func (p *Program) Expr() string { return p.expr }

// LinkType returns the link type (LINKTYPE_* value) compiled for.
func (p *Program) LinkType() uint32 { return p.linkType }

// Instructions returns a copy of libpcap's compiled program.
func (p *Program) Instructions() []Instruction {
	return append([]Instruction(nil), p.raw...)
}

// String returns the program as tcpdump -d prints it, one instruction per
// line, in libpcap's own words (bpf_image).
func (p *Program) String() string {
	var b strings.Builder
	for i, in := range p.raw {
		b.WriteString(image(in, i))
		b.WriteByte('\n')
	}
	return b.String()
}

// newProgram checks that raw is a program libpcap's interpreter runs to a
// return without leaving it, and translates it for the executor.
func newProgram(raw []Instruction) (*Program, error) {
	if len(raw) == 0 {
		return nil, fmt.Errorf("empty program: %w", ErrInvalidProgram)
	}
	code := make([]insn, len(raw))
	for i, in := range raw {
		c, err := translate(in, i, len(raw))
		if err != nil {
			return nil, fmt.Errorf("instruction %d (op %#x): %w: %w", i, in.Op, err, ErrInvalidProgram)
		}
		code[i] = c
	}
	if last := raw[len(raw)-1].Op; last != opRetK && last != opRetA {
		return nil, fmt.Errorf("last instruction is not a return: %w", ErrInvalidProgram)
	}
	fuse(code)
	return &Program{raw: append([]Instruction(nil), raw...), code: code}, nil
}

// translate checks one instruction at index i of a program of n and
// returns its executor form, with jump targets made absolute.
func translate(in Instruction, i, n int) (insn, error) {
	c := insn{k: in.K}
	switch in.Op {
	case opLdMem, opLdxMem, opSt, opStx:
		if in.K >= memWords {
			return c, fmt.Errorf("scratch word %d out of range", in.K)
		}
	case opJa:
		to := int64(i) + 1 + int64(int32(in.K))
		if to < 0 || to >= int64(n) {
			return c, fmt.Errorf("jump to %d out of range", to)
		}
		c.jt = int32(to)
	}
	if in.Op&0x07 == classJmp && in.Op != opJa {
		c.jt, c.jf = int32(i+1+int(in.Jt)), int32(i+1+int(in.Jf))
		if int(c.jt) >= n || int(c.jf) >= n {
			return c, fmt.Errorf("conditional jump out of range")
		}
	}
	op, ok := opcodes[in.Op]
	if !ok {
		return c, fmt.Errorf("unknown opcode")
	}
	c.op = op
	return c, nil
}

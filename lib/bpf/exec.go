package bpf

import "encoding/binary"

// insn is an instruction in executor form: a dense opcode (so that the
// interpreter's switch is a jump table), absolute jump targets, and for
// fused instructions more constants.
type insn struct {
	op     uint8
	jt, jf int32
	k, k2  uint32
	k3     uint32
}

// Executor opcodes. The x... names mirror libpcap's; the f... ones are
// fused pairs (see fuse).
const (
	xInvalid uint8 = iota
	xRetK
	xRetA
	xLdAbsW
	xLdAbsH
	xLdAbsB
	xLdIndW
	xLdIndH
	xLdIndB
	xLdLen
	xLdxLen
	xLdxMsh
	xLdImm
	xLdxImm
	xLdMem
	xLdxMem
	xSt
	xStx
	xJa
	xJeqK
	xJgtK
	xJgeK
	xJsetK
	xJeqX
	xJgtX
	xJgeX
	xJsetX
	xAddK
	xSubK
	xMulK
	xDivK
	xModK
	xAndK
	xOrK
	xXorK
	xLshK
	xRshK
	xAddX
	xSubX
	xMulX
	xDivX
	xModX
	xAndX
	xOrX
	xXorX
	xLshX
	xRshX
	xNeg
	xTax
	xTxa
	fLdAbsWJeqK // ld [k]; jeq #k2
	fLdAbsHJeqK // ldh [k]; jeq #k2
	fLdAbsBJeqK // ldb [k]; jeq #k2
	fLdAbsBJsetK
	fLdAbsHJsetK
	fAndKJeqK       // and #k; jeq #k2
	fLdAbsWAndKJeqK // ld [k]; and #k2; jeq #k3
)

// opcodes maps libpcap's opcodes to executor opcodes; an opcode missing
// here makes libpcap's interpreter abort, so programs holding one are
// refused.
var opcodes = map[uint16]uint8{
	opRetK: xRetK, opRetA: xRetA,
	opLdAbsW: xLdAbsW, opLdAbsH: xLdAbsH, opLdAbsB: xLdAbsB,
	opLdIndW: xLdIndW, opLdIndH: xLdIndH, opLdIndB: xLdIndB,
	opLdLen: xLdLen, opLdxLen: xLdxLen, opLdxMsh: xLdxMsh,
	opLdImm: xLdImm, opLdxImm: xLdxImm, opLdMem: xLdMem, opLdxMem: xLdxMem,
	opSt: xSt, opStx: xStx, opJa: xJa,
	classJmp | jmpJeq: xJeqK, classJmp | jmpJgt: xJgtK, classJmp | jmpJge: xJgeK, classJmp | jmpJset: xJsetK,
	classJmp | jmpJeq | srcX: xJeqX, classJmp | jmpJgt | srcX: xJgtX, classJmp | jmpJge | srcX: xJgeX, classJmp | jmpJset | srcX: xJsetX,
	classALU | aluAdd: xAddK, classALU | aluSub: xSubK, classALU | aluMul: xMulK, classALU | aluDiv: xDivK,
	classALU | aluMod: xModK, classALU | aluAnd: xAndK, classALU | aluOr: xOrK, classALU | aluXor: xXorK,
	classALU | aluLsh: xLshK, classALU | aluRsh: xRshK,
	classALU | aluAdd | srcX: xAddX, classALU | aluSub | srcX: xSubX, classALU | aluMul | srcX: xMulX, classALU | aluDiv | srcX: xDivX,
	classALU | aluMod | srcX: xModX, classALU | aluAnd | srcX: xAndX, classALU | aluOr | srcX: xOrX, classALU | aluXor | srcX: xXorX,
	classALU | aluLsh | srcX: xLshX, classALU | aluRsh | srcX: xRshX,
	opNeg: xNeg, opTax: xTax, opTxa: xTxa,
}

// fuse replaces a load or an and that always falls through to a
// conditional jump on a constant by one instruction doing both. The jump
// stays in place for other instructions that jump to it.
func fuse(code []insn) {
	for i := 0; i+1 < len(code); i++ {
		next := code[i+1]
		var f uint8
		switch {
		case next.op == xJeqK && code[i].op == xLdAbsW:
			f = fLdAbsWJeqK
		case next.op == xJeqK && code[i].op == xLdAbsH:
			f = fLdAbsHJeqK
		case next.op == xJeqK && code[i].op == xLdAbsB:
			f = fLdAbsBJeqK
		case next.op == xJsetK && code[i].op == xLdAbsB:
			f = fLdAbsBJsetK
		case next.op == xJsetK && code[i].op == xLdAbsH:
			f = fLdAbsHJsetK
		case next.op == xJeqK && code[i].op == xAndK:
			f = fAndKJeqK
		default:
			continue
		}
		code[i] = insn{op: f, jt: next.jt, jf: next.jf, k: code[i].k, k2: next.k}
	}
	// Then word loads followed by a fused and-jump: a net, or a mask.
	for i := 0; i+1 < len(code); i++ {
		if next := code[i+1]; code[i].op == xLdAbsW && next.op == fAndKJeqK {
			code[i] = insn{op: fLdAbsWAndKJeqK, jt: next.jt, jf: next.jf, k: code[i].k, k2: next.k, k3: next.k2}
		}
	}
}

// Match reports whether the program accepts a packet whose captured bytes
// are data and whose length on the wire was wireLen, as libpcap's
// pcap_offline_filter decides: a non-zero return value keeps it.
func (p *Program) Match(data []byte, wireLen uint32) bool {
	return p.Run(data, wireLen) != 0
}

// Run executes the program on a packet and returns its return value, as
// libpcap's bpf_filter does: a load past the captured bytes or a division
// by zero returns 0. It allocates nothing.
func (p *Program) Run(data []byte, wireLen uint32) uint32 {
	code := p.code
	n := uint64(len(data))
	var a, x uint32
	var mem [memWords]uint32
	pc := int32(0)
	for {
		in := &code[pc]
		pc++
		switch in.op {
		case xRetK:
			return in.k
		case xRetA:
			return a
		case fLdAbsHJeqK:
			if uint64(in.k)+2 > n {
				return 0
			}
			a = uint32(binary.BigEndian.Uint16(data[in.k:]))
			pc = in.jf
			if a == in.k2 {
				pc = in.jt
			}
		case fLdAbsBJeqK:
			if uint64(in.k) >= n {
				return 0
			}
			a = uint32(data[in.k])
			pc = in.jf
			if a == in.k2 {
				pc = in.jt
			}
		case fLdAbsWJeqK:
			if uint64(in.k)+4 > n {
				return 0
			}
			a = binary.BigEndian.Uint32(data[in.k:])
			pc = in.jf
			if a == in.k2 {
				pc = in.jt
			}
		case fLdAbsWAndKJeqK:
			if uint64(in.k)+4 > n {
				return 0
			}
			a = binary.BigEndian.Uint32(data[in.k:]) & in.k2
			pc = in.jf
			if a == in.k3 {
				pc = in.jt
			}
		case fAndKJeqK:
			a &= in.k
			pc = in.jf
			if a == in.k2 {
				pc = in.jt
			}
		case fLdAbsBJsetK:
			if uint64(in.k) >= n {
				return 0
			}
			a = uint32(data[in.k])
			pc = in.jf
			if a&in.k2 != 0 {
				pc = in.jt
			}
		case fLdAbsHJsetK:
			if uint64(in.k)+2 > n {
				return 0
			}
			a = uint32(binary.BigEndian.Uint16(data[in.k:]))
			pc = in.jf
			if a&in.k2 != 0 {
				pc = in.jt
			}
		case xLdAbsW:
			if uint64(in.k)+4 > n {
				return 0
			}
			a = binary.BigEndian.Uint32(data[in.k:])
		case xLdAbsH:
			if uint64(in.k)+2 > n {
				return 0
			}
			a = uint32(binary.BigEndian.Uint16(data[in.k:]))
		case xLdAbsB:
			if uint64(in.k) >= n {
				return 0
			}
			a = uint32(data[in.k])
		case xLdIndW:
			k := uint64(x) + uint64(in.k)
			if k+4 > n {
				return 0
			}
			a = binary.BigEndian.Uint32(data[k:])
		case xLdIndH:
			k := uint64(x) + uint64(in.k)
			if k+2 > n {
				return 0
			}
			a = uint32(binary.BigEndian.Uint16(data[k:]))
		case xLdIndB:
			k := uint64(x) + uint64(in.k)
			if k >= n {
				return 0
			}
			a = uint32(data[k])
		case xLdLen:
			a = wireLen
		case xLdxLen:
			x = wireLen
		case xLdxMsh:
			if uint64(in.k) >= n {
				return 0
			}
			x = uint32(data[in.k]&0xf) << 2
		case xLdImm:
			a = in.k
		case xLdxImm:
			x = in.k
		case xLdMem:
			a = mem[in.k&(memWords-1)]
		case xLdxMem:
			x = mem[in.k&(memWords-1)]
		case xSt:
			mem[in.k&(memWords-1)] = a
		case xStx:
			mem[in.k&(memWords-1)] = x
		case xJa:
			pc = in.jt
		case xJeqK:
			pc = in.jf
			if a == in.k {
				pc = in.jt
			}
		case xJgtK:
			pc = in.jf
			if a > in.k {
				pc = in.jt
			}
		case xJgeK:
			pc = in.jf
			if a >= in.k {
				pc = in.jt
			}
		case xJsetK:
			pc = in.jf
			if a&in.k != 0 {
				pc = in.jt
			}
		case xJeqX:
			pc = in.jf
			if a == x {
				pc = in.jt
			}
		case xJgtX:
			pc = in.jf
			if a > x {
				pc = in.jt
			}
		case xJgeX:
			pc = in.jf
			if a >= x {
				pc = in.jt
			}
		case xJsetX:
			pc = in.jf
			if a&x != 0 {
				pc = in.jt
			}
		default:
			var ok bool
			if a, x, ok = alu(in, a, x); !ok {
				return 0
			}
		}
	}
}

// alu runs the arithmetic instructions, which filters use rarely. It
// reports false for a division by zero, which rejects the packet.
func alu(in *insn, a, x uint32) (uint32, uint32, bool) {
	switch in.op {
	case xAddK:
		a += in.k
	case xSubK:
		a -= in.k
	case xMulK:
		a *= in.k
	case xDivK:
		if in.k == 0 {
			return a, x, false
		}
		a /= in.k
	case xModK:
		if in.k == 0 {
			return a, x, false
		}
		a %= in.k
	case xAndK:
		a &= in.k
	case xOrK:
		a |= in.k
	case xXorK:
		a ^= in.k
	case xLshK:
		a <<= in.k & 31 // libpcap shifts by the register, which the CPU masks
	case xRshK:
		a >>= in.k & 31
	case xAddX:
		a += x
	case xSubX:
		a -= x
	case xMulX:
		a *= x
	case xDivX:
		if x == 0 {
			return a, x, false
		}
		a /= x
	case xModX:
		if x == 0 {
			return a, x, false
		}
		a %= x
	case xAndX:
		a &= x
	case xOrX:
		a |= x
	case xXorX:
		a ^= x
	case xLshX:
		a = shl(a, x)
	case xRshX:
		a = shr(a, x)
	case xNeg:
		a = -a
	case xTax:
		x = a
	case xTxa:
		a = x
	}
	return a, x, true
}

// shl and shr shift by a register as libpcap's interpreter does: by 32 or
// more gives 0. (pcap_compile never emits a constant shift by more than
// 31.)
func shl(a, s uint32) uint32 {
	if s >= 32 {
		return 0
	}
	return a << s
}

func shr(a, s uint32) uint32 {
	if s >= 32 {
		return 0
	}
	return a >> s
}

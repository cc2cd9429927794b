package bpf

import (
	"fmt"
	"strconv"
	"strings"
)

// Bytecode returns the program as pcap_filter --compiled takes it: its
// link type, ":", then the instructions as tcpdump -ddd prints them (the
// count, then "code jt jf k" for each) on one line, separated by commas,
// the form iptables' bpf match reads:
//
//	1:4,40 0 0 12,21 0 1 2048,6 0 0 262144,6 0 0 0
func (p *Program) Bytecode() string {
	var b strings.Builder
	b.WriteString(strconv.FormatUint(uint64(p.linkType), 10))
	b.WriteByte(':')
	b.WriteString(strconv.Itoa(len(p.raw)))
	for _, in := range p.raw {
		fmt.Fprintf(&b, ",%d %d %d %d", in.Op, in.Jt, in.Jf, in.K)
	}
	return b.String()
}

// ParseBytecode reads a program written by Bytecode, compiled from expr,
// and checks it as Compile checks libpcap's programs.
func ParseBytecode(s, expr string) (*Program, error) {
	lt, rest, ok := strings.Cut(s, ":")
	linkType, err := strconv.ParseUint(lt, 10, 32)
	if !ok || err != nil {
		return nil, fmt.Errorf("compiled program %.20q: want LINKTYPE:COUNT,CODE JT JF K and more", s)
	}
	parts := strings.Split(rest, ",")
	n, err := strconv.Atoi(parts[0])
	if err != nil || n != len(parts)-1 {
		return nil, fmt.Errorf("compiled program: the count %q is not the number of instructions (%d)", parts[0], len(parts)-1)
	}
	code := make([][4]uint32, n)
	for i, p := range parts[1:] {
		f := strings.Fields(p)
		if len(f) != 4 {
			return nil, fmt.Errorf("compiled program: instruction %d %q: want CODE JT JF K", i, p)
		}
		for j := range f {
			v, err := strconv.ParseUint(f[j], 10, 32)
			if err != nil {
				return nil, fmt.Errorf("compiled program: instruction %d %q: %w", i, p, err)
			}
			code[i][j] = uint32(v)
		}
	}
	return decode(expr, uint32(linkType), code)
}

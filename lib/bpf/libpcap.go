package bpf

/*
#include <stdlib.h>
#include <string.h>
#include <pcap/pcap.h>

// pp_filter_batch runs prog over n packets laid out in buf: packet i has
// its captured bytes at buf+off[i], caplen[i] of them, and wire length
// wirelen[i]. It stores pcap_offline_filter's verdicts in res.
static void pp_filter_batch(const struct bpf_program *prog, const unsigned char *buf,
		const unsigned int *off, const unsigned int *caplen, const unsigned int *wirelen,
		int n, unsigned int *res) {
	struct pcap_pkthdr h;
	memset(&h, 0, sizeof h);
	for (int i = 0; i < n; i++) {
		h.caplen = caplen[i];
		h.len = wirelen[i];
		res[i] = (unsigned int)pcap_offline_filter(prog, &h, buf + off[i]);
	}
}

// pp_run returns pcap_offline_filter's value for one packet.
static unsigned int pp_run(const struct bpf_program *prog, const unsigned char *pkt,
		unsigned int caplen, unsigned int wirelen) {
	struct pcap_pkthdr h;
	memset(&h, 0, sizeof h);
	h.caplen = caplen;
	h.len = wirelen;
	return (unsigned int)pcap_offline_filter(prog, &h, pkt);
}
*/
import "C"

import (
	"runtime"
	"unsafe"
)

// cProgram is a program in libpcap's memory, for running it with libpcap's
// own interpreter: the reference the Go executor is tested and measured
// against.
type cProgram struct {
	prog C.struct_bpf_program
}

// newCProgram copies raw into C memory; call free when done.
func newCProgram(raw []Instruction) *cProgram {
	size := C.size_t(len(raw)) * C.size_t(unsafe.Sizeof(C.struct_bpf_insn{}))
	mem := (*C.struct_bpf_insn)(C.malloc(size))
	ins := unsafe.Slice(mem, len(raw))
	for i, in := range raw {
		ins[i] = C.struct_bpf_insn{code: C.u_short(in.Op), jt: C.u_char(in.Jt), jf: C.u_char(in.Jf), k: C.bpf_u_int32(in.K)}
	}
	return &cProgram{prog: C.struct_bpf_program{bf_len: C.u_int(len(raw)), bf_insns: mem}}
}

func (c *cProgram) free() {
	C.free(unsafe.Pointer(c.prog.bf_insns))
	c.prog.bf_insns = nil
}

// bytePtr returns a pointer to b's first byte, or to a zero byte when b is
// empty (libpcap reads nothing then, but wants a pointer).
func bytePtr(b []byte) *C.uchar {
	if len(b) == 0 {
		var z [1]byte
		return (*C.uchar)(unsafe.Pointer(&z[0]))
	}
	return (*C.uchar)(unsafe.Pointer(&b[0]))
}

// run returns libpcap's pcap_offline_filter value for one packet.
func (c *cProgram) run(data []byte, wireLen uint32) uint32 {
	r := C.pp_run(&c.prog, bytePtr(data), C.uint(len(data)), C.uint(wireLen))
	runtime.KeepAlive(data)
	return uint32(r)
}

// batch runs pcap_offline_filter over many packets of buf in one call:
// packet i is buf[off[i]:off[i]+capLen[i]] with wire length wireLen[i].
func (c *cProgram) batch(buf []byte, off, capLen, wireLen, res []uint32) {
	if len(off) == 0 {
		return
	}
	C.pp_filter_batch(&c.prog, bytePtr(buf), (*C.uint)(unsafe.Pointer(&off[0])), (*C.uint)(unsafe.Pointer(&capLen[0])),
		(*C.uint)(unsafe.Pointer(&wireLen[0])), C.int(len(off)), (*C.uint)(unsafe.Pointer(&res[0])))
}

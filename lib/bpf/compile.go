package bpf

/*
#cgo LDFLAGS: -lpcap
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pcap/pcap.h>

// pp_open returns a savefile reader over an in-memory file header that
// carries linktype and snaplen, as tcpdump -r has for such a file: libpcap
// maps the link type to its DLT, adjusts the snapshot length and refuses
// what it refuses on savefiles. On failure it returns NULL with a message
// in err.
static pcap_t *pp_open(uint32_t linktype, uint32_t snaplen, char *err, size_t errlen) {
	unsigned char hdr[24];
	uint32_t magic = 0xa1b23c4d, zero = 0;
	uint16_t major = 2, minor = 4;
	memcpy(hdr, &magic, 4);
	memcpy(hdr + 4, &major, 2);
	memcpy(hdr + 6, &minor, 2);
	memcpy(hdr + 8, &zero, 4);
	memcpy(hdr + 12, &zero, 4);
	memcpy(hdr + 16, &snaplen, 4);
	memcpy(hdr + 20, &linktype, 4);
	FILE *f = fmemopen(hdr, sizeof hdr, "rb");
	if (f == NULL) {
		snprintf(err, errlen, "fmemopen: %s", strerror(errno));
		return NULL;
	}
	char ebuf[PCAP_ERRBUF_SIZE];
	ebuf[0] = 0;
	pcap_t *p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (p == NULL) {
		fclose(f);
		snprintf(err, errlen, "%s", ebuf);
	}
	return p;
}

// pp_compile compiles expr as tcpdump does for a savefile: optimizer on,
// netmask 0. On failure it copies libpcap's message into err and returns
// -1.
static int pp_compile(const char *expr, uint32_t linktype, uint32_t snaplen,
		struct bpf_program *prog, char *err, size_t errlen) {
	pcap_t *p = pp_open(linktype, snaplen, err, errlen);
	if (p == NULL) {
		return -1;
	}
	int rc = pcap_compile(p, prog, expr, 1, 0);
	if (rc < 0) {
		snprintf(err, errlen, "%s", pcap_geterr(p));
	}
	pcap_close(p);
	return rc < 0 ? -1 : 0;
}

// pp_dlt returns the DLT libpcap reads a file of link type linktype as, or
// -1.
static int pp_dlt(uint32_t linktype) {
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pp_open(linktype, 0, err, sizeof err);
	if (p == NULL) {
		return -1;
	}
	int dlt = pcap_datalink(p);
	pcap_close(p);
	return dlt;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"unsafe"
)

// DefaultSnaplen is the snapshot length Compile uses for a snaplen of zero,
// libpcap's and the pcappush stream's default.
const DefaultSnaplen = 262144

// LinkTypeEthernet is the link type of Ethernet streams (LINKTYPE_ETHERNET).
const LinkTypeEthernet uint32 = 1

// errLen is the room given to libpcap's messages (PCAP_ERRBUF_SIZE).
const errLen = 256

// mu serializes every call into libpcap's compiler and its name helpers:
// older libpcap releases keep compiler state in globals, and bpf_image
// returns a static buffer.
var mu sync.Mutex

// ErrInvalidProgram is wrapped by Compile when libpcap returns a program
// the executor cannot run; it would be a libpcap bug.
var ErrInvalidProgram = errors.New("invalid BPF program")

// Compile compiles a tcpdump filter expression with the system's libpcap for
// a stream whose file header carries linkType (a LINKTYPE_* value, as in a
// pcap file; libpcap maps it to its DLT) and snaplen (zero: DefaultSnaplen).
// The result equals what tcpdump -r compiles for such a file: optimizer on,
// netmask 0. A refused expression gives a *CompileError carrying libpcap's
// message. Name lookups (hosts, ports, protocols) happen here, as they do
// in tcpdump. Compile is safe for concurrent use.
func Compile(expr string, linkType uint32, snaplen int) (*Program, error) {
	if snaplen <= 0 {
		snaplen = DefaultSnaplen
	}
	cexpr := C.CString(expr)
	defer C.free(unsafe.Pointer(cexpr))
	var prog C.struct_bpf_program
	var ebuf [errLen]C.char
	mu.Lock()
	defer mu.Unlock()
	if C.pp_compile(cexpr, C.uint32_t(linkType), C.uint32_t(snaplen), &prog, &ebuf[0], errLen) != 0 {
		return nil, &CompileError{Expr: expr, LinkType: linkType, Msg: C.GoString(&ebuf[0])}
	}
	defer C.pcap_freecode(&prog)
	ins := unsafe.Slice(prog.bf_insns, int(prog.bf_len))
	raw := make([]Instruction, len(ins))
	for i, in := range ins {
		raw[i] = Instruction{Op: uint16(in.code), Jt: uint8(in.jt), Jf: uint8(in.jf), K: uint32(in.k)}
	}
	p, err := newProgram(raw)
	if err != nil {
		return nil, fmt.Errorf("compile %q: %w", expr, err)
	}
	p.expr, p.linkType = expr, linkType
	return p, nil
}

// LinkTypeName returns libpcap's name and description of a link type (a
// LINKTYPE_* value), e.g. "EN10MB (Ethernet)", as tcpdump prints it.
func LinkTypeName(linkType uint32) string {
	mu.Lock()
	defer mu.Unlock()
	dlt := C.pp_dlt(C.uint32_t(linkType))
	name := C.pcap_datalink_val_to_name(dlt)
	if dlt < 0 || name == nil {
		return fmt.Sprintf("%d", linkType)
	}
	desc := C.pcap_datalink_val_to_description_or_dlt(dlt)
	return C.GoString(name) + " (" + C.GoString(desc) + ")"
}

// image returns libpcap's text of one instruction (bpf_image), as
// tcpdump -d prints it.
func image(in Instruction, n int) string {
	cin := C.struct_bpf_insn{code: C.u_short(in.Op), jt: C.u_char(in.Jt), jf: C.u_char(in.Jf), k: C.bpf_u_int32(in.K)}
	mu.Lock()
	defer mu.Unlock()
	return C.GoString(C.bpf_image(&cin, C.int(n)))
}

// otherLinkTypes are link types whose filters accept words Ethernet's
// refuse (direction, interface, 802.11, PF, ARCnet, ATM, SS7 ...): Check
// tries them when an expression does not compile for Ethernet.
var otherLinkTypes = []uint32{
	113, // LINUX_SLL: inbound, outbound, ifindex
	276, // LINUX_SLL2
	117, // PFLOG: ifname, rnr, action, reason ...
	105, // IEEE802_11: type, subtype, dir, ra, ta, addr1-4
	127, // IEEE802_11_RADIO (radiotap)
	7,   // ARCNET_BSD: aid
	129, // ARCNET_LINUX
	123, // SUNATM: vpi, vci, lane, oam ...
	140, // MTP2: fisu, lssu, msu, sio ...
	141, // MTP3
	9,   // PPP
	101, // RAW
	0,   // NULL
	108, // LOOP
}

// Check reports whether expr is a filter libpcap compiles for Ethernet or
// for another common link type, before the link type of the stream it will
// filter is known (see Compile for the real one). When it compiles for
// none, the error is Ethernet's *CompileError. Syntax errors and failed
// name lookups are reported without trying other link types.
func Check(expr string) error {
	_, err := Compile(expr, LinkTypeEthernet, 0)
	var ce *CompileError
	if err == nil || !errors.As(err, &ce) || linkIndependent(ce.Msg) {
		return err
	}
	for _, lt := range otherLinkTypes {
		if _, e := Compile(expr, lt, 0); e == nil {
			return nil
		}
	}
	return err
}

// linkIndependent reports whether a libpcap message says something no
// link type changes: a syntax error or an unknown name.
func linkIndependent(msg string) bool {
	return strings.HasPrefix(msg, "can't parse filter expression") || strings.HasPrefix(msg, "unknown ")
}

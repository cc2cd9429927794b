package main

import (
	"fmt"
	"strings"
)

func init() { suites["filter"] = benchFilter }

// filterExprs are the suite's filters: the reference's FilterBPF example
// and a long compound expression of hosts, nets, ports, protocols and
// tags joined by and/or/not.
var filterExprs = []string{
	"net 192.168.1.0/24 and tcp",
	"(net 192.168.1.0/24 or net 10.0.0.0/8 or host 172.16.5.4) and " +
		"(tcp dst port 443 or tcp port 9200 or tcp portrange 9100-9110 or udp port 53) and not icmp" +
		" or (ip6 and tcp and (port 443 or port 9102)) or (vlan and udp port 4789)",
}

// benchFilter: pcap_filter against tcpdump with the same expression, both
// reading the 1 GB capture and writing to /dev/null.
func benchFilter(e *env) error {
	in, size, err := e.bigCapture()
	if err != nil {
		return err
	}
	for _, expr := range filterExprs {
		q := "'" + strings.ReplaceAll(expr, "'", `'\''`) + "'"
		title := expr
		if len(title) > 60 {
			title = fmt.Sprintf("%s... (%d characters)", title[:57], len(expr))
		}
		err := e.compare(comparison{
			title: "pcap_filter " + title,
			ours: job{name: "pcap_filter --bpf EXPR < FILE > /dev/null", bytes: size,
				shell: "$BIN/pcap_filter --bpf " + q + " < " + in + " > /dev/null"},
			peers: []job{
				{name: "tcpdump -r FILE -w - EXPR > /dev/null", bytes: size, target: 1.5,
					shell: "tcpdump --time-stamp-precision nano -r " + in + " -w - " + q + " 2>/dev/null > /dev/null"},
			},
		})
		if err != nil {
			return err
		}
	}
	return nil
}

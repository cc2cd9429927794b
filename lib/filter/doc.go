// Package filter is the work of pcap_filter: it copies a packet stream,
// keeping the packets a tcpdump filter expression matches.
package filter

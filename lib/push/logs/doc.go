// Package logs writes push_realtime's log files in the reference
// system's forms, in one log folder:
//
//   - analytics_push_realtime.cur: a line per target every status interval,
//     `[Sat May 29 15:36:46 2021] push [pcap-all<padded to 40> : stream_cat:true split:true]`,
//     and a line for every start, restart, exit and error;
//   - push_<Desc>_YYYYMMDD_HHMM, one per pipeline start (local time): the
//     pipeline as shell text, its arguments, and every stage's stderr;
//     push_<Desc>.cur is a symbolic link to the newest.
//
// Logs cannot fill the disk: a file that grows past MaxBytes is continued
// in a new one (the analytics log is renamed with a time stamp and a new
// .cur begun), and only the newest Keep files of each kind are kept.
// Files are created 0640 in a 0750 folder, subject to the umask, and opened
// without following links: a link planted at a log's name is refused,
// naming it (lib/durable), and nothing is written through it. Logs are not
// fsynced: a power cut may lose their last lines, never the push's state.
package logs

package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"paraph/internal/store"
)

// cpuUse is CPU time used so far: by this process (server and load
// generator), and by the database's server processes serving it when
// they run on this machine (PostgreSQL backends, read from /proc). On a
// shared machine whose speed moves between runs, CPU time per signature
// moves much less than signatures per second: it is the figure to compare
// builds by.
type cpuUse struct {
	self, db time.Duration
	dbKnown  bool
	machine  [8]int64 // /proc/stat's first line: user, nice, system, idle, iowait, irq, softirq, steal ticks
}

func measureCPU(ctx context.Context, db *store.DB) cpuUse {
	var ru syscall.Rusage
	var u cpuUse
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		u.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	if b, err := os.ReadFile("/proc/stat"); err == nil {
		line, _, _ := strings.Cut(string(b), "\n")
		for i, f := range strings.Fields(line)[1:min(9, len(strings.Fields(line)))] {
			u.machine[i], _ = strconv.ParseInt(f, 10, 64)
		}
	}
	if db.Dialect() != store.Postgres {
		return u
	}
	rows, err := db.SQL().QueryContext(ctx, `SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)
	if err != nil {
		return u
	}
	defer rows.Close()
	for rows.Next() {
		var pid int
		if rows.Scan(&pid) != nil {
			return u
		}
		ticks, ok := procTicks(pid)
		if !ok {
			return u // not on this machine, or not readable
		}
		u.db += ticks
	}
	u.dbKnown = rows.Err() == nil
	return u
}

// procTicks reads a process's user and system time from /proc/PID/stat, in
// the kernel's USER_HZ of 100 ticks a second.
func procTicks(pid int) (time.Duration, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	// The command name (field 2) may hold spaces: count from after it.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, false
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64) // field 14, utime
	st, err2 := strconv.ParseInt(f[12], 10, 64) // field 15, stime
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(ut+st) * 10 * time.Millisecond, true
}

// machineUse says how the whole machine's CPU time went between two
// measures: busy, idle, waiting for I/O, and stolen by the hypervisor for
// other machines (a shared host's noise).
func machineUse(a, b cpuUse) string {
	var d [8]int64
	var total int64
	for i := range d {
		d[i] = b.machine[i] - a.machine[i]
		total += d[i]
	}
	if total <= 0 {
		return ""
	}
	pc := func(n int64) float64 { return 100 * float64(n) / float64(total) }
	return fmt.Sprintf("machine: busy %.0f%% (system %.0f%%), idle %.0f%%, I/O wait %.0f%%, stolen %.0f%%",
		pc(d[0]+d[1]+d[2]+d[5]+d[6]), pc(d[2]+d[5]+d[6]), pc(d[3]), pc(d[4]), pc(d[7]))
}

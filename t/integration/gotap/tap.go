// tap.go - the output the Go test programs share (drivers/pgx,
// drivers/pgx_sqlite, kine): "ok DESC" and "not ok DESC" lines and
// "# NOTE" lines, which drivers/common.sh's drv_relay numbers as TAP.
// Each program is its own main package built in GOPATH mode, so this file
// is linked into each program's directory (tap.go) rather than imported.
package main

import (
	"fmt"
	"strings"
)

// failed is set by the first check that fails; main exits non-zero then.
var failed bool

func ok(cond bool, format string, args ...interface{}) bool {
	desc := fmt.Sprintf(format, args...)
	if cond {
		fmt.Printf("ok %s\n", desc)
	} else {
		fmt.Printf("not ok %s\n", desc)
		failed = true
	}
	return cond
}

func note(format string, args ...interface{}) {
	for _, l := range strings.Split(fmt.Sprintf(format, args...), "\n") {
		fmt.Printf("# %s\n", l)
	}
}

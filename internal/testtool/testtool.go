// Package testtool finds the command-line tools that tests use as
// independent peers (OpenSSL, poppler, NSS, qpdf).
package testtool

import (
	"os"
	"os/exec"
	"testing"
)

// Need returns the path of a tool, skipping the test with a clear message
// when it is missing — except under CI=true, where a missing tool fails the
// test instead of letting it pass quietly. pkg is the Debian package that
// installs it.
func Need(tb testing.TB, name, pkg string) string {
	tb.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("%s is required under CI (apt-get install %s)", name, pkg)
		}
		tb.Skipf("%s is not installed (apt-get install %s): this check is skipped", name, pkg)
	}
	return p
}

// Run runs a tool and returns its combined output, failing the test when it
// exits non-zero.
func Run(tb testing.TB, name string, args ...string) string {
	tb.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		tb.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}

// Package testtool finds the command-line tools that tests use as
// independent peers (OpenSSL, poppler, NSS, qpdf).
package testtool

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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

// NSSDB makes an NSS database (for poppler's pdfsig) that trusts the given
// roots for signing, and returns its directory.
func NSSDB(tb testing.TB, roots ...*x509.Certificate) string {
	tb.Helper()
	certutil := Need(tb, "certutil", "libnss3-tools")
	dir := tb.TempDir()
	Run(tb, certutil, "-N", "-d", "sql:"+dir, "--empty-password")
	for i, r := range roots {
		p := filepath.Join(dir, fmt.Sprintf("root%d.pem", i))
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: r.Raw}), 0o600); err != nil {
			tb.Fatal(err)
		}
		Run(tb, certutil, "-A", "-d", "sql:"+dir, "-n", fmt.Sprintf("root%d", i), "-t", "CT,C,C", "-a", "-i", p)
	}
	return dir
}

// PDFSig runs poppler's pdfsig on a PDF with the NSS database nss and
// returns what it says (it exits 1 for an invalid signature, which is not
// an error here).
func PDFSig(tb testing.TB, nss string, pdf []byte) string {
	tb.Helper()
	bin := Need(tb, "pdfsig", "poppler-utils")
	p := filepath.Join(tb.TempDir(), "signed.pdf")
	if err := os.WriteFile(p, pdf, 0o600); err != nil {
		tb.Fatal(err)
	}
	out, _ := exec.Command(bin, "-nssdir", "sql:"+nss, p).CombinedOutput()
	return string(out)
}

package cades

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateSeeds = flag.Bool("update-seeds", false, "write the signatures the interop tests make into testdata/fuzz as seed corpus")

// saveSeed writes sig into the FuzzParse and FuzzVerify seed corpora when
// -update-seeds is given, so that the committed corpus holds signatures made
// by OpenSSL and its GOST engine, not only by Paraph.
func saveSeed(tb testing.TB, name string, sig []byte) {
	tb.Helper()
	if !*updateSeeds {
		return
	}
	name = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '-'
	}, name)
	for _, fz := range []string{"FuzzParse", "FuzzVerify"} {
		dir := filepath.Join("testdata", "fuzz", fz)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			tb.Fatal(err)
		}
		var body string
		if fz == "FuzzParse" {
			body = fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", sig)
		} else {
			body = fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n[]byte(%q)\n", sig, testDoc)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

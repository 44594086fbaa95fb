package gost

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

var (
	engineOnce sync.Once
	engineErr  string
)

// requireEngine skips the test when OpenSSL's GOST engine cannot be loaded,
// except under CI=true, where a missing peer is a failure: interop must be
// proven there, not silently skipped.
func requireEngine(t *testing.T) {
	t.Helper()
	engineOnce.Do(func() {
		out, err := exec.Command("openssl", "engine", "-t", "gost").CombinedOutput()
		if err != nil || !strings.Contains(string(out), "available") {
			engineErr = "OpenSSL GOST engine unavailable (`openssl engine -t gost`: " +
				strings.TrimSpace(string(out)) + "); install libengine-gost-openssl"
		}
	})
	if engineErr == "" {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatal(engineErr)
	}
	t.Skip(engineErr)
}

// openssl runs openssl with stdin and returns stdout, failing the test on error.
func openssl(t *testing.T, stdin []byte, args ...string) []byte {
	t.Helper()
	out, err := runOpenSSL(stdin, args...)
	if err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func runOpenSSL(stdin []byte, args ...string) ([]byte, error) {
	cmd := exec.Command("openssl", args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return append(stdout.Bytes(), stderr.Bytes()...), err
	}
	return stdout.Bytes(), nil
}

func TestStreebogAgainstOpenSSL(t *testing.T) {
	requireEngine(t)
	for _, n := range []int{0, 1, 63, 64, 65, 127, 128, 1000, 100_000} {
		msg := make([]byte, n)
		rand.Read(msg)
		for _, alg := range []string{"md_gost12_256", "md_gost12_512"} {
			out := openssl(t, msg, "dgst", "-engine", "gost", "-"+alg, "-binary")
			var got []byte
			if alg == "md_gost12_256" {
				s := Sum256(msg)
				got = s[:]
			} else {
				s := Sum512(msg)
				got = s[:]
			}
			if !bytes.Equal(got, out) {
				t.Errorf("%s of %d random bytes: Go %s, OpenSSL %s", alg, n,
					hex.EncodeToString(got), hex.EncodeToString(out))
			}
		}
	}
}

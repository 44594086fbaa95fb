package seal

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	"paraph/cades"
	"paraph/internal/seal/tsatest"

	"paraph/internal/testtool"
)

// With a TSA the seal carries a signature timestamp that openssl ts
// verifies against the TSA's root, and Check reports its time.
func TestSealTimestamp(t *testing.T) {
	tsa := tsatest.Start(t)
	s := MustOpen(t, Config{TSAURL: tsa.URL})
	before := time.Now().Add(-time.Second)
	sealed := mustSeal(t, s, mustPDF(t, 2))
	if tsa.Requests() != 1 {
		t.Fatalf("%d TSA requests, want 1", tsa.Requests())
	}

	der := mustContents(t, sealed)
	token, err := signatureTimestamp(der)
	if err != nil || token == nil {
		t.Fatalf("no timestamp token in the seal: %v", err)
	}
	sd, err := cades.Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	imprint := sha256.Sum256(sd.Signers[0].Signature)
	openssl := testtool.Need(t, "openssl", "openssl")
	tokenFile, rootFile := mustWrite(t, "token.der", token), mustWrite(t, "tsa-root.pem", tsa.RootPEM)
	out, err := exec.Command(openssl, "ts", "-verify", "-in", tokenFile, "-token_in", "-digest", hex.EncodeToString(imprint[:]), "-CAfile", rootFile).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Verification: OK") {
		t.Fatalf("openssl ts -verify: %v\n%s", err, out)
	}
	// The same token does not verify for another signature value.
	other := sha256.Sum256([]byte("another signature"))
	if out, err := exec.Command(openssl, "ts", "-verify", "-in", tokenFile, "-token_in", "-digest", hex.EncodeToString(other[:]), "-CAfile", rootFile).CombinedOutput(); err == nil {
		t.Fatalf("openssl ts -verify accepted another imprint:\n%s", out)
	}

	rep := mustCheck(t, sealed, s.Root(), tsa.Root)
	sig := rep.Signatures[0]
	if rep.Indication != Passed || !sig.HasTimestamp || !sig.TimestampValid || !sig.TimestampTrusted ||
		sig.TimestampTime.Before(before.Truncate(time.Second)) || time.Since(sig.TimestampTime) > time.Minute {
		t.Fatalf("Check: %+v", rep)
	}
	// Without the TSA's root the seal still passes; the timestamp is valid
	// but not trusted.
	rep = mustCheck(t, sealed, s.Root())
	if sig := rep.Signatures[0]; rep.Indication != Passed || !sig.TimestampValid || sig.TimestampTrusted {
		t.Fatalf("Check without the TSA root: %+v", rep)
	}
	if out := testtool.PDFSig(t, testtool.NSSDB(t, s.Root()), sealed); !strings.Contains(out, "Signature is Valid.") {
		t.Errorf("pdfsig on a timestamped seal:\n%s", out)
	}
	// A changed byte in the token (its TSA signature ends it) fails the seal
	// even though the seal's own signature still verifies.
	tail := hex.EncodeToString(token[len(token)-8:])
	i := bytes.Index(sealed, []byte(tail))
	if i < 0 {
		t.Fatal("token not found in /Contents")
	}
	broken := bytes.Clone(sealed)
	if broken[i] == 'a' {
		broken[i] = 'b'
	} else {
		broken[i] = 'a'
	}
	rep = mustCheck(t, broken, s.Root(), tsa.Root)
	if sig := rep.Signatures[0]; rep.Indication != Failed || rep.Code != TimestampFailure || !sig.SignatureValid || sig.TimestampValid {
		t.Fatalf("Check with a broken token: %+v", rep)
	}
}

// A failing or hanging TSA is an error the caller can retry, and nothing is
// written.
func TestSealTimestampFailure(t *testing.T) {
	doc := mustPDF(t, 1)
	t.Run("TSA answers 503", func(t *testing.T) {
		tsa := tsatest.Start(t)
		tsa.SetFailing(true)
		s := MustOpen(t, Config{TSAURL: tsa.URL})
		var out bytes.Buffer
		err := s.Seal(context.Background(), &out, doc, Info{})
		if !errors.Is(err, ErrTimestamp) || !strings.Contains(err.Error(), "503") || out.Len() != 0 {
			t.Fatalf("Seal: %v (%d bytes written)", err, out.Len())
		}
		tsa.SetFailing(false)
		if err := s.Seal(context.Background(), &out, doc, Info{}); err != nil {
			t.Fatalf("retry: %v", err)
		}
	})
	t.Run("TSA down", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		srv.Close()
		s := MustOpen(t, Config{TSAURL: srv.URL})
		err := s.Seal(context.Background(), &bytes.Buffer{}, doc, Info{})
		if !errors.Is(err, ErrTimestamp) {
			t.Fatalf("Seal: %v", err)
		}
	})
	t.Run("TSA hangs", func(t *testing.T) {
		release := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
		t.Cleanup(srv.Close)
		t.Cleanup(func() { close(release) }) // runs first: lets the handler end before Close waits for it
		s := MustOpen(t, Config{TSAURL: srv.URL})
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := s.Seal(ctx, &bytes.Buffer{}, doc, Info{})
		if !errors.Is(err, ErrTimestamp) || !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
			t.Fatalf("Seal: %v after %s", err, time.Since(start))
		}
	})
}

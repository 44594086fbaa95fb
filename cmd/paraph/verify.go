package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"paraph/internal/verify"
	"paraph/pki"
)

// errNotPassed makes the exit status 1 after a report that is not "passed".
var errNotPassed = errors.New("the signature did not pass")

// verifyCmd: paraph verify [--trust roots.pem] FILE [SIG] — offline, no
// server. With SIG it checks a detached signature; without, FILE is a
// signed PDF: its seal over the whole file, and the signatures embedded in
// it against the original embedded next to them.
func verifyCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("paraph verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var roots []string
	fs.Func("trust", "PEM/DER file or folder of trusted root certificates, the seal's included (repeatable)", func(v string) error {
		roots = append(roots, v)
		return nil
	})
	crl := fs.Bool("check-crl", false, "fetch the certificates' CRLs over HTTP")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if fs.NArg() < 1 || fs.NArg() > 2 {
		return usageError{"usage: paraph verify [--trust roots.pem] [--check-crl] [--json] FILE [SIGNATURE]"}
	}
	trust := pki.NewTrustStore()
	if len(roots) > 0 {
		var err error
		if trust, err = pki.LoadTrustStore(roots...); err != nil {
			return usageError{err.Error()}
		}
	}
	opts := verify.Options{CheckRevocation: *crl}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return fmt.Errorf("read the file: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("read the file: %w", err)
	}
	h := sha256.New()
	var rep *verify.Report
	if fs.NArg() == 2 {
		sig, err := os.ReadFile(fs.Arg(1))
		if err != nil {
			return fmt.Errorf("read the signature: %w", err)
		}
		if rep, err = verify.Detached(ctx, io.TeeReader(f, h), sig, trust, opts); err != nil {
			return fmt.Errorf("%s is not a CMS signature: %w", fs.Arg(1), err)
		}
	} else {
		rep, err = verify.FinalPDF(ctx, f, st.Size(), trust, verify.FinalOptions{Options: opts})
		if err != nil {
			return err
		}
		if rep.Kind == verify.KindFile && rep.Result == verify.Passed {
			rep.Result, rep.Reason = verify.Failed, "not_signed"
			rep.Message = "The PDF carries no seal or signature; for a file with a detached signature, give the signature file too."
		}
		if _, err := io.Copy(h, io.NewSectionReader(f, 0, st.Size())); err != nil {
			return fmt.Errorf("read the file: %w", err)
		}
	}
	rep.FileName, rep.Size = filepath.Base(fs.Arg(0)), st.Size()
	rep.SHA256 = hex.EncodeToString(h.Sum(nil))
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		enc.Encode(rep)
	} else {
		printReport(stdout, fs.Arg(0), rep)
	}
	if rep.Result != verify.Passed {
		return errNotPassed
	}
	return nil
}

func printReport(w io.Writer, file string, rep *verify.Report) {
	fmt.Fprintf(w, "%s: %s\n", file, strings.ToUpper(rep.Result))
	if rep.Message != "" {
		fmt.Fprintf(w, "  %s\n", rep.Message)
	}
	fmt.Fprintf(w, "  SHA-256 %s\n", rep.SHA256)
	if s := rep.Seal; s != nil {
		fmt.Fprintf(w, "  seal: %s", s.Indication)
		if s.Reason != "" {
			fmt.Fprintf(w, " (%s)", s.Reason)
		}
		fmt.Fprintf(w, " — %s\n", s.Message)
		if s.Signer != "" {
			fmt.Fprintf(w, "    sealed by: %s\n", s.Signer)
		}
		if !s.SignedAt.IsZero() {
			fmt.Fprintf(w, "    sealed at: %s\n", s.SignedAt.UTC().Format("2006-01-02 15:04:05 UTC"))
		}
		if !s.Timestamp.IsZero() {
			fmt.Fprintf(w, "    timestamp: %s\n", s.Timestamp.UTC().Format("2006-01-02 15:04:05 UTC"))
		}
	}
	if o := rep.Original; o != nil {
		fmt.Fprintf(w, "  original: %s, SHA-256 %s\n", o.Name, o.SHA256)
	}
	for i, s := range rep.Signatures {
		fmt.Fprintf(w, "  signature %d: %s", i+1, s.Indication)
		if s.SubIndication != "" {
			fmt.Fprintf(w, " (%s)", s.SubIndication)
		}
		fmt.Fprintf(w, " — %s\n", s.Message)
		if s.Signer != "" {
			fmt.Fprintf(w, "    signer: %s", s.Signer)
			if s.Organization != "" {
				fmt.Fprintf(w, ", %s", s.Organization)
			}
			fmt.Fprintln(w)
			fmt.Fprintf(w, "    certificate: %s, serial %s, valid %s – %s, issued by %s\n", s.KeyAlgorithm, s.Serial,
				s.NotBefore.Format("2006-01-02"), s.NotAfter.Format("2006-01-02"), s.Issuer)
		}
		if !s.SigningTime.IsZero() {
			fmt.Fprintf(w, "    signed at: %s\n", s.SigningTime.UTC().Format("2006-01-02 15:04:05 UTC"))
		}
	}
}

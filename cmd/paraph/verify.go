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
	"strings"

	"paraph/internal/verify"
	"paraph/pki"
)

// errNotPassed makes the exit status 1 after a report that is not "passed".
var errNotPassed = errors.New("the signature did not pass")

// verifyCmd: paraph verify [--trust roots.pem] FILE SIG — offline, no server.
func verifyCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("paraph verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var roots []string
	fs.Func("trust", "PEM/DER file or folder of trusted root certificates (repeatable)", func(v string) error {
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
	if fs.NArg() != 2 {
		return usageError{"usage: paraph verify [--trust roots.pem] [--check-crl] [--json] FILE SIGNATURE"}
	}
	trust := pki.NewTrustStore()
	if len(roots) > 0 {
		var err error
		if trust, err = pki.LoadTrustStore(roots...); err != nil {
			return usageError{err.Error()}
		}
	}
	sig, err := os.ReadFile(fs.Arg(1))
	if err != nil {
		return fmt.Errorf("read the signature: %w", err)
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return fmt.Errorf("read the file: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	rep, err := verify.Detached(ctx, io.TeeReader(f, h), sig, trust, verify.Options{CheckRevocation: *crl})
	if err != nil {
		return fmt.Errorf("%s is not a CMS signature: %w", fs.Arg(1), err)
	}
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
	fmt.Fprintf(w, "  SHA-256 %s\n", rep.SHA256)
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

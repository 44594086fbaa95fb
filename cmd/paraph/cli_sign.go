package main

import (
	"context"
	"crypto"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"paraph"
	"paraph/client"
)

// sign: paraph sign DOC_ID, then one of
//
//	--cert c.pem --key k.pem    a certificate and its key file
//	--p12 file.p12              a PKCS #12 file (password in PARAPH_P12_PASSWORD or on stdin)
//	--pkcs11-module M --pkcs11-token T --pkcs11-key-label K [--cert c.pem]
//	                            a key on a token (PIN in PARAPH_PKCS11_PIN or on stdin)
//	--cms file.sig              a detached CMS signature made elsewhere, uploaded as it is
//
// With a key, the two-step flow: the server prepares the signed attributes,
// they are signed here (the key never leaves this machine), the server
// assembles and checks the CMS. Exit 0 only when the signature passed.
func cliSign(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("paraph sign", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f certFlags
	f.register(fs)
	cmsFile := fs.String("cms", "", "upload this detached CMS signature (.sig/.p7s, DER or PEM) made elsewhere instead of signing here")
	docID, err := parseWithOneArg(fs, args)
	if err != nil {
		return err
	}
	if err := validateSignFlags(f, *cmsFile); err != nil {
		return err
	}
	cr, err := loadCredentials()
	if err != nil {
		return err
	}
	c, err := client.New(cr.Server, cr.Token)
	if err != nil {
		return err
	}
	var res *client.SignatureResult
	if *cmsFile != "" {
		data, err := os.ReadFile(*cmsFile)
		if err != nil {
			return fmt.Errorf("signature: %w", err)
		}
		res, err = c.SubmitCMS(ctx, docID, derOf(data))
		if err != nil {
			return signError(err)
		}
	} else {
		certPEM, signer, closeKey, err := loadSigningKey(f, stdin)
		if err != nil {
			return err
		}
		res, err = c.SignDocument(ctx, docID, certPEM, signer)
		closeKey()
		if errors.Is(err, client.ErrKeyMismatch) {
			return err
		}
		if err != nil {
			return signError(err)
		}
	}
	fmt.Fprintf(stdout, "signature %s: %s\n", res.ID, strings.ToUpper(res.Result))
	switch res.Document.State {
	case paraph.DocInProgress:
		fmt.Fprintf(stdout, "document %s: in progress, now at stage %d\n", docID, res.Document.CurrentStage+1)
	case "":
	default:
		fmt.Fprintf(stdout, "document %s: %s\n", docID, strings.ReplaceAll(res.Document.State, "_", " "))
	}
	if res.Result != "passed" {
		fmt.Fprintf(stderr, "paraph: the signature did not pass (%s)\n", res.SubIndication)
		return errNotPassed
	}
	return nil
}

// parseWithOneArg parses flags given before or after the one positional
// argument (paraph sign DOC --cert c.pem, or paraph sign --cert c.pem DOC).
func parseWithOneArg(fs *flag.FlagSet, args []string) (string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return "", err
			}
			return "", usageError{err.Error()}
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(pos) != 1 {
		return "", usageError{"usage: " + fs.Name() + " DOCUMENT_ID (--cert c.pem --key k.pem | --p12 f.p12 | --pkcs11-module … | --cms file.sig)"}
	}
	return pos[0], nil
}

// validateSignFlags checks that exactly one way of signing is given, completely.
func validateSignFlags(f certFlags, cms string) error {
	ways := 0
	for _, on := range []bool{cms != "", f.key != "", f.p12 != "", f.module != ""} {
		if on {
			ways++
		}
	}
	switch {
	case ways == 0:
		return usageError{"paraph sign: give --cert with --key, --p12, --pkcs11-module with --pkcs11-token and --pkcs11-key-label, or --cms"}
	case ways > 1:
		return usageError{"paraph sign: give only one of --key, --p12, --pkcs11-module and --cms"}
	case f.key != "" && f.cert == "":
		return usageError{"paraph sign: --key needs --cert"}
	case (cms != "" || f.p12 != "") && f.cert != "":
		return usageError{"paraph sign: --cert goes with --key or --pkcs11-module"}
	case f.module != "" && (f.token == "" || f.keyLabel == ""):
		return usageError{"paraph sign: --pkcs11-module needs --pkcs11-token and --pkcs11-key-label"}
	case f.module == "" && (f.token != "" || f.keyLabel != "" || f.certTok != ""):
		return usageError{"paraph sign: the --pkcs11-* flags need --pkcs11-module"}
	}
	return nil
}

// loadSigningKey loads the certificate and the key the flags name, as
// paraph login does; closeKey logs out of a token.
func loadSigningKey(f certFlags, stdin io.Reader) (certPEM []byte, signer crypto.Signer, closeKey func(), err error) {
	closeKey = func() {}
	if f.cert != "" {
		data, err := os.ReadFile(f.cert)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("certificate: %w", err)
		}
		if certPEM, err = certificatePEM(data); err != nil {
			return nil, nil, nil, fmt.Errorf("certificate %s: %w", f.cert, err)
		}
	}
	switch {
	case f.key != "":
		data, err := os.ReadFile(f.key)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("key: %w", err)
		}
		password := func() (string, error) { return secret("PARAPH_KEY_PASSWORD", stdin) }
		if signer, err = parsePrivateKey(data, password); err != nil {
			return nil, nil, nil, fmt.Errorf("%s: %w", f.key, err)
		}
	case f.p12 != "":
		data, err := os.ReadFile(f.p12)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("PKCS #12: %w", err)
		}
		password, err := secret("PARAPH_P12_PASSWORD", stdin)
		if err != nil {
			return nil, nil, nil, err
		}
		if certPEM, signer, err = readPKCS12(data, password); err != nil {
			return nil, nil, nil, fmt.Errorf("%s: %w", f.p12, err)
		}
	case f.module != "":
		pin, err := secret("PARAPH_PKCS11_PIN", stdin)
		if err != nil {
			return nil, nil, nil, err
		}
		certLabel := ""
		if certPEM == nil {
			if certLabel = f.certTok; certLabel == "" {
				certLabel = f.keyLabel
			}
		}
		tok, err := openToken(f.module, f.token, pin, f.keyLabel, certLabel)
		if err != nil {
			return nil, nil, nil, err
		}
		closeKey = func() { tok.Close() }
		signer = tok.signer
		if certPEM == nil {
			certPEM = tok.certPEM
		}
	}
	return certPEM, signer, closeKey, nil
}

// derOf returns the DER inside a PEM-armoured signature, or data as it is.
func derOf(data []byte) []byte {
	if b, _ := pem.Decode(data); b != nil {
		return b.Bytes
	}
	return data
}

// signError makes a refused signature one line with its reason (the ETSI
// sub-indication, or why the server would not take it).
func signError(err error) error {
	var e *paraph.Error
	if errors.As(err, &e) && e.Reason != "" && e.Reason != e.Code {
		return fmt.Errorf("signature refused (%s): %s", e.Reason, e.Message)
	}
	return apiError(err)
}

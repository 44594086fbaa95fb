//go:build cgo

package main

// PKCS #11 goes through a C library loaded at run time, so it needs cgo; a
// paraph built with CGO_ENABLED=0 says so instead (cli_pkcs11_nocgo.go).

import (
	"crypto"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/ThalesGroup/crypto11"
	"github.com/miekg/pkcs11"
)

// token is a key pair on a PKCS #11 token, open until Close.
type token struct {
	ctx     *crypto11.Context
	signer  crypto.Signer
	certPEM []byte // the certificate found on the token, if any
}

func (t *token) Close() error { return t.ctx.Close() }

// openToken logs in to the token labelled tokenLabel through the PKCS #11
// module and finds the key pair labelled keyLabel, and the certificate
// labelled certLabel when certLabel is not empty.
func openToken(module, tokenLabel, pin, keyLabel, certLabel string) (*token, error) {
	if _, err := os.Stat(module); err != nil {
		return nil, fmt.Errorf("PKCS #11 module %s: %w", module, errors.Unwrap(err))
	}
	ctx, err := crypto11.Configure(&crypto11.Config{Path: module, TokenLabel: tokenLabel, Pin: pin})
	if err != nil {
		var rv pkcs11.Error
		switch {
		case errors.As(err, &rv) && (rv == pkcs11.CKR_PIN_INCORRECT || rv == pkcs11.CKR_PIN_LEN_RANGE):
			return nil, fmt.Errorf("PKCS #11 token %q: wrong PIN", tokenLabel)
		case errors.As(err, &rv) && rv == pkcs11.CKR_PIN_LOCKED:
			return nil, fmt.Errorf("PKCS #11 token %q: the PIN is locked", tokenLabel)
		case strings.Contains(err.Error(), "could not find PKCS#11 token"):
			return nil, fmt.Errorf("PKCS #11: no token labelled %q in %s", tokenLabel, module)
		}
		return nil, fmt.Errorf("PKCS #11 token %q: %w", tokenLabel, err)
	}
	t := &token{ctx: ctx}
	s, err := ctx.FindKeyPair(nil, []byte(keyLabel))
	if (err == nil && s == nil) || (err != nil && strings.Contains(err.Error(), "not found")) {
		// crypto11 says "not found" either way, with the label in hex.
		err = fmt.Errorf("no key pair labelled %q (with its public key)", keyLabel)
	}
	if err != nil {
		ctx.Close()
		return nil, fmt.Errorf("PKCS #11 token %q: %w", tokenLabel, err)
	}
	t.signer = s
	if certLabel != "" {
		c, err := ctx.FindCertificate(nil, []byte(certLabel), nil)
		if err == nil && c == nil {
			err = fmt.Errorf("no certificate labelled %q (give it with --cert)", certLabel)
		}
		if err != nil {
			ctx.Close()
			return nil, fmt.Errorf("PKCS #11 token %q: %w", tokenLabel, err)
		}
		t.certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return t, nil
}

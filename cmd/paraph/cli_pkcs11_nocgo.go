//go:build !cgo

package main

import (
	"crypto"
	"errors"
)

// token is a key pair on a PKCS #11 token; without cgo there is none.
type token struct {
	signer  crypto.Signer
	certPEM []byte
}

func (t *token) Close() error { return nil }

func openToken(module, tokenLabel, pin, keyLabel, certLabel string) (*token, error) {
	return nil, errors.New("PKCS #11 is not available: this paraph was built without cgo (CGO_ENABLED=0)")
}

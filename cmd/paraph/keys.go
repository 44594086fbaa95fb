package main

// Where the key of a certificate login comes from: a key file (PEM or DER),
// a PKCS #12 file, or a token through PKCS #11 (cli_pkcs11.go). Errors are one line and
// never carry key bytes, passwords or PINs.

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"software.sslmate.com/src/go-pkcs12"

	"paraph/gost"
	"paraph/pki"
)

// errEncryptedKey is for keys encrypted the old OpenSSL way (Proc-Type
// headers); encrypted PKCS #8 is read (cli_pbes2.go).
var errEncryptedKey = errors.New("encrypted keys in the old OpenSSL format are not supported: decrypt with openssl pkcs8 first, or re-encrypt with openssl pkcs8 -topk8")

// parsePrivateKey reads the first private key of a PEM file (PKCS #8 for
// RSA, ECDSA, Ed25519 and GOST R 34.10-2012; "EC PRIVATE KEY"; "RSA PRIVATE
// KEY"; "ENCRYPTED PRIVATE KEY", whose password comes from password()), or a
// DER PKCS #8 key. Other PEM blocks (a certificate kept in the same file)
// are skipped.
func parsePrivateKey(data []byte, password func() (string, error)) (crypto.Signer, error) {
	rest := data
	sawPEM := false
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		sawPEM = true
		if strings.Contains(b.Headers["Proc-Type"], "ENCRYPTED") {
			return nil, errEncryptedKey
		}
		switch b.Type {
		case "PRIVATE KEY":
			return parsePKCS8(b.Bytes)
		case "ENCRYPTED PRIVATE KEY":
			pw, err := password()
			if err != nil {
				return nil, err
			}
			der, err := decryptPKCS8(b.Bytes, pw)
			if err != nil {
				return nil, err
			}
			if _, err := asn1.Unmarshal(der, &asn1.RawValue{}); err != nil {
				return nil, errWrongKeyPassword // the padding happened to fit
			}
			return parsePKCS8(der)
		case "EC PRIVATE KEY":
			k, err := x509.ParseECPrivateKey(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("key file: damaged EC PRIVATE KEY: %w", err)
			}
			return k, nil
		case "RSA PRIVATE KEY":
			k, err := x509.ParsePKCS1PrivateKey(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("key file: damaged RSA PRIVATE KEY: %w", err)
			}
			return k, nil
		case "OPENSSH PRIVATE KEY":
			return nil, errors.New("key file: an OpenSSH key cannot log in with a certificate; give the key in PKCS #8 PEM")
		}
	}
	if sawPEM {
		return nil, errors.New("key file: no private key in it")
	}
	return parsePKCS8(data)
}

// parsePKCS8 reads a PKCS #8 key: crypto/x509 knows RSA, ECDSA and Ed25519,
// package gost the GOST R 34.10-2012 keys.
func parsePKCS8(der []byte) (crypto.Signer, error) {
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		if gk, gerr := gost.ParsePKCS8PrivateKey(der); gerr == nil {
			return gk, nil
		}
		return nil, errors.New("key file: not a private key this program reads (PKCS #8 RSA, ECDSA, Ed25519 or GOST R 34.10-2012 in PEM or DER)")
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("key file: a %T key cannot sign", k)
	}
	return s, nil
}

// certificatePEM returns the certificates of a file (PEM, DER or .p7b) as
// PEM CERTIFICATE blocks, leaving out anything else a PEM file holds (a
// private key kept beside the certificate is never sent).
func certificatePEM(data []byte) ([]byte, error) {
	var out bytes.Buffer
	rest := data
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type == "CERTIFICATE" {
			pem.Encode(&out, &pem.Block{Type: b.Type, Bytes: b.Bytes})
		}
	}
	if out.Len() > 0 {
		return out.Bytes(), nil
	}
	certs, err := pki.Parse(data)
	if err != nil {
		return nil, errors.New(pki.Message(err))
	}
	for _, c := range certs {
		pem.Encode(&out, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return out.Bytes(), nil
}

// readPKCS12 takes the key, the certificate and its chain out of a .p12/.pfx.
func readPKCS12(data []byte, password string) (certPEM []byte, key crypto.Signer, err error) {
	k, cert, chain, err := pkcs12.DecodeChain(data, password)
	switch {
	case errors.Is(err, pkcs12.ErrIncorrectPassword), errors.Is(err, pkcs12.ErrDecryption):
		return nil, nil, errors.New("PKCS #12: wrong password")
	case err != nil:
		return nil, nil, fmt.Errorf("PKCS #12: cannot read the file: %s", strings.TrimPrefix(err.Error(), "pkcs12: "))
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, nil, fmt.Errorf("PKCS #12: a %T key cannot sign", k)
	}
	var out bytes.Buffer
	for _, c := range append([]*x509.Certificate{cert}, chain...) {
		pem.Encode(&out, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return out.Bytes(), s, nil
}

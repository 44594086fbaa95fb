package main

import (
	"context"
	"crypto"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"paraph/client"
)

// certFlags are the flags of a certificate login.
type certFlags struct {
	cert, key, p12                   string
	module, token, keyLabel, certTok string
}

func (f *certFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.cert, "cert", "", "certificate file (PEM, DER or .p7b), with --key or --pkcs11-module")
	fs.StringVar(&f.key, "key", "", "private key file (PEM or DER PKCS #8, EC or RSA PRIVATE KEY); an encrypted PKCS #8 key's password in PARAPH_KEY_PASSWORD or on stdin")
	fs.StringVar(&f.p12, "p12", "", "PKCS #12 file (.p12/.pfx) with the key and certificate; password in PARAPH_P12_PASSWORD or on stdin")
	fs.StringVar(&f.module, "pkcs11-module", "", "PKCS #11 library of the token, e.g. /usr/lib/softhsm/libsofthsm2.so; PIN in PARAPH_PKCS11_PIN or on stdin")
	fs.StringVar(&f.token, "pkcs11-token", "", "label of the token")
	fs.StringVar(&f.keyLabel, "pkcs11-key-label", "", "label of the key pair on the token")
	fs.StringVar(&f.certTok, "pkcs11-cert-label", "", "label of the certificate on the token (default: the key's label) when --cert is not given")
}

// validate checks that exactly one way of logging in is given, completely.
func (f *certFlags) validate(password bool) error {
	ways := 0
	for _, on := range []bool{password, f.key != "", f.p12 != "", f.module != ""} {
		if on {
			ways++
		}
	}
	switch {
	case ways == 0:
		return usageError{"paraph login: give --login (password on stdin), --cert with --key, --p12, or --pkcs11-module with --pkcs11-token and --pkcs11-key-label"}
	case ways > 1:
		return usageError{"paraph login: give only one of --login, --key, --p12 and --pkcs11-module"}
	case f.key != "" && f.cert == "":
		return usageError{"paraph login: --key needs --cert"}
	case (password || f.p12 != "") && f.cert != "":
		return usageError{"paraph login: --cert goes with --key or --pkcs11-module"}
	case f.module != "" && (f.token == "" || f.keyLabel == ""):
		return usageError{"paraph login: --pkcs11-module needs --pkcs11-token and --pkcs11-key-label"}
	case f.module == "" && (f.token != "" || f.keyLabel != "" || f.certTok != ""):
		return usageError{"paraph login: the --pkcs11-* flags need --pkcs11-module"}
	}
	return nil
}

// certificateLogin loads the certificate and key the flags name and logs in
// by signing the server's challenge.
func certificateLogin(ctx context.Context, c *client.Client, f certFlags, stdin io.Reader) (*client.Session, error) {
	var certPEM []byte
	if f.cert != "" {
		data, err := os.ReadFile(f.cert)
		if err != nil {
			return nil, fmt.Errorf("certificate: %w", err)
		}
		if certPEM, err = certificatePEM(data); err != nil {
			return nil, fmt.Errorf("certificate %s: %w", f.cert, err)
		}
	}
	var signer crypto.Signer
	switch {
	case f.key != "":
		data, err := os.ReadFile(f.key)
		if err != nil {
			return nil, fmt.Errorf("key: %w", err)
		}
		password := func() (string, error) { return secret("PARAPH_KEY_PASSWORD", stdin) }
		if signer, err = parsePrivateKey(data, password); err != nil {
			return nil, fmt.Errorf("%s: %w", f.key, err)
		}
	case f.p12 != "":
		data, err := os.ReadFile(f.p12)
		if err != nil {
			return nil, fmt.Errorf("PKCS #12: %w", err)
		}
		password, err := secret("PARAPH_P12_PASSWORD", stdin)
		if err != nil {
			return nil, err
		}
		if certPEM, signer, err = readPKCS12(data, password); err != nil {
			return nil, fmt.Errorf("%s: %w", f.p12, err)
		}
	case f.module != "":
		pin, err := secret("PARAPH_PKCS11_PIN", stdin)
		if err != nil {
			return nil, err
		}
		certLabel := ""
		if certPEM == nil {
			certLabel = f.certTok
			if certLabel == "" {
				certLabel = f.keyLabel
			}
		}
		tok, err := openToken(f.module, f.token, pin, f.keyLabel, certLabel)
		if err != nil {
			return nil, err
		}
		defer tok.Close()
		signer = tok.signer
		if certPEM == nil {
			certPEM = tok.certPEM
		}
	}
	s, err := c.LoginWithSigner(ctx, certPEM, signer)
	if errors.Is(err, client.ErrKeyMismatch) {
		return nil, err
	}
	if err != nil {
		return nil, apiError(err)
	}
	return s, nil
}

// secret is the value of the environment variable name, else the first line
// of standard input.
func secret(name string, stdin io.Reader) (string, error) {
	if v, ok := os.LookupEnv(name); ok {
		return v, nil
	}
	return readLine(stdin)
}

package main

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"os"

	"paraph/internal/seal"
)

// sealName is the name the seal shows in PDF readers.
const sealName = "Paraph"

// openSeal opens the instance's PDF seal as the configuration says: a key
// on a PKCS #11 token, a certificate and key file, or the seal generated in
// the data directory on first start. close releases the token, if any.
func openSeal(ctx context.Context, c *Config) (s *seal.Sealer, close func() error, err error) {
	sc := seal.Config{Dir: c.Data, TSAURL: c.TSAURL, Name: sealName}
	close = func() error { return nil }
	switch {
	case c.SealPKCS11Module != "":
		certLabel := c.SealPKCS11Key // the certificate next to the key, unless a chain file gives it
		if c.SealCert != "" {
			certLabel = ""
		}
		t, err := openToken(c.SealPKCS11Module, c.SealPKCS11Token, c.SealPKCS11PIN, c.SealPKCS11Key, certLabel)
		if err != nil {
			return nil, nil, fmt.Errorf("seal key: %w", err)
		}
		chainPEM := t.certPEM
		if c.SealCert != "" {
			if chainPEM, err = os.ReadFile(c.SealCert); err != nil {
				t.Close()
				return nil, nil, fmt.Errorf("--seal-cert: %w", err)
			}
		}
		if sc.Chain, err = parseChain(chainPEM); err != nil {
			t.Close()
			return nil, nil, fmt.Errorf("seal certificate: %w", err)
		}
		sc.Signer, close = t.signer, t.Close
	case c.SealCert != "" || c.SealKey != "":
		sc.CertFile, sc.KeyFile = c.SealCert, c.SealKey
	}
	s, err = seal.Open(ctx, sc)
	if err != nil {
		close()
		return nil, nil, err
	}
	return s, close, nil
}

// parseChain reads PEM certificates, the seal's first.
func parseChain(data []byte) ([]*x509.Certificate, error) {
	var chain []*x509.Certificate
	for rest := data; ; {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, err
		}
		chain = append(chain, c)
	}
	if len(chain) == 0 {
		return nil, errors.New("no PEM certificate")
	}
	return chain, nil
}

// validateSeal checks the seal flags for Validate.
func (c *Config) validateSeal() []error {
	var errs []error
	pkcs11 := c.SealPKCS11Module != "" || c.SealPKCS11Token != "" || c.SealPKCS11Key != ""
	if pkcs11 {
		if c.SealPKCS11Module == "" || c.SealPKCS11Token == "" || c.SealPKCS11Key == "" {
			errs = append(errs, errors.New("--seal-pkcs11-module, --seal-pkcs11-token and --seal-pkcs11-key (PARAPH_SEAL_PKCS11_*): give all three for a seal key on a token"))
		}
		if c.SealKey != "" {
			errs = append(errs, errors.New("--seal-key / PARAPH_SEAL_KEY: not with a PKCS #11 key (--seal-cert may give its certificate chain)"))
		}
	} else if (c.SealCert == "") != (c.SealKey == "") {
		errs = append(errs, errors.New("--seal-cert / PARAPH_SEAL_CERT and --seal-key / PARAPH_SEAL_KEY: give both, or neither for a seal generated in the data directory"))
	}
	if c.TSAURL != "" {
		if u, err := url.Parse(c.TSAURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("--tsa-url / PARAPH_TSA_URL %q: want an absolute http:// or https:// URL", c.TSAURL))
		}
	}
	return errs
}

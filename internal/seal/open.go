package seal

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"time"
)

// Config says where the seal's key and certificate come from: exactly one
// of generated under Dir (CertFile, KeyFile and Signer empty), PEM files
// (CertFile and KeyFile), or a Signer with its Chain.
type Config struct {
	Dir               string // data dir: generated keys live in Dir/seal
	CertFile, KeyFile string // PEM chain (seal certificate first) and PEM key
	// Signer and Chain are set by a caller that opened a key elsewhere (a
	// PKCS #11 token); Chain[0] is the seal certificate.
	Signer crypto.Signer
	Chain  []*x509.Certificate
	TSAURL string           // RFC 3161 timestamp authority; empty: no timestamp
	Name   string           // shown as the seal's name; "Paraph" when empty
	Now    func() time.Time // time.Now when nil
}

// The files of a generated seal, in Dir/seal.
const (
	RootFile = "root.pem" // the instance root: what verifiers trust
	CertFile = "seal.pem" // the seal certificate
	KeyFile  = "seal.key" // its private key, PKCS #8
)

// Validity of generated certificates.
const (
	rootValidity = 20 * 365 * 24 * time.Hour
	sealValidity = 10 * 365 * 24 * time.Hour
)

// Open returns the Sealer the configuration describes, generating the
// instance's seal under Dir on first use.
func Open(ctx context.Context, c Config) (*Sealer, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	s := &Sealer{tsaURL: c.TSAURL, name: c.Name, now: c.Now}
	if s.name == "" {
		s.name = "Paraph"
	}
	if s.now == nil {
		s.now = time.Now
	}
	var err error
	var source string // where the key and certificate came from, for errors
	switch {
	case c.Signer != nil:
		if c.CertFile != "" || c.KeyFile != "" {
			return nil, errors.New("seal: a signer and key files are both configured; give one")
		}
		if len(c.Chain) == 0 {
			return nil, errors.New("seal: the given signer has no certificate chain")
		}
		s.signer, s.chain, source = c.Signer, c.Chain, "the given signer"
	case c.CertFile != "" || c.KeyFile != "":
		if c.CertFile == "" || c.KeyFile == "" {
			return nil, errors.New("seal: give both the certificate file and the key file, or neither")
		}
		s.signer, s.chain, err = loadFiles(c.CertFile, c.KeyFile)
		source = c.CertFile
	default:
		if c.Dir == "" {
			return nil, errors.New("seal: no data dir for the generated seal key")
		}
		dir := filepath.Join(c.Dir, "seal")
		s.signer, s.chain, s.root, err = openGenerated(dir, s.name, s.now())
		source = filepath.Join(dir, CertFile)
	}
	if err != nil {
		return nil, err
	}
	if err := s.checkKey(); err != nil {
		return nil, fmt.Errorf("seal: %s: %w", source, err)
	}
	if s.root == nil {
		s.root = s.chain[len(s.chain)-1]
	}
	return s, nil
}

// checkKey makes sure the key fits the seal certificate and both can sign now.
func (s *Sealer) checkKey() error {
	cert := s.chain[0]
	switch k := s.signer.Public().(type) {
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256(), elliptic.P384(), elliptic.P521():
		default:
			return fmt.Errorf("unsupported key: ECDSA on %s (use P-256, P-384 or P-521)", k.Curve.Params().Name)
		}
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 {
			return fmt.Errorf("unsupported key: RSA %d bits (use 2048 or more)", k.N.BitLen())
		}
	default:
		return fmt.Errorf("unsupported key: %T (use ECDSA or RSA)", k)
	}
	pub, ok := s.signer.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(cert.PublicKey) {
		return fmt.Errorf("the key does not match the seal certificate %q", cert.Subject.CommonName)
	}
	now := s.now()
	if now.After(cert.NotAfter) {
		return fmt.Errorf("the seal certificate %q expired on %s", cert.Subject.CommonName, cert.NotAfter.Format(time.DateOnly))
	}
	if now.Before(cert.NotBefore) {
		return fmt.Errorf("the seal certificate %q is valid only from %s", cert.Subject.CommonName, cert.NotBefore.Format(time.RFC3339))
	}
	return nil
}

// loadFiles reads a PEM chain and a PEM private key.
func loadFiles(certFile, keyFile string) (crypto.Signer, []*x509.Certificate, error) {
	chain, err := readCertificates(certFile)
	if err != nil {
		return nil, nil, err
	}
	key, err := readKey(keyFile)
	if err != nil {
		return nil, nil, err
	}
	pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(chain[0].PublicKey) {
		return nil, nil, fmt.Errorf("seal: the key in %s does not match the certificate in %s (it must come first)", keyFile, certFile)
	}
	return key, chain, nil
}

func readCertificates(file string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("seal: certificate file: %w", err)
	}
	var chain []*x509.Certificate
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("seal: %s: certificate %d: %w", file, len(chain)+1, err)
		}
		chain = append(chain, c)
	}
	if len(chain) == 0 {
		return nil, fmt.Errorf("seal: %s: no PEM certificate", file)
	}
	return chain, nil
}

func readKey(file string) (crypto.Signer, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("seal: key file: %w", err)
	}
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, fmt.Errorf("seal: %s: no PEM private key", file)
		}
		var key any
		switch block.Type {
		case "PRIVATE KEY":
			key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		case "EC PRIVATE KEY":
			key, err = x509.ParseECPrivateKey(block.Bytes)
		case "RSA PRIVATE KEY":
			key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		case "ENCRYPTED PRIVATE KEY":
			return nil, fmt.Errorf("seal: %s: the key is encrypted; give it unencrypted (or keep it on a PKCS #11 token)", file)
		default:
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("seal: %s: %w", file, err)
		}
		s, ok := key.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("seal: %s: unsupported key %T", file, key)
		}
		return s, nil
	}
}

// openGenerated loads the seal under dir, making it first when dir does not
// exist. The three files are written to a fresh folder that is then renamed
// to dir, so two processes starting at once end with one consistent set:
// the second rename fails and its maker loads the winner's files.
func openGenerated(dir, name string, now time.Time) (crypto.Signer, []*x509.Certificate, *x509.Certificate, error) {
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := generate(dir, name, now); err != nil {
			return nil, nil, nil, err
		}
	}
	roots, err := readCertificates(filepath.Join(dir, RootFile))
	if err != nil {
		return nil, nil, nil, err
	}
	key, chain, err := loadFiles(filepath.Join(dir, CertFile), filepath.Join(dir, KeyFile))
	if err != nil {
		return nil, nil, nil, err
	}
	root := roots[0]
	if err := chain[0].CheckSignatureFrom(root); err != nil {
		return nil, nil, nil, fmt.Errorf("seal: %s is not issued by %s: %w", filepath.Join(dir, CertFile), filepath.Join(dir, RootFile), err)
	}
	return key, append(chain, root), root, nil
}

func generate(dir, name string, now time.Time) error {
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o700); err != nil {
		return fmt.Errorf("seal: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, ".seal-")
	if err != nil {
		return fmt.Errorf("seal: %w", err)
	}
	defer os.RemoveAll(tmp) // gone after a successful rename
	files, err := newInstanceSeal(name, now)
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := writeSynced(filepath.Join(tmp, f.name), f.data, f.mode); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if _, statErr := os.Stat(filepath.Join(dir, KeyFile)); statErr == nil {
			return nil // another process made the seal first: use its files
		}
		return fmt.Errorf("seal: %w", err)
	}
	if d, err := os.Open(parent); err == nil { // make the rename durable
		d.Sync()
		d.Close()
	}
	return nil
}

type file struct {
	name string
	data []byte
	mode os.FileMode
}

// newInstanceSeal makes the instance root and the seal certificate it
// issues, both ECDSA P-256, as PEM files.
func newInstanceSeal(name string, now time.Time) ([]file, error) {
	host, _ := os.Hostname()
	if host == "" {
		host = name
	}
	rootKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	sealKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	start := now.Add(-time.Hour) // tolerate a verifier's clock a little behind
	rootTmpl := &x509.Certificate{
		SerialNumber:          randomSerial(),
		Subject:               pkix.Name{CommonName: "Paraph instance root – " + host, Organization: []string{name}},
		NotBefore:             start,
		NotAfter:              start.Add(rootValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	rootDER, err := x509.CreateCertificate(rand.Reader, rootTmpl, rootTmpl, rootKey.Public(), rootKey)
	if err != nil {
		return nil, fmt.Errorf("seal: make the instance root: %w", err)
	}
	root, _ := x509.ParseCertificate(rootDER)
	sealTmpl := &x509.Certificate{
		SerialNumber:          randomSerial(),
		Subject:               pkix.Name{CommonName: name + " PDF seal – " + host, Organization: []string{name}},
		NotBefore:             start,
		NotAfter:              start.Add(sealValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		BasicConstraintsValid: true,
	}
	sealDER, err := x509.CreateCertificate(rand.Reader, sealTmpl, root, sealKey.Public(), rootKey)
	if err != nil {
		return nil, fmt.Errorf("seal: make the seal certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(sealKey)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	// The root's key is not kept: the root issues the one seal certificate
	// and nothing else, so nothing can be issued in its name later.
	return []file{
		{RootFile, pemBlock("CERTIFICATE", rootDER), 0o644},
		{CertFile, pemBlock("CERTIFICATE", sealDER), 0o644},
		{KeyFile, pemBlock("PRIVATE KEY", keyDER), 0o600},
	}, nil
}

func pemBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func randomSerial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	return n.Add(n, big.NewInt(1))
}

func writeSynced(path string, data []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return fmt.Errorf("seal: %w", err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("seal: write %s: %w", path, err)
	}
	return nil
}

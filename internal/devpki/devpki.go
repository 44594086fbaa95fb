// Package devpki issues throw-away ECDSA certificates with Russian
// identifiers for the demo and the load benchmarks, outside tests (tests use
// pki/pkitest). It is never for real use: a real instance trusts real
// certification authorities.
package devpki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"time"
)

// CA issues certificates.
type CA struct {
	cert *x509.Certificate
	der  []byte
	key  *ecdsa.PrivateKey
}

var (
	oidINN   = asn1.ObjectIdentifier{1, 2, 643, 3, 131, 1, 1}
	oidSNILS = asn1.ObjectIdentifier{1, 2, 643, 100, 3}
	oidINNLE = asn1.ObjectIdentifier{1, 2, 643, 100, 4}
	oidOGRN  = asn1.ObjectIdentifier{1, 2, 643, 100, 1}
)

// NewCA makes a CA valid five years.
func NewCA() (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Paraph Demo CA (not for real use)", Organization: []string{"Paraph demo"}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(5, 0, 0), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &CA{cert: cert, der: der, key: key}, nil
}

// Identity is what a certificate names.
type Identity struct {
	Name, INN, SNILS, INNLE, OGRN string
}

// Issue makes a key and a signing certificate for a person, valid a year.
func (ca *CA) Issue(serial int64, id Identity) (*x509.Certificate, crypto.Signer, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	subject := pkix.Name{CommonName: id.Name, Country: []string{"RU"}}
	for _, a := range []struct {
		oid asn1.ObjectIdentifier
		v   string
	}{{oidINN, id.INN}, {oidSNILS, id.SNILS}, {oidINNLE, id.INNLE}, {oidOGRN, id.OGRN}} {
		if a.v != "" {
			subject.ExtraNames = append(subject.ExtraNames, pkix.AttributeTypeAndValue{Type: a.oid, Value: a.v})
		}
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: subject, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().AddDate(1, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return cert, key, err
}

// PEM encodes a certificate.
func PEM(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// WriteKeyFiles writes name.pem (certificate) and name.key (PKCS #8) into dir.
func WriteKeyFiles(dir, name string, cert *x509.Certificate, key crypto.Signer) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	k, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, name+".pem"), PEM(cert.Raw), 0o600); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, name+".key"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: k}), 0o600)
}

// RootPEM is the CA's certificate, to trust.
func (ca *CA) RootPEM() []byte { return PEM(ca.der) }

// Package pkitest builds certificate authorities, certificates and CRLs in
// Go code for tests: RSA, ECDSA P-256, Ed25519 and GOST R 34.10-2012
// (256 and 512) keys, RU identifiers (INN, INNLE, OGRN, OGRNIP, SNILS) and
// UA ones (EDRPOU, RNOKPP in subjectDirectoryAttributes or as NTRUA-/TINUA-
// subject values), intermediates, any validity period, and revocation with a
// CRL served from a loopback HTTP server.
//
// Every identifier it uses is synthetic (valid check digits, nobody's
// data). GOST certificates are assembled with encoding/asn1 and signed with
// a *gost.PrivateKey, since crypto/x509 cannot sign with GOST.
//
//	root := pkitest.NewCA(t, pkitest.Options{Key: pkitest.GOST256})
//	sub := root.NewIntermediate(t, pkitest.Options{})
//	leaf := sub.Issue(t, pkitest.LeafOptions{Subject: pkitest.PersonRU()})
//	// leaf.Cert (*pki.Certificate), leaf.Key (crypto.Signer), leaf.PEM()
package pkitest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"paraph/gost"
	"paraph/pki"
)

// KeyType is the kind of key a CA or a leaf gets.
type KeyType string

// Key types. The zero value means ECDSA.
const (
	ECDSA   KeyType = "ECDSA P-256"
	RSA     KeyType = "RSA-2048"
	Ed25519 KeyType = "Ed25519"
	GOST256 KeyType = "GOST R 34.10-2012 256" // tc26 256-bit paramSetA (twisted Edwards, cofactor 4)
	GOST512 KeyType = "GOST R 34.10-2012 512" // tc26 512-bit paramSetA
	// GOST256CryptoPro is a 256-bit key on CryptoPro-A (= tc26 paramSetB),
	// the parameter set most RU qualified certificates carry.
	GOST256CryptoPro KeyType = "GOST R 34.10-2012 256 CryptoPro-A"
	// DSTU4145 gives a leaf a Ukrainian DSTU 4145 public key (OID
	// 1.2.804.2.1.1.1.1.3.1.1, curve M257) that nothing here can use: the
	// Leaf has no private key. For "algorithm not supported" paths only;
	// CAs cannot have it.
	DSTU4145 KeyType = "DSTU 4145"
)

// Options describe a CA (root or intermediate).
type Options struct {
	Name string  // common name; "Paraph Test Root CA" or "Paraph Test Intermediate CA" by default
	Key  KeyType // ECDSA by default
	// NotBefore and NotAfter default to an hour ago and ten years ahead.
	NotBefore, NotAfter time.Time
	// ServeCRL starts a loopback HTTP server (closed at test cleanup) that
	// serves this CA's current CRL, and writes its URL into the CRL
	// distribution points of every certificate the CA issues.
	ServeCRL bool
}

// CA is a certificate authority for tests. It is safe for concurrent use.
type CA struct {
	Cert   *pki.Certificate
	Key    crypto.Signer
	Parent *CA // nil for a root

	tmpl   *x509.Certificate
	crlURL string

	mu          sync.Mutex
	serial      int64
	revoked     []x509.RevocationListEntry
	crlRequests int
	crlDown     bool
}

// NewCA makes a self-signed root CA.
func NewCA(tb testing.TB, opts Options) *CA {
	tb.Helper()
	if opts.Name == "" {
		opts.Name = "Paraph Test Root CA"
	}
	return newCA(tb, nil, opts)
}

// NewIntermediate makes an intermediate CA issued by ca.
func (ca *CA) NewIntermediate(tb testing.TB, opts Options) *CA {
	tb.Helper()
	if opts.Name == "" {
		opts.Name = "Paraph Test Intermediate CA"
	}
	return newCA(tb, ca, opts)
}

func newCA(tb testing.TB, parent *CA, opts Options) *CA {
	tb.Helper()
	key := GenerateKey(tb, opts.Key)
	notBefore, notAfter := validity(opts.NotBefore, opts.NotAfter, 10*365*24*time.Hour)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: opts.Name, Organization: []string{"Paraph Test"}, Country: []string{"RU"}},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		SubjectKeyId:          keyID(tb, key.Public()),
	}
	ca := &CA{Key: key, Parent: parent, tmpl: tmpl}
	if opts.ServeCRL {
		srv := httptest.NewServer(http.HandlerFunc(ca.serveCRL))
		tb.Cleanup(srv.Close)
		ca.crlURL = srv.URL + "/ca.crl"
	}
	var der []byte
	if parent == nil {
		der = createCertificate(tb, tmpl, tmpl, key.Public(), key)
	} else {
		tmpl.SerialNumber = parent.nextSerial()
		if parent.crlURL != "" {
			tmpl.CRLDistributionPoints = []string{parent.crlURL}
		}
		der = createCertificate(tb, tmpl, parent.tmpl, key.Public(), parent.Key)
	}
	ca.Cert = mustParse(tb, der)
	return ca
}

// CRLURL returns the URL the CA's CRL is served at ("" without ServeCRL).
func (ca *CA) CRLURL() string { return ca.crlURL }

// Chain returns the CA certificates from ca up to its root, root last.
func (ca *CA) Chain() []*pki.Certificate {
	var chain []*pki.Certificate
	for c := ca; c != nil; c = c.Parent {
		chain = append(chain, c.Cert)
	}
	return chain
}

// Root returns the root certificate of ca's hierarchy.
func (ca *CA) Root() *pki.Certificate {
	c := ca
	for c.Parent != nil {
		c = c.Parent
	}
	return c.Cert
}

func (ca *CA) nextSerial() *big.Int {
	ca.mu.Lock()
	defer ca.mu.Unlock()
	ca.serial++
	// A high bit set makes serials look like real ones (long, not 1, 2, 3).
	s := new(big.Int).Lsh(big.NewInt(0x5a), 64)
	return s.Add(s, big.NewInt(ca.serial))
}

// Subject is the subject of a leaf certificate. Empty fields are left out.
type Subject struct {
	CommonName, Surname, GivenName, Title      string
	Organization, OrganizationalUnit           string
	Email, Locality, Province, Street, Country string
	INN, INNLE, OGRN, OGRNIP, SNILS            string // RU, written as NumericString
	EDRPOU, RNOKPP                             string // UA
	// UAInSubject writes EDRPOU and RNOKPP as subject values
	// organizationIdentifier "NTRUA-..." and serialNumber "TINUA-..."
	// instead of the subjectDirectoryAttributes extension.
	UAInSubject bool
	// BMP writes the text attributes as BMPString (UTF-16), as some older
	// RU certificates do, instead of UTF8String.
	BMP bool
}

// PersonRU is a synthetic Russian official acting for a company: name in
// the RU style (SN + G "Имя Отчество"), personal INN, SNILS, and the
// company's INNLE and OGRN. The identifiers have valid check digits.
func PersonRU() Subject {
	return Subject{
		CommonName: "Тестов Пётр Сергеевич", Surname: "Тестов", GivenName: "Пётр Сергеевич",
		Title: "Генеральный директор", Organization: `ООО "Ромашка-Тест"`, Country: "RU",
		Province: "77 г. Москва", Locality: "Москва", Street: "ул. Тестовая, д. 1",
		Email: "petr.testov@example.com",
		INN:   "771234567859", SNILS: "11223344595", INNLE: "7712345600", OGRN: "1027700123450",
	}
}

// EntrepreneurRU is a synthetic Russian sole proprietor (ИП): personal
// INN, SNILS and OGRNIP.
func EntrepreneurRU() Subject {
	return Subject{
		CommonName: "ИП Примерова Анна Ивановна", Surname: "Примерова", GivenName: "Анна Ивановна",
		Country: "RU", INN: "501234560035", SNILS: "12345678964", OGRNIP: "304770012345674",
	}
}

// PersonUA is a synthetic Ukrainian official: EDRPOU of the company and the
// person's RNOKPP (in subjectDirectoryAttributes unless UAInSubject is set).
func PersonUA() Subject {
	return Subject{
		CommonName: "Тестенко Олена Петрівна", Surname: "Тестенко", GivenName: "Олена Петрівна",
		Organization: `ТОВ "Тест-Україна"`, Title: "Директор", Country: "UA", Locality: "Київ",
		EDRPOU: "12345678", RNOKPP: "1234567899",
	}
}

// LeafOptions describe an end-entity certificate.
type LeafOptions struct {
	Subject Subject
	Key     KeyType // ECDSA by default
	// NotBefore and NotAfter default to an hour ago and one year ahead.
	NotBefore, NotAfter time.Time
	// KeyUsage defaults to digitalSignature|nonRepudiation (a signing
	// certificate); set KeyUsageKeyEncipherment etc. for encryption.
	KeyUsage x509.KeyUsage
	// NoKeyUsage leaves the KeyUsage extension out (usable for both).
	NoKeyUsage bool
	// CRLURLs override the CRL distribution points (by default the CA's
	// CRL URL when it serves one).
	CRLURLs []string
}

// Leaf is an issued end-entity certificate with its private key.
type Leaf struct {
	Cert *pki.Certificate
	Key  crypto.Signer // nil for DSTU4145
}

// DER returns the certificate in DER.
func (l *Leaf) DER() []byte { return l.Cert.Raw }

// PEM returns the certificate as a PEM CERTIFICATE block.
func (l *Leaf) PEM() []byte { return PEM(l.Cert) }

// KeyPEM returns the private key as a PEM "PRIVATE KEY" (PKCS #8) block.
func (l *Leaf) KeyPEM(tb testing.TB) []byte {
	tb.Helper()
	var der []byte
	var err error
	if k, ok := l.Key.(*gost.PrivateKey); ok {
		der, err = gost.MarshalPKCS8PrivateKey(k)
	} else {
		der, err = x509.MarshalPKCS8PrivateKey(l.Key)
	}
	if err != nil {
		tb.Fatalf("pkitest: marshal key: %v", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// PEM encodes certificates as consecutive PEM CERTIFICATE blocks.
func PEM(certs ...*pki.Certificate) []byte {
	var out []byte
	for _, c := range certs {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return out
}

// Issue makes a leaf certificate signed by ca.
func (ca *CA) Issue(tb testing.TB, opts LeafOptions) *Leaf {
	tb.Helper()
	var key crypto.Signer
	var pub crypto.PublicKey
	if opts.Key == DSTU4145 {
		pub = dstuPublicKey(tb)
	} else {
		key = GenerateKey(tb, opts.Key)
		pub = key.Public()
	}
	notBefore, notAfter := validity(opts.NotBefore, opts.NotAfter, 365*24*time.Hour)
	ku := opts.KeyUsage
	if ku == 0 {
		ku = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
	}
	if opts.NoKeyUsage {
		ku = 0
	}
	rawSubject, exts := encodeSubject(tb, opts.Subject)
	tmpl := &x509.Certificate{
		SerialNumber:    ca.nextSerial(),
		RawSubject:      rawSubject,
		NotBefore:       notBefore,
		NotAfter:        notAfter,
		KeyUsage:        ku,
		ExtKeyUsage:     []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageEmailProtection},
		ExtraExtensions: exts,
		SubjectKeyId:    keyID(tb, pub),
		// Go writes basicConstraints only when valid: an explicit CA=false,
		// as qualified certificates carry.
		BasicConstraintsValid: true,
	}
	if opts.Subject.Email != "" {
		tmpl.EmailAddresses = []string{opts.Subject.Email}
	}
	tmpl.CRLDistributionPoints = opts.CRLURLs
	if tmpl.CRLDistributionPoints == nil && ca.crlURL != "" {
		tmpl.CRLDistributionPoints = []string{ca.crlURL}
	}
	der := createCertificate(tb, tmpl, ca.tmpl, pub, ca.Key)
	return &Leaf{Cert: mustParse(tb, der), Key: key}
}

// GenerateKey makes a fresh key of type kt (ECDSA P-256 when empty).
func GenerateKey(tb testing.TB, kt KeyType) crypto.Signer {
	tb.Helper()
	key, err := generateKey(kt)
	if err != nil {
		tb.Fatalf("pkitest: generate %s key: %v", kt, err)
	}
	return key
}

func generateKey(kt KeyType) (crypto.Signer, error) {
	var key crypto.Signer
	var err error
	switch kt {
	case "", ECDSA:
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case RSA:
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	case Ed25519:
		_, key, err = ed25519.GenerateKey(rand.Reader)
	case GOST256:
		key, err = gost.GenerateKey(gost.CurveTC26256A, rand.Reader)
	case GOST256CryptoPro:
		key, err = gost.GenerateKey(gost.CurveCryptoProA, rand.Reader)
	case GOST512:
		key, err = gost.GenerateKey(gost.CurveTC26512A, rand.Reader)
	default:
		err = fmt.Errorf("unknown key type %q", kt)
	}
	return key, err
}

func validity(notBefore, notAfter time.Time, span time.Duration) (time.Time, time.Time) {
	now := time.Now().Truncate(time.Second)
	if notBefore.IsZero() {
		notBefore = now.Add(-time.Hour)
	}
	if notAfter.IsZero() {
		notAfter = now.Add(span)
	}
	return notBefore, notAfter
}

// keyID is the RFC 5280 method 1 key identifier: SHA-1 of the key bits.
func keyID(tb testing.TB, pub crypto.PublicKey) []byte {
	tb.Helper()
	spki, err := marshalPublicKey(pub)
	if err != nil {
		tb.Fatalf("pkitest: key id: %v", err)
	}
	var info struct {
		Algorithm pkix.AlgorithmIdentifier
		Key       asn1.BitString
	}
	if _, err := asn1.Unmarshal(spki, &info); err != nil {
		tb.Fatalf("pkitest: key id: %v", err)
	}
	sum := sha1.Sum(info.Key.Bytes)
	return sum[:]
}

func mustParse(tb testing.TB, der []byte) *pki.Certificate {
	tb.Helper()
	certs, err := pki.Parse(der)
	if err != nil {
		tb.Fatalf("pkitest: parse the certificate just made: %v", err)
	}
	return certs[0]
}

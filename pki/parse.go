package pki

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// MaxFileSize is the largest input Parse accepts: 1 MiB holds a long .p7b
// chain many times over, and refusing more early bounds the work an upload
// can cause.
const MaxFileSize = 1 << 20

// Usage says what a certificate's key may be used for, from its KeyUsage
// extension.
type Usage string

// Usage values. A certificate without a KeyUsage extension may be used for
// both (RFC 5280 section 4.2.1.3).
const (
	UsageSigning           Usage = "signing"
	UsageEncryption        Usage = "encryption"
	UsageSigningEncryption Usage = "signing+encryption"
)

// Certificate is a parsed X.509 certificate with the fields Paraph shows
// and matches on, decoded the way RU and UA qualified certificates write
// them. The embedded crypto/x509 view is kept in X509 for everything else.
type Certificate struct {
	Raw  []byte            // the DER certificate
	X509 *x509.Certificate // crypto/x509's view; PublicKey is nil there for GOST and DSTU keys

	// Subject is the subject as one readable line, RFC 4514 order (most
	// specific first) with the short names RU certificates use (INN, SNILS,
	// OGRN, G, SN, T, E...).
	Subject string
	// SubjectAttributes are all subject attributes in certificate order,
	// with their values decoded to UTF-8 (BMPString and UniversalString
	// included, which crypto/x509's pkix.Name does not decode).
	SubjectAttributes []Attribute

	CommonName         string // CN 2.5.4.3
	Surname            string // SN 2.5.4.4
	GivenName          string // G 2.5.4.42; RU certificates put "Имя Отчество" here
	Title              string // T 2.5.4.12
	Organization       string // O 2.5.4.10
	OrganizationalUnit string // OU 2.5.4.11
	Email              string // E 1.2.840.113549.1.9.1, else the first rfc822Name of subjectAltName
	Locality           string // L 2.5.4.7
	Province           string // ST 2.5.4.8
	Street             string // STREET 2.5.4.9
	Country            string // C 2.5.4.6

	// INN is the taxpayer number 1.2.643.3.131.1.1, normalised: 12 digits
	// for a person, 10 for a legal entity. Older certificates of legal
	// entities write the 10-digit INN left-padded to 12 with "00"; that
	// padding is removed here and the value as written is kept in INNRaw.
	INN    string
	INNRaw string
	INNLE  string // legal entity's INN 1.2.643.100.4 (10 digits)
	OGRN   string // 1.2.643.100.1 (13 digits)
	OGRNIP string // 1.2.643.100.5 (15 digits)
	SNILS  string // 1.2.643.100.3 (11 digits)
	// EDRPOU (8 digits) and RNOKPP (10 digits) come from the
	// subjectDirectoryAttributes extension of the Ukrainian profile, or from
	// subject values "NTRUA-..." (organizationIdentifier 2.5.4.97) and
	// "TINUA-..." (serialNumber 2.5.4.5).
	EDRPOU string
	RNOKPP string

	Issuer           string // readable issuer name, as Subject
	IssuerCommonName string
	// SerialHex is the serial number in upper-case hex without separators,
	// as Windows and CryptoPro show it.
	SerialHex string
	NotBefore time.Time
	NotAfter  time.Time

	// KeyAlgorithm names the key: "RSA-2048", "ECDSA P-256", "Ed25519",
	// "GOST R 34.10-2012 256", "GOST R 34.10-2012 512", "GOST R 34.10-2001",
	// "DSTU 4145", or "unknown (OID)". KeyParameterSet names the GOST
	// parameter set (e.g. "id-tc26-gost-3410-12-256-paramSetA") or the
	// curve; it is empty for RSA and Ed25519.
	KeyAlgorithm    string
	KeyParameterSet string
	// PublicKey is *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey or
	// *gost.PublicKey; nil when the algorithm cannot be used here (DSTU 4145,
	// GOST 2001, unknown), which Verify reports as algorithm_unsupported.
	PublicKey crypto.PublicKey
	Usage     Usage
	// FingerprintSHA256 is the SHA-256 of Raw in upper-case hex without
	// separators (the form Windows shows as a thumbprint, with SHA-256).
	FingerprintSHA256 string
	IsCA              bool

	fingerprint [sha256.Size]byte
}

// Parse reads one or more certificates from data: PEM (any number of
// CERTIFICATE blocks, or a PKCS7 block), DER, .cer/.crt in either form,
// base64 without PEM armour, or a .p7b chain (PKCS #7 certs-only
// SignedData, DER or PEM). Certificates come back in file order.
//
// A private key — alone or next to certificates — is refused with
// ErrPrivateKey, so that it is never stored by mistake. Other failures wrap
// ErrNotCertificate, ErrTruncated, ErrTooLarge or ErrMalformed.
func Parse(data []byte) ([]*Certificate, error) {
	return parse(data, nil)
}

// parse is Parse, through cache when it is not nil.
func parse(data []byte, cache *Cache) ([]*Certificate, error) {
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("pki: parse: %d bytes, more than %d: %w", len(data), MaxFileSize, ErrTooLarge)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // UTF-8 BOM from Windows editors
	text := bytes.TrimSpace(data)
	switch {
	case len(text) == 0:
		return nil, fmt.Errorf("pki: parse: empty file: %w", ErrNotCertificate)
	case bytes.Contains(text, []byte("PRIVATE KEY-----")):
		// Checked before any decoding: even a damaged key must not be kept.
		return nil, fmt.Errorf("pki: parse: PEM private key: %w", ErrPrivateKey)
	case bytes.Contains(text, []byte("-----BEGIN ")):
		return parsePEM(text, cache)
	case data[0] == 0x30:
		return parseDER(data, cache)
	}
	if der, ok := decodeBareBase64(text); ok {
		return parseDER(der, cache)
	}
	return nil, fmt.Errorf("pki: parse: neither PEM nor DER: %w", ErrNotCertificate)
}

// parsePEM reads every block; a private key anywhere refuses the whole
// file, and blocks of other types (a CSR, a public key) are skipped.
func parsePEM(text []byte, cache *Cache) ([]*Certificate, error) {
	var certs []*Certificate
	var others []string
	rest := text
	for {
		block, r := pem.Decode(rest)
		if block == nil {
			break
		}
		rest = r
		switch block.Type {
		case "CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE":
			// A TRUSTED CERTIFICATE (OpenSSL) has auxiliary trust data after
			// the certificate; only the first element is the certificate.
			der, err := firstElement(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("pki: parse: PEM block %d: %w", len(certs)+1, err)
			}
			c, err := cache.certificate(der)
			if err != nil {
				return nil, fmt.Errorf("pki: parse: PEM block %d: %w", len(certs)+1, err)
			}
			certs = append(certs, c)
		case "PKCS7", "CMS":
			cs, err := parseP7B(block.Bytes, cache)
			if err != nil {
				return nil, fmt.Errorf("pki: parse: PEM %s: %w", block.Type, err)
			}
			certs = append(certs, cs...)
		default:
			if strings.HasSuffix(block.Type, "PRIVATE KEY") {
				return nil, fmt.Errorf("pki: parse: PEM private key: %w", ErrPrivateKey)
			}
			others = append(others, block.Type)
		}
	}
	if len(certs) > 0 {
		return certs, nil
	}
	if len(others) > 0 {
		return nil, fmt.Errorf("pki: parse: PEM blocks %q hold no certificate: %w", others, ErrNotCertificate)
	}
	// "-----BEGIN" with no complete block: the END line is missing.
	return nil, fmt.Errorf("pki: parse: PEM without a complete block: %w", ErrTruncated)
}

// parseDER classifies a DER (or BER-looking) input by its first elements:
// a certificate is SEQUENCE { SEQUENCE tbs, ... }, a .p7b is
// SEQUENCE { OID, [0] ... }, and every private-key container (PKCS #1,
// SEC 1, PKCS #8, PKCS #12) is SEQUENCE { INTEGER version, ... }.
func parseDER(data []byte, cache *Cache) ([]*Certificate, error) {
	der, err := firstElement(data)
	if err != nil {
		return nil, fmt.Errorf("pki: parse: %w", err)
	}
	if rest := data[len(der):]; len(bytes.Trim(rest, "\x00\r\n\t ")) > 0 {
		return nil, fmt.Errorf("pki: parse: %d bytes after the DER structure: %w", len(rest), ErrMalformed)
	}
	s := cryptobyte.String(der)
	var body cryptobyte.String
	if !s.ReadASN1(&body, cbasn1.SEQUENCE) {
		return nil, fmt.Errorf("pki: parse: DER outer SEQUENCE: %w", ErrNotCertificate)
	}
	switch {
	case body.PeekASN1Tag(cbasn1.INTEGER):
		var version int64
		if body.ReadASN1Integer(&version) && version >= 0 && version <= 3 {
			return nil, fmt.Errorf("pki: parse: DER private key container (version %d): %w", version, ErrPrivateKey)
		}
		return nil, fmt.Errorf("pki: parse: DER structure starting with an INTEGER: %w", ErrNotCertificate)
	case body.PeekASN1Tag(cbasn1.OBJECT_IDENTIFIER):
		certs, err := parseP7B(der, cache)
		if err != nil {
			return nil, fmt.Errorf("pki: parse: %w", err)
		}
		return certs, nil
	case body.PeekASN1Tag(cbasn1.SEQUENCE):
		if isEncryptedPKCS8(body) {
			return nil, fmt.Errorf("pki: parse: DER encrypted PKCS #8: %w", ErrPrivateKey)
		}
		c, err := cache.certificate(der)
		if err != nil {
			return nil, fmt.Errorf("pki: parse: %w", err)
		}
		return []*Certificate{c}, nil
	}
	return nil, fmt.Errorf("pki: parse: unknown DER structure: %w", ErrNotCertificate)
}

// isEncryptedPKCS8 recognises EncryptedPrivateKeyInfo:
// SEQUENCE { AlgorithmIdentifier (starts with an OID), OCTET STRING }.
func isEncryptedPKCS8(body cryptobyte.String) bool {
	var alg cryptobyte.String
	if !body.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.PeekASN1Tag(cbasn1.OBJECT_IDENTIFIER) {
		return false
	}
	return body.PeekASN1Tag(cbasn1.OCTET_STRING)
}

// firstElement returns the first DER element of data, telling a truncated
// input (declared length beyond the end) from garbage.
func firstElement(data []byte) ([]byte, error) {
	if len(data) < 2 {
		return nil, fmt.Errorf("%d bytes: %w", len(data), ErrTruncated)
	}
	if data[0] != 0x30 {
		return nil, fmt.Errorf("first byte 0x%02x is not a SEQUENCE: %w", data[0], ErrNotCertificate)
	}
	n := int(data[1])
	header := 2
	switch {
	case n < 0x80:
	case n == 0x80:
		return nil, fmt.Errorf("indefinite-length BER: %w", ErrMalformed)
	case n <= 0x84:
		size := n & 0x7f
		if len(data) < 2+size {
			return nil, fmt.Errorf("length field cut: %w", ErrTruncated)
		}
		n = 0
		for _, b := range data[2 : 2+size] {
			n = n<<8 | int(b)
		}
		header += size
		if n > MaxFileSize {
			return nil, fmt.Errorf("declared length %d: %w", n, ErrTruncated)
		}
	default:
		return nil, fmt.Errorf("length of %d bytes: %w", n&0x7f, ErrMalformed)
	}
	if header+n > len(data) {
		return nil, fmt.Errorf("declares %d bytes, has %d: %w", header+n, len(data), ErrTruncated)
	}
	return data[:header+n], nil
}

// decodeBareBase64 accepts the base64 body of a PEM file without its
// BEGIN/END lines, as some exports write .cer files.
func decodeBareBase64(text []byte) ([]byte, bool) {
	compact := make([]byte, 0, len(text))
	for _, b := range text {
		switch {
		case b == '\r' || b == '\n' || b == ' ' || b == '\t':
		case b >= 'A' && b <= 'Z', b >= 'a' && b <= 'z', b >= '0' && b <= '9', b == '+', b == '/', b == '=':
			compact = append(compact, b)
		default:
			return nil, false
		}
	}
	der, err := base64.StdEncoding.DecodeString(string(compact))
	if err != nil || len(der) == 0 || der[0] != 0x30 {
		return nil, false
	}
	return der, true
}

// newCertificate parses one DER certificate and fills the decoded fields.
func newCertificate(der []byte) (*Certificate, error) {
	der = bytes.Clone(der) // the caller's buffer may be reused
	xc, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	c := &Certificate{
		Raw:       der,
		X509:      xc,
		NotBefore: xc.NotBefore,
		NotAfter:  xc.NotAfter,
		IsCA:      xc.BasicConstraintsValid && xc.IsCA,
		Usage:     usageOf(xc.KeyUsage),
	}
	c.fingerprint = sha256.Sum256(der)
	c.FingerprintSHA256 = upperHex(c.fingerprint[:])
	c.SerialHex = serialHex(xc)

	subject, err := parseName(xc.RawSubject)
	if err != nil {
		return nil, fmt.Errorf("subject: %w: %v", ErrMalformed, err)
	}
	issuer, err := parseName(xc.RawIssuer)
	if err != nil {
		return nil, fmt.Errorf("issuer: %w: %v", ErrMalformed, err)
	}
	c.SubjectAttributes = subject
	c.Subject = nameString(subject)
	c.Issuer = nameString(issuer)
	c.IssuerCommonName = attrValue(issuer, oidCommonName)
	c.fillSubject(subject)
	if err := c.fillExtensionIdentifiers(); err != nil {
		return nil, err
	}
	if c.Email == "" && len(xc.EmailAddresses) > 0 {
		c.Email = xc.EmailAddresses[0]
	}
	if err := c.fillKey(); err != nil {
		return nil, err
	}
	return c, nil
}

func serialHex(xc *x509.Certificate) string {
	if xc.SerialNumber == nil {
		return ""
	}
	b := xc.SerialNumber.Bytes()
	if len(b) == 0 {
		return "00"
	}
	s := upperHex(b)
	if xc.SerialNumber.Sign() < 0 {
		s = "-" + s
	}
	return s
}

// upperHex is strings.ToUpper(hex.EncodeToString(b)) in one allocation.
func upperHex(b []byte) string {
	const digits = "0123456789ABCDEF"
	var sb strings.Builder
	sb.Grow(2 * len(b))
	for _, c := range b {
		sb.WriteByte(digits[c>>4])
		sb.WriteByte(digits[c&0x0f])
	}
	return sb.String()
}

func usageOf(ku x509.KeyUsage) Usage {
	if ku == 0 {
		return UsageSigningEncryption
	}
	// keyCertSign and cRLSign are signatures too: a CA's key signs.
	sign := ku&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment|x509.KeyUsageCertSign|x509.KeyUsageCRLSign) != 0
	enc := ku&(x509.KeyUsageKeyEncipherment|x509.KeyUsageKeyAgreement|x509.KeyUsageDataEncipherment) != 0
	switch {
	case sign && enc:
		return UsageSigningEncryption
	case enc:
		return UsageEncryption
	}
	return UsageSigning
}

// fillKey names the key algorithm and sets PublicKey, parsing GOST keys
// that crypto/x509 leaves nil.
func (c *Certificate) fillKey() error {
	xc := c.X509
	switch pub := xc.PublicKey.(type) {
	case *rsa.PublicKey:
		c.KeyAlgorithm = fmt.Sprintf("RSA-%d", pub.N.BitLen())
		c.PublicKey = pub
		return nil
	case *ecdsa.PublicKey:
		c.KeyAlgorithm = "ECDSA " + pub.Curve.Params().Name
		c.KeyParameterSet = pub.Curve.Params().Name
		c.PublicKey = pub
		return nil
	case ed25519.PublicKey:
		c.KeyAlgorithm = "Ed25519"
		c.PublicKey = pub
		return nil
	}
	return c.fillOtherKey()
}

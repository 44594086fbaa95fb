package pki

import (
	"encoding/asn1"
	"fmt"
	"strings"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Object identifiers of the RU and UA identifiers.
var (
	oidINN    = asn1.ObjectIdentifier{1, 2, 643, 3, 131, 1, 1} // ИНН
	oidOGRN   = asn1.ObjectIdentifier{1, 2, 643, 100, 1}       // ОГРН
	oidSNILS  = asn1.ObjectIdentifier{1, 2, 643, 100, 3}       // СНИЛС
	oidINNLE  = asn1.ObjectIdentifier{1, 2, 643, 100, 4}       // ИНН ЮЛ
	oidOGRNIP = asn1.ObjectIdentifier{1, 2, 643, 100, 5}       // ОГРНИП

	oidSubjectDirectoryAttributes = asn1.ObjectIdentifier{2, 5, 29, 9}
	oidUAEDRPOU                   = asn1.ObjectIdentifier{1, 2, 804, 2, 1, 1, 1, 11, 1, 4, 2, 1} // ЄДРПОУ
	oidUADRFO                     = asn1.ObjectIdentifier{1, 2, 804, 2, 1, 1, 1, 11, 1, 4, 1, 1} // ДРФО / РНОКПП
)

// Identifiers returns the national identifiers the certificate carries,
// keyed by their names ("INN", "INNLE", "OGRN", "OGRNIP", "SNILS",
// "EDRPOU", "RNOKPP"); absent ones are left out.
func (c *Certificate) Identifiers() map[string]string {
	m := make(map[string]string)
	for k, v := range map[string]string{
		"INN": c.INN, "INNLE": c.INNLE, "OGRN": c.OGRN, "OGRNIP": c.OGRNIP,
		"SNILS": c.SNILS, "EDRPOU": c.EDRPOU, "RNOKPP": c.RNOKPP,
	} {
		if v != "" {
			m[k] = v
		}
	}
	return m
}

// fillSubject copies the named subject attributes into c.
func (c *Certificate) fillSubject(attrs []Attribute) {
	for _, a := range attrs {
		v := strings.TrimSpace(a.Value)
		switch a.Name {
		case "CN":
			setFirst(&c.CommonName, v)
		case "SN":
			setFirst(&c.Surname, v)
		case "G":
			setFirst(&c.GivenName, v)
		case "T":
			setFirst(&c.Title, v)
		case "O":
			setFirst(&c.Organization, v)
		case "OU":
			setFirst(&c.OrganizationalUnit, v)
		case "E":
			setFirst(&c.Email, v)
		case "L":
			setFirst(&c.Locality, v)
		case "ST":
			setFirst(&c.Province, v)
		case "STREET":
			setFirst(&c.Street, v)
		case "C":
			setFirst(&c.Country, v)
		case "INN":
			if c.INNRaw == "" {
				c.INNRaw = v
				c.INN = normalizeINN(v)
			}
		case "INNLE":
			setFirst(&c.INNLE, v)
		case "OGRN":
			setFirst(&c.OGRN, v)
		case "OGRNIP":
			setFirst(&c.OGRNIP, v)
		case "SNILS":
			setFirst(&c.SNILS, v)
		case "organizationIdentifier":
			// Ukrainian profile (ETSI EN 319 412-1 semantics): "NTRUA-" + EDRPOU.
			if rest, ok := strings.CutPrefix(v, "NTRUA-"); ok {
				setFirst(&c.EDRPOU, rest)
			}
		case "serialNumber":
			// Ukrainian profile: "TINUA-" + RNOKPP of a person.
			if rest, ok := strings.CutPrefix(v, "TINUA-"); ok {
				setFirst(&c.RNOKPP, rest)
			}
		}
	}
}

// normalizeINN removes the "00" padding older certificates put before the
// 10-digit INN of a legal entity. A person's 12-digit INN starts with a
// region code, never "00", so nothing real is lost.
func normalizeINN(v string) string {
	if len(v) == 12 && strings.HasPrefix(v, "00") {
		return v[2:]
	}
	return v
}

func setFirst(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

// fillExtensionIdentifiers reads EDRPOU and RNOKPP from the
// subjectDirectoryAttributes extension (RFC 5280 section 4.2.1.8):
// SEQUENCE OF Attribute { type OID, values SET OF ANY }. Values there win
// over the subject's NTRUA-/TINUA- ones, being the profile's primary place.
func (c *Certificate) fillExtensionIdentifiers() error {
	for _, ext := range c.X509.Extensions {
		if !ext.Id.Equal(oidSubjectDirectoryAttributes) {
			continue
		}
		s := cryptobyte.String(ext.Value)
		var seq cryptobyte.String
		if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
			return fmt.Errorf("subjectDirectoryAttributes: %w", ErrMalformed)
		}
		for !seq.Empty() {
			var attr, values cryptobyte.String
			var oid asn1.ObjectIdentifier
			if !seq.ReadASN1(&attr, cbasn1.SEQUENCE) || !attr.ReadASN1ObjectIdentifier(&oid) ||
				!attr.ReadASN1(&values, cbasn1.SET) {
				return fmt.Errorf("subjectDirectoryAttributes attribute: %w", ErrMalformed)
			}
			var value cryptobyte.String
			var tag cbasn1.Tag
			if !values.ReadAnyASN1(&value, &tag) {
				continue
			}
			v := strings.TrimSpace(decodeString(tag, value))
			switch {
			case oid.Equal(oidUAEDRPOU):
				c.EDRPOU = v
			case oid.Equal(oidUADRFO):
				c.RNOKPP = v
			}
		}
	}
	return nil
}

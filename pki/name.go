package pki

import (
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Attribute is one attribute of a distinguished name, its value decoded to
// UTF-8.
type Attribute struct {
	OID   asn1.ObjectIdentifier
	Name  string // short name ("CN", "INN", "SNILS"...), or the dotted OID
	Value string
}

// Object identifiers of name attributes.
var (
	oidCommonName         = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidSurname            = asn1.ObjectIdentifier{2, 5, 4, 4}
	oidSerialNumber       = asn1.ObjectIdentifier{2, 5, 4, 5}
	oidCountry            = asn1.ObjectIdentifier{2, 5, 4, 6}
	oidLocality           = asn1.ObjectIdentifier{2, 5, 4, 7}
	oidProvince           = asn1.ObjectIdentifier{2, 5, 4, 8}
	oidStreet             = asn1.ObjectIdentifier{2, 5, 4, 9}
	oidOrganization       = asn1.ObjectIdentifier{2, 5, 4, 10}
	oidOrganizationalUnit = asn1.ObjectIdentifier{2, 5, 4, 11}
	oidTitle              = asn1.ObjectIdentifier{2, 5, 4, 12}
	oidGivenName          = asn1.ObjectIdentifier{2, 5, 4, 42}
	oidInitials           = asn1.ObjectIdentifier{2, 5, 4, 43}
	oidPseudonym          = asn1.ObjectIdentifier{2, 5, 4, 65}
	oidOrganizationID     = asn1.ObjectIdentifier{2, 5, 4, 97}
	oidEmail              = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
	oidUID                = asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}
	oidDomainComponent    = asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}
)

// shortName gives the label used in readable names; RU labels follow
// CryptoPro and the FNS profile.
func shortName(oid asn1.ObjectIdentifier) string {
	for _, n := range []struct {
		oid  asn1.ObjectIdentifier
		name string
	}{
		{oidCommonName, "CN"}, {oidSurname, "SN"}, {oidGivenName, "G"}, {oidTitle, "T"},
		{oidOrganization, "O"}, {oidOrganizationalUnit, "OU"}, {oidCountry, "C"},
		{oidProvince, "ST"}, {oidLocality, "L"}, {oidStreet, "STREET"}, {oidEmail, "E"},
		{oidINN, "INN"}, {oidINNLE, "INNLE"}, {oidOGRN, "OGRN"}, {oidOGRNIP, "OGRNIP"},
		{oidSNILS, "SNILS"}, {oidSerialNumber, "serialNumber"}, {oidOrganizationID, "organizationIdentifier"},
		{oidInitials, "initials"}, {oidPseudonym, "pseudonym"}, {oidUID, "UID"}, {oidDomainComponent, "DC"},
	} {
		if oid.Equal(n.oid) {
			return n.name
		}
	}
	return oid.String()
}

// parseName decodes a DER Name (RDNSequence) into its attributes in
// certificate order, flattening multi-valued RDNs. The attributes' OIDs
// share one array and their values one string: a name costs a few
// allocations, not three per attribute.
func parseName(raw []byte) ([]Attribute, error) {
	s := cryptobyte.String(raw)
	var rdns cryptobyte.String
	if !s.ReadASN1(&rdns, cbasn1.SEQUENCE) || !s.Empty() {
		return nil, errors.New("name is not a SEQUENCE")
	}
	// First pass: check the shape and count, so that the second fills
	// arrays of the right size.
	n, components, valueBytes := 0, 0, 0
	var scratch [16]int
	for r := rdns; !r.Empty(); {
		var set cryptobyte.String
		if !r.ReadASN1(&set, cbasn1.SET) {
			return nil, errors.New("RDN is not a SET")
		}
		for !set.Empty() {
			var atv, oid, value cryptobyte.String
			var tag cbasn1.Tag
			var ok bool
			var parts []int
			if !set.ReadASN1(&atv, cbasn1.SEQUENCE) || !atv.ReadASN1(&oid, cbasn1.OBJECT_IDENTIFIER) {
				return nil, errors.New("malformed AttributeTypeAndValue")
			}
			if parts, ok = appendOID(scratch[:0], oid); !ok || !atv.ReadAnyASN1(&value, &tag) {
				return nil, errors.New("malformed AttributeTypeAndValue")
			}
			n++
			components += len(parts)
			valueBytes += len(value)
		}
	}
	if n == 0 {
		return nil, nil
	}
	attrs := make([]Attribute, 0, n)
	oids := make([]int, 0, components)
	values := make([]byte, 0, valueBytes)
	ends := make([]int, 0, n)
	for !rdns.Empty() {
		var set cryptobyte.String
		rdns.ReadASN1(&set, cbasn1.SET)
		for !set.Empty() {
			var atv, rawOID, value cryptobyte.String
			var tag cbasn1.Tag
			set.ReadASN1(&atv, cbasn1.SEQUENCE)
			atv.ReadASN1(&rawOID, cbasn1.OBJECT_IDENTIFIER)
			atv.ReadAnyASN1(&value, &tag)
			start := len(oids)
			oids, _ = appendOID(oids, rawOID) // checked in the first pass
			oid := asn1.ObjectIdentifier(oids[start:len(oids):len(oids)])
			values = appendString(values, tag, value)
			ends = append(ends, len(values))
			attrs = append(attrs, Attribute{OID: oid, Name: shortName(oid)})
		}
	}
	all, start := string(values), 0
	for i := range attrs {
		attrs[i].Value = all[start:ends[i]]
		start = ends[i]
	}
	return attrs, nil
}

// appendOID appends the components of a DER OBJECT IDENTIFIER's contents
// to dst, with the rules cryptobyte's ReadASN1ObjectIdentifier applies:
// not empty, each component minimal and below 2^31.
func appendOID(dst []int, der []byte) ([]int, bool) {
	if len(der) == 0 {
		return dst, false
	}
	first := true
	for len(der) > 0 {
		v, i := 0, 0
		for {
			if i == len(der) || i == 5 || v >= 1<<(31-7) || (i == 0 && der[0] == 0x80) {
				return dst, false
			}
			b := der[i]
			v = v<<7 | int(b&0x7f)
			i++
			if b&0x80 == 0 {
				break
			}
		}
		der = der[i:]
		switch {
		case !first:
			dst = append(dst, v)
		case v < 80:
			dst = append(dst, v/40, v%40)
		default:
			dst = append(dst, 2, v-80)
		}
		first = false
	}
	return dst, true
}

// appendString appends decodeString(tag, b) to dst, without making a
// string for the common case of valid UTF-8 in a UTF-8 compatible type.
func appendString(dst []byte, tag cbasn1.Tag, b []byte) []byte {
	switch tag {
	case cbasn1.UTF8String, cbasn1.PrintableString, cbasn1.IA5String,
		18 /* NumericString */, 26 /* VisibleString */, cbasn1.Tag(27) /* GeneralString */ :
		if utf8.Valid(b) {
			return append(dst, b...)
		}
	}
	return append(dst, decodeString(tag, b)...)
}

// decodeString turns an ASN.1 string of any directory type into UTF-8.
// Bytes that are not valid in their type become U+FFFD rather than an
// error: a badly encoded city should not make a certificate unreadable.
func decodeString(tag cbasn1.Tag, b []byte) string {
	switch tag {
	case cbasn1.UTF8String, cbasn1.PrintableString, cbasn1.IA5String,
		18 /* NumericString */, 26 /* VisibleString */, cbasn1.Tag(27) /* GeneralString */ :
		return strings.ToValidUTF8(string(b), "\uFFFD")
	case 30: // BMPString: UTF-16 big-endian, common in older RU certificates
		if len(b)%2 != 0 {
			b = b[:len(b)-1]
		}
		u := make([]uint16, len(b)/2)
		for i := range u {
			u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		}
		return string(utf16.Decode(u))
	case 28: // UniversalString: UTF-32 big-endian
		var sb strings.Builder
		for i := 0; i+4 <= len(b); i += 4 {
			r := rune(b[i])<<24 | rune(b[i+1])<<16 | rune(b[i+2])<<8 | rune(b[i+3])
			if !utf8.ValidRune(r) {
				r = utf8.RuneError
			}
			sb.WriteRune(r)
		}
		return sb.String()
	case 20: // T61String: in practice Latin-1, or UTF-8 written by careless software
		if utf8.Valid(b) {
			return string(b)
		}
		r := make([]rune, len(b))
		for i, c := range b {
			r[i] = rune(c)
		}
		return string(r)
	}
	// Not a string: show the DER value as RFC 4514 does.
	return "#" + hex.EncodeToString(b)
}

// nameString renders attributes as one line in RFC 4514 order (last RDN
// first), escaping the characters that would make it ambiguous.
func nameString(attrs []Attribute) string {
	var sb strings.Builder
	size := 0
	for _, a := range attrs {
		size += len(a.Name) + len(a.Value) + 3 // "=" and ", "
	}
	sb.Grow(size)
	for i := len(attrs) - 1; i >= 0; i-- {
		if sb.Len() > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(attrs[i].Name)
		sb.WriteByte('=')
		v := attrs[i].Value
		if strings.ContainsAny(v, ",+\"\\<>;=") || strings.HasPrefix(v, " ") || strings.HasSuffix(v, " ") || strings.HasPrefix(v, "#") {
			for _, r := range v {
				if strings.ContainsRune(",+\"\\<>;=#", r) {
					sb.WriteByte('\\')
				}
				sb.WriteRune(r)
			}
			continue
		}
		sb.WriteString(v)
	}
	return sb.String()
}

// attrValue returns the first value of oid in attrs.
func attrValue(attrs []Attribute, oid asn1.ObjectIdentifier) string {
	for _, a := range attrs {
		if a.OID.Equal(oid) {
			return a.Value
		}
	}
	return ""
}

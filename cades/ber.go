package cades

import (
	"bytes"
	"errors"
	"fmt"
)

// BER to DER. Some signers (openssl cms -stream, CryptoPro, Java) write
// SignedData in BER: indefinite lengths closed by end-of-contents octets,
// and OCTET STRINGs cut into constructed chunks. The parser reads DER only,
// so the input is normalised first: every length becomes definite and
// minimal, and constructed universal strings become primitive. Elements
// that are DER already come out unchanged, byte for byte, which matters for
// certificates and signed attributes, whose bytes are hashed.

// maxBERDepth bounds the recursion; real CMS nests about 20 levels deep.
const maxBERDepth = 64

var errBER = errors.New("cades: malformed BER")

// berToDER returns the DER form of the single BER element in in, in a
// buffer of its own.
func berToDER(in []byte) ([]byte, error) {
	// Most signatures are DER already: checking costs no allocation, where
	// converting costs one per constructed element.
	if rest, ok := isDER(in, 0); ok && len(rest) == 0 {
		return bytes.Clone(in), nil
	}
	return convertBER(in)
}

// convertBER is berToDER without the shortcut for DER input.
func convertBER(in []byte) ([]byte, error) {
	out := make([]byte, 0, len(in))
	out, rest, err := convertElement(out, in, 0)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the end", errBER, len(rest))
	}
	return out, nil
}

// isDER reports whether convertElement would copy the first element of in
// unchanged, and returns the bytes after it: every length definite and
// minimal, no constructed universal string, within maxBERDepth. When it
// says no, convertElement decides (and reports any error).
func isDER(in []byte, depth int) ([]byte, bool) {
	if depth > maxBERDepth || len(in) < 2 {
		return nil, false
	}
	idLen := 1
	if in[0]&0x1f == 0x1f { // high tag number form
		for {
			if idLen >= len(in) || idLen > 5 {
				return nil, false
			}
			b := in[idLen]
			idLen++
			if b&0x80 == 0 {
				break
			}
		}
	}
	first := in[0]
	in = in[idLen:]
	if len(in) == 0 {
		return nil, false
	}
	l := int(in[0])
	in = in[1:]
	if l == 0x80 {
		return nil, false // indefinite
	}
	if l > 0x80 {
		n := l & 0x7f
		if n > 4 || n > len(in) {
			return nil, false
		}
		l = 0
		for _, b := range in[:n] {
			l = l<<8 | int(b)
		}
		in = in[n:]
		if n != longLengthBytes(l) {
			return nil, false // not minimal: convertElement rewrites it
		}
	}
	if l > len(in) {
		return nil, false
	}
	body, rest := in[:l], in[l:]
	if first&0x20 == 0 {
		return rest, true
	}
	if idLen == 1 && first&0xc0 == 0 && isUniversalString(first&0x1f) {
		return nil, false // a constructed string becomes primitive
	}
	for len(body) > 0 {
		var ok bool
		if body, ok = isDER(body, depth+1); !ok {
			return nil, false
		}
	}
	return rest, true
}

// convertElement appends the DER of the first element of in to out and
// returns the bytes after that element.
func convertElement(out, in []byte, depth int) ([]byte, []byte, error) {
	if depth > maxBERDepth {
		return nil, nil, fmt.Errorf("%w: nested deeper than %d", errBER, maxBERDepth)
	}
	if len(in) < 2 {
		return nil, nil, fmt.Errorf("%w: truncated", errBER)
	}
	idLen := 1
	if in[0]&0x1f == 0x1f { // high tag number form
		for {
			if idLen >= len(in) || idLen > 5 {
				return nil, nil, fmt.Errorf("%w: bad tag", errBER)
			}
			b := in[idLen]
			idLen++
			if b&0x80 == 0 {
				break
			}
		}
	}
	id := in[:idLen]
	constructed := in[0]&0x20 != 0
	in = in[idLen:]
	if len(in) == 0 {
		return nil, nil, fmt.Errorf("%w: truncated", errBER)
	}
	l := int(in[0])
	in = in[1:]
	indefinite := false
	switch {
	case l == 0x80:
		if !constructed {
			return nil, nil, fmt.Errorf("%w: indefinite length on a primitive element", errBER)
		}
		indefinite = true
	case l > 0x80:
		n := l & 0x7f
		if n > 4 || n > len(in) {
			return nil, nil, fmt.Errorf("%w: bad length", errBER)
		}
		l = 0
		for _, b := range in[:n] {
			l = l<<8 | int(b)
		}
		in = in[n:]
		if l < 0 || l > len(in) {
			return nil, nil, fmt.Errorf("%w: length %d beyond the input", errBER, l)
		}
	default:
		if l > len(in) {
			return nil, nil, fmt.Errorf("%w: length %d beyond the input", errBER, l)
		}
	}

	if !constructed {
		out = append(out, id...)
		out = appendLength(out, l)
		return append(out, in[:l]...), in[l:], nil
	}

	// Constructed: convert the children into a scratch buffer, then write
	// the header with the now known length.
	var body, rest []byte
	if indefinite {
		body = in
	} else {
		body, rest = in[:l], in[l:]
	}
	var children []byte
	var childSpans [][2]int // for flattening strings
	for {
		if indefinite {
			if len(body) < 2 {
				return nil, nil, fmt.Errorf("%w: missing end-of-contents", errBER)
			}
			if body[0] == 0 && body[1] == 0 {
				rest = body[2:]
				break
			}
		} else if len(body) == 0 {
			break
		}
		start := len(children)
		var err error
		children, body, err = convertElement(children, body, depth+1)
		if err != nil {
			return nil, nil, err
		}
		childSpans = append(childSpans, [2]int{start, len(children)})
	}

	if len(id) == 1 && id[0]&0xc0 == 0 && isUniversalString(id[0]&0x1f) {
		flat, err := flattenString(id[0]&0x1f, children, childSpans)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, id[0]&^0x20)
		out = appendLength(out, len(flat))
		return append(out, flat...), rest, nil
	}
	out = append(out, id...)
	out = appendLength(out, len(children))
	return append(out, children...), rest, nil
}

// isUniversalString reports whether a universal tag is a string type BER
// may encode in constructed form.
func isUniversalString(tag byte) bool {
	switch tag {
	case 3, 4, 12, 18, 19, 20, 21, 22, 25, 26, 27, 28, 30:
		return true
	}
	return false
}

// flattenString joins the segments of a constructed string. Each segment is
// a primitive element of the same tag (already flattened, if it was itself
// constructed).
func flattenString(tag byte, children []byte, spans [][2]int) ([]byte, error) {
	var flat []byte
	for i, sp := range spans {
		seg := children[sp[0]:sp[1]]
		if seg[0] != tag {
			return nil, fmt.Errorf("%w: constructed string with a segment of tag %#x", errBER, seg[0])
		}
		content := seg[headerLen(seg):]
		if tag == 3 { // BIT STRING: each segment starts with its unused-bits count
			if len(content) == 0 {
				return nil, fmt.Errorf("%w: empty BIT STRING segment", errBER)
			}
			if i < len(spans)-1 && content[0] != 0 {
				return nil, fmt.Errorf("%w: unused bits in a middle BIT STRING segment", errBER)
			}
			if i == len(spans)-1 {
				flat = append([]byte{content[0]}, flat...)
			}
			content = content[1:]
		}
		flat = append(flat, content...)
	}
	if tag == 3 && len(spans) == 0 {
		flat = []byte{0}
	}
	return flat, nil
}

// headerLen returns the length of the tag and length octets of a DER
// element written by convertElement (single-byte tag).
func headerLen(der []byte) int {
	if der[1] < 0x80 {
		return 2
	}
	return 2 + int(der[1]&0x7f)
}

// longLengthBytes is how many length octets appendLength writes after
// 0x80|n for l: 0 for the short form.
func longLengthBytes(l int) int {
	switch {
	case l < 0x80:
		return 0
	case l < 0x100:
		return 1
	case l < 0x10000:
		return 2
	case l < 0x1000000:
		return 3
	}
	return 4
}

func appendLength(out []byte, l int) []byte {
	switch {
	case l < 0x80:
		return append(out, byte(l))
	case l < 0x100:
		return append(out, 0x81, byte(l))
	case l < 0x10000:
		return append(out, 0x82, byte(l>>8), byte(l))
	case l < 0x1000000:
		return append(out, 0x83, byte(l>>16), byte(l>>8), byte(l))
	}
	return append(out, 0x84, byte(l>>24), byte(l>>16), byte(l>>8), byte(l))
}

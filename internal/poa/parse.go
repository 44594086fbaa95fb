package poa

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Limits on the input. A real МЧД is a few kilobytes, about a dozen levels
// deep and under a hundred elements; the limits leave a wide margin and still
// stop a file built to exhaust memory or time.
const (
	MaxSize     = 5 << 20 // bytes
	maxDepth    = 40
	maxElements = 20000
	maxAttrs    = 100 // per element
)

// Namespace is the target namespace of the EMCHD_1 schema. Elements in it or
// in no namespace are read (files in the wild come both ways); elements in
// any other namespace are not EMCHD_1's and are ignored.
const Namespace = "urn://x-artefacts/EMCHD_1"

// node is one element of the document: the few things mapping needs, kept
// so that an error can name its element's path.
type node struct {
	name    string
	foreign bool // in a namespace other than EMCHD_1's
	attrs   []xml.Attr
	kids    []*node
	text    []byte
	parent  *node
}

// Parse reads an EMCHD_1 power of attorney. data is kept as Raw unchanged.
// Every error is an *Error wrapping ErrTooLarge, ErrUnsafeXML, ErrMalformed,
// ErrNotPOA or ErrInvalid.
func Parse(data []byte) (*PowerOfAttorney, error) {
	if len(data) > MaxSize {
		return nil, &Error{Reason: ReasonTooLarge, Err: ErrTooLarge,
			Message: fmt.Sprintf("file too large: %d bytes, the limit is %d", len(data), MaxSize)}
	}
	root, err := readTree(data)
	if err != nil {
		return nil, err
	}
	m := &mapper{}
	p := m.document(root)
	if m.err != nil {
		return nil, m.err
	}
	p.Raw = data
	return p, nil
}

// readTree decodes the XML into nodes, refusing what could hurt: a DOCTYPE
// (entity declarations are how "billion laughs" and external entities
// work — encoding/xml expands neither, but a power of attorney never has a
// DTD, so one is refused outright rather than trusted to be inert), too deep
// nesting, too many elements or attributes. The root is checked as soon as it
// is read, so another kind of XML is refused without reading the rest.
func readTree(data []byte) (*node, error) {
	// encoding/xml does not skip a byte order mark; Notepad writes one.
	d := xml.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))))
	var badEncoding string
	recoded := false
	d.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		switch strings.ToLower(strings.TrimSpace(label)) {
		case "windows-1251", "cp1251", "x-cp1251":
			recoded = true
			return charmap.Windows1251.NewDecoder().Reader(in), nil
		case "utf8":
			return in, nil
		}
		badEncoding = label
		return nil, errors.New("unsupported encoding")
	}
	var root, cur *node
	depth, count := 0, 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			if badEncoding != "" {
				return nil, &Error{Reason: ReasonEncoding, Err: ErrMalformed,
					Message: fmt.Sprintf("the encoding %q is not supported: use UTF-8 or windows-1251", badEncoding)}
			}
			msg := err.Error()
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				msg = fmt.Sprintf("line %d: %s", se.Line, strings.TrimPrefix(se.Msg, "xml: "))
			}
			switch {
			case strings.Contains(msg, "unexpected EOF"):
				msg += " (the file is truncated)"
			case !recoded && !utf8.Valid(data):
				msg = "the file is not valid UTF-8 (is it windows-1251 without encoding=\"windows-1251\" in its XML declaration?)"
			}
			// The decoder quotes the input; keep the message printable and short.
			msg = clip(strings.ToValidUTF8(msg, "\uFFFD"), 300)
			return nil, &Error{Path: pathOf(cur), Reason: ReasonMalformed, Err: ErrMalformed,
				Message: "the XML is not well formed: " + msg}
		}
		switch t := tok.(type) {
		case xml.Directive:
			return nil, &Error{Reason: ReasonUnsafeXML, Err: ErrUnsafeXML,
				Message: "DOCTYPE and DTD declarations are not allowed in a power of attorney"}
		case xml.StartElement:
			if root != nil && cur == nil {
				return nil, &Error{Reason: ReasonMalformed, Err: ErrMalformed,
					Message: "an element after the root element " + root.name}
			}
			depth++
			count++
			if depth > maxDepth || count > maxElements || len(t.Attr) > maxAttrs {
				return nil, &Error{Path: pathOf(cur), Reason: ReasonUnsafeXML, Err: ErrUnsafeXML,
					Message: fmt.Sprintf("the document exceeds the limits (depth %d, %d elements, %d attributes per element)",
						maxDepth, maxElements, maxAttrs)}
			}
			n := &node{name: t.Name.Local, foreign: t.Name.Space != "" && t.Name.Space != Namespace, attrs: t.Attr, parent: cur}
			if root == nil {
				if err := checkRoot(n); err != nil {
					return nil, err
				}
				root = n
			} else {
				cur.kids = append(cur.kids, n)
			}
			cur = n
		case xml.EndElement:
			depth--
			cur = cur.parent
		case xml.CharData:
			if cur != nil {
				cur.text = append(cur.text, t...)
			} else if len(bytes.TrimSpace(t)) > 0 {
				return nil, &Error{Reason: ReasonMalformed, Err: ErrMalformed,
					Message: "text outside the root element: this is not XML, or not only XML"}
			}
		}
	}
	if root == nil {
		return nil, &Error{Reason: ReasonMalformed, Err: ErrMalformed, Message: "no XML element: the file is empty or not XML"}
	}
	return root, nil
}

// checkRoot tells an EMCHD_1 document from other XML by its root element and
// format version (Доверенность/@ВерсФорм).
func checkRoot(n *node) error {
	if n.name != "Доверенность" || n.foreign {
		name := n.name
		if n.foreign {
			name = "{" + nsOf(n) + "}" + name
		}
		return &Error{Reason: ReasonNotPOA, Err: ErrNotPOA,
			Message: "this is not a machine-readable power of attorney (EMCHD_1): root element " + name}
	}
	v, ok := attr(n, "ВерсФорм")
	if !ok {
		return &Error{Path: "@ВерсФорм", Reason: ReasonNotPOA, Err: ErrNotPOA,
			Message: "no format version: this is not a machine-readable power of attorney (EMCHD_1)"}
	}
	if v != "EMCHD_1" {
		return &Error{Path: "@ВерсФорм", Reason: ReasonVersion, Err: ErrNotPOA,
			Message: fmt.Sprintf("format version %q is not supported: only EMCHD_1 is", clip(v, 20))}
	}
	return nil
}

func nsOf(n *node) string {
	for _, a := range n.attrs {
		if a.Name.Space == "" && a.Name.Local == "xmlns" {
			return a.Value
		}
	}
	return "?"
}

// attr returns an unqualified attribute's value, trimmed.
func attr(n *node, name string) (string, bool) {
	for _, a := range n.attrs {
		if a.Name.Local == name && a.Name.Space == "" {
			return strings.TrimSpace(a.Value), true
		}
	}
	return "", false
}

// kids returns the children named name in the EMCHD_1 namespace.
func kids(n *node, name string) []*node {
	var out []*node
	for _, k := range n.kids {
		if k.name == name && !k.foreign {
			out = append(out, k)
		}
	}
	return out
}

// pathOf names an element relative to the root, with a 1-based index where
// it has siblings of the same name.
func pathOf(n *node) string {
	if n == nil || n.parent == nil {
		return ""
	}
	seg := n.name
	if same := kids(n.parent, n.name); len(same) > 1 {
		for i, s := range same {
			if s == n {
				seg = fmt.Sprintf("%s[%d]", n.name, i+1)
			}
		}
	}
	if p := pathOf(n.parent); p != "" {
		return p + "/" + seg
	}
	return seg
}

// clip shortens a value quoted in a message: the input is untrusted.
func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

package seal

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// The signature dictionaries are found in the raw bytes, not through the
// document's structure: what matters for integrity is which bytes each
// signature covers (its ByteRange) and that the one hole it leaves is
// exactly its /Contents hex string; a full PDF parser would add a large
// attack surface for nothing the check needs.

// sigDict is one signature dictionary found in the file.
type sigDict struct {
	offset    int64    // of its "/ByteRange" key
	byteRange [4]int64 // offset and length of the two covered parts
	contents  []byte   // the decoded /Contents: a CMS SignedData, zero padded
	problem   string   // why the dictionary cannot be checked; empty when it can
}

// scan is what one pass over the file finds.
type scan struct {
	header    bool // "%PDF-" within the first KiB
	eof       bool // the file ends with "%%EOF" and white space
	encrypted bool // the last trailer names an encryption dictionary
	sigs      []int64
}

const (
	scanChunk   = 1 << 20
	scanOverlap = 16 // longer than the patterns plus the byte after them

	// maxContents bounds the /Contents hole of one signature: a CMS with a
	// long chain, revocation data and a timestamp stays far below it.
	maxContents = 4 << 20
)

var (
	patByteRange = []byte("/ByteRange")
	patEncrypt   = []byte("/Encrypt")
)

func scanFile(ctx context.Context, r io.ReaderAt, size int64) (*scan, error) {
	sc := &scan{}
	head := make([]byte, min(size, 1024))
	if err := readFull(r, head, 0); err != nil {
		return nil, err
	}
	sc.header = bytes.Contains(head, []byte("%PDF-"))
	tail := make([]byte, min(size, 4096))
	if err := readFull(r, tail, size-int64(len(tail))); err != nil {
		return nil, err
	}
	var err error
	if sc.encrypted, err = encryptedTrailer(r, size, tail); err != nil {
		return nil, err
	}
	// A cut file almost always ends past its last %%EOF: in the middle of an
	// object or a stream.
	if i := bytes.LastIndex(tail, []byte("%%EOF")); i >= 0 {
		sc.eof = len(bytes.TrimLeft(tail[i+5:], " \t\r\n\f\x00")) == 0
	}
	buf := make([]byte, min(size, scanChunk+scanOverlap))
	for pos := int64(0); pos < size; pos += scanChunk {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		data := buf[:min(int64(len(buf)), size-pos)]
		if err := readFull(r, data, pos); err != nil {
			return nil, err
		}
		limit := min(scanChunk, len(data)) // later matches are in the next chunk
		for _, i := range indexes(data, patByteRange, limit) {
			sc.sigs = append(sc.sigs, pos+int64(i))
		}
	}
	return sc, nil
}

// encryptedTrailer reports whether the file's last trailer — the one a
// reader starts from, which every incremental update repeats /Encrypt in —
// has an /Encrypt entry: the trailer dictionary before the final startxref,
// or the cross-reference stream's dictionary it points to. An /Encrypt
// anywhere else (an embedded file, say) is not the document's.
func encryptedTrailer(r io.ReaderAt, size int64, tail []byte) (bool, error) {
	sx := bytes.LastIndex(tail, []byte("startxref"))
	if sx < 0 {
		return false, nil // no trailer: the file is reported damaged or unsealed for other reasons
	}
	if t := bytes.LastIndex(tail[:sx], []byte("trailer")); t >= 0 {
		return hasKey(tail[t:sx], patEncrypt), nil
	}
	nums := bytes.Fields(tail[sx+len("startxref"):])
	if len(nums) == 0 {
		return false, nil
	}
	off, err := strconv.ParseInt(string(nums[0]), 10, 64)
	if err != nil || off < 0 || off >= size {
		return false, nil
	}
	dict := make([]byte, min(size-off, 4096))
	if err := readFull(r, dict, off); err != nil {
		return false, err
	}
	if i := bytes.Index(dict, []byte("stream")); i >= 0 {
		dict = dict[:i]
	}
	return hasKey(dict, patEncrypt), nil
}

// hasKey reports whether the name key occurs in b as a whole name, so that
// /Encrypt is not found in /EncryptMetadata.
func hasKey(b, key []byte) bool {
	for _, i := range indexes(b, key, len(b)) {
		if j := i + len(key); j >= len(b) || !isRegular(b[j]) {
			return true
		}
	}
	return false
}

func indexes(data, pat []byte, limit int) []int {
	var out []int
	for off := 0; off < limit; {
		i := bytes.Index(data[off:], pat)
		if i < 0 || off+i >= limit {
			break
		}
		out = append(out, off+i)
		off += i + 1
	}
	return out
}

// readSigDict reads the signature dictionary whose /ByteRange key is at off.
// ok is false when the key is not followed by an array of numbers: the
// bytes are then not a signature dictionary (a name in a string, say).
func readSigDict(r io.ReaderAt, size, off int64) (d sigDict, ok bool, err error) {
	d.offset = off
	window := make([]byte, min(size-off, 160))
	if err := readFull(r, window, off); err != nil {
		return d, false, err
	}
	nums, ok := parseNumberArray(window[len(patByteRange):])
	if !ok {
		return d, false, nil
	}
	if len(nums) != 4 {
		d.problem = fmt.Sprintf("its ByteRange has %d numbers, not 4", len(nums))
		return d, true, nil
	}
	copy(d.byteRange[:], nums)
	br := d.byteRange
	holeStart, holeEnd := br[0]+br[1], br[2]
	switch {
	case br[0] != 0:
		d.problem = "its ByteRange does not start at the beginning of the file"
	case holeEnd <= holeStart:
		d.problem = "its ByteRange parts overlap"
	case holeEnd-holeStart > maxContents:
		d.problem = "its /Contents is larger than any signature"
	case holeEnd > size:
		d.problem = "its /Contents lies beyond the end of the file"
	}
	if d.problem != "" {
		return d, true, nil
	}
	// The hole must hold the dictionary's /Contents value and nothing else:
	// anything more there would be unsigned content a reader might show.
	before := make([]byte, min(holeStart, 32))
	if err := readFull(r, before, holeStart-int64(len(before))); err != nil {
		return d, true, err
	}
	if !bytes.HasSuffix(bytes.TrimRight(before, " \t\r\n\f\x00"), []byte("/Contents")) {
		d.problem = "the part its ByteRange leaves out is not its /Contents"
		return d, true, nil
	}
	hole := make([]byte, holeEnd-holeStart)
	if err := readFull(r, hole, holeStart); err != nil {
		return d, true, err
	}
	if d.contents, ok = decodeHexString(hole); !ok {
		d.problem = "the part its ByteRange leaves out is not one hex string"
	}
	return d, true, nil
}

// parseNumberArray reads "[n n n n]" after optional white space.
func parseNumberArray(b []byte) ([]int64, bool) {
	b = bytes.TrimLeft(b, " \t\r\n\f\x00")
	if len(b) == 0 || b[0] != '[' {
		return nil, false
	}
	var nums []int64
	i := 1
	for {
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i >= len(b) {
			return nil, false
		}
		if b[i] == ']' {
			return nums, true
		}
		j := i
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		if j == i || j-i > 15 || (j < len(b) && isRegular(b[j])) {
			return nil, false
		}
		n, _ := strconv.ParseInt(string(b[i:j]), 10, 64)
		nums = append(nums, n)
		i = j
	}
}

// decodeHexString decodes "<hex digits and white space>".
func decodeHexString(b []byte) ([]byte, bool) {
	if len(b) < 2 || b[0] != '<' || b[len(b)-1] != '>' {
		return nil, false
	}
	digits := make([]byte, 0, len(b)-2)
	for _, c := range b[1 : len(b)-1] {
		switch {
		case isSpace(c):
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
			digits = append(digits, c)
		default:
			return nil, false
		}
	}
	if len(digits)%2 == 1 {
		digits = append(digits, '0') // a missing last digit is 0 (ISO 32000-1 7.3.4.3)
	}
	out := make([]byte, len(digits)/2)
	if _, err := hex.Decode(out, digits); err != nil {
		return nil, false
	}
	return out, true
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == 0
}

// isRegular reports whether c can continue a PDF name or keyword.
func isRegular(c byte) bool {
	return !isSpace(c) && !bytes.ContainsRune([]byte("()<>[]{}/%"), rune(c))
}

// readFull reads exactly len(p) bytes at off; the caller keeps within the
// file's size, so a short read is the reader's failure.
func readFull(r io.ReaderAt, p []byte, off int64) error {
	n, err := r.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("seal: read at %d: %w", off, err)
}

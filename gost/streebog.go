package gost

import (
	"encoding/binary"
	"encoding/hex"
	"hash"
)

// Sizes of the two Streebog variants, in bytes.
const (
	Size256   = 32
	Size512   = 64
	BlockSize = 64
)

// lpsTable[k][v] is l(pi(v) placed in byte k): the combined S, P and L
// transformations for one input byte. Row k is indexed by a byte of input
// word k; the P (byte transposition) step decides which output word it feeds.
var lpsTable [8][256]uint64

// streebogC holds C_1..C_12 as little-endian 64-bit words.
var streebogC [12][8]uint64

func init() {
	for k := 0; k < 8; k++ {
		for v := 0; v < 256; v++ {
			lpsTable[k][v] = streebogLinear(uint64(streebogPi[v]) << (8 * k))
		}
	}
	for i, s := range streebogCHex {
		be, err := hex.DecodeString(s)
		if err != nil || len(be) != 64 {
			panic("gost: bad Streebog constant")
		}
		// The RFC prints the most significant byte first; the state is
		// kept with byte 0 least significant.
		for w := 0; w < 8; w++ {
			streebogC[i][w] = binary.BigEndian.Uint64(be[56-8*w:])
		}
	}
}

// streebogLinear is the transformation l of RFC 6986, section 6.4. It runs
// only at init time, so branching on the (public) table input is fine.
func streebogLinear(x uint64) uint64 {
	var r uint64
	for i := 0; i < 64; i++ {
		if x>>(63-i)&1 == 1 {
			r ^= streebogA[i]
		}
	}
	return r
}

// lps computes L(P(S(x))). Output word j collects byte j of every input
// word, because P transposes the 8x8 byte matrix.
func lps(x *[8]uint64) (r [8]uint64) {
	t0, t1, t2, t3 := &lpsTable[0], &lpsTable[1], &lpsTable[2], &lpsTable[3]
	t4, t5, t6, t7 := &lpsTable[4], &lpsTable[5], &lpsTable[6], &lpsTable[7]
	x0, x1, x2, x3, x4, x5, x6, x7 := x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7]
	for j := 0; j < 8; j++ {
		s := uint(8 * j)
		r[j] = t0[byte(x0>>s)] ^ t1[byte(x1>>s)] ^ t2[byte(x2>>s)] ^ t3[byte(x3>>s)] ^
			t4[byte(x4>>s)] ^ t5[byte(x5>>s)] ^ t6[byte(x6>>s)] ^ t7[byte(x7>>s)]
	}
	return r
}

// compress is g_N(h, m) of RFC 6986, section 7:
// h = E(LPS(h xor N), m) xor h xor m.
func compress(h, n, m *[8]uint64) {
	var k, t [8]uint64
	for i := range k {
		k[i] = h[i] ^ n[i]
	}
	k = lps(&k)
	for i := range t {
		t[i] = k[i] ^ m[i]
	}
	for r := 0; r < 12; r++ {
		t = lps(&t)
		for i := range k {
			k[i] ^= streebogC[r][i]
		}
		k = lps(&k)
		for i := range t {
			t[i] ^= k[i]
		}
	}
	for i := range h {
		h[i] ^= t[i] ^ m[i]
	}
}

// add512 sets a = a + b mod 2^512.
func add512(a, b *[8]uint64) {
	var carry uint64
	for i := range a {
		s := a[i] + b[i]
		c1 := uint64(0)
		if s < a[i] {
			c1 = 1
		}
		s2 := s + carry
		if s2 < s {
			c1 = 1
		}
		a[i] = s2
		carry = c1
	}
}

// addSmall512 sets a = a + v mod 2^512.
func addSmall512(a *[8]uint64, v uint64) {
	for i := range a {
		a[i] += v
		if a[i] >= v {
			return
		}
		v = 1
	}
}

type streebog struct {
	h, n, sigma [8]uint64
	buf         [BlockSize]byte
	nbuf        int
	size        int
}

// NewStreebog256 returns a hash.Hash computing GOST R 34.11-2012 with a
// 256-bit result. Sum appends the digest in the byte order OpenSSL and the
// CMS/X.509 profiles use (the RFC 6986 printout reversed).
func NewStreebog256() hash.Hash { d := &streebog{size: Size256}; d.Reset(); return d }

// NewStreebog512 returns a hash.Hash computing GOST R 34.11-2012 with a
// 512-bit result, byte order as for NewStreebog256.
func NewStreebog512() hash.Hash { d := &streebog{size: Size512}; d.Reset(); return d }

// Sum256 returns the Streebog-256 digest of data.
func Sum256(data []byte) [Size256]byte {
	d := streebog{size: Size256}
	d.Reset()
	d.Write(data)
	var out [Size256]byte
	d.checkSum(out[:])
	return out
}

// Sum512 returns the Streebog-512 digest of data.
func Sum512(data []byte) [Size512]byte {
	d := streebog{size: Size512}
	d.Reset()
	d.Write(data)
	var out [Size512]byte
	d.checkSum(out[:])
	return out
}

func (d *streebog) Size() int      { return d.size }
func (d *streebog) BlockSize() int { return BlockSize }

func (d *streebog) Reset() {
	var iv uint64
	if d.size == Size256 {
		iv = 0x0101010101010101
	}
	for i := range d.h {
		d.h[i] = iv
	}
	d.n = [8]uint64{}
	d.sigma = [8]uint64{}
	d.nbuf = 0
}

func (d *streebog) Write(p []byte) (int, error) {
	written := len(p)
	if d.nbuf > 0 {
		c := copy(d.buf[d.nbuf:], p)
		d.nbuf += c
		p = p[c:]
		if d.nbuf < BlockSize {
			return written, nil
		}
		d.block(d.buf[:])
		d.nbuf = 0
	}
	for len(p) >= BlockSize {
		d.block(p[:BlockSize])
		p = p[BlockSize:]
	}
	d.nbuf = copy(d.buf[:], p)
	return written, nil
}

func (d *streebog) block(b []byte) {
	var m [8]uint64
	for i := range m {
		m[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	compress(&d.h, &d.n, &m)
	addSmall512(&d.n, 512)
	add512(&d.sigma, &m)
}

func (d *streebog) Sum(in []byte) []byte {
	c := *d // Sum must not change the running state.
	out := make([]byte, d.size)
	c.checkSum(out)
	return append(in, out...)
}

// checkSum finishes the hash (RFC 6986, section 8.3) into out.
func (d *streebog) checkSum(out []byte) {
	var last [BlockSize]byte
	copy(last[:], d.buf[:d.nbuf])
	last[d.nbuf] = 1
	var m [8]uint64
	for i := range m {
		m[i] = binary.LittleEndian.Uint64(last[8*i:])
	}
	compress(&d.h, &d.n, &m)
	addSmall512(&d.n, uint64(d.nbuf)*8)
	add512(&d.sigma, &m)
	var zero [8]uint64
	compress(&d.h, &zero, &d.n)
	compress(&d.h, &zero, &d.sigma)
	var full [Size512]byte
	for i, w := range d.h {
		binary.LittleEndian.PutUint64(full[8*i:], w)
	}
	// The 256-bit variant keeps the most significant half.
	copy(out, full[Size512-d.size:])
}

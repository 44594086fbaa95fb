package cades

import (
	"crypto/sha256"
	"encoding/binary"
	"sync"
)

// SignatureCache remembers signature values that verified, so that the
// same value over the same signed attributes with the same key is checked
// once: Assemble (AssembleWith) checks the client's value, and the CMS it
// returns is verified again before it is stored. It is safe for concurrent
// use.
//
// Whether bytes verify under a key never changes, so an entry never goes
// stale, and an entry is only made by a successful verification: a hit
// skips the signature primitive and nothing else (algorithm, digest and
// attribute checks all run). An entry is the SHA-256 of the key, the
// algorithm, the signed attributes and the value.
type SignatureCache struct {
	size int

	mu sync.RWMutex
	ok map[[sha256.Size]byte]struct{}
}

// NewSignatureCache returns a cache of up to size verified signatures (at
// least 1), 32 bytes each; when full, an arbitrary entry makes room.
func NewSignatureCache(size int) *SignatureCache {
	return &SignatureCache{size: max(size, 1), ok: make(map[[sha256.Size]byte]struct{})}
}

// signatureKey names one verification: the primitive (alg, with the PSS
// salt length), the key, the digest algorithm, the message and the value.
func signatureKey(k *signerKey, alg string, salt int, d *digestAlg, attrs, sig []byte) [sha256.Size]byte {
	h := sha256.New()
	var n [8]byte
	for _, part := range [][]byte{[]byte(alg), k.spki, []byte(d.name), attrs, sig} {
		binary.BigEndian.PutUint64(n[:], uint64(len(part)))
		h.Write(n[:])
		h.Write(part)
	}
	binary.BigEndian.PutUint64(n[:], uint64(salt))
	h.Write(n[:])
	var key [sha256.Size]byte
	h.Sum(key[:0])
	return key
}

// verified reports whether key verified before; a nil cache knows nothing.
func (sc *SignatureCache) verified(key [sha256.Size]byte) bool {
	if sc == nil {
		return false
	}
	sc.mu.RLock()
	_, ok := sc.ok[key]
	sc.mu.RUnlock()
	return ok
}

// add records that key verified.
func (sc *SignatureCache) add(key [sha256.Size]byte) {
	if sc == nil {
		return
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if _, ok := sc.ok[key]; ok {
		return
	}
	if len(sc.ok) >= sc.size {
		for k := range sc.ok { // map order is random: a random victim
			delete(sc.ok, k)
			break
		}
	}
	sc.ok[key] = struct{}{}
}

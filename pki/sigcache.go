package pki

import (
	"crypto/sha256"
	"crypto/x509"
	"sync"
)

const keyUsageCertSign = x509.KeyUsageCertSign

// sigCacheSize bounds the verified-signature cache. An entry is 64 bytes;
// when full the cache is emptied, which is simpler than LRU and costs one
// re-verification per pair.
const sigCacheSize = 16384

// sigCache remembers (child, issuer) pairs whose signature verified.
// Whether bytes verify under a key never changes, so entries never go
// stale; caching turns the same intermediate's GOST verification (about
// 0.2 ms) into a map lookup for every leaf under it.
type sigCache struct {
	mu sync.RWMutex
	ok map[[2 * sha256.Size]byte]struct{}
}

func (ts *TrustStore) checkSignatureCached(child, issuer *Certificate) error {
	var key [2 * sha256.Size]byte
	copy(key[:], child.fingerprint[:])
	copy(key[sha256.Size:], issuer.fingerprint[:])
	ts.sigs.mu.RLock()
	_, hit := ts.sigs.ok[key]
	ts.sigs.mu.RUnlock()
	if hit {
		return nil
	}
	if err := child.CheckSignatureFrom(issuer); err != nil {
		return err
	}
	ts.sigs.mu.Lock()
	if ts.sigs.ok == nil || len(ts.sigs.ok) >= sigCacheSize {
		ts.sigs.ok = make(map[[2 * sha256.Size]byte]struct{})
	}
	ts.sigs.ok[key] = struct{}{}
	ts.sigs.mu.Unlock()
	return nil
}

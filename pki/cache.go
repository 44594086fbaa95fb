package pki

import (
	"sync"
)

// Cache remembers parsed certificates by their DER, so that a certificate
// read again and again — the signer's, from the database at each step and
// from every CMS that carries it — is parsed once. It is safe for
// concurrent use.
//
// The certificates it returns are shared by every caller and goroutine
// that parses the same DER: they must be treated as read-only, which is
// how Parse's are used anyway (nothing in this package modifies a
// Certificate after parsing it). Use Parse where a caller needs a
// certificate of its own.
type Cache struct {
	size int

	mu    sync.RWMutex
	certs map[string]*Certificate // DER → parsed
}

// NewCache returns a cache holding up to size certificates (at least 1).
// When full, an arbitrary entry makes room for the new one. A typical
// qualified certificate costs about 10 KiB here: 1024 entries take about
// 10 MiB.
func NewCache(size int) *Cache {
	return &Cache{size: max(size, 1), certs: make(map[string]*Certificate)}
}

// Parse is pki.Parse through the cache: it accepts the same inputs and
// gives the same results and errors, but a certificate whose DER was
// parsed before comes back as the same *Certificate. The slice is the
// caller's own.
func (cc *Cache) Parse(data []byte) ([]*Certificate, error) {
	return parse(data, cc)
}

// certificate returns the parsed certificate for der, from the cache when
// it holds it. A nil cache parses.
func (cc *Cache) certificate(der []byte) (*Certificate, error) {
	if cc == nil {
		return newCertificate(der)
	}
	cc.mu.RLock()
	c := cc.certs[string(der)]
	cc.mu.RUnlock()
	if c != nil {
		return c, nil
	}
	c, err := newCertificate(der)
	if err != nil {
		return nil, err // failures are not kept: they are rare and cheap to find again
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if have := cc.certs[string(der)]; have != nil {
		return have, nil // another goroutine parsed it meanwhile: one value for everyone
	}
	if len(cc.certs) >= cc.size {
		for k := range cc.certs { // map order is random: a random victim
			delete(cc.certs, k)
			break
		}
	}
	cc.certs[string(c.Raw)] = c
	return c, nil
}

// Len reports how many certificates the cache holds.
func (cc *Cache) Len() int {
	cc.mu.RLock()
	defer cc.mu.RUnlock()
	return len(cc.certs)
}

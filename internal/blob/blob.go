// Package blob keeps document bytes, content-addressed by their SHA-256: a
// blob is written once, never changed, and named by its hash, so a signature
// that refers to a hash always finds the bytes it signed.
//
// blob must not know about documents, organizations or access: it stores and
// returns bytes by hash. Who may read which hash is decided in core.
package blob

import (
	"context"
	"errors"
	"io"
)

var (
	// ErrNotFound: no blob has this hash (or the hash is malformed).
	ErrNotFound = errors.New("blob: not found")
	// ErrTooLarge: the stream was longer than the caller's cap; nothing was kept.
	ErrTooLarge = errors.New("blob: too large")
	// ErrEmpty: the stream had no bytes; an empty document is a mistake, not a blob.
	ErrEmpty = errors.New("blob: empty")
)

// Store keeps immutable blobs by their SHA-256.
type Store interface {
	// Put streams r to storage while hashing it; at most max bytes (0 = no
	// cap): over the cap → ErrTooLarge and nothing kept; an empty stream →
	// ErrEmpty. Returns the hex SHA-256 and size. The same content twice is
	// stored once.
	Put(ctx context.Context, r io.Reader, max int64) (sum string, size int64, err error)
	// Open returns the blob's bytes and size, or ErrNotFound.
	Open(ctx context.Context, sum string) (io.ReadSeekCloser, int64, error)
	// Exists reports whether a blob with this hash is stored.
	Exists(ctx context.Context, sum string) (bool, error)
}

// validSum reports whether sum is a lowercase hex SHA-256. Sums come from
// URLs and the database; checking them here keeps them from naming any path
// outside the store.
func validSum(sum string) bool {
	if len(sum) != 64 {
		return false
	}
	for i := 0; i < len(sum); i++ {
		c := sum[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

package core

import (
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
)

// PasswordParams are argon2id's costs. The defaults are OWASP's recommended
// minimum (19 MiB, 2 passes, 1 lane): about 20-30 ms of one core per hash, so
// a login costs well under 50 ms of CPU and 50 concurrent logins fit in memory.
type PasswordParams struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
}

var DefaultPasswordParams = PasswordParams{MemoryKiB: 19 * 1024, Time: 2, Threads: 1}

// hashSlots bounds how many argon2 computations run at once to the number of
// cores: fifty concurrent logins then queue in arrival order (channel waiters
// are FIFO) instead of all slowing down together, and memory stays at
// GOMAXPROCS × MemoryKiB instead of growing with the crowd.
var hashSlots = make(chan struct{}, runtime.GOMAXPROCS(0))

func argon2Key(password, salt []byte, p PasswordParams, n uint32) []byte {
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	return argon2.IDKey(password, salt, p.Time, p.MemoryKiB, p.Threads, n)
}

// Hash returns a PHC-format argon2id hash with a random salt.
func (p PasswordParams) Hash(password string) (string, error) {
	salt := randomBytes(16)
	return p.encode(salt, argon2Key([]byte(password), salt, p, 32)), nil
}

// unmatchable is a hash with these costs that no password matches: checking
// a login against it takes as long as against a real one, yet making it
// costs no argon2 run (nor its memory) at start.
func (p PasswordParams) unmatchable() string {
	return p.encode(randomBytes(16), randomBytes(32))
}

func (p PasswordParams) encode(salt, key []byte) string {
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		enc.EncodeToString(salt), enc.EncodeToString(key))
}

// verifyPassword checks a password against a PHC argon2id hash, using the
// costs written in the hash so that raising the defaults keeps old hashes valid.
func verifyPassword(encoded, password string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, fmt.Errorf("core: unknown password hash format")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, fmt.Errorf("core: unsupported argon2 version %q", parts[2])
	}
	var p PasswordParams
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil {
		return false, fmt.Errorf("core: bad argon2 parameters: %w", err)
	}
	enc := base64.RawStdEncoding
	salt, err := enc.DecodeString(parts[4])
	if err != nil {
		return false, fmt.Errorf("core: bad argon2 salt: %w", err)
	}
	want, err := enc.DecodeString(parts[5])
	if err != nil {
		return false, fmt.Errorf("core: bad argon2 key: %w", err)
	}
	got := argon2Key([]byte(password), salt, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

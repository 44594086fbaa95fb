package core

import "testing"

// The decoy hash for unknown logins must be checked like a real one (so
// the answer takes as long) and match nothing.
func TestUnmatchableHashIsCheckedInFull(t *testing.T) {
	p := PasswordParams{MemoryKiB: 1024, Time: 1, Threads: 1}
	decoy := p.unmatchable()
	for _, pw := range []string{"", "paraph dummy password", "correct horse battery"} {
		ok, err := verifyPassword(decoy, pw)
		if ok || err != nil {
			t.Fatalf("verify(%q) = %v, %v: want a full check that fails", pw, ok, err)
		}
	}
	if other := p.unmatchable(); other == decoy {
		t.Fatal("two decoys are the same")
	}
}

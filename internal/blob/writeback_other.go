//go:build !linux

package blob

import (
	"errors"
	"os"
)

// startWriteback is a Linux hint (sync_file_range); elsewhere the fsync
// before the rename does all the work.
func startWriteback(*os.File, int64, int64) {}

// setDirect: O_DIRECT is Linux's; elsewhere writes go through the cache.
func setDirect(_ *os.File, on bool) error {
	if on {
		return errors.New("blob: no direct I/O here")
	}
	return nil
}

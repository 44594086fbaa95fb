package poa_test

import "flag"

var update = flag.Bool("update", false, "rewrite the testdata samples")

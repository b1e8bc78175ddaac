//go:build profile

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
)

// Built with `-tags profile` and run with CLOUDDESKTOP_CPUPROFILE_DIR set,
// each provider process Terraform starts writes its CPU profile there,
// named by its process ID: the way to see where a real `terraform apply`
// spends the provider's time (`go run ./cmd/fleetbench -profile DIR`, then
// `go tool pprof -top DIR/*.pprof`). Release builds carry none of this.
func init() {
	dir := os.Getenv("CLOUDDESKTOP_CPUPROFILE_DIR")
	if dir == "" {
		return
	}
	f, err := os.Create(filepath.Join(dir, fmt.Sprintf("provider-%d.pprof", os.Getpid())))
	if err != nil {
		fmt.Fprintln(os.Stderr, "cpu profile:", err)
		return
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "cpu profile:", err)
		_ = f.Close()
		return
	}
	stopProfile = func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}
}

package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
)

// The provider's own CPU time and memory are measured by putting this
// program, under the provider's name, where Terraform looks for the
// provider (dev_overrides). Started by Terraform, it runs the real
// provider as its child, passing stdin, stdout, stderr, arguments,
// environment and signals through (go-plugin's handshake included), and
// when the child exits appends its resource usage to the stats file.
const (
	wrapEnv  = "FLEETBENCH_WRAP"  // the real provider binary
	statsEnv = "FLEETBENCH_STATS" // where each provider process's usage is appended
)

// wrapped reports whether this process was started as the provider.
func wrapped() bool { return os.Getenv(wrapEnv) != "" }

// runWrapped runs the real provider and returns its exit code.
func runWrapped() int {
	cmd := exec.Command(os.Getenv(wrapEnv), os.Args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = os.Environ()
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "fleetbench: starting the provider:", err)
		return 1
	}
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		for s := range signals {
			_ = cmd.Process.Signal(s)
		}
	}()
	err := cmd.Wait()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		if f, ferr := os.OpenFile(os.Getenv(statsEnv), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600); ferr == nil {
			// User and system CPU in microseconds, peak RSS in KiB.
			fmt.Fprintf(f, "%d %d %d\n", ru.Utime.Nano()/1000, ru.Stime.Nano()/1000, ru.Maxrss)
			_ = f.Close()
		}
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	if err != nil {
		return 1
	}
	return 0
}

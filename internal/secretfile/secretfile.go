// Package secretfile keeps secrets that an SDK will only read from a file
// (the Huawei SDK's federated login reads its id token from one, at every
// renewal) in private temporary files, and removes them all when the
// provider exits (main.go calls RemoveAll once the plugin server stops).
package secretfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

var (
	mu sync.Mutex
	// dir holds every file written, 0700; "" until the first Write.
	dir string
)

// Write stores content in a new file readable by this user only (0600, in
// a 0700 directory of its own) and returns its path. name is a hint for
// the file name, never the secret.
func Write(name, content string) (string, error) {
	mu.Lock()
	defer mu.Unlock()
	if dir == "" {
		d, err := os.MkdirTemp("", "terraform-provider-clouddesktop-")
		if err != nil {
			return "", fmt.Errorf("creating a private directory for %s: %w", name, err)
		}
		dir = d
	}
	f, err := os.CreateTemp(dir, name+"-*")
	if err != nil {
		return "", fmt.Errorf("creating a private file for %s: %w", name, err)
	}
	// CreateTemp makes it 0600 already; say so, whatever the platform.
	if err := f.Chmod(0o600); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		f.Close()
		os.Remove(f.Name())
		return "", fmt.Errorf("making %s private: %w", name, err)
	}
	if _, err := f.WriteString(content); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", fmt.Errorf("writing %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("writing %s: %w", name, err)
	}
	return f.Name(), nil
}

// Dir is the directory the files are in, "" before the first Write.
func Dir() string {
	mu.Lock()
	defer mu.Unlock()
	return dir
}

// RemoveAll removes every file Write made.
func RemoveAll() error {
	mu.Lock()
	defer mu.Unlock()
	if dir == "" {
		return nil
	}
	d := dir
	dir = ""
	if err := os.RemoveAll(d); err != nil {
		return fmt.Errorf("removing %s: %w", filepath.Base(d), err)
	}
	return nil
}

package secretfile

import (
	"os"
	"path/filepath"
	"testing"
)

// TestWriteIsPrivateAndRemoveAllRemoves: the secret is in a file only its
// owner can read, in a directory only its owner can open, and RemoveAll
// (what main.go calls when the provider exits) leaves nothing behind.
func TestWriteIsPrivateAndRemoveAllRemoves(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	paths := map[string]string{}
	for _, secret := range []string{"first-token", "second-token"} {
		p, err := Write("token", secret)
		if err != nil {
			t.Fatal(err)
		}
		paths[p] = secret
	}
	if len(paths) != 2 {
		t.Fatalf("two writes gave %d files", len(paths))
	}
	dir := Dir()
	if info, err := os.Stat(dir); err != nil || info.Mode().Perm() != 0o700 {
		t.Fatalf("directory %s: %v, mode %v, want 0700", dir, err, info.Mode().Perm())
	}
	for p, secret := range paths {
		if filepath.Dir(p) != dir {
			t.Errorf("%s is outside %s", p, dir)
		}
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", p, info.Mode().Perm())
		}
		if got, _ := os.ReadFile(p); string(got) != secret {
			t.Errorf("%s holds %q, want %q", p, got, secret)
		}
	}
	if err := RemoveAll(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("%s still exists after RemoveAll: %v", dir, err)
	}
	if Dir() != "" {
		t.Error("Dir still names the removed directory")
	}
	if err := RemoveAll(); err != nil {
		t.Errorf("a second RemoveAll: %v", err)
	}
}

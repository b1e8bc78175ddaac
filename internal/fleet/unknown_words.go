package fleet

import (
	"context"
	"sync"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// UnknownWords logs, at WARN and once per word, a status word a cloud
// answered with that this provider does not know. Such a word never ends a
// wait by itself: the desktop or job is waited for until a known word comes
// or the timeout ends the wait, whose diagnostic names the last word seen.
// It is safe for concurrent use; its zero value is ready.
type UnknownWords struct {
	mu   sync.Mutex
	seen map[string]bool
}

// Note logs word (of the kind "desktop status", "job status", ...) the
// first time it is seen, with the desktop or job it was seen on.
func (u *UnknownWords) Note(ctx context.Context, cloud, kind, word, subject string) {
	u.mu.Lock()
	first := !u.seen[kind+"\x00"+word]
	if u.seen == nil {
		u.seen = map[string]bool{}
	}
	u.seen[kind+"\x00"+word] = true
	u.mu.Unlock()
	if first {
		tflog.Warn(ctx, cloud+": unknown "+kind+", still waiting", map[string]any{
			"word":    word,
			"seen_on": subject,
		})
	}
}

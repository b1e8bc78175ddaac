package clienttest

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

// Log captures what the provider logs under a context.
type Log struct{ buf bytes.Buffer }

// CaptureLogs returns ctx with a root logger at every level that writes
// into the returned Log.
func CaptureLogs(ctx context.Context) (context.Context, *Log) {
	l := &Log{}
	return tflogtest.RootLogger(ctx, &l.buf), l
}

// String is the raw log, one JSON object a line.
func (l *Log) String() string { return l.buf.String() }

// Entries are the log lines decoded.
func (l *Log) Entries(t testing.TB) []map[string]any {
	t.Helper()
	entries, err := tflogtest.MultilineJSONDecode(bytes.NewReader(l.buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

// Warned counts the WARN lines about an unknown word that name word: a
// word no source names is logged at WARN, once.
func (l *Log) Warned(t testing.TB, word string) int {
	t.Helper()
	n := 0
	for _, e := range l.Entries(t) {
		msg, _ := e["@message"].(string)
		if e["@level"] == "warn" && strings.Contains(msg, "unknown") && e["word"] == word {
			n++
		}
	}
	return n
}

// LogLines is an io.Writer for tflogtest that hands each JSON line to fn as
// it is written: a test can act at the moment a line is logged.
type LogLines func(map[string]any)

func (fn LogLines) Write(p []byte) (int, error) {
	for _, raw := range bytes.Split(p, []byte("\n")) {
		var line map[string]any
		if json.Unmarshal(raw, &line) == nil {
			fn(line)
		}
	}
	return len(p), nil
}

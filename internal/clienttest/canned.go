package clienttest

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// Canned is an HTTP answer a fuzzer made up, for a client's in-memory
// transport: the clients' decoders meet any status, header and body
// without a server in between.
type Canned struct {
	Status int
	Header map[string]string // an empty value leaves the header out
	Body   []byte
	// Cut, when in 0..len(Body), makes reading the body fail after that
	// many bytes, as a connection dropped mid-body does.
	Cut int
}

// Cuts says whether reading the body fails part-way.
func (c Canned) Cuts() bool { return c.Cut >= 0 && c.Cut <= len(c.Body) }

// Response is the answer to req.
func (c Canned) Response(req *http.Request) *http.Response {
	h := http.Header{}
	for k, v := range c.Header {
		if v != "" {
			h.Set(k, v)
		}
	}
	var body io.Reader = bytes.NewReader(c.Body)
	if c.Cuts() {
		body = io.MultiReader(bytes.NewReader(c.Body[:c.Cut]), failingReader{})
	}
	return &http.Response{
		Status: strconv.Itoa(c.Status) + " " + http.StatusText(c.Status), StatusCode: c.Status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: io.NopCloser(body), ContentLength: -1, Request: req,
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

// FuzzStatus maps any int onto an HTTP status 100..599.
func FuzzStatus(n int) int {
	if n >= 100 && n <= 599 {
		return n
	}
	n %= 500
	if n < 0 {
		n = -n
	}
	return 100 + n
}

// FuzzFilter is a fuzzed comma-separated desktop filter as a list ("" lists
// everything); a filter of more than limit IDs skips the test, to keep
// each run short.
func FuzzFilter(t *testing.T, filter string, limit int) []string {
	t.Helper()
	if filter == "" {
		return nil
	}
	ids := strings.Split(filter, ",")
	if len(ids) > limit {
		t.Skip("too many filter IDs")
	}
	return ids
}

// Paged is the body of call n (from 0) of a listing fuzzed with two pages:
// the first page, then the second for every call after, so that a next
// page that never ends, or repeats, is covered too.
func Paged(page1, page2 []byte, n int) []byte {
	if n == 0 {
		return page1
	}
	return page2
}

// Package httplog writes every HTTP exchange with a cloud to the provider's
// TRACE log, so `TF_LOG=TRACE` shows what was sent and received, with every
// credential masked.
//
// Masking is by name, independent of the values configured: the
// Authorization header keeps only its algorithm (the access key ID and the
// signature are dropped), X-Auth-Token, X-Security-Token and every other
// header, query parameter, form field or JSON key that names a token,
// secret, password, signature or credential are replaced. The clients add
// tflog masks for the configured secret values on top of this, so a value
// that turns up under an unexpected name is still hidden.
package httplog

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// Masked replaces a secret value in the log.
const Masked = "***"

// bodyLimit bounds how much of a body is buffered for the log. Responses of
// the calls the provider makes are far smaller; a larger body is logged cut.
const bodyLimit = 64 << 10

// secretName matches the names of headers, parameters and JSON keys whose
// values are credentials. ClientToken, an idempotence key, is not one.
var secretName = regexp.MustCompile(`(?i)token|secret|password|passwd|signature|credential|accesskey|access_key|authorization|^x-auth`)

func isSecretName(name string) bool {
	if v, ok := secretNames.Load(name); ok {
		if secret, ok := v.(bool); ok {
			return secret
		}
	}
	secret := secretName.MatchString(name) && !strings.EqualFold(name, "ClientToken")
	// The names are the APIs' own, a few hundred at most (DesktopId.1 to
	// .100 included); at TRACE, matching each anew took a third of the
	// provider's time over a 10,000-desktop wait. The bound keeps an
	// answer full of odd keys from growing the cache for ever.
	if secretNamesCached.Add(1) <= maxCachedNames {
		secretNames.Store(name, secret)
	}
	return secret
}

// maxCachedNames bounds the names isSecretName remembers.
const maxCachedNames = 4096

var (
	secretNames       sync.Map // name -> bool
	secretNamesCached atomic.Int64
)

// traceWanted reports whether the provider's TRACE lines can be shown,
// from the variables terraform-plugin-log reads the provider's level from
// (unset means TRACE). Masking a body costs a JSON parse and a rewrite,
// far more than the call itself at 10,000 desktops; when TF_LOG_PROVIDER
// says the lines would be dropped (the provider sets it to what Terraform
// shows, main.go), none is built.
func traceWanted() bool {
	for _, name := range []string{"TF_LOG_PROVIDER_CLOUDDESKTOP", "TF_LOG_PROVIDER"} {
		if v := strings.TrimSpace(os.Getenv(name)); v != "" {
			return strings.EqualFold(v, "trace") || strings.EqualFold(v, "json")
		}
	}
	return true
}

// Transport logs each request and its response at TRACE under the
// request's context, then hands them on unchanged.
type Transport struct {
	Base  http.RoundTripper
	Cloud string // "alibaba" or "huawei", for the log line
}

// Wrap returns base wrapped in a logging Transport.
func Wrap(base http.RoundTripper, cloud string) *Transport {
	return &Transport{Base: base, Cloud: cloud}
}

func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !traceWanted() {
		return t.Base.RoundTrip(req)
	}
	ctx := req.Context()
	reqBody, err := requestBody(req)
	if err != nil {
		return nil, err
	}
	tflog.Trace(ctx, "cloud HTTP request", map[string]any{
		"cloud":   t.Cloud,
		"method":  req.Method,
		"url":     maskURL(req.URL),
		"headers": maskHeaders(req.Header),
		"body":    maskBody(req.Header.Get("Content-Type"), reqBody),
	})
	resp, err := t.Base.RoundTrip(req)
	if err != nil {
		tflog.Trace(ctx, "cloud HTTP request failed", map[string]any{"cloud": t.Cloud, "error": err.Error()})
		return nil, err
	}
	head, readErr := io.ReadAll(io.LimitReader(resp.Body, bodyLimit))
	fields := map[string]any{
		"cloud":   t.Cloud,
		"status":  resp.StatusCode,
		"headers": maskHeaders(resp.Header),
		"body":    maskBody(resp.Header.Get("Content-Type"), head),
	}
	if readErr != nil {
		fields["body_error"] = readErr.Error()
	}
	tflog.Trace(ctx, "cloud HTTP response", fields)
	// The caller reads exactly what it would have: the bytes already read,
	// then the rest of the body, or the read error that stopped us.
	rest := io.Reader(resp.Body)
	if readErr != nil {
		rest = errReader{readErr}
	}
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(head), rest), resp.Body}
	return resp, nil
}

// requestBody returns the request's body for the log and leaves the
// request able to send it.
func requestBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	if req.GetBody != nil {
		rc, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		return io.ReadAll(io.LimitReader(rc, bodyLimit))
	}
	b, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, err
	}
	req.Body = io.NopCloser(bytes.NewReader(b))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	return b, nil
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func maskHeaders(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for name, values := range h {
		v := strings.Join(values, ", ")
		switch {
		case strings.EqualFold(name, "Authorization"):
			// "ACS3-HMAC-SHA256 Credential=...,Signature=..." keeps only
			// the algorithm, which says how the call was signed.
			algorithm, _, _ := strings.Cut(v, " ")
			v = algorithm + " " + Masked
		case isSecretName(name):
			v = Masked
		}
		out[name] = v
	}
	return out
}

func maskURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	c.User = nil
	if c.RawQuery != "" {
		c.RawQuery = maskValues(c.Query()).Encode()
	}
	return c.String()
}

func maskValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		if isSecretName(k) {
			vs = []string{Masked}
		}
		out[k] = vs
	}
	return out
}

// maskBody renders a body for the log: form fields and JSON keys that name
// secrets are masked; a body of any other type is summarised, not shown,
// since nothing can say which part of it is secret.
func maskBody(contentType string, body []byte) string {
	if len(body) == 0 {
		return ""
	}
	media, _, _ := mime.ParseMediaType(contentType)
	switch {
	case media == "application/x-www-form-urlencoded":
		if v, err := url.ParseQuery(string(body)); err == nil {
			return maskValues(v).Encode()
		}
	case media == "application/json" || strings.HasSuffix(media, "+json") || json.Valid(body):
		var doc any
		if err := json.Unmarshal(body, &doc); err == nil {
			out, err := json.Marshal(maskJSON(doc))
			if err == nil {
				return string(out)
			}
		}
	}
	return describeOpaque(media, body)
}

func maskJSON(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			if isSecretName(k) {
				t[k] = Masked
			} else {
				t[k] = maskJSON(e)
			}
		}
	case []any:
		for i, e := range t {
			t[i] = maskJSON(e)
		}
	}
	return v
}

// describeOpaque names a body that is neither a form nor JSON, such as the
// HTML error page of a gateway, without echoing it.
func describeOpaque(media string, body []byte) string {
	if media == "" {
		media = "unknown type"
	}
	return "(" + media + ", " + strconv.Itoa(len(body)) + " bytes, not shown)"
}

package fleet

import "strings"

// Secrets returns the non-empty values, the set of strings a client masks
// in its logs and redacts from its errors (an empty one would match
// everywhere).
func Secrets(values ...string) []string {
	var out []string
	for _, v := range values {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// Redacted is what a secret becomes in an error.
const Redacted = "(sensitive)"

// Masked is how a secret setting shows when a client's configuration is
// printed: whether it is set, never its value.
func Masked(secret string) string {
	if secret == "" {
		return `""`
	}
	return Redacted
}

// Redact replaces every secret in the error's texts, its cause's included.
// A cloud may echo a parameter it rejects (a login token, say) in its
// message, and errors end up in diagnostics and logs.
func (e *CloudError) Redact(secrets []string) {
	e.Code = redact(e.Code, secrets)
	e.Message = redact(e.Message, secrets)
	e.Detail = redact(e.Detail, secrets)
	e.RequestID = redact(e.RequestID, secrets)
	if e.Cause != nil {
		if msg := e.Cause.Error(); redact(msg, secrets) != msg {
			e.Cause = &redactedError{msg: redact(msg, secrets), err: e.Cause}
		}
	}
}

func redact(s string, secrets []string) string {
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, Redacted)
		}
	}
	return s
}

// redactedError replaces the text of an error while keeping its chain for
// errors.Is and errors.As.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

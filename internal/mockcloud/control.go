package mockcloud

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// The control API lets a person (or a script) drive a standalone mock with
// curl. It has no authentication, which is why cmd/mockcloud binds to
// loopback by default. Requests to it are not recorded as calls.
//
//	GET    /_mock/desktops           every desktop the clouds know
//	POST   /_mock/desktops           [Desktop, ...] or one Desktop, or {"cloud","region","prefix","count"} to seed
//	GET    /_mock/calls              recorded calls (tokens redacted)
//	GET    /_mock/issued             temporary credentials issued by the STS / IAM (keys and times; never a secret or token; ?format=text: a table)
//	DELETE /_mock/calls              forget them
//	GET    /_mock/faults             injected faults
//	POST   /_mock/faults             a Fault; durations as "2s" or nanoseconds; returns {"id"}
//	DELETE /_mock/faults             remove every fault
//	DELETE /_mock/faults/{id}        remove one
//	GET    /_mock/counts             reboots and deletions applied per desktop (?format=text: a table)
//	POST   /_mock/advance            {"duration":"30s"}: move the mock's clock
//	GET    /_mock/jobs/{id}          a Huawei job's status and delete flags
//	GET    /_mock/behaviour          how the mock answers where the clouds leave room (Behaviour)
//	POST   /_mock/behaviour          switch it, e.g. {"huaweiUnknownIds":"skip","huaweiJobWords":{"waiting":"INIT","running":"RUNNING","success":"COMPLETE","failed":"FAIL"}}
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/_mock"), "/")
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		return
	}
	switch {
	case path == "/desktops" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, nonNil(s.Desktops()))
	case path == "/desktops" && r.Method == http.MethodPost:
		ids, err := s.controlAddDesktops(body)
		if err != nil {
			writeControlError(w, http.StatusBadRequest, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, map[string][]string{"ids": ids})
	case path == "/calls" && r.Method == http.MethodGet:
		calls := s.Calls()
		out := make([]map[string]any, len(calls))
		for i, c := range calls {
			out[i] = redactedCall(c)
		}
		writeJSON(w, http.StatusOK, out)
	case path == "/issued" && r.Method == http.MethodGet:
		if r.URL.Query().Get("format") == "text" {
			writeIssuedText(w, s.issuedInfo())
			return
		}
		writeJSON(w, http.StatusOK, s.issuedInfo())
	case path == "/calls" && r.Method == http.MethodDelete:
		s.ResetCalls()
		w.WriteHeader(http.StatusNoContent)
	case path == "/faults" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, nonNil(s.Faults()))
	case path == "/faults" && r.Method == http.MethodPost:
		f, err := decodeFault(body)
		if err != nil {
			writeControlError(w, http.StatusBadRequest, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, map[string]int{"id": s.InjectFault(f)})
	case path == "/faults" && r.Method == http.MethodDelete:
		s.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
	case strings.HasPrefix(path, "/faults/") && r.Method == http.MethodDelete:
		id, err := strconv.Atoi(strings.TrimPrefix(path, "/faults/"))
		if err != nil {
			writeControlError(w, http.StatusBadRequest, "the fault id must be a number")
			return
		}
		s.RemoveFault(id)
		w.WriteHeader(http.StatusNoContent)
	case path == "/counts" && r.Method == http.MethodGet:
		if r.URL.Query().Get("format") == "text" {
			writeCountsText(w, s.Counts())
			return
		}
		writeJSON(w, http.StatusOK, nonNil(s.Counts()))
	case path == "/advance" && r.Method == http.MethodPost:
		var req struct {
			Duration jsonDuration `json:"duration"`
		}
		if err := json.Unmarshal(body, &req); err != nil || req.Duration < 0 {
			writeControlError(w, http.StatusBadRequest, `want {"duration":"30s"} with a non-negative duration`)
			return
		}
		s.Advance(time.Duration(req.Duration))
		writeJSON(w, http.StatusOK, map[string]time.Time{"now": s.Now()})
	case path == "/behaviour" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, s.CurrentBehaviour())
	case path == "/behaviour" && r.Method == http.MethodPost:
		var b Behaviour
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&b); err != nil {
			writeControlError(w, http.StatusBadRequest, "want a behaviour object: "+err.Error())
			return
		}
		if err := s.SetBehaviour(b); err != nil {
			writeControlError(w, http.StatusBadRequest, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, s.CurrentBehaviour())
	case strings.HasPrefix(path, "/jobs/") && r.Method == http.MethodGet:
		id := strings.TrimPrefix(path, "/jobs/")
		status, ok := s.HuaweiJobStatus(id)
		if !ok {
			writeControlError(w, http.StatusNotFound, "no such job")
			return
		}
		du, en, fd, _ := s.HuaweiDeleteFlags(id)
		writeJSON(w, http.StatusOK, map[string]any{"id": id, "status": status, "deleteUsers": du, "emailNotification": en, "isForceDelete": fd})
	default:
		writeControlError(w, http.StatusNotFound, fmt.Sprintf("no control endpoint %s %s", r.Method, r.URL.Path))
	}
}

// controlAddDesktops takes a list of desktops, one desktop, or a seed
// request (recognised by its "count").
func (s *Server) controlAddDesktops(body []byte) ([]string, error) {
	body = bytes.TrimSpace(body)
	if len(body) > 0 && body[0] == '[' {
		var ds []Desktop
		if err := json.Unmarshal(body, &ds); err != nil {
			return nil, fmt.Errorf("want a list of desktops: %v", err)
		}
		return s.addDesktops(ds)
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(body, &probe); err != nil {
		return nil, fmt.Errorf(`want a list of desktops, a desktop, or {"cloud","region","prefix","count"}: %v`, err)
	}
	if _, seed := probe["count"]; seed {
		var req struct {
			Cloud, Region, Prefix string
			Count                 int
		}
		if err := json.Unmarshal(body, &req); err != nil {
			return nil, err
		}
		if req.Cloud != CloudAlibaba && req.Cloud != CloudHuawei {
			return nil, fmt.Errorf("cloud must be %q or %q", CloudAlibaba, CloudHuawei)
		}
		if req.Count < 1 || req.Count > 10000 {
			return nil, fmt.Errorf("count must be from 1 to 10000")
		}
		return s.SeedFleet(req.Cloud, req.Region, or(req.Prefix, "desktop"), req.Count), nil
	}
	var d Desktop
	if err := json.Unmarshal(body, &d); err != nil {
		return nil, err
	}
	return s.addDesktops([]Desktop{d})
}

// jsonDuration accepts "2s" (time.ParseDuration) or a number of nanoseconds,
// which is how encoding/json writes a time.Duration.
type jsonDuration time.Duration

func (d *jsonDuration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		v, err := time.ParseDuration(s)
		if err != nil {
			return err
		}
		*d = jsonDuration(v)
		return nil
	}
	var n int64
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("a duration is a string like \"2s\" or a number of nanoseconds")
	}
	*d = jsonDuration(n)
	return nil
}

func decodeFault(body []byte) (Fault, error) {
	// The same fields as Fault, with friendlier durations.
	var req struct {
		Fault
		Latency    jsonDuration `json:"latency"`
		RetryAfter jsonDuration `json:"retryAfter"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return Fault{}, fmt.Errorf("want a fault object: %v", err)
	}
	f := req.Fault
	f.Latency, f.RetryAfter = time.Duration(req.Latency), time.Duration(req.RetryAfter)
	if !slices.Contains(faultKinds, f.Kind) {
		return Fault{}, fmt.Errorf("unknown fault kind %q; want one of %v", f.Kind, faultKinds)
	}
	if f.Cloud != "" && f.Cloud != CloudAlibaba && f.Cloud != CloudHuawei {
		return Fault{}, fmt.Errorf("cloud must be empty, %q or %q", CloudAlibaba, CloudHuawei)
	}
	if f.Probability < 0 || f.Probability > 1 {
		return Fault{}, fmt.Errorf("probability must be from 0 to 1")
	}
	return f, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// writeCountsText renders counts as an aligned table for people reading a
// terminal, such as `make demo`.
func writeCountsText(w http.ResponseWriter, counts []DesktopCounts) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CLOUD\tDESKTOP\tREBOOTS\tDELETES")
	for _, c := range counts {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\n", c.Cloud, c.ID, c.Reboots, c.Deletes)
	}
	_ = tw.Flush()
}

// writeIssuedText is /_mock/issued as a table for a person: keys and times,
// like the JSON, never a secret or token.
func writeIssuedText(w http.ResponseWriter, issued []issuedInfo) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CLOUD\tOPERATION\tACCESS KEY\tROLE\tEXPIRES\tEXPIRED")
	for _, c := range issued {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%t\n", c.Cloud, c.Operation, c.AccessKey, c.Role, c.ExpiresAt.Format(time.RFC3339), c.Expired)
	}
	_ = tw.Flush()
}

func writeControlError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// nonNil makes an empty list render as [] rather than null.
func nonNil[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

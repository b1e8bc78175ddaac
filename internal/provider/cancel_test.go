package provider

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// These tests interrupt an apply the way Terraform does on Ctrl-C: the
// plugin server cancels the context of the ApplyResourceChange call in
// flight (terraform-plugin-go does this on StopProvider). The CLI cannot
// be interrupted from terraform-plugin-testing, so they speak the
// protocol to the provider server directly.

// gatedCloud holds the first action call (reboot or delete) at the door
// until the test releases it, and counts every action call that arrives.
type gatedCloud struct {
	mock    *mockcloud.Server
	arrived chan struct{} // closed when the first action call arrives
	release chan struct{} // closed by the test to let it through
	actions atomic.Int32
}

func (g *gatedCloud) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if isActionCall(r) && g.actions.Add(1) == 1 {
		close(g.arrived)
		<-g.release
	}
	g.mock.ServeHTTP(w, r)
}

// isActionCall recognises reboot and delete calls on either cloud's wire.
func isActionCall(r *http.Request) bool {
	action := r.Header.Get("x-acs-action")
	if action == "" {
		action = r.URL.Query().Get("Action")
	}
	return action == "RebootDesktops" || action == "DeleteDesktops" ||
		strings.HasSuffix(r.URL.Path, "/desktops/action") || strings.HasSuffix(r.URL.Path, "/desktops/batch-delete")
}

func TestCancelledApplyStopsIssuingCalls(t *testing.T) {
	tests := []struct {
		name, cloud, resource, op string
		destroy                   bool
	}{
		{"alibaba reboot", mockcloud.CloudAlibaba, "clouddesktop_desktop_reboot", "RebootDesktops", false},
		{"huawei reboot", mockcloud.CloudHuawei, "clouddesktop_desktop_reboot", "BatchRunDesktops", false},
		{"alibaba delete", mockcloud.CloudAlibaba, "clouddesktop_desktop_batch_delete", "DeleteDesktops", true},
		{"huawei delete", mockcloud.CloudHuawei, "clouddesktop_desktop_batch_delete", "BatchDeleteDesktops", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := mockcloud.DemoConfig()
			cfg.Timing = mockcloud.Timing{}
			g := &gatedCloud{mock: mockcloud.New(cfg), arrived: make(chan struct{}), release: make(chan struct{})}
			hs := httptest.NewServer(g)
			region := mockcloud.DemoAlibabaRegion
			if tt.cloud == mockcloud.CloudHuawei {
				region = mockcloud.DemoHuaweiProject
			}
			// 250 desktops, 100 a call, one call at a time: three calls.
			ids := slices.Sorted(slices.Values(g.mock.SeedFleet(tt.cloud, region, "cancel", 250)))

			p := newProtocolProvider(t, hs.URL)
			config := p.resourceValue(tt.resource, map[string]tftypes.Value{
				"cloud":       tftypes.NewValue(tftypes.String, tt.cloud),
				"desktop_ids": stringListValue(ids),
				"wait":        tftypes.NewValue(tftypes.Bool, false),
			})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var resp *tfprotov6.ApplyResourceChangeResponse
			applied := make(chan struct{})
			go func() {
				defer close(applied)
				if tt.destroy {
					state := p.create(t, tt.resource, config) // no cloud call
					resp = p.apply(ctx, t, tt.resource, state, p.null(tt.resource), p.null(tt.resource))
				} else {
					planned := p.plan(t, tt.resource, p.null(tt.resource), config)
					resp = p.apply(ctx, t, tt.resource, p.null(tt.resource), planned, config)
				}
			}()
			<-g.arrived
			cancel() // Ctrl-C while the first call is in flight
			<-applied
			close(g.release)
			hs.Close() // waits for the held call to finish in the mock

			if n := g.actions.Load(); n != 1 {
				t.Errorf("%d action calls reached the cloud, want 1: no call may start after the cancel", n)
			}
			if n := len(g.mock.CallsTo(tt.cloud, tt.op)); n > 1 {
				t.Errorf("the mock recorded %d %s calls, want at most 1", n, tt.op)
			}
			text := protocolDiagsText(resp.Diagnostics)
			if !strings.Contains(text, "Not processed") {
				t.Fatalf("diagnostics do not say which desktops were not processed:\n%s", text)
			}
			// The desktops of the second and third call were never sent,
			// and the report names every one of them.
			for _, id := range ids[100:] {
				if !strings.Contains(text, id) {
					t.Errorf("desktop %s, never sent, is missing from the report", id)
					break
				}
				if g.mock.RebootCount(tt.cloud, id)+g.mock.DeleteCount(tt.cloud, id) != 0 {
					t.Errorf("desktop %s was acted on after the cancel", id)
				}
			}
			if tt.destroy {
				// The resource stays, holding every desktop not known to be
				// deleted, so the next destroy finishes the job.
				kept := p.stateDesktopIDs(t, tt.resource, resp.NewState)
				if len(kept) < 150 {
					t.Errorf("state keeps %d desktops, want at least the 150 never sent", len(kept))
				}
			}
		})
	}
}

// protocolProvider is the provider server configured against url.
type protocolProvider struct {
	server  tfprotov6.ProviderServer
	schemas map[string]tftypes.Object
}

func newProtocolProvider(t testing.TB, url string) *protocolProvider {
	t.Helper()
	server, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	schemaResp, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	p := &protocolProvider{server: server, schemas: map[string]tftypes.Object{}}
	for name, s := range schemaResp.ResourceSchemas {
		p.schemas[name] = s.ValueType().(tftypes.Object)
	}
	providerType := schemaResp.Provider.ValueType().(tftypes.Object)
	block := func(name string, attrs map[string]tftypes.Value) tftypes.Value {
		return objectWith(providerType.AttributeTypes[name].(tftypes.Object), attrs)
	}
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	providerConfig := objectWith(providerType, map[string]tftypes.Value{
		"alibaba": block("alibaba", map[string]tftypes.Value{
			"region": str(mockcloud.DemoAlibabaRegion), "access_key": str(mockcloud.DemoAlibabaAccessKey),
			"secret_key": str(mockcloud.DemoAlibabaSecret), "endpoint": str(url),
		}),
		"huawei": block("huawei", map[string]tftypes.Value{
			"region": str(mockcloud.DemoHuaweiRegion), "project_id": str(mockcloud.DemoHuaweiProject),
			"access_key": str(mockcloud.DemoHuaweiAccessKey), "secret_key": str(mockcloud.DemoHuaweiSecret), "endpoint": str(url),
		}),
		"max_concurrency": tftypes.NewValue(tftypes.Number, 1),
		"max_retries":     tftypes.NewValue(tftypes.Number, 0),
	})
	dv, err := tfprotov6.NewDynamicValue(providerType, providerConfig)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: &dv})
	if err != nil || diagsHaveError(resp.Diagnostics) {
		t.Fatalf("configure: %v %s", err, protocolDiagsText(resp.Diagnostics))
	}
	return p
}

func (p *protocolProvider) resourceValue(resource string, attrs map[string]tftypes.Value) tftypes.Value {
	return objectWith(p.schemas[resource], attrs)
}

func (p *protocolProvider) null(resource string) tftypes.Value {
	return tftypes.NewValue(p.schemas[resource], nil)
}

func (p *protocolProvider) dynamic(t testing.TB, resource string, v tftypes.Value) *tfprotov6.DynamicValue {
	t.Helper()
	dv, err := tfprotov6.NewDynamicValue(p.schemas[resource], v)
	if err != nil {
		t.Fatal(err)
	}
	return &dv
}

func (p *protocolProvider) plan(t testing.TB, resource string, prior, config tftypes.Value) tftypes.Value {
	t.Helper()
	resp, err := p.server.PlanResourceChange(context.Background(), &tfprotov6.PlanResourceChangeRequest{
		TypeName: resource, PriorState: p.dynamic(t, resource, prior),
		ProposedNewState: p.dynamic(t, resource, config), Config: p.dynamic(t, resource, config),
	})
	if err != nil || diagsHaveError(resp.Diagnostics) {
		t.Fatalf("plan: %v %s", err, protocolDiagsText(resp.Diagnostics))
	}
	v, err := resp.PlannedState.Unmarshal(p.schemas[resource])
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func (p *protocolProvider) apply(ctx context.Context, t testing.TB, resource string, prior, planned, config tftypes.Value) *tfprotov6.ApplyResourceChangeResponse {
	resp, err := p.server.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
		TypeName: resource, PriorState: p.dynamic(t, resource, prior),
		PlannedState: p.dynamic(t, resource, planned), Config: p.dynamic(t, resource, config),
	})
	if err != nil {
		t.Errorf("apply: %v", err)
		return &tfprotov6.ApplyResourceChangeResponse{}
	}
	return resp
}

// create plans and applies config and returns the new state.
func (p *protocolProvider) create(t testing.TB, resource string, config tftypes.Value) tftypes.Value {
	planned := p.plan(t, resource, p.null(resource), config)
	resp := p.apply(context.Background(), t, resource, p.null(resource), planned, config)
	if diagsHaveError(resp.Diagnostics) {
		t.Fatalf("create: %s", protocolDiagsText(resp.Diagnostics))
	}
	v, err := resp.NewState.Unmarshal(p.schemas[resource])
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func (p *protocolProvider) stateDesktopIDs(t testing.TB, resource string, state *tfprotov6.DynamicValue) []string {
	t.Helper()
	if state == nil {
		return nil
	}
	v, err := state.Unmarshal(p.schemas[resource])
	if err != nil || v.IsNull() {
		return nil
	}
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		t.Fatal(err)
	}
	var elems []tftypes.Value
	if err := attrs["desktop_ids"].As(&elems); err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(elems))
	for i, e := range elems {
		if err := e.As(&out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// objectWith builds a value of typ with attrs set and every other
// attribute null.
func objectWith(typ tftypes.Object, attrs map[string]tftypes.Value) tftypes.Value {
	vals := make(map[string]tftypes.Value, len(typ.AttributeTypes))
	for name, at := range typ.AttributeTypes {
		if v, ok := attrs[name]; ok {
			vals[name] = v
		} else {
			vals[name] = tftypes.NewValue(at, nil)
		}
	}
	return tftypes.NewValue(typ, vals)
}

func stringListValue(ids []string) tftypes.Value {
	elems := make([]tftypes.Value, len(ids))
	for i, id := range ids {
		elems[i] = tftypes.NewValue(tftypes.String, id)
	}
	return tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, elems)
}

func diagsHaveError(diags []*tfprotov6.Diagnostic) bool {
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			return true
		}
	}
	return false
}

func protocolDiagsText(diags []*tfprotov6.Diagnostic) string {
	var b strings.Builder
	for _, d := range diags {
		b.WriteString(d.Summary + ": " + d.Detail + "\n")
	}
	return b.String()
}

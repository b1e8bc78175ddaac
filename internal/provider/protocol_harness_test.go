package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// The protocol-server harness: for what the Terraform CLI cannot do in a
// test (interrupt an apply, count allocations, drive 50,000 desktops), the
// tests speak the plugin protocol to the provider server directly, the way
// Terraform would.

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
	// Actions' configurations share the map: no action is named as a
	// resource is (clouddesktop_desktop_delete is not _batch_delete), and
	// the reboot action's name is kept apart by actionKey.
	for name, s := range schemaResp.ActionSchemas {
		p.schemas[actionKey(name)] = s.Schema.ValueType().(tftypes.Object)
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

// actions is the server's action RPCs (terraform-plugin-go keeps them in
// an interface of their own while they are new).
func (p *protocolProvider) actions(t testing.TB) tfprotov6.ActionServer {
	t.Helper()
	a, ok := p.server.(tfprotov6.ActionServer)
	if !ok {
		t.Fatal("the provider server does not serve actions")
	}
	return a
}

// actionKey is where an action's configuration type is kept in schemas.
func actionKey(action string) string { return "action." + action }

// actionConfig is the configuration of action with attrs set, the rest null.
func (p *protocolProvider) actionConfig(action string, attrs map[string]tftypes.Value) tftypes.Value {
	return objectWith(p.schemas[actionKey(action)], attrs)
}

// actionBlock is the value of block in action's configuration, with attrs
// set and the rest null.
func (p *protocolProvider) actionBlock(action, block string, attrs map[string]tftypes.Value) tftypes.Value {
	return objectWith(p.schemas[actionKey(action)].AttributeTypes[block].(tftypes.Object), attrs)
}

// validateAction runs ValidateActionConfig and returns its diagnostics.
func (p *protocolProvider) validateAction(t testing.TB, action string, config tftypes.Value) []*tfprotov6.Diagnostic {
	t.Helper()
	resp, err := p.actions(t).ValidateActionConfig(context.Background(), &tfprotov6.ValidateActionConfigRequest{
		ActionType: action, Config: p.dynamic(t, actionKey(action), config),
	})
	if err != nil {
		t.Fatal(err)
	}
	return resp.Diagnostics
}

// planAction runs PlanAction and returns its diagnostics.
func (p *protocolProvider) planAction(t testing.TB, action string, config tftypes.Value) []*tfprotov6.Diagnostic {
	t.Helper()
	resp, err := p.actions(t).PlanAction(context.Background(), &tfprotov6.PlanActionRequest{
		ActionType: action, Config: p.dynamic(t, actionKey(action), config),
	})
	if err != nil {
		t.Fatal(err)
	}
	return resp.Diagnostics
}

// invokeAction runs InvokeAction under ctx and returns the progress
// messages streamed, in order, and the completed event's diagnostics.
func (p *protocolProvider) invokeAction(ctx context.Context, t testing.TB, action string, config tftypes.Value) (progress []string,
	diags []*tfprotov6.Diagnostic) {
	t.Helper()
	stream, err := p.actions(t).InvokeAction(ctx, &tfprotov6.InvokeActionRequest{ActionType: action, Config: p.dynamic(t, actionKey(action), config)})
	if err != nil {
		t.Fatal(err)
	}
	completed := 0
	for event := range stream.Events {
		switch e := event.Type.(type) {
		case tfprotov6.ProgressInvokeActionEventType:
			if completed > 0 {
				t.Errorf("progress %q after the completed event", e.Message)
			}
			progress = append(progress, e.Message)
		case tfprotov6.CompletedInvokeActionEventType:
			completed++
			diags = e.Diagnostics
		}
	}
	if completed != 1 {
		t.Errorf("%d completed events, want 1", completed)
	}
	return progress, diags
}

func (p *protocolProvider) resourceValue(resource string, attrs map[string]tftypes.Value) tftypes.Value {
	return objectWith(p.schemas[resource], attrs)
}

// fleet is the configuration of resource holding ids on cloud, without
// waiting.
func (p *protocolProvider) fleet(resource, cloud string, ids []string) tftypes.Value {
	return p.resourceValue(resource, map[string]tftypes.Value{
		"cloud":       tftypes.NewValue(tftypes.String, cloud),
		"desktop_ids": stringListValue(ids),
		"wait":        tftypes.NewValue(tftypes.Bool, false),
	})
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

// validate runs ValidateResourceConfig, where the list validators run.
func (p *protocolProvider) validate(t testing.TB, resource string, config tftypes.Value) {
	t.Helper()
	resp, err := p.server.ValidateResourceConfig(context.Background(), &tfprotov6.ValidateResourceConfigRequest{
		TypeName: resource, Config: p.dynamic(t, resource, config),
	})
	if err != nil || diagsHaveError(resp.Diagnostics) {
		t.Fatalf("validate: %v %s", err, protocolDiagsText(resp.Diagnostics))
	}
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

// mustApply is apply failing the test on an error diagnostic.
func (p *protocolProvider) mustApply(t testing.TB, what, resource string, prior, planned, config tftypes.Value) {
	t.Helper()
	if resp := p.apply(context.Background(), t, resource, prior, planned, config); diagsHaveError(resp.Diagnostics) {
		t.Fatalf("%s: %s", what, protocolDiagsText(resp.Diagnostics))
	}
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

// diagsText is protocolDiagsText for the framework's diagnostics, as unit
// tests of validators and configuration see them.
func diagsText(diags diag.Diagnostics) string {
	var b strings.Builder
	for _, d := range diags {
		b.WriteString(d.Summary() + ": " + d.Detail() + "\n")
	}
	return b.String()
}

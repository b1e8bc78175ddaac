package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// The actions at the protocol level: what Terraform 1.14 and later sends
// them, spoken to the provider server directly, so these run with any
// Terraform or none. The CLI tests are in action_test.go.

const (
	rebootActionType = "clouddesktop_desktop_reboot"
	deleteActionType = "clouddesktop_desktop_delete"
)

// actionPair is an action and the resource whose operation it shares.
type actionPair struct {
	action, resource string
	// operation is the word the fleet report uses.
	operation string
}

var (
	rebootPair = actionPair{rebootActionType, rebootType, "reboot"}
	deletePair = actionPair{deleteActionType, deleteType, "delete"}
)

func TestActionSchemas(t *testing.T) {
	p := newProtocolProvider(t, "http://127.0.0.1:1")
	resp, gerr := p.server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if gerr != nil {
		t.Fatal(gerr)
	}
	tests := []struct {
		action     string
		attributes []string
		blocks     []string
	}{
		{rebootActionType, []string{"cloud", "desktop_ids", "region", "wait"}, []string{"alibaba", "huawei", "timeouts"}},
		{deleteActionType, []string{"cloud", "desktop_ids", "ignore_missing", "region", "wait"}, []string{"huawei", "timeouts"}},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			s, ok := resp.ActionSchemas[tt.action]
			if !ok {
				t.Fatalf("GetProviderSchema lists no action %s (has %v)", tt.action, mapKeys(resp.ActionSchemas))
			}
			var attrs, blocks []string
			for _, a := range s.Schema.Block.Attributes {
				attrs = append(attrs, a.Name)
			}
			for _, b := range s.Schema.Block.BlockTypes {
				blocks = append(blocks, b.TypeName)
			}
			// An action's configuration is stored in the plan: nothing in
			// it, at any depth, may pass for a secret kept safe.
			for _, a := range allAttributes(s.Schema.Block) {
				if a.Sensitive || a.WriteOnly {
					t.Errorf("attribute %s is sensitive or write-only, which an action cannot keep", a.Name)
				}
			}
			slices.Sort(attrs)
			slices.Sort(blocks)
			if !slices.Equal(attrs, tt.attributes) || !slices.Equal(blocks, tt.blocks) {
				t.Errorf("attributes %v and blocks %v, want %v and %v", attrs, blocks, tt.attributes, tt.blocks)
			}
			// The huawei block says what the resource's does, attribute
			// for attribute (tfcloud.ActionBlockOf).
			resourceType := map[string]string{rebootActionType: rebootType, deleteActionType: deleteType}[tt.action]
			if got, want := blockAttributes(s.Schema, "huawei"), blockAttributes(resp.ResourceSchemas[resourceType], "huawei"); !slices.Equal(got, want) {
				t.Errorf("the huawei block has %v, the resource's %v", got, want)
			}
		})
	}
}

// allAttributes are a block's attributes and those of its nested blocks.
func allAttributes(b *tfprotov6.SchemaBlock) []*tfprotov6.SchemaAttribute {
	all := slices.Clone(b.Attributes)
	for _, nested := range b.BlockTypes {
		all = append(all, allAttributes(nested.Block)...)
	}
	return all
}

// blockAttributes lists the attributes of a schema's block, with their
// descriptions.
func blockAttributes(s *tfprotov6.Schema, block string) []string {
	var out []string
	for _, b := range s.Block.BlockTypes {
		if b.TypeName == block {
			for _, a := range b.Block.Attributes {
				out = append(out, a.Name+": "+a.Description)
			}
		}
	}
	slices.Sort(out)
	return out
}

func mapKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// TestActionValidationMatchesResources: bad input is refused by an action
// with the very diagnostics its resource gives the same input.
func TestActionValidationMatchesResources(t *testing.T) {
	p := newProtocolProvider(t, "http://127.0.0.1:1")
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	ids := stringListValue([]string{alibabaCloud.desktopID(1)})
	tests := []struct {
		name  string
		pair  actionPair
		attrs func(block blockFunc) map[string]tftypes.Value
		want  string
	}{
		{"unknown cloud", rebootPair, func(blockFunc) map[string]tftypes.Value {
			return map[string]tftypes.Value{"cloud": str("azure"), "desktop_ids": ids}
		}, `value must be one of`},
		{"no desktops", deletePair, func(blockFunc) map[string]tftypes.Value {
			return map[string]tftypes.Value{"cloud": str("huawei"), "desktop_ids": stringListValue(nil)}
		}, `at least 1`},
		{"empty desktop ID", rebootPair, func(blockFunc) map[string]tftypes.Value {
			return map[string]tftypes.Value{"cloud": str("alibaba"), "desktop_ids": stringListValue([]string{""})}
		}, `desktop_ids`},
		{"region outside a host name", deletePair, func(blockFunc) map[string]tftypes.Value {
			return map[string]tftypes.Value{"cloud": str("alibaba"), "desktop_ids": ids, "region": str("cn hangzhou")}
		}, `must be a region ID`},
		{"block of the other cloud", rebootPair, func(block blockFunc) map[string]tftypes.Value {
			return map[string]tftypes.Value{"cloud": str("alibaba"), "desktop_ids": ids,
				"huawei": block("huawei", map[string]tftypes.Value{"type": str("HARD")})}
		}, `A "huawei" block only applies to cloud = "huawei"`},
		{"delete options on the other cloud", deletePair, func(block blockFunc) map[string]tftypes.Value {
			return map[string]tftypes.Value{"cloud": str("alibaba"), "desktop_ids": ids,
				"huawei": block("huawei", map[string]tftypes.Value{"delete_users": tftypes.NewValue(tftypes.Bool, true)})}
		}, `A "huawei" block only applies`},
		{"reboot type", rebootPair, func(block blockFunc) map[string]tftypes.Value {
			return map[string]tftypes.Value{"cloud": str("huawei"), "desktop_ids": ids,
				"huawei": block("huawei", map[string]tftypes.Value{"type": str("MEDIUM")})}
		}, `value must be one of: \["SOFT" "HARD"\]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			actionBlock := func(name string, attrs map[string]tftypes.Value) tftypes.Value {
				return p.actionBlock(tt.pair.action, name, attrs)
			}
			resourceBlock := func(name string, attrs map[string]tftypes.Value) tftypes.Value {
				return objectWith(p.schemas[tt.pair.resource].AttributeTypes[name].(tftypes.Object), attrs)
			}
			got := p.validateAction(t, tt.pair.action, p.actionConfig(tt.pair.action, tt.attrs(actionBlock)))
			resp, err := p.server.ValidateResourceConfig(context.Background(), &tfprotov6.ValidateResourceConfigRequest{
				TypeName: tt.pair.resource,
				Config:   p.dynamic(t, tt.pair.resource, p.resourceValue(tt.pair.resource, tt.attrs(resourceBlock))),
			})
			if err != nil {
				t.Fatal(err)
			}
			if !regexp.MustCompile(tt.want).MatchString(protocolDiagsText(got)) || !diagsHaveError(got) {
				t.Fatalf("action diagnostics %q, want an error matching %q", protocolDiagsText(got), tt.want)
			}
			if a, r := diagLines(got), diagLines(resp.Diagnostics); !slices.Equal(a, r) {
				t.Errorf("the action says\n%s\nthe resource says\n%s", strings.Join(a, "\n"), strings.Join(r, "\n"))
			}
		})
	}
}

// blockFunc builds a block's value of the action or of the resource.
type blockFunc = func(name string, attrs map[string]tftypes.Value) tftypes.Value

// diagLines are diagnostics as comparable lines: severity, attribute,
// summary and detail.
func diagLines(diags []*tfprotov6.Diagnostic) []string {
	lines := make([]string, len(diags))
	for i, d := range diags {
		lines[i] = fmt.Sprintf("%v %v %s: %s", d.Severity, d.Attribute, d.Summary, d.Detail)
	}
	slices.Sort(lines)
	return lines
}

// TestActionRefusesTheClientAPI: the client API's login token would be kept
// in the plan, so the action refuses it, says where to go instead, and
// never repeats the token.
func TestActionRefusesTheClientAPI(t *testing.T) {
	mock := newTestCloud(t, mockcloud.Timing{})
	p := newProtocolProvider(t, mock.URL)
	const token = "TOKEN-THAT-MUST-NOT-ECHO"
	for _, attr := range []string{"login_token", "session_token"} {
		t.Run(attr, func(t *testing.T) {
			config := p.actionConfig(rebootActionType, map[string]tftypes.Value{
				"cloud": tftypes.NewValue(tftypes.String, "alibaba"), "desktop_ids": stringListValue([]string{alibabaCloud.desktopID(1)}),
				"alibaba": p.actionBlock(rebootActionType, "alibaba", map[string]tftypes.Value{attr: tftypes.NewValue(tftypes.String, token)}),
			})
			// Refused at validation, and again when invoked: a cloud known
			// only at apply escapes validation's check.
			_, invoked := p.invokeAction(context.Background(), t, rebootActionType, config)
			for _, diags := range [][]*tfprotov6.Diagnostic{p.validateAction(t, rebootActionType, config), invoked} {
				text := protocolDiagsText(diags)
				if !strings.Contains(text, "Client API not available in an action") || !strings.Contains(text, "login_token_wo") {
					t.Errorf("diagnostics %q do not refuse the client API and point to the resource", text)
				}
			}
			if text := protocolDiagsText(append(invoked, p.planAction(t, rebootActionType, config)...)); strings.Contains(text, token) {
				t.Errorf("diagnostics repeat the token: %q", text)
			}
			if n := len(mock.Calls()); n != 0 {
				t.Errorf("an action with a client-API token made %d cloud calls", n)
			}
		})
	}
}

// TestActionPlanCallsNoCloud: planning an action checks its settings and
// calls nothing.
func TestActionPlanCallsNoCloud(t *testing.T) {
	mock := newTestCloud(t, mockcloud.Timing{})
	p := newProtocolProvider(t, mock.URL)
	for _, f := range bothClouds {
		for _, pair := range []actionPair{rebootPair, deletePair} {
			ids := mock.seed(f, "plan-"+pair.operation, 3)
			if diags := p.planAction(t, pair.action, p.actionFleet(pair.action, f.name, ids)); len(diags) != 0 {
				t.Errorf("%s on %s: plan diagnostics %s", pair.action, f.name, protocolDiagsText(diags))
			}
		}
	}
	if n := len(mock.Calls()); n != 0 {
		t.Errorf("planning made %d cloud calls, want none", n)
	}
}

// actionFleet is the configuration of action over ids on cloud, without
// waiting.
func (p *protocolProvider) actionFleet(action, cloud string, ids []string) tftypes.Value {
	return p.actionConfig(action, map[string]tftypes.Value{
		"cloud":       tftypes.NewValue(tftypes.String, cloud),
		"desktop_ids": stringListValue(ids),
		"wait":        tftypes.NewValue(tftypes.Bool, false),
	})
}

// TestActionInvoke: each action on each cloud streams its progress and
// ends with the report a resource would give: nothing on success, one
// line per desktop that failed, with the cloud's code and request ID.
func TestActionInvoke(t *testing.T) {
	tests := []struct {
		name string
		// failAt, when set, is the index of a desktop whose call the cloud
		// refuses: its whole batch fails.
		failAt int
	}{
		{"success", -1},
		{"partial failure", 150},
	}
	for _, f := range bothClouds {
		for _, pair := range []actionPair{rebootPair, deletePair} {
			for _, tt := range tests {
				t.Run(fmt.Sprintf("%s %s %s", f.name, pair.operation, tt.name), func(t *testing.T) {
					mock := newTestCloud(t, mockcloud.Timing{})
					// 250 desktops, 100 a call, one call at a time: three calls.
					ids := slices.Sorted(slices.Values(mock.seed(f, "invoke", 250)))
					op := f.rebootOp
					if pair.operation == "delete" {
						op = f.deleteOp
					}
					if tt.failAt >= 0 {
						mock.InjectFault(mockcloud.Fault{Cloud: f.name, Operation: op, Kind: mockcloud.FaultError, Status: 400,
							Code: "Refused.ByTest", Message: "refused by the test", DesktopIDs: []string{ids[tt.failAt]}})
					}
					p := newProtocolProvider(t, mock.URL)
					progress, diags := p.invokeAction(context.Background(), t, pair.action, p.actionFleet(pair.action, f.name, ids))

					first := regexp.MustCompile(`^` + pair.operation + `: batch 1/3 sent: 100 desktops \(request [^)]+\)$`)
					if len(progress) == 0 || !first.MatchString(progress[0]) {
						t.Errorf("progress %q, want it to start with the first batch sent", progress)
					}
					calls := mock.CallsTo(f.name, op)
					if len(calls) != 3 {
						t.Errorf("%d %s calls, want 3", len(calls), op)
					}
					text := protocolDiagsText(diags)
					if tt.failAt < 0 {
						if len(diags) != 0 {
							t.Fatalf("diagnostics on success: %s", text)
						}
						for _, id := range ids {
							if n := mock.RebootCount(f.name, id) + mock.DeleteCount(f.name, id); n != 1 {
								t.Fatalf("%s acted on %d times, want once", id, n)
							}
						}
						return
					}
					failed := ids[100:200]
					want := fmt.Sprintf("Could not %s 100 of 250 desktops", pair.operation)
					if !strings.Contains(text, want) || !strings.Contains(text, "Refused.ByTest") || !strings.Contains(text, "refused by the test") {
						t.Fatalf("diagnostics %q, want %q with the cloud's code and message", text, want)
					}
					var refused mockcloud.Call
					for _, c := range calls {
						if c.Status == 400 {
							refused = c
						}
					}
					if refused.RequestID == "" || !strings.Contains(text, refused.RequestID) {
						t.Errorf("diagnostics do not name the refused call's request ID %q:\n%s", refused.RequestID, text)
					}
					for _, id := range failed {
						if !strings.Contains(text, id) {
							t.Errorf("failed desktop %s is not named", id)
							break
						}
					}
				})
			}
		}
	}
}

// TestActionInvokeCancelled: Ctrl-C while the first call is in flight
// starts no other call, and the report says which desktops were not
// processed.
func TestActionInvokeCancelled(t *testing.T) {
	for _, f := range bothClouds {
		for _, pair := range []actionPair{rebootPair, deletePair} {
			t.Run(f.name+" "+pair.operation, func(t *testing.T) {
				mock := newTestCloud(t, mockcloud.Timing{})
				g := &gatedCloud{mock: mock.Server, arrived: make(chan struct{}), release: make(chan struct{})}
				hs := mock.serveThrough(t, g)
				ids := slices.Sorted(slices.Values(mock.seed(f, "cancel", 250)))
				p := newProtocolProvider(t, mock.URL)

				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				var diags []*tfprotov6.Diagnostic
				done := make(chan struct{})
				go func() {
					defer close(done)
					_, diags = p.invokeAction(ctx, t, pair.action, p.actionFleet(pair.action, f.name, ids))
				}()
				<-g.arrived
				cancel()
				<-done
				close(g.release)
				hs.Close()

				if n := g.actions.Load(); n != 1 {
					t.Errorf("%d calls reached the cloud, want 1: none may start after the cancel", n)
				}
				text := protocolDiagsText(diags)
				if !strings.Contains(text, "Not processed") {
					t.Fatalf("the report does not say what was not processed:\n%s", text)
				}
				for _, id := range ids[100:] {
					if !strings.Contains(text, id) {
						t.Fatalf("desktop %s, never sent, is missing from the report", id)
					}
				}
			})
		}
	}
}

// TestActionRebootMakesTheResourcesCalls: 150 Alibaba desktops rebooted
// through the action and through the resource make the same calls (the
// admin API: desktops sorted, cut at 100), each desktop rebooted once.
func TestActionRebootMakesTheResourcesCalls(t *testing.T) {
	run := func(t *testing.T, viaAction bool) [][]string {
		mock := newTestCloud(t, mockcloud.Timing{})
		ids := mock.seed(alibabaCloud, "same", 150)
		p := newProtocolProvider(t, mock.URL)
		if viaAction {
			if _, diags := p.invokeAction(context.Background(), t, rebootActionType, p.actionFleet(rebootActionType, "alibaba", ids)); len(diags) != 0 {
				t.Fatal(protocolDiagsText(diags))
			}
		} else {
			p.create(t, rebootType, p.fleet(rebootType, "alibaba", ids))
		}
		for _, id := range ids {
			if n := mock.RebootCount("alibaba", id); n != 1 {
				t.Errorf("%s rebooted %d times (through the action: %v)", id, n, viaAction)
			}
		}
		var calls [][]string
		for _, c := range mock.CallsTo("alibaba", "RebootDesktops") {
			calls = append(calls, c.DesktopIDs)
		}
		return calls
	}
	viaResource, viaAction := run(t, false), run(t, true)
	if len(viaResource) != 2 || !slices.EqualFunc(viaResource, viaAction, slices.Equal) {
		t.Errorf("calls through the resource %v, through the action %v: want the same two calls", viaResource, viaAction)
	}
}

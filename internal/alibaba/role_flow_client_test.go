package alibaba

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/clienttest"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// TestRoleFlowsConcurrentRenewals lists desktops from many goroutines at
// once through each role flow while every call renews the session (it
// lives less than credentials-go's 180 s margin): each call must go out
// signed with one session's keys and token, which the mock checks, and
// the providers' unguarded state must not race (run with -race: make test
// does).
func TestRoleFlowsConcurrentRenewals(t *testing.T) {
	flows := []struct {
		name string
		edit func(cfg *Config, stsHost string)
		op   string
	}{
		{"assume_role", func(cfg *Config, sts string) {
			cfg.AssumeRole, cfg.STSEndpoint = &AssumeRole{RoleArn: mockcloud.DemoAlibabaRoleArn, SessionExpiration: 900}, sts
		}, "AssumeRole"},
		{"assume_role_with_oidc", func(cfg *Config, sts string) {
			cfg.AccessKey, cfg.SecretKey = "", ""
			cfg.AssumeRoleWithOIDC = &AssumeRoleWithOIDC{OIDCProviderArn: mockcloud.DemoAlibabaOIDCProviderArn,
				RoleArn: mockcloud.DemoAlibabaRoleArn, OIDCToken: mockcloud.DemoOIDCToken}
			cfg.STSEndpoint = sts
		}, "AssumeRoleWithOIDC"},
	}
	for _, f := range flows {
		t.Run(f.name, func(t *testing.T) {
			m := clienttest.Start(t, func(cfg *mockcloud.Config) { cfg.CredentialLifetime = time.Minute })
			m.SeedFleet(ali, mockcloud.DemoAlibabaRegion, "role", 3)
			sts := m.ServeTLS(t)
			client := newTestClient(t, m.URL, func(cfg *Config) { f.edit(cfg, sts) })

			const callers = 12
			clienttest.Concurrently(t, callers, func() error {
				_, err := client.ListDesktops(context.Background(), fleet.ListFilter{})
				return err
			})
			if n := len(m.CallsTo(ali, f.op)); n < callers {
				t.Errorf("%d %s calls for %d calls that each needed a renewal", n, f.op, callers)
			}
			for _, call := range m.CallsTo(ali, "DescribeDesktops") {
				if call.Status != 200 || !strings.HasPrefix(call.Auth, "sts:") {
					t.Errorf("a DescribeDesktops call answered %d %s, authenticated as %q", call.Status, call.ErrorCode, call.Auth)
				}
			}
		})
	}
}

// TestRoleFlowRefusal: STS refusing the role fails the call before any ECD
// request, with an exchange error that is not retried.
func TestRoleFlowRefusal(t *testing.T) {
	m := clienttest.Start(t)
	sts := m.ServeTLS(t)
	client := newTestClient(t, m.URL, func(cfg *Config) {
		cfg.AssumeRole, cfg.STSEndpoint = &AssumeRole{RoleArn: "acs:ram::1234567890123456:role/nobody"}, sts
	})
	_, err := client.ListDesktops(context.Background(), fleet.ListFilter{})
	if !errors.Is(err, ErrCredentialExchange) || !strings.Contains(err.Error(), "EntityNotExist.Role") {
		t.Fatalf("err = %v, want an exchange error with STS's code", err)
	}
	var ce *fleet.CloudError
	if !errors.As(err, &ce) || ce.Retryable {
		t.Errorf("err = %#v, want a CloudError that is not retried", err)
	}
	if n := len(m.CallsTo(ali, "AssumeRole")); n != 1 {
		t.Errorf("%d AssumeRole calls, want 1", n)
	}
	if n := len(m.CallsTo(ali, "DescribeDesktops")); n != 0 {
		t.Errorf("%d DescribeDesktops calls reached ECD, want none", n)
	}
}

// TestRoleFlowRetriesTransientSTS: STS throttling the exchange, or a
// gateway answering for it, fails nothing: no ECD request was sent, so the
// call is retried, and the next exchange succeeds.
func TestRoleFlowRetriesTransientSTS(t *testing.T) {
	for _, fault := range []mockcloud.Fault{
		{Cloud: ali, Operation: "AssumeRole", Kind: mockcloud.FaultThrottle, Count: 1},
		{Cloud: ali, Operation: "AssumeRole", Kind: mockcloud.FaultHTML, Status: 502, Count: 1},
	} {
		t.Run(string(fault.Kind), func(t *testing.T) {
			m := clienttest.Start(t)
			m.SeedFleet(ali, mockcloud.DemoAlibabaRegion, "role", 2)
			sts := m.ServeTLS(t)
			m.InjectFault(fault)
			client := newTestClient(t, m.URL, func(cfg *Config) {
				cfg.AssumeRole, cfg.STSEndpoint = &AssumeRole{RoleArn: mockcloud.DemoAlibabaRoleArn}, sts
			})
			if _, err := client.ListDesktops(context.Background(), fleet.ListFilter{}); err != nil {
				t.Fatal(err)
			}
			if n := len(m.CallsTo(ali, "AssumeRole")); n != 2 {
				t.Errorf("%d AssumeRole calls, want 2 (one refused, one retried)", n)
			}
			if n := len(m.CallsTo(ali, "DescribeDesktops")); n != 1 {
				t.Errorf("%d DescribeDesktops calls, want 1", n)
			}
		})
	}
}

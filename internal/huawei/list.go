package huawei

import (
	"context"
	"slices"

	workspace "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2/model"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
)

const (
	// pageLimit is both the page size and the most desktop_id values one
	// ListDesktopsDetail call carries.
	pageLimit = 100
	// maxPages stops a server that never reports the end; a million
	// desktops is far beyond any one project.
	maxPages = 10000
)

var _ fleet.DesktopLister = (*Client)(nil)

// ListDesktops pages through every desktop of the project, or only those in
// f.IDs (asked for in chunks of 100).
func (c *Client) ListDesktops(ctx context.Context, f fleet.ListFilter) ([]fleet.Desktop, error) {
	ctx = c.logCtx(ctx)
	var states []desktopState
	var err error
	if len(f.IDs) == 0 {
		states, err = c.listPages(ctx, nil, nil)
	} else {
		states, err = c.listIDs(ctx, f.IDs, nil)
	}
	if err != nil {
		return nil, err
	}
	out := make([]fleet.Desktop, 0, len(states))
	for _, s := range states {
		out = append(out, fleet.Desktop{ID: s.ID, Name: s.Name, Status: s.Fleet(), NativeStatus: s.Native()})
	}
	return out, nil
}

// describe returns the listed state of each of ids; a desktop missing from
// the map was not listed (it does not exist, or no longer).
func (c *Client) describe(ctx context.Context, ids []string, reqIDs *[]string) (map[string]desktopState, error) {
	states, err := c.listIDs(ctx, ids, reqIDs)
	if err != nil {
		return nil, err
	}
	m := make(map[string]desktopState, len(states))
	for _, s := range states {
		m[s.ID] = s
	}
	return m, nil
}

// listIDs lists only ids, 100 to a call. Desktops the server returns but we
// did not ask for are dropped, in case a server ignores the filter.
func (c *Client) listIDs(ctx context.Context, ids []string, reqIDs *[]string) ([]desktopState, error) {
	want := make(map[string]bool, len(ids))
	var unique []string
	for _, id := range ids {
		if !want[id] {
			want[id] = true
			unique = append(unique, id)
		}
	}
	var out []desktopState
	for chunk := range slices.Chunk(unique, pageLimit) {
		states, err := c.listPages(ctx, chunk, reqIDs)
		if err != nil {
			return nil, err
		}
		for _, s := range states {
			if want[s.ID] {
				out = append(out, s)
			}
		}
	}
	return out, nil
}

// listPages pages with offset/limit until total_count is reached. It also
// stops on an empty page or a page with nothing new, so a server with a
// wrong total or one that ignores offset cannot keep us looping.
func (c *Client) listPages(ctx context.Context, filter []string, reqIDs *[]string) ([]desktopState, error) {
	seen := make(map[string]bool)
	var out []desktopState
	offset := 0
	for range maxPages {
		req := &model.ListDesktopsDetailRequest{
			Offset: ptr(int32(offset)),
			Limit:  ptr(int32(pageLimit)),
		}
		if len(filter) > 0 {
			req.DesktopId = ptr(slices.Clone(filter))
		}
		var resp *model.ListDesktopsDetailResponse
		err := c.retry.Do(ctx, opList, func(ctx context.Context) error {
			_, err := c.invoke(ctx, opList, filter, reqIDs, func(ws *workspace.WorkspaceClient) error {
				r, err := ws.ListDesktopsDetail(req)
				resp = r
				return err
			})
			return err
		})
		if err != nil {
			return nil, err
		}

		var page []model.DesktopDetailInfo
		if resp.Desktops != nil {
			page = *resp.Desktops
		}
		fresh := 0
		for _, d := range page {
			id := deref(d.DesktopId)
			if id == "" || seen[id] {
				continue
			}
			seen[id] = true
			fresh++
			out = append(out, desktopState{
				ID:     id,
				Name:   deref(d.ComputerName),
				Status: deref(d.Status),
				Task:   deref(d.TaskStatus),
			})
		}
		offset += len(page)

		if len(page) == 0 || fresh == 0 {
			break
		}
		if resp.TotalCount != nil {
			if offset >= int(*resp.TotalCount) {
				break
			}
		} else if len(page) < pageLimit {
			break
		}
	}
	return out, nil
}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

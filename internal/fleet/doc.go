// Package fleet is the cloud-neutral vocabulary the provider speaks: desktops,
// batches of desktops, the actions taken on a batch, and what came of them.
//
// Each cloud package (internal/alibaba, internal/huawei) implements BatchAction
// and DesktopLister over its own wire format; the provider only sees this
// package, so a third cloud is a new package rather than edits everywhere.
package fleet

// Package clienttest is what the tests of the two cloud clients
// (internal/alibaba, internal/huawei) share: the mock cloud of
// internal/mockcloud served for one test, the moments a test acts at, and
// small helpers to read outcomes and logs. Only tests import it.
//
// The tests that are the same for both clouds live beside it, in
// clouds_test.go and its neighbours, as tables run for each cloud.
package clienttest

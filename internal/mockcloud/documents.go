package mockcloud

// The example values of the two API documents the product started from
// (../shared/api-docs/), as written there, masked "****" parts included.
// Tests send them through the provider and the clients: every one of them
// must be accepted.

// AlibabaRebootExample holds the parameter examples of the Alibaba
// RebootDesktops document (client API 2020-10-02,
// alibaba-ecd-RebootDesktops-2020-10-02.txt).
var AlibabaRebootExample = struct {
	RegionID, ClientID, SessionID, LoginToken, ClientOS, ClientVersion string
	DesktopID, ClientToken, SessionToken, UUID, RequestID              string
}{
	RegionID:      "cn-hangzhou",
	ClientID:      "f4a0dc8e-1702-4728-9a60-95b27a35****",
	SessionID:     "cd45e873-650d-4d70-acb9-f996187a****",
	LoginToken:    "v18101ac6a9e69c66b04a163031680463660b4b216cd758f34b60b9ad6a7c7f7334b83dd8f75eef4209c68f9f1080b****",
	ClientOS:      "Windows_NT 10.0.18363 x64",
	ClientVersion: "2.1.0-R-20210731.151756",
	DesktopID:     "ecd-7w78ozhjcwa3u****",
	ClientToken:   "40401e62-5caf-4508-8de7-bf98af12****",
	SessionToken:  "04b7b80a0b020715c5c1b4175fc4771698****9e2a759557a4624665fd53ae40",
	UUID:          "91761ED27169E2FC564F29388E2D****",
	RequestID:     "1CBAFFAB-B697-4049-A9B1-67E1FC5F****",
}

// HuaweiBatchDeleteExample holds the examples of the Huawei batch-delete
// document (huawei-workspace-batch-delete-desktops.txt): the request's
// desktop IDs and the job ID of the 202 answer.
var HuaweiBatchDeleteExample = struct {
	DesktopIDs []string
	JobID      string
}{
	DesktopIDs: []string{"1d81c1dc-312b-4621-b778-bac3a1336442", "34e25501-fd50-42b5-97ca-f4c5bb7b09b0"},
	JobID:      "abc85365-0b2e-4b4f-a091-f7db72072d4b",
}

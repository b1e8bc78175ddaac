//go:build generate

// Package tools holds the `go generate` steps of `make generate`. The
// generators themselves are pinned as tool directives in this directory's
// go.mod, a module of its own, so they stay out of the provider's module
// graph; `go tool` runs them at those versions.
package tools

// Format Terraform code for use in documentation.
//go:generate terraform fmt -recursive ../examples/

// Generate documentation.
//go:generate go tool tfplugindocs generate --provider-dir .. --provider-name clouddesktop

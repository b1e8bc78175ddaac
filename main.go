package main

import (
	"context"
	"flag"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/provider"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/secretfile"
)

// version is set by goreleaser at release time.
var version = "dev"

// stopProfile ends the CPU profile a `-tags profile` build writes
// (profile.go); otherwise there is none.
var stopProfile = func() {}

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()
	quietUnwantedLogs(os.Getenv, os.Setenv)
	tuneGC(os.Getenv)

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/clouddesktop/clouddesktop",
		Debug:   debug,
	})
	stopProfile()
	// Terraform has stopped the provider: no secret it wrote to a file
	// for an SDK may outlive it.
	if rmErr := secretfile.RemoveAll(); rmErr != nil {
		log.Print(rmErr.Error())
	}
	if err != nil {
		log.Fatal(err.Error())
	}
}

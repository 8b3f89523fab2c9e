// Command kube-apiserver is the upstream Kubernetes API server, built from the
// published k8s.io/kubernetes module so the integration tests run against the
// real thing without a container image.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	os.Exit(cli.Run(app.NewAPIServerCommand()))
}

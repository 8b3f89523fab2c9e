module github.com/cellplane/cellplane/tools/kube-testenv/crds

go 1.26.0

// Not imported: the test environment reads the CRD manifests these modules publish.
require (
	github.com/cilium/cilium v1.20.2
	github.com/envoyproxy/gateway v1.9.1
	istio.io/api v1.31.1
	sigs.k8s.io/gateway-api v1.6.3
)

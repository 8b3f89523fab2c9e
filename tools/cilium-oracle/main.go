// Command cilium-oracle answers CiliumNetworkPolicy reachability questions
// with Cilium's own policy engine: the agent's parsing
// (CiliumNetworkPolicy.Parse, which sanitizes each rule), its conversion into
// policy entries (policyutils.RulesToPolicyEntries), its policy repository
// and selector cache, and the flow lookup Cilium's own policy tests use
// (the calls policy.LookupFlow makes, with each endpoint's policy computed and
// distilled once per cluster instead of once per flow): the source's egress
// and the destination's ingress verdict, as the datapath would get them.
// Egress named ports resolve over every pod's named ports, as the agent's
// ipcache resolves them. L3/L4 only:
// the HTTP part of a rule lives in cilium-envoy, not here.
//
// Input (stdin): one JSON case per line,
//
//	{"id": "...", "namespaces": [Namespace], "pods": [Pod],
//	 "externals": ["203.0.113.7"],
//	 "policies": [CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy],
//	 "probes": [{"port": 80, "protocol": "TCP"}]}
//
// Output (stdout): one JSON line per case, in input order,
//
//	{"id": "...", "endpoints": ["ns/name", ..., "203.0.113.7"],
//	 "rejected": [{"policy": "ns/name", "error": "..."}],
//	 "verdicts": [{"port": 80, "protocol": "TCP", "allowed": ["-10", "1-1", "00-"]}]}
//
// allowed[i][j] is '1' when endpoints[i] may open a connection to
// endpoints[j] (the source's egress and the destination's ingress both
// allow), '0' when not, '-' where it is not asked (itself; one external to
// another). Pods get the identity the agent gives them: their labels, their
// namespace, service account, cluster and namespace labels, all with the k8s
// source; externals get the CIDR identity of their address (/32 or /128).
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/netip"
	"os"
	"strings"

	cmtypes "github.com/cilium/cilium/pkg/clustermesh/types"
	"github.com/cilium/cilium/pkg/endpoint/regeneration"
	"github.com/cilium/cilium/pkg/identity"
	"github.com/cilium/cilium/pkg/identity/identitymanager"
	k8sConst "github.com/cilium/cilium/pkg/k8s/apis/cilium.io"
	ciliumv2 "github.com/cilium/cilium/pkg/k8s/apis/cilium.io/v2"
	"github.com/cilium/cilium/pkg/labels"
	"github.com/cilium/cilium/pkg/policy"
	"github.com/cilium/cilium/pkg/policy/api"
	policyutils "github.com/cilium/cilium/pkg/policy/utils"
	testidentity "github.com/cilium/cilium/pkg/testutils/identity"
	testpolicy "github.com/cilium/cilium/pkg/testutils/policy"
	ciliumtypes "github.com/cilium/cilium/pkg/types"
	"github.com/cilium/cilium/pkg/u8proto"
	v1 "k8s.io/api/core/v1"
)

// clusterName is the agent's default cluster name; with the default
// policy-default-local-cluster, selectors are limited to it.
const clusterName = "default"

type probe struct {
	Port     uint16 `json:"port"`
	Protocol string `json:"protocol"`
}

type input struct {
	ID         string                         `json:"id"`
	Namespaces []v1.Namespace                 `json:"namespaces"`
	Pods       []v1.Pod                       `json:"pods"`
	Externals  []string                       `json:"externals"`
	Policies   []ciliumv2.CiliumNetworkPolicy `json:"policies"`
	Probes     []probe                        `json:"probes"`
}

type problem struct {
	Policy string `json:"policy"`
	Error  string `json:"error"`
}

type verdict struct {
	Port     uint16   `json:"port"`
	Protocol string   `json:"protocol"`
	Allowed  []string `json:"allowed"`
}

type output struct {
	ID        string    `json:"id"`
	Endpoints []string  `json:"endpoints,omitempty"`
	Rejected  []problem `json:"rejected"`
	Verdicts  []verdict `json:"verdicts,omitempty"`
	Error     string    `json:"error,omitempty"`
}

type endpoint struct {
	name     string
	identity *identity.Identity
	external bool
	tcp, udp map[string]uint16
	ports    ciliumtypes.NamedPortMap
	policy   *policy.EndpointPolicy
}

// owner is the endpoint a policy is distilled for, as policy.LookupFlow's
// endpointInfo is: its own named ports resolve ingress rules.
type owner struct{ ep *endpoint }

func (o owner) GetID() uint64 { return uint64(o.ep.identity.ID) }
func (o owner) GetIngressNamedPort(name string, proto u8proto.U8proto) uint16 {
	switch proto {
	case u8proto.TCP:
		return o.ep.tcp[name]
	case u8proto.UDP:
		return o.ep.udp[name]
	}
	return 0
}
func (o owner) PolicyDebug(string, ...any)                  {}
func (o owner) IsHost() bool                                { return false }
func (o owner) PreviousMapStateSizes() policy.MapStateSizes { return policy.MapStateSizes{} }
func (o owner) RegenerateIfAlive(*regeneration.ExternalRegenerationMetadata) <-chan bool {
	ch := make(chan bool)
	close(ch)
	return ch
}

// namedPorts answers egress named-port lookups from every pod's named ports,
// as the agent's ipcache does.
type namedPorts struct{ m ciliumtypes.NamedPortMultiMap }

func (n namedPorts) GetNamedPorts() ciliumtypes.NamedPortMultiMap { return n.m }

// podLabels are the labels the agent derives a pod's security identity from.
func podLabels(pod v1.Pod, namespaces map[string]v1.Namespace) labels.LabelArray {
	lbls := labels.Labels{}
	add := func(k, v string) { lbls[k] = labels.NewLabel(k, v, labels.LabelSourceK8s) }
	for k, v := range pod.Labels {
		add(k, v)
	}
	add(k8sConst.PodNamespaceLabel, pod.Namespace)
	sa := pod.Spec.ServiceAccountName
	if sa == "" {
		sa = "default"
	}
	add(k8sConst.PolicyLabelServiceAccount, sa)
	add(k8sConst.PolicyLabelCluster, clusterName)
	nsLabels := map[string]string{"kubernetes.io/metadata.name": pod.Namespace}
	for k, v := range namespaces[pod.Namespace].Labels {
		nsLabels[k] = v
	}
	for k, v := range nsLabels {
		add(k8sConst.PodNamespaceMetaLabelsPrefix+k, v)
	}
	return lbls.LabelArray()
}

func protocolOf(name string) (u8proto.U8proto, error) {
	switch strings.ToUpper(name) {
	case "TCP":
		return u8proto.TCP, nil
	case "UDP":
		return u8proto.UDP, nil
	case "SCTP":
		return u8proto.SCTP, nil
	}
	return 0, fmt.Errorf("unknown protocol %q", name)
}

func answer(logger *slog.Logger, in input) (out output) {
	out = output{ID: in.ID, Rejected: []problem{}}
	defer func() {
		if r := recover(); r != nil {
			out = output{ID: in.ID, Error: fmt.Sprintf("panic: %v", r)}
		}
	}()
	namespaces := map[string]v1.Namespace{}
	for _, ns := range in.Namespaces {
		namespaces[ns.Name] = ns
	}
	var endpoints []endpoint
	idmap := identity.IdentityMap{}
	for i, pod := range in.Pods {
		id := identity.NewIdentityFromLabelArray(identity.NumericIdentity(1000+i), podLabels(pod, namespaces))
		ep := endpoint{name: pod.Namespace + "/" + pod.Name, identity: id, tcp: map[string]uint16{}, udp: map[string]uint16{}, ports: ciliumtypes.NamedPortMap{}}
		for _, c := range pod.Spec.Containers {
			for _, p := range c.Ports {
				if p.Name == "" {
					continue
				}
				protocol := string(p.Protocol)
				if protocol == "" {
					protocol = "TCP"
				}
				if err := ep.ports.AddPort(p.Name, int(p.ContainerPort), protocol); err != nil {
					return output{ID: in.ID, Error: fmt.Sprintf("%s: port %s: %v", ep.name, p.Name, err)}
				}
				switch p.Protocol {
				case v1.ProtocolUDP:
					ep.udp[p.Name] = uint16(p.ContainerPort)
				case v1.ProtocolSCTP:
				default:
					ep.tcp[p.Name] = uint16(p.ContainerPort)
				}
			}
		}
		endpoints = append(endpoints, ep)
		idmap[id.ID] = id.LabelArray
	}
	for i, ip := range in.Externals {
		addr, err := netip.ParseAddr(ip)
		if err != nil {
			return output{ID: in.ID, Error: err.Error()}
		}
		// CIDR identities are local-scoped numbers, as the agent allocates them.
		id := identity.NewIdentityFromLabelArray(identity.NumericIdentity(identity.IdentityScopeLocal)|identity.NumericIdentity(1+i), labels.GetCIDRLabels(netip.PrefixFrom(addr, addr.BitLen())).LabelArray())
		endpoints = append(endpoints, endpoint{name: ip, identity: id, external: true})
		idmap[id.ID] = id.LabelArray
	}

	idManager := identitymanager.NewIDManager(logger)
	repo := policy.NewPolicyRepository(logger, idmap, nil, nil, idManager, testpolicy.NewPolicyMetricsNoop())
	repo.GetSelectorCache().SetLocalIdentityNotifier(testidentity.NewDummyIdentityNotifier())
	idManager.Subscribe(testpolicy.SelectorCacheObserver{Cache: repo.GetSubjectSelectorCache()})
	ports := ciliumtypes.NewNamedPortMultiMap()
	for _, ep := range endpoints {
		if !ep.external {
			ports.Update(ep.identity.ID, nil, ep.ports)
		}
	}
	repo.SetNamedPortsGetter(namedPorts{ports})

	for _, cnp := range in.Policies {
		ref := cnp.Name
		if cnp.Namespace != "" {
			ref = cnp.Namespace + "/" + cnp.Name
		}
		rules, err := cnp.Parse(logger, cmtypes.LocalClusterNameForPolicies(cmtypes.DefaultPolicyConfig, clusterName))
		if err != nil {
			out.Rejected = append(out.Rejected, problem{Policy: ref, Error: err.Error()})
			continue
		}
		repo.MustAddPolicyEntries(policyutils.RulesToPolicyEntries(rules))
	}

	// What policy.LookupFlow does for each flow, once per endpoint: compute the
	// identity's selector policy and distil it for the endpoint (both directions).
	for i := range endpoints {
		ep := &endpoints[i]
		out.Endpoints = append(out.Endpoints, ep.name)
		idManager.Add(ep.identity)
		selPol, _, err := repo.ComputeSelectorPolicy(ep.identity)
		if err != nil {
			return output{ID: in.ID, Error: fmt.Sprintf("%s: %v", ep.name, err)}
		}
		ep.policy = selPol.DistillPolicy(logger, owner{ep}, map[string]uint16{policy.FallbackRedirectID: math.MaxUint16})
		ep.policy.Ready()
		ep.policy.Detach(logger)
		selPol.Supersede()
	}
	for _, pr := range in.Probes {
		proto, err := protocolOf(pr.Protocol)
		if err != nil {
			return output{ID: in.ID, Error: err.Error()}
		}
		v := verdict{Port: pr.Port, Protocol: pr.Protocol}
		for _, from := range endpoints {
			row := make([]byte, len(endpoints))
			for j, to := range endpoints {
				if from.identity == to.identity || (from.external && to.external) {
					row[j] = '-'
					continue
				}
				// An external endpoint runs no Cilium policy: only the pod's side decides.
				egress, ingress := true, true
				if !from.external {
					entry, _, _ := from.policy.Lookup(policy.EgressKey().WithIdentity(to.identity.ID).WithPortProto(proto, pr.Port))
					egress = !entry.IsDeny()
				}
				if !to.external {
					entry, _, _ := to.policy.Lookup(policy.IngressKey().WithIdentity(from.identity.ID).WithPortProto(proto, pr.Port))
					ingress = !entry.IsDeny()
				}
				if egress && ingress {
					row[j] = '1'
				} else {
					row[j] = '0'
				}
			}
			v.Allowed = append(v.Allowed, string(row))
		}
		out.Verdicts = append(out.Verdicts, v)
	}
	return out
}

func run(r io.Reader, w io.Writer) error {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	api.InitEntities(clusterName)
	scanner := bufio.NewScanner(r)
	scanner.Buffer(make([]byte, 1024*1024), 64*1024*1024)
	writer := bufio.NewWriter(w)
	defer writer.Flush()
	encoder := json.NewEncoder(writer)
	for scanner.Scan() {
		line := scanner.Bytes()
		if len(line) == 0 {
			continue
		}
		var in input
		if err := json.Unmarshal(line, &in); err != nil {
			return fmt.Errorf("bad input line: %w", err)
		}
		if err := encoder.Encode(answer(logger, in)); err != nil {
			return err
		}
		if err := writer.Flush(); err != nil {
			return err
		}
	}
	return scanner.Err()
}

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "cilium-oracle:", err)
		os.Exit(1)
	}
}

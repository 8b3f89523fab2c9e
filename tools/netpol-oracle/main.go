// Command netpol-oracle answers NetworkPolicy reachability questions with
// cyclonus's policy engine (github.com/mattfenwick/cyclonus/pkg/matcher), an
// implementation independent of Cellplane's analyzer, for differential tests.
//
// Input (stdin): one JSON case per line,
//
//	{"id": "...", "namespaces": [Namespace], "pods": [Pod],
//	 "networkPolicies": [NetworkPolicy], "probes": [{"port": 80, "protocol": "TCP"}]}
//
// Output (stdout): one JSON line per case, in input order,
//
//	{"id": "...", "pods": ["ns/name", ...],
//	 "verdicts": [{"port": 80, "protocol": "TCP", "allowed": ["-10", "1-1", "00-"]}]}
//
// where allowed[i][j] is '1' when traffic from pods[i] to pods[j] is allowed,
// '0' when denied and '-' on the diagonal (cyclonus has no self-traffic
// exemption, so self traffic is not asked). A case cyclonus cannot evaluate
// gets {"id": "...", "error": "..."} instead of crashing the run.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/mattfenwick/cyclonus/pkg/matcher"
	v1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
)

// namespaceNameLabel is set on every namespace by the API server.
const namespaceNameLabel = "kubernetes.io/metadata.name"

type probe struct {
	Port     int         `json:"port"`
	Protocol v1.Protocol `json:"protocol"`
}

type input struct {
	ID              string                       `json:"id"`
	Namespaces      []v1.Namespace               `json:"namespaces"`
	Pods            []v1.Pod                     `json:"pods"`
	NetworkPolicies []networkingv1.NetworkPolicy `json:"networkPolicies"`
	Probes          []probe                      `json:"probes"`
}

type verdict struct {
	Port     int         `json:"port"`
	Protocol v1.Protocol `json:"protocol"`
	Allowed  []string    `json:"allowed"`
}

type output struct {
	ID       string    `json:"id"`
	Pods     []string  `json:"pods,omitempty"`
	Verdicts []verdict `json:"verdicts,omitempty"`
	Error    string    `json:"error,omitempty"`
}

// applyDefaults does what the API server's defaulting does before cyclonus
// sees a policy (cyclonus expects stored objects and panics without
// policyTypes): a port's protocol defaults to TCP; policyTypes left out (or
// empty) become [Ingress], plus Egress only when egress holds at least one rule.
func applyDefaults(policy *networkingv1.NetworkPolicy) {
	tcp := v1.ProtocolTCP
	for i := range policy.Spec.Ingress {
		for j := range policy.Spec.Ingress[i].Ports {
			if policy.Spec.Ingress[i].Ports[j].Protocol == nil {
				policy.Spec.Ingress[i].Ports[j].Protocol = &tcp
			}
		}
	}
	for i := range policy.Spec.Egress {
		for j := range policy.Spec.Egress[i].Ports {
			if policy.Spec.Egress[i].Ports[j].Protocol == nil {
				policy.Spec.Egress[i].Ports[j].Protocol = &tcp
			}
		}
	}
	if len(policy.Spec.PolicyTypes) == 0 {
		policy.Spec.PolicyTypes = []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}
		if len(policy.Spec.Egress) != 0 {
			policy.Spec.PolicyTypes = append(policy.Spec.PolicyTypes, networkingv1.PolicyTypeEgress)
		}
	}
	if policy.Namespace == "" {
		policy.Namespace = "default"
	}
}

// resolvePortName is the name of the destination pod's container port with
// this number and protocol, or "" (cyclonus leaves named ports to the caller).
func resolvePortName(pod *v1.Pod, port int, protocol v1.Protocol) string {
	for _, c := range pod.Spec.Containers {
		for _, p := range c.Ports {
			proto := p.Protocol
			if proto == "" {
				proto = v1.ProtocolTCP
			}
			if int(p.ContainerPort) == port && proto == protocol {
				return p.Name
			}
		}
	}
	return ""
}

func hasIPBlock(policies []networkingv1.NetworkPolicy) bool {
	for _, p := range policies {
		for _, r := range p.Spec.Ingress {
			for _, peer := range r.From {
				if peer.IPBlock != nil {
					return true
				}
			}
		}
		for _, r := range p.Spec.Egress {
			for _, peer := range r.To {
				if peer.IPBlock != nil {
					return true
				}
			}
		}
	}
	return false
}

func evaluate(in *input) (out output) {
	out.ID = in.ID
	// cyclonus panics on malformed input; report it for this case and go on.
	defer func() {
		if r := recover(); r != nil {
			out = output{ID: in.ID, Error: fmt.Sprintf("cyclonus panicked: %v", r)}
		}
	}()

	nsLabels := map[string]map[string]string{}
	for _, ns := range in.Namespaces {
		labels := map[string]string{}
		for k, v := range ns.Labels {
			labels[k] = v
		}
		labels[namespaceNameLabel] = ns.Name
		nsLabels[ns.Name] = labels
	}
	ipBlocks := hasIPBlock(in.NetworkPolicies)
	peers := make([]*matcher.TrafficPeer, len(in.Pods))
	for i := range in.Pods {
		pod := &in.Pods[i]
		if pod.Namespace == "" {
			pod.Namespace = "default"
		}
		labels, ok := nsLabels[pod.Namespace]
		if !ok {
			// A namespace the input does not list still carries its name label.
			labels = map[string]string{namespaceNameLabel: pod.Namespace}
			nsLabels[pod.Namespace] = labels
		}
		if ipBlocks && pod.Status.PodIP == "" {
			// cyclonus panics matching an ipBlock against a peer without an IP.
			return output{ID: in.ID, Error: fmt.Sprintf("pod %s/%s has no status.podIP and a policy has an ipBlock", pod.Namespace, pod.Name)}
		}
		podLabels := pod.Labels
		if podLabels == nil {
			podLabels = map[string]string{}
		}
		peers[i] = &matcher.TrafficPeer{
			Internal: &matcher.InternalPeer{PodLabels: podLabels, NamespaceLabels: labels, Namespace: pod.Namespace},
			IP:       pod.Status.PodIP,
		}
		out.Pods = append(out.Pods, pod.Namespace+"/"+pod.Name)
	}

	policies := make([]*networkingv1.NetworkPolicy, len(in.NetworkPolicies))
	for i := range in.NetworkPolicies {
		applyDefaults(&in.NetworkPolicies[i])
		policies[i] = &in.NetworkPolicies[i]
	}
	engine := matcher.BuildNetworkPolicies(false, policies)

	for _, pr := range in.Probes {
		v := verdict{Port: pr.Port, Protocol: pr.Protocol}
		for i := range in.Pods {
			row := make([]byte, len(in.Pods))
			for j := range in.Pods {
				if i == j {
					row[j] = '-'
					continue
				}
				traffic := &matcher.Traffic{
					Source:           peers[i],
					Destination:      peers[j],
					ResolvedPort:     pr.Port,
					ResolvedPortName: resolvePortName(&in.Pods[j], pr.Port, pr.Protocol),
					Protocol:         pr.Protocol,
				}
				if engine.IsTrafficAllowed(traffic).IsAllowed() {
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

func run(stdin io.Reader, stdout io.Writer) error {
	scanner := bufio.NewScanner(stdin)
	scanner.Buffer(make([]byte, 1<<20), 64<<20)
	writer := bufio.NewWriter(stdout)
	defer writer.Flush()
	encoder := json.NewEncoder(writer)
	line := 0
	for scanner.Scan() {
		line++
		if len(scanner.Bytes()) == 0 {
			continue
		}
		var in input
		if err := json.Unmarshal(scanner.Bytes(), &in); err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		if err := encoder.Encode(evaluate(&in)); err != nil {
			return err
		}
		// Each answer goes out as soon as it is ready, so the caller can stream.
		if err := writer.Flush(); err != nil {
			return err
		}
	}
	return scanner.Err()
}

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "netpol-oracle: %v\n", err)
		os.Exit(1)
	}
}

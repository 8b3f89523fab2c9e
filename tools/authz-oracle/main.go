// Command authz-oracle turns Istio AuthorizationPolicies into the HTTP
// connection manager a waypoint runs for one Service, with Istio's own code:
// the validation webhook (pkg/config/validation) decides which policies the
// cluster would store, and the authorization builder istiod calls for a
// waypoint (pilot/pkg/security/authz/builder, UseFilterState) turns the
// stored ones into Envoy's RBAC filters. A real Envoy then answers requests
// against that configuration (tools/authz-oracle/run.ts does that part).
//
// Input (stdin): one JSON case per line,
//
//	{"id": "...", "policies": [AuthorizationPolicy manifest, ...]}
//
// where every policy is one that attaches to the Service's waypoint (which
// policies attach is decided elsewhere in istiod; the caller feeds those).
//
// Output (stdout): one JSON line per case, in input order,
//
//	{"id": "...", "rejected": [{"policy": "ns/name", "error": "..."}],
//	 "skipped": [{"policy": "ns/name", "rule": 0, "error": "..."}],
//	 "filter": <the envoy.filters.network.http_connection_manager filter>}
//
// rejected: policies the admission webhook refuses (never stored, so never
// enforced). skipped: rules the builder leaves out of the RBAC config (it only
// logs them). filter: the HCM with, in order, a set_filter_state filter that
// copies the request header x-cellplane-peer-principal into the filter state
// key io.istio.peer_principal (where a waypoint keeps the HBONE peer's URI
// SAN), Istio's RBAC filters, and a router answering 200 to every request
// (with the path as Envoy saw it in x-cellplane-path). Path normalisation is
// set the way istiod sets it for the default mesh config.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"

	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	rbacpb "github.com/envoyproxy/go-control-plane/envoy/config/rbac/v3"
	route "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	sfsvalue "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/common/set_filter_state/v3"
	router "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/router/v3"
	sfs "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/set_filter_state/v3"
	hcm "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/wrapperspb"
	meshconfig "istio.io/api/mesh/v1alpha1"
	authpb "istio.io/api/security/v1beta1"
	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pilot/pkg/security/authz/builder"
	authzmodel "istio.io/istio/pilot/pkg/security/authz/model"
	"istio.io/istio/pilot/pkg/security/trustdomain"
	"istio.io/istio/pkg/config"
	"istio.io/istio/pkg/config/mesh"
	"istio.io/istio/pkg/config/schema/gvk"
	"istio.io/istio/pkg/config/validation"
	istiolog "istio.io/istio/pkg/log"
)

// PrincipalHeader carries the caller's identity (spiffe://...) in a test request.
const PrincipalHeader = "x-cellplane-peer-principal"

// trustDomain is the mesh's trust domain: Istio's default, and the analyzer's.
const trustDomain = "cluster.local"

type manifest struct {
	Metadata struct {
		Name        string            `json:"name"`
		Namespace   string            `json:"namespace"`
		Annotations map[string]string `json:"annotations"`
	} `json:"metadata"`
	Spec json.RawMessage `json:"spec"`
}

type input struct {
	ID       string     `json:"id"`
	Policies []manifest `json:"policies"`
}

type problem struct {
	Policy string `json:"policy"`
	Rule   *int   `json:"rule,omitempty"`
	Error  string `json:"error"`
}

type output struct {
	ID       string          `json:"id"`
	Rejected []problem       `json:"rejected"`
	Skipped  []problem       `json:"skipped"`
	Filter   json.RawMessage `json:"filter,omitempty"`
	Error    string          `json:"error,omitempty"`
}

func mustAny(m proto.Message) *anypb.Any {
	a, err := anypb.New(m)
	if err != nil {
		panic(err)
	}
	return a
}

// stored parses and validates each policy as the cluster would (the CRD's
// fields, then Istio's validating webhook) and sorts the stored ones by action.
func stored(policies []manifest, out *output) model.AuthorizationPoliciesResult {
	var result model.AuthorizationPoliciesResult
	for _, m := range policies {
		ref := m.Metadata.Namespace + "/" + m.Metadata.Name
		spec := &authpb.AuthorizationPolicy{}
		raw := m.Spec
		if len(raw) == 0 {
			raw = []byte("{}")
		}
		if err := protojson.Unmarshal(raw, spec); err != nil {
			out.Rejected = append(out.Rejected, problem{Policy: ref, Error: err.Error()})
			continue
		}
		cfg := config.Config{
			Meta: config.Meta{GroupVersionKind: gvk.AuthorizationPolicy, Name: m.Metadata.Name, Namespace: m.Metadata.Namespace, Annotations: m.Metadata.Annotations},
			Spec: spec,
		}
		if _, err := validation.ValidateAuthorizationPolicy(cfg); err != nil {
			out.Rejected = append(out.Rejected, problem{Policy: ref, Error: err.Error()})
			continue
		}
		p := model.AuthorizationPolicy{Name: m.Metadata.Name, Namespace: m.Metadata.Namespace, Annotations: m.Metadata.Annotations, Spec: spec}
		switch spec.Action {
		case authpb.AuthorizationPolicy_ALLOW:
			result.Allow = append(result.Allow, p)
		case authpb.AuthorizationPolicy_DENY:
			result.Deny = append(result.Deny, p)
		case authpb.AuthorizationPolicy_AUDIT:
			result.Audit = append(result.Audit, p)
		default:
			result.Custom = append(result.Custom, p)
		}
	}
	return result
}

// skippedRules reports the rules the builder leaves out (it only logs them),
// with the same calls the builder makes for each rule.
func skippedRules(policies []model.AuthorizationPolicy, action rbacpb.RBAC_Action, bundle trustdomain.Bundle, out *output) {
	for _, p := range policies {
		for i, rule := range p.Spec.Rules {
			index := i
			ref := p.Namespace + "/" + p.Name
			if rule == nil {
				out.Skipped = append(out.Skipped, problem{Policy: ref, Rule: &index, Error: "nil rule"})
				continue
			}
			m, err := authzmodel.New(p.NamespacedName(), rule)
			if err == nil {
				m.MigrateTrustDomain(bundle)
				_, err = m.Generate(false, false, action)
			}
			if err != nil {
				out.Skipped = append(out.Skipped, problem{Policy: ref, Rule: &index, Error: err.Error()})
			}
		}
	}
}

// principalFilter copies the test header into the filter state key where a
// waypoint keeps the HBONE peer's identity (istiod sets it from
// %DOWNSTREAM_PEER_URI_SAN% with the envoy.string factory). No header: no
// principal, as for a caller without identity.
func principalFilter() *hcm.HttpFilter {
	config := &sfs.Config{OnRequestHeaders: []*sfsvalue.FilterStateValue{{
		Key:        &sfsvalue.FilterStateValue_ObjectKey{ObjectKey: "io.istio.peer_principal"},
		FactoryKey: "envoy.string",
		Value: &sfsvalue.FilterStateValue_FormatString{FormatString: &core.SubstitutionFormatString{
			Format:          &core.SubstitutionFormatString_TextFormatSource{TextFormatSource: &core.DataSource{Specifier: &core.DataSource_InlineString{InlineString: "%REQ(" + PrincipalHeader + ")%"}}},
			OmitEmptyValues: true,
		}},
		SkipIfEmpty: true,
	}}}
	return &hcm.HttpFilter{Name: "envoy.filters.http.set_filter_state", ConfigType: &hcm.HttpFilter_TypedConfig{TypedConfig: mustAny(config)}}
}

// applyPathNormalization sets what istiod's buildHTTPConnectionManager
// (pilot/pkg/networking/core/listener_builder.go) sets for the mesh config's
// pathNormalization; waypoints get no ConnectionSettings profile by default.
func applyPathNormalization(c *hcm.HttpConnectionManager, m *meshconfig.MeshConfig) {
	c.PathWithEscapedSlashesAction = hcm.HttpConnectionManager_KEEP_UNCHANGED
	switch m.GetPathNormalization().GetNormalization() {
	case meshconfig.MeshConfig_ProxyPathNormalization_NONE:
		c.NormalizePath = wrapperspb.Bool(false)
	case meshconfig.MeshConfig_ProxyPathNormalization_BASE, meshconfig.MeshConfig_ProxyPathNormalization_DEFAULT:
		c.NormalizePath = wrapperspb.Bool(true)
	case meshconfig.MeshConfig_ProxyPathNormalization_MERGE_SLASHES:
		c.NormalizePath = wrapperspb.Bool(true)
		c.MergeSlashes = true
	case meshconfig.MeshConfig_ProxyPathNormalization_DECODE_AND_MERGE_SLASHES:
		c.NormalizePath = wrapperspb.Bool(true)
		c.MergeSlashes = true
		c.PathWithEscapedSlashesAction = hcm.HttpConnectionManager_UNESCAPE_AND_FORWARD
	}
}

func connectionManager(id string, rbac []*hcm.HttpFilter) *listener.Filter {
	filters := append([]*hcm.HttpFilter{principalFilter()}, rbac...)
	filters = append(filters, &hcm.HttpFilter{Name: "envoy.filters.http.router", ConfigType: &hcm.HttpFilter_TypedConfig{TypedConfig: mustAny(&router.Router{})}})
	answer := &route.Route{
		Match:  &route.RouteMatch{PathSpecifier: &route.RouteMatch_Prefix{Prefix: "/"}},
		Action: &route.Route_DirectResponse{DirectResponse: &route.DirectResponseAction{Status: 200}},
		ResponseHeadersToAdd: []*core.HeaderValueOption{{
			Header: &core.HeaderValue{Key: "x-cellplane-path", Value: "%REQ(:PATH)%"},
		}},
	}
	c := &hcm.HttpConnectionManager{
		StatPrefix:     "authz_oracle",
		CodecType:      hcm.HttpConnectionManager_AUTO,
		HttpFilters:    filters,
		RouteSpecifier: &hcm.HttpConnectionManager_RouteConfig{RouteConfig: &route.RouteConfiguration{Name: id, VirtualHosts: []*route.VirtualHost{{Name: "service", Domains: []string{"*"}, Routes: []*route.Route{answer}}}}},
	}
	applyPathNormalization(c, mesh.DefaultMeshConfig())
	return &listener.Filter{Name: "envoy.filters.network.http_connection_manager", ConfigType: &listener.Filter_TypedConfig{TypedConfig: mustAny(c)}}
}

func answer(in input) (out output) {
	out = output{ID: in.ID, Rejected: []problem{}, Skipped: []problem{}}
	defer func() {
		if r := recover(); r != nil {
			out = output{ID: in.ID, Error: fmt.Sprintf("panic: %v", r)}
		}
	}()
	bundle := trustdomain.NewBundle(trustDomain, nil)
	policies := stored(in.Policies, &out)
	skippedRules(policies.Deny, rbacpb.RBAC_DENY, bundle, &out)
	skippedRules(policies.Allow, rbacpb.RBAC_ALLOW, bundle, &out)
	skippedRules(policies.Audit, rbacpb.RBAC_LOG, bundle, &out)
	if len(policies.Custom) > 0 {
		return output{ID: in.ID, Error: "CUSTOM policies need an external authorizer; the oracle does not run one"}
	}
	// The call istiod makes for a Service behind a waypoint (NewBuilderForService with useFilterState).
	var rbac []*hcm.HttpFilter
	if b := builder.New(bundle, nil, policies, builder.Option{UseFilterState: true}); b != nil {
		rbac = b.BuildHTTP()
	}
	filter, err := protojson.Marshal(connectionManager(in.ID, rbac))
	if err != nil {
		return output{ID: in.ID, Error: err.Error()}
	}
	out.Filter = filter
	return out
}

func run(r io.Reader, w io.Writer) error {
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
		if err := encoder.Encode(answer(in)); err != nil {
			return err
		}
		// One answer per line as soon as it is ready: the caller streams.
		if err := writer.Flush(); err != nil {
			return err
		}
	}
	return scanner.Err()
}

func main() {
	// The builder logs what it skips; skippedRules reports the same on stdout.
	for _, s := range istiolog.Scopes() {
		s.SetOutputLevel(istiolog.NoneLevel)
	}
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "authz-oracle:", err)
		os.Exit(1)
	}
}

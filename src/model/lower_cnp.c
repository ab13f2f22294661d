/* Lowering of ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2) into
 * the IR: spec.tier Admin or Baseline (first match by priority then rule
 * order in both), actions Accept, Deny, Pass; ports as `protocols:
 * [{tcp|udp|sctp: {destinationPort: {number} | {range: {start, end}}}} |
 * {destinationNamedPort: name}]`. */
#include <string.h>

#include "model/lower_admin_common.h"
#include "util/ctx.h"
#include "util/diag.h"

static const char *const protocol_keys[] = {"tcp", "udp", "sctp", "destinationNamedPort", NULL};
static const char *const proto_port_keys[] = {"destinationPort", NULL};
static const char *const dest_port_keys[] = {"number", "range", NULL};
static const char *const range_keys[] = {"start", "end", NULL};

static int parse_dest_port(npc_cluster *c, const npc_node *n, npc_port_match *out)
{
    const npc_pair *f = npc_admin_one_of(c, n, dest_port_keys, "a destinationPort");
    if (!f)
        return 0;
    if (npc_node_scalar_eq(f->key, "number")) {
        if (!npc_admin_port_number(c, f->value, "destinationPort.number", &out->lo))
            return 0;
        out->hi = out->lo;
        return 1;
    }
    const npc_node *r = f->value;
    if (r->kind != NPC_NODE_MAP) {
        npc_error(c->ctx, NPC203, npc_node_loc(r), "range must be a mapping, not a %s",
                  npc_node_type_name(r));
        return 0;
    }
    int ok = npc_admin_check_keys(c, r, range_keys, "a port range");
    const npc_node *start = npc_map_get(r, "start"), *end = npc_map_get(r, "end");
    if (!start || !end) {
        npc_error(c->ctx, NPC202, npc_node_loc(r), "a port range needs 'start' and 'end'");
        return 0;
    }
    ok &= npc_admin_port_number(c, start, "start", &out->lo);
    ok &= npc_admin_port_number(c, end, "end", &out->hi);
    if (ok && out->lo >= out->hi) {
        npc_error(c->ctx, NPC207, npc_node_loc(r),
                  "start port must be less than end port (start %u, end %u)", out->lo, out->hi);
        return 0;
    }
    return ok;
}

static int parse_protocol(npc_cluster *c, const npc_node *n, npc_port_match *out)
{
    memset(out, 0, sizeof *out);
    const npc_pair *f = npc_admin_one_of(c, n, protocol_keys, "a protocols entry");
    if (!f)
        return 0;
    const npc_node *v = f->value;
    if (npc_node_scalar_eq(f->key, "destinationNamedPort")) {
        const char *s;
        if (!npc_admin_string(c, v, "destinationNamedPort", &s))
            return 0;
        /* The protocol is the named container port's own. */
        out->proto_mask = NPC_PROTO_ALL_MASK;
        out->name = npc_intern(c->ctx->strings, s, v->u.scalar.len);
        return 1;
    }
    npc_proto proto = npc_node_scalar_eq(f->key, "tcp")   ? NPC_PROTO_TCP
                      : npc_node_scalar_eq(f->key, "udp") ? NPC_PROTO_UDP
                                                          : NPC_PROTO_SCTP;
    out->proto_mask = (uint8_t)(1u << proto);
    if (v->kind != NPC_NODE_MAP) {
        npc_error(c->ctx, NPC203, npc_node_loc(v), "%s must be a mapping, not a %s",
                  f->key->u.scalar.s, npc_node_type_name(v));
        return 0;
    }
    if (!npc_admin_check_keys(c, v, proto_port_keys, f->key->u.scalar.s))
        return 0;
    const npc_node *dp = npc_map_get(v, "destinationPort");
    if (npc_node_is_null(dp)) {
        /* minProperties: 1 — "all ports" is written as a range 1-65535 */
        npc_error(c->ctx, NPC202, npc_node_loc(v), "%s needs a destinationPort",
                  f->key->u.scalar.s);
        return 0;
    }
    return parse_dest_port(c, dp, out);
}

static const char *const ingress_rule_keys[] = {"name", "action", "from", "protocols", NULL};
static const char *const egress_rule_keys[] = {"name", "action", "to", "protocols", NULL};

static const npc_admin_dialect cnp_dialect = {
    .kind = NPC_KIND_CNP,
    .action_names = {[NPC_ACT_ALLOW] = "Accept", [NPC_ACT_DENY] = "Deny", [NPC_ACT_PASS] = "Pass"},
    .ports_key = "protocols",
    .rule_keys = {[NPC_DIR_INGRESS] = ingress_rule_keys, [NPC_DIR_EGRESS] = egress_rule_keys},
    .parse_port = parse_protocol,
    .pods_ns_required = 0,
    .max_rules = 25,
    .max_peers = 25,
    .max_ports = 25,
};

static const char *const spec_keys[] = {"tier", "priority", "subject", "ingress", "egress", NULL};

static int parse_tier(npc_cluster *c, const npc_node *spec, npc_policy *p)
{
    const npc_node *t = npc_map_get(spec, "tier");
    const char *s;
    if (!t) {
        npc_error(c->ctx, NPC202, npc_node_loc(spec), "spec.tier is required (Admin or Baseline)");
        return 0;
    }
    if (!npc_admin_string(c, t, "spec.tier", &s))
        return 0;
    if (strcmp(s, "Admin") == 0)
        p->layer = NPC_LAYER_ADMIN;
    else if (strcmp(s, "Baseline") == 0)
        p->layer = NPC_LAYER_BASELINE;
    else {
        npc_error(c->ctx, NPC211, npc_node_loc(t),
                  "unsupported tier '%s' (expected Admin or Baseline)", s);
        return 0;
    }
    return 1;
}

int npc_lower_cnp(npc_cluster *c, const npc_node *obj)
{
    npc_policy p;
    int ok;
    const npc_node *spec = npc_admin_begin(c, obj, &cnp_dialect, &p, &ok);
    if (!spec)
        return 0;
    ok &= npc_admin_check_keys(c, spec, spec_keys, "spec");
    ok &= parse_tier(c, spec, &p);
    ok &= npc_admin_priority(c, spec, &p);
    ok &= npc_admin_subject(c, spec, &cnp_dialect, &p);
    ok &= npc_admin_rules(c, spec, &cnp_dialect, &p);
    if (!ok)
        return 0;
    npc_admin_finish(c, &p);
    return 1;
}

/* Lowering of AdminNetworkPolicy and BaselineAdminNetworkPolicy
 * (policy.networking.k8s.io/v1alpha1, the final v0.1.5+ shape) into the IR.
 *
 * ANP: admin tier, first match by priority then rule order; actions Allow,
 * Deny, Pass. BANP: baseline tier, a single cluster object named "default";
 * actions Allow, Deny. Ports: [{portNumber: {port, protocol}} |
 * {namedPort: name} | {portRange: {start, end, protocol}}], protocol
 * defaulting to TCP. */
#include <string.h>

#include "model/lower_admin_common.h"
#include "util/ctx.h"
#include "util/diag.h"

static int parse_protocol(npc_cluster *c, const npc_node *obj, npc_port_match *out)
{
    const npc_node *pn = npc_map_get(obj, "protocol");
    npc_proto proto = NPC_PROTO_TCP; /* the CRD's default */
    if (pn && !npc_node_is_null(pn)) {
        const char *s;
        if (!npc_admin_string(c, pn, "protocol", &s))
            return 0;
        if (!npc_proto_parse(s, &proto)) {
            npc_error(c->ctx, NPC208, npc_node_loc(pn),
                      "invalid protocol '%s' (expected TCP, UDP or SCTP)", s);
            return 0;
        }
    }
    out->proto_mask = (uint8_t)(1u << proto);
    return 1;
}

static const char *const port_keys[] = {"portNumber", "namedPort", "portRange", NULL};
static const char *const port_number_keys[] = {"port", "protocol", NULL};
static const char *const port_range_keys[] = {"start", "end", "protocol", NULL};

static int parse_port(npc_cluster *c, const npc_node *n, npc_port_match *out)
{
    memset(out, 0, sizeof *out);
    const npc_pair *f = npc_admin_one_of(c, n, port_keys, "an AdminNetworkPolicyPort");
    if (!f)
        return 0;
    const npc_node *v = f->value;
    if (npc_node_scalar_eq(f->key, "namedPort")) {
        const char *s;
        if (!npc_admin_string(c, v, "namedPort", &s))
            return 0;
        /* The protocol is the named container port's own. */
        out->proto_mask = NPC_PROTO_ALL_MASK;
        out->name = npc_intern(c->ctx->strings, s, v->u.scalar.len);
        return 1;
    }
    int range = npc_node_scalar_eq(f->key, "portRange");
    if (v->kind != NPC_NODE_MAP) {
        npc_error(c->ctx, NPC203, npc_node_loc(v), "%s must be a mapping, not a %s",
                  range ? "portRange" : "portNumber", npc_node_type_name(v));
        return 0;
    }
    int ok = npc_admin_check_keys(c, v, range ? port_range_keys : port_number_keys,
                                  range ? "a portRange" : "a portNumber");
    ok &= parse_protocol(c, v, out);
    if (!range) {
        const npc_node *port = npc_map_get(v, "port");
        if (!port) {
            npc_error(c->ctx, NPC202, npc_node_loc(v), "portNumber needs 'port'");
            return 0;
        }
        ok &= npc_admin_port_number(c, port, "port", &out->lo);
        out->hi = out->lo;
        return ok;
    }
    const npc_node *start = npc_map_get(v, "start"), *end = npc_map_get(v, "end");
    if (!start || !end) {
        npc_error(c->ctx, NPC202, npc_node_loc(v), "portRange needs 'start' and 'end'");
        return 0;
    }
    int bounds = npc_admin_port_number(c, start, "start", &out->lo);
    bounds &= npc_admin_port_number(c, end, "end", &out->hi);
    if (bounds && out->lo > out->hi) {
        npc_error(c->ctx, NPC207, npc_node_loc(v), "portRange start %u is greater than end %u",
                  out->lo, out->hi);
        bounds = 0;
    }
    ok &= bounds;
    return ok;
}

static const char *const ingress_rule_keys[] = {"name", "action", "from", "ports", NULL};
static const char *const egress_rule_keys[] = {"name", "action", "to", "ports", NULL};

static const npc_admin_dialect anp_dialect = {
    .kind = NPC_KIND_ANP,
    .action_names = {[NPC_ACT_ALLOW] = "Allow", [NPC_ACT_DENY] = "Deny", [NPC_ACT_PASS] = "Pass"},
    .ports_key = "ports",
    .rule_keys = {[NPC_DIR_INGRESS] = ingress_rule_keys, [NPC_DIR_EGRESS] = egress_rule_keys},
    .parse_port = parse_port,
    .pods_ns_required = 1,
    .max_rules = 100,
    .max_peers = 100,
    .max_ports = 100,
};

static const npc_admin_dialect banp_dialect = {
    .kind = NPC_KIND_BANP,
    .action_names = {[NPC_ACT_ALLOW] = "Allow", [NPC_ACT_DENY] = "Deny"},
    .ports_key = "ports",
    .rule_keys = {[NPC_DIR_INGRESS] = ingress_rule_keys, [NPC_DIR_EGRESS] = egress_rule_keys},
    .parse_port = parse_port,
    .pods_ns_required = 1,
    .max_rules = 100,
    .max_peers = 100,
    .max_ports = 100,
};

static const char *const anp_spec_keys[] = {"priority", "subject", "ingress", "egress", NULL};
static const char *const banp_spec_keys[] = {"subject", "ingress", "egress", NULL};

/* The API admits one BaselineAdminNetworkPolicy, named "default". */
static int check_banp_singleton(npc_cluster *c, const npc_policy *p)
{
    int ok = 1;
    if (p->name && strcmp(npc_sym_str(c->ctx->strings, p->name), "default") != 0) {
        npc_error(c->ctx, NPC211, p->loc,
                  "only one baseline admin network policy with metadata.name=default can be "
                  "created in the cluster (this one is named '%s')",
                  npc_sym_str(c->ctx->strings, p->name));
        ok = 0;
    }
    for (size_t i = 0; i < c->policies.len; i++)
        if (c->policies.items[i].kind == NPC_KIND_BANP) {
            npc_diag *dg = npc_error(c->ctx, NPC211, p->loc,
                                     "only one baseline admin network policy with "
                                     "metadata.name=default can be created in the cluster");
            npc_diag_also(dg, c->policies.items[i].loc);
            ok = 0;
            break;
        }
    return ok;
}

int npc_lower_anp(npc_cluster *c, const npc_node *obj, int baseline)
{
    const npc_admin_dialect *d = baseline ? &banp_dialect : &anp_dialect;
    npc_policy p;
    int ok;
    const npc_node *spec = npc_admin_begin(c, obj, d, &p, &ok);
    if (!spec)
        return 0;
    p.layer = baseline ? NPC_LAYER_BASELINE : NPC_LAYER_ADMIN;
    ok &= npc_admin_check_keys(c, spec, baseline ? banp_spec_keys : anp_spec_keys, "spec");
    if (baseline)
        ok &= check_banp_singleton(c, &p);
    else
        ok &= npc_admin_priority(c, spec, &p);
    ok &= npc_admin_subject(c, spec, d, &p);
    ok &= npc_admin_rules(c, spec, d, &p);
    if (!ok)
        return 0;
    npc_admin_finish(c, &p);
    return 1;
}

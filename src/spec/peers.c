/* Peers, ports and endpoints of the traffic spec. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/ipnet.h"
#include "model/ir.h"
#include "spec/spec.h"
#include "util/buf.h"
#include "util/suggest.h"

/* ----------------------------------------------------------------- CIDRs */

static const char *parse_cidr(npc_spec *s, const npc_node *n)
{
    const char *c = npc_spec_string(s, n, "a CIDR");
    if (!c)
        return NULL;
    int canonical = 0, prefix = 0, v6 = 0;
    npc_iprange r;
    if (!npc_cidr_parse(c, &r, &prefix, &v6, &canonical)) {
        npc_error(s->ctx, NPC108, npc_node_loc(n),
                  "invalid CIDR '%s' (expected e.g. 10.0.0.0/8 or 2001:db8::/32)", c);
        return NULL;
    }
    if (!canonical) {
        /* Kubernetes matches the whole block: render it as such, and say so */
        char ip[64];
        npc_ip_format(r.first, ip);
        char *fixed = npc_arena_alloc(s->arena, strlen(ip) + 8);
        snprintf(fixed, strlen(ip) + 8, "%s/%d", ip, prefix);
        if (npc_spec_warn_once(s, NPC119, npc_node_loc(n)))
            npc_warning(s->ctx, NPC119, npc_node_loc(n),
                        "CIDR '%s' has host bits set: it means %s, rendered so (write %s, or a /%d "
                        "for the one address)",
                        c, fixed, fixed, v6 ? 128 : 32);
        c = fixed;
    }
    return c;
}

static int parse_cidr_peer(npc_spec *s, const npc_node *cidr, const npc_node *except,
                           npc_speer *out)
{
    out->kind = NPC_SP_CIDR;
    if (!cidr) {
        npc_error(s->ctx, NPC104, out->loc, "an ipBlock needs 'cidr'");
        return 0;
    }
    out->cidr = parse_cidr(s, cidr);
    int ok = out->cidr != NULL;
    if (except && !npc_node_is_null(except)) {
        if (!npc_spec_want_seq(s, except, "except"))
            return 0;
        npc_iprange outer;
        int v6 = 0, v6e = 0;
        if (ok)
            npc_cidr_parse(out->cidr, &outer, NULL, &v6, NULL);
        for (size_t i = 0; i < except->u.seq.len; i++) {
            const npc_node *e = except->u.seq.items[i];
            const char *c = parse_cidr(s, e);
            if (!c) {
                ok = 0;
                continue;
            }
            npc_iprange r;
            npc_cidr_parse(c, &r, NULL, &v6e, NULL);
            if (ok && (v6 != v6e || npc_ip_cmp(r.first, outer.first) < 0 ||
                       npc_ip_cmp(r.last, outer.last) > 0)) {
                npc_error(s->ctx, NPC108, npc_node_loc(e), "except '%s' is not inside cidr '%s'", c,
                          out->cidr);
                ok = 0;
                continue;
            }
            NPC_APUSH(s->arena, out->except, out->nexcept, out->excap, c);
        }
    }
    return ok;
}

/* ----------------------------------------------------------------- peers */

/* Adds one namespace name: a DNS label, as Kubernetes names namespaces. */
static int add_ns_name(npc_spec *s, const npc_node *n, npc_speer *out)
{
    const char *v = npc_spec_string(s, n, "a namespace name");
    if (!v)
        return 0;
    if (!npc_spec_dns_label_ok(v)) {
        npc_error(s->ctx, NPC114, npc_node_loc(n), "invalid namespace name '%s'", v);
        return 0;
    }
    NPC_APUSH(s->arena, out->ns_names, out->nns, out->nscap, v);
    return 1;
}

static int parse_namespaces(npc_spec *s, const npc_node *n, npc_speer *out)
{
    if (n->kind == NPC_NODE_SCALAR && npc_node_is_string(n)) {
        if (npc_node_scalar_eq(n, "any")) {
            out->ns_kind = NPC_SNS_ANY;
            return 1;
        }
        if (npc_node_scalar_eq(n, "same")) {
            out->ns_kind = NPC_SNS_SAME;
            return 1;
        }
        out->ns_kind = NPC_SNS_NAMES;
        return add_ns_name(s, n, out);
    }
    if (n->kind == NPC_NODE_SEQ) {
        out->ns_kind = NPC_SNS_NAMES;
        int ok = 1;
        for (size_t i = 0; i < n->u.seq.len; i++)
            ok = add_ns_name(s, n->u.seq.items[i], out) && ok;
        if (ok && out->nns == 0) {
            npc_error(s->ctx, NPC103, npc_node_loc(n), "namespaces: an empty list selects nothing");
            ok = 0;
        }
        return ok;
    }
    if (n->kind == NPC_NODE_MAP && npc_map_get(n, "option")) {
        static const char *const keys[] = {"option", NULL};
        if (!npc_spec_check_keys(s, n, "namespaces", keys))
            return 0;
        const npc_node *o = npc_map_get(n, "option");
        const char *on = npc_spec_string(s, o, "option");
        if (!on)
            return 0;
        int idx = npc_spec_find_option(s, on);
        if (idx < 0) {
            npc_error(s->ctx, NPC106, npc_node_loc(o), "unknown option '%s'%s", on,
                      npc_spec_option_hint(s, on));
            return 0;
        }
        if (s->options[idx].type != NPC_OPT_STRING && s->options[idx].type != NPC_OPT_STRINGS) {
            npc_error(s->ctx, NPC103, npc_node_loc(o),
                      "option '%s' must be a string or strings to name namespaces", on);
            return 0;
        }
        out->ns_kind = NPC_SNS_OPTION;
        out->ns_opt = idx;
        return 1;
    }
    out->ns_kind = NPC_SNS_SELECTOR;
    if (!npc_spec_parse_selector(s, n, &out->ns_sel, 1))
        return 0;
    if (!out->ns_sel.nlabels && !out->ns_sel.nexprs)
        out->ns_kind = NPC_SNS_ANY;
    return 1;
}

static int parse_named(npc_spec *s, const npc_node *n, npc_speer *out)
{
    const char *name = npc_spec_string(s, n, "a peer");
    if (!name)
        return 0;
    if (!strcmp(name, "*")) {
        out->kind = NPC_SP_ANY;
        return 1;
    }
    if (!strcmp(name, "any-ip")) {
        out->kind = NPC_SP_ANY_IP;
        return 1;
    }
    if (!strcmp(name, "all-components")) {
        out->kind = NPC_SP_ALL_COMPONENTS;
        if (!s->has_selector) {
            npc_error(s->ctx, NPC104, out->loc,
                      "all-components needs spec.selector (the labels of every component)");
            return 0;
        }
        return 1;
    }
    int c = npc_spec_find_component(s, name);
    if (c >= 0) {
        out->kind = NPC_SP_COMPONENT;
        out->index = c;
        return 1;
    }
    int e = npc_spec_find_entity(s, name);
    if (e >= 0) {
        out->kind = NPC_SP_ENTITY;
        out->index = e;
        return 1;
    }
    /* did you mean, and what there is to choose from */
    npc_suggest sg;
    npc_suggest_init(&sg, name);
    npc_buf known = NPC_BUF_INIT;
    for (size_t i = 0; i < s->ncomponents; i++) {
        npc_suggest_add(&sg, s->components[i].name);
        npc_buf_printf(&known, "%s%s", i ? ", " : "", s->components[i].name);
    }
    for (size_t i = 0; i < s->nentities; i++)
        npc_suggest_add(&sg, s->entities[i].name);
    static const char *const builtin[] = {"any-ip", "all-components", "kube-apiserver", "dns",
                                          "world", "cluster"};
    for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++)
        npc_suggest_add(&sg, builtin[i]);
    const char *near = npc_suggest_best(&sg);
    npc_error(s->ctx, NPC105, out->loc,
              "unknown peer '%s'%s%s%s: not a component, an entity, '*', 'any-ip' or "
              "'all-components' (components: %s)",
              name, near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "",
              known.len ? npc_buf_cstr(&known) : "none");
    npc_buf_free(&known);
    return 0;
}

/* {component: NAME} or {entity: NAME}: a name that must be of that kind. */
static int parse_ref_peer(npc_spec *s, const npc_node *n, const npc_node *v, npc_speer *out)
{
    static const char *const keys[] = {"component", "entity", NULL};
    if (!npc_spec_check_keys(s, n, "a peer", keys))
        return 0;
    int ok = parse_named(s, v, out);
    int want = npc_map_get(n, "component") ? NPC_SP_COMPONENT : NPC_SP_ENTITY;
    if (ok && (int)out->kind != want) {
        npc_error(s->ctx, NPC105, out->loc, "'%s' is not %s", v->u.scalar.s,
                  want == NPC_SP_COMPONENT ? "a component" : "an entity");
        return 0;
    }
    return ok;
}

/* A NetworkPolicy peer as is: {podSelector, namespaceSelector}. */
static int parse_netpol_peer(npc_spec *s, const npc_node *n, npc_speer *out)
{
    static const char *const keys[] = {"podSelector", "namespaceSelector", NULL};
    if (!npc_spec_check_keys(s, n, "a NetworkPolicy peer", keys))
        return 0;
    out->kind = NPC_SP_PODS;
    int ok = 1;
    const npc_node *v;
    if ((v = npc_map_get(n, "podSelector"))) {
        out->has_pods = 1;
        ok = npc_spec_parse_selector(s, v, &out->pods, 0);
    }
    if ((v = npc_map_get(n, "namespaceSelector"))) {
        out->ns_kind = NPC_SNS_SELECTOR;
        ok = npc_spec_parse_selector(s, v, &out->ns_sel, 0) && ok;
        if (!out->ns_sel.nlabels && !out->ns_sel.nexprs)
            out->ns_kind = NPC_SNS_ANY;
    }
    return ok;
}

/* {pods: LABELS, namespaces: NS}. */
static int parse_pods_peer(npc_spec *s, const npc_node *n, npc_speer *out)
{
    static const char *const keys[] = {"pods", "namespaces", NULL};
    if (!npc_spec_check_keys(s, n, "a pods peer", keys))
        return 0;
    out->kind = NPC_SP_PODS;
    int ok = 1;
    const npc_node *v;
    if ((v = npc_map_get(n, "pods"))) {
        out->has_pods = 1;
        ok = npc_spec_parse_selector(s, v, &out->pods, 1);
    }
    if ((v = npc_map_get(n, "namespaces")))
        ok = parse_namespaces(s, v, out) && ok;
    return ok;
}

/* {fqdn: NAME, fallback: PEERS}; fallbacks are plain peers. */
static int parse_fqdn_peer(npc_spec *s, const npc_node *n, const npc_node *v, npc_speer *out)
{
    static const char *const keys[] = {"fqdn", "fallback", NULL};
    if (!npc_spec_check_keys(s, n, "an FQDN peer", keys))
        return 0;
    out->kind = NPC_SP_FQDN;
    out->fqdn = npc_spec_string(s, v, "fqdn");
    int ok = out->fqdn != NULL;
    const npc_node *fb = npc_map_get(n, "fallback");
    if (fb)
        ok = npc_spec_parse_peers(s, fb, &out->fallback, &out->nfallback, &out->fbcap) && ok;
    for (size_t i = 0; i < out->nfallback; i++)
        if (out->fallback[i].kind == NPC_SP_FQDN || out->fallback[i].kind == NPC_SP_OPTION) {
            npc_error(s->ctx, NPC103, out->fallback[i].loc,
                      "an FQDN fallback must be a plain peer");
            ok = 0;
        }
    return ok;
}

/* {option: NAME, empty: any|none}: the peers of a peers option. */
static int parse_option_peer(npc_spec *s, const npc_node *n, const npc_node *v, npc_speer *out)
{
    static const char *const keys[] = {"option", "empty", NULL};
    if (!npc_spec_check_keys(s, n, "an option peer", keys))
        return 0;
    const char *on = npc_spec_string(s, v, "option");
    if (!on)
        return 0;
    out->kind = NPC_SP_OPTION;
    out->index = npc_spec_find_option(s, on);
    if (out->index < 0) {
        npc_error(s->ctx, NPC106, npc_node_loc(v), "unknown option '%s'%s", on,
                  npc_spec_option_hint(s, on));
        return 0;
    }
    if (s->options[out->index].type != NPC_OPT_PEERS) {
        npc_error(s->ctx, NPC103, npc_node_loc(v), "option '%s' is not of type peers", on);
        return 0;
    }
    const npc_node *e = npc_map_get(n, "empty");
    if (e) {
        if (npc_node_scalar_eq(e, "any"))
            out->empty_any = 1;
        else if (!npc_node_scalar_eq(e, "none")) {
            npc_error(s->ctx, NPC103, npc_node_loc(e), "'empty' is 'any' or 'none'");
            return 0;
        }
    }
    return 1;
}

int npc_spec_parse_peer(npc_spec *s, const npc_node *n, npc_speer *out)
{
    memset(out, 0, sizeof *out);
    out->loc = npc_node_loc(n);
    out->index = -1;
    if (n && n->kind == NPC_NODE_SCALAR && !npc_node_is_null(n))
        return parse_named(s, n, out);
    if (!n || n->kind != NPC_NODE_MAP) {
        npc_error(s->ctx, NPC103, out->loc, "a peer must be a name or a mapping, not %s",
                  npc_node_type_a(n));
        return 0;
    }
    /* the form is told by its first known key, in this order */
    const npc_node *v;
    if ((v = npc_map_get(n, "component")) || (v = npc_map_get(n, "entity")))
        return parse_ref_peer(s, n, v, out);
    if (npc_map_get(n, "cidr")) {
        static const char *const keys[] = {"cidr", "except", NULL};
        if (!npc_spec_check_keys(s, n, "a CIDR peer", keys))
            return 0;
        return parse_cidr_peer(s, npc_map_get(n, "cidr"), npc_map_get(n, "except"), out);
    }
    if ((v = npc_map_get(n, "ipBlock"))) {
        static const char *const keys[] = {"ipBlock", NULL};
        static const char *const bkeys[] = {"cidr", "except", NULL};
        if (!npc_spec_check_keys(s, n, "a NetworkPolicy peer", keys) ||
            !npc_spec_want_map(s, v, "ipBlock") || !npc_spec_check_keys(s, v, "ipBlock", bkeys))
            return 0;
        return parse_cidr_peer(s, npc_map_get(v, "cidr"), npc_map_get(v, "except"), out);
    }
    if (npc_map_get(n, "podSelector") || npc_map_get(n, "namespaceSelector"))
        return parse_netpol_peer(s, n, out);
    if (npc_map_get(n, "pods") || npc_map_get(n, "namespaces"))
        return parse_pods_peer(s, n, out);
    if ((v = npc_map_get(n, "fqdn")))
        return parse_fqdn_peer(s, n, v, out);
    if ((v = npc_map_get(n, "option")))
        return parse_option_peer(s, n, v, out);
    npc_error(s->ctx, NPC103, out->loc,
              "a peer mapping needs one of: component, entity, pods, namespaces, cidr, ipBlock, "
              "podSelector, namespaceSelector, fqdn, option");
    return 0;
}

int npc_spec_parse_peers(npc_spec *s, const npc_node *n, npc_speer **arr, size_t *len, size_t *cap)
{
    int ok = 1;
    if (n && n->kind == NPC_NODE_SEQ) {
        if (n->u.seq.len == 0) {
            npc_error(s->ctx, NPC103, npc_node_loc(n), "an empty list of peers selects nothing");
            return 0;
        }
        for (size_t i = 0; i < n->u.seq.len; i++) {
            npc_speer p;
            if (npc_spec_parse_peer(s, n->u.seq.items[i], &p))
                NPC_APUSH(s->arena, *arr, *len, *cap, p);
            else
                ok = 0;
        }
        return ok;
    }
    npc_speer p;
    if (!npc_spec_parse_peer(s, n, &p))
        return 0;
    NPC_APUSH(s->arena, *arr, *len, *cap, p);
    return 1;
}

/* ----------------------------------------------------------------- ports */

static int parse_u16(const char *p, const char *end, uint16_t *out)
{
    if (p == end || end - p > 5)
        return 0;
    long v = 0;
    for (const char *q = p; q < end; q++) {
        if (*q < '0' || *q > '9')
            return 0;
        v = v * 10 + (*q - '0');
    }
    if (v < 1 || v > 65535)
        return 0;
    *out = (uint16_t)v;
    return 1;
}

/* IANA service name, as Kubernetes checks container port names. */
static int port_name_ok(const char *p, size_t n)
{
    int letter = 0;
    if (n == 0 || n > 15 || p[0] == '-' || p[n - 1] == '-')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c >= 'a' && c <= 'z')
            letter = 1;
        else if (!(c >= '0' && c <= '9') && c != '-')
            return 0;
        if (c == '-' && i + 1 < n && p[i + 1] == '-')
            return 0;
    }
    return letter;
}

static int parse_port_text(npc_spec *s, const char *t, npc_sport *out)
{
    const char *slash = strchr(t, '/');
    const char *head_end = slash ? slash : t + strlen(t);
    out->proto = NPC_PROTO_TCP;
    if (slash) {
        const char *p2 = strchr(slash + 1, '/');
        char proto[8];
        size_t pl = p2 ? (size_t)(p2 - slash - 1) : strlen(slash + 1);
        if (pl == 0 || pl >= sizeof proto) {
            npc_error(s->ctx, NPC107, out->loc, "invalid protocol in port '%s' (TCP, UDP or SCTP)",
                      t);
            return 0;
        }
        memcpy(proto, slash + 1, pl);
        proto[pl] = '\0';
        npc_proto pr;
        if (!npc_proto_parse(proto, &pr)) {
            npc_error(s->ctx, NPC107, out->loc,
                      "invalid protocol '%s' in port '%s' (TCP, UDP or SCTP)", proto, t);
            return 0;
        }
        out->proto = (int)pr;
        if (p2) {
            if (!p2[1]) {
                npc_error(s->ctx, NPC107, out->loc, "empty application protocol in port '%s'", t);
                return 0;
            }
            out->app = npc_arena_strdup(s->arena, p2 + 1);
        }
    }
    size_t hl = (size_t)(head_end - t);
    if ((hl == 3 && !strncmp(t, "all", 3)) || (hl == 1 && t[0] == '*')) {
        out->kind = NPC_SPORT_ALL;
        if (!slash)
            out->proto = -1;
        return 1;
    }
    const char *dash = memchr(t, '-', hl);
    if (t[0] >= '0' && t[0] <= '9') {
        out->kind = NPC_SPORT_NUM;
        if (dash) {
            if (!parse_u16(t, dash, &out->lo) || !parse_u16(dash + 1, head_end, &out->hi) ||
                out->hi < out->lo) {
                npc_error(s->ctx, NPC107, out->loc,
                          "invalid port range '%.*s' (expected LOW-HIGH within 1-65535)", (int)hl,
                          t);
                return 0;
            }
            return 1;
        }
        if (!parse_u16(t, head_end, &out->lo)) {
            npc_error(s->ctx, NPC107, out->loc, "invalid port '%.*s' (expected 1-65535)", (int)hl,
                      t);
            return 0;
        }
        out->hi = out->lo;
        return 1;
    }
    if (!port_name_ok(t, hl)) {
        npc_error(s->ctx, NPC107, out->loc,
                  "invalid port '%.*s' (a number, a range, 'all', or a port name of at most 15 "
                  "lower-case letters, digits and '-')",
                  (int)hl, t);
        return 0;
    }
    out->kind = NPC_SPORT_NAMED;
    out->name = npc_arena_strndup(s->arena, t, hl);
    return 1;
}

static int port_option(npc_spec *s, const npc_node *o, npc_sport *out, int endpoints)
{
    const char *on = npc_spec_string(s, o, "option");
    if (!on)
        return 0;
    int idx = npc_spec_find_option(s, on);
    if (idx < 0) {
        npc_error(s->ctx, NPC106, npc_node_loc(o), "unknown option '%s'%s", on,
                      npc_spec_option_hint(s, on));
        return 0;
    }
    npc_opt_type t = s->options[idx].type;
    if (t == NPC_OPT_ENDPOINTS) {
        out->kind = NPC_SPORT_ENDPOINTS;
    } else if (t == NPC_OPT_INT && !endpoints) {
        out->kind = NPC_SPORT_OPTION;
    } else {
        npc_error(s->ctx, NPC103, npc_node_loc(o), "option '%s' must be of type %s to give ports",
                  on, endpoints ? "endpoints" : "int or endpoints");
        return 0;
    }
    out->opt = idx;
    return 1;
}

static int parse_port_map(npc_spec *s, const npc_node *n, npc_sport *out);

int npc_spec_parse_port(npc_spec *s, const npc_node *n, npc_sport *out)
{
    memset(out, 0, sizeof *out);
    out->loc = npc_node_loc(n);
    out->opt = -1;
    out->proto = NPC_PROTO_TCP;
    long long v;
    if (npc_node_get_int(n, &v)) {
        if (v < 1 || v > 65535) {
            npc_error(s->ctx, NPC107, out->loc, "invalid port %lld (expected 1-65535)", v);
            return 0;
        }
        out->kind = NPC_SPORT_NUM;
        out->lo = out->hi = (uint16_t)v;
        return 1;
    }
    if (n && !strcmp(npc_node_type_name(n), "number")) {
        /* too large for an integer, or a fraction */
        npc_error(s->ctx, NPC107, out->loc, "invalid port %s (expected 1-65535)", n->u.scalar.s);
        return 0;
    }
    if (npc_node_is_string(n)) {
        if (strlen(n->u.scalar.s) != n->u.scalar.len) {
            npc_error(s->ctx, NPC107, out->loc, "invalid port");
            return 0;
        }
        return parse_port_text(s, n->u.scalar.s, out);
    }
    if (!n || n->kind != NPC_NODE_MAP) {
        npc_error(s->ctx, NPC103, out->loc,
                  "a port must be a number, a string or a mapping, not %s", npc_node_type_a(n));
        return 0;
    }
    return parse_port_map(s, n, out);
}

/* The long form {port, endPort, protocol, app, when} or {option|endpoints}. */
static int parse_port_map(npc_spec *s, const npc_node *n, npc_sport *out)
{
    static const char *const keys[] = {"port", "endPort", "protocol",  "app",
                                       "when", "option",  "endpoints", NULL};
    if (!npc_spec_check_keys(s, n, "a port", keys))
        return 0;
    const npc_node *p = npc_map_get(n, "port"), *o = npc_map_get(n, "option"),
                   *e = npc_map_get(n, "endpoints"), *x;
    int ok = 1;
    if (o)
        ok = port_option(s, o, out, 0);
    else if (e)
        ok = port_option(s, e, out, 1);
    else if (p && p->kind == NPC_NODE_MAP && npc_map_get(p, "option")) {
        static const char *const okeys[] = {"option", NULL};
        ok = npc_spec_check_keys(s, p, "'port'", okeys) &&
             port_option(s, npc_map_get(p, "option"), out, 0);
    } else if (p && p->kind == NPC_NODE_MAP) {
        npc_error(s->ctx, NPC107, npc_node_loc(p),
                  "'port' must be a number, a range, a name or {option: NAME}");
        ok = 0;
    } else if (p) {
        ok = npc_spec_parse_port(s, p, out);
        out->loc = npc_node_loc(n);
    } else {
        npc_error(s->ctx, NPC104, out->loc, "a port mapping needs 'port', 'option' or 'endpoints'");
        return 0;
    }
    if (!ok)
        return 0;
    if ((x = npc_map_get(n, "protocol"))) {
        npc_proto pr;
        if (!npc_node_is_string(x) || !npc_proto_parse(x->u.scalar.s, &pr)) {
            npc_error(s->ctx, NPC107, npc_node_loc(x), "invalid protocol (TCP, UDP or SCTP)");
            return 0;
        }
        if (out->kind == NPC_SPORT_ENDPOINTS) {
            npc_error(s->ctx, NPC107, npc_node_loc(x),
                      "endpoints are TCP; 'protocol' does not apply");
            return 0;
        }
        out->proto = (int)pr;
    }
    if ((x = npc_map_get(n, "endPort"))) {
        long long ep;
        if (out->kind != NPC_SPORT_NUM || !npc_node_get_int(x, &ep) || ep < out->lo || ep > 65535) {
            npc_error(s->ctx, NPC107, npc_node_loc(x),
                      "endPort must be a number between port and 65535, with a numeric port");
            return 0;
        }
        out->hi = (uint16_t)ep;
    }
    if ((x = npc_map_get(n, "app")))
        out->app = npc_spec_string(s, x, "app");
    if ((x = npc_map_get(n, "when")) && !(out->when = npc_spec_parse_cond(s, x)))
        return 0;
    return 1;
}

int npc_spec_parse_ports(npc_spec *s, const npc_node *n, npc_sport **arr, size_t *len, size_t *cap)
{
    int ok = 1;
    if (n && n->kind == NPC_NODE_SEQ) {
        if (n->u.seq.len == 0) {
            npc_error(s->ctx, NPC107, npc_node_loc(n),
                      "an empty list of ports allows nothing (omit 'ports' for every port)");
            return 0;
        }
        for (size_t i = 0; i < n->u.seq.len; i++) {
            npc_sport p;
            if (npc_spec_parse_port(s, n->u.seq.items[i], &p))
                NPC_APUSH(s->arena, *arr, *len, *cap, p);
            else
                ok = 0;
        }
        return ok;
    }
    npc_sport p;
    if (!npc_spec_parse_port(s, n, &p))
        return 0;
    NPC_APUSH(s->arena, *arr, *len, *cap, p);
    return 1;
}

/* ------------------------------------------------------------- endpoints */

int npc_endpoint_port(const char *ep, const char **why)
{
    static const struct {
        const char *scheme;
        int port; /* 0: the endpoint must give one */
    } schemes[] = {{"https", 443}, {"http", 80}, {"grpcs", 443}, {"grpc", 0}, {"tcp", 0}};
    const char *host = ep;
    int def = 0;
    const char *sep = strstr(ep, "://");
    if (sep) {
        size_t sl = (size_t)(sep - ep);
        int found = 0;
        for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
            if (strlen(schemes[i].scheme) == sl && !strncmp(ep, schemes[i].scheme, sl)) {
                def = schemes[i].port;
                found = 1;
            }
        if (!found) {
            *why = "unknown scheme (http, https, grpc, grpcs or tcp)";
            return 0;
        }
        host = sep + 3;
    }
    const char *end = host + strcspn(host, "/?#");
    if (end == host) {
        *why = "no host";
        return 0;
    }
    const char *colon = NULL;
    if (*host == '[') { /* [IPv6]:port */
        const char *rb = memchr(host, ']', (size_t)(end - host));
        if (!rb) {
            *why = "unterminated IPv6 address";
            return 0;
        }
        if (rb + 1 < end && rb[1] == ':')
            colon = rb + 1;
        else if (rb + 1 != end) {
            *why = "text after the IPv6 address";
            return 0;
        }
    } else {
        for (const char *q = host; q < end; q++)
            if (*q == ':') {
                if (colon) {
                    *why = "an IPv6 address must be written in brackets";
                    return 0;
                }
                colon = q;
            }
        if (colon == host) {
            *why = "no host";
            return 0;
        }
    }
    if (colon) {
        uint16_t p;
        if (!parse_u16(colon + 1, end, &p)) {
            *why = "invalid port (expected 1-65535)";
            return 0;
        }
        return p;
    }
    if (!def) {
        *why = sep ? "this scheme has no default port: give host:PORT"
                   : "no port: write host:PORT or https://host";
        return 0;
    }
    return def;
}

/* Loading a traffic spec: the document's shape, components, entities,
 * policies, flows, passthrough and the default-deny layer. Options and
 * conditions are in options.c and cond.c, peers and ports in peers.c.
 * Every problem is reported with its position and loading goes on, so one
 * run shows all the errors of a file. */
#include <stdlib.h>
#include <string.h>

#include "model/ir.h"
#include "spec/spec.h"
#include "util/suggest.h"
#include "util/buf.h"
#include "util/ctx.h"

#define SPEC_API_VERSION "netpolc.io/v1alpha1"
#define SPEC_KIND "TrafficSpec"

/* ------------------------------------------------------- shared helpers */

int npc_spec_check_keys(npc_spec *s, const npc_node *map, const char *what,
                        const char *const *allowed)
{
    int ok = 1;
    if (!map || map->kind != NPC_NODE_MAP)
        return 0;
    for (size_t i = 0; i < map->u.map.len; i++) {
        const npc_node *k = map->u.map.items[i].key;
        int found = 0;
        for (const char *const *a = allowed; *a; a++)
            if (npc_node_scalar_eq(k, *a))
                found = 1;
        if (!found) {
            npc_buf list = NPC_BUF_INIT;
            const char *word = k->kind == NPC_NODE_SCALAR ? k->u.scalar.s : "?";
            npc_suggest sg;
            npc_suggest_init(&sg, word);
            for (const char *const *a = allowed; *a; a++) {
                npc_buf_printf(&list, "%s%s", a == allowed ? "" : ", ", *a);
                npc_suggest_add(&sg, *a);
            }
            const char *near = npc_suggest_best(&sg);
            npc_error(s->ctx, NPC102, npc_node_loc(k),
                      "unknown key '%s' in %s (%s%s%sexpected one of: %s)", word, what,
                      near ? "did you mean '" : "", near ? near : "", near ? "'? " : "",
                      npc_buf_cstr(&list));
            npc_buf_free(&list);
            ok = 0;
        }
    }
    return ok;
}

int npc_spec_want_map(npc_spec *s, const npc_node *n, const char *what)
{
    if (n && n->kind == NPC_NODE_MAP)
        return 1;
    npc_error(s->ctx, NPC103, npc_node_loc(n), "%s must be a mapping, not %s", what,
              npc_node_type_a(n));
    return 0;
}

int npc_spec_want_seq(npc_spec *s, const npc_node *n, const char *what)
{
    if (n && n->kind == NPC_NODE_SEQ)
        return 1;
    npc_error(s->ctx, NPC103, npc_node_loc(n), "%s must be a sequence, not %s", what,
              npc_node_type_a(n));
    return 0;
}

const char *npc_spec_dup(npc_spec *s, const npc_node *scalar)
{
    return npc_arena_strndup(s->arena, scalar->u.scalar.s, scalar->u.scalar.len);
}

const char *npc_spec_string(npc_spec *s, const npc_node *n, const char *what)
{
    if (!npc_node_is_string(n)) {
        npc_error(s->ctx, NPC103, npc_node_loc(n), "%s must be a string, not %s", what,
                  npc_node_type_a(n));
        return NULL;
    }
    if (strlen(n->u.scalar.s) != n->u.scalar.len) {
        npc_error(s->ctx, NPC103, npc_node_loc(n), "%s must not contain NUL characters", what);
        return NULL;
    }
    return npc_spec_dup(s, n);
}

int npc_spec_dns_label_ok(const char *p)
{
    size_t n = strlen(p);
    if (n == 0 || n > 63)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && c != '-')
            return 0;
        if ((i == 0 || i == n - 1) && !alnum)
            return 0;
    }
    return 1;
}

static const char *name_field(npc_spec *s, const npc_node *n, const char *what)
{
    const char *v = npc_spec_string(s, n, what);
    if (v && !npc_spec_dns_label_ok(v)) {
        npc_error(s->ctx, NPC116, npc_node_loc(n),
                  "%s '%s' is not a valid name (lower-case letters, digits and '-', at most 63)",
                  what, v);
        return NULL;
    }
    return v;
}

/* {option: NAME} of an option of type t: its index, or -1 after reporting
 * (NPC106, "WHAT must be EXPECTED"). */
static int option_ref(npc_spec *s, const npc_node *n, const char *what, npc_opt_type t,
                      const char *expected)
{
    static const char *const keys[] = {"option", NULL};
    if (!npc_spec_check_keys(s, n, what, keys))
        return -1;
    const npc_node *o = npc_map_get(n, "option");
    const char *on = o ? npc_spec_string(s, o, "option") : NULL;
    int i = on ? npc_spec_find_option(s, on) : -1;
    if (i < 0 || s->options[i].type != t) {
        npc_error(s->ctx, NPC106, npc_node_loc(o ? o : n), "%s must be %s", what, expected);
        return -1;
    }
    return i;
}

/* A namespace: a name, or {option: NAME} of a string option (*opt set,
 * the value bound later by npc_spec_bind_ns; a placeholder until then). */
static const char *ns_field(npc_spec *s, const npc_node *n, const char *what, int *opt)
{
    *opt = -1;
    if (!n || n->kind != NPC_NODE_MAP)
        return name_field(s, n, what);
    *opt = option_ref(s, n, what, NPC_OPT_STRING,
                      "a namespace name or {option: NAME} of a string option");
    return "default"; /* a placeholder until bound; after an error: no "needs a namespace" */
}

static int bind_one(npc_spec *s, int opt, const char **ns, int report)
{
    const char *v = npc_opt_string(s, opt);
    if (!*v)
        v = s->release_ns;
    if (!v || !npc_spec_dns_label_ok(v)) {
        if (report) {
            const npc_option *o = &s->options[opt];
            npc_loc at = o->value ? npc_node_loc(o->value) : o->loc;
            if (!v)
                npc_error(s->ctx, NPC112, at,
                          "option '%s' names the namespace but is empty (give it a value, or "
                          "--namespace)",
                          o->name);
            else
                npc_error(s->ctx, NPC112, at,
                          "option '%s' names the namespace: '%s' is not a namespace name "
                          "(lower-case letters, digits and '-', at most 63)",
                          o->name, v);
            return 0;
        }
        v = "default";
    }
    *ns = v;
    return 1;
}

int npc_spec_bind_ns(npc_spec *s, int report)
{
    int ok = 1;
    if (s->ns_opt >= 0)
        ok &= bind_one(s, s->ns_opt, &s->ns, report);
    for (size_t i = 0; i < s->ncomponents; i++)
        if (s->components[i].ns_opt >= 0)
            ok &= bind_one(s, s->components[i].ns_opt, &s->components[i].ns, report && ok);
    for (size_t i = 0; i < s->npolicies; i++) {
        npc_spolicy *p = &s->policies[i];
        if (p->ns_opt >= 0)
            p->ns = p->subject >= 0 ? s->components[p->subject].ns : s->ns;
    }
    return ok;
}

/* Peer keywords that components and entities may not be named after. */
static const char *const reserved[] = {"*", "any-ip", "all-components", NULL};

static int is_reserved(const char *name)
{
    for (const char *const *r = reserved; *r; r++)
        if (!strcmp(*r, name))
            return 1;
    return 0;
}

/* ------------------------------------------------------------ components */

int npc_spec_find_component(const npc_spec *s, const char *name)
{
    for (size_t i = 0; i < s->ncomponents; i++)
        if (!strcmp(s->components[i].name, name))
            return (int)i;
    return -1;
}

static void parse_component_body(npc_spec *s, const npc_node *k, const npc_node *v,
                                 npc_component *c)
{
    const npc_node *ns = npc_map_get(v, "namespace");
    if (ns)
        c->ns = ns_field(s, ns, "namespace", &c->ns_opt);
    else if (!c->ns)
        npc_error(s->ctx, NPC104, npc_node_loc(k),
                  "component '%s' needs a namespace (or set spec.namespace, or give --namespace)",
                  c->name);
    if (!c->ns)
        c->ns = "default";
    const npc_node *labels = npc_map_get(v, "labels");
    if (!labels)
        npc_error(s->ctx, NPC104, npc_node_loc(k),
                  "component '%s' needs 'labels' (its pods' selector labels)", c->name);
    else if (npc_spec_parse_selector(s, labels, &c->labels, 1) && !c->labels.nlabels &&
             !c->labels.nexprs)
        npc_error(s->ctx, NPC114, npc_node_loc(labels),
                  "the labels of component '%s' are empty: its policies would select every pod "
                  "of the namespace",
                  c->name);
    const npc_node *d = npc_map_get(v, "description");
    if (d)
        c->description = npc_spec_string(s, d, "description");
    const npc_node *ports = npc_map_get(v, "ports");
    if (!ports || !npc_spec_want_map(s, ports, "component ports"))
        return;
    for (size_t j = 0; j < ports->u.map.len; j++) {
        const npc_node *pk = ports->u.map.items[j].key;
        npc_named_port np;
        memset(&np, 0, sizeof np);
        np.name = npc_spec_string(s, pk, "port name");
        if (!np.name || !npc_spec_parse_port(s, ports->u.map.items[j].value, &np.port))
            continue;
        if (np.port.kind != NPC_SPORT_NUM || np.port.lo != np.port.hi) {
            npc_error(s->ctx, NPC107, np.port.loc, "a named port must be a single port number");
            continue;
        }
        NPC_APUSH(s->arena, c->ports, c->nports, c->cap, np);
    }
}

static void parse_components(npc_spec *s, const npc_node *n)
{
    if (!n || !npc_spec_want_map(s, n, "spec.components"))
        return;
    static const char *const keys[] = {"namespace", "labels", "ports", "description", NULL};
    for (size_t i = 0; i < n->u.map.len; i++) {
        const npc_node *k = n->u.map.items[i].key, *v = n->u.map.items[i].value;
        const char *name = name_field(s, k, "component name");
        if (!name)
            continue;
        if (is_reserved(name)) {
            npc_error(s->ctx, NPC116, npc_node_loc(k), "'%s' is a reserved peer name", name);
            continue;
        }
        npc_component c;
        memset(&c, 0, sizeof c);
        c.name = name;
        c.loc = npc_node_loc(k);
        c.policy = -1;
        c.ns = s->ns;
        c.ns_opt = s->ns_opt;
        /* A component with errors is still declared, so that the flows
         * naming it do not report it as unknown too. */
        if (npc_spec_want_map(s, v, "a component")) {
            npc_spec_check_keys(s, v, "a component", keys);
            parse_component_body(s, k, v, &c);
        }
        int prev = npc_spec_find_component(s, name);
        if (prev >= 0) {
            npc_diag *dg =
                npc_error(s->ctx, NPC109, c.loc, "component '%s' is declared twice", name);
            npc_diag_also(dg, s->components[prev].loc);
            continue;
        }
        NPC_APUSH(s->arena, s->components, s->ncomponents, s->ccap, c);
    }
}

/* ------------------------------------------------------------- entities */

int npc_spec_find_entity(const npc_spec *s, const char *name)
{
    for (size_t i = 0; i < s->nentities; i++)
        if (!strcmp(s->entities[i].name, name))
            return (int)i;
    return -1;
}

/* One part of an entity: {peer|peers, ports}; 0 after errors. */
static int parse_entity_part(npc_spec *s, const npc_node *pn, npc_entity_part *part)
{
    static const char *const keys[] = {"peer", "peers", "ports", NULL};
    if (!npc_spec_want_map(s, pn, "an entity part") ||
        !npc_spec_check_keys(s, pn, "an entity part", keys))
        return 0;
    memset(part, 0, sizeof *part);
    const npc_node *peer = npc_map_get(pn, "peer");
    if (!peer)
        peer = npc_map_get(pn, "peers");
    if (!peer) {
        npc_error(s->ctx, NPC104, npc_node_loc(pn), "an entity part needs 'peer'");
        return 0;
    }
    if (!npc_spec_parse_peers(s, peer, &part->peers, &part->npeers, &part->pcap))
        return 0;
    int ok = 1;
    for (size_t q = 0; q < part->npeers; q++)
        if (part->peers[q].kind == NPC_SP_ENTITY) {
            npc_error(s->ctx, NPC103, part->peers[q].loc,
                      "an entity cannot refer to another entity");
            ok = 0;
        }
    const npc_node *ports = npc_map_get(pn, "ports");
    if (ports) {
        part->has_ports = 1;
        if (!npc_spec_parse_ports(s, ports, &part->ports, &part->nports, &part->portcap))
            return 0;
    }
    return ok;
}

static void parse_entities(npc_spec *s, const npc_node *n)
{
    size_t nbuiltin = s->nentities;
    if (!n || !npc_spec_want_map(s, n, "spec.entities"))
        return;
    /* Pass 1: names, so that entities are known to the peers of pass 2. */
    int *slot = npc_arena_alloc(s->arena, (n->u.map.len + 1) * sizeof *slot);
    for (size_t i = 0; i < n->u.map.len; i++) {
        const npc_node *k = n->u.map.items[i].key;
        slot[i] = -1;
        const char *name = name_field(s, k, "entity name");
        if (!name)
            continue;
        if (is_reserved(name)) {
            npc_error(s->ctx, NPC116, npc_node_loc(k), "'%s' is a reserved peer name", name);
            continue;
        }
        int comp = npc_spec_find_component(s, name);
        if (comp >= 0) {
            npc_diag *d = npc_error(s->ctx, NPC109, npc_node_loc(k),
                                    "entity '%s' has the name of a component", name);
            npc_diag_also(d, s->components[comp].loc);
            continue;
        }
        int e = npc_spec_find_entity(s, name);
        if (e >= 0 && (size_t)e >= nbuiltin) {
            npc_diag *d =
                npc_error(s->ctx, NPC109, npc_node_loc(k), "entity '%s' is declared twice", name);
            npc_diag_also(d, s->entities[e].loc);
            continue;
        }
        if (e < 0) {
            npc_entity ent;
            memset(&ent, 0, sizeof ent);
            ent.name = name;
            NPC_APUSH(s->arena, s->entities, s->nentities, s->ecap, ent);
            e = (int)s->nentities - 1;
        } else {
            s->entities[e].nparts = 0; /* a declared entity replaces the built-in one */
            s->entities[e].builtin = 0;
        }
        s->entities[e].loc = npc_node_loc(k);
        slot[i] = e;
    }
    for (size_t i = 0; i < n->u.map.len; i++) {
        if (slot[i] < 0)
            continue;
        npc_entity *e = &s->entities[slot[i]];
        const npc_node *v = n->u.map.items[i].value;
        if (!npc_spec_want_seq(s, v, "an entity (a list of {peer, ports})"))
            continue;
        for (size_t j = 0; j < v->u.seq.len; j++) {
            npc_entity_part part;
            if (parse_entity_part(s, v->u.seq.items[j], &part))
                NPC_APUSH(s->arena, e->parts, e->nparts, e->cap, part);
        }
    }
}

/* -------------------------------------------------------------- policies */

static int find_policy(const npc_spec *s, const char *name)
{
    for (size_t i = 0; i < s->npolicies; i++)
        if (!strcmp(s->policies[i].name, name))
            return (int)i;
    return -1;
}

static void parse_isolate(npc_spec *s, const npc_node *n, npc_spolicy *p)
{
    static const char *const keys[] = {"ingress", "egress", NULL};
    if (!npc_spec_want_map(s, n, "'deny'") || !npc_spec_check_keys(s, n, "'deny'", keys))
        return;
    for (int d = 0; d < 2; d++) {
        const npc_node *v = npc_map_get(n, d ? "egress" : "ingress");
        int b;
        if (!v)
            continue;
        if (npc_node_get_bool(v, &b))
            p->isolate_always[d] = b;
        else
            p->isolate[d] = npc_spec_parse_cond(s, v);
    }
}

/* One declared policy (name k, body v) into *p; 0 after errors. */
static int parse_policy(npc_spec *s, const npc_node *k, const npc_node *v, npc_spolicy *p)
{
    static const char *const keys[] = {"subject", "namespace", "when", "otherwise", "deny", NULL};
    const char *name = name_field(s, k, "policy name");
    if (!name)
        return 0;
    int prev = find_policy(s, name);
    if (prev >= 0) {
        npc_diag *d =
            npc_error(s->ctx, NPC109, npc_node_loc(k), "policy '%s' is declared twice", name);
        npc_diag_also(d, s->policies[prev].loc);
        return 0;
    }
    memset(p, 0, sizeof *p);
    p->name = name;
    p->loc = npc_node_loc(k);
    p->otherwise = -1;
    if (!npc_spec_want_map(s, v, "a policy"))
        return 0;
    npc_spec_check_keys(s, v, "a policy", keys);
    const npc_node *subj = npc_map_get(v, "subject");
    const char *sn = subj ? npc_spec_string(s, subj, "subject") : name;
    if (!sn)
        return 0;
    if (!strcmp(sn, "all-components")) {
        p->subject = NPC_SUBJ_ALL;
        if (!s->has_selector)
            npc_error(s->ctx, NPC104, npc_node_loc(subj ? subj : k),
                      "subject all-components needs spec.selector (the labels of every "
                      "component)");
    } else {
        p->subject = npc_spec_find_component(s, sn);
        if (p->subject < 0) {
            npc_error(s->ctx, NPC105, npc_node_loc(subj ? subj : k),
                      "unknown component '%s' (subject of policy '%s')", sn, name);
            return 0;
        }
    }
    const npc_node *ns = npc_map_get(v, "namespace");
    if (ns && p->subject >= 0) {
        npc_error(s->ctx, NPC103, npc_node_loc(ns),
                  "a policy of component '%s' lives in the component's namespace; drop "
                  "'namespace'",
                  s->components[p->subject].name);
        return 0;
    }
    p->ns_opt = -1;
    if (ns)
        p->ns = name_field(s, ns, "namespace");
    else if (p->subject >= 0) {
        p->ns = s->components[p->subject].ns;
        p->ns_opt = s->components[p->subject].ns_opt;
    } else {
        p->ns = s->ns;
        p->ns_opt = s->ns_opt;
    }
    if (!p->ns) {
        if (!ns)
            npc_error(s->ctx, NPC104, npc_node_loc(k),
                      "policy '%s' needs a namespace (or set spec.namespace, or give --namespace)",
                      name);
        return 0;
    }
    const npc_node *w = npc_map_get(v, "when");
    if (w)
        p->when = npc_spec_parse_cond(s, w);
    const npc_node *d = npc_map_get(v, "deny");
    if (d)
        parse_isolate(s, d, p);
    return 1;
}

/* `otherwise` of the declared policies (others[i] of policy i), as policy
 * indexes; a component's implicit policy, not made yet, is -100 - c. */
static void resolve_otherwise(npc_spec *s, const npc_node *const *others, size_t ndeclared)
{
    for (size_t i = 0; i < ndeclared; i++) {
        const npc_node *o = others[i];
        if (!o)
            continue;
        const char *on = npc_spec_string(s, o, "otherwise");
        if (!on)
            continue;
        int idx = find_policy(s, on);
        if (idx < 0) {
            int c = npc_spec_find_component(s, on);
            if (c < 0) {
                npc_error(s->ctx, NPC105, npc_node_loc(o), "unknown policy '%s'", on);
                continue;
            }
            idx = -100 - c;
        }
        s->policies[i].otherwise = idx;
    }
}

/* Each component has a policy of its own name, declared or implicit. */
static void add_own_policies(npc_spec *s)
{
    for (size_t c = 0; c < s->ncomponents; c++) {
        int idx = find_policy(s, s->components[c].name);
        if (idx >= 0) {
            if (s->policies[idx].subject != (int)c) {
                npc_error(s->ctx, NPC109, s->policies[idx].loc,
                          "policy '%s' has the name of a component but another subject",
                          s->policies[idx].name);
                continue;
            }
        } else {
            npc_spolicy p;
            memset(&p, 0, sizeof p);
            p.name = s->components[c].name;
            p.subject = (int)c;
            p.ns = s->components[c].ns;
            p.ns_opt = s->components[c].ns_opt;
            p.otherwise = -1;
            p.implicit = 1;
            p.loc = s->components[c].loc;
            NPC_APUSH(s->arena, s->policies, s->npolicies, s->pcap, p);
            idx = (int)s->npolicies - 1;
        }
        s->components[c].policy = idx;
    }
}

static void parse_policies(npc_spec *s, const npc_node *n)
{
    size_t ndeclared = 0;
    if (n && npc_spec_want_map(s, n, "spec.policies")) {
        const npc_node **others = npc_arena_alloc(s->arena, (n->u.map.len + 1) * sizeof *others);
        for (size_t i = 0; i < n->u.map.len; i++) {
            npc_spolicy p;
            if (!parse_policy(s, n->u.map.items[i].key, n->u.map.items[i].value, &p))
                continue;
            others[s->npolicies] = npc_map_get(n->u.map.items[i].value, "otherwise");
            NPC_APUSH(s->arena, s->policies, s->npolicies, s->pcap, p);
        }
        ndeclared = s->npolicies;
        resolve_otherwise(s, others, ndeclared);
    }
    add_own_policies(s);
    for (size_t i = 0; i < ndeclared; i++)
        if (s->policies[i].otherwise <= -100)
            s->policies[i].otherwise = s->components[-100 - s->policies[i].otherwise].policy;
}

/* ----------------------------------------------------------------- flows */

static int comp_side(const npc_speer *p)
{
    return p->kind == NPC_SP_COMPONENT || p->kind == NPC_SP_ALL_COMPONENTS ||
           p->kind == NPC_SP_OPTION;
}

int npc_spec_policy_selects(const npc_spec *s, int pol, const npc_speer *side)
{
    const npc_spolicy *p = &s->policies[pol];
    if (side->kind == NPC_SP_ALL_COMPONENTS)
        return p->subject == NPC_SUBJ_ALL;
    return side->kind == NPC_SP_COMPONENT && p->subject == side->index;
}

int npc_spec_warn_once(npc_spec *s, int code, npc_loc loc)
{
    for (size_t i = 0; i < s->nwarned; i++)
        if (s->warned_codes[i] == code && s->warned[i].line == loc.line &&
            s->warned[i].col == loc.col &&
            !strcmp(s->warned[i].file ? s->warned[i].file : "", loc.file ? loc.file : ""))
            return 0;
    size_t n = s->nwarned;
    NPC_APUSH(s->arena, s->warned_codes, n, s->wccap, code);
    NPC_APUSH(s->arena, s->warned, s->nwarned, s->warncap, loc);
    return 1;
}

int npc_spec_named_port(const npc_spec *s, const npc_speer *to, size_t nto, const char *name,
                        int *proto, uint16_t *port, int *undeclared)
{
    int found = 0, same = 1, all_comp = nto > 0, missing = 0;
    for (size_t i = 0; i < nto; i++) {
        if (to[i].kind != NPC_SP_COMPONENT) {
            all_comp = 0;
            same = 0;
            continue;
        }
        const npc_component *c = &s->components[to[i].index];
        const npc_named_port *np = NULL;
        for (size_t j = 0; j < c->nports && !np; j++)
            if (!strcmp(c->ports[j].name, name))
                np = &c->ports[j];
        if (!np) {
            missing = 1;
            same = 0;
            continue;
        }
        if (found && (np->port.lo != *port || np->port.proto != *proto))
            same = 0;
        *port = np->port.lo;
        *proto = np->port.proto;
        found = 1;
    }
    if (undeclared)
        *undeclared = all_comp && missing;
    return found && same;
}

int npc_spec_side_policy(const npc_spec *s, const npc_flow *f, const npc_speer *side)
{
    for (size_t i = 0; i < f->npolicies; i++)
        if (npc_spec_policy_selects(s, f->policies[i], side))
            return f->policies[i];
    if (side->kind == NPC_SP_COMPONENT)
        return s->components[side->index].policy;
    return -1;
}

static void parse_purpose(npc_spec *s, const npc_node *n, npc_flow *f)
{
    if (npc_node_is_string(n)) {
        f->purpose_from = f->purpose_to = npc_spec_string(s, n, "purpose");
        return;
    }
    static const char *const keys[] = {"from", "to", NULL};
    if (!npc_spec_want_map(s, n, "purpose (a string or {from, to})") ||
        !npc_spec_check_keys(s, n, "purpose", keys))
        return;
    const npc_node *a = npc_map_get(n, "from"), *b = npc_map_get(n, "to");
    if (a)
        f->purpose_from = npc_spec_string(s, a, "purpose.from");
    if (b)
        f->purpose_to = npc_spec_string(s, b, "purpose.to");
}

/* `policy` of a flow: a name or a list, each selecting a side of f. */
static int parse_flow_policies(npc_spec *s, const npc_node *pol, npc_flow *f)
{
    int ok = 1;
    size_t cnt = pol->kind == NPC_NODE_SEQ ? pol->u.seq.len : 1;
    for (size_t j = 0; j < cnt; j++) {
        const npc_node *one = pol->kind == NPC_NODE_SEQ ? pol->u.seq.items[j] : pol;
        const char *pn = npc_spec_string(s, one, "policy");
        if (!pn) {
            ok = 0;
            continue;
        }
        int idx = find_policy(s, pn);
        if (idx < 0) {
            npc_error(s->ctx, NPC105, npc_node_loc(one), "unknown policy '%s'", pn);
            ok = 0;
            continue;
        }
        int used = 0;
        for (size_t q = 0; q < f->nfrom; q++)
            used |= npc_spec_policy_selects(s, idx, &f->from[q]);
        for (size_t q = 0; q < f->nto; q++)
            used |= npc_spec_policy_selects(s, idx, &f->to[q]);
        if (!used) {
            npc_error(s->ctx, NPC115, npc_node_loc(one),
                      "policy '%s' selects neither side of this flow", pn);
            ok = 0;
            continue;
        }
        NPC_APUSH(s->arena, f->policies, f->npolicies, f->polcap, idx);
    }
    return ok;
}

/* A side of all components has no policy of its own: one must be named. */
static int all_components_named(npc_spec *s, const npc_flow *f)
{
    int ok = 1;
    for (int side = 0; side < 2 && ok; side++) {
        const npc_speer *ps = side ? f->to : f->from;
        size_t np = side ? f->nto : f->nfrom;
        for (size_t q = 0; q < np; q++) {
            if (ps[q].kind != NPC_SP_ALL_COMPONENTS)
                continue;
            int named = 0;
            for (size_t j = 0; j < f->npolicies; j++)
                named |= npc_spec_policy_selects(s, f->policies[j], &ps[q]);
            if (!named) {
                npc_error(s->ctx, NPC115, ps[q].loc,
                          "a flow of all-components must name a policy whose subject is "
                          "all-components");
                ok = 0;
            }
        }
    }
    return ok;
}

static void parse_flows(npc_spec *s, const npc_node *n)
{
    static const char *const keys[] = {"from", "to", "ports", "purpose", "policy", "when", NULL};
    if (!n || !npc_spec_want_seq(s, n, "spec.flows"))
        return;
    for (size_t i = 0; i < n->u.seq.len; i++) {
        const npc_node *fn = n->u.seq.items[i];
        if (!npc_spec_want_map(s, fn, "a flow") || !npc_spec_check_keys(s, fn, "a flow", keys))
            continue;
        npc_flow f;
        memset(&f, 0, sizeof f);
        f.loc = npc_node_loc(fn);
        const npc_node *from = npc_map_get(fn, "from"), *to = npc_map_get(fn, "to");
        if (!from || !to) {
            npc_error(s->ctx, NPC104, f.loc, "a flow needs 'from' and 'to'");
            continue;
        }
        int ok = npc_spec_parse_peers(s, from, &f.from, &f.nfrom, &f.fcap);
        ok = npc_spec_parse_peers(s, to, &f.to, &f.nto, &f.tcap) && ok;
        const npc_node *ports = npc_map_get(fn, "ports");
        if (ports) {
            f.has_ports = 1;
            ok = npc_spec_parse_ports(s, ports, &f.ports, &f.nports, &f.pcap) && ok;
        }
        const npc_node *pur = npc_map_get(fn, "purpose");
        if (pur)
            parse_purpose(s, pur, &f);
        const npc_node *w = npc_map_get(fn, "when");
        if (w && !(f.when = npc_spec_parse_cond(s, w)))
            ok = 0;
        if (!ok)
            continue;
        int any_comp = 0;
        for (size_t j = 0; j < f.nfrom; j++)
            any_comp |= comp_side(&f.from[j]);
        for (size_t j = 0; j < f.nto; j++)
            any_comp |= comp_side(&f.to[j]);
        if (!any_comp) {
            npc_error(s->ctx, NPC111, f.loc,
                      "flow has no component on either side: name a component (or all-components) "
                      "in 'from' or 'to'");
            continue;
        }
        const npc_node *pol = npc_map_get(fn, "policy");
        if (pol)
            ok = parse_flow_policies(s, pol, &f);
        ok = ok && all_components_named(s, &f);
        if (ok)
            NPC_APUSH(s->arena, s->flows, s->nflows, s->flcap, f);
    }
}

/* ----------------------------------------------- passthrough, defaultDeny */

/* The dialects of the design; passthrough may name those not rendered yet. */
static int known_dialect(const char *e)
{
    static const char *const names[] = {"kubernetes", "cilium", "calico", "clusterNetworkPolicy",
                                        NULL};
    for (const char *const *n = names; *n; n++)
        if (!strcmp(*n, e))
            return 1;
    return 0;
}

static void parse_passthrough(npc_spec *s, const npc_node *n)
{
    static const char *const keys[] = {"engine", "policy", "ingress", "egress", "when", NULL};
    if (!n || !npc_spec_want_seq(s, n, "spec.passthrough"))
        return;
    for (size_t i = 0; i < n->u.seq.len; i++) {
        const npc_node *pn = n->u.seq.items[i];
        if (!npc_spec_want_map(s, pn, "a passthrough item") ||
            !npc_spec_check_keys(s, pn, "a passthrough item", keys))
            continue;
        npc_passthrough p;
        memset(&p, 0, sizeof p);
        p.loc = npc_node_loc(pn);
        const npc_node *e = npc_map_get(pn, "engine"), *pol = npc_map_get(pn, "policy");
        if (!e || !pol) {
            npc_error(s->ctx, NPC104, p.loc, "a passthrough item needs 'engine' and 'policy'");
            continue;
        }
        p.engine = npc_spec_string(s, e, "engine");
        const char *pname = npc_spec_string(s, pol, "policy");
        if (!p.engine || !pname)
            continue;
        if (!known_dialect(p.engine)) {
            npc_error(s->ctx, NPC301, npc_node_loc(e),
                      "unknown engine '%s' (kubernetes, cilium, calico or clusterNetworkPolicy)",
                      p.engine);
            continue;
        }
        p.policy = find_policy(s, pname);
        if (p.policy < 0) {
            npc_error(s->ctx, NPC105, npc_node_loc(pol), "unknown policy '%s'", pname);
            continue;
        }
        int ok = 1;
        for (int d = 0; d < 2; d++) {
            const npc_node *r = npc_map_get(pn, d ? "egress" : "ingress");
            if (!r)
                continue;
            if (r->kind == NPC_NODE_MAP) {
                static const char *const okeys[] = {"option", NULL};
                const npc_node *o = npc_map_get(r, "option");
                if (!npc_spec_check_keys(s, r, "passthrough rules", okeys) || !o) {
                    ok = 0;
                    continue;
                }
                const char *on = npc_spec_string(s, o, "option");
                int idx = on ? npc_spec_find_option(s, on) : -1;
                if (on && idx < 0) {
                    npc_error(s->ctx, NPC106, npc_node_loc(o), "unknown option '%s'%s", on,
                              npc_spec_option_hint(s, on));
                    ok = 0;
                } else if (idx >= 0 && s->options[idx].type != NPC_OPT_RAW) {
                    npc_error(s->ctx, NPC103, npc_node_loc(o),
                              "option '%s' must have type raw to be passed through", on);
                    ok = 0;
                }
            } else if (!npc_spec_want_seq(s, r, "passthrough rules")) {
                ok = 0;
            }
            p.rules[d] = r;
        }
        const npc_node *w = npc_map_get(pn, "when");
        if (w && !(p.when = npc_spec_parse_cond(s, w)))
            ok = 0;
        if (ok)
            NPC_APUSH(s->arena, s->passthrough, s->npassthrough, s->ptcap, p);
    }
}

int npc_spec_parse_snum(npc_spec *s, const npc_node *n, const char *what, npc_snum *out)
{
    memset(out, 0, sizeof *out);
    out->opt = -1;
    out->loc = npc_node_loc(n);
    if (n && n->kind == NPC_NODE_MAP) {
        int idx = option_ref(s, n, what, NPC_OPT_INT, "an integer or {option: NAME} of an int option");
        if (idx < 0)
            return 0;
        out->opt = idx;
        out->given = 1;
        return 1;
    }
    if (!n || !npc_node_get_int(n, &out->lit)) {
        npc_error(s->ctx, NPC103, npc_node_loc(n),
                  "%s must be an integer or {option: NAME} of an int option", what);
        return 0;
    }
    out->given = 1;
    return 1;
}

long long npc_snum_value(const npc_spec *s, const npc_snum *n, long long def)
{
    if (!n->given)
        return def;
    return n->opt >= 0 ? npc_opt_int(s, n->opt) : n->lit;
}

static void parse_precedence(npc_spec *s, const npc_node *n)
{
    static const char *const keys[] = {"tier", "priority", "order", NULL};
    if (!n || !npc_spec_want_map(s, n, "spec.precedence") ||
        !npc_spec_check_keys(s, n, "spec.precedence", keys))
        return;
    const npc_node *v;
    if ((v = npc_map_get(n, "tier"))) {
        const char *t = npc_spec_string(s, v, "precedence.tier");
        if (t && strcmp(t, "Admin") && strcmp(t, "Baseline"))
            npc_error(
                s->ctx, NPC103, npc_node_loc(v),
                "precedence.tier is Admin or Baseline (a ClusterNetworkPolicy tier), not '%s'", t);
        else if (t && !strcmp(t, "Admin"))
            s->prec_tier = "Admin";
    }
    if ((v = npc_map_get(n, "priority")))
        npc_spec_parse_snum(s, v, "precedence.priority", &s->prec_priority);
    if ((v = npc_map_get(n, "order")))
        npc_spec_parse_snum(s, v, "precedence.order", &s->prec_order);
}

static void parse_default_deny(npc_spec *s, const npc_node *n)
{
    static const char *const keys[] = {"when", "name", "namespaces", "directions", "order", NULL};
    if (!n || !npc_spec_want_map(s, n, "spec.defaultDeny") ||
        !npc_spec_check_keys(s, n, "spec.defaultDeny", keys))
        return;
    npc_default_deny *d = &s->deny;
    d->present = 1;
    d->loc = npc_node_loc(n);
    d->name = "default-deny";
    d->dirs[0] = d->dirs[1] = 1;
    const npc_node *v;
    if ((v = npc_map_get(n, "when")))
        d->when = npc_spec_parse_cond(s, v);
    if ((v = npc_map_get(n, "name")) && !(d->name = name_field(s, v, "defaultDeny.name")))
        d->present = 0;
    if ((v = npc_map_get(n, "order")))
        npc_spec_parse_snum(s, v, "defaultDeny.order", &d->order);
    if ((v = npc_map_get(n, "namespaces")) && npc_spec_want_seq(s, v, "defaultDeny.namespaces"))
        for (size_t i = 0; i < v->u.seq.len; i++) {
            const char *ns = name_field(s, v->u.seq.items[i], "namespace");
            if (ns)
                NPC_APUSH(s->arena, d->namespaces, d->nns, d->cap, ns);
        }
    if ((v = npc_map_get(n, "directions")) && npc_spec_want_seq(s, v, "defaultDeny.directions")) {
        d->dirs[0] = d->dirs[1] = 0;
        for (size_t i = 0; i < v->u.seq.len; i++) {
            const npc_node *x = v->u.seq.items[i];
            if (npc_node_scalar_eq(x, "Ingress"))
                d->dirs[0] = 1;
            else if (npc_node_scalar_eq(x, "Egress"))
                d->dirs[1] = 1;
            else
                npc_error(s->ctx, NPC103, npc_node_loc(x), "a direction is Ingress or Egress");
        }
    }
}

/* ------------------------------------------------------------ top level */

/* The naming pattern's placeholders, checked with the other load errors
 * (not only once compiling starts): {name}, or a string or int option. */
static void check_naming(npc_spec *s)
{
    const char *pat = s->naming;
    for (const char *p = pat; p && (p = strchr(p, '{')) != NULL;) {
        const char *end = strchr(p, '}');
        if (!end) {
            npc_error(s->ctx, NPC116, s->naming_loc, "naming pattern '%s' has an unclosed '{'",
                      pat);
            return;
        }
        char *key = npc_arena_strndup(s->arena, p + 1, (size_t)(end - p - 1));
        int o = strcmp(key, "name") == 0 ? -2 : npc_spec_find_option(s, key);
        if (o == -1 ||
            (o >= 0 && s->options[o].type != NPC_OPT_STRING && s->options[o].type != NPC_OPT_INT))
            npc_error(s->ctx, NPC116, s->naming_loc,
                      "naming pattern '%s': '{%s}' is neither {name} nor a string or int option",
                      pat, key);
        p = end + 1;
    }
}

static void parse_spec_body(npc_spec *s, const npc_node *sp)
{
    static const char *const keys[] = {"when",        "namespace",  "selector", "naming",
                                       "labels",      "engine",     "options",  "entities",
                                       "components",  "policies",   "flows",    "passthrough",
                                       "defaultDeny", "precedence", "profile",  NULL};
    if (!npc_spec_want_map(s, sp, "spec"))
        return;
    npc_spec_check_keys(s, sp, "spec", keys);
    const npc_node *v;
    if ((v = npc_map_get(sp, "selector"))) {
        s->has_selector = npc_spec_parse_selector(s, v, &s->selector, 1);
        if (s->has_selector && !s->selector.nlabels && !s->selector.nexprs) {
            npc_error(s->ctx, NPC114, npc_node_loc(v), "spec.selector must not be empty");
            s->has_selector = 0;
        }
    }
    if ((v = npc_map_get(sp, "naming"))) {
        s->naming = npc_spec_string(s, v, "spec.naming");
        s->naming_loc = npc_node_loc(v);
    }
    if ((v = npc_map_get(sp, "labels"))) {
        npc_ssel tmp;
        if (npc_spec_want_map(s, v, "spec.labels") &&
            npc_spec_parse_label_map(s, v, (memset(&tmp, 0, sizeof tmp), &tmp))) {
            s->labels = tmp.labels;
            s->nlabels = tmp.nlabels;
        }
    }
    npc_spec_parse_options(s, npc_map_get(sp, "options"));
    if ((v = npc_map_get(sp, "namespace"))) {
        s->ns = ns_field(s, v, "spec.namespace", &s->ns_opt);
        if (s->ns_opt < 0 && s->release_ns && s->ns && strcmp(s->ns, s->release_ns) &&
            strcmp(s->release_ns, "default")) /* helm's own default: no news */
            npc_warning(s->ctx, NPC114, npc_node_loc(v),
                        "spec.namespace is '%s': --namespace '%s' applies only to specs that name "
                        "no namespace (as a chart's fixed namespace wins over helm -n)",
                        s->ns, s->release_ns);
    }
    if ((v = npc_map_get(sp, "engine"))) {
        s->engine_loc = npc_node_loc(v);
        if (v->kind == NPC_NODE_MAP) {
            static const char *const ekeys[] = {"option", NULL};
            npc_spec_check_keys(s, v, "spec.engine", ekeys);
            const npc_node *o = npc_map_get(v, "option");
            const char *on = o ? npc_spec_string(s, o, "option") : NULL;
            s->engine_opt = on ? npc_spec_find_option(s, on) : -1;
            if (!on || s->engine_opt < 0 || s->options[s->engine_opt].type != NPC_OPT_STRING) {
                npc_error(
                    s->ctx, NPC106, npc_node_loc(o ? o : v),
                    "spec.engine must be an engine name or {option: NAME} of a string option");
                s->engine_opt = -1;
            }
        } else {
            s->engine = npc_spec_string(s, v, "spec.engine");
        }
    }
    if ((v = npc_map_get(sp, "when"))) {
        s->when = npc_spec_parse_cond(s, v);
        s->when_loc = npc_node_loc(v);
    }
    if ((v = npc_map_get(sp, "profile"))) {
        const char *pr = npc_spec_string(s, v, "spec.profile");
        if (pr && !npc_spec_profile_ok(pr))
            npc_error(s->ctx, NPC124, npc_node_loc(v),
                      "unknown platform profile '%s' (known: gardener, kubeadm, gke, eks)", pr);
        else
            s->profile = pr;
    }
    parse_components(s, npc_map_get(sp, "components"));
    npc_spec_add_builtin_entities(s);
    parse_entities(s, npc_map_get(sp, "entities"));
    parse_policies(s, npc_map_get(sp, "policies"));
    parse_flows(s, npc_map_get(sp, "flows"));
    parse_passthrough(s, npc_map_get(sp, "passthrough"));
    parse_default_deny(s, npc_map_get(sp, "defaultDeny"));
    parse_precedence(s, npc_map_get(sp, "precedence"));
    check_naming(s);
    npc_spec_bind_ns(s, 0); /* the options' defaults until values come */
}

void npc_spec_add_tree(npc_spec *s, npc_tree *t)
{
    NPC_APUSH(s->arena, s->trees, s->ntrees, s->tcap, t);
}

typedef struct load_state {
    npc_spec *spec;
    unsigned docs;
} load_state;

static int on_doc(npc_ctx *ctx, npc_tree *t, void *user)
{
    load_state *ls = user;
    npc_spec *s = ls->spec;
    npc_spec_add_tree(s, t);
    if (!t->root)
        return 0;
    if (++ls->docs > 1) {
        npc_error(ctx, NPC101, npc_node_loc(t->root), "a spec file holds one document");
        return 1;
    }
    const npc_node *r = t->root;
    static const char *const keys[] = {"apiVersion", "kind", "metadata", "spec", NULL};
    if (!npc_spec_want_map(s, r, "a traffic spec"))
        return 1;
    npc_spec_check_keys(s, r, "a traffic spec", keys);
    const npc_node *av = npc_map_get(r, "apiVersion"), *kind = npc_map_get(r, "kind");
    if (!npc_node_scalar_eq(av, SPEC_API_VERSION))
        npc_error(ctx, NPC101, npc_node_loc(av ? av : r), "apiVersion must be %s",
                  SPEC_API_VERSION);
    if (!npc_node_scalar_eq(kind, SPEC_KIND))
        npc_error(ctx, NPC101, npc_node_loc(kind ? kind : r), "kind must be %s", SPEC_KIND);
    const npc_node *md = npc_map_get(r, "metadata");
    if (md && npc_spec_want_map(s, md, "metadata")) {
        static const char *const mkeys[] = {"name", "description", NULL};
        npc_spec_check_keys(s, md, "metadata", mkeys);
        const npc_node *nm = npc_map_get(md, "name"), *d = npc_map_get(md, "description");
        if (nm)
            s->name = name_field(s, nm, "metadata.name");
        if (d)
            npc_spec_string(s, d, "metadata.description");
    }
    const npc_node *sp = npc_map_get(r, "spec");
    if (!sp) {
        npc_error(ctx, NPC104, npc_node_loc(r), "a traffic spec needs 'spec'");
        return 1;
    }
    parse_spec_body(s, sp);
    return 0;
}

npc_status npc_spec_set_profile(npc_spec *spec, const char *profile)
{
    if (profile && !npc_spec_profile_ok(profile)) {
        npc_loc none = {0};
        npc_error(spec->ctx, NPC124, none,
                  "unknown platform profile '%s' (known: gardener, kubeadm, gke, eks)", profile);
        return NPC_ERR_INPUT;
    }
    npc_spec_use_profile(spec, profile ? npc_arena_strdup(spec->arena, profile) : NULL);
    return NPC_OK;
}

npc_spec *npc_spec_load(npc_ctx *ctx, const char *path)
{
    return npc_spec_load_ns(ctx, path, NULL);
}

npc_spec *npc_spec_load_ns(npc_ctx *ctx, const char *path, const char *ns)
{
    npc_spec *s = npc_xcalloc(1, sizeof *s);
    s->ctx = ctx;
    s->arena = npc_arena_new();
    if (ns && !npc_spec_dns_label_ok(ns)) {
        npc_loc none = {0};
        npc_error(ctx, NPC114, none, "--namespace '%s' is not a namespace name (a DNS label)", ns);
        npc_spec_free(s);
        return NULL;
    }
    s->release_ns = ns ? npc_arena_strdup(s->arena, ns) : NULL;
    s->ns = s->release_ns;
    s->ns_opt = -1;
    s->engine_opt = -1;
    s->file = npc_arena_strdup(s->arena, path);
    size_t before = npc_error_count(ctx);
    load_state ls = {s, 0};
    npc_status st = npc_yaml_read_file(ctx, path, on_doc, &ls);
    if (st == NPC_OK && ls.docs == 0) {
        npc_loc l = {npc_source_add(ctx, path, NULL, 0), 0, 0};
        npc_error(ctx, NPC101, l, "the file holds no traffic spec");
    }
    if (st != NPC_OK || npc_error_count(ctx) > before) {
        /* The checks of compiling and rendering need a whole spec: say
         * that they follow, so that a fixed spec's new errors are expected. */
        npc_loc none = {NULL, 0, 0};
        if (npc_error_count(ctx) > before)
            npc_warning(ctx, NPC118, none,
                        "further checks (the names the naming pattern makes, peers and named "
                        "ports the engine cannot express) run once these errors are fixed");
        npc_spec_free(s);
        return NULL;
    }
    return s;
}

void npc_spec_free(npc_spec *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->ntrees; i++)
        npc_tree_free(s->trees[i]);
    npc_arena_free(s->arena);
    free(s);
}

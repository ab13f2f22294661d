/* Single-flow verdicts: what decided a flow in each direction, as records
 * (npc_verdict), and their text for eval and explain. The steps come from
 * the single-port walk (walk.c), which explain.c shares for the
 * port-range explanations of whole pairs (connlist --explain). */
#include <stdlib.h>
#include <string.h>

#include "eval/eval_int.h"
#include "util/buf.h"
#include "util/ctx.h"

static const char *sym(const npc_cluster *c, npc_sym s)
{
    return npc_sym_str(c->ctx->strings, s);
}

static void push(npc_verdict *v, npc_why_kind kind, uint32_t layer, npc_action action,
                 uint32_t policy, uint32_t rule)
{
    npc_why w;
    memset(&w, 0, sizeof w);
    w.kind = kind;
    w.layer = layer;
    w.action = action;
    w.policy = policy;
    w.rule = rule;
    npc_vec_push(&v->steps, w);
}

/* The verdict of direction dir at endpoint subj for peer and one port, from
 * the walk's steps: one allowing rule per policy of an additive layer, and
 * an isolating layer's denial as one ISOLATED step per policy. */
static void verdict_dir(const npc_eval *ev, ev_ep subj, npc_dir dir, ev_ep peer, npc_proto proto,
                        uint16_t port, ev_stepvec *walk, npc_verdict *v)
{
    v->steps.len = 0;
    if (subj.is_atom) {
        push(v, NPC_WHY_EXTERNAL, NPC_NO_LAYER, NPC_ACT_ALLOW, 0, 0);
        v->allowed = 1;
        return;
    }
    v->allowed = ev_walk_port(ev, subj.id, dir, peer, proto, port, walk);
    for (size_t i = 0; i < walk->len; i++) {
        const ev_step *s = &walk->items[i];
        switch (s->kind) {
        case NPC_EXPL_RULE:
            if (!s->more)
                push(v, NPC_WHY_RULE, s->layer, s->action, s->policy, s->rule);
            break;
        case NPC_EXPL_NO_RULES:
        case NPC_EXPL_NO_PEER:
        case NPC_EXPL_PORTS:
        case NPC_EXPL_NAMED_PORTS:
            push(v, NPC_WHY_ISOLATED, s->layer, NPC_ACT_DENY, s->policy, 0);
            break;
        case NPC_EXPL_DEFAULT:
            push(v, NPC_WHY_DEFAULT, NPC_NO_LAYER, NPC_ACT_ALLOW, 0, 0);
            break;
        case NPC_EXPL_LOCALHOST:
            push(v, NPC_WHY_LOCALHOST, NPC_NO_LAYER, NPC_ACT_ALLOW, 0, 0);
            break;
        }
    }
}

void npc_verdict_free(npc_verdict *v)
{
    npc_vec_free(&v->steps);
}

int npc_flow_verdicts(npc_cluster *c, const npc_flow_end *src, const npc_flow_end *dst,
                      npc_proto proto, uint16_t port, npc_verdict *egress, npc_verdict *ingress)
{
    if (npc_eval_build(c) != NPC_OK)
        return 0;
    const npc_eval *ev = c->eval;
    ev_ep s = ev_ep_of(ev, src->kind, src->workload, src->ip);
    ev_ep d = ev_ep_of(ev, dst->kind, dst->workload, dst->ip);
    ev_stepvec walk = {0};
    verdict_dir(ev, s, NPC_DIR_EGRESS, d, proto, port, &walk, egress);
    verdict_dir(ev, d, NPC_DIR_INGRESS, s, proto, port, &walk, ingress);
    npc_vec_free(&walk);
    return egress->allowed && ingress->allowed;
}

struct npc_flow_scratch {
    ev_scratch sc;
};

void npc_flow_allowed(npc_cluster *c, npc_flow_scratch **scp, const npc_flow_end *src,
                      const npc_flow_end *dst, npc_portset *egress, npc_portset *ingress)
{
    npc_portset_clear(egress);
    npc_portset_clear(ingress);
    if (npc_eval_build(c) != NPC_OK)
        return;
    if (!*scp)
        *scp = npc_xcalloc(1, sizeof **scp);
    const npc_eval *ev = c->eval;
    ev_ep s = ev_ep_of(ev, src->kind, src->workload, src->ip);
    ev_ep d = ev_ep_of(ev, dst->kind, dst->workload, dst->ip);
    if (s.is_atom)
        npc_portset_set_all(egress);
    else
        ev_eval_dir(ev, &(*scp)->sc, s.id, NPC_DIR_EGRESS, d, egress);
    if (d.is_atom)
        npc_portset_set_all(ingress);
    else
        ev_eval_dir(ev, &(*scp)->sc, d.id, NPC_DIR_INGRESS, s, ingress);
}

void npc_flow_scratch_free(npc_flow_scratch *sc)
{
    if (!sc)
        return;
    ev_scratch_free(&sc->sc);
    free(sc);
}

/* ---------------------------------------------------------------- text */

static const char *const action_names[] = {"Allow", "Deny", "Pass"};
static const char *const dir_names[] = {"ingress", "egress"};

static void format_loc(npc_buf *b, npc_loc l)
{
    if (l.file)
        npc_buf_printf(b, "%s:%u:%u", l.file, l.line, l.col);
    else
        npc_buf_puts(b, "?");
}

void npc_policy_format(const npc_cluster *c, const npc_policy *pol, npc_buf *b)
{
    npc_buf_printf(b, "%s ", npc_policy_kind_name(pol->kind));
    if (pol->ns)
        npc_buf_printf(b, "%s/", sym(c, pol->ns));
    npc_buf_puts(b, sym(c, pol->name));
    if (pol->kind == NPC_KIND_ANP || pol->kind == NPC_KIND_CNP)
        npc_buf_printf(b, " (priority %g)", pol->order);
}

void npc_rule_format(const npc_cluster *c, const npc_policy *pol, const npc_rule *r, npc_buf *b)
{
    npc_policy_format(c, pol, b);
    npc_buf_printf(b, " %s rule %u", dir_names[r->dir], (unsigned)r->index);
    if (r->name)
        npc_buf_printf(b, " \"%s\"", sym(c, r->name));
    npc_buf_puts(b, " at ");
    format_loc(b, r->loc);
}

static const char *layer_name(const npc_cluster *c, uint32_t layer)
{
    return sym(c, c->layers.items[layer].name);
}

/* What decided, on one line (no layer walk): the text of the deciding layer. */
static void format_layer_steps(const npc_cluster *c, const npc_verdict *v, uint32_t t, npc_dir dir,
                               npc_buf *out)
{
    size_t niso = 0, nallow = 0;
    int additive = c->layers.items[t].mode == NPC_MODE_ADDITIVE;
    for (size_t i = 0; i < v->steps.len; i++) {
        const npc_why *w = &v->steps.items[i];
        if (w->layer != t)
            continue;
        if (w->kind == NPC_WHY_ISOLATED)
            niso++;
        else if (w->kind == NPC_WHY_RULE && w->action == NPC_ACT_ALLOW && additive)
            nallow++;
    }
    if (niso) {
        size_t shown = 0;
        npc_buf_printf(out, "%s tier: isolated for %s by ", layer_name(c, t), dir_names[dir]);
        for (size_t i = 0; i < v->steps.len && shown < 3; i++) {
            const npc_why *w = &v->steps.items[i];
            if (w->layer != t || w->kind != NPC_WHY_ISOLATED)
                continue;
            if (shown)
                npc_buf_puts(out, shown + 1 == niso ? " and " : ", ");
            npc_policy_format(c, &c->policies.items[w->policy], out);
            shown++;
        }
        if (niso > shown)
            npc_buf_printf(out, " and %zu more", niso - shown);
        npc_buf_puts(out, "; no rule allows");
        return;
    }
    size_t shown = 0;
    for (size_t i = 0; i < v->steps.len; i++) {
        const npc_why *w = &v->steps.items[i];
        if (w->layer != t || w->kind != NPC_WHY_RULE)
            continue;
        const npc_policy *pol = &c->policies.items[w->policy];
        npc_buf_puts(out, shown ? "; " : "");
        if (!shown)
            npc_buf_printf(out, "%s tier: ", layer_name(c, t));
        npc_rule_format(c, pol, &pol->rules[w->rule], out);
        shown++;
        if (!nallow) { /* first match: one line per step */
            npc_buf_printf(out, ": %s", action_names[w->action]);
            break;
        }
    }
    if (nallow)
        npc_buf_puts(out, ": Allow");
}

void npc_verdict_format_chain(const npc_cluster *c, uint32_t subj_workload, npc_dir dir,
                              const npc_verdict *v, npc_buf *out)
{
    const npc_eval *ev = c->eval;
    if (v->steps.len && v->steps.items[0].kind == NPC_WHY_EXTERNAL) {
        npc_buf_puts(out, "  external endpoint: not subject to policies: Allow\n");
        return;
    }
    if (v->steps.len && v->steps.items[v->steps.len - 1].kind == NPC_WHY_LOCALHOST) {
        npc_buf_puts(out, "  own node: Cilium allows a pod's node to reach it "
                          "(allow-localhost): Allow\n");
        return;
    }
    uint32_t cls = ev->wl_class[subj_workload];
    const ev_profile *pr = &ev->profiles[ev->class_profile[(size_t)cls * 2 + dir]];
    uint32_t decided = NPC_NO_LAYER;
    const npc_why *last = &v->steps.items[v->steps.len - 1];
    if (last->kind != NPC_WHY_DEFAULT)
        decided = last->layer;
    for (uint32_t li = 0; li < ev->nlayers; li++) {
        uint32_t t = ev->layer_order[li];
        const npc_layer *layer = &c->layers.items[t];
        uint32_t n = 0;
        for (uint32_t s = 0; s < pr->nsegs; s++)
            if (pr->segs[s].layer == t)
                n = pr->segs[s].to - pr->segs[s].from;
        int any = 0;
        for (size_t i = 0; i < v->steps.len; i++) {
            const npc_why *w = &v->steps.items[i];
            if (w->layer != t)
                continue;
            any = 1;
            if (w->kind == NPC_WHY_RULE && w->action == NPC_ACT_PASS) {
                const npc_policy *pol = &c->policies.items[w->policy];
                npc_buf_printf(out, "  %s tier: ", layer_name(c, t));
                npc_rule_format(c, pol, &pol->rules[w->rule], out);
                npc_buf_puts(out, ": Pass (to the next tier)\n");
            }
        }
        if (t == decided) {
            npc_buf_puts(out, "  ");
            format_layer_steps(c, v, t, dir, out);
            if (last->kind == NPC_WHY_ISOLATED)
                npc_buf_puts(out, ": Deny");
            npc_buf_putc(out, '\n');
            return;
        }
        if (any)
            continue;
        if (n == 0)
            npc_buf_printf(out, "  %s tier: no policy selects it for %s%s\n", layer_name(c, t),
                           dir_names[dir], layer->isolates ? " (not isolated)" : "");
        else
            npc_buf_printf(out, "  %s tier: %u polic%s select%s it for %s; no rule matches\n",
                           layer_name(c, t), n, n == 1 ? "y" : "ies", n == 1 ? "s" : "",
                           dir_names[dir]);
    }
    npc_buf_puts(out, "  default: Allow (no tier decided)\n");
}

void npc_verdict_format_reason(const npc_cluster *c, npc_dir dir, const npc_verdict *v,
                               npc_buf *out)
{
    const npc_why *last = &v->steps.items[v->steps.len - 1];
    switch (last->kind) {
    case NPC_WHY_EXTERNAL:
        npc_buf_puts(out, dir == NPC_DIR_EGRESS ? "external source" : "external destination");
        return;
    case NPC_WHY_DEFAULT:
        npc_buf_puts(out, "no tier decided: allowed by default");
        return;
    case NPC_WHY_LOCALHOST:
        npc_buf_puts(out, "from the pod's own node: Cilium allow-localhost");
        return;
    case NPC_WHY_RULE:
    case NPC_WHY_ISOLATED:
        format_layer_steps(c, v, last->layer, dir, out);
        return;
    }
}

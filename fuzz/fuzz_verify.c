/* Fuzz target: spec -> render -> load -> verify. Loads the input as a spec
 * file and verifies it for one engine, picked by a hash of the input so that
 * a run covers every engine while each input costs one verification (the
 * rendering loaded back through the manifest loaders, the synthesised
 * topology, every probe), with the topology and probe dumps. Invariants: a completed run writes a
 * report whose result agrees with the counts, a topology and one probe line per probe,
 * unenforceable flows only on an engine that cannot deny at ingress; a failed run writes nothing
 * and leaves an error diagnostic. */
#define _GNU_SOURCE /* memfd_create */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "memfile.h"
#include "netpolc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t count_lines(const npc_buf *b)
{
    size_t n = 0;
    for (size_t i = 0; i < b->len; i++)
        n += b->data[i] == '\n';
    return n;
}

static void verify_engine(npc_ctx *ctx, npc_spec *spec, const char *engine)
{
    npc_buf out = NPC_BUF_INIT, topo = NPC_BUF_INIT, probes = NPC_BUF_INIT;
    npc_verify_options o;
    memset(&o, 0, sizeof o);
    o.engine = engine;
    o.format = NPC_VERIFY_JSON;
    o.topology = &topo;
    o.probes = &probes;
    npc_verify_result res;
    size_t errors = npc_error_count(ctx);
    npc_status st = npc_verify(spec, &o, &out, &res);
    if (st == NPC_OK) {
        int clean = out.data && strstr(out.data, "\"result\": \"clean\"") != NULL;
        /* unenforceable flows only where the engine cannot deny at ingress */
        int open_ok = !res.unenforceable || strcmp(engine, "kubernetes") != 0;
        if (!out.len || clean != (res.missing + res.excess == 0) || res.failed != !clean ||
            count_lines(&probes) != res.probes || !topo.len || !open_ok)
            abort();
    } else if (out.len || npc_error_count(ctx) == errors) {
        abort();
    }
    npc_buf_free(&out);
    npc_buf_free(&topo);
    npc_buf_free(&probes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = npc_fuzz_memfile(data, size);
    npc_ctx *ctx = npc_ctx_new();
    npc_limits lim = npc_ctx_limits(ctx);
    lim.max_alias_nodes = 20000;
    npc_ctx_set_limits(ctx, &lim);
    npc_spec *spec = npc_spec_load(ctx, path);
    if (spec) {
        const char *const *engines = npc_render_engines();
        size_t n = 0;
        uint32_t h = 2166136261u; /* FNV-1a */
        while (engines[n])
            n++;
        for (size_t i = 0; i < size; i++)
            h = (h ^ data[i]) * 16777619u;
        verify_engine(ctx, spec, engines[h % n]);
        npc_spec_free(spec);
    }
    npc_buf diags = NPC_BUF_INIT;
    npc_diags_format(ctx, NPC_SEV_NOTE, 0, &diags);
    npc_buf_free(&diags);
    npc_ctx_free(ctx);
    return 0;
}

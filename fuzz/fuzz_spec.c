/* Fuzz target: the traffic spec. Loads the input as a spec file, sets an
 * option, renders it for every engine in both formats, and writes the
 * traffic table in both formats. */
#define _GNU_SOURCE /* memfd_create */
#include <stdint.h>

#include "memfile.h"
#include "netpolc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = npc_fuzz_memfile(data, size);
    npc_ctx *ctx = npc_ctx_new();
    npc_limits lim = npc_ctx_limits(ctx);
    lim.max_alias_nodes = 20000;
    npc_ctx_set_limits(ctx, &lim);
    npc_spec *spec = npc_spec_load(ctx, path);
    if (spec) {
        npc_buf out = NPC_BUF_INIT;
        (void)npc_spec_engine(spec);
        for (const char *const *e = npc_render_engines(); *e; e++) {
            npc_render(spec, *e, NPC_FORMAT_YAML, &out);
            npc_render(spec, *e, NPC_FORMAT_JSON, &out);
            npc_buf_free(&out);
        }
        npc_docs(spec, NPC_DOCS_MD, &out);
        npc_docs(spec, NPC_DOCS_CSV, &out);
        npc_buf_free(&out);
        /* options change the compiled policies: flip a common toggle */
        if (npc_spec_set(spec, "networkPoliciesEnabled=false") == NPC_OK) {
            npc_render(spec, "kubernetes", NPC_FORMAT_YAML, &out);
            npc_buf_free(&out);
        }
        npc_spec_free(spec);
    }
    npc_buf diags = NPC_BUF_INIT;
    npc_diags_format(ctx, NPC_SEV_NOTE, 0, &diags);
    npc_buf_free(&diags);
    npc_ctx_free(ctx);
    return 0;
}

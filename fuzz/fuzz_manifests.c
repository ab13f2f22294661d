/* Fuzz target: cluster manifests. Loads the input as a manifest file (a
 * stream of objects, List kinds, every analysed kind), builds the
 * evaluator, computes the connection list, and evaluates a few flows. */
#define _GNU_SOURCE /* memfd_create */
#include <stdint.h>
#include <string.h>

#include "load_eval.h"
#include "memfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const addrs[] = {"10.1.2.3"};
    npc_fuzz_load_eval(npc_fuzz_memfile(data, size), 4, 80, addrs, 1);
    return 0;
}

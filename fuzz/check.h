/* The fuzz targets' assertion: fails loudly, so the fuzzer records the
 * input as a crash (and replay stops on it). */
#ifndef NPC_FUZZ_CHECK_H
#define NPC_FUZZ_CHECK_H
#include <stdlib.h>

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            abort();                                                                               \
    } while (0)

#endif

/* Diagnostics: records with a stable code and up to three positions.
 * Library code reports through these functions and never prints. */
#ifndef NPC_UTIL_DIAG_H
#define NPC_UTIL_DIAG_H
#include <stdarg.h>

#include "netpolc.h"

typedef enum npc_code {
#define NPC_CODE(id, summary) id,
#include "util/codes.def"
#undef NPC_CODE
    NPC_CODE_COUNT
} npc_code;

const char *npc_code_name(npc_code c);
const char *npc_code_summary(npc_code c);

#if defined(__GNUC__)
#define NPC_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define NPC_PRINTF(f, a)
#endif

/* Each returns the new record (for npc_diag_also) or NULL once max_errors
 * errors were reported; callers may keep going either way. */
npc_diag *npc_error(npc_ctx *ctx, npc_code code, npc_loc loc, const char *fmt, ...)
    NPC_PRINTF(4, 5);
npc_diag *npc_warning(npc_ctx *ctx, npc_code code, npc_loc loc, const char *fmt, ...)
    NPC_PRINTF(4, 5);
npc_diag *npc_note(npc_ctx *ctx, npc_code code, npc_loc loc, const char *fmt, ...) NPC_PRINTF(4, 5);
npc_diag *npc_diag_add(npc_ctx *ctx, npc_severity sev, npc_code code, npc_loc loc, const char *fmt,
                       va_list ap) NPC_PRINTF(5, 0);
/* npc_diag_add with the severity chosen at run time (a warning that strict
 * mode makes an error). */
npc_diag *npc_diag_add_fmt(npc_ctx *ctx, npc_severity sev, npc_code code, npc_loc loc,
                           const char *fmt, ...) NPC_PRINTF(5, 6);
/* Adds a secondary position ("first defined here") to d; ignored if d is NULL. */
void npc_diag_also(npc_diag *d, npc_loc loc);
/* True once max_errors errors were reported: loaders should stop early. */
int npc_error_limit_reached(const npc_ctx *ctx);

#endif

/* Arguments shared by the verbs that read a traffic spec. */
#ifndef NPC_CLI_SPEC_ARGS_H
#define NPC_CLI_SPEC_ARGS_H
#include <stddef.h>
#include <stdio.h>

#include "netpolc.h"

typedef struct npc_spec_args {
    const char *spec;
    const char **sets, **values, **set_strings, **set_files;
    size_t nsets, nvalues, nset_strings, nset_files;
    const char *values_prefix; /* --values-prefix KEY */
    int strict_values;         /* --strict-values */
    const char *ns;            /* --namespace NS / -n NS: the default namespace */
    const char *profile;       /* --profile NAME: the platform of the built-in entities */
    const char *output_file;   /* -o FILE; NULL: stdout */
    int verbose;               /* -v: notes too */
    const char **rest;         /* other "--opt value" pairs, for the verb */
    size_t nrest;
} npc_spec_args;

/* Returns 0 on success, -1 for --help, 1 after printing a usage error.
 * Free out with npc_cli_spec_args_free() in every case. */
int npc_cli_spec_args(int argc, char **argv, const char *verb, npc_spec_args *out);
void npc_cli_spec_args_free(npc_spec_args *a);
/* Prints the help lines of the options every spec verb takes (values). */
void npc_cli_spec_args_help(FILE *out);
/* Loads the spec and applies --values files, then --set; NULL on errors
 * (reported in ctx). */
npc_spec *npc_cli_spec_open(npc_ctx *ctx, const npc_spec_args *a);
/* The rest of a spec verb: loads the spec, applies --values files, then
 * --set, lets produce() write its output, writes it (stdout or -o FILE)
 * only when there were no errors, prints the diagnostics, frees a.
 * Returns the exit code. */
typedef npc_status (*npc_cli_spec_fn)(npc_spec *spec, const void *user, npc_buf *out);
int npc_cli_spec_run(npc_spec_args *a, npc_cli_spec_fn produce, const void *user);

#endif

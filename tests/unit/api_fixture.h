/* Shared by the tests of the public API: a scratch folder of input files
 * (created by each test's setup with mkdtemp into `root`, removed by
 * teardown) and counting diagnostics. Include after cmocka.h and
 * netpolc.h; uses only the public header. */
#ifndef NPC_TEST_API_FIXTURE_H
#define NPC_TEST_API_FIXTURE_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char root[64];

/* Writes text to root/rel. */
static void write_file(const char *rel, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

/* Diagnostics of severity sev and code (NULL: any code). */
static size_t count_severity(const npc_ctx *ctx, npc_severity sev, const char *code)
{
    size_t n = 0;
    for (size_t i = 0; i < npc_diag_count(ctx); i++) {
        const npc_diag *d = npc_diag_get(ctx, i);
        if (d->severity == sev && (!code || strcmp(d->code, code) == 0))
            n++;
    }
    return n;
}

#endif

/* Object names and namespaces as the API server validates them, so a
 * manifest cannot name a workload or policy in a way the cluster would
 * refuse (NUL bytes that truncate it, '/' that makes report rows
 * ambiguous, upper case, '_'). */
#ifndef NPC_MODEL_NAMES_H
#define NPC_MODEL_NAMES_H
#include "model/ir.h"

typedef enum npc_name_rule {
    NPC_NAME_SUBDOMAIN, /* RFC 1123 subdomain: most object names */
    NPC_NAME_LABEL      /* RFC 1123 label: namespaces */
} npc_name_rule;

/* Checks the string scalar n (what: "namespace name", "NetworkPolicy
 * name"...): characters no name may hold (NUL, '/', space...) are an error
 * (returns 0), other RFC 1123 violations a warning (returns 1); NPC225 at n. */
int npc_check_object_name(npc_cluster *c, const npc_node *n, npc_name_rule rule, const char *what);

/* True when the scalar n holds a NUL byte before its end. */
int npc_node_has_nul(const npc_node *n);

#endif

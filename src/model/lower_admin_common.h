/* What AdminNetworkPolicy, BaselineAdminNetworkPolicy (v1alpha1) and
 * ClusterNetworkPolicy (v1alpha2) share: metadata, subject, peers, rule
 * lists. The dialects differ in a few fields, described as data by
 * npc_admin_dialect; each dialect file parses its own port syntax.
 * Implementation: src/model/lower_admin_common.c. */
#ifndef NPC_MODEL_LOWER_ADMIN_COMMON_H
#define NPC_MODEL_LOWER_ADMIN_COMMON_H
#include "model/ir.h"

/* Parses one entry of a rule's port list (ANP `ports`, CNP `protocols`)
 * into out; returns 1 on success, 0 after reporting errors. */
typedef int (*npc_admin_port_fn)(npc_cluster *c, const npc_node *n, npc_port_match *out);

typedef struct npc_admin_dialect {
    npc_policy_kind kind;
    const char *action_names[3];     /* indexed by npc_action; NULL: not accepted */
    const char *ports_key;           /* "ports" (v1alpha1) or "protocols" (v1alpha2) */
    const char *const *rule_keys[2]; /* fields of a rule, by npc_dir; NULL-terminated */
    npc_admin_port_fn parse_port;
    int pods_ns_required; /* v1alpha1: pods.namespaceSelector is required */
    uint32_t max_rules;   /* per direction */
    uint32_t max_peers;   /* per rule */
    uint32_t max_ports;   /* per rule */
} npc_admin_dialect;

/* Checks that every key of map is in allowed (NULL-terminated); reports
 * NPC209 for the others, naming `where`. Returns 1 when all are known. */
int npc_admin_check_keys(npc_cluster *c, const npc_node *map, const char *const *allowed,
                         const char *where);

/* The single set (non-null) field of a one-of object (a subject, a peer, a
 * port); NULL after reporting when n is not a mapping, has a key outside
 * allowed (NULL-terminated), or has none or several set. */
const npc_pair *npc_admin_one_of(npc_cluster *c, const npc_node *n, const char *const *allowed,
                                 const char *where);

/* A string field: 1 with *s set, 0 after reporting. */
int npc_admin_string(npc_cluster *c, const npc_node *n, const char *what, const char **s);

/* Reads metadata.name into p->name and returns spec (a mapping), or NULL
 * after reporting errors. Sets p->kind, p->loc; *ok = 0 after an error in
 * the metadata (spec is still returned, to report its errors too). */
const npc_node *npc_admin_begin(npc_cluster *c, const npc_node *obj, const npc_admin_dialect *d,
                                npc_policy *p, int *ok);

/* spec.priority (required, 0..1000) into p->order. */
int npc_admin_priority(npc_cluster *c, const npc_node *spec, npc_policy *p);

/* spec.subject, spec.ingress and spec.egress into p. */
int npc_admin_subject(npc_cluster *c, const npc_node *spec, const npc_admin_dialect *d,
                      npc_policy *p);
int npc_admin_rules(npc_cluster *c, const npc_node *spec, const npc_admin_dialect *d,
                    npc_policy *p);

/* A port number field (integer 1..65535) into *out. */
int npc_admin_port_number(npc_cluster *c, const npc_node *n, const char *what, uint16_t *out);

/* Checks the policy against those already loaded (a warning when another
 * policy of the tier has the same priority, unless both have rules of one
 * and the same action) and appends it to c->policies. */
void npc_admin_finish(npc_cluster *c, const npc_policy *p);

#endif

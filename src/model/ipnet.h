/* IP addresses and ranges. IPv4 lives in the IPv4-mapped part of one 128-bit
 * space (::ffff:a.b.c.d), so one range type covers both families. */
#ifndef NPC_MODEL_IPNET_H
#define NPC_MODEL_IPNET_H
#include <stddef.h>
#include <stdint.h>

typedef struct npc_ip {
    uint64_t hi, lo;
} npc_ip;

typedef struct npc_iprange {
    npc_ip first, last; /* inclusive */
} npc_iprange;

int npc_ip_cmp(npc_ip a, npc_ip b);
int npc_ip_is_v4(npc_ip a);
npc_ip npc_ip_next(npc_ip a); /* wraps at the top */
npc_ip npc_ip_prev(npc_ip a);
/* Parses "10.0.0.1" or "2001:db8::1". Returns 1 on success. */
int npc_ip_parse(const char *s, npc_ip *out);
/* Parses "10.0.0.0/8" or "2001:db8::/32" (host bits may be set, as the
 * Kubernetes API tolerates; `canonical` is cleared when they are).
 * Returns 1 on success. */
int npc_cidr_parse(const char *s, npc_iprange *out, int *prefix, int *is_v6, int *canonical);
/* Writes "a.b.c.d" (IPv4) or RFC 5952 text (IPv6) into out (>= 46 bytes). */
void npc_ip_format(npc_ip a, char *out);
/* The whole IPv4 space (the IPv4-mapped block of the 128-bit space). */
npc_iprange npc_iprange_all_v4(void);
/* An IPv6 CIDR matches no IPv4 address, yet its range in the one space may
 * cover the IPv4-mapped block (::/0 does). Returns 1 and sets *part to the
 * overlap of r with that block, which an IPv6 CIDR must leave out; 0 when
 * there is none. */
int npc_iprange_v4_overlap(npc_iprange r, npc_iprange *part);
/* The addresses of CIDR `whole` (is_v6: an IPv6 CIDR) minus the excepts
 * (each inside it), as sorted disjoint ranges written to out, which has
 * room for nexcept + 2. An IPv6 CIDR leaves out the IPv4 block. Returns
 * how many. */
uint32_t npc_cidr_minus(npc_iprange whole, int is_v6, const npc_iprange *except, uint32_t nexcept,
                        npc_iprange *out);
/* Splits r into the fewest CIDR blocks, in address order, calling fn with
 * the text of each ("10.0.0.0/8", "2001:db8::/32"; a block inside the
 * IPv4 space is written as IPv4). */
void npc_iprange_cidrs(npc_iprange r, void (*fn)(void *user, const char *cidr), void *user);

#endif

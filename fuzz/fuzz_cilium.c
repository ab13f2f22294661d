/* Fuzz target: the Cilium loader and Cilium's semantics. The input is a
 * stream of Cilium objects (CiliumNetworkPolicy,
 * CiliumClusterwideNetworkPolicy, CiliumCIDRGroup; the seeds are the
 * policies of the Cilium corpus) loaded after a fixed topology of the
 * corpus's shape: two namespaces, pods on two nodes (one host-network),
 * the nodes and the API server's address, so that selectors, entities
 * (host, remote-node, kube-apiserver, world), CIDR rules and named ports
 * have endpoints to decide. Builds the evaluator, computes the connection
 * list and evaluates flows between pods, nodes, the API server and an
 * outside address. */
#define _GNU_SOURCE /* memfd_create */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "load_eval.h"
#include "memfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char topology[] =
    "apiVersion: v1\nkind: Namespace\nmetadata: {name: cilium-test-1, labels: {kubernetes.io/"
    "metadata.name: cilium-test-1, app.kubernetes.io/name: cilium-cli}}\n---\n"
    "apiVersion: v1\nkind: Namespace\nmetadata: {name: kube-system, labels: {kubernetes.io/"
    "metadata.name: kube-system}}\n---\n"
    "apiVersion: v1\nkind: Node\nmetadata: {name: kind-worker, labels: {kubernetes.io/hostname: "
    "kind-worker}}\nstatus: {addresses: [{type: InternalIP, address: 172.18.0.3}]}\n---\n"
    "apiVersion: v1\nkind: Node\nmetadata: {name: kind-worker2}\n"
    "status: {addresses: [{type: InternalIP, address: 172.18.0.4}]}\n---\n"
    "apiVersion: v1\nkind: Endpoints\nmetadata: {name: kubernetes, namespace: default}\n"
    "subsets: [{addresses: [{ip: 172.18.0.2}]}]\n---\n"
    "apiVersion: v1\nkind: Pod\nmetadata: {name: client, namespace: cilium-test-1, labels: {name: "
    "client, kind: client}}\nspec: {nodeName: kind-worker, serviceAccountName: client, "
    "containers: [{name: c}]}\nstatus: {podIP: 10.244.1.10}\n---\n"
    "apiVersion: v1\nkind: Pod\nmetadata: {name: echo, namespace: cilium-test-1, labels: {name: "
    "echo-same-node, kind: echo}}\nspec: {nodeName: kind-worker, containers: [{name: c, ports: "
    "[{name: http-8080, containerPort: 8080}]}]}\nstatus: {podIP: 10.244.1.20}\n---\n"
    "apiVersion: v1\nkind: Pod\nmetadata: {name: echo-other, namespace: cilium-test-1, labels: "
    "{name: echo-other-node, kind: echo}}\nspec: {nodeName: kind-worker2, containers: [{name: c, "
    "ports: [{name: http-8080, containerPort: 8080}]}]}\nstatus: {podIP: 10.244.2.20}\n---\n"
    "apiVersion: v1\nkind: Pod\nmetadata: {name: host-netns, namespace: cilium-test-1, labels: "
    "{name: host-netns}}\nspec: {nodeName: kind-worker2, hostNetwork: true, containers: [{name: "
    "c}]}\nstatus: {podIP: 172.18.0.4}\n---\n"
    "apiVersion: v1\nkind: Pod\nmetadata: {name: coredns, namespace: kube-system, labels: "
    "{k8s-app: kube-dns}}\nspec: {nodeName: kind-worker, containers: [{name: c}]}\n"
    "status: {podIP: 10.244.1.2}\n---\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n = sizeof topology - 1;
    uint8_t *all = malloc(n + size + 1);
    if (!all)
        abort();
    memcpy(all, topology, n);
    if (size)
        memcpy(all + n, data, size);
    char *path = npc_fuzz_memfile(all, n + size);
    free(all);
    static const char *const addrs[] = {"172.18.0.2", "172.18.0.3", "172.18.0.4", "1.1.1.1"};
    npc_fuzz_load_eval(path, 8, 8080, addrs, sizeof addrs / sizeof addrs[0]);
    return 0;
}

#!/usr/bin/python3
"""A deterministic traffic spec for verify's benchmark: COMPONENTS components
spread over NAMESPACES namespaces, FLOWS flows between them (each from one
component to another, on one port of a pool of PORTS), every tenth flow from
a label-selected peer in any namespace instead, DNS for all.

    gen_spec.py [--components 200] [--flows 2000] [--namespaces 10] [--ports 10] [--seed 1]
"""
import argparse
import random


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--components", type=int, default=200)
    ap.add_argument("--flows", type=int, default=2000)
    ap.add_argument("--namespaces", type=int, default=10)
    ap.add_argument("--ports", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    ports = [8000 + 10 * i for i in range(a.ports)]
    out = ["apiVersion: netpolc.io/v1alpha1", "kind: TrafficSpec", "metadata:", "  name: bench",
           "spec:", "  naming: \"bench-{name}\"", "  components:"]
    for c in range(a.components):
        out.append("    c%d: {namespace: ns%d, labels: {app: c%d, tier: t%d}}"
                   % (c, c % a.namespaces, c, c % 3))
    out.append("  flows:")
    out.append("    - {from: all-components, to: dns, policy: dns}" if False else
               "    - {from: c0, to: dns, purpose: DNS}")
    for f in range(a.flows - 1):
        dst = rnd.randrange(a.components)
        port = rnd.choice(ports)
        if f % 10 == 9:
            out.append("    - {from: {pods: {role: client%d}, namespaces: any}, to: c%d, ports: [%d]}"
                       % (f % 7, dst, port))
            continue
        src = rnd.randrange(a.components)
        if src == dst:
            src = (src + 1) % a.components
        out.append("    - {from: c%d, to: c%d, ports: [%d]}" % (src, dst, port))
    print("\n".join(out))


if __name__ == "__main__":
    main()

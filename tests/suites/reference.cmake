# netpolc's connection lists of generated snapshots against a naive reference
# evaluation (tests/tools/reference_eval.py): every ordered pair of distinct
# workloads and every workload/external range pair, decided port interval by
# port interval through the admin, namespace and baseline tiers. `sparse`
# gives most namespaces no NetworkPolicy, so that the baseline tier and the
# admin tier's Deny decide flows too (in `small` every team namespace is
# isolated by its own policies first). The profiles are the shapes of
# bench/README.md, on which the connection loop prunes candidate pairs.
if(PYTHON3)
  foreach(variant "small|--size small"
                  "small-pods|--size small --pods-mode"
                  "sparse|--pods 1000 --namespaces 60 --policies 40"
                  # bench/gen.py's cluster shapes (profiles), at small sizes
                  "wide-selectors|--profile wide-selectors --pods 100"
                  "dns-all|--profile dns-all --pods 100"
                  "nsselector-all|--profile nsselector-all --pods 100"
                  "ipblock-excepts|--profile ipblock-excepts --pods 40"
                  "admin-pass|--profile admin-pass --pods 180"
                  "named-ports|--profile named-ports --pods 100"
                  "anp-deny-all|--profile anp-deny-all --pods 100"
                  "in-selectors|--profile in-selectors --pods 100"
                  "ipblock-same-pods|--profile ipblock-same-pods --pods 100"
                  "select-nothing|--profile select-nothing --pods 100"
                  "no-policies|--profile no-policies --pods 100")
    string(REPLACE "|" ";" parts "${variant}")
    list(GET parts 0 name)
    list(GET parts 1 gen_args)
    add_test(NAME corpus/reference-${name}
             COMMAND ${PYTHON3} ${PROJECT_SOURCE_DIR}/tests/tools/reference_eval.py
                     ${CMAKE_BINARY_DIR}/reference/${name}
                     --gen ${PROJECT_SOURCE_DIR}/bench/gen.py --gen-args "${gen_args}"
                     --netpolc ${NETPOLC_BIN})
    set_tests_properties(corpus/reference-${name} PROPERTIES LABELS "corpus;slow" TIMEOUT 90)
  endforeach()
endif()

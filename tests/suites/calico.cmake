# Calico conformance with network-config-analyzer's scheme files: the
# connectivity maps and the comparisons of policy sets (equivalence,
# containment, permits, forbids, interferes) of every scheme whose policy
# sets hold Calico objects, recomputed from `netpolc connlist`
# (tests/tools/nca_corpus.py prints "N of M queries agree (K set aside)" and
# every set-aside query with its reason).
if(PYTHON3)
  add_test(NAME corpus/nca-calico
           COMMAND ${PYTHON3} ${PROJECT_SOURCE_DIR}/tests/tools/nca_corpus.py
                   ${NETPOLC_BIN} ${NETPOLC_SHARED}/corpora/network-config-analyzer)
  set_tests_properties(corpus/nca-calico PROPERTIES LABELS "corpus" TIMEOUT 600)
endif()

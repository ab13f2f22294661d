# Cilium policy verdicts (cilium-cli connectivity tests and the Cilium
# policy documentation): every in-scope probe asked of `netpolc eval`
# (tests/tools/cilium_corpus.py prints "N of M probes agree (K set aside)"
# and the set-aside probes with their reasons).
if(PYTHON3)
  add_test(NAME corpus/cilium
           COMMAND ${PYTHON3} ${PROJECT_SOURCE_DIR}/tests/tools/cilium_corpus.py
                   ${NETPOLC_BIN} ${NETPOLC_SHARED}/corpora/cilium)
  set_tests_properties(corpus/cilium PROPERTIES LABELS "corpus" TIMEOUT 600)
endif()

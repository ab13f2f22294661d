# Kubernetes e2e NetworkPolicy conformance: the 65 truth tables of the 48
# upstream cases, every non-loopback cell asked of `netpolc eval`
# (tests/tools/k8s_e2e.py prints "N of 65 truth tables agree").
if(PYTHON3)
  add_test(NAME corpus/k8s-e2e
           COMMAND ${PYTHON3} ${PROJECT_SOURCE_DIR}/tests/tools/k8s_e2e.py
                   ${NETPOLC_BIN} ${NETPOLC_SHARED}/corpora/k8s-e2e)
  set_tests_properties(corpus/k8s-e2e PROPERTIES LABELS "corpus" TIMEOUT 600)
endif()

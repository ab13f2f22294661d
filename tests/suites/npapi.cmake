# network-policy-api conformance: every probe of the ANP/BANP (v1alpha1) and
# ClusterNetworkPolicy (v1alpha2) suites replayed through `netpolc eval`,
# mutations included (tests/tools/npapi_conformance.py). Probes towards
# host-network pods are counted as skipped.
if(PYTHON3)
  foreach(gen v1alpha1-anp-banp v1alpha2-clusternetworkpolicy)
    add_test(NAME corpus/npapi-${gen}
             COMMAND ${PYTHON3} ${PROJECT_SOURCE_DIR}/tests/tools/npapi_conformance.py
                     --netpolc ${NETPOLC_BIN}
                     --corpus ${NETPOLC_SHARED}/corpora/network-policy-api-conformance/${gen})
    set_tests_properties(corpus/npapi-${gen} PROPERTIES LABELS "corpus;slow" TIMEOUT 300)
  endforeach()
endif()

# Diagnostics and decision chains of the admin dialects through the command
# line: tests/golden/admin/<case>/{cmd,stdout,stderr,status}.
# Regenerate (every golden suite): NETPOLC_REGEN=1 ctest -R golden
if(PYTHON3)
  add_test(NAME golden/admin
           COMMAND ${PYTHON3} ${PROJECT_SOURCE_DIR}/tests/tools/golden_cli.py
                   ${NETPOLC_BIN} ${PROJECT_SOURCE_DIR}/tests/golden/admin)
endif()

# Differential test against the official CRD schemas: mutated variants of the
# conformance policies must be accepted or rejected as the API server would
# (tests/tools/admin_crd_diff.py; deliberate differences are listed).
if(PYTHON3)
  add_test(NAME corpus/admin-crd-diff
           COMMAND ${PYTHON3} ${PROJECT_SOURCE_DIR}/tests/tools/admin_crd_diff.py
                   --netpolc ${NETPOLC_BIN} --corpus ${NETPOLC_SHARED}/corpora)
  set_tests_properties(corpus/admin-crd-diff PROPERTIES LABELS "corpus;slow" TIMEOUT 300)
endif()

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
    set_tests_properties(corpus/npapi-${gen} PROPERTIES LABELS "corpus" TIMEOUT 300)
  endforeach()
endif()

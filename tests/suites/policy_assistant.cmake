# Verdict tables for AdminNetworkPolicy, BaselineAdminNetworkPolicy and
# NetworkPolicy from policy-assistant (integration cases), np-guard (its
# re-expression of them in the final v1alpha1 shape, parsed_resources_tests),
# policy-assistant's walkthrough demo and cyclonus (matcher cases), via
# tests/tools/policy_assistant.py.
if(PYTHON3)
  add_test(NAME corpus/policy-assistant
           COMMAND ${PYTHON3} ${PROJECT_SOURCE_DIR}/tests/tools/policy_assistant.py
                   --netpolc ${NETPOLC_BIN} --corpus ${NETPOLC_SHARED}/corpora)
  set_tests_properties(corpus/policy-assistant PROPERTIES LABELS "corpus" TIMEOUT 300)
endif()

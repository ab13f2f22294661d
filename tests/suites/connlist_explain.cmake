# Golden tests of `connlist --explain` (netpol-analyzer's explain report) on
# small clusters covering the admin, NetworkPolicy and baseline tiers,
# ipBlocks, named ports, focus options and --explain-only:
# tests/golden/connlist-explain/<case>/{cmd,stdout,stderr,status}.
# Regenerate (every golden suite): NETPOLC_REGEN=1 ctest -R golden
if(PYTHON3)
  add_test(NAME golden/connlist-explain
           COMMAND ${PYTHON3} ${PROJECT_SOURCE_DIR}/tests/tools/golden_cli.py
                   ${NETPOLC_BIN} ${PROJECT_SOURCE_DIR}/tests/golden/connlist-explain)
endif()

# The explain report's allowed ports equal connlist's, pair by pair, on every
# folder of netpol-analyzer's corpus and on the golden clusters above.
if(PYTHON3)
  add_test(NAME corpus/explain-vs-connlist
           COMMAND ${PYTHON3} ${PROJECT_SOURCE_DIR}/tests/tools/explain_consistency.py
                   ${NETPOLC_BIN} ${NETPOLC_SHARED}/corpora/netpol-analyzer/tests
                   ${PROJECT_SOURCE_DIR}/tests/golden/connlist-explain/_tiers
                   ${PROJECT_SOURCE_DIR}/tests/golden/connlist-explain/_netpols)
  set_tests_properties(corpus/explain-vs-connlist PROPERTIES LABELS "corpus;slow" TIMEOUT 900)
endif()

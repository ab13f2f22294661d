# Conformance with np-guard/netpol-analyzer's corpus: connlist outputs in every
# format, must-fail folders and single-flow verdicts (tests/tools/netpol_analyzer.py).
if(PYTHON3)
  add_test(NAME corpus/netpol-analyzer
           COMMAND ${PYTHON3} ${PROJECT_SOURCE_DIR}/tests/tools/netpol_analyzer.py
                   --netpolc ${NETPOLC_BIN}
                   --corpus ${NETPOLC_SHARED}/corpora/netpol-analyzer)
  set_tests_properties(corpus/netpol-analyzer PROPERTIES LABELS "corpus" TIMEOUT 900)
endif()

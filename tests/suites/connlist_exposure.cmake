# Golden tests of `connlist --exposure` (netpol-analyzer's exposure report)
# on netpol-analyzer's own test folders that the corpus copy in ../shared
# lacks: each stdout is upstream's expected output file for the same
# options (tests/golden/connlist-exposure/README.md says which).
# tests/golden/connlist-exposure/<case>/{cmd,stdout,stderr,status}.
# Regenerate (every golden suite): NETPOLC_REGEN=1 ctest -R golden
if(PYTHON3)
  add_test(NAME golden/connlist-exposure
           COMMAND ${PYTHON3} ${PROJECT_SOURCE_DIR}/tests/tools/golden_cli.py
                   ${NETPOLC_BIN} ${PROJECT_SOURCE_DIR}/tests/golden/connlist-exposure)
endif()

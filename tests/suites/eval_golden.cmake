# Golden tests of eval and explain (decision chains) and of hostile
# manifests (expected diagnostics on stderr, exit status 2, no crash):
# tests/golden/{explain,hostile}/<case>/{cmd,stdout,stderr,status}.
# Regenerate (every golden suite): NETPOLC_REGEN=1 ctest -R golden
if(PYTHON3)
  foreach(set explain hostile)
    add_test(NAME golden/${set}
             COMMAND ${PYTHON3} ${PROJECT_SOURCE_DIR}/tests/tools/golden_cli.py
                     ${NETPOLC_BIN} ${PROJECT_SOURCE_DIR}/tests/golden/${set})
  endforeach()
endif()

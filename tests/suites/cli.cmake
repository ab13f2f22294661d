# The command line: it includes nothing of the library but netpolc.h, and
# every verb keeps the same conventions (help, version, -o FILE written
# atomically, coded write errors, unknown options, the label-gap check in
# every analysis verb): tests/tools/cli_conventions.py.
add_test(NAME cli/includes
         COMMAND ${CMAKE_COMMAND} -DCLI_DIR=${PROJECT_SOURCE_DIR}/src/cli
                 -P ${PROJECT_SOURCE_DIR}/tests/tools/check_cli_includes.cmake)
if(PYTHON3)
  add_test(NAME cli/conventions
           COMMAND ${PYTHON3} ${PROJECT_SOURCE_DIR}/tests/tools/cli_conventions.py
                   ${NETPOLC_BIN} ${PROJECT_SOURCE_DIR})
endif()
# The README's examples, run as a reader runs them from a fresh clone
# (every `$ ` command of its console blocks, its output compared):
# tests/tools/readme_examples.py.
add_test(NAME cli/readme
         COMMAND ${PYTHON3} ${PROJECT_SOURCE_DIR}/tests/tools/readme_examples.py
                 ${NETPOLC_BIN} ${PROJECT_SOURCE_DIR})

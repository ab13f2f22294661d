# The benchmark tools: the snapshot generator is deterministic, and
# netpolc-bench runs every phase on a small generated snapshot.
add_subdirectory(${PROJECT_SOURCE_DIR}/bench ${CMAKE_BINARY_DIR}/bench)
if(PYTHON3)
  add_test(NAME bench/gen_deterministic
           COMMAND ${CMAKE_COMMAND} -DPYTHON3=${PYTHON3} -DGEN=${PROJECT_SOURCE_DIR}/bench/gen.py
                   -DOUT=${CMAKE_BINARY_DIR}/bench-smoke -DBENCH=$<TARGET_FILE:netpolc-bench>
                   -DNETPOLC=$<TARGET_FILE:netpolc>
                   -P ${PROJECT_SOURCE_DIR}/bench/smoke.cmake)
endif()
# Reading a folder on several threads gives what one thread gives: the same
# output, diagnostics (in order, through the error limit) and exit status.
add_test(NAME load/threads_same
         COMMAND ${PYTHON3} ${PROJECT_SOURCE_DIR}/tests/tools/threads_same.py
                 $<TARGET_FILE:netpolc> ${CMAKE_BINARY_DIR}/threads-same)
# verify at scale: 200 components and 2,000 flows within 60 s.
add_test(NAME bench/verify_scale
         COMMAND ${CMAKE_COMMAND} -DPYTHON3=${PYTHON3} -DGEN=${PROJECT_SOURCE_DIR}/bench/gen_spec.py
                 -DOUT=${CMAKE_BINARY_DIR}/verify-scale.yaml -DNETPOLC=$<TARGET_FILE:netpolc>
                 -P ${PROJECT_SOURCE_DIR}/bench/verify_scale.cmake)
set_tests_properties(bench/verify_scale PROPERTIES TIMEOUT 60)
# Growth: on every profile of bench/gen.py (the hostile ones included), the
# evaluator's work grows no faster than input plus output (a count, not a
# timing: exact on any machine).
if(PYTHON3)
  add_test(NAME bench/growth
           COMMAND ${PYTHON3} ${PROJECT_SOURCE_DIR}/tests/tools/growth_check.py
                   ${CMAKE_BINARY_DIR}/growth --gen ${PROJECT_SOURCE_DIR}/bench/gen.py
                   --bench $<TARGET_FILE:netpolc-bench>)
  set_tests_properties(bench/growth PROPERTIES LABELS "slow" TIMEOUT 300)
endif()

# ctest script: verify of the generated 200-component, 2,000-flow spec
# (bench/gen_spec.py defaults) finishes within the test's time limit in
# both engines, and is clean with kubernetes (the rendering of a generated
# spec allows exactly its flows).
execute_process(COMMAND ${PYTHON3} ${GEN} OUTPUT_FILE ${OUT} RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "gen_spec.py failed (${rc})")
endif()
foreach(engine kubernetes clusterNetworkPolicy)
  execute_process(COMMAND ${NETPOLC} verify ${OUT} --engine ${engine}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(engine STREQUAL "kubernetes")
    set(want "200 policies, [0-9]+ endpoints, [0-9]+ probes\nresult: clean")
  else()
    set(want "policies, [0-9]+ endpoints, [0-9]+ probes\n")
  endif()
  if(rc GREATER 1 OR NOT out MATCHES "${want}")
    message(FATAL_ERROR "verify ${engine} (${rc}): ${out}${err}")
  endif()
endforeach()

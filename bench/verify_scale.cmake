# ctest script: verify of the generated 200-component, 2,000-flow spec
# (bench/gen_spec.py defaults) finishes within the test's time limit and is
# clean in both engines (the rendering of a generated spec allows exactly
# its flows; with clusterNetworkPolicy, external ingress is unenforceable).
execute_process(COMMAND ${PYTHON3} ${GEN} OUTPUT_FILE ${OUT} RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "gen_spec.py failed (${rc})")
endif()
foreach(engine kubernetes clusterNetworkPolicy)
  execute_process(COMMAND ${NETPOLC} verify ${OUT} --engine ${engine}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(rc OR NOT out MATCHES "result: clean(, [0-9]+ unenforceable)?\n$")
    message(FATAL_ERROR "verify ${engine} (${rc}): ${out}${err}")
  endif()
endforeach()

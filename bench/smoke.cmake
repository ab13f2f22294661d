# ctest script: generate the same snapshot twice (byte-identical), in both
# modes, and run netpolc-bench on it (one JSON line with "ok":true); the
# same snapshot as JSON gives the same connection list byte for byte.
foreach(run a b)
  execute_process(COMMAND ${PYTHON3} ${GEN} --size tiny --out ${OUT}/${run}
                  RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(rc)
    message(FATAL_ERROR "gen.py failed: ${err}")
  endif()
endforeach()
file(GLOB files RELATIVE ${OUT}/a ${OUT}/a/*.yaml ${OUT}/a/meta.jsonl)
foreach(f ${files})
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${OUT}/a/${f} ${OUT}/b/${f}
                  RESULT_VARIABLE d)
  if(d)
    message(FATAL_ERROR "gen.py is not deterministic: ${f} differs")
  endif()
endforeach()
execute_process(COMMAND ${PYTHON3} ${GEN} --size tiny --pods-mode --out ${OUT}/pods
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(rc)
  message(FATAL_ERROR "gen.py --pods-mode failed: ${err}")
endif()
foreach(snap a pods)
  execute_process(COMMAND ${BENCH} --queries 200 ${OUT}/${snap}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(rc OR NOT out MATCHES "\"ok\":true")
    message(FATAL_ERROR "netpolc-bench on ${snap} failed (${rc}): ${out}${err}")
  endif()
  string(REGEX MATCH "\"namespaces\":([0-9]+)" m "${out}")
  if(NOT CMAKE_MATCH_1 EQUAL 12)
    message(FATAL_ERROR "netpolc-bench on ${snap}: expected 12 namespaces, got: ${out}")
  endif()
  string(REGEX MATCH "\"connections\":([0-9]+)" m "${out}")
  if(CMAKE_MATCH_1 EQUAL 0)
    message(FATAL_ERROR "netpolc-bench on ${snap}: no connections: ${out}")
  endif()
endforeach()

execute_process(COMMAND ${PYTHON3} ${GEN} --size tiny --format json --out ${OUT}/json
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(rc)
  message(FATAL_ERROR "gen.py --format json failed: ${err}")
endif()
foreach(snap a json)
  execute_process(COMMAND ${NETPOLC} connlist ${OUT}/${snap} OUTPUT_FILE ${OUT}/${snap}.connlist
                  RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(rc OR err)
    message(FATAL_ERROR "netpolc connlist ${snap} failed (${rc}): ${err}")
  endif()
endforeach()
file(SIZE ${OUT}/a.connlist n)
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${OUT}/a.connlist ${OUT}/json.connlist
                RESULT_VARIABLE d)
if(d OR n EQUAL 0)
  message(FATAL_ERROR "connlist of the JSON snapshot differs from the YAML one's (or is empty)")
endif()

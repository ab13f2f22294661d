# Replays the fuzz seed corpus and every recorded crash input through each
# fuzz target, linked with fuzz/replay.c instead of libFuzzer, so a plain
# build (and the ASan build) keeps them fixed.
set(NETPOLC_REPLAY_TARGETS yaml json manifests cilium spec calico_selector verify)
foreach(t ${NETPOLC_REPLAY_TARGETS})
  add_executable(replay_${t} ${PROJECT_SOURCE_DIR}/fuzz/fuzz_${t}.c ${PROJECT_SOURCE_DIR}/fuzz/replay.c)
  target_include_directories(replay_${t} PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_compile_definitions(replay_${t} PRIVATE _POSIX_C_SOURCE=200809L)
  target_compile_options(replay_${t} PRIVATE ${NETPOLC_WARNINGS})
  target_link_libraries(replay_${t} PRIVATE netpolc_lib)
  set(dirs ${PROJECT_SOURCE_DIR}/fuzz/corpus/${t})
  if(EXISTS ${PROJECT_SOURCE_DIR}/tests/fuzz-regressions/${t})
    list(APPEND dirs ${PROJECT_SOURCE_DIR}/tests/fuzz-regressions/${t})
  endif()
  add_test(NAME fuzz/replay_${t} COMMAND replay_${t} ${dirs})
  set_tests_properties(fuzz/replay_${t} PROPERTIES TIMEOUT 300)
endforeach()

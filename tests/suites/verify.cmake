# netpolc verify (tests/tools/verify_check.py):
#   verify/golden/EXAMPLE/COMBO     the report of every golden spec combination
#                                   (tests/golden/verify/), exit status, JSON, and the
#                                   round trip of its golden rendering (loads back with
#                                   no diagnostic, verifies with --policies alike);
#   verify/golden/EXAMPLE/COMBO.E   the same for each other engine E with a golden
#                                   rendering COMBO.E.yaml;
#   verify/all/EXAMPLE[.E]          --all-combinations of each example (and engine);
#   verify/mutants/EXAMPLE/COMBO    mutants of the golden renderings (a rule removed,
#                                   a port dropped, a peer widened) against the
#                                   reference evaluator;
#   verify/reference/EXAMPLE/COMBO  every probe's verdict against the reference
#                                   evaluator on the synthesised topology;
#   verify/cluster/NAME             verify --cluster SNAPSHOT (tests/golden/verify/cluster/
#                                   NAME.args) against NAME.txt, with its exit status;
#   verify/unenforceable/quickstart external ingress under clusterNetworkPolicy:
#                                   reported, --strict fails, NetworkPolicies close it.
# Regenerate expected files: NETPOLC_REGEN=1 ctest -R verify/golden
if(PYTHON3)
  set(NPC_VERIFY_DRIVER ${PYTHON3} ${PROJECT_SOURCE_DIR}/tests/tools/verify_check.py
      --bin ${NETPOLC_BIN} --root ${PROJECT_SOURCE_DIR})
  file(GLOB NPC_VERIFY_CASES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/golden/spec/*/*.args)
  foreach(args ${NPC_VERIFY_CASES})
    get_filename_component(dir ${args} DIRECTORY)
    get_filename_component(example ${dir} NAME)
    if(example STREQUAL "errors")
      continue()
    endif()
    file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR} ${args})
    get_filename_component(combo ${args} NAME_WE)
    add_test(NAME verify/golden/${example}/${combo} COMMAND ${NPC_VERIFY_DRIVER} case ${rel})
    # every other engine with a golden rendering of this combination (COMBO.ENGINE.yaml)
    file(GLOB engine_renderings ${dir}/${combo}.*.yaml)
    foreach(r ${engine_renderings})
      get_filename_component(rname ${r} NAME)
      string(REGEX REPLACE "^${combo}\\.(.*)\\.yaml$" "\\1" engine ${rname})
      add_test(NAME verify/golden/${example}/${combo}.${engine}
               COMMAND ${NPC_VERIFY_DRIVER} case ${rel} --engine ${engine})
      list(APPEND NPC_VERIFY_ENGINES_${example} ${engine})
    endforeach()
    add_test(NAME verify/reference/${example}/${combo} COMMAND ${NPC_VERIFY_DRIVER} reference ${rel})
    # The big renderings (50 endpoints, 100,000 probes each mutant) once each, as `slow`.
    if(example STREQUAL "kyma-telemetry" OR example STREQUAL "vocabulary")
      if(combo STREQUAL "phase1" OR combo STREQUAL "default")
        add_test(NAME verify/mutants/${example}/${combo} COMMAND ${NPC_VERIFY_DRIVER} mutants ${rel})
        set_tests_properties(verify/mutants/${example}/${combo} PROPERTIES LABELS "slow" TIMEOUT 1200)
      endif()
    else()
      add_test(NAME verify/mutants/${example}/${combo} COMMAND ${NPC_VERIFY_DRIVER} mutants ${rel})
      set_tests_properties(verify/mutants/${example}/${combo} PROPERTIES TIMEOUT 600)
    endif()
  endforeach()
  # external ingress under ClusterNetworkPolicy: unenforceable, and closed by NetworkPolicies
  add_test(NAME verify/unenforceable/quickstart
           COMMAND ${NPC_VERIFY_DRIVER} closed tests/golden/spec/quickstart/default.args)
  # --cluster: a snapshot's pods, namespaces and policies instead of the synthesised topology
  file(GLOB NPC_VERIFY_CLUSTER CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/golden/verify/cluster/*.args)
  foreach(args ${NPC_VERIFY_CLUSTER})
    file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR} ${args})
    get_filename_component(name ${args} NAME_WE)
    add_test(NAME verify/cluster/${name} COMMAND ${NPC_VERIFY_DRIVER} command ${rel})
  endforeach()
  # more than the bound of --all-combinations: refused before anything runs
  add_test(NAME verify/all/too-many
           COMMAND ${NETPOLC_BIN} verify ${PROJECT_SOURCE_DIR}/tests/golden/verify/choices/too-many.yaml
                   --all-combinations)
  set_tests_properties(verify/all/too-many PROPERTIES PASS_REGULAR_EXPRESSION
      "error\\[NPC403\\]: --all-combinations: more than 1024 combinations \\(bool options: 9, string options with choices: 1, values files: 0\\)")
  foreach(example quickstart kyma-telemetry kyma-istio controller-chart choices)
    add_test(NAME verify/all/${example} COMMAND ${NPC_VERIFY_DRIVER} all ${example})
    if(NPC_VERIFY_ENGINES_${example})
      list(REMOVE_DUPLICATES NPC_VERIFY_ENGINES_${example})
      foreach(engine ${NPC_VERIFY_ENGINES_${example}})
        add_test(NAME verify/all/${example}.${engine}
                 COMMAND ${NPC_VERIFY_DRIVER} all ${example} --engine ${engine})
      endforeach()
    endif()
  endforeach()
endif()

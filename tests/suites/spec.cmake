# Traffic spec verbs (render, docs): golden output per example and option
# combination (with idempotence, JSON = YAML, schema validation), expected
# diagnostics of bad specs, the diagnostics documentation and the examples
# of docs/spec.md.
# Regenerate expected files: NETPOLC_REGEN=1 ctest -R golden
set(NPC_SPEC_GOLDEN ${PROJECT_SOURCE_DIR}/tests/golden/spec)
set(NPC_SPEC_DRIVER ${PYTHON3} ${PROJECT_SOURCE_DIR}/tests/tools/spec_golden.py
    --bin ${NETPOLC_BIN} --root ${PROJECT_SOURCE_DIR})

file(GLOB NPC_SPEC_CASES CONFIGURE_DEPENDS ${NPC_SPEC_GOLDEN}/*/*.args)
foreach(args ${NPC_SPEC_CASES})
  get_filename_component(dir ${args} DIRECTORY)
  get_filename_component(example ${dir} NAME)
  if(example STREQUAL "errors")
    continue()
  endif()
  file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR} ${args})
  get_filename_component(combo ${args} NAME_WE)
  add_test(NAME spec/golden/${example}/${combo} COMMAND ${NPC_SPEC_DRIVER} case ${rel})
endforeach()

file(GLOB NPC_SPEC_ERRORS CONFIGURE_DEPENDS ${NPC_SPEC_GOLDEN}/errors/*.yaml)
foreach(spec ${NPC_SPEC_ERRORS})
  file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR} ${spec})
  get_filename_component(name ${spec} NAME_WE)
  add_test(NAME spec/golden/errors/${name} COMMAND ${NPC_SPEC_DRIVER} error ${rel})
endforeach()

add_test(NAME spec/diagnostics-doc COMMAND ${NPC_SPEC_DRIVER} codes)

# The YAML examples of docs/spec.md, assembled into one spec, render.
add_test(NAME spec/doc-examples
         COMMAND ${PYTHON3} ${PROJECT_SOURCE_DIR}/tests/tools/spec_doc_examples.py
                 --bin ${NETPOLC_BIN} --root ${PROJECT_SOURCE_DIR})

# The validator itself must reject what an API server rejects.
add_test(NAME spec/schema-check-rejects
         COMMAND ${PYTHON3} ${PROJECT_SOURCE_DIR}/tests/tools/schema_check.py
                 ${NPC_SPEC_GOLDEN}/schema/invalid.yaml)
set_tests_properties(spec/schema-check-rejects PROPERTIES
  PASS_REGULAR_EXPRESSION "13 problem\\(s\\) in 13 object")

# Nothing silent: the warnings of tests/golden/spec/nothing-silent (its
# renderings are golden cases like every example's).
set(NPC_SILENT ${NPC_SPEC_GOLDEN}/nothing-silent/spec.yaml)
add_test(NAME spec/warnings/cidr-and-named-port COMMAND ${NETPOLC_BIN} render ${NPC_SILENT})
set_tests_properties(spec/warnings/cidr-and-named-port PROPERTIES PASS_REGULAR_EXPRESSION
  "warning\\[NPC119\\]: CIDR '10.1.2.3/16' has host bits set: it means 10.1.0.0/16.*warning\\[NPC121\\]: named port 'grpc'")
add_test(NAME spec/warnings/nothing-rendered
         COMMAND ${NETPOLC_BIN} render ${NPC_SILENT} --set enabled=false)
set_tests_properties(spec/warnings/nothing-rendered PROPERTIES PASS_REGULAR_EXPRESSION
  "warning\\[NPC120\\]: nothing rendered: enabled is false")
# a values key one typo from an option: a warning naming it (not a note)
add_test(NAME spec/warnings/values-typo
         COMMAND ${NETPOLC_BIN} render ${NPC_SILENT}
                 --values ${NPC_SPEC_GOLDEN}/values-typo/typo.values)
set_tests_properties(spec/warnings/values-typo PROPERTIES PASS_REGULAR_EXPRESSION
  "warning\\[NPC106\\]: ignored 1 key that names no option of the spec: enabeld \\(did you mean 'enabled'\\?\\)")
# docs lists every flow whatever spec.when says: no "nothing rendered" there
add_test(NAME spec/warnings/docs-not-rendered
         COMMAND ${NETPOLC_BIN} docs ${NPC_SILENT} --set enabled=false)
set_tests_properties(spec/warnings/docs-not-rendered PROPERTIES FAIL_REGULAR_EXPRESSION
  "NPC120" PASS_REGULAR_EXPRESSION "^\\| Component \\|")
# A toggle that turns off every flow of a component leaves its pods without
# a policy: docs and verify say so (NPC123); an FQDN rendered as its
# fallback is a warning (NPC122) in render and chart, and the docs table
# shows the fallback.
add_test(NAME spec/warnings/unisolated-docs
         COMMAND ${NETPOLC_BIN} docs ${NPC_SILENT} --set reports.enabled=false)
add_test(NAME spec/warnings/unisolated-verify
         COMMAND ${NETPOLC_BIN} verify ${NPC_SILENT} --set reports.enabled=false)
set_tests_properties(spec/warnings/unisolated-docs spec/warnings/unisolated-verify PROPERTIES
  PASS_REGULAR_EXPRESSION "warning\\[NPC123\\]: with these options no policy selects component 'reports' \\(its flows are off: reports.enabled\\)")
add_test(NAME spec/warnings/fqdn-fallback COMMAND ${NETPOLC_BIN} render ${NPC_SILENT} --engine clusterNetworkPolicy)
set_tests_properties(spec/warnings/fqdn-fallback PROPERTIES PASS_REGULAR_EXPRESSION
  "warning\\[NPC122\\]: FQDN 'github.com' is rendered as any IP on the clusterNetworkPolicy engine")
add_test(NAME spec/warnings/fqdn-fallback-chart
         COMMAND ${NETPOLC_BIN} chart ${NPC_SILENT} -o ${CMAKE_BINARY_DIR}/chart-fqdn-fallback)
set_tests_properties(spec/warnings/fqdn-fallback-chart PROPERTIES PASS_REGULAR_EXPRESSION
  "warning\\[NPC122\\]: FQDN 'github.com' is rendered as its fallback peers on the kubernetes engine")
# Platform profiles from the spec key, and --profile overriding it
# (tests/golden/spec/profiles: the renderings per --profile).
set(NPC_PROFILE_KEY ${NPC_SPEC_GOLDEN}/profiles/kubeadm-key.yaml)
add_test(NAME spec/profile/key COMMAND ${NETPOLC_BIN} render ${NPC_PROFILE_KEY})
set_tests_properties(spec/profile/key PROPERTIES PASS_REGULAR_EXPRESSION "port: 6443")
add_test(NAME spec/profile/override COMMAND ${NETPOLC_BIN} render ${NPC_PROFILE_KEY} --profile eks)
set_tests_properties(spec/profile/override PROPERTIES FAIL_REGULAR_EXPRESSION "6443"
                     PASS_REGULAR_EXPRESSION "port: 443")
add_test(NAME spec/profile/unknown COMMAND ${NETPOLC_BIN} docs ${NPC_PROFILE_KEY} --profile openshift)
set_tests_properties(spec/profile/unknown PROPERTIES WILL_FAIL TRUE)

# Cilium: a passthrough toFQDNs rule without a DNS flow (the seed's example,
# egress off) is warned about.
add_test(NAME spec/warnings/cilium-fqdn-without-dns
         COMMAND ${NETPOLC_BIN} render ${PROJECT_SOURCE_DIR}/examples/controller-chart.yaml --engine cilium
                 --values ${NPC_SPEC_GOLDEN}/controller-chart/cilium-passthrough.values)
set_tests_properties(spec/warnings/cilium-fqdn-without-dns PROPERTIES PASS_REGULAR_EXPRESSION
  "cilium-passthrough.values:[0-9]+:[0-9]+: warning\\[NPC306\\]: this toFQDNs rule has no DNS flow")

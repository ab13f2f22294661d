# netpolc chart: the generated Helm chart fragment, rendered with Go's
# text/template and the sprig functions (Helm's engine, tests/tools/helmtpl),
# gives the policies `netpolc render` gives, for every example's option
# combinations (tests/golden/spec/*/*.args) and generated random values,
# for every engine with chart templates (kubernetes, clusterNetworkPolicy);
# the generated values.schema.json accepts them and rejects wrong types,
# and Helm's objects validate against the APIs' schemas.
set(NPC_CHART_EXAMPLES choices controller-chart helm-values kyma-istio kyma-telemetry namespace-option nothing-silent profiles
    quickstart release-namespace vocabulary)
set(NPC_CHART_DRIVER ${PYTHON3} ${PROJECT_SOURCE_DIR}/tests/tools/chart_equiv.py
    --bin ${NETPOLC_BIN} --root ${PROJECT_SOURCE_DIR} --work ${CMAKE_BINARY_DIR}/chart-equiv)
add_test(NAME chart/helm-equivalence
         COMMAND ${NPC_CHART_DRIVER} --random 6 --engines kubernetes ${NPC_CHART_EXAMPLES})
set_tests_properties(chart/helm-equivalence PROPERTIES RESOURCE_LOCK chart-equiv)
add_test(NAME chart/helm-equivalence-cnp
         COMMAND ${NPC_CHART_DRIVER} --random 6 --engines clusterNetworkPolicy ${NPC_CHART_EXAMPLES})
set_tests_properties(chart/helm-equivalence-cnp PROPERTIES RESOURCE_LOCK chart-equiv)
add_test(NAME chart/helm-equivalence-random
         COMMAND ${NPC_CHART_DRIVER} --random 60 --seed 7 ${NPC_CHART_EXAMPLES})
set_tests_properties(chart/helm-equivalence-random PROPERTIES LABELS slow RESOURCE_LOCK chart-equiv)

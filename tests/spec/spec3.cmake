# The Wasm 3.0 spec test suite (COROWASM_TESTSUITE3_DIR), one ctest per .wast file:
# spec3/<rel> for src/<rel>.wast, e.g. spec3/simd_lane, spec3/legacy/throw,
# spec3/proposals/threads/atomic. The suite comes converted (json/<rel>/<name>.json and its
# modules, see its README.md), so each test runs corowasm_spec on that JSON directly; the
# suite's folder stays read-only: results go to ${PROJECT_BINARY_DIR}/spec3/<rel>.result.
# spec3/summary runs last and totals them by group: core (the root files), custom, legacy and
# proposals/<name>. A module that needs a feature corowasm does not build is skipped only when
# the VM says so ("... not supported"); one it refuses with a Wasm 2.0 error instead
# ("malformed reference type" for a table initializer, say) fails until the VM names it.
#
#   ctest -L spec3                      everything
#   ctest -R spec3/i32 -V               one file, with its output (the summary then counts the
#                                       files that have not run as failed)

set(COROWASM_SPEC3_OUT "${PROJECT_BINARY_DIR}/spec3")

if(NOT EXISTS "${COROWASM_TESTSUITE3_DIR}/src" OR NOT EXISTS "${COROWASM_TESTSUITE3_DIR}/json")
  string(CONCAT _spec3_missing
         "The Wasm 3.0 spec test suite was not found: COROWASM_TESTSUITE3_DIR='${COROWASM_TESTSUITE3_DIR}' "
         "has no src/ and json/ folders. Set -DCOROWASM_TESTSUITE3_DIR=<path to wasm-3.0-testsuite>.")
  corowasm_add_missing_test(spec3_missing spec3 "SPEC 3.0 TESTS" "${_spec3_missing}")
  return()
endif()

# Assertions that contradict Wasm 3.0 itself, skipped without running ("outdated test: ..."):
# _spec3_outdated_<rel> lists "<line>:<reason>". The threads proposal's copy of imports.wast
# predates reference types (Wasm 2.0), which made a second table valid.
set(_spec3_outdated_proposals/threads/imports
    "310:multiple tables are valid since Wasm 2.0 (the threads proposal's copy predates it)"
    "314:multiple tables are valid since Wasm 2.0 (the threads proposal's copy predates it)"
    "318:multiple tables are valid since Wasm 2.0 (the threads proposal's copy predates it)")

file(GLOB_RECURSE _spec3_wast LIST_DIRECTORIES false CONFIGURE_DEPENDS
     RELATIVE "${COROWASM_TESTSUITE3_DIR}/src" "${COROWASM_TESTSUITE3_DIR}/src/*.wast")
list(SORT _spec3_wast)
foreach(wast IN LISTS _spec3_wast)
  string(REGEX REPLACE "\\.wast$" "" rel "${wast}")
  get_filename_component(name "${rel}" NAME)
  set(outdated "")
  foreach(entry IN LISTS _spec3_outdated_${rel})
    list(APPEND outdated --outdated "${entry}")
  endforeach()
  add_test(NAME spec3/${rel}
           COMMAND corowasm_spec "${COROWASM_TESTSUITE3_DIR}/json/${rel}/${name}.json"
                   --label "3.0/${rel}.wast" --result "${COROWASM_SPEC3_OUT}/${rel}.result" ${outdated})
  set_tests_properties(spec3/${rel} PROPERTIES
                       LABELS spec3
                       TIMEOUT ${COROWASM_SPEC_TIMEOUT}
                       FIXTURES_REQUIRED corowasm_spec3_results)
endforeach()
list(LENGTH _spec3_wast _spec3_count)
message(STATUS "Spec 3.0 tests: ${_spec3_count} files")

# Totals of every file's result by group; as the fixture's cleanup it runs after all of them.
# --expect: a file of src/ without a result (its run crashed hard, timed out or did not run)
# counts as failed.
add_test(NAME spec3/summary
         COMMAND corowasm_spec --summary "${COROWASM_SPEC3_OUT}" --expect "${COROWASM_TESTSUITE3_DIR}/src")
set_tests_properties(spec3/summary PROPERTIES
                     LABELS spec3
                     FIXTURES_CLEANUP corowasm_spec3_results)

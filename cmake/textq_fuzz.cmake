# libFuzzer targets (TEXTQ_BUILD_FUZZERS=ON, clang only). The whole build is
# compiled with -fsanitize=fuzzer-no-link,address,undefined (top-level
# CMakeLists.txt), so the parsers are coverage-instrumented; each target links
# libFuzzer's main.

# textq_add_fuzzer(NAME DEPS dep...)
# Executable fuzz_NAME from tests/fuzz/fuzz_NAME.cpp, written to
# <build>/fuzz/; its seed corpus is tests/fuzz/corpus/NAME/ and its kept
# crashers are tests/fuzz/regressions/NAME/ (scripts/run_fuzzers.sh).
function(textq_add_fuzzer name)
  cmake_parse_arguments(F "" "" "DEPS" ${ARGN})
  add_executable(fuzz_${name} ${PROJECT_SOURCE_DIR}/tests/fuzz/fuzz_${name}.cpp)
  target_link_libraries(fuzz_${name} PRIVATE ${F_DEPS})
  target_include_directories(fuzz_${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer,address,undefined)
  set_target_properties(fuzz_${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/fuzz)
  set_property(GLOBAL APPEND PROPERTY TEXTQ_FUZZERS fuzz_${name})
endfunction()

# textq_module(NAME DIR dir... DEPS dep...)
# A static library textq_NAME from every .cpp under the given source folders.
# A folder with no sources yet adds nothing, so modules can land one at a time.
function(textq_module name)
  cmake_parse_arguments(M "" "" "DIR;DEPS" ${ARGN})
  set(srcs "")
  foreach(d ${M_DIR})
    file(GLOB_RECURSE s CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/${d}/*.cpp)
    list(APPEND srcs ${s})
  endforeach()
  if(srcs)
    add_library(textq_${name} STATIC ${srcs})
  else()
    add_library(textq_${name} INTERFACE)
  endif()
  get_target_property(type textq_${name} TYPE)
  if(type STREQUAL "INTERFACE_LIBRARY")
    target_include_directories(textq_${name} INTERFACE ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(textq_${name} INTERFACE ${M_DEPS})
  else()
    target_include_directories(textq_${name} PUBLIC ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(textq_${name} PUBLIC ${M_DEPS})
  endif()
  set(TEXTQ_MODULES ${TEXTQ_MODULES} ${name} PARENT_SCOPE)
endfunction()

# textq_test_suite(NAME LABEL label DEPS dep...)
# One gtest executable test_NAME from tests/<label>/NAME/*.cpp, registered per
# test case with the CTest label. Tests run from the source tree so fixture
# paths are "tests/data/...".
function(textq_test_suite name)
  cmake_parse_arguments(T "" "LABEL;TIMEOUT" "DEPS" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/${T_LABEL}/${name}/*.cpp)
  if(NOT srcs)
    return()
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  add_executable(test_${T_LABEL}_${name} ${srcs})
  target_link_libraries(test_${T_LABEL}_${name} PRIVATE ${T_DEPS} GTest::gtest GTest::gtest_main)
  target_include_directories(test_${T_LABEL}_${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  target_compile_definitions(test_${T_LABEL}_${name} PRIVATE
      TEXTQ_SOURCE_DIR="${PROJECT_SOURCE_DIR}" TEXTQ_BINARY_DIR="${PROJECT_BINARY_DIR}")
  gtest_discover_tests(test_${T_LABEL}_${name}
      WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
      PROPERTIES LABELS ${T_LABEL} TIMEOUT ${T_TIMEOUT}
      DISCOVERY_TIMEOUT 60)
endfunction()

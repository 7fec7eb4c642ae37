# nodrop_module(NAME <name> DIR <dir> [DEPS <targets>...] [TEST_DEPS <targets>...])
#
# One static library per module of DESIGN.md §3, built from every .cc in <dir> and the folders under
# it, except tests and main files. Tests live beside the code they pin down (*_test.cc) and become
# one GoogleTest executable per module, registered with ctest test by test. Globbing with
# CONFIGURE_DEPENDS keeps "add a file" a one-step change.
function(nodrop_module)
  cmake_parse_arguments(ARG "" "NAME;DIR" "DEPS;TEST_DEPS" ${ARGN})
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${ARG_DIR}/*.cc)
  file(GLOB_RECURSE tests CONFIGURE_DEPENDS ${ARG_DIR}/*_test.cc)
  list(FILTER sources EXCLUDE REGEX "(_test|_main|_fuzz)\\.cc$")
  set(target nodrop_${ARG_NAME})
  if(sources)
    add_library(${target} STATIC ${sources})
    target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(${target} PUBLIC ${ARG_DEPS})
  else()  # a module of headers only, such as the runtime ports
    add_library(${target} INTERFACE)
    target_include_directories(${target} INTERFACE ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(${target} INTERFACE ${ARG_DEPS})
  endif()
  if(tests)
    add_executable(${target}_test ${tests})
    target_link_libraries(${target}_test PRIVATE ${target} ${ARG_TEST_DEPS} GTest::gmock GTest::gtest_main)
    gtest_discover_tests(${target}_test
      TEST_PREFIX "${ARG_NAME}."
      DISCOVERY_TIMEOUT 60
      PROPERTIES LABELS "unit;${ARG_NAME}" TIMEOUT 120)
  endif()
endfunction()

# vikno_add_registry_plugin(): one registry plugin built the same way in the Vikno tree and outside
# it (installed with the SDK; find_package(ViknoSdk) includes it). docs/plugin-guide.md.
#
#   vikno_add_registry_plugin(NAME
#     CORE <sources>          the translator, interpreter and tables (static NAME_core; tests link it)
#     SIMULATOR <sources>     the registry simulator (executable vikno-sim-NAME)
#     [PLUGIN <source>]       the file with VIKNO_PLUGIN / VIKNO_XROAD_PLUGIN (default src/plugin.cpp)
#     [TESTS <sources>])      GoogleTest tests (NAME_tests, discovered by CTest as NAME.*), when
#                             GoogleTest is found (and BUILD_TESTING is not OFF)
#
# Gives libvikno-NAME.so (hidden visibility: it exports only the plugin's three symbols), in
# VIKNO_PLUGIN_OUTPUT_DIR when set. The simulator and the tests are compiled with
# VIKNO_XROAD_SCHEMA_DIR (the SDK's X-Road and SOAP schemas) and NAME_DIR (upper case: the plugin's
# folder, for its schema/ and fixtures/).
function(vikno_add_registry_plugin name)
  cmake_parse_arguments(P "" "PLUGIN" "CORE;SIMULATOR;TESTS" ${ARGN})
  if(NOT P_CORE OR NOT P_SIMULATOR)
    message(FATAL_ERROR "vikno_add_registry_plugin(${name}): give CORE <sources> and SIMULATOR <sources>")
  endif()
  if(NOT P_PLUGIN)
    set(P_PLUGIN src/plugin.cpp)
  endif()
  if(NOT VIKNO_XROAD_SCHEMA_DIR)
    message(FATAL_ERROR "vikno_add_registry_plugin(${name}): VIKNO_XROAD_SCHEMA_DIR is not set; "
                        "find_package(ViknoSdk) sets it")
  endif()
  string(TOUPPER ${name} upper)
  set(definitions VIKNO_XROAD_SCHEMA_DIR="${VIKNO_XROAD_SCHEMA_DIR}" ${upper}_DIR="${CMAKE_CURRENT_SOURCE_DIR}")

  add_library(${name}_core STATIC ${P_CORE})
  target_link_libraries(${name}_core PUBLIC vikno::sdk)
  target_compile_features(${name}_core PUBLIC cxx_std_20)
  set_target_properties(${name}_core PROPERTIES POSITION_INDEPENDENT_CODE ON)

  add_library(${name} MODULE ${P_PLUGIN})
  target_link_libraries(${name} PRIVATE ${name}_core)
  set_target_properties(${name} PROPERTIES
    OUTPUT_NAME vikno-${name} PREFIX lib
    CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
  if(VIKNO_PLUGIN_OUTPUT_DIR)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${VIKNO_PLUGIN_OUTPUT_DIR})
  endif()

  add_executable(vikno-sim-${name} ${P_SIMULATOR})
  target_link_libraries(vikno-sim-${name} PRIVATE ${name}_core vikno::simulator)
  target_compile_definitions(vikno-sim-${name} PRIVATE ${definitions})

  set(targets ${name}_core ${name} vikno-sim-${name})
  if(P_TESTS AND TARGET GTest::gtest_main AND (NOT DEFINED BUILD_TESTING OR BUILD_TESTING))
    include(GoogleTest)
    add_executable(${name}_tests ${P_TESTS})
    target_link_libraries(${name}_tests PRIVATE ${name}_core GTest::gtest_main)
    target_compile_definitions(${name}_tests PRIVATE ${definitions})
    # The prefix keeps CTest names apart: every plugin has a Validation.* and Interpretation.* suite.
    gtest_discover_tests(${name}_tests DISCOVERY_TIMEOUT 30 TEST_PREFIX "${name}.")
    list(APPEND targets ${name}_tests)
  endif()
  # The Vikno tree's own warnings-as-errors; an author's project chooses its own.
  if(COMMAND vikno_strict)
    foreach(target IN LISTS targets)
      vikno_strict(${target})
    endforeach()
  endif()
endfunction()

# Installation: the `otter` program, every module library, their headers and a CMake package so
# that jobs written outside this tree can `find_package(Otter)` and link Otter::stream etc.
#   cmake --install build --prefix /opt/otter
#   cmake -DCMAKE_PREFIX_PATH=/opt/otter ...   (in the job's project)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

get_property(otter_modules GLOBAL PROPERTY OTTER_MODULES)
install(TARGETS ${otter_modules} EXPORT OtterTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/otter)
if(TARGET otter)
  install(TARGETS otter RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
# Headers keep their src/ layout: #include "stream/api.h".
install(DIRECTORY ${PROJECT_SOURCE_DIR}/src/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/otter
        FILES_MATCHING PATTERN "*.h"
        PATTERN "tests" EXCLUDE PATTERN "fuzz" EXCLUDE PATTERN "app" EXCLUDE)

set(otter_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/Otter)
install(EXPORT OtterTargets NAMESPACE Otter:: DESTINATION ${otter_cmake_dir})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/OtterConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/OtterConfig.cmake
                              INSTALL_DESTINATION ${otter_cmake_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/OtterConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/OtterConfig.cmake ${PROJECT_BINARY_DIR}/OtterConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/OtterDependencies.cmake
        DESTINATION ${otter_cmake_dir})

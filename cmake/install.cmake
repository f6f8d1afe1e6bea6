# `cmake --install`: the library as a CMake package (find_package(hat), target hat::hat, headers,
# version file) and the hat tool. The Python package installs itself (python/CMakeLists.txt).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set_target_properties(hatlib PROPERTIES EXPORT_NAME hat)
add_library(hat::hat ALIAS hatlib)

install(TARGETS hatlib EXPORT hatTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS hat RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/include/hat DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(HAT_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/hat)
install(EXPORT hatTargets NAMESPACE hat:: DESTINATION ${HAT_CMAKE_DIR})
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/hatConfig.cmake.in
                              ${CMAKE_BINARY_DIR}/hatConfig.cmake INSTALL_DESTINATION ${HAT_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_BINARY_DIR}/hatConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/hatConfig.cmake ${CMAKE_BINARY_DIR}/hatConfigVersion.cmake
        DESTINATION ${HAT_CMAKE_DIR})

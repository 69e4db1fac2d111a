# Install rules (COROWASM_INSTALL): the public headers, the static libraries, the CLI, a CMake
# package exporting corowasm::vm, corowasm::async, corowasm::host and corowasm::corowasm, a
# pkg-config file, and CPack's Debian package of all of it.
#
#   include/corowasm/*.h, traps.def       the FILE_SET HEADERS of the three libraries
#   lib/libcorowasm_{vm,async,host}.a
#   lib/cmake/corowasm/                    corowasmConfig.cmake, ...ConfigVersion.cmake, ...Targets.cmake
#   lib/pkgconfig/corowasm.pc
#   bin/corowasm
include(CMakePackageConfigHelpers)
set(COROWASM_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/corowasm" CACHE STRING
    "Where corowasmConfig.cmake goes, relative to the install prefix")

install(TARGETS corowasm_vm corowasm_async corowasm_host corowasm_all EXPORT corowasmTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        FILE_SET HEADERS DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT corowasmTargets NAMESPACE corowasm:: DESTINATION ${COROWASM_INSTALL_CMAKEDIR})
configure_package_config_file(cmake/corowasmConfig.cmake.in ${PROJECT_BINARY_DIR}/corowasmConfig.cmake
                              INSTALL_DESTINATION ${COROWASM_INSTALL_CMAKEDIR})
# Before 1.0 a minor release may change the API: 0.1.x satisfies find_package(corowasm 0.1), not 0.2.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/corowasmConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/corowasmConfig.cmake ${PROJECT_BINARY_DIR}/corowasmConfigVersion.cmake
        DESTINATION ${COROWASM_INSTALL_CMAKEDIR})

# corowasm.pc names its prefix relative to its own folder (${pcfiledir}), so the tree works
# wherever it is installed: `cmake --install --prefix`, the .deb's /usr.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(COROWASM_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH _corowasm_pc_up "/p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/p")  # "../.."
  string(REGEX REPLACE "/$" "" _corowasm_pc_up "${_corowasm_pc_up}")
  set(COROWASM_PC_PREFIX "\${pcfiledir}/${_corowasm_pc_up}")
endif()
configure_file(cmake/corowasm.pc.in ${PROJECT_BINARY_DIR}/corowasm.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/corowasm.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

if(TARGET corowasm)
  install(TARGETS corowasm RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

# `cpack -G DEB` in the build folder: corowasm_<version>_<arch>.deb, installing under /usr.
set(CPACK_PACKAGE_VENDOR "corowasm")
set(CPACK_PACKAGE_CONTACT "corowasm developers")
set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION libdevel)
# The headers include Boost.Asio; dpkg-shlibdeps adds what the CLI links (libc, libstdc++).
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libboost1.81-dev | libboost-dev (>= 1.81)")
find_program(COROWASM_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(COROWASM_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
endif()
include(CPack)

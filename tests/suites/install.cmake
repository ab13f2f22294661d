# make install: every file in place; the installed header, library and
# pkg-config file build a working program. Packaging, not code: the plain
# build proves it, and a sanitizer build's library needs the sanitizer
# runtime that an installed program does not link, so the Asan build type
# leaves it out.
if(NOT CMAKE_BUILD_TYPE STREQUAL "Asan")
  add_test(NAME install/prefix
           COMMAND ${CMAKE_COMMAND} -DBUILD=${CMAKE_BINARY_DIR} -DPREFIX=${CMAKE_BINARY_DIR}/install-check
                   -DCC=${CMAKE_C_COMPILER} -DLIBDIR=${CMAKE_INSTALL_LIBDIR}
                   -DMANDIR=${CMAKE_INSTALL_MANDIR} -DDATADIR=${CMAKE_INSTALL_DATADIR} -P ${PROJECT_SOURCE_DIR}/tests/tools/install_check.cmake)
endif()

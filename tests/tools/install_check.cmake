# `cmake --install` into a scratch prefix installs every file `make install`
# promises, and a program built with only the installed header and
# pkg-config file links against the installed library and runs.
# usage: cmake -DBUILD=dir -DPREFIX=dir -DCC=cc -DLIBDIR=lib -DMANDIR=share/man
#              -DDATADIR=share -P install_check.cmake
file(REMOVE_RECURSE ${PREFIX})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD} --prefix ${PREFIX}
                RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed")
endif()
foreach(f bin/netpolc ${LIBDIR}/libnetpolc.a include/netpolc.h ${LIBDIR}/pkgconfig/netpolc.pc
          ${MANDIR}/man1/netpolc.1 ${DATADIR}/bash-completion/completions/netpolc)
  if(NOT EXISTS ${PREFIX}/${f})
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()
file(READ ${PREFIX}/${MANDIR}/man1/netpolc.1 man)
foreach(verb render chart docs connlist eval explain)
  if(NOT man MATCHES "\\.SS ${verb}\n")
    message(FATAL_ERROR "the man page has no section for ${verb}")
  endif()
endforeach()
file(WRITE ${PREFIX}/probe.c
  "#include <netpolc.h>\n#include <string.h>\n"
  "int main(void) { npc_ctx *c = npc_ctx_new(); int ok = c && !strcmp(npc_render_engines()[0], \"kubernetes\");\n"
  "npc_ctx_free(c); return ok ? 0 : 1; }\n")
set(ENV{PKG_CONFIG_PATH} ${PREFIX}/${LIBDIR}/pkgconfig)
execute_process(COMMAND pkg-config --cflags --libs --static netpolc OUTPUT_VARIABLE flags
                RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "pkg-config does not know the installed netpolc")
endif()
separate_arguments(flags UNIX_COMMAND "${flags}")
execute_process(COMMAND ${CC} ${PREFIX}/probe.c -o ${PREFIX}/probe ${flags} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "a program cannot be built with the installed header and library")
endif()
execute_process(COMMAND ${PREFIX}/probe RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the probe program failed")
endif()
message(STATUS "installed and usable through pkg-config")

# qs_enable_warnings(<target>)
#
# Turns on the project's warning set for one of our own targets (PRIVATE, so it never leaks to
# consumers), and -Werror when QS_WERROR is ON (declared in the top-level CMakeLists.txt; CI sets
# it through the `ci` preset). Headers reached through imported targets or SYSTEM include
# directories (Qt, GoogleTest, Eigen, FlatBuffers and its generated headers) are not warned about.
#
# Supported: GCC >= 12 and Clang >= 14; other compilers get no extra flags.
include_guard(GLOBAL)

function(qs_enable_warnings target)
  if(NOT TARGET ${target})
    message(FATAL_ERROR "qs_enable_warnings: '${target}' is not a target")
  endif()
  get_target_property(_type ${target} TYPE)
  if(_type STREQUAL "INTERFACE_LIBRARY")
    return() # nothing of its own to compile
  endif()

  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    set(_warnings
      -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
      -Woverloaded-virtual -Wimplicit-fallthrough)
    # No -Wnull-dereference on GCC: it runs after inlining and, at -O2, GCC 12 reports
    # "potential null pointer dereference" inside libstdc++ (e.g. std::vector::insert), which
    # -Werror would turn into a broken CI build. Clang's version below is a front-end check.
  elseif(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    set(_warnings
      -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
      -Woverloaded-virtual -Wimplicit-fallthrough -Wnull-dereference)
  else()
    return()
  endif()
  if(QS_WERROR)
    list(APPEND _warnings -Werror)
  endif()

  # C++ sources only (not assembly or C helpers a target may carry).
  target_compile_options(${target} PRIVATE "$<$<COMPILE_LANGUAGE:CXX>:${_warnings}>")
endfunction()

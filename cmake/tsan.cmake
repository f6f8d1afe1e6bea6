# ThreadSanitizer build (HAT_TSAN, `make tsan`). GCC's OpenMP runtime (libgomp) is not
# instrumented: TSan cannot see its barriers and reports every parallel loop as a race. The
# build therefore uses clang with LLVM's OpenMP runtime (libomp), whose OMPT tool Archer
# (libarcher.so, Debian package libomp-14-dev) tells TSan about OpenMP's synchronisation, so
# no report needs suppressing. `make tsan` runs the tests with OMP_TOOL_LIBRARIES = HAT_ARCHER.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "HAT_TSAN needs clang (configure with -DCMAKE_CXX_COMPILER=clang++): "
                      "GCC's libgomp is not visible to ThreadSanitizer")
endif()
if(HAT_SANITIZE)
  message(FATAL_ERROR "HAT_TSAN and HAT_SANITIZE exclude each other (use two build directories)")
endif()
execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-resource-dir
                OUTPUT_VARIABLE HAT_CLANG_RESOURCE_DIR OUTPUT_STRIP_TRAILING_WHITESPACE)
find_library(HAT_ARCHER NAMES archer HINTS "${HAT_CLANG_RESOURCE_DIR}/../../../lib"
             "${HAT_CLANG_RESOURCE_DIR}/../..")
if(NOT HAT_ARCHER)
  message(FATAL_ERROR "HAT_TSAN: libarcher.so (LLVM OpenMP's TSan tool) not found; "
                      "install clang and libomp-dev")
endif()
message(STATUS "ThreadSanitizer with OpenMP tool ${HAT_ARCHER}")
add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
add_link_options(-fsanitize=thread)

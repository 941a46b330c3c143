# The bench_compare_smoke test (bench/CMakeLists.txt): runs bench/compare end to end with tiny
# counts and checks that its --json file has exactly the promised shape: objects "sealtrail",
# "postgres" and "ratio", each with exactly records_per_s, append_p99_ms, query_p99_ms and
# bytes_per_record, all positive numbers.
# Usage: cmake -DCOMPARE=bench/compare -DBUILD_DIR=build -DJSON=out.json -P compare_smoke.cmake
execute_process(
  COMMAND ${COMPARE} --build-dir ${BUILD_DIR} --records 2048 --queries 200 --concurrency 2
          --batch 64 --json ${JSON}
  RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "bench/compare failed: ${result}")
endif()

file(READ ${JSON} json)
set(keys records_per_s append_p99_ms query_p99_ms bytes_per_record)
string(JSON sides LENGTH "${json}")
if(NOT sides EQUAL 3)
  message(FATAL_ERROR "expected 3 objects, got ${sides}: ${json}")
endif()
foreach(side sealtrail postgres ratio)
  string(JSON count LENGTH "${json}" ${side})
  list(LENGTH keys expected)
  if(NOT count EQUAL expected)
    message(FATAL_ERROR "${side} has ${count} keys, expected ${expected}: ${json}")
  endif()
  foreach(key ${keys})
    string(JSON type TYPE "${json}" ${side} ${key})
    string(JSON value GET "${json}" ${side} ${key})
    if(NOT type STREQUAL "NUMBER" OR NOT value GREATER 0)
      message(FATAL_ERROR "${side}.${key} is ${type} ${value}, expected a positive number")
    endif()
  endforeach()
endforeach()
message(STATUS "bench/compare JSON: ${json}")

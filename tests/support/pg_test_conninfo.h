#pragma once
// Where the tests find the throwaway PostgreSQL cluster: $VIKNO_TEST_PG, else the connection string
// CTest's pg_cluster fixture wrote (tests/support/pg_test_cluster.sh). Empty when there is none.

#include <cstdlib>
#include <fstream>
#include <string>

namespace vikno::testing {

inline std::string test_cluster_conninfo(const char* conninfo_file) {
    if (const char* given = std::getenv("VIKNO_TEST_PG")) return given;
    std::ifstream in(conninfo_file);
    std::string line;
    std::getline(in, line);
    return line;
}

}  // namespace vikno::testing

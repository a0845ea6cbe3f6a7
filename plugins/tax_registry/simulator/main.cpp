// vikno-sim-tax_registry: the simulated taxpayer register (ДРФО), REST over X-Road.

#include "drfo_registry.h"

int main(int argc, char** argv) {
    return vikno::sim::run_simulator(
        argc, argv, "vikno-sim-tax_registry",
        "  --fixtures FILE        known taxpayers and tax debtors (default: fixtures/taxpayers.json)\n"
        "  --instance, --member-class, --member-code, --subsystem   the register's X-Road address\n",
        [](const vikno::sim::Options& options) {
            return std::make_unique<vikno::tax_registry::DrfoRegistry>(options);
        });
}

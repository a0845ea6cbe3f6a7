#include "plugin_host/plugin_host.h"

#include <gtest/gtest.h>

#include <fstream>

using namespace vikno::gateway;

namespace {

std::string refusal(const std::string& path) {
    try {
        load_plugin_library(path);
    } catch (const PluginLoadError& e) {
        return e.what();
    }
    return "";
}

Config config_with(std::vector<std::string> files) {
    Config config;
    config.source = "test.jsonc";
    config.plugin_dir = VIKNO_PLUGIN_DIR;
    for (auto& file : files) config.plugins.push_back({file, "https://127.0.0.1:1/", "", "", 0, {}});
    return config;
}

}  // namespace

TEST(PluginHost, LoadsTheCivilRegistryPluginAndRoutesItsServices) {
    const PluginHost host(config_with({"libvikno-civil_registry.so"}));
    ASSERT_EQ(host.plugins().size(), 1U);
    EXPECT_EQ(host.plugins()[0].descriptor.name, "civil_registry");
    ASSERT_NE(host.for_service("drac.death-extract"), nullptr);
    EXPECT_EQ(host.for_service("edr.subject"), nullptr);
}

TEST(PluginHost, RefusesALibraryWithoutTheFactory) {
    const std::string path = std::string(VIKNO_TEST_PLUGIN_DIR) + "/libvikno-test-no_factory.so";
    const std::string message = refusal(path);
    EXPECT_EQ(message.rfind(path + ": not a Vikno plugin", 0), 0U) << message;
}

TEST(PluginHost, RefusesAnotherInterfaceVersion) {
    const std::string path = std::string(VIKNO_TEST_PLUGIN_DIR) + "/libvikno-test-wrong_version.so";
    const std::string message = refusal(path);
    const std::string older = std::to_string(vikno::kPluginApiVersion - 1);
    const std::string ours = std::to_string(vikno::kPluginApiVersion);
    EXPECT_EQ(message, path + ": built for plugin interface version " + older + ", this gateway speaks version " +
                           ours + "; rebuild the plugin against this gateway's SDK");
}

TEST(PluginHost, RefusesMissingAndNonLibraryFiles) {
    EXPECT_NE(refusal("/nonexistent/libx.so").find("no such plugin library"), std::string::npos);
    const std::string fake = ::testing::TempDir() + "/libfake.so";
    std::ofstream(fake) << "not an ELF file";
    EXPECT_NE(refusal(fake).find("cannot be loaded as a shared library"), std::string::npos);
}

TEST(PluginHost, ALibraryTheLoaderRefusesIsRefusedInTheLoadersWords) {
    const std::string path = std::string(VIKNO_TEST_PLUGIN_DIR) + "/libvikno-test-missing_symbol.so";
    const std::string message = refusal(path);
    EXPECT_EQ(message.rfind(path + ": cannot be loaded as a shared library: undefined symbol: ", 0), 0U) << message;
    EXPECT_NE(message.find("vikno_test_function_nobody_defines"), std::string::npos) << message;
}

TEST(PluginHost, AConstructorsExceptionIsInTheRefusal) {
    const std::string path = std::string(VIKNO_TEST_PLUGIN_DIR) + "/libvikno-test-throwing_constructor.so";
    EXPECT_EQ(refusal(path),
              path + ": the plugin's constructor failed: the service table names drac.birth-extract twice");
}

TEST(PluginHost, RefusesAServiceOfferedTwice) {
    Config config = config_with({"libvikno-civil_registry.so"});
    config.plugins.push_back({std::string(VIKNO_TEST_PLUGIN_DIR) + "/libvikno-test-duplicate_service.so",
                              "https://127.0.0.1:1/",
                              "",
                              "",
                              0,
                              {}});
    try {
        PluginHost host(config);
        FAIL() << "a duplicate service was accepted";
    } catch (const PluginLoadError& e) {
        EXPECT_NE(std::string(e.what()).find("service 'drac.birth-extract' is already offered by"), std::string::npos)
            << e.what();
    }
}

TEST(PluginHost, RefusesSettingsThePluginRejects) {
    Config config = config_with({"libvikno-civil_registry.so"});
    config.plugins[0].settings["no_such_setting"] = "1";
    try {
        PluginHost host(config);
        FAIL();
    } catch (const PluginLoadError& e) {
        EXPECT_NE(std::string(e.what()).find("unknown setting 'no_such_setting'"), std::string::npos) << e.what();
    }
}

TEST(PluginHost, AnOutcomeDocumentThatIsNotAJsonObjectFailsTheCase) {
    vikno::Interpretation fine;
    fine.verdict = vikno::Verdict::Completed;
    fine.outcome.document_json = R"({"extract":"E-1"})";
    refuse_unreadable_document(fine, "civil_registry");
    EXPECT_EQ(fine.verdict, vikno::Verdict::Completed);

    vikno::Interpretation garbage = fine;
    garbage.outcome.document_json = R"({"extract":)";
    refuse_unreadable_document(garbage, "civil_registry");
    EXPECT_EQ(garbage.verdict, vikno::Verdict::Failed);
    EXPECT_EQ(garbage.reason, "the civil_registry plugin gave an outcome document that is not a JSON object");
    EXPECT_TRUE(garbage.outcome.document_json.empty());
}

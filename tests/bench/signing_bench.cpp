// Cost of the signature profiles next to OpenSSL's raw ECDSA P-256 rate, measured in one run so the
// ratios hold on a noisy machine. Run: make bench (docs/performance.md records the figures).
#include <vikno/http_signature.h>
#include <vikno/jws.h>
#include <vikno/signing.h>
#include <vikno/soap.h>
#include <vikno/xml_dsig.h>

#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdio>
#include <ctime>
#include <stdexcept>

namespace {

std::string pki(const std::string& file) { return std::string(VIKNO_TEST_PKI_DIR) + "/" + file; }

const vikno::crypto::Signer& signer() {
    static const auto s = [] {
        auto opened = vikno::crypto::open_signer(pki("gateway-signing.key"), pki("gateway-signing.crt"));
        if (!opened) throw std::runtime_error(opened.error().message);
        return std::move(opened.value());
    }();
    return *s;
}

// A typical civil registry request: X-Road header and a body of about 2 KB.
std::string soap_request() {
    vikno::soap::XRoadHeader header;
    header.client = {"SEVDEIR-TEST", "GOV", "12345678", "VIKNO"};
    header.service = {"SEVDEIR-TEST", "GOV", "00015622", "DRACS", "BirthRecordExtract", "v1"};
    header.id = "4f1e2d3c-0000-4000-8000-000000000001";
    header.user_id = "operator-17";
    header.issue = "9b2f3c1e-7d4a-4e8b-a1c2-3d4e5f607182";
    std::string body = R"(<drac:BirthRecordExtractRequest xmlns:drac="urn:vikno:registry:drac:1">)";
    while (body.size() < 1700) {
        body += "<drac:Note>Заява прийнята адміністратором ЦНАП; документи перевірено</drac:Note>";
    }
    body += "<drac:Rnokpp>3652504575</drac:Rnokpp></drac:BirthRecordExtractRequest>";
    return vikno::soap::build_envelope(header, body);
}

vikno::httpsig::HttpMessage rest_request() {
    vikno::httpsig::HttpMessage m;
    m.method = "POST";
    m.target_uri = "https://127.0.0.1:8093/r1/SEVDEIR-TEST/GOV/00015622/EDR/registrations";
    m.headers = {{"X-Road-Client", "SEVDEIR-TEST/GOV/12345678/VIKNO"},
                 {"X-Road-Id", "4f1e2d3c-0000-4000-8000-000000000001"},
                 {"X-Road-UserId", "operator-17"},
                 {"X-Road-Issue", "9b2f3c1e-7d4a-4e8b-a1c2-3d4e5f607182"},
                 {"Content-Type", "application/json"}};
    m.body =
        R"({"applicant":{"rnokpp":"3652504575","last_name":"Коваленко","first_name":"Олена"},"kved":["62.01","62.02","63.11"]})";
    return m;
}

EVP_PKEY* raw_key() {
    static EVP_PKEY* key = [] {
        FILE* file = std::fopen(pki("gateway-signing.key").c_str(), "r");
        EVP_PKEY* k = PEM_read_PrivateKey(file, nullptr, nullptr, nullptr);
        std::fclose(file);
        return k;
    }();
    return key;
}

// What `openssl speed ecdsap256` measures: one signature over a 32-byte digest.
void RawOpenSslEcdsaP256Sign(benchmark::State& state) {
    const std::string digest = vikno::crypto::sha256("data");
    unsigned char signature[128];
    for (auto _ : state) {
        EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(raw_key(), nullptr);
        EVP_PKEY_sign_init(ctx);
        std::size_t length = sizeof signature;
        EVP_PKEY_sign(ctx, signature, &length, reinterpret_cast<const unsigned char*>(digest.data()), digest.size());
        EVP_PKEY_CTX_free(ctx);
        benchmark::DoNotOptimize(length);
    }
}
BENCHMARK(RawOpenSslEcdsaP256Sign);

void RawOpenSslEcdsaP256Verify(benchmark::State& state) {
    const std::string digest = vikno::crypto::sha256("data");
    unsigned char signature[128];
    std::size_t length = sizeof signature;
    EVP_PKEY_CTX* sign = EVP_PKEY_CTX_new(raw_key(), nullptr);
    EVP_PKEY_sign_init(sign);
    EVP_PKEY_sign(sign, signature, &length, reinterpret_cast<const unsigned char*>(digest.data()), digest.size());
    EVP_PKEY_CTX_free(sign);
    for (auto _ : state) {
        EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(raw_key(), nullptr);
        EVP_PKEY_verify_init(ctx);
        const int ok = EVP_PKEY_verify(ctx, signature, length, reinterpret_cast<const unsigned char*>(digest.data()),
                                       digest.size());
        EVP_PKEY_CTX_free(ctx);
        if (ok != 1) state.SkipWithError("raw verify failed");
    }
}
BENCHMARK(RawOpenSslEcdsaP256Verify);

void XmlDsigSignSoapRequest(benchmark::State& state) {
    const std::string request = soap_request();
    for (auto _ : state) {
        auto signed_request = vikno::xmldsig::sign_envelope(request, signer());
        if (!signed_request) state.SkipWithError("sign failed");
        benchmark::DoNotOptimize(signed_request);
    }
    state.counters["bytes"] = static_cast<double>(request.size());
}
BENCHMARK(XmlDsigSignSoapRequest);

void XmlDsigVerifySoapRequest(benchmark::State& state) {
    const std::string request = vikno::xmldsig::sign_envelope(soap_request(), signer()).value();
    const std::time_t now = std::time(nullptr);
    for (auto _ : state) {
        if (!vikno::xmldsig::verify_envelope(request, signer().certificate(), now))
            state.SkipWithError("verify failed");
    }
    state.counters["bytes"] = static_cast<double>(request.size());
}
BENCHMARK(XmlDsigVerifySoapRequest);

void HttpSigSignRestRequest(benchmark::State& state) {
    const auto request = rest_request();
    for (auto _ : state) {
        auto message = request;
        if (!vikno::httpsig::sign(message, signer(), 1764115200)) state.SkipWithError("sign failed");
        benchmark::DoNotOptimize(message);
    }
}
BENCHMARK(HttpSigSignRestRequest);

void HttpSigVerifyRestRequest(benchmark::State& state) {
    auto request = rest_request();
    const std::time_t now = std::time(nullptr);
    vikno::httpsig::sign(request, signer(), now);
    for (auto _ : state) {
        if (!vikno::httpsig::verify(request, signer().certificate(), now)) state.SkipWithError("verify failed");
    }
}
BENCHMARK(HttpSigVerifyRestRequest);

void JwsSignRestBody(benchmark::State& state) {
    const auto request = rest_request();
    for (auto _ : state) {
        auto compact = vikno::jws::sign_detached(request.body, signer(), 1764115200);
        if (!compact) state.SkipWithError("sign failed");
        benchmark::DoNotOptimize(compact);
    }
}
BENCHMARK(JwsSignRestBody);

void JwsVerifyRestBody(benchmark::State& state) {
    const auto request = rest_request();
    const std::time_t now = std::time(nullptr);
    const std::string compact = vikno::jws::sign_detached(request.body, signer(), now).value();
    for (auto _ : state) {
        if (!vikno::jws::verify_detached(compact, request.body, signer().certificate(), now)) {
            state.SkipWithError("verify failed");
        }
    }
}
BENCHMARK(JwsVerifyRestBody);

}  // namespace

BENCHMARK_MAIN();

#include <vikno/signing.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <fstream>
#include <sstream>

namespace vikno::crypto {
namespace {

std::shared_ptr<x509_st> own(X509* cert) { return {cert, X509_free}; }

std::time_t to_time(const ASN1_TIME* time) {
    std::tm tm{};
    if (ASN1_TIME_to_tm(time, &tm) != 1) return 0;
    return timegm(&tm);
}

std::string format_date(std::time_t when) {
    std::tm tm{};
    gmtime_r(&when, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return text;
}

std::string openssl_error() {
    const unsigned long code = ERR_get_error();
    ERR_clear_error();
    if (code == 0) return "no details";
    char text[256];
    ERR_error_string_n(code, text, sizeof text);
    return text;
}

}  // namespace

Result<Certificate> Certificate::from_pem(std::string_view pem, const std::string& source) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
    X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
    if (cert == nullptr) {
        return Error{"certificate_unreadable",
                     source + ": not a PEM certificate (expected -----BEGIN CERTIFICATE-----): " + openssl_error()};
    }
    return Certificate(own(cert));
}

Result<Certificate> Certificate::from_der(std::string_view der, const std::string& source) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(der.data());
    X509* cert = d2i_X509(nullptr, &bytes, static_cast<long>(der.size()));
    if (cert == nullptr) return Error{"certificate_unreadable", source + ": not a DER certificate: " + openssl_error()};
    return Certificate(own(cert));
}

Result<Certificate> Certificate::load_pem_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return Error{"certificate_unreadable",
                     path + ": cannot read the certificate file (for development, run certs/make-dev-pki.sh)"};
    }
    std::stringstream text;
    text << in.rdbuf();
    return from_pem(text.str(), path);
}

Certificate::Certificate(std::shared_ptr<x509_st> cert) : cert_(std::move(cert)) {
    unsigned char* out = nullptr;
    const int length = i2d_X509(cert_.get(), &out);
    if (length > 0) der_.assign(reinterpret_cast<const char*>(out), static_cast<std::size_t>(length));
    OPENSSL_free(out);
    thumbprint_ = base64url(sha256(der_));
}

std::string Certificate::pem() const {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    PEM_write_bio_X509(bio.get(), cert_.get());
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    return {data, static_cast<std::size_t>(length)};
}

std::string Certificate::subject() const {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert_.get()), 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB);
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    return {data, static_cast<std::size_t>(length)};
}

std::string Certificate::common_name() const {
    char name[256] = {0};
    const int length = X509_NAME_get_text_by_NID(X509_get_subject_name(cert_.get()), NID_commonName, name, sizeof name);
    return length > 0 ? std::string(name, static_cast<std::size_t>(length)) : std::string();
}

std::time_t Certificate::not_before() const { return to_time(X509_get0_notBefore(cert_.get())); }
std::time_t Certificate::not_after() const { return to_time(X509_get0_notAfter(cert_.get())); }

Result<bool> Certificate::check_valid_at(std::time_t when) const {
    if (when > not_after()) {
        return Error{"certificate_expired",
                     "the certificate '" + common_name() + "' expired on " + format_date(not_after())};
    }
    if (when < not_before()) {
        return Error{"certificate_not_yet_valid",
                     "the certificate '" + common_name() + "' is valid only from " + format_date(not_before())};
    }
    return true;
}

}  // namespace vikno::crypto

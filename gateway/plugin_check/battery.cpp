#include "plugin_check/battery.h"

#include "common/ids.h"
#include "config/config.h"
#include "plugin_host/plugin_host.h"
#include "signing/credentials.h"
#include "signing/message_signing.h"
#include "transport/http_transport.h"

#include <vikno/signing.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <csignal>
#include <ctime>
#include <sstream>

#include <sys/wait.h>
#include <unistd.h>

namespace vikno::gateway::plugin_check {
namespace {

const XRoadClient kClient{"SEVDEIR-TEST", "GOV", "12345678", "VIKNO"};

const char* verdict_name(Verdict verdict) {
    switch (verdict) {
        case Verdict::Completed:
            return "completed";
        case Verdict::Rejected:
            return "rejected";
        case Verdict::Failed:
            return "failed";
        case Verdict::Retry:
            return "retry";
        case Verdict::Continue:
            return "continue";
        case Verdict::Await:
            return "awaiting";
    }
    return "unknown";
}

// Runs `work` in a child process, so that a plugin that crashes is reported, not obeyed: the
// child's lines come back through a pipe; a signal or an exit without them is the answer itself.
std::vector<std::string> in_child(const std::function<std::vector<std::string>()>& work) {
    int pipe_ends[2];
    if (pipe(pipe_ends) != 0) return {"cannot create a pipe"};
    const pid_t pid = fork();
    if (pid == 0) {
        close(pipe_ends[0]);
        std::string text;
        for (const auto& line : work()) text += line + '\n';
        for (std::size_t done = 0; done < text.size();) {
            const ssize_t n = write(pipe_ends[1], text.data() + done, text.size() - done);
            if (n <= 0) break;
            done += static_cast<std::size_t>(n);
        }
        _exit(0);
    }
    close(pipe_ends[1]);
    std::string text;
    char buffer[4096];
    for (ssize_t n; (n = read(pipe_ends[0], buffer, sizeof buffer)) > 0;)
        text.append(buffer, static_cast<std::size_t>(n));
    close(pipe_ends[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFSIGNALED(status))
        return {"crashed with signal " + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")"};
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    if (lines.empty()) return {"exited without an answer (status " + std::to_string(WEXITSTATUS(status)) + ")"};
    return lines;
}

std::string soap_envelope(const std::string& body) {
    return R"(<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">)"
           "<soap:Body>" +
           body + "</soap:Body></soap:Envelope>";
}

struct Hostile {
    std::string name;
    RegistryAnswer answer;
};

std::vector<Hostile> hostile_answers_for(Protocol protocol) {
    const std::string xml = protocol == Protocol::Rest ? "application/json" : "text/xml; charset=UTF-8";
    const auto answer = [&](int status, std::string type, std::string body) {
        return RegistryAnswer{status, {{"Content-Type", std::move(type)}}, std::move(body)};
    };
    std::string deep_xml;
    for (int i = 0; i < 100000; ++i) deep_xml += "<a>";
    for (int i = 0; i < 100000; ++i) deep_xml += "</a>";
    std::string deep_json(100000, '[');
    deep_json += std::string(100000, ']');
    return {
        {"an empty answer", answer(200, xml, "")},
        {"an empty answer with 500", answer(500, xml, "")},
        {"an HTML error page from a proxy (502)", answer(502, "text/html", "<html><body>Bad Gateway</body></html>")},
        {"XML nested 100,000 deep", answer(200, "text/xml", soap_envelope(deep_xml))},
        {"a 16 MiB text", answer(200, "text/xml", soap_envelope("<x>" + std::string(16 << 20, 'A') + "</x>"))},
        {"invalid UTF-8", answer(200, "text/xml", soap_envelope("<x>\xff\xfe\xc3\x28</x>"))},
        {"an external entity",
         answer(200, "text/xml",
                "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>" +
                    soap_envelope("<x>&e;</x>"))},
        {"a SOAP fault without a fault string",
         answer(500, "text/xml", soap_envelope("<soap:Fault><faultcode>soap:Server</faultcode></soap:Fault>"))},
        {"JSON: an empty object", answer(200, "application/json", "{}")},
        {"JSON: an empty error list", answer(400, "application/json", R"({"errors": []})")},
        {"JSON: an error list of nulls", answer(422, "application/json", R"({"errors": [null, {}], "error": null})")},
        {"JSON: null", answer(200, "application/json", "null")},
        {"JSON: nested 100,000 deep", answer(200, "application/json", deep_json)},
        {"JSON: invalid UTF-8 in a string", answer(200, "application/json", "{\"status\": \"\xff\xfe\"}")},
    };
}

// One line: status, headers and body, each base64 (the pipe from the child is line-based).
std::string encode_answer(const RegistryAnswer& answer) {
    std::string line = std::to_string(answer.status) + " " + (answer.body.empty() ? "-" : crypto::base64(answer.body));
    for (const auto& [name, value] : answer.headers) line += " " + crypto::base64(name) + ":" + crypto::base64(value);
    return line;
}

std::string unbase64(const std::string& text) {
    auto bytes = crypto::base64_decode(text);
    return bytes ? bytes.value() : std::string();
}

RegistryAnswer decode_answer(const std::string& line) {
    RegistryAnswer answer;
    std::istringstream in(line);
    std::string body;
    in >> answer.status >> body;
    answer.body = body == "-" ? "" : unbase64(body);
    for (std::string pair; in >> pair;) {
        const auto colon = pair.find(':');
        answer.headers.emplace_back(unbase64(pair.substr(0, colon)), unbase64(pair.substr(colon + 1)));
    }
    return answer;
}

// Replaces every value below `v`: each leaf by `leaf(v)`, each array by `array(a)`.
Poco::Dynamic::Var rewrite(const Poco::Dynamic::Var& v,
                           const std::function<Poco::Dynamic::Var(const Poco::Dynamic::Var&)>& leaf,
                           bool empty_arrays) {
    if (v.type() == typeid(Poco::JSON::Object::Ptr)) {
        Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
        for (const auto& [key, value] : *v.extract<Poco::JSON::Object::Ptr>())
            out->set(key, rewrite(value, leaf, empty_arrays));
        return out;
    }
    if (v.type() == typeid(Poco::JSON::Array::Ptr)) {
        Poco::JSON::Array::Ptr out = new Poco::JSON::Array;
        if (!empty_arrays) {
            for (const auto& item : *v.extract<Poco::JSON::Array::Ptr>()) out->add(rewrite(item, leaf, empty_arrays));
        }
        return out;
    }
    return leaf(v);
}

std::vector<Hostile> mutations_of(const RegistryAnswer& real) {
    std::vector<Hostile> out;
    const auto with_body = [&](const std::string& name, std::string body, int status = 0) {
        if (body == real.body) return;  // nothing of that kind in this answer to change
        RegistryAnswer a = real;
        a.body = std::move(body);
        if (status != 0) a.status = status;
        out.push_back({"the registry's answer with " + name, std::move(a)});
    };
    const std::string& body = real.body;
    if (const auto start = body.find(":Body"); start != std::string::npos) {
        // Inside the Body's first element: what its parser reads first.
        const auto body_open = body.find('>', start);
        const auto child = body.find('<', body_open);
        const auto child_open = body.find('>', child);
        if (child_open != std::string::npos && body[child_open - 1] != '/') {
            const std::string qname = body.substr(child + 1, body.find_first_of(" \t\r\n>", child) - child - 1);
            const auto close = body.find("</" + qname, child_open);
            const auto insert = [&](const std::string& what) {
                return body.substr(0, child_open + 1) + what + body.substr(child_open + 1);
            };
            std::string deep;
            for (int i = 0; i < 100000; ++i) deep += "<a>";
            for (int i = 0; i < 100000; ++i) deep += "</a>";
            with_body("XML nested 100,000 deep in its response", insert(deep));
            with_body("16 MiB of text in its response", insert(std::string(16 << 20, 'A')));
            with_body("invalid UTF-8 in its response", insert("\xff\xfe\xc3\x28"));
            if (close != std::string::npos) {
                with_body("an empty response element", body.substr(0, child_open + 1) + body.substr(close));
            }
        }
        std::string blank;  // every text emptied, the structure kept
        for (std::size_t i = 0; i < body.size(); ++i) {
            blank += body[i];
            if (body[i] == '>') {
                const auto next = body.find('<', i);
                if (next == std::string::npos) break;
                i = next - 1;
            }
        }
        with_body("every text emptied", blank);
        return out;
    }
    Poco::Dynamic::Var json;
    try {
        json = Poco::JSON::Parser().parse(body);
    } catch (const std::exception&) {
        return out;
    }
    const auto text = [](const Poco::Dynamic::Var& v) {
        std::ostringstream s;
        Poco::JSON::Stringifier::stringify(v, s);
        return s.str();
    };
    const auto null_leaf = [](const Poco::Dynamic::Var&) { return Poco::Dynamic::Var(); };
    const auto bad_utf8 = [](const Poco::Dynamic::Var& v) {
        return v.isString() ? Poco::Dynamic::Var(std::string("\xff\xfe") + v.toString()) : v;
    };
    // Only what changes the answer: re-serialised unchanged, it would be the registry's own.
    const auto keep = [](const Poco::Dynamic::Var& v) { return v; };
    const std::string same = text(rewrite(json, keep, false));
    const std::vector<std::pair<std::string, std::string>> rewritten{
        {"every value null", text(rewrite(json, null_leaf, false))},
        {"every list empty", text(rewrite(json, keep, true))},
        {"invalid UTF-8 in every string", text(rewrite(json, bad_utf8, false))}};
    for (const auto& [name, mutated] : rewritten) {
        if (mutated != same) with_body(name, mutated);
    }
    with_body("an empty error list (400)", R"({"errors": []})", 400);
    with_body("an error list of nulls (422)", R"({"errors": [null, {}], "error": null, "message": null})", 422);
    std::string deep(100000, '[');
    deep += std::string(100000, ']');
    with_body("JSON nested 100,000 deep", deep);
    return out;
}

}  // namespace

Battery::Battery(std::shared_ptr<RegistryPlugin> plugin, SimulatorCommand simulator, Report report)
    : plugin_(std::move(plugin)),
      descriptor_(plugin_->describe()),
      simulator_(std::move(simulator)),
      report_(std::move(report)) {}

Battery::Run Battery::drive(const Case& c, const ExchangeContext& context, const std::string& endpoint,
                            int request_timeout_ms) {
    Run run;
    const std::string& pki = simulator_.pki;
    auto translated = plugin_->translate(c, context);
    if (!translated) {
        run.end = "translate refused: " + translated.error().code + ": " + translated.error().message;
        return run;
    }
    auto signer = crypto::open_signer(pki + "/gateway-signing.key", pki + "/gateway-signing.crt");
    auto pinned = crypto::Certificate::load_pem_file(pki + "/" + simulator_.registry + "-signing.crt");
    if (!signer || !pinned) {
        run.end = "the PKI in " + pki + " lacks gateway-signing or " + simulator_.registry +
                  "-signing (vikno-dev-pki --registry " + simulator_.registry + " " + pki + ")";
        return run;
    }
    const auto tls = tls_client_context(pki + "/ca-chain.crt", {pki + "/gateway-tls.crt", pki + "/gateway-tls.key"});
    HttpTransport transport(3000, request_timeout_ms);
    Exchange current = translated.value();
    for (int step = 0; step < 8; ++step) {
        if (auto signed_ = sign_request(descriptor_.signature, current, target_uri(endpoint, current.path),
                                        *signer.value(), std::time(nullptr));
            !signed_) {
            run.end = "the request could not be signed: " + signed_.error().message;
            return run;
        }
        const auto sent = transport.send(endpoint, current, tls);
        if (!sent.delivered()) {
            run.end = "retry";
            run.reasons.push_back("transport: " + sent.error);
            return run;
        }
        const auto checked =
            check_answer(descriptor_.signature, current, sent.answer, pinned.value(), std::time(nullptr));
        if (checked.outcome != AnswerCheck::Outcome::Verified) {
            run.end = checked.outcome == AnswerCheck::Outcome::Transient ? "retry" : "failed";
            run.reasons.push_back("answer check: " + checked.reason);
            return run;
        }
        if (step == 0) run.first_answer = sent.answer;
        auto meaning = plugin_->interpret(c, current, sent.answer);
        refuse_unreadable_document(meaning, descriptor_.name);  // as the gateway would
        run.reasons.push_back(meaning.reason);
        if (meaning.verdict != Verdict::Continue) {
            run.end = verdict_name(meaning.verdict);
            return run;
        }
        if (!meaning.next) {
            run.end = "continue without a next request";
            return run;
        }
        current = *meaning.next;
    }
    run.end = "more than 8 requests for one case";
    return run;
}

std::vector<std::string> Battery::drive_in_child(const Case& c, const ExchangeContext& context,
                                                 const std::string& endpoint, int request_timeout_ms) {
    return in_child([&] {
        const Run run = drive(c, context, endpoint, request_timeout_ms);
        std::vector<std::string> out{run.end, run.first_answer ? encode_answer(*run.first_answer) : ""};
        out.insert(out.end(), run.reasons.begin(), run.reasons.end());
        return out;
    });
}

void Battery::samples(const std::vector<Sample>& samples) {
    for (const auto& sample : samples) {
        const std::string name = sample.file + " (" + sample.c.service + ")";
        const auto errors = plugin_->validate(sample.c);
        report_(errors.empty(), name + " is valid",
                errors.empty() ? "" : errors.front().field + " " + errors.front().reason);
        // A retry carries the case's message id: the request must be the same for the same context.
        const ExchangeContext context{kClient, new_uuid(), sample.c.office.operator_id, sample.c.id};
        const auto first = plugin_->translate(sample.c, context);
        const auto again = plugin_->translate(sample.c, context);
        const bool same = first && again && first.value().message_id == context.message_id &&
                          again.value().message_id == context.message_id && first.value().body == again.value().body;
        report_(same, name + " translates to the same request with the case's message id on a retry",
                !first ? first.error().message : "the message id or the request changed");

        SimulatorProcess simulator(simulator_, {});
        const ExchangeContext drive_context{kClient, new_uuid(), sample.c.office.operator_id, sample.c.id};
        const auto lines = drive_in_child(sample.c, drive_context, simulator.endpoint(), 10000);
        if (lines.size() > 1) reasons_.insert(reasons_.end(), lines.begin() + 2, lines.end());
        // The registry's real first answer, to make hostile answers from that still reach the
        // plugin's parsing (the same message id, the registry's headers).
        if (!real_ && lines.size() > 1 && !lines[1].empty())
            real_ = Real{&sample, drive_context, decode_answer(lines[1])};
        const bool done = lines.front() == "completed" || lines.front() == "awaiting";
        report_(done, name + " completes through the simulator with signing on (" + lines.front() + ")",
                lines.size() > 2 ? lines.back() : "");
    }
}

void Battery::faults(const Sample& sample) {
    struct Fault {
        const char* name;
        std::vector<std::string> flags;
        int timeout_ms;
    };
    const std::vector<Fault> faults{
        {"slow (answers after the request deadline)", {"--latency-ms", "1500"}, 500},
        {"failing (its own 5xx, signed)", {"--error-rate", "1"}, 10000},
        {"malformed (answers cut in half)", {"--malformed-rate", "1"}, 10000},
        {"dropping connections", {"--drop-rate", "1"}, 10000},
        {"unsigned", {"--answer-signature", "none"}, 10000},
        {"tampered after signing", {"--answer-signature", "tampered"}, 10000},
        {"signing with a foreign key", {"--answer-signature", "foreign"}, 10000},
    };
    for (const auto& fault : faults) {
        SimulatorProcess simulator(simulator_, fault.flags);
        const ExchangeContext context{kClient, new_uuid(), sample.c.office.operator_id, sample.c.id};
        const auto lines = drive_in_child(sample.c, context, simulator.endpoint(), fault.timeout_ms);
        if (lines.size() > 1) reasons_.insert(reasons_.end(), lines.begin() + 2, lines.end());
        const std::string& end = lines.front();
        const bool ok = end == "retry" || end == "failed" || end == "rejected";
        report_(ok, std::string("a simulator ") + fault.name + " gives retry or failed (" + end + ")",
                lines.size() > 2 ? lines.back() : "");
    }
}

void Battery::hostile_answers(const Sample& fallback) {
    const Sample& sample = real_ ? *real_->sample : fallback;
    const ExchangeContext context =
        real_ ? real_->context : ExchangeContext{kClient, new_uuid(), sample.c.office.operator_id, sample.c.id};
    const auto sent = plugin_->translate(sample.c, context);
    if (!sent) return report_(false, "hostile answers", "the sample does not translate");
    std::vector<Hostile> hostile = hostile_answers_for(sent.value().protocol);
    if (real_) {
        // The registry's own headers on every one of them (the message id, the content type), and
        // mutations of its real answer, so that they get past the first checks into the parsing.
        for (auto& h : hostile) {
            for (const auto& header : real_->answer.headers) {
                if (h.answer.header(header.first).empty()) h.answer.headers.push_back(header);
            }
        }
        const auto derived = mutations_of(real_->answer);
        hostile.insert(hostile.end(), derived.begin(), derived.end());
    } else {
        report_(false, "hostile answers are made from the registry's real answer",
                "no sample completed, so only answers without the registry's headers are tried");
    }
    for (const auto& h : hostile) {
        const auto lines = in_child([&] {
            const auto meaning = plugin_->interpret(sample.c, sent.value(), h.answer);
            return std::vector<std::string>{verdict_name(meaning.verdict), meaning.reason};
        });
        if (lines.size() > 1) reasons_.push_back(lines[1]);
        const bool ok = lines.size() > 1 && lines.front() != "completed";
        report_(ok, "a hostile answer, " + h.name + ", is not taken (" + lines.front() + ")",
                lines.size() > 1 ? lines[1] : "");
    }
}

void Battery::personal_data(const std::vector<Sample>& samples) {
    std::vector<std::string> personal;
    for (const auto& sample : samples) {
        const Applicant& a = sample.c.applicant;
        for (const auto* value : {&a.rnokpp, &a.last_name, &a.first_name, &a.patronymic, &a.birth_date}) {
            if (value->size() >= 4) personal.push_back(*value);
        }
        if (a.document && a.document->number.size() >= 4) personal.push_back(a.document->number);
    }
    std::string found;
    for (const auto& reason : reasons_) {
        for (const auto& value : personal) {
            if (reason.find(value) != std::string::npos) found = "a reason holds '" + value + "': " + reason;
        }
    }
    report_(found.empty(),
            "no reason (" + std::to_string(reasons_.size()) +
                " seen) holds the applicant's name, RNOKPP, birth date "
                "or document number",
            found);
}

}  // namespace vikno::gateway::plugin_check

#pragma once
// Life situations, declared: one application, several registry services. A definition file names
// its steps (service codes of loaded plugins), what each step's case takes from the application or
// from an earlier step's outcome, which steps come after which, conditions, and which steps are
// optional. Definitions are checked at start against the loaded plugins; docs/situations.md.

#include <vikno/case.h>

#include <Poco/JSON/Object.h>

#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace vikno::gateway {

class SituationError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Where a step field's value comes from.
struct ValueSource {
    enum class Kind { Application, Applicant, StepOutcome, StepReference, Literal };
    Kind kind = Kind::Literal;
    std::string step;  ///< for StepOutcome and StepReference
    std::string path;  ///< dotted path (application subject, applicant field, outcome document); or the literal
};

struct StepDefinition {
    std::string id;
    std::string service;
    bool optional = false;
    std::vector<std::string> needs;                            ///< steps that must complete first
    std::vector<std::pair<std::string, ValueSource>> subject;  ///< the step case's subject path <- source
    /// Run only when this application field, read as a number, is at least `when_at_least`.
    std::string when_field;
    double when_at_least = 0;
};

struct SituationDefinition {
    std::string code;  ///< what the CNAP submits as `service`, e.g. `situation.emalyatko`
    std::string title_uk;
    std::string title_en;
    std::string source;                        ///< the file it was read from
    std::vector<std::string> required_fields;  ///< application subject paths
    std::vector<std::string> optional_fields;
    std::vector<StepDefinition> steps;  ///< in an order where every step follows its needs

    const StepDefinition* step(const std::string& id) const;
};

/// Parses one definition; `offers(service)` says whether a loaded plugin offers a service. Throws
/// SituationError "FILE: steps[2].service: ..." for an unknown service or field, a cycle, a
/// duplicate step and any malformed entry.
SituationDefinition parse_situation(const std::string& text, const std::string& source,
                                    const std::function<bool(const std::string&)>& offers);

class Situations {
public:
    Situations() = default;
    /// Every *.json file in `dir` (sorted by name); empty dir: none. Throws SituationError.
    Situations(const std::string& dir, const std::function<bool(const std::string&)>& offers);

    const SituationDefinition* find(const std::string& code) const;
    const std::vector<SituationDefinition>& all() const { return definitions_; }

private:
    std::vector<SituationDefinition> definitions_;
};

/// The value a source gives for `application` and the outcomes of completed steps (step id ->
/// outcome), or nullopt when it is not there.
std::optional<Poco::Dynamic::Var> resolve(const ValueSource& source, const Case& application,
                                          const std::map<std::string, Outcome>& outcomes);

}  // namespace vikno::gateway

using Jailgrade.Policy.Eligibility;
using YamlDotNet.RepresentationModel;

namespace Jailgrade.Policy.Internal;

/// <summary>
/// Turns a policy's YAML tree into the model, reporting every error it can find with its position,
/// then hands the table to <see cref="TableProver"/> and the ladders to <see cref="LadderProver"/>.
/// Each part of the format has its own reader, in the order the parts may refer to each other:
/// <see cref="HeaderReader"/> (with the parties), <see cref="InputsReader"/>, <see cref="TableReader"/>,
/// <see cref="OutcomesReader"/>, <see cref="JurisdictionsReader"/>, <see cref="EligibilityReader"/> and
/// <see cref="ExamplesReader"/>; what they share is in <see cref="PolicyReading"/>.
/// </summary>
internal sealed class PolicyParser(Diagnostics diagnostics)
{
    // The keys of each part of the format (docs/policy.schema.json lists the same; a test holds them together).
    internal static readonly string[] RootKeys = ["policy", "version", "title", "summary", "sources", "confidence", "consensus", "parties", "inputs", "table", "outcomes", "jurisdictions", "eligibility", "examples"];
    internal static readonly string[] ConsensusKeys = ["deciding-party", "otherwise"];
    internal static readonly string[] SourceKeys = ["id", "title", "url", "note"];
    internal static readonly string[] InputKeys = ["name", "ordered", "values", "default", "description"];
    internal static readonly string[] TableKeys = ["default", "rows"];
    internal static readonly string[] OutcomeKeys = ["summary", "obligations"];
    internal static readonly string[] ObligationKeys = ["kind", "party", "from", "within", "not-before", "not-after", "every", "when", "note"];
    internal static readonly string[] TierKeys = ["description", "countries"];
    internal static readonly string[] ExampleKeys = ["name", "vector", "band-probabilities", "facts", "clock", "countries", "expect"];
    internal static readonly string[] ExpectKeys = ["outcome", "row", "obligations", "eligibility", "countries"];
    internal static readonly string[] ExpectedObligationKeys = ["kind", "party", "due"];
    internal static readonly string[] LadderKeys = [.. IdentityLevels.Names];
    internal static readonly string[] AllowWithKeys = ["allow-with"];

    private readonly Diagnostics _diagnostics = diagnostics;
    private readonly PolicyReading _reading = new(diagnostics);

    public JgPolicy? Parse(YamlNode root, string sha256)
    {
        var reader = MappingReader.Open(root, _diagnostics, "the policy", RootKeys);
        if (reader is null)
        {
            return null;
        }

        var header = new HeaderReader(_reading).ParseHeader(reader, sha256);
        var errors = _diagnostics.Errors.Count;
        new InputsReader(_reading).ParseInputs(reader.Required("inputs"));
        var (rows, defaultOutcome, tableNode) = new TableReader(_reading).ParseTable(reader.Required("table"));
        var tableParsed = _diagnostics.Errors.Count == errors && tableNode is not null;
        var outcomes = new OutcomesReader(_reading).ParseOutcomes(reader.Optional("outcomes"));
        errors = _diagnostics.Errors.Count;
        new JurisdictionsReader(_reading).ParseJurisdictions(reader.Required("jurisdictions"));
        var eligibility = new EligibilityReader(_reading).ParseEligibility(reader.Required("eligibility"));
        var laddersParsed = _diagnostics.Errors.Count == errors && eligibility is not null;
        var examples = new ExamplesReader(_reading).ParseExamples(reader.Optional("examples"));

        // Prove whatever parsed cleanly, even when another part of the file has errors, so that
        // one run reports everything wrong with the file.
        var inputs = _reading.Inputs;
        var table = tableParsed ? TableProver.Prove(inputs, rows, defaultOutcome, tableNode!, outcomes, _diagnostics) : null;
        if (laddersParsed)
        {
            LadderProver.Prove(eligibility!, _diagnostics);
        }

        if (_diagnostics.HasErrors || header is null || table is null || eligibility is null)
        {
            return null;
        }

        return new JgPolicy(header, inputs, rows, defaultOutcome, outcomes, _reading.Tiers, eligibility, table) { Examples = examples };
    }
}

using System.Globalization;
using System.Security.Cryptography;
using Jailgrade.Evaluation.Attacks;
using Jailgrade.Evaluation.Calibration;
using Jailgrade.Evaluation.Campaigns.Internal;
using Jailgrade.Evaluation.Judges;
using Jailgrade.Evaluation.Mock;
using Jailgrade.Evaluation.Probes;
using Jailgrade.Evaluation.Targets;
using Jailgrade.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Jailgrade.Evaluation.Campaigns;

/// <summary>
/// Loads a campaign file (docs/campaigns.md). Unknown keys and bad values are errors with line and
/// column; every error of a file is reported at once.
/// </summary>
public sealed class CampaignLoader(EvaluationRegistry registry)
{
    private static readonly string[] TopKeys = ["campaign", "seed", "samples", "probes", "attacks", "baseline", "targets", "judge", "output", "max_error_share"];
    private static readonly string[] ProbeKeys = ["builtin", "file", "format", "categories", "limit", "domains", "domain", "replay", "text_only"];
    private static readonly string[] AttackKeys = ["id", "template", "transforms"];
    private static readonly string[] TargetKeys =
    [
        "id", "provider", "base_url", "model", "api_key_env", "max_concurrency", "requests_per_second", "timeout_s",
        "max_retries", "retry_base_ms", "max_backoff_s", "max_response_bytes", "max_requests", "max_tokens", "system_prompt", "headers", "mock_headers",
        "temperature", "top_p", "mock",
    ];

    /// <summary>Most entries under 'probes' (docs/campaigns.md, "Limits").</summary>
    public const int MaxProbeSources = 100;

    /// <summary>Most entries under 'attacks', the baseline aside.</summary>
    public const int MaxAttacks = 1_000;

    /// <summary>Most entries under 'targets'.</summary>
    public const int MaxTargets = 100;

    private static readonly Mark Start = new(0, 1, 1);

    private static readonly string[] SecretHeaders = ["authorization", "x-api-key", "api-key", "proxy-authorization"];

    /// <summary>Loads and validates a campaign file.</summary>
    public Campaign Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var file = Path.GetFileName(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"campaign file not found: {path}", path);
        }

        if (new FileInfo(path).Length is var size and > YamlLimits.MaxFileBytes)
        {
            throw new CampaignException([new CampaignError(file, 1, 1, TooLarge(size))]);
        }

        var bytes = File.ReadAllBytes(path);
        return Parse(new StreamReader(new MemoryStream(bytes)).ReadToEnd(), path, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    /// <summary>Parses campaign text; <paramref name="path"/> names it in errors and anchors relative paths.</summary>
    public Campaign Parse(string yaml, string path, string? fileHash = null)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(path);
        var walker = new YamlWalker(Path.GetFileName(path));
        if (System.Text.Encoding.UTF8.GetByteCount(yaml) is var size and > YamlLimits.MaxFileBytes)
        {
            walker.Error(Start, TooLarge(size));
            throw new CampaignException(walker.Errors);
        }

        var stream = new YamlStream();
        var parser = new BoundedYamlParser(yaml);
        try
        {
            stream.Load(parser);
        }
        catch (YamlException e)
        {
            walker.Error(e.Start, "not valid YAML: " + e.Message.Split('\n')[0]);
            throw new CampaignException(walker.Errors);
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this for some unterminated flow collections; the last event
            // it produced still says where the file stopped making sense.
            walker.Error(parser.Current?.End ?? Start, "not valid YAML after this point: an unclosed [ or {?");
            throw new CampaignException(walker.Errors);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            var what = stream.Documents.Count == 0 ? "the file is empty" : "this is not a mapping";
            walker.Error(stream.Documents.Count == 0 ? Start : stream.Documents[0].RootNode.Start, $"{what}: a campaign file is a YAML mapping with 'campaign', 'probes', 'targets' and 'judge'");
            throw new CampaignException(walker.Errors);
        }

        walker.CheckKeys(root, "the campaign", TopKeys);
        var name = walker.String(root, "campaign", "the campaign", required: true) ?? "";
        var seed = walker.Unsigned(root, "seed", "the campaign", required: true) ?? 0;
        var samples = (int)(walker.Integer(root, "samples", "the campaign", 1, 10_000) ?? 1);
        var probes = walker.Sequence(root, "probes", "the campaign", required: true, MaxProbeSources, nonEmpty: true).Select(n => ReadProbes(walker, n)).OfType<ProbeSourceSpec>().ToList();
        var attacks = ReadAttacks(walker, root);
        // Targets may be left out only when nothing will be sent: every entry a finished artifact graded as recorded.
        var sends = probes.Where(p => p.Format != "jbb-artifacts" || p.Replay).ToList();
        var simulated = new Dictionary<string, MockTargetOptions>(StringComparer.Ordinal);
        var targets = walker.Sequence(root, "targets", "the campaign", required: false, MaxTargets, nonEmpty: true).Select(n => ReadTarget(walker, n, "a target", simulated)).OfType<TargetSpec>().ToList();
        if (YamlWalker.Get(root, "targets") is null && sends.Count > 0)
        {
            walker.Error(root, string.Create(CultureInfo.InvariantCulture,
                $"missing key 'targets' in the campaign (the probe entry at line {sends[0].Position.Line} sends requests; only finished artifacts graded as recorded need no target)"));
        }

        var judge = ReadJudge(walker, root, targets, path, simulated);
        var output = walker.String(root, "output", "the campaign") ?? Path.Combine("results", name);
        var maxErrorShare = walker.Number(root, "max_error_share", "the campaign", 0, 1) ?? 0.1;

        CheckUnique(walker, root, "targets", targets.Select(t => t.Id), "target");
        CheckUnique(walker, root, "attacks", attacks.Select(a => a.Id), "attack");
        if (walker.Errors.Count > 0)
        {
            throw new CampaignException(walker.Reported());
        }

        return new Campaign
        {
            Name = name,
            Seed = seed,
            Samples = samples,
            Probes = probes,
            Attacks = attacks,
            Targets = targets,
            Simulated = simulated,
            Judge = judge!,
            Output = output,
            MaxErrorShare = maxErrorShare,
            FileHash = fileHash ?? Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(yaml))),
            FilePath = path,
        };
    }

    private static string TooLarge(long size) =>
        $"the file is {YamlLimits.Format(size)} bytes; a campaign file is at most {YamlLimits.Format(YamlLimits.MaxFileBytes)} bytes";

    private ProbeSourceSpec? ReadProbes(YamlWalker walker, YamlNode node)
    {
        const string where = "a probe entry";
        if (walker.Map(node, where) is not { } map)
        {
            return null;
        }

        walker.CheckKeys(map, where, ProbeKeys);
        var builtin = walker.OneOf(map, "builtin", where, [.. registry.BuiltinProbeSets.Keys]);
        var file = walker.String(map, "file", where);
        var format = walker.OneOf(map, "format", where, [.. registry.Importers.Keys]);
        if ((YamlWalker.Get(map, "builtin") is null) == (YamlWalker.Get(map, "file") is null))
        {
            walker.Error(map, "a probe entry has either 'builtin' or 'file'");
        }

        if (YamlWalker.Get(map, "file") is not null && YamlWalker.Get(map, "format") is null)
        {
            walker.Error(map, $"a probe file needs 'format' (one of: {string.Join(", ", registry.Importers.Keys)})");
        }

        var domains = walker.StringMap(map, "domains", where);
        foreach (var (category, domain) in domains)
        {
            if (!ProbeLoader.IsDomain(domain))
            {
                walker.Error(YamlWalker.Get(map, "domains")!, $"bad value '{domain}' for category '{category}' in 'domains' (expected a JG hazard domain such as CY, BI, FR)");
            }
        }

        var single = walker.String(map, "domain", where);
        if (single is not null && !ProbeLoader.IsDomain(single))
        {
            walker.Error(YamlWalker.Get(map, "domain")!, $"bad value '{single}' for 'domain' in {where} (expected a JG hazard domain such as CY, BI, FR)");
        }

        if (format is not null && !registry.Importers[format].HasCategories && single is null)
        {
            walker.Error(map, $"format '{format}' has no categories: give the entry a 'domain'");
        }

        var replay = walker.Boolean(map, "replay", where) ?? false;
        if (replay && format != "jbb-artifacts")
        {
            walker.Error(YamlWalker.Get(map, "replay")!, "'replay' applies only to format jbb-artifacts");
        }

        var textOnly = walker.Boolean(map, "text_only", where) ?? false;
        if (textOnly && format != "harmbench")
        {
            walker.Error(YamlWalker.Get(map, "text_only")!, "'text_only' applies only to format harmbench (its multimodal behaviors file)");
        }

        var categoriesNode = YamlWalker.Get(map, "categories");
        var categories = walker.Strings(map, "categories", where);
        return new ProbeSourceSpec
        {
            Builtin = builtin,
            File = file,
            Format = format,
            Categories = categories,
            Limit = (int?)walker.Integer(map, "limit", where, 1, int.MaxValue),
            Domains = domains,
            Domain = single,
            Replay = replay,
            TextOnly = textOnly,
            CategoriesPosition = categoriesNode is null ? null : ((int)categoriesNode.Start.Line, (int)categoriesNode.Start.Column),
            Position = ((int)map.Start.Line, (int)map.Start.Column),
        };
    }

    private List<AttackSpec> ReadAttacks(YamlWalker walker, YamlMappingNode root)
    {
        var attacks = new List<AttackSpec>();
        if (walker.Boolean(root, "baseline", "the campaign") ?? true)
        {
            attacks.Add(new AttackSpec { Id = AttackSpec.BaselineId });
        }

        foreach (var node in walker.Sequence(root, "attacks", "the campaign", required: false, MaxAttacks))
        {
            const string where = "an attack";
            if (walker.Map(node, where) is not { } map)
            {
                continue;
            }

            walker.CheckKeys(map, where, AttackKeys);
            var id = walker.String(map, "id", where, required: true);
            if (id == AttackSpec.BaselineId)
            {
                walker.Error(YamlWalker.Get(map, "id")!, "'baseline' is added automatically; give the attack another id");
            }

            var template = walker.String(map, "template", where);
            if (template is not null && !template.Contains(AttackComposer.Slot, StringComparison.Ordinal))
            {
                walker.Error(YamlWalker.Get(map, "template")!, $"the template of attack '{id}' lacks the {AttackComposer.Slot} slot");
            }

            var transforms = walker.Sequence(map, "transforms", where, required: false).Select(t => ReadTransform(walker, t)).OfType<TransformSpec>().ToList();
            if (id is not null)
            {
                attacks.Add(new AttackSpec { Id = id, Template = template, Transforms = transforms });
            }
        }

        return attacks;
    }

    private TransformSpec? ReadTransform(YamlWalker walker, YamlNode node)
    {
        string? id;
        var settings = new Dictionary<string, object>(StringComparer.Ordinal);
        if (node is YamlScalarNode scalar)
        {
            id = scalar.Value;
        }
        else if (walker.Map(node, "a transform") is { } map)
        {
            id = walker.String(map, "id", "a transform", required: true);
            if (id is not null && registry.Transforms.TryGetValue(id, out var known))
            {
                walker.CheckKeys(map, $"transform '{id}'", ["id", .. known.SettingNames]);
            }

            foreach (var (key, value) in map.Children)
            {
                var name = ((YamlScalarNode)key).Value!;
                if (name == "id")
                {
                    continue;
                }

                settings[name] = value switch
                {
                    YamlScalarNode s => s.Value ?? "",
                    YamlSequenceNode => (IReadOnlyList<string>)walker.Strings(map, name, $"transform '{id}'"),
                    _ => Nested(value),
                };
            }
        }
        else
        {
            return null;
        }

        string Nested(YamlNode value)
        {
            walker.Error(value, $"a setting of transform '{id}' is a single value or a list of single values, not a mapping");
            return "";
        }

        if (id is null || !registry.Transforms.TryGetValue(id, out var transform))
        {
            walker.Error(node, $"unknown transform '{id}' (expected one of: {string.Join(", ", registry.Transforms.Keys)})");
            return null;
        }

        if (transform.Validate(settings) is { } problem)
        {
            walker.Error(node, $"transform '{id}': {problem}");
            return null;
        }

        return new TransformSpec(id, settings);
    }

    private TargetSpec? ReadTarget(YamlWalker walker, YamlNode node, string where, Dictionary<string, MockTargetOptions> simulated)
    {
        if (walker.Map(node, where) is not { } map)
        {
            return null;
        }

        var id = walker.String(map, "id", where, required: true);
        var place = id is null ? where : $"target '{id}'";
        walker.CheckKeys(map, place, TargetKeys);
        var provider = walker.OneOf(map, "provider", place, [.. registry.Providers.Keys], required: true);
        var (baseUrl, model) = provider == "mock"
            ? ReadSimulated(walker, map, id, place, simulated)
            : ReadEndpoint(walker, map, place);
        var headers = walker.StringMap(map, "headers", place);
        CheckHeaders(walker, YamlWalker.Get(map, "headers"), place);

        var defaults = new TargetSpec { Id = "", Provider = "", BaseUrl = "", Model = "" };
        var timeout = walker.Number(map, "timeout_s", place, 0, 3600, minExclusive: true);
        var retryBase = walker.Integer(map, "retry_base_ms", place, 0, 600_000);
        var maxBackoff = walker.Number(map, "max_backoff_s", place, 0, 3600, minExclusive: true);
        if (id is null || provider is null || baseUrl is null || model is null)
        {
            return null;
        }

        return new TargetSpec
        {
            Id = id,
            Provider = provider,
            BaseUrl = baseUrl,
            Model = model,
            ApiKeyEnv = walker.String(map, "api_key_env", place),
            MaxConcurrency = (int)(walker.Integer(map, "max_concurrency", place, 1, 4096) ?? defaults.MaxConcurrency),
            RequestsPerSecond = walker.Number(map, "requests_per_second", place, 0, 100_000, minExclusive: true),
            Timeout = timeout is { } t ? TimeSpan.FromSeconds(t) : defaults.Timeout,
            MaxRetries = (int)(walker.Integer(map, "max_retries", place, 0, 100) ?? defaults.MaxRetries),
            RetryBaseDelay = retryBase is { } r ? TimeSpan.FromMilliseconds(r) : defaults.RetryBaseDelay,
            MaxBackoff = maxBackoff is { } b ? TimeSpan.FromSeconds(b) : defaults.MaxBackoff,
            MaxResponseBytes = walker.Integer(map, "max_response_bytes", place, 1024, TargetSpec.MaxResponseBytesLimit) ?? defaults.MaxResponseBytes,
            // The simulated model draws its faults from the attempt number, which only this header carries.
            MockHeaders = provider == "mock" || (walker.Boolean(map, "mock_headers", place) ?? false),
            MaxRequests = walker.Integer(map, "max_requests", place, 1, long.MaxValue),
            MaxTokens = (int)(walker.Integer(map, "max_tokens", place, 1, 1_000_000) ?? defaults.MaxTokens),
            SystemPrompt = walker.String(map, "system_prompt", place),
            Headers = headers,
            Temperature = walker.Number(map, "temperature", place, 0, 2),
            TopP = walker.Number(map, "top_p", place, 0, 1),
        };
    }

    // A server's address and model; the address never carries credentials.
    private static (string? BaseUrl, string? Model) ReadEndpoint(YamlWalker walker, YamlMappingNode map, string place)
    {
        if (KeyNode(map, "mock") is { } settings)
        {
            walker.Error(settings, $"'mock' in {place} applies only to provider: mock (the simulated model, in-process)");
        }

        var baseUrl = walker.String(map, "base_url", place, required: true);
        Uri? uri = null;
        if (baseUrl is not null && !(Uri.TryCreate(baseUrl, UriKind.Absolute, out uri) && uri.Scheme is "http" or "https"))
        {
            walker.Error(YamlWalker.Get(map, "base_url")!, $"bad value '{baseUrl}' for 'base_url' in {place} (expected an absolute http or https URL)");
        }
        else if (uri is { UserInfo.Length: > 0 })
        {
            // The value is not echoed: it holds a password, and errors end up in logs.
            walker.Error(YamlWalker.Get(map, "base_url")!, $"'base_url' in {place} carries a user name or password (user:password@host): credentials never go in the campaign file; name the variable that holds the key with 'api_key_env'");
            baseUrl = null;
        }

        return (baseUrl, walker.String(map, "model", place, required: true));
    }

    // The simulated model in-process: no address and no key; its settings go to the runner beside the spec.
    private static (string? BaseUrl, string? Model) ReadSimulated(YamlWalker walker, YamlMappingNode map, string? id, string place, Dictionary<string, MockTargetOptions> simulated)
    {
        foreach (var key in new[] { "base_url", "api_key_env", "mock_headers" })
        {
            if (KeyNode(map, key) is { } node)
            {
                walker.Error(node, $"'{key}' in {place}: provider 'mock' runs in-process, with no server to address or authenticate; remove it");
            }
        }

        var options = MockSettingsReader.Read(walker, YamlWalker.Get(map, "mock"), place);
        if (id is not null)
        {
            simulated[id] = options;
        }

        return (MockChatProvider.BaseUrl, walker.String(map, "model", place) ?? MockChatProvider.DefaultModel);
    }

    // A key itself, where a message about the key (not its value) points.
    private static YamlNode? KeyNode(YamlMappingNode map, string key) =>
        map.Children.Keys.FirstOrDefault(k => k is YamlScalarNode { Value: var name } && name == key);

    // Header names are HTTP tokens and values hold no line breaks (RFC 9110 5.1, 5.5): a CR or LF in
    // a value would start a header of its own, and a name HttpClient cannot send would be dropped.
    private static void CheckHeaders(YamlWalker walker, YamlNode? node, string place)
    {
        if (node is not YamlMappingNode headers)
        {
            return;
        }

        foreach (var (key, value) in headers.Children)
        {
            if (key is not YamlScalarNode { Value: { Length: > 0 } name } || value is not YamlScalarNode { Value: { } text })
            {
                continue;
            }

            if (SecretHeaders.Contains(name.ToLowerInvariant()))
            {
                walker.Error(key, $"header '{name}' would put a secret in the campaign file: name the variable that holds the key with 'api_key_env'");
            }
            else if (name.FirstOrDefault(c => !IsTokenChar(c)) is var bad and not '\0')
            {
                walker.Error(key, $"bad header name '{Visible(name)}' in {place}: {(bad == ' ' ? "a space" : $"'{Visible(bad.ToString())}'")} is not allowed in a header name (letters, digits and !#$%&'*+-.^_`|~ only)");
            }

            if (text.IndexOfAny(['\r', '\n', '\0']) is var at and >= 0)
            {
                walker.Error(value, $"the value of header '{Visible(name)}' in {place} holds {Visible(text[at].ToString())} at character {at + 1}: a header value is one line");
            }
        }
    }

    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);

    private static string Visible(string text) => text
        .Replace("\r", "\\r", StringComparison.Ordinal)
        .Replace("\n", "\\n", StringComparison.Ordinal)
        .Replace("\0", "\\0", StringComparison.Ordinal)
        .Replace("\t", "\\t", StringComparison.Ordinal);

    private JudgeSpec? ReadJudge(YamlWalker walker, YamlMappingNode root, IReadOnlyList<TargetSpec> targets, string path, Dictionary<string, MockTargetOptions> simulated)
    {
        if (walker.Map(YamlWalker.Get(root, "judge"), "'judge'") is not { } map)
        {
            if (YamlWalker.Get(root, "judge") is null)
            {
                walker.Error(root, "missing key 'judge' in the campaign");
            }

            return null;
        }

        walker.CheckKeys(map, "the judge", "kind", "target", "recorded_answers", "calibration");
        var kind = walker.OneOf(map, "kind", "the judge", registry.JudgeKinds, required: true);
        var targetNode = YamlWalker.Get(map, "target");
        TargetSpec? target = null;
        if (kind == "rubric")
        {
            if (targetNode is null)
            {
                walker.Error(map, "the rubric judge needs a 'target' (defined like a target; it is never attacked)");
            }
            else
            {
                target = ReadTarget(walker, targetNode, "the judge's target", simulated);
                if (target is not null && targets.Any(t => t.Id == target.Id || (t.BaseUrl == target.BaseUrl && t.Model == target.Model)))
                {
                    walker.Error(targetNode, $"the judge's target '{target.Id}' is also under test; a judge must be a model that is not attacked");
                }
            }
        }
        else if (targetNode is not null)
        {
            walker.Error(targetNode, $"judge kind '{kind}' takes no 'target'");
        }

        var recorded = walker.OneOf(map, "recorded_answers", "the judge", ["labels", "judge"]) == "judge"
            ? RecordedAnswersJudge.Judge
            : RecordedAnswersJudge.Labels;
        return kind is null ? null : new JudgeSpec(kind, target) { RecordedAnswers = recorded, Calibration = ReadCalibration(walker, map, kind, path) };
    }

    // The file must be a calibration of this judge kind; the prompt version is checked where results are read.
    private static string? ReadCalibration(YamlWalker walker, YamlMappingNode map, string kind, string campaignPath)
    {
        if (walker.String(map, "calibration", "the judge") is not { } file)
        {
            return null;
        }

        var node = YamlWalker.Get(map, "calibration")!;
        var full = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(campaignPath)) ?? ".", file));
        if (!File.Exists(full))
        {
            walker.Error(node, $"calibration file not found: '{file}' (expected a path relative to the campaign file, written by 'jailgrade judge calibrate --out')");
            return null;
        }

        try
        {
            var stored = CalibrationFile.Read(full);
            if (stored.JudgeId != kind)
            {
                walker.Error(node, $"'{file}' calibrates judge {stored.JudgeId}, not this campaign's {kind} (expected a calibration of the judge named here)");
            }
        }
        catch (Exception e) when (e is ProbeFormatException or InvalidDataException or IOException)
        {
            walker.Error(node, $"'{file}' is not a usable calibration: {e.Message}");
        }

        return full;
    }

    private static void CheckUnique(YamlWalker walker, YamlMappingNode root, string key, IEnumerable<string> ids, string what)
    {
        foreach (var duplicate in ids.GroupBy(i => i, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            walker.Error(YamlWalker.Get(root, key) ?? root, string.Create(CultureInfo.InvariantCulture, $"{what} id '{duplicate.Key}' is used {duplicate.Count()} times"));
        }
    }
}

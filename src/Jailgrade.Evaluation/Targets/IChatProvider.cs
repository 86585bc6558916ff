namespace Jailgrade.Evaluation.Targets;

/// <summary>An endpoint protocol: how to build a request and read an answer. Stateless.</summary>
public interface IChatProvider : IEvaluationPlugin
{
    /// <summary>Builds the HTTP request for one attempt. <paramref name="apiKey"/> goes only into a header.</summary>
    HttpRequestMessage CreateRequest(TargetSpec spec, ChatRequest request, string? apiKey);

    /// <summary>
    /// Whether requests carry the sample's seed, so that a seeded model reproduces its answers from the
    /// campaign seed (recorded per target in the manifest).
    /// </summary>
    bool SendsSeed { get; }

    /// <summary>Reads the answer text from a 2xx body; false with a short reason when it cannot.</summary>
    bool TryReadAnswer(byte[] body, out string content, out string problem);
}

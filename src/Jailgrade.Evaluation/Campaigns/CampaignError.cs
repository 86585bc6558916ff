namespace Jailgrade.Evaluation.Campaigns;

/// <summary>A problem in a campaign file, with where it is and the offending value.</summary>
public sealed record CampaignError(string File, int Line, int Column, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{File}:{Line}:{Column}: {Message}";
}

/// <summary>Thrown by <see cref="CampaignLoader"/> with every problem found, never a partial campaign.</summary>
public sealed class CampaignException : Exception
{
    /// <summary>Creates the exception from its errors.</summary>
    public CampaignException(IReadOnlyList<CampaignError> errors)
        : base(string.Join(Environment.NewLine, errors)) => Errors = errors;

    /// <summary>Creates the exception with one error.</summary>
    public CampaignException(string message)
        : this([new CampaignError("", 0, 0, message)])
    {
    }

    /// <summary>Creates an empty exception (for serializers and analyzers; not used).</summary>
    public CampaignException()
        : this([])
    {
    }

    /// <summary>Creates the exception with one error and its cause.</summary>
    public CampaignException(string message, Exception innerException)
        : base(message, innerException) => Errors = [new CampaignError("", 0, 0, message)];

    /// <summary>Every error, in file order.</summary>
    public IReadOnlyList<CampaignError> Errors { get; }
}

using System.Security.Cryptography;
using System.Text;
using Jailgrade.Registry.Organizations;
using Microsoft.EntityFrameworkCore;

namespace Jailgrade.Registry.Identity;

/// <summary>
/// API keys as SECURITY.md 1 defines them: <c>jg_&lt;env&gt;_&lt;id&gt;_&lt;secret&gt;</c>, the id public
/// (16 lower-case hex characters), the secret 32 random bytes in base64url. Only the SHA-256 of the
/// secret is stored; a request costs one lookup by id and one constant-time hash comparison.
/// </summary>
public static class ApiKeys
{
    /// <summary>How long a new key is valid.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(90);

    /// <summary>How stale <see cref="ApiKey.LastUsedAt"/> may get before a use writes it again.</summary>
    public static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    /// <summary>A new key for a user: the stored row and the full key, which is shown once and never stored.</summary>
    public static (ApiKey Stored, string Key) Create(Guid userId, DateTimeOffset now, string environment = "live")
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        var stored = new ApiKey
        {
            Id = id,
            UserId = userId,
            Environment = environment,
            SecretSha256 = SHA256.HashData(Encoding.ASCII.GetBytes(secret)),
            CreatedAt = now,
            ExpiresAt = now + DefaultLifetime,
        };
        return (stored, $"jg_{environment}_{id}_{secret}");
    }

    /// <summary>
    /// Splits a presented key on its first three underscores (the secret may hold more); false when it
    /// does not have the shape of a key.
    /// </summary>
    public static bool TryParse(string presented, out string environment, out string id, out string secret)
    {
        environment = id = secret = "";
        var parts = presented.Split('_', 4);
        if (parts is not ["jg", "live" or "demo", var keyId, var keySecret] || keyId.Length != 16 || !keyId.All(char.IsAsciiHexDigitLower) || keySecret.Length == 0)
        {
            return false;
        }

        (environment, id, secret) = (parts[1], keyId, keySecret);
        return true;
    }

    /// <summary>What may be shown of a key: <c>jg_&lt;env&gt;_&lt;id&gt;</c>, never the secret.</summary>
    public static string Display(ApiKey key) => $"jg_{key.Environment}_{key.Id}";

    /// <summary>
    /// The user a presented key belongs to, or why it is refused. Writes the key's last use at most once
    /// per <see cref="LastUsedResolution"/>.
    /// </summary>
    public static async Task<ApiKeyCheck> AuthenticateAsync(RegistryDbContext db, string presented, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        if (!TryParse(presented, out var environment, out var id, out var secret))
        {
            return ApiKeyCheck.Refused("not an API key (expected jg_<env>_<id>_<secret>)");
        }

        // The key and its user in one query: a request pays one lookup.
        var found = await (from k in db.ApiKeys.AsNoTracking()
                           join u in db.Users.AsNoTracking() on k.UserId equals u.Id
                           where k.Id == id
                           select new { Key = k, User = u }).SingleOrDefaultAsync(cancellationToken);
        var key = found?.Key;
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(secret));
        // One comparison whether or not the id exists, so timing does not tell which ids are real.
        var expected = key?.SecretSha256 ?? new byte[hash.Length];
        var matches = CryptographicOperations.FixedTimeEquals(hash, expected) && key is not null && key.Environment == environment;
        if (!matches)
        {
            return ApiKeyCheck.Refused("unknown key");
        }

        if (key!.RevokedAt is not null)
        {
            return ApiKeyCheck.Refused($"key {Display(key)} is revoked");
        }

        if (key.ExpiresAt <= now)
        {
            return ApiKeyCheck.Refused($"key {Display(key)} expired");
        }

        var user = found!.User;
        if (key.LastUsedAt is null || now - key.LastUsedAt >= LastUsedResolution)
        {
            await db.ApiKeys.Where(k => k.Id == key.Id).ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now), cancellationToken);
        }

        return new ApiKeyCheck(user, key, null);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>The outcome of checking a presented key: the user and key, or the reason it was refused.</summary>
public sealed record ApiKeyCheck(User? User, ApiKey? Key, string? Failure)
{
    public static ApiKeyCheck Refused(string reason) => new(null, null, reason);
}

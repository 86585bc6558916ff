using Jailgrade.Registry.Organizations;

namespace Jailgrade.Registry.Access;

/// <summary>
/// Who is asking: built by the server from the signed-in principal, never from a request body. A caller
/// signed in with an OpenID Connect token also carries the token's <see cref="Token"/> identity.
/// </summary>
public sealed record Caller(Guid UserId, Guid OrganizationId, Role Role, TokenIdentity? Token = null);

/// <summary>An OpenID Connect caller's identity (SECURITY.md 1): the token's issuer and subject, never its e-mail address.</summary>
public sealed record TokenIdentity(string Issuer, string Subject);

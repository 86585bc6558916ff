using Jailgrade.Registry.Organizations;

namespace Jailgrade.Registry.Access;

/// <summary>Who is asking: built by the server from the signed-in principal, never from a request body.</summary>
public sealed record Caller(Guid UserId, Guid OrganizationId, Role Role);

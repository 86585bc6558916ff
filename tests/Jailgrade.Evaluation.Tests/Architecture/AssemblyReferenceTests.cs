using System.Xml.Linq;
using Jailgrade.MockTarget;

namespace Jailgrade.Evaluation.Tests.Architecture;

/// <summary>
/// The evaluation library stays free of the web stack: the simulated model is plain code, and only
/// src/Jailgrade.MockTarget serves it over HTTP (issue 9 item 16, docs/architecture.md).
/// </summary>
public class AssemblyReferenceTests
{
    [Fact]
    public void EvaluationAssembly_ReferencesNoAspNetCoreAssembly()
    {
        var references = typeof(EvaluationRegistry).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        references.ShouldContain("Jailgrade.Standard", "the references were read");
        references.Where(IsAspNetCore).ShouldBeEmpty();
    }

    [Fact]
    public void EvaluationProject_HasNoFrameworkReferenceToAspNetCore()
    {
        var project = XDocument.Load(Golden.PathOf("src/Jailgrade.Evaluation/Jailgrade.Evaluation.csproj"));

        project.Descendants("FrameworkReference").Select(r => (string?)r.Attribute("Include")).ShouldBeEmpty();
        project.Descendants("PackageReference").Select(r => (string)r.Attribute("Include")!).Where(IsAspNetCore).ShouldBeEmpty();
    }

    [Fact]
    public void MockTargetAssembly_IsWhereAspNetCoreIs()
    {
        // The other side of the move: the host still reaches the web stack, so the first test is not vacuous.
        typeof(MockTargetServer).Assembly.GetReferencedAssemblies().Any(a => IsAspNetCore(a.Name!)).ShouldBeTrue();
    }

    private static bool IsAspNetCore(string name) => name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal);
}

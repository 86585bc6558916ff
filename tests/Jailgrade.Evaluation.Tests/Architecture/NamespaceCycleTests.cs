namespace Jailgrade.Evaluation.Tests.Architecture;

/// <summary>
/// The namespaces under <c>src/</c> (every project) depend one way: no namespace, and no top-level
/// folder of a project, reaches itself again through what it uses (docs/architecture.md).
/// </summary>
public class NamespaceCycleTests
{
    [Fact]
    public void Src_NamespacesDependOneWay()
    {
        var graph = NamespaceGraph.FromDirectory(Golden.RepoRoot, "src");

        graph.Namespaces.ShouldContain("Jailgrade.Evaluation.Storage", "the source was read");
        graph.Cycles().ShouldBeEmpty("namespaces that depend on each other: move the shared type to the lower one\n");
    }

    [Fact]
    public void Src_FeatureFoldersDependOneWay()
    {
        var folders = NamespaceGraph.FromDirectory(Golden.RepoRoot, "src").Collapse(3);

        folders.Uses("Jailgrade.Evaluation.Runner").ShouldContain("Jailgrade.Evaluation.Storage", "the source was read");
        folders.Cycles().ShouldBeEmpty("top-level folders that depend on each other: move the shared type to the lower one\n");
    }

    [Fact]
    public void Cycles_TwoNamespacesUsingEachOther_NamesTheCycleAndTheFiles()
    {
        var graph = NamespaceGraph.FromSources([
            ("A.cs", "using Demo.B;\n\nnamespace Demo.A;\n\npublic sealed class X;\n"),
            ("B.cs", "using Demo.A;\n\nnamespace Demo.B;\n\npublic sealed class Y;\n"),
        ]);

        var cycle = graph.Cycles().ShouldHaveSingleItem();
        cycle.ShouldStartWith("Demo.A -> Demo.B -> Demo.A\n");
        cycle.ShouldContain("Demo.A -> Demo.B: A.cs (using Demo.B)");
        cycle.ShouldContain("Demo.B -> Demo.A: B.cs (using Demo.A)");
    }

    [Fact]
    public void Cycles_ThroughAThirdNamespace_NamesEveryStep()
    {
        var graph = NamespaceGraph.FromSources([
            ("A.cs", "using Demo.B;\nnamespace Demo.A;\nclass X;\n"),
            ("B.cs", "using Demo.C;\nnamespace Demo.B;\nclass Y;\n"),
            ("C.cs", "using static Demo.A.X;\nnamespace Demo.C;\nclass Z;\n"),
        ]);

        graph.Cycles().ShouldHaveSingleItem().ShouldStartWith("Demo.A -> Demo.B -> Demo.C -> Demo.A\n");
    }

    [Fact]
    public void Cycles_QualifiedReferences_CountRelativeToTheEnclosingNamespaces()
    {
        var graph = NamespaceGraph.FromSources([
            ("A.cs", "using Demo.B;\nnamespace Demo.A;\npublic static class X { public const int N = 1; }\n"),
            ("B.cs", "namespace Demo.B;\nclass Y { int M() => A.X.N + Demo.A.X.N + global::Demo.A.X.N; }\n"),
        ]);

        graph.Uses("Demo.B").ShouldBe(["Demo.A"]);
        graph.Cycles().ShouldHaveSingleItem().ShouldContain("Demo.B -> Demo.A: B.cs (A.X.N)");
    }

    [Fact]
    public void Cycles_CommentsAndStrings_NameNothing_ButInterpolationHolesDo()
    {
        const string Quiet = """
            namespace Demo.B;
            // Demo.A.X in a comment
            /* Demo.A.X in a block */
            /// <see cref="Demo.A.X"/>
            class Y
            {
                string S = "Demo.A.X" + @"Demo.A.X "" Demo.A.X" + $"{{Demo.A.X}}" + '"' + "\"Demo.A.X";
                string R = @"
                    Demo.A.X";
            }
            """;
        const string Hole = "namespace Demo.C;\nclass Z { string S = $\"n = {Demo.A.X.N:D2}\"; }\n";
        var a = ("A.cs", "using Demo.B;\nusing Demo.C;\nnamespace Demo.A;\npublic static class X { public const int N = 1; }\n");

        NamespaceGraph.FromSources([a, ("B.cs", Quiet)]).Cycles().ShouldBeEmpty();
        NamespaceGraph.FromSources([a, ("B.cs", Quiet + "\nclass W { int N = Demo.A.X.N; }\n")]).Cycles().ShouldHaveSingleItem();
        NamespaceGraph.FromSources([a, ("C.cs", Hole)]).Cycles().ShouldHaveSingleItem().ShouldStartWith("Demo.A -> Demo.C -> Demo.A");
    }

    [Fact]
    public void Cycles_ANamespaceUsingAnEnclosingOne_IsNoCycle()
    {
        var graph = NamespaceGraph.FromSources([
            ("Registry.cs", "using Demo.Feature;\nnamespace Demo;\npublic interface IPlugin;\n"),
            ("Feature.cs", "using Demo;\nnamespace Demo.Feature;\nclass F : IPlugin;\n"),
            ("Internal.cs", "namespace Demo.Feature.Internal;\nclass I { Demo.Feature.F? f; }\n"),
        ]);

        graph.Uses("Demo").ShouldBe(["Demo.Feature"]);
        graph.Uses("Demo.Feature").ShouldBeEmpty();
        graph.Uses("Demo.Feature.Internal").ShouldBeEmpty();
        graph.Cycles().ShouldBeEmpty();
    }

    [Fact]
    public void Collapse_FoldersThatReachEachOtherThroughSubfolders_IsACycle()
    {
        var graph = NamespaceGraph.FromSources([
            ("Probes.cs", "using Demo.App.Runner;\nnamespace Demo.App.Probes;\nclass P;\n"),
            ("Importer.cs", "namespace Demo.App.Probes.Importers;\nclass I;\n"),
            ("Runner.cs", "using Demo.App.Probes.Importers;\nnamespace Demo.App.Runner;\nclass R;\n"),
        ]);

        graph.Cycles().ShouldBeEmpty();
        graph.Collapse(3).Cycles().ShouldHaveSingleItem().ShouldStartWith("Demo.App.Probes -> Demo.App.Runner -> Demo.App.Probes\n");
    }
}

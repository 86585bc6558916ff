// A CycloneDX 1.6 software bill of materials for one restored project, from its obj/project.assets.json
// (docs/install.md, "What the bill of materials holds"). Run as a file-based app:
//   dotnet run build/Sbom.cs -- ASSETS_JSON NAME VERSION OUT_JSON
// Every package the restore resolved becomes a component with its name, version, package URL and the
// SHA-512 of its .nupkg as NuGet recorded it; the runtime pack of a self-contained build (a download
// dependency, so not in "libraries") is listed too, its SHA-512 read beside it in the packages folder.
// No timestamp and no serial number: the same restore gives the same bytes.
using System.Text.Json;
using System.Text.Json.Nodes;

if (args.Length != 4)
{
    Console.Error.WriteLine("usage: dotnet run build/Sbom.cs -- ASSETS_JSON NAME VERSION OUT_JSON");
    return 2;
}

var (assetsPath, name, version, outPath) = (args[0], args[1], args[2], args[3]);
using var assets = JsonDocument.Parse(File.ReadAllText(assetsPath));
var root = assets.RootElement;
var packagesFolder = root.GetProperty("project").GetProperty("restore").GetProperty("packagesPath").GetString()!;

var components = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
foreach (var library in root.GetProperty("libraries").EnumerateObject())
{
    if (library.Value.GetProperty("type").GetString() != "package")
    {
        continue; // our own projects: they are the application itself
    }
    var (id, packageVersion) = Split(library.Name);
    components[library.Name] = Component(id, packageVersion, library.Value.GetProperty("sha512").GetString()!);
}

foreach (var framework in root.GetProperty("project").GetProperty("frameworks").EnumerateObject())
{
    if (!framework.Value.TryGetProperty("downloadDependencies", out var downloads))
    {
        continue;
    }
    foreach (var download in downloads.EnumerateArray())
    {
        var id = download.GetProperty("name").GetString()!;
        // Recorded as a range "[10.0.12, 10.0.12]": the restore takes exactly that version.
        var packageVersion = download.GetProperty("version").GetString()!.Trim('[', ']').Split(',')[0].Trim();
        var folder = Path.Combine(packagesFolder, id.ToLowerInvariant(), packageVersion);
        var hashFile = Path.Combine(folder, $"{id.ToLowerInvariant()}.{packageVersion}.nupkg.sha512");
        if (!File.Exists(hashFile))
        {
            continue; // a pack the build did not use (the targeting and host packs ship with the SDK)
        }
        components[$"{id}/{packageVersion}"] = Component(id, packageVersion, File.ReadAllText(hashFile).Trim());
    }
}

var bom = new JsonObject
{
    ["bomFormat"] = "CycloneDX",
    ["specVersion"] = "1.6",
    ["version"] = 1,
    ["metadata"] = new JsonObject
    {
        ["component"] = new JsonObject
        {
            ["type"] = "application",
            ["bom-ref"] = $"pkg:nuget/{name}@{version}",
            ["name"] = name,
            ["version"] = version,
            ["purl"] = $"pkg:nuget/{name}@{version}",
        },
    },
    ["components"] = new JsonArray([.. components.Values]),
};
File.WriteAllText(outPath, bom.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
Console.WriteLine($"{outPath}: {components.Count} components");
return 0;

static (string Id, string Version) Split(string key)
{
    var slash = key.IndexOf('/', StringComparison.Ordinal);
    return (key[..slash], key[(slash + 1)..]);
}

static JsonObject Component(string id, string version, string sha512Base64) => new()
{
    ["type"] = "library",
    ["bom-ref"] = $"pkg:nuget/{id}@{version}",
    ["name"] = id,
    ["version"] = version,
    ["purl"] = $"pkg:nuget/{id}@{version}",
    ["hashes"] = new JsonArray(new JsonObject
    {
        ["alg"] = "SHA-512",
        ["content"] = Convert.ToHexStringLower(Convert.FromBase64String(sha512Base64)),
    }),
};

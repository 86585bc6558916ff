using System.Globalization;
using Jailgrade.Benchmarks.RegistryLoad;

// The registry's load benchmark (benchmarks/registry/README.md). Three verbs:
//   seed --db DB --out DIR [--cases N] [--labs N] [--events N]
//       creates a registry through its service layer and writes DIR/keys.tsv and DIR/master.key
//   load --url URL --keys DIR/keys.tsv [--rate 500] [--seconds 30]
//       measures a running 'jailgrade serve' over loopback and prints the figures
//   measure --db DB --keys DIR/keys.tsv --master-key DIR/keys/master.key [--repeat 200]
//       what each request of the plan costs in-process: SQL commands and CPU time (writes to DB)
var options = Options.Parse(args.Skip(1));
switch (args.FirstOrDefault())
{
    case "seed":
        return await Seeder.RunAsync(options);
    case "load":
        return await LoadRun.RunAsync(options);
    case "measure":
        return await Measure.RunAsync(options);
    default:
        await Console.Error.WriteLineAsync("usage: RegistryLoad seed --db DB --out DIR [--cases 100000] [--labs 50] [--events 1000000]\n       RegistryLoad load --url URL --keys FILE [--rate 500] [--seconds 30]\n       RegistryLoad measure --db DB --keys FILE --master-key FILE [--repeat 200]");
        return 2;
}

/// <summary><c>--name value</c> pairs.</summary>
internal sealed class Options
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public static Options Parse(IEnumerable<string> args)
    {
        var options = new Options();
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            var name = e.Current.StartsWith("--", StringComparison.Ordinal) ? e.Current[2..] : throw new ArgumentException($"expected --name, got '{e.Current}'");
            options._values[name] = e.MoveNext() ? e.Current : throw new ArgumentException($"--{name} needs a value");
        }

        return options;
    }

    public string Text(string name) => _values.TryGetValue(name, out var v) ? v : throw new ArgumentException($"--{name} is required");

    public int Number(string name, int fallback) => _values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
}

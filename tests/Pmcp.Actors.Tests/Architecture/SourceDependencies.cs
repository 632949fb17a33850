using System.Text.RegularExpressions;

namespace Pmcp.Actors.Tests.Architecture;

/// <summary>One namespace layer using another, with where it does (file:line, one per place).</summary>
internal sealed record LayerEdge(string From, string To, IReadOnlyList<string> Evidence);

/// <summary>
/// Which namespace uses which, read from the C# files under a folder: a file uses the namespaces of its <c>using</c>
/// lines (plain, static and aliased) and of the qualified names in its code (<c>Pmcp.Actors.Session.McpSession</c>,
/// or <c>Session.McpSession</c> relative to an enclosing namespace), comments and string literals left out. A
/// namespace counts by its layer: its first <c>layerDepth</c> segments (so <c>Pmcp.Actors.Session.Era2025</c> is
/// <c>Pmcp.Actors.Session</c>). A parent namespace's types need no <c>using</c>; that use is not seen, and needs no
/// rule: the parent (<c>Pmcp.Actors</c>) is the bottom layer.
/// </summary>
internal sealed partial class SourceDependencies
{
    private readonly Dictionary<(string From, string To), List<string>> _edges = [];

    private SourceDependencies(IReadOnlySet<string> namespaces) => Namespaces = namespaces;

    /// <summary>Every layer a file under the folder declares.</summary>
    public IReadOnlySet<string> Namespaces { get; }

    /// <summary>Every use of one layer by another (a layer's use of itself left out).</summary>
    public IReadOnlyList<LayerEdge> Edges => _edges.Select(kv => new LayerEdge(kv.Key.From, kv.Key.To, kv.Value)).ToList();

    public static SourceDependencies Read(string folder, int layerDepth)
    {
        var sep = Path.DirectorySeparatorChar;
        var files = Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{sep}obj{sep}", StringComparison.Ordinal) && !f.Contains($"{sep}bin{sep}", StringComparison.Ordinal))
            .Select(f => (Path: f, Code: StripCommentsAndStrings(File.ReadAllText(f))))
            .ToList();
        if (files.Count == 0)
        {
            throw new DirectoryNotFoundException($"No C# files under {folder}.");
        }

        // Every namespace declared, with the type names declared in it (to tell Session.McpSession from a member).
        var declared = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (_, code) in files)
        {
            var ns = NamespaceOf(code);
            if (!declared.TryGetValue(ns, out var types))
            {
                declared[ns] = types = new HashSet<string>(StringComparer.Ordinal);
            }

            foreach (Match m in TypeDeclaration().Matches(code))
            {
                types.Add(m.Groups[1].Value);
            }
        }

        string Layer(string ns) => string.Join('.', ns.Split('.').Take(layerDepth));
        var result = new SourceDependencies(declared.Keys.Where(n => n.Length > 0).Select(Layer).ToHashSet(StringComparer.Ordinal));

        // The declared namespace a dotted name starts with (longest first), or null when it names none.
        string? DeclaredPrefix(string dotted)
        {
            var parts = dotted.Split('.');
            for (var n = parts.Length; n > 0; n--)
            {
                var candidate = string.Join('.', parts.Take(n));
                if (declared.ContainsKey(candidate))
                {
                    return candidate;
                }
            }

            return null;
        }

        foreach (var (path, code) in files)
        {
            var ns = NamespaceOf(code);
            var from = Layer(ns);
            var lines = code.Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                var line = lines[i];
                var where = $"{Path.GetFileName(path)}:{i + 1}";
                var usingMatch = UsingDirective().Match(line);
                if (usingMatch.Success)
                {
                    if (DeclaredPrefix(usingMatch.Groups[1].Value) is { } used)
                    {
                        result.Add(from, Layer(used), where);
                    }

                    continue;
                }

                if (line.TrimStart().StartsWith("namespace ", StringComparison.Ordinal))
                {
                    continue;
                }

                foreach (Match m in QualifiedName().Matches(line))
                {
                    var name = m.Value.StartsWith("global::", StringComparison.Ordinal) ? m.Value["global::".Length..] : m.Value;
                    if (ResolveQualified(name, ns, declared) is { } target)
                    {
                        result.Add(from, Layer(target), where);
                    }
                }
            }
        }

        return result;
    }

    /// <summary>Groups of layers that depend on each other (strongly connected, two or more).</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles()
    {
        var next = _edges.Keys.GroupBy(k => k.From).ToDictionary(g => g.Key, g => g.Select(k => k.To).ToList());
        bool Reaches(string a, string b, HashSet<string> seen) =>
            a == b || (seen.Add(a) && next.TryGetValue(a, out var to) && to.Any(t => Reaches(t, b, seen)));
        var nodes = _edges.Keys.SelectMany(k => new[] { k.From, k.To }).Distinct().Order(StringComparer.Ordinal).ToList();
        var groups = new List<IReadOnlyList<string>>();
        var placed = new HashSet<string>();
        foreach (var node in nodes.Where(n => !placed.Contains(n)))
        {
            var group = nodes.Where(o => Reaches(node, o, []) && Reaches(o, node, [])).ToList();
            placed.UnionWith(group);
            if (group.Count > 1)
            {
                groups.Add(group);
            }
        }

        return groups;
    }

    private void Add(string from, string to, string where)
    {
        if (from == to || from.Length == 0)
        {
            return;
        }

        if (!_edges.TryGetValue((from, to), out var list))
        {
            _edges[(from, to)] = list = [];
        }

        if (!list.Contains(where))
        {
            list.Add(where);
        }
    }

    /// <summary>
    /// The namespace a qualified name in code refers to: <c>Pmcp.Actors.X.T</c> as written, or <c>X.T</c> relative to
    /// the file's namespace or one of its parents, when <c>T</c> is a type declared in that namespace (so that a member
    /// access such as <c>session.Send</c> is not taken for a namespace).
    /// </summary>
    private static string? ResolveQualified(string name, string fileNamespace, Dictionary<string, HashSet<string>> declared)
    {
        var parts = name.Split('.');
        // Innermost first, as the compiler looks a name up.
        var nsParts = fileNamespace.Split('.', StringSplitOptions.RemoveEmptyEntries);
        var scopes = Enumerable.Range(0, nsParts.Length).Select(n => string.Join('.', nsParts.Take(nsParts.Length - n))).Append("");

        foreach (var scope in scopes)
        {
            for (var n = parts.Length - 1; n > 0; n--)
            {
                var ns = scope.Length == 0 ? string.Join('.', parts.Take(n)) : scope + "." + string.Join('.', parts.Take(n));
                if (declared.TryGetValue(ns, out var types) && types.Contains(parts[n]))
                {
                    return ns;
                }
            }
        }

        return null;
    }

    private static string NamespaceOf(string code)
    {
        var m = NamespaceDeclaration().Match(code);
        return m.Success ? m.Groups[1].Value : "";
    }

    /// <summary>The code with comments, string and char literals blanked (line breaks kept, so lines still count).</summary>
    private static string StripCommentsAndStrings(string code) =>
        CommentOrLiteral().Replace(code, m => m.Value.StartsWith('/') || m.Value.Contains('\n', StringComparison.Ordinal)
            ? new string(m.Value.Where(c => c == '\n').ToArray()) + " "
            : "\"\"");

    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/|""""""(?:.|\n)*?""""""|@""(?:[^""]|"""")*""|\$?""(?:\\.|[^""\\\n])*""|'(?:\\.|[^'\\\n])'", RegexOptions.Singleline)]
    private static partial Regex CommentOrLiteral();

    [GeneratedRegex(@"^\s*namespace\s+([\w.]+)", RegexOptions.Multiline)]
    private static partial Regex NamespaceDeclaration();

    [GeneratedRegex(@"^\s*(?:global\s+)?using\s+(?:static\s+)?(?:\w+\s*=\s*)?(?:global::)?([\w.]+)\s*;")]
    private static partial Regex UsingDirective();

    [GeneratedRegex(@"\b(?:class|struct|interface|enum|record|delegate\s+[\w<>\[\],.?]+)\s+(?:class\s+|struct\s+)?([A-Z]\w*)")]
    private static partial Regex TypeDeclaration();

    [GeneratedRegex(@"(?<![\w.])(?:global::)?[A-Z]\w*(?:\.[A-Z]\w*)+")]
    private static partial Regex QualifiedName();
}

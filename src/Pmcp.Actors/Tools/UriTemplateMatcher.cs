using System.Text;
using System.Text.RegularExpressions;

namespace Pmcp.Actors.Tools;

/// <summary>
/// Matches URIs against an RFC 6570 template, the reverse of expansion, which no package on our feed offers.
/// Supports level 1 (<c>{var}</c>: one percent-decoded segment without '/', '?' or '#') and level 2
/// (<c>{+var}</c>: reserved expansion, may span '/').
/// </summary>
internal sealed partial class UriTemplateMatcher
{
    private readonly Regex _regex;
    private readonly string[] _variables;

    public UriTemplateMatcher(string template)
    {
        var pattern = new StringBuilder("^");
        var variables = new List<string>();
        var last = 0;
        foreach (Match m in Expression().Matches(template))
        {
            pattern.Append(Literal(template, template[last..m.Index]));
            var reserved = m.Groups["op"].Value == "+";
            var name = m.Groups["name"].Value;
            if (variables.Contains(name)) throw new ArgumentException($"Variable '{name}' appears twice in URI template '{template}'.");
            variables.Add(name);
            pattern.Append("(?<v").Append(variables.Count - 1).Append('>').Append(reserved ? "[^?#]*" : "[^/?#]*").Append(')');
            last = m.Index + m.Length;
        }
        pattern.Append(Literal(template, template[last..])).Append('$');
        _regex = new Regex(pattern.ToString(), RegexOptions.CultureInvariant);
        _variables = [.. variables];
    }

    public IReadOnlyList<string> Variables => _variables;

    private static string Literal(string template, string literal) =>
        literal.IndexOfAny(['{', '}']) >= 0
            ? throw new ArgumentException($"URI template '{template}' uses an expression this server does not support (levels 1 and 2: {{var}} and {{+var}}).")
            : Regex.Escape(literal);

    public bool TryMatch(string uri, out IReadOnlyDictionary<string, string> values)
    {
        var m = _regex.Match(uri);
        if (!m.Success)
        {
            values = new Dictionary<string, string>();
            return false;
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < _variables.Length; i++) result[_variables[i]] = Uri.UnescapeDataString(m.Groups["v" + i].Value);
        values = result;
        return true;
    }

    [GeneratedRegex(@"\{(?<op>\+?)(?<name>[A-Za-z0-9_]+)\}")]
    private static partial Regex Expression();
}

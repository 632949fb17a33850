using System.Globalization;
using System.Text.RegularExpressions;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using NJsonSchema;
using NJsonSchema.Validation;

namespace Pmcp.Actors.Tools;

/// <summary>
/// Turns NJsonSchema's validation errors into one line a model can act on: each offending field by its path
/// (<c>nested.name</c>, <c>items[2]</c>) and what is wrong with it.
/// </summary>
internal static partial class ValidationMessages
{
    public static string Describe(IEnumerable<ValidationError> errors)
    {
        var problems = new List<Problem>();
        foreach (var error in errors) Flatten(error, problems);

        // A value of the wrong type says it all: NJsonSchema goes on to check its enum and, for an object expected, its
        // required properties, which only repeats the point.
        var wrongType = problems.Where(p => p.WrongType).Select(p => p.Path).ToHashSet();
        var kept = problems.Where(p => p.WrongType || !wrongType.Any(w => Within(p.Path, w)));
        return string.Join("; ", kept.Select(p => p.ToString()).Distinct());
    }

    private sealed record Problem(string Path, string Text, bool WrongType = false)
    {
        public override string ToString() => $"{(Path.Length == 0 ? "arguments" : Path)}: {Text}";
    }

    private static bool Within(string path, string ancestor) =>
        path == ancestor || ancestor.Length == 0
        || path.StartsWith(ancestor, StringComparison.Ordinal) && path.Length > ancestor.Length && path[ancestor.Length] is '.' or '[';

    private static readonly HashSet<ValidationErrorKind> TypeKinds =
    [
        ValidationErrorKind.StringExpected, ValidationErrorKind.NumberExpected, ValidationErrorKind.IntegerExpected,
        ValidationErrorKind.BooleanExpected, ValidationErrorKind.ObjectExpected, ValidationErrorKind.ArrayExpected,
        ValidationErrorKind.NullExpected, ValidationErrorKind.NoTypeValidates,
    ];

    private static void Flatten(ValidationError error, List<Problem> lines)
    {
        switch (error)
        {
            // A nullable value is "null or T": the null branch's complaint is noise, T's is the point.
            case ChildSchemaValidationError { Kind: ValidationErrorKind.NotOneOf or ValidationErrorKind.NotAnyOf } choice:
                var branches = choice.Errors.Where(b => !IsNullOnly(b.Key)).ToList();
                if (branches.Count == 1 && branches[0].Value.Count > 0)
                {
                    foreach (var inner in branches[0].Value) Flatten(inner, lines);
                }
                else
                {
                    lines.Add(Line(error, "matches none of the allowed shapes"));
                }
                return;
            case ChildSchemaValidationError nested:
                if (nested.Errors.Values.Sum(e => e.Count) == 0)
                {
                    lines.Add(Line(error, Humanize(error.Kind)));
                }
                else
                {
                    foreach (var inner in nested.Errors.Values.SelectMany(e => e)) Flatten(inner, lines);
                }
                return;
            case MultiTypeValidationError multi:
                var types = multi.Errors.Where(t => t.Key != JsonObjectType.Null).ToList();
                if (types.Count == 1)
                {
                    foreach (var inner in types[0].Value) Flatten(inner, lines);
                }
                else
                {
                    lines.Add(Line(error, $"expected {string.Join(" or ", types.Select(t => TypeName(t.Key)))}, got {Actual(error.Token)}"));
                }
                return;
            default:
                lines.Add(Line(error, Describe(error)));
                return;
        }
    }

    private static bool IsNullOnly(JsonSchema schema) => schema.ActualSchema.Type == JsonObjectType.Null;

    private static Problem Line(ValidationError error, string problem)
    {
        var path = error.Path is null or "#" ? "" : error.Path.StartsWith("#/", StringComparison.Ordinal) ? error.Path[2..] : error.Path;
        return new Problem(path, problem, TypeKinds.Contains(error.Kind));
    }

    private static string Describe(ValidationError error)
    {
        var schema = error.Schema;
        return error.Kind switch
        {
            ValidationErrorKind.PropertyRequired => "required property missing",
            ValidationErrorKind.NoAdditionalPropertiesAllowed => "unknown property",
            ValidationErrorKind.StringExpected => Expected("string", error),
            ValidationErrorKind.NumberExpected => Expected("number", error),
            ValidationErrorKind.IntegerExpected => Expected("integer", error),
            ValidationErrorKind.BooleanExpected => Expected("boolean", error),
            ValidationErrorKind.ObjectExpected => Expected("object", error),
            ValidationErrorKind.ArrayExpected => Expected("array", error),
            ValidationErrorKind.NullExpected => Expected("null", error),
            ValidationErrorKind.NotInEnumeration =>
                $"expected one of {string.Join(", ", schema.Enumeration.Select(Json))}, got {Json(error.Token)}",
            ValidationErrorKind.StringTooShort => $"must be at least {schema.MinLength} characters long",
            ValidationErrorKind.StringTooLong => $"must be at most {schema.MaxLength} characters long",
            ValidationErrorKind.PatternMismatch => $"must match the pattern {schema.Pattern}",
            ValidationErrorKind.NumberTooSmall => schema.ExclusiveMinimum is { } exMin
                ? $"must be greater than {Number(exMin)}"
                : schema.IsExclusiveMinimum ? $"must be greater than {Number(schema.Minimum)}" : $"must be at least {Number(schema.Minimum)}",
            ValidationErrorKind.NumberTooBig => schema.ExclusiveMaximum is { } exMax
                ? $"must be less than {Number(exMax)}"
                : schema.IsExclusiveMaximum ? $"must be less than {Number(schema.Maximum)}" : $"must be at most {Number(schema.Maximum)}",
            ValidationErrorKind.TooFewItems => $"must have at least {schema.MinItems} items",
            ValidationErrorKind.TooManyItems => $"must have at most {schema.MaxItems} items",
            ValidationErrorKind.ItemsNotUnique => "items must be unique",
            ValidationErrorKind.TooFewProperties => $"must have at least {schema.MinProperties} properties",
            ValidationErrorKind.TooManyProperties => $"must have at most {schema.MaxProperties} properties",
            ValidationErrorKind.NumberNotMultipleOf or ValidationErrorKind.IntegerNotMultipleOf => $"must be a multiple of {Number(schema.MultipleOf)}",
            _ when schema.Format is { } format && error.Kind.ToString().EndsWith("Expected", StringComparison.Ordinal) =>
                $"expected a string in the format '{format}', got {Json(error.Token)}",
            _ => Humanize(error.Kind),
        };
    }

    private static string Expected(string type, ValidationError error) => $"expected {type}, got {Actual(error.Token)}";

    /// <summary>The JSON type of a value, as the schema would name it.</summary>
    private static string Actual(JToken? token) => token?.Type switch
    {
        JTokenType.Integer => "integer",
        JTokenType.Float => "number",
        JTokenType.String => "string",
        JTokenType.Boolean => "boolean",
        JTokenType.Null or JTokenType.Undefined or null => "null",
        JTokenType.Array => "array",
        JTokenType.Object => "object",
        var other => other.ToString()!.ToLowerInvariant(),
    };

    private static string TypeName(JsonObjectType type) => type.ToString().ToLowerInvariant();

    private static string Json(object? value)
    {
        var text = value switch
        {
            null => "null",
            JToken token => token.ToString(Formatting.None),
            _ => JsonConvert.SerializeObject(value),
        };
        return text.Length <= 60 ? text : text[..57] + "...";
    }

    private static string Number(decimal? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "?";

    /// <summary><c>DateTimeExpected</c> → "date time expected".</summary>
    private static string Humanize(ValidationErrorKind kind) => WordBoundary().Replace(kind.ToString(), " $1").ToLowerInvariant();

    [GeneratedRegex("(?<=[a-z0-9])([A-Z])")]
    private static partial Regex WordBoundary();
}

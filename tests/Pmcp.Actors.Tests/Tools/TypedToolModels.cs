using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;
using Pmcp.Actors.Tools;

namespace Pmcp.Actors.Tests.Tools;

public enum TextCase
{
    Lower,
    Upper,
    AsIs,
}

[Description("What to repeat and how.")]
public sealed class RepeatArgs
{
    [Description("The text to repeat.")]
    public string Text { get; set; } = null!;

    [Required, Description("How many copies.")]
    public int Count { get; set; }

    [Description("Put between copies.")]
    public string Separator { get; set; } = " ";

    [DefaultValue(TextCase.AsIs), Description("Case of the output.")]
    public TextCase Case { get; set; } = TextCase.AsIs;

    public string? Prefix { get; set; }

    public RepeatOptions? Options { get; set; }
}

public sealed class RepeatOptions
{
    [Description("A label for the output.")]
    public string Label { get; set; } = null!;

    public int Max { get; set; } = 10;
}

public sealed class RepeatResult
{
    [Description("The repeated text.")]
    public string Text { get; set; } = "";

    public int Length { get; set; }

    public TextCase Case { get; set; }

    public string? Label { get; set; }
}

/// <summary>A positional record: bound through its constructor.</summary>
public sealed record ScaleArgs([Description("The value to scale.")] double Value, double Factor = 2, TextCase Case = TextCase.Upper);

/// <summary>A tree: recursive, so it stays a definition.</summary>
public sealed class TreeNode
{
    public string Name { get; set; } = "";

    public List<TreeNode> Children { get; set; } = [];
}

public sealed class Quotient
{
    public int Value { get; set; }

    public int Remainder { get; set; }
}

public sealed class CalculatorTools(string greeting)
{
    [McpTool("calc.divide", Description = "Divides two integers.", Title = "Divide", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    public Quotient Divide([Description("The number to divide.")] int dividend, [Description("The number to divide by.")] int divisor = 1)
    {
        if (divisor == 0) throw new InvalidOperationException("Cannot divide by zero.");
        return new Quotient { Value = dividend / divisor, Remainder = dividend % divisor };
    }

    [McpTool("calc.greet", Description = "Greets someone.", Destructive = false)]
    public async Task<string> GreetAsync(string name, ToolContext context, CancellationToken cancellationToken, TextCase textCase = TextCase.AsIs, string? title = null)
    {
        await Task.Yield();
        var text = $"{greeting}, {(title is null ? "" : title + " ")}{name} from {context.ToolName} (token injected: {cancellationToken == context.CancellationToken && cancellationToken.CanBeCanceled})";
        return textCase switch { TextCase.Upper => text.ToUpperInvariant(), TextCase.Lower => text.ToLowerInvariant(), _ => text };
    }

    [McpTool("calc.fail")]
    public void Fail(string reason) => throw new ArgumentException($"refused: {reason}");

    [McpTool("calc.failAsync")]
    public async Task FailAsync(ILogger logger)
    {
        await Task.Yield();
        throw new InvalidOperationException("async refusal");
    }

    [McpTool("calc.noop")]
    public Task NoopAsync() => Task.CompletedTask;

    [McpTool("calc.sum")]
    public static ValueTask<long> SumAsync(long[] values) => ValueTask.FromResult(values.Sum());

    public int NotATool() => 0;
}

public static class StaticTools
{
    [McpTool("static.tree", Description = "Counts the nodes of a tree.")]
    public static int CountNodes(TreeNode root) => 1 + root.Children.Sum(CountNodes);
}

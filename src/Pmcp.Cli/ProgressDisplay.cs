using System.Globalization;
using System.Text;
using Pmcp.Protocol;

namespace Pmcp.Cli;

/// <summary>Shows progress notifications; called on the client's receive loop, in order.</summary>
internal sealed class ProgressDisplay(TextWriter stderr, bool inPlace) : IProgress<ProgressParams>
{
    private const int BarWidth = 20;
    private readonly object _lock = new();
    private bool _drawn;

    public void Report(ProgressParams value)
    {
        var line = Format(value);
        lock (_lock)
        {
            if (inPlace)
            {
                stderr.Write("\r\u001b[2K" + line);
                _drawn = true;
            }
            else
            {
                stderr.WriteLine("progress: " + line);
            }
            stderr.Flush();
        }
    }

    /// <summary>Clears the in-place line so the result starts on a clean one.</summary>
    public void Finish()
    {
        lock (_lock)
        {
            if (_drawn) stderr.Write("\r\u001b[2K");
            _drawn = false;
        }
    }

    private static string Format(ProgressParams p)
    {
        var sb = new StringBuilder();
        if (p.Total is > 0 and var total)
        {
            var fraction = Math.Clamp(p.Progress / total, 0, 1);
            var filled = (int)Math.Round(fraction * BarWidth);
            sb.Append('[').Append('#', filled).Append('.', BarWidth - filled).Append("] ");
            sb.Append(string.Create(CultureInfo.InvariantCulture, $"{fraction * 100,3:0}%"));
        }
        else
        {
            sb.Append(string.Create(CultureInfo.InvariantCulture, $"{p.Progress:0.##}"));
        }
        if (!string.IsNullOrEmpty(p.Message)) sb.Append("  ").Append(p.Message);
        return sb.ToString();
    }
}

using Spectre.Console;
using Spectre.Console.Rendering;

namespace HealthDataSpace.Cli.Commands.Demo;

/// <summary>
/// The demo's output: a live progress bar per step on a terminal, otherwise one plain line per finished step (redirected
/// output and tests read the same facts). Tables go through Spectre.Console; paths and ids are written as plain lines so
/// they are never wrapped or decorated and can be copied. Errors go to the error writer.
/// </summary>
internal sealed class DemoConsole
{
    /// <summary>Wide enough for the tables when there is no terminal to ask.</summary>
    private const int PlainWidth = 160;

    private readonly IAnsiConsole _console;
    private readonly TextWriter _output;
    private readonly TextWriter _error;
    private readonly bool _live;
    private readonly bool _quiet;
    private int _step;

    public DemoConsole(TextWriter output, TextWriter error, bool live, bool quiet)
    {
        _output = output;
        _error = error;
        _live = live;
        _quiet = quiet;
        _console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = live ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = live ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = live ? InteractionSupport.Yes : InteractionSupport.No,
        });
        if (!live)
        {
            _console.Profile.Width = PlainWidth;
        }
    }

    /// <summary>
    /// Runs one step under a progress bar of <paramref name="total"/> units and prints the line
    /// <paramref name="run"/> returns as the step's result (numbered, e.g. <c>[3] Consent: …</c>).
    /// </summary>
    public async Task<T> StepAsync<T>(string title, double total, Func<StepProgress, Task<(T Result, string Line)>> run)
    {
        _step++;
        (T Result, string Line) outcome;
        if (!_live)
        {
            outcome = await run(StepProgress.Silent);
        }
        else
        {
            outcome = await _console.Progress()
                .AutoClear(true)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                    new ElapsedTimeColumn(), new SpinnerColumn())
                .StartAsync(async context =>
                {
                    var task = context.AddTask(Markup.Escape(title), maxValue: Math.Max(total, 1));
                    var result = await run(new StepProgress(task, title));
                    task.Value = task.MaxValue;
                    return result;
                });
        }

        if (!_quiet)
        {
            Line($"[{_step}] {title}: {outcome.Line}");
        }

        return outcome.Result;
    }

    /// <summary>A plain line, written as is (never wrapped, no markup).</summary>
    public void Line(string text) => _output.WriteLine(text);

    public void Heading(string text)
    {
        _output.WriteLine();
        _console.Write(new Rule(Markup.Escape(text)) { Justification = Justify.Left });
    }

    public void Write(IRenderable renderable) => _console.Write(renderable);

    public void Error(string message) => _error.WriteLine($"Error: {message}");

    /// <summary>A further line on the error writer, e.g. where to look next.</summary>
    public void ErrorNote(string message) => _error.WriteLine(message);
}

/// <summary>A step's progress bar; <see cref="Silent"/> when there is none. Safe to call from several tasks at once.</summary>
internal sealed class StepProgress
{
    public static readonly StepProgress Silent = new(null, string.Empty);

    private readonly ProgressTask? _task;
    private readonly string _title;
    private readonly Lock _lock = new();

    public StepProgress(ProgressTask? task, string title)
    {
        _task = task;
        _title = title;
    }

    public void Advance(double units)
    {
        if (_task is not null)
        {
            lock (_lock)
            {
                _task.Increment(units);
            }
        }
    }

    /// <summary>Shows <paramref name="value"/> of the maximum and what is happening now (e.g. the export's X-Progress).</summary>
    public void Report(double value, string status)
    {
        if (_task is not null)
        {
            lock (_lock)
            {
                _task.Value = Math.Min(value, _task.MaxValue);
                _task.Description = Markup.Escape($"{_title}: {status}");
            }
        }
    }
}

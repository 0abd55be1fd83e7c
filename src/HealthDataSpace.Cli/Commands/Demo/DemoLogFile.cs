using System.Globalization;
using Microsoft.Extensions.Logging;

namespace HealthDataSpace.Cli.Commands.Demo;

/// <summary>
/// The in-process gateway's log: warnings and errors appended to one file in its data folder, so the demo's console
/// shows only the story while a failure can still be looked up. The gateway's messages carry counts, types and
/// statuses, never patient data (its logging rule), so the file holds nothing more sensitive than its console would.
/// </summary>
internal sealed class DemoLogFile : ILoggerProvider
{
    private readonly Lock _lock = new();
    private readonly StreamWriter _writer;

    public DemoLogFile(string path)
    {
        Path = path;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
    }

    public string Path { get; }

    public ILogger CreateLogger(string categoryName) => new FileLogger(this, categoryName);

    public void Dispose()
    {
        lock (_lock)
        {
            _writer.Dispose();
        }
    }

    private void Write(string line)
    {
        lock (_lock)
        {
            _writer.WriteLine(line);
        }
    }

    private sealed class FileLogger(DemoLogFile file, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var line = string.Create(CultureInfo.InvariantCulture, $"{DateTimeOffset.UtcNow:O} {logLevel} {category}: {formatter(state, exception)}");
            file.Write(exception is null ? line : $"{line}{Environment.NewLine}{exception}");
        }
    }
}

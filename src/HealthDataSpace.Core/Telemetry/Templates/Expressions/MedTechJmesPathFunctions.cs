using System.Globalization;
using System.Text;
using DevLab.JmesPath.Functions;
using DevLab.JmesPath.Interop;
using Newtonsoft.Json.Linq;

namespace HealthDataSpace.Core.Telemetry.Templates.Expressions;

/// <summary>
/// The custom JMESPath functions of the Azure MedTech service (its docs/CustomFunctions.md), so CalculatedContent
/// templates written for MedTech run unchanged: add, subtract, multiply, divide, pow, insertString, appendString,
/// fromUnixTimestamp, fromUnixTimestampMs. One extension of this gateway: fromLocalUnixTimestamp, for vendors (iHealth)
/// that send local wall-clock time as epoch seconds plus a separate UTC offset.
/// </summary>
internal static class MedTechJmesPathFunctions
{
    public static void Register(IRegisterFunctions repository)
    {
        repository
            .Register("add", new ArithmeticFunction("add", (a, b) => a + b, (a, b) => checked(a + b)))
            .Register("subtract", new ArithmeticFunction("subtract", (a, b) => a - b, (a, b) => checked(a - b)))
            .Register("multiply", new ArithmeticFunction("multiply", (a, b) => a * b, (a, b) => checked(a * b)))
            .Register("divide", new DivideFunction())
            .Register("pow", new PowFunction())
            .Register("insertString", new InsertStringFunction())
            .Register("appendString", new AppendStringFunction())
            .Register("fromUnixTimestamp", new FromUnixTimestampFunction("fromUnixTimestamp", TimeSpan.TicksPerSecond))
            .Register("fromUnixTimestampMs", new FromUnixTimestampFunction("fromUnixTimestampMs", TimeSpan.TicksPerMillisecond))
            .Register("fromLocalUnixTimestamp", new FromLocalUnixTimestampFunction());
    }

    internal static void RequireType(string function, JmesPathFunctionArgument[] args, int position, params JTokenType[] types)
    {
        if (args.Length <= position || !args[position].IsToken || !types.Contains(args[position].Token.Type))
        {
            throw new InvalidOperationException(
                $"function {function} expects argument {position} to be one of: {string.Join("|", types)}");
        }
    }

    internal static void RequireNumbers(string function, JmesPathFunctionArgument[] args)
    {
        RequireType(function, args, 0, JTokenType.Integer, JTokenType.Float);
        RequireType(function, args, 1, JTokenType.Integer, JTokenType.Float);
    }

    internal static bool AnyFloat(JmesPathFunctionArgument[] args) => args.Any(a => a.Token.Type == JTokenType.Float);

    /// <summary>Integer arithmetic stays integral (and must fit a long, as MedTech says); any float makes it a double.</summary>
    private sealed class ArithmeticFunction(string name, Func<double, double, double> onDoubles, Func<long, long, long> onLongs)
        : JmesPathFunction(name, 2)
    {
        public override void Validate(params JmesPathFunctionArgument[] args) => RequireNumbers(Name, args);

        public override JToken Execute(params JmesPathFunctionArgument[] args) => AnyFloat(args)
            ? new JValue(onDoubles(args[0].Token.Value<double>(), args[1].Token.Value<double>()))
            : new JValue(onLongs(args[0].Token.Value<long>(), args[1].Token.Value<long>()));
    }

    private sealed class DivideFunction() : JmesPathFunction("divide", 2)
    {
        public override void Validate(params JmesPathFunctionArgument[] args) => RequireNumbers(Name, args);

        public override JToken Execute(params JmesPathFunctionArgument[] args)
        {
            var right = args[1].Token.Value<double>();
            if (right == 0)
            {
                throw new DivideByZeroException("function divide: division by zero");
            }

            return new JValue(args[0].Token.Value<double>() / right);
        }
    }

    private sealed class PowFunction() : JmesPathFunction("pow", 2)
    {
        public override void Validate(params JmesPathFunctionArgument[] args) => RequireNumbers(Name, args);

        public override JToken Execute(params JmesPathFunctionArgument[] args)
        {
            var result = Math.Pow(args[0].Token.Value<double>(), args[1].Token.Value<double>());
            if (double.IsInfinity(result) || double.IsNaN(result))
            {
                throw new OverflowException("function pow: result out of range");
            }

            return AnyFloat(args) || result != Math.Floor(result) || Math.Abs(result) > long.MaxValue
                ? new JValue(result)
                : new JValue((long)result);
        }
    }

    private sealed class InsertStringFunction() : JmesPathFunction("insertString", 3)
    {
        public override void Validate(params JmesPathFunctionArgument[] args)
        {
            RequireType(Name, args, 0, JTokenType.String);
            RequireType(Name, args, 1, JTokenType.String);
            RequireType(Name, args, 2, JTokenType.Integer);
        }

        public override JToken Execute(params JmesPathFunctionArgument[] args)
        {
            var original = args[0].Token.Value<string>()!;
            var position = args[2].Token.Value<long>();
            if (position < 0 || position > original.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(args), "function insertString: position out of range");
            }

            return new JValue(new StringBuilder(original).Insert((int)position, args[1].Token.Value<string>()).ToString());
        }
    }

    private sealed class AppendStringFunction() : JmesPathFunction("appendString", 2)
    {
        public override void Validate(params JmesPathFunctionArgument[] args)
        {
            RequireType(Name, args, 0, JTokenType.String);
            RequireType(Name, args, 1, JTokenType.String);
        }

        public override JToken Execute(params JmesPathFunctionArgument[] args) =>
            new JValue(args[0].Token.Value<string>() + args[1].Token.Value<string>());
    }

    /// <summary>Seconds (or milliseconds) since the epoch to an ISO 8601 UTC timestamp.</summary>
    private sealed class FromUnixTimestampFunction(string name, long ticksPerUnit) : JmesPathFunction(name, 1)
    {
        public override void Validate(params JmesPathFunctionArgument[] args) => RequireType(Name, args, 0, JTokenType.Integer);

        public override JToken Execute(params JmesPathFunctionArgument[] args)
        {
            var ticks = checked(args[0].Token.Value<long>() * ticksPerUnit);
            return new JValue(DateTimeOffset.UnixEpoch.AddTicks(ticks).ToString("O", CultureInfo.InvariantCulture));
        }
    }

    /// <summary>
    /// <c>fromLocalUnixTimestamp(seconds, offset)</c>: the seconds count local wall-clock time (as iHealth's MDate does)
    /// and <c>offset</c> is that clock's UTC offset ("-0800", "+05:30"); returns the ISO 8601 instant with that offset.
    /// </summary>
    private sealed class FromLocalUnixTimestampFunction() : JmesPathFunction("fromLocalUnixTimestamp", 2)
    {
        public override void Validate(params JmesPathFunctionArgument[] args)
        {
            RequireType(Name, args, 0, JTokenType.Integer);
            RequireType(Name, args, 1, JTokenType.String);
        }

        public override JToken Execute(params JmesPathFunctionArgument[] args)
        {
            var wallClock = DateTime.UnixEpoch.AddSeconds(args[0].Token.Value<long>());
            var offset = ParseOffset(args[1].Token.Value<string>()!);
            return new JValue(new DateTimeOffset(DateTime.SpecifyKind(wallClock, DateTimeKind.Unspecified), offset)
                .ToString("O", CultureInfo.InvariantCulture));
        }

        private static TimeSpan ParseOffset(string text)
        {
            var digits = text.Replace(":", string.Empty, StringComparison.Ordinal);
            if (digits.Length != 5 || (digits[0] != '+' && digits[0] != '-')
                || !int.TryParse(digits.AsSpan(1, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var hours)
                || !int.TryParse(digits.AsSpan(3, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var minutes)
                || hours > 14 || minutes > 59)
            {
                throw new FormatException("function fromLocalUnixTimestamp: offset must look like +hhmm or -hh:mm");
            }

            var offset = new TimeSpan(hours, minutes, 0);
            return digits[0] == '-' ? -offset : offset;
        }
    }
}

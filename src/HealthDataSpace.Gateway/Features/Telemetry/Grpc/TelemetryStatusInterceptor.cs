using System.Data.Common;
using global::Grpc.Core;
using global::Grpc.Core.Interceptors;
using HealthDataSpace.Core.Telemetry;

namespace HealthDataSpace.Gateway.Features.Telemetry.Grpc;

/// <summary>The device's connection was ended because it was revoked or its keys changed.</summary>
internal sealed class DeviceConnectionClosedException : Exception
{
    public DeviceConnectionClosedException()
        : base("The device was revoked or its keys were rotated; connect again with a valid token.")
    {
    }

    public DeviceConnectionClosedException(string message)
        : base(message)
    {
    }

    public DeviceConnectionClosedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The one place telemetry gRPC errors become status codes. Details say what to do and never quote data; unexpected
/// failures are logged by exception type only.
/// </summary>
internal sealed partial class TelemetryStatusInterceptor(ILogger<TelemetryStatusInterceptor> logger) : Interceptor
{
    private const string ResendAdvice = "Batches without an ack may or may not be stored: send them again (duplicates are recognised).";

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        try
        {
            return await continuation(request, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Map(e, context);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        try
        {
            await continuation(requestStream, responseStream, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Map(e, context);
        }
    }

    private RpcException Map(Exception exception, ServerCallContext context)
    {
        var status = exception switch
        {
            TelemetryOverloadedException overloaded => new Status(StatusCode.ResourceExhausted, overloaded.Message),
            DeviceConnectionClosedException closed => new Status(StatusCode.PermissionDenied, closed.Message),
            OperationCanceledException when context.CancellationToken.IsCancellationRequested =>
                new Status(StatusCode.Cancelled, "The call was cancelled. " + ResendAdvice),
            DbException or IOException or TimeoutException =>
                new Status(StatusCode.Unavailable, "The telemetry store failed to commit. " + ResendAdvice),
            InvalidOperationException when exception.Message.Contains("gRPC", StringComparison.Ordinal) =>
                new Status(StatusCode.InvalidArgument, "The request could not be read as telemetry batches."),
            _ => new Status(StatusCode.Internal, "The gateway failed to process the call. " + ResendAdvice),
        };
        if (status.StatusCode is StatusCode.Internal or StatusCode.Unavailable)
        {
            LogFailed(logger, exception.GetType().Name, status.StatusCode);
        }
        else
        {
            LogEnded(logger, status.StatusCode);
        }

        return new RpcException(status);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Telemetry call failed ({ExceptionType}); answered {Status}.")]
    private static partial void LogFailed(ILogger logger, string exceptionType, StatusCode status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Telemetry call ended with {Status}.")]
    private static partial void LogEnded(ILogger logger, StatusCode status);
}

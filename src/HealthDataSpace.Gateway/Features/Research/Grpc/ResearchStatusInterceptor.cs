using global::Grpc.Core;
using global::Grpc.Core.Interceptors;
using HealthDataSpace.Core.Fhir;

namespace HealthDataSpace.Gateway.Features.Research.Grpc;

/// <summary>
/// The one place research gRPC errors become status codes: the same refusals as REST (400 → INVALID_ARGUMENT with the
/// JSON path, 403 → PERMISSION_DENIED with the reason, 404 → NOT_FOUND). Details never quote data.
/// </summary>
internal sealed partial class ResearchStatusInterceptor(ILogger<ResearchStatusInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        try
        {
            return await continuation(request, context);
        }
        catch (FhirException refused)
        {
            var code = refused.Status switch
            {
                400 or 413 or 415 => StatusCode.InvalidArgument,
                401 => StatusCode.Unauthenticated,
                403 => StatusCode.PermissionDenied,
                404 or 410 => StatusCode.NotFound,
                409 or 412 => StatusCode.FailedPrecondition,
                _ => StatusCode.Internal,
            };
            var detail = refused.Details.Count == 0 ? refused.Message : $"{refused.Message} {string.Join(" ", refused.Details)}";
            throw new RpcException(new Status(code, detail));
        }
        catch (Exception e) when (e is not RpcException and not OperationCanceledException)
        {
            LogUnexpected(logger, e.GetType().Name);
            throw new RpcException(new Status(StatusCode.Internal, "The gateway failed to answer; nothing was changed. Try again."));
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Research gRPC call failed unexpectedly ({ExceptionType}).")]
    private static partial void LogUnexpected(ILogger logger, string exceptionType);
}

using System.Net;

namespace HealthDataSpace.Cli.Commands.Demo;

/// <summary>
/// Runs the story in order — gateway, hospital, wearables, consents, permit, cohort count, export, withdrawal — and
/// ends with a summary. A failed step stops the demo: its message on the error writer, exit code 1, no stack trace.
/// The in-process gateway is stopped at the end whatever happened; its data folder stays.
/// </summary>
internal static class DemoRunner
{
    public static async Task<int> RunAsync(DemoSettings settings, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var console = new DemoConsole(output, error, settings.LiveProgress, settings.Quiet);
        InProcessGateway? gateway = null;
        try
        {
            gateway = settings.InProcess ? await StartGatewayAsync(console, settings, cancellationToken) : null;
            var grpc = gateway?.GrpcAddress ?? settings.Grpc!;
            using var api = new DemoApi(gateway?.BaseAddress ?? settings.Gateway!, grpc, settings.DataPath, gateway?.Issuer ?? settings.Issuer!);
            if (gateway is null)
            {
                await console.StepAsync("Gateway", 1, async _ =>
                {
                    using var health = await api.Hospital.CallAsync(HttpMethod.Get, "healthz", null, "Reaching the gateway", cancellationToken, HttpStatusCode.OK);
                    return (0, $"{api.BaseAddress} is up (gRPC {grpc}); tokens signed with the key in {settings.DataPath}");
                });
            }

            var patients = await SyntheaStep.RunAsync(api, console, settings.Bundles, cancellationToken);
            IReadOnlyList<DemoDevice> devices = settings.Devices == 0
                ? []
                : await TelemetryStep.RunAsync(api, console, patients, settings.Devices, WearableSignals.Load(settings.HeartRateSample), cancellationToken);
            var optedOut = await StewardSteps.RecordConsentsAsync(api, console, patients, cancellationToken);
            var permit = await StewardSteps.ApprovePermitAsync(api, console, cancellationToken);
            await CohortStep.RunAsync(api, console, permit, cancellationToken);
            var dataset = await ExportStep.RunAsync(api, console, permit, cancellationToken);
            var withdrawal = await WithdrawalStep.RunAsync(api, console, permit, dataset, cancellationToken);
            DemoSummary.Print(console, settings, new DemoStory(patients, devices, optedOut, permit, dataset, withdrawal), gateway?.LogPath);
            return 0;
        }
        catch (DemoFailedException e)
        {
            console.Error(e.Message);
            Hint(console, gateway);
            return 1;
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C: whatever the step was doing ends with its own cancellation exception (HTTP, gRPC, a delay).
            console.Error("Cancelled.");
            return 1;
        }
#pragma warning disable CA1031 // The command's last line of defence: any failure becomes a message, never a stack trace.
        catch (Exception e)
#pragma warning restore CA1031
        {
            console.Error($"The demo stopped: {e.GetType().Name}: {e.Message}");
            Hint(console, gateway);
            return 1;
        }
        finally
        {
            await StopAsync(console, gateway);
        }
    }

    /// <summary>Stops the in-process gateway; a gateway that does not stop cleanly is a warning, not the demo's outcome.</summary>
    private static async Task StopAsync(DemoConsole console, InProcessGateway? gateway)
    {
        if (gateway is null)
        {
            return;
        }

        try
        {
            await gateway.DisposeAsync();
        }
#pragma warning disable CA1031 // The demo's result is decided; a shutdown problem must not replace it.
        catch (Exception e)
#pragma warning restore CA1031
        {
            console.ErrorNote($"Warning: the gateway did not stop cleanly ({e.GetType().Name}: {e.Message}); see {gateway.LogPath}.");
        }
    }

    private static Task<InProcessGateway> StartGatewayAsync(DemoConsole console, DemoSettings settings, CancellationToken cancellationToken) =>
        console.StepAsync("Gateway starts in this process", 1, async _ =>
        {
            var gateway = await InProcessGateway.StartAsync(settings.DataPath, cancellationToken);
            return (gateway, $"REST {gateway.BaseAddress}, gRPC {gateway.GrpcAddress}, data folder {settings.DataPath}");
        });

    private static void Hint(DemoConsole console, InProcessGateway? gateway)
    {
        if (gateway is not null)
        {
            console.ErrorNote($"The gateway's warnings and errors are in {gateway.LogPath}.");
        }
    }
}

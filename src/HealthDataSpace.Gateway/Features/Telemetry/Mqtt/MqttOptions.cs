using System.ComponentModel.DataAnnotations;

namespace HealthDataSpace.Gateway.Features.Telemetry.Mqtt;

/// <summary>The MQTT endpoint in the IoT Hub device dialect (configuration section <c>Mqtt</c>).</summary>
internal sealed class MqttOptions
{
    public const string SectionName = "Mqtt";

    /// <summary>Plain MQTT port. Default 1883; 0 picks a free port (tests).</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 1883;

    /// <summary>Address both ports bind to. Default 127.0.0.1 (loopback only); 0.0.0.0 for every interface.</summary>
    [Required]
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>MQTT over TLS port, opened only when <see cref="TlsCertificatePath"/> is set. Default 8883; 0 picks a free port.</summary>
    [Range(0, 65535)]
    public int TlsPort { get; set; } = 8883;

    /// <summary>PKCS#12 (.pfx) file with the server certificate and its private key; unset = no TLS port.</summary>
    public string? TlsCertificatePath { get; set; }

    /// <summary>Password of <see cref="TlsCertificatePath"/>, if it has one.</summary>
    public string? TlsCertificatePassword { get; set; }

    /// <summary>
    /// Publishes one connection may have accepted but not yet durable (their PUBACKs wait). The next publish is read
    /// only when one of them is committed, so a fast device is slowed by TCP, not buffered without bound. Default 64.
    /// </summary>
    [Range(1, 65535)]
    public int MaxInFlightPerConnection { get; set; } = 64;
}

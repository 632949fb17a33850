using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Remote.Hosting;
using Akka.Remote.Transport.DotNetty;

namespace Pmcp.Actors.Cluster;

/// <summary>
/// TLS between the nodes of a cluster (Akka.Remote's DotNetty transport with <c>enable-ssl</c>), from
/// <see cref="McpClusterOptions"/>: the node's certificate from a PFX file or from the certificate store by thumbprint.
/// Both ends of every connection show their certificate (mutual TLS), and a peer is accepted only when its certificate
/// is this node's own or one of <see cref="McpClusterOptions.TlsTrustedThumbprints"/>: pinned, so a self-signed
/// certificate shared by the nodes is enough, and a certificate some public authority signed for someone else is not.
/// </summary>
internal static class ClusterTls
{
    /// <summary>The node's certificate, or null when TLS is off; throws <see cref="ArgumentException"/> saying why it cannot be used.</summary>
    public static X509Certificate2? LoadCertificate(McpClusterOptions options)
    {
        var path = options.TlsCertificatePath;
        var thumbprint = options.TlsCertificateThumbprint;
        if (string.IsNullOrWhiteSpace(path) && string.IsNullOrWhiteSpace(thumbprint)) return null;
        if (!string.IsNullOrWhiteSpace(path) && !string.IsNullOrWhiteSpace(thumbprint))
            throw new ArgumentException("TlsCertificatePath and TlsCertificateThumbprint are both set; give one.");

        var certificate = string.IsNullOrWhiteSpace(path) ? FromStore(thumbprint!, options.TlsCertificateStore) : FromFile(path, options.TlsCertificatePassword);
        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new ArgumentException("The TLS certificate has no private key: a node must prove it holds it (export it as a PFX with its key).");
        }
        return certificate;
    }

    /// <summary>The Akka.Remote TLS settings for <paramref name="certificate"/>.</summary>
    public static SslOptions Settings(X509Certificate2 certificate, McpClusterOptions options) => new()
    {
        X509Certificate = certificate,
        RequireMutualAuthentication = true,
        // Nodes are reached by IP address and share one certificate: its name cannot match each of them.
        ValidateCertificateHostname = false,
        SuppressValidation = false,
        CustomValidator = CertificateValidation.PinnedCertificate([certificate.Thumbprint, .. options.TlsTrustedThumbprints.Select(Normalize)]),
    };

    private static X509Certificate2 FromFile(string path, string? password)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new ArgumentException($"TlsCertificatePath is '{path}', a file that does not exist; it must name a PFX certificate file.");
        try
        {
            return X509CertificateLoader.LoadPkcs12FromFile(full, password);
        }
        catch (CryptographicException ex)
        {
            throw new ArgumentException($"TlsCertificatePath '{path}' cannot be read as a PFX with the given TlsCertificatePassword: {ex.Message}");
        }
    }

    private static X509Certificate2 FromStore(string thumbprint, StoreLocation location)
    {
        using var store = new X509Store(StoreName.My, location);
        store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
        var found = store.Certificates.Find(X509FindType.FindByThumbprint, Normalize(thumbprint), validOnly: false);
        if (found.Count == 0) throw new ArgumentException($"No certificate with thumbprint {thumbprint} in the {location} My store.");
        return found[0];
    }

    /// <summary>Thumbprints as copied from tools come with spaces, colons or lower case.</summary>
    internal static string Normalize(string thumbprint) => new([.. thumbprint.Where(char.IsAsciiHexDigit).Select(char.ToUpperInvariant)]);
}

using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using CertCredentials.Azure;
using CertCredentials.StackExchangeRedis;
using CertCredentials.Testing;

namespace CertCredentials.Tests.PublicApi;

/// <summary>
/// The public members (with nullability) are tracked at compile time by Microsoft.CodeAnalysis.PublicApiAnalyzers in
/// each package's PublicAPI.*.txt. What that analyzer does not track is the shape of each type: its kind, base type and
/// implemented interfaces (a type that stops being <see cref="IDisposable"/> keeps its Dispose line). That is listed
/// here by reflection and compared with the committed public-types.txt: a change to it is a decision, made by updating
/// that file (the test writes public-types.received.txt beside it to copy from).
/// </summary>
public sealed class PublicApiTests
{
    private static readonly Assembly[] Packages =
    [
        typeof(CertificateClientCredential).Assembly,
        typeof(LocalTokenService).Assembly,
        typeof(RedisTokenCacheOptions).Assembly,
        typeof(CertificateClientCredentialAzureExtensions).Assembly,
    ];

    [Fact]
    public void Public_type_shapes_match_the_committed_snapshot()
    {
        var actual = Describe(Packages);

        // The snapshot is copied beside the test binaries: deterministic CI builds map source paths to /_/.
        var expected = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "PublicApi", "public-types.txt")).ReplaceLineEndings("\n");
        if (actual != expected)
        {
            var folder = Directory.Exists(SourceDirectory()) ? SourceDirectory() : Path.Combine(AppContext.BaseDirectory, "PublicApi");
            File.WriteAllText(Path.Combine(folder, "public-types.received.txt"), actual);
        }

        actual.Should().Be(expected, "a public type's kind, base or interfaces changed: if on purpose, copy PublicApi/public-types.received.txt over public-types.txt");
    }

    [Fact]
    public void Only_the_intended_types_are_public()
    {
        var types = typeof(CertificateClientCredential).Assembly.GetExportedTypes().Select(t => t.Name).ToList();
        // 14 at first, then the extension points of the wings: the certificate lifecycle's CertificateSource,
        // ClientCertificate and ClientAssertionSigner, and the shared cache's SharedTokenStore.
        types.Should().HaveCountLessThanOrEqualTo(18, "public types stay few; the rest is internal sealed");
    }

    private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;

    private static string Describe(IEnumerable<Assembly> assemblies)
    {
        var text = new StringBuilder();
        foreach (var assembly in assemblies)
        {
            text.Append("# ").Append(assembly.GetName().Name).Append('\n');
            foreach (var type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
            {
                text.Append(Kind(type)).Append(' ').Append(type.FullName);
                var bases = new List<string>();
                if (type.BaseType is { } baseType && baseType != typeof(object) && baseType != typeof(ValueType) && baseType != typeof(Enum))
                {
                    bases.Add(Name(baseType));
                }

                if (!type.IsEnum)
                {
                    bases.AddRange(type.GetInterfaces().Where(i => i.IsPublic || i.IsNestedPublic).Select(Name).Order(StringComparer.Ordinal));
                }
                if (bases.Count > 0)
                {
                    text.Append(" : ").AppendJoin(", ", bases);
                }

                text.Append('\n');
            }
        }

        return text.ToString();
    }

    private static string Kind(Type type) =>
        type.IsEnum ? "enum" : type.IsValueType ? "struct" : type.IsInterface ? "interface"
        : type.IsAbstract && type.IsSealed ? "static class" : type.IsSealed ? "sealed class" : type.IsAbstract ? "abstract class" : "class";

    private static string Name(Type type)
    {
        if (!type.IsGenericType)
        {
            return type.FullName ?? type.Name;
        }

        var name = type.GetGenericTypeDefinition().FullName!;
        return name[..name.IndexOf('`', StringComparison.Ordinal)] + "<" + string.Join(", ", type.GetGenericArguments().Select(Name)) + ">";
    }
}

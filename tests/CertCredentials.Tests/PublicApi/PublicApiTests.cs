using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;

namespace CertCredentials.Tests.PublicApi;

/// <summary>
/// The public surface, listed by reflection and compared with the committed public-api.txt: a change to it is a
/// decision, made by updating that file (the test writes public-api.received.txt beside it to copy from).
/// </summary>
public sealed class PublicApiTests
{
    [Fact]
    public void Public_surface_matches_the_committed_snapshot()
    {
        var actual = Describe(typeof(CertificateClientCredential).Assembly);

        // The snapshot is copied beside the test binaries: deterministic CI builds map source paths to /_/.
        var expected = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "PublicApi", "public-api.txt")).ReplaceLineEndings("\n");
        if (actual != expected)
        {
            var folder = Directory.Exists(SourceDirectory()) ? SourceDirectory() : Path.Combine(AppContext.BaseDirectory, "PublicApi");
            File.WriteAllText(Path.Combine(folder, "public-api.received.txt"), actual);
        }

        actual.Should().Be(expected, "the public API changed: if on purpose, copy PublicApi/public-api.received.txt over public-api.txt");
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

    internal static string Describe(Assembly assembly)
    {
        var text = new StringBuilder();
        foreach (var type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            text.Append(Kind(type)).Append(' ').Append(type.FullName);
            if (type.BaseType is { } baseType && baseType != typeof(object) && baseType != typeof(ValueType) && baseType != typeof(Enum))
            {
                text.Append(" : ").Append(Name(baseType));
            }

            text.Append('\n');
            const BindingFlags flags = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            var members = type.GetMembers(flags)
                .Where(m => m is not MethodInfo { IsSpecialName: true })
                .Select(Member)
                .Where(m => m is not null)
                .Order(StringComparer.Ordinal);
            foreach (var member in members)
            {
                text.Append("    ").Append(member).Append('\n');
            }
        }

        return text.ToString();
    }

    private static string Kind(Type type) =>
        type.IsEnum ? "enum" : type.IsValueType ? "struct" : type.IsInterface ? "interface"
        : type.IsAbstract && type.IsSealed ? "static class" : type.IsSealed ? "sealed class" : "class";

    private static string? Member(MemberInfo member) => member switch
    {
        ConstructorInfo c => $"ctor({Parameters(c.GetParameters())})",
        MethodInfo m when m.Name is "PrintMembers" or "<Clone>$" or "Deconstruct" => null,
        MethodInfo m => $"{(m.IsStatic ? "static " : string.Empty)}{Name(m.ReturnType)} {m.Name}({Parameters(m.GetParameters())})",
        PropertyInfo p => $"{Name(p.PropertyType)} {p.Name} {{ {(p.GetMethod?.IsPublic == true ? "get; " : string.Empty)}{(p.SetMethod?.IsPublic == true ? (p.SetMethod.ReturnParameter.GetRequiredCustomModifiers().Any(t => t.Name == "IsExternalInit") ? "init; " : "set; ") : string.Empty)}}}",
        FieldInfo f when f.DeclaringType!.IsEnum => f.IsSpecialName ? null : $"{f.Name} = {f.GetRawConstantValue()}",
        FieldInfo f => $"{(f.IsLiteral ? "const " : f.IsStatic ? "static readonly " : string.Empty)}{Name(f.FieldType)} {f.Name}",
        EventInfo e => $"event {Name(e.EventHandlerType!)} {e.Name}",
        Type nested => $"nested {nested.Name}",
        _ => null,
    };

    private static string Parameters(ParameterInfo[] parameters) =>
        string.Join(", ", parameters.Select(p => $"{(p.IsOut ? "out " : p.ParameterType.IsByRef ? "ref " : string.Empty)}{Name(p.ParameterType)} {p.Name}{(p.HasDefaultValue ? " = " + (p.DefaultValue ?? "null") : string.Empty)}"));

    private static string Name(Type type)
    {
        if (type.IsByRef)
        {
            return Name(type.GetElementType()!);
        }

        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Name(underlying) + "?";
        }

        if (!type.IsGenericType)
        {
            return type.FullName ?? type.Name;
        }

        var name = type.GetGenericTypeDefinition().FullName!;
        return name[..name.IndexOf('`', StringComparison.Ordinal)] + "<" + string.Join(", ", type.GetGenericArguments().Select(Name)) + ">";
    }
}

using System.Diagnostics;
using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;
using Pmcp.Client;
using Pmcp.Protocol;
using Xunit.Abstractions;

namespace Pmcp.Packages.Tests;

/// <summary>
/// A new user's first steps, from the packages alone: a fresh ASP.NET Core app that references Pmcp.Actors from the
/// feed, written as README shows, builds, starts and serves its tool; a fresh xunit project runs README's TestKit example.
/// </summary>
[Collection(PackagesCollection.Name)]
public sealed partial class FreshProjectTests(PackageFeed feed, ITestOutputHelper output)
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task FreshWebApp_BuiltFromThePackages_ServesItsTool()
    {
        var app = Directory.CreateTempSubdirectory("pmcp-fresh-app-").FullName;
        try
        {
            WriteNuGetConfig(app);
            WriteProject(app, "GreeterApp.csproj", $"""
                <Project Sdk="Microsoft.NET.Sdk.Web">
                  <PropertyGroup>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <ImplicitUsings>enable</ImplicitUsings>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="Pmcp.Actors" Version="{feed.Version}" />
                  </ItemGroup>
                </Project>
                """);
            WriteProject(app, "Program.cs", """"
                using Akka.Hosting;
                using Newtonsoft.Json.Linq;
                using Pmcp.Actors.Hosting;
                using Pmcp.Actors.Transport;
                using Pmcp.Protocol;

                var builder = WebApplication.CreateBuilder(args);
                builder.Services.AddMcpServer(mcp => mcp
                    .Name("greeter")
                    .Tool("greet",
                        (args, ctx) => Task.FromResult(CallToolResult.Text($"Hello, {(string?)args["name"] ?? "stranger"}!")),
                        description: "Says hello.",
                        inputSchema: JObject.Parse("""{"type":"object","properties":{"name":{"type":"string"}}}""")));
                builder.Services.AddAkka("my-app", (akka, _) => akka.WithMcpServer());

                var app = builder.Build();
                app.MapMcp();
                app.Run();
                """");

            var build = await DotnetCli.RunAsync(app, BuildTimeout, "build", "-c", "Debug").ConfigureAwait(true);
            output.WriteLine(build.Output);
            build.AssertSucceeded("building the fresh app");

            using var server = Process.Start(DotnetCli.StartInfo(app, ["bin/Debug/net10.0/GreeterApp.dll", "--urls", "http://127.0.0.1:0"]))!;
            try
            {
                var url = await ListeningUrlAsync(server).ConfigureAwait(true);
                var config = new WebSocketConfig { Url = new Uri($"ws://{url.Authority}/mcp"), AutoReconnect = false };
                await using var client = await McpClient.ConnectAsync(config, ClientCapabilities.Minimal()).ConfigureAwait(true);

                Assert.Equal("greeter", client.ServerInfo!.Name);
                var result = await client.CallToolAsync("greet", new JObject { ["name"] = "Ada" }).ConfigureAwait(true);
                Assert.Equal("Hello, Ada!", Assert.IsType<TextContent>(Assert.Single(result.Content)).Text);
            }
            finally
            {
                server.Kill(entireProcessTree: true);
            }
        }
        finally
        {
            Directory.Delete(app, recursive: true);
        }
    }

    [Fact]
    public async Task FreshTestProject_RunsReadmesTestKitExample_AgainstThePackages()
    {
        var project = Directory.CreateTempSubdirectory("pmcp-fresh-tests-").FullName;
        try
        {
            WriteNuGetConfig(project);
            WriteProject(project, "GreeterTests.csproj", $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <IsTestProject>true</IsTestProject>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="Pmcp.Actors.TestKit" Version="{feed.Version}" />
                    <PackageReference Include="Microsoft.NET.Test.Sdk" Version="{PinnedVersion("Microsoft.NET.Test.Sdk")}" />
                    <PackageReference Include="xunit" Version="{PinnedVersion("xunit")}" />
                    <PackageReference Include="xunit.runner.visualstudio" Version="{PinnedVersion("xunit.runner.visualstudio")}" />
                  </ItemGroup>
                </Project>
                """);
            // README's example is tests/Pmcp.Actors.TestKit.Tests/GreeterTests.cs; the same file runs here from the packages.
            File.Copy(Path.Combine(RepoRoot.Path, "tests", "Pmcp.Actors.TestKit.Tests", "GreeterTests.cs"), Path.Combine(project, "GreeterTests.cs"));

            var test = await DotnetCli.RunAsync(project, BuildTimeout, "test").ConfigureAwait(true);
            output.WriteLine(test.Output);
            test.AssertSucceeded("the fresh test project");
            Assert.Matches(@"Passed!\s+-\s+Failed:\s+0, Passed:\s+2,", test.Output);
        }
        finally
        {
            Directory.Delete(project, recursive: true);
        }
    }

    /// <summary>The version this repository pins for a package (Directory.Packages.props), so the fresh project tests with the same.</summary>
    private static string PinnedVersion(string id) =>
        System.Xml.Linq.XDocument.Load(Path.Combine(RepoRoot.Path, "Directory.Packages.props")).Descendants("PackageVersion")
            .Single(e => e.Attribute("Include")!.Value == id).Attribute("Version")!.Value;

    private static void WriteProject(string folder, string file, string text) => File.WriteAllText(Path.Combine(folder, file), text);

    /// <summary>The feed first, then the machine's own sources for everything else (Akka, Newtonsoft.Json, ...).</summary>
    private void WriteNuGetConfig(string folder) => WriteProject(folder, "nuget.config", $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <packageSources>
            <add key="pmcp-test-feed" value="{feed.Folder}" />
          </packageSources>
        </configuration>
        """);

    /// <summary>Reads the app's console until Kestrel says where it listens.</summary>
    private async Task<Uri> ListeningUrlAsync(Process server)
    {
        using var deadline = new CancellationTokenSource(StartTimeout);
        while (await server.StandardOutput.ReadLineAsync(deadline.Token).ConfigureAwait(true) is { } line)
        {
            output.WriteLine(line);
            if (ListeningLine().Match(line) is { Success: true } match) return new Uri(match.Groups[1].Value);
        }

        throw new InvalidOperationException($"the app exited before listening:\n{await server.StandardError.ReadToEndAsync().ConfigureAwait(true)}");
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}

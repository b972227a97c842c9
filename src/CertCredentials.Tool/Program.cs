using CertCredentials.Tool.Cli;

return await CertcredApp.RunAsync(args, ToolContext.FromProcess()).ConfigureAwait(false);

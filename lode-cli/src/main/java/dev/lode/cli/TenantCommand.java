package dev.lode.cli;

import dev.lode.catalog.Catalog;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lode tenant create|key}: tenants and their API keys. */
@Command(
        name = "tenant",
        mixinStandardHelpOptions = true,
        description = "Manage tenants and their API keys.",
        subcommands = {TenantCommand.Create.class, TenantCommand.Key.class})
final class TenantCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
        throw new CliException("give a subcommand: create or key", 2);
    }

    @Command(
            name = "create",
            mixinStandardHelpOptions = true,
            description = "Create a tenant and print its first API key (shown once; stored hashed).")
    static final class Create implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME", description = "Tenant name (a-z, 0-9, - and _).")
        String name;

        @Mixin
        DataOptions data;

        @Override
        public Integer call() {
            try (Catalog c = data.openCatalog()) {
                System.out.println(c.tenants().create(name));
                return 0;
            }
        }
    }

    @Command(
            name = "key",
            mixinStandardHelpOptions = true,
            description = "Issue another API key for a tenant and print it, or revoke one with --revoke.")
    static final class Key implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME", description = "Tenant name.")
        String name;

        @Option(names = "--revoke", paramLabel = "KEY", description = "Revoke this key instead.")
        String revoke;

        @Mixin
        DataOptions data;

        @Override
        public Integer call() {
            try (Catalog c = data.openCatalog()) {
                if (revoke != null) {
                    if (!c.tenants().revokeKey(name, revoke)) {
                        throw new CliException("no live key like that for tenant '" + name + "'");
                    }
                    System.err.println("revoked");
                } else {
                    System.out.println(c.tenants().issueKey(name));
                }
                return 0;
            }
        }
    }
}

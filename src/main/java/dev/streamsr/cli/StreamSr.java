package dev.streamsr.cli;

import java.nio.file.Path;
import java.util.Map;
import dev.streamsr.bench.BenchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "streamsr",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"Real-time x4 video super-resolution for live streams.",
                "Sources are decoded by GStreamer, carried over Kafka, upscaled by a one-step neural engine and republished as HLS."},
        footer = {"", "Every option can also be set from the environment (--max-input-size is STREAMSR_MAX_INPUT_SIZE) or in the "
                + "--config file (max-input-size: 640x360); the command line wins, then the environment, then the file."},
        subcommands = {DemoCommand.class, IngestCommand.class, UpscaleCommand.class, PackageCommand.class,
                ServeCommand.class, KafkaCommand.class, StreamsCommand.class, BenchCommand.class})
public final class StreamSr implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Read before parsing, by {@link #run(String[], Map)}; declared here so every command accepts and documents it. */
    @CommandLine.Option(names = ConfigFile.OPTION, paramLabel = "FILE", scope = CommandLine.ScopeType.INHERIT,
            description = "YAML file of options, keys as the long option names without dashes, a section per command; see README 'Configuration'.")
    Path config;

    @CommandLine.Option(names = "--log-level", paramLabel = "LEVEL", defaultValue = "INFO", scope = CommandLine.ScopeType.INHERIT,
            description = "Log level of StreamSR's own lines: ERROR, WARN, INFO, DEBUG or TRACE. Default: ${DEFAULT-VALUE}.")
    void logLevel(String level) {
        if (!LogLevel.set(level)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "Invalid value for option '--log-level': '" + level + "' is not a log level: use ERROR, WARN, INFO, DEBUG or TRACE");
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new StreamSr());
        cl.setDefaultValueProvider(new EnvironmentDefaults(System.getenv()));
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.registerConverter(java.time.Duration.class, new DurationConverter());
        cl.setParameterExceptionHandler(StreamSr::badParameter);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            org.slf4j.LoggerFactory.getLogger(StreamSr.class).debug("failure", e);
            return 1;
        });
        return cl;
    }

    /**
     * One line that says what is wrong and what is expected, naming the environment variable when
     * the value came from one, and where to read more; not the whole usage.
     */
    static int badParameter(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        String message = e.getMessage();
        if (e.getArgSpec() instanceof CommandLine.Model.OptionSpec option) {
            boolean onCommandLine = java.util.Arrays.stream(args).anyMatch(a -> java.util.Arrays.stream(option.names())
                    .anyMatch(n -> a.equals(n) || a.startsWith(n + "=")));
            String source = cmd.getDefaultValueProvider() instanceof EnvironmentDefaults defaults ? defaults.sourceOf(option) : null;
            if (!onCommandLine && source != null) {
                message = message + " (from " + source + ")";
            }
        }
        String name = cmd.getCommandSpec().qualifiedName();
        cmd.getErr().println(name + ": " + message);
        cmd.getErr().println("Try '" + name + " --help' for the options.");
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** Runs a command line with its environment: the config file is found and checked before parsing. */
    static int run(String[] args, Map<String, String> env) {
        CommandLine cl = commandLine();
        var named = ConfigFile.named(args, env);
        if (named.isPresent()) {
            try {
                cl.setDefaultValueProvider(new EnvironmentDefaults(env, ConfigFile.load(named.get(), cl)));
            } catch (IllegalArgumentException e) {
                cl.getErr().println("streamsr: " + e.getMessage());
                return 2;
            }
        }
        return cl.execute(args);
    }

    public static void main(String[] args) {
        int rc = run(args, System.getenv());
        if (rc != 0 || !"true".equals(System.getProperty("streamsr.noexit"))) {
            System.exit(rc);
        }
    }
}

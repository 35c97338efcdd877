package dev.streamsr.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "streamsr",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"Real-time x4 video super-resolution for live streams.",
                "Sources are decoded by GStreamer, carried over Kafka, upscaled by a one-step neural engine and republished as HLS."},
        footer = {"", "Every option can also be set from the environment: --max-input-size is STREAMSR_MAX_INPUT_SIZE."},
        subcommands = {DemoCommand.class, IngestCommand.class, UpscaleCommand.class, PackageCommand.class,
                ServeCommand.class, KafkaCommand.class, StreamsCommand.class, BenchCommand.class})
public final class StreamSr implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

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
            String variable = EnvironmentDefaults.variableFor(option.longestName());
            if (!onCommandLine && System.getenv(variable) != null) {
                message = message + " (from the environment variable " + variable + ")";
            }
        }
        String name = cmd.getCommandSpec().qualifiedName();
        cmd.getErr().println(name + ": " + message);
        cmd.getErr().println("Try '" + name + " --help' for the options.");
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    public static void main(String[] args) {
        int rc = commandLine().execute(args);
        if (rc != 0 || !"true".equals(System.getProperty("streamsr.noexit"))) {
            System.exit(rc);
        }
    }
}

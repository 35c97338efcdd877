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
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("streamsr " + cmd.getCommandName() + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            org.slf4j.LoggerFactory.getLogger(StreamSr.class).debug("failure", e);
            return 1;
        });
        return cl;
    }

    public static void main(String[] args) {
        int rc = commandLine().execute(args);
        if (rc != 0 || !"true".equals(System.getProperty("streamsr.noexit"))) {
            System.exit(rc);
        }
    }
}

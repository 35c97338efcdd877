package dev.streamsr.bench;

import picocli.CommandLine.Command;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks that print their figures; see bench/README.md.",
        subcommands = {IngestBench.class, EndToEndBench.class, EngineBench.class, ReplayBench.class, MetricsBench.class, SoakBench.class})
public final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}

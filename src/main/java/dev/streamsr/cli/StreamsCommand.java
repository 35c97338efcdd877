package dev.streamsr.cli;

import dev.streamsr.frame.StreamId;
import dev.streamsr.stream.StreamRegistry;
import dev.streamsr.stream.StreamSpec;
import dev.streamsr.stream.StreamsFile;
import dev.streamsr.kafka.TopicAdmin;
import dev.streamsr.kafka.Topics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The stream registry from the command line: what the HTTP API does, for files kept in git and for scripts. */
@Command(name = "streams", mixinStandardHelpOptions = true,
        description = {"Lists, applies and deletes registered streams on streamsr.streams, as /api/streams does.",
                "Ingest instances started with --registry pick the changes up at once."},
        subcommands = {StreamsCommand.ListStreams.class, StreamsCommand.Apply.class, StreamsCommand.Delete.class})
final class StreamsCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Prints the registered streams as JSON, one per line.")
    static final class ListStreams implements Callable<Integer> {
        @Mixin
        KafkaOptions kafka;

        @picocli.CommandLine.Option(names = "--show-credentials",
                description = "Print URIs in full; by default passwords and secret query values are masked as ***.")
        boolean showCredentials;

        @Override
        public Integer call() {
            try (StreamRegistry registry = new StreamRegistry(kafka.settings(), java.util.List.of())) {
                registry.list().values().forEach(s -> System.out.println(new String((showCredentials ? s : s.masked()).toJson(),
                        java.nio.charset.StandardCharsets.UTF_8)));
            }
            return 0;
        }
    }

    @Command(name = "apply", mixinStandardHelpOptions = true,
            description = {"Registers every stream of FILE (JSON or YAML: a list of {id, uri, maxInputSize, enabled}).",
                    "Unchanged streams are not written, so they keep playing; the whole file is validated before anything is written."})
    static final class Apply implements Callable<Integer> {
        @Mixin
        KafkaOptions kafka;

        @Parameters(paramLabel = "FILE", description = "The streams file.")
        Path file;

        @Option(names = "--prune", description = "Also remove registered streams that the file does not list.")
        boolean prune;

        @Option(names = "--dry-run", description = "Print what would change and change nothing.")
        boolean dryRun;

        @Option(names = "--allow-files", split = ",", paramLabel = "DIR",
                description = "Directories a file:// source may read from; none by default.")
        java.util.List<Path> allowFiles = new ArrayList<>();

        @Override
        public Integer call() {
            java.util.List<StreamSpec> wanted = StreamsFile.read(file, allowFiles);
            kafka.awaitBroker();
            TopicAdmin.ensureTopics(kafka.settings(), Topics.defaults(), kafka.topics());
            try (StreamRegistry registry = new StreamRegistry(kafka.settings(), allowFiles)) {
                Map<String, StreamSpec> current = registry.list();
                int added = 0;
                int changed = 0;
                int removed = 0;
                for (StreamSpec s : wanted) {
                    StreamSpec old = current.get(s.id());
                    if (old != null && Objects.equals(old.normalized(), s.normalized())) {
                        continue;
                    }
                    System.out.println((old == null ? "add    " : "change ") + s.id() + " " + dev.streamsr.stream.Credentials.mask(s.uri()));
                    if (old == null) {
                        added++;
                    } else {
                        changed++;
                    }
                    if (!dryRun) {
                        registry.put(s);
                    }
                }
                if (prune) {
                    java.util.Set<String> keep = new java.util.HashSet<>();
                    wanted.forEach(s -> keep.add(s.id()));
                    for (String id : current.keySet()) {
                        if (!keep.contains(id)) {
                            System.out.println("remove " + id);
                            removed++;
                            if (!dryRun) {
                                registry.delete(StreamId.of(id));
                            }
                        }
                    }
                }
                System.out.printf("%s%d added, %d changed, %d removed, %d unchanged%n", dryRun ? "(dry run) " : "", added, changed, removed,
                        wanted.size() - added - changed);
            }
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Removes a registered stream; its ingest stops.")
    static final class Delete implements Callable<Integer> {
        @Mixin
        KafkaOptions kafka;

        @Parameters(paramLabel = "ID", description = "Stream id.")
        String id;

        @Override
        public Integer call() {
            try (StreamRegistry registry = new StreamRegistry(kafka.settings(), java.util.List.of())) {
                if (!registry.list().containsKey(id)) {
                    System.err.println("no registered stream " + id);
                    return 3;
                }
                registry.delete(StreamId.of(id));
                System.out.println("remove " + id);
            }
            return 0;
        }
    }
}

package dev.streamsr.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamsr.testing.TestMedia;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The READMEs name options; this keeps every one of them real: an option in a {@code bin/streamsr}
 * command line must exist on that command, an option in the configuration table on every role
 * the row names, and any other option on some command.
 */
class ReadmeOptionsTest {
    private static final List<String> DOCS = List.of("README.md", "pipelines/README.md", "bench/README.md", "models/README.md");
    private static final Pattern OPTION = Pattern.compile("(?<![\\w-])--[a-z][a-z0-9-]*");
    /** Lines that are other tools' command lines. */
    private static final Pattern OTHER_TOOL = Pattern.compile("^\\s*(helm|docker|kubectl|curl|\\./mvnw|gst-launch-1\\.0)\\b");
    /** A command line of ours: the command, and a subcommand if there is one. */
    private static final Pattern COMMAND_LINE = Pattern.compile("(?:bin/)?streamsr ([a-z][a-z0-9-]*(?: [a-z][a-z0-9-]*)?)");
    /** The misspelling the README shows as an example of the config file's error. */
    private static final Set<String> EXAMPLES = Set.of("--max-inptu-size");

    private static final Map<String, CommandSpec> COMMANDS = new LinkedHashMap<>();

    static {
        collect("", StreamSr.commandLine().getCommandSpec());
    }

    private static void collect(String prefix, CommandSpec spec) {
        spec.subcommands().forEach((name, sub) -> {
            COMMANDS.put((prefix + " " + name).strip(), sub.getCommandSpec());
            collect(prefix + " " + name, sub.getCommandSpec());
        });
    }

    private static boolean has(CommandSpec spec, String option) {
        if (spec.findOption(option) != null) {
            return true;
        }
        // --no-audio is the negated form of --audio.
        return option.startsWith("--no-") && spec.findOption("--" + option.substring(5)) != null
                && spec.findOption("--" + option.substring(5)).negatable();
    }

    private static boolean anywhere(String option) {
        return COMMANDS.values().stream().anyMatch(c -> has(c, option));
    }

    private static List<String> options(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = OPTION.matcher(text);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    @Test
    void everyOptionTheReadmesNameExistsWhereTheyNameIt() throws Exception {
        List<String> wrong = new ArrayList<>();
        for (String doc : DOCS) {
            List<String> lines = Files.readAllLines(TestMedia.root().resolve(doc));
            boolean otherToolContinues = false;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                String where = doc + ":" + (i + 1);
                boolean otherTool = otherToolContinues || OTHER_TOOL.matcher(line).find();
                otherToolContinues = otherTool && line.stripTrailing().endsWith("\\");
                if (otherTool) {
                    continue;
                }
                String command = line.strip();
                Matcher run = COMMAND_LINE.matcher(command);
                if (run.lookingAt()) {
                    String name = COMMANDS.containsKey(run.group(1)) ? run.group(1) : run.group(1).split(" ")[0];
                    CommandSpec spec = COMMANDS.get(name);
                    if (spec == null) {
                        wrong.add(where + ": no command '" + run.group(1) + "'");
                        continue;
                    }
                    for (String o : options(command.substring(run.end()).replaceAll("#.*", ""))) {
                        if (!has(spec, o)) {
                            wrong.add(where + ": streamsr " + name + " has no " + o);
                        }
                    }
                    continue;
                }
                String[] cells = line.split("(?<!\\\\)\\|");
                if (line.startsWith("| `--") && cells.length > 3) {
                    for (String o : options(cells[1])) {
                        for (String role : cells[2].split(",")) {
                            String r = role.strip();
                            CommandSpec spec = COMMANDS.get(r);
                            if (r.equals("every command")) {
                                if (!anywhere(o)) {
                                    wrong.add(where + ": no command has " + o);
                                }
                            } else if (spec == null) {
                                wrong.add(where + ": the table names a role '" + r + "' that is not a command");
                            } else if (spec.subcommands().isEmpty() ? !has(spec, o)
                                    : spec.subcommands().values().stream().anyMatch(sub -> !has(sub.getCommandSpec(), o))) {
                                wrong.add(where + ": the table says " + r + " has " + o);
                            }
                        }
                    }
                }
                for (String o : options(line)) {
                    if (!EXAMPLES.contains(o) && !anywhere(o)) {
                        wrong.add(where + ": no command has " + o);
                    }
                }
            }
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    /** The check itself: a made-up option and a real option on the wrong command are caught. */
    @Test
    void theCheckCatchesAnOptionOnTheWrongCommand() {
        assertTrue(has(COMMANDS.get("ingest"), "--max-input-size"));
        assertTrue(!has(COMMANDS.get("serve"), "--max-input-size"));
        assertTrue(!anywhere("--port"), "serve and kafka name their ports --http-port and --kafka-port");
        assertTrue(has(COMMANDS.get("ingest"), "--no-audio"));
        assertTrue(has(COMMANDS.get("streams apply"), "--prune"));
    }
}

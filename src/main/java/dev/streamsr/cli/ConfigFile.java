package dev.streamsr.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * A deployment in one file: YAML whose keys are the options' long names without the dashes
 * ({@code max-input-size: 640x360}), at the top for every command that has the option, or under a
 * command's name for that command only ({@code upscale: {model: streamsr-tiny-x4}}). The command
 * line wins over the environment, which wins over the file. A key no command knows is an error,
 * so a typo cannot pass silently.
 */
final class ConfigFile {
    static final String OPTION = "--config";

    private final Path path;
    private final Map<String, Object> common;
    private final Map<String, Map<String, Object>> sections;

    private ConfigFile(Path path, Map<String, Object> common, Map<String, Map<String, Object>> sections) {
        this.path = path;
        this.common = common;
        this.sections = sections;
    }

    Path path() {
        return path;
    }

    /** The file named by {@code --config} in {@code args}, else by {@code STREAMSR_CONFIG}. */
    static Optional<Path> named(String[] args, Map<String, String> env) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--")) {
                break;
            }
            if (args[i].equals(OPTION) && i + 1 < args.length) {
                return Optional.of(Path.of(args[i + 1]));
            }
            if (args[i].startsWith(OPTION + "=")) {
                return Optional.of(Path.of(args[i].substring(OPTION.length() + 1)));
            }
        }
        String fromEnv = env.get(EnvironmentDefaults.variableFor(OPTION));
        return fromEnv == null || fromEnv.isBlank() ? Optional.empty() : Optional.of(Path.of(fromEnv));
    }

    /** Reads and checks the file against every command of {@code root}; one line on any problem. */
    static ConfigFile load(Path path, CommandLine root) {
        Object tree;
        try {
            tree = new ObjectMapper(new YAMLFactory()).readValue(Files.readString(path), Object.class);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("cannot read config " + path + ": no such file");
        } catch (IOException e) {
            String why = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            throw new IllegalArgumentException("cannot read config " + path + ": " + why);
        }
        if (tree == null) {
            tree = Map.of();
        }
        if (!(tree instanceof Map<?, ?> top)) {
            throw new IllegalArgumentException("config " + path + ": expected option: value pairs at the top level");
        }
        Map<String, CommandSpec> commands = new LinkedHashMap<>();
        collect(root.getCommandSpec(), commands);
        Set<String> anywhere = new HashSet<>();
        commands.values().forEach(c -> anywhere.addAll(keys(c)));
        Map<String, Object> common = new LinkedHashMap<>();
        Map<String, Map<String, Object>> sections = new LinkedHashMap<>();
        for (var e : top.entrySet()) {
            String key = String.valueOf(e.getKey());
            CommandSpec command = commands.get(key);
            if (command != null && e.getValue() instanceof Map<?, ?> section) {
                Map<String, Object> values = new LinkedHashMap<>();
                Set<String> known = keys(command);
                for (var s : section.entrySet()) {
                    String option = String.valueOf(s.getKey());
                    if (!known.contains(option)) {
                        throw new IllegalArgumentException("config " + path + ": '" + key + "' has no option --" + option);
                    }
                    values.put(option, s.getValue());
                }
                sections.put(key, values);
            } else if (anywhere.contains(key)) {
                common.put(key, e.getValue());
            } else {
                throw new IllegalArgumentException("config " + path + ": no command has an option --" + key
                        + (command != null ? " ('" + key + "' is a command: give its options as a map)" : ""));
            }
        }
        return new ConfigFile(path, common, sections);
    }

    private static void collect(CommandSpec spec, Map<String, CommandSpec> into) {
        for (CommandLine sub : spec.subcommands().values()) {
            // Sections are named by the command alone ("apply" under "streams" is "streams apply" in help, "apply" here).
            into.putIfAbsent(sub.getCommandSpec().name(), sub.getCommandSpec());
            collect(sub.getCommandSpec(), into);
        }
    }

    private static Set<String> keys(CommandSpec spec) {
        return spec.options().stream().map(o -> o.longestName().replaceFirst("^-+", "")).collect(Collectors.toSet());
    }

    /** The file's value for an option of a command, as the text picocli would have read on the command line. */
    Optional<String> value(OptionSpec option) {
        String key = option.longestName().replaceFirst("^-+", "");
        Object v = null;
        for (CommandSpec c = option.command(); c != null && v == null; c = c.parent()) {
            Map<String, Object> section = sections.get(c.name());
            if (section != null && c.parent() != null) {
                v = section.get(key);
            }
        }
        if (v == null) {
            v = common.get(key);
        }
        return v == null ? Optional.empty() : Optional.of(text(option, v));
    }

    private String text(OptionSpec option, Object v) {
        String split = option.splitRegex();
        String joiner = split.isEmpty() ? null : split.replace("\\", "");
        if (v instanceof Map<?, ?> map) {
            List<String> pairs = new ArrayList<>();
            map.forEach((k, val) -> pairs.add(k + "=" + val));
            return join(option, pairs, joiner);
        }
        if (v instanceof Collection<?> list) {
            return join(option, list.stream().map(String::valueOf).toList(), joiner);
        }
        return String.valueOf(v);
    }

    private String join(OptionSpec option, List<String> values, String joiner) {
        if (values.size() > 1 && joiner == null) {
            throw new CommandLine.ParameterException(option.command().commandLine(),
                    "config " + path + ": " + option.longestName() + " takes one value");
        }
        return String.join(joiner == null ? "" : joiner, values);
    }
}

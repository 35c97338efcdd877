package dev.streamsr.cli;

import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Lets every option come from the environment, so a Helm chart can configure any role:
 * {@code --max-input-size} is read from {@code STREAMSR_MAX_INPUT_SIZE}. A command-line value wins;
 * below the environment comes the {@link ConfigFile}, if there is one.
 */
public final class EnvironmentDefaults implements IDefaultValueProvider {
    private final Map<String, String> env;
    private final ConfigFile config;

    public EnvironmentDefaults(Map<String, String> env) {
        this(env, null);
    }

    EnvironmentDefaults(Map<String, String> env, ConfigFile config) {
        this.env = env;
        this.config = config;
    }

    /** Where an option's default came from, for error messages: the variable, the file, or null. */
    String sourceOf(OptionSpec option) {
        String variable = variableFor(option.longestName());
        String value = env.get(variable);
        if (value != null && !value.isBlank()) {
            return "the environment variable " + variable;
        }
        if (config != null && config.value(option).isPresent()) {
            return config.path().toString();
        }
        return null;
    }

    public static String variableFor(String longOption) {
        return "STREAMSR_" + longOption.replaceFirst("^-+", "").replace('-', '_').toUpperCase(Locale.ROOT);
    }

    @Override
    public String defaultValue(ArgSpec argSpec) {
        if (argSpec instanceof OptionSpec option) {
            String value = env.get(variableFor(option.longestName()));
            if (value != null && !value.isBlank()) {
                return value;
            }
            if (config != null) {
                var fromFile = config.value(option);
                if (fromFile.isPresent()) {
                    return fromFile.get();
                }
            }
        }
        return argSpec.defaultValue();
    }
}

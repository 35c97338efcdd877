package dev.streamsr.cli;

import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Lets every option come from the environment, so a Helm chart can configure any role:
 * {@code --max-input-size} is read from {@code STREAMSR_MAX_INPUT_SIZE}. A command-line value wins.
 */
public final class EnvironmentDefaults implements IDefaultValueProvider {
    private final Map<String, String> env;

    public EnvironmentDefaults(Map<String, String> env) {
        this.env = env;
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
        }
        return argSpec.defaultValue();
    }
}

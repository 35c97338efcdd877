package dev.streamsr.stream;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The stream registry as a file, for operators who keep configuration in git: the objects the
 * API takes ({@code id}, {@code uri}, {@code maxInputSize}, {@code enabled}) as a JSON array or
 * a YAML list, or under a top-level {@code streams} key. Every entry is validated as the API
 * validates it; unknown fields and duplicate ids are errors, so a typo never passes silently.
 */
public final class StreamsFile {
    private StreamsFile() {
    }

    public static List<StreamSpec> read(Path file, List<Path> fileRoots) {
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new IllegalArgumentException("cannot read " + file + ": " + (java.nio.file.Files.exists(file) ? "not a regular file" : "no such file"));
        }
        if (!java.nio.file.Files.isReadable(file)) {
            throw new IllegalArgumentException("cannot read " + file + ": permission denied");
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        ObjectMapper mapper = name.endsWith(".yaml") || name.endsWith(".yml") ? new ObjectMapper(new YAMLFactory()) : new ObjectMapper();
        List<StreamSpec> specs;
        try {
            JsonNode root = mapper.readTree(file.toFile());
            JsonNode list = root != null && root.isObject() && root.has("streams") ? root.get("streams") : root;
            if (list == null || !list.isArray()) {
                throw new IllegalArgumentException(file + ": expected a list of streams (or a 'streams' key holding one)");
            }
            specs = mapper.convertValue(list, new TypeReference<List<StreamSpec>>() { });
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage().lines().findFirst().orElse(e.toString()), e);
        }
        Set<String> ids = new HashSet<>();
        List<StreamSpec> out = new ArrayList<>();
        for (StreamSpec s : specs) {
            s.validate(fileRoots);
            if (!ids.add(s.id())) {
                throw new IllegalArgumentException(file + ": stream " + s.id() + " is listed twice");
            }
            out.add(s);
        }
        return out;
    }
}

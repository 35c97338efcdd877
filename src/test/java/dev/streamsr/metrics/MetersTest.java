package dev.streamsr.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamsr.testing.TestMedia;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The catalogue and the README's metrics table name the same meters. */
class MetersTest {
    @Test
    void everyMeterInTheCatalogueIsDocumented() throws Exception {
        String readme = Files.readString(TestMedia.root().resolve("README.md"));
        List<String> missing = new ArrayList<>();
        int names = 0;
        for (Field f : Meters.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                names++;
                String prometheus = ((String) f.get(null)).replace('.', '_');
                if (!readme.contains("`" + prometheus)) {
                    missing.add(prometheus);
                }
            }
        }
        assertTrue(names >= 20, "the catalogue has " + names + " meters");
        assertTrue(missing.isEmpty(), "not in README's metrics table: " + missing);
    }
}

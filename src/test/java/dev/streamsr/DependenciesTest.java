package dev.streamsr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What ships on the classpath: one Jackson, a supported Jetty, a current logback. */
class DependenciesTest {
    /** artifact -> version, from the jars Maven put on the test classpath (repository layout: group/artifact/version/artifact-version.jar). */
    private static Map<String, String> jars(String groupPath) {
        Pattern p = Pattern.compile(Pattern.quote(groupPath) + "/([^/]+)/([^/]+)/[^/]+\\.jar$");
        Map<String, String> out = new TreeMap<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Matcher m = p.matcher(entry.replace(File.separatorChar, '/'));
            if (m.find()) {
                out.put(m.group(1), m.group(2));
            }
        }
        return out;
    }

    @Test
    void everyJacksonModuleHasOneVersion() {
        Map<String, String> jackson = jars("com/fasterxml/jackson");
        jackson.putAll(jars("com/fasterxml/jackson/core"));
        jackson.putAll(jars("com/fasterxml/jackson/dataformat"));
        jackson.putAll(jars("com/fasterxml/jackson/datatype"));
        jackson.putAll(jars("com/fasterxml/jackson/module"));
        assertTrue(jackson.containsKey("jackson-databind"), "found " + jackson);
        String databind = jackson.get("jackson-databind");
        // jackson-annotations is versioned 2.x without the patch number from 2.20 on (2.21 beside 2.21.8).
        jackson.forEach((artifact, version) -> assertTrue(version.equals(databind)
                        || (artifact.equals("jackson-annotations") && databind.startsWith(version + ".")),
                artifact + " " + version + " beside jackson-databind " + databind + ": " + jackson));
    }

    @Test
    void jettyIsTwelveOrNewerAndLogbackIsCurrent() {
        Map<String, String> jetty = jars("org/eclipse/jetty");
        assertFalse(jetty.isEmpty(), "Javalin brings Jetty");
        jetty.forEach((artifact, version) -> assertTrue(Integer.parseInt(version.split("\\.")[0]) >= 12, artifact + " " + version));
        String logback = jars("ch/qos/logback").get("logback-classic");
        String[] v = logback.split("\\.");
        assertEquals("1", v[0]);
        assertTrue(Integer.parseInt(v[1]) > 5 || Integer.parseInt(v[2]) >= 19, "logback-classic " + logback);
    }
}

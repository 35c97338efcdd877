package dev.streamsr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamsr.frame.FrameSize;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class EnvironmentDefaultsTest {
    @Test
    void mapsLongOptionsToStreamsrVariables() {
        assertEquals("STREAMSR_MAX_INPUT_SIZE", EnvironmentDefaults.variableFor("--max-input-size"));
        assertEquals("STREAMSR_BOOTSTRAP_SERVERS", EnvironmentDefaults.variableFor("--bootstrap-servers"));
    }

    @Test
    void environmentValuesBecomeDefaultsAndTheCommandLineWins() {
        DemoCommand fromEnv = parse(Map.of("STREAMSR_MAX_INPUT_SIZE", "640x360", "STREAMSR_BOOTSTRAP_SERVERS", "kafka:9092"));
        assertEquals(new FrameSize(640, 360), fromEnv.ingest.maxInputSize);
        assertEquals("kafka:9092", fromEnv.kafka.bootstrapServers);
        assertTrue(fromEnv.ingest.audio, "audio is forwarded by default");
        assertFalse(parse(Map.of("STREAMSR_AUDIO", "false")).ingest.audio, "STREAMSR_AUDIO=false turns it off (the chart sets it)");
        assertFalse(parse(Map.of(), "--no-audio").ingest.audio);
        assertEquals(60, parse(Map.of("STREAMSR_LIVE_BUFFER_FRAMES", "60")).ingest.liveBufferFrames);
        DemoCommand cli = parse(Map.of("STREAMSR_MAX_INPUT_SIZE", "640x360"), "--max-input-size", "320x180");
        assertEquals(new FrameSize(320, 180), cli.ingest.maxInputSize);
        assertEquals(java.time.Duration.ofSeconds(30), parse(Map.of("STREAMSR_BACKOFF_MAX", "30s")).ingest.backoffMax);
        assertEquals(java.time.Duration.ofMillis(500), parse(Map.of()).ingest.backoffInitial, "defaults are written as people type them");
    }

    @Test
    void everyOptionOfEveryCommandHasAVariableAndHelp() {
        CommandLine root = StreamSr.commandLine();
        root.getSubcommands().values().forEach(cmd -> {
            StringWriter out = new StringWriter();
            root.setOut(new PrintWriter(out));
            assertEquals(0, root.execute(cmd.getCommandName(), "--help"));
            assertTrue(out.toString().contains("Usage: streamsr " + cmd.getCommandName()), out.toString());
            cmd.getCommandSpec().options().forEach(o ->
                    assertNotEquals(0, o.description().length, cmd.getCommandName() + " " + o.longestName() + " has no description"));
        });
    }

    @Test
    void anInvalidStreamIdIsAClearError() {
        CommandLine cl = StreamSr.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        int rc = cl.execute("ingest", "--stream", "bad id=/tmp/x.avi", "--bootstrap-servers", "127.0.0.1:1");
        assertNotEquals(0, rc);
        assertTrue(err.toString().contains("invalid stream id 'bad id'"), err.toString());
    }

    private static DemoCommand parse(Map<String, String> env, String... args) {
        DemoCommand demo = new DemoCommand();
        CommandLine cl = new CommandLine(demo);
        cl.registerConverter(java.time.Duration.class, new DurationConverter());
        cl.setDefaultValueProvider(new EnvironmentDefaults(env));
        cl.parseArgs(args);
        return demo;
    }
}

package dev.streamsr.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import org.junit.jupiter.api.Test;

class MetricsTest {
    @Test
    void perStreamMetersStopAtTheConfiguredNumberOfStreams() {
        var registry = Metrics.registry(3);
        for (int i = 0; i < 10; i++) {
            Counter.builder("streamsr.ingest.frames").tag("stream", "cam" + i).register(registry).increment();
        }
        assertEquals(3, registry.find("streamsr.ingest.frames").counters().size());
        Counter.builder("streamsr.ingest.frames").tag("stream", "cam1").register(registry).increment();
        assertEquals(2.0, registry.get("streamsr.ingest.frames").tag("stream", "cam1").counter().count(), "known streams keep counting");
    }

    @Test
    void jvmAndProcessMetricsAreExposed() {
        String scrape = Metrics.registry().scrape();
        assertTrue(scrape.contains("jvm_memory_used_bytes"), "JVM memory");
        assertTrue(scrape.contains("process_cpu_usage"), "process CPU");
    }
}

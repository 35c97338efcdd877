package dev.streamsr.upscale;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.streamsr.kafka.FrameLimits;
import dev.streamsr.kafka.KafkaSettings;
import java.nio.file.Path;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class UpscaleServiceTest {
    /** logback.xml quiets Kafka Streams' warning about this setting because it is set; this keeps it set. */
    @Test
    void theGlobalProcessingExceptionHandlerIsEnabled() {
        var p = UpscaleService.properties(new KafkaSettings("127.0.0.1:9092", null, FrameLimits.defaults()),
                UpscaleSettings.defaults(), Path.of("/tmp"));
        assertEquals(true, new StreamsConfig(p).getBoolean(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG));
    }
}

package dev.streamsr.flow;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamsr.engine.Engine;
import dev.streamsr.engine.OnnxRuntimeEngine;
import dev.streamsr.frame.StreamId;
import dev.streamsr.ingest.IngestSettings;
import dev.streamsr.stream.Source;
import dev.streamsr.media.EncoderSettings;
import dev.streamsr.packager.HlsSettings;
import dev.streamsr.testing.Flow;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;

/** Engines and runs the flow tests share. */
public final class Flows {
    public static final Supplier<Engine> BICUBIC = () -> new OnnxRuntimeEngine(Path.of("models/bicubic-x4.onnx"), 1);

    private Flows() {
    }

    /**
     * A file through ingest, a bicubic upscaler (a key frame every second) and the packager (1 s
     * segments, every one kept); returns the finished SR playlist once it has #EXT-X-ENDLIST.
     */
    static Path fileToHls(Flow flow, Path clip, String stream, Path hls) throws Exception {
        flow.upscale(false, BICUBIC, new EncoderSettings("ultrafast", 18, 2, 1), StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
        flow.packager(new HlsSettings(hls, 1, 0, 0));
        var ingest = flow.ingest(IngestSettings.defaults());
        ingest.start(Source.parse(StreamId.of(stream), clip.toString(), false));
        assertTrue(ingest.awaitAll(60_000));
        Path playlist = hls.resolve(stream).resolve("sr/index.m3u8");
        EndToEndIT.awaitEndList(playlist);
        return playlist;
    }
}

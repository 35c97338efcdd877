package dev.streamsr.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamsr.frame.Decoded;
import dev.streamsr.frame.FrameHeaders;
import dev.streamsr.frame.FrameSize;
import dev.streamsr.frame.StreamId;
import dev.streamsr.ingest.IngestService;
import dev.streamsr.ingest.IngestSettings;
import dev.streamsr.media.EncoderSettings;
import dev.streamsr.packager.HlsSettings;
import dev.streamsr.stream.Region;
import dev.streamsr.stream.Source;
import dev.streamsr.testing.Bicubic;
import dev.streamsr.testing.EmbeddedBrokerTest;
import dev.streamsr.testing.Flow;
import dev.streamsr.testing.TestMedia;
import dev.streamsr.testing.TopicReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two regions of one live camera through the whole flow: one decode, and each upscaled stream is its own crop, x4. */
class RegionFlowIT extends EmbeddedBrokerTest {
    @TempDir
    Path tmp;

    @Test
    void eachRegionStreamIsItsOwnCropUpscaled() throws Exception {
        Path hls = tmp.resolve("hls");
        try (Flow flow = new Flow(kafka)) {
            flow.upscale(false, Flows.BICUBIC, new EncoderSettings("ultrafast", 18, 1, 1), StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
            flow.packager(new HlsSettings(hls, 1, 0, 0));
            IngestService ingest = flow.ingest(IngestSettings.defaults());
            String camera = "test://smpte?size=320x240&fps=10/1&frames=40&live=true";
            ingest.start(Source.parse(StreamId.of("door"), camera, false), IngestSettings.defaults(), Region.parse("0,0,0.5,0.5"));
            ingest.start(Source.parse(StreamId.of("till"), camera, false), IngestSettings.defaults(), Region.parse("0.5,0,0.5,0.5"));
            assertEquals(1, ingest.sharedDecoders(), "one connection to the camera for both regions");
            assertTrue(ingest.awaitAll(60_000));
            EndToEndIT.awaitEndList(hls.resolve("door/sr/index.m3u8"));
            EndToEndIT.awaitEndList(hls.resolve("till/sr/index.m3u8"));

            // The LR frames as ingested, by stream and seq: what each region stream carried.
            Map<String, Map<Long, byte[]>> lr = new HashMap<>();
            for (var r : TopicReader.readUntil(kafka, flow.topics.lr(), false, Duration.ofSeconds(30), TopicReader.endedAll("door", "till"))) {
                if (FrameHeaders.decode(r.key(), r.headers(), r.value()) instanceof Decoded.FrameRecord f) {
                    assertEquals(new FrameSize(160, 120), new FrameSize(f.frame().width(), f.frame().height()));
                    lr.computeIfAbsent(f.frame().stream().value(), k -> new HashMap<>()).put(f.frame().seq(), f.frame().payload());
                }
            }
            Map<String, List<TestMedia.Decoded>> sr = new HashMap<>();
            for (String id : List.of("door", "till")) {
                sr.put(id, TestMedia.decodeTs(Flow.concatenate(hls.resolve(id + "/sr/index.m3u8"), tmp.resolve(id + ".ts"))));
                assertEquals(lr.get(id).size(), sr.get(id).size(), id + ": every ingested frame upscaled once");
                assertEquals(new FrameSize(640, 480), sr.get(id).get(0).size(), id + ": its 160x120 crop, x4");
            }
            List<String> margins = new ArrayList<>();
            for (String[] pair : new String[][] {{"door", "till"}, {"till", "door"}}) {
                for (long i = 0; i < sr.get(pair[0]).size(); i += 7) {
                    byte[] out = sr.get(pair[0]).get((int) i).pixels();
                    double own = Bicubic.psnrLuma(out, Bicubic.upscale(lr.get(pair[0]).get(i), 160, 120, 4));
                    double other = Bicubic.psnrLuma(out, Bicubic.upscale(lr.get(pair[1]).get(i), 160, 120, 4));
                    assertTrue(own > other + 5, pair[0] + " frame " + i + ": " + own + " dB against its own crop, " + other + " against " + pair[1] + "'s");
                    margins.add(String.format("%.1f/%.1f", own, other));
                }
            }
            System.out.println("region streams, luma PSNR against own/other crop upscaled by bicubic: " + margins);
        }
    }
}

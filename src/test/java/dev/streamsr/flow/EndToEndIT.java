package dev.streamsr.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamsr.engine.Engine;
import dev.streamsr.engine.OnnxRuntimeEngine;
import dev.streamsr.frame.Decoded;
import dev.streamsr.frame.Frame;
import dev.streamsr.frame.FrameHeaders;
import dev.streamsr.frame.FrameSize;
import dev.streamsr.frame.StreamId;
import dev.streamsr.ingest.IngestService;
import dev.streamsr.ingest.IngestSettings;
import dev.streamsr.stream.Source;
import dev.streamsr.media.EncoderSettings;
import dev.streamsr.packager.HlsSettings;
import dev.streamsr.testing.Bicubic;
import dev.streamsr.testing.Flow;
import dev.streamsr.testing.EmbeddedBrokerTest;
import dev.streamsr.testing.TestMedia;
import dev.streamsr.testing.TopicReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real clip through ingest, upscale, package on the embedded broker; the HLS output decoded and checked. */
class EndToEndIT extends EmbeddedBrokerTest {
    static final Supplier<Engine> BICUBIC = Flows.BICUBIC;

    @TempDir
    Path tmp;

    @Test
    void aRealClipComesOutAsHlsUpscaledFourTimesFrameForFrame() throws Exception {
        Path clip = TestMedia.tenSecondClip();
        int inputFrames = TestMedia.countFrames(clip);
        assertEquals(100, inputFrames, "the test clip is ten seconds at 10 fps");
        Path hlsRoot = tmp.resolve("hls");
        try (Flow flow = new Flow(kafka)) {
            flow.upscale(false, BICUBIC, new EncoderSettings("ultrafast", 18, 2, 2), StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
            flow.packager(new HlsSettings(hlsRoot, 2, 0, 0));
            IngestService ingest = flow.ingest(IngestSettings.defaults().withMaxInputSize(new FrameSize(320, 240)));
            ingest.start(Source.parse(StreamId.of("left"), clip.toString(), false));
            ingest.start(Source.parse(StreamId.of("right"), clip.toString(), false));
            assertTrue(ingest.awaitAll(120_000));

            Path leftPlaylist = hlsRoot.resolve("left/sr/index.m3u8");
            Path rightPlaylist = hlsRoot.resolve("right/sr/index.m3u8");
            awaitEndList(leftPlaylist);
            awaitEndList(rightPlaylist);
            awaitEndList(hlsRoot.resolve("left/source/index.m3u8"));

            List<TestMedia.Decoded> left = TestMedia.decodeTs(Flow.concatenate(leftPlaylist, tmp.resolve("left.ts")));
            List<TestMedia.Decoded> right = TestMedia.decodeTs(Flow.concatenate(rightPlaylist, tmp.resolve("right.ts")));
            List<TestMedia.Decoded> source = TestMedia.decodeTs(Flow.concatenate(hlsRoot.resolve("left/source/index.m3u8"), tmp.resolve("src.ts")));
            assertEquals(inputFrames, left.size(), "every input frame comes out once");
            assertEquals(inputFrames, right.size(), "two streams at once: the second is complete too");
            assertEquals(inputFrames, source.size(), "the source rendition is complete");
            for (TestMedia.Decoded d : left) {
                assertEquals(new FrameSize(1280, 960), d.size(), "4x the 320x240 input");
            }
            assertEquals(new FrameSize(320, 240), source.get(0).size());
            assertIncreasingPts(left);
            assertIncreasingPts(right);

            // The LR frames exactly as ingested are the input the reference upscales.
            var lrRecords = TopicReader.readUntil(kafka, flow.topics.lr(), false, Duration.ofSeconds(30), TopicReader.endedAll("left"));
            List<byte[]> lr = new ArrayList<>();
            for (var r : lrRecords) {
                if (new String(r.key()).equals("left") && FrameHeaders.decode(r.key(), r.headers(), r.value()) instanceof Decoded.FrameRecord f) {
                    Frame frame = f.frame();
                    assertEquals(lr.size(), frame.seq());
                    lr.add(frame.payload());
                }
            }
            assertEquals(inputFrames, lr.size());
            double worst = 100;
            for (int i = 0; i < inputFrames; i += 9) {
                byte[] ref = Bicubic.upscale(lr.get(i), 320, 240, 4);
                double own = Bicubic.psnrLuma(left.get(i).pixels(), ref);
                worst = Math.min(worst, own);
                assertTrue(own > 35, "frame " + i + ": luma PSNR against bicubic " + own + " dB");
                // Order: frame i of the output is closer to upscaled input i than to its neighbours.
                for (int j : new int[] {i - 3, i + 3}) {
                    if (j >= 0 && j < inputFrames) {
                        double other = Bicubic.psnrLuma(left.get(i).pixels(), Bicubic.upscale(lr.get(j), 320, 240, 4));
                        assertTrue(own > other, "frame " + i + " matches input " + j + " (" + other + " dB) better than input " + i + " (" + own + " dB)");
                    }
                }
            }
            System.out.printf("end-to-end: %d frames, worst sampled luma PSNR vs bicubic %.2f dB%n", left.size(), worst);
        }
    }

    static void awaitEndList(Path playlist) throws Exception {
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            if (Files.isRegularFile(playlist) && Files.readString(playlist).contains("#EXT-X-ENDLIST")) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(playlist + " never got #EXT-X-ENDLIST: " + (Files.exists(playlist) ? Files.readString(playlist) : "missing"));
    }

    static void assertIncreasingPts(List<TestMedia.Decoded> frames) {
        for (int i = 1; i < frames.size(); i++) {
            assertTrue(frames.get(i).pts() > frames.get(i - 1).pts(), "PTS order broken at frame " + i);
        }
    }
}

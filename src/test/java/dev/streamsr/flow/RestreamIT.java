package dev.streamsr.flow;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamsr.frame.StreamId;
import dev.streamsr.ingest.IngestService;
import dev.streamsr.ingest.IngestSettings;
import dev.streamsr.media.EncoderSettings;
import dev.streamsr.packager.HlsSettings;
import dev.streamsr.stream.Source;
import dev.streamsr.testing.EmbeddedBrokerTest;
import dev.streamsr.testing.Flow;
import dev.streamsr.testing.Servers;
import dev.streamsr.testing.TestMedia;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restream to a server operators run: the upscaled rendition with its audio pushed over SRT to a
 * real listener (gst-launch's srtsrc), which is not there at first, goes away and comes back.
 */
class RestreamIT extends EmbeddedBrokerTest {
    @TempDir
    Path tmp;

    private static Process listener(int port, Path out) throws Exception {
        return new ProcessBuilder("gst-launch-1.0", "-q", "srtsrc", "uri=srt://:" + port + "?mode=listener", "!", "filesink",
                "location=" + out).redirectErrorStream(true).redirectOutput(out.resolveSibling(out.getFileName() + ".log").toFile()).start();
    }

    @Test
    void anSrtListenerGetsTheUpscaledVideoWithAudioAndIsReconnectedAfterItComesBack() throws Exception {
        int port = Servers.freePort();
        Path clip = TestMedia.flashAndBeepClip(tmp.resolve("clip.ts"), 6, 1.0, 3.0, 5.0);
        try (Flow flow = new Flow(kafka)) {
            flow.upscale(false, Flows.BICUBIC, new EncoderSettings("ultrafast", 23, 1, 1), StreamThreadExceptionResponse.REPLACE_THREAD);
            flow.packager(new HlsSettings(tmp.resolve("hls"), 1, 6, 10), Map.of("cam", "srt://127.0.0.1:" + port + "?mode=caller"));
            IngestService ingest = flow.ingest(IngestSettings.defaults());
            ingest.start(Source.parse(StreamId.of("cam"), clip.toString(), true)); // looped: a live stream that goes on
            Thread.sleep(4_000); // nobody listening yet: the packager retries with back-off, HLS goes on

            Path first = tmp.resolve("first.ts");
            Process a = listener(port, first);
            Thread.sleep(8_000);
            a.destroy();
            assertTrue(a.waitFor(10, TimeUnit.SECONDS));
            Thread.sleep(2_000); // the connection is gone: the next push fails, the packager backs off

            Path second = tmp.resolve("second.ts");
            Process b = listener(port, second);
            Thread.sleep(12_000);
            b.destroy();
            assertTrue(b.waitFor(10, TimeUnit.SECONDS));

            for (Path got : new Path[] {first, second}) {
                assertTrue(Files.size(got) > 10_000, got.getFileName() + ": " + Files.size(got) + " bytes received");
                var frames = TestMedia.decodeTs(got);
                assertTrue(frames.size() > 25, got.getFileName() + ": " + frames.size() + " frames decoded");
                assertTrue(frames.stream().allMatch(f -> f.width() == 640 && f.height() == 480), got.getFileName() + ": at the SR size");
                var audio = TestMedia.decodeTsAudio(got);
                assertTrue(audio.samples().length > 48_000, got.getFileName() + ": " + audio.samples().length + " audio samples");
            }
            // (srtsink keeps its caller connection itself: frames while nobody listened went nowhere, and it reconnected.)
        }
    }

    /** What a player of the RTMP server gets, for {@code seconds}, as MPEG-TS in a file. */
    private Path play(int port, String name, int seconds) throws Exception {
        Path out = tmp.resolve(name);
        Process p = new ProcessBuilder("gst-launch-1.0", "-q", "rtmp2src", "location=rtmp://127.0.0.1:" + port + "/live/cam", "!",
                "flvdemux", "name=d", "d.video", "!", "queue", "!", "h264parse", "!", "mpegtsmux", "name=m", "!", "filesink",
                "location=" + out, "d.audio", "!", "queue", "!", "aacparse", "!", "m.").redirectErrorStream(true)
                .redirectOutput(tmp.resolve(name + ".log").toFile()).start();
        Thread.sleep(seconds * 1000L);
        p.destroy();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        return out;
    }

    @Test
    void anRtmpServerThatIsDownThenRestartedGetsTheStreamAgain() throws Exception {
        int port = Servers.freePort();
        Path clip = TestMedia.flashAndBeepClip(tmp.resolve("clip.ts"), 6, 1.0, 3.0, 5.0);
        try (Flow flow = new Flow(kafka)) {
            flow.upscale(false, Flows.BICUBIC, new EncoderSettings("ultrafast", 23, 1, 1), StreamThreadExceptionResponse.REPLACE_THREAD);
            flow.packager(new HlsSettings(tmp.resolve("hls"), 1, 6, 10), Map.of("cam", "rtmp://127.0.0.1:" + port + "/live/cam"));
            IngestService ingest = flow.ingest(IngestSettings.defaults());
            ingest.start(Source.parse(StreamId.of("cam"), clip.toString(), true));
            Thread.sleep(4_000); // no server yet: pushes fail, the packager backs off and counts what it could not send
            double whileDown = flow.registry.get("streamsr.frames.dropped").tags("stream", "cam", "reason", "output-unavailable").counter().count();
            assertTrue(whileDown > 0, "frames while the server was down are counted: " + whileDown);

            Process server = Servers.nginxRtmp(tmp, port);
            Thread.sleep(3_000);
            Path first = play(port, "first.ts", 8);
            server.destroy();
            assertTrue(server.waitFor(10, TimeUnit.SECONDS));
            Thread.sleep(3_000);
            server = Servers.nginxRtmp(tmp, port); // back: the next key frame after the back-off reconnects
            try {
                Thread.sleep(3_000);
                Path second = play(port, "second.ts", 10);
                for (Path got : new Path[] {first, second}) {
                    var frames = TestMedia.decodeTs(got);
                    assertTrue(frames.size() > 25, got.getFileName() + ": " + frames.size() + " frames decoded");
                    assertTrue(frames.stream().allMatch(f -> f.width() == 640 && f.height() == 480), got.getFileName() + ": at the SR size");
                    assertTrue(TestMedia.decodeTsAudio(got).samples().length > 48_000, got.getFileName() + ": audio");
                }
            } finally {
                server.destroy();
                server.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** An RTSP server taking RECORD on {@code port}; what it receives goes to {@code out}.video.ts and {@code out}.audio.ts. */
    private static Process rtspRecordServer(int port, Path out) throws Exception {
        Process p = new ProcessBuilder("/usr/bin/python3", Path.of("src/test/resources/servers/rtsp-record-server.py").toAbsolutePath().toString(),
                Integer.toString(port), out.toString()).redirectErrorStream(true).start();
        String line = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine();
        assertTrue("ready".equals(line), "RTSP record server: " + line);
        return p;
    }

    @Test
    void anRtspServerTakingRecordGetsTheStreamAndAfterARestartAgain() throws Exception {
        int port = Servers.freePort();
        Path clip = TestMedia.flashAndBeepClip(tmp.resolve("clip.ts"), 6, 1.0, 3.0, 5.0);
        try (Flow flow = new Flow(kafka)) {
            flow.upscale(false, Flows.BICUBIC, new EncoderSettings("ultrafast", 23, 1, 1), StreamThreadExceptionResponse.REPLACE_THREAD);
            flow.packager(new HlsSettings(tmp.resolve("hls"), 1, 6, 10), Map.of("cam", "rtsp://127.0.0.1:" + port + "/live"));
            IngestService ingest = flow.ingest(IngestSettings.defaults());
            ingest.start(Source.parse(StreamId.of("cam"), clip.toString(), true));
            Thread.sleep(4_000); // no server yet: the packager backs off and counts what it could not send
            double whileDown = flow.registry.get("streamsr.frames.dropped").tags("stream", "cam", "reason", "output-unavailable").counter().count();
            assertTrue(whileDown > 0, "frames while the server was down are counted: " + whileDown);

            Process server = rtspRecordServer(port, tmp.resolve("first"));
            Thread.sleep(10_000);
            server.destroy();
            assertTrue(server.waitFor(10, TimeUnit.SECONDS));
            Thread.sleep(3_000);
            server = rtspRecordServer(port, tmp.resolve("second")); // back: the next key frame after the back-off reconnects
            try {
                Thread.sleep(12_000);
            } finally {
                server.destroy();
                server.waitFor(10, TimeUnit.SECONDS);
            }
            for (String name : new String[] {"first", "second"}) {
                var frames = TestMedia.decodeTs(tmp.resolve(name + ".video.ts"));
                assertTrue(frames.size() > 25, name + ": " + frames.size() + " frames decoded");
                assertTrue(frames.stream().allMatch(f -> f.width() == 640 && f.height() == 480), name + ": at the SR size");
                int samples = TestMedia.decodeTsAudio(tmp.resolve(name + ".audio.ts")).samples().length;
                assertTrue(samples > 48_000, name + ": " + samples + " audio samples");
            }
        }
    }

    /**
     * The output in the stream's spec (what POST and PATCH /api/streams write): the packager pushes
     * there, and follows a change to another target while the stream plays, without restarting it.
     */
    @Test
    void theOutputInTheStreamsSpecIsFollowedWhileTheStreamPlays() throws Exception {
        int firstPort = Servers.freePort();
        int secondPort = Servers.freePort();
        Path clip = TestMedia.flashAndBeepClip(tmp.resolve("clip.ts"), 6, 1.0, 3.0, 5.0);
        Process a = rtspRecordServer(firstPort, tmp.resolve("first"));
        Process b = rtspRecordServer(secondPort, tmp.resolve("second"));
        try (Flow flow = new Flow(kafka);
             dev.streamsr.stream.StreamRegistry registry = new dev.streamsr.stream.StreamRegistry(flow.kafka, java.util.List.of(tmp))) {
            flow.upscale(false, Flows.BICUBIC, new EncoderSettings("ultrafast", 23, 1, 1), StreamThreadExceptionResponse.REPLACE_THREAD);
            flow.packager(new HlsSettings(tmp.resolve("hls"), 1, 6, 10));
            IngestService ingest = flow.ingest(IngestSettings.defaults());
            try (var assignment = new dev.streamsr.ingest.StreamAssignment(flow.kafka, "restream-it-ingest", ingest, IngestSettings.defaults(), true).start()) {
                var spec = new dev.streamsr.stream.StreamSpec("registered", "file://" + clip, null, true, null,
                        "rtsp://127.0.0.1:" + firstPort + "/live");
                registry.put(spec);
                Thread.sleep(12_000);
                var playing = ingest.streams().get(StreamId.of("registered"));
                assertTrue(playing != null, "the registered stream is ingested");

                registry.put(spec.withOutput("rtsp://127.0.0.1:" + secondPort + "/live"));
                Thread.sleep(2_000);
                long firstSize = Files.size(tmp.resolve("first.video.ts"));
                Thread.sleep(10_000);
                assertTrue(Files.size(tmp.resolve("first.video.ts")) == firstSize, "the first target got nothing more after the move");
                assertTrue(ingest.streams().get(StreamId.of("registered")) == playing, "a new output must not restart the source");
                registry.delete(StreamId.of("registered"));
            }
        } finally {
            for (Process p : new Process[] {a, b}) {
                p.destroy();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
        for (String name : new String[] {"first", "second"}) {
            var frames = TestMedia.decodeTs(tmp.resolve(name + ".video.ts"));
            assertTrue(frames.size() > 25, name + ": " + frames.size() + " frames decoded");
            assertTrue(frames.stream().allMatch(f -> f.width() == 640 && f.height() == 480), name + ": at the SR size");
        }
    }
}

package dev.streamsr.ingest;

import dev.streamsr.stream.Source;
import dev.streamsr.stream.StreamState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.SimpleFileServer;
import dev.streamsr.frame.Decoded;
import dev.streamsr.frame.Frame;
import dev.streamsr.frame.FrameHeaders;
import dev.streamsr.frame.FrameSize;
import dev.streamsr.frame.StreamId;
import dev.streamsr.kafka.TopicAdmin;
import dev.streamsr.kafka.TopicSettings;
import dev.streamsr.kafka.Topics;
import dev.streamsr.serve.SourceBoard;
import dev.streamsr.serve.StreamDirectory;
import dev.streamsr.testing.EmbeddedBrokerTest;
import dev.streamsr.testing.TopicReader;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every live protocol, each from a real server or sender started on 127.0.0.1 by the test: the
 * stream's video becomes gap-free frames on the LR topic and its AAC audio reaches the audio topic.
 */
class LiveSourcesIT extends EmbeddedBrokerTest {
    private static final AtomicInteger RUN = new AtomicInteger();
    private static final String VIDEO = "videotestsrc is-live=true pattern=ball ! video/x-raw,width=160,height=120,framerate=25/1"
            + " ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=25 ! h264parse";
    private static final String AUDIO = "audiotestsrc is-live=true ! audio/x-raw,rate=48000,channels=1 ! audioconvert ! avenc_aac ! aacparse";

    @TempDir
    Path tmp;

    private final List<Process> processes = new ArrayList<>();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void stopEverything() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        processes.forEach(Process::destroyForcibly);
    }

    private Process start(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(tmp.resolve("proc" + processes.size() + ".log").toFile()).start();
        processes.add(p);
        return p;
    }

    /** {@code gst-launch-1.0 -q} with a description whose tokens are separated by spaces. */
    private Process gst(String description) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("gst-launch-1.0", "-q"));
        cmd.addAll(List.of(description.split(" ")));
        return start(cmd.toArray(String[]::new));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void await(String what, BooleanSupplier condition, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    private record Ingest(Topics topics, IngestService service, SimpleMeterRegistry registry, KafkaProducer<byte[], byte[]> producer) {
        double audioFrames(String stream) {
            var c = registry.find("streamsr.ingest.audio.frames").tag("stream", stream).counter();
            return c == null ? 0 : c.count();
        }

        double gauge(String name, String stream, String state) {
            var g = registry.find(name).tag("stream", stream).tag("state", state).gauge();
            return g == null ? -1 : g.value();
        }
    }

    private Ingest ingest(IngestSettings settings) {
        Topics topics = Topics.prefixed("live" + RUN.incrementAndGet());
        TopicAdmin.ensureTopics(kafka, topics, new TopicSettings(2, (short) 1, 600_000));
        var registry = new SimpleMeterRegistry();
        var producer = new KafkaProducer<byte[], byte[]>(kafka.producer("live-it"));
        IngestService service = new IngestService(settings, new KafkaFrameSink(producer, topics, registry), registry);
        open.add(producer);
        open.add(service);
        return new Ingest(topics, service, registry, producer);
    }

    /** Plays a live URI until 40 frames and 20 AAC frames went out, then checks what is on the topics. */
    private void playsWithAudio(String uri) throws Exception {
        Ingest in = ingest(IngestSettings.defaults());
        StreamIngest s = in.service().start(Source.parse(StreamId.of("cam"), uri, false));
        await(uri + " to deliver 40 frames and 20 audio frames (state " + s.state() + ", last error " + s.lastError() + ")",
                () -> s.framesPublished() >= 40 && in.audioFrames("cam") >= 20, 45_000);
        assertEquals(StreamState.PLAYING, s.state());
        var records = TopicReader.readUntil(kafka, in.topics().lr(), false, Duration.ofSeconds(20), r -> r.size() >= 40);
        long lastPts = -1;
        for (int i = 0; i < 40; i++) {
            Frame f = ((Decoded.FrameRecord) FrameHeaders.decode(records.get(i).key(), records.get(i).headers(), records.get(i).value())).frame();
            assertEquals(i, f.seq(), "gap-free seq from 0");
            assertTrue(f.ptsNanos() > lastPts, "PTS increase");
            lastPts = f.ptsNanos();
            assertEquals(new FrameSize(160, 120), f.size());
        }
        var audio = TopicReader.readUntil(kafka, in.topics().audio(), false, Duration.ofSeconds(20), r -> r.size() >= 20);
        for (var r : audio.subList(0, 20)) {
            assertTrue(FrameHeaders.decode(r.key(), r.headers(), r.value()) instanceof Decoded.AudioRecord, "an AAC frame");
        }
    }

    @Test
    void rtspFromGstRtspServer() throws Exception {
        Process server = start("/usr/bin/python3", Path.of("src/test/resources/servers/rtsp-server.py").toAbsolutePath().toString(), "/cam");
        await("the RTSP server to listen", () -> readPort(tmp.resolve("proc0.log")) > 0, 20_000);
        assertTrue(server.isAlive());
        playsWithAudio("rtsp://127.0.0.1:" + readPort(tmp.resolve("proc0.log")) + "/cam");
    }

    private static int readPort(Path log) {
        try (BufferedReader r = Files.newBufferedReader(log)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.startsWith("port ")) {
                    return Integer.parseInt(line.substring(5).trim());
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    @Test
    void srtFromAListeningSender() throws Exception {
        int port = freePort();
        gst(VIDEO + " ! mpegtsmux name=mux alignment=7 ! srtsink uri=srt://127.0.0.1:" + port + "?mode=listener wait-for-connection=false "
                + AUDIO + " ! mux.");
        playsWithAudio("srt://127.0.0.1:" + port);
    }

    @Test
    void udpMpegTsWithAudio() throws Exception {
        int port = freePort();
        gst(VIDEO + " ! mpegtsmux name=mux alignment=7 ! udpsink host=127.0.0.1 port=" + port + " " + AUDIO + " ! mux.");
        playsWithAudio("udp://127.0.0.1:" + port);
    }

    @Test
    void audioInAnotherCodecIsEncodedToAacOnce() throws Exception {
        int port = freePort();
        gst(VIDEO + " ! mpegtsmux name=mux alignment=7 ! udpsink host=127.0.0.1 port=" + port
                + " audiotestsrc is-live=true ! audio/x-raw,rate=48000,channels=1 ! audioconvert ! lamemp3enc ! mpegaudioparse ! mux.");
        playsWithAudio("udp://127.0.0.1:" + port);
    }

    @Test
    void hlsServedOverLocalHttp() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("hls"));
        gst(VIDEO + " ! hlssink2 name=hls target-duration=1 playlist-length=5 max-files=10 location=" + dir.resolve("seg%05d.ts")
                + " playlist-location=" + dir.resolve("index.m3u8") + " " + AUDIO + " ! hls.audio");
        HttpServer http = SimpleFileServer.createFileServer(new InetSocketAddress("127.0.0.1", 0), dir, SimpleFileServer.OutputLevel.NONE);
        http.start();
        open.add(() -> http.stop(0));
        await("the first HLS segments", () -> Files.exists(dir.resolve("seg00002.ts")), 20_000);
        playsWithAudio("http://127.0.0.1:" + http.getAddress().getPort() + "/index.m3u8");
    }

    @Test
    void rtmpThroughNginx() throws Exception {
        int port = freePort();
        processes.add(dev.streamsr.testing.Servers.nginxRtmp(tmp, port));
        gst(VIDEO + " ! flvmux name=mux streamable=true ! rtmp2sink location=rtmp://127.0.0.1:" + port + "/live/cam " + AUDIO + " ! mux.");
        playsWithAudio("rtmp://127.0.0.1:" + port + "/live/cam");
    }

    private static String streamJson(int port, String id) {
        try {
            var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + port + "/streams/" + id)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body() : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    @Test
    void aDroppedSourceShowsReconnectingAndResumesWithoutASeqGap() throws Exception {
        int port = freePort();
        String sender = VIDEO + " ! mpegtsmux alignment=7 ! srtsink uri=srt://127.0.0.1:" + port + "?mode=listener wait-for-connection=false";
        Process first = gst(sender);
        Ingest in = ingest(IngestSettings.defaults().withRetries(-1, Duration.ofMillis(200), Duration.ofSeconds(1)));
        String id = "flaky-" + RUN.get();
        StreamIngest s = in.service().start(Source.parse(StreamId.of(id), "srt://127.0.0.1:" + port, false));
        // /streams as an operator sees it: a serve role reading what ingest reports on streamsr.status.
        open.add(new StatusReporter(in.producer(), in.service()).start());
        SourceBoard board = new SourceBoard(kafka).start();
        open.add(board);
        var http = new dev.streamsr.serve.HttpServer(new StreamDirectory(tmp.resolve("hls"), java.time.Clock.systemUTC(), board),
                new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT),
                new dev.streamsr.metrics.Health("serve")).start("127.0.0.1", 0);
        open.add(http);
        await("30 frames", () -> s.framesPublished() >= 30, 30_000);
        assertEquals(1.0, in.gauge("streamsr.source.state", id, "playing"));
        await("/streams to show the stream playing", () -> streamJson(http.port(), id).contains("\"state\":\"playing\""), 10_000);

        first.destroyForcibly().waitFor();
        await("the stream to show reconnecting", () -> s.state() == StreamState.RECONNECTING, 20_000);
        assertEquals(1.0, in.gauge("streamsr.source.state", id, "reconnecting"), "metrics say reconnecting too");
        await("/streams to show reconnecting", () -> streamJson(http.port(), id).startsWith("{\"id\":\"" + id + "\",\"state\":\"reconnecting\""), 10_000);
        assertEquals(0.0, in.gauge("streamsr.source.state", id, "playing"));
        long before = s.framesPublished();

        gst(sender);
        await("frames after the sender came back", () -> s.framesPublished() >= before + 30, 30_000);
        assertEquals(StreamState.PLAYING, s.state());
        assertTrue(in.registry().find("streamsr.source.reconnects").tag("stream", id).counter().count() >= 1);
        await("/streams to show playing again", () -> streamJson(http.port(), id).contains("\"source\":{\"state\":\"playing\""), 10_000);
        var records = TopicReader.readUntil(kafka, in.topics().lr(), false, Duration.ofSeconds(20), r -> r.size() >= before + 30);
        for (int i = 0; i < records.size(); i++) {
            var d = FrameHeaders.decode(records.get(i).key(), records.get(i).headers(), records.get(i).value());
            assertEquals(i, ((Decoded.FrameRecord) d).frame().seq(), "seq continues across the reconnect");
        }
    }
}

package dev.streamsr.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamsr.frame.EndOfStream;
import dev.streamsr.frame.Frame;
import dev.streamsr.frame.StreamId;
import dev.streamsr.stream.Region;
import dev.streamsr.stream.Source;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Region of interest through real GStreamer pipelines: the stream carries the crop of the decoded
 * picture its region names, and the region moves while the source plays, with no frame lost.
 */
class RegionIT {
    /** Frames per stream, in memory: this test is about the pipeline, not Kafka. */
    private static final class Frames implements FrameSink {
        final Map<String, List<Frame>> byStream = new ConcurrentHashMap<>();

        @Override
        public void publish(Frame frame) {
            byStream.computeIfAbsent(frame.stream().value(), k -> new CopyOnWriteArrayList<>()).add(frame);
        }

        @Override
        public void end(EndOfStream end) {
        }

        List<Frame> of(String id) {
            return byStream.getOrDefault(id, List.of());
        }
    }

    /** Mean absolute difference of {@code crop} against the same-size window of {@code whole} at (x, y), RGB. */
    private static double difference(Frame whole, int x, int y, Frame crop) {
        long sum = 0;
        for (int r = 0; r < crop.height(); r++) {
            for (int c = 0; c < crop.width() * 3; c++) {
                int a = whole.payload()[((y + r) * whole.width() + x) * 3 + c] & 0xff;
                int b = crop.payload()[(r * crop.width()) * 3 + c] & 0xff;
                sum += Math.abs(a - b);
            }
        }
        return (double) sum / (crop.width() * crop.height() * 3);
    }

    @Test
    void aRegionStreamCarriesThatCropOfTheDecodedPicture() throws Exception {
        Frames frames = new Frames();
        try (IngestService service = new IngestService(IngestSettings.defaults(), frames, new SimpleMeterRegistry())) {
            String uri = "test://smpte?size=320x240&fps=30/1&frames=5";
            service.start(Source.parse(StreamId.of("whole"), uri, false));
            service.start(Source.parse(StreamId.of("corner"), uri, false), IngestSettings.defaults(), Region.parse("0.5,0.5,0.5,0.5"));
            service.start(Source.parse(StreamId.of("left"), uri, false), IngestSettings.defaults(), Region.parse("0,0.25,0.25,0.5"));
            assertTrue(service.awaitAll(30_000));
        }
        Frame whole = frames.of("whole").get(0);
        Frame corner = frames.of("corner").get(0);
        Frame left = frames.of("left").get(0);
        assertEquals(5, frames.of("corner").size());
        assertEquals(List.of(160, 120), List.of(corner.width(), corner.height()));
        assertEquals(List.of(80, 120), List.of(left.width(), left.height()));
        double own = difference(whole, 160, 120, corner);
        assertTrue(own < 3, "the corner stream is the bottom-right quarter: mean difference " + own);
        assertTrue(difference(whole, 0, 60, left) < 3, "the left stream is its strip: " + difference(whole, 0, 60, left));
        assertTrue(difference(whole, 0, 0, corner) > 20, "and not another part of the picture: " + difference(whole, 0, 0, corner));
    }

    /** The region moves while a live source plays: the next frames show the new part, and every frame keeps its seq. */
    @Test
    void aRegionMovesWhileTheSourcePlaysAndNoFrameIsLost() throws Exception {
        Frames frames = new Frames();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (IngestService service = new IngestService(IngestSettings.defaults(), frames, registry)) {
            String uri = "test://smpte?size=320x240&fps=30/1&frames=90&live=true";
            StreamIngest s = service.start(Source.parse(StreamId.of("door"), uri, false), IngestSettings.defaults(),
                    Region.parse("0,0,0.5,0.5"));
            long deadline = System.currentTimeMillis() + 20_000;
            while (frames.of("door").size() < 20 && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            int before = frames.of("door").size();
            s.region(Region.parse("0.5,0.5,0.5,0.5"));
            assertThrows(IllegalArgumentException.class, () -> s.region(Region.parse("0,0,0.04,0.04")), "16x16 at least");
            assertTrue(service.awaitAll(30_000));
            List<Frame> all = frames.of("door");
            for (int i = 0; i < all.size(); i++) {
                assertEquals(i, all.get(i).seq(), "gap-free seq across the move");
            }
            // The first frame after the move that shows the new part, and how long after the move it came.
            Frame topLeft = all.get(0);
            int changed = -1;
            for (int i = before; i < all.size(); i++) {
                if (difference(all.get(i), 0, 0, topLeft) > 20) {
                    changed = i;
                    break;
                }
            }
            assertTrue(changed >= before, "the picture changed after the move");
            System.out.println("region moved: the new part showed " + (changed - before) + " frames after the move");
            assertTrue(changed - before <= 30, "within a second of frames at 30 fps: " + (changed - before) + " frames later");
            // A live source may drop a frame the consumer was too slow for; each one is counted, none vanishes.
            double dropped = registry.get("streamsr.frames.dropped").tags("stream", "door", "reason", "source-overrun").counter().count();
            assertEquals(90, all.size() + (long) dropped, "frames delivered " + all.size() + " + counted drops " + dropped);
        }
    }

    /**
     * Two regions of one live camera: one decode of the source for both (one connection), each
     * stream its own crop of the same pictures, and moving one region leaves the other alone.
     */
    @Test
    void regionsOfOneCameraShareOneDecode() throws Exception {
        Frames frames = new Frames();
        try (IngestService service = new IngestService(IngestSettings.defaults(), frames, new SimpleMeterRegistry())) {
            String camera = "test://smpte?size=320x240&fps=30/1&live=true";
            service.start(Source.parse(StreamId.of("whole"), camera, false)); // its own connection, for reference pictures
            StreamIngest door = service.start(Source.parse(StreamId.of("door"), camera, false), IngestSettings.defaults(), Region.parse("0,0,0.5,0.5"));
            // (Regions on smpte's bars: its corner of noise differs from picture to picture.)
            service.start(Source.parse(StreamId.of("till"), camera, false), IngestSettings.defaults(), Region.parse("0.5,0,0.5,0.5"));
            assertEquals(1, service.sharedDecoders(), "one decode of the camera for both regions");
            long deadline = System.currentTimeMillis() + 20_000;
            while ((frames.of("door").size() < 10 || frames.of("till").size() < 10 || frames.of("whole").isEmpty())
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            Frame whole = frames.of("whole").get(0);
            Frame a = frames.of("door").get(5);
            Frame b = frames.of("till").get(5);
            assertEquals(List.of(160, 120), List.of(a.width(), a.height()));
            assertEquals(List.of(160, 120), List.of(b.width(), b.height()));
            assertTrue(difference(whole, 0, 0, a) < 3 && difference(whole, 160, 0, a) > 20, "door is the top-left quarter: "
                    + difference(whole, 0, 0, a) + " / " + difference(whole, 160, 0, a));
            assertTrue(difference(whole, 160, 0, b) < 3 && difference(whole, 0, 0, b) > 20, "till is the top-right quarter: "
                    + difference(whole, 160, 0, b) + " / " + difference(whole, 0, 0, b));
            for (int i = 1; i < frames.of("door").size(); i++) {
                assertEquals(i, frames.of("door").get(i).seq());
            }
            // The region streams carry the camera's timestamps: the same picture has the same PTS in both.
            assertEquals(frames.of("door").get(5).ptsNanos() > 0, frames.of("till").get(5).ptsNanos() > 0);
            int before = frames.of("till").size();
            door.region(Region.parse("0,0.5,0.5,0.5"));
            Thread.sleep(1_000);
            assertTrue(frames.of("till").size() > before + 10, "till plays on while door moves");
            Frame moved = frames.of("door").get(frames.of("door").size() - 1);
            assertTrue(difference(whole, 0, 120, moved) < 3, "door moved to the bottom-left quarter: " + difference(whole, 0, 120, moved));
            service.stop(StreamId.of("door"));
            assertEquals(1, service.sharedDecoders(), "till still uses the shared decode");
            service.stop(StreamId.of("till"));
            assertEquals(0, service.sharedDecoders(), "the last region stream closes the camera's connection");
        }
    }
}

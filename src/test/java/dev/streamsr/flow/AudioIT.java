package dev.streamsr.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamsr.testing.EmbeddedBrokerTest;
import dev.streamsr.testing.Flow;
import dev.streamsr.testing.TestMedia;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A source with AAC audio: the audio goes around the upscaler on streamsr.audio and comes out in
 * the HLS output, audible and in sync with the upscaled video. Sync is measured from the decoded
 * output alone: the clip has a white frame and a beep starting together at known times.
 */
class AudioIT extends EmbeddedBrokerTest {
    private static final double[] EVENTS = {1.2, 2.8, 4.4, 6.0};
    private static final long TOLERANCE_NS = 40_000_000L;

    @TempDir
    Path tmp;

    /** Start times of white frames. */
    static List<Long> flashes(List<TestMedia.Decoded> frames) {
        List<Long> out = new ArrayList<>();
        boolean wasWhite = false;
        for (TestMedia.Decoded f : frames) {
            long sum = 0;
            int luma = f.width() * f.height();
            for (int i = 0; i < luma; i++) {
                sum += f.pixels()[i] & 0xFF;
            }
            boolean white = sum / luma > 128;
            if (white && !wasWhite) {
                out.add(f.pts());
            }
            wasWhite = white;
        }
        return out;
    }

    /** Onsets of beeps: the first loud sample after at least 100 ms of quiet. */
    static List<Long> beeps(TestMedia.Audio audio) {
        List<Long> out = new ArrayList<>();
        int quiet = TestMedia.Audio.RATE / 10;
        int lastLoud = -quiet;
        for (int i = 0; i < audio.samples().length; i++) {
            if (Math.abs(audio.samples()[i]) > 3000) {
                if (i - lastLoud >= quiet) {
                    out.add(audio.ptsOf(i));
                }
                lastLoud = i;
            }
        }
        return out;
    }

    static long[] offsets(List<Long> flashes, List<Long> beeps) {
        assertEquals(EVENTS.length, flashes.size(), "white frames found: " + flashes);
        assertEquals(EVENTS.length, beeps.size(), "beeps found: " + beeps);
        long[] out = new long[EVENTS.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = beeps.get(i) - flashes.get(i);
        }
        return out;
    }

    @Test
    void aacAudioComesOutOfTheUpscaledHlsAudibleAndInSync() throws Exception {
        Path clip = TestMedia.flashAndBeepClip(tmp.resolve("av.ts"), 8, EVENTS);
        long[] before = offsets(flashes(TestMedia.decodeTs(clip)), beeps(TestMedia.decodeTsAudio(clip)));

        try (Flow flow = new Flow(kafka)) {
            Path playlist = Flows.fileToHls(flow, clip, "av", tmp.resolve("hls"));
            Path out = Flow.concatenate(playlist, tmp.resolve("out.ts"));

            List<TestMedia.Decoded> video = TestMedia.decodeTs(out);
            assertEquals(640, video.get(0).width(), "the video is the upscaled one");
            assertEquals(8 * 25, video.size(), "every frame is there");
            TestMedia.Audio audio = TestMedia.decodeTsAudio(out);
            double seconds = audio.samples().length / (double) TestMedia.Audio.RATE;
            assertTrue(seconds > 7.5, "audio runs the length of the clip: " + seconds + " s");
            long[] after = offsets(flashes(video), beeps(audio));
            for (int i = 0; i < after.length; i++) {
                System.out.printf("event %.1f s: audio-video offset in the source %+.1f ms, in the HLS output %+.1f ms%n",
                        EVENTS[i], before[i] / 1e6, after[i] / 1e6);
                assertTrue(Math.abs(after[i]) <= TOLERANCE_NS, "event " + EVENTS[i] + " s: audio is " + after[i] / 1e6
                        + " ms off the video in the output (source: " + before[i] / 1e6 + " ms)");
            }
            double published = flow.registry.find("streamsr.ingest.audio.frames").tag("stream", "av").counter().count();
            double muxed = flow.registry.find("streamsr.audio.frames").tag("stream", "av").counter().count();
            double dropped = flow.registry.find("streamsr.audio.dropped").tag("stream", "av").counter().count();
            System.out.printf("AAC frames: %.0f published, %.0f muxed, %.0f dropped%n", published, muxed, dropped);
            assertTrue(published >= 8 * 46, "8 s of 1024-sample AAC frames at 48 kHz published: " + published);
            assertEquals(published, muxed, "every published AAC frame is muxed");
        }
    }
}

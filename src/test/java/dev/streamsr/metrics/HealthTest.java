package dev.streamsr.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class HealthTest {
    @Test
    void theRoleIsOnlyAsReadyAndLiveAsItsWorstPart() {
        AtomicReference<Health.Check> kafka = new AtomicReference<>(Health.Check.up("reachable", Map.of()));
        AtomicReference<Health.Check> engine = new AtomicReference<>(Health.Check.notReady("starting", Map.of()));
        try (Health h = new Health("upscale").add("kafka", kafka::get).add("upscale", engine::get)) {
            h.evaluate();
            Health.Report r = h.report();
            assertTrue(r.live());
            assertFalse(r.ready());
            assertEquals("not ready", r.body().get("status"));
            assertEquals("starting", ((Map<?, ?>) ((Map<?, ?>) r.body().get("checks")).get("upscale")).get("state"));

            engine.set(Health.Check.up("running", Map.of()));
            h.evaluate();
            assertTrue(h.report().ready());
            assertEquals("ready", h.report().body().get("status"));

            engine.set(Health.Check.dead("engine failed", Map.of("error", "broken.onnx: not a model")));
            h.evaluate();
            r = h.report();
            assertFalse(r.live());
            assertFalse(r.ready());
            assertEquals("down", r.body().get("status"));
            assertEquals("broken.onnx: not a model", ((Map<?, ?>) ((Map<?, ?>) r.body().get("checks")).get("upscale")).get("error"));
        }
    }

    @Test
    void aProbeThatThrowsMakesItsPartNotReadyNotTheServerFail() {
        try (Health h = new Health("serve").add("hls", () -> {
            throw new IllegalStateException("disk gone");
        })) {
            h.evaluate();
            Health.Report r = h.report();
            assertTrue(r.live());
            assertFalse(r.ready());
            assertEquals("disk gone", ((Map<?, ?>) ((Map<?, ?>) r.body().get("checks")).get("hls")).get("error"));
        }
    }

    @Test
    void aPartNotYetEvaluatedIsStarting() {
        try (Health h = new Health("ingest")) {
            h.add("slow", () -> {
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return Health.Check.up("late", Map.of());
            });
            Health.Report r = h.report();
            assertFalse(r.ready());
            assertTrue(r.live());
        }
    }

    @Test
    void aProbeThatStopsReturningMakesItsPartNotReadyInsteadOfLeavingItsLastAnswer() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        try (Health h = new Health("upscale", Duration.ofMillis(300)).add("upscale", () -> {
            if (calls.incrementAndGet() > 1) {
                try {
                    release.await(); // a call that blocks, as a probe waiting on a lock would
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return Health.Check.up("running", Map.of());
        })) {
            Health.Report r = h.report();
            for (long deadline = System.nanoTime() + 10_000_000_000L; !"probe stalled".equals(state(r, "upscale"))
                    && System.nanoTime() < deadline; r = h.report()) {
                Thread.sleep(50);
            }
            assertEquals("probe stalled", state(r, "upscale"), r.body().toString());
            assertFalse(r.ready());
            assertTrue(r.live());
            release.countDown();
            for (long deadline = System.nanoTime() + 10_000_000_000L; !h.report().ready() && System.nanoTime() < deadline; ) {
                Thread.sleep(50);
            }
            assertTrue(h.report().ready(), "ready again once the probe answers: " + h.report().body());
        } finally {
            release.countDown();
        }
    }

    private static Object state(Health.Report r, String part) {
        return ((Map<?, ?>) ((Map<?, ?>) r.body().get("checks")).get(part)).get("state");
    }
}

package dev.streamsr.metrics;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a role says at {@code /health/live} and {@code /health/ready}. Each part of the role (the
 * broker connection, the stream threads, the engine, the sources) is a named {@link Probe}.
 * <em>Live</em> false means the process cannot recover by itself and should be restarted;
 * <em>ready</em> false means it is not doing its job right now (starting, broker unreachable).
 * Probes run on one background thread every {@link #PERIOD_MS} ms, never on the request path: a
 * probe that waits on the network cannot stall the HTTP server or a Kubernetes probe. A probe that
 * changes state is logged once, so a broker outage is one line, not one per retry. A probe that
 * does not return within the stall bound makes its part not ready, and the probe thread's stack
 * is logged once: a stuck probe must not leave its last answer standing as if it were current.
 */
public final class Health implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Health.class);
    static final long PERIOD_MS = 1_000;

    /** One part's state; {@code detail} is shown as it is (keep secrets out of it). */
    public record Check(boolean live, boolean ready, String state, Map<String, Object> detail) {
        public static Check up(String state, Map<String, Object> detail) {
            return new Check(true, true, state, detail);
        }

        public static Check notReady(String state, Map<String, Object> detail) {
            return new Check(true, false, state, detail);
        }

        public static Check dead(String state, Map<String, Object> detail) {
            return new Check(false, false, state, detail);
        }
    }

    @FunctionalInterface
    public interface Probe {
        Check check();
    }

    /** The whole role: live and ready only when every part is. */
    public record Report(boolean live, boolean ready, Map<String, Object> body) {
    }

    private final String role;
    private final Map<String, Probe> probes = new ConcurrentHashMap<>();
    private final Map<String, Check> last = new ConcurrentHashMap<>();
    private final java.util.Set<String> wasReady = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService runner;
    private final long stallNanos;
    private boolean announced;
    /** The probe being run now (null between probes), since when, and on which thread. */
    private volatile String probing;
    private volatile long probingSince;
    private volatile Thread probeThread;
    private final java.util.concurrent.atomic.AtomicLong stallLogged = new java.util.concurrent.atomic.AtomicLong();

    public Health(String role) {
        this(role, java.time.Duration.ofSeconds(15));
    }

    Health(String role, java.time.Duration stall) {
        this.role = role;
        this.stallNanos = stall.toNanos();
        this.runner = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("health").daemon(true).unstarted(r));
        runner.scheduleWithFixedDelay(this::evaluate, 0, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    /** Adds a part; until its first evaluation it counts as starting (live, not ready). */
    public Health add(String name, Probe probe) {
        probes.put(name, probe);
        runner.execute(this::evaluate);
        return this;
    }

    public String role() {
        return role;
    }

    synchronized void evaluate() {
        probes.forEach((name, probe) -> {
            Check now;
            probeThread = Thread.currentThread();
            probingSince = System.nanoTime();
            probing = name;
            try {
                now = probe.check();
            } catch (RuntimeException e) {
                now = Check.notReady("probe failed", Map.of("error", String.valueOf(e.getMessage())));
            } finally {
                probing = null;
            }
            Check before = last.put(name, now);
            boolean changed = before == null || before.live() != now.live() || before.ready() != now.ready();
            // Parts that are still starting are not news; a part that was ready and is not, or one that died, is.
            if (changed && (!now.live() || wasReady.contains(name))) {
                if (now.ready()) {
                    log.info("{} {}: ready again, {}", role, name, now.state());
                } else {
                    log.warn("{} {}: {}{}{}", role, name, now.live() ? "not ready, " : "not live, ", now.state(),
                            now.detail().containsKey("error") ? " (" + now.detail().get("error") + ")" : "");
                }
            }
            if (now.ready()) {
                wasReady.add(name);
            }
        });
        if (!announced && !probes.isEmpty() && last.keySet().containsAll(probes.keySet())
                && probes.keySet().stream().allMatch(n -> last.get(n).ready())) {
            announced = true;
            log.info("{}: ready ({})", role, probes.keySet().stream().sorted()
                    .map(n -> n + " " + last.get(n).state()).collect(java.util.stream.Collectors.joining(", ")));
        }
    }

    public Report report() {
        boolean live = true;
        boolean ready = true;
        Map<String, Object> checks = new LinkedHashMap<>();
        String stuck = probing;
        long since = probingSince;
        long stalled = System.nanoTime() - since;
        for (String name : probes.keySet().stream().sorted().toList()) {
            Check c = last.get(name);
            if (name.equals(stuck) && stalled > stallNanos) {
                c = Check.notReady("probe stalled", Map.of("stalled_s", TimeUnit.NANOSECONDS.toSeconds(stalled)));
                logStall(name, since, stalled);
            } else if (c == null) {
                c = Check.notReady("starting", Map.of());
            }
            live &= c.live();
            ready &= c.ready();
            Map<String, Object> part = new LinkedHashMap<>();
            part.put("live", c.live());
            part.put("ready", c.ready());
            part.put("state", c.state());
            part.putAll(c.detail());
            checks.put(name, part);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", !live ? "down" : ready ? "ready" : "not ready");
        body.put("role", role);
        body.put("live", live);
        body.put("ready", ready);
        body.put("checks", checks);
        return new Report(live, ready, body);
    }

    private void logStall(String name, long since, long stalled) {
        long logged = stallLogged.get();
        if (logged != since && stallLogged.compareAndSet(logged, since)) {
            Thread t = probeThread;
            StringBuilder stack = new StringBuilder();
            for (StackTraceElement e : t == null ? new StackTraceElement[0] : t.getStackTrace()) {
                stack.append("\n\tat ").append(e);
            }
            log.warn("{} {}: the probe has not returned for {} s; its last answer no longer counts. Probe thread:{}", role, name,
                    TimeUnit.NANOSECONDS.toSeconds(stalled), stack);
        }
    }

    /** Stops probing: a role that is closing its parts on purpose should not log them as failures. */
    @Override
    public void close() {
        runner.shutdownNow();
    }
}

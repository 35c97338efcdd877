package dev.streamsr.bench;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** The registry benchmarks read their figures from: every timer keeps exact p50 and p99 over the run. */
final class BenchMetrics {
    private BenchMetrics() {
    }

    static SimpleMeterRegistry registry(Duration window) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                return DistributionStatisticConfig.builder().percentiles(0.5, 0.99).percentilePrecision(2)
                        .expiry(window).bufferLength(1).build().merge(config);
            }
        });
        return registry;
    }

    /** The timer's p50 or p99 in milliseconds; NaN without the timer. */
    static double pct(Timer t, double p) {
        if (t == null) {
            return Double.NaN;
        }
        for (ValueAtPercentile v : t.takeSnapshot().percentileValues()) {
            if (Math.abs(v.percentile() - p) < 1e-9) {
                return v.value(TimeUnit.MILLISECONDS);
            }
        }
        return Double.NaN;
    }
}

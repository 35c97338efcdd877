package dev.streamsr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class DurationConverterTest {
    private final DurationConverter converter = new DurationConverter();

    @Test
    void acceptsWhatPeopleTypeAndIso8601() {
        assertEquals(Duration.ofMillis(500), converter.convert("500ms"));
        assertEquals(Duration.ofSeconds(30), converter.convert("30s"));
        assertEquals(Duration.ofMillis(1500), converter.convert("1.5s"));
        assertEquals(Duration.ofMinutes(2), converter.convert("2m"));
        assertEquals(Duration.ofHours(1), converter.convert("1h"));
        assertEquals(Duration.ofSeconds(30), converter.convert("PT30S"));
        assertEquals(Duration.ofMillis(100), converter.convert("pt0.1s"));
        assertEquals(Duration.ZERO, converter.convert("0s"));
    }

    @Test
    void refusesAnythingElseSayingWhatIsExpected() {
        TypeConversionException e = assertThrows(TypeConversionException.class, () -> converter.convert("30x"));
        assertTrue(e.getMessage().contains("'30x' is not a duration") && e.getMessage().contains("500ms, 30s, 2m"), e.getMessage());
    }
}

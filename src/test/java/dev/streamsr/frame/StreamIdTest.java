package dev.streamsr.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StreamIdTest {
    @ParameterizedTest
    @ValueSource(strings = {"cam1", "lobby.east-2", "A_b.C-9", "x", "...", ".hidden"})
    void acceptsIdsFromTheAllowedAlphabet(String id) {
        assertEquals(id, StreamId.of(id).value());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "has space", "slash/no", "../etc", "ümlaut", "semi;colon", ".", ".."})
    void rejectsEverythingElseWithAClearMessage(String id) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StreamId.of(id));
        assertTrue(e.getMessage().contains("invalid stream id"), e.getMessage());
    }

    @Test
    void rejectsIdsLongerThan64() {
        assertThrows(IllegalArgumentException.class, () -> StreamId.of("a".repeat(65)));
        assertEquals(64, StreamId.of("a".repeat(64)).value().length());
    }
}
